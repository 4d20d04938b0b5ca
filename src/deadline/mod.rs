//! Deadlines in business time: policies on definitions, clocks on instances, escalation,
//! pause/resume, and SLA status.
//!
//! The core never reads the clock. A clock starts when its trigger happens (a command at the
//! host's `now`), its instants are computed once with the definition's
//! [`Calendar`] and recorded in a `DeadlineStarted` event, so replay needs
//! no calendar. The host asks for the next due instant
//! ([`Instance::next_due`](crate::Instance::next_due),
//! [`Engine::next_due`](crate::Engine::next_due)) and calls [`handle_due`] (or
//! [`Engine::handle_due`](crate::Engine::handle_due)) at or after it: warnings, breaches and
//! escalation rungs become events, each exactly once.
//!
//! Pausing: while the instance is in a state declared `pauses_clocks`, running clocks are
//! paused; on leaving it they resume with their remaining time (working time for
//! working-hour/day limits, wall time otherwise) added to the resume instant.

mod policy;
mod sla;

pub use policy::{DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
pub use sla::{DEFAULT_ON_TIME_GOAL_PERMILLE, SlaCounts, SlaReport, SlaStatus};

use crate::calendar::{BusinessDuration, Calendar};
use crate::decide::{Decision, Draft, Rejection};
use crate::definition::validate::Names;
use crate::definition::{Definition, Problem};
use crate::event::{Event, EventKind};
use crate::instance::Instance;
use crate::registry::{Registry, Selector};
use chrono::{DateTime, TimeDelta, Utc};
use petgraph::graph::{DiGraph, NodeIndex};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// At most this many deadline steps are handled for one instance in one call of
/// [`handle_due`]; anything left is handled by the next call (guards against escalation
/// loops with zero-length limits).
pub const MAX_STEPS_PER_CALL: usize = 256;

/// A deadline clock on an instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineState {
    /// The policy name.
    pub name: String,
    /// When the clock started.
    pub started_at: DateTime<Utc>,
    /// The limit.
    pub due_at: DateTime<Utc>,
    /// The warning instant, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DateTime<Utc>>,
    /// The instants of the escalation rungs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalate_at: Vec<DateTime<Utc>>,
    /// How many rungs have fired.
    #[serde(default)]
    pub escalated: usize,
    /// Whether the warning was given.
    #[serde(default)]
    pub warned: bool,
    /// Whether the limit passed unmet (stays true).
    #[serde(default)]
    pub breached: bool,
    /// When the clock was paused, while paused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paused_at: Option<DateTime<Utc>>,
    /// How it ended, once it has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<Stopped>,
}

/// How a deadline clock ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Stopped {
    /// When.
    pub at: DateTime<Utc>,
    /// In time.
    pub met: bool,
    /// Time left (seconds; negative when late).
    pub margin_secs: i64,
}

impl DeadlineState {
    /// Whether the clock is still running or paused.
    pub fn is_active(&self) -> bool {
        self.stopped.is_none()
    }

    /// The next instant at which this clock needs handling (none when stopped or paused).
    pub fn next_instant(&self) -> Option<DateTime<Utc>> {
        if self.stopped.is_some() || self.paused_at.is_some() {
            return None;
        }
        [
            self.warn_at.filter(|_| !self.warned),
            (!self.breached).then_some(self.due_at),
            self.escalate_at.get(self.escalated).copied(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    fn all_instants_mut(&mut self) -> impl Iterator<Item = &mut DateTime<Utc>> {
        std::iter::once(&mut self.due_at)
            .chain(self.warn_at.as_mut())
            .chain(self.escalate_at.iter_mut())
    }
}

#[derive(Clone, PartialEq, Eq)]
enum When {
    Enter(usize),
    Leave(usize),
    Action(String),
}

pub(crate) struct CompiledDeadline {
    pub(crate) spec: DeadlineSpec,
    starts: When,
    met_on: Vec<When>,
    selectors: Vec<Option<Arc<Selector>>>,
    working_time: bool,
}

fn is_working(d: &BusinessDuration) -> bool {
    matches!(
        d,
        BusinessDuration::WorkingHours(_)
            | BusinessDuration::WorkingMinutes(_)
            | BusinessDuration::WorkingDays(_)
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
    graph: &mut DiGraph<usize, usize>,
    p: &mut Vec<Problem>,
) -> Vec<CompiledDeadline> {
    let spec = names.spec;
    let mut out = Vec::with_capacity(spec.deadlines.len());
    let mut seen = std::collections::HashSet::new();
    for d in &spec.deadlines {
        let used_in = format!("deadline `{}`", d.name);
        if !seen.insert(d.name.as_str()) {
            p.push(Problem::DuplicateDeadline {
                deadline: d.name.clone(),
            });
        }
        let when = |t: &Trigger, p: &mut Vec<Problem>| match t {
            Trigger::Enter { state } => names.state(state, &used_in, p).map(When::Enter),
            Trigger::Leave { state } => names.state(state, &used_in, p).map(When::Leave),
            Trigger::Action { action } => {
                names.action(action, &used_in, p);
                Some(When::Action(action.clone()))
            }
        };
        let starts = when(&d.starts, p);
        let met_on: Vec<When> = d.met_on.iter().filter_map(|t| when(t, p)).collect();
        if let Some(When::Enter(s)) = starts {
            if spec.states[s].kind == crate::StateKind::Terminal {
                p.push(Problem::DeadlineOnTerminal {
                    deadline: d.name.clone(),
                    state: spec.states[s].name.clone(),
                });
            }
        }
        // Rungs fire in ladder order: a later rung may not come before an earlier one (rungs
        // with offsets of different kinds are not compared).
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
        for step in &d.escalation {
            names.role_mask(step.notify.iter().chain(&step.reassign_to), &used_in, p);
            if let Some(target) = &step.move_to {
                match names.states.get(target) {
                    None => p.push(Problem::EscalationTargetUnknown {
                        deadline: d.name.clone(),
                        state: target.clone(),
                    }),
                    Some(&t) if starts.is_some() => {
                        for from in escalation_sources(spec, d, target) {
                            if let Some(&f) = names.states.get(from) {
                                let (f, t) = (NodeIndex::new(f), NodeIndex::new(t));
                                graph.add_edge(f, t, usize::MAX);
                            }
                        }
                    }
                    Some(_) => {}
                }
            }
        }
        names.role_mask(d.owner.iter(), &used_in, p);
        let mut selectors = Vec::new();
        for ds in std::iter::once(&d.limit).chain(&d.warn_at) {
            selectors.push(match ds {
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
            });
        }
        if let (DurationSpec::Fixed(limit), Some(DurationSpec::Fixed(warn))) =
            (&d.limit, &d.warn_at)
        {
            let (lk, lm) = magnitude(limit);
            let (wk, wm) = magnitude(warn);
            if lk == wk && wm > lm {
                p.push(Problem::WarningAfterLimit {
                    deadline: d.name.clone(),
                });
            }
        }
        let working_time = durations(&d.limit).iter().all(|d| is_working(d));
        if let Some(starts) = starts {
            out.push(CompiledDeadline {
                spec: d.clone(),
                starts,
                met_on,
                selectors,
                working_time,
            });
        }
    }
    out
}

/// The states an escalation rung moving to `target` can move an instance out of. For a clock
/// started on entering a state, that state (the clock ends when the instance leaves it and is
/// paused while it waits). For one started by leaving a state or by an action, every state
/// where the clock can still be running: the states the starting transitions lead to, and
/// what is reachable from them by transitions that do not meet the clock (its `met_on`
/// triggers) or by any escalation move, excluding terminal and clock-pausing states and
/// `target` itself. (Overrides, being outside the procedure, are not followed.)
pub(crate) fn escalation_sources<'s>(
    spec: &'s crate::DefinitionSpec,
    deadline: &'s DeadlineSpec,
    target: &str,
) -> Vec<&'s str> {
    let ends = |t: &crate::TransitionSpec| {
        deadline.met_on.iter().any(|m| match m {
            Trigger::Action { action } => &t.action == action,
            Trigger::Enter { state } => &t.to == state && t.to != t.from,
            Trigger::Leave { state } => &t.from == state && t.to != t.from,
        })
    };
    let mut frontier: Vec<&str> = match &deadline.starts {
        Trigger::Enter { state } => return vec![state.as_str()],
        Trigger::Action { action } => spec
            .transitions
            .iter()
            .filter(|t| &t.action == action && !ends(t))
            .map(|t| t.to.as_str())
            .collect(),
        Trigger::Leave { state } => spec
            .transitions
            .iter()
            .filter(|t| &t.from == state && t.to != t.from && !ends(t))
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
    let mut seen: Vec<&str> = Vec::new();
    while let Some(s) = frontier.pop() {
        if seen.contains(&s) {
            continue;
        }
        seen.push(s);
        for t in spec.transitions.iter().filter(|t| t.from == s && !ends(t)) {
            frontier.push(t.to.as_str());
        }
    }
    spec.states
        .iter()
        .filter(|s| {
            seen.contains(&s.name.as_str())
                && s.kind != crate::StateKind::Terminal
                && !s.pauses_clocks
                && s.name != target
        })
        .map(|s| s.name.as_str())
        .collect()
}

impl CompiledDeadline {
    fn resolve(
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
                        deadline: self.spec.name.clone(),
                        reason: format!(
                            "no duration for case {key:?} of `{selector}` and no default"
                        ),
                    })
            }
        }
    }
}

fn add(
    cal: &dyn Calendar,
    name: &str,
    at: DateTime<Utc>,
    d: BusinessDuration,
) -> Result<DateTime<Utc>, Rejection> {
    cal.add(at, d).map_err(|e| Rejection::DeadlineUncomputable {
        deadline: name.to_owned(),
        reason: e.to_string(),
    })
}

fn margin(
    def: &Definition,
    cd: Option<&CompiledDeadline>,
    from: DateTime<Utc>,
    due: DateTime<Utc>,
) -> i64 {
    if cd.is_some_and(|c| c.working_time) {
        def.calendar().working_time_between(from, due).num_seconds()
    } else {
        (due - from).num_seconds()
    }
}

fn stop(def: &Definition, d: &mut Draft, name: &str) -> Result<(), Rejection> {
    let Some(ds) = d
        .inst
        .deadlines()
        .iter()
        .rev()
        .find(|x| x.name == name && x.is_active())
    else {
        return Ok(());
    };
    let cd = def.deadlines.iter().find(|c| c.spec.name == name);
    let at = ds.paused_at.unwrap_or(d.now);
    let margin_secs = margin(def, cd, at, ds.due_at);
    let met = !ds.breached && at <= ds.due_at;
    d.push(EventKind::DeadlineStopped {
        deadline: name.to_owned(),
        met,
        margin_secs,
    })
}

/// Deadline bookkeeping for a move `from -> to` (None: the instance is being created) by
/// `action` (None: an escalation or override). The rules, in order:
///
/// 1. **Stop** every active clock whose `met_on` trigger happens, every clock started on
///    entering a state when the instance moves somewhere that is neither that state nor a
///    state that pauses clocks, and every clock when the target is terminal. A clock stops
///    as met if it was not breached and stops (or was paused) before its limit.
/// 2. **Resume** paused clocks when leaving a pausing state for a non-pausing one.
/// 3. **Start** the clocks this move triggers, unless a clock of that name is already
///    active (a return from a waiting state does not restart the clock).
/// 4. **Pause** every running clock when the instance is in a pausing state after the move
///    (entering it from a non-pausing state, or a clock this move started while it waits) —
///    except the clocks of that waiting state itself (started on entering it), which time
///    the party being waited on.
/// 5. **Close** the instance when the target is terminal.
pub(crate) fn on_move(
    def: &Definition,
    d: &mut Draft,
    from: Option<usize>,
    to: usize,
    action: Option<&str>,
) -> Result<(), Rejection> {
    let moved = from != Some(to);
    let terminal = def.is_terminal(to);
    let pausing_from = from.is_some_and(|f| def.pauses_clocks(f));
    let pausing_to = def.pauses_clocks(to);
    // 1. Stop.
    for name in active_names(d, |_| true) {
        let Some(cd) = def.deadlines.iter().find(|c| c.spec.name == name) else {
            continue;
        };
        let hit = |w: &When| match w {
            When::Enter(s) => moved && *s == to,
            When::Leave(s) => moved && Some(*s) == from,
            When::Action(a) => Some(a.as_str()) == action,
        };
        let away = matches!(cd.starts, When::Enter(home) if moved && to != home && !pausing_to);
        if terminal || away || cd.met_on.iter().any(hit) {
            stop(def, d, &name)?;
        }
    }
    // 2. Resume.
    if moved && pausing_from && !pausing_to {
        resume(def, d, |_| true)?;
    }
    // 3. Start.
    if !terminal {
        for cd in &def.deadlines {
            let starts = match &cd.starts {
                When::Enter(s) => moved && *s == to,
                When::Action(a) => Some(a.as_str()) == action,
                When::Leave(s) => moved && Some(*s) == from,
            };
            let active = d
                .inst
                .deadlines()
                .iter()
                .any(|x| x.name == cd.spec.name && x.is_active());
            if starts && !active {
                start_clock(def, cd, d)?;
            }
        }
    }
    // 4. Pause. Also when coming from another pausing state or staying put: a clock started
    // by this move (on entering a waiting state, or by an action fired in one) must not run
    // while the instance waits.
    // The clocks of the waiting state itself (started on entering it) keep running: they time
    // the party being waited on.
    if pausing_to && !terminal {
        let own = |name: &str| {
            def.deadlines
                .iter()
                .any(|c| c.spec.name == name && c.starts == When::Enter(to))
        };
        for name in active_names(d, |x| x.paused_at.is_none() && !own(&x.name)) {
            d.push(EventKind::DeadlinePaused { deadline: name })?;
        }
        // Back in its own waiting state (from another one), a paused own clock runs again.
        if moved {
            resume(def, d, |x| own(&x.name))?;
        }
    }
    // 5. Close.
    if terminal && moved {
        d.push(EventKind::Closed {
            state: def.state_name(to).to_owned(),
        })?;
    }
    Ok(())
}

fn active_names(d: &Draft, pred: impl Fn(&DeadlineState) -> bool) -> Vec<String> {
    d.inst
        .deadlines()
        .iter()
        .filter(|x| x.is_active() && pred(x))
        .map(|x| x.name.clone())
        .collect()
}

fn start_clock(def: &Definition, cd: &CompiledDeadline, d: &mut Draft) -> Result<(), Rejection> {
    let data = d.inst.data().clone();
    let limit = cd.resolve(0, &cd.spec.limit, &data)?;
    let cal = def.calendar();
    let name = cd.spec.name.as_str();
    let due_at = add(cal, name, d.now, limit)?;
    let warn_at = match &cd.spec.warn_at {
        Some(w) => Some(add(cal, name, d.now, cd.resolve(1, w, &data)?)?),
        None => None,
    };
    let escalate_at = cd
        .spec
        .escalation
        .iter()
        .map(|s| s.after.map_or(Ok(due_at), |a| add(cal, name, due_at, a)))
        .collect::<Result<Vec<_>, _>>()?;
    d.push(EventKind::DeadlineStarted {
        deadline: cd.spec.name.clone(),
        due_at,
        warn_at,
        escalate_at,
    })
}

/// Resume the paused clocks that `which` selects.
fn resume(
    def: &Definition,
    d: &mut Draft,
    which: impl Fn(&DeadlineState) -> bool,
) -> Result<(), Rejection> {
    let paused: Vec<DeadlineState> = d
        .inst
        .deadlines()
        .iter()
        .filter(|x| x.is_active() && x.paused_at.is_some() && which(x))
        .cloned()
        .collect();
    let cal = def.calendar();
    for mut ds in paused {
        let Some(paused_at) = ds.paused_at else {
            continue;
        };
        let working = def
            .deadlines
            .iter()
            .find(|c| c.spec.name == ds.name)
            .is_some_and(|c| c.working_time);
        let now = d.now;
        let name = ds.name.clone();
        for x in ds.all_instants_mut() {
            if *x <= paused_at {
                continue;
            }
            *x = if working {
                let left = cal.working_time_between(paused_at, *x);
                let minutes = u32::try_from((left.num_seconds() + 59) / 60).unwrap_or(u32::MAX);
                add(cal, &name, now, BusinessDuration::WorkingMinutes(minutes))?
            } else {
                now.checked_add_signed(*x - paused_at).ok_or_else(|| {
                    Rejection::DeadlineUncomputable {
                        deadline: name.clone(),
                        reason: "the resumed instant is out of range".into(),
                    }
                })?
            };
        }
        d.push(EventKind::DeadlineResumed {
            deadline: ds.name.clone(),
            due_at: ds.due_at,
            warn_at: ds.warn_at,
            escalate_at: ds.escalate_at.clone(),
        })?;
    }
    Ok(())
}

/// Apply a deadline event to an instance (used by [`Instance::apply`]).
pub(crate) fn apply(inst: &mut Instance, e: &Event) -> Result<(), String> {
    let missing = |name: &str| format!("no running deadline `{name}`");
    match &e.kind {
        EventKind::DeadlineStarted {
            deadline,
            due_at,
            warn_at,
            escalate_at,
        } => inst.deadlines_mut().push(DeadlineState {
            name: deadline.clone(),
            started_at: e.at,
            due_at: *due_at,
            warn_at: *warn_at,
            escalate_at: escalate_at.clone(),
            escalated: 0,
            warned: false,
            breached: false,
            paused_at: None,
            stopped: None,
        }),
        EventKind::DeadlineWarned { deadline } => {
            inst.deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?
                .warned = true;
        }
        EventKind::DeadlineBreached { deadline, .. } => {
            inst.deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?
                .breached = true;
        }
        EventKind::Escalated { deadline, .. } => {
            let ds = inst
                .deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?;
            ds.escalated = ds.escalated.saturating_add(1);
        }
        EventKind::DeadlineStopped {
            deadline,
            met,
            margin_secs,
        } => {
            let ds = inst
                .deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?;
            ds.paused_at = None;
            ds.stopped = Some(Stopped {
                at: e.at,
                met: *met,
                margin_secs: *margin_secs,
            });
        }
        EventKind::DeadlinePaused { deadline } => {
            inst.deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?
                .paused_at = Some(e.at);
        }
        EventKind::DeadlineResumed {
            deadline,
            due_at,
            warn_at,
            escalate_at,
        } => {
            let ds = inst
                .deadline_mut(deadline)
                .ok_or_else(|| missing(deadline))?;
            ds.paused_at = None;
            ds.due_at = *due_at;
            ds.warn_at = *warn_at;
            ds.escalate_at = escalate_at.clone();
        }
        _ => {}
    }
    Ok(())
}

/// Everything due on `inst` at `now`, as events: warnings, breaches and escalation rungs in
/// time order (at one instant: warning, then breach, then escalation). `Ok(None)` when
/// nothing is due. Pure and idempotent: after applying the result, nothing is due at `now`.
///
/// # Errors
/// A [`Rejection`] when the instance does not fit the definition or a deadline of an
/// escalation target cannot be computed.
pub fn handle_due(
    def: &Definition,
    inst: &Instance,
    now: DateTime<Utc>,
) -> Result<Option<Decision>, Rejection> {
    if inst.is_closed()
        || inst.definition() != def.id()
        || inst.definition_version() != def.version()
    {
        return Ok(None);
    }
    let mut d = Draft::new(inst.clone(), None, now);
    for _ in 0..MAX_STEPS_PER_CALL {
        let mut next: Option<(DateTime<Utc>, u8, usize)> = None;
        for (i, ds) in d.inst.deadlines().iter().enumerate() {
            if !ds.is_active() || ds.paused_at.is_some() {
                continue;
            }
            let items = [
                ds.warn_at.filter(|_| !ds.warned).map(|t| (t, 0)),
                (!ds.breached).then_some((ds.due_at, 1)),
                ds.escalate_at.get(ds.escalated).map(|&t| (t, 2)),
            ];
            for (t, k) in items.into_iter().flatten() {
                if t <= now && next.is_none_or(|n| (t, k, i) < n) {
                    next = Some((t, k, i));
                }
            }
        }
        let Some((_, kind, i)) = next else { break };
        if d.inst.is_closed() {
            break;
        }
        let ds = d.inst.deadlines()[i].clone();
        match kind {
            0 => d.push(EventKind::DeadlineWarned { deadline: ds.name })?,
            1 => d.push(EventKind::DeadlineBreached {
                deadline: ds.name,
                due_at: ds.due_at,
            })?,
            _ => {
                let Some(cd) = def.deadlines.iter().find(|c| c.spec.name == ds.name) else {
                    return Err(Rejection::Inconsistent {
                        reason: format!("deadline `{}` is not in the definition", ds.name),
                    });
                };
                let step = cd
                    .spec
                    .escalation
                    .get(ds.escalated)
                    .cloned()
                    .unwrap_or_default();
                let from = d.inst.state().to_owned();
                let from_ix = def.state_ix.get(&from).copied();
                let target = step
                    .move_to
                    .as_ref()
                    .and_then(|t| def.state_ix.get(t).copied())
                    .filter(|&t| Some(t) != from_ix);
                d.push(EventKind::Escalated {
                    deadline: ds.name,
                    step: ds.escalated,
                    notify: step.notify.clone(),
                    reassign_to: step.reassign_to.clone(),
                    moved: target.map(|t| (from.clone(), def.state_name(t).to_owned())),
                })?;
                if let Some(t) = target {
                    on_move(def, &mut d, from_ix, t, None)?;
                }
            }
        }
    }
    Ok((!d.events.is_empty()).then(|| d.finish()))
}

/// Working time between two instants in `def`'s calendar (a convenience for reports).
pub fn working_time(def: &Definition, from: DateTime<Utc>, to: DateTime<Utc>) -> TimeDelta {
    def.calendar().working_time_between(from, to)
}
