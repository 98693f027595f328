//! `rubric new review`: write a review file to fill in.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
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

/// Writes the review file and prints its path (relative to where the user stands, so
/// `$EDITOR "$(rubric new review ...)"` works).
pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let reviewer = match args.reviewer {
        Some(r) => Reviewer::Given(r),
        None => match rubric::load::git::History::open(&ctx.root)
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
        now: ctx.now,
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
