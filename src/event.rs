//! Audit events: the append-only history of an instance.
//!
//! Every accepted command becomes one or more events; applying them in order rebuilds the
//! instance exactly ([`Instance::replay`](crate::Instance::replay)). Each event carries who
//! acted (and for whom, and with which role), when, and a sequence number that is also the
//! instance version after it.

use crate::digest::Digest;
use crate::form::Form;
use crate::ids::{ActorId, InstanceId, Name, Region};
use crate::rejection::Rejection;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::sync::Arc;

/// Who caused an event. System events (deadlines, escalations) have none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attribution {
    /// The acting actor.
    pub actor: ActorId,
    /// The role the action was permitted by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Name>,
    /// Delegation: the actor acted for this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<ActorId>,
}

/// One audit event.
///
/// # Wire format
///
/// On the wire (JSON, stores, exports) an event carries names, never handles, and a
/// `format` field: [`EVENT_FORMAT`] for events written by this version. The rules are fixed
/// once: later versions add event kinds and optional fields without changing the meaning of
/// existing ones, and raise `format` when they do. An event without `format` is read as
/// format 1 (the first release, whose JSON was the same apart from this field); an event of a
/// newer format than this build knows is refused. [`Event::canonical`] is the canonical
/// encoding (RFC 8785, the JSON Canonicalization Scheme, over the wire JSON) that digests and
/// hash chains are computed over.
///
/// # The hash chain (format 3)
///
/// A format-3 event carries `prev`: the [`hash`](Event::hash) of the event before it in the
/// same instance ([`Digest::ZERO`] before the first). An event is *linked* when `prev` is set;
/// the engine links events when it commits them (see the `chain` room and
/// [`Commit::linked`](crate::Commit::linked)), so the pure core ([`decide`](crate::decide))
/// returns them unlinked. Events of formats 1 and 2 were written before the chain existed and
/// are read as unlinked (`prev: None`); an unlinked event is written, and hashed, as format 2,
/// a linked one as format 3, so the hash of an event never depends on the build that computes
/// it. A format-3 event without `prev` is refused when read.
///
/// # Migrations (format 4)
///
/// [`EventKind::Migrated`] is written as format 4 (with `prev` when linked, like format 3);
/// no other kind is. A build reading at most format 3 refuses it rather than misread it; a
/// `migrated` event claiming an older format, or another kind claiming format 4, is refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The instance.
    pub instance: InstanceId,
    /// 1-based position in the instance history; the instance version after this event.
    pub seq: u64,
    /// When it happened (the `now` given by the host).
    pub at: DateTime<Utc>,
    /// Who caused it, if a person did.
    pub by: Option<Attribution>,
    /// What happened.
    pub kind: EventKind,
    /// The hash of the previous event of the instance ([`Digest::ZERO`] before the first);
    /// `None` while the event is not linked yet, and for events written before the chain
    /// (formats 1 and 2).
    pub prev: Option<Digest>,
}

/// The kinds of audit event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EventKind {
    /// The instance was started.
    Created {
        /// Definition id.
        definition: Name,
        /// Definition version.
        version: u32,
        /// Initial state.
        state: Name,
        /// Initial data.
        data: Arc<Value>,
        /// The region the instance belongs to (see [Regions](crate::Actor#regions)); absent:
        /// none. Recorded here so the hash chain and replay cover it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        region: Option<Region>,
    },
    /// A transition fired.
    Transitioned {
        /// Source state.
        from: Name,
        /// Target state.
        to: Name,
        /// The action.
        action: Name,
        /// The command payload.
        #[serde(default, skip_serializing_if = "Value::is_null")]
        payload: Value,
    },
    /// The instance reached a terminal state and is closed.
    Closed {
        /// The terminal state.
        state: Name,
    },
    /// Instance data changed (the whole new data, so replay never re-runs effects).
    DataChanged {
        /// The data after the change.
        data: Arc<Value>,
    },
    /// A form was attached.
    FormAttached {
        /// The form.
        form: Form,
        /// The action it was attached with.
        action: Name,
    },
    /// A sign-off signature was given or refused.
    Signed {
        /// The action whose sign-off this is.
        action: Name,
        /// The role signed as.
        role: Name,
        /// The meaning from the definition.
        meaning: Arc<str>,
        /// `true` for a signature, `false` for a refusal.
        approved: bool,
        /// The refusal reason or a remark.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The content the signature approves (the sign-off's `binds`); empty when none.
        #[serde(default, skip_serializing_if = "crate::access::no_binds")]
        binds: Arc<[String]>,
        /// The digest of that content when signing (absent when it binds none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        digest: Option<Digest>,
        /// This signature completes a sign-off given again in place after its approval was
        /// invalidated: the step's open signatures become completed and in force again,
        /// without a transition.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        renews: bool,
    },
    /// A command was refused (recorded for auditors: who tried what, and why not).
    ///
    /// The record keeps the refused command's size and digest, never its content, and its
    /// free-text reasons shortened (see [`Engine`](crate::Engine#refusal-records)); identical
    /// refusals repeated within the engine's window are summarised by one record with
    /// `repeated` set.
    Rejected {
        /// The action attempted, if any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        action: Option<Name>,
        /// Why it was refused.
        rejection: Rejection,
        /// The refused command's size and digest (absent on summaries and on records written
        /// before this field existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        command: Option<CommandDigest>,
        /// Set on a summary: the same refusal (same actor, action and reason) was made
        /// `count` times in all between `since` and `until`, the first of them recorded on its
        /// own. Also set (count 1) on a record written later than its refusal (after losing a
        /// write race): the event's `at` is when it was written, `since` when it was refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        repeated: Option<Repeats>,
    },
    /// A free-text comment.
    Commented {
        /// The text.
        text: String,
    },
    /// A deadline clock started.
    DeadlineStarted {
        /// Deadline name.
        deadline: Name,
        /// When it is due.
        due_at: DateTime<Utc>,
        /// When it warns, if it does.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// When each escalation step fires.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
        /// The early bound of a window, if the deadline has one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_before: Option<DateTime<Utc>>,
    },
    /// The warning threshold of a deadline passed.
    DeadlineWarned {
        /// Deadline name.
        deadline: Name,
    },
    /// A deadline passed unmet. Once breached, it stays breached.
    DeadlineBreached {
        /// Deadline name.
        deadline: Name,
        /// When it was due.
        due_at: DateTime<Utc>,
    },
    /// An escalation step fired.
    Escalated {
        /// Deadline name.
        deadline: Name,
        /// Index of the step in the ladder.
        step: usize,
        /// Roles to notify.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        notify: Vec<Name>,
        /// Role the instance is reassigned to.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reassign_to: Option<Name>,
        /// `(from, to)` when the instance was moved.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        moved: Option<(Name, Name)>,
    },
    /// A deadline stopped: its stop condition happened (met, unless it had breached) or the
    /// instance closed.
    DeadlineStopped {
        /// Deadline name.
        deadline: Name,
        /// Whether it stopped in time.
        met: bool,
        /// Working time left (seconds; negative when late) when it stopped.
        margin_secs: i64,
        /// Whether it stopped before the early bound of its window.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        early: bool,
    },
    /// Deadline clocks paused (waiting on the customer or a supplier).
    DeadlinePaused {
        /// Deadline name.
        deadline: Name,
    },
    /// Deadline clocks resumed, with the shifted instants.
    DeadlineResumed {
        /// Deadline name.
        deadline: Name,
        /// New due instant.
        due_at: DateTime<Utc>,
        /// New warning instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// New escalation instants.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
        /// New early bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_before: Option<DateTime<Utc>>,
    },
    /// An authorised override forced a state change outside the procedure; never silent.
    Overridden {
        /// Source state.
        from: Name,
        /// Target state.
        to: Name,
        /// Why.
        reason: String,
        /// The penalty recorded for the bypass, if the definition's host charges one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        penalty: Option<Value>,
    },
    /// The instance moved to another version of its definition under a migration plan
    /// (format 4; see the `migration` room). One event carries the whole change, so replay
    /// needs neither plan nor calendar; applying it checks that the instance's
    /// [content digest](crate::Instance::content_digest) was `before` and is `after`.
    Migrated {
        /// The definition version the instance ran on.
        from_version: u32,
        /// The version it runs on from now on.
        to_version: u32,
        /// The digest of the target version's spec ([`Definition::digest`](crate::Definition::digest)).
        definition: Digest,
        /// The digest of the plan ([`MigrationPlan::digest`](crate::MigrationPlan::digest)).
        plan: Digest,
        /// The state before.
        from_state: Name,
        /// The state after (the plan's mapping).
        to_state: Name,
        /// The data after the plan's transformations, when they changed it.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        data: Option<Arc<Value>>,
        /// What happened to each clock, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        clocks: Vec<ClockMigration>,
        /// What happened to the sign-offs in progress.
        sign_offs: SignOffPolicy,
        /// The instance's content digest before the migration.
        before: Digest,
        /// The instance's content digest after it.
        after: Digest,
    },
}

/// What a migration does to sign-offs still collecting signatures (and approvals whose
/// content changed and wait to be given again).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignOffPolicy {
    /// Signatures given so far stay; the sign-off continues under the new version.
    #[default]
    Keep,
    /// Open and invalidated signatures are cleared: every pending sign-off starts again under
    /// the new version (completed approvals in force stay).
    Reset,
}

/// What a migration did to one deadline clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClockMigration {
    /// The deadline.
    pub deadline: Name,
    /// What happened to its clock.
    pub change: ClockChange,
}

/// One clock change of a migration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClockChange {
    /// The running clock ended at the migration (its deadline is not in the new version, or
    /// it restarts): stopped like any clock, met or not.
    Ended {
        /// Whether it was on time.
        met: bool,
        /// Time left (seconds; negative when late).
        margin_secs: i64,
    },
    /// The running clock keeps its start, with instants recomputed under the new version's
    /// limits (a paused clock stays paused).
    Retimed {
        /// The new limit.
        due_at: DateTime<Utc>,
        /// The new warning instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// The new escalation instants.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
        /// The new early bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_before: Option<DateTime<Utc>>,
    },
    /// A clock started at the migration under the new version's limits (a restarted clock, or
    /// one the new version starts on entering the target state).
    Started {
        /// The limit.
        due_at: DateTime<Utc>,
        /// The warning instant.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        warn_at: Option<DateTime<Utc>>,
        /// The escalation instants.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        escalate_at: Vec<DateTime<Utc>>,
        /// The early bound.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        not_before: Option<DateTime<Utc>>,
        /// Started paused (the clock it replaces was paused: the instance waits).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        paused: bool,
    },
}

/// The size and digest of a refused command: enough to prove later which command it was (the
/// host that kept it can hash it again), without storing what an unauthorised sender wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CommandDigest {
    /// Bytes of the command as compact JSON.
    pub bytes: u64,
    /// SHA-256 of the command's canonical JSON (RFC 8785).
    pub digest: Digest,
}

/// How often one refusal was repeated (see [`EventKind::Rejected`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Repeats {
    /// Times the refusal was made in all, the first record included.
    pub count: u64,
    /// When the first of them was made.
    pub since: DateTime<Utc>,
    /// When the last of them was made.
    pub until: DateTime<Utc>,
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
            EventKind::Migrated { .. } => "migrated",
        }
    }
}

/// The newest format this version writes and reads (see [`Event`]'s wire format): 4, the
/// first with [`EventKind::Migrated`]. Format 3 was the first to carry the hash chain's
/// `prev`; every event other than a migration is still written as format 3 (linked) or 2
/// (unlinked), so the bytes, and the hash, of an event never depend on the build.
pub const EVENT_FORMAT: u16 = 4;

/// The format a linked event of a kind older than format 4 is written and hashed in.
const LINKED_FORMAT: u16 = 3;

/// The format an unlinked event is written and hashed in: the last format before the chain.
const UNLINKED_FORMAT: u16 = 2;

/// The format a migration event is written and hashed in, linked or not.
const MIGRATION_FORMAT: u16 = 4;

impl Event {
    /// The format this event is written (and hashed) in: 4 for a migration, 3 for any other
    /// linked event, 2 for an unlinked one.
    pub fn format(&self) -> u16 {
        match (&self.kind, self.prev) {
            (EventKind::Migrated { .. }, _) => MIGRATION_FORMAT,
            (_, Some(_)) => LINKED_FORMAT,
            (_, None) => UNLINKED_FORMAT,
        }
    }
}

fn first_format() -> u16 {
    1
}

/// The wire form of an event, borrowed for writing.
#[derive(Serialize)]
struct WireOut<'a> {
    format: u16,
    instance: &'a InstanceId,
    seq: u64,
    at: &'a DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: &'a Option<Attribution>,
    kind: &'a EventKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    prev: &'a Option<Digest>,
}

/// The wire form of an event, owned for reading (and for its JSON Schema).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Event", description = "One audit event (wire format).")]
struct WireIn {
    /// The rules the event was written under ([`EVENT_FORMAT`] today; absent means 1).
    #[serde(default = "first_format")]
    format: u16,
    /// The instance.
    instance: InstanceId,
    /// 1-based position in the instance history; the instance version after this event.
    seq: u64,
    /// When it happened (the `now` given by the host).
    at: DateTime<Utc>,
    /// Who caused it, if a person did.
    #[serde(default)]
    by: Option<Attribution>,
    /// What happened.
    kind: EventKind,
    /// The hash of the previous event of the instance (64 zeros before the first); format 3
    /// and later.
    #[serde(default)]
    prev: Option<Digest>,
}

impl Serialize for Event {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireOut {
            format: self.format(),
            instance: &self.instance,
            seq: self.seq,
            at: &self.at,
            by: &self.by,
            kind: &self.kind,
            prev: &self.prev,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Event {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Event, D::Error> {
        let w = WireIn::deserialize(d)?;
        if w.format > EVENT_FORMAT {
            return Err(serde::de::Error::custom(format_args!(
                "event format {} is newer than this build reads ({EVENT_FORMAT})",
                w.format
            )));
        }
        let migration = matches!(w.kind, EventKind::Migrated { .. });
        if migration != (w.format == MIGRATION_FORMAT) {
            return Err(serde::de::Error::custom(format_args!(
                "event of format {}: format {MIGRATION_FORMAT} is written for `migrated` events, and only for them",
                w.format
            )));
        }
        if w.format < LINKED_FORMAT && w.prev.is_some() {
            return Err(serde::de::Error::custom(format_args!(
                "event of format {} carries `prev`, which format {LINKED_FORMAT} introduced",
                w.format
            )));
        }
        if w.format == LINKED_FORMAT && w.prev.is_none() {
            return Err(serde::de::Error::custom(format_args!(
                "event of format {} without `prev` (the hash of the event before it)",
                w.format
            )));
        }
        Ok(Event {
            instance: w.instance,
            seq: w.seq,
            at: w.at,
            by: w.by,
            kind: w.kind,
            prev: w.prev,
        })
    }
}

impl JsonSchema for Event {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Event".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        WireIn::json_schema(generator)
    }
}

impl Event {
    /// The canonical encoding of this event: RFC 8785 (JCS) over its wire JSON, as UTF-8.
    /// Equal events always give equal bytes, whatever the host's `serde_json` features.
    pub fn canonical(&self) -> Vec<u8> {
        // An event holds only strings, integers, booleans, timestamps and JSON values with
        // string keys: serializing it to a `Value` cannot fail.
        crate::canonical::canonical_bytes(self).unwrap_or_default()
    }

    /// The hash of this event: SHA-256 of its [canonical encoding](Event::canonical), which
    /// includes `prev` when the event is linked. The next event of the instance carries it
    /// as its `prev`.
    pub fn hash(&self) -> Digest {
        Digest::of_bytes(&self.canonical())
    }

    /// Whether the event is linked into its instance's hash chain (`prev` is set).
    pub fn is_linked(&self) -> bool {
        self.prev.is_some()
    }
}
