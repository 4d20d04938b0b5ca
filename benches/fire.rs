//! Fire one transition of the steady-state loop (submit / reject) of the bench ticket:
//!
//! - `baseline`: hand-written enum/match, same role check and guards, no audit;
//! - `statig`: the same machine in statig 0.4 (the peer), no audit;
//! - `checks`: `aftersales::check` (state, role mask, candidates, two guards on the typed data
//!   view; no event, no new snapshot);
//! - `core`: `decide` (role check, two guards, the audit event, applied to a new snapshot);
//! - `engine`: `Engine` + `InMemoryStore` (load, idempotency look-up, decide, commit with
//!   optimistic concurrency), each command with a fresh idempotency key;
//! - `engine_nokey`: the same without an idempotency key.
//!
//! Over 1 instance, 100,000 and 1,000,000 open instances visited in shuffled order. Ratios to
//! the baseline are printed at the end, from this run's medians.
//!
//! Steady state: before each function is measured, every one of its instances has fired
//! [`ticket::WARM_ROUNDS`] (10) loop transitions in a warm-up pass outside the timed region
//! (for `engine`, each with a fresh idempotency key, so the store's per-instance key tables
//! are warm too). Without it, at 1M open instances a measurement of a few 100,000 iterations
//! visits every instance at most once, on a snapshot whose `fired_by` and a store entry
//! whose history and key table are still growing from their first allocation. The warm-up
//! adds 10 events per instance to the store (≈ +3.5 GB at 1M) and ≈ 1.5 min at 1M.
//!
//! Run: `cargo bench --bench fire` (add `-- fire/1M` for one size).
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup may panic"
)]

#[path = "support/mod.rs"]
mod support;

use aftersales::{Command, InstanceId};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};
use support::{Cursor, baseline, peer, report, ticket};

const SIZES: [(usize, &str); 3] = [
    (1, "fire/1"),
    (100_000, "fire/100k"),
    (1_000_000, "fire/1M"),
];
const FUNCTIONS: [&str; 6] = [
    "baseline",
    "statig",
    "checks",
    "core",
    "engine",
    "engine_nokey",
];
/// Commands with keys are built in chunks outside the timed loop.
const CHUNK: u64 = 4096;

fn fire(c: &mut Criterion) {
    report::begin();
    let def = ticket::definition(false);
    let a = ticket::Actors::new();
    let now = ticket::t0() + chrono::TimeDelta::days(1);
    let filter_matches = |name: &str| {
        // Skip whole sizes (and their setup) that a command-line filter excludes.
        let args: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        args.is_empty()
            || args
                .iter()
                .any(|f| name.contains(f.as_str()) || f.contains(name))
    };

    for (n, group_name) in SIZES {
        if !filter_matches(group_name) {
            continue;
        }
        let mut g = c.benchmark_group(group_name);
        g.sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(3));

        {
            let mut tickets = vec![baseline::Ticket::open(); n];
            for _ in 0..ticket::WARM_ROUNDS {
                for t in &mut tickets {
                    let (action, roles) = t.step();
                    t.fire(action, roles).unwrap();
                }
            }
            let mut cur = Cursor::new(n, 1);
            g.bench_function("baseline", |b| {
                b.iter(|| {
                    let t = &mut tickets[cur.next_ix()];
                    let (action, roles) = t.step();
                    black_box(t.fire(black_box(action), black_box(roles)))
                })
            });
        }
        {
            let mut machines: Vec<_> = (0..n).map(|_| peer::open_machine()).collect();
            for _ in 0..ticket::WARM_ROUNDS {
                for m in &mut machines {
                    let e = peer::step_for(m.state());
                    m.handle(&e);
                }
            }
            let mut cur = Cursor::new(n, 1);
            g.bench_function("statig", |b| {
                b.iter(|| {
                    let m = &mut machines[cur.next_ix()];
                    let e = peer::step_for(m.state());
                    m.handle(black_box(&e));
                })
            });
            assert_eq!(machines.iter().map(|m| m.refused).sum::<u64>(), 0);
        }
        {
            let t = Instant::now();
            let mut insts = ticket::open_instances(&def, &a, n);
            ticket::warm_core(&def, &a, &mut insts, now);
            eprintln!(
                "{group_name}: {n} open instances (pure core), warmed up, in {:.1?}",
                t.elapsed()
            );
            let mut cur = Cursor::new(n, 1);
            // The checks alone: `aftersales::check` runs decide's checks (state, role mask,
            // candidates, both guards) and builds no event and no new snapshot.
            g.bench_function("checks", |b| {
                b.iter(|| {
                    let inst = &insts[cur.next_ix()];
                    let cmd = a.step_for(inst.state());
                    black_box(aftersales::check(&def, inst, cmd, now)).unwrap()
                })
            });
            let mut cur = Cursor::new(n, 1);
            g.bench_function("core", |b| {
                b.iter(|| {
                    let inst = &mut insts[cur.next_ix()];
                    black_box(ticket::core_step(&def, &a, inst, now))
                })
            });
        }
        {
            let t = Instant::now();
            let (engine, ids) = ticket::open_engine(false, &a, n);
            // Host-side knowledge of each instance's state: true = in analysis.
            let mut in_analysis = vec![true; n];
            let mut key = 0u64;
            ticket::warm_engine(&engine, &ids, &a, &mut in_analysis, Some(&mut key), now);
            eprintln!(
                "{group_name}: {n} open instances (engine), warmed up, in {:.1?}",
                t.elapsed()
            );
            let mut cur = Cursor::new(n, 1);
            g.bench_function("engine", |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    let mut left = iters;
                    while left > 0 {
                        let m = left.min(CHUNK);
                        left -= m;
                        let batch: Vec<(usize, Command)> = (0..m)
                            .map(|_| {
                                let i = cur.next_ix();
                                let cmd = ticket::engine_command(&a, &mut in_analysis, i);
                                key += 1;
                                (i, cmd.clone().with_key(format!("k{key}")))
                            })
                            .collect();
                        let start = Instant::now();
                        for (i, cmd) in &batch {
                            black_box(engine.fire(&ids[*i], cmd, now).unwrap());
                        }
                        total += start.elapsed();
                    }
                    total
                })
            });
            g.bench_function("engine_nokey", |b| {
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
            // Every command was accepted and the snapshots agree with the host's view.
            let probe: &InstanceId = &ids[0];
            let state = engine.load(probe).unwrap().state().to_owned();
            assert_eq!(state == "analysis", in_analysis[0]);
            let t = Instant::now();
            drop(engine);
            eprintln!("{group_name}: engine dropped in {:.1?}", t.elapsed());
        }
        g.finish();
    }

    println!("\n## fire: one steady-state transition (ratios from this run)");
    for (n, group_name) in SIZES {
        if !filter_matches(group_name) {
            continue;
        }
        let per_sec = |ns: f64| format!("{:.0} /s", 1e9 / ns);
        report::table(group_name, Some("baseline"), &FUNCTIONS, Some(&per_sec));
        report::target(group_name, "core", 100.0);
        if let Some(base) = report::median_ns(group_name, "baseline") {
            report::target(group_name, "checks", 5.0 * base);
        }
        if n == 1_000_000 {
            report::target(group_name, "engine", 1000.0);
        }
    }
}

criterion_group!(benches, fire);
criterion_main!(benches);
