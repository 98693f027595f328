//! The one error type of the binary: why a command could not run (exit code 2).

use rubric::analysis::checking::CheckError;
use rubric::analysis::impact::DiffError;
use rubric::analysis::state::StateError;
use rubric::check::select::SelectError;
use rubric::edit::init::WriteError;
use rubric::edit::new_review::NewError;
use rubric::pages::RenderError;
use std::error::Error as _;

/// Why a command could not run. Library errors keep their own message; their causes stay
/// reachable through `source()`.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("cannot read the current folder: {0}")]
    CurrentDir(#[source] std::io::Error),
    #[error("`{0}` is not a folder")]
    NotAFolder(String),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Check(#[from] CheckError),
    #[error(transparent)]
    Select(#[from] SelectError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Secret(#[from] rubric::pages::private::SecretError),
    /// Options that cannot go together (the message says why and what to do).
    #[error("{0}")]
    Refused(String),
    #[error("no person `{0}`: not in the roster (qa.yaml people) and no agent with reviews")]
    NoSuchPerson(String),
    #[error(transparent)]
    New(#[from] NewError),
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Dispute(#[from] rubric::edit::dispute::DisputeError),
    #[error(transparent)]
    Conversations(#[from] rubric::load::conversations::ExportError),
    #[error(transparent)]
    Plan(#[from] rubric::edit::plan::PlanError),
    /// `assign`, `assignments` or `new review --next` cannot run; the message says why.
    #[error("{0}")]
    Assign(String),
    #[error(
        "who are you? `git config user.email` is not set (it names who opens or answers a dispute)"
    )]
    NoGitUser,
    #[error(
        "your git user.email `{0}` is not in the qa.yaml roster: set `git config user.email` to the \
         e-mail the roster lists for you (or ask a QA lead to add it to your `emails`)"
    )]
    NotInRoster(String),
    #[error("no review `{0}` in the history")]
    NoSuchReview(String),
    #[error("no calibration session `{0}`")]
    NoSuchSession(String),
    #[error("cannot write the output as CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("cannot serialise the output as JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
    #[error("cannot write the export to standard output: {0}")]
    Export(#[source] std::io::Error),
    #[error(
        "cannot write the export to `{path}`: {source} (any previous file there is left as it was)"
    )]
    ExportFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `export --since-commit` names no commit of the repository (or there is no repository).
    #[error("--since-commit `{rev}`: {source}")]
    SinceCommit {
        rev: String,
        #[source]
        source: rubric::load::git::HistoryError,
    },
    #[error("cannot render the man page: {0}")]
    Man(#[source] std::io::Error),
    #[error("cannot write `{path}`: {source}")]
    WriteFile {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl CliError {
    /// The lines for stderr: `error: ...`, then `caused by: ...` for each cause in the source
    /// chain that the text so far does not already say.
    pub fn report(&self) -> String {
        let mut text = format!("error: {self}");
        let mut said = self.to_string();
        let mut cause = self.source();
        while let Some(c) = cause {
            let line = c.to_string();
            if !said.contains(&line) {
                text.push_str(&format!("\ncaused by: {line}"));
                said.push_str(&line);
            }
            cause = c.source();
        }
        text
    }
}
