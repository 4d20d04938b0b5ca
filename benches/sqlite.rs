//! SQLite store benches: commits per second with `synchronous = FULL` vs `NORMAL` (WAL mode,
//! a database file under the system temp dir), against a raw floor measured in the same run:
//!
//! - `raw create` / `raw transition`: the bytes a commit writes, approximately — its
//!   snapshot and each of its events serialized with `serde_json` (as `SqliteStore` does),
//!   one line each — appended to a plain file in the same temp dir with `write_all`, then
//!   `File::sync_data` (fdatasync) per commit. Serialization is inside the timing (the store
//!   serializes too). `raw create` writes the commits of `commit create` (a new instance: 1
//!   event + snapshot), `raw transition` those of the transition `engine fire` decides (3
//!   events + snapshot); both are made outside the timing;
//! - `commit create/synchronous=…`: `Store::commit` of a new instance;
//! - `engine fire/synchronous=…`: `Engine::fire` (load, decide, commit) of that transition.
//!
//! The ratios to the raw floor are printed at the end, from this run's medians: with `FULL`
//! both sides wait for one sync of the disk per commit.
//! Run: `cargo bench --bench sqlite --features sqlite`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // criterion macros; bench setup may panic

#[path = "support/mod.rs"]
mod support;

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;
use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::report;

const RAW_CREATE: &str = "raw create/write_all+fdatasync";
const RAW_TRANSITION: &str = "raw transition/write_all+fdatasync";

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
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
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

/// Makes a commit for instance `id` (outside the timed region).
type MakeCommit = fn(&Definition, &Actor, String, DateTime<Utc>) -> Commit;

/// The commit of a new instance `id`: its `created` event and snapshot.
fn create_commit(def: &Definition, desk: &Actor, id: String, t0: DateTime<Utc>) -> Commit {
    let d = aftersales::start(def, id.into(), desk, json!({}), t0).unwrap();
    Commit {
        instance: d.instance.into(),
        events: d.events,
        expected_version: 0,
        idempotency: None,
        outbox: false,
    }
}

/// The commit of the transition `engine fire` measures (`begin` on a new instance).
fn transition_commit(def: &Definition, desk: &Actor, id: String, t0: DateTime<Utc>) -> Commit {
    let created = create_commit(def, desk, id, t0);
    let at = t0 + TimeDelta::seconds(1);
    let d = aftersales::decide(def, &created.instance, &Command::fire(desk, "begin"), at).unwrap();
    Commit {
        instance: d.instance.into(),
        events: d.events,
        expected_version: created.instance.version(),
        idempotency: None,
        outbox: false,
    }
}

/// The bytes of `commit` as the raw floor writes them: the snapshot and each event as JSON,
/// one line each.
fn raw_bytes(commit: &Commit) -> Vec<u8> {
    let mut out = serde_json::to_vec(&commit.instance).unwrap();
    out.push(b'\n');
    for e in &commit.events {
        serde_json::to_writer(&mut out, e).unwrap();
        out.push(b'\n');
    }
    out
}

/// The raw floor of one durable commit: serialize, append, fdatasync.
fn raw_commit(file: &mut File, commit: &Commit) {
    file.write_all(&raw_bytes(commit)).unwrap();
    file.sync_data().unwrap();
}

fn sqlite(c: &mut Criterion) {
    report::begin();
    let def = Arc::new(definition());
    let desk = Actor::new("d", ["desk"]);
    let t0: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap();
    let sizes = [
        raw_bytes(&create_commit(&def, &desk, "c1".into(), t0)).len(),
        raw_bytes(&transition_commit(&def, &desk, "f1".into(), t0)).len(),
    ];

    let mut g = c.benchmark_group("sqlite");
    g.throughput(Throughput::Elements(1))
        .sample_size(20)
        .measurement_time(Duration::from_secs(3));

    // The raw floor: a plain file in the same directory as the databases.
    let raw = TempDb::new("raw");
    let mut file = File::create(&raw.0).unwrap();
    let mut r = 0u64;
    let makers: [(&str, MakeCommit); 2] = [
        (RAW_CREATE, create_commit),
        (RAW_TRANSITION, transition_commit),
    ];
    for (name, make) in makers {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    r += 1;
                    make(&def, &desk, format!("r{r}"), t0)
                },
                |commit| raw_commit(&mut file, &commit),
                BatchSize::SmallInput,
            )
        });
    }
    drop(file);
    drop(raw);
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
                    create_commit(&def, &desk, format!("c{n}"), t0)
                },
                |commit| store.commit(commit).unwrap(),
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

    println!(
        "\n## sqlite: commits against the raw floor (write_all + fdatasync per commit; \
         {} B per create commit, {} B per transition commit; ratios from this run)",
        sizes[0], sizes[1]
    );
    let per_sec = |ns: f64| format!("{:.0} /s", 1e9 / ns);
    report::table(
        "sqlite",
        Some(RAW_CREATE),
        &[
            RAW_CREATE,
            "commit create/synchronous=FULL",
            "commit create/synchronous=NORMAL",
        ],
        Some(&per_sec),
    );
    report::table(
        "sqlite",
        Some(RAW_TRANSITION),
        &[
            RAW_TRANSITION,
            "engine fire/synchronous=FULL",
            "engine fire/synchronous=NORMAL",
        ],
        Some(&per_sec),
    );
}

criterion_group!(benches, sqlite);
criterion_main!(benches);
