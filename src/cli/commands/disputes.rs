//! `rubric disputes`: every dispute with its outcome, days to resolve and the scores before
//! and after, and a summary (SPEC §7).

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::analysis::disputes::{collect, report, StatusFilter};
use rubric::output::disputes;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only open disputes, or only resolved ones.
    #[arg(long, value_enum)]
    status: Option<StatusArg>,
    /// Only disputes opened on or after this day (YYYY-MM-DD, in the configured zone).
    #[arg(long, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum StatusArg {
    Open,
    Resolved,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let user = state.scan.as_ref().and_then(|s| s.history.user_email());
    let status = match args.status {
        None => StatusFilter::All,
        Some(StatusArg::Open) => StatusFilter::Open,
        Some(StatusArg::Resolved) => StatusFilter::Resolved,
    };
    let today = ctx.now.with_timezone(&state.tz).date_naive();
    let facts = collect(&state, user.as_deref());
    let r = report(facts, today, status, args.since, state.left_out.clone());
    let text = match args.format {
        DataFormat::Json => json(&r)?,
        DataFormat::Csv => disputes::csv(&r)?,
        DataFormat::Human => disputes::human(&r),
    };
    print(&text)?;
    state.all_read()?;
    Ok(ExitCode::SUCCESS)
}
