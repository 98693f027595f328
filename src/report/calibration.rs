//! `rubric calibrate`'s report (SPEC §7): agreement per session and category, and each
//! reviewer's deviation from the consensus.

use serde::Serialize;

/// Why an alpha is undefined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undefined {
    /// All the pairable ratings are the same: nothing to agree or disagree about.
    NoVariation,
    /// No conversation has two ratings to pair.
    TooFewRatings,
}

impl Undefined {
    /// The reason's name for templates: `no_variation` or `too_few_ratings`.
    pub fn name(self) -> &'static str {
        match self {
            Undefined::NoVariation => "no_variation",
            Undefined::TooFewRatings => "too_few_ratings",
        }
    }
}

/// `calibrate --format json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationReport {
    pub sessions: Vec<Session>,
    /// Review files left out (SPEC §5.5); filled in by the caller that knows the state.
    pub left_out: Vec<super::LeftOut>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    pub session: String,
    pub conversations: usize,
    pub reviewers: usize,
    pub categories: Vec<CategoryAgreement>,
    pub deviations: Vec<Deviation>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryAgreement {
    pub category: String,
    pub alpha: Option<f64>,
    pub alpha_ordinal: Option<f64>,
    pub alpha_nominal: Option<f64>,
    /// Numeric ratings in the session for this category.
    pub ratings: usize,
    /// Of those, the ratings on conversations with at least two numeric ratings: the ones
    /// alpha pairs. Not in the JSON (SPEC §7).
    #[serde(skip)]
    pub pairable: usize,
    /// Why the alphas are undefined, where they are (the same reason for all three metrics:
    /// they pair the same ratings). Not in the JSON, where `alpha` is null (SPEC §7).
    #[serde(skip)]
    pub undefined: Option<Undefined>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deviation {
    pub reviewer: String,
    /// Mean |value − median of the conversation's values| ×100, over the reviewer's numeric
    /// ratings in the session (values on the 0..100 scale).
    pub mean_abs_deviation: Option<f64>,
}

/// One calibration session as the site's calibration page shows it: `calibrate`'s figures
/// with names and titles, and who rated what. Not part of `calibrate`'s JSON (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionPage {
    pub session: String,
    /// The first and last day (`2026-11-04`, in the configured zone) of the session's reviews.
    pub first_day: String,
    pub last_day: String,
    /// The reviewers' names (roster name, else id; "Reviewer 1", … when anonymized), in id
    /// order: the columns of every matrix, and the order of `deviations`.
    pub reviewers: Vec<String>,
    /// The rated conversations, in id order: the rows of every matrix.
    pub conversations: Vec<PageConversation>,
    pub categories: Vec<CategoryPage>,
    /// Each reviewer's mean distance from the consensus, with `reviewer` a name as above.
    pub deviations: Vec<Deviation>,
}

/// A conversation of a calibration session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PageConversation {
    pub conversation: String,
    /// The agent's name (roster name, else id; agents are never anonymized); more than one
    /// joined with ", " should the session's reviews disagree.
    pub agent: String,
    /// The conversation link (http or https only), or none.
    pub url: Option<String>,
}

/// One category of a calibration session: agreement and who rated what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryPage {
    pub category: String,
    /// The category's title in the rubric.
    pub title: String,
    /// The top of its scale (ratings run 1..scale).
    pub scale: u8,
    pub alpha: Option<f64>,
    pub alpha_ordinal: Option<f64>,
    pub alpha_nominal: Option<f64>,
    /// Numeric ratings of the category in the session.
    pub ratings: usize,
    /// Of those, the ones alpha pairs (on conversations with two numeric ratings or more).
    pub pairable: usize,
    /// Fewer than 10 pairable ratings (but some): an alpha from so few says little.
    pub few_ratings: bool,
    /// Why the alphas are none: `no_variation` (every pairable rating was the same: all
    /// agreed) or `too_few_ratings` (no conversation rated twice: cannot be computed).
    pub undefined_reason: Option<&'static str>,
    /// One row per conversation of the session.
    pub rows: Vec<MatrixRow>,
}

/// One conversation's ratings of a category, one cell per reviewer of the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixRow {
    pub conversation: String,
    pub ratings: Vec<MatrixCell>,
    /// The median of the numeric ratings (the consensus deviations are measured from), or
    /// none without any.
    pub consensus: Option<f64>,
}

/// One reviewer's rating of one conversation and category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixCell {
    /// The reviewer rated this category of this conversation (a number or `na`).
    pub rated: bool,
    /// The rating (1..scale); none for `na` or not rated.
    pub rating: Option<i64>,
}
