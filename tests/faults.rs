//! Fault injection: the engine over a [`FaultyStore`] that fails writes before and after
//! they land, returns stale snapshots, delivers commits twice and loses the connection
//! mid-commit.
//!
//! Checked for every call: the engine commits whole or not at all (the inner store's history
//! grows by exactly one whole commit or not at all), every failure is a typed error, a retry
//! with the same idempotency key produces exactly one effect, and no event is lost,
//! duplicated or reordered (outcomes are compared with the inner store's history, which must
//! replay to its snapshot). Figures are printed as `faults: ...`.

#![cfg(feature = "testing")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod support;

use aftersales::testing::{Fault, FaultyStore, INJECTED, InjectedFault};
use aftersales::*;
use chrono::{DateTime, TimeDelta, Utc};
use common::defs::{Shape, monday_9am, on_enter, ticket};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use support::SplitMix;

type Faulty = FaultyStore<InMemoryStore>;

fn definition() -> Definition {
    let work_2h = on_enter("work_2h", "working", BusinessDuration::WorkingHours(2))
        .warn_at(BusinessDuration::WorkingHours(1))
        .escalate(EscalationSpec::notify(["lead"]).reassign_to("lead"));
    ticket("agent", "lead")
        .waiting("waiting")
        .moves("agent", "working -wait-> waiting -resume-> working")
        .moves("lead", "working -finish-> done")
        .deadline(work_2h)
        .build_china()
}

/// Monday 2026-11-16 09:00 local (UTC+8).
fn t0() -> DateTime<Utc> {
    monday_9am()
}

fn engine<S: Store>(store: FaultyStore<S>, record: bool) -> Engine<FaultyStore<S>> {
    let mut e = Engine::new(store)
        .record_rejections(record)
        // One record per refusal, written with it (coalescing is covered by
        // tests/attacks/limits.rs).
        .refusal_window(chrono::TimeDelta::zero());
    e.register(definition()).unwrap();
    e
}

fn is_injected(e: &EngineError) -> bool {
    matches!(e, EngineError::Store(StoreError::Backend { message, .. }) if message.starts_with(INJECTED))
}

/// Call `handle_due(now)` until a call without any injected fault does nothing. (A stale
/// snapshot can make a call skip a due instance without reporting it: the snapshot it loaded
/// has nothing due. The next call handles it.) Returns the number of calls.
fn settle_due<S: Store>(e: &Engine<FaultyStore<S>>, now: DateTime<Utc>) -> u32 {
    let mut calls = 0;
    loop {
        calls += 1;
        assert!(calls < 64, "handle_due never settles");
        let faults = e.store().injected().len();
        match e.handle_due(now) {
            Ok(r) => {
                for (id, events) in &r.handled {
                    let h = inner_history(e, id);
                    for ev in events {
                        let stored = &h[usize::try_from(ev.seq).unwrap() - 1];
                        assert_eq!(stored, ev, "a reported event is not the stored one");
                    }
                }
                assert!(r.failed.is_empty(), "{:?}", r.failed);
                let quiet = r.handled.is_empty() && r.conflicts.is_empty();
                if quiet && e.store().injected().len() == faults {
                    return calls;
                }
            }
            Err(err) => assert!(is_injected(&err), "handle_due: {err:?}"),
        }
    }
}

fn inner_history<S: Store>(e: &Engine<FaultyStore<S>>, id: &InstanceId) -> Vec<Event> {
    e.store().inner().events(id, 0).unwrap()
}

/// The inner store is consistent: contiguous history, replay equals the snapshot, the
/// due-index agrees with the snapshots.
fn check_inner<S: Store>(e: &Engine<FaultyStore<S>>, ids: &[InstanceId]) {
    let inner = e.store().inner();
    let mut due: Option<(DateTime<Utc>, InstanceId)> = None;
    for id in ids {
        let Some(snap) = inner.load(id).unwrap() else {
            assert!(inner_history(e, id).is_empty(), "events without a snapshot");
            continue;
        };
        let history = inner_history(e, id);
        for (i, ev) in history.iter().enumerate() {
            assert_eq!(
                ev.seq,
                i as u64 + 1,
                "`{id}`: events lost, duplicated or reordered"
            );
        }
        assert!(
            history.windows(2).all(|w| w[0].at <= w[1].at),
            "`{id}`: time goes back"
        );
        assert_eq!(
            Instance::replay(&history).unwrap(),
            *snap,
            "`{id}`: replay differs"
        );
        if let Some(t) = snap.next_due() {
            if due.as_ref().is_none_or(|(d, i)| (t, id) < (*d, i)) {
                due = Some((t, id.clone()));
            }
        }
    }
    assert_eq!(
        inner.next_due().unwrap(),
        due,
        "due-index disagrees with the snapshots"
    );
}

// ------------------------------------------------------------------------------------------
// One fault at a time
// ------------------------------------------------------------------------------------------

/// Start and begin instance `id` without faults.
fn working(e: &Engine<Faulty>, id: &str) -> InstanceId {
    let agent = Actor::new("agent", ["agent"]);
    let id = InstanceId::from(id);
    e.start("ticket", id.clone(), &agent, json!({}), t0())
        .unwrap();
    e.fire(&id, &Command::fire(&agent, "begin"), t0()).unwrap();
    id
}

#[test]
fn each_commit_fault_then_a_keyed_retry_has_exactly_one_effect() {
    let agent = Actor::new("agent", ["agent"]);
    for fault in Fault::ALL.into_iter().filter(|f| f.on_commit()) {
        for seed in 0..4 {
            let e = engine(FaultyStore::new(InMemoryStore::new(), seed), true);
            let id = working(&e, "t");
            let before = inner_history(&e, &id).len();
            let cmd = Command::fire(&agent, "note")
                .with_payload(json!({"n": 1}))
                .with_key("k");
            e.store().inject(fault);
            let first = e.fire(&id, &cmd, t0());
            let log = e.store().injected();
            assert_eq!(log.len(), 1, "{fault}: one fault injected");
            let landed = log[0].writes >= 1;
            assert!(
                log[0].writes <= 1,
                "{fault}: the inner store accepted a duplicate"
            );
            let after_first = inner_history(&e, &id);
            match (&first, fault) {
                (Ok(out), Fault::DuplicateDelivery) => {
                    assert!(!out.replayed);
                    assert_eq!(out.events, after_first[before..], "{fault}: written once");
                }
                (Err(err), _) => {
                    assert!(is_injected(err), "{fault}: {err:?}");
                    // Whole or nothing.
                    assert_eq!(after_first.len() > before, landed, "{fault}");
                }
                (Ok(_), _) => panic!("{fault}: the failure was not reported"),
            }
            let retry = e.fire(&id, &cmd, t0()).unwrap();
            assert_eq!(
                retry.replayed, landed,
                "{fault}: replayed iff the first write landed"
            );
            let history = inner_history(&e, &id);
            assert_eq!(
                retry.events,
                history[before..],
                "{fault}: exactly one effect"
            );
            let notes = history
                .iter()
                .filter(|ev| matches!(&ev.kind, EventKind::Transitioned { action, .. } if action == "note"))
                .count();
            assert_eq!(notes, 1, "{fault}: exactly one `note`");
            check_inner(&e, std::slice::from_ref(&id));
            e.verify(&id).unwrap();
        }
    }
}

#[test]
fn a_lost_start_is_detected_on_retry() {
    let agent = Actor::new("agent", ["agent"]);
    for fault in [
        Fault::FailBeforeWrite,
        Fault::FailAfterWrite,
        Fault::ConnectionLost,
    ] {
        for seed in 0..4 {
            let e = engine(FaultyStore::new(InMemoryStore::new(), seed), true);
            e.store().inject(fault);
            let first = e.start("ticket", "s", &agent, json!({"n": 1}), t0());
            assert!(first.as_ref().is_err_and(is_injected), "{fault}: {first:?}");
            let landed = e.store().injected()[0].writes == 1;
            // Starts carry no key: a retry of a start that landed meets the created instance.
            match e.start("ticket", "s", &agent, json!({"n": 1}), t0()) {
                Ok(out) => assert!(!landed && out.instance.version() == 1),
                Err(EngineError::Conflict {
                    expected: 0,
                    actual: 1,
                    ..
                }) => assert!(landed),
                other => panic!("{fault}: retry gave {other:?}"),
            }
            assert_eq!(
                inner_history(&e, &"s".into()).len(),
                1,
                "{fault}: one creation"
            );
        }
    }
}

#[test]
fn a_stale_snapshot_is_caught_by_the_version_check() {
    let agent = Actor::new("agent", ["agent"]);
    for record in [true, false] {
        let e = engine(FaultyStore::new(InMemoryStore::new(), 1), record);
        let id = working(&e, "t");
        e.fire(
            &id,
            &Command::fire(&agent, "note").with_payload(json!({"a": 1})),
            t0(),
        )
        .unwrap();
        let before = inner_history(&e, &id);
        // Deciding on an older snapshot: the commit expects an old version.
        e.store().inject(Fault::StaleLoad);
        let cmd = Command::fire(&agent, "note")
            .with_payload(json!({"b": 2}))
            .with_key("k");
        let err = e.fire(&id, &cmd, t0()).unwrap_err();
        let stale = e.store().injected()[0].stale_version.unwrap();
        assert!(stale < before.len() as u64);
        // Stale at `working`: conflict. Stale at `open` (before `begin`): `note` is refused
        // on the stale state; recording the refusal conflicts and is dropped.
        match &err {
            EngineError::Conflict {
                expected, actual, ..
            } => assert_eq!((*expected, *actual), (stale, before.len() as u64)),
            EngineError::Rejected { rejection, .. } => {
                assert!(matches!(rejection, Rejection::NoSuchTransition { .. }))
            }
            other => panic!("stale load gave {other:?}"),
        }
        assert_eq!(
            inner_history(&e, &id),
            before,
            "nothing written from a stale snapshot"
        );
        let out = e.fire(&id, &cmd, t0()).unwrap();
        assert!(!out.replayed);
        assert_eq!(out.instance.data(), &json!({"a": 1, "b": 2}));
        check_inner(&e, std::slice::from_ref(&id));
    }
}

#[test]
fn handle_due_under_faults_escalates_exactly_once() {
    for fault in Fault::ALL {
        for seed in 0..3 {
            let e = engine(FaultyStore::new(InMemoryStore::new(), seed), true);
            let id = working(&e, "d");
            let agent = Actor::new("agent", ["agent"]);
            e.fire(
                &id,
                &Command::fire(&agent, "note").with_payload(json!({"x": 1})),
                t0(),
            )
            .unwrap();
            let late = t0() + TimeDelta::hours(3);
            e.store().inject(fault);
            settle_due(&e, late);
            let history = inner_history(&e, &id);
            let count = |name: &str| history.iter().filter(|ev| ev.kind.name() == name).count();
            assert_eq!(count("deadline_warned"), 1, "{fault}");
            assert_eq!(count("deadline_breached"), 1, "{fault}");
            assert_eq!(count("escalated"), 1, "{fault}");
            assert!(
                e.handle_due(late).unwrap().handled.is_empty(),
                "{fault}: settled"
            );
            check_inner(&e, std::slice::from_ref(&id));
        }
    }
}

// ------------------------------------------------------------------------------------------
// Seeded storms
// ------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Tally {
    ops: u64,
    attempts: u64,
    accepted: u64,
    replayed: u64,
    refused: u64,
    stale_refusals: u64,
    injected: BTreeMap<String, u64>,
}

impl Op {
    fn cmd(i: usize, c: Command) -> Op {
        Op::Cmd(i, Box::new(c))
    }
}

enum Op {
    Start(usize),
    Cmd(usize, Box<Command>),
    Due,
}

/// One seeded storm over an in-memory store.
fn storm(seed: u64, ops: u64, tally: &mut Tally) {
    storm_over(InMemoryStore::new(), seed, ops, tally);
}

/// One seeded storm over the empty store `inner`: `ops` operations on three instances, each
/// retried until it concludes, with every attempt checked against the inner store.
fn storm_over<S: Store>(inner: S, seed: u64, ops: u64, tally: &mut Tally) {
    let mut rng = SplitMix(seed);
    let record = rng.below(2) == 0;
    let store = FaultyStore::new(inner, seed)
        .with_rate(Fault::FailBeforeWrite, 70)
        .with_rate(Fault::FailAfterWrite, 70)
        .with_rate(Fault::DuplicateDelivery, 70)
        .with_rate(Fault::ConnectionLost, 70)
        .with_rate(Fault::StaleLoad, 150);
    let e = engine(store, record);
    let def = definition();
    let mut ids: Vec<InstanceId> = (0..3).map(|i| InstanceId::from(format!("i{i}"))).collect();
    let mut started = [false; 3];
    let mut every_id = ids.clone();
    let mut now = t0();
    for k in 0..ops {
        now += TimeDelta::minutes(i64::try_from(rng.below(90)).unwrap());
        let i = usize::try_from(rng.below(3)).unwrap();
        // Each operation acts through its own actor id, so its events can be found.
        let who = |roles: &[&str]| Actor::new(format!("u{k}"), roles);
        // A closed instance is replaced by a new one.
        if started[i]
            && e.store()
                .inner()
                .load(&ids[i])
                .unwrap()
                .unwrap()
                .is_closed()
        {
            ids[i] = InstanceId::from(format!("i{i}-{k}"));
            every_id.push(ids[i].clone());
            started[i] = false;
        }
        let op = if !started[i] {
            Op::Start(i)
        } else {
            match rng.below(20) {
                0..=5 => Op::cmd(i, Command::comment(&who(&["agent"]), format!("op {k}"))),
                6..=10 => Op::cmd(
                    i,
                    Command::fire(&who(&["agent"]), "note").with_payload(json!({ "op": k })),
                ),
                11 => Op::cmd(i, Command::fire(&who(&["agent"]), "finish")),
                12 => Op::cmd(i, Command::comment(&who(&[]), "outsider")),
                13 => Op::cmd(i, Command::fire(&who(&["lead"]), "finish")),
                14 | 15 => {
                    let inner = e.store().inner().load(&ids[i]).unwrap().unwrap();
                    let action = match inner.state().as_str() {
                        "open" => "begin",
                        "waiting" => "resume",
                        _ => "wait",
                    };
                    Op::cmd(i, Command::fire(&who(&["agent"]), action))
                }
                _ => Op::Due,
            }
        };
        tally.ops += 1;
        let log_before = e.store().injected().len();
        match op {
            Op::Start(i) => {
                let agent = who(&["agent"]);
                loop {
                    tally.attempts += 1;
                    match e.start("ticket", ids[i].clone(), &agent, json!({"k": k}), now) {
                        Ok(out) => {
                            assert_eq!(out.events, inner_history(&e, &ids[i]));
                            break;
                        }
                        Err(EngineError::Conflict { expected: 0, .. }) => {
                            // An earlier attempt landed: the instance is ours.
                            let h = inner_history(&e, &ids[i]);
                            assert_eq!(h[0].by.as_ref().unwrap().actor, agent.id);
                            break;
                        }
                        Err(err) => assert!(is_injected(&err), "start: {err:?}"),
                    }
                }
                started[i] = true;
                tally.accepted += 1;
            }
            Op::Cmd(i, cmd) => {
                let cmd = *cmd;
                let id = &ids[i];
                let cmd = cmd.with_key(format!("key-{k}"));
                let truth = e.store().inner().load(id).unwrap().unwrap();
                let valid = aftersales::decide(&def, &truth, &cmd, now).is_ok();
                let start_len = inner_history(&e, id).len();
                let mut landed_events: Option<Vec<Event>> = None;
                let mut concluded = None;
                for attempt in 0..64 {
                    assert!(attempt < 63, "op {k} never concluded");
                    tally.attempts += 1;
                    let before = inner_history(&e, id);
                    let result = e.fire(id, &cmd, now);
                    let after = inner_history(&e, id);
                    let delta = &after[before.len()..];
                    match result {
                        Ok(out) if out.replayed => {
                            assert!(delta.is_empty(), "a replay appended events");
                            assert_eq!(
                                Some(&out.events),
                                landed_events.as_ref(),
                                "op {k}: replay differs from what landed"
                            );
                            tally.replayed += 1;
                            concluded = Some(true);
                            break;
                        }
                        Ok(out) => {
                            assert!(landed_events.is_none(), "op {k}: a second effect");
                            // Its events, then possibly refusal records kept from earlier
                            // failed writes (written after it, never lost).
                            let (own, kept) = delta.split_at(out.events.len().min(delta.len()));
                            assert_eq!(
                                out.events, own,
                                "op {k}: committed exactly its events, once"
                            );
                            assert!(
                                kept.iter()
                                    .all(|ev| matches!(ev.kind, EventKind::Rejected { .. })),
                                "op {k}: only kept refusal records follow"
                            );
                            concluded = Some(true);
                            break;
                        }
                        Err(EngineError::Rejected { .. }) => {
                            // Its record, with any records kept from earlier failed writes.
                            assert!(
                                delta.is_empty() || record,
                                "an unrecorded refusal wrote {delta:?}"
                            );
                            assert!(
                                delta
                                    .iter()
                                    .all(|ev| matches!(ev.kind, EventKind::Rejected { .. })),
                                "a refusal wrote {delta:?}"
                            );
                            concluded = Some(false);
                            break;
                        }
                        Err(EngineError::Conflict { .. }) => {
                            assert!(delta.is_empty(), "a conflict wrote something");
                        }
                        Err(err) => {
                            assert!(is_injected(&err), "op {k}: untyped or unexpected {err:?}");
                            // Whole or nothing: what landed is one commit of this op (or, for
                            // a refusal being recorded, one `rejected` event).
                            if !delta.is_empty() {
                                if delta
                                    .iter()
                                    .all(|ev| matches!(ev.kind, EventKind::Rejected { .. }))
                                {
                                    // Refusal records (this one and any kept from earlier
                                    // failed writes) only with recording on.
                                    assert!(record);
                                } else {
                                    assert!(landed_events.is_none(), "op {k}: landed twice");
                                    assert!(delta.iter().all(|ev| {
                                        ev.by.as_ref().is_some_and(|b| b.actor == cmd.actor.id)
                                    }));
                                    landed_events = Some(delta.to_vec());
                                }
                            }
                        }
                    }
                }
                let stale = e.store().injected()[log_before..]
                    .iter()
                    .any(|f| f.fault == Fault::StaleLoad);
                let history = inner_history(&e, id);
                let mine: Vec<&Event> = history[start_len..]
                    .iter()
                    .filter(|ev| {
                        ev.by.as_ref().is_some_and(|b| b.actor == cmd.actor.id)
                            && !matches!(ev.kind, EventKind::Rejected { .. })
                    })
                    .collect();
                match concluded {
                    Some(true) => {
                        assert!(valid, "op {k}: an invalid command was accepted");
                        assert!(!mine.is_empty());
                        // One contiguous group: one commit.
                        let seqs: Vec<u64> = mine.iter().map(|ev| ev.seq).collect();
                        assert!(
                            seqs.windows(2).all(|w| w[1] == w[0] + 1),
                            "op {k}: effect split or doubled"
                        );
                        tally.accepted += 1;
                    }
                    Some(false) => {
                        assert!(mine.is_empty(), "op {k}: refused but left an effect");
                        if valid {
                            // Only a refusal decided on a stale snapshot can refuse a valid
                            // command (the store broke its "latest snapshot" promise).
                            assert!(
                                stale,
                                "op {k}: a valid command was refused without a stale read"
                            );
                            tally.stale_refusals += 1;
                        }
                        tally.refused += 1;
                    }
                    None => unreachable!(),
                }
            }
            Op::Due => {
                tally.attempts += u64::from(settle_due(&e, now));
                // Settled: nothing left due at `now`, checked without faults.
                e.store().set_enabled(false);
                assert!(e.handle_due(now).unwrap().handled.is_empty());
                e.store().set_enabled(true);
            }
        }
        check_inner(&e, &every_id);
    }
    e.store().set_enabled(false);
    for id in &every_id {
        if e.store().inner().load(id).unwrap().is_some() {
            e.verify(id).unwrap();
        }
    }
    for f in e.store().injected() {
        *tally.injected.entry(f.fault.to_string()).or_default() += 1;
        assert!(f.writes <= 1, "the inner store accepted a duplicate: {f:?}");
    }
}

#[test]
fn seeded_fault_storms() {
    let mut tally = Tally::default();
    let seeds = 64 * u64::from(support::scale());
    for s in 0..seeds {
        storm(support::seed() ^ s, 80, &mut tally);
    }
    report("faults", seeds, &tally);
    for f in Fault::ALL {
        assert!(
            tally.injected.get(&f.to_string()).is_some_and(|n| *n > 0),
            "{f} was never injected"
        );
    }
    assert!(tally.replayed > 0, "no retry met a landed write");
}

/// Fault storms over `SqliteStore` files: `RELIABILITY_SQLITE_STORMS` storms (default 4; CI
/// sets more, see docs/reliability.md), each on a fresh database file, checked as the
/// in-memory storms are (whole commits, one effect per key, the file's history replaying to
/// its snapshots). Prints `faults over SqliteStore: ...`.
#[cfg(feature = "sqlite")]
#[test]
fn seeded_fault_storms_over_sqlite() {
    let mut tally = Tally::default();
    let storms = support::target("RELIABILITY_SQLITE_STORMS", 4);
    let dir = support::TempDir::new("storms");
    for s in 0..storms {
        let store = SqliteStore::open(dir.file(&format!("storm-{s}.sqlite"))).unwrap();
        storm_over(store, support::seed() ^ s ^ 0x5_0000, 80, &mut tally);
    }
    report("faults over SqliteStore", storms, &tally);
    for f in Fault::ALL {
        assert!(
            tally.injected.get(&f.to_string()).is_some_and(|n| *n > 0),
            "{f} was never injected over SQLite"
        );
    }
    assert!(tally.replayed > 0, "no retry met a landed write");
}

/// Print the figures of `storms` storms as `label: ...`.
fn report(label: &str, storms: u64, tally: &Tally) {
    let injected: Vec<String> = tally
        .injected
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    support::announce(&format!(
        "{label}: {storms} storms, {} operations, {} attempts ({} accepted, {} replayed on retry, {} refused of which {} on a stale read); injected: {}",
        tally.ops,
        tally.attempts,
        tally.accepted,
        tally.replayed,
        tally.refused,
        tally.stale_refusals,
        injected.join(", ")
    ));
}

#[test]
fn the_schedule_is_deterministic() {
    let run = |seed: u64| -> (Vec<InjectedFault>, Value) {
        let mut t = Tally::default();
        let store = FaultyStore::new(InMemoryStore::new(), seed).with_all(100);
        let e = engine(store, true);
        let id = InstanceId::from("x");
        let agent = Actor::new("a", ["agent"]);
        while e
            .start("ticket", id.clone(), &agent, json!({}), t0())
            .is_err()
        {
            t.attempts += 1;
            if e.store().inner().load(&id).unwrap().is_some() {
                break;
            }
        }
        for k in 0..30 {
            let _ = e.fire(&id, &Command::comment(&agent, format!("{k}")), t0());
        }
        let h = serde_json::to_value(inner_history(&e, &id)).unwrap();
        (e.store().injected(), h)
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42).0, run(43).0);
}
