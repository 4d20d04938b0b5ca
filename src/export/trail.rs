//! The audit trail as text: one line per event.

use crate::{Event, EventKind};
use chrono::{FixedOffset, Offset};
use std::fmt;

/// Displays events as an audit trail, one line each: sequence number, local time, who
/// (with role and principal), and what happened.
///
/// ```
/// # use aftersales::*;
/// # use chrono::{FixedOffset, TimeZone, Utc};
/// # use serde_json::json;
/// # let def = Builder::new("t", 1).roles(["clerk"]).start_roles(["clerk"])
/// #     .initial("open").terminal("done")
/// #     .transition("open", "finish", "done", |t| t.roles(["clerk"]))
/// #     .build(&Registry::with_calendar(aftersales::BusinessCalendar::china_standard()))?;
/// let now = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
/// let d = aftersales::start(&def, "T-1".into(), &Actor::new("li", ["clerk"]), json!({}), now)?;
/// let text = Trail::new(&d.events).offset(FixedOffset::east_opt(8 * 3600).unwrap()).to_string();
/// assert!(text.contains("11-20 16:00  li (clerk)"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Trail<'a> {
    events: &'a [Event],
    offset: FixedOffset,
}

impl<'a> Trail<'a> {
    /// A trail of `events`, times in UTC.
    pub fn new(events: &'a [Event]) -> Self {
        Trail {
            events,
            offset: chrono::Utc.fix(),
        }
    }

    /// Show times at this UTC offset (e.g. the business calendar's).
    #[must_use]
    pub fn offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }
}

/// What an event says, in a few words.
fn what(kind: &EventKind, offset: &FixedOffset) -> String {
    match kind {
        EventKind::Created {
            definition,
            state,
            region: None,
            ..
        } => format!("created {definition} in {state}"),
        EventKind::Created {
            definition,
            state,
            region: Some(region),
            ..
        } => format!("created {definition} in {state}, region {region}"),
        EventKind::Transitioned {
            from, to, action, ..
        } if from == to => format!("{action} (in {from})"),
        EventKind::Transitioned {
            from, to, action, ..
        } => format!("{action}: {from} -> {to}"),
        EventKind::Closed { state } => format!("closed in {state}"),
        EventKind::DataChanged { .. } => "data changed".into(),
        EventKind::FormAttached { form, action } => format!("form {} with {action}", form.kind),
        EventKind::Signed {
            action,
            role,
            approved: true,
            ..
        } => format!("signed {action} as {role}"),
        EventKind::Signed {
            action,
            role,
            reason,
            ..
        } => {
            format!(
                "REFUSED to sign {action} as {role}: {}",
                reason.as_deref().unwrap_or("-")
            )
        }
        EventKind::Rejected {
            action,
            rejection,
            repeated,
            ..
        } => {
            let times = repeated.map_or(String::new(), |r| format!(" ({} times)", r.count));
            format!(
                "REJECTED {}{times}: {rejection}",
                action.as_deref().unwrap_or("command")
            )
        }
        EventKind::Commented { text } => format!("comment: {text}"),
        EventKind::DeadlineStarted {
            deadline, due_at, ..
        } => format!(
            "clock {deadline} due {}",
            due_at.with_timezone(offset).format("%m-%d %H:%M")
        ),
        EventKind::DeadlineWarned { deadline } => format!("clock {deadline} WARNING"),
        EventKind::DeadlineBreached { deadline, .. } => format!("clock {deadline} BREACHED"),
        EventKind::Escalated {
            deadline,
            notify,
            reassign_to,
            moved,
            ..
        } => {
            let mut s = format!("ESCALATED {deadline}");
            if !notify.is_empty() {
                s.push_str(&format!(", notify {}", crate::ids::join(notify, ", ")));
            }
            if let Some(r) = reassign_to {
                s.push_str(&format!(", reassigned to {r}"));
            }
            if let Some((f, t)) = moved {
                s.push_str(&format!(", moved {f} -> {t}"));
            }
            s
        }
        EventKind::DeadlineStopped {
            deadline,
            met,
            margin_secs,
            early,
        } => {
            let sign = if *margin_secs < 0 { "-" } else { "" };
            let m = margin_secs.unsigned_abs() / 60;
            let outcome = match (*met, *early) {
                (_, true) => "early",
                (true, false) => "met",
                (false, false) => "missed",
            };
            format!(
                "clock {deadline} {outcome} (margin {sign}{}h{:02}m)",
                m / 60,
                m % 60
            )
        }
        EventKind::DeadlinePaused { deadline } => format!("clock {deadline} paused"),
        EventKind::DeadlineResumed { deadline, .. } => format!("clock {deadline} resumed"),
        EventKind::Overridden {
            from,
            to,
            reason,
            penalty,
        } => format!(
            "OVERRIDE {from} -> {to}: {reason}{}",
            penalty
                .as_ref()
                .map(|p| format!(" (penalty {p})"))
                .unwrap_or_default()
        ),
        EventKind::Migrated {
            from_version,
            to_version,
            from_state,
            to_state,
            plan,
            data,
            clocks,
            sign_offs,
            ..
        } => {
            let mut s = format!(
                "MIGRATED v{from_version} -> v{to_version}: {from_state} -> {to_state} (plan {})",
                &plan.to_string()[..12]
            );
            if data.is_some() {
                s.push_str(", data changed");
            }
            for c in clocks {
                let what = match &c.change {
                    crate::event::ClockChange::Ended { .. } => "ended".to_owned(),
                    crate::event::ClockChange::Retimed { due_at, .. } => {
                        format!("due {}", due_at.with_timezone(offset).format("%m-%d %H:%M"))
                    }
                    crate::event::ClockChange::Started { due_at, .. } => format!(
                        "started, due {}",
                        due_at.with_timezone(offset).format("%m-%d %H:%M")
                    ),
                };
                s.push_str(&format!(", clock {} {what}", c.deadline));
            }
            if *sign_offs == crate::event::SignOffPolicy::Reset {
                s.push_str(", pending sign-offs reset");
            }
            s
        }
    }
}

impl fmt::Display for Trail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in self.events {
            let who = match &e.by {
                Some(b) => format!(
                    "{} ({}){}",
                    b.actor,
                    b.role.as_deref().unwrap_or("-"),
                    b.on_behalf_of
                        .as_ref()
                        .map(|p| format!(" for {p}"))
                        .unwrap_or_default()
                ),
                None => "system".to_owned(),
            };
            let at = e.at.with_timezone(&self.offset).format("%m-%d %H:%M");
            writeln!(
                f,
                "{:>4}  {at}  {who:<40} {}",
                e.seq,
                what(&e.kind, &self.offset)
            )?;
        }
        Ok(())
    }
}
