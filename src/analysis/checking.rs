//! `rubric check`: the one QA state's diagnostics, with version discipline for a pull request
//! (`--changed-since`), narrowed to the files asked about.

use crate::analysis::state::{HistoryUse, QaState, StateError, StateOptions};
use crate::check::select::{select, SelectError};
use crate::check::versions::version_discipline;
use crate::load::git::{History, HistoryError};
use crate::load::yaml;
use crate::model::Rubric;
use crate::report::CheckReport;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Only report on these files or folders (absolute, or relative to the root). Empty: all.
    pub paths: Vec<PathBuf>,
    /// Only report on files changed since this revision, plus reviews of changed rubrics.
    pub changed_since: Option<String>,
    pub max_file_size: usize,
    /// "Now", for future-date warnings.
    pub now: DateTime<Utc>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: Vec::new(),
            changed_since: None,
            max_file_size: yaml::DEFAULT_MAX_FILE_SIZE,
            now: Utc::now(),
        }
    }
}

/// Why a check could not run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    History(#[from] HistoryError),
}

/// The state `check` reads: history where the repository has it, and without it otherwise.
pub fn state_options(opts: &CheckOptions) -> StateOptions {
    StateOptions {
        history: HistoryUse::Optional,
        max_file_size: opts.max_file_size,
        now: opts.now,
        ..StateOptions::default()
    }
}

/// Checks the QA repository at `root`.
pub fn check(root: &Path, opts: &CheckOptions) -> Result<CheckReport, CheckError> {
    let state = QaState::load(root, &state_options(opts), &mut |_| {})?;
    report(&state, opts)
}

/// The check report of a loaded state.
pub fn report(state: &QaState, opts: &CheckOptions) -> Result<CheckReport, CheckError> {
    let mut problems = state.diagnostics.clone();
    let history = History::open(&state.root).ok();
    if let (Some(rev), Some(h)) = (&opts.changed_since, &history) {
        let historic = |id: &str, v: u32| -> Vec<(String, Rubric)> {
            let index = match state.rubrics.lock() {
                Ok(i) => i,
                Err(_) => return Vec::new(),
            };
            index
                .committed(id, v)
                .iter()
                .map(|x| (x.source.clone(), (*x.rubric).clone()))
                .collect()
        };
        let found = version_discipline(h, rev, &state.rubric_files, &historic)?;
        // In a pull request the version rules for the changed rubric speak for themselves:
        // the history's warning on the same file would only repeat them.
        problems.retain(|d| {
            d.code != crate::Code::VersionNotBumped
                || d.severity == crate::Severity::Error
                || !found.iter().any(|f| f.path == d.path)
        });
        problems.extend(found);
    }
    let selected = select(
        &state.root,
        &opts.paths,
        opts.changed_since.as_deref(),
        &state.files,
        &state.review_rubrics,
        history.as_ref(),
    )?;
    if let Some(sel) = &selected {
        problems.retain(|d| sel.contains(&d.path));
    }
    problems.sort_by(|a, b| {
        let review = |p: &str| p.starts_with(state.config.paths.reviews.as_str());
        (review(&a.path), &a.path, a.line, a.column, a.code).cmp(&(
            review(&b.path),
            &b.path,
            b.line,
            b.column,
            b.code,
        ))
    });
    problems.dedup();
    let files: Vec<String> = state
        .files
        .iter()
        .filter(|f| selected.as_ref().is_none_or(|sel| sel.contains(&f.rel)))
        .map(|f| f.rel.clone())
        .collect();
    Ok(CheckReport {
        files_checked: files.len(),
        files,
        problems,
    })
}
