//! # aftersales
//!
//! After-sales quality procedures — batch quality issue, customer complaint (客诉), customer
//! return / exchange / loan (客退/客换/客借), outsourced consumables request (耗材申请) — as
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
//!     .build(&Registry::new())?;
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
//! // Friday 16:00 + 4 working hours = Monday 11:00 (UTC+8).
//! let due = engine.next_due()?.unwrap();
//! assert_eq!(due, Utc.with_ymd_and_hms(2026, 11, 23, 3, 0, 0).unwrap());
//!
//! let done = engine.fire(&id, &Command::fire(&boss, "approve"), now)?;
//! assert!(done.instance.is_closed());
//! engine.verify(&id)?; // the snapshot equals the replay of the audit trail
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Map
//!
//! | module | concept |
//! |---|---|
//! | [`definition`] | specs, the builder, validation ([`Problem`]), typed definitions |
//! | [`access`] | actors, delegation, separation of duties, sign-offs |
//! | [`guard`], [`effect`], [`form`], [`registry`] | code bound to names in definitions |
//! | [`calendar`] | business calendar and business durations |
//! | [`deadline`] | deadline policies, clocks, escalation, SLA |
//! | [`command`], [`decide`] | the pure core |
//! | [`cost`] | the cost of poor quality: cost lines and roll-ups |
//! | [`instance`], [`event`] | snapshots, audit events, replay |
//! | [`store`], [`engine`] | the storage seam (`InMemoryStore`; `SqliteStore` with feature `sqlite`) and the engine |
//! | `testing` (feature `testing`) | the store conformance suite and a fault-injecting store |
//! | [`export`] | Mermaid, DOT, the audit trail, JSON Schema |
//! | [`vocabulary`](mod@vocabulary) | typed enums for states, actions, roles |
//! | [`procedures`] | the built-in procedures |

pub mod access;
pub mod calendar;
pub mod command;
pub mod cost;
pub mod deadline;
pub mod decide;
pub mod definition;
pub mod effect;
pub mod engine;
pub mod event;
pub mod export;
pub mod form;
pub mod guard;
pub mod instance;
pub mod procedures;
pub mod registry;
pub mod store;
#[cfg(feature = "testing")]
pub mod testing;
pub mod vocabulary;

pub use access::{Actor, ActorId, Separation, SignOffSpec, SignOrder, Signature};
pub use calendar::{BusinessCalendar, BusinessDuration, Calendar, CalendarError};
pub use command::{Command, Intent};
pub use cost::{Account, Bearer, CostError, CostKind, CostLedger, CostLine};
pub use deadline::{
    DeadlineSpec, DeadlineState, DurationSpec, EscalationSpec, SlaReport, SlaStatus, Trigger,
};
pub use decide::{Availability, Decision, Rejection};
pub use definition::{
    BuildError, Builder, Definition, DefinitionSpec, Problem, StateKind, StateSpec, TransitionSpec,
    TypedDefinition,
};
pub use effect::{Effect, EffectContext, EffectSpec};
pub use engine::{DueReport, Engine, EngineError, NoopNotifier, Notifier, Outcome};
pub use event::{Attribution, Event, EventKind};
pub use export::{Dot, Mermaid, Trail};
pub use form::{Form, FormValidator, TypedForm};
pub use guard::{Guard, GuardContext, GuardExpr};
pub use instance::{Instance, InstanceId, ReplayError};
pub use registry::Registry;
pub use store::{Commit, IdempotencyRecord, InMemoryStore, Store, StoreError};
#[cfg(feature = "sqlite")]
pub use store::{SqliteOpenError, SqliteOptions, SqliteStore, Synchronous};
pub use vocabulary::Vocabulary;

/// Re-exports for the `vocabulary!` macro; not part of the public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde;
}
