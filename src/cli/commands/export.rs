//! `rubric export`: one row per rating, as JSON Lines or CSV.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, StateArgs};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    Jsonl,
    Csv,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state(ctx, &args.state)?;
    let rows = state.export_rows();
    let mut out = std::io::stdout().lock();
    match rubric::output::export::export(&rows, args.format == ExportFormat::Csv, &mut out) {
        Ok(()) => {}
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Export(e)),
    }
    Ok(ExitCode::SUCCESS)
}
