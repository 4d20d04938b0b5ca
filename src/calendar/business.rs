//! The reference [`Calendar`]: weekly periods, holidays and make-up working days.

use std::collections::BTreeSet;
use std::iter;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{Calendar, CalendarError, CalendarProblem, DaySchedule, WorkingPeriod};

/// The product default offset, UTC+08:00, in minutes.
const DEFAULT_OFFSET_MINUTES: i32 = 8 * 60;

/// The product default offset, UTC+08:00 (evaluated at compile time).
const DEFAULT_OFFSET: FixedOffset = match FixedOffset::east_opt(DEFAULT_OFFSET_MINUTES * 60) {
    Some(offset) => offset,
    None => unreachable!(),
};

/// `h`:00, for compile-time constants.
const fn hour(h: u32) -> NaiveTime {
    match NaiveTime::from_hms_opt(h, 0, 0) {
        Some(time) => time,
        None => unreachable!(),
    }
}

/// The product default working day: 09:00–12:00 and 13:00–18:00.
const DEFAULT_DAY: [WorkingPeriod; 2] = [
    WorkingPeriod::new(hour(9), hour(12)),
    WorkingPeriod::new(hour(13), hour(18)),
];

/// A validated working calendar in a fixed UTC offset.
///
/// A local date is worked with the make-up pattern if it is an extra working
/// day (e.g. a weekend make-up day, 调休), not at all if it is a holiday, and
/// otherwise with its weekday's periods. The make-up pattern defaults to
/// Monday's periods.
///
/// [`Default`] is the product default of `spec README "Working calendar"`:
/// Monday–Friday 09:00–12:00 and 13:00–18:00, UTC+08:00, no holidays.
///
/// Serialized as its [`BusinessCalendarBuilder`] form; deserialization runs
/// [`BusinessCalendarBuilder::build`], so an invalid calendar is rejected.
/// [`periods_on`](Calendar::periods_on) costs O(log h) for h holidays and
/// extra working days.
///
/// ```
/// use aftersales::{BusinessCalendar, WorkingPeriod};
/// use chrono::{NaiveDate, Weekday};
///
/// let national_day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
/// let cal = BusinessCalendar::builder()
///     .offset_hours(8)
///     .weekday(Weekday::Sat, vec![WorkingPeriod::hm(9, 0, 12, 0).unwrap()])
///     .holidays(national_day.iter_days().take(7))
///     .extra_working_day(NaiveDate::from_ymd_opt(2026, 10, 11).unwrap())
///     .build()?;
/// # Ok::<(), aftersales::CalendarError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "BusinessCalendarBuilder", into = "BusinessCalendarBuilder")]
pub struct BusinessCalendar {
    definition: BusinessCalendarBuilder,
    offset: FixedOffset,
}

impl BusinessCalendar {
    /// A builder starting from the product default calendar.
    pub fn builder() -> BusinessCalendarBuilder {
        BusinessCalendarBuilder::default()
    }

    /// A builder holding this calendar's definition, e.g. to add holidays.
    pub fn to_builder(&self) -> BusinessCalendarBuilder {
        self.definition.clone()
    }
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self {
            definition: BusinessCalendarBuilder::default(),
            offset: DEFAULT_OFFSET,
        }
    }
}

impl Calendar for BusinessCalendar {
    fn offset(&self) -> FixedOffset {
        self.offset
    }

    fn periods_on(&self, date: NaiveDate) -> &[WorkingPeriod] {
        let def = &self.definition;
        if def.holidays.contains(&date) {
            &[]
        } else if def.extra_working_days.contains(&date) {
            def.make_up()
        } else {
            &def.week[date.weekday().num_days_from_monday() as usize]
        }
    }
}

impl TryFrom<BusinessCalendarBuilder> for BusinessCalendar {
    type Error = CalendarError;

    fn try_from(builder: BusinessCalendarBuilder) -> Result<Self, Self::Error> {
        builder.build()
    }
}

impl From<BusinessCalendar> for BusinessCalendarBuilder {
    fn from(calendar: BusinessCalendar) -> Self {
        calendar.definition
    }
}

/// An unvalidated [`BusinessCalendar`] definition, and its JSON form.
///
/// Starts from the product default; missing JSON fields keep their default,
/// unknown fields are rejected. Example:
/// `{"utc_offset_minutes": 480, "holidays": ["2027-01-01"]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessCalendarBuilder {
    /// Local time offset from UTC in minutes, within ±1439 (UTC+08:00 = 480).
    utc_offset_minutes: i32,
    /// Working periods per weekday, index 0 = Monday … 6 = Sunday; each list
    /// sorted and non-overlapping.
    week: [Vec<WorkingPeriod>; 7],
    /// Dates without working time.
    holidays: BTreeSet<NaiveDate>,
    /// Dates worked with the make-up pattern, e.g. weekend make-up days (调休).
    extra_working_days: BTreeSet<NaiveDate>,
    /// Working periods of extra working days; absent means Monday's periods.
    #[serde(skip_serializing_if = "Option::is_none")]
    make_up_periods: Option<Vec<WorkingPeriod>>,
}

impl Default for BusinessCalendarBuilder {
    fn default() -> Self {
        Self {
            utc_offset_minutes: DEFAULT_OFFSET_MINUTES,
            week: std::array::from_fn(|i| {
                if i < 5 {
                    DEFAULT_DAY.to_vec()
                } else {
                    Vec::new()
                }
            }),
            holidays: BTreeSet::new(),
            extra_working_days: BTreeSet::new(),
            make_up_periods: None,
        }
    }
}

impl BusinessCalendarBuilder {
    /// Sets the UTC offset in whole hours.
    pub fn offset_hours(self, hours: i32) -> Self {
        self.offset_minutes(hours.saturating_mul(60))
    }

    /// Sets the UTC offset in minutes, e.g. 330 for UTC+05:30.
    pub fn offset_minutes(mut self, minutes: i32) -> Self {
        self.utc_offset_minutes = minutes;
        self
    }

    /// Replaces the working periods of a weekday (empty: not a working weekday).
    pub fn weekday(mut self, day: Weekday, periods: impl Into<Vec<WorkingPeriod>>) -> Self {
        self.week[day.num_days_from_monday() as usize] = periods.into();
        self
    }

    /// Adds a holiday.
    pub fn holiday(self, date: NaiveDate) -> Self {
        self.holidays([date])
    }

    /// Adds holidays.
    pub fn holidays(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.holidays.extend(dates);
        self
    }

    /// Adds an extra working day, worked with the make-up pattern.
    pub fn extra_working_day(self, date: NaiveDate) -> Self {
        self.extra_working_days([date])
    }

    /// Adds extra working days, worked with the make-up pattern.
    pub fn extra_working_days(mut self, dates: impl IntoIterator<Item = NaiveDate>) -> Self {
        self.extra_working_days.extend(dates);
        self
    }

    /// Sets the working periods of extra working days (default: Monday's).
    pub fn make_up_periods(mut self, periods: impl Into<Vec<WorkingPeriod>>) -> Self {
        self.make_up_periods = Some(periods.into());
        self
    }

    /// Validates the definition, reporting every problem at once in
    /// [`CalendarError::Invalid`].
    pub fn build(self) -> Result<BusinessCalendar, CalendarError> {
        let mut problems = Vec::new();
        let weekdays = iter::successors(Some(Weekday::Mon), |day| Some(day.succ()));
        for (day, periods) in weekdays.zip(&self.week) {
            check_periods(DaySchedule::Weekday(day), periods, &mut problems);
        }
        if let Some(periods) = &self.make_up_periods {
            check_periods(DaySchedule::MakeUp, periods, &mut problems);
        }
        problems.extend(
            self.holidays
                .intersection(&self.extra_working_days)
                .map(|&date| CalendarProblem::HolidayAndExtraWorkingDay { date }),
        );
        let has_extra_days = !self.extra_working_days.is_empty();
        let make_up_works = has_working_time(self.make_up());
        if has_extra_days && !make_up_works {
            problems.push(CalendarProblem::EmptyMakeUpPattern);
        }
        let week_works = self.week.iter().any(|day| has_working_time(day));
        if !(week_works || has_extra_days && make_up_works) {
            problems.push(CalendarProblem::NoWorkingTime);
        }
        // `east_opt` accepts exactly the offsets within ±23:59:59.
        let offset = FixedOffset::east_opt(self.utc_offset_minutes.saturating_mul(60));
        if offset.is_none() {
            problems.push(CalendarProblem::OffsetOutOfRange {
                minutes: self.utc_offset_minutes,
            });
        }
        match offset {
            Some(offset) if problems.is_empty() => Ok(BusinessCalendar {
                definition: self,
                offset,
            }),
            _ => Err(CalendarError::Invalid(problems)),
        }
    }

    /// The periods of extra working days.
    fn make_up(&self) -> &[WorkingPeriod] {
        self.make_up_periods.as_deref().unwrap_or(&self.week[0])
    }
}

/// Whether a day's periods contain any working time.
fn has_working_time(periods: &[WorkingPeriod]) -> bool {
    periods.iter().any(|p| p.start < p.end)
}

/// Records invalid, unsorted and overlapping periods of one schedule.
fn check_periods(
    schedule: DaySchedule,
    periods: &[WorkingPeriod],
    problems: &mut Vec<CalendarProblem>,
) {
    for &period in periods.iter().filter(|p| p.start >= p.end) {
        problems.push(CalendarProblem::EmptyPeriod { schedule, period });
    }
    for (&first, &second) in periods.iter().zip(periods.iter().skip(1)) {
        if second.start < first.start {
            problems.push(CalendarProblem::UnsortedPeriods {
                schedule,
                first,
                second,
            });
        } else if second.start < first.end {
            problems.push(CalendarProblem::OverlappingPeriods {
                schedule,
                first,
                second,
            });
        }
    }
}
