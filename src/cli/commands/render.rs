//! `rubric render`: the feedback pages.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, print_json, StateArgs};
use rubric::analysis::state::QaState;
use rubric::pages::private::{parse_secret, Secret, SECRET_ENV};
use rubric::pages::{sealed, PageFormat};
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
    /// Encrypt every page, each for who may open it (also `pages: {private: true}` in
    /// qa.yaml); the secret is RUBRIC_PAGES_SECRET. Keys: `rubric keys`.
    #[arg(long)]
    private: bool,
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
    // Refused before anything is read or written.
    let mut secret = match args.private {
        true => Some(private_secret(format, &args)?),
        false => None,
    };
    let state = load_state(ctx, &args.state)?;
    timing.mark("history scan and state");
    if secret.is_none() && state.config.pages.private && !args.context {
        secret = Some(private_secret(format, &args)?);
    }
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
    let mut pages = rubric::pages::render_pages(&env, &site, format, agent.is_none())?;
    timing.mark("templates");
    if let Some(secret) = &secret {
        pages = seal(&env, secret, &state, &site, pages)?;
        timing.mark("sealed");
    }
    let out = ctx.start.join(&args.out);
    rubric::pages::write_site(&out, &pages, agent.is_some())?;
    timing.mark("written");
    let kind = if secret.is_some() { "private " } else { "" };
    eprintln!("wrote {} {kind}page(s) to {}", pages.len(), out.display());
    if secret.is_some() {
        eprintln!("each person's key and link: rubric keys");
    }
    // Invalid reviews were named on stderr (load_state) and left out of the pages.
    if !state.left_out.is_empty() {
        eprintln!("error: review files that `rubric check` rejects were left out of the pages");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The secret of a private render, from the environment; refused (exit 2, nothing written)
/// for Markdown, for one agent's page, and without a usable secret.
fn private_secret(format: PageFormat, args: &Args) -> Result<Secret, CliError> {
    if format == PageFormat::Md {
        return Err(CliError::Refused(
            "private pages are HTML only: a Markdown page cannot be encrypted. Use --format \
             html, or render Markdown without --private (and do not publish it); nothing was \
             written"
                .into(),
        ));
    }
    if args.agent.is_some() {
        return Err(CliError::Refused(
            "a private site is rendered whole: --agent cannot be used with private pages \
             (it would keep the earlier pages beside the new one); nothing was written"
                .into(),
        ));
    }
    let value = std::env::var_os(SECRET_ENV);
    let text = value.as_ref().map(|v| v.to_str().unwrap_or("\u{fffd}"));
    Ok(parse_secret(text)?)
}

/// The rendered pages sealed into a private site; a warning when no one is a lead (the
/// overview then opens for no one).
fn seal(
    env: &minijinja::Environment<'static>,
    secret: &Secret,
    state: &QaState,
    site: &rubric::report::SiteContext,
    pages: Vec<(PathBuf, String)>,
) -> Result<Vec<(PathBuf, String)>, CliError> {
    let readers = sealed::readers(state, site);
    if !readers.iter().any(|r| r.lead) {
        eprintln!(
            "warning: no person in qa.yaml has `lead: true`, so the overview, calibration and \
             reviewers pages open for no one (agents still open their own pages)"
        );
    }
    Ok(sealed::seal_site(env, secret, &readers, pages)?)
}

/// The templates folder: `--templates`, else the repository's templates folder if it exists.
fn overrides(ctx: &Context, state: &QaState, given: Option<&PathBuf>) -> Option<PathBuf> {
    given.map(|t| ctx.start.join(t)).or_else(|| {
        let dir = ctx.root.join(state.config.paths.templates.as_str());
        dir.is_dir().then_some(dir)
    })
}
