//! Deadlines at build time: validate the policies of a spec, compile them (triggers resolved
//! to typed indices, selectors bound) and add the moves their escalation rungs can make to
//! the state graph.

use super::deadline_spec::{
    AnchorSource, DeadlineSpec, DurationSpec, EscalationSpec, Runs, Trigger,
};
use super::names::Names;
use super::spec::{DefinitionSpec, StateKind, TransitionSpec};
use super::{Edge, Problem};
use crate::calendar::BusinessDuration;
use crate::ids::{DeadlineIx, Name, StateIx};
use crate::registry::{Registry, Selector};
use crate::rejection::Rejection;
use petgraph::graph::{DiGraph, NodeIndex};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::Arc;

/// What starts or meets a clock, resolved.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum When {
    Enter(StateIx),
    Leave(StateIx),
    Action(Name),
}

/// One escalation rung, resolved.
pub(crate) struct CompiledRung {
    pub(crate) after: Option<BusinessDuration>,
    pub(crate) notify: Vec<Name>,
    pub(crate) reassign_to: Option<Name>,
    pub(crate) move_to: Option<StateIx>,
}

/// A deadline policy, compiled.
pub(crate) struct CompiledDeadline {
    pub(crate) name: Name,
    pub(crate) spec: DeadlineSpec,
    pub(crate) starts: When,
    pub(crate) met_on: Vec<When>,
    pub(crate) rungs: Vec<CompiledRung>,
    /// Whether leaving the starting state ends the clock.
    pub(crate) while_in_state: bool,
    /// Bound selectors of the limit (0) and the warning (1), where registered by name.
    selectors: [Option<Arc<Selector>>; 3],
    /// Whether every duration of the limit counts working time (pauses and margins are then
    /// measured in working time).
    pub(crate) working_time: bool,
}

fn is_working(d: &BusinessDuration) -> bool {
    matches!(
        d,
        BusinessDuration::WorkingHours(_)
            | BusinessDuration::WorkingMinutes(_)
            | BusinessDuration::WorkingDays(_)
            | BusinessDuration::WorkingDaysClose(_)
            | BusinessDuration::SameDayClose
    )
}

/// (kind, magnitude) for comparing two durations of one kind.
fn magnitude(d: &BusinessDuration) -> (u8, u64) {
    match *d {
        BusinessDuration::WorkingMinutes(n) => (0, u64::from(n)),
        BusinessDuration::WorkingHours(n) => (0, u64::from(n) * 60),
        BusinessDuration::WorkingDays(n) => (1, u64::from(n)),
        BusinessDuration::CalendarDays(n) => (2, u64::from(n) * 24),
        BusinessDuration::Hours(n) => (2, u64::from(n)),
        BusinessDuration::CalendarMonths(n) => (3, u64::from(n)),
        BusinessDuration::SameDayClose => (4, 0),
        BusinessDuration::WorkingDaysClose(n) => (4, u64::from(n.get())),
        BusinessDuration::CalendarDaysToMidnight(n) => (5, u64::from(n)),
        BusinessDuration::CalendarDaysInclusive(n) => (5, u64::from(n.get()) - 1),
        BusinessDuration::Minutes(n) => (6, u64::from(n) * 60),
        BusinessDuration::Seconds(n) => (6, u64::from(n)),
    }
}

fn durations(d: &DurationSpec) -> Vec<&BusinessDuration> {
    match d {
        DurationSpec::Fixed(d) => vec![d],
        DurationSpec::Select { cases, default, .. } => {
            cases.values().chain(default.as_ref()).collect()
        }
    }
}

/// Validate and compile the deadlines of a spec; add escalation moves to the graph.
pub(crate) fn compile(
    names: &Names<'_>,
    registry: &Registry,
    graph: &mut DiGraph<StateIx, Edge>,
    p: &mut Vec<Problem>,
) -> Vec<CompiledDeadline> {
    let spec = names.spec;
    let mut out = Vec::with_capacity(spec.deadlines.len());
    let mut seen = HashSet::new();
    for d in &spec.deadlines {
        if !seen.insert(d.name.as_str()) {
            p.push(Problem::DuplicateDeadline {
                deadline: d.name.clone(),
            });
        }
        let ix = DeadlineIx::new(out.len());
        if let Some(c) = compile_one(names, registry, d, ix, graph, p) {
            out.push(c);
        }
    }
    out
}

fn when(names: &Names<'_>, t: &Trigger, used_in: &str, p: &mut Vec<Problem>) -> Option<When> {
    match t {
        Trigger::Enter { state } => names.state(state, &used_in, p).map(When::Enter),
        Trigger::Leave { state } => names.state(state, &used_in, p).map(When::Leave),
        Trigger::Action { action } => names
            .action(action, &used_in, p)
            .map(|_| When::Action(Name::new(action))),
    }
}

fn compile_one(
    names: &Names<'_>,
    registry: &Registry,
    d: &DeadlineSpec,
    ix: DeadlineIx,
    graph: &mut DiGraph<StateIx, Edge>,
    p: &mut Vec<Problem>,
) -> Option<CompiledDeadline> {
    let spec = names.spec;
    let used_in = format!("deadline `{}`", d.name);
    let starts = when(names, &d.starts, &used_in, p);
    let met_on: Vec<When> = d
        .met_on
        .iter()
        .filter_map(|t| when(names, t, &used_in, p))
        .collect();
    if let Some(When::Enter(s)) = starts {
        if spec.states[s.ix()].kind == StateKind::Terminal {
            p.push(Problem::DeadlineOnTerminal {
                deadline: d.name.clone(),
                state: spec.states[s.ix()].name.clone(),
            });
        }
    }
    check_ladder(d, p);
    let mut rungs = Vec::with_capacity(d.escalation.len());
    for step in &d.escalation {
        names.role_mask(step.notify.iter().chain(&step.reassign_to), &used_in, p);
        let move_to = step.move_to.as_ref().and_then(|target| {
            let found = names.states.get(target.as_str()).copied();
            if found.is_none() {
                p.push(Problem::EscalationTargetUnknown {
                    deadline: d.name.clone(),
                    state: target.clone(),
                });
            }
            found
        });
        if let (Some(t), Some(_)) = (move_to, starts) {
            for from in escalation_sources(spec, d, &spec.states[t.ix()].name) {
                if let Some(&f) = names.states.get(from) {
                    graph.add_edge(
                        NodeIndex::new(f.ix()),
                        NodeIndex::new(t.ix()),
                        Edge::Escalation(ix),
                    );
                }
            }
        }
        rungs.push(CompiledRung {
            after: step.after,
            notify: step.notify.iter().map(Name::new).collect(),
            reassign_to: step.reassign_to.as_ref().map(Name::new),
            move_to,
        });
    }
    names.role_mask(d.owner.iter(), &used_in, p);
    let selectors = [
        bind_selector(registry, d, &d.limit, p),
        d.warn_at
            .as_ref()
            .and_then(|w| bind_selector(registry, d, w, p)),
        d.not_before
            .as_ref()
            .and_then(|w| bind_selector(registry, d, w, p)),
    ];
    check_anchor(names, d, p);
    if let (DurationSpec::Fixed(limit), Some(DurationSpec::Fixed(warn))) = (&d.limit, &d.warn_at) {
        let (lk, lm) = magnitude(limit);
        let (wk, wm) = magnitude(warn);
        if lk == wk && wm > lm {
            p.push(Problem::WarningAfterLimit {
                deadline: d.name.clone(),
            });
        }
    }
    if d.repeat && d.met_on.is_empty() {
        p.push(Problem::RepeatWithoutMet {
            deadline: d.name.clone(),
        });
    }
    if d.runs == Some(Runs::WhileInState) && !matches!(d.starts, Trigger::Enter { .. }) {
        p.push(Problem::WhileInStateWithoutEnter {
            deadline: d.name.clone(),
        });
    }
    Some(CompiledDeadline {
        while_in_state: d.runs_while_in_state(),
        name: Name::new(&d.name),
        spec: d.clone(),
        starts: starts?,
        met_on,
        rungs,
        selectors,
        working_time: durations(&d.limit).iter().all(|d| is_working(d)),
    })
}

/// An anchored deadline reads a declared form, and counts backwards only in wall-clock or
/// calendar-day durations.
fn check_anchor(names: &Names<'_>, d: &DeadlineSpec, p: &mut Vec<Problem>) {
    if let Some(form) = d.start_if.as_ref().and_then(|c| c.form.as_ref()) {
        if !names.forms.contains_key(form.as_str()) {
            p.push(Problem::UnknownForm {
                form: form.clone(),
                used_in: format!("deadline `{}` start condition", d.name),
            });
        }
    }
    let Some(anchor) = &d.anchor else { return };
    if let AnchorSource::Form { form, .. } = &anchor.at {
        if !names.forms.contains_key(form.as_str()) {
            p.push(Problem::UnknownForm {
                form: form.clone(),
                used_in: format!("deadline `{}`", d.name),
            });
        }
    }
    if let AnchorSource::ClockStart { deadlines } = &anchor.at {
        if deadlines.is_empty() {
            p.push(Problem::UnknownAnchorClock {
                deadline: d.name.clone(),
                clock: String::new(),
            });
        }
        for c in deadlines {
            if !names.spec.deadlines.iter().any(|x| x.name == *c) {
                p.push(Problem::UnknownAnchorClock {
                    deadline: d.name.clone(),
                    clock: c.clone(),
                });
            }
        }
    }
    let backwards_ok = |ds: &DurationSpec| {
        durations(ds).iter().all(|d| {
            matches!(
                d,
                BusinessDuration::Hours(_)
                    | BusinessDuration::Minutes(_)
                    | BusinessDuration::Seconds(_)
                    | BusinessDuration::CalendarDays(_)
            )
        })
    };
    let all_ok = std::iter::once(&d.limit)
        .chain(&d.warn_at)
        .chain(&d.not_before)
        .all(backwards_ok);
    if anchor.before && !all_ok {
        p.push(Problem::AnchorBackwardsNotWallClock {
            deadline: d.name.clone(),
        });
    }
}

/// Rungs fire in ladder order: a later rung may not come before an earlier one (rungs with
/// offsets of different kinds are not compared).
fn check_ladder(d: &DeadlineSpec, p: &mut Vec<Problem>) {
    for (i, pair) in d.escalation.windows(2).enumerate() {
        let offset = |e: &EscalationSpec| e.after.as_ref().map(magnitude);
        let out_of_order = match (offset(&pair[0]), offset(&pair[1])) {
            (Some((_, before)), None) => before > 0,
            (Some((k1, before)), Some((k2, after))) => k1 == k2 && after < before,
            (None, _) => false,
        };
        if out_of_order {
            p.push(Problem::EscalationOutOfOrder {
                deadline: d.name.clone(),
                rung: i + 1,
            });
        }
    }
}

fn bind_selector(
    registry: &Registry,
    d: &DeadlineSpec,
    ds: &DurationSpec,
    p: &mut Vec<Problem>,
) -> Option<Arc<Selector>> {
    match ds {
        DurationSpec::Fixed(_) => None,
        DurationSpec::Select { selector, .. } if selector.starts_with('/') => None,
        DurationSpec::Select { selector, .. } => {
            let found = registry.selectors.get(selector).cloned();
            if found.is_none() {
                p.push(Problem::UnknownSelector {
                    selector: selector.clone(),
                    deadline: d.name.clone(),
                });
            }
            found
        }
    }
}

/// The states an escalation rung moving to `target` can move an instance out of. For a clock
/// started on entering a state, that state (the clock ends when the instance leaves it and is
/// paused while it waits). For one started by leaving a state or by an action, every state
/// where the clock can still be running: the states the starting transitions lead to, and
/// what is reachable from them by transitions that do not meet the clock (its `met_on`
/// triggers) or by any escalation move, excluding terminal and clock-pausing states (but not
/// the clock's own state, where it keeps running) and `target` itself. Overrides, being
/// outside the procedure, are not followed: after one, a rung fires in a state without its
/// escalation edge and is recorded without a move (`decide/due.rs`).
pub(crate) fn escalation_sources<'s>(
    spec: &'s DefinitionSpec,
    deadline: &'s DeadlineSpec,
    target: &str,
) -> Vec<&'s str> {
    let ends = |t: &TransitionSpec| {
        deadline.met_on.iter().any(|m| match m {
            Trigger::Action { action } => &t.action == action,
            Trigger::Enter { state } => &t.to == state && t.to != t.from,
            Trigger::Leave { state } => &t.from == state && t.to != t.from,
        })
    };
    // A clock started on entering a state keeps running in it even when it pauses clocks.
    let home = match &deadline.starts {
        Trigger::Enter { state } => Some(state.as_str()),
        _ => None,
    };
    let mut frontier: Vec<&str> = match &deadline.starts {
        Trigger::Enter { state } if deadline.runs_while_in_state() => return vec![state.as_str()],
        Trigger::Enter { state } => vec![state.as_str()],
        // A starting transition that also meets the clock still leaves it running: on a
        // move, clocks are stopped first and started after (`decide/clocks.rs`).
        Trigger::Action { action } => spec
            .transitions
            .iter()
            .filter(|t| &t.action == action)
            .map(|t| t.to.as_str())
            .collect(),
        Trigger::Leave { state } => spec
            .transitions
            .iter()
            .filter(|t| &t.from == state && t.to != t.from)
            .map(|t| t.to.as_str())
            .collect(),
    };
    // Other clocks' escalations can move the instance while this clock runs.
    if !frontier.is_empty() {
        frontier.extend(
            spec.deadlines
                .iter()
                .flat_map(|d| &d.escalation)
                .filter_map(|e| e.move_to.as_deref()),
        );
    }
    // The transitions leaving each state, indexed once: the search is linear in the size of
    // the definition (it was quadratic, scanning every transition for every state reached).
    let mut leaving: std::collections::HashMap<&str, Vec<&str>> = std::collections::HashMap::new();
    if !frontier.is_empty() {
        for t in spec.transitions.iter().filter(|t| !ends(t)) {
            leaving
                .entry(t.from.as_str())
                .or_default()
                .push(t.to.as_str());
        }
    }
    let mut seen: HashSet<&str> = HashSet::new();
    while let Some(s) = frontier.pop() {
        if !seen.insert(s) {
            continue;
        }
        frontier.extend(leaving.get(s).into_iter().flatten().copied());
    }
    spec.states
        .iter()
        .filter(|s| {
            seen.contains(s.name.as_str())
                && s.kind != StateKind::Terminal
                && (!s.pauses_clocks || home == Some(s.name.as_str()))
                && s.name != target
        })
        .map(|s| s.name.as_str())
        .collect()
}

impl CompiledDeadline {
    /// The limit (`which` = 0) or the warning (1) for an instance with `data`.
    pub(crate) fn resolve(
        &self,
        which: usize,
        ds: &DurationSpec,
        data: &Value,
    ) -> Result<BusinessDuration, Rejection> {
        match ds {
            DurationSpec::Fixed(d) => Ok(*d),
            DurationSpec::Select {
                selector,
                cases,
                default,
            } => {
                let key = match self.selectors.get(which).cloned().flatten() {
                    Some(f) => f(data),
                    None => data.pointer(selector).and_then(|v| match v {
                        Value::String(s) => Some(s.clone()),
                        Value::Null => None,
                        other => Some(other.to_string()),
                    }),
                };
                key.as_ref()
                    .and_then(|k| cases.get(k))
                    .or(default.as_ref())
                    .copied()
                    .ok_or_else(|| Rejection::DeadlineUncomputable {
                        deadline: self.name,
                        reason: format!(
                            "no duration for case {key:?} of `{selector}` and no default"
                        ),
                    })
            }
        }
    }
}
