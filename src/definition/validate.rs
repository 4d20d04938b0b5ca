//! `build()`: validate a spec against a registry and compile it. Every check runs; every
//! problem is collected; the result is all-or-nothing.

use super::compiled::{CompiledEffect, CompiledSignOff, CompiledState, CompiledTransition};
use super::deadline;
use super::names::Names;
use super::spec::{DefinitionSpec, StateKind, TransitionSpec};
use super::{BuildError, Definition, Edge, MAX_ROLES, Problem};
use crate::access::{Binding, Separation};
use crate::effect::EffectSpec;
use crate::guard::{CompiledGuard, GuardExpr};
use crate::ids::{ActionIx, FastMap, Name, RoleIx, RoleMask, StateIx, TransitionIx};
use crate::registry::Registry;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use std::fmt;
use std::sync::Arc;

/// Where a problem was found: a transition (or an action available in every open state),
/// formatted on demand.
struct TransitionRef<'a>(usize, &'a TransitionSpec, bool);

impl fmt::Display for TransitionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.1;
        if self.2 {
            return write!(f, "action `{}` available in every open state", t.action);
        }
        write!(
            f,
            "transition #{} (`{}`: {} -> {})",
            self.0, t.action, t.from, t.to
        )
    }
}

/// The transitions `spec.anywhere` declares: one per action and open (non-terminal) state.
fn expand_anywhere(spec: &DefinitionSpec) -> Vec<TransitionSpec> {
    let open: Vec<&str> = spec
        .states
        .iter()
        .filter(|s| s.kind != StateKind::Terminal)
        .map(|s| s.name.as_str())
        .collect();
    spec.anywhere
        .iter()
        .flat_map(|a| open.iter().map(move |s| a.from_state(s)))
        .collect()
}

/// Form kind → actions allowed to attach it, for the kinds `spec.attach` restricts (the
/// actions of transitions that require the kind are added).
fn compile_attach(
    d: &Draft<'_>,
    all: &[&TransitionSpec],
    p: &mut Vec<Problem>,
) -> FastMap<Name, Vec<Name>> {
    let mut out = FastMap::default();
    for (kind, actions) in &d.names.spec.attach {
        let used_in = format!("attach `{kind}`");
        if !d.names.forms.contains_key(kind.as_str()) {
            p.push(Problem::UnknownForm {
                form: kind.clone(),
                used_in: used_in.clone(),
            });
        }
        let mut allowed: Vec<Name> = Vec::new();
        for a in actions {
            if a != "comment" && a != "override" {
                d.names.action(a, &used_in, p);
            }
            allowed.push(Name::new(a));
        }
        for t in all {
            if t.forms.iter().chain(&t.fresh_forms).any(|f| f == kind) {
                allowed.push(Name::new(&t.action));
            }
        }
        allowed.dedup();
        out.insert(Name::new(kind), allowed);
    }
    out
}

fn compile_guard(
    expr: &GuardExpr,
    registry: &Registry,
    used_in: &dyn fmt::Display,
    problems: &mut Vec<Problem>,
) -> Option<CompiledGuard> {
    let all = |v: &[GuardExpr], problems: &mut Vec<Problem>| {
        let v: Vec<_> = v
            .iter()
            .map(|e| compile_guard(e, registry, used_in, problems))
            .collect();
        v.into_iter().collect::<Option<Vec<_>>>()
    };
    match expr {
        GuardExpr::Named(n) => match registry.guards.get(n) {
            Some(g) => Some(CompiledGuard::Named(n.clone(), g.clone())),
            None => {
                problems.push(Problem::UnknownGuard {
                    guard: n.clone(),
                    used_in: used_in.to_string(),
                });
                None
            }
        },
        GuardExpr::All { all: v } => all(v, problems).map(CompiledGuard::All),
        GuardExpr::Any { any: v } => all(v, problems).map(CompiledGuard::Any),
        GuardExpr::Not { not } => compile_guard(not, registry, used_in, problems)
            .map(|g| CompiledGuard::Not(expr.to_string(), Box::new(g))),
    }
}

/// What the graph and the compiled transitions are made of while building.
struct Draft<'a> {
    names: Names<'a>,
    action_names: Vec<Name>,
    graph: DiGraph<StateIx, Edge>,
    outgoing: Vec<Vec<(ActionIx, TransitionIx)>>,
    /// Indexed like the spec's transitions; `None` where an end state is unknown.
    transitions: Vec<Option<CompiledTransition>>,
}

fn compile_sign_off(
    d: &mut Draft<'_>,
    t: &TransitionSpec,
    i: usize,
    from: Option<StateIx>,
    roles: &mut RoleMask,
    p: &mut Vec<Problem>,
) -> Option<CompiledSignOff> {
    let so = t.sign_off.as_ref()?;
    let used_in = TransitionRef(i, t, i >= d.names.spec.transitions.len());
    if so.roles.is_empty() {
        p.push(Problem::EmptySignOff {
            from: t.from.clone(),
            action: t.action.clone(),
        });
    }
    if !so.stages_fit() {
        p.push(Problem::SignOffStagesMismatch {
            from: t.from.clone(),
            action: t.action.clone(),
        });
    }
    let so_mask = d.names.role_mask(&so.roles, &used_in, p);
    if t.roles.is_empty() {
        *roles = so_mask;
    } else {
        for r in &so.roles {
            if d.names.roles.contains_key(r.as_str()) && !t.roles.contains(r) {
                p.push(Problem::SignOffUngivable {
                    from: t.from.clone(),
                    action: t.action.clone(),
                    role: r.clone(),
                });
            }
        }
    }
    let on_refuse = so
        .on_refuse
        .as_ref()
        .and_then(|s| d.names.state(s, &used_in, p));
    if let (Some(f), Some(r)) = (from, on_refuse) {
        d.graph.add_edge(
            NodeIndex::new(f.ix()),
            NodeIndex::new(r.ix()),
            Edge::Refusal(TransitionIx::new(i)),
        );
    }
    for b in &so.binds {
        let reason = match Binding::parse(b) {
            Err(reason) => Some(reason),
            Ok(Binding::Form { kind, .. }) if !d.names.forms.contains_key(kind) => {
                Some(format!("form kind `{kind}` is not declared"))
            }
            Ok(_) => None,
        };
        if let Some(reason) = reason {
            p.push(Problem::BadBinding {
                from: t.from.clone(),
                action: t.action.clone(),
                binding: b.clone(),
                reason,
            });
        }
    }
    Some(CompiledSignOff {
        roles: so.roles.iter().map(Name::new).collect(),
        order: so.order.clone(),
        meaning: Arc::from(so.meaning.as_str()),
        on_refuse,
        distinct_signers: so.distinct_signers,
        binds: so.binds.iter().cloned().collect(),
        on_change: so.on_change,
    })
}

fn compile_effects(
    t: &TransitionSpec,
    registry: &Registry,
    used_in: &dyn fmt::Display,
    p: &mut Vec<Problem>,
) -> Vec<CompiledEffect> {
    t.effects
        .iter()
        .filter_map(|e| match e {
            EffectSpec::MergePayload => Some(CompiledEffect::MergePayload),
            EffectSpec::Named(n) => match registry.effects.get(n) {
                Some(eff) => Some(CompiledEffect::Named(Name::new(n), eff.clone())),
                None => {
                    p.push(Problem::UnknownEffect {
                        effect: n.clone(),
                        used_in: used_in.to_string(),
                    });
                    None
                }
            },
        })
        .collect()
}

fn form_names(
    d: &Draft<'_>,
    kinds: &[String],
    used_in: &dyn fmt::Display,
    p: &mut Vec<Problem>,
) -> Vec<Name> {
    kinds
        .iter()
        .filter_map(|f| {
            if d.names.forms.contains_key(f.as_str()) {
                Some(Name::new(f))
            } else {
                p.push(Problem::UnknownForm {
                    form: f.clone(),
                    used_in: used_in.to_string(),
                });
                None
            }
        })
        .collect()
}

fn compile_transition(
    d: &mut Draft<'_>,
    registry: &Registry,
    i: usize,
    t: &TransitionSpec,
    p: &mut Vec<Problem>,
) {
    // Formatted only when a problem is reported (5,000 transitions, usually no problem).
    let used_in = TransitionRef(i, t, i >= d.names.spec.transitions.len());
    let from = d.names.state(&t.from, &used_in, p);
    let to = d.names.state(&t.to, &used_in, p);
    let action = d.names.action(&t.action, &used_in, p);
    let mut roles = d.names.role_mask(&t.roles, &used_in, p);
    let sign_off = compile_sign_off(d, t, i, from, &mut roles, p);
    if roles.0 == 0 && t.sign_off.as_ref().is_none_or(|s| !s.roles.is_empty()) {
        p.push(Problem::NobodyMayFire {
            from: t.from.clone(),
            action: t.action.clone(),
        });
    }
    let mut excluded = RoleMask::default();
    let mut excluded_rule = None;
    let mut not_same_as = Vec::new();
    for (k, rule) in t.separation.iter().enumerate() {
        match rule {
            Separation::NotSameActorAs { action } => {
                if let Some(a) = d.names.action(action, &used_in, p) {
                    not_same_as.push((k, d.action_names[a.ix()]));
                }
            }
            Separation::ExcludedRole { role } => {
                excluded.0 |= d.names.role_mask(std::iter::once(role), &used_in, p).0;
                excluded_rule.get_or_insert(k);
            }
        }
    }
    let forms = form_names(d, &t.forms, &used_in, p);
    let fresh_forms = form_names(d, &t.fresh_forms, &used_in, p);
    let guards: Vec<CompiledGuard> = t
        .guards
        .iter()
        .filter_map(|g| compile_guard(g, registry, &used_in, p))
        .collect();
    let effects = compile_effects(t, registry, &used_in, p);
    let (Some(f), Some(to), Some(a)) = (from, to, action) else {
        d.transitions.push(None);
        return;
    };
    if d.names.spec.states[f.ix()].kind == StateKind::Terminal {
        p.push(Problem::TerminalWithOutgoing {
            state: t.from.clone(),
            action: t.action.clone(),
        });
    }
    let ti = TransitionIx::new(i);
    d.graph.add_edge(
        NodeIndex::new(f.ix()),
        NodeIndex::new(to.ix()),
        Edge::Transition(ti),
    );
    d.outgoing[f.ix()].push((a, ti));
    let listed = match &t.sign_off {
        Some(so) if t.roles.is_empty() => &so.roles,
        _ => &t.roles,
    };
    let role_order = listed
        .iter()
        .filter_map(|r| d.names.roles.get(r.as_str()).copied())
        .collect();
    d.transitions.push(Some(CompiledTransition {
        from: f,
        to,
        action: d.action_names[a.ix()],
        roles,
        role_order,
        excluded,
        not_same_as,
        excluded_rule,
        forms,
        fresh_forms,
        requires_text: t.requires_text.iter().map(|f| f.as_str().into()).collect(),
        guards,
        sign_off,
        effects,
    }));
}

/// Sign-offs on one action must bind the same content with the same policy: a signature
/// records its action, and a change of content is judged by the action's policy.
fn check_bindings_agree(all: &[&TransitionSpec], p: &mut Vec<Problem>) {
    let mut seen: FastMap<&str, &crate::access::SignOffSpec> = FastMap::default();
    let mut reported: Vec<&str> = Vec::new();
    for t in all {
        let Some(so) = &t.sign_off else { continue };
        let first = *seen.entry(t.action.as_str()).or_insert(so);
        let differ = first.binds != so.binds || first.on_change != so.on_change;
        if differ && !reported.contains(&t.action.as_str()) {
            reported.push(t.action.as_str());
            p.push(Problem::BindingsDiffer {
                action: t.action.clone(),
            });
        }
    }
}

/// Ambiguity: an unguarded earlier transition shadows a later one on the same action open to
/// a common role.
fn check_ambiguity(d: &Draft<'_>, all: &[&TransitionSpec], p: &mut Vec<Problem>) {
    let spec = d.names.spec;
    for (s, outs) in d.outgoing.iter().enumerate() {
        for (k, &(ai, i)) in outs.iter().enumerate() {
            let ti = all[i.ix()];
            if !(ti.guards.is_empty() && ti.forms.is_empty() && ti.fresh_forms.is_empty()) {
                continue;
            }
            for &(aj, j) in &outs[k + 1..] {
                let overlap = match (&d.transitions[i.ix()], &d.transitions[j.ix()]) {
                    (Some(ci), Some(cj)) => ci.roles.intersects(cj.roles),
                    _ => false,
                };
                if ai == aj && overlap {
                    p.push(Problem::Ambiguous {
                        state: spec.states[s].name.clone(),
                        action: ti.action.clone(),
                        first: i.ix(),
                        second: j.ix(),
                    });
                }
            }
        }
    }
}

/// Reachability over the graph (transitions, refusal routes and escalation moves).
fn check_reachability(
    spec: &DefinitionSpec,
    graph: &DiGraph<StateIx, Edge>,
    initial: Option<usize>,
    p: &mut Vec<Problem>,
) {
    let n = spec.states.len();
    if let Some(init) = initial {
        let mut seen = vec![false; n];
        let mut dfs = Dfs::new(graph, NodeIndex::new(init));
        while let Some(x) = dfs.next(graph) {
            seen[x.index()] = true;
        }
        for (i, s) in spec.states.iter().enumerate() {
            if !seen[i] {
                p.push(Problem::Unreachable {
                    state: s.name.clone(),
                });
            }
        }
    }
    let mut can_finish = vec![false; n];
    let reversed = Reversed(graph);
    let mut dfs = Dfs::empty(reversed);
    for (i, s) in spec.states.iter().enumerate() {
        if s.kind == StateKind::Terminal {
            dfs.move_to(NodeIndex::new(i));
            while let Some(x) = dfs.next(reversed) {
                can_finish[x.index()] = true;
            }
        }
    }
    for (i, s) in spec.states.iter().enumerate() {
        if s.kind == StateKind::Terminal {
            continue;
        }
        let out = graph.edges_directed(NodeIndex::new(i), Direction::Outgoing);
        if out.count() == 0 {
            p.push(Problem::DeadEnd {
                state: s.name.clone(),
            });
        } else if !can_finish[i] {
            p.push(Problem::CannotTerminate {
                state: s.name.clone(),
            });
        }
    }
}

fn initial_state(spec: &DefinitionSpec, p: &mut Vec<Problem>) -> Option<usize> {
    let initials: Vec<usize> = (0..spec.states.len())
        .filter(|&i| spec.states[i].kind == StateKind::Initial)
        .collect();
    match initials.len() {
        0 => p.push(Problem::NoInitialState),
        1 => {}
        _ => p.push(Problem::MultipleInitialStates {
            states: initials
                .iter()
                .map(|&i| spec.states[i].name.clone())
                .collect(),
        }),
    }
    initials.first().copied()
}

pub(crate) fn build(spec: DefinitionSpec, registry: &Registry) -> Result<Definition, BuildError> {
    let mut problems = Vec::new();
    let p = &mut problems;
    let compiled = compile(&spec, registry, p);
    // An action available in every open state reports its problems once, not once per state.
    let mut seen: Vec<Problem> = Vec::with_capacity(problems.len());
    for problem in problems.drain(..) {
        if !seen.contains(&problem) {
            seen.push(problem);
        }
    }
    let problems = seen;
    match (problems.is_empty(), compiled) {
        (true, Some(parts)) => Ok(parts.finish(spec, registry)),
        _ => Err(BuildError::Invalid {
            definition: spec.id.clone(),
            version: spec.version,
            problems,
        }),
    }
}

/// A definition compiled, before it takes ownership of its spec.
struct Parts {
    states: Vec<CompiledState>,
    actions: Vec<Name>,
    roles: Vec<Name>,
    start_roles: RoleMask,
    override_roles: RoleMask,
    region_wide: RoleMask,
    initial: StateIx,
    transitions: Vec<CompiledTransition>,
    deadlines: Vec<super::CompiledDeadline>,
    graph: DiGraph<StateIx, Edge>,
    generated: Vec<TransitionSpec>,
    attach: FastMap<Name, Vec<Name>>,
}

fn compile(spec: &DefinitionSpec, registry: &Registry, p: &mut Vec<Problem>) -> Option<Parts> {
    let names = Names::new(spec, p);
    if spec.roles.len() > MAX_ROLES {
        p.push(Problem::TooManyRoles {
            count: spec.roles.len(),
            max: MAX_ROLES,
        });
    }
    let initial = initial_state(spec, p);
    if let Some(c) = spec
        .calendar
        .as_ref()
        .filter(|c| !registry.calendars.contains_key(*c))
    {
        p.push(Problem::UnknownCalendar {
            calendar: c.clone(),
        });
    }
    if spec.calendar.is_none() && registry.calendar.is_none() && !spec.deadlines.is_empty() {
        p.push(Problem::NoCalendar {
            deadlines: spec.deadlines.iter().map(|d| d.name.clone()).collect(),
        });
    }
    let start_roles = names.role_mask(&spec.start_roles, &"start_roles", p);
    let override_roles = names.role_mask(&spec.override_roles, &"override_roles", p);
    let region_wide = names.role_mask(&spec.region_wide_roles, &"region_wide_roles", p);
    if start_roles.0 == 0 {
        p.push(Problem::NoStartRole);
    }
    let mut graph = DiGraph::with_capacity(spec.states.len(), spec.transitions.len());
    for i in 0..spec.states.len() {
        graph.add_node(StateIx::new(i));
    }
    let mut d = Draft {
        action_names: spec.actions.iter().map(Name::new).collect(),
        names,
        graph,
        outgoing: vec![Vec::new(); spec.states.len()],
        transitions: Vec::with_capacity(spec.transitions.len()),
    };
    let generated = expand_anywhere(spec);
    let all: Vec<&TransitionSpec> = spec.transitions.iter().chain(&generated).collect();
    for (i, t) in all.iter().enumerate() {
        compile_transition(&mut d, registry, i, t, p);
    }
    check_ambiguity(&d, &all, p);
    check_bindings_agree(&all, p);
    let attach = compile_attach(&d, &all, p);
    let deadlines = deadline::compile(&d.names, registry, &mut d.graph, p);
    check_reachability(spec, &d.graph, initial, p);
    let transitions: Vec<CompiledTransition> = d.transitions.into_iter().collect::<Option<_>>()?;
    let states = spec
        .states
        .iter()
        .zip(d.outgoing)
        .map(|(s, outgoing)| CompiledState {
            name: Name::new(&s.name),
            kind: s.kind,
            pauses_clocks: s.pauses_clocks,
            outgoing,
        })
        .collect();
    Some(Parts {
        states,
        actions: d.action_names,
        roles: spec.roles.iter().map(Name::new).collect(),
        start_roles,
        override_roles,
        region_wide,
        initial: StateIx::new(initial?),
        transitions,
        deadlines,
        graph: d.graph,
        generated,
        attach,
    })
}

impl Parts {
    fn finish(self, spec: DefinitionSpec, registry: &Registry) -> Definition {
        fn index<I>(names: &[Name], make: fn(usize) -> I) -> FastMap<Name, I> {
            let mut map = FastMap::with_capacity_and_hasher(names.len(), Default::default());
            map.extend(names.iter().enumerate().map(|(i, &n)| (n, make(i))));
            map
        }
        let state_names: Vec<Name> = self.states.iter().map(|s| s.name).collect();
        Definition {
            id: Name::new(&spec.id),
            state_of: index(&state_names, StateIx::new),
            action_of: index(&self.actions, ActionIx::new),
            role_of: index(&self.roles, RoleIx::new),
            forms: spec
                .forms
                .iter()
                .map(|f| (Name::new(f), registry.forms.get(f).cloned()))
                .collect(),
            form_schemas: spec
                .forms
                .iter()
                .filter_map(|f| Some((Name::new(f), *registry.form_schemas.get(f)?)))
                .collect(),
            states: self.states,
            roles: self.roles,
            start_roles: self.start_roles,
            override_roles: self.override_roles,
            region_wide: self.region_wide,
            initial: self.initial,
            transitions: self.transitions,
            deadlines: self.deadlines,
            graph: self.graph,
            calendar: match &spec.calendar {
                Some(c) => registry.calendars.get(c).cloned(),
                None => registry.calendar.clone(),
            },
            generated: self.generated,
            attach: self.attach,
            digest: crate::Digest::of_json(&serde_json::to_value(&spec).unwrap_or_default()),
            spec,
        }
    }
}
