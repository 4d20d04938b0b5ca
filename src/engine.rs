//! The engine: load → decide → commit, for hosts that want it done for them.
//!
//! [`Engine`] holds validated definitions and a [`Store`]. Every method takes `now` from the
//! host; the engine never reads the clock. It only loads, decides (the pure core:
//! [`decide`](crate::decide), [`handle_due`](crate::handle_due)) and commits.

use crate::access::Actor;
use crate::command::Command;
use crate::decide::{self, Availability, Decision};
use crate::definition::Definition;
use crate::event::{Attribution, Event, EventKind};
use crate::ids::{FastMap, InstanceId, Name};
use crate::instance::{Instance, ReplayError};
use crate::rejection::Rejection;
use crate::sla::{Period, SlaReport};
use crate::store::{Commit, IdempotencyRecord, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

#[cfg(feature = "async")]
mod asynchronous;
mod nodes;
pub(crate) mod step;
mod trace;
#[cfg(feature = "async")]
pub use asynchronous::{AsyncEngine, AsyncOutboxSink};
pub use nodes::{DeliveryReport, OutboxSink};

/// Receives every committed event, after the commit. Host-implemented (e-mail, message
/// queue, ...); the default does nothing.
///
/// Contract: called once per successful commit, in commit order per instance, never for a
/// failed commit. It must not call back into the engine for the same instance
/// synchronously (it would race its own caller); queue the work instead.
pub trait Notifier: Send + Sync {
    /// `events` were committed; `instance` is the snapshot after them.
    fn notify(&self, instance: &Instance, events: &[Event]);
}

/// A notifier that does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoopNotifier;

impl Notifier for NoopNotifier {
    fn notify(&self, _: &Instance, _: &[Event]) {}
}

impl<F: Fn(&Instance, &[Event]) + Send + Sync> Notifier for F {
    fn notify(&self, instance: &Instance, events: &[Event]) {
        self(instance, events)
    }
}

/// Why an engine call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The command was refused; nothing changed (the refusal may have been recorded).
    #[error("`{instance}`: {rejection}")]
    Rejected {
        /// The instance.
        instance: InstanceId,
        /// Why.
        rejection: Rejection,
    },
    /// No definition registered under that id (and version).
    #[error("no definition `{definition}`{}", .version.map(|v| format!(" v{v}")).unwrap_or_default())]
    UnknownDefinition {
        /// The id.
        definition: Name,
        /// The version, when one was asked for.
        version: Option<u32>,
    },
    /// A definition with this id and version is already registered.
    #[error("definition `{definition}` v{version} is already registered")]
    DuplicateDefinition {
        /// The id.
        definition: Name,
        /// The version.
        version: u32,
    },
    /// No such instance.
    #[error("no instance `{instance}`")]
    NotFound {
        /// The instance.
        instance: InstanceId,
    },
    /// Another writer committed first; reload and retry.
    #[error("`{instance}` changed concurrently: expected version {expected}, found {actual}")]
    Conflict {
        /// The instance.
        instance: InstanceId,
        /// The version this writer read.
        expected: u64,
        /// The version found.
        actual: u64,
    },
    /// The idempotency key was used before by a different command.
    #[error("`{instance}`: idempotency key `{key}` was used by a different command")]
    KeyReused {
        /// The instance.
        instance: InstanceId,
        /// The key.
        key: String,
    },
    /// A stored history does not replay to its snapshot.
    #[error(transparent)]
    Corrupt(#[from] ReplayError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for EngineError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict {
                instance,
                expected,
                actual,
            } => EngineError::Conflict {
                instance,
                expected,
                actual,
            },
            other => EngineError::Store(other),
        }
    }
}

impl EngineError {
    /// The rejection, if the command was refused.
    pub fn rejection(&self) -> Option<&Rejection> {
        match self {
            EngineError::Rejected { rejection, .. } => Some(rejection),
            _ => None,
        }
    }
}

/// The result of an accepted command.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The instance after the command (the snapshot the store now holds, shared).
    pub instance: Arc<Instance>,
    /// The events the command appended.
    pub events: Vec<Event>,
    /// `true` when this was a retry with a known idempotency key: nothing new was appended
    /// and `events` are the ones the original command appended.
    pub replayed: bool,
}

/// What one [`Engine::handle_due`] call did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DueReport {
    /// Instances handled, with the events appended to each.
    pub handled: Vec<(InstanceId, Vec<Event>)>,
    /// Instances skipped because another writer changed them meanwhile (they are picked up
    /// again by the next call if still due).
    pub conflicts: Vec<InstanceId>,
    /// Instances whose due deadlines could not be handled, with why (e.g. an escalation
    /// target's deadline cannot be computed from the instance's data). Nothing was written
    /// for them; they stay due and are reported again by the next call.
    pub failed: Vec<(InstanceId, Rejection)>,
    /// Instances due whose definition version is not registered with this engine, with that
    /// definition and version. Nothing was written for them and they stay due: a scheduler
    /// that sleeps until [`Engine::next_due`] must register the version (or migrate the
    /// instances), or it will be woken for them again at once.
    pub unregistered: Vec<(InstanceId, Name, u32)>,
}

/// Runs definitions against a store.
pub struct Engine<S: Store> {
    store: S,
    /// Definitions by id, then version (found by pointer-hashed `Name`).
    definitions: FastMap<Name, BTreeMap<u32, Arc<Definition>>>,
    notifier: Arc<dyn Notifier>,
    record_rejections: bool,
    /// Commits carry an outbox message (delivered by [`Engine::deliver_outbox`]).
    outbox: bool,
}

impl<S: Store + std::fmt::Debug> std::fmt::Debug for Engine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("definitions", &self.definitions.keys().collect::<Vec<_>>())
            .field("record_rejections", &self.record_rejections)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Engine<S> {
    /// An engine over `store`, recording rejected attempts, with no notifier.
    pub fn new(store: S) -> Self {
        Engine {
            store,
            definitions: FastMap::default(),
            notifier: Arc::new(NoopNotifier),
            record_rejections: true,
            outbox: false,
        }
    }

    /// Use `notifier` for committed events.
    #[must_use]
    pub fn with_notifier(mut self, notifier: impl Notifier + 'static) -> Self {
        self.notifier = Arc::new(notifier);
        self
    }

    /// Whether refused commands on existing instances are recorded as `rejected` events
    /// (default: yes; auditors ask who tried what).
    #[must_use]
    pub fn record_rejections(mut self, yes: bool) -> Self {
        self.record_rejections = yes;
        self
    }

    /// Whether every commit records an outbox message in the same transaction (default: no).
    /// With the outbox on, committed events reach the host through
    /// [`deliver_outbox`](Engine::deliver_outbox) — at least once, by any node, with a stable
    /// deduplication key — and the inline [`Notifier`] is not called.
    #[must_use]
    pub fn with_outbox(mut self, yes: bool) -> Self {
        self.outbox = yes;
        self
    }

    /// Register a definition.
    ///
    /// # Errors
    /// [`EngineError::DuplicateDefinition`] when the id and version are taken.
    pub fn register(&mut self, definition: impl Into<Arc<Definition>>) -> Result<(), EngineError> {
        let def = definition.into();
        let versions = self.definitions.entry(def.id()).or_default();
        if versions.contains_key(&def.version()) {
            return Err(EngineError::DuplicateDefinition {
                definition: def.id(),
                version: def.version(),
            });
        }
        versions.insert(def.version(), def);
        Ok(())
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The latest registered version of `id`.
    pub fn definition(&self, id: impl Into<Name>) -> Option<&Arc<Definition>> {
        let id = id.into();
        self.definitions.get(&id)?.values().next_back()
    }

    fn definition_of(&self, inst: &Instance) -> Result<&Arc<Definition>, EngineError> {
        self.definitions
            .get(&inst.definition())
            .and_then(|v| v.get(&inst.definition_version()))
            .ok_or_else(|| EngineError::UnknownDefinition {
                definition: inst.definition(),
                version: Some(inst.definition_version()),
            })
    }

    fn write(
        &self,
        decision: Decision,
        expected: u64,
        key: Option<IdempotencyRecord>,
    ) -> Result<Outcome, EngineError> {
        let instance = Arc::new(decision.instance);
        let events = decision.events;
        let commit = Commit {
            instance: instance.clone(),
            events: events.clone(),
            expected_version: expected,
            idempotency: key,
            outbox: self.outbox,
        };
        self.store.commit(commit)?;
        if !self.outbox {
            self.notifier.notify(&instance, &events);
        }
        Ok(Outcome {
            instance,
            events,
            replayed: false,
        })
    }

    /// Start an instance of the latest version of `definition`.
    ///
    /// # Errors
    /// [`EngineError::UnknownDefinition`], [`EngineError::Rejected`] (e.g. `Forbidden`),
    /// [`EngineError::Conflict`] when the id is taken, or a store error.
    pub fn start(
        &self,
        definition: impl Into<Name>,
        id: impl Into<InstanceId>,
        actor: &Actor,
        data: Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        let definition = definition.into();
        let def = self
            .definition(definition)
            .ok_or(EngineError::UnknownDefinition {
                definition,
                version: None,
            })?;
        let id = id.into();
        let decision = decide::start(def, id.clone(), actor, data, now).map_err(|rejection| {
            EngineError::Rejected {
                instance: id,
                rejection,
            }
        })?;
        self.write(decision, 0, None)
    }

    /// Load, decide and commit `cmd` on instance `id`.
    ///
    /// A retried command with a known idempotency key returns the original events with
    /// `replayed: true` and appends nothing; the same key with a different command is
    /// [`EngineError::KeyReused`].
    ///
    /// # Errors
    /// [`EngineError::NotFound`], [`EngineError::Rejected`], [`EngineError::Conflict`],
    /// [`EngineError::KeyReused`], or a store error.
    pub fn fire(
        &self,
        id: &InstanceId,
        cmd: &Command,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        let inst = self.load(id)?;
        if let Some(key) = &cmd.idempotency_key {
            if let Some(rec) = self.store.idempotency(id, key)? {
                if rec.fingerprint != cmd.fingerprint() {
                    return Err(EngineError::KeyReused {
                        instance: id.clone(),
                        key: key.clone(),
                    });
                }
                let events = self
                    .store
                    .events(id, rec.first_seq.saturating_sub(1))?
                    .into_iter()
                    .take_while(|e| e.seq <= rec.last_seq)
                    .collect();
                return Ok(Outcome {
                    instance: inst,
                    events,
                    replayed: true,
                });
            }
        }
        let def = self.definition_of(&inst)?;
        match decide::decide(def, &inst, cmd, now) {
            Ok(decision) => {
                let key = cmd.idempotency_key.as_ref().map(|k| IdempotencyRecord {
                    key: k.clone(),
                    fingerprint: cmd.fingerprint(),
                    first_seq: inst.version().saturating_add(1),
                    last_seq: decision.instance.version(),
                });
                self.write(decision, inst.version(), key)
            }
            Err(rejection) => {
                if self.record_rejections {
                    self.record_rejection(&inst, cmd, &rejection, now)?;
                }
                Err(EngineError::Rejected {
                    instance: id.clone(),
                    rejection,
                })
            }
        }
    }

    fn record_rejection(
        &self,
        inst: &Instance,
        cmd: &Command,
        rejection: &Rejection,
        now: DateTime<Utc>,
    ) -> Result<(), EngineError> {
        // A snapshot at the maximum version cannot take another event: the refusal stands
        // unrecorded.
        let Some(seq) = inst.version().checked_add(1) else {
            return Ok(());
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
        match self.write(
            Decision {
                events: vec![event],
                instance: after,
            },
            inst.version(),
            None,
        ) {
            // Someone else wrote first: the refusal stands; recording it is best effort.
            Ok(_) | Err(EngineError::Conflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The latest snapshot of `id`.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] or a store error.
    pub fn load(&self, id: &InstanceId) -> Result<Arc<Instance>, EngineError> {
        self.store.load(id)?.ok_or_else(|| EngineError::NotFound {
            instance: id.clone(),
        })
    }

    /// The whole history of `id`.
    ///
    /// # Errors
    /// A store error.
    pub fn history(&self, id: &InstanceId) -> Result<Vec<Event>, EngineError> {
        Ok(self.store.events(id, 0)?)
    }

    /// Prove the stored snapshot of `id` equals the replay of its stored events.
    ///
    /// # Errors
    /// [`EngineError::Corrupt`] when they differ, [`EngineError::NotFound`], or a store error.
    pub fn verify(&self, id: &InstanceId) -> Result<(), EngineError> {
        let inst = self.load(id)?;
        Ok(inst.verify(&self.history(id)?)?)
    }

    /// What `actor` may do on `id` now, and why not the rest.
    ///
    /// # Errors
    /// [`EngineError::NotFound`], [`EngineError::UnknownDefinition`] or a store error.
    pub fn available_actions(
        &self,
        id: &InstanceId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Availability>, EngineError> {
        let inst = self.load(id)?;
        let def = self.definition_of(&inst)?;
        Ok(decide::available_actions(def, &inst, actor, now))
    }

    /// The earliest instant at which some deadline needs handling (O(log n) in the store):
    /// one nanosecond after the earliest pending limit, warning or rung, the first instant
    /// at which [`handle_due`](Self::handle_due) finds it due (the boundary rule,
    /// [`DeadlineState`](crate::DeadlineState)).
    ///
    /// # Errors
    /// A store error.
    pub fn next_due(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        Ok(self.store.next_due()?.map(|(t, _)| t))
    }

    /// Handle every deadline due at `now`: warnings, breaches, escalations. Idempotent:
    /// a second call with the same `now` appends nothing. Work is proportional to what is
    /// due.
    ///
    /// An instance whose deadlines cannot be handled (see [`DueReport::failed`]) does not
    /// stop the others.
    ///
    /// # Errors
    /// A store error.
    pub fn handle_due(&self, now: DateTime<Utc>) -> Result<DueReport, EngineError> {
        let mut report = DueReport::default();
        for id in self.store.due(now, usize::MAX)? {
            self.handle_due_of(id, now, &mut report)?;
        }
        Ok(report)
    }

    /// Handle the deadlines of `id` due at `now`, adding what happened to `report`.
    fn handle_due_of(
        &self,
        id: InstanceId,
        now: DateTime<Utc>,
        report: &mut DueReport,
    ) -> Result<(), EngineError> {
        let Some(inst) = self.store.load(&id)? else {
            return Ok(());
        };
        let Ok(def) = self.definition_of(&inst) else {
            let (d, v) = (inst.definition(), inst.definition_version());
            report.unregistered.push((id, d, v));
            return Ok(());
        };
        let decision = match decide::handle_due(def, &inst, now) {
            Ok(Some(decision)) => decision,
            Ok(None) => return Ok(()),
            Err(rejection) => {
                report.failed.push((id, rejection));
                return Ok(());
            }
        };
        match self.write(decision, inst.version(), None) {
            Ok(out) => report.handled.push((id, out.events)),
            Err(EngineError::Conflict { .. }) => report.conflicts.push(id),
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// SLA figures over every instance of every registered definition, as of `now`.
    ///
    /// # Errors
    /// A store error.
    pub fn sla_report(&self, now: DateTime<Utc>) -> Result<SlaReport, EngineError> {
        self.sla_report_where(|report, def, inst| report.add(def, inst, now))
    }

    /// SLA figures for one reporting period (a month, a week): the clocks judged in it, and
    /// those started before its end and still open then (see [`Period`]).
    ///
    /// # Errors
    /// A store error.
    pub fn sla_report_for(&self, period: Period) -> Result<SlaReport, EngineError> {
        self.sla_report_where(|report, def, inst| report.add_in(def, inst, period))
    }

    fn sla_report_where(
        &self,
        add: impl Fn(&mut SlaReport, &Definition, &Instance),
    ) -> Result<SlaReport, EngineError> {
        let mut report = SlaReport::new();
        let ids: std::collections::BTreeSet<Name> = self.definitions.keys().copied().collect();
        for def_id in ids {
            for id in self.store.list(&def_id)? {
                if let Some(inst) = self.store.load(&id)? {
                    if let Ok(def) = self.definition_of(&inst) {
                        add(&mut report, def, &inst);
                    }
                }
            }
        }
        Ok(report)
    }
}
