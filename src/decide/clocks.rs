//! Deadline bookkeeping on every move: which clocks stop, resume, start and pause.
//!
//! The core never reads the clock. A clock starts when its trigger happens (a command at the
//! host's `now`); its instants are computed once with the definition's calendar and recorded
//! in a `DeadlineStarted` event, so replay needs no calendar. Pausing: while the instance is
//! in a state declared `pauses_clocks`, running clocks are paused; on leaving it they resume
//! with their remaining time (working time for working-hour/day limits, wall time otherwise)
//! added to the resume instant.

use super::{Draft, anchor};
use crate::calendar::{BusinessDuration, Calendar};
use crate::definition::{CompiledDeadline, Definition, When};
use crate::event::EventKind;
use crate::ids::{Name, StateIx};
use crate::instance::DeadlineState;
use crate::rejection::Rejection;
use chrono::{DateTime, Utc};

fn add(
    cal: &dyn Calendar,
    name: Name,
    at: DateTime<Utc>,
    d: BusinessDuration,
) -> Result<DateTime<Utc>, Rejection> {
    cal.add(at, d).map_err(|e| Rejection::DeadlineUncomputable {
        deadline: name,
        reason: e.to_string(),
    })
}

pub(crate) fn margin(
    def: &Definition,
    cd: Option<&CompiledDeadline>,
    from: DateTime<Utc>,
    due: DateTime<Utc>,
) -> i64 {
    match def.calendar() {
        Some(cal) if cd.is_some_and(|c| c.working_time) => {
            cal.working_time_between(from, due).num_seconds()
        }
        _ => (due - from).num_seconds(),
    }
}

fn stop(def: &Definition, d: &mut Draft, name: Name) -> Result<(), Rejection> {
    let Some(ds) = d.inst.running_clock(name) else {
        return Ok(());
    };
    let cd = def.deadline_ix(name).map(|i| def.deadline(i));
    let at = ds.paused_at.unwrap_or(d.now);
    let margin_secs = margin(def, cd, at, ds.due_at);
    // One boundary rule: met iff at or before the limit; early iff before the early bound.
    let met = !ds.breached && at <= ds.due_at;
    let early = ds.not_before.is_some_and(|nb| at < nb);
    d.push(EventKind::DeadlineStopped {
        deadline: name,
        met,
        margin_secs,
        early,
    })
}

/// One move, as the clocks see it.
struct Move {
    from: Option<StateIx>,
    to: StateIx,
    action: Option<Name>,
    moved: bool,
}

impl Move {
    fn hits(&self, w: When) -> bool {
        match w {
            When::Enter(s) => self.moved && s == self.to,
            When::Leave(s) => self.moved && Some(s) == self.from,
            When::Action(a) => self.action == Some(a),
        }
    }
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
    from: Option<StateIx>,
    to: StateIx,
    action: Option<Name>,
) -> Result<(), Rejection> {
    let m = Move {
        from,
        to,
        action,
        moved: from != Some(to),
    };
    // Nothing to do for a definition without deadlines, unless the move closes the instance.
    let terminal = def.state(to).kind == crate::definition::StateKind::Terminal;
    if def.deadlines.is_empty() && d.inst.deadlines().is_empty() {
        return close(def, d, &m, terminal);
    }
    let pausing_from = from.is_some_and(|f| def.state(f).pauses_clocks);
    let pausing_to = def.state(to).pauses_clocks;
    let met = stop_clocks(def, d, &m, terminal, pausing_to)?;
    if m.moved && pausing_from && !pausing_to {
        resume(def, d, |_| true)?;
    }
    if !terminal {
        start_clocks(def, d, &m)?;
        restart_repeating(def, d, &m, &met)?;
    }
    if pausing_to && !terminal {
        pause_clocks(def, d, &m)?;
    }
    close(def, d, &m, terminal)
}

fn close(def: &Definition, d: &mut Draft, m: &Move, terminal: bool) -> Result<(), Rejection> {
    if terminal && m.moved {
        d.push(EventKind::Closed {
            state: def.state(m.to).name,
        })?;
    }
    Ok(())
}

/// Stop the clocks this move ends; the names of those a `met_on` trigger met.
fn stop_clocks(
    def: &Definition,
    d: &mut Draft,
    m: &Move,
    terminal: bool,
    pausing_to: bool,
) -> Result<Vec<Name>, Rejection> {
    let mut met = Vec::new();
    for name in active_names(d, |_| true) {
        let Some(cd) = def.deadline_ix(name).map(|i| def.deadline(i)) else {
            continue;
        };
        let away = cd.while_in_state
            && matches!(cd.starts, When::Enter(home) if m.moved && m.to != home && !pausing_to);
        let hit = cd.met_on.iter().any(|&w| m.hits(w));
        if terminal || away || hit {
            stop(def, d, name)?;
            if hit && !terminal && !away {
                met.push(name);
            }
        }
    }
    Ok(met)
}

/// Start the next cycle of the repeating clocks `met` just met.
fn restart_repeating(
    def: &Definition,
    d: &mut Draft,
    m: &Move,
    met: &[Name],
) -> Result<(), Rejection> {
    for &name in met {
        let Some(cd) = def.deadline_ix(name).map(|i| def.deadline(i)) else {
            continue;
        };
        let left_home = cd.while_in_state && matches!(cd.starts, When::Enter(home) if m.to != home);
        if cd.spec.repeat && !left_home && d.inst.running_clock(name).is_none() {
            start_clock(def, cd, d)?;
        }
    }
    Ok(())
}

fn start_clocks(def: &Definition, d: &mut Draft, m: &Move) -> Result<(), Rejection> {
    for cd in &def.deadlines {
        if m.hits(cd.starts)
            && d.inst.running_clock(cd.name).is_none()
            && cd.spec.start_if.as_ref().is_none_or(|c| c.holds(&d.inst))
        {
            start_clock(def, cd, d)?;
        }
    }
    Ok(())
}

/// Pause running clocks in a waiting state. Also when coming from another pausing state or
/// staying put: a clock started by this move (on entering a waiting state, or by an action
/// fired in one) must not run while the instance waits. The clocks of the waiting state
/// itself (started on entering it) keep running: they time the party being waited on.
fn pause_clocks(def: &Definition, d: &mut Draft, m: &Move) -> Result<(), Rejection> {
    let own = |name: Name| {
        def.deadlines
            .iter()
            .any(|c| c.name == name && c.starts == When::Enter(m.to))
    };
    for name in active_names(d, |x| x.paused_at.is_none() && !own(x.name)) {
        d.push(EventKind::DeadlinePaused { deadline: name })?;
    }
    // Back in its own waiting state (from another one), a paused own clock runs again.
    if m.moved {
        resume(def, d, |x| own(x.name))?;
    }
    Ok(())
}

fn active_names(d: &Draft, pred: impl Fn(&DeadlineState) -> bool) -> Vec<Name> {
    d.inst
        .deadlines()
        .iter()
        .filter(|x| x.is_active() && pred(x))
        .map(|x| x.name)
        .collect()
}

/// The instants of a clock of `cd` started at `base` (unless the deadline is anchored) on
/// `inst`: the limit, the warning, the escalation rungs and the early bound.
pub(crate) struct Instants {
    pub(crate) due_at: DateTime<Utc>,
    pub(crate) warn_at: Option<DateTime<Utc>>,
    pub(crate) escalate_at: Vec<DateTime<Utc>>,
    pub(crate) not_before: Option<DateTime<Utc>>,
}

/// Compute the instants of a clock of `cd` measured from `base` (or from its anchor).
pub(crate) fn instants(
    def: &Definition,
    cd: &CompiledDeadline,
    inst: &crate::instance::Instance,
    base: DateTime<Utc>,
) -> Result<Instants, Rejection> {
    let data = inst.data();
    let limit = cd.resolve(0, &cd.spec.limit, data)?;
    let warn = match &cd.spec.warn_at {
        Some(w) => Some(cd.resolve(1, w, data)?),
        None => None,
    };
    let not_before = match &cd.spec.not_before {
        Some(nb) => Some(cd.resolve(2, nb, data)?),
        None => None,
    };
    let cal = def.deadline_calendar(cd.name)?;
    let (base, before) = match &cd.spec.anchor {
        Some(a) => (anchor::instant(def, cd.name, &a.at, inst)?, a.before),
        None => (base, false),
    };
    let measure = |dur| anchor::measure(cal, cd.name, base, dur, before);
    let due_at = measure(limit)?;
    let warn_at = warn.map(measure).transpose()?;
    let not_before = not_before.map(measure).transpose()?;
    let escalate_at = cd
        .rungs
        .iter()
        .map(|s| s.after.map_or(Ok(due_at), |a| add(cal, cd.name, due_at, a)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Instants {
        due_at,
        warn_at,
        escalate_at,
        not_before,
    })
}

fn start_clock(def: &Definition, cd: &CompiledDeadline, d: &mut Draft) -> Result<(), Rejection> {
    let i = instants(def, cd, &d.inst, d.now)?;
    d.push(EventKind::DeadlineStarted {
        deadline: cd.name,
        due_at: i.due_at,
        warn_at: i.warn_at,
        escalate_at: i.escalate_at,
        not_before: i.not_before,
    })
}

/// The instant `x` moved from `paused_at` to `now`, keeping the time that was left.
fn shift(
    cal: &dyn Calendar,
    name: Name,
    working: bool,
    paused_at: DateTime<Utc>,
    now: DateTime<Utc>,
    x: DateTime<Utc>,
) -> Result<DateTime<Utc>, Rejection> {
    if working {
        let left = cal.working_time_between(paused_at, x);
        let minutes = u32::try_from((left.num_seconds() + 59) / 60).unwrap_or(u32::MAX);
        add(cal, name, now, BusinessDuration::WorkingMinutes(minutes))
    } else {
        now.checked_add_signed(x - paused_at)
            .ok_or_else(|| Rejection::DeadlineUncomputable {
                deadline: name,
                reason: "the resumed instant is out of range".into(),
            })
    }
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
    for mut ds in paused {
        let Some(paused_at) = ds.paused_at else {
            continue;
        };
        let cal = def.deadline_calendar(ds.name)?;
        let working = def
            .deadline_ix(ds.name)
            .is_some_and(|i| def.deadline(i).working_time);
        let (name, now) = (ds.name, d.now);
        // Every instant not yet passed at the pause moves, keeping its remaining time. One
        // at the pause instant itself had not passed either (the boundary rule, `t < now`):
        // it moves to the resume instant, never staying behind in the past to be handled
        // after items of other clocks that fell due later.
        for x in ds.all_instants_mut() {
            if *x >= paused_at {
                *x = shift(cal, name, working, paused_at, now, *x)?;
            }
        }
        d.push(EventKind::DeadlineResumed {
            deadline: ds.name,
            due_at: ds.due_at,
            warn_at: ds.warn_at,
            escalate_at: ds.escalate_at,
            not_before: ds.not_before,
        })?;
    }
    Ok(())
}
