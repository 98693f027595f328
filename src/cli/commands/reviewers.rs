//! `rubric reviewers`: how each reviewer grades, per period (SPEC §5.6).

use crate::cli::commands::trends::PeriodArg;
use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::analysis::reviewers::{given_reviews, reviewer_rows};
use rubric::analysis::trends::period_of;
use rubric::output::reviewers as out;
use rubric::report::reviewers::ReviewersReport;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The period length.
    #[arg(long, value_enum, default_value = "month")]
    period: PeriodArg,
    /// Only reviews on or after this day (YYYY-MM-DD, in the configured zone).
    #[arg(long, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Only reviews on or before this day.
    #[arg(long, value_name = "DATE")]
    until: Option<chrono::NaiveDate>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let period = args.period.period();
    let given = given_reviews(&state, args.since, args.until);
    let report = ReviewersReport {
        period: period.name().to_string(),
        rows: reviewer_rows(&given, |d| period_of(d, period, state.week_start)),
        left_out: state.left_out.clone(),
    };
    let text = match args.format {
        DataFormat::Json => json(&report)?,
        DataFormat::Csv => out::reviewers_csv(&report)?,
        DataFormat::Human => out::reviewers(&report),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
