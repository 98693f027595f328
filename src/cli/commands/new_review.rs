//! `rubric new review`: write a review file to fill in — for a conversation named on the
//! command line, or (`--next`) the reviewer's oldest undone assignment.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{load_state_using, print, StateArgs};
use rubric::analysis::state::HistoryUse;
use rubric::edit::new_review::{draft, write, NewReview, Reviewer};
use std::process::ExitCode;

#[derive(clap::Subcommand, Debug)]
pub enum New {
    /// Write a review file listing every category of the rubric for rating, at
    /// <reviews>/YYYY/MM/<id>.yaml; prints its path.
    Review(Args),
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Who handled the conversation (roster id or e-mail).
    #[arg(long, value_name = "ID", required_unless_present = "next")]
    agent: Option<String>,
    /// The conversation (ticket) id.
    #[arg(long, value_name = "ID", required_unless_present = "next")]
    conversation: Option<String>,
    /// Start your oldest assignment that no review covers yet (agent, conversation, link and
    /// channel from the plan).
    #[arg(long, conflicts_with_all = ["agent", "conversation"])]
    next: bool,
    /// The rubric (default: the only one).
    #[arg(long, value_name = "ID")]
    rubric: Option<String>,
    /// The review id (default: <conversation>-<agent>, made a valid id; in a calibration
    /// session <conversation>-<agent>-<session>-<reviewer>).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
    /// Who reviews (default: `git config user.email`, as its roster id).
    #[arg(long, value_name = "ID")]
    reviewer: Option<String>,
    /// The review's day (YYYY-MM-DD): files it in that month's folder and writes it as
    /// reviewed_at (default: today's folder, reviewed_at from the commit).
    #[arg(long, value_name = "DATE")]
    date: Option<chrono::NaiveDate>,
    /// The conversation's link (http or https).
    #[arg(long, value_name = "URL")]
    url: Option<String>,
    /// The conversation's channel (email, chat, phone ...).
    #[arg(long, value_name = "NAME")]
    channel: Option<String>,
    /// A calibration session id: the review is one reviewer's rating in that session.
    #[arg(long, value_name = "SESSION")]
    calibration: Option<String>,
}

/// Writes the review file and prints its path (relative to where the user stands, so
/// `$EDITOR "$(rubric new review ...)"` works).
pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let reviewer = match &args.reviewer {
        Some(r) => Reviewer::Given(r.clone()),
        None => match rubric::load::git::History::open(&ctx.root)
            .ok()
            .and_then(|h| h.user_email())
        {
            Some(email) => Reviewer::GitEmail(email),
            None => Reviewer::Unknown,
        },
    };
    let (agent, conversation, url, channel) = if args.next {
        next(ctx, &reviewer)?
    } else {
        (
            args.agent.unwrap_or_default(),
            args.conversation.unwrap_or_default(),
            None,
            None,
        )
    };
    let req = NewReview {
        agent,
        conversation,
        rubric: args.rubric,
        id: args.id,
        reviewer,
        now: ctx.now,
        date: args.date,
        url: args.url.or(url),
        channel: args.channel.or(channel),
        calibration: args.calibration,
    };
    let d = draft(&ctx.root, &req)?;
    write(&ctx.root, &d)?;
    for n in &d.notes {
        eprintln!("note: {n}");
    }
    let full = ctx.root.join(&d.path);
    let shown = full.strip_prefix(&ctx.start).unwrap_or(&full);
    print(&format!("{}\n", shown.display()))?;
    Ok(ExitCode::SUCCESS)
}

type Conversation = (String, String, Option<String>, Option<String>);

/// The reviewer's oldest undone assignment: agent, conversation, link and channel.
fn next(ctx: &Context, reviewer: &Reviewer) -> Result<Conversation, CliError> {
    let who = match reviewer {
        Reviewer::Given(r) | Reviewer::GitEmail(r) => r.clone(),
        Reviewer::Unknown => {
            return Err(CliError::Assign(
                "who are you? --next needs `git config user.email` (or --reviewer ID)".into(),
            ))
        }
    };
    let state = load_state_using(ctx, &StateArgs::default(), HistoryUse::Optional)?;
    let me = state.person(&who);
    let report = rubric::analysis::assignments::report(&state, None);
    // An item whose review file is started (under its default id) but not valid yet is
    // skipped: that file is where to go on.
    let started = |i: &rubric::report::assignments::ItemStatus| {
        let id = rubric::edit::new_review::review_id(&i.conversation, &i.agent);
        state.files.iter().any(|f| {
            f.kind == rubric::load::repo::FileKind::Review
                && Some(rubric::load::repo::stem(&f.rel)) == id.as_deref()
        })
    };
    let item = rubric::analysis::assignments::undone_for(&report, &me)
        .into_iter()
        .find(|i| !started(i))
        .ok_or_else(|| {
            CliError::Assign(format!(
                "no assignment left for `{}`: every item of the plans assigned to them has a \
                 review (or a review file started: `rubric assignments` lists them)",
                rubric::output::terminal::plain(&me)
            ))
        })?;
    eprintln!(
        "next: conversation {} of {} ({})",
        rubric::output::terminal::plain(&item.conversation),
        rubric::output::terminal::plain(&item.agent),
        rubric::output::terminal::plain(&item.plan)
    );
    Ok((item.agent, item.conversation, item.url, item.channel))
}
