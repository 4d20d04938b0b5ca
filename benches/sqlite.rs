//! SQLite store benches: commits per second with `synchronous = FULL` vs `NORMAL` (WAL mode,
//! a database file under the system temp dir), against a raw floor measured in the same run:
//!
//! - `raw create` / `raw transition`: the bytes a commit writes, approximately — its
//!   snapshot and each of its events serialized with `serde_json` (as `SqliteStore` does),
//!   one line each — appended to a plain file in the same temp dir with `write_all`, then
//!   `File::sync_data` (fdatasync) per commit. Serialization is inside the timing (the store
//!   serializes too). `raw create` writes the commits of `commit create` (a new instance: 1
//!   event + snapshot), `raw transition` those of the transition `engine fire` decides (2
//!   events + snapshot); both are made outside the timing;
//! - `commit create/synchronous=…`: `Store::commit` of a new instance;
//! - `engine fire/synchronous=…`: `Engine::fire` (load, decide, commit) of that transition.
//!
//! The ratios to the raw floor are printed at the end, from this run's medians: with `FULL`
//! both sides wait for one sync of the disk per commit.
//!
//! The hash chain's share of the commit path, in the same run:
//!
//! - `chain hash/one event`: `Event::hash` of the transition's `transitioned` event
//!   (canonical JSON + SHA-256), and its two parts: `chain canonical/one event`
//!   (`Event::canonical`) and `chain sha256/one event` (`Digest::of_bytes` of those bytes);
//! - `chain link/transition`: `Commit::linked` of that transition (its events — `transitioned`
//!   and `deadline_started` — hashed and linked, the snapshot's chain head set): the work
//!   hashing adds to every commit of it;
//! - `engine fire/in memory`: `Engine::fire` of the same transition over `InMemoryStore`
//!   (load, decide, link, commit), beside `engine fire/synchronous=…` over SQLite.
//!
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
const CHAIN_HASH: &str = "chain hash/one event";
const CHAIN_LINK: &str = "chain link/transition";
const CHAIN_CANONICAL: &str = "chain canonical/one event";
const CHAIN_SHA256: &str = "chain sha256/one event";
const ENGINE_MEMORY: &str = "engine fire/in memory";

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
    Commit::linked(d.instance, d.events, Digest::ZERO, 0, None)
}

/// The commit of the transition `engine fire` measures (`begin` on a new instance).
fn transition_commit(def: &Definition, desk: &Actor, id: String, t0: DateTime<Utc>) -> Commit {
    let created = create_commit(def, desk, id, t0);
    let at = t0 + TimeDelta::seconds(1);
    let d = aftersales::decide(def, &created.instance, &Command::fire(desk, "begin"), at).unwrap();
    let head = created.instance.chain_head().unwrap();
    Commit::linked(d.instance, d.events, head, created.instance.version(), None)
}

/// The transition's decision, unlinked, and the chain head it links after.
fn transition_decision(
    def: &Definition,
    desk: &Actor,
    t0: DateTime<Utc>,
) -> (Decision, Digest, u64) {
    let created = create_commit(def, desk, "link".into(), t0);
    let at = t0 + TimeDelta::seconds(1);
    let d = aftersales::decide(def, &created.instance, &Command::fire(desk, "begin"), at).unwrap();
    (
        d,
        created.instance.chain_head().unwrap(),
        created.instance.version(),
    )
}

/// The hash chain's cost alone, and `Engine::fire` of the same transition in memory.
fn chain_and_memory(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    def: &Arc<Definition>,
    desk: &Actor,
    t0: DateTime<Utc>,
) {
    let (decision, head, version) = transition_decision(def, desk, t0);
    println!(
        "the transition `engine fire` measures appends {} events",
        decision.events.len()
    );
    let linked = Commit::linked(
        decision.instance.clone(),
        decision.events.clone(),
        head,
        version,
        None,
    );
    let event = linked.events[0].clone();
    g.bench_function(CHAIN_HASH, |b| {
        b.iter(|| std::hint::black_box(&event).hash())
    });
    let bytes = event.canonical();
    println!(
        "canonical encoding of the `transitioned` event: {} B",
        bytes.len()
    );
    g.bench_function(CHAIN_CANONICAL, |b| {
        b.iter(|| std::hint::black_box(&event).canonical())
    });
    g.bench_function(CHAIN_SHA256, |b| {
        b.iter(|| Digest::of_bytes(std::hint::black_box(&bytes)))
    });
    g.bench_function(CHAIN_LINK, |b| {
        b.iter_batched(
            || (decision.instance.clone(), decision.events.clone()),
            |(instance, events)| Commit::linked(instance, events, head, version, None),
            BatchSize::SmallInput,
        )
    });
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(Arc::clone(def)).unwrap();
    let mut m = 0u64;
    g.bench_function(ENGINE_MEMORY, |b| {
        b.iter_custom(|iters| {
            let first = m;
            for _ in 0..iters {
                m += 1;
                engine
                    .start("bench", format!("m{m}"), desk, json!({}), t0)
                    .unwrap();
            }
            let start = Instant::now();
            for i in first + 1..=m {
                let at = t0 + TimeDelta::seconds(1);
                engine
                    .fire(&format!("m{i}").into(), &Command::fire(desk, "begin"), at)
                    .unwrap();
            }
            start.elapsed()
        })
    });
    if m > 0 {
        // What was measured verifies (skipped when a filter left the function out).
        engine.verify(&InstanceId::from("m1")).unwrap();
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
    chain_and_memory(&mut g, &def, &desk, t0);
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

        // Engine::fire: load + decide + commit of a transition (2 events, snapshot, due-index
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
    println!(
        "\n## sqlite: the hash chain's share of the commit path (linking the transition's \
         events, from this run's medians)\n"
    );
    println!("| bench | median | linking's share |");
    println!("|---|---:|---:|");
    let link = report::median_ns("sqlite", CHAIN_LINK);
    for f in [
        CHAIN_CANONICAL,
        CHAIN_SHA256,
        CHAIN_HASH,
        CHAIN_LINK,
        ENGINE_MEMORY,
        "engine fire/synchronous=NORMAL",
        "engine fire/synchronous=FULL",
    ] {
        let Some(m) = report::median_ns("sqlite", f) else {
            println!("| {f} | (not run) | |");
            continue;
        };
        let share = link.map_or_else(|| "-".to_owned(), |l| format!("{:.1} %", 100.0 * l / m));
        println!("| {f} | {} | {share} |", report::fmt_ns(m));
    }
}

criterion_group!(benches, sqlite);
criterion_main!(benches);
