//! Audit events: the append-only history of an instance.
//!
//! Every accepted command becomes one or more events; applying them in order rebuilds the
//! instance exactly ([`Instance::replay`](crate::Instance::replay)). Each event carries who
//! acted (and for whom, and with which role), when, and a sequence number that is also the
//! instance version after it.

use crate::access::ActorId;
use crate::decide::Rejection;
use crate::form::Form;
use crate::instance::InstanceId;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Who caused an event. System events (deadlines, escalations) have none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// The acting actor.
    pub actor: ActorId,
    /// The role the action was permitted by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Delegation: the actor acted for this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<ActorId>,
}

/// One audit event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// The instance.
    pub instance: InstanceId,
    /// 1-based position in the instance history; the instance version after this event.
    pub seq: u64,
    /// When it happened (the `now` given by the host).
    pub at: DateTime<Utc>,
    /// Who caused it, if a person did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Attribution>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of audit event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The instance was started.
    Created {
        /// Definition id.
        definition: String,
        /// Definition version.
        version: u32,
        /// Initial state.
        state: String,
        /// Initial data.
        data: Value,
    },
    /// A transition fired.
    Transitioned {
        /// Source state.
        from: String,
        /// Target state.
        to: String,
        /// The action.
        action: String,
        /// The command payload.
        #[serde(default, skip_serializing_if = "Value::is_null")]
        payload: Value,
    },
    /// The instance reached a terminal state and is closed.
    Closed {
        /// The terminal state.
        state: String,
    },
    /// Instance data changed (the whole new data, so replay never re-runs effects).
    DataChanged {
        /// The data after the change.
        data: Value,
    },
    /// A form was attached.
    FormAttached {
        /// The form.
        form: Form,
        /// The action it was attached with.
        action: String,
    },
    /// A sign-off signature was given or refused.
    Signed {
        /// The action whose sign-off this is.
        action: String,
        /// The role signed as.
        role: String,
        /// The meaning from the definition.
        meaning: String,
        /// `true` for a signature, `false` for a refusal.
        approved: bool,
        /// The refusal reason or a remark.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// A command was refused (recorded for auditors: who tried what, and why not).
    Rejected {
        /// The action attempted, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<String>,
        /// Why it was refused.
        rejection: Rejection,
    },
    /// A free-text comment.
    Commented {
        /// The text.
        text: String,
    },
    /// A deadline clock started.
    DeadlineStarted {
        /// Deadline name.
        deadline: String,
        /// When it is due.
        due_at: DateTime<Utc>,
        /// When it warns, if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// When each escalation step fires.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
    },
    /// The warning threshold of a deadline passed.
    DeadlineWarned {
        /// Deadline name.
        deadline: String,
    },
    /// A deadline passed unmet. Once breached, it stays breached.
    DeadlineBreached {
        /// Deadline name.
        deadline: String,
        /// When it was due.
        due_at: DateTime<Utc>,
    },
    /// An escalation step fired.
    Escalated {
        /// Deadline name.
        deadline: String,
        /// Index of the step in the ladder.
        step: usize,
        /// Roles to notify.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notify: Vec<String>,
        /// Role the instance is reassigned to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reassign_to: Option<String>,
        /// `(from, to)` when the instance was moved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved: Option<(String, String)>,
    },
    /// A deadline stopped: its stop condition happened (met, unless it had breached) or the
    /// instance closed.
    DeadlineStopped {
        /// Deadline name.
        deadline: String,
        /// Whether it stopped in time.
        met: bool,
        /// Working time left (seconds; negative when late) when it stopped.
        margin_secs: i64,
    },
    /// Deadline clocks paused (waiting on the customer or a supplier).
    DeadlinePaused {
        /// Deadline name.
        deadline: String,
    },
    /// Deadline clocks resumed, with the shifted instants.
    DeadlineResumed {
        /// Deadline name.
        deadline: String,
        /// New due instant.
        due_at: DateTime<Utc>,
        /// New warning instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// New escalation instants.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
    },
    /// An authorised override forced a state change outside the procedure; never silent.
    Overridden {
        /// Source state.
        from: String,
        /// Target state.
        to: String,
        /// Why.
        reason: String,
        /// The penalty recorded for the bypass, if the definition's host charges one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        penalty: Option<Value>,
    },
}

impl EventKind {
    /// A short name for the kind (`transitioned`, `signed`, ...).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Created { .. } => "created",
            EventKind::Transitioned { .. } => "transitioned",
            EventKind::Closed { .. } => "closed",
            EventKind::DataChanged { .. } => "data_changed",
            EventKind::FormAttached { .. } => "form_attached",
            EventKind::Signed { .. } => "signed",
            EventKind::Rejected { .. } => "rejected",
            EventKind::Commented { .. } => "commented",
            EventKind::DeadlineStarted { .. } => "deadline_started",
            EventKind::DeadlineWarned { .. } => "deadline_warned",
            EventKind::DeadlineBreached { .. } => "deadline_breached",
            EventKind::Escalated { .. } => "escalated",
            EventKind::DeadlineStopped { .. } => "deadline_stopped",
            EventKind::DeadlinePaused { .. } => "deadline_paused",
            EventKind::DeadlineResumed { .. } => "deadline_resumed",
            EventKind::Overridden { .. } => "overridden",
        }
    }
}
