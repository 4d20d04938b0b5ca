//! Why a command was refused: on the ground floor, since events record refusals and every
//! stage's errors name them.

use crate::ids::{ActorId, Name};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
    /// This actor already signed this sign-off.
    #[error("`{actor}` already signed `{action}`")]
    AlreadySigned {
        /// The action.
        action: Name,
        /// The actor.
        actor: ActorId,
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
