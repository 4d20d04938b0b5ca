//! PostgreSQL: commits per second and latency (p50, p99) of `Engine::fire` with 1, 4 and 16
//! concurrent clients, beside a raw single-row INSERT of the same bytes in the same run.
//!
//! Not criterion: each client is a thread with its own instance (no conflicts), doing a fixed
//! number of operations; the figures are from every operation's latency. Needs `DATABASE_URL`
//! (`scripts/with-postgres cargo bench --bench postgres --features postgres`); without it,
//! it says so and measures nothing. `synchronous_commit` is left on (the server's default)
//! and reported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, BlockingPostgresStore, Builder, Command, Engine, InstanceId, PostgresOptions, Registry,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use std::time::{Duration, Instant};

const CLIENTS: [usize; 3] = [1, 4, 16];
/// Operations per client per run.
fn ops_per_client(clients: usize) -> usize {
    match clients {
        1 => 600,
        4 => 300,
        _ => 120,
    }
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
        .single()
        .unwrap_or_default()
}

fn engine(url: &str, schema: &str) -> Engine<BlockingPostgresStore> {
    let store = BlockingPostgresStore::connect_with(
        url,
        PostgresOptions::default().schema(schema).pool_size(16),
    )
    .expect("connect");
    let def = Builder::new("bench", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("working")
        .terminal("done")
        .transition("working", "note", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .build(&Registry::new())
        .expect("definition");
    let mut e = Engine::new(store);
    e.register(def).expect("register");
    e
}

/// Latency summary of one run.
struct Run {
    ops: usize,
    wall: Duration,
    p50: Duration,
    p99: Duration,
}

fn summarise(mut lat: Vec<Duration>, wall: Duration) -> Run {
    lat.sort();
    let at = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    Run {
        ops: lat.len(),
        wall,
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// `clients` threads, each doing `n` operations with `op(client, i)`.
fn measure(clients: usize, n: usize, op: impl Fn(usize, usize) + Sync) -> Run {
    let started = Instant::now();
    let lat: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let op = &op;
                s.spawn(move || {
                    (0..n)
                        .map(|i| {
                            let t = Instant::now();
                            op(c, i);
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });
    summarise(lat, started.elapsed())
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

fn main() {
    let Ok(url) = std::env::var("DATABASE_URL") else {
        println!(
            "postgres bench: DATABASE_URL is not set, nothing measured \
             (run `scripts/with-postgres cargo bench --bench postgres --features postgres`)"
        );
        return;
    };
    let schema = format!("bench_{}", std::process::id());
    let e = engine(&url, &schema);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let admin = raw_client(&rt, &url, &schema);
    rt.block_on(admin.batch_execute(
        "CREATE TABLE raw_insert (instance TEXT NOT NULL, seq BIGINT NOT NULL,
         body TEXT NOT NULL, PRIMARY KEY (instance, seq))",
    ))
    .expect("raw table");
    let sync_commit: String = rt
        .block_on(admin.query_one("SHOW synchronous_commit", &[]))
        .expect("synchronous_commit")
        .get(0);
    let clerk = Actor::new("clerk-1", ["clerk"]);
    let mut rows = Vec::new();
    for clients in CLIENTS {
        let n = ops_per_client(clients);
        // One instance per client and run: no conflicts, each fire is one commit.
        let ids: Vec<InstanceId> = (0..clients)
            .map(|c| InstanceId::from(format!("c{clients}-{c}")))
            .collect();
        for id in &ids {
            e.start("bench", id.clone(), &clerk, json!({}), t0())
                .expect("start");
        }
        let fire = measure(clients, n, |c, i| {
            let at = t0() + chrono::TimeDelta::milliseconds(i as i64);
            e.fire(&ids[c], &Command::fire(&clerk, "note"), at)
                .expect("fire");
        });
        // The same bytes as one fired event, one row per INSERT (autocommit), one
        // connection per client.
        let body =
            serde_json::to_string(&e.history(&ids[0]).expect("history")[1]).expect("event json");
        let conns: Vec<_> = (0..clients)
            .map(|_| raw_client(&rt, &url, &schema))
            .collect();
        let insert = measure(clients, n, |c, i| {
            let key = format!("r{clients}-{c}");
            rt.block_on(conns[c].execute(
                "INSERT INTO raw_insert (instance, seq, body) VALUES ($1, $2, $3)",
                &[&key, &(i as i64), &body],
            ))
            .expect("raw insert");
        });
        rows.push((clients, fire, insert, body.len()));
    }
    println!("\n## PostgreSQL (synchronous_commit = {sync_commit})\n");
    println!(
        "| clients | fire: commits/s | fire p50 | fire p99 | raw INSERT: rows/s | INSERT p50 | INSERT p99 | fire / INSERT (p50) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for (clients, f, r, _) in &rows {
        println!(
            "| {clients} | {:.0} | {} | {} | {:.0} | {} | {} | {:.1}× |",
            f.ops as f64 / f.wall.as_secs_f64(),
            ms(f.p50),
            ms(f.p99),
            r.ops as f64 / r.wall.as_secs_f64(),
            ms(r.p50),
            ms(r.p99),
            f.p50.as_secs_f64() / r.p50.as_secs_f64(),
        );
    }
    if let Some((_, _, _, bytes)) = rows.first() {
        println!("\n(event body: {bytes} bytes of JSON)");
    }
    drop(e);
    rt.block_on(admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE")))
        .expect("drop schema");
}

/// A plain driver connection (no store, no pool) with `search_path` at `schema`.
fn raw_client(
    rt: &tokio::runtime::Runtime,
    url: &str,
    schema: &str,
) -> deadpool_postgres::tokio_postgres::Client {
    use deadpool_postgres::tokio_postgres::{Config, NoTls};
    let mut config: Config = url.parse().expect("DATABASE_URL");
    config.options(format!("-c search_path={schema}"));
    let (client, conn) = rt.block_on(config.connect(NoTls)).expect("connect");
    rt.spawn(conn);
    client
}
