//! `rubric man [--out DIR]`: the man pages (roff).

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use clap::CommandFactory;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Write rubric.1 and a rubric-<command>.1 per command into DIR instead of printing.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let pages = pages();
    let Some(out) = args.out else {
        // The main page comes first.
        let (_, main) = &pages[0];
        print(&String::from_utf8_lossy(&render(main)?))?;
        return Ok(ExitCode::SUCCESS);
    };
    let dir = ctx.start.join(&out);
    let fail = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| CliError::WriteFile { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(fail(&dir))?;
    let mut listing = String::new();
    for (name, page) in &pages {
        let file = format!("{name}.1");
        // Replaced whole, as every file rubric writes: a failed write leaves the old page.
        rubric::load::file::write_atomic(&dir.join(&file), &render(page)?, true)
            .map_err(fail(&dir.join(&file)))?;
        listing.push_str(&format!("{}\n", out.join(&file).display()));
    }
    print(&listing)?;
    Ok(ExitCode::SUCCESS)
}

/// Every page as (name, command): `rubric` first, then `rubric-<command>` for each command
/// and `rubric-<command>-<subcommand>` below it, so that every page a page refers to (its
/// SUBCOMMANDS section names `<name>-<sub>(1)`) is one of them. clap's `help` subcommand
/// gets no page and is not referred to.
fn pages() -> Vec<(String, clap::Command)> {
    let mut cmd = without_help(crate::cli::Cli::command());
    cmd.build();
    let mut out = Vec::new();
    collect("rubric".to_string(), cmd, &mut out);
    out
}

fn collect(name: String, cmd: clap::Command, out: &mut Vec<(String, clap::Command)>) {
    let subs: Vec<clap::Command> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set())
        .cloned()
        .collect();
    out.push((name.clone(), cmd.display_name(name.clone())));
    for sub in subs {
        let sub_name = format!("{name}-{}", sub.get_name());
        collect(sub_name, sub, out);
    }
}

/// The command without clap's `help` subcommand, at every level.
fn without_help(cmd: clap::Command) -> clap::Command {
    cmd.disable_help_subcommand(true)
        .mut_subcommands(without_help)
}

/// One page in roff.
fn render(cmd: &clap::Command) -> Result<Vec<u8>, CliError> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd.clone())
        .source(format!("rubric {}", env!("CARGO_PKG_VERSION")))
        .render(&mut buf)
        .map_err(CliError::Man)?;
    Ok(buf)
}
