//! Calendar errors and calendar validation problems.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc, Weekday};

use super::{BusinessDuration, SEARCH_HORIZON_DAYS, WorkingPeriod};

/// Why a calendar operation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The search met [`SEARCH_HORIZON_DAYS`] consecutive days without working
    /// time, or the end of the representable date range.
    #[error("searching from {from}: no working time in {SEARCH_HORIZON_DAYS} consecutive days")]
    NoWorkingTime {
        /// The instant the search started from.
        from: DateTime<Utc>,
    },
    /// The result is outside the range of representable instants.
    #[error("{start} + {duration} is out of the representable range")]
    OutOfRange {
        /// The instant the duration was added to.
        start: DateTime<Utc>,
        /// The duration that was added.
        duration: BusinessDuration,
    },
    /// The calendar definition is invalid; every problem found is listed.
    #[error("invalid calendar: {}", join(.0))]
    Invalid(Vec<CalendarProblem>),
    /// A [`DurationRange`](super::DurationRange) whose target exceeds its limit.
    #[error("duration range target {target} exceeds its limit {limit}")]
    InvalidRange {
        /// The requested target.
        target: BusinessDuration,
        /// The requested limit.
        limit: BusinessDuration,
    },
}

fn join(problems: &[CalendarProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Which set of working periods a [`CalendarProblem`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DaySchedule {
    /// The periods of a regular weekday.
    Weekday(Weekday),
    /// The make-up pattern used on extra working days.
    MakeUp,
}

impl fmt::Display for DaySchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Weekday(day) => write!(f, "{day}"),
            Self::MakeUp => f.write_str("make-up days"),
        }
    }
}

/// One defect of a calendar definition, reported by
/// [`BusinessCalendarBuilder::build`](super::BusinessCalendarBuilder::build).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarProblem {
    /// A period whose start is not before its end.
    #[error("{schedule}: period {period} does not start before it ends")]
    EmptyPeriod {
        /// Where the period is defined.
        schedule: DaySchedule,
        /// The offending period.
        period: WorkingPeriod,
    },
    /// A period that starts before the previous one.
    #[error("{schedule}: period {second} starts before {first}; periods must be sorted")]
    UnsortedPeriods {
        /// Where the periods are defined.
        schedule: DaySchedule,
        /// The earlier-listed period.
        first: WorkingPeriod,
        /// The later-listed period, which starts first.
        second: WorkingPeriod,
    },
    /// A period that starts before the previous one ends.
    #[error("{schedule}: period {second} overlaps {first}")]
    OverlappingPeriods {
        /// Where the periods are defined.
        schedule: DaySchedule,
        /// The earlier period.
        first: WorkingPeriod,
        /// The period starting inside `first`.
        second: WorkingPeriod,
    },
    /// A date listed both as holiday and as extra working day.
    #[error("{date} is both a holiday and an extra working day")]
    HolidayAndExtraWorkingDay {
        /// The conflicting date.
        date: NaiveDate,
    },
    /// Extra working days are listed but the make-up pattern has no periods.
    #[error("extra working days are listed but the make-up pattern has no working periods")]
    EmptyMakeUpPattern,
    /// Neither a weekday nor the extra working days have working time.
    #[error("the calendar has no working time on any weekday or extra working day")]
    NoWorkingTime,
    /// A UTC offset outside ±23:59.
    #[error("UTC offset of {minutes} minutes is outside ±23:59")]
    OffsetOutOfRange {
        /// The requested offset in minutes east of UTC.
        minutes: i32,
    },
}
