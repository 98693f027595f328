//! `rubric score [PATH...]`: one row per review.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::output;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only these review files or folders.
    paths: Vec<PathBuf>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    // Paths on the command line are relative to where the user stands.
    let paths: Vec<PathBuf> = args.paths.iter().map(|p| ctx.start.join(p)).collect();
    let selected = rubric::check::select::select(
        &ctx.root,
        &paths,
        None,
        &state.files,
        &state.review_rubrics,
        None,
    )?;
    let rows: Vec<rubric::report::ScoreRow> = state
        .reviews
        .iter()
        .filter(|r| selected.as_ref().is_none_or(|s| s.contains(&r.path)))
        .map(|r| r.row())
        .collect();
    let text = match args.format {
        DataFormat::Json => json(&rows)?,
        DataFormat::Csv => output::score_csv(&rows)?,
        DataFormat::Human => output::score_rows(&rows),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
