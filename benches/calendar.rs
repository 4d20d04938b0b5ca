//! Benchmarks of business-time arithmetic.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]
#![allow(clippy::unwrap_used, reason = "fixed, valid benchmark inputs")]

use std::hint::black_box;

use aftersales::{BusinessCalendar, BusinessDuration, Calendar};
use chrono::{DateTime, NaiveDate, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn at(cal: &BusinessCalendar, day: NaiveDate, hour: u32) -> DateTime<Utc> {
    cal.to_utc(day.and_hms_opt(hour, 0, 0).unwrap()).unwrap()
}

/// The default calendar with a PRC-style 2026: seven holiday blocks and make-up days.
fn holiday_heavy_2026() -> BusinessCalendar {
    let blocks = [
        ((1, 1), 3),
        ((2, 15), 9),
        ((4, 4), 3),
        ((5, 1), 5),
        ((6, 19), 3),
        ((9, 25), 3),
        ((10, 1), 8),
    ];
    let make_up = [(1, 4), (2, 14), (2, 28), (5, 9), (9, 20), (10, 10)];
    BusinessCalendar::builder()
        .holidays(
            blocks
                .into_iter()
                .flat_map(|((m, d), n)| date(2026, m, d).iter_days().take(n)),
        )
        .extra_working_days(make_up.map(|(m, d)| date(2026, m, d)))
        .build()
        .unwrap()
}

fn calendar(c: &mut Criterion) {
    let default = BusinessCalendar::default();
    let friday = at(&default, date(2026, 3, 6), 16);
    // The floor: wall-clock arithmetic, no calendar.
    c.bench_function("wall-clock add 4 hours (floor)", |b| {
        b.iter(|| black_box(friday).checked_add_signed(chrono::TimeDelta::hours(4)))
    });
    c.bench_function("add 4 working hours", |b| {
        b.iter(|| default.add(black_box(friday), BusinessDuration::WorkingHours(4)))
    });
    let monday = default
        .add(friday, BusinessDuration::WorkingHours(4))
        .unwrap();
    c.bench_function("elapsed 4 working hours", |b| {
        b.iter(|| default.working_time_between(black_box(friday), black_box(monday)))
    });

    let heavy = holiday_heavy_2026();
    let september = at(&heavy, date(2026, 9, 14), 10);
    c.bench_function("add 30 working days across holidays", |b| {
        b.iter(|| heavy.add(black_box(september), BusinessDuration::WorkingDays(30)))
    });
    let october = heavy
        .add(september, BusinessDuration::WorkingDays(30))
        .unwrap();
    c.bench_function("elapsed 30 working days across holidays", |b| {
        b.iter(|| heavy.working_time_between(black_box(september), black_box(october)))
    });

    let (from, to) = (
        at(&heavy, date(2026, 10, 1), 0),
        at(&heavy, date(2026, 11, 1), 0),
    );
    c.bench_function("working time between across a month", |b| {
        b.iter(|| heavy.working_time_between(black_box(from), black_box(to)))
    });
}

criterion_group!(benches, calendar);
criterion_main!(benches);
