//! Fire one transition of the steady-state loop (submit / reject) of the bench ticket:
//!
//! - `baseline`: hand-written enum/match, same role check and guards, no audit;
//! - `statig`: the same machine in statig 0.4 (the peer), no audit;
//! - `core`: `decide` (role check, two guards, the audit event, applied to a new snapshot);
//! - `engine`: `Engine` + `InMemoryStore` (load, idempotency look-up, decide, commit with
//!   optimistic concurrency), each command with a fresh idempotency key;
//! - `engine_nokey`: the same without an idempotency key.
//!
//! Over 1 instance, 100,000 and 1,000,000 open instances visited in shuffled order. Ratios to
//! the baseline are printed at the end, from this run's medians.
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

use aftersales::{Command, InstanceId, decide};
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::{Duration, Instant};
use support::{Cursor, baseline, peer, report, ticket};

const SIZES: [(usize, &str); 3] = [
    (1, "fire/1"),
    (100_000, "fire/100k"),
    (1_000_000, "fire/1M"),
];
const FUNCTIONS: [&str; 5] = ["baseline", "statig", "core", "engine", "engine_nokey"];
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
            eprintln!(
                "{group_name}: {n} open instances (pure core) in {:.1?}",
                t.elapsed()
            );
            let mut cur = Cursor::new(n, 1);
            g.bench_function("core", |b| {
                b.iter(|| {
                    let inst = &mut insts[cur.next_ix()];
                    let cmd = a.step_for(inst.state());
                    let d = decide::decide(&def, inst, cmd, now).unwrap();
                    *inst = d.instance;
                    black_box(d.events)
                })
            });
        }
        {
            let t = Instant::now();
            let (engine, ids) = ticket::open_engine(false, &a, n);
            eprintln!(
                "{group_name}: {n} open instances (engine) in {:.1?}",
                t.elapsed()
            );
            let mut cur = Cursor::new(n, 1);
            // Host-side knowledge of each instance's state: true = in analysis.
            let mut in_analysis = vec![true; n];
            let mut key = 0u64;
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
                                let cmd = if in_analysis[i] { &a.submit } else { &a.reject };
                                in_analysis[i] = !in_analysis[i];
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
                    let cmd = if in_analysis[i] { &a.submit } else { &a.reject };
                    in_analysis[i] = !in_analysis[i];
                    black_box(engine.fire(&ids[i], cmd, now).unwrap())
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
        if n == 1_000_000 {
            report::target(group_name, "engine", 1000.0);
        }
    }
}

criterion_group!(benches, fire);
criterion_main!(benches);
