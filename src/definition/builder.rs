//! A builder for definitions in Rust code. It accepts typed vocabularies (anything
//! `AsRef<str>`, such as the enums made by [`vocabulary!`](crate::vocabulary!)) and produces
//! the same [`DefinitionSpec`] a JSON author would write, validated by the same `build()`.

use super::deadline_spec::DeadlineSpec;
use super::{
    AnywhereSpec, BuildError, Definition, DefinitionSpec, StateKind, StateSpec, TransitionSpec,
};
use crate::access::{OnBoundChange, Separation, SignOffSpec, SignOrder};
use crate::effect::EffectSpec;
use crate::guard::GuardExpr;
use crate::registry::Registry;
use std::collections::BTreeMap;

fn names<I: IntoIterator<Item = N>, N: AsRef<str>>(items: I) -> Vec<String> {
    items.into_iter().map(|n| n.as_ref().to_owned()).collect()
}

/// Builds a [`DefinitionSpec`] (and, with [`build`](Builder::build), a [`Definition`]).
///
/// Actions and form kinds used by transitions are declared automatically. `build` validates
/// the whole definition against a [`Registry`] and reports every [`Problem`](crate::Problem)
/// at once.
///
/// ```
/// use aftersales::*;
///
/// let review = Builder::new("review", 1)
///     .roles(["author", "reviewer"])
///     .start_roles(["author"])
///     .initial("draft")
///     .normal("in_review")
///     .waiting("waiting_author") // pauses deadline clocks
///     .terminal("published")
///     .form("manuscript")
///     .transition("draft", "submit", "in_review", |t| t.roles(["author"]).form("manuscript"))
///     .transition("in_review", "ask", "waiting_author", |t| {
///         t.roles(["reviewer"]).reason_required()
///     })
///     .transition("waiting_author", "revise", "in_review", |t| {
///         t.roles(["author"]).fresh_form("manuscript")
///     })
///     .transition("in_review", "publish", "published", |t| {
///         t.roles(["reviewer"]).not_same_actor_as("submit").guard("spell_checked")
///     });
///
/// // The guard is code: without it in the registry, `build` says so.
/// let Err(BuildError::Invalid { problems, .. }) = review.clone().build(&Registry::new()) else {
///     panic!("an unbound guard must be refused");
/// };
/// assert!(!problems.is_empty());
///
/// let registry = Registry::new().guard("spell_checked", |_: &Context<'_>| Ok(()));
/// let def = review.build(&registry)?;
/// assert_eq!(def.actions_from("in_review"), vec!["ask", "publish"]);
/// # Ok::<(), BuildError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    spec: DefinitionSpec,
}

/// Configures one transition inside [`Builder::transition`].
#[derive(Debug, Clone)]
pub struct TransitionBuilder {
    spec: TransitionSpec,
}

impl TransitionBuilder {
    /// Roles allowed to fire it.
    #[must_use]
    pub fn roles<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.spec.roles.extend(names(roles));
        self
    }

    /// Add a guard expression (checked after those added before).
    #[must_use]
    pub fn guard(mut self, guard: impl Into<GuardExpr>) -> Self {
        self.spec.guards.push(guard.into());
        self
    }

    /// Require a form of this kind.
    #[must_use]
    pub fn form(mut self, kind: impl AsRef<str>) -> Self {
        self.spec.forms.push(kind.as_ref().to_owned());
        self
    }

    /// Require a form of this kind attached by the command itself (one on file does not count).
    #[must_use]
    pub fn fresh_form(mut self, kind: impl AsRef<str>) -> Self {
        self.spec.fresh_forms.push(kind.as_ref().to_owned());
        self
    }

    /// The actor who fired `action` before may not fire this one.
    #[must_use]
    pub fn not_same_actor_as(mut self, action: impl AsRef<str>) -> Self {
        self.spec.separation.push(Separation::NotSameActorAs {
            action: action.as_ref().to_owned(),
        });
        self
    }

    /// The command's payload must carry a non-blank text in `field` (a stock rule: "a reason
    /// is given", "a note is given").
    #[must_use]
    pub fn requires_text(mut self, field: impl AsRef<str>) -> Self {
        self.spec.requires_text.push(field.as_ref().to_owned());
        self
    }

    /// The command's payload must carry a non-blank `reason` (`requires_text("reason")`).
    #[must_use]
    pub fn reason_required(self) -> Self {
        self.requires_text("reason")
    }

    /// Actors holding `role` may never fire this one.
    #[must_use]
    pub fn excluding_role(mut self, role: impl AsRef<str>) -> Self {
        self.spec.separation.push(Separation::ExcludedRole {
            role: role.as_ref().to_owned(),
        });
        self
    }

    /// Require a sign-off by `roles` in `order`; `meaning` is recorded with each signature.
    #[must_use]
    pub fn sign_off<N: AsRef<str>>(
        mut self,
        roles: impl IntoIterator<Item = N>,
        order: SignOrder,
        meaning: impl Into<String>,
    ) -> Self {
        self.spec.sign_off = Some(SignOffSpec {
            roles: names(roles),
            order,
            meaning: meaning.into(),
            on_refuse: None,
            distinct_signers: true,
            binds: Vec::new(),
            on_change: OnBoundChange::default(),
        });
        self
    }

    /// Require a sign-off in stages: every role of a stage signs, in any order, before the
    /// next stage may ("OQC inspector and quality manager, then planning manager").
    #[must_use]
    pub fn sign_off_in_stages<N: AsRef<str>, G: IntoIterator<Item = N>>(
        mut self,
        stages: impl IntoIterator<Item = G>,
        meaning: impl Into<String>,
    ) -> Self {
        let mut roles = Vec::new();
        let mut sizes = Vec::new();
        for stage in stages {
            let before = roles.len();
            roles.extend(names(stage));
            sizes.push(roles.len() - before);
        }
        self.spec.sign_off = Some(SignOffSpec {
            roles,
            order: SignOrder::Stages(sizes),
            meaning: meaning.into(),
            on_refuse: None,
            distinct_signers: true,
            binds: Vec::new(),
            on_change: OnBoundChange::default(),
        });
        self
    }

    /// Where a refusal of the sign-off routes (call after [`sign_off`](Self::sign_off)).
    #[must_use]
    pub fn on_refuse(mut self, state: impl AsRef<str>) -> Self {
        if let Some(so) = &mut self.spec.sign_off {
            so.on_refuse = Some(state.as_ref().to_owned());
        }
        self
    }

    /// The content the sign-off's signatures approve (call after [`sign_off`](Self::sign_off)):
    /// paths into the instance data and named forms, see [`SignOffSpec::binds`].
    #[must_use]
    pub fn binds<P: AsRef<str>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        if let Some(so) = self.spec.sign_off.take() {
            self.spec.sign_off = Some(so.binds(paths));
        }
        self
    }

    /// The sign-off approves the latest form of `kind` (`binds(["form:<kind>"])`; call after
    /// [`sign_off`](Self::sign_off)).
    #[must_use]
    pub fn binds_form(self, kind: impl AsRef<str>) -> Self {
        self.binds([format!("form:{}", kind.as_ref())])
    }

    /// What a change of the bound content does (call after [`sign_off`](Self::sign_off)).
    #[must_use]
    pub fn on_bound_change(mut self, policy: OnBoundChange) -> Self {
        if let Some(so) = &mut self.spec.sign_off {
            so.on_change = policy;
        }
        self
    }

    /// Merge the command payload into the instance data.
    #[must_use]
    pub fn merge_payload(mut self) -> Self {
        self.spec.effects.push(EffectSpec::MergePayload);
        self
    }

    /// Run the registered effect `name`.
    #[must_use]
    pub fn effect(mut self, name: impl AsRef<str>) -> Self {
        self.spec
            .effects
            .push(EffectSpec::Named(name.as_ref().to_owned()));
        self
    }

    /// A description for exports (e.g. the seed clause).
    #[must_use]
    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.spec.description = text.into();
        self
    }
}

impl From<&str> for GuardExpr {
    fn from(s: &str) -> Self {
        GuardExpr::Named(s.to_owned())
    }
}

impl From<String> for GuardExpr {
    fn from(s: String) -> Self {
        GuardExpr::Named(s)
    }
}

impl Builder {
    /// Start a definition `id`, version `version`.
    pub fn new(id: impl Into<String>, version: u32) -> Self {
        Builder {
            spec: DefinitionSpec {
                id: id.into(),
                version,
                roles: Vec::new(),
                start_roles: Vec::new(),
                override_roles: Vec::new(),
                region_wide_roles: Vec::new(),
                actions: Vec::new(),
                forms: Vec::new(),
                states: Vec::new(),
                transitions: Vec::new(),
                deadlines: Vec::new(),
                anywhere: Vec::new(),
                calendar: None,
                attach: BTreeMap::new(),
            },
        }
    }

    /// Declare roles.
    #[must_use]
    pub fn roles<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.spec.roles.extend(names(roles));
        self
    }

    /// Roles allowed to start an instance.
    #[must_use]
    pub fn start_roles<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.spec.start_roles.extend(names(roles));
        self
    }

    /// Roles allowed to override the procedure (always recorded, never silent).
    #[must_use]
    pub fn override_roles<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.spec.override_roles.extend(names(roles));
        self
    }

    /// Roles that act in every region (headquarters departments); the others act in the
    /// actor's own region only (see [Regions](crate::Actor#regions)). Undeclared roles are
    /// reported by `build()` (`Problem::UnknownRole`).
    #[must_use]
    pub fn region_wide_roles<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.spec.region_wide_roles.extend(names(roles));
        self
    }

    /// Declare a state of `kind`.
    #[must_use]
    pub fn state(mut self, name: impl AsRef<str>, kind: StateKind) -> Self {
        self.spec.states.push(StateSpec {
            name: name.as_ref().to_owned(),
            kind,
            pauses_clocks: false,
            description: String::new(),
        });
        self
    }

    /// Declare the initial state.
    #[must_use]
    pub fn initial(self, name: impl AsRef<str>) -> Self {
        self.state(name, StateKind::Initial)
    }

    /// Declare a normal state.
    #[must_use]
    pub fn normal(self, name: impl AsRef<str>) -> Self {
        self.state(name, StateKind::Normal)
    }

    /// Declare a terminal state.
    #[must_use]
    pub fn terminal(self, name: impl AsRef<str>) -> Self {
        self.state(name, StateKind::Terminal)
    }

    /// Declare a normal state during which deadline clocks are paused.
    #[must_use]
    pub fn waiting(mut self, name: impl AsRef<str>) -> Self {
        self = self.normal(name);
        if let Some(s) = self.spec.states.last_mut() {
            s.pauses_clocks = true;
        }
        self
    }

    /// Describe the most recently declared state.
    #[must_use]
    pub fn describe_state(mut self, text: impl Into<String>) -> Self {
        if let Some(s) = self.spec.states.last_mut() {
            s.description = text.into();
        }
        self
    }

    /// Declare a transition `from --action--> to`, configured by `configure`.
    #[must_use]
    pub fn transition(
        mut self,
        from: impl AsRef<str>,
        action: impl AsRef<str>,
        to: impl AsRef<str>,
        configure: impl FnOnce(TransitionBuilder) -> TransitionBuilder,
    ) -> Self {
        let t = self.transition_spec(from, action, to, configure);
        self.declare(&t);
        self.spec.transitions.push(t);
        self
    }

    fn transition_spec(
        &self,
        from: impl AsRef<str>,
        action: impl AsRef<str>,
        to: impl AsRef<str>,
        configure: impl FnOnce(TransitionBuilder) -> TransitionBuilder,
    ) -> TransitionSpec {
        configure(TransitionBuilder {
            spec: TransitionSpec {
                from: from.as_ref().to_owned(),
                action: action.as_ref().to_owned(),
                to: to.as_ref().to_owned(),
                roles: Vec::new(),
                guards: Vec::new(),
                forms: Vec::new(),
                fresh_forms: Vec::new(),
                requires_text: Vec::new(),
                separation: Vec::new(),
                sign_off: None,
                effects: Vec::new(),
                description: String::new(),
            },
        })
        .spec
    }

    /// Declare the action and the form kinds a transition uses.
    fn declare(&mut self, t: &TransitionSpec) {
        if !self.spec.actions.contains(&t.action) {
            self.spec.actions.push(t.action.clone());
        }
        for f in t.forms.iter().chain(&t.fresh_forms) {
            if !self.spec.forms.contains(f) {
                self.spec.forms.push(f.clone());
            }
        }
    }

    /// Declare a form kind that no transition requires (attachable with any command).
    #[must_use]
    pub fn form(mut self, kind: impl AsRef<str>) -> Self {
        let k = kind.as_ref().to_owned();
        if !self.spec.forms.contains(&k) {
            self.spec.forms.push(k);
        }
        self
    }

    /// Declare `action` available in every open state, leading to `to` (or, with `None`,
    /// staying where the instance is), configured like a transition. Declared once, compiled
    /// into a transition from every non-terminal state.
    #[must_use]
    pub fn anywhere(
        mut self,
        action: impl AsRef<str>,
        to: Option<&str>,
        configure: impl FnOnce(TransitionBuilder) -> TransitionBuilder,
    ) -> Self {
        let t = self.transition_spec("", action, to.unwrap_or(""), configure);
        self.declare(&t);
        self.spec.anywhere.push(AnywhereSpec {
            action: t.action,
            to: to.map(str::to_owned),
            roles: t.roles,
            guards: t.guards,
            forms: t.forms,
            fresh_forms: t.fresh_forms,
            requires_text: t.requires_text,
            separation: t.separation,
            sign_off: t.sign_off,
            effects: t.effects,
            description: t.description,
        });
        self
    }

    /// Only `actions` (and the actions whose transitions require it) may attach form `kind`.
    #[must_use]
    pub fn attach<N: AsRef<str>>(
        mut self,
        kind: impl AsRef<str>,
        actions: impl IntoIterator<Item = N>,
    ) -> Self {
        let kind = kind.as_ref().to_owned();
        if !self.spec.forms.contains(&kind) {
            self.spec.forms.push(kind.clone());
        }
        self.spec
            .attach
            .entry(kind)
            .or_default()
            .extend(names(actions));
        self
    }

    /// Compute deadlines in the calendar registered under `name`
    /// ([`Registry::named_calendar`]).
    #[must_use]
    pub fn calendar(mut self, name: impl AsRef<str>) -> Self {
        self.spec.calendar = Some(name.as_ref().to_owned());
        self
    }

    /// Add a deadline policy.
    #[must_use]
    pub fn deadline(mut self, deadline: DeadlineSpec) -> Self {
        self.spec.deadlines.push(deadline);
        self
    }

    /// The spec built so far.
    pub fn spec(self) -> DefinitionSpec {
        self.spec
    }

    /// Validate and compile.
    ///
    /// # Errors
    /// [`BuildError::Invalid`] listing every problem.
    pub fn build(self, registry: &Registry) -> Result<Definition, BuildError> {
        self.spec.build(registry)
    }
}
