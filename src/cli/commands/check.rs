//! `rubric check [PATH...]`: validate rubrics, reviews and qa.yaml.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use rubric::analysis::checking::{check, CheckOptions};
use rubric::output::{self, CheckFormat};
use rubric::report::CheckReport;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Files or folders to report on (default: the whole repository).
    paths: Vec<PathBuf>,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Only check files changed since REV, plus the reviews of changed rubrics.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
    /// Largest file size in bytes that is read.
    #[arg(long, value_name = "BYTES", default_value_t = rubric::load::yaml::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: usize,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let format = check_format(args.format);
    let opts = CheckOptions {
        // Paths on the command line are relative to where the user stands.
        paths: args.paths.iter().map(|p| ctx.start.join(p)).collect(),
        changed_since: args.changed_since,
        max_file_size: args.max_file_size,
        now: ctx.now,
    };
    let report = check(&ctx.root, &opts)?;
    let root = &ctx.root;
    let canon = std::fs::canonicalize(root).unwrap_or(root.clone());
    // Source lines for the human format, read no further than the size limit.
    let max = args.max_file_size;
    let source = |rel: &str| read_source(root, rel, max);
    let prefix = rubric::load::git::History::open(root)
        .map(|h| h.prefix().to_string())
        .unwrap_or_default();
    let text = output::render_check(
        &report,
        format,
        &source,
        ctx.color,
        &output::dir_uri(&canon),
        &prefix,
    );
    print(&text)?;
    Ok(exit_code(&report))
}

/// `--format`, else github under GitHub Actions, else human.
fn check_format(given: Option<Format>) -> CheckFormat {
    let format = match given {
        Some(f) => f,
        None if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") => Format::Github,
        None => Format::Human,
    };
    match format {
        Format::Human => CheckFormat::Human,
        Format::Json => CheckFormat::Json,
        Format::Github => CheckFormat::Github,
        Format::Sarif => CheckFormat::Sarif,
        Format::Junit => CheckFormat::Junit,
    }
}

/// 2 when a file could not be read, 1 for errors, else 0.
fn exit_code(report: &CheckReport) -> ExitCode {
    // A file that could not be read leaves the check incomplete: "could not run" (SPEC §6: 2
    // for an I/O error), even though the report lists everything else.
    let unreadable = report.problems.iter().any(|d| d.code == rubric::Code::Io);
    if unreadable {
        ExitCode::from(2)
    } else if report.errors() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A file's text for the human format's source lines, read no further than the size limit.
fn read_source(root: &Path, rel: &str, max: usize) -> Option<String> {
    // The one safe reader: no FIFO is opened, no link out of the repository followed.
    match rubric::load::file::read_within(root, rel, max) {
        rubric::load::file::Input::Bytes(b) => String::from_utf8(b).ok(),
        _ => None,
    }
}
