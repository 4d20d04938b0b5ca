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
    /// A holiday file that could not be read.
    #[error(transparent)]
    HolidayFile(#[from] HolidayFileError),
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
    /// A zone name that is not an IANA time zone name (names are case-sensitive).
    #[error("unknown time zone {name:?} (expected an IANA name such as \"Asia/Shanghai\")")]
    UnknownZone {
        /// The requested name.
        name: String,
    },
    /// A zone name given to a build without feature `tz`.
    #[error("time zone {name:?} needs the crate feature `tz`; use a fixed UTC offset instead")]
    ZonesDisabled {
        /// The requested name.
        name: String,
    },
    /// Both a zone name and a fixed UTC offset are given.
    #[error("both time zone {zone:?} and a UTC offset of {minutes} minutes are given")]
    ZoneAndOffset {
        /// The requested zone name.
        zone: String,
        /// The requested offset in minutes east of UTC.
        minutes: i32,
    },
}

/// Why a holiday file could not be read, with its 1-based line number; see
/// [`BusinessCalendarBuilder::holidays_from_str`](super::BusinessCalendarBuilder::holidays_from_str).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HolidayFileError {
    /// A word that is not a date in the form `YYYY-MM-DD`.
    #[error("line {line}: {text:?} is not a date of the form YYYY-MM-DD")]
    BadDate {
        /// The line number, from 1.
        line: usize,
        /// The offending word.
        text: String,
    },
    /// A keyword other than `holiday` or `work`.
    #[error("line {line}: unknown keyword {keyword:?} (expected `holiday` or `work`)")]
    UnknownKeyword {
        /// The line number, from 1.
        line: usize,
        /// The offending keyword.
        keyword: String,
    },
    /// Text after the date that is not a `#` comment.
    #[error("line {line}: unexpected {text:?} after the date (comments start with #)")]
    TrailingText {
        /// The line number, from 1.
        line: usize,
        /// The unexpected text.
        text: String,
    },
}

impl HolidayFileError {
    /// The 1-based line number of the error.
    pub fn line(&self) -> usize {
        match self {
            Self::BadDate { line, .. }
            | Self::UnknownKeyword { line, .. }
            | Self::TrailingText { line, .. } => *line,
        }
    }
}
