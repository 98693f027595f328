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
