//! Reviewer statistics ("grade the grader", SPEC §5.6) as plain functions over plain data:
//! reviews, mean score, leniency against other reviewers of the same agent, N/A and comment
//! rates, disputes; and the N/A rate per category for the reviewers page.

use crate::analysis::score::{mean, rating_value};
use crate::analysis::state::{QaState, ReviewFacts};
use crate::model::DisputeStatus;
use crate::report::reviewers::{NaCategory, ReviewerRow};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One non-calibration review as reviewer statistics see it.
#[derive(Debug, Clone, PartialEq)]
pub struct GivenReview {
    pub reviewer: String,
    pub agent: String,
    pub day: NaiveDate,
    pub score: Option<f64>,
    /// One per rating of a category that allows `na`.
    pub na_ratings: Vec<NaRating>,
    /// One per numeric rating below the top of its scale: does it carry a comment?
    pub below_top_commented: Vec<bool>,
    /// The review has a dispute / an accepted or partially accepted one.
    pub disputed: bool,
    pub overturned: bool,
}

/// A rating of a category that allows `na`.
#[derive(Debug, Clone, PartialEq)]
pub struct NaRating {
    /// `rubric/category`.
    pub category: String,
    pub title: String,
    pub na: bool,
}

/// Whether a review has a dispute, and whether one was accepted or partially accepted
/// (SPEC §3.1, §5.6): the one place where reviewer statistics read disputes.
pub fn dispute_counts(review: &ReviewFacts) -> (bool, bool) {
    let disputes = &review.snapshot.disputes;
    let overturned = disputes.iter().any(|d| {
        matches!(
            d.status,
            Some(DisputeStatus::Accepted | DisputeStatus::PartiallyAccepted)
        )
    });
    (!disputes.is_empty(), overturned)
}

/// The non-calibration reviews of the state dated within `since..=until`, for reviewer
/// statistics (which ratings carry a comment is in each review's snapshot: no file is read).
pub fn given_reviews(
    state: &QaState,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
) -> Vec<GivenReview> {
    let wanted: Vec<&ReviewFacts> = state
        .reviews
        .iter()
        .filter(|r| {
            r.calibration.is_none()
                && since.is_none_or(|s| r.day >= s)
                && until.is_none_or(|u| r.day <= u)
        })
        .collect();
    wanted.into_iter().map(given_review).collect()
}

fn given_review(r: &ReviewFacts) -> GivenReview {
    let mut na_ratings = Vec::new();
    let mut below_top_commented = Vec::new();
    for c in r.rubric_version.categories.iter() {
        let Some(rating) = r.snapshot.rating(c.id.as_str()) else {
            continue;
        };
        if c.na {
            na_ratings.push(NaRating {
                category: format!("{}/{}", r.rubric, c.id),
                title: c.title.0.clone(),
                na: rating.is_none(),
            });
        }
        if rating.is_some_and(|p| rating_value(p, c.scale.0) < 1.0) {
            below_top_commented.push(r.snapshot.is_commented(c.id.as_str()));
        }
    }
    let (disputed, overturned) = dispute_counts(r);
    GivenReview {
        reviewer: r.reviewer.clone(),
        agent: r.agent.clone(),
        day: r.day,
        score: r.score,
        na_ratings,
        below_top_commented,
        disputed,
        overturned,
    }
}

/// A share of `yes` among some booleans, or `None` for none.
fn share(values: impl IntoIterator<Item = bool>) -> Option<f64> {
    mean(values.into_iter().map(|b| if b { 1.0 } else { 0.0 }))
}

/// The statistics per reviewer and period (`period_of` gives a day's label and an ordinal),
/// sorted by reviewer, then period. Leniency compares each scored review with the scored
/// reviews of the same agent, in the same period, by other reviewers.
pub fn reviewer_rows(
    reviews: &[GivenReview],
    period_of: impl Fn(NaiveDate) -> (String, i64),
) -> Vec<ReviewerRow> {
    let periods: Vec<(String, i64)> = reviews.iter().map(|r| period_of(r.day)).collect();
    // (agent, period) → (reviewer, score) of every scored review.
    let mut by_agent: BTreeMap<(&str, i64), Vec<(&str, f64)>> = BTreeMap::new();
    for (r, (_, p)) in reviews.iter().zip(&periods) {
        if let Some(s) = r.score {
            by_agent
                .entry((&r.agent, *p))
                .or_default()
                .push((&r.reviewer, s));
        }
    }
    // (reviewer, period ordinal) → (label, reviews)
    let mut groups: BTreeMap<(&str, i64), (&str, Vec<&GivenReview>)> = BTreeMap::new();
    for (r, (label, p)) in reviews.iter().zip(&periods) {
        groups
            .entry((&r.reviewer, *p))
            .or_insert_with(|| (label, Vec::new()))
            .1
            .push(r);
    }
    groups
        .into_iter()
        .map(|((reviewer, p), (label, rs))| {
            let leniency = mean(rs.iter().filter_map(|r| {
                let others = by_agent.get(&(r.agent.as_str(), p))?;
                let others = mean(
                    others
                        .iter()
                        .filter(|(who, _)| *who != reviewer)
                        .map(|(_, s)| *s),
                )?;
                Some(r.score? - others)
            }));
            ReviewerRow {
                reviewer: reviewer.to_string(),
                period: label.to_string(),
                reviews: rs.len(),
                mean_score: mean(rs.iter().filter_map(|r| r.score)),
                leniency,
                na_rate: share(rs.iter().flat_map(|r| r.na_ratings.iter().map(|n| n.na))),
                comment_rate: share(rs.iter().flat_map(|r| r.below_top_commented.clone())),
                disputed: rs.iter().filter(|r| r.disputed).count(),
                overturned: rs.iter().filter(|r| r.overturned).count(),
            }
        })
        .collect()
}

/// The N/A rate of each category (that allows `na`) in some reviews, by `rubric/category`;
/// a rate over one half is flagged.
pub fn na_categories<'a>(reviews: impl IntoIterator<Item = &'a GivenReview>) -> Vec<NaCategory> {
    let mut counts: BTreeMap<&str, (&str, usize, usize)> = BTreeMap::new();
    for n in reviews.into_iter().flat_map(|r| &r.na_ratings) {
        let e = counts.entry(&n.category).or_insert((&n.title, 0, 0));
        e.1 += 1;
        e.2 += usize::from(n.na);
    }
    counts
        .into_iter()
        .map(|(category, (title, ratings, na))| {
            let rate = na as f64 / ratings as f64;
            NaCategory {
                category: category.to_string(),
                title: title.to_string(),
                ratings,
                na,
                rate,
                flagged: rate > 0.5,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn review(reviewer: &str, agent: &str, d: u32, score: Option<f64>) -> GivenReview {
        GivenReview {
            reviewer: reviewer.into(),
            agent: agent.into(),
            day: day(d),
            score,
            na_ratings: Vec::new(),
            below_top_commented: Vec::new(),
            disputed: false,
            overturned: false,
        }
    }

    fn monthly(d: NaiveDate) -> (String, i64) {
        use chrono::Datelike;
        (
            format!("{}-{:02}", d.year(), d.month()),
            i64::from(d.month()),
        )
    }

    /// Bob reviews only the best agent (alice), carol reviews both: bob is not lenient for
    /// reviewing a good agent, only by how he scores alice against carol.
    #[test]
    fn leniency_compares_with_the_same_agent_only() {
        let rs = vec![
            review("bob", "alice", 2, Some(95.0)),
            review("carol", "alice", 3, Some(85.0)),
            review("carol", "zed", 4, Some(40.0)),
            review("dave", "zed", 5, None),
        ];
        let rows = reviewer_rows(&rs, monthly);
        let get = |who: &str| rows.iter().find(|r| r.reviewer == who).unwrap().clone();
        assert_eq!(get("bob").leniency, Some(10.0));
        assert_eq!(get("bob").mean_score, Some(95.0));
        // carol: alice 85 − 95 = −10; zed has no other scored review: left out of the mean.
        assert_eq!(get("carol").leniency, Some(-10.0));
        assert_eq!(get("carol").mean_score, Some(62.5));
        assert_eq!(get("carol").reviews, 2);
        // dave's review has no score: counted, but no mean and no leniency.
        assert_eq!(get("dave").reviews, 1);
        assert_eq!(get("dave").mean_score, None);
        assert_eq!(get("dave").leniency, None);
    }

    #[test]
    fn rates_and_flags() {
        let mut a = review("bob", "alice", 2, Some(50.0));
        let na = |c: &str, na| NaRating {
            category: c.into(),
            title: c.into(),
            na,
        };
        a.na_ratings = vec![na("s/x", true), na("s/y", false)];
        a.below_top_commented = vec![true, false, false];
        let mut b = review("bob", "alice", 3, Some(50.0));
        b.na_ratings = vec![na("s/x", true), na("s/y", true)];
        b.below_top_commented = vec![true];
        let rows = reviewer_rows(&[a.clone(), b.clone()], monthly);
        assert_eq!(rows[0].na_rate, Some(0.75));
        assert_eq!(rows[0].comment_rate, Some(0.5));
        let cats = na_categories([&a, &b]);
        assert_eq!((cats[0].na, cats[0].ratings, cats[0].flagged), (2, 2, true));
        // Exactly one half is not flagged.
        assert_eq!(
            (cats[1].na, cats[1].ratings, cats[1].flagged),
            (1, 2, false)
        );
        let none = reviewer_rows(&[review("c", "a", 1, None)], monthly);
        assert_eq!((none[0].na_rate, none[0].comment_rate), (None, None));
    }
}
