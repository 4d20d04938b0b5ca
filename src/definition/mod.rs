//! Definitions: validated state graphs.
//!
//! A [`Definition`] is made from a [`DefinitionSpec`] (authored as JSON, or produced by the
//! [`Builder`]) and a [`Registry`] binding guard/effect/form names to code.
//! [`DefinitionSpec::build`] is all-or-nothing and reports every [`Problem`] at once; the
//! engine only ever holds valid definitions. The graph lives in a `petgraph` graph whose node
//! and edge indices equal the spec's state and transition indices.

mod builder;
mod problem;
mod spec;
mod typed;
pub(crate) mod validate;

pub use builder::{Builder, TransitionBuilder};
pub use problem::{BuildError, Problem};
pub use spec::{DefinitionSpec, StateKind, StateSpec, TransitionSpec};
pub use typed::{TypedDefinition, VocabularyMismatch};

use crate::access::{Separation, SignOffSpec};
use crate::calendar::Calendar;
use crate::deadline::CompiledDeadline;
use crate::effect::Effect;
use crate::form::FormValidator;
use crate::guard::CompiledGuard;
use crate::registry::Registry;
use petgraph::graph::DiGraph;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The most roles a definition may declare (they are held in a 64-bit mask).
pub const MAX_ROLES: usize = 64;

/// A set of roles of one definition, as a bit mask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct RoleMask(pub(crate) u64);

impl RoleMask {
    pub(crate) fn intersects(self, other: RoleMask) -> bool {
        self.0 & other.0 != 0
    }
}

pub(crate) enum CompiledEffect {
    MergePayload,
    Named(String, Arc<dyn Effect>),
}

pub(crate) struct CompiledSignOff {
    pub(crate) spec: SignOffSpec,
    pub(crate) on_refuse: Option<usize>,
}

pub(crate) struct CompiledTransition {
    pub(crate) from: usize,
    pub(crate) to: usize,
    pub(crate) roles: RoleMask,
    pub(crate) excluded: RoleMask,
    pub(crate) guards: Vec<CompiledGuard>,
    pub(crate) sign_off: Option<CompiledSignOff>,
    pub(crate) effects: Vec<CompiledEffect>,
}

/// A validated procedure definition. Cheap to share behind an `Arc`; immutable.
pub struct Definition {
    pub(crate) spec: DefinitionSpec,
    pub(crate) graph: DiGraph<usize, usize>,
    pub(crate) state_ix: HashMap<String, usize>,
    pub(crate) role_ix: HashMap<String, usize>,
    pub(crate) start_roles: RoleMask,
    pub(crate) override_roles: RoleMask,
    pub(crate) initial: usize,
    /// Transition indices leaving each state, in definition order.
    pub(crate) outgoing: Vec<Vec<usize>>,
    pub(crate) transitions: Vec<CompiledTransition>,
    pub(crate) forms: HashMap<String, Option<Arc<dyn FormValidator>>>,
    pub(crate) deadlines: Vec<CompiledDeadline>,
    pub(crate) calendar: Arc<dyn Calendar>,
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

    /// Parse a spec from JSON.
    ///
    /// # Errors
    /// [`BuildError::Json`] with the position of the first syntax or shape error.
    pub fn from_json(json: &str) -> Result<Self, BuildError> {
        serde_json::from_str(json).map_err(|e| BuildError::Json {
            message: e.to_string(),
            line: e.line(),
            column: e.column(),
        })
    }

    /// The spec as pretty JSON.
    pub fn to_json(&self) -> String {
        // A spec holds only strings, numbers, vectors and maps with string keys:
        // serialization cannot fail, but we still never panic.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

impl Definition {
    /// Parse and build a definition from JSON in one step.
    ///
    /// # Errors
    /// [`BuildError::Json`] or [`BuildError::Invalid`].
    pub fn from_json(json: &str, registry: &Registry) -> Result<Definition, BuildError> {
        DefinitionSpec::from_json(json)?.build(registry)
    }

    /// The definition id.
    pub fn id(&self) -> &str {
        &self.spec.id
    }

    /// The definition version.
    pub fn version(&self) -> u32 {
        self.spec.version
    }

    /// The spec this definition was built from.
    pub fn spec(&self) -> &DefinitionSpec {
        &self.spec
    }

    /// The calendar deadlines are computed in.
    pub fn calendar(&self) -> &dyn Calendar {
        self.calendar.as_ref()
    }

    /// The initial state's name.
    pub fn initial_state(&self) -> &str {
        &self.spec.states[self.initial].name
    }

    /// Whether `state` exists.
    pub fn has_state(&self, state: &str) -> bool {
        self.state_ix.contains_key(state)
    }

    /// The kind of `state`, if it exists.
    pub fn state_kind(&self, state: &str) -> Option<StateKind> {
        self.state_ix.get(state).map(|&i| self.spec.states[i].kind)
    }

    /// The actions leaving `state`, in definition order, without repeats.
    pub fn actions_from(&self, state: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        if let Some(&s) = self.state_ix.get(state) {
            for &t in &self.outgoing[s] {
                let a = self.spec.transitions[t].action.as_str();
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
        out
    }

    /// The state graph: node weight = state index; edge weight = transition index into
    /// [`spec().transitions`](DefinitionSpec::transitions) for transitions and sign-off refusal
    /// routes, and `usize::MAX` for the moves escalation rungs can make.
    pub fn graph(&self) -> &DiGraph<usize, usize> {
        &self.graph
    }

    pub(crate) fn state_name(&self, ix: usize) -> &str {
        &self.spec.states[ix].name
    }

    pub(crate) fn is_terminal(&self, ix: usize) -> bool {
        self.spec.states[ix].kind == StateKind::Terminal
    }

    pub(crate) fn pauses_clocks(&self, ix: usize) -> bool {
        self.spec.states[ix].pauses_clocks
    }

    pub(crate) fn mask_of<'a>(&self, roles: impl IntoIterator<Item = &'a String>) -> RoleMask {
        RoleMask(
            roles
                .into_iter()
                .filter_map(|r| self.role_ix.get(r))
                .fold(0, |m, &i| m | (1u64 << i)),
        )
    }

    /// The first role (in declaration order) of `mask` also in `allowed`.
    pub(crate) fn role_used(&self, actor: RoleMask, allowed: RoleMask) -> Option<&str> {
        let both = actor.0 & allowed.0;
        (both != 0).then(|| self.spec.roles[both.trailing_zeros() as usize].as_str())
    }

    pub(crate) fn role_names(&self, mask: RoleMask) -> Vec<String> {
        (0..self.spec.roles.len())
            .filter(|i| mask.0 & (1 << i) != 0)
            .map(|i| self.spec.roles[i].clone())
            .collect()
    }

    pub(crate) fn separation(&self, t: usize) -> &[Separation] {
        &self.spec.transitions[t].separation
    }
}
