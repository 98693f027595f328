//! `rubric dispute REVIEW_ID`: open a dispute in a review file, and `rubric resolve
//! REVIEW_ID`: answer it (SPEC §3.1). Both edit text in place and print the file's path.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state_using, print, StateArgs};
use rubric::analysis::state::{HistoryUse, QaState};
use rubric::edit::dispute::{
    self, Actor, Answer, DisputeError, Edited, OpenRequest, ResolveRequest,
};
use rubric::output::terminal::plain;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The review id.
    review: String,
    /// Why the review is disputed.
    #[arg(long)]
    reason: String,
    /// A rating asked for, as CATEGORY=RATING (a number, or `na`); repeat for more.
    #[arg(long = "propose", value_name = "CATEGORY=RATING", value_parser = parse_proposal)]
    propose: Vec<(String, Option<i64>)>,
    /// The review names the wrong agent: ID handled the conversation.
    #[arg(long, value_name = "ID", conflicts_with = "propose")]
    wrong_agent: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: EditFormat,
}

#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("answer").required(true).args(["accept", "partial", "reject"])))]
pub struct ResolveArgs {
    /// The review id.
    review: String,
    /// Grant every proposed rating (or, for a wrong-agent dispute, change the agent).
    #[arg(long)]
    accept: bool,
    /// Grant only these proposed categories.
    #[arg(long, value_name = "CATEGORY", num_args = 1..)]
    partial: Vec<String>,
    /// Keep the review as it is.
    #[arg(long)]
    reject: bool,
    /// The answer to the agent.
    #[arg(long)]
    response: String,
    #[arg(long, value_enum, default_value = "human")]
    format: EditFormat,
}

/// What `dispute` and `resolve` print: the file's path, or it in JSON.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditFormat {
    Human,
    Json,
}

fn parse_proposal(s: &str) -> Result<(String, Option<i64>), String> {
    let (cat, rating) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not CATEGORY=RATING"))?;
    let value = match rating.trim() {
        "na" => None,
        r => Some(
            r.parse::<i64>()
                .map_err(|_| format!("`{r}` is not a rating (a whole number, or na)"))?,
        ),
    };
    Ok((cat.trim().to_string(), value))
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let (mut state, actor) = setup(ctx)?;
    let req = OpenRequest {
        review: args.review,
        reason: args.reason,
        proposed: args.propose,
        wrong_agent: args.wrong_agent,
    };
    let done = dispute::open(&mut state, &actor, &req);
    finish(ctx, &state, done, args.format)
}

pub fn run_resolve(ctx: &Context, args: ResolveArgs) -> Result<ExitCode, CliError> {
    let (mut state, actor) = setup(ctx)?;
    let answer = if args.accept {
        Answer::Accept
    } else if args.reject {
        Answer::Reject
    } else {
        Answer::Partial(args.partial)
    };
    let req = ResolveRequest {
        review: args.review,
        answer,
        response: args.response,
    };
    let done = dispute::resolve(&mut state, &actor, &req);
    finish(ctx, &state, done, args.format)
}

/// The state, and who acts: the git user as a roster id.
fn setup(ctx: &Context) -> Result<(QaState, Actor), CliError> {
    let state = load_state_using(ctx, &StateArgs::default(), HistoryUse::Optional)?;
    let email = rubric::load::git::History::open(&ctx.root)
        .ok()
        .and_then(|h| h.user_email())
        .ok_or(CliError::NoGitUser)?;
    let person = state
        .roster_id(&email)
        .ok_or_else(|| CliError::NotInRoster(email.clone()))?;
    let actor = Actor {
        person,
        now: ctx.now,
    };
    Ok((state, actor))
}

/// Writes the edited file and prints its path; a refusal lists what `check` would say (exit 1).
fn finish(
    ctx: &Context,
    state: &QaState,
    done: Result<Edited, DisputeError>,
    format: EditFormat,
) -> Result<ExitCode, CliError> {
    let edited = match done {
        Ok(e) => e,
        Err(DisputeError::Refused { path, diagnostics }) => {
            refused(&path, &diagnostics, format)?;
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let full = state.root.join(&edited.path);
    rubric::load::file::ensure_within(&state.root, &full)
        .and_then(|_| rubric::load::file::write_atomic(&full, edited.text.as_bytes(), true))
        .map_err(|source| CliError::WriteFile {
            path: edited.path.clone(),
            source,
        })?;
    let shown = full.strip_prefix(&ctx.start).unwrap_or(&full);
    let text = match format {
        EditFormat::Human => format!("{}\n", plain(&shown.display().to_string())),
        EditFormat::Json => json(&serde_json::json!({
            "written": true,
            "path": edited.path,
            "dispute": edited.dispute + 1,
        }))?,
    };
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// What `check` would say of the edit (positions are in the edited text, which was not
/// written), with each problem's advice; `--format json` also prints them on stdout.
fn refused(
    path: &str,
    diagnostics: &[rubric::Diagnostic],
    format: EditFormat,
) -> Result<(), CliError> {
    eprintln!(
        "error: `rubric check` would reject this edit of {} (positions are in the edited \
         text); nothing was written:",
        plain(path)
    );
    for d in diagnostics {
        eprintln!(
            "  {}:{}:{}: {}[{}]: {}",
            plain(&d.path),
            d.line,
            d.column,
            d.severity.as_str(),
            d.code,
            plain(&d.message)
        );
        if let Some(h) = &d.hint {
            eprintln!("    help: {}", plain(h));
        }
    }
    if format == EditFormat::Json {
        let problems: Vec<serde_json::Value> = diagnostics
            .iter()
            .map(|d| {
                serde_json::json!({
                    "path": d.path, "line": d.line, "column": d.column,
                    "severity": d.severity.as_str(), "code": d.code.name(), "message": d.message,
                })
            })
            .collect();
        print(&json(
            &serde_json::json!({ "written": false, "problems": problems }),
        )?)?;
    }
    Ok(())
}
