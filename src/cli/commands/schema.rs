//! `rubric schema KIND`: print a bundled JSON Schema.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use rubric::load::schema::Kind;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Which schema.
    #[arg(value_enum)]
    kind: SchemaKind,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum SchemaKind {
    Rubric,
    Review,
    Config,
    Assignments,
}

pub fn run(_ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let kind = match args.kind {
        SchemaKind::Rubric => Kind::Rubric,
        SchemaKind::Review => Kind::Review,
        SchemaKind::Config => Kind::Config,
        SchemaKind::Assignments => Kind::Assignments,
    };
    print(kind.source())?;
    Ok(ExitCode::SUCCESS)
}
