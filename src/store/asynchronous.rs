//! The async storage seam: [`AsyncStore`], the same contract as [`Store`] with methods
//! returning futures, and [`SyncAsAsync`], which makes any [`Store`] an `AsyncStore`.
//!
//! The trait chooses no runtime: its futures are `Send` and need nothing but polling (a
//! store built on a driver may need that driver's runtime, as
//! [`PostgresStore`](crate::PostgresStore) needs tokio).

use super::{Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError};
use crate::chain::{ChainHead, ChainedEvent};
use crate::event::Event;
use crate::ids::InstanceId;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use std::future::Future;
use std::sync::Arc;

/// Durable state of instances, for async hosts: the contract of [`Store`] (atomic commits,
/// optimistic concurrency, well-formed commits only, append-only history, idempotency, the
/// due-index, listings, no clock, due leases, the transactional outbox), clause for clause,
/// with each method returning a `Send` future.
///
/// The suite `aftersales::testing::async_store_conformance` (feature `testing`) checks each
/// clause.
pub trait AsyncStore: Send + Sync {
    /// [`Store::commit`].
    fn commit(&self, commit: Commit) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// [`Store::load`].
    fn load(
        &self,
        id: &InstanceId,
    ) -> impl Future<Output = Result<Option<Arc<Instance>>, StoreError>> + Send;

    /// [`Store::events`].
    fn events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;

    /// [`Store::chained_events`].
    fn chained_events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<ChainedEvent>, StoreError>> + Send;

    /// [`Store::chain_heads`].
    fn chain_heads(&self) -> impl Future<Output = Result<Vec<ChainHead>, StoreError>> + Send;

    /// [`Store::idempotency`].
    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>> + Send;

    /// [`Store::list_by_state`].
    fn list_by_state(
        &self,
        definition: &str,
        state: &str,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send;

    /// [`Store::list`].
    fn list(
        &self,
        definition: &str,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send;

    /// [`Store::next_due`].
    fn next_due(
        &self,
    ) -> impl Future<Output = Result<Option<(DateTime<Utc>, InstanceId)>, StoreError>> + Send;

    /// [`Store::due`].
    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send;

    /// [`Store::claim_due`].
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send;

    /// [`Store::release_due`].
    fn release_due(
        &self,
        id: &InstanceId,
        claimant: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// [`Store::claim_outbox`].
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<OutboxMessage>, StoreError>> + Send;

    /// [`Store::ack_outbox`].
    fn ack_outbox(
        &self,
        message: &OutboxMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Any [`Store`] as an [`AsyncStore`]: each future runs the sync call when first polled and
/// is then ready.
///
/// The call blocks the polling thread while it runs: nothing for [`InMemoryStore`](crate::InMemoryStore)
/// (a mutex and memory), one local transaction for [`SqliteStore`](crate::SqliteStore). A
/// host whose sync store waits on a network should give it a thread of its own instead.
#[derive(Debug, Default, Clone)]
pub struct SyncAsAsync<S>(pub S);

impl<S: Store> AsyncStore for SyncAsAsync<S> {
    async fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        self.0.commit(commit)
    }

    async fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        self.0.load(id)
    }

    async fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.0.events(id, after)
    }

    async fn chained_events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> Result<Vec<ChainedEvent>, StoreError> {
        self.0.chained_events(id, after)
    }

    async fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.0.chain_heads()
    }

    async fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.0.idempotency(id, key)
    }

    async fn list_by_state(
        &self,
        definition: &str,
        state: &str,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.0.list_by_state(definition, state)
    }

    async fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.0.list(definition)
    }

    async fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        self.0.next_due()
    }

    async fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        self.0.due(now, limit)
    }

    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.0.claim_due(now, limit, lease)
    }

    async fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        self.0.release_due(id, claimant)
    }

    async fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.0.claim_outbox(now, limit, lease)
    }

    async fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        self.0.ack_outbox(message)
    }
}

/// A shared async store is an async store (an API handler and a scheduler hold one `Arc`
/// each).
impl<S: AsyncStore> AsyncStore for Arc<S> {
    fn commit(&self, commit: Commit) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).commit(commit)
    }

    fn load(
        &self,
        id: &InstanceId,
    ) -> impl Future<Output = Result<Option<Arc<Instance>>, StoreError>> + Send {
        (**self).load(id)
    }

    fn events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send {
        (**self).events(id, after)
    }

    fn chained_events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<ChainedEvent>, StoreError>> + Send {
        (**self).chained_events(id, after)
    }

    fn chain_heads(&self) -> impl Future<Output = Result<Vec<ChainHead>, StoreError>> + Send {
        (**self).chain_heads()
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> impl Future<Output = Result<Option<IdempotencyRecord>, StoreError>> + Send {
        (**self).idempotency(id, key)
    }

    fn list_by_state(
        &self,
        definition: &str,
        state: &str,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send {
        (**self).list_by_state(definition, state)
    }

    fn list(
        &self,
        definition: &str,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send {
        (**self).list(definition)
    }

    fn next_due(
        &self,
    ) -> impl Future<Output = Result<Option<(DateTime<Utc>, InstanceId)>, StoreError>> + Send {
        (**self).next_due()
    }

    fn due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send {
        (**self).due(now, limit)
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<InstanceId>, StoreError>> + Send {
        (**self).claim_due(now, limit, lease)
    }

    fn release_due(
        &self,
        id: &InstanceId,
        claimant: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).release_due(id, claimant)
    }

    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> impl Future<Output = Result<Vec<OutboxMessage>, StoreError>> + Send {
        (**self).claim_outbox(now, limit, lease)
    }

    fn ack_outbox(
        &self,
        message: &OutboxMessage,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).ack_outbox(message)
    }
}
