//! Business durations and target/limit ranges.

use std::fmt;
use std::num::NonZeroU32;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// A deadline duration, measured in working time, in working or calendar
/// days ending at a close of day, or in wall-clock time.
///
/// How each kind is added to an instant is a product decision, see
/// product decision `PD-DUR` (docs/sources.md) and [`Calendar::add`](super::Calendar::add).
/// The module table lists the wording each kind models. Whole-day limits of
/// the documents end at the **close of a day** (`working_days_close`,
/// `same_day_close`, `calendar_days_to_midnight`, `calendar_days_inclusive`);
/// the same-time-of-day readings (`working_days`, `calendar_days`) stay
/// available as explicit options.
///
/// Serialized externally tagged in snake case, e.g. `{"working_hours": 4}`,
/// `{"working_days_close": 1}` or, for the one unit variant, `"same_day_close"`.
/// Counts that must be at least 1 are non-zero integers: a zero is rejected
/// when deserializing and cannot be constructed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BusinessDuration {
    /// N hours of working time ("N个工作小时"), exact to the second.
    WorkingHours(u32),
    /// N minutes of working time.
    WorkingMinutes(u32),
    /// The **same local time of day** on the N-th following working day, from
    /// the next working instant: the explicit same-time-of-day option. The
    /// documents' "N个工作日内" is `working_days_close`.
    WorkingDays(u32),
    /// The same local time of day N days later.
    CalendarDays(u32),
    /// N × 3600 seconds of wall-clock time.
    Hours(u32),
    /// The same local time of day N months later, the day clamped to the month end.
    CalendarMonths(u32),
    /// "N个工作日内" (within N working days): the close of business of the N-th
    /// working day following the day the clock starts; a start outside working
    /// time counts as the start of the next working period (a Friday 16:00
    /// report + 1 = Monday's close).
    WorkingDaysClose(NonZeroU32),
    /// "当天 / 当日" (the same day): the close of business of the day the clock
    /// starts; a start at or after that day's close, or on a non-working day,
    /// moves to the next working day's close.
    SameDayClose,
    /// "N天" (N calendar days): 24:00 local time at the end of the N-th
    /// calendar day following the start day (0: the end of the start day).
    /// Ignores the working calendar.
    CalendarDaysToMidnight(u32),
    /// "N天" counting the start day as day 1 (RF-PROP (004 L36–73): class B "2天" = 24:00 at
    /// the end of the next calendar day): 24:00 local time at the end of day N.
    /// Ignores the working calendar.
    CalendarDaysInclusive(NonZeroU32),
    /// N minutes of wall-clock time, round the clock.
    Minutes(u32),
    /// N seconds of wall-clock time, round the clock.
    Seconds(u32),
}

impl BusinessDuration {
    /// [`WorkingDaysClose`](Self::WorkingDaysClose) of `n` working days; `None` for zero.
    pub const fn working_days_close(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self::WorkingDaysClose(n)),
            None => None,
        }
    }

    /// "Within `n` working days" read as the documents do: the close of business of the
    /// `n`-th working day ([`WorkingDaysClose`](Self::WorkingDaysClose)); `0` is the close
    /// of the start day ([`SameDayClose`](Self::SameDayClose)). Total, for configuration
    /// counts.
    pub const fn close_of_working_day(n: u32) -> Self {
        match NonZeroU32::new(n) {
            Some(n) => Self::WorkingDaysClose(n),
            None => Self::SameDayClose,
        }
    }

    /// "`n` days" counting the start day as day 1: 24:00 local at the end of day `n`
    /// ([`CalendarDaysInclusive`](Self::CalendarDaysInclusive)); `0` is the end of the
    /// start day ([`CalendarDaysToMidnight`](Self::CalendarDaysToMidnight)`(0)`). Total,
    /// for configuration counts.
    pub const fn calendar_days_counting_start(n: u32) -> Self {
        match NonZeroU32::new(n) {
            Some(n) => Self::CalendarDaysInclusive(n),
            None => Self::CalendarDaysToMidnight(0),
        }
    }

    /// [`CalendarDaysInclusive`](Self::CalendarDaysInclusive) of `n` days; `None` for zero.
    pub const fn calendar_days_inclusive(n: u32) -> Option<Self> {
        match NonZeroU32::new(n) {
            Some(n) => Some(Self::CalendarDaysInclusive(n)),
            None => None,
        }
    }
}

impl fmt::Display for BusinessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit, tail) = match *self {
            Self::WorkingHours(n) => (n, "working hour", ""),
            Self::WorkingMinutes(n) => (n, "working minute", ""),
            Self::WorkingDays(n) => (n, "working day", ""),
            Self::CalendarDays(n) => (n, "calendar day", ""),
            Self::Hours(n) => (n, "hour", ""),
            Self::CalendarMonths(n) => (n, "calendar month", ""),
            Self::WorkingDaysClose(n) => (n.get(), "working day", " to close of business"),
            Self::SameDayClose => return f.write_str("close of business the same day"),
            Self::CalendarDaysToMidnight(n) => (n, "calendar day", " to midnight"),
            Self::CalendarDaysInclusive(n) => {
                (n.get(), "calendar day", " to midnight, start day counted")
            }
            Self::Minutes(n) => (n, "minute", ""),
            Self::Seconds(n) => (n, "second", ""),
        };
        write!(f, "{n} {unit}{}{tail}", if n == 1 { "" } else { "s" })
    }
}

/// A target duration and a hard limit, e.g. "15–30 working days".
///
/// When both are of the same kind the target never exceeds the limit; ranges
/// mixing kinds (e.g. 24 hours target, 3 working days limit) are not compared.
/// Deserialization validates the same way as [`DurationRange::new`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "RawDurationRange")]
pub struct DurationRange {
    /// The duration the work should be done in.
    target: BusinessDuration,
    /// The duration the work must be done in.
    limit: BusinessDuration,
}

impl DurationRange {
    /// Creates a range, rejecting a target larger than a limit of the same kind
    /// with [`CalendarError::InvalidRange`].
    pub fn new(target: BusinessDuration, limit: BusinessDuration) -> Result<Self, CalendarError> {
        use BusinessDuration::*;
        let exceeds = match (target, limit) {
            (WorkingHours(t), WorkingHours(l))
            | (WorkingMinutes(t), WorkingMinutes(l))
            | (WorkingDays(t), WorkingDays(l))
            | (CalendarDays(t), CalendarDays(l))
            | (Hours(t), Hours(l))
            | (CalendarMonths(t), CalendarMonths(l))
            | (CalendarDaysToMidnight(t), CalendarDaysToMidnight(l))
            | (Minutes(t), Minutes(l))
            | (Seconds(t), Seconds(l)) => t > l,
            (WorkingDaysClose(t), WorkingDaysClose(l))
            | (CalendarDaysInclusive(t), CalendarDaysInclusive(l)) => t > l,
            _ => false,
        };
        if exceeds {
            Err(CalendarError::InvalidRange { target, limit })
        } else {
            Ok(Self { target, limit })
        }
    }

    /// The duration the work should be done in.
    pub const fn target(&self) -> BusinessDuration {
        self.target
    }

    /// The duration the work must be done in.
    pub const fn limit(&self) -> BusinessDuration {
        self.limit
    }
}

impl fmt::Display for DurationRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "target {}, limit {}", self.target, self.limit)
    }
}

/// Unvalidated wire form of [`DurationRange`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "DurationRange")]
struct RawDurationRange {
    /// The duration the work should be done in.
    target: BusinessDuration,
    /// The duration the work must be done in.
    limit: BusinessDuration,
}

impl TryFrom<RawDurationRange> for DurationRange {
    type Error = CalendarError;

    fn try_from(raw: RawDurationRange) -> Result<Self, Self::Error> {
        Self::new(raw.target, raw.limit)
    }
}
