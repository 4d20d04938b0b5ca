//! Anchored deadlines: the instant a deadline is measured from, read from the instance data
//! or a form, and measuring forwards or backwards from it.

use crate::calendar::{BusinessDuration, Calendar};
use crate::definition::{AnchorSource, Definition};
use crate::ids::Name;
use crate::instance::Instance;
use crate::rejection::Rejection;
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

fn uncomputable(deadline: Name, reason: String) -> Rejection {
    Rejection::DeadlineUncomputable { deadline, reason }
}

/// The instant at `at`: an RFC 3339 date-time, or a date read as the start of that day in the
/// definition's calendar.
pub(crate) fn instant(
    def: &Definition,
    deadline: Name,
    at: &AnchorSource,
    inst: &Instance,
) -> Result<DateTime<Utc>, Rejection> {
    let (value, whence) = match at {
        AnchorSource::ClockStart { deadlines } => {
            return deadlines
                .iter()
                .filter_map(|name| inst.clock(name.as_str()).map(|c| c.started_at))
                .max()
                .ok_or_else(|| {
                    uncomputable(
                        deadline,
                        format!("no clock of {} has started", deadlines.join(", ")),
                    )
                });
        }
        AnchorSource::Data { pointer } => (inst.data().pointer(pointer), format!("data {pointer}")),
        AnchorSource::Form { form, pointer } => (
            inst.latest_form(form.as_str())
                .and_then(|b| b.pointer(pointer)),
            format!("form `{form}` {pointer}"),
        ),
    };
    let text = value
        .and_then(|v| v.as_str())
        .ok_or_else(|| uncomputable(deadline, format!("no date at {whence}")))?;
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| uncomputable(deadline, format!("`{text}` at {whence} is not a date")))?;
    def.deadline_calendar(deadline)?
        .to_utc(day.and_time(chrono::NaiveTime::MIN))
        .ok_or_else(|| uncomputable(deadline, format!("`{text}` is out of range")))
}

/// `base` plus `d` in the calendar, or, `before`, minus `d` in wall-clock time (`build()`
/// allows only wall-clock and calendar-day durations backwards).
pub(crate) fn measure(
    cal: &dyn Calendar,
    deadline: Name,
    base: DateTime<Utc>,
    d: BusinessDuration,
    before: bool,
) -> Result<DateTime<Utc>, Rejection> {
    if !before {
        return cal
            .add(base, d)
            .map_err(|e| uncomputable(deadline, e.to_string()));
    }
    let back = match d {
        BusinessDuration::Hours(n) => TimeDelta::hours(i64::from(n)),
        BusinessDuration::Minutes(n) => TimeDelta::minutes(i64::from(n)),
        BusinessDuration::Seconds(n) => TimeDelta::seconds(i64::from(n)),
        BusinessDuration::CalendarDays(n) => TimeDelta::days(i64::from(n)),
        other => {
            return Err(uncomputable(
                deadline,
                format!("{other} cannot be counted backwards"),
            ));
        }
    };
    base.checked_sub_signed(back)
        .ok_or_else(|| uncomputable(deadline, "the instant is out of range".into()))
}
