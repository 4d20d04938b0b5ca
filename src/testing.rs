//! Public test tooling (feature `testing`): the store conformance suite and a
//! fault-injecting store.
//!
//! Any [`Store`] implementation should pass [`store_conformance`]: call it from a test with
//! a function making a fresh, empty store.
//!
//! ```
//! use aftersales::{InMemoryStore, testing::store_conformance};
//! let report = store_conformance(InMemoryStore::new);
//! assert!(report.failures.is_empty(), "{:?}", report.failures);
//! ```
//!
//! [`RawStore`] keeps its rows open to the test, to tamper with them as someone with write
//! access to a database would, and check that verification notices.
//!
//! [`FaultyStore`] wraps any store and injects failures (lost writes, lost
//! acknowledgements, stale reads, duplicate deliveries, lost connections) on a seeded
//! schedule, to test that a host — or the [`Engine`](crate::Engine) — commits whole or not at
//! all and that retries with idempotency keys have exactly one effect.

mod faulty;
pub mod fixtures;
mod raw;

pub use faulty::{Fault, FaultyStore, INJECTED, InjectedFault};
pub use raw::{RawInstance, RawRows, RawStore};

use crate::Actor;
use crate::BusinessDuration;
use crate::Command;
use crate::Decision;
use crate::InstanceId;
use crate::Registry;
use crate::{Builder, Definition};
use crate::{ChainHead, ChainedEvent, Digest};
use crate::{Commit, IdempotencyRecord, Store, StoreError};
use crate::{DeadlineSpec, Trigger};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

/// The outcome of the suite: the checks that passed and those that failed, with why.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConformanceReport {
    /// Names of the passing checks.
    pub passed: Vec<&'static str>,
    /// Names and reasons of the failing checks.
    pub failures: Vec<(&'static str, String)>,
}

type Check<S> = fn(&S, &Fixture) -> Result<(), String>;

/// A small definition and helpers the checks share.
struct Fixture {
    def: Definition,
    clerk: Actor,
    t0: DateTime<Utc>,
}

fn fixture() -> Result<Fixture, String> {
    let def = Builder::new("conformance", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("working")
        .terminal("done")
        .transition("open", "begin", "working", |t| t.roles(["clerk"]))
        .transition("working", "note", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::WorkingHours(4),
        ))
        .build(&Registry::with_calendar(
            crate::BusinessCalendar::china_standard(),
        ))
        .map_err(|e| e.to_string())?;
    Ok(Fixture {
        def,
        clerk: Actor::new("clerk-1", ["clerk"]),
        t0: Utc
            .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
            .single()
            .ok_or("bad instant")?,
    })
}

impl Fixture {
    /// The commit creating instance `id`.
    fn start(&self, id: &str) -> Result<Commit, String> {
        let d = crate::start(
            &self.def,
            InstanceId::from(id),
            &self.clerk,
            json!({}),
            self.t0,
        )
        .map_err(|e| e.to_string())?;
        Ok(Commit::linked(d.instance, d.events, Digest::ZERO, 0, None))
    }

    /// The commit firing `action` on the snapshot `base` committed.
    fn fire(&self, base: &Commit, action: &str) -> Result<Commit, String> {
        let d = self.decide(base, action)?;
        let head = base
            .instance
            .chain_head()
            .ok_or("the base commit is not linked")?;
        Ok(Commit::linked(
            d.instance,
            d.events,
            head,
            base.instance.version(),
            None,
        ))
    }

    fn decide(&self, base: &Commit, action: &str) -> Result<Decision, String> {
        crate::decide(
            &self.def,
            &base.instance,
            &Command::fire(&self.clerk, action),
            self.t0,
        )
        .map_err(|e| e.to_string())
    }
}

fn create_load<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    s.commit(c.clone()).map_err(|e| e.to_string())?;
    let loaded = s.load(&"a".into()).map_err(|e| e.to_string())?;
    if loaded.as_ref() != Some(&c.instance) {
        return Err(format!("loaded {loaded:?}, committed {:?}", c.instance));
    }
    let events = s.events(&"a".into(), 0).map_err(|e| e.to_string())?;
    if events != c.events {
        return Err("events differ from those committed".into());
    }
    match s.load(&"missing".into()) {
        Ok(None) => Ok(()),
        other => Err(format!("unknown instance loaded as {other:?}")),
    }
}

fn create_twice_conflicts<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    s.commit(c.clone()).map_err(|e| e.to_string())?;
    match s.commit(c) {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 1,
            ..
        }) => Ok(()),
        other => Err(format!("second create gave {other:?}")),
    }
}

fn stale_writer_conflicts<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let c0 = f.start("a")?;
    s.commit(c0.clone()).map_err(|e| e.to_string())?;
    let c1 = f.fire(&c0, "begin")?;
    s.commit(c1.clone()).map_err(|e| e.to_string())?;
    // A second writer that also read c0.
    let stale = f.fire(&c0, "begin")?;
    match s.commit(stale) {
        Err(StoreError::Conflict {
            expected, actual, ..
        }) if expected == c0.instance.version() && actual == c1.instance.version() => {}
        other => return Err(format!("stale commit gave {other:?}")),
    }
    let events = s.events(&"a".into(), 0).map_err(|e| e.to_string())?;
    if events.len() as u64 != c1.instance.version() {
        return Err("the stale commit wrote events".into());
    }
    Ok(())
}

fn malformed_commits_refused<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    let mut gap = c.clone();
    gap.expected_version = 5;
    let mut empty = c.clone();
    empty.events.clear();
    empty.hashes.clear();
    for (name, c) in [("gap", gap), ("empty", empty)] {
        match s.commit(c.clone()) {
            Err(StoreError::InvalidCommit { .. }) => {}
            other => return Err(format!("{name} commit gave {other:?}")),
        }
    }
    match s.load(&"a".into()) {
        Ok(None) => Ok(()),
        other => Err(format!("a refused commit left {other:?}")),
    }
}

fn idempotency_keys<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let c0 = f.start("a")?;
    s.commit(c0.clone()).map_err(|e| e.to_string())?;
    let mut c1 = f.fire(&c0, "begin")?;
    let rec = IdempotencyRecord {
        key: "k1".into(),
        fingerprint: 42,
        first_seq: c0.instance.version() + 1,
        last_seq: c1.instance.version(),
    };
    c1.idempotency = Some(rec.clone());
    s.commit(c1.clone()).map_err(|e| e.to_string())?;
    if s.idempotency(&"a".into(), "k1")
        .map_err(|e| e.to_string())?
        != Some(rec.clone())
    {
        return Err("key not recorded".into());
    }
    let mut again = f.fire(&c1, "note")?;
    again.idempotency = Some(IdempotencyRecord {
        first_seq: c1.instance.version() + 1,
        last_seq: again.instance.version(),
        ..rec
    });
    match s.commit(again) {
        Err(StoreError::DuplicateKey { .. }) => {}
        other => return Err(format!("reused key gave {other:?}")),
    }
    if s.load(&"a".into())
        .map_err(|e| e.to_string())?
        .map(|i| i.version())
        != Some(c1.instance.version())
    {
        return Err("a refused duplicate key wrote something".into());
    }
    Ok(())
}

fn listing_by_state<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    let b = f.start("b")?;
    s.commit(a).map_err(|e| e.to_string())?;
    s.commit(b.clone()).map_err(|e| e.to_string())?;
    s.commit(f.fire(&b, "begin")?).map_err(|e| e.to_string())?;
    let open = s
        .list_by_state("conformance", "open")
        .map_err(|e| e.to_string())?;
    let working = s
        .list_by_state("conformance", "working")
        .map_err(|e| e.to_string())?;
    let all = s.list("conformance").map_err(|e| e.to_string())?;
    if open != vec![InstanceId::from("a")] || working != vec![InstanceId::from("b")] {
        return Err(format!("open {open:?}, working {working:?}"));
    }
    if all != vec![InstanceId::from("a"), InstanceId::from("b")] {
        return Err(format!("list gave {all:?}"));
    }
    Ok(())
}

fn due_index<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).map_err(|e| e.to_string())?;
    if s.next_due().map_err(|e| e.to_string())?.is_some() {
        return Err("an instance without deadlines is due".into());
    }
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).map_err(|e| e.to_string())?;
    let due = a1.instance.next_due().ok_or("fixture deadline missing")?;
    if s.next_due().map_err(|e| e.to_string())? != Some((due, "a".into())) {
        return Err("next_due does not match the snapshot".into());
    }
    let before = s
        .due(due - chrono::TimeDelta::seconds(1), 10)
        .map_err(|e| e.to_string())?;
    let at = s.due(due, 10).map_err(|e| e.to_string())?;
    if !before.is_empty() || at != vec![InstanceId::from("a")] {
        return Err(format!("due before {before:?}, at {at:?}"));
    }
    s.commit(f.fire(&a1, "finish")?)
        .map_err(|e| e.to_string())?;
    if s.next_due().map_err(|e| e.to_string())?.is_some() {
        return Err("a closed instance is still in the due-index".into());
    }
    Ok(())
}

fn events_after<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).map_err(|e| e.to_string())?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).map_err(|e| e.to_string())?;
    let tail = s
        .events(&"a".into(), a.instance.version())
        .map_err(|e| e.to_string())?;
    if tail != a1.events {
        return Err("events(after) does not return exactly the later events".into());
    }
    if !s
        .events(&"zzz".into(), 0)
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("events of an unknown instance".into());
    }
    Ok(())
}

/// Clause 9: the hashes given are kept with the events, exactly, and returned in order.
fn hashes_kept<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).map_err(|e| e.to_string())?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).map_err(|e| e.to_string())?;
    let chained = s
        .chained_events(&"a".into(), 0)
        .map_err(|e| e.to_string())?;
    let expected: Vec<ChainedEvent> = a
        .events
        .iter()
        .chain(&a1.events)
        .zip(a.hashes.iter().chain(&a1.hashes))
        .map(|(e, h)| ChainedEvent {
            event: e.clone(),
            hash: Some(*h),
        })
        .collect();
    if chained != expected {
        return Err("chained_events does not return the events with their hashes".into());
    }
    let tail = s
        .chained_events(&"a".into(), a.instance.version())
        .map_err(|e| e.to_string())?;
    if tail.as_slice() != &expected[a.events.len()..] {
        return Err("chained_events(after) does not return exactly the later events".into());
    }
    crate::verify_chained(&chained).map_err(|e| e.to_string())?;
    if !s
        .chained_events(&"zzz".into(), 0)
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("chained events of an unknown instance".into());
    }
    Ok(())
}

/// Clause 9: a commit that does not link (to the stored head, inside itself, or to its
/// snapshot) is refused and writes nothing.
fn unlinked_commits_refused<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).map_err(|e| e.to_string())?;
    let good = f.fire(&a, "begin")?;
    let d = f.decide(&a, "begin")?;
    // Linked after the wrong head.
    let wrong_head = Commit::linked(
        d.instance.clone(),
        d.events.clone(),
        Digest::of_bytes(b"not the head"),
        a.instance.version(),
        None,
    );
    // Not linked at all.
    let mut unlinked = good.clone();
    for e in &mut unlinked.events {
        e.prev = None;
    }
    // An event inside the commit linking to something else.
    let mut broken = good.clone();
    if let Some(e) = broken.events.last_mut() {
        e.prev = Some(Digest::of_bytes(b"elsewhere"));
    }
    // Hashes missing.
    let mut no_hashes = good.clone();
    no_hashes.hashes.clear();
    // A snapshot whose head is not the last hash.
    let mut wrong_snapshot = good.clone();
    let mut snapshot = (*good.instance).clone();
    snapshot.set_chain_head(Digest::of_bytes(b"not the last hash"));
    wrong_snapshot.instance = std::sync::Arc::new(snapshot);
    let cases = [
        ("wrong head", wrong_head),
        ("unlinked", unlinked),
        ("broken link", broken),
        ("no hashes", no_hashes),
        ("snapshot head", wrong_snapshot),
    ];
    for (name, c) in cases {
        if name == "broken link" && c.events.len() < 2 {
            return Err("the fixture's second commit has one event".into());
        }
        match s.commit(c) {
            Err(StoreError::InvalidCommit { .. }) => {}
            other => return Err(format!("{name} commit gave {other:?}")),
        }
    }
    let version = s
        .load(&"a".into())
        .map_err(|e| e.to_string())?
        .map(|i| i.version());
    if version != Some(a.instance.version()) {
        return Err(format!(
            "a refused commit wrote something (version {version:?})"
        ));
    }
    s.commit(good).map_err(|e| e.to_string())
}

/// Clause 10: the chain head of every instance, in id order.
fn chain_heads_listed<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    if !s.chain_heads().map_err(|e| e.to_string())?.is_empty() {
        return Err("an empty store has chain heads".into());
    }
    let b = f.start("b")?;
    let a = f.start("a")?;
    s.commit(b.clone()).map_err(|e| e.to_string())?;
    s.commit(a.clone()).map_err(|e| e.to_string())?;
    let b1 = f.fire(&b, "begin")?;
    s.commit(b1.clone()).map_err(|e| e.to_string())?;
    let head = |c: &Commit| -> Result<ChainHead, String> {
        Ok(ChainHead {
            instance: c.instance.id().clone(),
            seq: c.instance.version(),
            hash: *c.hashes.last().ok_or("no events")?,
        })
    };
    let expected = vec![head(&a)?, head(&b1)?];
    let heads = s.chain_heads().map_err(|e| e.to_string())?;
    if heads != expected {
        return Err(format!("chain heads {heads:?}, expected {expected:?}"));
    }
    Ok(())
}

/// Run every check against fresh stores from `make`.
pub fn store_conformance<S: Store>(make: impl Fn() -> S) -> ConformanceReport {
    let checks: [(&'static str, Check<S>); 11] = [
        ("create_load", create_load),
        ("create_twice_conflicts", create_twice_conflicts),
        ("stale_writer_conflicts", stale_writer_conflicts),
        ("malformed_commits_refused", malformed_commits_refused),
        ("idempotency_keys", idempotency_keys),
        ("listing_by_state", listing_by_state),
        ("due_index", due_index),
        ("events_after", events_after),
        ("hashes_kept", hashes_kept),
        ("unlinked_commits_refused", unlinked_commits_refused),
        ("chain_heads_listed", chain_heads_listed),
    ];
    let mut report = ConformanceReport::default();
    let f = match fixture() {
        Ok(f) => f,
        Err(e) => {
            report.failures.push(("fixture", e));
            return report;
        }
    };
    for (name, check) in checks {
        match check(&make(), &f) {
            Ok(()) => report.passed.push(name),
            Err(why) => report.failures.push((name, why)),
        }
    }
    report
}
