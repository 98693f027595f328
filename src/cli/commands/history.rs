//! `rubric history ID`: every version of one review.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::output;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The review id.
    id: String,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let rows = state
        .history(&args.id)
        .ok_or_else(|| CliError::NoSuchReview(args.id.clone()))?;
    let text = match args.format {
        DataFormat::Json => json(&rows)?,
        DataFormat::Csv => output::history_csv(&rows)?,
        DataFormat::Human => output::history(&rows),
    };
    print(&text)?;
    state.all_read()?;
    Ok(ExitCode::SUCCESS)
}
