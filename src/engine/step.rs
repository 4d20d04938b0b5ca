//! The engine's logic without I/O, shared by [`Engine`](super::Engine) and
//! [`AsyncEngine`](crate::AsyncEngine): given what was loaded (the snapshot, the idempotency
//! record of the command's key) and `now`, what to write, what to answer and what to
//! announce. The engines only load, call these functions, and commit what they return.

use super::{EngineError, Outcome};
use crate::access::Actor;
use crate::chain::{ChainedEvent, check_snapshot, verify_chained};
use crate::command::Command;
use crate::decide::{self, Decision};
use crate::definition::Definition;
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::{FastMap, InstanceId, Name, Region};
use crate::instance::Instance;
use crate::limits::CommandLimits;
use crate::migration::{BatchReport, MigrationPlan, Refused, Unmigratable};
use crate::refusals::{Record, Refusal, RefusalLog};
use crate::rejection::Rejection;
use crate::store::{Commit, IdempotencyRecord};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The registered definitions, by id then version.
#[derive(Default)]
pub(crate) struct Definitions {
    /// Found by pointer-hashed `Name`.
    by_id: FastMap<Name, BTreeMap<u32, Arc<Definition>>>,
}

impl Definitions {
    pub(crate) fn register(&mut self, def: Arc<Definition>) -> Result<(), EngineError> {
        let versions = self.by_id.entry(def.id()).or_default();
        if let Some(held) = versions.get(&def.version()) {
            let (registered, offered) = (held.digest(), def.digest());
            return Err(if registered == offered {
                EngineError::DuplicateDefinition {
                    definition: def.id(),
                    version: def.version(),
                }
            } else {
                EngineError::DefinitionConflict {
                    definition: def.id(),
                    version: def.version(),
                    registered,
                    offered,
                }
            });
        }
        versions.insert(def.version(), def);
        Ok(())
    }

    /// Version `version` of `id`.
    pub(crate) fn get(&self, id: Name, version: u32) -> Option<&Arc<Definition>> {
        self.by_id.get(&id)?.get(&version)
    }

    /// The registered versions of `id`, oldest first.
    pub(crate) fn versions(&self, id: Name) -> Vec<u32> {
        self.by_id
            .get(&id)
            .map(|v| v.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The latest version of `id`.
    pub(crate) fn latest(&self, id: Name) -> Option<&Arc<Definition>> {
        self.by_id.get(&id)?.values().next_back()
    }

    /// The definition `inst` runs on.
    pub(crate) fn of(&self, inst: &Instance) -> Result<&Arc<Definition>, EngineError> {
        self.by_id
            .get(&inst.definition())
            .and_then(|v| v.get(&inst.definition_version()))
            .ok_or_else(|| EngineError::UnknownDefinition {
                definition: inst.definition(),
                version: Some(inst.definition_version()),
            })
    }

    /// The registered definition ids, sorted.
    pub(crate) fn ids(&self) -> std::collections::BTreeSet<Name> {
        self.by_id.keys().copied().collect()
    }
}

/// Check that both ends of `plan` are registered, with the specs it was built against.
pub(crate) fn check_plan(defs: &Definitions, plan: &MigrationPlan) -> Result<(), EngineError> {
    for def in [plan.from(), plan.to()] {
        let held = defs
            .get(def.id(), def.version())
            .ok_or(EngineError::UnknownDefinition {
                definition: def.id(),
                version: Some(def.version()),
            })?;
        if held.digest() != def.digest() {
            return Err(EngineError::DefinitionConflict {
                definition: def.id(),
                version: def.version(),
                registered: held.digest(),
                offered: def.digest(),
            });
        }
    }
    Ok(())
}

/// The migration of one loaded instance, to link and write; or why not.
pub(crate) fn migrate(
    plan: &MigrationPlan,
    inst: &Instance,
    by: &Actor,
    now: DateTime<Utc>,
) -> Result<Pending, Unmigratable> {
    plan.decide(inst, by, now).map(|d| pending(d, None))
}

/// A refused single migration as the engine's error.
pub(crate) fn migration_refused(id: &InstanceId, refusal: Unmigratable) -> EngineError {
    EngineError::Migration {
        instance: id.clone(),
        refusal: Box::new(refusal),
    }
}

/// Count an instance a batch did not write (already migrated, closed, refused).
pub(crate) fn tally(report: &mut BatchReport, id: InstanceId, why: Unmigratable) {
    match why {
        Unmigratable::AlreadyMigrated { .. } => report.already.push(id),
        Unmigratable::Closed { .. } => report.closed.push(id),
        reason => report.refused.push(Refused {
            instance: id,
            reason,
        }),
    }
}

/// How an engine checks and writes: settings both engines share.
#[derive(Debug, Clone)]
pub(crate) struct Policy {
    /// Record refused commands as `rejected` events.
    pub(crate) record_rejections: bool,
    /// Every commit carries an outbox message.
    pub(crate) outbox: bool,
    /// The limits commands and new data are checked against.
    pub(crate) limits: CommandLimits,
    /// Identical refusals within this window after the first are coalesced.
    pub(crate) refusal_window: TimeDelta,
    /// How far before an instance's last event `now` may be and be moved up to it.
    pub(crate) clock_tolerance: TimeDelta,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            record_rejections: true,
            outbox: false,
            limits: CommandLimits::default(),
            refusal_window: crate::refusals::DEFAULT_REFUSAL_WINDOW,
            clock_tolerance: TimeDelta::zero(),
        }
    }
}

/// What to do with a command on a loaded instance.
pub(crate) enum Fire {
    /// A retry of a known key: read back the events `first_seq ..= last_seq`, write
    /// nothing, answer them with `replayed: true` ([`replayed`]).
    Replay(IdempotencyRecord),
    /// Accepted: link and write it ([`link`]), answer [`accepted`], then write the refusal
    /// records the log holds for the instance ([`RefusalLog::take`] with `all`).
    Write(Pending),
    /// Refused: write [`refusal_records`] (with [`refusal_commit`], retried on conflicts up to
    /// [`REFUSAL_WRITE_ATTEMPTS`](super::REFUSAL_WRITE_ATTEMPTS)), then answer
    /// [`EngineError::Rejected`].
    Refuse(Rejection),
}

/// Events decided but not linked yet: linking needs the chain head of the snapshot they were
/// decided on, which the engine may have to read ([`head`]).
pub(crate) struct Pending {
    decision: Decision,
    key: Option<IdempotencyRecord>,
}

fn pending(decision: Decision, key: Option<IdempotencyRecord>) -> Pending {
    Pending { decision, key }
}

/// Where the chain head of `base` comes from.
pub(crate) enum Head<'a> {
    /// Known: the snapshot's own (or zero for a new instance).
    Known(Digest),
    /// A snapshot stored before the chain existed: the hash of its last stored event, read
    /// with `chained_events(instance, after)` and given to [`head_from`].
    Read {
        /// The instance.
        instance: &'a InstanceId,
        /// Read the events after this one.
        after: u64,
    },
}

/// The chain head the next event after `base` links to (`None`: a new instance).
pub(crate) fn head(base: Option<&Instance>) -> Head<'_> {
    match base {
        None => Head::Known(Digest::ZERO),
        Some(b) => match b.chain_head() {
            Some(head) => Head::Known(head),
            None => Head::Read {
                instance: b.id(),
                after: b.version().saturating_sub(1),
            },
        },
    }
}

/// The head from the last stored event ([`Head::Read`]).
pub(crate) fn head_from(last: Option<ChainedEvent>) -> Digest {
    last.map_or(Digest::ZERO, |c| c.hash.unwrap_or_else(|| c.event.hash()))
}

/// The commit writing `pending` after `base`, linked after `prev` (its chain head).
pub(crate) fn link(
    pending: Pending,
    base: Option<&Instance>,
    prev: Digest,
    policy: &Policy,
) -> Commit {
    let expected = base.map_or(0, Instance::version);
    let Pending { decision, key } = pending;
    let mut commit = Commit::linked(decision.instance, decision.events, prev, expected, key);
    commit.outbox = policy.outbox;
    commit
}

/// `now` for a command or due run on `inst`: a `now` before the last event but within the
/// clock tolerance is moved up to the last event; anything else is left for the core to
/// judge (time only moves forward per instance).
pub(crate) fn forward(inst: &Instance, now: DateTime<Utc>, policy: &Policy) -> DateTime<Utc> {
    let last = inst.updated_at();
    if now < last && last - now <= policy.clock_tolerance {
        last
    } else {
        now
    }
}

/// Prove a stored history is intact and `inst` is its end: the hash chain verifies from the
/// first event, the snapshot's version and chain head are those of the last event, and the
/// snapshot equals the replay of the events.
///
/// # Errors
/// [`EngineError::Chain`] or [`EngineError::Corrupt`].
pub(crate) fn verify(inst: &Instance, history: Vec<ChainedEvent>) -> Result<(), EngineError> {
    let head = verify_chained(&history)?;
    let last = history.last().map_or(0, |c| c.event.seq);
    check_snapshot(inst, last, head)?;
    let events: Vec<Event> = history.into_iter().map(|c| c.event).collect();
    Ok(inst.verify(&events)?)
}

/// The commit starting instance `id` of `def` in `region` (if any).
///
/// # Errors
/// [`EngineError::Rejected`].
pub(crate) fn start(
    def: &Definition,
    (id, region): (InstanceId, Option<Region>),
    actor: &Actor,
    data: Value,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Pending, EngineError> {
    let decided = policy
        .limits
        .check_data(&data)
        .and_then(|()| decide::start_in(def, id.clone(), actor, data, region, now));
    match decided {
        Ok(decision) => Ok(pending(decision, None)),
        Err(rejection) => Err(EngineError::Rejected {
            instance: id,
            rejection,
        }),
    }
}

/// What to do with `cmd` on `inst`, `known` being the record of the command's key if the
/// store has one. A retry of a known key is answered before anything else; then the command
/// is checked against the limits, then decided on the instance's definition.
///
/// # Errors
/// [`EngineError::KeyReused`] (the key belongs to another command) or
/// [`EngineError::UnknownDefinition`].
pub(crate) fn fire(
    definitions: &Definitions,
    inst: &Instance,
    known: Option<IdempotencyRecord>,
    cmd: &Command,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Fire, EngineError> {
    if let (Some(key), Some(rec)) = (&cmd.idempotency_key, known) {
        if rec.fingerprint != cmd.fingerprint() {
            return Err(EngineError::KeyReused {
                instance: inst.id().clone(),
                key: key.clone(),
            });
        }
        return Ok(Fire::Replay(rec));
    }
    let now = forward(inst, now, policy);
    let decided = match policy.limits.check(cmd) {
        Ok(()) => decide::decide(definitions.of(inst)?, inst, cmd, now),
        Err(over) => Err(over),
    };
    match decided {
        Ok(decision) => {
            let key = cmd.idempotency_key.as_ref().map(|k| IdempotencyRecord {
                key: k.clone(),
                fingerprint: cmd.fingerprint(),
                first_seq: inst.version().saturating_add(1),
                last_seq: decision.instance.version(),
            });
            Ok(Fire::Write(pending(decision, key)))
        }
        Err(rejection) => Ok(Fire::Refuse(rejection)),
    }
}

/// The records to write now for `rejection` of `cmd` on `id`: none when the policy does not
/// record refusals or the refusal coalesces into an open window; otherwise what the log holds
/// for the instance and the refusal's first record (a new window is opened).
pub(crate) fn refusal_records(
    log: &RefusalLog,
    id: &InstanceId,
    cmd: &Command,
    rejection: &Rejection,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<Record> {
    if !policy.record_rejections {
        return Vec::new();
    }
    let refusal = Refusal::new(cmd, rejection);
    if log.coalesce(id, &refusal, now) {
        return Vec::new();
    }
    let mut records = log.take(id, now, false);
    records.push(refusal.first_record(cmd, now));
    log.open(id, refusal, now, policy.refusal_window);
    records
}

/// The commit appending `records` to `inst`, written at `now` (`None` when the version is at
/// its maximum: the refusals stand unrecorded). Time never goes back in a history: a record
/// written later than the refusal it records carries the refusal's instants in `repeated`.
///
/// # Errors
/// [`EngineError::Corrupt`] if the snapshot cannot take the records.
pub(crate) fn refusal_commit(
    inst: &Instance,
    records: &[Record],
    now: DateTime<Utc>,
) -> Result<Option<Pending>, EngineError> {
    let mut after = inst.clone();
    let mut events = Vec::with_capacity(records.len());
    let at = now.max(inst.updated_at());
    for r in records {
        let Some(seq) = after.version().checked_add(1) else {
            return Ok(None);
        };
        let event = Event {
            instance: inst.id().clone(),
            seq,
            at,
            by: Some(r.by.clone()),
            kind: r.delayed(at),
            prev: None,
        };
        after.apply(&event)?;
        events.push(event);
    }
    Ok(Some(pending(
        Decision {
            events,
            instance: after,
        },
        None,
    )))
}

/// The answer to a replayed command: the events its first run appended, out of `events`
/// (the instance's events after `record.first_seq - 1`).
pub(crate) fn replayed(
    inst: Arc<Instance>,
    events: Vec<Event>,
    record: &IdempotencyRecord,
) -> Outcome {
    Outcome {
        instance: inst,
        events: events
            .into_iter()
            .take_while(|e| e.seq <= record.last_seq)
            .collect(),
        replayed: true,
    }
}

/// The answer to a written commit.
pub(crate) fn accepted(commit: &Commit) -> Outcome {
    Outcome {
        instance: commit.instance.clone(),
        events: commit.events.clone(),
        replayed: false,
    }
}

/// What due handling does with one due instance.
pub(crate) enum Due {
    /// Nothing to do at `now` (already handled, or not due after all).
    Nothing,
    /// Link and write these events.
    Write(Pending),
    /// The deadlines cannot be handled (nothing to write; it stays due).
    Failed(Rejection),
}

/// What to do about the deadlines of `inst` due at `now`.
pub(crate) fn due(def: &Definition, inst: &Instance, now: DateTime<Utc>, policy: &Policy) -> Due {
    match decide::handle_due(def, inst, forward(inst, now, policy)) {
        Ok(Some(decision)) => Due::Write(pending(decision, None)),
        Ok(None) => Due::Nothing,
        Err(rejection) => Due::Failed(rejection),
    }
}

/// Whether the events read back for an outbox message are exactly its events.
pub(crate) fn message_events_complete(
    message: &crate::store::OutboxMessage,
    events: &[Event],
) -> Result<(), String> {
    let complete = events.first().map(|e| e.seq) == Some(message.first_seq)
        && events.last().map(|e| e.seq) == Some(message.last_seq);
    if complete {
        Ok(())
    } else {
        Err(format!(
            "the store holds no events {}..={} of `{}`",
            message.first_seq, message.last_seq, message.instance
        ))
    }
}
