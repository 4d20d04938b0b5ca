//! Deadline benches: the next-due query and `handle_due` over 1,000,000 open deadlines, and
//! the cost of keeping deadlines and the due-index up to date per transition.
//! Run: `cargo bench --bench deadlines`.
//!
//! Upkeep (`deadlines/upkeep`): the bench ticket's submit/reject loop with and without a
//! running deadline (`resolve`, started by `accept`, met on `close`), through the
//! pure core (single instance) and through `Engine` + `InMemoryStore` at 1,000,000 open
//! instances. With the deadline, every commit removes and re-inserts the instance in the
//! 1,000,000-entry due-index; the difference between the two engine figures is the whole
//! upkeep, the difference between the two core figures its share inside `decide`.
//!
//! Steady state: before the upkeep loops are measured, every instance has fired
//! [`ticket::WARM_ROUNDS`] (10) loop transitions in a warm-up pass outside the timed region,
//! so the store's history vectors and the snapshots' `fired_by` are not growing from their
//! first allocation during the measurement (a measurement of a few 100,000 iterations visits
//! each of the 1,000,000 instances at most once). The warm-up adds ≈ 1 min per engine.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // criterion macros; bench setup may panic

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "support/mod.rs"]
mod support;
use support::{Cursor, report, ticket};

const OPEN: usize = 1_000_000;

fn definition() -> Definition {
    Builder::new("bench", 1)
        .roles(["desk"])
        .start_roles(["desk"])
        .initial("open")
        .normal("late")
        .terminal("closed")
        .transition("open", "close", "closed", |t| t.roles(["desk"]))
        .transition("late", "close", "closed", |t| t.roles(["desk"]))
        .deadline(
            DeadlineSpec::new(
                "answer",
                Trigger::enter("open"),
                BusinessDuration::CalendarDays(1),
            )
            .escalate(EscalationSpec::move_to("late")),
        )
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap()
}

/// An engine with `n` open instances whose deadlines fall 1 ms apart from `t0 + 1 day`.
fn populated(n: usize, t0: DateTime<Utc>) -> Engine<InMemoryStore> {
    let mut engine = Engine::new(InMemoryStore::new()).record_rejections(false);
    engine.register(definition()).unwrap();
    let desk = Actor::new("d", ["desk"]);
    for i in 0..n {
        let at = t0 + TimeDelta::milliseconds(i as i64);
        engine
            .start("bench", format!("i{i}"), &desk, json!({}), at)
            .unwrap();
    }
    engine
}

fn deadlines(c: &mut Criterion) {
    report::begin();
    let t0 = Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap();
    let engine = populated(OPEN, t0);
    let first_due = t0 + TimeDelta::days(1);

    let mut g = c.benchmark_group("deadlines");
    g.sample_size(20).measurement_time(Duration::from_secs(2));
    g.bench_function("next_due/1M open", |b| {
        b.iter(|| black_box(engine.next_due().unwrap()))
    });
    g.bench_function("handle_due/none due/1M open", |b| {
        b.iter(|| black_box(engine.handle_due(t0).unwrap()))
    });
    // Each iteration advances `now` by 10 ms: 10 instances fall due and escalate. Reported per
    // iteration (10 escalations). Supply: 1,000,000 / 10 = 100,000 iterations.
    // The supply is finite: criterion's warm-up and samples together must stay under 100,000
    // iterations, so this function runs shorter, and every iteration that found fewer than 10
    // due instances is counted: a non-zero count makes the figure invalid (it is printed).
    let mut now = first_due;
    let mut short = 0u64;
    g.warm_up_time(Duration::from_millis(100))
        .measurement_time(Duration::from_millis(700))
        .sample_size(10);
    g.bench_function("handle_due/10 due/1M open", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                now += TimeDelta::milliseconds(10);
                let report = black_box(engine.handle_due(now).unwrap());
                if report.handled.len() < 10 {
                    short += 1;
                }
            }
            start.elapsed()
        })
    });
    g.finish();
    eprintln!(
        "deadlines: handle_due/10 due: {short} iterations found fewer than 10 due instances{}",
        if short > 0 {
            " — the supply ran out: the figure is invalid"
        } else {
            ""
        }
    );

    let def = definition();
    let desk = Actor::new("d", ["desk"]);
    let fresh = aftersales::start(&def, "x".into(), &desk, json!({}), t0)
        .unwrap()
        .instance;
    c.bench_function("deadlines/pure handle_due one escalation", |b| {
        b.iter(|| black_box(aftersales::handle_due(&def, &fresh, first_due).unwrap()))
    });
    let t = Instant::now();
    drop(engine);
    eprintln!("deadlines: 1M engine dropped in {:.1?}", t.elapsed());

    upkeep(c);

    println!("\n## deadlines (from this run)");
    report::table(
        "deadlines",
        None,
        &[
            "next_due/1M open",
            "handle_due/none due/1M open",
            "handle_due/10 due/1M open",
        ],
        None,
    );
    report::target("deadlines", "next_due/1M open", 1e3);
    let names = [
        "core/no deadline",
        "core/deadline open",
        "engine/no deadline/1M",
        "engine/deadline open/1M",
    ];
    report::table("deadlines/upkeep", Some("core/no deadline"), &names, None);
    let m = |f: &str| report::median_ns("deadlines/upkeep", f);
    if let (Some(c0), Some(c1), Some(e0), Some(e1)) =
        (m(names[0]), m(names[1]), m(names[2]), m(names[3]))
    {
        println!(
            "upkeep per transition: total {} (engine difference), of which in decide {} and \
             outside it (due-index update, cloning the larger snapshot in load and commit) {} \
             (target ≤ 100 ns)",
            report::fmt_ns(e1 - e0),
            report::fmt_ns(c1 - c0),
            report::fmt_ns((e1 - e0) - (c1 - c0))
        );
    }
}

/// The submit/reject loop with and without a running deadline (see the module docs).
fn upkeep(c: &mut Criterion) {
    let a = ticket::Actors::new();
    let now = ticket::t0() + TimeDelta::days(1);
    let mut g = c.benchmark_group("deadlines/upkeep");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (with_deadline, label) in [(false, "no deadline"), (true, "deadline open")] {
        let def = ticket::definition(with_deadline);
        let mut inst = ticket::open_instance(&def, &a, "t0", ticket::t0());
        ticket::warm_core(&def, &a, std::slice::from_mut(&mut inst), now);
        assert_eq!(inst.next_due().is_some(), with_deadline);
        g.bench_function(format!("core/{label}"), |b| {
            b.iter(|| black_box(ticket::core_step(&def, &a, &mut inst, now)))
        });
    }
    for (with_deadline, label) in [(false, "no deadline"), (true, "deadline open")] {
        let t = Instant::now();
        let (engine, ids) = ticket::open_engine(with_deadline, &a, OPEN);
        let mut in_analysis = vec![true; OPEN];
        ticket::warm_engine(&engine, &ids, &a, &mut in_analysis, None, now);
        eprintln!(
            "deadlines/upkeep: {OPEN} open instances ({label}), warmed up, in {:.1?}",
            t.elapsed()
        );
        if with_deadline {
            assert!(engine.next_due().unwrap().is_some());
        }
        let mut cur = Cursor::new(OPEN, 1);
        g.bench_function(format!("engine/{label}/1M"), |b| {
            b.iter(|| {
                let i = cur.next_ix();
                black_box(ticket::engine_step(
                    &engine,
                    &ids,
                    &a,
                    &mut in_analysis,
                    i,
                    now,
                ))
            })
        });
        let t = Instant::now();
        drop(engine);
        eprintln!("deadlines/upkeep: engine dropped in {:.1?}", t.elapsed());
    }
    g.finish();
}

criterion_group!(benches, deadlines);
criterion_main!(benches);
