//! `rubric keys`: each person's key to the private pages and the pages it opens (SPEC §7, §8),
//! for a lead to hand each person their link once, privately.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state, print, StateArgs};
use rubric::pages::private::{parse_secret, SECRET_ENV};
use rubric::pages::sealed::{self, PersonKeys};
use rubric::pages::PageFormat;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Only this person (id or e-mail).
    #[arg(long, value_name = "ID")]
    person: Option<String>,
    #[arg(long, value_enum, default_value = "human")]
    format: KeysFormat,
    #[command(flatten)]
    state: StateArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum KeysFormat {
    Human,
    Json,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let value = std::env::var_os(SECRET_ENV);
    let secret = parse_secret(value.as_ref().map(|v| v.to_str().unwrap_or("\u{fffd}")))?;
    let state = load_state(ctx, &args.state)?;
    // The pages a render of this state writes: the same context as `render`.
    let builder = rubric::pages::SiteBuilder::new(&state, PageFormat::Html, false, ctx.now);
    let site = builder.overview(None)?;
    let readers = sealed::readers(&state, &site);
    let pages = sealed::plain_pages(&site, &|a| builder.archive_links(a));
    let mut keys = sealed::keys(&secret, &readers, &pages);
    if let Some(wanted) = &args.person {
        let id = state.person(wanted);
        keys.retain(|k| k.person == id);
        if keys.is_empty() {
            return Err(CliError::NoSuchPerson(wanted.clone()));
        }
    }
    let text = match args.format {
        KeysFormat::Json => json(&keys)?,
        KeysFormat::Human => human(&state, &readers, &keys),
    };
    print(&text)?;
    state.all_read()?;
    Ok(ExitCode::SUCCESS)
}

/// One block per person: name, key, the pages it opens and the link to hand over (relative to
/// the site's address).
fn human(
    state: &rubric::analysis::state::QaState,
    readers: &[sealed::Reader],
    keys: &[PersonKeys],
) -> String {
    use rubric::output::terminal::plain;
    let mut out = String::new();
    for k in keys {
        let lead = readers.iter().any(|r| r.person_is(&k.person) && r.lead);
        let name = state.name(&k.person);
        let role = if lead { ", lead" } else { "" };
        let who = if name == k.person {
            format!("{}{role}", plain(&k.person))
        } else {
            format!("{} ({}{role})", plain(&k.person), plain(&name))
        };
        out.push_str(&format!("{who}\n  key    {}\n", k.key));
        match k.pages.first() {
            None => out.push_str("  opens  no page (not a lead, and no reviews as an agent)\n"),
            Some(first) => {
                out.push_str(&format!("  opens  {}\n", k.pages.join(" ")));
                out.push_str(&format!("  link   {first}#key={}\n", k.key));
            }
        }
    }
    if !keys.is_empty() {
        out.push_str(
            "\nLinks are relative to the site's address. Hand each person their own, privately.\n",
        );
    }
    out
}
