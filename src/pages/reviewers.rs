//! The reviewers page for leads ("grade the grader", SPEC §5.6): per reviewer, the figures of
//! `rubric reviewers` over every period and month by month, the deviation in each calibration
//! session, and the N/A rate per category (over one half flagged).

use crate::analysis::calibration::Session;
use crate::analysis::reviewers::{given_reviews, na_categories, reviewer_rows, GivenReview};
use crate::analysis::state::QaState;
use crate::analysis::trends::{period_of, Period};
use crate::report::reviewers::{ReviewerPage, ReviewerRow, SessionDeviation};
use std::collections::BTreeMap;

/// One entry per reviewer of a non-calibration review, by id. Empty with `anonymize`: the page
/// is about named people, and an anonymized site has no reviewer names.
pub fn reviewer_pages(
    state: &QaState,
    calibration: &[Session],
    anonymize: bool,
) -> Vec<ReviewerPage> {
    if anonymize {
        return Vec::new();
    }
    let given = given_reviews(state, None, None);
    let mut months: BTreeMap<String, Vec<ReviewerRow>> = BTreeMap::new();
    for row in reviewer_rows(&given, |d| period_of(d, Period::Month, state.week_start)) {
        months.entry(row.reviewer.clone()).or_default().push(row);
    }
    let mut overall: BTreeMap<String, ReviewerRow> = reviewer_rows(&given, |_| ("all".into(), 0))
        .into_iter()
        .map(|r| (r.reviewer.clone(), r))
        .collect();
    months
        .into_iter()
        .filter_map(|(id, months)| {
            let mine: Vec<&GivenReview> = given.iter().filter(|g| g.reviewer == id).collect();
            Some(ReviewerPage {
                name: state.name(&id),
                overall: overall.remove(&id)?,
                months,
                calibration: deviations(calibration, &id),
                na_categories: na_categories(mine),
                id,
            })
        })
        .collect()
}

/// A reviewer's deviation in each calibration session they took part in.
fn deviations(calibration: &[Session], reviewer: &str) -> Vec<SessionDeviation> {
    calibration
        .iter()
        .flat_map(|s| {
            s.deviations
                .iter()
                .filter(|d| d.reviewer == reviewer)
                .map(|d| SessionDeviation {
                    session: s.session.clone(),
                    mean_abs_deviation: d.mean_abs_deviation,
                })
        })
        .collect()
}
