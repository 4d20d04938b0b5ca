//! Several processes against one PostgreSQL: 4 write commands at a shared set of instances
//! while 2 run schedulers (due work claimed with leases, outbox delivered); one writer and
//! one scheduler are killed with SIGKILL mid-run and restarted. Afterwards every instance
//! verifies, no version is duplicated, each deadline was handled exactly once, every command
//! took effect exactly once, and every outbox message was delivered at least once.
//!
//! The processes are this test binary started again with `AFTERSALES_MULTINODE_ROLE` set.
//! Needs `DATABASE_URL` (see `tests/postgres.rs` for the skip rule and
//! `AFTERSALES_REQUIRE_POSTGRES`).
#![cfg(all(feature = "postgres", feature = "testing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, BlockingPostgresStore, Builder, BusinessDuration, Command, DeadlineSpec, Engine,
    EngineError, Event, EventKind, InstanceId, Lease, OutboxMessage, OutboxSink, PostgresOptions,
    Registry, Store, Trigger,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};
use std::time::{Duration, Instant};

const ROLE: &str = "AFTERSALES_MULTINODE_ROLE";
const SCHEMA: &str = "AFTERSALES_MULTINODE_SCHEMA";
const DIR: &str = "AFTERSALES_MULTINODE_DIR";
const TEST: &str = "several_processes_share_one_postgres";

const INSTANCES: usize = 12;
const WRITERS: usize = 4;
const COMMANDS: usize = 40;
const SCHEDULERS: usize = 2;
/// How long a scheduler's claims hold.
const LEASE: TimeDelta = TimeDelta::seconds(2);
/// The deadline on entering `working`, round the clock.
const DEADLINE_SECS: u32 = 2;

fn database_url() -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let why = "DATABASE_URL is not set; run `scripts/with-postgres cargo test \
                       --all-features --test multinode` to test against a throwaway server";
            if std::env::var("AFTERSALES_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("{TEST}: AFTERSALES_REQUIRE_POSTGRES=1 but {why}");
            }
            let _ = writeln!(std::io::stderr(), "SKIPPED {TEST}: {why}");
            None
        }
    }
}

/// The fleet's one clock: the database's.
fn now(engine: &Engine<BlockingPostgresStore>) -> DateTime<Utc> {
    engine.store().database_now().unwrap()
}

fn clerk() -> Actor {
    Actor::new("clerk-1", ["clerk"])
}

fn ids() -> Vec<InstanceId> {
    (0..INSTANCES)
        .map(|i| InstanceId::from(format!("job-{i:02}")))
        .collect()
}

/// A node: an engine with the outbox on, over the shared database.
fn node(url: &str, schema: &str) -> Engine<BlockingPostgresStore> {
    let store = BlockingPostgresStore::connect_with(
        url,
        PostgresOptions::default().schema(schema).pool_size(2),
    )
    .unwrap();
    let def = Builder::new("job", 1)
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
            BusinessDuration::Seconds(DEADLINE_SECS),
        ))
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap();
    let mut engine = Engine::new(store).with_outbox(true);
    engine.register(def).unwrap();
    engine
}

/// A writer: `COMMANDS` notes spread over the instances, each with its own idempotency key,
/// retried on conflicts. Restarted from the top after a kill, it replays what it did.
fn writer(engine: &Engine<BlockingPostgresStore>, me: usize, dir: &Path) {
    let ids = ids();
    for n in 0..COMMANDS {
        let id = &ids[(n * 7 + me * 5) % INSTANCES];
        let cmd = Command::fire(&clerk(), "note").with_key(format!("w{me}-{n}"));
        loop {
            match engine.fire(id, &cmd, now(engine)) {
                Ok(_) => break,
                Err(EngineError::Conflict { .. }) => continue,
                Err(e) => panic!("writer {me}, command {n}: {e}"),
            }
        }
        std::fs::write(dir.join(format!("writer-{me}.progress")), n.to_string()).unwrap();
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Appends each delivered message to this scheduler's log (the "receiver").
struct Log(std::sync::Mutex<std::fs::File>);

impl OutboxSink for Log {
    fn deliver(&self, m: &OutboxMessage, _events: &[Event]) -> Result<(), String> {
        let mut f = self.0.lock().map_err(|e| e.to_string())?;
        writeln!(f, "{} {} {}", m.instance, m.first_seq, m.last_seq).map_err(|e| e.to_string())?;
        f.sync_data().map_err(|e| e.to_string())
    }
}

/// A scheduler: claims due work and delivers the outbox until told to stop and idle for
/// longer than a lease (so nothing is left that another node's lease was hiding).
fn scheduler(engine: &Engine<BlockingPostgresStore>, me: usize, dir: &Path) {
    let name = format!("scheduler-{me}-{}", std::process::id());
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("deliveries-{me}.log")))
        .unwrap();
    let log = Log(std::sync::Mutex::new(file));
    let mut idle_since = Instant::now();
    loop {
        let now = now(engine);
        let lease = Lease::new(name.clone(), now + LEASE);
        let due = engine.run_due(now, &lease, 4).unwrap();
        let sent = engine.deliver_outbox(&log, now, &lease, 16).unwrap();
        let busy = !due.handled.is_empty()
            || !due.conflicts.is_empty()
            || !sent.delivered.is_empty()
            || !sent.failed.is_empty();
        if busy {
            idle_since = Instant::now();
        }
        let stop = dir.join("stop").exists();
        let nothing_due = engine.next_due().unwrap().is_none();
        if stop && nothing_due && idle_since.elapsed() > Duration::from_secs(3) {
            return;
        }
        std::thread::sleep(Duration::from_millis(40));
    }
}

fn spawn(role: &str, url: &str, schema: &str, dir: &Path) -> Child {
    Process::new(std::env::current_exe().unwrap())
        .args([TEST, "--exact", "--test-threads=1", "--nocapture"])
        .env(ROLE, role)
        .env("DATABASE_URL", url)
        .env(SCHEMA, schema)
        .env(DIR, dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn child_mode() -> bool {
    let Ok(role) = std::env::var(ROLE) else {
        return false;
    };
    let url = std::env::var("DATABASE_URL").unwrap();
    let schema = std::env::var(SCHEMA).unwrap();
    let dir = PathBuf::from(std::env::var(DIR).unwrap());
    let engine = node(&url, &schema);
    let (kind, n) = role.split_once('-').unwrap();
    let n: usize = n.parse().unwrap();
    match kind {
        "writer" => writer(&engine, n, &dir),
        "scheduler" => scheduler(&engine, n, &dir),
        _ => panic!("unknown role {role}"),
    }
    true
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let started = Instant::now();
    while !ready() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn wait_ok(mut child: Child, what: &str) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "{what} failed: {status}");
            return;
        }
        if started.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("{what} did not finish");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kill(mut child: Child, what: &str) {
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback, leases left held
    let status = child.wait().unwrap();
    assert!(!status.success(), "{what} was killed, not finished");
}

#[test]
fn several_processes_share_one_postgres() {
    if child_mode() {
        return;
    }
    let Some(url) = database_url() else {
        return;
    };
    let schema = format!("multinode_{}", std::process::id());
    let dir = std::env::temp_dir().join(format!("aftersales-{schema}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    // The shared instances, each in `working` with its clock running.
    let setup = node(&url, &schema);
    for id in ids() {
        setup
            .start("job", id.clone(), &clerk(), json!({}), now(&setup))
            .unwrap();
        setup
            .fire(&id, &Command::fire(&clerk(), "begin"), now(&setup))
            .unwrap();
    }

    let mut schedulers: Vec<Option<Child>> = (0..SCHEDULERS)
        .map(|i| Some(spawn(&format!("scheduler-{i}"), &url, &schema, &dir)))
        .collect();
    let mut writers: Vec<Option<Child>> = (0..WRITERS)
        .map(|i| Some(spawn(&format!("writer-{i}"), &url, &schema, &dir)))
        .collect();

    // Kill writer 0 half-way through its commands and start it again.
    let progress = dir.join("writer-0.progress");
    wait_for("writer 0 to be half-way", Duration::from_secs(120), || {
        std::fs::read_to_string(&progress)
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .is_some_and(|n| n >= COMMANDS / 2)
    });
    kill(writers[0].take().unwrap(), "writer 0");
    writers[0] = Some(spawn("writer-0", &url, &schema, &dir));

    // Kill scheduler 0 once it has delivered something (it may hold leases), and restart it.
    let log0 = dir.join("deliveries-0.log");
    wait_for("scheduler 0 to deliver", Duration::from_secs(120), || {
        std::fs::metadata(&log0).is_ok_and(|m| m.len() > 0)
    });
    kill(schedulers[0].take().unwrap(), "scheduler 0");
    schedulers[0] = Some(spawn("scheduler-0", &url, &schema, &dir));

    for (i, w) in writers.into_iter().enumerate() {
        wait_ok(w.unwrap(), &format!("writer {i}"));
    }
    std::fs::write(dir.join("stop"), "").unwrap();
    for (i, s) in schedulers.into_iter().enumerate() {
        wait_ok(s.unwrap(), &format!("scheduler {i}"));
    }

    // Delivered ranges, from every scheduler's log (including the killed run's).
    let mut delivered: BTreeMap<InstanceId, BTreeSet<u64>> = BTreeMap::new();
    for i in 0..SCHEDULERS {
        let text = std::fs::read_to_string(dir.join(format!("deliveries-{i}.log"))).unwrap();
        for line in text.lines() {
            let mut parts = line.split(' ');
            let (Some(id), Some(first), Some(last)) = (parts.next(), parts.next(), parts.next())
            else {
                continue; // a line cut by the kill
            };
            let (Ok(first), Ok(last)) = (first.parse::<u64>(), last.parse::<u64>()) else {
                continue;
            };
            delivered
                .entry(InstanceId::from(id))
                .or_default()
                .extend(first..=last);
        }
    }

    let check = node(&url, &schema);
    let mut notes = 0;
    for id in ids() {
        check.verify(&id).unwrap();
        let events = check.history(&id).unwrap();
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        let version = check.load(&id).unwrap().version();
        assert_eq!(seqs, (1..=version).collect::<Vec<_>>(), "{id}: versions");
        let breaches = events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::DeadlineBreached { .. }))
            .count();
        assert_eq!(breaches, 1, "{id}: the deadline was handled once");
        notes += events
            .iter()
            .filter(|e| matches!(&e.kind, EventKind::Transitioned { action, .. } if action.as_str() == "note"))
            .count();
        let announced = delivered.get(&id).cloned().unwrap_or_default();
        assert_eq!(
            announced,
            seqs.iter().copied().collect::<BTreeSet<u64>>(),
            "{id}: every event announced by a delivered outbox message"
        );
    }
    assert_eq!(notes, WRITERS * COMMANDS, "each command took effect once");
    let far = now(&check) + TimeDelta::days(1);
    let left = check
        .store()
        .claim_outbox(far, 1000, &Lease::new("check", far))
        .unwrap();
    assert!(left.is_empty(), "undelivered: {left:?}");

    drop(check);
    drop(setup);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = aftersales::PostgresStore::connect(&url).await.unwrap();
        store
            .execute_batch(&format!("DROP SCHEMA {schema} CASCADE"))
            .await
            .unwrap();
    });
    let _ = std::fs::remove_dir_all(&dir);
}
