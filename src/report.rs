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
