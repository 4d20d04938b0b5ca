//! The plain holiday file: one date per line.
//!
//! ```text
//! # China 2026 (comments run from # to the end of the line)
//! 2026-10-01            a holiday
//! holiday 2026-10-02    the same, with a keyword
//! +2026-10-10           a make-up working day (调休)
//! work 2026-10-11       the same, with a keyword
//! ```

use chrono::NaiveDate;

use super::HolidayFileError;

/// One declared date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Entry {
    /// A date without working time.
    Holiday(NaiveDate),
    /// A date worked with the make-up pattern.
    Work(NaiveDate),
}

/// Every date declared in `text`, in order; the first malformed line is an error.
pub(super) fn parse(text: &str) -> Result<Vec<Entry>, HolidayFileError> {
    let mut entries = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let content = raw.split_once('#').map_or(raw, |(before, _)| before);
        if let Some(entry) = parse_line(index + 1, content)? {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// The entry of one line without its comment; `None` for a blank line.
fn parse_line(line: usize, content: &str) -> Result<Option<Entry>, HolidayFileError> {
    let mut words = content.split_whitespace();
    let Some(first) = words.next() else {
        return Ok(None);
    };
    let (work, date_word) = match first {
        "holiday" => (false, words.next()),
        "work" => (true, words.next()),
        _ if first.starts_with(|c: char| c.is_alphabetic()) => {
            return Err(HolidayFileError::UnknownKeyword {
                line,
                keyword: first.to_owned(),
            });
        }
        _ => match first.strip_prefix('+') {
            Some(rest) => (true, Some(rest)),
            None => (false, Some(first)),
        },
    };
    let date_word = date_word.unwrap_or_default();
    let date = parse_date(date_word).ok_or_else(|| HolidayFileError::BadDate {
        line,
        text: date_word.to_owned(),
    })?;
    if let Some(extra) = words.next() {
        return Err(HolidayFileError::TrailingText {
            line,
            text: extra.to_owned(),
        });
    }
    Ok(Some(if work {
        Entry::Work(date)
    } else {
        Entry::Holiday(date)
    }))
}

/// A date written exactly `YYYY-MM-DD`.
fn parse_date(word: &str) -> Option<NaiveDate> {
    let shaped = word.len() == 10
        && word.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(word, "%Y-%m-%d").ok())
        .flatten()
}
