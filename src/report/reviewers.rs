//! `rubric reviewers`' report (SPEC §5.6, §7) and the reviewers page's context: how each
//! reviewer grades, per period.

use serde::Serialize;

/// `reviewers --format json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewersReport {
    /// `week`, `month`, `quarter` or `year`.
    pub period: String,
    pub rows: Vec<ReviewerRow>,
    /// Review files left out (SPEC §5.5).
    pub left_out: Vec<super::LeftOut>,
}

/// One reviewer in one period, over the non-calibration reviews they gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerRow {
    pub reviewer: String,
    /// `2026-11`, `2026-W47`, `2026-Q4` or `2026` (`all` on the page's summary).
    pub period: String,
    /// Reviews given (scored or not).
    pub reviews: usize,
    /// The mean score of their scored reviews.
    pub mean_score: Option<f64>,
    /// The mean over their scored reviews of (score − the mean score of the same agent's
    /// reviews by other reviewers in the same period); null where no review has such a
    /// comparison.
    pub leniency: Option<f64>,
    /// The share (0..1) of their ratings of categories that allow `na` that are `na`.
    pub na_rate: Option<f64>,
    /// The share (0..1) of their numeric ratings below the top of the scale that carry a
    /// comment.
    pub comment_rate: Option<f64>,
    /// Reviews with a dispute.
    pub disputed: usize,
    /// Reviews with an accepted or partially accepted dispute.
    pub overturned: usize,
}

/// One reviewer on the reviewers page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerPage {
    /// The reviewer's id (or "Reviewer N" when anonymized).
    pub id: String,
    /// Roster name, else the id.
    pub name: String,
    /// The figures over every period (`period` is `all`).
    pub overall: ReviewerRow,
    /// The figures month by month, oldest first.
    pub months: Vec<ReviewerRow>,
    /// The reviewer's mean absolute deviation from the consensus in each calibration session.
    pub calibration: Vec<SessionDeviation>,
    /// The N/A rate of each category (that allows `na`) the reviewer rated.
    pub na_categories: Vec<NaCategory>,
}

/// A reviewer's deviation in one calibration session (as in `calibrate`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionDeviation {
    pub session: String,
    pub mean_abs_deviation: Option<f64>,
}

/// How often a reviewer rated one category `na`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NaCategory {
    /// `rubric/category`.
    pub category: String,
    pub title: String,
    /// Ratings of the category (numeric or `na`).
    pub ratings: usize,
    pub na: usize,
    /// `na / ratings`, 0..1.
    pub rate: f64,
    /// The rate is over one half.
    pub flagged: bool,
}
