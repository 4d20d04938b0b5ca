//! The SQLite store (feature `sqlite`): the public conformance suite on files and in memory,
//! concurrent writers on two connections to one file, durability of the due-index across a
//! restart, schema migration from a v1 database written with raw SQL, refusal of newer and
//! foreign databases, append-only events, querying events by kind, and error mapping.
//! (Crash safety — a commit interrupted mid-way, in-process and by killing a process — is
//! tested next to the test-only fault hook, in `src/store/sqlite.rs`.)
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic
#![cfg(all(feature = "sqlite", feature = "testing"))]

use aftersales::*;
use chrono::{DateTime, TimeDelta, Utc};
use common::cast::{clerk, manager};
use common::defs::{Shape, engine_over, flow, local, on_enter};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};

/// A unique directory under the system temp dir, removed with everything in it on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "aftersales-sqlite-{tag}-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// open -begin-> working (4 working-hour deadline, escalates to `late`) -approve|reject-> done;
/// `note` loops on working.
fn definition() -> Definition {
    flow("ticket", 1, &["clerk", "manager"])
        .states("open", &["working", "late"], &["done"])
        .moves("clerk", "open -begin-> working -note-> working")
        .moves(
            "manager",
            "working -approve-> done, working -reject-> done, late -approve-> done",
        )
        .deadline(
            on_enter("answer", "working", BusinessDuration::WorkingHours(4))
                .escalate(EscalationSpec::move_to("late").and_notify(["manager"])),
        )
        .build_china()
}

/// The clerk begins work on the instance `created` made, at `at`.
fn begun(def: &Definition, created: &Decision, at: DateTime<Utc>) -> Decision {
    aftersales::decide(
        def,
        &created.instance,
        &Command::fire(&clerk(), "begin"),
        at,
    )
    .unwrap()
}

#[allow(unreachable_pub)] // the example's `pub fn run`, included here to run it as a test
#[path = "../examples/sqlite_store.rs"]
mod example;

mod common;

#[test]
fn the_example_runs_across_a_restart() {
    let text = common::example_output(example::run);
    assert!(text.contains("next due Mon 11-23 16:00"), "{text}");
    assert!(text.contains("now in supervisor_review"), "{text}");
    assert!(
        text.contains("reached closed (closed: true), nothing due: true"),
        "{text}"
    );
    assert!(
        text.contains("escalations on record (events_of_kind): 1"),
        "{text}"
    );
}

fn engine(store: SqliteStore) -> Engine<SqliteStore> {
    engine_over(store, [definition()])
}

/// The commit of `d`, linked after `base` (the committed snapshot it was decided on; `None`
/// for a new instance).
fn commit_of(d: &Decision, base: Option<&Instance>) -> Commit {
    Commit::linked(
        d.instance.clone(),
        d.events.clone(),
        base.and_then(Instance::chain_head)
            .unwrap_or(aftersales::Digest::ZERO),
        base.map_or(0, Instance::version),
        None,
    )
}

#[test]
fn sqlite_store_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SqliteStore>();
}

#[test]
fn sqlite_store_passes_the_conformance_suite_on_files() {
    let dir = TempDir::new("conformance");
    let n = AtomicUsize::new(0);
    let report = aftersales::testing::store_conformance(|| {
        let path = dir.file(&format!("s{}.sqlite", n.fetch_add(1, Ordering::Relaxed)));
        SqliteStore::open(path).unwrap()
    });
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16);
    assert_eq!(n.load(Ordering::Relaxed), 16, "a fresh file per check");
}

#[test]
fn sqlite_store_passes_the_conformance_suite_with_synchronous_normal_and_in_memory() {
    let dir = TempDir::new("conformance-normal");
    let n = AtomicUsize::new(0);
    let options = SqliteOptions {
        synchronous: Synchronous::Normal,
        ..SqliteOptions::default()
    };
    let report = aftersales::testing::store_conformance(|| {
        let path = dir.file(&format!("s{}.sqlite", n.fetch_add(1, Ordering::Relaxed)));
        SqliteStore::open_with(path, options).unwrap()
    });
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16);

    let report = aftersales::testing::store_conformance(|| SqliteStore::open_in_memory().unwrap());
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16);
}

#[test]
fn two_connections_to_one_file_exactly_one_conflicting_commit_wins() {
    let dir = TempDir::new("concurrent");
    let path = dir.file("shared.sqlite");
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open(&path).unwrap();
    let def = definition();
    let t0 = local(2026, 11, 20, 10, 0);
    for round in 0..20 {
        let id = InstanceId::from(format!("c{round}"));
        let created = aftersales::start(&def, id.clone(), &clerk(), json!({}), t0).unwrap();
        let c0 = commit_of(&created, None);
        a.commit(c0.clone()).unwrap();
        let begun =
            aftersales::decide(&def, &c0.instance, &Command::fire(&clerk(), "begin"), t0).unwrap();
        b.commit(commit_of(&begun, Some(&c0.instance))).unwrap();
        // Both writers read the same version through their own connection...
        let read_a = a.load(&id).unwrap().unwrap();
        let read_b = b.load(&id).unwrap().unwrap();
        assert_eq!(read_a, read_b);
        let v = read_a.version();
        let approve =
            aftersales::decide(&def, &read_a, &Command::fire(&manager(), "approve"), t0).unwrap();
        let reject =
            aftersales::decide(&def, &read_b, &Command::fire(&manager(), "reject"), t0).unwrap();
        let (approve, reject) = (
            commit_of(&approve, Some(&read_a)),
            commit_of(&reject, Some(&read_b)),
        );
        // ...and commit at the same moment from two threads.
        let barrier = Barrier::new(2);
        let (ra, rb) = std::thread::scope(|s| {
            let ha = s.spawn(|| {
                barrier.wait();
                a.commit(approve.clone())
            });
            let hb = s.spawn(|| {
                barrier.wait();
                b.commit(reject.clone())
            });
            (ha.join().unwrap(), hb.join().unwrap())
        });
        let (winner, loser) = match (&ra, &rb) {
            (Ok(()), Err(e)) => (&approve, e),
            (Err(e), Ok(())) => (&reject, e),
            other => panic!("round {round}: exactly one commit must win, got {other:?}"),
        };
        assert_eq!(
            loser,
            &StoreError::Conflict {
                instance: id.clone(),
                expected: v,
                actual: winner.instance.version(),
            }
        );
        // Both connections see the winner, whole, and nothing of the loser.
        for store in [&a, &b] {
            assert_eq!(store.load(&id).unwrap().as_ref(), Some(&winner.instance));
            let history = store.events(&id, 0).unwrap();
            assert_eq!(history.len() as u64, winner.instance.version());
            winner.instance.verify(&history).unwrap();
        }
    }
}

#[test]
fn engines_on_two_connections_retrying_on_conflict_lose_no_command() {
    let dir = TempDir::new("retry");
    let path = dir.file("shared.sqlite");
    let t0 = local(2026, 11, 20, 10, 0);
    let first = engine(SqliteStore::open(&path).unwrap());
    let id = InstanceId::from("busy");
    first
        .start("ticket", id.clone(), &clerk(), json!({}), t0)
        .unwrap();
    first
        .fire(&id, &Command::fire(&clerk(), "begin"), t0)
        .unwrap();
    let engines = [
        Arc::new(first),
        Arc::new(engine(SqliteStore::open(&path).unwrap())),
    ];
    const PER_THREAD: usize = 15;
    std::thread::scope(|s| {
        for t in 0..4 {
            let e = engines[t % 2].clone();
            let id = &id;
            s.spawn(move || {
                for _ in 0..PER_THREAD {
                    loop {
                        match e.fire(id, &Command::fire(&clerk(), "note"), t0) {
                            Ok(_) => break,
                            Err(EngineError::Conflict { .. }) => {} // reload and retry
                            Err(other) => panic!("{other}"),
                        }
                    }
                }
            });
        }
    });
    let notes = engines[1]
        .store()
        .events_of_kind("transitioned")
        .unwrap()
        .into_iter()
        .filter(|e| matches!(&e.kind, EventKind::Transitioned { action, .. } if action == "note"))
        .count();
    assert_eq!(notes, 4 * PER_THREAD, "every retried command landed once");
    engines[0].verify(&id).unwrap();
    engines[1].verify(&id).unwrap();
}

#[test]
fn a_restarted_host_finds_what_is_due_and_continues() {
    let dir = TempDir::new("restart");
    let path = dir.file("restart.sqlite");
    let id = InstanceId::from("T-1");
    let fri_4pm = local(2026, 11, 20, 16, 0);
    {
        let e = engine(SqliteStore::open(&path).unwrap());
        e.start("ticket", id.clone(), &clerk(), json!({"n": 1}), fri_4pm)
            .unwrap();
        e.fire(
            &id,
            &Command::fire(&clerk(), "begin").with_key("begin-1"),
            fri_4pm,
        )
        .unwrap();
    } // the host stops
    let e = engine(SqliteStore::open(&path).unwrap());
    // Friday 16:00 + 4 working hours = Monday 11:00.
    let due = local(2026, 11, 23, 11, 0);
    // The host's timer wakes when the breach is real, one nanosecond after the limit.
    let late = breach_instant(due);
    assert_eq!(e.next_due().unwrap(), Some(late));
    assert_eq!(e.store().next_due().unwrap(), Some((late, id.clone())));
    assert!(e.handle_due(due).unwrap().handled.is_empty());
    assert!(
        e.handle_due(due - TimeDelta::minutes(1))
            .unwrap()
            .handled
            .is_empty()
    );
    let report = e.handle_due(late).unwrap();
    assert_eq!(report.handled.len(), 1);
    assert_eq!(e.load(&id).unwrap().state(), "late");
    assert_eq!(e.next_due().unwrap(), None);
    // The idempotency key survived the restart: the retry replays, appends nothing.
    let v = e.load(&id).unwrap().version();
    let retry = e
        .fire(
            &id,
            &Command::fire(&clerk(), "begin").with_key("begin-1"),
            late,
        )
        .unwrap();
    assert!(retry.replayed);
    assert_eq!(e.load(&id).unwrap().version(), v);
    e.fire(&id, &Command::fire(&manager(), "approve"), late)
        .unwrap();
    assert!(e.load(&id).unwrap().is_closed());
    assert_eq!(
        e.store().list_by_state("ticket", "done").unwrap(),
        vec![id.clone()]
    );
    assert_eq!(e.store().events_of_kind("escalated").unwrap().len(), 1);
    e.verify(&id).unwrap();
}

/// The v1 schema exactly as version 1 of the store wrote it (frozen here on purpose: this
/// is what databases in the field look like).
const SCHEMA_V1: &str = "
    CREATE TABLE instances (
        id             TEXT    NOT NULL PRIMARY KEY,
        definition     TEXT    NOT NULL,
        state          TEXT    NOT NULL,
        version        INTEGER NOT NULL CHECK (version >= 1),
        next_due       INTEGER,
        next_due_nanos INTEGER,
        snapshot       TEXT    NOT NULL
    );
    CREATE INDEX instances_by_state ON instances (definition, state, id);
    CREATE INDEX instances_by_due ON instances (next_due, next_due_nanos, id)
        WHERE next_due IS NOT NULL;
    CREATE TABLE events (
        instance TEXT    NOT NULL,
        seq      INTEGER NOT NULL CHECK (seq >= 1),
        body     TEXT    NOT NULL,
        PRIMARY KEY (instance, seq)
    );
    CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    CREATE TABLE idempotency (
        instance    TEXT    NOT NULL,
        key         TEXT    NOT NULL,
        fingerprint INTEGER NOT NULL,
        first_seq   INTEGER NOT NULL,
        last_seq    INTEGER NOT NULL,
        PRIMARY KEY (instance, key)
    );
    PRAGMA user_version = 1;
";

/// Write `decisions` of one instance into a v1 database with raw SQL.
fn write_v1(conn: &rusqlite::Connection, decisions: &[&Decision]) {
    for d in decisions {
        for e in &d.events {
            conn.execute(
                "INSERT INTO events (instance, seq, body) VALUES (?1, ?2, ?3)",
                rusqlite::params![
                    e.instance.as_str(),
                    e.seq as i64,
                    serde_json::to_string(e).unwrap()
                ],
            )
            .unwrap();
        }
    }
    let snap = &decisions.last().unwrap().instance;
    let due = snap.next_due();
    conn.execute(
        "INSERT OR REPLACE INTO instances
             (id, definition, state, version, next_due, next_due_nanos, snapshot)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            snap.id().as_str(),
            snap.definition().as_str(),
            snap.state().as_str(),
            snap.version() as i64,
            due.map(|d| d.timestamp()),
            due.map(|d| i64::from(d.timestamp_subsec_nanos())),
            serde_json::to_string(snap).unwrap()
        ],
    )
    .unwrap();
}

#[test]
fn a_v1_database_written_with_raw_sql_opens_migrates_and_keeps_its_data() {
    let dir = TempDir::new("migrate");
    let path = dir.file("v1.sqlite");
    let def = definition();
    let fri_4pm = local(2026, 11, 20, 16, 0);
    let a0 = aftersales::start(&def, "A".into(), &clerk(), json!({"n": 1}), fri_4pm).unwrap();
    let a1 = begun(&def, &a0, fri_4pm);
    let b0 = aftersales::start(&def, "B".into(), &clerk(), json!({}), fri_4pm).unwrap();
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(SCHEMA_V1).unwrap();
        write_v1(&conn, &[&a0, &a1]);
        write_v1(&conn, &[&b0]);
        conn.execute(
            "INSERT INTO idempotency VALUES ('A', 'k-1', -3, 2, ?1)",
            [a1.instance.version() as i64],
        )
        .unwrap();
    }

    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SqliteStore::SCHEMA_VERSION);
    assert_eq!(SqliteStore::SCHEMA_VERSION, 4);
    // Everything v1 held reads back the same.
    let a = InstanceId::from("A");
    assert_eq!(store.load(&a).unwrap().as_deref(), Some(&a1.instance));
    let mut history = a0.events.clone();
    history.extend(a1.events.iter().cloned());
    assert_eq!(store.events(&a, 0).unwrap(), history);
    assert_eq!(
        store.idempotency(&a, "k-1").unwrap(),
        Some(IdempotencyRecord {
            key: "k-1".into(),
            fingerprint: u64::MAX - 2,
            first_seq: 2,
            last_seq: a1.instance.version(),
        })
    );
    assert_eq!(
        store.next_due().unwrap(),
        Some((a1.instance.next_due().unwrap(), a.clone()))
    );
    assert_eq!(store.list("ticket").unwrap(), vec![a.clone(), "B".into()]);
    assert_eq!(
        store.list_by_state("ticket", "working").unwrap(),
        vec![a.clone()]
    );
    // v2's column covers the rows v1 wrote.
    let created = store.events_of_kind("created").unwrap();
    assert_eq!(created, vec![a0.events[0].clone(), b0.events[0].clone()]);
    let started = store.events_of_kind("deadline_started").unwrap();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].instance, a);
    drop(store);

    // The migrated database works on: an engine continues the instance and it verifies.
    let e = engine(SqliteStore::open(&path).unwrap());
    e.fire(&a, &Command::fire(&manager(), "approve"), fri_4pm)
        .unwrap();
    e.verify(&a).unwrap();
    e.verify(&"B".into()).unwrap();
    assert_eq!(e.store().events_of_kind("closed").unwrap().len(), 1);
    // v3: the events v1 wrote have no hash and read as unchained; the first event committed
    // after them links to the hash of the last of them, and every new one is chained.
    let chained = e.store().chained_events(&a, 0).unwrap();
    let old = history.len();
    assert!(
        chained[..old]
            .iter()
            .all(|c| c.hash.is_none() && c.event.prev.is_none())
    );
    assert_eq!(chained[old].event.prev, Some(history[old - 1].hash()));
    assert!(
        chained[old..]
            .iter()
            .all(|c| c.hash == Some(c.event.hash()))
    );
    assert_eq!(
        verify_chained(&chained),
        Ok(chained.last().unwrap().event.hash())
    );
    assert_eq!(
        e.load(&a).unwrap().chain_head(),
        chained.last().unwrap().hash
    );
    // B was never touched: its anchor head is the hash of its v1 event as read.
    let anchor = e.anchor().unwrap();
    let b_head = anchor.head(&"B".into()).unwrap();
    assert_eq!((b_head.seq, b_head.hash), (1, b0.events[0].hash()));
    e.check_anchor(&anchor).unwrap();

    // The index is the one v2 added, and a raw connection sees the current version (4: v3
    // added the hash chain, v4 leases and the outbox).
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 4);
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT body FROM events WHERE kind = 'created'",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("events_by_kind"), "{plan}");
}

#[test]
fn a_fresh_database_is_at_the_current_schema_and_reopens() {
    let dir = TempDir::new("fresh");
    let path = dir.file("fresh.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), SqliteStore::SCHEMA_VERSION);
    assert_eq!(store.path(), path.as_path());
    drop(store);
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.schema_version().unwrap(), SqliteStore::SCHEMA_VERSION);
    let journal: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn hosts_opening_a_new_file_at_once_all_get_the_current_schema() {
    let dir = TempDir::new("race-open");
    let path = dir.file("new.sqlite");
    let barrier = Barrier::new(4);
    let stores: Vec<SqliteStore> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| {
                    barrier.wait();
                    SqliteStore::open(&path)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    for store in &stores {
        assert_eq!(store.schema_version().unwrap(), SqliteStore::SCHEMA_VERSION);
    }
    let e = engine(stores.into_iter().next().unwrap());
    e.start(
        "ticket",
        "X",
        &clerk(),
        json!({}),
        local(2026, 11, 20, 10, 0),
    )
    .unwrap();
    e.verify(&"X".into()).unwrap();
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[test]
fn a_database_from_a_newer_schema_is_refused_and_left_untouched() {
    let dir = TempDir::new("newer");
    let path = dir.file("newer.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let newer = SqliteStore::SCHEMA_VERSION + 1;
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert_eq!(
        err,
        SqliteOpenError::NewerSchema {
            path: path.display().to_string(),
            found: newer,
            supported: SqliteStore::SCHEMA_VERSION,
        }
    );
    assert_eq!(user_version(&path), newer);
    // Hosts using `?` into a StoreError get a backend error saying why.
    let as_store: StoreError = err.into();
    assert!(
        matches!(&as_store, StoreError::Backend { message, .. } if message.contains("newer")),
        "{as_store:?}"
    );
}

#[test]
fn a_foreign_database_is_refused_and_left_untouched() {
    let dir = TempDir::new("foreign");
    let path = dir.file("foreign.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);")
        .unwrap();
    assert!(matches!(
        SqliteStore::open(&path),
        Err(SqliteOpenError::Foreign { .. })
    ));
    let tables: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1, "no table added");
    assert_eq!(user_version(&path), 0);
}

#[test]
fn sqlite_failures_are_backend_errors_not_panics() {
    let dir = TempDir::new("errors");
    // Not a database.
    let junk = dir.file("junk.sqlite");
    std::fs::write(&junk, vec![b'x'; 4096]).unwrap();
    match SqliteStore::open(&junk) {
        Err(SqliteOpenError::Store(StoreError::Backend { message, .. })) => {
            assert!(message.contains("sqlite"), "{message}");
        }
        other => panic!("junk file opened as {other:?}"),
    }
    // A directory that does not exist.
    assert!(matches!(
        SqliteStore::open(dir.file("missing/dir/x.sqlite")),
        Err(SqliteOpenError::Store(StoreError::Backend { .. }))
    ));
    // A snapshot corrupted behind the store's back.
    let path = dir.file("corrupt.sqlite");
    let e = engine(SqliteStore::open(&path).unwrap());
    let t0 = local(2026, 11, 20, 10, 0);
    e.start("ticket", "X", &clerk(), json!({}), t0).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE instances SET snapshot = '{not json'", [])
        .unwrap();
    assert!(matches!(
        e.store().load(&"X".into()),
        Err(StoreError::Backend { .. })
    ));
    assert!(matches!(
        e.fire(&"X".into(), &Command::fire(&clerk(), "begin"), t0),
        Err(EngineError::Store(StoreError::Backend { .. }))
    ));
}

#[test]
fn events_are_append_only_in_the_database_itself() {
    let dir = TempDir::new("append-only");
    let path = dir.file("a.sqlite");
    let e = engine(SqliteStore::open(&path).unwrap());
    let t0 = local(2026, 11, 20, 10, 0);
    e.start("ticket", "X", &clerk(), json!({}), t0).unwrap();
    let history = e.history(&"X".into()).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let update = conn.execute("UPDATE events SET body = '{}'", []);
    let delete = conn.execute("DELETE FROM events", []);
    for r in [update, delete] {
        let err = r.unwrap_err().to_string();
        assert!(err.contains("append-only"), "{err}");
    }
    assert_eq!(e.history(&"X".into()).unwrap(), history);
}

#[test]
fn due_index_orders_by_instant_then_id_with_subsecond_precision() {
    let dir = TempDir::new("due");
    let store = SqliteStore::open(dir.file("due.sqlite")).unwrap();
    let def = definition();
    // Three instances entering `working` at 10:00:00.5, 10:00:00.25 and 10:00:00.25.
    let base = local(2026, 11, 20, 10, 0);
    let starts = [
        ("c", base + TimeDelta::milliseconds(500)),
        ("b", base + TimeDelta::milliseconds(250)),
        ("a", base + TimeDelta::milliseconds(250)),
    ];
    for (id, at) in starts {
        let d0 = aftersales::start(&def, id.into(), &clerk(), json!({}), at).unwrap();
        let c0 = commit_of(&d0, None);
        store.commit(c0.clone()).unwrap();
        let d1 =
            aftersales::decide(&def, &c0.instance, &Command::fire(&clerk(), "begin"), at).unwrap();
        store.commit(commit_of(&d1, Some(&c0.instance))).unwrap();
    }
    // + 4 working hours: 10-12 and 13-15 (lunch 12-13); the index holds the first instant
    // past the limit (the boundary rule), one nanosecond later.
    let early = breach_instant(local(2026, 11, 20, 15, 0) + TimeDelta::milliseconds(250));
    let (first, id) = store.next_due().unwrap().unwrap();
    assert_eq!((first, id), (early, "a".into()));
    assert_eq!(
        store.due(early, 10).unwrap(),
        vec![InstanceId::from("a"), "b".into()]
    );
    assert_eq!(store.due(early, 1).unwrap(), vec![InstanceId::from("a")]);
    assert_eq!(
        store
            .due(early + TimeDelta::milliseconds(250), usize::MAX)
            .unwrap(),
        vec![InstanceId::from("a"), "b".into(), "c".into()]
    );
    assert!(
        store
            .due(early - TimeDelta::nanoseconds(1), 10)
            .unwrap()
            .is_empty()
    );
}
