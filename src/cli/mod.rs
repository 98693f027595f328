//! The command line: argument parsing with clap, choosing output formats, and exit codes
//! (0 clean, 1 problems found, 2 could not run). Data goes to stdout, diagnostics to stderr.

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use rubric::analysis::checking::{check, CheckOptions};
use rubric::load::repo;
use rubric::load::schema::Kind;
use rubric::output::{self, CheckFormat};
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
    /// One row per review: id, agent, reviewer, date, rubric, score, pass.
    Score(ScoreArgs),
    /// Per-agent (team, category, reviewer) quality over time, from the commit history.
    Trends(TrendsArgs),
    /// Every version of one review: commit, author, date, score.
    History(HistoryArgs),
    /// What changed in rubrics between two revisions, and how existing scores would move.
    Diff(DiffArgs),
    /// One row per rating, for DuckDB, BigQuery or Spark (JSON Lines or CSV).
    Export(ExportArgs),
    /// Agreement of calibration sessions: Krippendorff's alpha per category, reviewer deviations.
    Calibrate(CalibrateArgs),
    /// Feedback pages: an overview for leads and one page per agent (HTML or Markdown).
    Render(RenderArgs),
    /// Page templates: `rubric templates init` copies the built-ins out for editing.
    Templates {
        #[command(subcommand)]
        action: TemplatesAction,
    },
    /// Print a bundled JSON Schema.
    Schema {
        /// Which schema.
        #[arg(value_enum)]
        kind: SchemaKind,
    },
    /// Scaffold a QA repository (config, example rubric and review, schemas, CI, pre-commit).
    Init(InitArgs),
    /// Create a file to fill in.
    #[command(subcommand)]
    New(NewCommand),
    /// Print a shell completion script.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

#[derive(clap::Args, Debug)]
struct InitArgs {
    /// The folder to scaffold (created if missing; default: the current folder).
    #[arg(value_name = "DIR")]
    folder: Option<PathBuf>,
    /// Which CI configuration to write.
    #[arg(long, value_enum, default_value = "github")]
    ci: CiArg,
    /// Overwrite files that exist already.
    #[arg(long)]
    force: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum CiArg {
    /// .github/workflows/qa.yml
    Github,
    /// .gitlab-ci.yml
    Gitlab,
    /// No CI file.
    None,
}

#[derive(Subcommand, Debug)]
enum NewCommand {
    /// Write a review file listing every category of the rubric for rating, at
    /// <reviews>/YYYY/MM/<id>.yaml; prints its path.
    Review(NewReviewArgs),
}

#[derive(clap::Args, Debug)]
struct NewReviewArgs {
    /// Who handled the conversation (roster id or e-mail).
    #[arg(long, value_name = "ID")]
    agent: String,
    /// The conversation (ticket) id.
    #[arg(long, value_name = "ID")]
    conversation: String,
    /// The rubric (default: the only one).
    #[arg(long, value_name = "ID")]
    rubric: Option<String>,
    /// The review id (default: <conversation>-<agent>, made a valid id).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Who reviews (default: `git config user.email`, as its roster id).
    #[arg(long, value_name = "ID")]
    reviewer: Option<String>,
}

#[derive(clap::Args, Debug)]
struct StateArgs {
    /// Read the reviews in this commit's tree instead of the files on disk.
    #[arg(long, value_name = "REV")]
    rev: Option<String>,
    /// Neither read nor write the history cache under .git/rubric/.
    #[arg(long)]
    no_cache: bool,
    /// Accept a shallow clone; the output is then marked partial.
    #[arg(long)]
    allow_shallow: bool,
}

#[derive(clap::Args, Debug)]
struct ScoreArgs {
    /// Only these review files or folders.
    paths: Vec<PathBuf>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

#[derive(clap::Args, Debug)]
struct TrendsArgs {
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

#[derive(clap::Args, Debug)]
struct HistoryArgs {
    /// The review id.
    id: String,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

#[derive(clap::Args, Debug)]
struct ExportArgs {
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(clap::Args, Debug)]
struct CalibrateArgs {
    /// Only this calibration session.
    #[arg(long, value_name = "ID")]
    session: Option<String>,
    #[command(flatten)]
    state: StateArgs,
    #[arg(long, value_enum, default_value = "human")]
    format: DataFormat,
}

#[derive(clap::Args, Debug)]
struct RenderArgs {
    /// The folder to write the site to (replaced as a whole).
    #[arg(long, default_value = "site", value_name = "DIR")]
    out: PathBuf,
    #[arg(long, value_enum, default_value = "html")]
    format: PageFormatArg,
    /// Only this agent's page.
    #[arg(long, value_name = "ID")]
    agent: Option<String>,
    /// Templates that override the built-ins by name (default: the repository's templates/).
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
    /// Hide who reviewed.
    #[arg(long)]
    anonymize_reviewers: bool,
    /// Print the JSON the templates see instead of writing pages.
    #[arg(long)]
    context: bool,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum PageFormatArg {
    Html,
    Md,
}

#[derive(Subcommand, Debug)]
enum TemplatesAction {
    /// Copy the built-in templates into the repository's templates folder for editing.
    Init {
        /// Overwrite templates that are already there.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args, Debug)]
struct DiffArgs {
    /// The base revision (for a pull request: its target branch).
    base: String,
    /// The head revision (default: the working tree).
    head: Option<String>,
    /// Re-score the reviews of the last DAYS days.
    #[arg(long, default_value_t = 90, value_name = "DAYS")]
    days: i64,
    #[arg(long, value_enum, default_value = "human")]
    format: DiffFormat,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Json,
    /// A pull-request comment.
    Md,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DataFormat {
    Human,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ByArg {
    Agent,
    Team,
    Category,
    Reviewer,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum PeriodArg {
    Week,
    Month,
    Quarter,
    Year,
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
    #[arg(long, value_name = "BYTES", default_value_t = rubric::load::yaml::DEFAULT_MAX_FILE_SIZE)]
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
    // Before any thread starts, as git2 requires.
    rubric::load::git::init_process_options();
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
        Command::Score(args) => {
            let root = repo::find_root(&start);
            let state = load_state(&root, &args.state)?;
            let paths: Vec<PathBuf> = args.paths.iter().map(|p| start.join(p)).collect();
            let selected = rubric::check::select::select(
                &root,
                &paths,
                None,
                &state.files,
                &state.review_rubrics,
                None,
            )
            .map_err(|e| e.to_string())?;
            let rows: Vec<rubric::report::ScoreRow> = state
                .reviews
                .iter()
                .filter(|r| selected.as_ref().is_none_or(|s| s.contains(&r.path)))
                .map(|r| r.row())
                .collect();
            let text = match args.format {
                DataFormat::Json => json(&rows),
                DataFormat::Csv => output::score_rows(&rows, true),
                DataFormat::Human => output::score_rows(&rows, false),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Trends(args) => {
            let root = repo::find_root(&start);
            let state = load_state(&root, &args.state)?;
            let report = trends_report(&state, &args);
            let text = match args.format {
                DataFormat::Json => json(&report),
                DataFormat::Csv => output::trends(&report, true),
                DataFormat::Human => output::trends(&report, false),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::History(args) => {
            let root = repo::find_root(&start);
            let state = load_state(&root, &args.state)?;
            let rows = state
                .history(&args.id)
                .ok_or_else(|| format!("no review `{}` in the history", args.id))?;
            let text = match args.format {
                DataFormat::Json => json(&rows),
                DataFormat::Csv => output::history(&rows, true),
                DataFormat::Human => output::history(&rows, false),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export(args) => {
            let root = repo::find_root(&start);
            let state = load_state(&root, &args.state)?;
            let rows = state.export_rows();
            let mut out = std::io::stdout().lock();
            match output::export::export(&rows, args.format == ExportFormat::Csv, &mut out) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(format!("cannot write the export: {e}")),
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Calibrate(args) => {
            let root = repo::find_root(&start);
            let state = load_state(&root, &args.state)?;
            let mut ratings = state.calibration_ratings();
            if let Some(s) = &args.session {
                ratings.retain(|r| &r.session == s);
                if ratings.is_empty() {
                    return Err(format!("no calibration session `{s}`"));
                }
            }
            let mut report = rubric::analysis::calibration::calibrate(&ratings);
            report.left_out = state.left_out.clone();
            let text = match args.format {
                DataFormat::Json => json(&report),
                DataFormat::Csv => output::calibration(&report, true),
                DataFormat::Human => output::calibration(&report, false),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Render(args) => {
            let root = repo::find_root(&start);
            let format = match args.format {
                PageFormatArg::Html => rubric::pages::PageFormat::Html,
                PageFormatArg::Md => rubric::pages::PageFormat::Md,
            };
            let timing = rubric::timing::Timing::new();
            let mark = |what: &str| timing.mark(what);
            let state = load_state(&root, &args.state)?;
            mark("history scan and state");
            // SOURCE_DATE_EPOCH (reproducible builds) fixes the "generated" time of the pages.
            let now = std::env::var("SOURCE_DATE_EPOCH")
                .ok()
                .and_then(|s| s.parse::<i64>().ok())
                .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
                .unwrap_or_else(chrono::Utc::now);
            let agent = args.agent.as_deref().map(|a| state.person(a));
            let ctx = rubric::pages::build_context(
                &state,
                format,
                args.anonymize_reviewers,
                agent.as_deref(),
                now,
            )
            .map_err(|e| e.to_string())?;
            mark("context");
            if args.context {
                print(&json(&ctx))?;
                return Ok(ExitCode::SUCCESS);
            }
            let overrides = args.templates.map(|t| start.join(t)).or_else(|| {
                let dir = root.join(state.config.paths.templates.as_str());
                dir.is_dir().then_some(dir)
            });
            let env = rubric::pages::environment(overrides);
            let pages = rubric::pages::render_pages(&env, &ctx, format, agent.is_none())
                .map_err(|e| e.to_string())?;
            mark("templates");
            let out = start.join(&args.out);
            rubric::pages::write_site(&out, &pages, agent.is_some()).map_err(|e| e.to_string())?;
            mark("written");
            eprintln!("wrote {} page(s) to {}", pages.len(), out.display());
            // Invalid reviews were named on stderr (load_state) and left out of the pages.
            if !state.left_out.is_empty() {
                eprintln!(
                    "error: review files that `rubric check` rejects were left out of the pages"
                );
                return Ok(ExitCode::from(1));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Templates { action } => {
            let root = repo::find_root(&start);
            let TemplatesAction::Init { force } = action;
            let config = rubric::load::config::load_config(&root);
            let dir = root.join(config.paths.templates.as_str());
            let written = rubric::pages::init_templates(&dir, force).map_err(|e| e.to_string())?;
            for p in &written {
                println!("{}", p.display());
            }
            if written.is_empty() {
                eprintln!(
                    "the templates in {} are already there (use --force to replace them)",
                    dir.display()
                );
                // Nothing written because the files exist: the same exit code as `init`.
                return Ok(ExitCode::from(2));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff(args) => {
            let root = repo::find_root(&start);
            let report = rubric::analysis::impact::diff_revisions(
                &root,
                &args.base,
                args.head.as_deref(),
                args.days,
                chrono::Utc::now(),
            )
            .map_err(|e| e.to_string())?;
            let text = match args.format {
                DiffFormat::Json => json(&report),
                DiffFormat::Md => output::diff_md(&report),
                DiffFormat::Human => output::diff_human(&report),
            };
            print(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema { kind } => {
            let kind = match kind {
                SchemaKind::Rubric => Kind::Rubric,
                SchemaKind::Review => Kind::Review,
                SchemaKind::Config => Kind::Config,
            };
            print(kind.source())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init(args) => init(&start, args),
        Command::New(NewCommand::Review(args)) => new_review(&start, args),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "rubric", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            let mut out = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .map_err(|e| format!("cannot render the man page: {e}"))?;
            print(&String::from_utf8_lossy(&out))?;
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
            let source = |rel: &str| read_source(&root, rel, max);
            let prefix = rubric::load::git::History::open(&root)
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

/// A file's text for the human format's source lines, read no further than the size limit.
fn read_source(root: &std::path::Path, rel: &str, max: usize) -> Option<String> {
    use std::io::Read;
    let f = std::fs::File::open(root.join(rel)).ok()?;
    let mut buf = Vec::new();
    f.take((max as u64).saturating_add(1))
        .read_to_end(&mut buf)
        .ok()?;
    (buf.len() <= max).then(|| String::from_utf8(buf).ok())?
}

/// Lexically removes `.` and `..` from a path (no file system access).
fn normalize(p: &std::path::Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

fn json<T: serde::Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads the QA state, with a progress spinner on a terminal, and prints its warnings.
fn load_state(
    root: &std::path::Path,
    args: &StateArgs,
) -> Result<rubric::analysis::state::QaState, String> {
    // A spinner on stderr, only on a terminal and only once the scan has taken a moment.
    let terminal = std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::hidden();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} reading history: {pos} commits")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let started = std::time::Instant::now();
    let mut shown = false;
    let mut progress = |n: usize| {
        if terminal && !shown && started.elapsed() > std::time::Duration::from_millis(300) {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            shown = true;
        }
        bar.set_position(n as u64);
    };
    let opts = rubric::analysis::state::StateOptions {
        scan: rubric::history::scan::ScanOptions {
            rev: args.rev.clone(),
            no_cache: args.no_cache,
            allow_shallow: args.allow_shallow,
        },
        now: chrono::Utc::now(),
        ..rubric::analysis::state::StateOptions::default()
    };
    let state = rubric::analysis::state::QaState::load(root, &opts, &mut progress);
    bar.finish_and_clear();
    let state = state.map_err(|e| e.to_string())?;
    for w in &state.warnings {
        eprintln!("warning: {w}");
    }
    for l in &state.left_out {
        eprintln!("left out: {}: {} ({})", l.path, l.message, l.code);
    }
    if let Some(note) = state.left_out_note() {
        eprintln!("warning: {note}");
    }
    Ok(state)
}

fn trends_report(
    state: &rubric::analysis::state::QaState,
    args: &TrendsArgs,
) -> rubric::report::TrendsReport {
    use rubric::analysis::trends::{By, Observation, Period};
    let by = match args.by {
        ByArg::Agent => By::Agent,
        ByArg::Team => By::Team,
        ByArg::Category => By::Category,
        ByArg::Reviewer => By::Reviewer,
    };
    let period = match args.period {
        PeriodArg::Week => Period::Week,
        PeriodArg::Month => Period::Month,
        PeriodArg::Quarter => Period::Quarter,
        PeriodArg::Year => Period::Year,
    };
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
        match by {
            By::Category => {
                for (cat, value) in state.categories(r) {
                    obs.push(Observation {
                        key: cat,
                        day: r.day,
                        value,
                    });
                }
            }
            _ => {
                let Some(score) = r.score else { continue };
                let key = match by {
                    By::Agent => r.agent.clone(),
                    By::Reviewer => r.reviewer.clone(),
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
        }
    }
    rubric::report::TrendsReport {
        by: by.name().to_string(),
        period: period.name().to_string(),
        rows: rubric::analysis::trends::trends(&obs, period, state.week_start),
        partial: state.partial,
        left_out: state.left_out.clone(),
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

/// `rubric init [DIR]`: writes the scaffold and lists what it wrote.
fn init(start: &std::path::Path, args: InitArgs) -> Result<ExitCode, String> {
    use rubric::edit::init::{scaffold, write_files, Ci};
    let dir = match &args.folder {
        Some(d) => normalize(&start.join(d)),
        None => start.to_path_buf(),
    };
    let ci = match args.ci {
        CiArg::Github => Ci::Github,
        CiArg::Gitlab => Ci::Gitlab,
        CiArg::None => Ci::None,
    };
    // The scaffolded qa.yaml sets UTC, so the example review is dated today in UTC.
    let files = scaffold(ci, chrono::Utc::now().date_naive());
    let written = write_files(&dir, &files, args.force).map_err(|e| e.to_string())?;
    // The folder as the user named it.
    let shown = args.folder.as_deref().unwrap_or(std::path::Path::new("."));
    let mut text = format!("Created a QA repository in {}:\n", shown.display());
    for w in &written {
        let note = if w.replaced { "  (replaced)" } else { "" };
        text.push_str(&format!("  {}{note}\n", w.path));
    }
    text.push_str(&format!(
        "\nNext: edit the roster in qa.yaml and the rubric in rubrics/, delete the example \
         review, then `rubric check`.\nNew reviews: `rubric new review --agent ID --conversation ID`.\n\
         CI installs rubric {} from {}.\n",
        rubric::edit::init::PROJECT_TAG,
        rubric::edit::init::PROJECT_GIT
    ));
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// `rubric new review`: writes the review file and prints its path (relative to where the
/// user stands, so `$EDITOR "$(rubric new review ...)"` works).
fn new_review(start: &std::path::Path, args: NewReviewArgs) -> Result<ExitCode, String> {
    use rubric::edit::new_review::{draft, write, NewReview, Reviewer};
    let root = repo::find_root(start);
    let reviewer = match args.reviewer {
        Some(r) => Reviewer::Given(r),
        None => match rubric::load::git::History::open(&root)
            .ok()
            .and_then(|h| h.user_email())
        {
            Some(email) => Reviewer::GitEmail(email),
            None => Reviewer::Unknown,
        },
    };
    let req = NewReview {
        agent: args.agent,
        conversation: args.conversation,
        rubric: args.rubric,
        id: args.id,
        reviewer,
        now: chrono::Utc::now(),
    };
    let d = draft(&root, &req).map_err(|e| e.to_string())?;
    write(&root, &d).map_err(|e| e.to_string())?;
    for n in &d.notes {
        eprintln!("note: {n}");
    }
    let full = root.join(&d.path);
    let shown = full.strip_prefix(start).unwrap_or(&full);
    print(&format!("{}\n", shown.display()))?;
    Ok(ExitCode::SUCCESS)
}
