//! A reference service: an HTTP JSON API over [`AsyncEngine`] running the four built-in
//! procedures, with the scheduler loop (due work claimed with leases) and outbox delivery in
//! the same process.
//!
//! - SQLite by default (`AFTERSALES_SQLITE`, default `aftersales-service.sqlite`; nothing to
//!   set up), PostgreSQL when `DATABASE_URL` is set (then several copies can run behind a load
//!   balancer: they share due work and the outbox).
//! - `now` comes from one clock for the whole fleet: the database's with PostgreSQL, so time
//!   only moves forward across nodes; the machine's with SQLite (one node).
//! - Listens on `AFTERSALES_ADDR` (default `127.0.0.1:3000`).
//!
//! ```text
//! cargo run --example service --features postgres,sqlite
//! curl -s localhost:3000/definitions
//! curl -s -XPOST localhost:3000/instances -H 'content-type: application/json' \
//!   -d '{"definition":"consumables","id":"CR-1","actor":{"id":"li","roles":["regional_tech_support_engineer"]},"data":{}}'
//! curl -s 'localhost:3000/instances/CR-1?actor=li&roles=regional_tech_support_engineer'
//! curl -s -XPOST localhost:3000/instances/CR-1/commands -H 'content-type: application/json' \
//!   -d '{"actor":{"id":"li","roles":["regional_tech_support_engineer"]},"intent":{"intent":"fire","action":"cancel"},"payload":{"reason":"duplicate"},"idempotency_key":"k1"}'
//! curl -s localhost:3000/instances/CR-1/trail
//! curl -s localhost:3000/instances/CR-1/diagram
//! ```
//!
//! Routes: `GET /definitions`; `POST /instances` (start); `GET /instances/{id}` (the snapshot
//! and, with `?actor=..&roles=a,b`, the actions available to that actor and why not the
//! rest); `POST /instances/{id}/commands` (a [`Command`] as JSON); `GET
//! /instances/{id}/trail` (the events); `GET /instances/{id}/diagram` (Mermaid).

use aftersales::procedures::{batch_quality, complaint, consumables, customer_return};
use aftersales::{
    Actor, AsyncEngine, AsyncOutboxSink, AsyncStore, Command, EngineError, Event, InstanceId,
    Lease, Mermaid, OutboxMessage, PostgresStore, SqliteStore, StoreError, SyncAsAsync,
};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;

/// The fleet's clock.
pub(crate) enum Clock {
    /// The machine's (one node, SQLite).
    System,
    /// The database server's (every node reads the same clock).
    Database(PostgresStore),
}

impl Clock {
    async fn now(&self) -> Result<DateTime<Utc>, StoreError> {
        match self {
            Clock::System => Ok(DateTime::<Utc>::from(std::time::SystemTime::now())),
            Clock::Database(store) => store.database_now().await,
        }
    }
}

pub(crate) struct App<S: AsyncStore> {
    pub(crate) engine: AsyncEngine<S>,
    pub(crate) clock: Clock,
}

type Shared<S> = State<Arc<App<S>>>;

/// An engine error as an HTTP answer.
fn error(e: EngineError) -> Response {
    let status = match &e {
        EngineError::NotFound { .. } | EngineError::UnknownDefinition { .. } => {
            StatusCode::NOT_FOUND
        }
        EngineError::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        EngineError::Conflict { .. } | EngineError::KeyReused { .. } => StatusCode::CONFLICT,
        EngineError::Store(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = json!({
        "error": e.to_string(),
        "rejection": e.rejection(),
    });
    (status, Json(body)).into_response()
}

fn store_error(e: StoreError) -> Response {
    error(EngineError::Store(e))
}

#[derive(Deserialize)]
struct Start {
    definition: String,
    id: String,
    actor: Actor,
    #[serde(default)]
    data: Value,
}

async fn definitions<S: AsyncStore + 'static>(State(app): Shared<S>) -> Response {
    let ids: Vec<String> = [
        batch_quality::ID,
        complaint::ID,
        consumables::ID,
        customer_return::ID,
    ]
    .into_iter()
    .filter(|id| app.engine.definition(*id).is_some())
    .map(str::to_owned)
    .collect();
    Json(json!({ "definitions": ids })).into_response()
}

async fn start<S: AsyncStore + 'static>(State(app): Shared<S>, Json(req): Json<Start>) -> Response {
    let Some(definition) = aftersales::Name::lookup(&req.definition) else {
        return error(EngineError::UnknownDefinition {
            definition: aftersales::Name::from("unknown"),
            version: None,
        });
    };
    let now = match app.clock.now().await {
        Ok(now) => now,
        Err(e) => return store_error(e),
    };
    match app
        .engine
        .start(definition, req.id, &req.actor, req.data, now)
        .await
    {
        Ok(out) => (
            StatusCode::CREATED,
            Json(json!({ "instance": out.instance, "events": out.events })),
        )
            .into_response(),
        Err(e) => error(e),
    }
}

async fn fire<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Path(id): Path<String>,
    Json(cmd): Json<Command>,
) -> Response {
    let now = match app.clock.now().await {
        Ok(now) => now,
        Err(e) => return store_error(e),
    };
    match app.engine.fire(&InstanceId::from(id), &cmd, now).await {
        Ok(out) => Json(json!({
            "instance": out.instance,
            "events": out.events,
            "replayed": out.replayed,
        }))
        .into_response(),
        Err(e) => error(e),
    }
}

async fn read<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let id = InstanceId::from(id);
    let inst = match app.engine.load(&id).await {
        Ok(inst) => inst,
        Err(e) => return error(e),
    };
    let mut body = json!({ "instance": inst });
    if let Some(actor) = q.get("actor") {
        let roles = q.get("roles").map(String::as_str).unwrap_or("");
        let actor = Actor::new(actor.as_str(), roles.split(',').filter(|r| !r.is_empty()));
        let now = match app.clock.now().await {
            Ok(now) => now,
            Err(e) => return store_error(e),
        };
        match app.engine.available_actions(&id, &actor, now).await {
            Ok(list) => {
                body["actions"] = list
                    .into_iter()
                    .map(|a| {
                        json!({
                            "action": a.action,
                            "sign_off": a.sign_off,
                            "available": a.verdict.is_ok(),
                            "why_not": a.verdict.err(),
                        })
                    })
                    .collect();
            }
            Err(e) => return error(e),
        }
    }
    Json(body).into_response()
}

async fn trail<S: AsyncStore + 'static>(State(app): Shared<S>, Path(id): Path<String>) -> Response {
    let id = InstanceId::from(id);
    if let Err(e) = app.engine.load(&id).await {
        return error(e);
    }
    match app.engine.history(&id).await {
        Ok(events) => Json(json!({ "events": events })).into_response(),
        Err(e) => error(e),
    }
}

async fn diagram<S: AsyncStore + 'static>(
    State(app): Shared<S>,
    Path(id): Path<String>,
) -> Response {
    let inst = match app.engine.load(&InstanceId::from(id)).await {
        Ok(inst) => inst,
        Err(e) => return error(e),
    };
    match app.engine.definition(inst.definition()) {
        Some(def) => (
            [("content-type", "text/plain; charset=utf-8")],
            Mermaid(def).to_string(),
        )
            .into_response(),
        None => error(EngineError::UnknownDefinition {
            definition: inst.definition(),
            version: Some(inst.definition_version()),
        }),
    }
}

/// Delivers outbox messages by printing them (a real service would publish them to its
/// queue, passing `message.key()` along for deduplication).
struct Stdout;

impl AsyncOutboxSink for Stdout {
    async fn deliver(&self, message: &OutboxMessage, events: &[Event]) -> Result<(), String> {
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
        println!("outbox {} {}", message.key(), kinds.join(","));
        Ok(())
    }
}

/// The scheduler loop: each second, handle due deadlines and deliver the outbox, with leases
/// so that several nodes share the work.
async fn scheduler<S: AsyncStore + 'static>(app: Arc<App<S>>, node: String) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        let now = match app.clock.now().await {
            Ok(now) => now,
            Err(e) => {
                eprintln!("scheduler: clock: {e}");
                continue;
            }
        };
        let lease = Lease::new(node.clone(), now + TimeDelta::seconds(30));
        match app.engine.run_due(now, &lease, 100).await {
            Ok(r) if !r.handled.is_empty() => eprintln!("scheduler: handled {}", r.handled.len()),
            Ok(_) => {}
            Err(e) => eprintln!("scheduler: {e}"),
        }
        if let Err(e) = app.engine.deliver_outbox(&Stdout, now, &lease, 100).await {
            eprintln!("outbox: {e}");
        }
    }
}

pub(crate) fn engine<S: AsyncStore>(store: S) -> Result<AsyncEngine<S>, Box<dyn Error>> {
    let calendar = aftersales::procedures::shanghai_calendar;
    let mut e = AsyncEngine::new(store).with_outbox(true);
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

/// The routes, over `app`.
pub(crate) fn router<S: AsyncStore + 'static>(app: Arc<App<S>>) -> Router {
    Router::new()
        .route("/definitions", get(definitions::<S>))
        .route("/instances", post(start::<S>))
        .route("/instances/{id}", get(read::<S>))
        .route("/instances/{id}/commands", post(fire::<S>))
        .route("/instances/{id}/trail", get(trail::<S>))
        .route("/instances/{id}/diagram", get(diagram::<S>))
        .with_state(app)
}

async fn serve<S: AsyncStore + 'static>(app: App<S>) -> Result<(), Box<dyn Error>> {
    let app = Arc::new(app);
    let node = format!("service-{}", std::process::id());
    tokio::spawn(scheduler(app.clone(), node));
    let addr = std::env::var("AFTERSALES_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    eprintln!("aftersales service on http://{addr}");
    axum::serve(listener, router(app)).await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let store = PostgresStore::connect(&url).await?;
            eprintln!("store: PostgreSQL (the database's clock)");
            let engine = engine(store.clone())?;
            serve(App {
                engine,
                clock: Clock::Database(store),
            })
            .await
        }
        _ => {
            let path = std::env::var("AFTERSALES_SQLITE")
                .unwrap_or_else(|_| "aftersales-service.sqlite".into());
            eprintln!("store: SQLite at {path}");
            let engine = engine(SyncAsAsync(SqliteStore::open(&path)?))?;
            serve(App {
                engine,
                clock: Clock::System,
            })
            .await
        }
    }
}
