//! `rubric render`: the feedback pages.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, print_json, StateArgs};
use rubric::analysis::state::QaState;
use rubric::pages::PageFormat;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
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

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum PageFormatArg {
    Html,
    Md,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let format = match args.format {
        PageFormatArg::Html => PageFormat::Html,
        PageFormatArg::Md => PageFormat::Md,
    };
    let timing = rubric::timing::Timing::new();
    let state = load_state(ctx, &args.state)?;
    timing.mark("history scan and state");
    // ctx.now is SOURCE_DATE_EPOCH when set: the "generated" time of reproducible pages.
    let agent = args.agent.as_deref().map(|a| state.person(a));
    let site = rubric::pages::build_context(
        &state,
        format,
        args.anonymize_reviewers,
        agent.as_deref(),
        ctx.now,
    )?;
    timing.mark("context");
    if args.context {
        print_json(&site)?;
        return Ok(ExitCode::SUCCESS);
    }
    let env = rubric::pages::environment(overrides(ctx, &state, args.templates.as_ref()));
    let pages = rubric::pages::render_pages(&env, &site, format, agent.is_none())?;
    timing.mark("templates");
    let out = ctx.start.join(&args.out);
    rubric::pages::write_site(&out, &pages, agent.is_some())?;
    timing.mark("written");
    eprintln!("wrote {} page(s) to {}", pages.len(), out.display());
    // Invalid reviews were named on stderr (load_state) and left out of the pages.
    if !state.left_out.is_empty() {
        eprintln!("error: review files that `rubric check` rejects were left out of the pages");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The templates folder: `--templates`, else the repository's templates folder if it exists.
fn overrides(ctx: &Context, state: &QaState, given: Option<&PathBuf>) -> Option<PathBuf> {
    given.map(|t| ctx.start.join(t)).or_else(|| {
        let dir = ctx.root.join(state.config.paths.templates.as_str());
        dir.is_dir().then_some(dir)
    })
}
