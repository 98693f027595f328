//! `rubric diff`'s report: the rubric changes between two revisions and their impact on the
//! scores of existing reviews.

use crate::model::rubric_diff::RubricDiff;
use serde::Serialize;

/// One review whose score the change would move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    pub id: String,
    pub agent: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub delta: Option<f64>,
}

/// One agent's IQS over the window, under the old and the new version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentImpact {
    pub agent: String,
    pub reviews: usize,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub delta: Option<f64>,
}

/// What applying a new rubric version to the reviews of the old one would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    pub rubric: String,
    pub from_version: u32,
    pub to_version: u32,
    pub since: String,
    pub reviews: usize,
    pub team_before: Option<f64>,
    pub team_after: Option<f64>,
    pub pass_to_fail: usize,
    pub fail_to_pass: usize,
    pub agents: Vec<AgentImpact>,
    /// The largest moves first.
    pub movers: Vec<Mover>,
}

/// `rubric diff --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub base: String,
    pub head: String,
    pub rubrics: Vec<RubricDiff>,
    pub impact: Vec<Impact>,
    /// Review files left out of the re-scoring because `check` rejects them (SPEC §5.5).
    pub left_out: Vec<super::LeftOut>,
    /// The disputes the head opens or answers (SPEC §3.1).
    pub disputes: Vec<super::disputes::DisputeChange>,
}
