//! Integration tests of business-time arithmetic.
#![cfg(feature = "procedures")]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on bad fixtures; clippy.toml covers only #[test] fns"
)]

use aftersales::{
    BusinessCalendar, BusinessDuration, Calendar, CalendarError, CalendarProblem, DaySchedule,
    DurationRange, HolidayFileError, WorkingPeriod, Zone,
};
use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeDelta, Utc, Weekday};
use proptest::prelude::*;

use BusinessDuration::{
    CalendarDays, CalendarDaysToMidnight, CalendarMonths, Hours, Minutes, SameDayClose, Seconds,
    WorkingDays, WorkingHours, WorkingMinutes,
};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The instant of local time `s` ("YYYY-MM-DD HH:MM") in `cal`'s offset.
fn at(cal: &impl Calendar, s: &str) -> DateTime<Utc> {
    let local = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    cal.to_utc(local).unwrap()
}

/// `t` as local time of `cal`, "YYYY-MM-DD HH:MM Ddd".
fn show(cal: &impl Calendar, t: DateTime<Utc>) -> String {
    cal.to_local(t)
        .unwrap()
        .format("%Y-%m-%d %H:%M %a")
        .to_string()
}

fn period(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> WorkingPeriod {
    WorkingPeriod::hm(start_h, start_m, end_h, end_m).unwrap()
}

/// The default calendar plus National Day 2026 (Oct 1–7), New Year 2027 and
/// the make-up Saturday 2026-10-10.
fn cn_2026() -> BusinessCalendar {
    BusinessCalendar::builder()
        .holidays(date("2026-10-01").iter_days().take(7))
        .holiday(date("2027-01-01"))
        .extra_working_day(date("2026-10-10"))
        .build()
        .unwrap()
}

struct AddCase {
    name: &'static str,
    start: &'static str,
    duration: BusinessDuration,
    expected: &'static str,
}

fn check_add(cal: &impl Calendar, cases: &[AddCase]) {
    for case in cases {
        let got = cal.add(at(cal, case.start), case.duration).unwrap();
        assert_eq!(
            got,
            at(cal, case.expected),
            "{}: {} + {} gave {}",
            case.name,
            case.start,
            case.duration,
            show(cal, got)
        );
    }
}

#[test]
fn add_on_default_calendar() {
    #[rustfmt::skip]
    const CASES: &[AddCase] = &[
        AddCase { name: "friday afternoon into monday", start: "2026-03-06 16:00", duration: WorkingHours(4), expected: "2026-03-09 11:00" },
        AddCase { name: "start in lunch break", start: "2026-03-04 12:30", duration: WorkingHours(1), expected: "2026-03-04 14:00" },
        AddCase { name: "start before opening", start: "2026-03-04 07:00", duration: WorkingHours(1), expected: "2026-03-04 10:00" },
        AddCase { name: "start exactly at closing", start: "2026-03-04 18:00", duration: WorkingHours(1), expected: "2026-03-05 10:00" },
        AddCase { name: "end exactly at closing stays friday", start: "2026-03-06 14:00", duration: WorkingHours(4), expected: "2026-03-06 18:00" },
        AddCase { name: "end exactly at lunch", start: "2026-03-04 11:00", duration: WorkingHours(1), expected: "2026-03-04 12:00" },
        AddCase { name: "minutes across lunch", start: "2026-03-04 11:45", duration: WorkingMinutes(30), expected: "2026-03-04 13:15" },
        AddCase { name: "full working week", start: "2026-03-02 09:00", duration: WorkingHours(40), expected: "2026-03-06 18:00" },
        AddCase { name: "zero hours moves to working time", start: "2026-03-07 10:00", duration: WorkingHours(0), expected: "2026-03-09 09:00" },
        AddCase { name: "one working day over weekend", start: "2026-03-06 10:00", duration: WorkingDays(1), expected: "2026-03-09 10:00" },
        AddCase { name: "24 hours over weekend", start: "2026-03-06 10:00", duration: Hours(24), expected: "2026-03-07 10:00" },
        AddCase { name: "one calendar day over weekend", start: "2026-03-06 10:00", duration: CalendarDays(1), expected: "2026-03-07 10:00" },
        AddCase { name: "working day from saturday", start: "2026-03-07 10:00", duration: WorkingDays(1), expected: "2026-03-10 09:00" },
        AddCase { name: "working day from lunch break", start: "2026-03-04 12:30", duration: WorkingDays(1), expected: "2026-03-05 13:00" },
        AddCase { name: "zero working days from saturday", start: "2026-03-07 10:00", duration: WorkingDays(0), expected: "2026-03-09 09:00" },
        AddCase { name: "fifteen working days", start: "2026-03-02 10:00", duration: WorkingDays(15), expected: "2026-03-23 10:00" },
        AddCase { name: "month into leap day", start: "2028-01-31 10:00", duration: CalendarMonths(1), expected: "2028-02-29 10:00" },
        AddCase { name: "month clamped to february 28", start: "2027-01-31 10:00", duration: CalendarMonths(1), expected: "2027-02-28 10:00" },
        AddCase { name: "year from leap day", start: "2028-02-29 10:00", duration: CalendarMonths(12), expected: "2029-02-28 10:00" },
        AddCase { name: "months keep weekend time", start: "2026-03-07 23:30", duration: CalendarMonths(2), expected: "2026-05-07 23:30" },
        AddCase { name: "hours ignore working time", start: "2026-03-07 23:30", duration: Hours(1), expected: "2026-03-08 00:30" },
    ];
    check_add(&BusinessCalendar::default(), CASES);
}

#[test]
fn add_across_holidays_and_make_up_days() {
    #[rustfmt::skip]
    const CASES: &[AddCase] = &[
        AddCase { name: "national day skipped", start: "2026-09-30 17:00", duration: WorkingHours(2), expected: "2026-10-08 10:00" },
        AddCase { name: "make-up saturday counted", start: "2026-10-09 17:00", duration: WorkingHours(2), expected: "2026-10-10 10:00" },
        AddCase { name: "working day over national day", start: "2026-09-30 10:00", duration: WorkingDays(1), expected: "2026-10-08 10:00" },
        AddCase { name: "working days into make-up saturday", start: "2026-09-30 10:00", duration: WorkingDays(3), expected: "2026-10-10 10:00" },
        AddCase { name: "start on holiday", start: "2026-10-03 10:00", duration: WorkingHours(1), expected: "2026-10-08 10:00" },
        AddCase { name: "calendar days ignore holidays", start: "2026-09-30 10:00", duration: CalendarDays(2), expected: "2026-10-02 10:00" },
        AddCase { name: "across new year (thursday to monday)", start: "2026-12-31 16:00", duration: WorkingHours(4), expected: "2027-01-04 11:00" },
    ];
    check_add(&cn_2026(), CASES);
}

#[test]
fn add_in_other_offsets() {
    let cal = BusinessCalendar::builder()
        .offset_minutes(-330)
        .build()
        .unwrap();
    let start = at(&cal, "2026-03-06 16:00");
    assert_eq!(
        start,
        "2026-03-06T21:30:00Z".parse::<DateTime<Utc>>().unwrap()
    );
    assert_eq!(
        cal.add(start, WorkingHours(4)).unwrap(),
        at(&cal, "2026-03-09 11:00")
    );
    assert_eq!(
        cal.zone(),
        Zone::Fixed(FixedOffset::west_opt(330 * 60).unwrap())
    );
    assert_eq!(cal.zone().to_string(), "-05:30");
}

#[test]
fn working_time_between() {
    struct Case {
        name: &'static str,
        from: &'static str,
        to: &'static str,
        minutes: i64,
    }
    #[rustfmt::skip]
    const CASES: &[Case] = &[
        Case { name: "over a weekend", from: "2026-03-06 17:00", to: "2026-03-09 10:00", minutes: 120 },
        Case { name: "over lunch", from: "2026-03-04 11:00", to: "2026-03-04 14:00", minutes: 120 },
        Case { name: "inside lunch", from: "2026-03-04 12:10", to: "2026-03-04 12:50", minutes: 0 },
        Case { name: "negative order", from: "2026-03-09 10:00", to: "2026-03-06 17:00", minutes: -120 },
        Case { name: "empty", from: "2026-03-04 10:00", to: "2026-03-04 10:00", minutes: 0 },
        Case { name: "over national day", from: "2026-09-30 09:00", to: "2026-10-08 18:00", minutes: 16 * 60 },
        Case { name: "make-up saturday", from: "2026-10-10 00:00", to: "2026-10-11 00:00", minutes: 8 * 60 },
        Case { name: "whole year 2026 minus holidays", from: "2026-01-01 00:00", to: "2027-01-01 00:00", minutes: (261 - 5 + 1) * 8 * 60 },
    ];
    let cal = cn_2026();
    for case in CASES {
        let got = cal.working_time_between(at(&cal, case.from), at(&cal, case.to));
        assert_eq!(got, TimeDelta::minutes(case.minutes), "{}", case.name);
    }
}

#[test]
fn working_time_queries() {
    let cal = cn_2026();
    let cases = [
        (
            "monday morning",
            "2026-03-09 09:00",
            true,
            "2026-03-09 09:00",
        ),
        ("lunch", "2026-03-09 12:00", false, "2026-03-09 13:00"),
        ("closing", "2026-03-09 18:00", false, "2026-03-10 09:00"),
        ("holiday", "2026-10-05 10:00", false, "2026-10-08 09:00"),
        (
            "make-up saturday",
            "2026-10-10 11:59",
            true,
            "2026-10-10 11:59",
        ),
        (
            "normal saturday",
            "2026-10-17 10:00",
            false,
            "2026-10-19 09:00",
        ),
    ];
    for (name, t, working, next) in cases {
        assert_eq!(cal.is_working_time(at(&cal, t)), working, "{name}");
        assert_eq!(
            cal.next_working_instant(at(&cal, t)).unwrap(),
            at(&cal, next),
            "{name}"
        );
    }
}

/// A host calendar without any working time.
#[derive(Debug)]
struct NeverWorks;

impl Calendar for NeverWorks {
    fn zone(&self) -> Zone {
        Zone::UTC
    }

    fn periods_on(&self, _: NaiveDate) -> &[WorkingPeriod] {
        &[]
    }
}

#[test]
fn calendar_without_working_time_fails_instead_of_hanging() {
    let cal: &dyn Calendar = &NeverWorks;
    let from = at(&NeverWorks, "2026-03-06 16:00");
    for duration in [
        WorkingHours(1),
        WorkingMinutes(0),
        WorkingDays(1),
        WorkingDays(0),
    ] {
        assert_eq!(
            cal.add(from, duration),
            Err(CalendarError::NoWorkingTime { from }),
            "{duration}"
        );
    }
    assert_eq!(
        cal.next_working_instant(from),
        Err(CalendarError::NoWorkingTime { from })
    );
    assert!(!cal.is_working_time(from));
    assert_eq!(
        cal.working_time_between(from, at(&NeverWorks, "2030-01-01 00:00")),
        TimeDelta::zero()
    );
    assert_eq!(
        cal.add(from, CalendarDays(1)).unwrap(),
        at(&NeverWorks, "2026-03-07 16:00")
    );

    let err = BusinessCalendar::builder()
        .weekday(Weekday::Mon, Vec::new())
        .weekday(Weekday::Tue, Vec::new())
        .weekday(Weekday::Wed, Vec::new())
        .weekday(Weekday::Thu, Vec::new())
        .weekday(Weekday::Fri, Vec::new())
        .build()
        .unwrap_err();
    assert_eq!(
        err,
        CalendarError::Invalid(vec![CalendarProblem::NoWorkingTime])
    );
}

#[test]
fn extreme_instants_give_errors_not_panics() {
    let cal = BusinessCalendar::default();
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    let start = at(&cal, "2026-03-06 16:00");
    let out_of_range = |start, duration| Err(CalendarError::OutOfRange { start, duration });
    for duration in [
        WorkingHours(u32::MAX),
        WorkingDays(u32::MAX),
        CalendarDays(u32::MAX),
        CalendarMonths(u32::MAX),
    ] {
        assert_eq!(
            cal.add(start, duration),
            out_of_range(start, duration),
            "{duration}"
        );
    }
    assert_eq!(cal.add(max, Hours(1)), out_of_range(max, Hours(1)));
    assert_eq!(
        cal.add(max, WorkingHours(0)),
        out_of_range(max, WorkingHours(0))
    );
    assert_eq!(
        cal.next_working_instant(max),
        Err(CalendarError::NoWorkingTime { from: max })
    );
    assert!(!cal.is_working_time(max));
    assert!(cal.next_working_instant(min).is_ok());
    let near_max = max - TimeDelta::days(20);
    assert!(cal.working_time_between(near_max, max) > TimeDelta::zero());
    assert_eq!(
        cal.working_time_between(max, near_max),
        -cal.working_time_between(near_max, max)
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let holiday = date("2026-10-10");
    let err = BusinessCalendar::builder()
        .offset_hours(24)
        .weekday(
            Weekday::Mon,
            vec![period(9, 0, 12, 0), period(11, 0, 13, 0)],
        )
        .weekday(
            Weekday::Tue,
            vec![period(13, 0, 18, 0), period(9, 0, 12, 0)],
        )
        .weekday(Weekday::Wed, vec![period(12, 0, 9, 0)])
        .make_up_periods(vec![period(9, 0, 9, 0)])
        .holiday(holiday)
        .extra_working_day(holiday)
        .build()
        .unwrap_err();
    let monday = DaySchedule::Weekday(Weekday::Mon);
    let expected = vec![
        CalendarProblem::OverlappingPeriods {
            schedule: monday,
            first: period(9, 0, 12, 0),
            second: period(11, 0, 13, 0),
        },
        CalendarProblem::UnsortedPeriods {
            schedule: DaySchedule::Weekday(Weekday::Tue),
            first: period(13, 0, 18, 0),
            second: period(9, 0, 12, 0),
        },
        CalendarProblem::EmptyPeriod {
            schedule: DaySchedule::Weekday(Weekday::Wed),
            period: period(12, 0, 9, 0),
        },
        CalendarProblem::EmptyPeriod {
            schedule: DaySchedule::MakeUp,
            period: period(9, 0, 9, 0),
        },
        CalendarProblem::HolidayAndExtraWorkingDay { date: holiday },
        CalendarProblem::EmptyMakeUpPattern,
        CalendarProblem::OffsetOutOfRange { minutes: 24 * 60 },
    ];
    assert_eq!(err, CalendarError::Invalid(expected));
    let message = err.to_string();
    for part in [
        "Mon: period",
        "Tue: period",
        "make-up days",
        "2026-10-10",
        "outside ±23:59",
    ] {
        assert!(message.contains(part), "{part:?} missing in {message}");
    }

    let no_work = BusinessCalendar::builder()
        .offset_hours(i32::MIN)
        .weekday(Weekday::Mon, Vec::new())
        .make_up_periods(Vec::new())
        .extra_working_day(holiday)
        .weekday(Weekday::Tue, Vec::new())
        .weekday(Weekday::Wed, Vec::new())
        .weekday(Weekday::Thu, Vec::new())
        .weekday(Weekday::Fri, vec![period(9, 0, 9, 0)])
        .build()
        .unwrap_err();
    let expected = vec![
        CalendarProblem::EmptyPeriod {
            schedule: DaySchedule::Weekday(Weekday::Fri),
            period: period(9, 0, 9, 0),
        },
        CalendarProblem::EmptyMakeUpPattern,
        CalendarProblem::NoWorkingTime,
        CalendarProblem::OffsetOutOfRange { minutes: i32::MIN },
    ];
    assert_eq!(no_work, CalendarError::Invalid(expected));
}

#[test]
fn valid_edge_definitions_build() {
    let cases = [
        (
            "touching periods",
            BusinessCalendar::builder().weekday(
                Weekday::Mon,
                vec![period(9, 0, 12, 0), period(12, 0, 13, 0)],
            ),
        ),
        (
            "largest offsets",
            BusinessCalendar::builder().offset_minutes(1439),
        ),
        (
            "smallest offset",
            BusinessCalendar::builder().offset_minutes(-1439),
        ),
        (
            "only extra working days",
            BusinessCalendar::builder()
                .weekday(Weekday::Mon, Vec::new())
                .weekday(Weekday::Tue, Vec::new())
                .weekday(Weekday::Wed, Vec::new())
                .weekday(Weekday::Thu, Vec::new())
                .weekday(Weekday::Fri, Vec::new())
                .make_up_periods(vec![period(0, 0, 23, 59)])
                .extra_working_day(date("2026-01-01")),
        ),
    ];
    for (name, builder) in cases {
        assert!(builder.build().is_ok(), "{name}");
    }
}

#[test]
fn json_round_trip() {
    let cal = BusinessCalendar::builder()
        .offset_minutes(330)
        .weekday(Weekday::Sat, vec![period(9, 0, 12, 30)])
        .make_up_periods(vec![period(10, 0, 16, 0)])
        .holidays(date("2026-10-01").iter_days().take(7))
        .extra_working_day(date("2026-10-11"))
        .build()
        .unwrap();
    let json = serde_json::to_string(&cal).unwrap();
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).unwrap(),
        cal
    );
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&serde_json::to_string(&cn_2026()).unwrap())
            .unwrap(),
        cn_2026()
    );

    assert_eq!(
        serde_json::from_str::<BusinessCalendar>("{}").unwrap(),
        BusinessCalendar::default()
    );
    let partial: BusinessCalendar =
        serde_json::from_str(r#"{"holidays": ["2027-01-01"]}"#).unwrap();
    assert_eq!(
        partial,
        BusinessCalendar::builder()
            .holiday(date("2027-01-01"))
            .build()
            .unwrap()
    );

    let schema = serde_json::to_string(&schemars::schema_for!(BusinessCalendar)).unwrap();
    assert!(schema.contains("utc_offset_minutes"), "{schema}");
}

#[test]
fn malformed_or_invalid_json_is_an_error() {
    #[rustfmt::skip]
    const CASES: &[(&str, &str, &str)] = &[
        ("truncated", "{", "EOF"),
        ("not an object", "42", "invalid type"),
        ("unknown field", r#"{"timezone": "Asia/Shanghai"}"#, "unknown field"),
        ("week not an array", r#"{"week": 5}"#, "invalid type"),
        ("six weekdays", r#"{"week": [[], [], [], [], [], []]}"#, "invalid length"),
        ("bad time", r#"{"make_up_periods": [{"start": "25:00", "end": "26:00"}]}"#, "input"),
        ("bad date", r#"{"holidays": ["2026-02-30"]}"#, "input"),
        ("offset too large", r#"{"utc_offset_minutes": 1440}"#, "outside ±23:59"),
        ("reversed period", r#"{"week": [[{"start": "12:00:00", "end": "09:00:00"}], [], [], [], [], [], []]}"#, "does not start before"),
        ("holiday worked", r#"{"holidays": ["2026-10-10"], "extra_working_days": ["2026-10-10"]}"#, "both a holiday"),
    ];
    for (name, json, message) in CASES {
        let err = serde_json::from_str::<BusinessCalendar>(json)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(message),
            "{name}: {err:?} should mention {message:?}"
        );
    }
}

#[test]
fn durations_display_serialize_and_range() {
    let cases = [
        (WorkingHours(4), "4 working hours", r#"{"working_hours":4}"#),
        (
            WorkingMinutes(1),
            "1 working minute",
            r#"{"working_minutes":1}"#,
        ),
        (WorkingDays(15), "15 working days", r#"{"working_days":15}"#),
        (CalendarDays(0), "0 calendar days", r#"{"calendar_days":0}"#),
        (Hours(24), "24 hours", r#"{"hours":24}"#),
        (
            CalendarMonths(1),
            "1 calendar month",
            r#"{"calendar_months":1}"#,
        ),
    ];
    for (duration, text, json) in cases {
        assert_eq!(duration.to_string(), text);
        assert_eq!(serde_json::to_string(&duration).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<BusinessDuration>(json).unwrap(),
            duration
        );
    }

    let range = DurationRange::new(WorkingDays(15), WorkingDays(30)).unwrap();
    assert_eq!(
        (range.target(), range.limit()),
        (WorkingDays(15), WorkingDays(30))
    );
    assert_eq!(
        range.to_string(),
        "target 15 working days, limit 30 working days"
    );
    let json = r#"{"target":{"working_days":15},"limit":{"working_days":30}}"#;
    assert_eq!(serde_json::to_string(&range).unwrap(), json);
    assert_eq!(serde_json::from_str::<DurationRange>(json).unwrap(), range);
    assert!(DurationRange::new(WorkingDays(5), WorkingDays(5)).is_ok());
    assert!(
        DurationRange::new(Hours(48), WorkingDays(1)).is_ok(),
        "different kinds are not compared"
    );
    assert_eq!(
        DurationRange::new(WorkingDays(30), WorkingDays(15)),
        Err(CalendarError::InvalidRange {
            target: WorkingDays(30),
            limit: WorkingDays(15)
        })
    );
    let reversed = r#"{"target":{"working_days":30},"limit":{"working_days":15}}"#;
    let err = serde_json::from_str::<DurationRange>(reversed)
        .unwrap_err()
        .to_string();
    assert!(err.contains("exceeds its limit"), "{err}");
}

/// Default week plus Saturday mornings, yearly holidays (Jan 1–3, Oct 1–7) and
/// make-up days (Sep 27, Oct 10) for 1999–2101.
fn property_calendar() -> BusinessCalendar {
    let ymd = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    let years = 1999..=2101;
    BusinessCalendar::builder()
        .weekday(Weekday::Sat, vec![period(9, 0, 12, 0)])
        .holidays(years.clone().flat_map(|y| ymd(y, 1, 1).iter_days().take(3)))
        .holidays(
            years
                .clone()
                .flat_map(|y| ymd(y, 10, 1).iter_days().take(7)),
        )
        .extra_working_days(years.flat_map(|y| [ymd(y, 9, 27), ymd(y, 10, 10)]))
        .build()
        .unwrap()
}

fn instant() -> impl Strategy<Value = DateTime<Utc>> {
    let (from, to) = (946_684_800_i64, 4_133_980_799_i64); // 2000-01-01 .. 2100-12-31
    (from..=to).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap())
}

/// Seconds in a (non-leap) year.
const YEAR: i64 = 365 * 24 * 3600;

fn working_amount() -> impl Strategy<Value = (BusinessDuration, TimeDelta)> {
    prop_oneof![
        (0..2000_u32).prop_map(|n| (WorkingHours(n), TimeDelta::hours(n.into()))),
        (0..2000_u32).prop_map(|n| (WorkingMinutes(n), TimeDelta::minutes(n.into()))),
    ]
}

proptest! {
    #[test]
    fn adding_working_time_is_measured_back(a in instant(), (duration, amount) in working_amount()) {
        let cal = property_calendar();
        let end = cal.add(a, duration).unwrap();
        prop_assert!(end >= a);
        prop_assert_eq!(cal.working_time_between(a, end), amount);
        if amount > TimeDelta::zero() {
            let local = cal.to_local(end).unwrap();
            let at_period_end = cal.periods_on(local.date()).iter().any(|p| p.end == local.time());
            prop_assert!(cal.is_working_time(end) || at_period_end, "{} ends at {}", duration, local);
        }
    }

    #[test]
    fn adding_working_hours_is_monotonic(a in instant(), n in 0..2000_u32) {
        let cal = property_calendar();
        prop_assert!(cal.add(a, WorkingHours(n)).unwrap() <= cal.add(a, WorkingHours(n + 1)).unwrap());
        prop_assert!(cal.add(a, WorkingMinutes(n)).unwrap() < cal.add(a, WorkingMinutes(n + 1)).unwrap());
    }

    #[test]
    fn working_days_land_on_working_days(a in instant(), n in 0..400_u32) {
        let cal = property_calendar();
        let begin = cal.next_working_instant(a).unwrap();
        let end = cal.add(a, WorkingDays(n)).unwrap();
        let (begin_local, end_local) = (cal.to_local(begin).unwrap(), cal.to_local(end).unwrap());
        prop_assert!(!cal.periods_on(end_local.date()).is_empty());
        prop_assert_eq!(end_local.time(), begin_local.time());
        if n == 0 {
            prop_assert_eq!(end, begin);
        } else {
            prop_assert!(end > a);
            prop_assert!(end >= cal.add(a, WorkingDays(n - 1)).unwrap() + TimeDelta::days(1));
        }
    }

    #[test]
    fn elapsed_working_time_is_additive(a in instant(), db in -YEAR..YEAR, dc in -YEAR..YEAR) {
        let cal = property_calendar();
        let (b, c) = (a + TimeDelta::seconds(db), a + TimeDelta::seconds(dc));
        let between = |x, y| cal.working_time_between(x, y);
        prop_assert_eq!(between(a, b) + between(b, c), between(a, c));
        prop_assert_eq!(between(a, b), -between(b, a));
    }
}

const fn close(n: u32) -> BusinessDuration {
    BusinessDuration::working_days_close(n).unwrap()
}

const fn inclusive(n: u32) -> BusinessDuration {
    BusinessDuration::calendar_days_inclusive(n).unwrap()
}

#[test]
fn close_of_working_day() {
    #[rustfmt::skip]
    const CASES: &[AddCase] = &[
        // "N个工作日内": close of business of the N-th following working day.
        AddCase { name: "friday report, 1 working day: monday close", start: "2026-03-06 16:00", duration: close(1), expected: "2026-03-09 18:00" },
        AddCase { name: "at exact close counts from the next working day", start: "2026-03-06 18:00", duration: close(1), expected: "2026-03-10 18:00" },
        AddCase { name: "a minute before close counts the day", start: "2026-03-06 17:59", duration: close(1), expected: "2026-03-09 18:00" },
        AddCase { name: "saturday start counts from monday", start: "2026-03-07 10:00", duration: close(1), expected: "2026-03-10 18:00" },
        AddCase { name: "before opening", start: "2026-03-04 07:00", duration: close(1), expected: "2026-03-05 18:00" },
        AddCase { name: "lunch break", start: "2026-03-04 12:30", duration: close(1), expected: "2026-03-05 18:00" },
        AddCase { name: "three working days over a weekend", start: "2026-03-04 17:59", duration: close(3), expected: "2026-03-09 18:00" },
        AddCase { name: "fifteen working days", start: "2026-03-02 10:00", duration: close(15), expected: "2026-03-23 18:00" },
        AddCase { name: "over national day", start: "2026-09-30 10:00", duration: close(1), expected: "2026-10-08 18:00" },
        AddCase { name: "start on a holiday", start: "2026-10-03 10:00", duration: close(1), expected: "2026-10-09 18:00" },
        AddCase { name: "into the make-up saturday", start: "2026-10-08 10:00", duration: close(2), expected: "2026-10-10 18:00" },
        AddCase { name: "start on the make-up saturday", start: "2026-10-10 10:00", duration: close(1), expected: "2026-10-12 18:00" },
        AddCase { name: "over new year", start: "2026-12-31 16:00", duration: close(1), expected: "2027-01-04 18:00" },
        AddCase { name: "at exact close before a holiday", start: "2026-09-30 18:00", duration: close(1), expected: "2026-10-09 18:00" },
        AddCase { name: "the make-up saturday's close counts from monday", start: "2026-10-10 18:00", duration: close(1), expected: "2026-10-13 18:00" },
        // "当天 / 当日": close of business of the start day.
        AddCase { name: "same day", start: "2026-03-06 16:00", duration: SameDayClose, expected: "2026-03-06 18:00" },
        AddCase { name: "same day before opening", start: "2026-03-04 07:00", duration: SameDayClose, expected: "2026-03-04 18:00" },
        AddCase { name: "same day in lunch", start: "2026-03-04 12:30", duration: SameDayClose, expected: "2026-03-04 18:00" },
        AddCase { name: "same day at exact close moves on", start: "2026-03-06 18:00", duration: SameDayClose, expected: "2026-03-09 18:00" },
        AddCase { name: "same day after close moves on", start: "2026-03-04 21:00", duration: SameDayClose, expected: "2026-03-05 18:00" },
        AddCase { name: "same day from saturday", start: "2026-03-07 10:00", duration: SameDayClose, expected: "2026-03-09 18:00" },
        AddCase { name: "same day from a holiday", start: "2026-10-03 10:00", duration: SameDayClose, expected: "2026-10-08 18:00" },
        AddCase { name: "same day on the make-up saturday", start: "2026-10-10 10:00", duration: SameDayClose, expected: "2026-10-10 18:00" },
        AddCase { name: "friday evening: the make-up saturday", start: "2026-10-09 19:00", duration: SameDayClose, expected: "2026-10-10 18:00" },
    ];
    check_add(&cn_2026(), CASES);
}

#[test]
fn calendar_days_to_midnight_and_wall_clock() {
    #[rustfmt::skip]
    const CASES: &[AddCase] = &[
        // "N天": 24:00 local at the end of the N-th following day.
        AddCase { name: "end of the next day", start: "2026-03-06 16:00", duration: CalendarDaysToMidnight(1), expected: "2026-03-08 00:00" },
        AddCase { name: "end of the start day", start: "2026-03-06 16:00", duration: CalendarDaysToMidnight(0), expected: "2026-03-07 00:00" },
        AddCase { name: "from midnight", start: "2026-03-06 00:00", duration: CalendarDaysToMidnight(1), expected: "2026-03-08 00:00" },
        AddCase { name: "ignores holidays", start: "2026-09-30 10:00", duration: CalendarDaysToMidnight(2), expected: "2026-10-03 00:00" },
        AddCase { name: "over a month end", start: "2026-02-28 23:59", duration: CalendarDaysToMidnight(1), expected: "2026-03-02 00:00" },
        // RF-PROP (004 L36–73): A 当天 = close of business; B 2天 / C 3天 count the complaint day as day 1.
        AddCase { name: "D2 class A", start: "2026-03-06 16:00", duration: SameDayClose, expected: "2026-03-06 18:00" },
        AddCase { name: "D2 class B", start: "2026-03-06 16:00", duration: inclusive(2), expected: "2026-03-08 00:00" },
        AddCase { name: "D2 class C", start: "2026-03-06 16:00", duration: inclusive(3), expected: "2026-03-09 00:00" },
        AddCase { name: "one day inclusive: end of the start day", start: "2026-03-06 23:59", duration: inclusive(1), expected: "2026-03-07 00:00" },
        AddCase { name: "inclusive ignores holidays", start: "2026-10-01 08:00", duration: inclusive(7), expected: "2026-10-08 00:00" },
        AddCase { name: "inclusive from midnight", start: "2026-03-06 00:00", duration: inclusive(2), expected: "2026-03-08 00:00" },
        AddCase { name: "inclusive from the make-up saturday", start: "2026-10-10 10:00", duration: inclusive(3), expected: "2026-10-13 00:00" },
        // Wall-clock minutes round the clock.
        AddCase { name: "minutes", start: "2026-03-06 16:00", duration: Minutes(90), expected: "2026-03-06 17:30" },
        AddCase { name: "minutes over midnight on a weekend", start: "2026-03-07 23:30", duration: Minutes(45), expected: "2026-03-08 00:15" },
        AddCase { name: "seconds", start: "2026-03-07 23:30", duration: Seconds(1800), expected: "2026-03-08 00:00" },
    ];
    check_add(&cn_2026(), CASES);
    let cal = BusinessCalendar::default();
    let start = at(&cal, "2026-03-06 16:00");
    assert_eq!(
        cal.add(start, Seconds(59)).unwrap(),
        start + TimeDelta::seconds(59)
    );
    assert_eq!(cal.add(start, Minutes(0)).unwrap(), start);
}

#[test]
fn close_of_day_edges() {
    let cal = cn_2026();
    let max = DateTime::<Utc>::MAX_UTC;
    for duration in [
        close(1),
        SameDayClose,
        CalendarDaysToMidnight(0),
        Minutes(1),
    ] {
        assert_eq!(
            cal.add(max, duration),
            Err(CalendarError::OutOfRange {
                start: max,
                duration
            }),
            "{duration}"
        );
    }
    let start = at(&cal, "2026-03-06 16:00");
    assert!(matches!(
        cal.add(start, close(u32::MAX)),
        Err(CalendarError::OutOfRange { .. })
    ));
    let from = at(&NeverWorks, "2026-03-06 16:00");
    for duration in [close(1), SameDayClose] {
        assert_eq!(
            NeverWorks.add(from, duration),
            Err(CalendarError::NoWorkingTime { from })
        );
    }
    assert_eq!(
        NeverWorks.add(from, inclusive(2)).unwrap(),
        at(&NeverWorks, "2026-03-08 00:00")
    );
    // Close of business is never before the same time of day.
    for n in 1..30 {
        assert!(cal.add(start, close(n)).unwrap() >= cal.add(start, WorkingDays(n)).unwrap());
    }
}

#[test]
fn boundary_rule() {
    let due = "2026-03-06T10:00:00Z".parse::<DateTime<Utc>>().unwrap();
    let tick = TimeDelta::nanoseconds(1);
    assert!(aftersales::is_met(due, due));
    assert!(aftersales::is_met(due - tick, due));
    assert!(!aftersales::is_met(due + tick, due));
    assert!(!aftersales::is_breached(due, due));
    assert!(aftersales::is_breached(due + tick, due));
    // The first instant a breach is real, where a host's timer wakes.
    assert_eq!(aftersales::breach_instant(due), due + tick);
    assert_eq!(
        aftersales::breach_instant(DateTime::<Utc>::MAX_UTC),
        DateTime::<Utc>::MAX_UTC
    );
}

#[test]
fn configuration_counts_map_to_close_of_day_readings() {
    // Total for counts read from configuration: 0 is the start day itself.
    assert_eq!(BusinessDuration::close_of_working_day(0), SameDayClose);
    assert_eq!(BusinessDuration::close_of_working_day(3), close(3));
    assert_eq!(
        BusinessDuration::calendar_days_counting_start(0),
        CalendarDaysToMidnight(0)
    );
    assert_eq!(
        BusinessDuration::calendar_days_counting_start(2),
        inclusive(2)
    );
}

#[test]
fn new_durations_display_serialize_and_range() {
    let cases = [
        (
            close(1),
            "1 working day to close of business",
            r#"{"working_days_close":1}"#,
        ),
        (
            SameDayClose,
            "close of business the same day",
            r#""same_day_close""#,
        ),
        (
            CalendarDaysToMidnight(2),
            "2 calendar days to midnight",
            r#"{"calendar_days_to_midnight":2}"#,
        ),
        (
            inclusive(3),
            "3 calendar days to midnight, start day counted",
            r#"{"calendar_days_inclusive":3}"#,
        ),
        (Minutes(5), "5 minutes", r#"{"minutes":5}"#),
        (Seconds(1), "1 second", r#"{"seconds":1}"#),
    ];
    for (duration, text, json) in cases {
        assert_eq!(duration.to_string(), text);
        assert_eq!(serde_json::to_string(&duration).unwrap(), json);
        assert_eq!(
            serde_json::from_str::<BusinessDuration>(json).unwrap(),
            duration
        );
    }
    for zero in [
        r#"{"working_days_close":0}"#,
        r#"{"calendar_days_inclusive":0}"#,
    ] {
        let err = serde_json::from_str::<BusinessDuration>(zero).unwrap_err();
        assert!(err.to_string().contains("nonzero"), "{zero}: {err}");
    }
    assert_eq!(BusinessDuration::working_days_close(0), None);
    assert_eq!(BusinessDuration::calendar_days_inclusive(0), None);
    assert!(DurationRange::new(close(1), close(3)).is_ok());
    assert_eq!(
        DurationRange::new(close(3), close(1)),
        Err(CalendarError::InvalidRange {
            target: close(3),
            limit: close(1)
        })
    );
    assert!(DurationRange::new(Minutes(10), Minutes(5)).is_err());
    assert!(DurationRange::new(Seconds(10), Seconds(5)).is_err());
    assert!(DurationRange::new(CalendarDaysToMidnight(3), CalendarDaysToMidnight(2)).is_err());
    assert!(DurationRange::new(inclusive(3), inclusive(2)).is_err());
    assert!(DurationRange::new(SameDayClose, close(1)).is_ok());
}

#[test]
fn holiday_file() {
    let text = "\
# China 2026, National Day
2026-10-01
holiday 2026-10-02   # keyword form
  2026-10-03\t
+2026-10-10          # 调休 make-up saturday
work 2026-10-11

";
    let cal = BusinessCalendar::builder()
        .holidays_from_str(text)
        .unwrap()
        .build()
        .unwrap();
    let expected = BusinessCalendar::builder()
        .holidays(date("2026-10-01").iter_days().take(3))
        .extra_working_days([date("2026-10-10"), date("2026-10-11")])
        .build()
        .unwrap();
    assert_eq!(cal, expected);
    assert!(cal.periods_on(date("2026-10-02")).is_empty());
    assert_eq!(cal.periods_on(date("2026-10-11")).len(), 2);
    assert!(
        BusinessCalendar::builder()
            .holidays_from_str("")
            .unwrap()
            .build()
            .is_ok()
    );

    #[rustfmt::skip]
    let cases = [
        ("2026-10-01\n2026-10-32\n", HolidayFileError::BadDate { line: 2, text: "2026-10-32".into() }),
        ("2026-1-1", HolidayFileError::BadDate { line: 1, text: "2026-1-1".into() }),
        ("# c\n\n2026/10/01", HolidayFileError::BadDate { line: 3, text: "2026/10/01".into() }),
        ("+", HolidayFileError::BadDate { line: 1, text: String::new() }),
        ("work", HolidayFileError::BadDate { line: 1, text: String::new() }),
        ("work +2026-10-10", HolidayFileError::BadDate { line: 1, text: "+2026-10-10".into() }),
        ("holliday 2026-10-01", HolidayFileError::UnknownKeyword { line: 1, keyword: "holliday".into() }),
        ("补班 2026-10-10", HolidayFileError::UnknownKeyword { line: 1, keyword: "补班".into() }),
        ("2026-10-01\n2026-10-01 2026-10-02", HolidayFileError::TrailingText { line: 2, text: "2026-10-02".into() }),
        ("2026-10-01 National Day", HolidayFileError::TrailingText { line: 1, text: "National".into() }),
    ];
    for (text, expected) in cases {
        let err = BusinessCalendar::builder()
            .holidays_from_str(text)
            .unwrap_err();
        assert_eq!(err, expected, "{text:?}");
        assert_eq!(err.line(), expected.line());
        assert!(
            err.to_string()
                .starts_with(&format!("line {}:", expected.line())),
            "{err}"
        );
    }

    // Both a holiday and a make-up day: reported by build, like the builder methods.
    let both = BusinessCalendar::builder()
        .holidays_from_str("2026-10-10\n+2026-10-10\n")
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!(
        both,
        CalendarError::Invalid(vec![CalendarProblem::HolidayAndExtraWorkingDay {
            date: date("2026-10-10")
        }])
    );
    // `?` turns a file error into a calendar error.
    let load = || -> Result<BusinessCalendar, CalendarError> {
        BusinessCalendar::builder().holidays_from_str("x")?.build()
    };
    assert!(matches!(load(), Err(CalendarError::HolidayFile(_))));
}

#[test]
fn named_calendars() {
    let cal = BusinessCalendar::builder().name("cn-hq").build().unwrap();
    assert_eq!(cal.name(), Some("cn-hq"));
    assert_eq!(BusinessCalendar::default().name(), None);
    assert_eq!(NeverWorks.name(), None);
    let json = serde_json::to_string(&cal).unwrap();
    assert!(
        json.starts_with(r#"{"name":"cn-hq","utc_offset_minutes":480,"#),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).unwrap(),
        cal
    );
    assert!(
        !serde_json::to_string(&BusinessCalendar::default())
            .unwrap()
            .contains("zone")
    );
}

#[cfg(not(feature = "tz"))]
#[test]
fn zone_names_need_feature_tz() {
    assert_eq!(
        BusinessCalendar::builder().zone("Asia/Shanghai").build(),
        Err(CalendarError::Invalid(vec![
            CalendarProblem::ZonesDisabled {
                name: "Asia/Shanghai".into()
            }
        ]))
    );
    assert_eq!(Zone::named("Asia/Shanghai"), None);
}
