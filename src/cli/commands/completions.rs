//! `rubric completions SHELL`: print a shell completion script.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use clap::CommandFactory;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(_ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let mut out = Vec::new();
    clap_complete::generate(
        args.shell,
        &mut crate::cli::Cli::command(),
        "rubric",
        &mut out,
    );
    print(&String::from_utf8_lossy(&out))?;
    Ok(ExitCode::SUCCESS)
}
