//! `rubric assignments`: per cycle, what was assigned, what is done and what is missing, per
//! reviewer and per agent (SPEC §7).

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state_using, print, DataFormat, StateArgs};
use rubric::analysis::assignments::report;
use rubric::analysis::state::HistoryUse;
use rubric::model::assignments::CycleLabel;
use rubric::output::assignments;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this cycle (2026-W48 or 2026-11).
    #[arg(long, value_name = "CYCLE")]
    cycle: Option<String>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    if let Some(c) = &args.cycle {
        CycleLabel::try_from(c.clone()).map_err(CliError::Assign)?;
    }
    let state = load_state_using(ctx, &args.state, HistoryUse::Optional)?;
    for f in &state.files {
        if f.kind != rubric::load::repo::FileKind::Assignment {
            continue;
        }
        let plain = rubric::output::terminal::plain(&f.rel);
        match state.plans.iter().find(|p| p.rel == f.rel) {
            None => eprintln!(
                "left out: {plain}: it does not match the plan schema (run `rubric check`)"
            ),
            Some(p) if p.has_errors => {
                eprintln!("warning: {plain} has problems (run `rubric check`)")
            }
            Some(_) => {}
        }
    }
    let r = report(&state, args.cycle.as_deref());
    let text = match args.format {
        DataFormat::Json => json(&r)?,
        DataFormat::Csv => assignments::csv(&r)?,
        DataFormat::Human => assignments::human(&r),
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}
