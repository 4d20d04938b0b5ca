//! The compiled parts of a definition: states, transitions, sign-offs, effects, with names
//! interned and references resolved to typed indices.

use super::spec::StateKind;
use crate::access::{OnBoundChange, SignOrder};
use crate::effect::Effect;
use crate::guard::CompiledGuard;
use crate::ids::{ActionIx, Name, RoleIx, RoleMask, StateIx, TransitionIx};
use std::sync::Arc;

/// A state, with the transitions leaving it.
pub(crate) struct CompiledState {
    pub(crate) name: Name,
    pub(crate) kind: StateKind,
    pub(crate) pauses_clocks: bool,
    /// The transitions leaving this state as `(action, transition)`, in definition order:
    /// the candidates of a command are those of its action, first one first.
    pub(crate) outgoing: Vec<(ActionIx, TransitionIx)>,
}

/// A sign-off, compiled.
pub(crate) struct CompiledSignOff {
    /// The roles whose signatures are needed, in the spec's order.
    pub(crate) roles: Vec<Name>,
    pub(crate) order: SignOrder,
    pub(crate) meaning: Arc<str>,
    pub(crate) on_refuse: Option<StateIx>,
    pub(crate) distinct_signers: bool,
    /// The content its signatures approve (checked by `build()`).
    pub(crate) binds: Arc<[String]>,
    pub(crate) on_change: OnBoundChange,
}

impl CompiledSignOff {
    /// The roles of the first stage with a missing signature, given the roles that signed;
    /// empty when complete.
    pub(crate) fn next_signers(&self, signed: &[Name]) -> Vec<Name> {
        crate::access::next_in_order(&self.roles, &self.order, signed)
    }
}

/// An effect, compiled.
pub(crate) enum CompiledEffect {
    MergePayload,
    Named(Name, Arc<dyn Effect>),
}

impl CompiledTransition {
    /// The role an actor holding `mask` acts in on this transition: the first of its allowed
    /// roles, in the order the spec lists them, that the actor holds.
    pub(crate) fn role_for(&self, mask: RoleMask) -> Option<RoleIx> {
        self.role_order
            .iter()
            .copied()
            .find(|&r| mask.intersects(RoleMask::default().with(r)))
    }
}

/// A transition, compiled.
pub(crate) struct CompiledTransition {
    pub(crate) from: StateIx,
    pub(crate) to: StateIx,
    pub(crate) action: Name,
    pub(crate) roles: RoleMask,
    /// The allowed roles in the order the spec lists them (the transition's own roles, or its
    /// sign-off's): the role recorded for an actor holding several is the first of these.
    pub(crate) role_order: Box<[RoleIx]>,
    /// Roles excluded by separation of duties.
    pub(crate) excluded: RoleMask,
    /// Actions whose actors may not fire this one (separation of duties), with the rule's
    /// position in the spec (for the refusal's wording).
    pub(crate) not_same_as: Vec<(usize, Name)>,
    /// The position of the first `excluded_role` rule, for the refusal's wording.
    pub(crate) excluded_rule: Option<usize>,
    pub(crate) forms: Vec<Name>,
    pub(crate) fresh_forms: Vec<Name>,
    /// Payload fields that must hold a non-blank text.
    pub(crate) requires_text: Vec<Box<str>>,
    pub(crate) guards: Vec<CompiledGuard>,
    pub(crate) sign_off: Option<CompiledSignOff>,
    pub(crate) effects: Vec<CompiledEffect>,
}
