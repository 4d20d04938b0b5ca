//! A store whose rows are open to the test: to play the part of someone with write access to
//! the database (edit, remove, reorder or insert events, patch snapshots, delete instances)
//! and check that verification notices.

use crate::{ChainHead, ChainedEvent, Digest, Event};
use crate::{Commit, IdempotencyRecord, Store, StoreError, check_commit, check_link};
use crate::{Instance, InstanceId};
use crate::{Lease, OutboxMessage};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

/// One instance as [`RawStore`] keeps it: plain, public fields.
#[derive(Clone, Debug, PartialEq)]
pub struct RawInstance {
    /// The snapshot.
    pub snapshot: Arc<Instance>,
    /// The events, in the order they are returned, with their recorded hashes.
    pub events: Vec<ChainedEvent>,
    /// Idempotency keys.
    pub keys: BTreeMap<String, IdempotencyRecord>,
}

/// Everything [`RawStore`] holds: instances by id.
pub type RawRows = BTreeMap<InstanceId, RawInstance>;

/// A conforming [`Store`] (it passes [`store_conformance`](super::store_conformance)) whose
/// rows a test may change at will with [`RawStore::tamper`], as someone with write access to
/// a database would. Simple rather than fast: listings and the due-index scan every instance.
///
/// ```
/// use aftersales::testing::{RawStore, store_conformance};
/// let report = store_conformance(RawStore::new);
/// assert!(report.failures.is_empty(), "{:?}", report.failures);
/// ```
#[derive(Debug, Default)]
pub struct RawStore {
    rows: Mutex<RawRows>,
    /// Leases and the outbox (taken after `rows` when both are needed).
    nodes: Mutex<Nodes>,
}

/// What several nodes share: leases on due work and undelivered outbox messages.
#[derive(Debug, Default)]
struct Nodes {
    leases: BTreeMap<InstanceId, Lease>,
    /// By commit order: the message and its lease.
    outbox: BTreeMap<u64, (OutboxMessage, Option<Lease>)>,
    next: u64,
}

impl RawStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, RawRows>, StoreError> {
        self.rows
            .lock()
            .map_err(|_| StoreError::backend("raw store lock poisoned"))
    }

    fn nodes(&self) -> Result<MutexGuard<'_, Nodes>, StoreError> {
        self.nodes
            .lock()
            .map_err(|_| StoreError::backend("raw store lock poisoned"))
    }

    /// Change the rows directly (bypassing every check of the store).
    ///
    /// # Errors
    /// [`StoreError::Backend`] when the lock is poisoned.
    pub fn tamper<R>(&self, f: impl FnOnce(&mut RawRows) -> R) -> Result<R, StoreError> {
        Ok(f(&mut *self.lock()?))
    }

    fn due_entries(rows: &RawRows) -> Vec<(DateTime<Utc>, InstanceId)> {
        let mut due: Vec<(DateTime<Utc>, InstanceId)> = rows
            .iter()
            .filter_map(|(id, r)| r.snapshot.next_due().map(|t| (t, id.clone())))
            .collect();
        due.sort();
        due
    }
}

fn hash_of(c: &ChainedEvent) -> Digest {
    c.hash.unwrap_or_else(|| c.event.hash())
}

impl Store for RawStore {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        check_commit(&commit)?;
        let mut rows = self.lock()?;
        let id = commit.instance.id().clone();
        let row = rows.get(&id);
        let actual = row.map_or(0, |r| r.snapshot.version());
        if actual != commit.expected_version {
            return Err(StoreError::Conflict {
                instance: id,
                expected: commit.expected_version,
                actual,
            });
        }
        let head = row
            .and_then(|r| r.events.last())
            .map_or(Digest::ZERO, hash_of);
        check_link(&commit, head)?;
        if let (Some(k), Some(r)) = (&commit.idempotency, row) {
            if r.keys.contains_key(&k.key) {
                return Err(StoreError::DuplicateKey {
                    instance: id,
                    key: k.key.clone(),
                });
            }
        }
        let message = if commit.outbox {
            OutboxMessage::of(&commit)
        } else {
            None
        };
        let Commit {
            instance,
            events,
            hashes,
            idempotency,
            ..
        } = commit;
        let row = rows.entry(id).or_insert_with(|| RawInstance {
            snapshot: instance.clone(),
            events: Vec::new(),
            keys: BTreeMap::new(),
        });
        row.snapshot = instance;
        row.events.extend(
            events
                .into_iter()
                .zip(hashes)
                .map(|(event, hash)| ChainedEvent {
                    event,
                    hash: Some(hash),
                }),
        );
        if let Some(k) = idempotency {
            row.keys.insert(k.key.clone(), k);
        }
        if let Some(message) = message {
            let mut nodes = self.nodes()?;
            let order = nodes.next;
            nodes.next += 1;
            nodes.outbox.insert(order, (message, None));
        }
        Ok(())
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        Ok(self.lock()?.get(id).map(|r| r.snapshot.clone()))
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        Ok(self
            .chained_events(id, after)?
            .into_iter()
            .map(|c| c.event)
            .collect())
    }

    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        Ok(self.lock()?.get(id).map_or_else(Vec::new, |r| {
            r.events
                .iter()
                .filter(|c| c.event.seq > after)
                .cloned()
                .collect()
        }))
    }

    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .filter_map(|(id, r)| {
                r.events.last().map(|c| ChainHead {
                    instance: id.clone(),
                    seq: c.event.seq,
                    hash: hash_of(c),
                })
            })
            .collect())
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self.lock()?.get(id).and_then(|r| r.keys.get(key).cloned()))
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .filter(|(_, r)| {
                r.snapshot.definition().as_str() == definition
                    && r.snapshot.state().as_str() == state
            })
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        Ok(self
            .lock()?
            .iter()
            .filter(|(_, r)| r.snapshot.definition().as_str() == definition)
            .map(|(id, _)| id.clone())
            .collect())
    }

    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        Ok(Self::due_entries(&*self.lock()?).into_iter().next())
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        Ok(Self::due_entries(&*self.lock()?)
            .into_iter()
            .take_while(|(t, _)| *t <= now)
            .take(limit)
            .map(|(_, id)| id)
            .collect())
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        let rows = self.lock()?;
        let mut nodes = self.nodes()?;
        let picked: Vec<InstanceId> = Self::due_entries(&rows)
            .into_iter()
            .filter(|(t, id)| *t <= now && !nodes.leases.get(id).is_some_and(|l| l.is_live(now)))
            .take(limit)
            .map(|(_, id)| id)
            .collect();
        for id in &picked {
            nodes.leases.insert(id.clone(), lease.clone());
        }
        Ok(picked)
    }

    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        let mut nodes = self.nodes()?;
        if nodes.leases.get(id).is_some_and(|l| l.claimant == claimant) {
            nodes.leases.remove(id);
        }
        Ok(())
    }

    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut nodes = self.nodes()?;
        let mut out = Vec::new();
        for (message, held) in nodes.outbox.values_mut() {
            if out.len() >= limit {
                break;
            }
            if held.as_ref().is_some_and(|l| l.is_live(now)) {
                continue;
            }
            *held = Some(lease.clone());
            out.push(message.clone());
        }
        Ok(out)
    }

    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        self.nodes()?.outbox.retain(|_, (m, _)| m != message);
        Ok(())
    }
}
