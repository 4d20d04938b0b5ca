//! The engine's logic without I/O, shared by [`Engine`](super::Engine) and
//! [`AsyncEngine`](crate::AsyncEngine): given what was loaded (the snapshot, the idempotency
//! record of the command's key) and `now`, what to write, what to answer and what to
//! announce. The engines only load, call these functions, and commit what they return.

use super::{EngineError, Outcome};
use crate::access::Actor;
use crate::command::Command;
use crate::decide::{self, Decision};
use crate::definition::Definition;
use crate::event::{Attribution, Event, EventKind};
use crate::ids::{FastMap, InstanceId, Name};
use crate::instance::Instance;
use crate::rejection::Rejection;
use crate::store::{Commit, IdempotencyRecord};
use chrono::{DateTime, Utc};
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
        if versions.contains_key(&def.version()) {
            return Err(EngineError::DuplicateDefinition {
                definition: def.id(),
                version: def.version(),
            });
        }
        versions.insert(def.version(), def);
        Ok(())
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

/// How an engine writes: settings both engines share.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Policy {
    /// Record refused commands as `rejected` events.
    pub(crate) record_rejections: bool,
    /// Every commit carries an outbox message.
    pub(crate) outbox: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            record_rejections: true,
            outbox: false,
        }
    }
}

/// What to do with a command on a loaded instance.
pub(crate) enum Fire {
    /// A retry of a known key: read back the events `first_seq ..= last_seq`, write
    /// nothing, answer them with `replayed: true` ([`replayed`]).
    Replay(IdempotencyRecord),
    /// Accepted: write the commit, answer [`accepted`].
    Write(Commit),
    /// Refused: write `record` when there is one (best effort: a conflict leaves the refusal
    /// unrecorded), then answer [`EngineError::Rejected`].
    Refuse {
        /// Why.
        rejection: Rejection,
        /// The refusal as a `rejected` event, when the policy records refusals.
        record: Option<Commit>,
    },
}

fn commit(
    decision: Decision,
    expected: u64,
    key: Option<IdempotencyRecord>,
    policy: Policy,
) -> Commit {
    Commit {
        instance: Arc::new(decision.instance),
        events: decision.events,
        expected_version: expected,
        idempotency: key,
        outbox: policy.outbox,
    }
}

/// The commit starting instance `id` of `def`.
///
/// # Errors
/// [`EngineError::Rejected`].
pub(crate) fn start(
    def: &Definition,
    id: InstanceId,
    actor: &Actor,
    data: Value,
    now: DateTime<Utc>,
    policy: Policy,
) -> Result<Commit, EngineError> {
    match decide::start(def, id.clone(), actor, data, now) {
        Ok(decision) => Ok(commit(decision, 0, None, policy)),
        Err(rejection) => Err(EngineError::Rejected {
            instance: id,
            rejection,
        }),
    }
}

/// What to do with `cmd` on `inst`, `known` being the record of the command's key if the
/// store has one.
///
/// # Errors
/// [`EngineError::KeyReused`] (the key belongs to another command), or
/// [`EngineError::Corrupt`] if the snapshot cannot take the refusal record.
pub(crate) fn fire(
    def: &Definition,
    inst: &Instance,
    known: Option<IdempotencyRecord>,
    cmd: &Command,
    now: DateTime<Utc>,
    policy: Policy,
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
    match decide::decide(def, inst, cmd, now) {
        Ok(decision) => {
            let key = cmd.idempotency_key.as_ref().map(|k| IdempotencyRecord {
                key: k.clone(),
                fingerprint: cmd.fingerprint(),
                first_seq: inst.version().saturating_add(1),
                last_seq: decision.instance.version(),
            });
            Ok(Fire::Write(commit(decision, inst.version(), key, policy)))
        }
        Err(rejection) => {
            let record = if policy.record_rejections {
                refusal(inst, cmd, &rejection, now, policy)?
            } else {
                None
            };
            Ok(Fire::Refuse { rejection, record })
        }
    }
}

/// The commit recording `rejection` of `cmd` on `inst` (`None` when the snapshot is at the
/// maximum version and cannot take another event: the refusal stands unrecorded).
fn refusal(
    inst: &Instance,
    cmd: &Command,
    rejection: &Rejection,
    now: DateTime<Utc>,
    policy: Policy,
) -> Result<Option<Commit>, EngineError> {
    let Some(seq) = inst.version().checked_add(1) else {
        return Ok(None);
    };
    let event = Event {
        instance: inst.id().clone(),
        seq,
        at: now,
        by: Some(Attribution {
            actor: cmd.actor.id.clone(),
            role: None,
            on_behalf_of: cmd.actor.on_behalf_of.clone(),
        }),
        kind: EventKind::Rejected {
            action: cmd.intent.action(),
            rejection: rejection.clone(),
        },
    };
    let mut after = inst.clone();
    after.apply(&event)?;
    Ok(Some(commit(
        Decision {
            events: vec![event],
            instance: after,
        },
        inst.version(),
        None,
        policy,
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
    /// Write this commit.
    Write(Commit),
    /// The deadlines cannot be handled (nothing to write; it stays due).
    Failed(Rejection),
}

/// What to do about the deadlines of `inst` due at `now`.
pub(crate) fn due(def: &Definition, inst: &Instance, now: DateTime<Utc>, policy: Policy) -> Due {
    match decide::handle_due(def, inst, now) {
        Ok(Some(decision)) => Due::Write(commit(decision, inst.version(), None, policy)),
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
