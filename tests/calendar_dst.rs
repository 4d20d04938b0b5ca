//! Calendars in IANA time zones: daylight saving time in `Europe/Berlin`
//! (2026-03-29 spring forward at 02:00 CET, 2026-10-25 fall back at 03:00 CEST),
//! zone names in builders and JSON.
#![cfg(all(feature = "tz", feature = "procedures"))]
#![allow(
    clippy::unwrap_used,
    reason = "test helpers panic on bad fixtures; clippy.toml covers only #[test] fns"
)]

use aftersales::{
    BusinessCalendar, BusinessDuration, Calendar, CalendarError, CalendarProblem, WorkingPeriod,
    Zone,
};
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeDelta, Utc, Weekday};

use BusinessDuration::{
    CalendarDays, CalendarDaysToMidnight, Hours, SameDayClose, WorkingDays, WorkingHours,
    WorkingMinutes,
};

/// An instant in UTC, "YYYY-MM-DD HH:MM".
fn utc(s: &str) -> DateTime<Utc> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
        .unwrap()
        .and_utc()
}

fn local(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
}

fn period(start_h: u32, start_m: u32, end_h: u32, end_m: u32) -> WorkingPeriod {
    WorkingPeriod::hm(start_h, start_m, end_h, end_m).unwrap()
}

const WEEK: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

/// Every day the same periods, in `Europe/Berlin`.
fn berlin_every_day(periods: &[WorkingPeriod]) -> BusinessCalendar {
    WEEK.iter()
        .fold(
            BusinessCalendar::builder().zone("Europe/Berlin"),
            |b, &d| b.weekday(d, periods.to_vec()),
        )
        .build()
        .unwrap()
}

/// The default week (Mon–Fri 09:00–12:00, 13:00–18:00) in `Europe/Berlin`.
fn berlin_office() -> BusinessCalendar {
    BusinessCalendar::builder()
        .zone("Europe/Berlin")
        .build()
        .unwrap()
}

#[test]
fn night_shift_counts_real_elapsed_time_across_transitions() {
    let cal = berlin_every_day(&[period(1, 0, 5, 0)]);
    let day = |from: &str, to: &str| cal.working_time_between(utc(from), utc(to));
    // An ordinary night: 01:00–05:00 CET = 00:00–04:00 UTC.
    assert_eq!(
        day("2026-03-27 23:00", "2026-03-28 23:00"),
        TimeDelta::hours(4)
    );
    // Spring forward: 01:00 CET (00:00 UTC) to 05:00 CEST (03:00 UTC) is 3 h.
    assert_eq!(
        day("2026-03-28 23:00", "2026-03-29 22:00"),
        TimeDelta::hours(3)
    );
    // Fall back: 01:00 CEST (23:00 UTC) to 05:00 CET (04:00 UTC) is 5 h.
    assert_eq!(
        day("2026-10-24 22:00", "2026-10-25 23:00"),
        TimeDelta::hours(5)
    );

    #[rustfmt::skip]
    let cases = [
        ("spring: 2 h from 01:00 CET lands at 04:00 CEST", "2026-03-29 00:00", WorkingHours(2), "2026-03-29 02:00"),
        ("spring: the whole 3 h shift", "2026-03-29 00:00", WorkingHours(3), "2026-03-29 03:00"),
        ("spring: 4 h runs into the next night", "2026-03-29 00:00", WorkingHours(4), "2026-03-30 00:00"),
        ("spring: 90 min lands at 03:30 CEST", "2026-03-29 00:00", WorkingMinutes(90), "2026-03-29 01:30"),
        ("spring: start inside the gap's hour", "2026-03-29 00:59", WorkingMinutes(2), "2026-03-29 01:01"),
        ("fall: 4 h from 01:00 CEST lands at 04:00 CET", "2026-10-24 23:00", WorkingHours(4), "2026-10-25 03:00"),
        ("fall: the whole 5 h shift", "2026-10-24 23:00", WorkingHours(5), "2026-10-25 04:00"),
        ("fall: from the day before", "2026-10-24 02:00", WorkingHours(2), "2026-10-25 00:00"),
        ("fall: close of the shift", "2026-10-24 23:30", SameDayClose, "2026-10-25 04:00"),
        ("fall: 1 working day to close", "2026-10-24 02:00", BusinessDuration::working_days_close(1).unwrap(), "2026-10-25 04:00"),
    ];
    for (name, start, duration, expected) in cases {
        assert_eq!(
            cal.add(utc(start), duration).unwrap(),
            utc(expected),
            "{name}"
        );
    }
    // Both passes through 02:30 on the fall-back night are working time.
    assert!(cal.is_working_time(utc("2026-10-25 00:30")));
    assert!(cal.is_working_time(utc("2026-10-25 01:30")));
    assert!(!cal.is_working_time(utc("2026-10-25 04:00")));
    assert!(cal.is_working_time(utc("2026-03-29 02:59")));
    assert!(!cal.is_working_time(utc("2026-03-29 03:00")));
    assert_eq!(
        cal.next_working_instant(utc("2026-03-29 03:00")).unwrap(),
        utc("2026-03-29 23:00")
    );
}

#[test]
fn periods_inside_a_gap_or_touching_in_a_repeat() {
    // 02:15–02:45 never happens on the spring-forward day.
    let gap = berlin_every_day(&[period(2, 15, 2, 45)]);
    assert_eq!(
        gap.working_time_between(utc("2026-03-28 12:00"), utc("2026-03-29 12:00")),
        TimeDelta::zero()
    );
    assert_eq!(
        gap.add(utc("2026-03-28 12:00"), WorkingMinutes(10))
            .unwrap(),
        utc("2026-03-30 00:25"),
        "skips the gap day to 02:25 CEST the next night"
    );
    // 02:30–04:00 on the fall-back day: from the first 02:30 (CEST) to 04:00 CET.
    let repeat = berlin_every_day(&[period(2, 30, 4, 0)]);
    assert_eq!(
        repeat.working_time_between(utc("2026-10-24 12:00"), utc("2026-10-25 12:00")),
        TimeDelta::minutes(150)
    );
    // Touching periods around the repeat count every instant once: 01:00 CEST–04:00 CET = 4 h.
    let touching = berlin_every_day(&[period(1, 0, 2, 30), period(2, 30, 4, 0)]);
    assert_eq!(
        touching.working_time_between(utc("2026-10-24 12:00"), utc("2026-10-25 12:00")),
        TimeDelta::hours(4)
    );
    assert_eq!(
        touching
            .add(utc("2026-10-24 23:00"), WorkingHours(4))
            .unwrap(),
        utc("2026-10-25 03:00")
    );
}

#[test]
fn office_hours_follow_local_time_through_the_year() {
    let cal = berlin_office();
    #[rustfmt::skip]
    let cases = [
        ("winter: friday 16:00 CET + 4 h = monday 11:00 CET", "2026-03-20 15:00", WorkingHours(4), "2026-03-23 10:00"),
        ("over the spring weekend: monday 11:00 CEST", "2026-03-27 15:00", WorkingHours(4), "2026-03-30 09:00"),
        ("same time of day over the change", "2026-03-27 09:00", WorkingDays(1), "2026-03-30 08:00"),
        ("close of business over the change", "2026-03-27 15:00", BusinessDuration::working_days_close(1).unwrap(), "2026-03-30 16:00"),
        ("same day close in summer", "2026-03-30 08:00", SameDayClose, "2026-03-30 16:00"),
        ("over the autumn weekend", "2026-10-23 14:00", WorkingHours(4), "2026-10-26 10:00"),
        ("24 h is elapsed time", "2026-03-28 11:00", Hours(24), "2026-03-29 11:00"),
        ("a calendar day keeps local time", "2026-03-28 11:00", CalendarDays(1), "2026-03-29 10:00"),
        ("a calendar day into the gap ends with it", "2026-03-28 01:30", CalendarDays(1), "2026-03-29 01:00"),
        ("a calendar day in the repeat: first pass", "2026-10-24 00:30", CalendarDays(1), "2026-10-25 00:30"),
        ("the 23-hour day ends at 24:00 CEST", "2026-03-29 08:00", CalendarDaysToMidnight(0), "2026-03-29 22:00"),
        ("the 25-hour day ends at 24:00 CET", "2026-10-25 08:00", CalendarDaysToMidnight(0), "2026-10-25 23:00"),
        ("start day counted: 24:00 CEST at the end of day 2", "2026-03-28 09:00", BusinessDuration::calendar_days_inclusive(2).unwrap(), "2026-03-29 22:00"),
        ("3 working days to close over the autumn change", "2026-10-22 14:00", BusinessDuration::working_days_close(3).unwrap(), "2026-10-27 17:00"),
        ("same day at the exact close moves to the next close", "2026-03-30 16:00", SameDayClose, "2026-03-31 16:00"),
    ];
    for (name, start, duration, expected) in cases {
        assert_eq!(
            cal.add(utc(start), duration).unwrap(),
            utc(expected),
            "{name}"
        );
    }
    assert_eq!(
        cal.working_time_between(utc("2026-03-27 08:00"), utc("2026-03-30 07:00")),
        TimeDelta::hours(8)
    );
    assert_eq!(
        cal.to_local(utc("2026-07-01 10:00")),
        Some(local("2026-07-01 12:00"))
    );
    assert_eq!(
        cal.to_utc(local("2026-03-29 02:30")),
        Some(utc("2026-03-29 01:00"))
    );
    assert_eq!(cal.zone().to_string(), "Europe/Berlin");
    assert_eq!(
        cal.zone().offset_at(utc("2026-07-01 10:00")),
        FixedOffset::east_opt(7200).unwrap()
    );
}

#[test]
fn fixed_offset_is_unchanged_by_the_dates_of_transitions() {
    let cal = WEEK
        .iter()
        .fold(BusinessCalendar::builder().offset_hours(1), |b, &d| {
            b.weekday(d, vec![period(1, 0, 5, 0)])
        })
        .build()
        .unwrap();
    for (from, to) in [
        ("2026-03-28 23:00", "2026-03-29 23:00"),
        ("2026-10-24 23:00", "2026-10-25 23:00"),
    ] {
        assert_eq!(
            cal.working_time_between(utc(from), utc(to)),
            TimeDelta::hours(4)
        );
    }
    assert_eq!(
        cal.add(utc("2026-10-25 00:00"), WorkingHours(4)).unwrap(),
        utc("2026-10-25 04:00")
    );
}

#[test]
fn zone_names_in_builders_and_json() {
    let shanghai = BusinessCalendar::asia_shanghai();
    assert_eq!(shanghai.zone().to_string(), "Asia/Shanghai");
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(r#"{"zone": "Asia/Shanghai"}"#).unwrap(),
        shanghai
    );
    assert_eq!(
        BusinessCalendar::builder()
            .zone("Asia/Shanghai")
            .build()
            .unwrap(),
        shanghai
    );
    // Same instants as the fixed UTC+08:00 default.
    let default = BusinessCalendar::default();
    let start = utc("2026-03-06 08:00");
    for d in [WorkingHours(4), SameDayClose, CalendarDaysToMidnight(1)] {
        assert_eq!(shanghai.add(start, d), default.add(start, d), "{d}");
    }

    let named: BusinessCalendar =
        serde_json::from_str(r#"{"name": "berlin-plant", "zone": "Europe/Berlin"}"#).unwrap();
    assert_eq!(named.name(), Some("berlin-plant"));
    let json = serde_json::to_string(&named).unwrap();
    assert!(
        json.starts_with(r#"{"name":"berlin-plant","zone":"Europe/Berlin","week""#),
        "{json}"
    );
    assert_eq!(
        serde_json::from_str::<BusinessCalendar>(&json).unwrap(),
        named
    );
    // The last of zone / offset set on a builder wins.
    let back = named.to_builder().offset_hours(8).build().unwrap();
    assert_eq!(
        back.zone(),
        Zone::Fixed(FixedOffset::east_opt(8 * 3600).unwrap())
    );

    assert_eq!(
        BusinessCalendar::builder().zone("Europe/Berln").build(),
        Err(CalendarError::Invalid(vec![CalendarProblem::UnknownZone {
            name: "Europe/Berln".into()
        }]))
    );
    assert_eq!(
        Zone::named("europe/berlin"),
        None,
        "names are case-sensitive"
    );
    let both = serde_json::from_str::<BusinessCalendar>(
        r#"{"zone": "Europe/Berlin", "utc_offset_minutes": 60}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(both.contains("both time zone"), "{both}");
    let unknown = serde_json::from_str::<BusinessCalendar>(r#"{"zone": "Mars/Olympus"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        unknown.contains("unknown time zone \"Mars/Olympus\""),
        "{unknown}"
    );
}

#[test]
fn extreme_instants_in_a_zone_give_errors_not_panics() {
    let cal = berlin_office();
    let (min, max) = (DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC);
    assert!(cal.add(max, WorkingHours(0)).is_err());
    assert!(cal.add(max, SameDayClose).is_err());
    assert!(cal.next_working_instant(max).is_err());
    assert!(cal.next_working_instant(min).is_ok());
    assert!(!cal.is_working_time(max));
    let near_max = max - TimeDelta::days(20);
    assert!(cal.working_time_between(near_max, max) > TimeDelta::zero());
    assert!(cal.working_time_between(min, min + TimeDelta::days(20)) > TimeDelta::zero());
}
