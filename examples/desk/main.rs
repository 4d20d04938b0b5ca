//! The desk: a small server-rendered web UI over the reference service's engine, for quality
//! engineers, CQEs and managers who would rather look than read a trail.
//!
//! ```text
//! cargo run --example desk --features sqlite,postgres,testing            # SQLite, port 3001
//! cargo run --example desk --features sqlite,postgres,testing -- --port 0 --test-clock
//! DATABASE_URL=postgres://... cargo run --example desk --features sqlite,postgres,testing
//! ```
//!
//! - Store: SQLite at `AFTERSALES_DESK_SQLITE` (default `aftersales-desk.sqlite`), PostgreSQL
//!   when `DATABASE_URL` is set. Seeded on first start (no instance stored yet) with a few
//!   instances of each built-in procedure, replayed from the procedure fixtures.
//! - Port: `--port N` or `AFTERSALES_DESK_PORT` (default 3001); `0` picks a free port. The
//!   address is printed as `desk listening on http://127.0.0.1:PORT`.
//! - Clock: the machine's. With `--test-clock` the desk's clock stands still at its start
//!   instant and moves only when `POST /clock/advance` (form field `hours`) asks, which then
//!   runs the due work at once. The library never reads a clock; this host owns it.
//!
//! Pages: `/` the queue (filter by the acting person's role with `?as=role`), `/case/{id}` a
//! case (diagram, actions with forms, clocks, sign-offs, trail with the hash-chain status),
//! `/sla` the on-time rate per procedure and deadline for a period, as an SVG chart.

mod pages;
mod schema_form;
mod seed;

use aftersales::procedures::{batch_quality, complaint, consumables, customer_return};
use aftersales::{
    AsyncEngine, AsyncStore, Form, Lease, Name, PostgresStore, SqliteStore, SyncAsAsync,
};
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::collections::BTreeMap;
use std::error::Error;
use std::sync::{Arc, Mutex};

/// The desk's clock: the machine's, or a test clock moved by requests.
pub(crate) enum Clock {
    System,
    Test(Mutex<DateTime<Utc>>),
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => DateTime::<Utc>::from(std::time::SystemTime::now()),
            Clock::Test(t) => *t.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a test clock forward (`false` for the machine's clock, which cannot be moved).
    pub(crate) fn advance(&self, by: TimeDelta) -> bool {
        match self {
            Clock::System => false,
            Clock::Test(t) => {
                let mut t = t.lock().unwrap_or_else(|p| p.into_inner());
                *t += by;
                true
            }
        }
    }
}

/// What a form starts with for an action: the fixtures' forms and payload.
#[derive(Clone, Default)]
pub(crate) struct Prefill {
    pub(crate) forms: Vec<Form>,
    pub(crate) payload: Value,
}

/// The fixtures' prefills, and the start data of the fixture case each was taken from.
#[derive(Default)]
pub(crate) struct Prefills {
    /// (procedure, action) → forms and payload.
    pub(crate) actions: BTreeMap<(Name, Name), Prefill>,
    /// procedure → the fixture case's start data.
    pub(crate) data: BTreeMap<Name, Value>,
}

impl Prefills {
    /// The prefill of `action` for `inst`: the fixture's, with the fixture case's own values
    /// (its number, customer, ...) replaced by this case's where the start data differ.
    pub(crate) fn for_case(&self, inst: &aftersales::Instance, action: &str) -> Prefill {
        let mut p = self
            .actions
            .get(&(inst.definition(), Name::from(action)))
            .cloned()
            .unwrap_or_default();
        let mut swaps = Vec::new();
        if let Some(fixture) = self.data.get(&inst.definition()) {
            differences(fixture, inst.data(), &mut swaps);
        }
        for f in &mut p.forms {
            replace(&mut f.body, &swaps);
        }
        replace(&mut p.payload, &swaps);
        p
    }
}

/// The strings at the same place in `a` and `b` that differ.
fn differences(a: &Value, b: &Value, out: &mut Vec<(String, String)>) {
    match (a, b) {
        (Value::String(x), Value::String(y)) if x != y && !x.is_empty() => {
            out.push((x.clone(), y.clone()))
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                if let Some(w) = y.get(k) {
                    differences(v, w, out);
                }
            }
        }
        _ => {}
    }
}

fn replace(v: &mut Value, swaps: &[(String, String)]) {
    match v {
        Value::String(s) => {
            if let Some((_, to)) = swaps.iter().find(|(from, _)| from == s) {
                *s = to.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| replace(i, swaps)),
        Value::Object(map) => map.values_mut().for_each(|i| replace(i, swaps)),
        _ => {}
    }
}

pub(crate) struct App<S: AsyncStore> {
    pub(crate) engine: AsyncEngine<S>,
    pub(crate) clock: Clock,
    /// Prefills from the fixtures.
    pub(crate) prefill: Prefills,
    /// Every role of the registered procedures, sorted.
    pub(crate) roles: Vec<String>,
    pub(crate) procedures: Vec<Name>,
}

impl<S: AsyncStore> App<S> {
    /// Runs the due work at the clock's `now`.
    pub(crate) async fn run_due(&self) {
        let now = self.clock.now();
        let lease = Lease::new("desk", now + TimeDelta::seconds(30));
        match self.engine.run_due(now, &lease, 500).await {
            Ok(r) if !r.handled.is_empty() => eprintln!("due: handled {}", r.handled.len()),
            Ok(_) => {}
            Err(e) => eprintln!("due: {e}"),
        }
    }
}

fn engine<S: AsyncStore>(store: S) -> Result<AsyncEngine<S>, Box<dyn Error>> {
    let calendar = aftersales::procedures::shanghai_calendar;
    let mut e = AsyncEngine::new(store).record_rejections(true);
    e.register(
        batch_quality::definition(&Default::default(), calendar())?
            .definition()
            .clone(),
    )?;
    e.register(
        complaint::definition(&Default::default(), calendar())?
            .definition()
            .clone(),
    )?;
    e.register(
        consumables::definition(&Default::default(), calendar())?
            .definition()
            .clone(),
    )?;
    e.register(
        customer_return::definition(&Default::default(), calendar())?
            .definition()
            .clone(),
    )?;
    Ok(e)
}

struct Options {
    port: u16,
    test_clock: bool,
}

fn options() -> Result<Options, Box<dyn Error>> {
    let mut port: u16 = match std::env::var("AFTERSALES_DESK_PORT") {
        Ok(p) if !p.is_empty() => p.parse()?,
        _ => 3001,
    };
    let mut test_clock = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().ok_or("--port needs a number")?.parse()?,
            "--test-clock" => test_clock = true,
            other => {
                return Err(format!("unknown argument `{other}` (--port N, --test-clock)").into());
            }
        }
    }
    Ok(Options { port, test_clock })
}

async fn serve<S: AsyncStore + 'static>(store: S, opts: Options) -> Result<(), Box<dyn Error>> {
    let engine = engine(store)?;
    let clock = if opts.test_clock {
        Clock::Test(Mutex::new(DateTime::<Utc>::from(
            std::time::SystemTime::now(),
        )))
    } else {
        Clock::System
    };
    let procedures: Vec<Name> = [
        batch_quality::ID,
        complaint::ID,
        consumables::ID,
        customer_return::ID,
    ]
    .into_iter()
    .map(Name::from)
    .collect();
    let mut roles: Vec<String> = procedures
        .iter()
        .filter_map(|p| engine.definition(*p))
        .flat_map(|d| d.spec().roles.clone())
        .collect();
    roles.sort();
    roles.dedup();
    let (prefill, scenarios) = seed::fixtures();
    let app = Arc::new(App {
        engine,
        clock,
        prefill,
        roles,
        procedures,
    });
    seed::seed_if_empty(&app, &scenarios).await?;
    app.run_due().await;
    let ticker = app.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            tick.tick().await;
            ticker.run_due().await;
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", opts.port)).await?;
    let addr = listener.local_addr()?;
    println!("desk listening on http://{addr}");
    if opts.test_clock {
        println!("test clock: POST /clock/advance moves it");
    }
    axum::serve(listener, pages::router(app)).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let opts = options()?;
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            eprintln!("store: PostgreSQL");
            serve(PostgresStore::connect(&url).await?, opts).await
        }
        _ => {
            let path = std::env::var("AFTERSALES_DESK_SQLITE")
                .unwrap_or_else(|_| "aftersales-desk.sqlite".into());
            eprintln!("store: SQLite at {path}");
            serve(SyncAsAsync(SqliteStore::open(&path)?), opts).await
        }
    }
}
