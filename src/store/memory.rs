//! The reference store: everything in memory behind one mutex.

use super::{Commit, IdempotencyRecord, Store, StoreError, check_commit};
use crate::event::Event;
use crate::instance::{Instance, InstanceId};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

/// One instance. Entries never move or disappear: an instance's slot (its index in
/// `Inner::entries`) is stable, so the indexes hold slots (integers) rather than ids.
struct Entry {
    id: InstanceId,
    snapshot: Option<Instance>,
    events: Vec<Event>,
    keys: HashMap<String, IdempotencyRecord>,
    due: Option<DateTime<Utc>>,
}

#[derive(Default)]
struct Inner {
    slots: HashMap<InstanceId, usize>,
    entries: Vec<Entry>,
    /// definition → state → slots of the instances in it (sorted by id when listed).
    by_state: HashMap<String, HashMap<String, HashSet<usize>>>,
    /// (due instant, slot); ties are ordered by id when read.
    due: BTreeSet<(DateTime<Utc>, usize)>,
}

impl Inner {
    fn entry(&self, id: &InstanceId) -> Option<&Entry> {
        self.slots.get(id).map(|&s| &self.entries[s])
    }

    fn index_state(&mut self, definition: &str, state: &str, slot: usize) {
        // Look up by `&str` first: no allocation on the hot path.
        match self
            .by_state
            .get_mut(definition)
            .and_then(|m| m.get_mut(state))
        {
            Some(set) => {
                set.insert(slot);
            }
            None => {
                self.by_state
                    .entry(definition.to_owned())
                    .or_default()
                    .entry(state.to_owned())
                    .or_default()
                    .insert(slot);
            }
        }
    }

    fn unindex_state(&mut self, definition: &str, state: &str, slot: usize) {
        if let Some(set) = self
            .by_state
            .get_mut(definition)
            .and_then(|m| m.get_mut(state))
        {
            set.remove(&slot);
        }
    }

    /// Ids of `slots`, sorted.
    fn sorted_ids(&self, slots: impl Iterator<Item = usize>) -> Vec<InstanceId> {
        let mut ids: Vec<InstanceId> = slots.map(|s| self.entries[s].id.clone()).collect();
        ids.sort();
        ids
    }
}

/// The reference [`Store`]: snapshots, events, keys and the due-index in memory, guarded
/// by one mutex so every commit is atomic. Commits cost O(e + log n) for e events and n
/// instances; `next_due` is O(log n); `due` is O(k + log n) for k results. The state and due
/// indexes hold integer slots, not ids, so keeping them up to date costs no string
/// comparisons; listings sort their result by id.
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
        let id = commit.instance.id();
        let slot = inner.slots.get(id).copied();
        let current = slot.and_then(|s| inner.entries[s].snapshot.as_ref());
        let actual = current.map_or(0, Instance::version);
        if actual != commit.expected_version {
            return Err(StoreError::Conflict {
                instance: id.clone(),
                expected: commit.expected_version,
                actual,
            });
        }
        if let (Some(k), Some(s)) = (&commit.idempotency, slot) {
            if inner.entries[s].keys.contains_key(&k.key) {
                return Err(StoreError::DuplicateKey {
                    instance: id.clone(),
                    key: k.key.clone(),
                });
            }
        }
        // All checks passed: from here on nothing fails, so the write is whole.
        let inner = &mut *inner;
        let slot = match slot {
            Some(s) => s,
            None => {
                let s = inner.entries.len();
                inner.entries.push(Entry {
                    id: id.clone(),
                    snapshot: None,
                    events: Vec::new(),
                    keys: HashMap::new(),
                    due: None,
                });
                inner.slots.insert(id.clone(), s);
                s
            }
        };
        let snap = &commit.instance;
        let old = inner.entries[slot].snapshot.take();
        let moved = old
            .as_ref()
            .is_none_or(|o| o.state() != snap.state() || o.definition() != snap.definition());
        if let Some(o) = old.as_ref().filter(|_| moved) {
            inner.unindex_state(o.definition(), o.state(), slot);
        }
        if moved {
            inner.index_state(snap.definition(), snap.state(), slot);
        }
        let due = snap.next_due();
        let entry = &mut inner.entries[slot];
        if entry.due != due {
            if let Some(old_due) = entry.due {
                inner.due.remove(&(old_due, slot));
            }
            if let Some(d) = due {
                inner.due.insert((d, slot));
            }
        }
        let entry = &mut inner.entries[slot];
        entry.due = due;
        entry.events.extend(commit.events.iter().cloned());
        if let Some(k) = &commit.idempotency {
            entry.keys.insert(k.key.clone(), k.clone());
        }
        entry.snapshot = Some(snap.clone());
        Ok(())
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Instance>, StoreError> {
        Ok(self.lock()?.entry(id).and_then(|e| e.snapshot.clone()))
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock()?;
        Ok(inner.entry(id).map_or_else(Vec::new, |e| {
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
            .entry(id)
            .and_then(|e| e.keys.get(key).cloned()))
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .by_state
            .get(definition)
            .and_then(|m| m.get(state))
            .map_or_else(Vec::new, |s| inner.sorted_ids(s.iter().copied())))
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        Ok(inner.by_state.get(definition).map_or_else(Vec::new, |m| {
            inner.sorted_ids(m.values().flat_map(|s| s.iter().copied()))
        }))
    }

    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        let inner = self.lock()?;
        let Some(&(first, _)) = inner.due.first() else {
            return Ok(None);
        };
        // Ties at the earliest instant: the smallest id, as an id-ordered index would give.
        Ok(inner
            .due
            .iter()
            .take_while(|(t, _)| *t == first)
            .map(|&(_, s)| &inner.entries[s].id)
            .min()
            .map(|id| (first, id.clone())))
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        let inner = self.lock()?;
        // Earliest first, ties by id: take whole instants until `limit` is reached, then sort
        // and cut (a cut never splits an instant's ties arbitrarily).
        let mut picked: Vec<(DateTime<Utc>, &InstanceId)> = Vec::new();
        for &(t, s) in inner.due.iter().take_while(|(t, _)| *t <= now) {
            if picked.len() >= limit && picked.last().is_some_and(|(last, _)| *last != t) {
                break;
            }
            picked.push((t, &inner.entries[s].id));
        }
        picked.sort();
        Ok(picked
            .into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect())
    }
}
