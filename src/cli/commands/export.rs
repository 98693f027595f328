//! `rubric export`: one row per rating, as JSON Lines or CSV; with `--since-commit`, only the
//! rows that changed since a commit (upserts and deletes), for a warehouse table.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, StateArgs};
use rubric::analysis::state::{HistoryUse, QaState, StateOptions};
use rubric::report::{Change, ExportRow};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    /// Write the export to this file, replaced whole (a temporary file beside it, then a
    /// rename: a failed export leaves a previous file as it was), instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<std::path::PathBuf>,
    /// Only the rows that changed since the export at this commit: `upsert` rows (every row
    /// of a review added or changed) and `delete` rows (rows gone), keyed by review and
    /// category. Applied to a table holding the export at COMMIT, they make it equal to the
    /// export now.
    #[arg(long, value_name = "COMMIT")]
    since_commit: Option<String>,
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
    let rows = match &args.since_commit {
        None => state.export_rows(),
        Some(rev) => increment(ctx, &args.state, &state, rev)?,
    };
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

/// The rows that turn the export of the state at `rev` into the export of `now`: both
/// exports computed by the same code, from the same kind of state, and compared.
fn increment(
    ctx: &Context,
    args: &StateArgs,
    now: &QaState,
    rev: &str,
) -> Result<Vec<ExportRow>, CliError> {
    let since_error = |source| CliError::SinceCommit {
        rev: rev.to_string(),
        source,
    };
    let Some(scan) = &now.scan else {
        return Err(since_error(rubric::load::git::HistoryError::NoRepository));
    };
    let from = scan.history.resolve(Some(rev)).map_err(since_error)?;
    let to = scan.tip;
    if !scan.history.is_ancestor(from, to) {
        eprintln!(
            "warning: --since-commit {rev} ({from}) is not an ancestor of {to}: the rows are \
             still the difference between the two exports"
        );
    }
    let opts = StateOptions {
        history: HistoryUse::Required,
        scan: rubric::history::scan::ScanOptions {
            rev: Some(from.to_string()),
            no_cache: args.no_cache,
            allow_shallow: args.allow_shallow,
        },
        now: ctx.now,
        ..StateOptions::default()
    };
    // The earlier state's own notes (files left out then) are not news: not printed.
    let before = QaState::load(&ctx.root, &opts, &mut |_| {})?;
    let commits = now.review_commits();
    let rows =
        rubric::analysis::increment::increment(&before.export_rows(), &now.export_rows(), &|id| {
            commits.of(id, None)
        });
    let count = |c: Change| rows.iter().filter(|r| r.change == c).count();
    let target = match &args.rev {
        Some(_) => format!("{to}"),
        None => format!("the working tree (HEAD {to})"),
    };
    eprintln!(
        "export: since {from} to {target}: {} upsert and {} delete row(s)",
        count(Change::Upsert),
        count(Change::Delete)
    );
    Ok(rows)
}
