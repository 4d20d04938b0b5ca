//! Business-time arithmetic: working calendars and deadline durations.
//!
//! A [`Calendar`] tells which local times are working time; [`BusinessCalendar`]
//! is the reference implementation (weekly periods, holidays, make-up working
//! days). [`Calendar::add`] adds a [`BusinessDuration`] to an instant and
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

mod business;
mod duration;
mod error;
mod period;

use std::fmt;
use std::ops::ControlFlow;

use chrono::{
    DateTime, Days, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc,
};

pub use business::{BusinessCalendar, BusinessCalendarBuilder};
pub use duration::{BusinessDuration, DurationRange};
pub use error::{CalendarError, CalendarProblem, DaySchedule};
pub use period::WorkingPeriod;

/// Searches give up after this many consecutive local days without working
/// time (about ten years) and return [`CalendarError::NoWorkingTime`].
pub const SEARCH_HORIZON_DAYS: u32 = 3660;

/// Which local times are working time: the seam through which a host supplies
/// its own calendar.
///
/// # Contract
///
/// Implementors must guarantee that:
///
/// - [`periods_on`](Calendar::periods_on) is deterministic: the same date gives
///   the same periods for the lifetime of the value, and the same holds for
///   [`offset`](Calendar::offset);
/// - the periods of a date are valid (`start < end`), sorted by start and
///   non-overlapping;
/// - neither method reads the clock, performs I/O or blocks; both are cheap, as
///   they are called once per day scanned.
///
/// The provided methods never panic and never loop unboundedly, even when the
/// contract is broken; their results are then unspecified. Local times use the
/// fixed [`offset`](Calendar::offset), so there is no daylight-saving ambiguity.
///
/// Complexity below counts calls to `periods_on` (whose own cost, e.g. a
/// holiday-set lookup, comes on top): `d` is the number of local days spanned,
/// `p` the number of periods per day. `d` is bounded by the representable date
/// range, so even absurd inputs (e.g. two billion working hours, or the elapsed
/// working time between the first and last representable instants) finish, in
/// seconds; realistic deadlines take well under a microsecond.
pub trait Calendar: Send + Sync + fmt::Debug {
    /// The fixed offset of local time from UTC.
    fn offset(&self) -> FixedOffset;

    /// The working periods of a local date; empty for a non-working day.
    fn periods_on(&self, date: NaiveDate) -> &[WorkingPeriod];

    /// The local date and time of an instant; `None` beyond the representable range.
    fn to_local(&self, t: DateTime<Utc>) -> Option<NaiveDateTime> {
        t.naive_utc().checked_add_offset(self.offset())
    }

    /// The instant of a local date and time; `None` beyond the representable range.
    fn to_utc(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        local.checked_sub_offset(self.offset()).map(|t| t.and_utc())
    }

    /// Whether `t` falls inside a working period. O(p).
    fn is_working_time(&self, t: DateTime<Utc>) -> bool {
        self.to_local(t).is_some_and(|local| {
            self.periods_on(local.date())
                .iter()
                .any(|p| p.contains(local.time()))
        })
    }

    /// The first working instant at or after `t` (`t` itself if it is working time).
    ///
    /// Fails with [`CalendarError::NoWorkingTime`] after [`SEARCH_HORIZON_DAYS`]
    /// days without working time. O(d·p).
    fn next_working_instant(&self, t: DateTime<Utc>) -> Result<DateTime<Utc>, CalendarError> {
        self.to_local(t)
            .and_then(|local| scan(self, local, |start, _| ControlFlow::Break(start)).ok())
            .and_then(|start| self.to_utc(start))
            .ok_or(CalendarError::NoWorkingTime { from: t })
    }

    /// Adds a business duration to `start`, following `spec README "Duration semantics"`:
    ///
    /// - [`WorkingHours`](BusinessDuration::WorkingHours) /
    ///   [`WorkingMinutes`](BusinessDuration::WorkingMinutes): that much working
    ///   time, counted across breaks, weekends and holidays, from the next working
    ///   instant. A result exactly at a period's end stays there (Fri 14:00 +
    ///   4 working hours = Fri 18:00, not Mon 09:00); zero gives the next working
    ///   instant.
    /// - [`WorkingDays`](BusinessDuration::WorkingDays): from the next working
    ///   instant, the same local time of day on the N-th following working day
    ///   (a date with at least one period), never N × 24 h; zero gives the next
    ///   working instant. If that day has shorter hours the result may lie outside
    ///   its periods.
    /// - [`CalendarDays`](BusinessDuration::CalendarDays) /
    ///   [`CalendarMonths`](BusinessDuration::CalendarMonths): the same local time
    ///   N days / months later, the day clamped to the month end (Jan 31 +
    ///   1 month = Feb 28 or 29); [`Hours`](BusinessDuration::Hours): N × 3600 s.
    ///   These ignore working time.
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
        let end = self
            .to_local(start)
            .ok_or(ScanEnd::Overflow)
            .and_then(|local| add_local(self, local, d))
            .and_then(|end| self.to_utc(end).ok_or(ScanEnd::Overflow));
        end.map_err(|e| match e {
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
        // Instants within a day of the representable limits saturate there.
        let limit = if self.offset().local_minus_utc() < 0 {
            NaiveDateTime::MIN
        } else {
            NaiveDateTime::MAX
        };
        let (a, b) = (
            self.to_local(a).unwrap_or(limit),
            self.to_local(b).unwrap_or(limit),
        );
        let mut total = TimeDelta::zero();
        let mut date = a.date();
        while date <= b.date() {
            for p in self.periods_on(date) {
                let (start, end) = (date.and_time(p.start).max(a), date.and_time(p.end).min(b));
                if start < end {
                    // Only periods breaking the contract could overflow.
                    total = total.checked_add(&(end - start)).unwrap_or(TimeDelta::MAX);
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

/// Calls `visit` with each working interval `[start, end)` at or after `from`,
/// in order, until it breaks.
fn scan<C, B>(
    cal: &C,
    from: NaiveDateTime,
    mut visit: impl FnMut(NaiveDateTime, NaiveDateTime) -> ControlFlow<B>,
) -> Result<B, ScanEnd>
where
    C: Calendar + ?Sized,
{
    let mut date = from.date();
    let mut idle_days = 0;
    loop {
        let mut worked = false;
        for p in cal.periods_on(date) {
            let (start, end) = (date.and_time(p.start).max(from), date.and_time(p.end));
            if start < end {
                worked = true;
                if let ControlFlow::Break(found) = visit(start, end) {
                    return Ok(found);
                }
            }
        }
        idle_days = if worked { 0 } else { idle_days + 1 };
        if idle_days >= SEARCH_HORIZON_DAYS {
            return Err(ScanEnd::Horizon);
        }
        date = date.succ_opt().ok_or(ScanEnd::Overflow)?;
    }
}

/// `from` plus `d`, in local time.
fn add_local<C>(cal: &C, from: NaiveDateTime, d: BusinessDuration) -> Result<NaiveDateTime, ScanEnd>
where
    C: Calendar + ?Sized,
{
    use BusinessDuration::*;
    match d {
        WorkingHours(n) => add_working_time(cal, from, TimeDelta::hours(n.into())),
        WorkingMinutes(n) => add_working_time(cal, from, TimeDelta::minutes(n.into())),
        WorkingDays(n) => add_working_days(cal, from, n),
        CalendarDays(n) => from
            .checked_add_days(Days::new(n.into()))
            .ok_or(ScanEnd::Overflow),
        Hours(n) => from
            .checked_add_signed(TimeDelta::hours(n.into()))
            .ok_or(ScanEnd::Overflow),
        CalendarMonths(n) => from
            .checked_add_months(Months::new(n))
            .ok_or(ScanEnd::Overflow),
    }
}

/// `from` plus `amount` of working time, in local time.
fn add_working_time<C>(
    cal: &C,
    from: NaiveDateTime,
    amount: TimeDelta,
) -> Result<NaiveDateTime, ScanEnd>
where
    C: Calendar + ?Sized,
{
    // Working time never passes faster than wall-clock time: fail fast.
    from.checked_add_signed(amount).ok_or(ScanEnd::Overflow)?;
    let mut left = amount;
    scan(cal, from, |start, end| {
        if left <= end - start {
            ControlFlow::Break(start + left)
        } else {
            left -= end - start;
            ControlFlow::Continue(())
        }
    })
}

/// `from` plus `n` working days, in local time.
fn add_working_days<C>(cal: &C, from: NaiveDateTime, n: u32) -> Result<NaiveDateTime, ScanEnd>
where
    C: Calendar + ?Sized,
{
    // Working days never pass faster than calendar days: fail fast.
    from.checked_add_days(Days::new(n.into()))
        .ok_or(ScanEnd::Overflow)?;
    let begin = scan(cal, from, |start, _| ControlFlow::Break(start))?;
    let mut date = begin.date();
    for _ in 0..n {
        let next_day = date
            .succ_opt()
            .ok_or(ScanEnd::Overflow)?
            .and_time(NaiveTime::MIN);
        date = scan(cal, next_day, |start, _| ControlFlow::Break(start.date()))?;
    }
    Ok(date.and_time(begin.time()))
}
