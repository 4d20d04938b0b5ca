//! The reference service (`examples/service.rs`) under a bounded local load: requests per
//! second and latency (p50, p99) with 1, 4 and 16 concurrent keep-alive connections, half
//! reads (an instance with the actions available to an actor) and half writes (starting a
//! new instance: one commit). SQLite always; PostgreSQL too when `DATABASE_URL` is set.
//!
//! `cargo bench --bench service --features postgres,sqlite`; traffic goes to 127.0.0.1 only,
//! a fixed number of requests per connection, then it stops.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../examples/service.rs"]
#[allow(dead_code)]
mod service;

use aftersales::{AsyncStore, PostgresStore, SqliteStore, SyncAsAsync};
use service::{App, Clock};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const CONNECTIONS: [usize; 3] = [1, 4, 16];
const REQUESTS_PER_CONNECTION: usize = 200;

/// One HTTP/1.1 request on a keep-alive connection; the status code.
async fn request(conn: &mut BufReader<TcpStream>, method: &str, path: &str, body: &str) -> u16 {
    // One write per request (head and body together): two small writes would meet Nagle's
    // algorithm and the server's delayed ACK, adding ~40 ms to every request.
    let request = format!(
        "{method} {path} HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    conn.get_mut().write_all(request.as_bytes()).await.unwrap();
    let mut line = String::new();
    conn.read_line(&mut line).await.unwrap();
    let status: u16 = line.split(' ').nth(1).unwrap().parse().unwrap();
    let mut length = 0usize;
    loop {
        line.clear();
        conn.read_line(&mut line).await.unwrap();
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0u8; length];
    conn.read_exact(&mut body).await.unwrap();
    status
}

fn start_body(id: &str) -> String {
    format!(
        r#"{{"definition":"consumables","id":"{id}","actor":{{"id":"li","roles":["regional_tech_support_engineer"]}},"data":{{}}}}"#
    )
}

struct Run {
    requests: usize,
    wall: Duration,
    p50: Duration,
    p99: Duration,
}

async fn load(addr: std::net::SocketAddr, tag: &str, connections: usize) -> Run {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let tag = format!("{tag}-{connections}-{c}");
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let mut conn = BufReader::new(stream);
            let first = format!("{tag}-0");
            assert_eq!(
                request(&mut conn, "POST", "/instances", &start_body(&first)).await,
                201
            );
            let read = format!("/instances/{first}?actor=li&roles=regional_tech_support_engineer");
            let mut lat = Vec::with_capacity(REQUESTS_PER_CONNECTION);
            for i in 1..=REQUESTS_PER_CONNECTION {
                let t = Instant::now();
                let status = if i % 2 == 0 {
                    request(&mut conn, "GET", &read, "").await
                } else {
                    let body = start_body(&format!("{tag}-{i}"));
                    request(&mut conn, "POST", "/instances", &body).await
                };
                lat.push(t.elapsed());
                assert!(status == 200 || status == 201, "status {status}");
            }
            lat
        }));
    }
    let mut lat = Vec::new();
    for t in tasks {
        lat.extend(t.await.unwrap());
    }
    let wall = started.elapsed();
    lat.sort();
    let at = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    Run {
        requests: lat.len(),
        wall,
        p50: at(0.5),
        p99: at(0.99),
    }
}

async fn bench<S: AsyncStore + 'static>(name: &str, app: App<S>) -> Vec<(String, usize, Run)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        axum::serve(listener, service::router(Arc::new(app)))
            .await
            .unwrap();
    });
    let mut rows = Vec::new();
    for connections in CONNECTIONS {
        rows.push((
            name.to_owned(),
            connections,
            load(addr, name, connections).await,
        ));
    }
    server.abort();
    rows
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = std::env::temp_dir().join(format!("aftersales-service-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rows = rt.block_on(async {
        let store = SyncAsAsync(SqliteStore::open(dir.join("bench.sqlite")).unwrap());
        let app = App {
            engine: service::engine(store).unwrap(),
            clock: Clock::System,
        };
        bench("SQLite", app).await
    });
    if let Ok(url) = std::env::var("DATABASE_URL") {
        rows.extend(rt.block_on(async {
            let store = PostgresStore::connect(&url).await.unwrap();
            let app = App {
                engine: service::engine(store.clone()).unwrap(),
                clock: Clock::Database(store),
            };
            bench("PostgreSQL", app).await
        }));
    } else {
        println!("(DATABASE_URL is not set: PostgreSQL not measured)");
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("\n## Reference service under a bounded local load\n");
    println!("| store | connections | requests | requests/s | p50 | p99 |");
    println!("|---|---|---|---|---|---|");
    for (store, connections, r) in rows {
        println!(
            "| {store} | {connections} | {} | {:.0} | {:.2} ms | {:.2} ms |",
            r.requests,
            r.requests as f64 / r.wall.as_secs_f64(),
            r.p50.as_secs_f64() * 1e3,
            r.p99.as_secs_f64() * 1e3,
        );
    }
}
