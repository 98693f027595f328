//! `rubric diff BASE [HEAD]`: what changed in rubrics, and how scores would move.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, note_left_out, print};
use rubric::output;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The base revision (for a pull request: its target branch).
    base: String,
    /// The head revision (default: the working tree).
    head: Option<String>,
    /// Re-score the reviews of the last DAYS days.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    days: i64,
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Json,
    /// A pull-request comment.
    Md,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let report = rubric::analysis::impact::diff_revisions(
        &ctx.root,
        &args.base,
        args.head.as_deref(),
        args.days,
        ctx.now,
    )?;
    note_left_out(&report.left_out);
    let text = match args.format {
        DiffFormat::Json => json(&report)?,
        DiffFormat::Md => output::diff_md(&report),
        DiffFormat::Human => output::diff_human(&report),
    };
    print(&text)?;
    // A rubric that does not load, or breaks a rule, at either revision is a problem found.
    if report.rubrics.iter().any(|r| r.status == "invalid") {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
