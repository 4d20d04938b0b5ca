//! A fault-injecting [`Store`] wrapper, to test how the engine and hosts cope with a failing
//! backend.

use crate::Event;
use crate::{ChainHead, ChainedEvent};
use crate::{Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError};
use crate::{Instance, InstanceId};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// Every message of an injected failure starts with this, so a test can tell injected
/// failures from real ones.
pub const INJECTED: &str = "injected fault";

/// How many committed snapshots per instance [`FaultyStore`] keeps for stale loads.
const KEPT_SNAPSHOTS: usize = 8;

/// A fault [`FaultyStore`] can inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Fault {
    /// `commit` fails before anything is written.
    FailBeforeWrite,
    /// `commit` writes, then reports a failure: the write landed but the caller sees an error.
    FailAfterWrite,
    /// `load` returns an older committed snapshot of the instance (a lagging replica).
    StaleLoad,
    /// `commit` is delivered to the inner store twice (a retrying transport); the caller sees
    /// the result of the first delivery. A conforming inner store refuses the second.
    DuplicateDelivery,
    /// The connection is lost mid-commit: the whole commit lands or does not (the schedule
    /// decides; a conforming store never half-writes) and the caller sees a failure either
    /// way, so it cannot know which.
    ConnectionLost,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: [Fault; 5] = [
        Fault::FailBeforeWrite,
        Fault::FailAfterWrite,
        Fault::StaleLoad,
        Fault::DuplicateDelivery,
        Fault::ConnectionLost,
    ];

    /// Whether the fault strikes `commit` (the others strike `load`).
    pub fn on_commit(self) -> bool {
        self != Fault::StaleLoad
    }

    fn index(self) -> usize {
        match self {
            Fault::FailBeforeWrite => 0,
            Fault::FailAfterWrite => 1,
            Fault::StaleLoad => 2,
            Fault::DuplicateDelivery => 3,
            Fault::ConnectionLost => 4,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fault::FailBeforeWrite => "fail_before_write",
            Fault::FailAfterWrite => "fail_after_write",
            Fault::StaleLoad => "stale_load",
            Fault::DuplicateDelivery => "duplicate_delivery",
            Fault::ConnectionLost => "connection_lost",
        })
    }
}

/// One fault [`FaultyStore`] injected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InjectedFault {
    /// Which fault.
    pub fault: Fault,
    /// The instance concerned.
    pub instance: InstanceId,
    /// The number of the store call it struck (calls to `commit` and `load` are numbered
    /// from 0 in order).
    pub call: u64,
    /// How many times the commit was written to the inner store: 0 or 1 (2 only when the
    /// inner store accepted a duplicate delivery, which breaks the [`Store`] contract).
    /// Always 0 for a stale load.
    pub writes: u8,
    /// For a stale load: the version of the snapshot returned instead of the latest.
    pub stale_version: Option<u64>,
}

#[derive(Debug)]
struct Schedule {
    rng: u64,
    /// Per-mille chance of each fault per call, indexed by `Fault::index`.
    rates: [u16; 5],
    queued: VecDeque<Fault>,
    enabled: bool,
    calls: u64,
    log: Vec<InjectedFault>,
    snapshots: HashMap<InstanceId, VecDeque<Arc<Instance>>>,
}

impl Schedule {
    /// splitmix64: small, seedable, good enough for schedules.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The fault striking this call, if any: a queued one first, else a roll of the rates.
    fn pick(&mut self, on_commit: bool) -> Option<Fault> {
        self.calls += 1;
        if !self.enabled {
            return None;
        }
        if let Some(i) = self.queued.iter().position(|f| f.on_commit() == on_commit) {
            return self.queued.remove(i);
        }
        let roll = self.next() % 1000;
        let mut acc = 0u64;
        for f in Fault::ALL
            .into_iter()
            .filter(|f| f.on_commit() == on_commit)
        {
            acc += u64::from(self.rates[f.index()]);
            if roll < acc {
                return Some(f);
            }
        }
        None
    }

    fn remember(&mut self, snapshot: &Arc<Instance>) {
        let kept = self.snapshots.entry(snapshot.id().clone()).or_default();
        kept.push_back(snapshot.clone());
        if kept.len() > KEPT_SNAPSHOTS {
            kept.pop_front();
        }
    }
}

/// A [`Store`] wrapper that injects faults, per a seeded schedule, into the calls it passes
/// to the store it wraps: writes that fail before they land, writes that land but report a
/// failure, stale snapshots on load, duplicated deliveries of a commit, and connections lost
/// mid-commit (see [`Fault`]). Every other call passes through unchanged.
///
/// The schedule is deterministic: the same seed, rates, queued faults and sequence of calls
/// inject the same faults. Faults come from per-call chances ([`with_rate`](Self::with_rate))
/// and from a queue of faults for the next calls ([`inject`](Self::inject)); every injected
/// fault is logged ([`injected`](Self::injected)). Injected failures are
/// [`StoreError::Backend`] errors whose message starts with [`INJECTED`].
///
/// ```
/// use aftersales::testing::{Fault, FaultyStore};
/// use aftersales::*;
/// use chrono::{TimeZone, Utc};
/// use serde_json::json;
///
/// let def = Builder::new("memo", 1)
///     .roles(["clerk"]).start_roles(["clerk"])
///     .initial("open").terminal("done")
///     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
///     .build(&Registry::with_calendar(aftersales::BusinessCalendar::china_standard()))?;
/// let mut engine = Engine::new(FaultyStore::new(InMemoryStore::new(), 7));
/// engine.register(def)?;
/// let (clerk, now) = (Actor::new("ann", ["clerk"]), Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap());
/// engine.start("memo", "m-1", &clerk, json!({}), now)?;
///
/// // The write lands, but the engine is told it failed ...
/// engine.store().inject(Fault::FailAfterWrite);
/// let cmd = Command::fire(&clerk, "finish").with_key("finish-1");
/// assert!(matches!(engine.fire(&"m-1".into(), &cmd, now), Err(EngineError::Store(_))));
/// // ... so the host retries with the same key: one effect, reported as a replay.
/// let retry = engine.fire(&"m-1".into(), &cmd, now)?;
/// assert!(retry.replayed && retry.instance.is_closed());
/// assert_eq!(engine.store().injected()[0].writes, 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct FaultyStore<S> {
    inner: S,
    schedule: Mutex<Schedule>,
}

impl<S: fmt::Debug> fmt::Debug for FaultyStore<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("FaultyStore");
        d.field("inner", &self.inner);
        if let Ok(s) = self.schedule.lock() {
            d.field("rates", &s.rates)
                .field("queued", &s.queued)
                .field("enabled", &s.enabled)
                .field("injected", &s.log.len());
        }
        d.finish_non_exhaustive()
    }
}

impl<S: Store> FaultyStore<S> {
    /// Wrap `inner`, with the schedule seeded by `seed` and no fault rates yet (no faults
    /// until [`with_rate`](Self::with_rate) or [`inject`](Self::inject)).
    pub fn new(inner: S, seed: u64) -> Self {
        FaultyStore {
            inner,
            schedule: Mutex::new(Schedule {
                rng: seed,
                rates: [0; 5],
                queued: VecDeque::new(),
                enabled: true,
                calls: 0,
                log: Vec::new(),
                snapshots: HashMap::new(),
            }),
        }
    }

    /// Inject `fault` in `permille` of the calls it strikes. The chances of the commit faults
    /// add up (they are exclusive per call); their sum should stay at or below 1000.
    #[must_use]
    pub fn with_rate(self, fault: Fault, permille: u16) -> Self {
        if let Ok(mut s) = self.schedule.lock() {
            s.rates[fault.index()] = permille.min(1000);
        }
        self
    }

    /// Inject every fault in `permille` of the calls it strikes (commit faults then share
    /// `4 × permille` of the commits).
    #[must_use]
    pub fn with_all(self, permille: u16) -> Self {
        Fault::ALL
            .into_iter()
            .fold(self, |s, f| s.with_rate(f, permille))
    }

    /// Queue `fault` for the next call it can strike (a commit, or a load of an instance
    /// with an older snapshot), whatever the rates say.
    pub fn inject(&self, fault: Fault) {
        if let Ok(mut s) = self.schedule.lock() {
            s.queued.push_back(fault);
        }
    }

    /// Turn fault injection on or off (off: every call passes through; queued faults wait).
    pub fn set_enabled(&self, on: bool) {
        if let Ok(mut s) = self.schedule.lock() {
            s.enabled = on;
        }
    }

    /// Every fault injected so far, in order.
    pub fn injected(&self) -> Vec<InjectedFault> {
        self.schedule
            .lock()
            .map(|s| s.log.clone())
            .unwrap_or_default()
    }

    /// The wrapped store (no faults: use it to check what really landed).
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Unwrap.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn schedule(&self) -> Result<MutexGuard<'_, Schedule>, StoreError> {
        self.schedule
            .lock()
            .map_err(|_| StoreError::backend("fault schedule lock poisoned"))
    }

    fn injected_error(fault: Fault, detail: &str) -> StoreError {
        StoreError::backend(format!("{INJECTED} ({fault}): {detail}"))
    }
}

impl<S: Store> Store for FaultyStore<S> {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        let (fault, call, lands) = {
            let mut s = self.schedule()?;
            let fault = s.pick(true);
            let lands = s.next() % 2 == 0;
            (fault, s.calls - 1, lands)
        };
        let id = commit.instance.id().clone();
        let write = |writes: &mut u8| {
            let r = self.inner.commit(commit.clone());
            if r.is_ok() {
                *writes += 1;
            }
            r
        };
        let mut writes = 0u8;
        let result = match fault {
            None => write(&mut writes),
            Some(Fault::FailBeforeWrite) => Err(Self::injected_error(
                Fault::FailBeforeWrite,
                "the write did not happen",
            )),
            Some(Fault::FailAfterWrite) => write(&mut writes).and(Err(Self::injected_error(
                Fault::FailAfterWrite,
                "the write landed, the acknowledgement was lost",
            ))),
            Some(Fault::DuplicateDelivery) => {
                let first = write(&mut writes);
                // The second delivery's outcome is the inner store's business: a conforming
                // store refuses it (conflict or duplicate key); `writes` shows if it did not.
                let _second = write(&mut writes);
                first
            }
            Some(f) => {
                if lands {
                    let _ = write(&mut writes);
                }
                Err(Self::injected_error(f, "connection lost mid-commit"))
            }
        };
        let mut s = self.schedule()?;
        if writes > 0 {
            s.remember(&commit.instance);
        }
        if let Some(fault) = fault {
            s.log.push(InjectedFault {
                fault,
                instance: id,
                call,
                writes,
                stale_version: None,
            });
        }
        result
    }

    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        let current = self.inner.load(id)?;
        let Some(latest) = current else {
            return Ok(None);
        };
        let mut s = self.schedule()?;
        let older: Vec<Arc<Instance>> = s
            .snapshots
            .get(id)
            .map(|k| {
                k.iter()
                    .filter(|i| i.version() < latest.version())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if older.is_empty() {
            s.calls += 1;
            return Ok(Some(latest));
        }
        let call = s.calls;
        if s.pick(false) != Some(Fault::StaleLoad) {
            return Ok(Some(latest));
        }
        let pick = usize::try_from(s.next() % older.len() as u64).unwrap_or(0);
        let stale = older[pick].clone();
        s.log.push(InjectedFault {
            fault: Fault::StaleLoad,
            instance: id.clone(),
            call,
            writes: 0,
            stale_version: Some(stale.version()),
        });
        Ok(Some(stale))
    }

    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.inner.events(id, after)
    }

    fn chained_events(&self, id: &InstanceId, after: u64) -> Result<Vec<ChainedEvent>, StoreError> {
        self.inner.chained_events(id, after)
    }

    fn chain_heads(&self) -> Result<Vec<ChainHead>, StoreError> {
        self.inner.chain_heads()
    }

    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        self.inner.idempotency(id, key)
    }

    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.list_by_state(definition, state)
    }

    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.list(definition)
    }

    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        self.inner.next_due()
    }

    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.due(now, limit)
    }

    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.claim_due(now, limit, lease)
    }

    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        self.inner.release_due(id, claimant)
    }

    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &Lease,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        self.inner.claim_outbox(now, limit, lease)
    }

    fn ack_outbox(&self, message: &OutboxMessage) -> Result<(), StoreError> {
        self.inner.ack_outbox(message)
    }
}
