//! `rubric reviewers` as a human table and as CSV (the JSON is the report itself).

use super::{csv_of, fit, number, one_decimal, signed, table, text};
use crate::output::terminal::plain;
use crate::report::reviewers::ReviewersReport;

const HEADER: [&str; 9] = [
    "reviewer",
    "period",
    "reviews",
    "mean_score",
    "leniency",
    "na_rate",
    "comment_rate",
    "disputed",
    "overturned",
];

/// `rubric reviewers --format csv`: full precision, rates as shares 0..1.
pub fn reviewers_csv(report: &ReviewersReport) -> Result<String, csv::Error> {
    csv_of(
        &HEADER,
        report.rows.iter().map(|r| {
            [
                text(&r.reviewer),
                r.period.clone(),
                r.reviews.to_string(),
                number(r.mean_score),
                number(r.leniency),
                number(r.na_rate),
                number(r.comment_rate),
                r.disputed.to_string(),
                r.overturned.to_string(),
            ]
        }),
    )
}

/// A share 0..1 as a whole percentage, or `-`.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |x| format!("{:.0}%", 100.0 * x))
}

/// `rubric reviewers`: a table that fits 80 columns.
pub fn reviewers(report: &ReviewersReport) -> String {
    let cells: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                fit(&plain(&r.reviewer), 20),
                r.period.clone(),
                r.reviews.to_string(),
                one_decimal(r.mean_score),
                match r.leniency {
                    None => "-".to_string(),
                    l => signed(l),
                },
                percent(r.na_rate),
                percent(r.comment_rate),
                r.disputed.to_string(),
                r.overturned.to_string(),
            ]
        })
        .collect();
    table(
        &[
            "reviewer",
            report.period.as_str(),
            "reviews",
            "mean",
            "leniency",
            "n/a",
            "comments",
            "disputed",
            "overturned",
        ],
        &[false, false, true, true, true, true, true, true, true],
        &cells,
    )
}
