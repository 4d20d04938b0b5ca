//! The reference store: everything in memory behind one mutex.

use super::{
    Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError, check_commit, check_link,
};
use crate::chain::{ChainHead, ChainedEvent};
use crate::digest::Digest;
use crate::event::Event;
use crate::ids::{FastMap, InstanceId, Name};
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// "No event": the end of an instance's chain in the history arena.
const NONE: u32 = u32::MAX;

/// One instance. Slots never move or disappear: an instance's slot (its index in
/// `Inner::slots`) is stable, so the indexes hold slots (integers) rather than ids.
struct Slot {
    id: InstanceId,
    snapshot: Arc<Instance>,
    /// The state index, as a field: the snapshot's definition and state.
    definition: Name,
    state: Name,
    /// Position of the instance's last event in the arena (`NONE`: no event yet).
    last: u32,
    due: Option<DateTime<Utc>>,
    /// Idempotency keys, allocated on the first key.
    keys: Option<Box<FastMap<String, IdempotencyRecord>>>,
    /// The scheduler lease on this instance's due work, if one was taken.
    lease: Option<Lease>,
}

/// An undelivered outbox message and its lease.
struct Pending {
    message: OutboxMessage,
    lease: Option<Lease>,
}

/// One event in the history arena, with its hash and the position of the previous event of
/// the same instance.
struct Stored {
    event: Event,
    hash: Digest,
    prev: u32,
}

#[derive(Default)]
struct Inner {
    ids: FastMap<InstanceId, u32>,
    slots: Vec<Slot>,
    /// Every event of every instance, in commit order (append-only).
    arena: Vec<Stored>,
    /// (due instant, slot); ties are ordered by id when read.
    due: BTreeSet<(DateTime<Utc>, u32)>,
    /// Undelivered outbox messages by commit order.
    outbox: BTreeMap<u64, Pending>,
    /// Commit order of each undelivered message, by (slot, first seq).
    outbox_ix: FastMap<(u32, u64), u64>,
    /// The next commit order number.
    outbox_next: u64,
}

impl Inner {
    fn slot(&self, id: &InstanceId) -> Option<&Slot> {
        self.ids.get(id).map(|&s| &self.slots[s as usize])
    }

    /// Ids of the slots that `pick` selects, sorted.
    fn sorted_ids(&self, pick: impl Fn(&Slot) -> bool) -> Vec<InstanceId> {
        let mut ids: Vec<InstanceId> = self
            .slots
            .iter()
            .filter(|s| pick(s))
            .map(|s| s.id.clone())
            .collect();
        ids.sort();
        ids
    }

    /// The events of `slot` with `seq > after`, oldest first, as `keep` makes them.
    fn history<T>(&self, slot: &Slot, after: u64, keep: impl Fn(&Stored) -> T) -> Vec<T> {
        let mut out = Vec::new();
        let mut at = slot.last;
        while at != NONE {
            let s = &self.arena[at as usize];
            if s.event.seq <= after {
                break;
            }
            out.push(keep(s));
            at = s.prev;
        }
        out.reverse();
        out
    }

    /// The hash of the last event of `slot` ([`Digest::ZERO`] without one).
    fn head(&self, slot: Option<u32>) -> Digest {
        slot.map(|s| self.slots[s as usize].last)
            .filter(|&at| at != NONE)
            .map_or(Digest::ZERO, |at| self.arena[at as usize].hash)
    }

    /// Check the commit against the stored state (contract clauses 2 and 5).
    fn check(&self, commit: &Commit) -> Result<Option<u32>, StoreError> {
        let id = commit.instance.id();
        let slot = self.ids.get(id).copied();
        let actual = slot.map_or(0, |s| self.slots[s as usize].snapshot.version());
        if actual != commit.expected_version {
            return Err(StoreError::Conflict {
                instance: id.clone(),
                expected: commit.expected_version,
                actual,
            });
        }
        if let (Some(k), Some(s)) = (&commit.idempotency, slot) {
            let keys = self.slots[s as usize].keys.as_deref();
            if keys.is_some_and(|m| m.contains_key(&k.key)) {
                return Err(StoreError::DuplicateKey {
                    instance: id.clone(),
                    key: k.key.clone(),
                });
            }
        }
        Ok(slot)
    }

    fn set_due(&mut self, slot: u32, due: Option<DateTime<Utc>>) {
        let old = self.slots[slot as usize].due;
        if old == due {
            return;
        }
        if let Some(t) = old {
            self.due.remove(&(t, slot));
        }
        if let Some(t) = due {
            self.due.insert((t, slot));
        }
        self.slots[slot as usize].due = due;
    }
}

/// The reference [`Store`]: snapshots, events, keys and the due-index in memory, guarded
/// by one mutex so every commit is atomic.
///
/// Instances live in dense slots found through a fast hash (foldhash) from id to slot; each
/// slot holds the shared snapshot and its state-index fields; the history of every instance
/// is one append-only arena, each event linked to the previous event of its instance. A
/// commit costs O(e + log n) for e events and n instances and copies no snapshot; `load`
/// hands out the shared snapshot; `next_due` is O(log n); `due` is O(k + log n) for k
/// results; listings scan the slots and sort their result by id.
#[derive(Default)]
pub struct InMemoryStore {
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for InMemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.lock().map(|i| i.slots.len()).unwrap_or(0);
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
        self.inner
            .lock()
            .map_err(|_| StoreError::backend("in-memory store lock poisoned"))
    }
}

impl Store for InMemoryStore {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        check_commit(&commit)?;
        let mut inner = self.lock()?;
        let found = inner.check(&commit)?;
        check_link(&commit, inner.head(found))?;
        // All checks passed: from here on nothing fails, so the write is whole.
        let arena_len = u32::try_from(inner.arena.len()).unwrap_or(NONE);
        let instance = &commit.instance;
        let slot = match found {
            Some(s) => s,
            None => {
                let s = u32::try_from(inner.slots.len()).unwrap_or(NONE);
                inner.ids.insert(instance.id().clone(), s);
                inner.slots.push(Slot {
                    id: instance.id().clone(),
                    snapshot: instance.clone(),
                    definition: instance.definition(),
                    state: instance.state(),
                    last: NONE,
                    due: None,
                    keys: None,
                    lease: None,
                });
                s
            }
        };
        if commit.outbox {
            if let Some(message) = OutboxMessage::of(&commit) {
                let order = inner.outbox_next;
                inner.outbox_next += 1;
                inner.outbox_ix.insert((slot, message.first_seq), order);
                inner.outbox.insert(
                    order,
                    Pending {
                        message,
                        lease: None,
                    },
                );
            }
        }
        let Commit {
            instance,
            events,
            hashes,
            idempotency,
            ..
        } = commit;
        let mut prev = inner.slots[slot as usize].last;
        inner.arena.reserve(events.len());
        for (i, (event, hash)) in events.into_iter().zip(hashes).enumerate() {
            inner.arena.push(Stored { event, hash, prev });
            prev = arena_len.saturating_add(u32::try_from(i).unwrap_or(NONE));
        }
        inner.set_due(slot, instance.next_due());
        let s = &mut inner.slots[slot as usize];
        s.last = prev;
        s.definition = instance.definition();
        s.state = instance.state();
        s.snapshot = instance;
        if let Some(k) = idempotency {
            s.keys
                .get_or_insert_with(Box::default)
                .insert(k.key.clone(), k);
        }
        Ok(())
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        Ok(self.lock()?.slot(id).map(|s| s.snapshot.clone()))
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .slot(id)
            .map_or_else(Vec::new, |s| inner.history(s, after, |s| s.event.clone())))
    }

    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        let inner = self.lock()?;
        Ok(inner.slot(id).map_or_else(Vec::new, |s| {
            inner.history(s, after, |s| ChainedEvent {
                event: s.event.clone(),
                hash: Some(s.hash),
            })
        }))
    }

    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        let inner = self.lock()?;
        let mut heads: Vec<ChainHead> = inner
            .slots
            .iter()
            .filter(|s| s.last != NONE)
            .map(|s| {
                let last = &inner.arena[s.last as usize];
                ChainHead {
                    instance: s.id.clone(),
                    seq: last.event.seq,
                    hash: last.hash,
                }
            })
            .collect();
        heads.sort_by(|a, b| a.instance.cmp(&b.instance));
        Ok(heads)
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        Ok(self
            .lock()?
            .slot(id)
            .and_then(|s| s.keys.as_ref()?.get(key).cloned()))
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        let (Some(definition), Some(state)) = (Name::lookup(definition), Name::lookup(state))
        else {
            return Ok(Vec::new()); // never interned: no instance has it
        };
        let inner = self.lock()?;
        Ok(inner.sorted_ids(|s| s.definition == definition && s.state == state))
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        let Some(definition) = Name::lookup(definition) else {
            return Ok(Vec::new()); // never interned: no instance has it
        };
        let inner = self.lock()?;
        Ok(inner.sorted_ids(|s| s.definition == definition))
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
            .map(|&(_, s)| &inner.slots[s as usize].id)
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
            picked.push((t, &inner.slots[s as usize].id));
        }
        picked.sort();
        Ok(picked
            .into_iter()
            .take(limit)
            .map(|(_, id)| id.clone())
            .collect())
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        let mut inner = self.lock()?;
        let mut free: Vec<(DateTime<Utc>, &InstanceId, u32)> = inner
            .due
            .iter()
            .take_while(|(t, _)| *t <= now)
            .filter(|&&(_, s)| {
                let slot = &inner.slots[s as usize];
                !slot.lease.as_ref().is_some_and(|l| l.is_live(now))
            })
            .map(|&(t, s)| (t, &inner.slots[s as usize].id, s))
            .collect();
        free.sort();
        let picked: Vec<(InstanceId, u32)> = free
            .into_iter()
            .take(limit)
            .map(|(_, id, s)| (id.clone(), s))
            .collect();
        for (_, s) in &picked {
            inner.slots[*s as usize].lease = Some(lease.clone());
        }
        Ok(picked.into_iter().map(|(id, _)| id).collect())
    }

    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        if let Some(&s) = inner.ids.get(id) {
            let slot = &mut inner.slots[s as usize];
            if slot.lease.as_ref().is_some_and(|l| l.claimant == claimant) {
                slot.lease = None;
            }
        }
        Ok(())
    }

    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let mut inner = self.lock()?;
        let mut out = Vec::new();
        for pending in inner.outbox.values_mut() {
            if out.len() >= limit {
                break;
            }
            if pending.lease.as_ref().is_some_and(|l| l.is_live(now)) {
                continue;
            }
            pending.lease = Some(lease.clone());
            out.push(pending.message.clone());
        }
        Ok(out)
    }

    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        let Some(&slot) = inner.ids.get(&message.instance) else {
            return Ok(());
        };
        if let Some(order) = inner.outbox_ix.remove(&(slot, message.first_seq)) {
            inner.outbox.remove(&order);
        }
        Ok(())
    }
}
