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
//! [`FaultyStore`] wraps any store and injects failures (lost writes, lost
//! acknowledgements, stale reads, duplicate deliveries, lost connections) on a seeded
//! schedule, to test that a host — or the [`Engine`](crate::Engine) — commits whole or not at
//! all and that retries with idempotency keys have exactly one effect.

mod faulty;
pub mod fixtures;

pub use faulty::{Fault, FaultyStore, INJECTED, InjectedFault};

use crate::Actor;
use crate::BusinessDuration;
use crate::Command;
use crate::Decision;
use crate::InstanceId;
use crate::Registry;
use crate::{Builder, Definition};
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
    fn start(&self, id: &str) -> Result<Decision, String> {
        crate::start(
            &self.def,
            InstanceId::from(id),
            &self.clerk,
            json!({}),
            self.t0,
        )
        .map_err(|e| e.to_string())
    }

    fn fire(&self, d: &Decision, action: &str) -> Result<Decision, String> {
        crate::decide(
            &self.def,
            &d.instance,
            &Command::fire(&self.clerk, action),
            self.t0,
        )
        .map_err(|e| e.to_string())
    }
}

fn commit(d: &Decision, expected: u64) -> Commit {
    Commit {
        instance: std::sync::Arc::new(d.instance.clone()),
        events: d.events.clone(),
        expected_version: expected,
        idempotency: None,
    }
}

fn create_load<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let d = f.start("a")?;
    s.commit(commit(&d, 0)).map_err(|e| e.to_string())?;
    let loaded = s.load(&"a".into()).map_err(|e| e.to_string())?;
    if loaded.as_deref() != Some(&d.instance) {
        return Err(format!("loaded {loaded:?}, committed {:?}", d.instance));
    }
    let events = s.events(&"a".into(), 0).map_err(|e| e.to_string())?;
    if events != d.events {
        return Err("events differ from those committed".into());
    }
    match s.load(&"missing".into()) {
        Ok(None) => Ok(()),
        other => Err(format!("unknown instance loaded as {other:?}")),
    }
}

fn create_twice_conflicts<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let d = f.start("a")?;
    s.commit(commit(&d, 0)).map_err(|e| e.to_string())?;
    match s.commit(commit(&d, 0)) {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 1,
            ..
        }) => Ok(()),
        other => Err(format!("second create gave {other:?}")),
    }
}

fn stale_writer_conflicts<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let d0 = f.start("a")?;
    s.commit(commit(&d0, 0)).map_err(|e| e.to_string())?;
    let d1 = f.fire(&d0, "begin")?;
    s.commit(commit(&d1, d0.instance.version()))
        .map_err(|e| e.to_string())?;
    // A second writer that also read d0.
    let stale = f.fire(&d0, "begin")?;
    match s.commit(commit(&stale, d0.instance.version())) {
        Err(StoreError::Conflict {
            expected, actual, ..
        }) if expected == d0.instance.version() && actual == d1.instance.version() => {}
        other => return Err(format!("stale commit gave {other:?}")),
    }
    let events = s.events(&"a".into(), 0).map_err(|e| e.to_string())?;
    if events.len() as u64 != d1.instance.version() {
        return Err("the stale commit wrote events".into());
    }
    Ok(())
}

fn malformed_commits_refused<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let d = f.start("a")?;
    let mut gap = commit(&d, 0);
    gap.expected_version = 5;
    let mut empty = commit(&d, 0);
    empty.events.clear();
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
    let d0 = f.start("a")?;
    s.commit(commit(&d0, 0)).map_err(|e| e.to_string())?;
    let d1 = f.fire(&d0, "begin")?;
    let rec = IdempotencyRecord {
        key: "k1".into(),
        fingerprint: 42,
        first_seq: d0.instance.version() + 1,
        last_seq: d1.instance.version(),
    };
    let mut c = commit(&d1, d0.instance.version());
    c.idempotency = Some(rec.clone());
    s.commit(c.clone()).map_err(|e| e.to_string())?;
    if s.idempotency(&"a".into(), "k1")
        .map_err(|e| e.to_string())?
        != Some(rec.clone())
    {
        return Err("key not recorded".into());
    }
    let d2 = f.fire(&d1, "note")?;
    let mut again = commit(&d2, d1.instance.version());
    again.idempotency = Some(IdempotencyRecord {
        first_seq: d1.instance.version() + 1,
        last_seq: d2.instance.version(),
        ..rec
    });
    match s.commit(again.clone()) {
        Err(StoreError::DuplicateKey { .. }) => {}
        other => return Err(format!("reused key gave {other:?}")),
    }
    if s.load(&"a".into())
        .map_err(|e| e.to_string())?
        .map(|i| i.version())
        != Some(d1.instance.version())
    {
        return Err("a refused duplicate key wrote something".into());
    }
    Ok(())
}

fn listing_by_state<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    let b = f.start("b")?;
    s.commit(commit(&a, 0)).map_err(|e| e.to_string())?;
    s.commit(commit(&b, 0)).map_err(|e| e.to_string())?;
    let b1 = f.fire(&b, "begin")?;
    s.commit(commit(&b1, b.instance.version()))
        .map_err(|e| e.to_string())?;
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
    s.commit(commit(&a, 0)).map_err(|e| e.to_string())?;
    if s.next_due().map_err(|e| e.to_string())?.is_some() {
        return Err("an instance without deadlines is due".into());
    }
    let a1 = f.fire(&a, "begin")?;
    s.commit(commit(&a1, a.instance.version()))
        .map_err(|e| e.to_string())?;
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
    let a2 = f.fire(&a1, "finish")?;
    s.commit(commit(&a2, a1.instance.version()))
        .map_err(|e| e.to_string())?;
    if s.next_due().map_err(|e| e.to_string())?.is_some() {
        return Err("a closed instance is still in the due-index".into());
    }
    Ok(())
}

fn events_after<S: Store>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(commit(&a, 0)).map_err(|e| e.to_string())?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(commit(&a1, a.instance.version()))
        .map_err(|e| e.to_string())?;
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

/// Run every check against fresh stores from `make`.
pub fn store_conformance<S: Store>(make: impl Fn() -> S) -> ConformanceReport {
    let checks: [(&'static str, Check<S>); 8] = [
        ("create_load", create_load),
        ("create_twice_conflicts", create_twice_conflicts),
        ("stale_writer_conflicts", stale_writer_conflicts),
        ("malformed_commits_refused", malformed_commits_refused),
        ("idempotency_keys", idempotency_keys),
        ("listing_by_state", listing_by_state),
        ("due_index", due_index),
        ("events_after", events_after),
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
