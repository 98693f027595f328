//! The command line: argument parsing with clap, choosing output formats, and exit codes
//! (0 clean, 1 problems found, 2 could not run). Data goes to stdout, diagnostics to stderr.
//!
//! One module per command under `commands/`, each with its `Args` and a `run`; `context`
//! resolves where and when the run happens once; `io` holds the shared output and the state
//! loading; `error` the one error type.

mod commands;
mod context;
mod error;
mod io;

use clap::{Parser, Subcommand};
use commands::*;
use std::path::PathBuf;
use std::process::ExitCode;

pub use context::Context;
pub use error::CliError;

#[derive(Parser, Debug)]
#[command(
    name = "rubric",
    version,
    about = "Customer-service quality assurance kept as code: rubrics and reviews as YAML in git"
)]
pub struct Cli {
    /// Run as if started in DIR (like git -C).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate rubrics, reviews and qa.yaml (exit 0 clean, 1 problems found, 2 could not run).
    Check(check::Args),
    /// One row per review: id, agent, reviewer, date, rubric, score, pass.
    Score(score::Args),
    /// Per-agent (team, category, reviewer) quality over time, from the commit history.
    Trends(trends::Args),
    /// Every version of one review: commit, author, date, score.
    History(history::Args),
    /// What changed in rubrics between two revisions, and how existing scores would move.
    Diff(diff::Args),
    /// One row per rating, for DuckDB, BigQuery or Spark (JSON Lines or CSV).
    Export(export::Args),
    /// Agreement of calibration sessions: Krippendorff's alpha per category, reviewer deviations.
    Calibrate(calibrate::Args),
    /// Reviewer statistics per period: reviews, mean score, leniency, N/A and comment rates.
    Reviewers(reviewers::Args),
    /// Feedback pages: an overview for leads and one page per agent (HTML or Markdown).
    Render(render::Args),
    /// Each person's key to the private pages, and the pages it opens (render --private).
    Keys(keys::Args),
    /// Page templates: `rubric templates init` copies the built-ins out for editing.
    Templates(templates::Args),
    /// Print a bundled JSON Schema.
    Schema(schema::Args),
    /// Scaffold a QA repository (config, example rubric and review, schemas, CI, pre-commit).
    Init(init::Args),
    /// Create a file to fill in.
    #[command(subcommand)]
    New(new_review::New),
    /// Dispute a review: append an open dispute to its file (SPEC §3.1); prints its path.
    Dispute(dispute::Args),
    /// Answer a review's open dispute: accept (applying the proposed ratings), accept in
    /// part, or reject; prints the file's path.
    Resolve(dispute::ResolveArgs),
    /// Every dispute with its outcome, days to resolve and the scores before and after.
    Disputes(disputes::Args),
    /// Sample the conversations to review this cycle from a help-desk export; writes
    /// assignments/<cycle>.yaml.
    Assign(assign::Args),
    /// Assigned, done and missing reviews per cycle, per reviewer and per agent.
    Assignments(assignments::Args),
    /// Print a shell completion script.
    Completions(completions::Args),
    /// Print the man page (roff), or write one page per command with --out DIR.
    Man(man::Args),
}

/// Parses the command line, runs the command, and turns an error into `error: ...` (with its
/// causes) on stderr and exit code 2.
pub fn main() -> ExitCode {
    // Before any thread starts, as git2 requires.
    rubric::load::git::init_process_options();
    let cli = Cli::parse();
    match Context::new(cli.dir.as_deref()).and_then(|ctx| run(&ctx, cli.command)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}", e.report());
            ExitCode::from(2)
        }
    }
}

fn run(ctx: &Context, command: Command) -> Result<ExitCode, CliError> {
    match command {
        Command::Check(args) => check::run(ctx, args),
        Command::Score(args) => score::run(ctx, args),
        Command::Trends(args) => trends::run(ctx, args),
        Command::History(args) => history::run(ctx, args),
        Command::Diff(args) => diff::run(ctx, args),
        Command::Export(args) => export::run(ctx, args),
        Command::Calibrate(args) => calibrate::run(ctx, args),
        Command::Reviewers(args) => reviewers::run(ctx, args),
        Command::Render(args) => render::run(ctx, args),
        Command::Keys(args) => keys::run(ctx, args),
        Command::Templates(args) => templates::run(ctx, args),
        Command::Schema(args) => schema::run(ctx, args),
        Command::Init(args) => init::run(ctx, args),
        Command::New(new_review::New::Review(args)) => new_review::run(ctx, args),
        Command::Dispute(args) => dispute::run(ctx, args),
        Command::Resolve(args) => dispute::run_resolve(ctx, args),
        Command::Disputes(args) => disputes::run(ctx, args),
        Command::Assign(args) => assign::run(ctx, args),
        Command::Assignments(args) => assignments::run(ctx, args),
        Command::Completions(args) => completions::run(ctx, args),
        Command::Man(args) => man::run(ctx, args),
    }
}
