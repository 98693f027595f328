//! Trends (SPEC §5.3) as plain functions over plain data: periods in a calendar, and the mean
//! score per key and period with the change against the previous period.

use crate::model::Weekday;
use crate::report::TrendRow;
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::BTreeMap;

/// A period length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn name(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

/// What trends are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    Agent,
    Team,
    Category,
    Reviewer,
    Channel,
}

impl By {
    pub fn name(self) -> &'static str {
        match self {
            By::Agent => "agent",
            By::Team => "team",
            By::Category => "category",
            By::Reviewer => "reviewer",
            By::Channel => "channel",
        }
    }
}

/// The period a calendar day falls in: its label (`2026-W47`, `2026-11`, `2026-Q4`, `2026`)
/// and an ordinal in which consecutive periods differ by one.
pub fn period_of(day: NaiveDate, period: Period, week_start: Weekday) -> (String, i64) {
    match period {
        Period::Week => {
            let back =
                (day.weekday().num_days_from_monday() + 7 - week_start.days_from_monday()) % 7;
            let start = day - Duration::days(i64::from(back));
            // The week is labelled with the ISO week of its Thursday.
            let to_thursday = (3 + 7 - week_start.days_from_monday()) % 7;
            let thursday = start + Duration::days(i64::from(to_thursday));
            let iso = thursday.iso_week();
            let ordinal = (start - NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or(start)).num_days();
            (
                format!("{}-W{:02}", iso.year(), iso.week()),
                ordinal.div_euclid(7),
            )
        }
        Period::Month => (
            format!("{}-{:02}", day.year(), day.month()),
            i64::from(day.year()) * 12 + i64::from(day.month0()),
        ),
        Period::Quarter => {
            let q = day.month0() / 3 + 1;
            (
                format!("{}-Q{q}", day.year()),
                i64::from(day.year()) * 4 + i64::from(q - 1),
            )
        }
        Period::Year => (day.year().to_string(), i64::from(day.year())),
    }
}

/// One scored observation: a key, a day and a value (a review's score, or a category's value
/// ×100).
#[derive(Debug, Clone, PartialEq)]
pub struct Observation {
    pub key: String,
    pub day: NaiveDate,
    pub value: f64,
}

/// The mean value per key and period, sorted by key then period, each with its change against
/// the key's previous period when that period has observations.
pub fn trends(observations: &[Observation], period: Period, week_start: Weekday) -> Vec<TrendRow> {
    // key → ordinal → (label, sum, count)
    let mut groups: BTreeMap<&str, BTreeMap<i64, (String, f64, usize)>> = BTreeMap::new();
    for o in observations {
        let (label, ordinal) = period_of(o.day, period, week_start);
        let g = groups
            .entry(&o.key)
            .or_default()
            .entry(ordinal)
            .or_insert((label, 0.0, 0));
        g.1 += o.value;
        g.2 += 1;
    }
    let mut rows = Vec::new();
    for (key, periods) in groups {
        for (ordinal, (label, sum, n)) in &periods {
            let score = sum / *n as f64;
            let change = periods
                .get(&(ordinal - 1))
                .map(|(_, s, c)| score - s / *c as f64);
            rows.push(TrendRow {
                key: key.to_string(),
                period: label.clone(),
                reviews: *n,
                score,
                change,
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn labels() {
        let mon = Weekday::Monday;
        assert_eq!(period_of(d(2026, 11, 20), Period::Week, mon).0, "2026-W47");
        assert_eq!(period_of(d(2026, 11, 20), Period::Month, mon).0, "2026-11");
        assert_eq!(
            period_of(d(2026, 11, 20), Period::Quarter, mon).0,
            "2026-Q4"
        );
        assert_eq!(period_of(d(2026, 11, 20), Period::Year, mon).0, "2026");
    }

    #[test]
    fn iso_week_53_and_year_boundaries() {
        let mon = Weekday::Monday;
        // 2026 has 53 ISO weeks: Thursday 2026-12-31 is in 2026-W53, and so are the days of
        // that week in January 2027.
        assert_eq!(period_of(d(2026, 12, 31), Period::Week, mon).0, "2026-W53");
        assert_eq!(period_of(d(2027, 1, 3), Period::Week, mon).0, "2026-W53");
        assert_eq!(period_of(d(2027, 1, 4), Period::Week, mon).0, "2027-W01");
        // 2024-12-30 (Monday) starts 2025-W01.
        assert_eq!(period_of(d(2024, 12, 30), Period::Week, mon).0, "2025-W01");
        // Consecutive weeks have consecutive ordinals across the boundary.
        let a = period_of(d(2026, 12, 28), Period::Week, mon).1;
        let b = period_of(d(2027, 1, 4), Period::Week, mon).1;
        assert_eq!(b - a, 1);
    }

    #[test]
    fn sunday_weeks_take_the_iso_week_of_their_thursday() {
        let sun = Weekday::Sunday;
        // Sunday 2026-11-15 starts the week whose Thursday is 2026-11-19 (W47).
        assert_eq!(period_of(d(2026, 11, 15), Period::Week, sun).0, "2026-W47");
        assert_eq!(period_of(d(2026, 11, 21), Period::Week, sun).0, "2026-W47");
        assert_eq!(period_of(d(2026, 11, 22), Period::Week, sun).0, "2026-W48");
        // With Monday weeks, Sunday 11-15 still belongs to W46.
        assert_eq!(
            period_of(d(2026, 11, 15), Period::Week, Weekday::Monday).0,
            "2026-W46"
        );
    }

    #[test]
    fn means_and_changes() {
        let obs = |key: &str, day, value| Observation {
            key: key.into(),
            day,
            value,
        };
        let rows = trends(
            &[
                obs("alice", d(2026, 9, 8), 100.0),
                obs("alice", d(2026, 10, 1), 80.0),
                obs("alice", d(2026, 10, 20), 90.0),
                obs("alice", d(2026, 12, 1), 70.0),
                obs("bob", d(2026, 10, 2), 50.0),
            ],
            Period::Month,
            Weekday::Monday,
        );
        let got: Vec<(&str, &str, usize, f64, Option<f64>)> = rows
            .iter()
            .map(|r| {
                (
                    r.key.as_str(),
                    r.period.as_str(),
                    r.reviews,
                    r.score,
                    r.change,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("alice", "2026-09", 1, 100.0, None),
                ("alice", "2026-10", 2, 85.0, Some(-15.0)),
                // November has no reviews: December has no previous period to compare with.
                ("alice", "2026-12", 1, 70.0, None),
                ("bob", "2026-10", 1, 50.0, None),
            ]
        );
    }
}
