//! `AsyncEngine` on tokio's current-thread and multi-thread runtimes: the same histories as
//! the sync `Engine` for the same commands, idempotency, refusals recorded, optimistic
//! concurrency under racing tasks, due handling with leases, outbox delivery.
#![cfg(all(feature = "async", feature = "testing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, AsyncEngine, AsyncOutboxSink, AsyncStore, Builder, BusinessDuration, Command,
    DeadlineSpec, Definition, Engine, EngineError, Event, EventKind, InMemoryStore, InstanceId,
    Lease, OutboxMessage, Registry, Store, SyncAsAsync, Trigger,
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

fn definition() -> Definition {
    Builder::new("job", 1)
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
        .unwrap()
}

fn async_engine<S: AsyncStore>(store: S) -> AsyncEngine<S> {
    let mut e = AsyncEngine::new(store).with_outbox(true);
    e.register(definition()).unwrap();
    e
}

fn breaches(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::DeadlineBreached { .. }))
        .count()
}

/// Run each scenario on both runtime flavours.
macro_rules! on_both_runtimes {
    ($($scenario:ident),* $(,)?) => {
        mod current_thread {
            $(
                #[tokio::test(flavor = "current_thread")]
                async fn $scenario() {
                    super::$scenario().await;
                }
            )*
        }
        mod multi_thread {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    super::$scenario().await;
                }
            )*
        }
    };
}

on_both_runtimes!(
    same_histories_as_the_sync_engine,
    racing_tasks_conflict_and_nothing_is_lost,
    schedulers_share_due_work_through_leases,
    outbox_is_delivered_at_least_once,
);

/// The same commands through `Engine` and `AsyncEngine` give the same answers and histories.
async fn same_histories_as_the_sync_engine() {
    let mut sync = Engine::new(InMemoryStore::new()).with_outbox(true);
    sync.register(definition()).unwrap();
    let asy = async_engine(SyncAsAsync(InMemoryStore::new()));
    let id = InstanceId::from("j");
    let note = Command::fire(&clerk(), "note").with_key("k-1");
    let other = Command::fire(&clerk(), "finish").with_key("k-1");
    let t = t0();

    let s = sync
        .start("job", id.clone(), &clerk(), json!({"n": 1}), t)
        .unwrap();
    let a = asy
        .start("job", id.clone(), &clerk(), json!({"n": 1}), t)
        .await
        .unwrap();
    assert_eq!(s, a);
    let begin = Command::fire(&clerk(), "begin");
    assert_eq!(
        sync.fire(&id, &begin, t).unwrap(),
        asy.fire(&id, &begin, t).await.unwrap()
    );
    // A key's first use, its retry (replayed, nothing appended), and its reuse.
    let s1 = sync.fire(&id, &note, t).unwrap();
    let a1 = asy.fire(&id, &note, t).await.unwrap();
    assert_eq!(s1, a1);
    let s2 = sync.fire(&id, &note, t).unwrap();
    let a2 = asy.fire(&id, &note, t).await.unwrap();
    assert!(s2.replayed && a2.replayed);
    assert_eq!(s2.events, s1.events);
    assert_eq!(a2.events, a1.events);
    let s3 = sync.fire(&id, &other, t).unwrap_err();
    let a3 = asy.fire(&id, &other, t).await.unwrap_err();
    assert!(matches!(a3, EngineError::KeyReused { .. }), "{a3:?}");
    assert_eq!(s3, a3);
    // A refusal, recorded by both; repeats coalesce in both, and both flush the count.
    let nope = Command::fire(&Actor::new("guest", ["guest"]), "finish");
    for _ in 0..3 {
        let (se, ae) = (sync.fire(&id, &nope, t), asy.fire(&id, &nope, t).await);
        assert_eq!(se.unwrap_err(), ae.unwrap_err());
    }
    assert_eq!(sync.pending_refusals(), asy.pending_refusals());
    assert_eq!(
        sync.flush_refusals(t).unwrap(),
        asy.flush_refusals(t).await.unwrap()
    );
    // Over a limit: refused by both, the same way.
    let huge = Command::fire(&clerk(), "x".repeat(10_000));
    let (se, ae) = (sync.fire(&id, &huge, t), asy.fire(&id, &huge, t).await);
    assert!(matches!(&ae, Err(EngineError::Rejected { .. })), "{ae:?}");
    assert_eq!(se.unwrap_err(), ae.unwrap_err());
    // Due handling.
    let due = asy.next_due().await.unwrap().unwrap();
    assert_eq!(sync.next_due().unwrap(), Some(due));
    let sd = sync.handle_due(due).unwrap();
    let ad = asy.handle_due(due).await.unwrap();
    assert_eq!(sd, ad);
    assert_eq!(ad.handled.len(), 1);
    // Same history, same snapshot, both verify.
    let history = asy.history(&id).await.unwrap();
    assert_eq!(sync.history(&id).unwrap(), history);
    assert!(
        history
            .iter()
            .any(|e| matches!(e.kind, EventKind::Rejected { .. }))
    );
    assert_eq!(breaches(&history), 1);
    assert_eq!(sync.load(&id).unwrap(), asy.load(&id).await.unwrap());
    asy.verify(&id).await.unwrap();
    assert_eq!(
        sync.available_actions(&id, &clerk(), due).unwrap(),
        asy.available_actions(&id, &clerk(), due).await.unwrap()
    );
    assert_eq!(
        sync.sla_report(due).unwrap(),
        asy.sla_report(due).await.unwrap()
    );
}

/// Tasks racing on one instance: each fire lands or gets a conflict; no version is lost or
/// doubled.
async fn racing_tasks_conflict_and_nothing_is_lost() {
    let engine = Arc::new(async_engine(SyncAsAsync(InMemoryStore::new())));
    let id = InstanceId::from("j");
    engine
        .start("job", id.clone(), &clerk(), json!({}), t0())
        .await
        .unwrap();
    engine
        .fire(&id, &Command::fire(&clerk(), "begin"), t0())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for i in 0..16 {
        let (engine, id) = (engine.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            tokio::task::yield_now().await;
            let cmd = Command::fire(&clerk(), "note").with_key(format!("k{i}"));
            loop {
                match engine.fire(&id, &cmd, t0()).await {
                    Ok(out) => return out.events.len(),
                    Err(EngineError::Conflict { .. }) => tokio::task::yield_now().await,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    let mut appended = 0;
    for t in tasks {
        appended += t.await.unwrap();
    }
    let history = engine.history(&id).await.unwrap();
    let seqs: Vec<u64> = history.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=history.len() as u64).collect::<Vec<_>>());
    let notes = history
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Transitioned { action, .. } if action.as_str() == "note"))
        .count();
    assert_eq!(notes, 16);
    assert!(appended >= 16);
    engine.verify(&id).await.unwrap();
}

async fn schedulers_share_due_work_through_leases() {
    let store = Arc::new(SyncAsAsync(InMemoryStore::new()));
    let (a, b) = (async_engine(store.clone()), async_engine(store.clone()));
    for i in 0..5 {
        let id = InstanceId::from(format!("j{i}"));
        a.start("job", id.clone(), &clerk(), json!({}), t0())
            .await
            .unwrap();
        b.fire(&id, &Command::fire(&clerk(), "begin"), t0())
            .await
            .unwrap();
    }
    let due = a.next_due().await.unwrap().unwrap();
    let lease = TimeDelta::minutes(5);
    // A node claims two and crashes.
    let dead = store
        .claim_due(due, 2, &Lease::new("crashed", due + lease))
        .await
        .unwrap();
    let (la, lb) = (Lease::new("a", due + lease), Lease::new("b", due + lease));
    let (ra, rb) = tokio::join!(a.run_due(due, &la, 10), b.run_due(due, &lb, 10));
    assert_eq!(ra.unwrap().handled.len() + rb.unwrap().handled.len(), 3);
    let later = due + lease;
    let taken = b
        .run_due(later, &Lease::new("b", later + lease), 10)
        .await
        .unwrap();
    let taken: Vec<InstanceId> = taken.handled.into_iter().map(|(id, _)| id).collect();
    assert_eq!(taken, dead);
    for i in 0..5 {
        let id = InstanceId::from(format!("j{i}"));
        assert_eq!(breaches(&a.history(&id).await.unwrap()), 1, "{id}");
    }
}

#[derive(Default)]
struct Inbox {
    seen: Mutex<BTreeMap<String, usize>>,
    fail_first: Mutex<usize>,
}

impl AsyncOutboxSink for Inbox {
    async fn deliver(&self, message: &OutboxMessage, events: &[Event]) -> Result<(), String> {
        tokio::task::yield_now().await;
        {
            let mut fail = self.fail_first.lock().unwrap();
            if *fail > 0 {
                *fail -= 1;
                return Err("receiver down".into());
            }
        }
        *self.seen.lock().unwrap().entry(message.key()).or_default() += events.len();
        Ok(())
    }
}

async fn outbox_is_delivered_at_least_once() {
    let engine = async_engine(SyncAsAsync(InMemoryStore::new()));
    let id = InstanceId::from("j");
    engine
        .start("job", id.clone(), &clerk(), json!({}), t0())
        .await
        .unwrap();
    engine
        .fire(&id, &Command::fire(&clerk(), "begin"), t0())
        .await
        .unwrap();
    let inbox = Inbox {
        fail_first: Mutex::new(1),
        ..Inbox::default()
    };
    let t = t0();
    let first = engine
        .deliver_outbox(&inbox, t, &Lease::new("a", t + TimeDelta::minutes(1)), 10)
        .await
        .unwrap();
    assert_eq!((first.delivered.len(), first.failed.len()), (1, 1));
    let later = t + TimeDelta::minutes(1);
    let again = engine
        .deliver_outbox(
            &inbox,
            later,
            &Lease::new("b", later + TimeDelta::minutes(1)),
            10,
        )
        .await
        .unwrap();
    assert_eq!(again.delivered, vec![first.failed[0].0.clone()]);
    let seen = inbox.seen.lock().unwrap().clone();
    let total: usize = seen.values().sum();
    assert_eq!(seen.len(), 2);
    assert_eq!(total, engine.history(&id).await.unwrap().len());
    // The sync store sees the same (nothing left).
    let left = engine
        .store()
        .0
        .claim_outbox(later + TimeDelta::hours(1), 10, &Lease::new("c", later))
        .unwrap();
    assert!(left.is_empty());
}
