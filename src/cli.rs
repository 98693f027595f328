//! The command line: argument parsing with clap, choosing output formats, and exit codes
//! (0 clean, 1 problems found, 2 could not run). Data goes to stdout, diagnostics to stderr.

use clap::{Parser, Subcommand, ValueEnum};
use rubric::check::{check, CheckOptions};
use rubric::output::{self, CheckFormat};
use rubric::repo;
use rubric::schema::Kind;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "rubric",
    version,
    about = "Customer-service quality assurance kept as code: rubrics and reviews as YAML in git"
)]
struct Cli {
    /// Run as if started in DIR (like git -C).
    #[arg(short = 'C', global = true, value_name = "DIR")]
    dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate rubrics, reviews and qa.yaml (exit 0 clean, 1 problems found, 2 could not run).
    Check(CheckArgs),
    /// Print a bundled JSON Schema.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// Files or folders to report on (default: the whole repository).
    paths: Vec<PathBuf>,
    /// Output format (default: github when GITHUB_ACTIONS=true, else human).
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Only check files changed since REV, plus the reviews of changed rubrics.
    #[arg(long, value_name = "REV")]
    changed_since: Option<String>,
    /// Largest file size in bytes that is read.
    #[arg(long, value_name = "BYTES", default_value_t = rubric::yaml::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: usize,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Format {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    Rubric,
    Review,
    Config,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?;
    let start = match &cli.dir {
        Some(d) => cwd.join(d),
        None => cwd.clone(),
    };
    if !start.is_dir() {
        return Err(format!("`{}` is not a folder", start.display()));
    }
    match cli.command {
        Command::Schema { kind } => {
            let kind = match kind {
                SchemaKind::Rubric => Kind::Rubric,
                SchemaKind::Review => Kind::Review,
                SchemaKind::Config => Kind::Config,
            };
            print(kind.source())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => {
            let root = repo::find_root(&start);
            let format = match args.format {
                Some(f) => f,
                None if std::env::var("GITHUB_ACTIONS").as_deref() == Ok("true") => Format::Github,
                None => Format::Human,
            };
            let opts = CheckOptions {
                // Paths on the command line are relative to where the user stands.
                paths: args.paths.iter().map(|p| start.join(p)).collect(),
                changed_since: args.changed_since,
                max_file_size: args.max_file_size,
                ..CheckOptions::default()
            };
            let report = check(&root, &opts).map_err(|e| e.to_string())?;
            let format = match format {
                Format::Human => CheckFormat::Human,
                Format::Json => CheckFormat::Json,
                Format::Github => CheckFormat::Github,
                Format::Sarif => CheckFormat::Sarif,
                Format::Junit => CheckFormat::Junit,
            };
            let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let canon = std::fs::canonicalize(&root).unwrap_or(root.clone());
            // Source lines for the human format, read no further than the size limit.
            let max = args.max_file_size;
            let source = |rel: &str| {
                use std::io::Read;
                let f = std::fs::File::open(root.join(rel)).ok()?;
                let mut buf = Vec::new();
                f.take((max as u64).saturating_add(1))
                    .read_to_end(&mut buf)
                    .ok()?;
                (buf.len() <= max).then(|| String::from_utf8(buf).ok())?
            };
            let prefix = rubric::history::History::open(&root)
                .map(|h| h.prefix().to_string())
                .unwrap_or_default();
            let text = output::render_check(
                &report,
                format,
                &source,
                color,
                &output::dir_uri(&canon),
                &prefix,
            );
            print(&text)?;
            // A file that could not be read leaves the check incomplete: "could not run" (SPEC §6:
            // 2 for an I/O error), even though the report lists everything else.
            let unreadable = report.problems.iter().any(|d| d.code == rubric::Code::Io);
            Ok(if unreadable {
                ExitCode::from(2)
            } else if report.errors() > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// Writes data to stdout; a closed pipe is not an error worth a panic.
fn print(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
