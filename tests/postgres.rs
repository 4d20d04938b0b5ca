//! The store conformance suites (sync through `BlockingPostgresStore`, async on
//! `PostgresStore`) and the database-side guarantees, against a real PostgreSQL server.
//!
//! Needs `DATABASE_URL` (`scripts/with-postgres cargo test --all-features --test postgres`
//! makes a throwaway server). Without it each test prints that it was skipped and why, and
//! passes — unless `AFTERSALES_REQUIRE_POSTGRES=1`, which makes a skip a failure (CI sets it).
//! Every store lives in a schema of its own, dropped at the end.
#![cfg(all(feature = "postgres", feature = "testing"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::testing::{async_store_conformance, store_conformance};
use aftersales::{
    Actor, AsyncStore, BlockingPostgresStore, Builder, BusinessDuration, Commit, DeadlineSpec,
    Definition, InstanceId, Lease, PostgresOpenError, PostgresOptions, PostgresStore, Registry,
    StoreError, Trigger,
};
use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

/// The server to test against, or `None` after saying why the test is skipped.
fn database_url(test: &str) -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            let why = "DATABASE_URL is not set; run `scripts/with-postgres cargo test \
                       --all-features --test postgres` to test against a throwaway server";
            if std::env::var("AFTERSALES_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                panic!("{test}: AFTERSALES_REQUIRE_POSTGRES=1 but {why}");
            }
            // Straight to the process's stderr: the test harness captures `eprintln!`, and
            // a skip must be seen.
            use std::io::Write as _;
            let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
            None
        }
    }
}

/// Fresh schema names, remembered so each test can drop what it made.
struct Schemas {
    tag: String,
    next: AtomicU32,
    made: Mutex<Vec<String>>,
}

impl Schemas {
    fn new(tag: &str) -> Self {
        Schemas {
            tag: format!("t_{}_{tag}", std::process::id()),
            next: AtomicU32::new(0),
            made: Mutex::new(Vec::new()),
        }
    }

    fn fresh(&self) -> String {
        let name = format!("{}_{}", self.tag, self.next.fetch_add(1, Ordering::Relaxed));
        self.made.lock().unwrap().push(name.clone());
        name
    }

    fn options(&self) -> PostgresOptions {
        PostgresOptions::default().schema(self.fresh()).pool_size(4)
    }

    async fn drop_all(&self, url: &str) {
        let store = PostgresStore::connect_with(url, self.options())
            .await
            .unwrap();
        let names = self.made.lock().unwrap().clone();
        for name in names {
            store
                .execute_batch(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"))
                .await
                .unwrap();
        }
    }
}

#[test]
fn sync_conformance_through_the_blocking_store() {
    let Some(url) = database_url("sync_conformance_through_the_blocking_store") else {
        return;
    };
    let schemas = Schemas::new("sync");
    let report =
        store_conformance(|| BlockingPostgresStore::connect_with(&url, schemas.options()).unwrap());
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.passed.len() >= 16, "{:?}", report.passed);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(schemas.drop_all(&url));
}

async fn async_conformance(test: &str, tag: &str) {
    let Some(url) = database_url(test) else {
        return;
    };
    let schemas = Schemas::new(tag);
    let report = async_store_conformance(|| {
        let (url, options) = (url.clone(), schemas.options());
        async move { PostgresStore::connect_with(&url, options).await.unwrap() }
    })
    .await;
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert!(report.passed.len() >= 16, "{:?}", report.passed);
    schemas.drop_all(&url).await;
}

#[tokio::test(flavor = "current_thread")]
async fn async_conformance_on_a_current_thread_runtime() {
    async_conformance("async_conformance_on_a_current_thread_runtime", "async_ct").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_conformance_on_a_multi_thread_runtime() {
    async_conformance("async_conformance_on_a_multi_thread_runtime", "async_mt").await;
}

/// A small definition with a deadline on entering `working`.
struct Fixture {
    def: Definition,
    clerk: Actor,
    t0: DateTime<Utc>,
}

fn fixture() -> Fixture {
    let def = Builder::new("pg", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("working")
        .terminal("done")
        .transition("open", "begin", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::WorkingHours(4),
        ))
        .build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap();
    Fixture {
        def,
        clerk: Actor::new("clerk-1", ["clerk"]),
        t0: Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap(),
    }
}

/// A started instance of the fixture definition, as a commit expecting nothing.
fn start(id: &str) -> (aftersales::Decision, Commit) {
    let f = fixture();
    let d = aftersales::start(
        &f.def,
        InstanceId::from(id),
        &f.clerk,
        serde_json::json!({}),
        f.t0,
    )
    .unwrap();
    let mut c = Commit::linked(
        d.instance.clone(),
        d.events.clone(),
        aftersales::Digest::ZERO,
        0,
        None,
    );
    c.outbox = true;
    // The decision's snapshot, as committed (with its chain head), for the next decision.
    let d = aftersales::Decision {
        instance: c.instance.as_ref().clone(),
        events: c.events.clone(),
    };
    (d, c)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_or_remove_events() {
    let Some(url) = database_url("the_database_refuses_to_change_or_remove_events") else {
        return;
    };
    let schemas = Schemas::new("append");
    let store = PostgresStore::connect_with(&url, schemas.options())
        .await
        .unwrap();
    let (_, c) = start("a");
    store.commit(c.clone()).await.unwrap();
    for sql in [
        "UPDATE events SET body = body",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let err = store.execute_batch(sql).await.unwrap_err();
        let StoreError::Backend { message, source } = &err else {
            panic!("{sql}: {err:?}");
        };
        assert!(message.contains("append-only"), "{sql}: {message}");
        assert!(
            source.is_some(),
            "{sql}: the driver's error is kept as the source"
        );
    }
    assert_eq!(store.events(&"a".into(), 0).await.unwrap(), c.events);
    schemas.drop_all(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrations_run_once_when_nodes_start_together() {
    let Some(url) = database_url("migrations_run_once_when_nodes_start_together") else {
        return;
    };
    let schemas = Schemas::new("migrate");
    let options = schemas.options();
    let mut starts = Vec::new();
    for _ in 0..4 {
        let (url, options) = (url.clone(), options.clone());
        starts.push(tokio::spawn(async move {
            PostgresStore::connect_with(&url, options).await
        }));
    }
    for s in starts {
        let store = s.await.unwrap().unwrap();
        assert_eq!(
            store.schema_version().await.unwrap(),
            PostgresStore::SCHEMA_VERSION
        );
    }
    let bad = PostgresStore::connect_with(&url, PostgresOptions::default().schema("x; drop")).await;
    assert!(
        matches!(bad, Err(PostgresOpenError::InvalidSchema { .. })),
        "{bad:?}"
    );
    let bad = PostgresStore::connect("postgres://[").await;
    assert!(
        matches!(bad, Err(PostgresOpenError::InvalidUrl { .. })),
        "{bad:?}"
    );
    schemas.drop_all(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn of_concurrent_writers_expecting_one_version_exactly_one_lands() {
    let Some(url) = database_url("of_concurrent_writers_expecting_one_version_exactly_one_lands")
    else {
        return;
    };
    let schemas = Schemas::new("race");
    let store = Arc::new(
        PostgresStore::connect_with(&url, schemas.options().pool_size(8))
            .await
            .unwrap(),
    );
    let f = fixture();
    let (d, c) = start("a");
    store.commit(c).await.unwrap();
    let mut writers = Vec::new();
    for i in 0..8 {
        let next = aftersales::decide(
            &f.def,
            &d.instance,
            &aftersales::Command::fire(&f.clerk, "begin"),
            f.t0 + chrono::TimeDelta::seconds(i),
        )
        .unwrap();
        let store = store.clone();
        let mut commit = Commit::linked(
            next.instance,
            next.events,
            d.instance.chain_head().unwrap(),
            d.instance.version(),
            None,
        );
        commit.outbox = true;
        writers.push(tokio::spawn(async move { store.commit(commit).await }));
    }
    let mut landed = 0;
    for w in writers {
        match w.await.unwrap() {
            Ok(()) => landed += 1,
            Err(StoreError::Conflict {
                expected, actual, ..
            }) => {
                assert_eq!(expected, d.instance.version());
                assert!(actual > expected);
            }
            Err(e) => panic!("{e:?}"),
        }
    }
    assert_eq!(landed, 1);
    let events = store.events(&"a".into(), 0).await.unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    // Two outbox messages: the start and the one landed write.
    let all = store
        .claim_outbox(f.t0, 100, &Lease::new("check", f.t0))
        .await
        .unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    schemas.drop_all(&url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_schedulers_claim_disjoint_due_work() {
    let Some(url) = database_url("concurrent_schedulers_claim_disjoint_due_work") else {
        return;
    };
    let schemas = Schemas::new("claims");
    let store = Arc::new(
        PostgresStore::connect_with(&url, schemas.options().pool_size(8))
            .await
            .unwrap(),
    );
    let f = fixture();
    let mut due = None;
    for i in 0..40 {
        let (d, c) = start(&format!("i{i:02}"));
        store.commit(c).await.unwrap();
        let d1 = aftersales::decide(
            &f.def,
            &d.instance,
            &aftersales::Command::fire(&f.clerk, "begin"),
            f.t0,
        )
        .unwrap();
        due = d1.instance.next_due();
        store
            .commit(Commit::linked(
                d1.instance,
                d1.events,
                d.instance.chain_head().unwrap(),
                d.instance.version(),
                None,
            ))
            .await
            .unwrap();
    }
    let due = due.expect("the fixture starts a deadline on begin");
    let mut claims = Vec::new();
    for node in 0..4 {
        let store = store.clone();
        claims.push(tokio::spawn(async move {
            let lease = Lease::new(format!("node-{node}"), due + chrono::TimeDelta::minutes(5));
            let mut mine = Vec::new();
            loop {
                let got = store.claim_due(due, 3, &lease).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                mine.extend(got);
            }
        }));
    }
    let mut all: Vec<InstanceId> = Vec::new();
    for c in claims {
        all.extend(c.await.unwrap());
    }
    all.sort();
    let expected: Vec<InstanceId> = (0..40)
        .map(|i| InstanceId::from(format!("i{i:02}")))
        .collect();
    assert_eq!(all, expected, "each due instance claimed exactly once");
    schemas.drop_all(&url).await;
}

fn job_engine<S: AsyncStore>(store: S) -> aftersales::AsyncEngine<S> {
    let mut e = aftersales::AsyncEngine::new(store).with_outbox(true);
    e.register(fixture().def).unwrap();
    e
}

/// The async engine on PostgreSQL: the same history as the sync engine in memory for the
/// same commands, and racing tasks on one instance lose nothing.
async fn async_engine_on_postgres(test: &str, tag: &str) {
    let Some(url) = database_url(test) else {
        return;
    };
    let schemas = Schemas::new(tag);
    let store = Arc::new(
        PostgresStore::connect_with(&url, schemas.options().pool_size(8))
            .await
            .unwrap(),
    );
    let pg = Arc::new(job_engine(store.clone()));
    let mut mem = aftersales::Engine::new(aftersales::InMemoryStore::new()).with_outbox(true);
    mem.register(fixture().def).unwrap();
    let f = fixture();
    let id = InstanceId::from("a");
    let note = aftersales::Command::fire(&f.clerk, "begin").with_key("k");
    assert_eq!(
        pg.start("pg", id.clone(), &f.clerk, serde_json::json!({}), f.t0)
            .await
            .unwrap(),
        mem.start("pg", id.clone(), &f.clerk, serde_json::json!({}), f.t0)
            .unwrap()
    );
    for _ in 0..2 {
        assert_eq!(
            pg.fire(&id, &note, f.t0).await.unwrap(),
            mem.fire(&id, &note, f.t0).unwrap()
        );
    }
    let nope = aftersales::Command::fire(&f.clerk, "begin");
    assert_eq!(
        pg.fire(&id, &nope, f.t0).await.unwrap_err(),
        mem.fire(&id, &nope, f.t0).unwrap_err()
    );
    let due = pg.next_due().await.unwrap().unwrap();
    let lease = Lease::new("pg", due + chrono::TimeDelta::minutes(1));
    let report = pg.run_due(due, &lease, 10).await.unwrap();
    assert_eq!(report, mem.run_due(due, &lease, 10).unwrap());
    assert_eq!(report.handled.len(), 1);
    assert_eq!(pg.history(&id).await.unwrap(), mem.history(&id).unwrap());
    pg.verify(&id).await.unwrap();

    // Racing tasks: six start the same id at once; exactly one lands.
    let race = InstanceId::from("race");
    let mut starts = Vec::new();
    for _ in 0..6 {
        let (pg, race, clerk) = (pg.clone(), race.clone(), f.clerk.clone());
        starts.push(tokio::spawn(async move {
            pg.start("pg", race, &clerk, serde_json::json!({}), f.t0)
                .await
        }));
    }
    let mut created = 0;
    for s in starts {
        match s.await.unwrap() {
            Ok(_) => created += 1,
            Err(aftersales::EngineError::Conflict { .. }) => {}
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(created, 1, "exactly one start of one id lands");
    pg.verify(&race).await.unwrap();
    // Everything announced is deliverable.
    struct Count(std::sync::atomic::AtomicUsize);
    impl aftersales::AsyncOutboxSink for Count {
        async fn deliver(
            &self,
            _: &aftersales::OutboxMessage,
            events: &[aftersales::Event],
        ) -> Result<(), String> {
            self.0.fetch_add(events.len(), Ordering::Relaxed);
            Ok(())
        }
    }
    let count = Count(std::sync::atomic::AtomicUsize::new(0));
    let sent = pg.deliver_outbox(&count, due, &lease, 100).await.unwrap();
    assert!(sent.failed.is_empty());
    let total = pg.history(&id).await.unwrap().len() + pg.history(&race).await.unwrap().len();
    assert_eq!(count.0.load(Ordering::Relaxed), total);
    schemas.drop_all(&url).await;
}

#[tokio::test(flavor = "current_thread")]
async fn async_engine_on_postgres_on_a_current_thread_runtime() {
    async_engine_on_postgres(
        "async_engine_on_postgres_on_a_current_thread_runtime",
        "eng_ct",
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_engine_on_postgres_on_a_multi_thread_runtime() {
    async_engine_on_postgres(
        "async_engine_on_postgres_on_a_multi_thread_runtime",
        "eng_mt",
    )
    .await;
}

/// Definition `pg_ticket` at `version`: `open -finish-> done` (v2: through `check` first),
/// with a clock on `open`.
fn migration_def(version: u32) -> Arc<Definition> {
    let mut b = Builder::new("pg_ticket", version)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .terminal("done")
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("open"),
            BusinessDuration::WorkingHours(if version == 1 { 8 } else { 4 }),
        ));
    b = if version == 1 {
        b.transition("open", "finish", "done", |t| t.roles(["clerk"]))
    } else {
        b.normal("check")
            .transition("open", "finish", "check", |t| t.roles(["clerk"]))
            .transition("check", "accept", "done", |t| t.roles(["clerk"]))
    };
    Arc::new(
        b.build(&Registry::with_calendar(
            aftersales::BusinessCalendar::china_standard(),
        ))
        .unwrap(),
    )
}

#[test]
fn batch_migration_over_postgres_is_resumable_and_idempotent() {
    use aftersales::migration::{ClockPolicy, MigrationBuilder};
    use aftersales::{Engine, EventKind};
    let test = "batch_migration_over_postgres_is_resumable_and_idempotent";
    let Some(url) = database_url(test) else {
        return;
    };
    let schemas = Schemas::new("mig");
    let store = BlockingPostgresStore::connect_with(&url, schemas.options()).unwrap();
    let mut engine = Engine::new(store);
    let (a, b) = (migration_def(1), migration_def(2));
    engine.register(Arc::clone(&a)).unwrap();
    engine.register(Arc::clone(&b)).unwrap();
    let clerk = Actor::new("clara", ["clerk"]);
    let t0 = Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap();
    let ids: Vec<InstanceId> = (0..4).map(|i| format!("p-{i}").into()).collect();
    for id in &ids {
        engine
            .start_version(
                "pg_ticket",
                1,
                id.clone(),
                &clerk,
                serde_json::json!({}),
                t0,
            )
            .unwrap();
    }
    let plan = MigrationBuilder::new("pg_ticket", 1, 2)
        .same_names()
        .clocks(ClockPolicy::Recompute)
        .build(&a, &b)
        .unwrap();
    let now = t0 + chrono::TimeDelta::hours(1);
    // One first (a run cut short), then the batch finishes the rest, then a no-op.
    engine
        .migrate(
            &plan,
            &ids[0],
            &Actor::new("admin", Vec::<&str>::new()),
            now,
        )
        .unwrap();
    let admin = Actor::new("admin", Vec::<&str>::new());
    let report = engine.migrate_all(&plan, &admin, now).unwrap();
    assert_eq!((report.migrated.len(), report.already.len()), (3, 1));
    assert!(engine.migrate_all(&plan, &admin, now).unwrap().is_noop());
    for id in &ids {
        engine.verify(id).unwrap();
        let history = engine.history(id).unwrap();
        assert!(matches!(
            history.last().unwrap().kind,
            EventKind::Migrated { to_version: 2, .. }
        ));
        aftersales::verify_events(&history).unwrap();
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(schemas.drop_all(&url));
}
