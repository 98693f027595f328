//! `rubric init [DIR]`: scaffold a QA repository.

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::print;
use rubric::edit::init::{scaffold, write_files, Ci, PROJECT_GIT, PROJECT_TAG};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The folder to scaffold (created if missing; default: the current folder).
    #[arg(value_name = "DIR")]
    folder: Option<PathBuf>,
    /// Which CI configuration to write.
    #[arg(long, value_enum, default_value = "github")]
    ci: CiArg,
    /// Overwrite files that exist already.
    #[arg(long)]
    force: bool,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum CiArg {
    /// .github/workflows/qa.yml
    Github,
    /// .gitlab-ci.yml
    Gitlab,
    /// No CI file.
    None,
}

/// Writes the scaffold and lists what it wrote.
pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let dir = match &args.folder {
        Some(d) => normalize(&ctx.start.join(d)),
        None => ctx.start.clone(),
    };
    let ci = match args.ci {
        CiArg::Github => Ci::Github,
        CiArg::Gitlab => Ci::Gitlab,
        CiArg::None => Ci::None,
    };
    // The scaffolded qa.yaml sets UTC, so the example review is dated today in UTC.
    let files = scaffold(ci, ctx.now.date_naive());
    let written = write_files(&dir, &files, args.force)?;
    // The folder as the user named it.
    let shown = args.folder.as_deref().unwrap_or(Path::new("."));
    let mut text = format!("Created a QA repository in {}:\n", shown.display());
    for w in &written {
        let note = if w.replaced { "  (replaced)" } else { "" };
        text.push_str(&format!("  {}{note}\n", w.path));
    }
    text.push_str(&format!(
        "\nNext: edit the roster in qa.yaml and the rubric in rubrics/, delete the example \
         review, then `rubric check`.\nNew reviews: `rubric new review --agent ID --conversation ID`.\n\
         CI installs rubric {PROJECT_TAG} from {PROJECT_GIT}.\n",
    ));
    print(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// Lexically removes `.` and `..` from a path (no file system access).
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}
