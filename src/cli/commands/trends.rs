//! `rubric trends`: quality over time per agent, team, category or reviewer.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, DataFormat, StateArgs};
use rubric::analysis::state::QaState;
use rubric::analysis::trends::{By, Observation, Period};
use rubric::output;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// What to group by.
    #[arg(long, value_enum, default_value = "agent")]
    by: ByArg,
    /// The period length.
    #[arg(long, value_enum, default_value = "month")]
    period: PeriodArg,
    /// Only reviews on or after this day (YYYY-MM-DD, in the configured zone).
    #[arg(long, value_name = "DATE")]
    since: Option<chrono::NaiveDate>,
    /// Only reviews on or before this day.
    #[arg(long, value_name = "DATE")]
    until: Option<chrono::NaiveDate>,
    /// Only this agent (roster id or e-mail).
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ByArg {
    Agent,
    Team,
    Category,
    Reviewer,
    /// `conversation.channel` (reviews without one under `(no channel)`).
    Channel,
}

/// A period length on the command line (`trends`, `reviewers`).
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub(crate) enum PeriodArg {
    Week,
    Month,
    Quarter,
    Year,
}

impl PeriodArg {
    pub(crate) fn period(self) -> Period {
        match self {
            PeriodArg::Week => Period::Week,
            PeriodArg::Month => Period::Month,
            PeriodArg::Quarter => Period::Quarter,
            PeriodArg::Year => Period::Year,
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let report = report(&state, &args);
    let text = match args.format {
        DataFormat::Json => json(&report)?,
        DataFormat::Csv => output::trends_csv(&report)?,
        DataFormat::Human => output::trends(&report),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn report(state: &QaState, args: &Args) -> rubric::report::TrendsReport {
    let by = match args.by {
        ByArg::Agent => By::Agent,
        ByArg::Team => By::Team,
        ByArg::Category => By::Category,
        ByArg::Reviewer => By::Reviewer,
        ByArg::Channel => By::Channel,
    };
    let period = args.period.period();
    let obs = observations(state, args, by);
    rubric::report::TrendsReport {
        by: by.name().to_string(),
        period: period.name().to_string(),
        rows: rubric::analysis::trends::trends(&obs, period, state.week_start),
        partial: state.partial,
        left_out: state.left_out.clone(),
    }
}

/// The values to average: per review (its score) or per rating (by category), within the
/// filters.
fn observations(state: &QaState, args: &Args, by: By) -> Vec<Observation> {
    let agent = args.agent.as_deref().map(|a| state.person(a));
    let mut obs = Vec::new();
    for r in &state.reviews {
        // Calibration reviews are independent re-ratings, not the agent's record.
        if r.calibration.is_some()
            || args.since.is_some_and(|s| r.day < s)
            || args.until.is_some_and(|u| r.day > u)
            || agent.as_ref().is_some_and(|a| *a != r.agent)
        {
            continue;
        }
        if let By::Category = by {
            // `rubric/category`: `tone` of two rubrics are two questions, two rows.
            for (category, value) in state.categories(r) {
                obs.push(Observation {
                    key: format!("{}/{category}", r.rubric),
                    day: r.day,
                    value,
                });
            }
            continue;
        }
        let Some(score) = r.score else { continue };
        let key = match by {
            By::Agent => r.agent.clone(),
            By::Reviewer => r.reviewer.clone(),
            By::Channel => r
                .snapshot
                .channel
                .as_deref()
                .unwrap_or("(no channel)")
                .to_string(),
            _ => state
                .team(&r.agent)
                .unwrap_or_else(|| "(no team)".to_string()),
        };
        obs.push(Observation {
            key,
            day: r.day,
            value: score,
        });
    }
    obs
}
