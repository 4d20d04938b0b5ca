//! The engine: load → decide → commit, for hosts that want it done for them.
//!
//! [`Engine`] holds validated definitions and a [`Store`]. Every method takes `now` from the
//! host; the engine never reads the clock. It only loads, decides (the pure core:
//! [`decide`](crate::decide), [`handle_due`](crate::handle_due)) and commits.

use crate::access::Actor;
use crate::chain::{AnchorError, ChainAnchor, ChainError};
use crate::command::Command;
use crate::decide::{self, Availability};
use crate::definition::Definition;
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::{InstanceId, Name, Region};
use crate::instance::{Instance, ReplayError};
use crate::limits::CommandLimits;
use crate::migration::{BatchReport, DryRun, MigrationPlan};
use crate::refusals::{Record, RefusalLog};
use crate::rejection::Rejection;
use crate::sla::{Period, SlaReport};
use crate::store::{Store, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
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
use step::{Definitions, Due, Fire, Pending, Policy};
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
    /// Another spec is registered under this id and version: a version's identity includes
    /// the digest of its spec ([`Definition::digest`]), so a revision needs a new version.
    #[error(
        "definition `{definition}` v{version} is registered with spec digest {registered}, not {offered}: a revised spec needs a new version"
    )]
    DefinitionConflict {
        /// The id.
        definition: Name,
        /// The version.
        version: u32,
        /// The digest of the spec registered.
        registered: Digest,
        /// The digest of the spec offered.
        offered: Digest,
    },
    /// A migration of one instance was refused; nothing changed.
    #[error("`{instance}`: {refusal}")]
    Migration {
        /// The instance.
        instance: InstanceId,
        /// Why it cannot be migrated.
        refusal: Box<crate::migration::Unmigratable>,
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
    /// A stored history does not match its hash chain or its snapshot's chain head: the
    /// first event that does not match, by instance and sequence number (boxed: it carries
    /// digests).
    #[error(transparent)]
    Chain(Box<ChainError>),
    /// The store no longer matches an anchor taken from it earlier (boxed: it carries
    /// digests).
    #[error(transparent)]
    Anchor(Box<AnchorError>),
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

impl From<ChainError> for EngineError {
    fn from(e: ChainError) -> Self {
        EngineError::Chain(Box::new(e))
    }
}

impl From<AnchorError> for EngineError {
    fn from(e: AnchorError) -> Self {
        EngineError::Anchor(Box::new(e))
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

/// How many times the engine tries to write a refusal record that races another write
/// (reloading the instance in between) before keeping it for the next write.
pub const REFUSAL_WRITE_ATTEMPTS: usize = 4;

/// Runs definitions against a store.
///
/// The engine is load → decide → commit around the pure core ([`decide`](crate::decide)):
/// [`register`](Engine::register) definitions, then [`start`](Engine::start) instances and
/// [`fire`](Engine::fire) commands at them with the host's `now`; a scheduler calls
/// [`handle_due`](Engine::handle_due) (or [`run_due`](Engine::run_due) with a lease) at
/// [`next_due`](Engine::next_due). Every accepted command is a commit of events to the
/// [`Store`]; [`history`](Engine::history) reads them back and [`verify`](Engine::verify)
/// proves the chain and the snapshot.
///
/// ```
/// use aftersales::*;
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use serde_json::json;
///
/// let def = Builder::new("repair", 1)
///     .roles(["engineer", "manager"])
///     .start_roles(["engineer"])
///     .initial("reported")
///     .normal("approval")
///     .terminal("closed")
///     .transition("reported", "submit", "approval", |t| t.roles(["engineer"]))
///     .transition("approval", "approve", "closed", |t| t.roles(["manager"]))
///     .deadline(DeadlineSpec::new(
///         "approve_in_time",
///         Trigger::enter("approval"),
///         BusinessDuration::WorkingHours(4),
///     ))
///     .build(&Registry::with_calendar(BusinessCalendar::china_standard()))?;
///
/// let mut engine = Engine::new(InMemoryStore::new());
/// engine.register(def)?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap(); // Fri 16:00 at UTC+8
/// let li = Actor::new("li", ["engineer"]);
/// let id = InstanceId::from("R-1");
/// engine.start("repair", id.clone(), &li, json!({}), now)?;
///
/// // What may li do now, and why not the rest?
/// let offer = engine.available_actions(&id, &li, now)?;
/// assert_eq!(offer[0].action, "submit");
/// assert!(offer[0].verdict.is_ok());
///
/// // A retried command with the same idempotency key has one effect.
/// let submit = Command::fire(&li, "submit").with_key("web-123");
/// engine.fire(&id, &submit, now)?;
/// assert!(engine.fire(&id, &submit, now)?.replayed);
///
/// // Nobody approved: on Tuesday the scheduler records the breach.
/// let tuesday = now + TimeDelta::days(4);
/// let report = engine.handle_due(tuesday)?;
/// assert_eq!(report.handled.len(), 1);
/// assert!(engine.load(&id)?.clock("approve_in_time").is_some());
///
/// let history = engine.history(&id)?;
/// assert!(matches!(history[0].kind, EventKind::Created { .. }));
/// assert!(history.iter().any(|e| matches!(e.kind, EventKind::DeadlineBreached { .. })));
/// engine.verify(&id)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Limits
///
/// Every command is checked against the engine's [`CommandLimits`] (sizes, nesting, names;
/// the defaults are tabled there) before the instance's definition is consulted:
/// a command over a limit is refused with [`Rejection::OverLimit`] naming the limit, its value
/// and the size found. [`Engine::with_limits`] changes them.
///
/// # Refusal records
///
/// A refused command on an existing instance is recorded as a `rejected` event (auditors ask
/// who tried what; [`Engine::record_rejections`] turns it off), bounded so that nobody can grow
/// the audit log at will:
///
/// - **Size.** The record holds the command's size and SHA-256 digest
///   ([`CommandDigest`](crate::CommandDigest)), never its payload, forms or texts; free-text
///   reasons in the refusal, and names (actor, action) longer than the command limits allow,
///   are cut at [`RECORDED_TEXT_BYTES`](crate::RECORDED_TEXT_BYTES).
/// - **Count.** Identical refusals (same instance, actor, principal, action and reason)
///   coalesce within a window ([`DEFAULT_REFUSAL_WINDOW`](crate::DEFAULT_REFUSAL_WINDOW), one
///   hour after the first; [`Engine::refusal_window`] changes it, zero turns coalescing off):
///   the first is recorded at once; the later ones are counted in memory, and the count is
///   written as one summary record ([`Repeats`](crate::Repeats): count, first and last instant)
///   with the next write on that instance after the window closes, right after the next
///   accepted command on it, or by [`Engine::flush_refusals`]. So 1,000 identical refusals in
///   an hour add two records: the first, and a summary with count 1,000. At most
///   [`MAX_OPEN_WINDOWS`](crate::MAX_OPEN_WINDOWS) windows are open per instance; past that,
///   a different refusal is recorded but not coalesced. Refusals that differ (another action
///   name, another actor id) are different records: their number is not bounded, only each
///   one's size. The log stays append-only and replays to the same snapshot (refusal records
///   change nothing but the version).
/// - **Races.** A refusal record whose write loses a race with another writer is retried
///   against the reloaded instance ([`REFUSAL_WRITE_ATTEMPTS`] in all), then kept and written
///   with the next write on that instance or by [`Engine::flush_refusals`];
///   [`Engine::pending_refusals`] reports how many records wait. Nothing is dropped silently.
///
/// Counts not yet written live in the engine's memory: a host calls
/// [`Engine::flush_refusals`] on its scheduler tick and before shutting down. A crash loses at
/// most the counts of windows still open (each window's first refusal is already recorded).
pub struct Engine<S: Store> {
    store: S,
    definitions: Definitions,
    notifier: Arc<dyn Notifier>,
    policy: Policy,
    refusals: RefusalLog,
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
            refusals: RefusalLog::default(),
        }
    }

    /// How far before an instance's last event a command's or due time's `now` may be and
    /// still be accepted (default zero; a negative value counts as zero).
    ///
    /// Time only moves forward per instance: the pure core refuses a `now` earlier than the
    /// instance's last event ([`Rejection::TimeWentBackwards`]). A host whose commands come
    /// from several nodes with slightly different clocks sets a tolerance a little above
    /// their skew; a `now` within it is **recorded at the last event's instant** (so the
    /// history itself never goes backwards), and one further back is refused. The
    /// alternative is to take `now` from one clock for every node, such as the database's.
    #[must_use]
    pub fn clock_tolerance(mut self, tolerance: TimeDelta) -> Self {
        self.policy.clock_tolerance = tolerance.max(TimeDelta::zero());
        self
    }

    /// Use `limits` for commands and new instances' data (default: [`CommandLimits::default`]).
    #[must_use]
    pub fn with_limits(mut self, limits: CommandLimits) -> Self {
        self.policy.limits = limits;
        self
    }

    /// The limits commands are checked against.
    pub fn limits(&self) -> &CommandLimits {
        &self.policy.limits
    }

    /// Coalesce identical refusals within `window` after the first (default
    /// [`DEFAULT_REFUSAL_WINDOW`](crate::DEFAULT_REFUSAL_WINDOW); zero or negative: record
    /// every refusal). See [refusal records](Engine#refusal-records).
    #[must_use]
    pub fn refusal_window(mut self, window: TimeDelta) -> Self {
        self.policy.refusal_window = window;
        self
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

    /// The chain head `base` links its next event to ([`step::head`]): its own, or for a
    /// snapshot stored before the chain existed, the hash of its last stored event.
    fn head_of(&self, base: Option<&Instance>) -> Result<Digest, EngineError> {
        match step::head(base) {
            step::Head::Known(head) => Ok(head),
            step::Head::Read { instance, after } => Ok(step::head_from(
                self.store.chained_events(instance, after)?.pop(),
            )),
        }
    }

    /// Link `pending` after `base` (the snapshot it was decided on; `None` for a new
    /// instance), commit, notify.
    fn write(&self, pending: Pending, base: Option<&Instance>) -> Result<Outcome, EngineError> {
        let commit = step::link(pending, base, self.head_of(base)?, &self.policy);
        let outcome = step::accepted(&commit);
        self.store.commit(commit)?;
        if !self.policy.outbox {
            self.notifier.notify(&outcome.instance, &outcome.events);
        }
        Ok(outcome)
    }

    /// Start an instance of the latest version of `definition`, without a region (any actor
    /// may act on it): [`start_in`](Self::start_in) with `None`.
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
        self.start_in(definition, id, None, actor, data, now)
    }

    /// Start an instance of the latest version of `definition` in `region` (recorded in its
    /// `Created` event): from then on only actors of that region and actors acting through a
    /// region-wide role act on it (see [Regions](crate::Actor#regions)); the same rule
    /// applies to starting it.
    ///
    /// # Errors
    /// [`EngineError::UnknownDefinition`], [`EngineError::Rejected`] (`Forbidden`,
    /// `OutOfRegion`, ...), [`EngineError::Conflict`] when the id is taken, or a store error.
    pub fn start_in(
        &self,
        definition: impl Into<Name>,
        id: impl Into<InstanceId>,
        region: Option<Region>,
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
            let pending = step::start(def, (id, region), actor, data, now, &self.policy)?;
            self.write(pending, None)
        });
        span.outcome(&result);
        result
    }

    /// Start an instance of version `version` of `definition` (an older one still running
    /// beside the latest, say).
    ///
    /// # Errors
    /// As [`start`](Self::start); [`EngineError::UnknownDefinition`] names the version.
    pub fn start_version(
        &self,
        definition: impl Into<Name>,
        version: u32,
        id: impl Into<InstanceId>,
        actor: &Actor,
        data: Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        let (definition, id) = (definition.into(), id.into());
        let span = Span::command("start", &id, None);
        span.definition(definition);
        let result = span.in_scope(|| {
            let def = self.definitions.get(definition, version).ok_or(
                EngineError::UnknownDefinition {
                    definition,
                    version: Some(version),
                },
            )?;
            self.write(
                step::start(def, (id, None), actor, data, now, &self.policy)?,
                None,
            )
        });
        span.outcome(&result);
        result
    }

    /// Version `version` of definition `id`, if registered.
    pub fn definition_version(
        &self,
        id: impl Into<Name>,
        version: u32,
    ) -> Option<&Arc<Definition>> {
        self.definitions.get(id.into(), version)
    }

    /// The registered versions of definition `id`, oldest first.
    pub fn versions(&self, id: impl Into<Name>) -> Vec<u32> {
        self.definitions.versions(id.into())
    }

    /// Dry run of `plan` over every instance of its definition in the store at `now`:
    /// what would change per instance, and which cannot be migrated and why. Writes nothing.
    ///
    /// # Errors
    /// A definition of the plan is not registered (or another spec is), or a store error.
    pub fn dry_run(&self, plan: &MigrationPlan, now: DateTime<Utc>) -> Result<DryRun, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let mut instances = Vec::new();
        for id in self.store.list(plan.from().id().as_str())? {
            instances.push(self.load(&id)?);
        }
        Ok(plan.dry_run(instances.iter().map(|i| &**i), now))
    }

    /// Migrate instance `id` under `plan`, by `by` at `now`: one
    /// [`Migrated`](crate::EventKind::Migrated) event, linked into the instance's hash chain
    /// and committed alone.
    ///
    /// # Errors
    /// [`EngineError::Migration`] with the reason ([`Unmigratable`](crate::migration::Unmigratable), e.g. already migrated,
    /// a state marked "no instances expected", data failing the target's forms); as
    /// [`dry_run`](Self::dry_run); [`EngineError::Conflict`] when another writer was first.
    pub fn migrate(
        &self,
        plan: &MigrationPlan,
        id: &InstanceId,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let inst = self.load(id)?;
        let pending =
            step::migrate(plan, &inst, by, now).map_err(|r| step::migration_refused(id, r))?;
        self.write(pending, Some(&inst))
    }

    /// Migrate every open instance of the plan's source version, one commit per instance.
    /// Idempotent and resumable: an instance is migrated entirely or not at all, so after a
    /// crash (or an error, which stops the run) a second run migrates the rest and skips
    /// those on the target version already; a run with nothing left writes nothing.
    /// Instances that cannot be migrated are reported (nothing is written for them) and the
    /// run goes on.
    ///
    /// # Errors
    /// As [`dry_run`](Self::dry_run); a store error or a write conflict (another writer
    /// changed an instance meanwhile) stops the run: run it again.
    pub fn migrate_all(
        &self,
        plan: &MigrationPlan,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<BatchReport, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let mut report = BatchReport::default();
        for id in self.store.list(plan.from().id().as_str())? {
            let inst = self.load(&id)?;
            match step::migrate(plan, &inst, by, now) {
                Ok(pending) => {
                    self.write(pending, Some(&inst))?;
                    report.migrated.push(id);
                }
                Err(why) => step::tally(&mut report, id, why),
            }
        }
        Ok(report)
    }

    /// Load, decide and commit `cmd` on instance `id`.
    ///
    /// A retried command with a known idempotency key returns the original events with
    /// `replayed: true` and appends nothing; the same key with a different command is
    /// [`EngineError::KeyReused`].
    ///
    /// The command is first checked against the engine's [limits](Engine#limits); refusals
    /// are recorded as described in [refusal records](Engine#refusal-records).
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
        match step::fire(&self.definitions, &inst, known, cmd, now, &self.policy)? {
            Fire::Replay(record) => {
                let events = self.store.events(id, record.first_seq.saturating_sub(1))?;
                Ok(step::replayed(inst, events, &record))
            }
            Fire::Write(pending) => {
                let out = self.write(pending, Some(&inst))?;
                // The counts of refusals before this accepted command are written now: a
                // failure keeps them for the next write (the command itself stands).
                let records = self.refusals.take(id, now, true);
                let _ = self.write_refusals(id, out.instance.clone(), records, now);
                Ok(out)
            }
            Fire::Refuse(rejection) => {
                let records =
                    step::refusal_records(&self.refusals, id, cmd, &rejection, now, &self.policy);
                self.write_refusals(id, inst, records, now)?;
                Err(EngineError::Rejected {
                    instance: id.clone(),
                    rejection,
                })
            }
        }
    }

    /// Append `records` to `id`, starting from `inst`; on a race, reload and try again
    /// ([`REFUSAL_WRITE_ATTEMPTS`] in all). Records not written are kept for the next write.
    /// (The I/O loop around [`step::refusal_commit`]; `AsyncEngine` awaits the same steps.)
    fn write_refusals(
        &self,
        id: &InstanceId,
        mut inst: Arc<Instance>,
        records: Vec<Record>,
        now: DateTime<Utc>,
    ) -> Result<(), EngineError> {
        if records.is_empty() {
            return Ok(());
        }
        for _ in 0..REFUSAL_WRITE_ATTEMPTS {
            let pending = match step::refusal_commit(&inst, &records, now) {
                Ok(Some(pending)) => pending,
                // A snapshot at the maximum version cannot take another event: the refusals
                // stand unrecorded.
                Ok(None) => return Ok(()),
                Err(e) => {
                    self.refusals.restore(id, records);
                    return Err(e);
                }
            };
            let failed = match self.write(pending, Some(&inst)) {
                Ok(_) => return Ok(()),
                Err(EngineError::Conflict { .. }) => match self.load(id) {
                    Ok(fresh) => {
                        inst = fresh;
                        continue;
                    }
                    Err(e) => e,
                },
                Err(e) => e,
            };
            self.refusals.restore(id, records);
            return Err(failed);
        }
        self.refusals.restore(id, records);
        Ok(())
    }

    /// Write every refusal record the engine holds: the counts of coalesced refusals (windows
    /// open or closed) and records kept after losing write races. Call it on the scheduler
    /// tick and before shutting down (see [refusal records](Engine#refusal-records)). Returns
    /// the records still waiting ([`Engine::pending_refusals`]), 0 unless writes keep racing.
    ///
    /// # Errors
    /// A store error (the records concerned are kept for the next call).
    pub fn flush_refusals(&self, now: DateTime<Utc>) -> Result<usize, EngineError> {
        for id in self.refusals.instances() {
            let records = self.refusals.take(&id, now, true);
            if records.is_empty() {
                continue;
            }
            match self.load(&id) {
                Ok(inst) => self.write_refusals(&id, inst, records, now)?,
                Err(e) => {
                    self.refusals.restore(&id, records);
                    return Err(e);
                }
            }
        }
        Ok(self.refusals.pending())
    }

    /// Refusal records the engine holds but has not written yet: summaries of coalesced
    /// refusals, and records kept after losing write races.
    pub fn pending_refusals(&self) -> usize {
        self.refusals.pending()
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

    /// Prove the stored history of `id` is intact and its snapshot is its end: the hash
    /// chain verifies from the first event, each event against the hash recorded with it
    /// ([`verify_chained`](crate::verify_chained)); the snapshot's version and chain head are
    /// those of the last event ([`check_snapshot`](crate::check_snapshot)); and the snapshot
    /// equals the replay of the events. Events written before the chain existed (formats 1
    /// and 2) are checked by the replay only. What this does and does not prove: the `chain`
    /// room's documentation (`verify_events`).
    ///
    /// # Errors
    /// [`EngineError::Chain`] naming the first event that does not match,
    /// [`EngineError::Corrupt`] when the replay differs, [`EngineError::NotFound`], or a
    /// store error.
    pub fn verify(&self, id: &InstanceId) -> Result<(), EngineError> {
        let inst = self.load(id)?;
        step::verify(&inst, self.store.chained_events(id, 0)?)
    }

    /// The store's [`ChainAnchor`] now: every instance's chain head and one digest over them. Keep
    /// it (and sign its digest) where the store's writers cannot reach, and check the store
    /// against it later with [`check_anchor`](Self::check_anchor).
    ///
    /// # Errors
    /// A store error.
    pub fn anchor(&self) -> Result<ChainAnchor, EngineError> {
        Ok(ChainAnchor::new(self.store.chain_heads()?))
    }

    /// Check the store against an anchor taken earlier: the anchor's digest, then for each
    /// anchored instance (in id order) that it is still there, that its history reaches the
    /// anchored event with the anchored hash, and [`verify`](Self::verify). Instances created
    /// after the anchor are not checked here (verify them on their own).
    ///
    /// # Errors
    /// [`EngineError::Anchor`] (a changed anchor; an instance deleted, truncated or rewritten
    /// up to the anchored event), [`EngineError::Chain`] or [`EngineError::Corrupt`] from
    /// the verification, or a store error; the first found.
    pub fn check_anchor(&self, anchor: &ChainAnchor) -> Result<(), EngineError> {
        anchor.check_digest()?;
        for head in anchor.heads() {
            let history = self.store.chained_events(&head.instance, 0)?;
            anchor.check_history(&head.instance, &history)?;
            self.verify(&head.instance)?;
        }
        Ok(())
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
        match step::due(def, &inst, now, &self.policy) {
            Due::Nothing => {}
            Due::Failed(rejection) => report.failed.push((id, rejection)),
            Due::Write(pending) => match self.write(pending, Some(&inst)) {
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
