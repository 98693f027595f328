//! What every command needs to know about where and when it runs, resolved once.

use super::error::CliError;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// The resolved surroundings of one run.
#[derive(Debug, Clone)]
pub struct Context {
    /// Where the user stands (the current folder, or `-C DIR` from it). Paths on the command
    /// line are relative to it.
    pub start: PathBuf,
    /// The QA repository: the nearest folder at or above `start` with `qa.yaml`, `rubrics/`
    /// or `.git` (else `start`).
    pub root: PathBuf,
    /// "Now": `SOURCE_DATE_EPOCH` (reproducible output) when set, else the clock.
    pub now: chrono::DateTime<chrono::Utc>,
    /// Is stderr a terminal (for the progress spinner)?
    pub stderr_terminal: bool,
    /// Colour on stdout: a terminal, and `NO_COLOR` unset.
    pub color: bool,
}

impl Context {
    /// Resolves the context for `-C dir` (or none).
    pub fn new(dir: Option<&Path>) -> Result<Context, CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        let start = match dir {
            Some(d) => cwd.join(d),
            None => cwd,
        };
        if !start.is_dir() {
            return Err(CliError::NotAFolder(start.display().to_string()));
        }
        let root = rubric::load::repo::find_root(&start);
        Ok(Context {
            start,
            root,
            now: now(),
            stderr_terminal: std::io::stderr().is_terminal(),
            color: std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        })
    }
}

/// `SOURCE_DATE_EPOCH` (seconds since 1970, as reproducible builds set it), else the clock. A
/// value that is not such a number is named on stderr, and the clock is used.
fn now() -> chrono::DateTime<chrono::Utc> {
    let Ok(text) = std::env::var("SOURCE_DATE_EPOCH") else {
        return chrono::Utc::now();
    };
    match text
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
    {
        Some(t) => t,
        None => {
            eprintln!(
                "warning: SOURCE_DATE_EPOCH={} is not a number of seconds since 1970; using the \
                 clock",
                rubric::output::terminal::plain(&text)
            );
            chrono::Utc::now()
        }
    }
}
