//! `build()`: validate a spec against a registry and compile it. Every check runs; every
//! problem is collected; the result is all-or-nothing.

use super::{
    BuildError, CompiledEffect, CompiledSignOff, CompiledTransition, Definition, DefinitionSpec,
    MAX_ROLES, Problem, RoleMask, StateKind, TransitionSpec,
};
use crate::access::Separation;
use crate::deadline;
use crate::effect::EffectSpec;
use crate::guard::{CompiledGuard, GuardExpr};
use crate::registry::Registry;
use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// Where a problem was found: a transition, formatted on demand.
struct TransitionRef<'a>(usize, &'a TransitionSpec);

impl fmt::Display for TransitionRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.1;
        write!(
            f,
            "transition #{} (`{}`: {} -> {})",
            self.0, t.action, t.from, t.to
        )
    }
}

/// Index the names of one kind, reporting duplicates (a duplicate keeps its first index).
fn index(
    names: &[String],
    dup: impl Fn(&str) -> Problem,
    problems: &mut Vec<Problem>,
) -> HashMap<String, usize> {
    let mut ix = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        if ix.contains_key(n) {
            problems.push(dup(n));
        } else {
            ix.insert(n.clone(), i);
        }
    }
    ix
}

pub(crate) struct Names<'a> {
    pub(crate) states: &'a HashMap<String, usize>,
    pub(crate) actions: &'a HashMap<String, usize>,
    pub(crate) roles: &'a HashMap<String, usize>,
    pub(crate) spec: &'a DefinitionSpec,
}

impl Names<'_> {
    pub(crate) fn role_mask<'r>(
        &self,
        roles: impl IntoIterator<Item = &'r String>,
        used_in: &dyn fmt::Display,
        problems: &mut Vec<Problem>,
    ) -> RoleMask {
        let mut m = 0u64;
        for r in roles {
            match self.roles.get(r) {
                Some(&i) if i < MAX_ROLES => m |= 1 << i,
                Some(_) => {}
                None => problems.push(Problem::UnknownRole {
                    role: r.clone(),
                    used_in: used_in.to_string(),
                }),
            }
        }
        RoleMask(m)
    }

    pub(crate) fn state(
        &self,
        s: &str,
        used_in: &dyn fmt::Display,
        problems: &mut Vec<Problem>,
    ) -> Option<usize> {
        let found = self.states.get(s).copied();
        if found.is_none() {
            problems.push(Problem::UnknownState {
                state: s.to_owned(),
                used_in: used_in.to_string(),
            });
        }
        found
    }

    pub(crate) fn action(&self, a: &str, used_in: &dyn fmt::Display, problems: &mut Vec<Problem>) {
        if !self.actions.contains_key(a) {
            problems.push(Problem::UnknownAction {
                action: a.to_owned(),
                used_in: used_in.to_string(),
            });
        }
    }
}

fn compile_guard(
    expr: &GuardExpr,
    registry: &Registry,
    used_in: &dyn fmt::Display,
    problems: &mut Vec<Problem>,
) -> Option<CompiledGuard> {
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
        GuardExpr::All { all } => {
            let v: Vec<_> = all
                .iter()
                .map(|e| compile_guard(e, registry, used_in, problems))
                .collect();
            v.into_iter()
                .collect::<Option<Vec<_>>>()
                .map(CompiledGuard::All)
        }
        GuardExpr::Any { any } => {
            let v: Vec<_> = any
                .iter()
                .map(|e| compile_guard(e, registry, used_in, problems))
                .collect();
            v.into_iter()
                .collect::<Option<Vec<_>>>()
                .map(CompiledGuard::Any)
        }
        GuardExpr::Not { not } => compile_guard(not, registry, used_in, problems)
            .map(|g| CompiledGuard::Not(expr.to_string(), Box::new(g))),
    }
}

pub(crate) fn build(spec: DefinitionSpec, registry: &Registry) -> Result<Definition, BuildError> {
    let mut problems = Vec::new();
    let p = &mut problems;

    let state_ix = index(
        &spec
            .states
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>(),
        |n| Problem::DuplicateState {
            state: n.to_owned(),
        },
        p,
    );
    let action_ix = index(
        &spec.actions,
        |n| Problem::DuplicateAction {
            action: n.to_owned(),
        },
        p,
    );
    let role_ix = index(
        &spec.roles,
        |n| Problem::DuplicateRole { role: n.to_owned() },
        p,
    );
    let form_names = index(
        &spec.forms,
        |n| Problem::DuplicateForm { form: n.to_owned() },
        p,
    );
    if spec.roles.len() > MAX_ROLES {
        p.push(Problem::TooManyRoles {
            count: spec.roles.len(),
            max: MAX_ROLES,
        });
    }

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

    let names = Names {
        states: &state_ix,
        actions: &action_ix,
        roles: &role_ix,
        spec: &spec,
    };
    let start_roles = names.role_mask(&spec.start_roles, &"start_roles", p);
    let override_roles = names.role_mask(&spec.override_roles, &"override_roles", p);
    if start_roles.0 == 0 {
        p.push(Problem::NoStartRole);
    }

    let mut graph: DiGraph<usize, usize> =
        DiGraph::with_capacity(spec.states.len(), spec.transitions.len());
    for i in 0..spec.states.len() {
        graph.add_node(i);
    }
    let mut outgoing = vec![Vec::new(); spec.states.len()];
    // Indexed like `spec.transitions`; `None` where an end state is unknown.
    let mut transitions: Vec<Option<CompiledTransition>> =
        Vec::with_capacity(spec.transitions.len());

    for (i, t) in spec.transitions.iter().enumerate() {
        // Formatted only when a problem is reported (5,000 transitions, usually no problem).
        let used_in = TransitionRef(i, t);
        let from = names.state(&t.from, &used_in, p);
        let to = names.state(&t.to, &used_in, p);
        names.action(&t.action, &used_in, p);
        let mut roles = names.role_mask(&t.roles, &used_in, p);

        let mut sign_off = None;
        if let Some(so) = &t.sign_off {
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
            let so_mask = names.role_mask(&so.roles, &used_in, p);
            if t.roles.is_empty() {
                roles = so_mask;
            } else {
                for r in &so.roles {
                    if role_ix.contains_key(r) && !t.roles.contains(r) {
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
                .and_then(|s| names.state(s, &used_in, p));
            if let (Some(f), Some(r)) = (from, on_refuse) {
                graph.add_edge(NodeIndex::new(f), NodeIndex::new(r), i);
            }
            sign_off = Some(CompiledSignOff {
                spec: so.clone(),
                on_refuse,
            });
        }
        if roles.0 == 0 && t.sign_off.as_ref().is_none_or(|s| !s.roles.is_empty()) {
            p.push(Problem::NobodyMayFire {
                from: t.from.clone(),
                action: t.action.clone(),
            });
        }

        let mut excluded = RoleMask::default();
        for rule in &t.separation {
            match rule {
                Separation::NotSameActorAs { action } => names.action(action, &used_in, p),
                Separation::ExcludedRole { role } => {
                    excluded.0 |= names.role_mask(std::iter::once(role), &used_in, p).0;
                }
            }
        }
        for f in t.forms.iter().chain(&t.fresh_forms) {
            if !form_names.contains_key(f) {
                p.push(Problem::UnknownForm {
                    form: f.clone(),
                    used_in: used_in.to_string(),
                });
            }
        }
        let guards: Vec<CompiledGuard> = t
            .guards
            .iter()
            .filter_map(|g| compile_guard(g, registry, &used_in, p))
            .collect();
        let effects: Vec<CompiledEffect> = t
            .effects
            .iter()
            .filter_map(|e| match e {
                EffectSpec::MergePayload => Some(CompiledEffect::MergePayload),
                EffectSpec::Named(n) => match registry.effects.get(n) {
                    Some(eff) => Some(CompiledEffect::Named(n.clone(), eff.clone())),
                    None => {
                        p.push(Problem::UnknownEffect {
                            effect: n.clone(),
                            used_in: used_in.to_string(),
                        });
                        None
                    }
                },
            })
            .collect();

        if let (Some(f), Some(to)) = (from, to) {
            if spec.states[f].kind == StateKind::Terminal {
                p.push(Problem::TerminalWithOutgoing {
                    state: t.from.clone(),
                    action: t.action.clone(),
                });
            }
            graph.add_edge(NodeIndex::new(f), NodeIndex::new(to), i);
            outgoing[f].push(i);
            transitions.push(Some(CompiledTransition {
                from: f,
                to,
                roles,
                excluded,
                guards,
                sign_off,
                effects,
            }));
        } else {
            transitions.push(None);
        }
    }

    // Ambiguity: an unguarded earlier transition shadows a later one on the same action
    // open to a common role.
    for (s, outs) in outgoing.iter().enumerate() {
        for (a, &i) in outs.iter().enumerate() {
            for &j in &outs[a + 1..] {
                let (ti, tj) = (&spec.transitions[i], &spec.transitions[j]);
                let overlap = match (&transitions[i], &transitions[j]) {
                    (Some(ci), Some(cj)) => ci.roles.intersects(cj.roles),
                    _ => false,
                };
                if ti.action == tj.action
                    && ti.guards.is_empty()
                    && ti.forms.is_empty()
                    && ti.fresh_forms.is_empty()
                    && overlap
                {
                    p.push(Problem::Ambiguous {
                        state: spec.states[s].name.clone(),
                        action: ti.action.clone(),
                        first: i,
                        second: j,
                    });
                }
            }
        }
    }

    let deadlines = deadline::compile(&names, registry, &mut graph, p);

    // Reachability over the graph (transitions, refusal routes and escalation moves).
    let initial = initials.first().copied();
    if let Some(init) = initial {
        let mut seen = HashSet::new();
        let mut dfs = Dfs::new(&graph, NodeIndex::new(init));
        while let Some(n) = dfs.next(&graph) {
            seen.insert(n.index());
        }
        for (i, s) in spec.states.iter().enumerate() {
            if !seen.contains(&i) {
                p.push(Problem::Unreachable {
                    state: s.name.clone(),
                });
            }
        }
    }
    let mut can_finish = HashSet::new();
    let reversed = Reversed(&graph);
    for (i, s) in spec.states.iter().enumerate() {
        if s.kind == StateKind::Terminal {
            let mut dfs = Dfs::new(reversed, NodeIndex::new(i));
            while let Some(n) = dfs.next(reversed) {
                can_finish.insert(n.index());
            }
        }
    }
    for (i, s) in spec.states.iter().enumerate() {
        if s.kind == StateKind::Terminal {
            continue;
        }
        if graph
            .edges_directed(NodeIndex::new(i), Direction::Outgoing)
            .next()
            .is_none()
        {
            p.push(Problem::DeadEnd {
                state: s.name.clone(),
            });
        } else if !can_finish.contains(&i) {
            p.push(Problem::CannotTerminate {
                state: s.name.clone(),
            });
        }
    }

    let forms = spec
        .forms
        .iter()
        .map(|f| (f.clone(), registry.forms.get(f).cloned()))
        .collect();

    let transitions: Option<Vec<CompiledTransition>> = transitions.into_iter().collect();
    match (problems.is_empty(), initial, transitions) {
        (true, Some(initial), Some(transitions)) => Ok(Definition {
            start_roles,
            override_roles,
            graph,
            state_ix,
            role_ix,
            initial,
            outgoing,
            transitions,
            forms,
            deadlines,
            calendar: registry.calendar.clone(),
            spec,
        }),
        _ => Err(BuildError::Invalid {
            definition: spec.id.clone(),
            version: spec.version,
            problems,
        }),
    }
}
