//! The reference store: everything in memory behind one mutex.

use super::{Commit, IdempotencyRecord, Store, StoreError, check_commit};
use crate::event::Event;
use crate::instance::{Instance, InstanceId};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

#[derive(Default)]
struct Entry {
    snapshot: Option<Instance>,
    events: Vec<Event>,
    keys: HashMap<String, IdempotencyRecord>,
    due: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<InstanceId, Entry>,
    by_state: BTreeMap<(String, String), BTreeSet<InstanceId>>,
    due: BTreeSet<(DateTime<Utc>, InstanceId)>,
}

/// The reference [`Store`]: snapshots, events, keys and the due-index in memory, guarded
/// by one mutex so every commit is atomic. Commits cost O(e + log n) for e events and n
/// instances; `next_due` is O(log n); `due` is O(k + log n) for k results.
#[derive(Default)]
pub struct InMemoryStore {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for InMemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.lock().map(|i| i.entries.len()).unwrap_or(0);
        f.debug_struct("InMemoryStore")
            .field("instances", &n)
            .finish()
    }
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner.lock().map_err(|_| StoreError::Backend {
            message: "in-memory store lock poisoned".into(),
        })
    }
}

impl Store for InMemoryStore {
    fn commit(&self, commit: &Commit) -> Result<(), StoreError> {
        check_commit(commit)?;
        let mut inner = self.lock()?;
        let id = commit.instance.id().clone();
        let actual = inner
            .entries
            .get(&id)
            .and_then(|e| e.snapshot.as_ref())
            .map_or(0, Instance::version);
        if actual != commit.expected_version {
            return Err(StoreError::Conflict {
                instance: id,
                expected: commit.expected_version,
                actual,
            });
        }
        if let Some(k) = &commit.idempotency {
            if inner
                .entries
                .get(&id)
                .is_some_and(|e| e.keys.contains_key(&k.key))
            {
                return Err(StoreError::DuplicateKey {
                    instance: id,
                    key: k.key.clone(),
                });
            }
        }
        // All checks passed: from here on nothing fails, so the write is whole.
        let inner = &mut *inner;
        let entry = inner.entries.entry(id.clone()).or_default();
        if let Some(old) = &entry.snapshot {
            let key = (old.definition().to_owned(), old.state().to_owned());
            if let Some(set) = inner.by_state.get_mut(&key) {
                set.remove(&id);
            }
        }
        if let Some(old_due) = entry.due.take() {
            inner.due.remove(&(old_due, id.clone()));
        }
        entry.events.extend(commit.events.iter().cloned());
        if let Some(k) = &commit.idempotency {
            entry.keys.insert(k.key.clone(), k.clone());
        }
        let snap = &commit.instance;
        inner
            .by_state
            .entry((snap.definition().to_owned(), snap.state().to_owned()))
            .or_default()
            .insert(id.clone());
        entry.due = snap.next_due();
        if let Some(d) = entry.due {
            inner.due.insert((d, id));
        }
        entry.snapshot = Some(snap.clone());
        Ok(())
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Instance>, StoreError> {
        Ok(self
            .lock()?
            .entries
            .get(id)
            .and_then(|e| e.snapshot.clone()))
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock()?;
        Ok(inner.entries.get(id).map_or_else(Vec::new, |e| {
            let from = usize::try_from(after)
                .unwrap_or(usize::MAX)
                .min(e.events.len());
            e.events[from..].to_vec()
        }))
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self
            .lock()?
            .entries
            .get(id)
            .and_then(|e| e.keys.get(key).cloned()))
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .by_state
            .get(&(definition.to_owned(), state.to_owned()))
            .map_or_else(Vec::new, |s| s.iter().cloned().collect()))
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        let mut ids: Vec<InstanceId> = inner
            .by_state
            .iter()
            .filter(|((d, _), _)| d == definition)
            .flat_map(|(_, s)| s.iter().cloned())
            .collect();
        ids.sort();
        Ok(ids)
    }

    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        Ok(self.lock()?.due.first().cloned())
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .due
            .iter()
            .take_while(|(t, _)| *t <= now)
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect())
    }
}
