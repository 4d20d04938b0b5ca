//! Time zones of calendars: a fixed UTC offset, or an IANA zone (feature `tz`).

use std::fmt;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
#[cfg(feature = "tz")]
use chrono::{LocalResult, Offset, TimeDelta, TimeZone};

/// The time zone in which a [`Calendar`](super::Calendar) reads local times.
///
/// A fixed offset has one local time per instant and back. An IANA zone has
/// daylight saving time: on a spring-forward day some local times never happen
/// (a *gap*), on a fall-back day some happen twice (a *repeat*).
/// [`earliest`](Zone::earliest) and [`latest`](Zone::latest) resolve both: a
/// local time in a gap resolves to the instant the gap ends, a repeated one to
/// its first or its last occurrence.
///
/// ```
/// # #[cfg(feature = "tz")] {
/// use aftersales::Zone;
/// use chrono::NaiveDate;
///
/// let berlin = Zone::named("Europe/Berlin").unwrap();
/// // 2026-10-25: 02:30 happens twice, at 00:30 UTC (CEST) and at 01:30 UTC (CET).
/// let repeated = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap().and_hms_opt(2, 30, 0).unwrap();
/// assert_eq!(berlin.earliest(repeated).unwrap().to_rfc3339(), "2026-10-25T00:30:00+00:00");
/// assert_eq!(berlin.latest(repeated).unwrap().to_rfc3339(), "2026-10-25T01:30:00+00:00");
/// # }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Zone {
    /// A fixed offset from UTC, without daylight saving time.
    Fixed(FixedOffset),
    /// An IANA time zone such as `Europe/Berlin` (feature `tz`).
    #[cfg(feature = "tz")]
    #[cfg_attr(docsrs, doc(cfg(feature = "tz")))]
    Iana(chrono_tz::Tz),
}

impl Zone {
    /// UTC itself, as a fixed offset of zero.
    pub const UTC: Zone = match FixedOffset::east_opt(0) {
        Some(offset) => Zone::Fixed(offset),
        None => unreachable!(),
    };

    /// The IANA zone of that name (case-sensitive, e.g. `Asia/Shanghai`);
    /// `None` for an unknown name, and always `None` without feature `tz`.
    pub fn named(name: &str) -> Option<Zone> {
        #[cfg(feature = "tz")]
        {
            name.parse::<chrono_tz::Tz>().ok().map(Zone::Iana)
        }
        #[cfg(not(feature = "tz"))]
        {
            let _ = name;
            None
        }
    }

    /// The offset from UTC in force at instant `t`.
    #[cfg_attr(
        not(feature = "tz"),
        expect(unused_variables, reason = "a fixed offset does not vary")
    )]
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Fixed(offset) => *offset,
            #[cfg(feature = "tz")]
            Zone::Iana(tz) => tz.offset_from_utc_datetime(&t.naive_utc()).fix(),
        }
    }

    /// The local date and time of an instant; `None` beyond the representable range.
    pub fn to_local(&self, t: DateTime<Utc>) -> Option<NaiveDateTime> {
        t.naive_utc().checked_add_offset(self.offset_at(t))
    }

    /// The first instant at which local clocks show `local`; for a local time
    /// skipped by a gap, the instant the gap ends. `None` beyond the
    /// representable range.
    pub fn earliest(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.resolve(local, false)
    }

    /// The last instant at which local clocks show `local`; for a local time
    /// skipped by a gap, the instant the gap ends. `None` beyond the
    /// representable range.
    pub fn latest(&self, local: NaiveDateTime) -> Option<DateTime<Utc>> {
        self.resolve(local, true)
    }

    /// `local` as an instant: its first or (`last`) last occurrence.
    #[cfg_attr(
        not(feature = "tz"),
        expect(unused_variables, reason = "a fixed offset has no repeats")
    )]
    fn resolve(&self, local: NaiveDateTime, last: bool) -> Option<DateTime<Utc>> {
        match self {
            Zone::Fixed(offset) => local.checked_sub_offset(*offset).map(|t| t.and_utc()),
            #[cfg(feature = "tz")]
            Zone::Iana(tz) => match tz.offset_from_local_datetime(&local) {
                LocalResult::Single(offset) => utc_of(local, offset.fix()),
                LocalResult::Ambiguous(first, second) => {
                    let (a, b) = (utc_of(local, first.fix())?, utc_of(local, second.fix())?);
                    Some(if last { a.max(b) } else { a.min(b) })
                }
                LocalResult::None => gap_end(*tz, local),
            },
        }
    }
}

impl fmt::Display for Zone {
    /// The IANA name, or the offset as `+08:00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Zone::Fixed(offset) => write!(f, "{offset}"),
            #[cfg(feature = "tz")]
            Zone::Iana(tz) => f.write_str(tz.name()),
        }
    }
}

/// `local` read with `offset`, as an instant.
#[cfg(feature = "tz")]
fn utc_of(local: NaiveDateTime, offset: FixedOffset) -> Option<DateTime<Utc>> {
    local.checked_sub_offset(offset).map(|t| t.and_utc())
}

/// The instant a gap containing the (skipped) local time `local` ends: found by
/// bisection, to the second, between `local` read with the offset after the gap
/// (before the transition) and with the offset before it (after the transition).
#[cfg(feature = "tz")]
fn gap_end(tz: chrono_tz::Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let day = TimeDelta::days(1);
    let offset = |t: NaiveDateTime| tz.offset_from_utc_datetime(&t).fix();
    let before = offset(local.checked_sub_signed(day)?);
    let after = offset(local.checked_add_signed(day)?);
    let mut lo = utc_of(local, after)?.timestamp();
    let mut hi = utc_of(local, before)?.timestamp();
    let at = |s: i64| DateTime::from_timestamp(s, 0);
    // Invariant: the offset at `hi` is the one after the gap, the one at `lo` is not.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset(at(mid)?.naive_utc()) == after {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi)
}
