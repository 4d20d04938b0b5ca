//! A store whose rows are open to the test: to play the part of someone with write access to
//! the database (edit, remove, reorder or insert events, patch snapshots, delete instances)
//! and check that verification notices.

use crate::{ChainHead, ChainedEvent, Digest, Event};
use crate::{Commit, IdempotencyRecord, Store, StoreError, check_commit, check_link};
use crate::{Instance, InstanceId};
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
}

impl RawStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, RawRows>, StoreError> {
        self.rows.lock().map_err(|_| StoreError::Backend {
            message: "raw store lock poisoned".into(),
        })
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
}
