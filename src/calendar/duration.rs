//! Business durations and target/limit ranges.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::CalendarError;

/// A deadline duration, measured in working time or in wall-clock time.
///
/// How each kind is added to an instant is a product decision, see
/// `spec README "Duration semantics"` and [`Calendar::add`](super::Calendar::add):
///
/// - working hours / minutes count only working time;
/// - working days keep the local time of day and count working days;
/// - calendar days, hours and calendar months ignore the working calendar.
///
/// Serialized externally tagged in snake case, e.g. `{"working_hours": 4}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BusinessDuration {
    /// N hours of working time.
    WorkingHours(u32),
    /// N minutes of working time.
    WorkingMinutes(u32),
    /// The same local time of day on the N-th following working day.
    WorkingDays(u32),
    /// The same local time of day N days later.
    CalendarDays(u32),
    /// N × 3600 seconds of wall-clock time.
    Hours(u32),
    /// The same local time of day N months later, the day clamped to the month end.
    CalendarMonths(u32),
}

impl fmt::Display for BusinessDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (n, unit) = match *self {
            Self::WorkingHours(n) => (n, "working hour"),
            Self::WorkingMinutes(n) => (n, "working minute"),
            Self::WorkingDays(n) => (n, "working day"),
            Self::CalendarDays(n) => (n, "calendar day"),
            Self::Hours(n) => (n, "hour"),
            Self::CalendarMonths(n) => (n, "calendar month"),
        };
        write!(f, "{n} {unit}{}", if n == 1 { "" } else { "s" })
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
            | (CalendarMonths(t), CalendarMonths(l)) => t > l,
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
