//! The engine: load → decide → commit, for hosts that want it done for them.
//!
//! [`Engine`] holds validated definitions and a [`Store`]. Every method takes `now` from the
//! host; the engine never reads the clock. It only loads, decides (the pure core:
//! [`decide`](crate::decide), [`handle_due`](crate::handle_due)) and commits.

use crate::access::Actor;
use crate::command::Command;
use crate::decide::{self, Availability};
use crate::definition::Definition;
use crate::event::Event;
use crate::ids::{InstanceId, Name};
use crate::instance::{Instance, ReplayError};
use crate::rejection::Rejection;
use crate::sla::{Period, SlaReport};
use crate::store::{Commit, Store, StoreError};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

#[cfg(feature = "async")]
mod asynchronous;
mod nodes;
pub(crate) mod step;
mod trace;
#[cfg(feature = "async")]
pub use asynchronous::{AsyncEngine, AsyncOutboxSink};
pub use nodes::{DeliveryReport, OutboxSink};
use step::{Definitions, Due, Fire, Policy};
use trace::Span;

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
    definitions: Definitions,
    notifier: Arc<dyn Notifier>,
    policy: Policy,
}

impl<S: Store + std::fmt::Debug> std::fmt::Debug for Engine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("store", &self.store)
            .field("definitions", &self.definitions.ids())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Engine<S> {
    /// An engine over `store`, recording rejected attempts, with no notifier.
    pub fn new(store: S) -> Self {
        Engine {
            store,
            definitions: Definitions::default(),
            notifier: Arc::new(NoopNotifier),
            policy: Policy::default(),
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
        self.policy.record_rejections = yes;
        self
    }

    /// Whether every commit records an outbox message in the same transaction (default: no).
    /// With the outbox on, committed events reach the host through
    /// [`deliver_outbox`](Engine::deliver_outbox) — at least once, by any node, with a stable
    /// deduplication key — and the inline [`Notifier`] is not called.
    #[must_use]
    pub fn with_outbox(mut self, yes: bool) -> Self {
        self.policy.outbox = yes;
        self
    }

    /// Register a definition.
    ///
    /// # Errors
    /// [`EngineError::DuplicateDefinition`] when the id and version are taken.
    pub fn register(&mut self, definition: impl Into<Arc<Definition>>) -> Result<(), EngineError> {
        self.definitions.register(definition.into())
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The latest registered version of `id`.
    pub fn definition(&self, id: impl Into<Name>) -> Option<&Arc<Definition>> {
        self.definitions.latest(id.into())
    }

    fn definition_of(&self, inst: &Instance) -> Result<&Arc<Definition>, EngineError> {
        self.definitions.of(inst)
    }

    fn write(&self, commit: Commit) -> Result<Outcome, EngineError> {
        let outcome = step::accepted(&commit);
        self.store.commit(commit)?;
        if !self.policy.outbox {
            self.notifier.notify(&outcome.instance, &outcome.events);
        }
        Ok(outcome)
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
        let (definition, id) = (definition.into(), id.into());
        let span = Span::command("start", &id, None);
        span.definition(definition);
        let result = span.in_scope(|| {
            let def = self
                .definition(definition)
                .ok_or(EngineError::UnknownDefinition {
                    definition,
                    version: None,
                })?;
            self.write(step::start(def, id, actor, data, now, self.policy)?)
        });
        span.outcome(&result);
        result
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
        let span = Span::command("fire", id, cmd.intent.action());
        let result = span.in_scope(|| self.fire_in(id, cmd, now, &span));
        span.outcome(&result);
        result
    }

    fn fire_in(
        &self,
        id: &InstanceId,
        cmd: &Command,
        now: DateTime<Utc>,
        span: &Span,
    ) -> Result<Outcome, EngineError> {
        let inst = self.load(id)?;
        span.definition(inst.definition());
        let known = match &cmd.idempotency_key {
            Some(key) => self.store.idempotency(id, key)?,
            None => None,
        };
        let def = self.definition_of(&inst)?;
        match step::fire(def, &inst, known, cmd, now, self.policy)? {
            Fire::Replay(record) => {
                let events = self.store.events(id, record.first_seq.saturating_sub(1))?;
                Ok(step::replayed(inst, events, &record))
            }
            Fire::Write(commit) => self.write(commit),
            Fire::Refuse { rejection, record } => {
                if let Some(record) = record {
                    match self.write(record) {
                        // Someone else wrote first: the refusal stands; recording it is
                        // best effort.
                        Ok(_) | Err(EngineError::Conflict { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
                Err(EngineError::Rejected {
                    instance: id.clone(),
                    rejection,
                })
            }
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
        let span = Span::run("due", None);
        let result = span.in_scope(|| {
            let mut report = DueReport::default();
            for id in self.store.due(now, usize::MAX)? {
                self.handle_due_of(id, now, &mut report)?;
            }
            Ok(report)
        });
        nodes::due_outcome(&span, &result);
        result
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
        match step::due(def, &inst, now, self.policy) {
            Due::Nothing => {}
            Due::Failed(rejection) => report.failed.push((id, rejection)),
            Due::Write(commit) => match self.write(commit) {
                Ok(out) => report.handled.push((id, out.events)),
                Err(EngineError::Conflict { .. }) => report.conflicts.push(id),
                Err(e) => return Err(e),
            },
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
        for def_id in self.definitions.ids() {
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
