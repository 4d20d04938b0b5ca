//! Several nodes on one in-process store: schedulers sharing due work through leases (a
//! crashed node's claims taken over after they expire, each deadline handled once) and the
//! transactional outbox delivered at least once with stable keys.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, Builder, BusinessDuration, Command, DeadlineSpec, Engine, Event, EventKind,
    InMemoryStore, InstanceId, Lease, OutboxMessage, Registry, Store, Trigger,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

fn clerk() -> Actor {
    Actor::new("clerk-1", ["clerk"])
}

/// A node: an engine over the shared store, with the outbox on.
fn node<S: Store>(store: S) -> Engine<S> {
    let def = Builder::new("job", 1)
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
            BusinessDuration::Minutes(30),
        ))
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap();
    let mut e = Engine::new(store).with_outbox(true);
    e.register(def).unwrap();
    e
}

fn breaches(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::DeadlineBreached { .. }))
        .count()
}

#[test]
fn schedulers_share_due_work_and_take_over_a_crashed_nodes_claims() {
    let store = Arc::new(InMemoryStore::new());
    let (a, b) = (node(store.clone()), node(store.clone()));
    let ids: Vec<InstanceId> = (0..6).map(|i| InstanceId::from(format!("j{i}"))).collect();
    for id in &ids {
        a.start("job", id.clone(), &clerk(), json!({}), t0())
            .unwrap();
        a.fire(id, &Command::fire(&clerk(), "begin"), t0()).unwrap();
    }
    let due = a.next_due().unwrap().unwrap();
    let lease_for = TimeDelta::minutes(5);
    // Node "crashed" claims two instances and dies without handling or releasing them.
    let dead = store
        .claim_due(due, 2, &Lease::new("crashed", due + lease_for))
        .unwrap();
    assert_eq!(dead.len(), 2);
    // The live nodes split the rest; the crashed node's claims are not touched yet.
    let ra = a
        .run_due(due, &Lease::new("a", due + lease_for), 2)
        .unwrap();
    let rb = b
        .run_due(due, &Lease::new("b", due + lease_for), 10)
        .unwrap();
    assert_eq!(ra.handled.len(), 2);
    assert_eq!(rb.handled.len(), 2);
    // After the crashed node's lease expires, another node takes its work over.
    let later = due + lease_for;
    let rb2 = b
        .run_due(later, &Lease::new("b", later + lease_for), 10)
        .unwrap();
    let taken: Vec<InstanceId> = rb2.handled.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(taken, dead);
    // Nothing is left, and every instance's deadline was handled exactly once.
    let again = a
        .run_due(later, &Lease::new("a", later + lease_for), 10)
        .unwrap();
    assert!(again.handled.is_empty());
    for id in &ids {
        assert_eq!(breaches(&a.history(id).unwrap()), 1, "{id}");
        a.verify(id).unwrap();
    }
}

#[test]
fn a_slow_scheduler_whose_lease_expired_writes_nothing() {
    let store = Arc::new(InMemoryStore::new());
    let (a, b) = (node(store.clone()), node(store.clone()));
    let id = InstanceId::from("j");
    a.start("job", id.clone(), &clerk(), json!({}), t0())
        .unwrap();
    a.fire(&id, &Command::fire(&clerk(), "begin"), t0())
        .unwrap();
    let due = a.next_due().unwrap().unwrap();
    // `b` handles it first; `a`, resuming late on the same instant, finds nothing to do.
    let rb = b.run_due(due, &Lease::new("b", due), 10).unwrap();
    assert_eq!(rb.handled.len(), 1);
    let ra = a.handle_due(due).unwrap();
    assert!(ra.handled.is_empty());
    assert_eq!(breaches(&a.history(&id).unwrap()), 1);
}

/// Collects deliveries by key; fails the first `fail_first` calls.
#[derive(Default)]
struct Inbox {
    seen: Mutex<BTreeMap<String, Vec<u64>>>,
    calls: Mutex<usize>,
    fail_first: usize,
}

impl aftersales::OutboxSink for Inbox {
    fn deliver(&self, message: &OutboxMessage, events: &[Event]) -> Result<(), String> {
        let mut calls = self.calls.lock().unwrap();
        *calls += 1;
        if *calls <= self.fail_first {
            return Err("receiver down".into());
        }
        let seqs = events.iter().map(|e| e.seq).collect();
        self.seen.lock().unwrap().insert(message.key(), seqs);
        Ok(())
    }
}

#[test]
fn every_commit_is_delivered_at_least_once_with_a_stable_key() {
    let store = Arc::new(InMemoryStore::new());
    let (a, b) = (node(store.clone()), node(store.clone()));
    let id = InstanceId::from("j");
    let started = a
        .start("job", id.clone(), &clerk(), json!({}), t0())
        .unwrap();
    let begun = b
        .fire(&id, &Command::fire(&clerk(), "begin"), t0())
        .unwrap();
    // A refused command is recorded, and that record is announced too.
    assert!(a.fire(&id, &Command::fire(&clerk(), "nope"), t0()).is_err());
    let inbox = Inbox {
        fail_first: 1,
        ..Inbox::default()
    };
    let lease = |node: &str, at: DateTime<Utc>| Lease::new(node, at + TimeDelta::minutes(1));
    // The receiver is down for the first message: it stays in the outbox.
    let first = a
        .deliver_outbox(&inbox, t0(), &lease("a", t0()), 10)
        .unwrap();
    assert_eq!(first.failed.len(), 1);
    assert_eq!(first.delivered.len(), 2);
    // `b` cannot take it while `a`'s lease holds; after it expires, `b` delivers it.
    let during = b
        .deliver_outbox(&inbox, t0(), &lease("b", t0()), 10)
        .unwrap();
    assert!(during.delivered.is_empty() && during.failed.is_empty());
    let later = t0() + TimeDelta::minutes(1);
    let after = b
        .deliver_outbox(&inbox, later, &lease("b", later), 10)
        .unwrap();
    assert_eq!(after.delivered, vec![first.failed[0].0.clone()]);
    // Each commit once, by key, with exactly its events.
    let seen = inbox.seen.lock().unwrap().clone();
    let history = a.history(&id).unwrap();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(
        seen[&format!("j@{}", started.events[0].seq)].len(),
        started.events.len()
    );
    assert_eq!(
        seen[&format!("j@{}", begun.events[0].seq)].len(),
        begun.events.len()
    );
    let all: Vec<u64> = seen
        .values()
        .flatten()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(all, history.iter().map(|e| e.seq).collect::<Vec<_>>());
    // Nothing is left to deliver.
    let empty = a
        .deliver_outbox(&inbox, later + TimeDelta::hours(1), &lease("a", later), 10)
        .unwrap();
    assert!(empty.delivered.is_empty() && empty.failed.is_empty());
}

#[cfg(feature = "sqlite")]
#[test]
fn schedulers_and_outbox_on_sqlite() {
    let store = Arc::new(aftersales::SqliteStore::open_in_memory().unwrap());
    let (a, b) = (node(store.clone()), node(store.clone()));
    for i in 0..4 {
        let id = InstanceId::from(format!("j{i}"));
        a.start("job", id.clone(), &clerk(), json!({}), t0())
            .unwrap();
        b.fire(&id, &Command::fire(&clerk(), "begin"), t0())
            .unwrap();
    }
    let due = a.next_due().unwrap().unwrap();
    let until = due + TimeDelta::minutes(5);
    let ra = a.run_due(due, &Lease::new("a", until), 3).unwrap();
    let rb = b.run_due(due, &Lease::new("b", until), 3).unwrap();
    assert_eq!(ra.handled.len() + rb.handled.len(), 4);
    let inbox = Inbox::default();
    let d = b
        .deliver_outbox(&inbox, due, &Lease::new("b", until), 100)
        .unwrap();
    // 4 starts, 4 begins, 4 breaches.
    assert_eq!(d.delivered.len(), 12, "{d:?}");
}
