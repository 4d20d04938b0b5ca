//! Concurrent writers: threads firing conflicting commands at the same instances through one
//! shared `Engine<InMemoryStore>` (the engine is `Sync` when its store is).
//!
//! Checked: exactly one writer wins each version (the others get `EngineError::Conflict`, or
//! a rejection when they loaded after the winner), a key used by many threads at once has
//! exactly one effect, concurrent starts of one id create it once, `handle_due` racing
//! commands handles each deadline step once, and the final history replays to the final
//! snapshot. Threads start together on a `Barrier`; every loop is bounded. Figures are
//! printed as `concurrency: ...`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod support;

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::defs::{Shape, china, engine_with, flow};
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::Barrier;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;

const THREADS: usize = 8;

fn definition() -> Definition {
    // A guard that passes after a short nap: it widens the window between a writer's load
    // and its commit, so that writers really race.
    let registry = china().guard("slow", |_: &Context<'_>| {
        thread::sleep(std::time::Duration::from_micros(100));
        Ok(())
    });
    flow("race", 1, &["agent", "lead"])
        .states("open", &["review", "approved"], &["rejected", "done"])
        .transition("open", "note", "open", |t| {
            t.roles(["agent"]).guard("slow").merge_payload()
        })
        .transition("open", "review", "review", |t| {
            t.roles(["agent", "lead"]).guard("slow")
        })
        .transition("open", "approve", "approved", |t| {
            t.roles(["lead"]).guard("slow")
        })
        .transition("open", "reject", "rejected", |t| {
            t.roles(["lead"]).guard("slow")
        })
        .transition("review", "approve", "approved", |t| {
            t.roles(["lead"]).guard("slow")
        })
        .transition("approved", "close", "done", |t| t.roles(["lead"]))
        .deadline(
            DeadlineSpec::new(
                "answer",
                Trigger::enter("open"),
                BusinessDuration::WorkingMinutes(30),
            )
            .warn_at(BusinessDuration::WorkingMinutes(10))
            .escalate(EscalationSpec::notify(["lead"]))
            .escalate(EscalationSpec::notify(["lead"]).after(BusinessDuration::WorkingMinutes(30))),
        )
        .build(&registry)
        .unwrap()
}

fn engine() -> Engine<InMemoryStore> {
    engine_with([definition()])
}

/// Instance `id` of the race, started by an agent at [`t0`].
fn started(e: &Engine<InMemoryStore>, id: impl Into<InstanceId>) -> InstanceId {
    let id = id.into();
    e.start("race", id.clone(), &agent(0), json!({}), t0())
        .unwrap();
    id
}

/// Monday 2026-11-16 09:00 local (UTC+8).
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn agent(n: usize) -> Actor {
    Actor::new(format!("agent-{n}"), ["agent"])
}

fn lead(n: usize) -> Actor {
    Actor::new(format!("lead-{n}"), ["lead"])
}

/// The stored history replays to the stored snapshot, without gaps.
fn check_history(e: &Engine<InMemoryStore>, id: &InstanceId) -> Vec<Event> {
    let history = e.history(id).unwrap();
    for (i, ev) in history.iter().enumerate() {
        assert_eq!(ev.seq, i as u64 + 1, "`{id}`: gap or duplicate");
    }
    assert_eq!(Instance::replay(&history).unwrap(), *e.load(id).unwrap());
    e.verify(id).unwrap();
    history
}

/// Commands fired and races lost (`EngineError::Conflict`), per test.
#[derive(Default)]
struct Count {
    commands: AtomicU64,
    conflicts: AtomicU64,
}

impl Count {
    fn fired(&self) {
        self.commands.fetch_add(1, Ordering::Relaxed);
    }
    fn lost(&self) {
        self.conflicts.fetch_add(1, Ordering::Relaxed);
    }
    fn report(&self, test: &str) {
        support::announce(&format!(
            "concurrency ({test}): {THREADS} threads, {} commands, {} lost a race (EngineError::Conflict)",
            self.commands.load(Ordering::Relaxed),
            self.conflicts.load(Ordering::Relaxed)
        ));
    }
}

#[test]
fn the_engine_is_shareable_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Engine<InMemoryStore>>();
    shareable::<Definition>();
}

#[test]
fn conflicting_transitions_have_one_winner() {
    let count = &Count::default();
    let e = engine();
    for r in 0..40 * support::scale() as usize {
        let id = started(&e, format!("c{r}"));
        let before = e.load(&id).unwrap().version();
        let barrier = Barrier::new(THREADS);
        let results: Vec<(usize, Result<Outcome, EngineError>)> = thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (e, id, barrier) = (&e, &id, &barrier);
                    s.spawn(move || {
                        let cmd = match t % 4 {
                            0 => Command::fire(&lead(t), "approve"),
                            1 => Command::fire(&lead(t), "reject"),
                            2 => Command::fire(&agent(t), "review"),
                            _ => Command::fire(&lead(t), "review"),
                        };
                        barrier.wait();
                        (t, e.fire(id, &cmd, t0()))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for _ in 0..THREADS {
            count.fired();
        }
        // Several commands may succeed one after another (`review`, then `approve` from
        // review), but never two on the same version: the winners form a chain.
        let mut winners: Vec<&Outcome> = results
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .collect();
        winners.sort_by_key(|o| o.events[0].seq);
        assert!(!winners.is_empty(), "round {r}: nobody won");
        assert_eq!(
            winners[0].events[0].seq,
            before + 1,
            "the first winner took the version everyone read"
        );
        for w in winners.windows(2) {
            assert!(
                w[0].instance.version() < w[1].events[0].seq,
                "round {r}: two winners on one version"
            );
        }
        for (t, res) in &results {
            match res {
                Ok(_) => {}
                Err(EngineError::Conflict {
                    expected, actual, ..
                }) => {
                    count.lost();
                    assert!(expected < actual, "thread {t}");
                }
                Err(EngineError::Rejected { rejection, .. }) => assert!(
                    matches!(
                        rejection,
                        Rejection::NoSuchTransition { .. } | Rejection::InstanceClosed { .. }
                    ),
                    "thread {t}: refused after reload with {rejection:?}"
                ),
                Err(other) => panic!("thread {t}: {other:?}"),
            }
        }
        let history = check_history(&e, &id);
        // The history after the start is the winners' events, in order, and recorded refusals.
        let accepted: Vec<&Event> = history[usize::try_from(before).unwrap()..]
            .iter()
            .filter(|ev| !matches!(ev.kind, EventKind::Rejected { .. }))
            .collect();
        let won: Vec<&Event> = winners.iter().flat_map(|o| o.events.iter()).collect();
        assert_eq!(accepted, won);
        let last = winners.last().unwrap();
        assert_eq!(e.load(&id).unwrap().state(), last.instance.state());
    }
    count.report("conflicting_transitions_have_one_winner");
}

#[test]
fn every_version_is_won_by_exactly_one_command() {
    let count = &Count::default();
    let e = engine().record_rejections(false);
    let id = InstanceId::from("loop");
    let base = e
        .start("race", id.clone(), &agent(0), json!({"n": 0}), t0())
        .unwrap()
        .instance
        .version();
    let per_thread = 12 * support::scale() as usize;
    let barrier = Barrier::new(THREADS);
    let outcomes: Vec<Vec<Outcome>> = thread::scope(|s| {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (e, id, barrier) = (&e, &id, &barrier);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..per_thread {
                        let cmd = Command::fire(&agent(t), "note")
                            .with_payload(json!({ format!("t{t}"): i }));
                        barrier.wait();
                        // Bounded: with THREADS writers, a writer wins within THREADS tries
                        // unless it keeps losing races it cannot lose forever.
                        let mut won = None;
                        for _ in 0..10_000 {
                            count.fired();
                            match e.fire(id, &cmd, t0()) {
                                Ok(out) => {
                                    won = Some(out);
                                    break;
                                }
                                Err(EngineError::Conflict { .. }) => {
                                    count.lost();
                                    thread::yield_now();
                                }
                                Err(other) => panic!("thread {t}: {other:?}"),
                            }
                        }
                        mine.push(won.expect("a writer never won"));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let history = check_history(&e, &id);
    // Every version after creation was produced by exactly one accepted command.
    let mut owner = vec![None; history.len() + 1];
    for (t, outs) in outcomes.iter().enumerate() {
        for out in outs {
            for ev in &out.events {
                let slot = &mut owner[usize::try_from(ev.seq).unwrap()];
                assert!(slot.is_none(), "version {} won twice", ev.seq);
                *slot = Some(t);
                assert_eq!(&history[usize::try_from(ev.seq).unwrap() - 1], ev);
            }
        }
    }
    let base = usize::try_from(base).unwrap();
    assert!(
        owner[base + 1..].iter().all(Option::is_some),
        "a version nobody won"
    );
    // Each thread's data survived: the last value each thread wrote is in the data.
    let data = e.load(&id).unwrap().data().clone();
    for t in 0..THREADS {
        assert_eq!(data[format!("t{t}")], json!(per_thread - 1));
    }
    let notes = history
        .iter()
        .filter(|ev| ev.kind.name() == "transitioned")
        .count();
    assert_eq!(
        notes,
        THREADS * per_thread,
        "one transition per accepted command"
    );
    count.report("every_version_is_won_by_exactly_one_command");
}

#[test]
fn one_key_from_many_threads_has_one_effect() {
    let count = &Count::default();
    let e = engine();
    for r in 0..20 * support::scale() as usize {
        let id = started(&e, format!("k{r}"));
        let cmd = Command::fire(&agent(1), "note")
            .with_payload(json!({"paid": r}))
            .with_key("pay-once");
        let barrier = Barrier::new(THREADS);
        let outs: Vec<Outcome> = thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|_| {
                    let (e, id, barrier, cmd) = (&e, &id, &barrier, &cmd);
                    s.spawn(move || {
                        barrier.wait();
                        for _ in 0..1_000 {
                            count.fired();
                            match e.fire(id, cmd, t0()) {
                                Ok(out) => return out,
                                Err(EngineError::Conflict { .. }) => {
                                    count.lost();
                                }
                                Err(other) => panic!("{other:?}"),
                            }
                        }
                        panic!("never settled");
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let fresh: Vec<&Outcome> = outs.iter().filter(|o| !o.replayed).collect();
        assert_eq!(fresh.len(), 1, "round {r}: exactly one effect");
        assert!(
            outs.iter().all(|o| o.events == fresh[0].events),
            "retries return the original events"
        );
        let history = check_history(&e, &id);
        let paid = history
            .iter()
            .filter(|ev| matches!(&ev.kind, EventKind::Transitioned { payload, .. } if payload["paid"] == r))
            .count();
        assert_eq!(paid, 1);
    }
    count.report("one_key_from_many_threads_has_one_effect");
}

#[test]
fn concurrent_starts_create_once() {
    let e = engine();
    for r in 0..20 {
        let id = InstanceId::from(format!("s{r}"));
        let barrier = Barrier::new(THREADS);
        let results: Vec<Result<Outcome, EngineError>> = thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|t| {
                    let (e, id, barrier) = (&e, &id, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        e.start("race", id.clone(), &agent(t), json!({ "by": t }), t0())
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok: Vec<&Outcome> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(ok.len(), 1, "one creation");
        for res in &results {
            assert!(
                matches!(res, Ok(_) | Err(EngineError::Conflict { expected: 0, .. })),
                "{res:?}"
            );
        }
        let history = check_history(&e, &id);
        assert_eq!(history, ok[0].events);
    }
}

#[test]
fn handle_due_racing_commands_handles_each_step_once() {
    let count = &Count::default();
    // Each thread keeps its own clock, as several nodes would, up to 90 minutes apart: the
    // engine accepts a `now` that far behind an instance's last event (time only moves
    // forward per instance; within the tolerance it is recorded at the last event's time).
    let e = engine().clock_tolerance(TimeDelta::minutes(90));
    let ids: Vec<InstanceId> = (0..6).map(|i| InstanceId::from(format!("d{i}"))).collect();
    for id in &ids {
        started(&e, id.clone());
    }
    let steps = 30;
    let barrier = Barrier::new(THREADS);
    let due_calls = AtomicU64::new(0);
    thread::scope(|s| {
        for t in 0..THREADS {
            let (e, ids, barrier, due_calls) = (&e, &ids, &barrier, &due_calls);
            s.spawn(move || {
                barrier.wait();
                for i in 0..steps {
                    let now = t0() + TimeDelta::minutes(i64::try_from(i * 3).unwrap());
                    if t < 3 {
                        // Deadline handlers, all at once.
                        let report = e.handle_due(now).unwrap();
                        due_calls.fetch_add(1, Ordering::Relaxed);
                        for (id, events) in &report.handled {
                            let h = e.history(id).unwrap();
                            for ev in events {
                                assert_eq!(&h[usize::try_from(ev.seq).unwrap() - 1], ev);
                            }
                        }
                    } else {
                        let id = &ids[(t + i) % ids.len()];
                        let cmd = Command::fire(&agent(t), "note").with_payload(json!({ "i": i }));
                        count.fired();
                        match e.fire(id, &cmd, now) {
                            Ok(_) => {}
                            Err(EngineError::Conflict { .. }) => {
                                count.lost();
                            }
                            Err(other) => panic!("{other:?}"),
                        }
                    }
                }
            });
        }
    });
    let end = t0() + TimeDelta::minutes(i64::try_from(steps * 3).unwrap());
    e.handle_due(end).unwrap();
    assert!(e.handle_due(end).unwrap().handled.is_empty(), "settled");
    let mut due = BTreeSet::new();
    for id in &ids {
        let history = check_history(&e, id);
        let count = |name: &str| history.iter().filter(|ev| ev.kind.name() == name).count();
        assert_eq!(count("deadline_started"), 1);
        assert_eq!(count("deadline_warned"), 1, "`{id}`: warned once");
        assert_eq!(count("deadline_breached"), 1, "`{id}`: breached once");
        assert_eq!(count("escalated"), 2, "`{id}`: each rung once");
        if let Some(t) = e.load(id).unwrap().next_due() {
            due.insert((t, id.clone()));
        }
    }
    assert_eq!(e.store().next_due().unwrap(), due.first().cloned());
    assert!(due_calls.load(Ordering::Relaxed) > 0);
    count.report("handle_due_racing_commands_handles_each_step_once");
}
