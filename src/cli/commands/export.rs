//! `rubric export`: one row per rating, as JSON Lines or CSV.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, StateArgs};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    /// Write the export to this file, replaced whole (a temporary file beside it, then a
    /// rename: a failed export leaves a previous file as it was), instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
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
    let csv = args.format == ExportFormat::Csv;
    if let Some(path) = &args.output {
        let disk = &rubric::load::disk::REAL;
        rubric::output::export::export_to_file(disk, path, &rows, csv).map_err(|source| {
            CliError::ExportFile {
                path: path.display().to_string(),
                source,
            }
        })?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    match rubric::output::export::export(&rows, csv, &mut out) {
        Ok(()) => {}
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(CliError::Export(e)),
    }
    Ok(ExitCode::SUCCESS)
}
