//! Definitions: validated state graphs, compiled once.
//!
//! A [`Definition`] is made from a [`DefinitionSpec`] (authored as JSON, or produced by the
//! [`Builder`]) and a [`Registry`] binding guard/effect/form names to code.
//! [`DefinitionSpec::build`] is all-or-nothing and reports every [`Problem`] at once; the
//! engine only ever holds valid definitions. Building interns every name, resolves every
//! reference to a typed index, compiles the deadlines (their triggers and escalation moves)
//! and precomputes, per state, the candidate transitions of each action.

mod builder;
mod compiled;
mod deadline;
mod deadline_spec;
mod names;
mod problem;
mod spec;
mod typed;
mod validate;

pub use builder::{Builder, TransitionBuilder};
pub use deadline_spec::{
    Anchor, AnchorSource, DeadlineSpec, DurationSpec, EscalationSpec, Runs, StartIf, Trigger,
};
pub use problem::{BuildError, Problem};
pub use spec::{AnywhereSpec, DefinitionSpec, StateKind, StateSpec, TransitionSpec};
pub use typed::{TypedDefinition, VocabularyMismatch};

pub(crate) use compiled::{CompiledEffect, CompiledSignOff, CompiledState, CompiledTransition};
pub(crate) use deadline::{CompiledDeadline, When};

use crate::calendar::Calendar;
use crate::form::FormValidator;
use crate::ids::{ActionIx, DeadlineIx, FastMap, Name, RoleIx, RoleMask, StateIx, TransitionIx};
use crate::limits::{DefinitionLimits, DefinitionOverLimit};
use crate::registry::Registry;
use crate::rejection::{Limit, Rejection};
use petgraph::graph::{DiGraph, NodeIndex};
use std::fmt;
use std::sync::Arc;

/// The most roles a definition may declare (they are held in a 64-bit mask).
pub const MAX_ROLES: usize = 64;

/// What an edge of the state graph stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Edge {
    /// A transition.
    Transition(TransitionIx),
    /// The refusal route of a transition's sign-off.
    Refusal(TransitionIx),
    /// A move an escalation rung of a deadline can make.
    Escalation(DeadlineIx),
}

/// One edge of a definition's state graph, as [`Definition::edges`] lists it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphEdge<'a> {
    /// Source state.
    pub from: Name,
    /// Target state.
    pub to: Name,
    /// What the edge stands for.
    pub kind: EdgeKind<'a>,
}

/// What a [`GraphEdge`] stands for.
#[derive(Clone, Copy, Debug, PartialEq)]
#[non_exhaustive]
pub enum EdgeKind<'a> {
    /// A transition of the spec.
    Transition(&'a TransitionSpec),
    /// Where a refusal of the transition's sign-off routes.
    Refusal(&'a TransitionSpec),
    /// A move an escalation rung of this deadline can make when it is missed.
    Escalation(&'a DeadlineSpec),
}

/// A validated procedure definition. Cheap to share behind an `Arc`; immutable.
pub struct Definition {
    pub(crate) spec: DefinitionSpec,
    pub(crate) id: Name,
    pub(crate) states: Vec<CompiledState>,
    pub(crate) state_of: FastMap<Name, StateIx>,
    pub(crate) action_of: FastMap<Name, ActionIx>,
    pub(crate) roles: Vec<Name>,
    pub(crate) role_of: FastMap<Name, RoleIx>,
    pub(crate) start_roles: RoleMask,
    pub(crate) override_roles: RoleMask,
    /// The roles acting in every region (see [Regions](crate::Actor#regions)).
    pub(crate) region_wide: RoleMask,
    pub(crate) initial: StateIx,
    pub(crate) transitions: Vec<CompiledTransition>,
    pub(crate) forms: FastMap<Name, Option<Arc<dyn FormValidator>>>,
    /// JSON Schemas of the declared form kinds registered as typed forms.
    pub(crate) form_schemas: FastMap<Name, fn() -> schemars::Schema>,
    pub(crate) deadlines: Vec<CompiledDeadline>,
    pub(crate) graph: DiGraph<StateIx, Edge>,
    /// `None` only for a definition without deadlines (build requires a calendar otherwise).
    pub(crate) calendar: Option<Arc<dyn Calendar>>,
    /// The transitions compiled from `spec.anywhere` (one per action and open state), which
    /// follow the spec's own in transition numbering.
    pub(crate) generated: Vec<TransitionSpec>,
    /// Form kind → the actions that may attach it, for the kinds `spec.attach` restricts.
    pub(crate) attach: FastMap<Name, Vec<Name>>,
    /// The digest of `spec` (computed once, when built).
    pub(crate) digest: crate::Digest,
}

impl fmt::Debug for Definition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Definition")
            .field("id", &self.spec.id)
            .field("version", &self.spec.version)
            .field("states", &self.spec.states.len())
            .field("transitions", &self.spec.transitions.len())
            .finish_non_exhaustive()
    }
}

impl DefinitionSpec {
    /// Validate this spec against `registry` and compile it.
    ///
    /// # Errors
    /// [`BuildError::Invalid`] listing every problem found.
    pub fn build(self, registry: &Registry) -> Result<Definition, BuildError> {
        validate::build(self, registry)
    }

    /// Parse a spec from JSON under the default [`DefinitionLimits`] (see
    /// [`from_json_with`](Self::from_json_with)).
    ///
    /// # Errors
    /// [`BuildError::OverLimit`]; [`BuildError::Json`] with the position of the first syntax
    /// or shape error.
    pub fn from_json(json: &str) -> Result<Self, BuildError> {
        Self::from_json_with(json, &DefinitionLimits::default())
    }

    /// Parse a spec from JSON that comes from outside, under `limits`: the text's size and
    /// nesting are checked before parsing, the counts of states, transitions and deadlines
    /// after parsing and before any validation.
    ///
    /// # Errors
    /// [`BuildError::OverLimit`] naming the limit, its value and the size found;
    /// [`BuildError::Json`].
    pub fn from_json_with(json: &str, limits: &DefinitionLimits) -> Result<Self, BuildError> {
        limits.check_text(json)?;
        let spec: Self = serde_json::from_str(json).map_err(|e| BuildError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })?;
        spec.check_counts(limits)?;
        Ok(spec)
    }

    /// Check the counts of states, transitions (each `anywhere` action once per state) and
    /// deadlines against `limits`, before any validation. [`from_json_with`](Self::from_json_with)
    /// does this; a host that deserializes specs itself calls it before [`build`](Self::build).
    ///
    /// # Errors
    /// [`DefinitionOverLimit`] for [`Limit::States`], [`Limit::Transitions`] or
    /// [`Limit::Deadlines`].
    pub fn check_counts(&self, limits: &DefinitionLimits) -> Result<(), DefinitionOverLimit> {
        let exceeds = |limit, max: usize, found: usize| {
            (found > max).then_some(DefinitionOverLimit {
                limit,
                max: max as u64,
                found: found as u64,
            })
        };
        let states = self.states.len();
        let transitions = self
            .transitions
            .len()
            .saturating_add(self.anywhere.len().saturating_mul(states));
        exceeds(Limit::States, limits.states, states)
            .or_else(|| exceeds(Limit::Transitions, limits.transitions, transitions))
            .or_else(|| exceeds(Limit::Deadlines, limits.deadlines, self.deadlines.len()))
            .map_or(Ok(()), Err)
    }

    /// The spec as pretty JSON.
    pub fn to_json(&self) -> String {
        // A spec holds only strings, numbers, vectors and maps with string keys:
        // serialization cannot fail, but we still never panic.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl Definition {
    /// Parse and build a definition from JSON in one step, under the default
    /// [`DefinitionLimits`] (a definition from JSON may come from outside). The format is
    /// [`DefinitionSpec`]'s; the guide [`json_definition`](crate::guides::json_definition)
    /// walks through a complete one.
    ///
    /// ```
    /// use aftersales::{BuildError, Definition, Registry};
    ///
    /// let json = r#"{
    ///   "id": "ticket", "version": 1,
    ///   "roles": ["clerk"], "start_roles": ["clerk"],
    ///   "actions": ["close"],
    ///   "states": [{ "name": "open", "kind": "initial" }, { "name": "done", "kind": "terminal" }],
    ///   "transitions": [{ "from": "open", "action": "close", "to": "done", "roles": ["clerk"] }]
    /// }"#;
    /// let def = Definition::from_json(json, &Registry::new())?;
    /// assert_eq!(def.initial_state(), "open");
    ///
    /// // A typo is an error with its position, not a silent default.
    /// let typo = json.replace("\"roles\": [\"clerk\"], \"start", "\"role\": [\"clerk\"], \"start");
    /// assert!(matches!(Definition::from_json(&typo, &Registry::new()), Err(BuildError::Json { .. })));
    /// # Ok::<(), BuildError>(())
    /// ```
    ///
    /// # Errors
    /// [`BuildError::OverLimit`], [`BuildError::Json`] or [`BuildError::Invalid`].
    pub fn from_json(json: &str, registry: &Registry) -> Result<Definition, BuildError> {
        Self::from_json_with(json, registry, &DefinitionLimits::default())
    }

    /// Parse and build a definition from JSON under `limits` (see
    /// [`DefinitionSpec::from_json_with`]).
    ///
    /// # Errors
    /// [`BuildError::OverLimit`], [`BuildError::Json`] or [`BuildError::Invalid`].
    pub fn from_json_with(
        json: &str,
        registry: &Registry,
        limits: &DefinitionLimits,
    ) -> Result<Definition, BuildError> {
        DefinitionSpec::from_json_with(json, limits)?.build(registry)
    }

    /// The definition id.
    pub fn id(&self) -> Name {
        self.id
    }

    /// The definition version.
    pub fn version(&self) -> u32 {
        self.spec.version
    }

    /// The digest of the spec this definition was built from: SHA-256 of its canonical
    /// JSON. Part of a version's identity: an engine refuses to hold two different specs
    /// under one (id, version) (the code bound to guard and effect names is the host's, and
    /// not in it).
    pub fn digest(&self) -> crate::Digest {
        self.digest
    }

    /// The spec this definition was built from.
    pub fn spec(&self) -> &DefinitionSpec {
        &self.spec
    }

    /// The JSON Schema of form kind `kind`, when the definition declares it and the registry
    /// bound it as a typed form ([`Registry::typed_form`]); generated on each call. Hosts
    /// render form editors from it (the desk example does).
    pub fn form_schema(&self, kind: impl Into<Name>) -> Option<schemars::Schema> {
        self.form_schemas.get(&kind.into()).map(|make| make())
    }

    /// The calendar deadlines are computed in: the one the definition names, else the
    /// registry's. `None` only for a definition without deadlines built with a registry
    /// that has no calendar ([`Registry::new`] chooses none; a definition with deadlines
    /// and no calendar is refused by `build()` with
    /// [`Problem::NoCalendar`](crate::Problem::NoCalendar)).
    pub fn calendar(&self) -> Option<&dyn Calendar> {
        self.calendar.as_deref()
    }

    /// The calendar for computing deadline `deadline`; a
    /// [`Rejection::DeadlineUncomputable`] if there is none (cannot happen for a definition
    /// `build()` accepted: a definition with deadlines has a calendar).
    pub(crate) fn deadline_calendar(&self, deadline: Name) -> Result<&dyn Calendar, Rejection> {
        self.calendar()
            .ok_or_else(|| Rejection::DeadlineUncomputable {
                deadline,
                reason: "the definition has no calendar".to_owned(),
            })
    }

    /// The initial state.
    pub fn initial_state(&self) -> Name {
        self.states[self.initial.ix()].name
    }

    /// The states, in definition order.
    pub fn states(&self) -> impl ExactSizeIterator<Item = Name> + '_ {
        self.states.iter().map(|s| s.name)
    }

    /// Whether `state` exists.
    pub fn has_state(&self, state: impl Into<Name>) -> bool {
        self.state_ix(state.into()).is_some()
    }

    /// The kind of `state`, if it exists.
    pub fn state_kind(&self, state: impl Into<Name>) -> Option<StateKind> {
        self.state_ix(state.into())
            .map(|s| self.states[s.ix()].kind)
    }

    /// The actions leaving `state`, in definition order, without repeats.
    pub fn actions_from(&self, state: impl Into<Name>) -> Vec<Name> {
        let mut out: Vec<Name> = Vec::new();
        if let Some(s) = self.state_ix(state.into()) {
            for &(_, t) in &self.states[s.ix()].outgoing {
                let a = self.transitions[t.ix()].action;
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// Every edge of the state graph: transitions, sign-off refusal routes and the moves
    /// escalation rungs can make, in the order they were added.
    pub fn edges(&self) -> impl Iterator<Item = GraphEdge<'_>> + '_ {
        self.graph.edge_indices().filter_map(move |e| {
            let (a, b) = self.graph.edge_endpoints(e)?;
            let kind = match *self.graph.edge_weight(e)? {
                Edge::Transition(t) => EdgeKind::Transition(self.transition_spec(t)),
                Edge::Refusal(t) => EdgeKind::Refusal(self.transition_spec(t)),
                Edge::Escalation(d) => EdgeKind::Escalation(&self.deadlines[d.ix()].spec),
            };
            Some(GraphEdge {
                from: self.states[a.index()].name,
                to: self.states[b.index()].name,
                kind,
            })
        })
    }

    /// Whether the graph has an edge (of any kind) from `from` to `to`.
    pub fn has_edge(&self, from: impl Into<Name>, to: impl Into<Name>) -> bool {
        match (self.state_ix(from.into()), self.state_ix(to.into())) {
            (Some(f), Some(t)) => self
                .graph
                .find_edge(NodeIndex::new(f.ix()), NodeIndex::new(t.ix()))
                .is_some(),
            _ => false,
        }
    }

    /// Whether an escalation rung of deadline `deadline` may move an instance `from -> to`:
    /// validation added that escalation edge to the graph (`escalation_sources`). The engine
    /// makes an escalation move only along such an edge (DESIGN.md decision 18).
    pub(crate) fn has_escalation_edge(
        &self,
        deadline: DeadlineIx,
        from: StateIx,
        to: StateIx,
    ) -> bool {
        self.graph
            .edges_connecting(NodeIndex::new(from.ix()), NodeIndex::new(to.ix()))
            .any(|e| matches!(e.weight(), Edge::Escalation(d) if *d == deadline))
    }

    /// The states one edge away from `state`, without repeats.
    pub fn successors(&self, state: impl Into<Name>) -> Vec<Name> {
        let mut out = Vec::new();
        if let Some(s) = self.state_ix(state.into()) {
            for n in self.graph.neighbors(NodeIndex::new(s.ix())) {
                let name = self.states[n.index()].name;
                if !out.contains(&name) {
                    out.push(name);
                }
            }
            out.reverse();
        }
        out
    }

    pub(crate) fn state_ix(&self, state: Name) -> Option<StateIx> {
        self.state_of.get(&state).copied()
    }

    pub(crate) fn state(&self, ix: StateIx) -> &CompiledState {
        &self.states[ix.ix()]
    }

    pub(crate) fn transition(&self, ix: TransitionIx) -> &CompiledTransition {
        &self.transitions[ix.ix()]
    }

    /// The spec of transition `ix`: the spec's own, or one compiled from an `anywhere` action.
    pub(crate) fn transition_spec(&self, ix: TransitionIx) -> &TransitionSpec {
        let own = self.spec.transitions.len();
        self.spec
            .transitions
            .get(ix.ix())
            .or_else(|| self.generated.get(ix.ix().saturating_sub(own)))
            .unwrap_or(&self.spec.transitions[0])
    }

    pub(crate) fn deadline(&self, ix: DeadlineIx) -> &CompiledDeadline {
        &self.deadlines[ix.ix()]
    }

    pub(crate) fn deadline_ix(&self, name: Name) -> Option<DeadlineIx> {
        self.deadlines
            .iter()
            .position(|d| d.name == name)
            .map(DeadlineIx::new)
    }

    /// The actor's roles in this definition (roles it does not declare are ignored).
    pub(crate) fn mask_of(&self, roles: &[Name]) -> RoleMask {
        roles
            .iter()
            .filter_map(|r| self.role_of.get(r))
            .fold(RoleMask::default(), |m, &i| m.with(i))
    }

    /// The first role (in declaration order) of `actor` also in `allowed`.
    pub(crate) fn role_used(&self, actor: RoleMask, allowed: RoleMask) -> Option<Name> {
        RoleMask(actor.0 & allowed.0)
            .first()
            .map(|r| self.roles[r.ix()])
    }

    /// The first of the start roles, in the order the spec lists them, among `roles` and in
    /// `within`.
    pub(crate) fn start_role_for(&self, roles: &[Name], within: RoleMask) -> Option<Name> {
        self.spec
            .start_roles
            .iter()
            .filter_map(|r| Name::lookup(r))
            .find(|r| {
                roles.contains(r)
                    && self
                        .role_of
                        .get(r)
                        .is_some_and(|&i| within.intersects(RoleMask::default().with(i)))
            })
    }

    /// The roles that act in every region (see [Regions](crate::Actor#regions)), in
    /// declaration order.
    pub fn region_wide_roles(&self) -> Vec<Name> {
        self.role_names(self.region_wide)
    }

    /// Whether `actor`, acting through `role`, acts on an instance of `region` under the
    /// region rule (see [Regions](crate::Actor#regions)): the instance has no region, the
    /// actor is of that region, or `role` is region-wide. Says nothing about whether the
    /// role may take any particular action.
    pub fn region_allows(
        &self,
        actor: &crate::Actor,
        role: impl Into<Name>,
        region: Option<&crate::Region>,
    ) -> bool {
        let in_region = region.is_none_or(|r| actor.region.as_ref() == Some(r));
        in_region
            || self
                .role_of
                .get(&role.into())
                .is_some_and(|&i| self.region_wide.intersects(RoleMask::default().with(i)))
    }

    /// Whether the sign-offs on `action` refuse changes of their bound content.
    pub(crate) fn refuses_change(&self, action: Name) -> bool {
        self.transitions.iter().any(|ct| {
            ct.action == action
                && ct
                    .sign_off
                    .as_ref()
                    .is_some_and(|so| so.on_change == crate::access::OnBoundChange::Refuse)
        })
    }

    pub(crate) fn role_names(&self, mask: RoleMask) -> Vec<Name> {
        mask.iter()
            .filter_map(|r| self.roles.get(r.ix()).copied())
            .collect()
    }
}
