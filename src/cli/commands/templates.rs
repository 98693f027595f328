//! `rubric templates init`: copy the built-in page templates out for editing.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Copy the built-in templates into the repository's templates folder for editing.
    Init {
        /// Overwrite templates that are already there.
        #[arg(long)]
        force: bool,
    },
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let Action::Init { force } = args.action;
    let config = rubric::load::config::load_config(&ctx.root);
    let dir = ctx.root.join(config.paths.templates.as_str());
    let written = rubric::pages::init_templates(&dir, force)?;
    let mut text = String::new();
    for p in &written {
        text.push_str(&format!("{}\n", p.display()));
    }
    print(&text)?;
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
