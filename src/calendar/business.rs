//! The reference [`Calendar`]: weekly periods, holidays and make-up working days.

use std::collections::BTreeSet;
use std::iter;

use chrono::{Datelike, FixedOffset, NaiveDate, NaiveTime, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::holidays::{self, Entry};
use super::{
    Calendar, CalendarError, CalendarProblem, DaySchedule, HolidayFileError, WorkingPeriod, Zone,
};

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

/// A validated working calendar in a time zone: a fixed UTC offset, or an
/// IANA zone such as `Europe/Berlin` (feature `tz`, with daylight saving time).
///
/// A local date is worked with the make-up pattern if it is an extra working
/// day (e.g. a weekend make-up day, 调休), not at all if it is a holiday, and
/// otherwise with its weekday's periods. The make-up pattern defaults to
/// Monday's periods. Working periods are local wall-clock times in the zone.
///
/// [`china_standard`](Self::china_standard) (also [`Default`]) is the product
/// default of product decision `PD-CAL` (docs/sources.md): Monday–Friday 09:00–12:00 and
/// 13:00–18:00, fixed UTC+08:00, no holidays;
/// [`asia_shanghai`](Self::asia_shanghai) is the same week in the named zone.
/// No registry applies either silently: the host chooses
/// ([`Registry::with_calendar`](crate::Registry::with_calendar)).
/// A calendar may carry a [`name`](Calendar::name) under which a host
/// registers it.
///
/// Serialized as its [`BusinessCalendarBuilder`] form; deserialization runs
/// [`BusinessCalendarBuilder::build`], so an invalid calendar is rejected.
/// [`periods_on`](Calendar::periods_on) costs O(log h) for h holidays and
/// extra working days.
///
/// ```
/// use aftersales::{BusinessCalendar, BusinessDuration, Calendar, WorkingPeriod};
/// use chrono::{NaiveDate, Weekday};
///
/// let national_day = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
/// let cal = BusinessCalendar::builder()
///     .offset_hours(8)
///     .weekday(Weekday::Sat, vec![WorkingPeriod::hm(9, 0, 12, 0).unwrap()])
///     .holidays(national_day.iter_days().take(7))
///     .extra_working_day(NaiveDate::from_ymd_opt(2026, 10, 11).unwrap())
///     .build()?;
///
/// // A named plant calendar in Berlin, holidays from a plain file.
/// # #[cfg(feature = "tz")] {
/// let berlin = BusinessCalendar::builder()
///     .name("berlin-plant")
///     .zone("Europe/Berlin")
///     .holidays_from_str("2026-12-25\n2026-12-26 # Christmas\n")?
///     .build()?;
/// let local = |d, h| NaiveDate::from_ymd_opt(2026, 12, d)?.and_hms_opt(h, 0, 0);
/// // "当天" / close of business the same day: a report on Thu 24 Dec at 16:00 (CET)
/// // is due at 18:00 that day; "1个工作日内" skips Christmas to Mon 28 Dec, 18:00.
/// let report = berlin.to_utc(local(24, 16).unwrap()).unwrap();
/// let same_day = berlin.add(report, BusinessDuration::SameDayClose)?;
/// assert_eq!(same_day.to_rfc3339(), "2026-12-24T17:00:00+00:00");
/// let one_day = BusinessDuration::working_days_close(1).unwrap();
/// assert_eq!(berlin.to_local(berlin.add(report, one_day)?), local(28, 18));
/// assert_eq!(berlin.name(), Some("berlin-plant"));
/// # }
/// # Ok::<(), aftersales::CalendarError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "BusinessCalendarBuilder", into = "BusinessCalendarBuilder")]
pub struct BusinessCalendar {
    definition: BusinessCalendarBuilder,
    zone: Zone,
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

    /// The product's Chinese working week, Monday–Friday 09:00–12:00 and
    /// 13:00–18:00, at the fixed offset UTC+08:00, without holidays (the same
    /// calendar as [`Default`]): the host's explicit choice when feature `tz` is
    /// off. China has kept UTC+08:00 all year since 1991, so for such dates it
    /// computes the same instants as [`asia_shanghai`](Self::asia_shanghai).
    pub fn china_standard() -> Self {
        Self::default()
    }

    /// The product default week (Monday–Friday 09:00–12:00 and 13:00–18:00)
    /// in the named zone `Asia/Shanghai`, without holidays: the host's explicit
    /// choice of the Chinese default (feature `tz`).
    #[cfg(feature = "tz")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tz")))]
    pub fn asia_shanghai() -> Self {
        let definition = BusinessCalendarBuilder {
            zone: Some("Asia/Shanghai".to_owned()),
            utc_offset_minutes: None,
            ..BusinessCalendarBuilder::default()
        };
        Self {
            definition,
            zone: Zone::Iana(chrono_tz::Asia::Shanghai),
        }
    }
}

impl Default for BusinessCalendar {
    fn default() -> Self {
        Self {
            definition: BusinessCalendarBuilder::default(),
            zone: Zone::Fixed(DEFAULT_OFFSET),
        }
    }
}

impl Calendar for BusinessCalendar {
    fn zone(&self) -> Zone {
        self.zone
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

    fn name(&self) -> Option<&str> {
        self.definition.name.as_deref()
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
/// unknown fields are rejected. The zone is either `utc_offset_minutes` or
/// `zone` (an IANA name), not both; with neither, UTC+08:00. Examples:
/// `{"utc_offset_minutes": 480, "holidays": ["2027-01-01"]}`,
/// `{"name": "berlin-plant", "zone": "Europe/Berlin"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct BusinessCalendarBuilder {
    /// The calendar's name, under which a host registers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// IANA time zone name, e.g. `Asia/Shanghai` (feature `tz`); excludes
    /// `utc_offset_minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zone: Option<String>,
    /// Fixed local time offset from UTC in minutes, within ±1439 (UTC+08:00 =
    /// 480); excludes `zone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    utc_offset_minutes: Option<i32>,
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
            name: None,
            zone: None,
            utc_offset_minutes: Some(DEFAULT_OFFSET_MINUTES),
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
    /// Names the calendar, e.g. `"cn-hq"`; see [`Calendar::name`].
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets an IANA time zone by name, e.g. `"Europe/Berlin"`, replacing any
    /// fixed offset. An unknown name is reported by [`build`](Self::build) as
    /// [`CalendarProblem::UnknownZone`] (without feature `tz`, as
    /// [`CalendarProblem::ZonesDisabled`]).
    pub fn zone(mut self, name: impl Into<String>) -> Self {
        self.zone = Some(name.into());
        self.utc_offset_minutes = None;
        self
    }

    /// Sets a fixed UTC offset in whole hours, replacing any zone.
    pub fn offset_hours(self, hours: i32) -> Self {
        self.offset_minutes(hours.saturating_mul(60))
    }

    /// Sets a fixed UTC offset in minutes, e.g. 330 for UTC+05:30, replacing any zone.
    pub fn offset_minutes(mut self, minutes: i32) -> Self {
        self.utc_offset_minutes = Some(minutes);
        self.zone = None;
        self
    }

    /// Adds the holidays and make-up working days of a plain holiday file.
    ///
    /// One date per line as `YYYY-MM-DD` (a holiday) or `+YYYY-MM-DD` (a
    /// make-up working day, worked with the make-up pattern); the keywords
    /// `holiday DATE` and `work DATE` say the same. `#` starts a comment;
    /// blank lines are skipped. The first malformed line is reported with its
    /// line number; a date that is both is reported by [`build`](Self::build).
    ///
    /// ```
    /// use aftersales::{BusinessCalendar, HolidayFileError};
    ///
    /// let text = "# 2026 National Day\n2026-10-01\nholiday 2026-10-02\n+2026-10-10  # 调休\n";
    /// assert!(BusinessCalendar::builder().holidays_from_str(text).is_ok());
    /// let err = BusinessCalendar::builder().holidays_from_str("2026-10-01\n2026-13-01\n");
    /// assert_eq!(err.unwrap_err().line(), 2);
    /// ```
    pub fn holidays_from_str(mut self, text: &str) -> Result<Self, HolidayFileError> {
        for entry in holidays::parse(text)? {
            match entry {
                Entry::Holiday(date) => self.holidays.insert(date),
                Entry::Work(date) => self.extra_working_days.insert(date),
            };
        }
        Ok(self)
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
    pub fn build(mut self) -> Result<BusinessCalendar, CalendarError> {
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
        let zone = self.resolve_zone(&mut problems);
        match zone {
            Some(zone) if problems.is_empty() => {
                if self.zone.is_none() {
                    self.utc_offset_minutes = Some(self.offset_or_default());
                }
                Ok(BusinessCalendar {
                    definition: self,
                    zone,
                })
            }
            _ => Err(CalendarError::Invalid(problems)),
        }
    }

    /// The fixed offset in minutes, the product default if none is set.
    fn offset_or_default(&self) -> i32 {
        self.utc_offset_minutes.unwrap_or(DEFAULT_OFFSET_MINUTES)
    }

    /// The zone named or the fixed offset given, recording what is wrong with them.
    fn resolve_zone(&self, problems: &mut Vec<CalendarProblem>) -> Option<Zone> {
        let Some(name) = &self.zone else {
            let minutes = self.offset_or_default();
            // `east_opt` accepts exactly the offsets within ±23:59:59.
            let offset = FixedOffset::east_opt(minutes.saturating_mul(60));
            if offset.is_none() {
                problems.push(CalendarProblem::OffsetOutOfRange { minutes });
            }
            return offset.map(Zone::Fixed);
        };
        if let Some(minutes) = self.utc_offset_minutes {
            problems.push(CalendarProblem::ZoneAndOffset {
                zone: name.clone(),
                minutes,
            });
        }
        let zone = Zone::named(name);
        if zone.is_none() {
            problems.push(if cfg!(feature = "tz") {
                CalendarProblem::UnknownZone { name: name.clone() }
            } else {
                CalendarProblem::ZonesDisabled { name: name.clone() }
            });
        }
        zone
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
