//! Deadline benches: the next-due query and `handle_due` over 1,000,000 open deadlines.
//! Run: `cargo bench --bench deadlines`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // criterion macros; bench setup may panic

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::json;
use std::hint::black_box;
use std::time::{Duration, Instant};

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
        .build(&Registry::new())
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
    let mut now = first_due;
    g.bench_function("handle_due/10 due/1M open", |b| {
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                now += TimeDelta::milliseconds(10);
                black_box(engine.handle_due(now).unwrap());
            }
            start.elapsed()
        })
    });
    g.finish();

    let def = definition();
    let desk = Actor::new("d", ["desk"]);
    let fresh = decide::start(&def, "x".into(), &desk, json!({}), t0)
        .unwrap()
        .instance;
    c.bench_function("deadlines/pure handle_due one escalation", |b| {
        b.iter(|| black_box(deadline::handle_due(&def, &fresh, first_due).unwrap()))
    });
}

criterion_group!(benches, deadlines);
criterion_main!(benches);
