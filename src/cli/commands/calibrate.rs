//! `rubric calibrate`: the agreement of calibration sessions.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::output;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this calibration session.
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let mut ratings = state.calibration_ratings();
    if let Some(s) = &args.session {
        ratings.retain(|r| &r.session == s);
        if ratings.is_empty() {
            return Err(CliError::NoSuchSession(s.clone()));
        }
    }
    let mut report = rubric::analysis::calibration::calibrate(&ratings);
    report.left_out = state.left_out.clone();
    let text = match args.format {
        DataFormat::Json => json(&report)?,
        DataFormat::Csv => output::calibration_csv(&report)?,
        DataFormat::Human => output::calibration(&report),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
