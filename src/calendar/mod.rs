//! Business-time arithmetic: working calendars and deadline durations.
//!
//! A [`Calendar`] tells which local times are working time, in its [`Zone`]
//! (a fixed UTC offset or, with feature `tz`, an IANA zone with daylight saving
//! time); [`BusinessCalendar`] is the reference implementation (weekly periods,
//! holidays, make-up working days, loadable from a plain holiday file).
//! [`Calendar::add`] adds a [`BusinessDuration`] to an instant and
//! [`Calendar::working_time_between`] measures elapsed working time. The library
//! never reads the clock: every instant is passed in by the host.
//!
//! ```
//! use aftersales::{BusinessCalendar, BusinessDuration, Calendar};
//! use chrono::NaiveDate;
//!
//! // Monday–Friday 09:00–12:00 and 13:00–18:00, UTC+08:00.
//! let cal = BusinessCalendar::default();
//! let local = |d, h| NaiveDate::from_ymd_opt(2026, 3, d)?.and_hms_opt(h, 0, 0);
//! let friday_16 = cal.to_utc(local(6, 16).unwrap()).unwrap();
//!
//! let due = cal.add(friday_16, BusinessDuration::WorkingHours(4))?;
//! assert_eq!(cal.to_local(due), local(9, 11)); // Monday 11:00
//! # Ok::<(), aftersales::CalendarError>(())
//! ```
//!
//! # Durations and the wording they model
//!
//! product decision `PD-DUR` (docs/sources.md); examples on the default calendar
//! (Mon–Fri 09:00–12:00, 13:00–18:00), starting Friday 16:00 unless noted.
//!
//! | variant | wording | due | example |
//! |---|---|---|---|
//! | [`WorkingHours(n)`](BusinessDuration::WorkingHours), [`WorkingMinutes(n)`](BusinessDuration::WorkingMinutes) | N个工作小时 | after n hours / minutes of working time | `WorkingHours(4)` → Mon 11:00 |
//! | [`WorkingDaysClose(n)`](BusinessDuration::WorkingDaysClose), n ≥ 1 | N个工作日内 | close of business of the n-th following working day | `1` → Mon 18:00 |
//! | [`SameDayClose`](BusinessDuration::SameDayClose) | 当天 / 当日 | close of business of the start day (after close / non-working day: the next working day's close) | → Fri 18:00; from Fri 18:00 → Mon 18:00 |
//! | [`CalendarDaysToMidnight(n)`](BusinessDuration::CalendarDaysToMidnight) | N天 | 24:00 local at the end of the n-th following calendar day | `1` → Sat 24:00 |
//! | [`CalendarDaysInclusive(n)`](BusinessDuration::CalendarDaysInclusive), n ≥ 1 | N天, start day = day 1 (RF-PROP (004 L36–73) B/C) | 24:00 local at the end of day n | `2` → Sat 24:00 |
//! | [`WorkingDays(n)`](BusinessDuration::WorkingDays) | same time of day (explicit option) | the start's local time on the n-th following working day | `1` → Mon 16:00 |
//! | [`CalendarDays(n)`](BusinessDuration::CalendarDays) | same time of day (explicit option) | the start's local time n days later | `1` → Sat 16:00 |
//! | [`CalendarMonths(n)`](BusinessDuration::CalendarMonths) | N个月 | the start's local time n months later, day clamped to the month end | `1` → Apr 6 16:00 (from Mar 6) |
//! | [`Hours(n)`](BusinessDuration::Hours), [`Minutes(n)`](BusinessDuration::Minutes), [`Seconds(n)`](BusinessDuration::Seconds) | N小时 / N分钟 / N秒 (round the clock) | n × 3600 / 60 / 1 s of elapsed time | `Minutes(90)` → Fri 17:30 |
//!
//! # Daylight saving time
//!
//! Working periods are local wall-clock times. A period on a day with a
//! transition runs, in real time, from the first instant its start is shown to
//! the last instant its end is shown (a time skipped by a spring-forward gap
//! resolves to the end of the gap), so it counts the real elapsed working time:
//! a 01:00–05:00 night shift in `Europe/Berlin` works 3 h on 2026-03-29 and 5 h
//! on 2026-10-25. Local results (same time of day, 24:00) resolve to their first
//! occurrence, or to the end of a gap.
//!
//! # The boundary rule
//!
//! An action at exactly the due instant is on time ([`is_met`]); a clock is
//! breached only when `now > due` ([`is_breached`]), first at
//! [`breach_instant`]`(due)` = `due + 1ns`. The same rule holds for every
//! instant on a clock (warning, due, escalation rungs): it is handled once it has
//! passed, so whether the host's timer or the action comes first at exactly the
//! due instant does not change the outcome.

mod business;
mod duration;
mod error;
mod holidays;
mod period;
mod zone;

use std::fmt;
use std::ops::ControlFlow;

use chrono::{DateTime, Days, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};

pub use business::{BusinessCalendar, BusinessCalendarBuilder};
pub use duration::{BusinessDuration, DurationRange};
pub use error::{CalendarError, CalendarProblem, DaySchedule, HolidayFileError};
pub use period::WorkingPeriod;
pub use zone::Zone;

/// Searches give up after this many consecutive local days without working
/// time (about ten years) and return [`CalendarError::NoWorkingTime`].
pub const SEARCH_HORIZON_DAYS: u32 = 3660;

/// Whether an action at `acted_at` meets a limit due at `due`: `acted_at <= due`
/// (an action at exactly the due instant is on time).
pub fn is_met(acted_at: DateTime<Utc>, due: DateTime<Utc>) -> bool {
    acted_at <= due
}

/// Whether a clock due at `due` is breached at `now`: `now > due`, so the due
/// instant itself is not yet a breach.
pub fn is_breached(now: DateTime<Utc>, due: DateTime<Utc>) -> bool {
    now > due
}

/// The first instant at which a clock due at `due` is breached: `due + 1ns`, the
/// smallest step of [`DateTime`] (`due` itself at the end of the representable
/// range). This is the instant a host's timer should wake at:
/// `is_breached(breach_instant(due), due)` holds and no earlier instant breaches.
///
/// ```
/// use aftersales::{breach_instant, is_breached, is_met};
/// use chrono::{DateTime, TimeDelta};
///
/// let due = DateTime::from_timestamp(1_772_780_400, 0).unwrap();
/// assert!(is_met(due, due) && !is_breached(due, due));
/// assert_eq!(breach_instant(due), due + TimeDelta::nanoseconds(1));
/// assert!(is_breached(breach_instant(due), due));
/// ```
pub fn breach_instant(due: DateTime<Utc>) -> DateTime<Utc> {
    due.checked_add_signed(TimeDelta::nanoseconds(1))
        .unwrap_or(due)
}

/// Which local times are working time: the seam through which a host supplies
/// its own calendar.
///
/// # Contract
///
/// Implementors must guarantee that:
///
/// - [`periods_on`](Calendar::periods_on) is deterministic: the same date gives
///   the same periods for the lifetime of the value, and the same holds for
///   [`zone`](Calendar::zone);
/// - the periods of a date are valid (`start < end`), sorted by start and
///   non-overlapping;
/// - neither method reads the clock, performs I/O or blocks; both are cheap, as
///   they are called once per day scanned.
///
/// The provided methods never panic and never loop unboundedly, even when the
/// contract is broken; their results are then unspecified. Local times are read
/// in the [`zone`](Calendar::zone); see the module docs for daylight saving time.
///
/// Complexity below counts calls to `periods_on` (whose own cost, e.g. a
/// holiday-set lookup, comes on top): `d` is the number of local days spanned,
/// `p` the number of periods per day. `d` is bounded by the representable date
/// range, so even absurd inputs (e.g. two billion working hours, or the elapsed
/// working time between the first and last representable instants) finish, in
/// seconds; realistic deadlines take well under a microsecond.
pub trait Calendar: Send + Sync + fmt::Debug {
    /// The time zone of local times: a fixed offset or an IANA zone.
    fn zone(&self) -> Zone;

    /// The working periods of a local date; empty for a non-working day.
    fn periods_on(&self, date: NaiveDate) -> &[WorkingPeriod];

    /// The calendar's name, under which a host registers it; `None` by default.
    fn name(&self) -> Option<&str> {
        None
    }

    /// The local date and time of an instant; `None` beyond the representable range.
    fn to_local(&self, t: DateTime<Utc>) -> Option<NaiveDateTime> {
        self.zone().to_local(t)
    }

    /// The instant of a local date and time (its first occurrence; a time in a
    /// daylight-saving gap gives the end of the gap); `None` beyond the
    /// representable range.
    fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.zone().earliest(local)
    }

    /// Whether `t` falls inside a working period. O(p).
    fn is_working_time(&self, t: DateTime<Utc>) -> bool {
        let zone = self.zone();
        zone.to_local(t).is_some_and(|local| {
            let date = local.date();
            [date.pred_opt(), Some(date)]
                .into_iter()
                .flatten()
                .any(|day| day_intervals(self, zone, day).any(|(start, end)| start <= t && t < end))
        })
    }

    /// The first working instant at or after `t` (`t` itself if it is working time).
    ///
    /// Fails with [`CalendarError::NoWorkingTime`] after [`SEARCH_HORIZON_DAYS`]
    /// days without working time. O(d·p).
    fn next_working_instant(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        scan(self, t, |_, start, _| ControlFlow::Break(start))
            .map_err(|_| CalendarError::NoWorkingTime { from: t })
    }

    /// Adds a business duration to `start`, following product decision
    /// `PD-DUR` (docs/sources.md) (the module docs have a table of every kind):
    ///
    /// - [`WorkingHours`](BusinessDuration::WorkingHours) /
    ///   [`WorkingMinutes`](BusinessDuration::WorkingMinutes): that much working
    ///   time, counted across breaks, weekends and holidays, from the next working
    ///   instant. A result exactly at a period's end stays there (Fri 14:00 +
    ///   4 working hours = Fri 18:00, not Mon 09:00); zero gives the next working
    ///   instant.
    /// - [`WorkingDaysClose`](BusinessDuration::WorkingDaysClose) /
    ///   [`SameDayClose`](BusinessDuration::SameDayClose): the end of the last
    ///   period of the working day N working days after the day of the next
    ///   working instant (N = 0 for the same day).
    /// - [`WorkingDays`](BusinessDuration::WorkingDays): from the next working
    ///   instant, the same local time of day on the N-th following working day
    ///   (a date with at least one period), never N × 24 h; zero gives the next
    ///   working instant. If that day has shorter hours the result may lie outside
    ///   its periods.
    /// - [`CalendarDays`](BusinessDuration::CalendarDays) /
    ///   [`CalendarMonths`](BusinessDuration::CalendarMonths): the same local time
    ///   N days / months later, the day clamped to the month end (Jan 31 +
    ///   1 month = Feb 28 or 29);
    ///   [`CalendarDaysToMidnight`](BusinessDuration::CalendarDaysToMidnight) /
    ///   [`CalendarDaysInclusive`](BusinessDuration::CalendarDaysInclusive): 24:00
    ///   local time at the end of a calendar day; [`Hours`](BusinessDuration::Hours),
    ///   [`Minutes`](BusinessDuration::Minutes), [`Seconds`](BusinessDuration::Seconds):
    ///   elapsed time. These ignore working time.
    ///
    /// Errors: [`CalendarError::NoWorkingTime`] after [`SEARCH_HORIZON_DAYS`]
    /// consecutive days without working time, [`CalendarError::OutOfRange`] when
    /// the result is not representable. Complexity: O(1) for wall-clock kinds,
    /// O(d·p) for working kinds.
    fn add(
        &self,
        start: DateTime<Utc>,
        d: BusinessDuration,
    ) -> Result<DateTime<Utc>, CalendarError> {
        add_instant(self, start, d).map_err(|e| match e {
            ScanEnd::Horizon => CalendarError::NoWorkingTime { from: start },
            ScanEnd::Overflow => CalendarError::OutOfRange { start, duration: d },
        })
    }

    /// The working time in `[a, b)`; if `b < a`, the negation of the working
    /// time in `[b, a)`. O(d·p), with no horizon: the span itself bounds the work.
    fn working_time_between(&self, a: DateTime<Utc>, b: DateTime<Utc>) -> TimeDelta {
        if b < a {
            return -self.working_time_between(b, a);
        }
        let zone = self.zone();
        // Instants within a day of the representable limits saturate there.
        let local_date = |t: DateTime<Utc>| match zone.to_local(t) {
            Some(local) => local.date(),
            None if t < DateTime::UNIX_EPOCH => NaiveDate::MIN,
            None => NaiveDate::MAX,
        };
        let (first, last) = (local_date(a), local_date(b));
        let mut total = TimeDelta::zero();
        let mut cursor = a;
        let mut date = first.pred_opt().unwrap_or(first);
        while date <= last {
            for (start, end) in day_intervals(self, zone, date) {
                let (start, end) = (start.max(cursor), end.min(b));
                if start < end {
                    // Only periods breaking the contract could overflow.
                    total = total.checked_add(&(end - start)).unwrap_or(TimeDelta::MAX);
                    cursor = end;
                }
            }
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        total
    }
}

/// Why a [`scan`] stopped without a result.
enum ScanEnd {
    /// [`SEARCH_HORIZON_DAYS`] consecutive days without working time.
    Horizon,
    /// The end of the representable date range.
    Overflow,
}

/// The working periods of a local date as instants: each from the first
/// occurrence of its start to the last occurrence of its end (a time skipped by
/// a gap: the end of the gap). Periods not representable are left out.
fn day_intervals<'a, C>(
    cal: &'a C,
    zone: Zone,
    date: NaiveDate,
) -> impl Iterator<Item = (DateTime<Utc>, DateTime<Utc>)> + 'a
where
    C: Calendar + ?Sized,
{
    cal.periods_on(date).iter().filter_map(move |p| {
        let start = zone.earliest(date.and_time(p.start))?;
        let end = zone.latest(date.and_time(p.end))?;
        Some((start, end))
    })
}

/// Calls `visit` with each working interval `[start, end)` at or after `from`,
/// in order and without overlaps, with the local date of its period, until it
/// breaks.
fn scan<C, B>(
    cal: &C,
    from: DateTime<Utc>,
    mut visit: impl FnMut(NaiveDate, DateTime<Utc>, DateTime<Utc>) -> ControlFlow<B>,
) -> Result<B, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let zone = cal.zone();
    let local = zone.to_local(from).ok_or(ScanEnd::Overflow)?.date();
    // The day before too: around a transition its last period may reach past midnight.
    let mut date = local.pred_opt().unwrap_or(local);
    let mut cursor = from;
    let mut idle_days = 0;
    loop {
        let mut worked = false;
        for (start, end) in day_intervals(cal, zone, date) {
            let start = start.max(cursor);
            if start < end {
                worked = true;
                if let ControlFlow::Break(found) = visit(date, start, end) {
                    return Ok(found);
                }
                cursor = end;
            }
        }
        idle_days = if worked || date < local {
            0
        } else {
            idle_days + 1
        };
        if idle_days >= SEARCH_HORIZON_DAYS {
            return Err(ScanEnd::Horizon);
        }
        date = date.succ_opt().ok_or(ScanEnd::Overflow)?;
    }
}

/// `from` plus `d`.
fn add_instant<C>(
    cal: &C,
    from: DateTime<Utc>,
    d: BusinessDuration,
) -> Result<DateTime<Utc>, ScanEnd>
where
    C: Calendar + ?Sized,
{
    use BusinessDuration::*;
    let elapsed = |delta: TimeDelta| from.checked_add_signed(delta).ok_or(ScanEnd::Overflow);
    match d {
        WorkingHours(n) => add_working_time(cal, from, TimeDelta::hours(n.into())),
        WorkingMinutes(n) => add_working_time(cal, from, TimeDelta::minutes(n.into())),
        WorkingDays(n) => add_working_days(cal, from, n),
        WorkingDaysClose(n) => close_of_working_day(cal, from, n.get()),
        SameDayClose => close_of_working_day(cal, from, 0),
        Hours(n) => elapsed(TimeDelta::hours(n.into())),
        Minutes(n) => elapsed(TimeDelta::minutes(n.into())),
        Seconds(n) => elapsed(TimeDelta::seconds(n.into())),
        CalendarDays(n) => add_local(cal, from, |t| t.checked_add_days(Days::new(n.into()))),
        CalendarMonths(n) => add_local(cal, from, |t| t.checked_add_months(Months::new(n))),
        CalendarDaysToMidnight(n) => add_local(cal, from, |t| midnight_after(t, n)),
        CalendarDaysInclusive(n) => add_local(cal, from, |t| midnight_after(t, n.get() - 1)),
    }
}

/// 24:00 at the end of the `n`-th day after the date of `t`.
fn midnight_after(t: NaiveDateTime, n: u32) -> Option<NaiveDateTime> {
    let days = Days::new(u64::from(n) + 1);
    Some(t.date().checked_add_days(days)?.and_time(NaiveTime::MIN))
}

/// `f` applied to the local time of `from`, back as an instant.
fn add_local<C>(
    cal: &C,
    from: DateTime<Utc>,
    f: impl FnOnce(NaiveDateTime) -> Option<NaiveDateTime>,
) -> Result<DateTime<Utc>, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let zone = cal.zone();
    zone.to_local(from)
        .and_then(f)
        .and_then(|t| zone.earliest(t))
        .ok_or(ScanEnd::Overflow)
}

/// `from` plus `amount` of working time.
fn add_working_time<C>(
    cal: &C,
    from: DateTime<Utc>,
    amount: TimeDelta,
) -> Result<DateTime<Utc>, ScanEnd>
where
    C: Calendar + ?Sized,
{
    // Working time never passes faster than wall-clock time: fail fast.
    from.checked_add_signed(amount).ok_or(ScanEnd::Overflow)?;
    let mut left = amount;
    scan(cal, from, |_, start, end| {
        if left <= end - start {
            ControlFlow::Break(start + left)
        } else {
            left -= end - start;
            ControlFlow::Continue(())
        }
    })
}

/// The first working date after `date`.
fn next_working_date<C>(cal: &C, date: NaiveDate) -> Result<NaiveDate, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let mut date = date;
    for _ in 0..SEARCH_HORIZON_DAYS {
        date = date.succ_opt().ok_or(ScanEnd::Overflow)?;
        if cal.periods_on(date).iter().any(|p| p.start < p.end) {
            return Ok(date);
        }
    }
    Err(ScanEnd::Horizon)
}

/// The date of the next working instant at or after `from`, that instant, and
/// the `n`-th working date after that date.
fn nth_working_date<C>(
    cal: &C,
    from: DateTime<Utc>,
    n: u32,
) -> Result<(DateTime<Utc>, NaiveDate), ScanEnd>
where
    C: Calendar + ?Sized,
{
    // Working days never pass faster than calendar days: fail fast.
    from.checked_add_days(Days::new(n.into()))
        .ok_or(ScanEnd::Overflow)?;
    let (mut date, begin) = scan(cal, from, |date, start, _| {
        ControlFlow::Break((date, start))
    })?;
    for _ in 0..n {
        date = next_working_date(cal, date)?;
    }
    Ok((begin, date))
}

/// `from` plus `n` working days, at the same local time of day.
fn add_working_days<C>(cal: &C, from: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let (begin, date) = nth_working_date(cal, from, n)?;
    if n == 0 {
        return Ok(begin);
    }
    let zone = cal.zone();
    let time = zone.to_local(begin).ok_or(ScanEnd::Overflow)?.time();
    zone.earliest(date.and_time(time)).ok_or(ScanEnd::Overflow)
}

/// The close of business of the `n`-th working day after the day of the next
/// working instant at or after `from`.
fn close_of_working_day<C>(cal: &C, from: DateTime<Utc>, n: u32) -> Result<DateTime<Utc>, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let (_, date) = nth_working_date(cal, from, n)?;
    let close = cal.periods_on(date).iter().map(|p| p.end).max();
    close
        .and_then(|end| cal.zone().latest(date.and_time(end)))
        .ok_or(ScanEnd::Overflow)
}
