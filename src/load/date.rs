//! Dates: `reviewed_at` values.

use chrono::{DateTime, NaiveDate};

/// A `reviewed_at` value as a calendar day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDate {
    Day(NaiveDate),
    Instant(DateTime<chrono::FixedOffset>),
}

/// Parses `reviewed_at`: `YYYY-MM-DD` or RFC 3339.
pub fn parse_review_date(s: &str) -> Option<ReviewDate> {
    if s.len() == 10 {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(ReviewDate::Day)
    } else {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(ReviewDate::Instant)
    }
}

impl ReviewDate {
    /// The calendar day in `tz` (a day is already one).
    pub fn day_in(self, tz: chrono_tz::Tz) -> NaiveDate {
        match self {
            ReviewDate::Day(d) => d,
            ReviewDate::Instant(t) => t.with_timezone(&tz).date_naive(),
        }
    }
}
