//! [`AsyncEngine`]: the engine for async hosts (feature `async`), over an [`AsyncStore`].
//! Same semantics as [`Engine`](super::Engine) — the logic is the shared sans-I/O core in
//! `step.rs`; only the loads and commits are awaited. It chooses no runtime.

use super::step::{self, Definitions, Due, Fire, Pending, Policy};
use super::trace::Span;
use super::{
    DeliveryReport, DueReport, EngineError, NoopNotifier, Notifier, Outcome, REFUSAL_WRITE_ATTEMPTS,
};
use crate::access::Actor;
use crate::chain::ChainAnchor;
use crate::command::Command;
use crate::decide::{self, Availability};
use crate::definition::Definition;
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::{InstanceId, Name, Region};
use crate::instance::Instance;
use crate::limits::CommandLimits;
use crate::migration::{BatchReport, DryRun, MigrationPlan};
use crate::refusals::{Record, RefusalLog};
use crate::sla::{Period, SlaReport};
use crate::store::{AsyncStore, Lease, OutboxMessage, StoreError};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::future::Future;
use std::sync::Arc;

/// Receives outbox messages in an async host (the async [`OutboxSink`](super::OutboxSink)):
/// at least once, from any node, with the stable [`OutboxMessage::key`]; `Err` leaves the
/// message for a later delivery.
pub trait AsyncOutboxSink: Send + Sync {
    /// Deliver `message`, announcing `events`.
    fn deliver(
        &self,
        message: &OutboxMessage,
        events: &[Event],
    ) -> impl Future<Output = Result<(), String>> + Send;
}

/// Runs definitions against an [`AsyncStore`]: [`Engine`](super::Engine)'s methods, each
/// returning a `Send` future, with the same semantics (idempotency keys, refusals recorded,
/// optimistic concurrency, due handling with leases, the outbox).
///
/// Limits and refusal records work as in [`Engine`](super::Engine#limits) (the same checks,
/// the same bounded, coalesced records); call [`flush_refusals`](Self::flush_refusals) on the
/// scheduler tick and before shutting down.
pub struct AsyncEngine<S: AsyncStore> {
    store: S,
    definitions: Definitions,
    notifier: Arc<dyn Notifier>,
    policy: Policy,
    refusals: RefusalLog,
}

impl<S: AsyncStore + std::fmt::Debug> std::fmt::Debug for AsyncEngine<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncEngine")
            .field("store", &self.store)
            .field("definitions", &self.definitions.ids())
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<S: AsyncStore> AsyncEngine<S> {
    /// An engine over `store`, recording rejected attempts, with no notifier and no outbox.
    pub fn new(store: S) -> Self {
        AsyncEngine {
            store,
            definitions: Definitions::default(),
            notifier: Arc::new(NoopNotifier),
            policy: Policy::default(),
            refusals: RefusalLog::default(),
        }
    }

    /// Use `limits` for commands and new instances' data
    /// ([`Engine::with_limits`](super::Engine::with_limits)).
    #[must_use]
    pub fn with_limits(mut self, limits: CommandLimits) -> Self {
        self.policy.limits = limits;
        self
    }

    /// The limits commands are checked against.
    pub fn limits(&self) -> &CommandLimits {
        &self.policy.limits
    }

    /// How far before an instance's last event `now` may be and still be accepted
    /// ([`Engine::clock_tolerance`](super::Engine::clock_tolerance)).
    #[must_use]
    pub fn clock_tolerance(mut self, tolerance: TimeDelta) -> Self {
        self.policy.clock_tolerance = tolerance.max(TimeDelta::zero());
        self
    }

    /// Coalesce identical refusals within `window` after the first
    /// ([`Engine::refusal_window`](super::Engine::refusal_window)).
    #[must_use]
    pub fn refusal_window(mut self, window: TimeDelta) -> Self {
        self.policy.refusal_window = window;
        self
    }

    /// Use `notifier` for committed events (called after each commit; not with the outbox).
    #[must_use]
    pub fn with_notifier(mut self, notifier: impl Notifier + 'static) -> Self {
        self.notifier = Arc::new(notifier);
        self
    }

    /// Whether refused commands are recorded as `rejected` events (default: yes).
    #[must_use]
    pub fn record_rejections(mut self, yes: bool) -> Self {
        self.policy.record_rejections = yes;
        self
    }

    /// Whether every commit records an outbox message (default: no); see
    /// [`Engine::with_outbox`](super::Engine::with_outbox).
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

    /// [`Engine`](super::Engine)'s chain head lookup, awaited.
    async fn head_of(&self, base: Option<&Instance>) -> Result<Digest, EngineError> {
        match step::head(base) {
            step::Head::Known(head) => Ok(head),
            step::Head::Read { instance, after } => Ok(step::head_from(
                self.store.chained_events(instance, after).await?.pop(),
            )),
        }
    }

    async fn write(
        &self,
        pending: Pending,
        base: Option<&Instance>,
    ) -> Result<Outcome, EngineError> {
        let commit = step::link(pending, base, self.head_of(base).await?, &self.policy);
        let outcome = step::accepted(&commit);
        self.store.commit(commit).await?;
        if !self.policy.outbox {
            self.notifier.notify(&outcome.instance, &outcome.events);
        }
        Ok(outcome)
    }

    /// Start an instance of the latest version of `definition`
    /// ([`Engine::start`](super::Engine::start)).
    ///
    /// # Errors
    /// As [`Engine::start`](super::Engine::start).
    pub async fn start(
        &self,
        definition: impl Into<Name>,
        id: impl Into<InstanceId>,
        actor: &Actor,
        data: Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        self.start_in(definition, id, None, actor, data, now).await
    }

    /// Start an instance of the latest version of `definition` in `region`
    /// ([`Engine::start_in`](super::Engine::start_in)).
    ///
    /// # Errors
    /// As [`Engine::start_in`](super::Engine::start_in).
    pub async fn start_in(
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
        let result = span
            .instrument(async {
                let def =
                    self.definitions
                        .latest(definition)
                        .ok_or(EngineError::UnknownDefinition {
                            definition,
                            version: None,
                        })?;
                let pending = step::start(def, (id, region), actor, data, now, &self.policy)?;
                self.write(pending, None).await
            })
            .await;
        span.outcome(&result);
        result
    }

    /// Start an instance of version `version` of `definition`
    /// ([`Engine::start_version`](super::Engine::start_version)).
    ///
    /// # Errors
    /// As [`Engine::start_version`](super::Engine::start_version).
    pub async fn start_version(
        &self,
        definition: impl Into<Name>,
        version: u32,
        id: impl Into<InstanceId>,
        actor: &Actor,
        data: Value,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        let definition = definition.into();
        let def =
            self.definitions
                .get(definition, version)
                .ok_or(EngineError::UnknownDefinition {
                    definition,
                    version: Some(version),
                })?;
        let pending = step::start(def, (id.into(), None), actor, data, now, &self.policy)?;
        self.write(pending, None).await
    }

    /// The registered versions of definition `id`, oldest first.
    pub fn versions(&self, id: impl Into<Name>) -> Vec<u32> {
        self.definitions.versions(id.into())
    }

    /// Dry run of `plan` over the store ([`Engine::dry_run`](super::Engine::dry_run)).
    ///
    /// # Errors
    /// As [`Engine::dry_run`](super::Engine::dry_run).
    pub async fn dry_run(
        &self,
        plan: &MigrationPlan,
        now: DateTime<Utc>,
    ) -> Result<DryRun, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let mut instances = Vec::new();
        for id in self.store.list(plan.from().id().as_str()).await? {
            instances.push(self.load(&id).await?);
        }
        Ok(plan.dry_run(instances.iter().map(|i| &**i), now))
    }

    /// Migrate one instance ([`Engine::migrate`](super::Engine::migrate)).
    ///
    /// # Errors
    /// As [`Engine::migrate`](super::Engine::migrate).
    pub async fn migrate(
        &self,
        plan: &MigrationPlan,
        id: &InstanceId,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let inst = self.load(id).await?;
        let pending =
            step::migrate(plan, &inst, by, now).map_err(|r| step::migration_refused(id, r))?;
        self.write(pending, Some(&inst)).await
    }

    /// Migrate every instance of the plan's source version, one commit each
    /// ([`Engine::migrate_all`](super::Engine::migrate_all)).
    ///
    /// # Errors
    /// As [`Engine::migrate_all`](super::Engine::migrate_all).
    pub async fn migrate_all(
        &self,
        plan: &MigrationPlan,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<BatchReport, EngineError> {
        step::check_plan(&self.definitions, plan)?;
        let mut report = BatchReport::default();
        for id in self.store.list(plan.from().id().as_str()).await? {
            let inst = self.load(&id).await?;
            match step::migrate(plan, &inst, by, now) {
                Ok(pending) => {
                    self.write(pending, Some(&inst)).await?;
                    report.migrated.push(id);
                }
                Err(why) => step::tally(&mut report, id, why),
            }
        }
        Ok(report)
    }

    /// Load, decide and commit `cmd` on `id` ([`Engine::fire`](super::Engine::fire)).
    ///
    /// # Errors
    /// As [`Engine::fire`](super::Engine::fire).
    pub async fn fire(
        &self,
        id: &InstanceId,
        cmd: &Command,
        now: DateTime<Utc>,
    ) -> Result<Outcome, EngineError> {
        let span = Span::command("fire", id, cmd.intent.action());
        let result = span.instrument(self.fire_in(id, cmd, now, &span)).await;
        span.outcome(&result);
        result
    }

    async fn fire_in(
        &self,
        id: &InstanceId,
        cmd: &Command,
        now: DateTime<Utc>,
        span: &Span,
    ) -> Result<Outcome, EngineError> {
        let inst = self.load(id).await?;
        span.definition(inst.definition());
        let known = match &cmd.idempotency_key {
            Some(key) => self.store.idempotency(id, key).await?,
            None => None,
        };
        match step::fire(&self.definitions, &inst, known, cmd, now, &self.policy)? {
            Fire::Replay(record) => {
                let events = self
                    .store
                    .events(id, record.first_seq.saturating_sub(1))
                    .await?;
                Ok(step::replayed(inst, events, &record))
            }
            Fire::Write(pending) => {
                let out = self.write(pending, Some(&inst)).await?;
                // The counts of refusals before this accepted command are written now: a
                // failure keeps them for the next write (the command itself stands).
                let records = self.refusals.take(id, now, true);
                let _ = self
                    .write_refusals(id, out.instance.clone(), records, now)
                    .await;
                Ok(out)
            }
            Fire::Refuse(rejection) => {
                let records =
                    step::refusal_records(&self.refusals, id, cmd, &rejection, now, &self.policy);
                self.write_refusals(id, inst, records, now).await?;
                Err(EngineError::Rejected {
                    instance: id.clone(),
                    rejection,
                })
            }
        }
    }

    /// [`Engine`](super::Engine)'s refusal write loop, awaited: append `records`, reloading
    /// and retrying on a race ([`REFUSAL_WRITE_ATTEMPTS`] in all); records not written are
    /// kept for the next write.
    async fn write_refusals(
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
                Ok(None) => return Ok(()),
                Err(e) => {
                    self.refusals.restore(id, records);
                    return Err(e);
                }
            };
            let failed = match self.write(pending, Some(&inst)).await {
                Ok(_) => return Ok(()),
                Err(EngineError::Conflict { .. }) => match self.load(id).await {
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

    /// Write every refusal record the engine holds
    /// ([`Engine::flush_refusals`](super::Engine::flush_refusals)); returns the records still
    /// waiting.
    ///
    /// # Errors
    /// A store error (the records concerned are kept for the next call).
    pub async fn flush_refusals(&self, now: DateTime<Utc>) -> Result<usize, EngineError> {
        for id in self.refusals.instances() {
            let records = self.refusals.take(&id, now, true);
            if records.is_empty() {
                continue;
            }
            match self.load(&id).await {
                Ok(inst) => self.write_refusals(&id, inst, records, now).await?,
                Err(e) => {
                    self.refusals.restore(&id, records);
                    return Err(e);
                }
            }
        }
        Ok(self.refusals.pending())
    }

    /// Refusal records held but not written yet.
    pub fn pending_refusals(&self) -> usize {
        self.refusals.pending()
    }

    /// The latest snapshot of `id`.
    ///
    /// # Errors
    /// [`EngineError::NotFound`] or a store error.
    pub async fn load(&self, id: &InstanceId) -> Result<Arc<Instance>, EngineError> {
        self.store
            .load(id)
            .await?
            .ok_or_else(|| EngineError::NotFound {
                instance: id.clone(),
            })
    }

    /// The whole history of `id`.
    ///
    /// # Errors
    /// A store error.
    pub async fn history(&self, id: &InstanceId) -> Result<Vec<Event>, EngineError> {
        Ok(self.store.events(id, 0).await?)
    }

    /// Prove the stored snapshot of `id` equals the replay of its stored events.
    ///
    /// # Errors
    /// [`EngineError::Corrupt`], [`EngineError::NotFound`], or a store error.
    ///
    /// The hash chain included, as [`Engine::verify`](super::Engine::verify).
    pub async fn verify(&self, id: &InstanceId) -> Result<(), EngineError> {
        let inst = self.load(id).await?;
        step::verify(&inst, self.store.chained_events(id, 0).await?)
    }

    /// The store's [`ChainAnchor`] now ([`Engine::anchor`](super::Engine::anchor)).
    ///
    /// # Errors
    /// A store error.
    pub async fn anchor(&self) -> Result<ChainAnchor, EngineError> {
        Ok(ChainAnchor::new(self.store.chain_heads().await?))
    }

    /// Check the store against an anchor taken earlier
    /// ([`Engine::check_anchor`](super::Engine::check_anchor)).
    ///
    /// # Errors
    /// As [`Engine::check_anchor`](super::Engine::check_anchor).
    pub async fn check_anchor(&self, anchor: &ChainAnchor) -> Result<(), EngineError> {
        anchor.check_digest()?;
        for head in anchor.heads() {
            let history = self.store.chained_events(&head.instance, 0).await?;
            anchor.check_history(&head.instance, &history)?;
            self.verify(&head.instance).await?;
        }
        Ok(())
    }

    /// What `actor` may do on `id` now, and why not the rest.
    ///
    /// # Errors
    /// [`EngineError::NotFound`], [`EngineError::UnknownDefinition`] or a store error.
    pub async fn available_actions(
        &self,
        id: &InstanceId,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<Availability>, EngineError> {
        let inst = self.load(id).await?;
        let def = self.definitions.of(&inst)?;
        Ok(decide::available_actions(def, &inst, actor, now))
    }

    /// The earliest instant at which some deadline needs handling.
    ///
    /// # Errors
    /// A store error.
    pub async fn next_due(&self) -> Result<Option<DateTime<Utc>>, EngineError> {
        Ok(self.store.next_due().await?.map(|(t, _)| t))
    }

    /// Handle every deadline due at `now` ([`Engine::handle_due`](super::Engine::handle_due)),
    /// for a single scheduler; several use [`run_due`](Self::run_due).
    ///
    /// # Errors
    /// A store error.
    pub async fn handle_due(&self, now: DateTime<Utc>) -> Result<DueReport, EngineError> {
        let span = Span::run("due", None);
        let result = span
            .instrument(async {
                let mut report = DueReport::default();
                for id in self.store.due(now, usize::MAX).await? {
                    self.handle_due_of(id, now, &mut report).await?;
                }
                Ok(report)
            })
            .await;
        due_outcome(&span, &result);
        result
    }

    async fn handle_due_of(
        &self,
        id: InstanceId,
        now: DateTime<Utc>,
        report: &mut DueReport,
    ) -> Result<(), EngineError> {
        let Some(inst) = self.store.load(&id).await? else {
            return Ok(());
        };
        let Ok(def) = self.definitions.of(&inst) else {
            let (d, v) = (inst.definition(), inst.definition_version());
            report.unregistered.push((id, d, v));
            return Ok(());
        };
        match step::due(def, &inst, now, &self.policy) {
            Due::Nothing => {}
            Due::Failed(rejection) => report.failed.push((id, rejection)),
            Due::Write(pending) => match self.write(pending, Some(&inst)).await {
                Ok(out) => report.handled.push((id, out.events)),
                Err(EngineError::Conflict { .. }) => report.conflicts.push(id),
                Err(e) => return Err(e),
            },
        }
        Ok(())
    }

    /// Handle deadlines due at `now` on instances claimed for `lease`
    /// ([`Engine::run_due`](super::Engine::run_due)).
    ///
    /// # Errors
    /// A store error.
    pub async fn run_due(
        &self,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DueReport, EngineError> {
        let span = Span::run("due", Some(&lease.claimant));
        let result = span
            .instrument(async {
                let mut report = DueReport::default();
                let mut failure = None;
                for id in self.store.claim_due(now, limit, lease).await? {
                    if failure.is_none() {
                        if let Err(e) = self.handle_due_of(id.clone(), now, &mut report).await {
                            failure = Some(e);
                        }
                    }
                    self.store.release_due(&id, &lease.claimant).await?;
                }
                match failure {
                    Some(e) => Err(e),
                    None => Ok(report),
                }
            })
            .await;
        due_outcome(&span, &result);
        result
    }

    /// Deliver up to `limit` outbox messages claimed for `lease` to `sink`
    /// ([`Engine::deliver_outbox`](super::Engine::deliver_outbox)).
    ///
    /// # Errors
    /// A store error.
    pub async fn deliver_outbox(
        &self,
        sink: &impl AsyncOutboxSink,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DeliveryReport, EngineError> {
        let span = Span::run("outbox", Some(&lease.claimant));
        let result = span
            .instrument(self.deliver_in(sink, now, lease, limit))
            .await;
        super::nodes::delivery_outcome(&span, &result);
        result
    }

    async fn deliver_in(
        &self,
        sink: &impl AsyncOutboxSink,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DeliveryReport, EngineError> {
        let mut report = DeliveryReport::default();
        for message in self.store.claim_outbox(now, limit, lease).await? {
            let events: Vec<Event> = self
                .store
                .events(&message.instance, message.first_seq.saturating_sub(1))
                .await?
                .into_iter()
                .take_while(|e| e.seq <= message.last_seq)
                .collect();
            let delivered = match step::message_events_complete(&message, &events) {
                Ok(()) => sink.deliver(&message, &events).await,
                Err(why) => Err(why),
            };
            match delivered {
                Ok(()) => {
                    self.store.ack_outbox(&message).await?;
                    report.delivered.push(message);
                }
                Err(why) => report.failed.push((message, why)),
            }
        }
        Ok(report)
    }

    /// SLA figures over every instance of every registered definition, as of `now`.
    ///
    /// # Errors
    /// A store error.
    pub async fn sla_report(&self, now: DateTime<Utc>) -> Result<SlaReport, EngineError> {
        let mut report = SlaReport::new();
        for (def, inst) in self.instances().await? {
            report.add(&def, &inst, now);
        }
        Ok(report)
    }

    /// SLA figures for one reporting period
    /// ([`Engine::sla_report_for`](super::Engine::sla_report_for)).
    ///
    /// # Errors
    /// A store error.
    pub async fn sla_report_for(&self, period: Period) -> Result<SlaReport, EngineError> {
        let mut report = SlaReport::new();
        for (def, inst) in self.instances().await? {
            report.add_in(&def, &inst, period);
        }
        Ok(report)
    }

    /// Every stored instance of a registered definition version, with its definition.
    async fn instances(&self) -> Result<Vec<(Arc<Definition>, Arc<Instance>)>, StoreError> {
        let mut out = Vec::new();
        for def_id in self.definitions.ids() {
            for id in self.store.list(&def_id).await? {
                if let Some(inst) = self.store.load(&id).await? {
                    if let Ok(def) = self.definitions.of(&inst) {
                        out.push((def.clone(), inst));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn due_outcome(span: &Span, result: &Result<DueReport, EngineError>) {
    super::nodes::due_outcome(span, result);
}
