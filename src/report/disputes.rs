//! `rubric disputes --format json` (SPEC §7): every dispute with its outcome and the scores
//! before and after, and a summary by outcome, reviewer and category.

use crate::report::LeftOut;
use serde::Serialize;
use std::collections::BTreeMap;

/// One dispute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeRow {
    pub review: String,
    pub path: String,
    pub agent: String,
    /// The reviewer of the disputed review.
    pub reviewer: String,
    /// As written (a date or an RFC 3339 time).
    pub opened: String,
    pub by: String,
    /// `rating` or `wrong-agent`.
    pub kind: String,
    /// `open`, `accepted`, `partially-accepted` or `rejected`.
    pub status: String,
    pub resolved: Option<String>,
    /// Who answered (`resolved_by`, else the author of the commit that set the status).
    pub resolved_by: Option<String>,
    /// Whole days from `opened` to `resolved` (dates in the configured zone); null while open.
    pub days_to_resolve: Option<i64>,
    /// Whole days since `opened` for an open dispute; null once resolved.
    pub age_days: Option<i64>,
    /// Category → the rating asked for (a number or "na").
    pub proposed: BTreeMap<String, serde_json::Value>,
    pub proposed_agent: Option<String>,
    /// The proposed categories that the answer granted.
    pub granted: Vec<String>,
    pub reason: String,
    pub response: Option<String>,
    /// The review's score when the dispute was opened.
    pub score_before: Option<f64>,
    /// The review's score now.
    pub score_after: Option<f64>,
    /// The review's score in the version that answered the dispute (null while open).
    pub score_resolved: Option<f64>,
    /// The commits that opened and answered it (null: not committed yet).
    pub opened_commit: Option<String>,
    pub resolved_commit: Option<String>,
}

/// How often one reviewer's reviews, or one category's ratings, were changed by a dispute.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AcceptRate {
    /// The reviewer, or the category as `rubric/category`.
    pub key: String,
    /// Resolved disputes (for a category: resolved disputes that proposed it).
    pub resolved: usize,
    /// Of those, accepted in whole or in part (for a category: that granted it).
    pub granted: usize,
    /// granted / resolved.
    pub rate: f64,
}

/// The summary of the disputes listed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputesSummary {
    pub open: usize,
    pub accepted: usize,
    pub partially_accepted: usize,
    pub rejected: usize,
    pub mean_days_to_resolve: Option<f64>,
    pub accept_rate_by_reviewer: Vec<AcceptRate>,
    pub accept_rate_by_category: Vec<AcceptRate>,
}

/// `{"disputes": [...], "summary": {...}, "left_out": [...]}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputesReport {
    pub disputes: Vec<DisputeRow>,
    pub summary: DisputesSummary,
    pub left_out: Vec<LeftOut>,
}

/// A dispute that a pull request opens or answers (`rubric diff`): the review's score at the
/// base and at the head.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DisputeChange {
    pub review: String,
    pub path: String,
    pub agent: String,
    /// 1-based, in the review's `disputes`.
    pub dispute: usize,
    pub kind: String,
    /// `opened`, or the answer: `accepted`, `partially-accepted`, `rejected`.
    pub change: String,
    pub by: String,
    pub proposed: BTreeMap<String, serde_json::Value>,
    pub proposed_agent: Option<String>,
    pub score_before: Option<f64>,
    pub score_after: Option<f64>,
}
