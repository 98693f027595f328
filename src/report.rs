//! The report types that other tools rely on (SPEC §7): what `--format json` prints and what
//! templates see. Field names here are a public contract; change them only with the SPEC.

use crate::diagnostic::{Diagnostic, Severity};
use serde::Serialize;

/// The result of `rubric check`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub files_checked: usize,
    /// The checked files, relative to the repository root (not part of the JSON).
    pub files: Vec<String>,
    pub problems: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }

    /// The SPEC §7 JSON document.
    pub fn to_json(&self) -> CheckJson<'_> {
        CheckJson {
            files_checked: self.files_checked,
            problems: self
                .problems
                .iter()
                .map(|d| ProblemJson {
                    path: &d.path,
                    line: d.line,
                    column: d.column,
                    severity: d.severity,
                    code: d.code.name(),
                    message: &d.message,
                })
                .collect(),
        }
    }
}

/// `check --format json`: `{"files_checked": N, "problems": [...]}`.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    pub files_checked: usize,
    pub problems: Vec<ProblemJson<'a>>,
}

/// One problem: path relative to the repository root, 1-based line and column.
#[derive(Debug, Serialize)]
pub struct ProblemJson<'a> {
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub code: &'a str,
    pub message: &'a str,
}

/// One row of `rubric score` (SPEC §7): one review as it is in the state read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    pub id: String,
    pub path: String,
    pub agent: String,
    pub reviewer: String,
    /// RFC 3339: a full date for a date-only `reviewed_at`, else a time in the configured zone.
    pub date: String,
    pub rubric: String,
    pub version: u32,
    pub score: Option<f64>,
    pub pass: Option<bool>,
    pub calibration: Option<String>,
    /// Not committed yet: reviewer and date defaults come from `git config user.email` and
    /// today.
    pub uncommitted: bool,
}

/// `rubric trends --format json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendsReport {
    pub by: String,
    pub period: String,
    pub rows: Vec<TrendRow>,
    /// True when the history was partial (a shallow clone with --allow-shallow).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}

/// One key in one period: the mean score (IQS, or a category's mean value ×100).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    pub key: String,
    pub period: String,
    pub reviews: usize,
    pub score: f64,
    /// Against the key's previous period (the one right before), when it had reviews.
    pub change: Option<f64>,
}

/// One version of a review (`rubric history ID`), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub commit: String,
    pub author: String,
    /// The commit's author date, RFC 3339 in the configured zone.
    pub date: String,
    pub score: Option<f64>,
    /// added, edited, moved or deleted.
    pub kind: String,
    pub path: String,
}
