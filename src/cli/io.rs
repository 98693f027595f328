//! Output to stdout (a closed pipe is not an error), JSON, and reading the QA state with its
//! notes on stderr.

use super::context::Context;
use super::error::CliError;
use rubric::analysis::state::{QaState, StateOptions};
use rubric::output::terminal::plain;
use std::io::Write;
use std::time::{Duration, Instant};

/// The options of every command that reads the QA state.
#[derive(clap::Args, Debug, Default)]
pub struct StateArgs {
    /// Read the reviews in this commit's tree instead of the files on disk.
    #[arg(long, value_name = "REV")]
    pub rev: Option<String>,
    /// Neither read nor write the history cache under .git/rubric/.
    #[arg(long)]
    pub no_cache: bool,
    /// Accept a shallow clone; the output is then marked partial.
    #[arg(long)]
    pub allow_shallow: bool,
}

/// The data formats of `score`, `trends`, `history` and `calibrate`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataFormat {
    Human,
    Json,
    Csv,
}

/// Writes data to stdout; a closed pipe is not an error worth a panic.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Output(e)),
    }
}

/// Pretty JSON with a final newline. A value that cannot be serialised is an error, never
/// empty output.
pub fn json<T: serde::Serialize>(v: &T) -> Result<String, CliError> {
    let mut s = serde_json::to_string_pretty(v)?;
    s.push('\n');
    Ok(s)
}

/// Prints `v` as pretty JSON.
pub fn print_json<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    print(&json(v)?)
}

/// Names on stderr every review file left out (SPEC §5.5), then how many.
pub fn note_left_out(left_out: &[rubric::report::LeftOut]) {
    for l in left_out {
        eprintln!(
            "left out: {}: {} ({})",
            plain(&l.path),
            plain(&l.message),
            l.code
        );
    }
    if !left_out.is_empty() {
        eprintln!(
            "warning: {} review file(s) that `rubric check` rejects were left out (listed above; \
             run `rubric check` for details)",
            left_out.len()
        );
    }
}

/// Reads the QA state, with a progress spinner on a terminal, and prints its warnings and the
/// review files it left out on stderr.
pub fn load_state(ctx: &Context, args: &StateArgs) -> Result<QaState, CliError> {
    load_state_using(ctx, args, rubric::analysis::state::HistoryUse::Required)
}

/// [`load_state`] with a choice of how much the history matters.
pub fn load_state_using(
    ctx: &Context,
    args: &StateArgs,
    history: rubric::analysis::state::HistoryUse,
) -> Result<QaState, CliError> {
    let bar = Spinner::new(ctx.stderr_terminal);
    let opts = StateOptions {
        history,
        scan: rubric::history::scan::ScanOptions {
            rev: args.rev.clone(),
            no_cache: args.no_cache,
            allow_shallow: args.allow_shallow,
        },
        now: ctx.now,
        ..StateOptions::default()
    };
    let state = QaState::load(&ctx.root, &opts, &mut |n| bar.set(n));
    bar.finish();
    let state = state?;
    for w in &state.warnings {
        eprintln!("warning: {}", plain(w));
    }
    note_left_out(&state.left_out);
    Ok(state)
}

/// A spinner on stderr, only on a terminal and only once the scan has taken a moment.
struct Spinner {
    bar: indicatif::ProgressBar,
    terminal: bool,
    started: Instant,
    shown: std::cell::Cell<bool>,
}

impl Spinner {
    fn new(terminal: bool) -> Spinner {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} reading history: {pos} commits")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        Spinner {
            bar,
            terminal,
            started: Instant::now(),
            shown: std::cell::Cell::new(false),
        }
    }

    /// `n` commits read so far.
    fn set(&self, n: usize) {
        if self.terminal && !self.shown.get() && self.started.elapsed() > Duration::from_millis(300)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(120));
            self.shown.set(true);
        }
        self.bar.set_position(n as u64);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
