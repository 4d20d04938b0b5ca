//! The serde form of a definition: what a company authors as JSON, and what the builder
//! produces. A spec is only data; [`DefinitionSpec::build`] validates it into a
//! [`Definition`](crate::Definition).

use super::deadline_spec::DeadlineSpec;
use crate::access::{Separation, SignOffSpec};
use crate::effect::EffectSpec;
use crate::guard::GuardExpr;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The kind of a state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StateKind {
    /// Where every instance starts; exactly one per definition.
    Initial,
    /// An intermediate state.
    #[default]
    Normal,
    /// A final state: the instance is closed when it gets there.
    Terminal,
}

/// A state in a spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StateSpec {
    /// Unique name.
    pub name: String,
    /// Initial, normal or terminal.
    #[serde(default)]
    pub kind: StateKind,
    /// While the instance is in this state, deadline clocks are paused (waiting on the
    /// customer or a supplier).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pauses_clocks: bool,
    /// Free text shown in exports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A transition in a spec.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionSpec {
    /// Source state.
    pub from: String,
    /// The action that fires it.
    pub action: String,
    /// Target state (may equal `from`: a self-loop that records without moving).
    pub to: String,
    /// Roles allowed to fire it (for a sign-off: roles allowed to sign).
    #[serde(default)]
    pub roles: Vec<String>,
    /// Guards, checked in order; all must pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<GuardExpr>,
    /// Form kinds the command must attach (or that must already be attached).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    /// Form kinds this very command must attach: a form of that kind already on file does not
    /// count (a new revision for every pass of a loop).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fresh_forms: Vec<String>,
    /// Payload fields that must hold a non-empty text ("a reason is given", "a note is
    /// given"): `["reason"]` refuses a command whose payload has no non-blank `reason`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_text: Vec<String>,
    /// Separation-of-duties rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separation: Vec<Separation>,
    /// A multi-party sign-off that completes this transition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_off: Option<SignOffSpec>,
    /// Effects on instance data, applied in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectSpec>,
    /// Free text shown in exports (e.g. the seed clause).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A whole definition as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionSpec {
    /// The definition's id (e.g. `batch_quality`).
    pub id: String,
    /// Its version; instances record the version they were started with.
    pub version: u32,
    /// Declared roles (at most 64).
    pub roles: Vec<String>,
    /// Roles allowed to start an instance.
    pub start_roles: Vec<String>,
    /// Roles allowed to force a state change outside the procedure (an override is always
    /// recorded). Empty: nobody may.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub override_roles: Vec<String>,
    /// Roles that act in every region (headquarters departments): an actor acting through
    /// one of them may act on an instance of any region; every other role acts only on
    /// instances of the actor's own region or without a region (see
    /// [Regions](crate::Actor#regions)). Empty: every role is regional, which changes nothing
    /// for instances started without a region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_wide_roles: Vec<String>,
    /// Declared actions.
    pub actions: Vec<String>,
    /// Declared form kinds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    /// States, in display order.
    pub states: Vec<StateSpec>,
    /// Transitions; order matters (first passing transition wins).
    pub transitions: Vec<TransitionSpec>,
    /// Deadline policies.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<DeadlineSpec>,
    /// Actions available in every open (non-terminal) state, declared once instead of as a
    /// transition from every state: flag as serious, add a remark, withdraw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub anywhere: Vec<AnywhereSpec>,
    /// The name of the calendar its deadlines are computed in, registered with
    /// [`Registry::named_calendar`](crate::Registry::named_calendar); absent: the registry's
    /// calendar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Which actions may attach which form kinds: `{"8d_report": ["submit_8d"]}`. A form kind
    /// listed here may be attached only by those actions (and by the actions whose transitions
    /// require it); a kind not listed may be attached by any command.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attach: BTreeMap<String, Vec<String>>,
}

/// An action available in every open state (see [`DefinitionSpec::anywhere`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnywhereSpec {
    /// The action.
    pub action: String,
    /// Where it leads (`None`: the instance stays in its state, a self-loop that records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Roles allowed to fire it.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Guards, checked in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub guards: Vec<GuardExpr>,
    /// Form kinds the command must attach (or that must be on file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forms: Vec<String>,
    /// Form kinds this very command must attach.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fresh_forms: Vec<String>,
    /// Payload fields that must hold a non-empty text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires_text: Vec<String>,
    /// Separation-of-duties rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub separation: Vec<Separation>,
    /// A multi-party sign-off that completes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_off: Option<SignOffSpec>,
    /// Effects on instance data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectSpec>,
    /// Free text shown in exports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl AnywhereSpec {
    /// The transition this action is from `state` (what `build()` compiles for every open
    /// state).
    pub fn from_state(&self, state: &str) -> TransitionSpec {
        TransitionSpec {
            from: state.to_owned(),
            action: self.action.clone(),
            to: self.to.clone().unwrap_or_else(|| state.to_owned()),
            roles: self.roles.clone(),
            guards: self.guards.clone(),
            forms: self.forms.clone(),
            fresh_forms: self.fresh_forms.clone(),
            requires_text: self.requires_text.clone(),
            separation: self.separation.clone(),
            sign_off: self.sign_off.clone(),
            effects: self.effects.clone(),
            description: self.description.clone(),
        }
    }
}
