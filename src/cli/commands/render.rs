//! `rubric render`: the feedback pages.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state, print_json, StateArgs};
use rubric::analysis::state::QaState;
use rubric::pages::private::{parse_secret, Secret, SECRET_ENV};
use rubric::pages::{sealed, PageFormat, SiteBuilder, SiteWriter};
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
    let builder = SiteBuilder::new(&state, format, args.anonymize_reviewers, ctx.now);
    if args.context {
        print_json(&builder.context(agent.as_deref())?)?;
        state.all_read()?;
        return Ok(ExitCode::SUCCESS);
    }
    // The context of the overview pages (and of every page's `site`); the agent pages are
    // built below, a batch at a time.
    let site = builder.overview(agent.as_deref())?;
    timing.mark("context");
    let env = rubric::pages::environment(overrides(ctx, &state, args.templates.as_ref()));
    let sealer = secret
        .as_ref()
        .map(|s| Sealer::new(&env, s, &state, &site, &builder));
    // The overview pages first; the agent pages then, built, rendered and written a batch at
    // a time: a large team's pages are never all held at once.
    let pages = rubric::pages::render_pages(&env, &site, format, agent.is_none())?;
    let out = ctx.start.join(&args.out);
    let mut writer = SiteWriter::begin(&out, agent.is_some())?;
    put(&mut writer, sealer.as_ref(), pages)?;
    let site_value = rubric::pages::site_value(&site);
    drop(site);
    let mut with_archive: Vec<&str> = Vec::new();
    for ids in builder.agent_ids(agent.as_deref()).chunks(AGENT_BATCH) {
        let batch = builder.agent_pages(ids);
        with_archive.extend(
            ids.iter()
                .zip(&batch)
                .filter(|(_, p)| !p.archive.is_empty())
                .map(|(id, _)| *id),
        );
        let rendered = rubric::pages::render_agent_pages(&env, &site_value, &batch, format)?;
        put(&mut writer, sealer.as_ref(), rendered)?;
    }
    timing.mark("templates");
    // Archive pages, a few agents at a time, once what only the pages above needed (their
    // figures) is freed.
    let archive = builder.into_archive();
    for agents in with_archive.chunks(ARCHIVE_BATCH) {
        let mut batch = Vec::new();
        for a in agents {
            batch.extend(rubric::pages::render_archive(
                &env,
                &site_value,
                &archive.pages(a),
                format,
            )?);
        }
        put(&mut writer, sealer.as_ref(), batch)?;
    }
    timing.mark("archive pages");
    // A version git could not give: the old site stays as it was.
    state.all_read()?;
    let written = writer.written();
    writer.finish()?;
    timing.mark("written");
    let kind = if secret.is_some() { "private " } else { "" };
    eprintln!("wrote {written} {kind}page(s) to {}", out.display());
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

/// How many agents' archive pages are rendered (and sealed) before they are written.
const ARCHIVE_BATCH: usize = 16;
/// How many agent pages are rendered (and sealed) before they are written.
const AGENT_BATCH: usize = 64;

/// Writes a batch of rendered pages into the site, sealed first for a private site.
fn put(
    writer: &mut SiteWriter,
    sealer: Option<&Sealer>,
    pages: Vec<(PathBuf, String)>,
) -> Result<(), CliError> {
    let pages = match sealer {
        Some(s) => s.seal(pages)?,
        None => pages,
    };
    for (rel, text) in &pages {
        writer.write(rel, text)?;
    }
    Ok(())
}

/// Seals pages for a private site, in batches: the readers and every page's published name
/// are worked out once.
struct Sealer<'e> {
    env: &'e minijinja::Environment<'static>,
    secret: &'e Secret,
    readers: Vec<sealed::Reader>,
    site: Vec<sealed::PlainPage>,
}

impl<'e> Sealer<'e> {
    fn new(
        env: &'e minijinja::Environment<'static>,
        secret: &'e Secret,
        state: &QaState,
        site: &rubric::report::SiteContext,
        builder: &SiteBuilder,
    ) -> Sealer<'e> {
        let readers = sealed::readers(state, site);
        if !readers.iter().any(|r| r.lead) {
            eprintln!(
                "warning: no person in qa.yaml has `lead: true`, so the overview, calibration \
                 and reviewers pages open for no one (agents still open their own pages)"
            );
        }
        Sealer {
            env,
            secret,
            readers,
            site: sealed::plain_pages(site, &|a| builder.archive_links(a)),
        }
    }

    fn seal(&self, pages: Vec<(PathBuf, String)>) -> Result<Vec<(PathBuf, String)>, CliError> {
        Ok(sealed::seal_site(
            self.env,
            self.secret,
            &self.readers,
            &self.site,
            pages,
        )?)
    }
}

fn overrides(ctx: &Context, state: &QaState, given: Option<&PathBuf>) -> Option<PathBuf> {
    given.map(|t| ctx.start.join(t)).or_else(|| {
        let dir = ctx.root.join(state.config.paths.templates.as_str());
        dir.is_dir().then_some(dir)
    })
}
