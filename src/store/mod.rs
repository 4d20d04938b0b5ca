//! The storage seam: the [`Store`] trait, its written contract, and [`InMemoryStore`], the
//! reference implementation. Hosts implement `Store` for their database and prove it with
//! the public conformance suite (`aftersales::testing`, feature `testing`).

#[cfg(feature = "async")]
mod asynchronous;
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "sqlite")]
mod sqlite;

#[cfg(feature = "async")]
pub use asynchronous::{AsyncStore, SyncAsAsync};
#[cfg(feature = "postgres")]
pub use postgres::{BlockingPostgresStore, PostgresOpenError, PostgresOptions, PostgresStore};

pub use memory::InMemoryStore;
#[cfg(feature = "sqlite")]
pub use sqlite::{SqliteOpenError, SqliteOptions, SqliteStore, Synchronous};

use crate::chain::{ChainHead, ChainedEvent, link_events};
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::InstanceId;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The record of an accepted command's idempotency key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IdempotencyRecord {
    /// The key.
    pub key: String,
    /// [`Command::fingerprint`](crate::Command::fingerprint) of the command that used it.
    pub fingerprint: u64,
    /// First event the command appended.
    pub first_seq: u64,
    /// Last event the command appended.
    pub last_seq: u64,
}

/// One atomic write: events appended to an instance, with its new snapshot. A store takes
/// it by value (it keeps the shared snapshot and the events without copying them).
///
/// Build one with [`Commit::linked`], which links the events into the instance's hash chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Commit {
    /// The snapshot after the events (its `version()` is the last event's `seq`, its
    /// [`chain_head`](Instance::chain_head) the last event's hash), shared: the store keeps
    /// this very snapshot and hands it out on [`Store::load`].
    pub instance: Arc<Instance>,
    /// The events, numbered `expected_version + 1 ..`, linked: each `prev` is the hash of
    /// the event before it.
    pub events: Vec<Event>,
    /// The hash of each event ([`Event::hash`]), in the same order, computed once by the
    /// linker; the store keeps each with its event.
    pub hashes: Vec<Digest>,
    /// The version the writer read (0: the instance must not exist yet).
    pub expected_version: u64,
    /// The key of the command, to remember.
    pub idempotency: Option<IdempotencyRecord>,
    /// Write an [`OutboxMessage`] for these events in the same transaction (contract clause
    /// 10), to be delivered at least once after the commit by any node.
    pub outbox: bool,
}

/// A lease: who holds a piece of shared work (a due instance, an outbox message) and until
/// when. A lease is live while `until > now`; once expired, any claimant may take the work
/// over (the holder crashed or stalled).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct Lease {
    /// Who holds it (a node or scheduler name, unique per process).
    pub claimant: String,
    /// When it expires.
    pub until: DateTime<Utc>,
}

impl Lease {
    /// A lease held by `claimant` until `until`.
    pub fn new(claimant: impl Into<String>, until: DateTime<Utc>) -> Self {
        Lease {
            claimant: claimant.into(),
            until,
        }
    }

    /// Whether the lease still holds at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.until > now
    }
}

/// A notification recorded in the same transaction as the events it announces (the
/// transactional outbox): the events `first_seq ..= last_seq` of `instance`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct OutboxMessage {
    /// The instance.
    pub instance: InstanceId,
    /// The first event announced.
    pub first_seq: u64,
    /// The last event announced.
    pub last_seq: u64,
}

impl OutboxMessage {
    /// The message announcing the events of `commit` (`None` for a commit with no events).
    pub fn of(commit: &Commit) -> Option<Self> {
        Some(OutboxMessage {
            instance: commit.instance.id().clone(),
            first_seq: commit.events.first()?.seq,
            last_seq: commit.events.last()?.seq,
        })
    }

    /// The stable deduplication key, `"<instance>@<first_seq>"`: the same on every delivery
    /// of this message by any node, different for every other message (an event number
    /// belongs to exactly one commit). A host hands it to its receiver to drop repeats.
    pub fn key(&self) -> String {
        format!("{}@{}", self.instance, self.first_seq)
    }
}

/// The source of a [`StoreError::Backend`]: the driver's own error, shared so the error
/// stays `Clone`.
pub type BackendSource = Arc<dyn std::error::Error + Send + Sync + 'static>;

impl Commit {
    /// Link `events` (fresh from [`decide`](crate::decide), [`start`](crate::start) or
    /// [`handle_due`](crate::handle_due), unlinked) after `prev` — the chain head of the
    /// snapshot the decision was made on ([`Instance::chain_head`]), [`Digest::ZERO`] for a
    /// new instance — and build the commit; `instance` (the decision's snapshot) records the
    /// new chain head. This is where events are hashed, once each.
    pub fn linked(
        instance: Instance,
        mut events: Vec<Event>,
        prev: Digest,
        expected_version: u64,
        idempotency: Option<IdempotencyRecord>,
    ) -> Commit {
        let mut instance = instance;
        let hashes = link_events(prev, &mut events);
        if let Some(head) = hashes.last() {
            instance.set_chain_head(*head);
        }
        Commit {
            instance: Arc::new(instance),
            events,
            hashes,
            expected_version,
            idempotency,
            outbox: false,
        }
    }
}

/// Why a store refused or failed.
#[derive(Clone, Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Optimistic concurrency: the instance is at `actual`, not `expected`. Nothing written.
    #[error("`{instance}` is at version {actual}, the writer expected {expected}")]
    Conflict {
        /// The instance.
        instance: InstanceId,
        /// The version the writer read.
        expected: u64,
        /// The stored version.
        actual: u64,
    },
    /// An idempotency key already recorded for this instance. Nothing written.
    #[error("`{instance}` already recorded the idempotency key `{key}`")]
    DuplicateKey {
        /// The instance.
        instance: InstanceId,
        /// The key.
        key: String,
    },
    /// The commit is malformed (events not numbered after the expected version, a snapshot
    /// that does not match the last event, events of another instance). Nothing written.
    #[error("invalid commit for `{instance}`: {reason}")]
    InvalidCommit {
        /// The instance.
        instance: InstanceId,
        /// What is wrong.
        reason: String,
    },
    /// The backend failed (I/O, connection, poisoned lock). Whether anything was written is
    /// for the backend to say in `message`; a conforming backend writes all or nothing.
    #[error("store backend failed: {message}")]
    Backend {
        /// The backend's message.
        message: String,
        /// The driver's error, when there is one (`std::error::Error::source` returns it).
        #[source]
        source: Option<BackendSource>,
    },
}

impl StoreError {
    /// A [`StoreError::Backend`] with a message and no source error.
    pub fn backend(message: impl Into<String>) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: None,
        }
    }

    /// A [`StoreError::Backend`] keeping the driver's error as its source.
    pub fn backend_from(
        message: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError::Backend {
            message: message.into(),
            source: Some(Arc::new(source)),
        }
    }
}

/// Equality of the data: two backend errors are equal when their messages are (a source
/// error has no equality of its own).
impl PartialEq for StoreError {
    fn eq(&self, other: &Self) -> bool {
        use StoreError::*;
        match (self, other) {
            (
                Conflict {
                    instance: a,
                    expected: b,
                    actual: c,
                },
                Conflict {
                    instance: x,
                    expected: y,
                    actual: z,
                },
            ) => (a, b, c) == (x, y, z),
            (
                DuplicateKey {
                    instance: a,
                    key: b,
                },
                DuplicateKey {
                    instance: x,
                    key: y,
                },
            ) => (a, b) == (x, y),
            (
                InvalidCommit {
                    instance: a,
                    reason: b,
                },
                InvalidCommit {
                    instance: x,
                    reason: y,
                },
            ) => (a, b) == (x, y),
            (Backend { message: a, .. }, Backend { message: b, .. }) => a == b,
            _ => false,
        }
    }
}

impl Eq for StoreError {}

/// Durable state of instances: snapshots, append-only events, idempotency keys and the
/// deadline due-index.
///
/// # Contract
///
/// Every implementation must guarantee, for any interleaving of calls from any threads:
///
/// 1. **Atomic commits.** [`commit`](Store::commit) writes the events, the snapshot, the
///    idempotency record and the due-index entry all together or not at all.
/// 2. **Optimistic concurrency.** A commit whose `expected_version` differs from the stored
///    version (0 when the instance does not exist) fails with [`StoreError::Conflict`]
///    carrying both versions, and writes nothing. Of two commits expecting the same version,
///    at most one succeeds.
/// 3. **Well-formed commits only.** Events must belong to the snapshot's instance, be
///    numbered `expected_version + 1, +2, ...` without gaps, and the snapshot's version must
///    equal the last event's `seq`; otherwise [`StoreError::InvalidCommit`], nothing written.
///    A commit with no events is invalid.
/// 4. **Append-only history.** Events once committed are never changed, removed or
///    reordered; [`events`](Store::events) returns them in `seq` order.
/// 5. **Idempotency.** A commit carrying a key already recorded for that instance fails
///    with [`StoreError::DuplicateKey`] and writes nothing; recorded keys are returned by
///    [`idempotency`](Store::idempotency).
/// 6. **Due-index.** After a commit, the instance is in the due-index at exactly
///    `snapshot.next_due()` (absent when `None`); [`next_due`](Store::next_due) returns the
///    earliest entry and [`due`](Store::due) the entries at or before `now`, earliest first.
/// 7. **Listing.** [`list_by_state`](Store::list_by_state) reflects the latest committed
///    snapshots.
/// 8. **No clock.** A store never reads the clock; instants come in the data (`now` and
///    lease expiries are the caller's).
/// 9. **Hash chain.** Every event of a commit is linked (`prev` set), `commit.hashes` holds
///    one hash per event, each event's `prev` is the hash of the event before it (the
///    previous entry of `hashes`; for the first event, the hash of the instance's last
///    stored event, [`Digest::ZERO`] for a new instance), and the snapshot's chain head is
///    the last hash; otherwise [`StoreError::InvalidCommit`], nothing written
///    ([`check_commit`] checks everything but the stored head, [`check_link`] that). The
///    store keeps each event's hash with it, exactly as given (it need not recompute it:
///    verification does), and returns it from [`chained_events`](Store::chained_events).
///    For events it kept before it knew hashes it returns `None`.
/// 10. **Chain heads.** [`chain_heads`](Store::chain_heads) returns, for every instance, its
///     last event's `seq` and hash, in id order (what a [`ChainAnchor`](crate::ChainAnchor) is
///     made of).
/// 11. **Due leases.** [`claim_due`](Store::claim_due) returns up to `limit` instances due at
///     or before `now` (earliest first) whose lease is absent or expired (`until <= now`),
///     and in the same atomic step gives each the caller's lease; while that lease is live,
///     no other claim returns the instance. Of two concurrent claims, each instance goes to
///     at most one. [`release_due`](Store::release_due) drops the lease if (and only if)
///     the named claimant holds it. Commits neither need nor change leases.
/// 12. **Transactional outbox.** A commit with `outbox: true` records
///     [`OutboxMessage::of`] the commit atomically with its events (a refused commit records
///     none). [`claim_outbox`](Store::claim_outbox) returns up to `limit` undelivered
///     messages whose lease is absent or expired, oldest commit first, giving each the
///     caller's lease; [`ack_outbox`](Store::ack_outbox) marks a message delivered, after
///     which no claim returns it. A message is never lost: until acknowledged, it is
///     returned again once its lease expires.
///
/// The suite in `aftersales::testing` (feature `testing`) checks each clause; the guide
/// [`store`](crate::guides::store) walks through implementing one.
///
/// # Example
///
/// A store takes [`Commit`]s, which the pure core produces without an engine; clause 2 at
/// work:
///
/// ```
/// use aftersales::*;
/// use chrono::{TimeZone, Utc};
/// use serde_json::json;
///
/// let def = Builder::new("ticket", 1)
///     .roles(["clerk"])
///     .start_roles(["clerk"])
///     .initial("open")
///     .terminal("done")
///     .transition("open", "close", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::new())?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
/// let clerk = Actor::new("li", ["clerk"]);
///
/// let store = InMemoryStore::new();
/// let decision = start(&def, InstanceId::from("T-1"), &clerk, json!({}), now)?;
/// let commit = |d: Decision| Commit::linked(d.instance, d.events, Digest::ZERO, 0, None);
/// store.commit(commit(decision.clone()))?;
///
/// // A second writer who also read version 0 loses, and nothing of it is written.
/// let lost = store.commit(commit(decision)).unwrap_err();
/// assert!(matches!(lost, StoreError::Conflict { expected: 0, actual: 1, .. }));
/// assert_eq!(store.events(&InstanceId::from("T-1"), 0)?.len(), 1);
/// assert_eq!(store.list_by_state("ticket", "open")?, vec![InstanceId::from("T-1")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Store: Send + Sync {
    /// Write one commit atomically (see the contract).
    ///
    /// # Errors
    /// [`StoreError::Conflict`], [`StoreError::DuplicateKey`], [`StoreError::InvalidCommit`]
    /// or [`StoreError::Backend`].
    fn commit(&self, commit: Commit) -> Result<(), StoreError>;

    /// The latest snapshot, if the instance exists (shared: cloning the `Arc` copies
    /// nothing).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError>;

    /// The events of `id` with `seq > after`, in order (empty for an unknown instance).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError>;

    /// The events of `id` with `seq > after`, in order, each with the hash recorded when it
    /// was committed (contract clause 9; empty for an unknown instance). This is what
    /// verification reads: it must return the stored events and hashes as they are, never
    /// recomputed.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError>;

    /// The chain head (last event's `seq` and hash) of every instance, in id order (contract
    /// clause 10). For an instance whose last event was kept before the store knew hashes,
    /// the hash of that event as read.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError>;

    /// The record of `key` for `id`, if one was committed.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError>;

    /// Instances of `definition` currently in `state`, in id order.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError>;

    /// Every instance of `definition`, in id order.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError>;

    /// The earliest entry of the due-index.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError>;

    /// Up to `limit` instances due at or before `now`, earliest first.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError>;

    /// Claim up to `limit` due instances for `lease` (contract clause 11).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError>;

    /// Drop `claimant`'s lease on `id`; nothing happens when another claimant (or none)
    /// holds it.
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError>;

    /// Claim up to `limit` undelivered outbox messages for `lease` (contract clause 12).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Mark `message` delivered (by whichever node delivered it; acknowledging twice, or an
    /// unknown message, changes nothing).
    ///
    /// # Errors
    /// [`StoreError::Backend`].
    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError>;
}

/// A shared store is a store: an API handler and a scheduler can hold one `Arc` each.
impl<S: Store + ?Sized> Store for Arc<S> {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        (**self).commit(commit)
    }
    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        (**self).load(id)
    }
    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        (**self).events(id, after)
    }
    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        (**self).chained_events(id, after)
    }
    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        (**self).chain_heads()
    }
    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        (**self).idempotency(id, key)
    }
    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        (**self).list_by_state(definition, state)
    }
    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        (**self).list(definition)
    }
    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        (**self).next_due()
    }
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        (**self).due(now, limit)
    }
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        (**self).claim_due(now, limit, lease)
    }
    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        (**self).release_due(id, claimant)
    }
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        (**self).claim_outbox(now, limit, lease)
    }
    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        (**self).ack_outbox(message)
    }
}

/// Check the shape of a commit (contract clause 3); shared by the stores of this crate.
///
/// # Errors
/// [`StoreError::InvalidCommit`] describing the first problem.
pub fn check_commit(commit: &Commit) -> Result<(), StoreError> {
    let id = commit.instance.id();
    let bad = |reason: String| StoreError::InvalidCommit {
        instance: id.clone(),
        reason,
    };
    let Some(last) = commit.events.last() else {
        return Err(bad("no events".into()));
    };
    for (i, e) in commit.events.iter().enumerate() {
        if &e.instance != id {
            return Err(bad(format!("event {} belongs to `{}`", e.seq, e.instance)));
        }
        let Some(expected) = commit.expected_version.checked_add(1 + i as u64) else {
            return Err(bad("event numbers overflow".into()));
        };
        if e.seq != expected {
            return Err(bad(format!(
                "event numbered {} where {expected} was expected",
                e.seq
            )));
        }
    }
    if commit.instance.version() != last.seq {
        return Err(bad(format!(
            "snapshot at version {} but the last event is {}",
            commit.instance.version(),
            last.seq
        )));
    }
    if commit.hashes.len() != commit.events.len() {
        return Err(bad(format!(
            "{} hashes for {} events",
            commit.hashes.len(),
            commit.events.len()
        )));
    }
    for (i, e) in commit.events.iter().enumerate() {
        let Some(prev) = e.prev else {
            return Err(bad(format!("event {} is not linked", e.seq)));
        };
        if i > 0 && commit.hashes.get(i - 1) != Some(&prev) {
            return Err(bad(format!(
                "event {} does not link to the event before it",
                e.seq
            )));
        }
    }
    if commit.instance.chain_head() != commit.hashes.last().copied() {
        return Err(bad(
            "the snapshot's chain head is not the last event's hash".into(),
        ));
    }
    if let Some(k) = &commit.idempotency {
        if k.first_seq > k.last_seq
            || k.last_seq > last.seq
            || k.first_seq <= commit.expected_version
        {
            return Err(bad(format!(
                "idempotency record for `{}` points outside the commit",
                k.key
            )));
        }
    }
    Ok(())
}

/// Check that the first event of `commit` links to `stored_head`, the hash of the instance's
/// last stored event ([`Digest::ZERO`] when it does not exist yet): contract clause 9, the part
/// [`check_commit`] cannot see. Call it after the version check, under the write lock.
///
/// # Errors
/// [`StoreError::InvalidCommit`].
pub fn check_link(commit: &Commit, stored_head: Digest) -> Result<(), StoreError> {
    match commit.events.first() {
        Some(e) if e.prev != Some(stored_head) => Err(StoreError::InvalidCommit {
            instance: commit.instance.id().clone(),
            reason: format!(
                "event {} does not link to the stored chain head {stored_head}",
                e.seq
            ),
        }),
        _ => Ok(()),
    }
}
