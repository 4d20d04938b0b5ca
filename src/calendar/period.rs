//! Working periods: half-open local time ranges within one day.

use std::fmt;

use chrono::NaiveTime;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A half-open range `[start, end)` of local time within one day, e.g. 09:00–12:00.
///
/// A valid period has `start < end`, so a period cannot reach midnight; the
/// latest representable end is 23:59:59.999999999. [`BusinessCalendar`]'s
/// builder rejects invalid periods; [`Calendar`] implementors must only return
/// valid ones.
///
/// [`BusinessCalendar`]: super::BusinessCalendar
/// [`Calendar`]: super::Calendar
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingPeriod {
    /// First working instant of the period (inclusive), local time.
    pub start: NaiveTime,
    /// End of the period (exclusive), local time.
    pub end: NaiveTime,
}

impl WorkingPeriod {
    /// Creates a period; validity (`start < end`) is checked when a calendar is built.
    pub const fn new(start: NaiveTime, end: NaiveTime) -> Self {
        Self { start, end }
    }

    /// Creates a period from whole hours and minutes, e.g. `hm(9, 0, 12, 0)` for
    /// 09:00–12:00; `None` if a time does not exist.
    pub const fn hm(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> Option<Self> {
        match (
            NaiveTime::from_hms_opt(start_h, start_m, 0),
            NaiveTime::from_hms_opt(end_h, end_m, 0),
        ) {
            (Some(start), Some(end)) => Some(Self { start, end }),
            _ => None,
        }
    }

    /// Whether the local time `t` lies in `[start, end)`.
    pub fn contains(&self, t: NaiveTime) -> bool {
        self.start <= t && t < self.end
    }
}

impl fmt::Display for WorkingPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {})", self.start, self.end)
    }
}
