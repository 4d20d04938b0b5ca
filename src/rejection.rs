//! Why a command was refused: on the ground floor, since events record refusals and every
//! stage's errors name them.

use crate::ids::{ActorId, InstanceId, Name, Region};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

/// Why a command was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// The instance runs another definition (or version).
    #[error(
        "instance runs `{instance_definition}` v{instance_version}, not `{definition}` v{version}"
    )]
    WrongDefinition {
        /// The instance's definition.
        instance_definition: Name,
        /// The instance's definition version.
        instance_version: u32,
        /// The definition given.
        definition: Name,
        /// Its version.
        version: u32,
    },
    /// The instance is closed.
    #[error("instance is closed (in `{state}`)")]
    InstanceClosed {
        /// Its terminal state.
        state: Name,
    },
    /// The definition has no such action.
    #[error("unknown action `{action}`")]
    UnknownAction {
        /// The action.
        action: Name,
    },
    /// The action exists but not from the current state.
    #[error("no transition on `{action}` from `{state}`")]
    NoSuchTransition {
        /// Current state.
        state: Name,
        /// The action.
        action: Name,
    },
    /// The actor holds none of the allowed roles.
    #[error("`{actor}` may not do `{action}`: it needs one of [{}]", crate::ids::join(.allowed, ", "))]
    Forbidden {
        /// The action (`start` for starting an instance).
        action: Name,
        /// The actor.
        actor: ActorId,
        /// The roles that would be allowed.
        allowed: Vec<Name>,
    },
    /// The actor holds a role allowed for the action, but acts outside the instance's region
    /// and through no role the definition declares region-wide (see
    /// [Regions](crate::Actor#regions)).
    #[error(
        "`{actor}` (region {}) may not do `{action}` on `{instance}` of region `{instance_region}`: only its region's actors and region-wide roles may",
        .actor_region.as_ref().map_or("none", Region::as_str)
    )]
    OutOfRegion {
        /// The action (`start` for starting an instance).
        action: Name,
        /// The instance.
        instance: InstanceId,
        /// The actor.
        actor: ActorId,
        /// The actor's region (`None`: the actor has none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actor_region: Option<Region>,
        /// The instance's region.
        instance_region: Region,
    },
    /// A separation-of-duties rule forbids this actor.
    #[error("`{actor}` may not do `{action}`: separation of duties ({rule})")]
    SeparationOfDuties {
        /// The action.
        action: Name,
        /// The actor.
        actor: ActorId,
        /// The rule, in words.
        rule: String,
    },
    /// A required form is neither attached nor on file.
    #[error("`{action}` needs the form `{form}`")]
    MissingForm {
        /// The action.
        action: Name,
        /// The form kind.
        form: Name,
    },
    /// A payload field the transition requires (a reason, a note) is missing or blank.
    #[error("`{action}` needs a non-blank `{field}` in the payload")]
    TextRequired {
        /// The action.
        action: Name,
        /// The payload field.
        field: String,
    },
    /// The definition does not let this action attach forms of this kind.
    #[error("`{action}` may not attach a `{form}` form")]
    FormNotAttachable {
        /// The form kind.
        form: Name,
        /// The action (or `comment` / `override`).
        action: Name,
    },
    /// An attached form is invalid.
    #[error("form `{form}` is invalid: {reason}")]
    InvalidForm {
        /// The form kind.
        form: Name,
        /// Why.
        reason: String,
    },
    /// An attached form kind is not declared by the definition.
    #[error("form kind `{form}` is not declared by this definition")]
    UndeclaredForm {
        /// The form kind.
        form: Name,
    },
    /// A guard refused.
    #[error("`{action}` refused by guard `{guard}`: {reason}")]
    GuardRejected {
        /// The action.
        action: Name,
        /// The guard (or guard expression).
        guard: String,
        /// Its reason.
        reason: String,
    },
    /// An effect refused the payload.
    #[error("`{action}`: effect `{effect}` failed: {reason}")]
    EffectFailed {
        /// The action.
        action: Name,
        /// The effect.
        effect: Name,
        /// Why.
        reason: String,
    },
    /// The transition completes by sign-off; use `sign`.
    #[error("`{action}` is completed by a sign-off: sign it")]
    SignOffRequired {
        /// The action.
        action: Name,
    },
    /// `sign`/`refuse` on a transition without a sign-off.
    #[error("`{action}` has no sign-off from `{state}`")]
    NoSignOff {
        /// The action.
        action: Name,
        /// Current state.
        state: Name,
    },
    /// A sequential sign-off expects another role first.
    #[error("`{action}`: `{expected_role}` must sign first")]
    SignOutOfOrder {
        /// The action.
        action: Name,
        /// The role expected next.
        expected_role: Name,
    },
    /// A person would count twice in one sign-off: the actor, or the person it acts for,
    /// already counts as a signer of it, whether that signature was given by them or for them.
    #[error("`{actor}` may not sign `{action}`: {}", already_signed(.person.as_ref(), .signed_by.as_ref()))]
    AlreadySigned {
        /// The action.
        action: Name,
        /// The actor.
        actor: ActorId,
        /// The person who would count twice: the actor itself or the one it acts for
        /// (absent only in refusals recorded before this field existed).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        person: Option<ActorId>,
        /// The actor who gave the earlier signature counting for that person.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        signed_by: Option<ActorId>,
    },
    /// The actor does not hold the role the command names ([`Command::as_role`](crate::Command::as_role)).
    #[error("`{actor}` does not hold the role `{role}` it names")]
    RoleNotHeld {
        /// The actor.
        actor: ActorId,
        /// The role named.
        role: Name,
    },
    /// The role the command names may not do this action in this state.
    #[error("the role `{role}` may not do `{action}`: it needs one of [{}]", crate::ids::join(.allowed, ", "))]
    RoleNotAllowed {
        /// The action (`comment`, `override` for those commands).
        action: Name,
        /// The role named.
        role: Name,
        /// The roles that would be allowed.
        allowed: Vec<Name>,
    },
    /// The approval the current state stands on was invalidated: the content its signatures
    /// approved changed. Transitions leaving the state wait until `sign_off` is signed again.
    #[error("`{action}` waits for `{sign_off}` to be signed again: the content signed by [{}] changed", join_ids(.signers))]
    ApprovalInvalidated {
        /// The action attempted.
        action: Name,
        /// The action whose sign-off was invalidated.
        sign_off: Name,
        /// Who gave the invalidated signatures.
        signers: Vec<ActorId>,
    },
    /// The command would change content that standing signatures approve, and their sign-off
    /// refuses such changes ([`OnBoundChange::Refuse`](crate::OnBoundChange::Refuse)).
    #[error("`{action}` would change content signed for `{sign_off}` by [{}]", join_ids(.signers))]
    BoundContentLocked {
        /// The action attempted (`comment`, `override` for those commands).
        action: Name,
        /// The action whose sign-off binds the content.
        sign_off: Name,
        /// Who signed it.
        signers: Vec<ActorId>,
    },
    /// A refusal or override without a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// An override to a state that does not exist.
    #[error("unknown state `{state}`")]
    UnknownState {
        /// The state.
        state: Name,
    },
    /// A deadline could not be computed (the calendar has no working time ahead).
    #[error("deadline `{deadline}` cannot be computed: {reason}")]
    DeadlineUncomputable {
        /// The deadline.
        deadline: Name,
        /// Why.
        reason: String,
    },
    /// The instance snapshot contradicts the definition (a corrupted or foreign snapshot).
    #[error("instance is inconsistent with its definition: {reason}")]
    Inconsistent {
        /// What does not fit.
        reason: String,
    },
    /// The command's or due time's `now` is earlier than the instance's last event: time only
    /// moves forward per instance. (The [`Engine`](crate::Engine) can accept a `now` a little
    /// earlier, recorded at the last event's instant: see its `clock_tolerance`.)
    #[error("time went backwards: now is {now}, before the last event at {last}")]
    TimeWentBackwards {
        /// The instant of the instance's last event.
        last: DateTime<Utc>,
        /// The `now` given.
        now: DateTime<Utc>,
    },
    /// A payload, form body or initial or resulting data is nested deeper than
    /// [`MAX_JSON_DEPTH`]: the events recording it would not parse back from JSON.
    #[error("{what} is nested deeper than {max} levels")]
    TooDeep {
        /// `payload`, `form <kind>`, `data`.
        what: String,
        /// The limit.
        max: usize,
    },
    /// A command (or a new instance's data) exceeds one of the engine's
    /// [`CommandLimits`](crate::CommandLimits); checked before anything else is done with it.
    #[error("{what} exceeds the limit on {limit}: {found} > {max}")]
    OverLimit {
        /// Which limit.
        limit: Limit,
        /// What exceeded it (`payload`, `form <kind>`, `action`, `command`, ...).
        what: String,
        /// The limit's value.
        max: u64,
        /// The size found.
        found: u64,
    },
}

fn join_ids(ids: &[ActorId]) -> String {
    let texts: Vec<&str> = ids.iter().map(AsRef::as_ref).collect();
    texts.join(", ")
}

fn already_signed(person: Option<&ActorId>, signed_by: Option<&ActorId>) -> String {
    match (person, signed_by) {
        (Some(p), Some(b)) if p == b => format!("`{p}` already signed it"),
        (Some(p), Some(b)) => format!("`{p}` already counts as a signer (signature by `{b}`)"),
        _ => "already signed".to_owned(),
    }
}

/// How deeply JSON values in commands (payloads, form bodies) and instance data may nest.
/// Events and snapshots wrap them in up to four more levels; `serde_json` refuses to parse
/// documents nested deeper than 128, so deeper values would be accepted but could never be
/// read back from a JSON store.
pub const MAX_JSON_DEPTH: usize = 64;

/// The nesting depth of a JSON value (a scalar is 0, `[]` and `{}` are 1), without recursion.
pub(crate) fn depth(v: &Value) -> usize {
    // Scalars and empty containers: no allocation (the usual payload is `null`).
    match v {
        Value::Array(a) if a.is_empty() => return 1,
        Value::Object(o) if o.is_empty() => return 1,
        Value::Array(_) | Value::Object(_) => {}
        _ => return 0,
    }
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    deepest
}

/// Refuse `v` when it nests deeper than [`MAX_JSON_DEPTH`].
pub(crate) fn check_depth(what: impl FnOnce() -> String, v: &Value) -> Result<(), Rejection> {
    if depth(v) > MAX_JSON_DEPTH {
        return Err(Rejection::TooDeep {
            what: what(),
            max: MAX_JSON_DEPTH,
        });
    }
    Ok(())
}

/// Which limit was exceeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Limit {
    /// Bytes of one name or identifier in a command ([`crate::CommandLimits::name_bytes`]).
    NameBytes,
    /// Roles an actor claims ([`crate::CommandLimits::roles`]).
    Roles,
    /// Forms attached to one command ([`crate::CommandLimits::forms`]).
    Forms,
    /// Nesting depth of a JSON value ([`crate::CommandLimits::depth`], [`crate::DefinitionLimits::depth`]).
    Depth,
    /// Bytes of a command's payload ([`crate::CommandLimits::payload_bytes`]).
    PayloadBytes,
    /// Bytes of one form body ([`crate::CommandLimits::form_bytes`]).
    FormBytes,
    /// Bytes of a whole command or of a new instance's data ([`crate::CommandLimits::command_bytes`]).
    CommandBytes,
    /// Bytes of a definition's JSON ([`crate::DefinitionLimits::bytes`]).
    DefinitionBytes,
    /// States of a definition ([`crate::DefinitionLimits::states`]).
    States,
    /// Transitions of a definition ([`crate::DefinitionLimits::transitions`]).
    Transitions,
    /// Deadlines of a definition ([`crate::DefinitionLimits::deadlines`]).
    Deadlines,
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Limit::NameBytes => "name bytes",
            Limit::Roles => "roles",
            Limit::Forms => "forms",
            Limit::Depth => "nesting depth",
            Limit::PayloadBytes => "payload bytes",
            Limit::FormBytes => "form bytes",
            Limit::CommandBytes => "command bytes",
            Limit::DefinitionBytes => "definition bytes",
            Limit::States => "states",
            Limit::Transitions => "transitions",
            Limit::Deadlines => "deadlines",
        })
    }
}
