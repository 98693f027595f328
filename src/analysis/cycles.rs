//! Assignment cycles (SPEC §4.1): a week labelled like `trends` labels it (`2026-W48`, the
//! ISO week of its Thursday, starting on `week_start`) or a month (`2026-11`), and the days a
//! label covers.

use crate::analysis::trends::{period_of, Period};
use crate::model::assignments::{CycleKind, CycleLabel};
use crate::model::Weekday;
use chrono::{Datelike, Duration, NaiveDate};

/// The label of the cycle that `day` falls in.
pub fn cycle_of(day: NaiveDate, kind: CycleKind, week_start: Weekday) -> String {
    let period = match kind {
        CycleKind::Week => Period::Week,
        CycleKind::Month => Period::Month,
    };
    period_of(day, period, week_start).0
}

/// The first and last day of the cycle `label`, or `None` for a label that is not a cycle
/// (or a week that the year does not have).
pub fn cycle_days(label: &str, week_start: Weekday) -> Option<(NaiveDate, NaiveDate)> {
    let kind = CycleLabel::kind_of(label)?;
    let year: i32 = label.get(..4)?.parse().ok()?;
    match kind {
        CycleKind::Month => {
            let month: u32 = label.get(5..7)?.parse().ok()?;
            let first = NaiveDate::from_ymd_opt(year, month, 1)?;
            let next = first.checked_add_months(chrono::Months::new(1))?;
            Some((first, next - Duration::days(1)))
        }
        CycleKind::Week => {
            let week: u32 = label.get(6..8)?.parse().ok()?;
            let thursday = NaiveDate::from_isoywd_opt(year, week, chrono::Weekday::Thu)?;
            let start_index = week_start.days_from_monday();
            let back = (thursday.weekday().num_days_from_monday() + 7 - start_index) % 7;
            let first = thursday - Duration::days(i64::from(back));
            let days = (first, first + Duration::days(6));
            (cycle_of(first, kind, week_start) == label).then_some(days)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_and_months_round_trip() {
        assert_eq!(
            cycle_days("2026-W48", Weekday::Monday),
            Some((d("2026-11-23"), d("2026-11-29")))
        );
        assert_eq!(
            cycle_days("2026-W48", Weekday::Sunday),
            Some((d("2026-11-22"), d("2026-11-28")))
        );
        assert_eq!(
            cycle_days("2026-02", Weekday::Monday),
            Some((d("2026-02-01"), d("2026-02-28")))
        );
        assert_eq!(
            cycle_days("2026-W53", Weekday::Monday),
            Some((d("2026-12-28"), d("2027-01-03")))
        );
        assert_eq!(cycle_days("2025-W53", Weekday::Monday), None);
        assert_eq!(cycle_days("2026-13", Weekday::Monday), None);
        for ws in [Weekday::Monday, Weekday::Wednesday, Weekday::Sunday] {
            let mut day = d("2026-01-01");
            while day < d("2027-01-10") {
                let label = cycle_of(day, CycleKind::Week, ws);
                let (a, b) = cycle_days(&label, ws).unwrap();
                assert!(a <= day && day <= b, "{day} {label} {ws:?}");
                day += Duration::days(1);
            }
        }
    }
}
