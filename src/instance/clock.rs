//! Deadline clocks as an instance holds them, their SLA status, and how clock events change
//! them (replay needs no calendar: every instant was computed when the clock started).

use crate::calendar::{breach_instant, is_breached};
use crate::event::{ClockChange, ClockMigration, Event, EventKind};
use crate::ids::Name;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A deadline clock on an instance.
///
/// # The boundary rule
///
/// Every instant on a clock (the warning, the limit `due_at`, the escalation rungs) is
/// reached at that instant and passed strictly after it: an action at exactly `due_at` is
/// met, and the clock is breached only when `now > due_at`. Handling what is due at
/// `due_at` records nothing; the next instant to handle is one nanosecond after it
/// (`is_met`, `is_breached`, `breach_instant`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineState {
    /// The policy name.
    pub name: Name,
    /// When the clock started.
    pub started_at: DateTime<Utc>,
    /// The limit.
    pub due_at: DateTime<Utc>,
    /// The warning instant, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DateTime<Utc>>,
    /// The early bound of a window ("not before"), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<DateTime<Utc>>,
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
    /// Stopped before the early bound of its window.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub early: bool,
}

impl DeadlineState {
    /// Whether the clock is still running or paused.
    pub fn is_active(&self) -> bool {
        self.stopped.is_none()
    }

    /// The next instant at which this clock needs handling (none when stopped, or paused
    /// with nothing left over from before the pause): the first instant strictly after the
    /// earliest pending warning, limit or escalation rung, `t + 1ns` (see [the boundary
    /// rule](Self#the-boundary-rule)). A host's timer woken at this instant finds the item
    /// due; at `t` itself nothing is due yet. A paused clock's pending items that passed
    /// before the pause (`t < paused_at`) still count: they are handled in their turn.
    pub fn next_instant(&self) -> Option<DateTime<Utc>> {
        if self.stopped.is_some() {
            return None;
        }
        [
            self.warn_at.filter(|_| !self.warned),
            (!self.breached).then_some(self.due_at),
            self.escalate_at.get(self.escalated).copied(),
        ]
        .into_iter()
        .flatten()
        .filter(|&t| self.paused_at.is_none_or(|p| t < p))
        .min()
        .map(breach_instant)
    }

    pub(crate) fn all_instants_mut(&mut self) -> impl Iterator<Item = &mut DateTime<Utc>> {
        std::iter::once(&mut self.due_at)
            .chain(self.warn_at.as_mut())
            .chain(self.not_before.as_mut())
            .chain(self.escalate_at.iter_mut())
    }
}

/// The SLA status of one deadline clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SlaStatus {
    /// Running, not yet warned.
    Pending,
    /// Running, past its warning threshold.
    Warned,
    /// Paused (waiting on the customer or a supplier).
    Paused,
    /// Stopped before the early bound of its window ("not before").
    Early,
    /// Stopped in time, with this much time left (seconds).
    Met {
        /// Seconds to spare.
        margin_secs: i64,
    },
    /// Missed. Once breached, always breached, even if later satisfied.
    Breached,
}

impl DeadlineState {
    /// The SLA status as recorded (breaches count once `handle_due` recorded them or the
    /// clock stopped late).
    pub fn status(&self) -> SlaStatus {
        match self.stopped {
            _ if self.breached => SlaStatus::Breached,
            Some(s) if !s.met => SlaStatus::Breached,
            Some(s) if s.early => SlaStatus::Early,
            Some(s) => SlaStatus::Met {
                margin_secs: s.margin_secs,
            },
            None if self.paused_at.is_some() => SlaStatus::Paused,
            None if self.warned => SlaStatus::Warned,
            None => SlaStatus::Pending,
        }
    }

    /// The status as of `now`: like [`status`](Self::status), but a running clock past its
    /// limit (`now > due_at`) already counts as breached, and one past its warning
    /// (`now > warn_at`) as warned, before `handle_due` has run: the same boundary rule.
    pub fn status_at(&self, now: DateTime<Utc>) -> SlaStatus {
        match self.status() {
            SlaStatus::Pending | SlaStatus::Warned if is_breached(now, self.due_at) => {
                SlaStatus::Breached
            }
            SlaStatus::Pending if self.warn_at.is_some_and(|w| is_breached(now, w)) => {
                SlaStatus::Warned
            }
            other => other,
        }
    }
}

/// The clock of `name` that events of that name refer to: the latest one.
fn latest(clocks: &mut [DeadlineState], name: Name) -> Result<&mut DeadlineState, String> {
    clocks
        .iter_mut()
        .rev()
        .find(|d| d.name == name)
        .ok_or_else(|| format!("no running deadline `{name}`"))
}

/// Apply a clock event to the clocks of an instance. `Ok(false)` when `e` is not a clock
/// event.
pub(crate) fn apply(clocks: &mut Vec<DeadlineState>, e: &Event) -> Result<bool, String> {
    match &e.kind {
        EventKind::DeadlineStarted {
            deadline,
            due_at,
            warn_at,
            escalate_at,
            not_before,
        } => clocks.push(DeadlineState {
            name: *deadline,
            started_at: e.at,
            due_at: *due_at,
            warn_at: *warn_at,
            not_before: *not_before,
            escalate_at: escalate_at.clone(),
            escalated: 0,
            warned: false,
            breached: false,
            paused_at: None,
            stopped: None,
        }),
        EventKind::DeadlineWarned { deadline } => latest(clocks, *deadline)?.warned = true,
        EventKind::DeadlineBreached { deadline, .. } => {
            latest(clocks, *deadline)?.breached = true;
        }
        EventKind::Escalated { deadline, .. } => {
            let ds = latest(clocks, *deadline)?;
            ds.escalated = ds.escalated.saturating_add(1);
        }
        EventKind::DeadlineStopped {
            deadline,
            met,
            margin_secs,
            early,
        } => {
            let ds = latest(clocks, *deadline)?;
            ds.paused_at = None;
            ds.stopped = Some(Stopped {
                at: e.at,
                met: *met,
                margin_secs: *margin_secs,
                early: *early,
            });
        }
        EventKind::DeadlinePaused { deadline } => {
            latest(clocks, *deadline)?.paused_at = Some(e.at);
        }
        EventKind::DeadlineResumed {
            deadline,
            due_at,
            warn_at,
            escalate_at,
            not_before,
        } => {
            let ds = latest(clocks, *deadline)?;
            ds.paused_at = None;
            ds.due_at = *due_at;
            ds.warn_at = *warn_at;
            ds.not_before = *not_before;
            ds.escalate_at.clone_from(escalate_at);
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Apply the clock changes of a migration at `at`.
pub(crate) fn migrate(
    clocks: &mut Vec<DeadlineState>,
    changes: &[ClockMigration],
    at: DateTime<Utc>,
) -> Result<(), String> {
    for c in changes {
        match &c.change {
            ClockChange::Ended { met, margin_secs } => {
                let ds = latest(clocks, c.deadline)?;
                if !ds.is_active() {
                    return Err(format!(
                        "migration ends deadline `{}`, which is not running",
                        c.deadline
                    ));
                }
                ds.paused_at = None;
                ds.stopped = Some(Stopped {
                    at,
                    met: *met,
                    margin_secs: *margin_secs,
                    early: false,
                });
            }
            ClockChange::Retimed {
                due_at,
                warn_at,
                escalate_at,
                not_before,
            } => {
                let ds = latest(clocks, c.deadline)?;
                if !ds.is_active() {
                    return Err(format!(
                        "migration retimes deadline `{}`, which is not running",
                        c.deadline
                    ));
                }
                ds.due_at = *due_at;
                ds.warn_at = *warn_at;
                ds.not_before = *not_before;
                ds.escalated = ds.escalated.min(escalate_at.len());
                ds.escalate_at.clone_from(escalate_at);
            }
            ClockChange::Started {
                due_at,
                warn_at,
                escalate_at,
                not_before,
                paused,
            } => {
                if clocks.iter().any(|d| d.name == c.deadline && d.is_active()) {
                    return Err(format!(
                        "migration starts deadline `{}`, which is running",
                        c.deadline
                    ));
                }
                clocks.push(DeadlineState {
                    name: c.deadline,
                    started_at: at,
                    due_at: *due_at,
                    warn_at: *warn_at,
                    not_before: *not_before,
                    escalate_at: escalate_at.clone(),
                    escalated: 0,
                    warned: false,
                    breached: false,
                    paused_at: paused.then_some(at),
                    stopped: None,
                });
            }
        }
    }
    Ok(())
}
