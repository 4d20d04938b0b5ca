//! SQLite store benches: commits per second with `synchronous = FULL` vs `NORMAL` (WAL mode,
//! a database file under the system temp dir).
//! Run: `cargo bench --bench sqlite --features sqlite`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // criterion macros; bench setup may panic

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

fn definition() -> Definition {
    Builder::new("bench", 1)
        .roles(["desk"])
        .start_roles(["desk"])
        .initial("open")
        .normal("working")
        .terminal("closed")
        .transition("open", "begin", "working", |t| t.roles(["desk"]))
        .transition("working", "close", "closed", |t| t.roles(["desk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::WorkingHours(4),
        ))
        .build(&Registry::new())
        .unwrap()
}

/// A database file removed (with its WAL side files) on drop.
struct TempDb(PathBuf);

impl TempDb {
    fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        TempDb(std::env::temp_dir().join(format!(
            "aftersales-bench-{tag}-{}-{nanos}.sqlite",
            std::process::id()
        )))
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn sqlite(c: &mut Criterion) {
    let def = Arc::new(definition());
    let desk = Actor::new("d", ["desk"]);
    let t0: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap();

    let mut g = c.benchmark_group("sqlite");
    g.throughput(Throughput::Elements(1))
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));
    for (name, synchronous) in [("FULL", Synchronous::Full), ("NORMAL", Synchronous::Normal)] {
        let db = TempDb::new(name);
        let options = SqliteOptions {
            synchronous,
            ..SqliteOptions::default()
        };

        // Store::commit alone: one transaction creating an instance (1 event + snapshot).
        let store = SqliteStore::open_with(&db.0, options).unwrap();
        let mut n = 0u64;
        g.bench_function(format!("commit create/synchronous={name}"), |b| {
            b.iter_batched(
                || {
                    n += 1;
                    let d =
                        decide::start(&def, format!("c{n}").into(), &desk, json!({}), t0).unwrap();
                    Commit {
                        instance: d.instance,
                        events: d.events,
                        expected_version: 0,
                        idempotency: None,
                    }
                },
                |commit| store.commit(&commit).unwrap(),
                BatchSize::SmallInput,
            )
        });
        drop(store);

        // Engine::fire: load + decide + commit of a transition (3 events, snapshot, due-index
        // entry) on an existing instance; the instances are created outside the timing.
        let mut engine = Engine::new(SqliteStore::open_with(&db.0, options).unwrap());
        engine.register(Arc::clone(&def)).unwrap();
        let mut m = 0u64;
        g.bench_function(format!("engine fire/synchronous={name}"), |b| {
            b.iter_custom(|iters| {
                let first = m;
                for _ in 0..iters {
                    m += 1;
                    engine
                        .start("bench", format!("f{m}"), &desk, json!({}), t0)
                        .unwrap();
                }
                let start = Instant::now();
                for i in first + 1..=m {
                    let at = t0 + TimeDelta::seconds(1);
                    engine
                        .fire(&format!("f{i}").into(), &Command::fire(&desk, "begin"), at)
                        .unwrap();
                }
                start.elapsed()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, sqlite);
criterion_main!(benches);
