//! # aftersales
//!
//! After-sales quality procedures — batch quality issue, customer complaint (客诉), customer
//! return / exchange / loan (客退/客换/客借), outsourced consumables request (耗材申请),
//! concession (让步接受) — as
//! **validated, typed state graphs** with **role permissions**, **guarded transitions**,
//! **sign-offs**, **business-time deadlines with escalation** and an **event-sourced audit
//! trail**.
//!
//! The crate is a pure library: storage ([`Store`]), notification ([`Notifier`]) and the
//! clock are the host's. Deciding a command is a pure function of (definition, instance,
//! command, `now`); the [`Engine`] adds load → decide → commit over any store.
//!
//! ## Quickstart
//!
//! ```
//! use aftersales::*;
//! use chrono::{TimeZone, Utc};
//! use serde_json::json;
//!
//! // A definition: states, roles, transitions, a deadline. `build` validates everything.
//! let def = Builder::new("repair", 1)
//!     .roles(["engineer", "manager"])
//!     .start_roles(["engineer"])
//!     .initial("reported")
//!     .normal("approval")
//!     .terminal("closed")
//!     .transition("reported", "submit", "approval", |t| t.roles(["engineer"]))
//!     .transition("approval", "approve", "closed", |t| {
//!         t.roles(["manager"]).not_same_actor_as("submit")
//!     })
//!     .deadline(DeadlineSpec::new(
//!         "approve_in_time",
//!         Trigger::enter("approval"),
//!         BusinessDuration::WorkingHours(4),
//!     ))
//!     // The working calendar is the host's choice: Mon–Fri 09–12, 13–18 at UTC+8.
//!     .build(&Registry::with_calendar(BusinessCalendar::china_standard()))?;
//!
//! let mut engine = Engine::new(InMemoryStore::new());
//! engine.register(def)?;
//!
//! let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap(); // Fri 16:00 at UTC+8
//! let eng = Actor::new("li", ["engineer"]);
//! let boss = Actor::new("wang", ["manager"]);
//! let id = InstanceId::from("R-1");
//!
//! engine.start("repair", id.clone(), &eng, json!({}), now)?;
//! engine.fire(&id, &Command::fire(&eng, "submit"), now)?;
//!
//! // Deny by default: the engineer may not approve.
//! let refused = engine.fire(&id, &Command::fire(&eng, "approve"), now).unwrap_err();
//! assert!(matches!(refused.rejection(), Some(Rejection::Forbidden { .. })));
//!
//! // Friday 16:00 + 4 working hours = Monday 11:00 (UTC+8). An approval at exactly 11:00
//! // is on time, so the host's timer is due one nanosecond later, when a breach is real.
//! let due = Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap();
//! assert_eq!(engine.next_due()?, Some(breach_instant(due)));
//!
//! let done = engine.fire(&id, &Command::fire(&boss, "approve"), now)?;
//! assert!(done.instance.is_closed());
//! engine.verify(&id)?; // the hash chain holds and the snapshot equals its replay
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Map
//!
//! Everything public is re-exported here, at the crate root: one path per item (the
//! [`migration`] room's own types live in that module). The rooms
//! behind it, from the ground floor up (each imports only from rooms listed before it):
//!
//! | room | what it holds |
//! |---|---|
//! | ids, rejection | [`Name`] (interned handles), [`InstanceId`], [`ActorId`], [`Region`]; why a command was refused ([`Rejection`]) |
//! | calendar, canonical, digest | SHA-256 [`Digest`]s of canonical JSON; business calendars in real time zones ([`Zone`]), holiday files, business durations, the boundary rule ([`is_met`], [`is_breached`]) |
//! | access, form, event | actors (and their [regions](Actor#regions)), separation of duties, sign-off specs; forms; audit events (names on the wire, [`Event::canonical`]) |
//! | instance | snapshots, clock state, apply, replay, verify |
//! | chain | the hash chain over each instance's events ([`verify_events`], [`ChainError`]), store [`ChainAnchor`]s, and what they do and do not prove |
//! | context, guard, effect, registry | what guards and effects see; code bound to names |
//! | definition | specs, the builder, validation ([`Problem`]), compiled definitions and deadlines |
//! | command, limits, decide | commands; limits on commands and JSON definitions ([`CommandLimits`], [`DefinitionLimits`]); the pure core: [`start`] / [`start_in`], [`decide`], [`handle_due`], [`available_actions`] |
//! | sla, cost | SLA figures; the cost of poor quality |
//! | [`migration`] | definition versions side by side and instance migration: plans from version A to B ([`MigrationSpec`], [`MigrationBuilder`], [`MigrationPlan`]), the dry run, the `migrated` event |
//! | store, engine, refusals | the storage seam ([`Store`], [`InMemoryStore`], `SqliteStore` with feature `sqlite`, `AsyncStore` with `async`, `PostgresStore` with `postgres`; leases and the outbox for several nodes); [`Engine`] (limits checked first, bounded refusal records; `AsyncEngine` with `async`, on the same core) |
//! | export | Mermaid, DOT, SVG (laid out by the library), the audit [`Trail`], JSON Schemas |
//! | [`procedures`] | the built-in procedures (public modules) |
//! | `testing` (feature `testing`) | the store conformance suite and a fault-injecting store |
//!
//! ## Guides
//!
//! [`guides`]: [authoring a definition in JSON](guides::json_definition),
//! [implementing a `Store`](guides::store), [embedding in an async service](guides::async_service),
//! [writing a procedure](guides::procedure).

#![cfg_attr(docsrs, feature(doc_cfg))]

mod access;
mod calendar;
mod canonical;
mod chain;
mod command;
mod context;
mod cost;
mod decide;
mod definition;
mod digest;
mod effect;
mod engine;
mod event;
mod export;
mod form;
mod guard;
pub mod guides;
mod ids;
mod instance;
mod limits;
pub mod migration;
#[cfg(feature = "procedures")]
#[cfg_attr(docsrs, doc(cfg(feature = "procedures")))]
pub mod procedures;
mod refusals;
mod registry;
mod rejection;
mod sla;
mod store;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod vocabulary;

pub use access::{
    Actor, Binding, OnBoundChange, Separation, SignOffSpec, SignOrder, Signature, SignatureStatus,
    bound_content, bound_digest,
};
pub use calendar::{
    BusinessCalendar, BusinessCalendarBuilder, BusinessDuration, Calendar, CalendarError,
    CalendarProblem, DaySchedule, DurationRange, HolidayFileError, SEARCH_HORIZON_DAYS,
    WorkingPeriod, Zone, breach_instant, is_breached, is_met,
};
pub use chain::{
    AnchorError, ChainAnchor, ChainError, ChainHead, ChainedEvent, check_snapshot, link_events,
    verify_chained, verify_events,
};
pub use command::{Command, Intent};
pub use context::Context;
pub use cost::{Account, Bearer, CostError, CostKind, CostLedger, CostLine, YearMonth};
pub use decide::{
    Availability, Decision, MAX_STEPS_PER_CALL, available_actions, check, decide, handle_due,
    start, start_in,
};
pub use definition::{
    Anchor, AnchorSource, AnywhereSpec, BuildError, Builder, DeadlineSpec, Definition,
    DefinitionSpec, DurationSpec, EdgeKind, EscalationSpec, GraphEdge, MAX_ROLES, Problem, Runs,
    StartIf, StateKind, StateSpec, TransitionBuilder, TransitionSpec, Trigger, TypedDefinition,
    VocabularyMismatch,
};
pub use digest::{Digest, DigestParseError};
pub use effect::{Effect, EffectSpec};
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use engine::{AsyncEngine, AsyncOutboxSink};
pub use engine::{
    DeliveryReport, DueReport, Engine, EngineError, NoopNotifier, Notifier, OutboxSink, Outcome,
    REFUSAL_WRITE_ATTEMPTS,
};
pub use event::{
    Attribution, ClockChange, ClockMigration, CommandDigest, EVENT_FORMAT, Event, EventKind,
    Repeats, SignOffPolicy,
};
pub use export::{
    Dot, InStateActions, Mermaid, Svg, Trail, Verbose, command_schema, definition_schema,
    event_schema, instance_schema,
};
pub use form::{Form, FormValidator, TypedForm};
pub use guard::{Guard, GuardExpr};
pub use ids::{ActorId, InstanceId, Name, Region};
pub use instance::{
    AttachedForm, DeadlineState, Instance, ReplayError, SlaStatus, Stopped, TypedData,
};
pub use limits::{CommandLimits, DefinitionLimits, DefinitionOverLimit, json_size};
pub use migration::{MigrationBuilder, MigrationPlan, MigrationSpec};
pub use refusals::{DEFAULT_REFUSAL_WINDOW, MAX_OPEN_WINDOWS, RECORDED_TEXT_BYTES};
pub use registry::{Registry, Selector};
pub use rejection::{Limit, MAX_JSON_DEPTH, Rejection};
pub use sla::{
    ComplaintRate, DEFAULT_COMPLAINT_RATE_GOAL_PERMILLE, DEFAULT_ON_TIME_GOAL_PERMILLE, Period,
    SlaCounts, SlaReport,
};
#[cfg(feature = "async")]
#[cfg_attr(docsrs, doc(cfg(feature = "async")))]
pub use store::{AsyncStore, SyncAsAsync};
pub use store::{
    BackendSource, Commit, IdempotencyRecord, InMemoryStore, Lease, OutboxMessage, Store,
    StoreError, check_commit, check_link,
};
#[cfg(feature = "postgres")]
#[cfg_attr(docsrs, doc(cfg(feature = "postgres")))]
pub use store::{BlockingPostgresStore, PostgresOpenError, PostgresOptions, PostgresStore};
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub use store::{SqliteOpenError, SqliteOptions, SqliteStore, Synchronous};
pub use vocabulary::Vocabulary;

/// Re-exports for the `vocabulary!` macro; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
