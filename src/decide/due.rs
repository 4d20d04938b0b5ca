//! Due time: warnings, breaches and escalation rungs, in time order.

use super::{Decision, Draft, clocks};
use crate::calendar::is_breached;
use crate::definition::Definition;
use crate::event::EventKind;
use crate::ids::Name;
use crate::instance::{DeadlineState, Instance};
use crate::rejection::Rejection;
use chrono::{DateTime, Utc};

/// At most this many deadline steps are handled for one instance in one call of
/// [`handle_due`]; anything left is handled by the next call (guards against escalation
/// loops with zero-length limits).
pub const MAX_STEPS_PER_CALL: usize = 256;

/// What falls due on a clock, in the order handled at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Warning,
    Breach,
    Escalation,
}

/// The earliest item due at `now` over the running clocks: (instant, kind, clock position).
///
/// The boundary rule (product decision `PD-DUR` (docs/sources.md)): an item is handled only once its
/// instant has **passed**, `t < now` ([`is_breached`]). At exactly the due instant an
/// action is still on time, so a timer firing at `due` records nothing and an action at
/// `due` afterwards is met, whichever the host runs first.
fn next_item(clocks: &[DeadlineState], now: DateTime<Utc>) -> Option<(DateTime<Utc>, Due, usize)> {
    let mut next: Option<(DateTime<Utc>, Due, usize)> = None;
    for (i, ds) in clocks.iter().enumerate() {
        if !ds.is_active() {
            continue;
        }
        let items = [
            ds.warn_at.filter(|_| !ds.warned).map(|t| (t, Due::Warning)),
            (!ds.breached).then_some((ds.due_at, Due::Breach)),
            ds.escalate_at
                .get(ds.escalated)
                .map(|&t| (t, Due::Escalation)),
        ];
        // A paused clock's item that passed while it ran (before the pause, unhandled then)
        // is due too, in its turn: left for the resume, it would be handled after items of
        // other clocks that fell due later.
        let ran_past = |t: DateTime<Utc>| ds.paused_at.is_none_or(|p| t < p);
        for (t, k) in items.into_iter().flatten() {
            if is_breached(now, t) && ran_past(t) && next.is_none_or(|n| (t, k, i) < n) {
                next = Some((t, k, i));
            }
        }
    }
    next
}

/// Everything due on `inst` at `now`, as events: warnings, breaches and escalation rungs in
/// time order over all clocks (at one instant: warning, then breach, then escalation),
/// including the items of a paused clock that passed before it was paused. `Ok(None)` when
/// nothing is due. Pure and idempotent: after applying the result, nothing is due at `now`.
///
/// One boundary rule: an item fires only when its instant lies strictly before `now`. A
/// clock due at `due` is breached by `handle_due(due + 1ns)`, never by `handle_due(due)`;
/// [`Instance::next_due`] returns that first instant (`due + 1ns`), so a host's timer loop
/// woken at `next_due` always finds the item due and never spins.
///
/// # Errors
/// A [`Rejection`] when the instance does not fit the definition, a deadline of an
/// escalation target cannot be computed, or something is due but `now` is earlier than the
/// instance's last event ([`Rejection::TimeWentBackwards`]).
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
    // Time only moves forward: nothing is recorded at a `now` before the last event.
    if next_item(inst.deadlines(), now).is_some() {
        super::check_time(inst, now)?;
    }
    let mut d = Draft::new(inst.clone(), None, now);
    for _ in 0..MAX_STEPS_PER_CALL {
        let Some((_, kind, i)) = next_item(d.inst.deadlines(), now) else {
            break;
        };
        if d.inst.is_closed() {
            break;
        }
        let ds = &d.inst.deadlines()[i];
        let (name, due_at, rung) = (ds.name, ds.due_at, ds.escalated);
        match kind {
            Due::Warning => d.push(EventKind::DeadlineWarned { deadline: name })?,
            Due::Breach => d.push(EventKind::DeadlineBreached {
                deadline: name,
                due_at,
            })?,
            Due::Escalation => escalate(def, &mut d, name, rung)?,
        }
    }
    Ok((!d.events.is_empty()).then(|| d.finish()))
}

fn escalate(def: &Definition, d: &mut Draft, name: Name, rung: usize) -> Result<(), Rejection> {
    let cd = def
        .deadline_ix(name)
        .map(|i| def.deadline(i))
        .ok_or_else(|| Rejection::Inconsistent {
            reason: format!("deadline `{name}` is not in the definition"),
        })?;
    let step = cd.rungs.get(rung);
    let from = d.inst.state();
    let from_ix = def.state_ix(from);
    // A rung moves the instance only along an escalation edge of the graph (DESIGN.md
    // decision 18): from a state where validation found the clock can be running. A clock
    // can run elsewhere only after an override (outside the procedure, not followed by the
    // graph); there the rung is recorded, notifies and reassigns, but does not move.
    let ix = def.deadline_ix(name);
    let target = step
        .and_then(|s| s.move_to)
        .filter(|&t| Some(t) != from_ix)
        .filter(|&t| {
            from_ix
                .zip(ix)
                .is_some_and(|(f, ix)| def.has_escalation_edge(ix, f, t))
        });
    d.push(EventKind::Escalated {
        deadline: name,
        step: rung,
        notify: step.map(|s| s.notify.clone()).unwrap_or_default(),
        reassign_to: step.and_then(|s| s.reassign_to),
        moved: target.map(|t| (from, def.state(t).name)),
    })?;
    if let Some(t) = target {
        clocks::on_move(def, d, from_ix, t, None)?;
    }
    Ok(())
}
