//! `rubric init`: the files of a new QA repository (configuration with a roster, an example
//! rubric and review, the JSON Schemas, the editor's schema mapping, CI and a pre-commit hook),
//! and writing them without overwriting anything unless asked to.
//!
//! [`scaffold`] only builds the files (plain data); [`write_files`] writes them into a folder,
//! atomically, never outside it. Nothing here prints.

use crate::load::schema::Kind;
use chrono::{Datelike, NaiveDate};
use std::path::{Path, PathBuf};

/// The git repository that `rubric` is installed from in the generated CI files and that
/// publishes the pre-commit hook (`.pre-commit-hooks.yaml` at its root): the `repository` of
/// Cargo.toml when it is set, else the project's default address.
pub const PROJECT_GIT: &str = if env!("CARGO_PKG_REPOSITORY").is_empty() {
    "https://github.com/rubric-qa/rubric"
} else {
    env!("CARGO_PKG_REPOSITORY")
};

/// The release tag the generated CI files and pre-commit configuration pin: this version.
pub const PROJECT_TAG: &str = concat!("v", env!("CARGO_PKG_VERSION"));

/// Which CI configuration to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ci {
    /// `.github/workflows/qa.yml`
    #[default]
    Github,
    /// `.gitlab-ci.yml`
    Gitlab,
    /// No CI file.
    None,
}

/// One file to write: a `/`-separated path relative to the target folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub contents: String,
}

/// Path of the example review for a day, relative to the repository root.
pub fn example_review_path(today: NaiveDate) -> String {
    format!(
        "reviews/{:04}/{:02}/example-1001-alice.yaml",
        today.year(),
        today.month()
    )
}

/// The files of a new QA repository. `today` dates the example review (and names its
/// folder); give today's date in UTC, the zone the scaffolded `qa.yaml` sets.
pub fn scaffold(ci: Ci, today: NaiveDate) -> Vec<File> {
    let fill = |text: &str| {
        text.replace("@RUBRIC_GIT@", PROJECT_GIT)
            .replace("@RUBRIC_TAG@", PROJECT_TAG)
            .replace("@DATE@", &today.format("%Y-%m-%d").to_string())
    };
    let file = |path: &str, contents: String| File {
        path: path.to_string(),
        contents,
    };
    let mut files = vec![
        file("qa.yaml", fill(include_str!("../../init/qa.yaml"))),
        file(
            "rubrics/support.yaml",
            fill(include_str!("../../init/rubrics/support.yaml")),
        ),
        file(
            &example_review_path(today),
            fill(include_str!("../../init/review.yaml")),
        ),
    ];
    for kind in Kind::ALL {
        let mut text = kind.source().to_string();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        files.push(file(&format!("schemas/{}.schema.json", kind.name()), text));
    }
    files.push(file(
        ".vscode/settings.json",
        fill(include_str!("../../init/vscode-settings.json")),
    ));
    match ci {
        Ci::Github => files.push(file(
            ".github/workflows/qa.yml",
            fill(include_str!("../../init/github-qa.yml")),
        )),
        Ci::Gitlab => files.push(file(
            ".gitlab-ci.yml",
            fill(include_str!("../../init/gitlab-ci.yml")),
        )),
        Ci::None => {}
    }
    files.push(file(
        ".pre-commit-config.yaml",
        fill(include_str!("../../init/pre-commit-config.yaml")),
    ));
    files
}

/// Why files were not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// Files that exist already (nothing was written).
    #[error("{}", exists_message(.0))]
    Exists(Vec<String>),
    /// A path would lead outside the target folder through a symbolic link (nothing was
    /// written).
    #[error("`{0}` leads outside the target folder through a symbolic link (nothing was written)")]
    Outside(String),
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

fn exists_message(paths: &[String]) -> String {
    let what = if paths.len() == 1 {
        "a file exists".to_string()
    } else {
        format!("{} files exist", paths.len())
    };
    format!(
        "{what} already, so nothing was written (--force overwrites):\n  {}",
        paths.join("\n  ")
    )
}

/// What [`write_files`] did, per file in the order given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub path: String,
    /// The file existed and was replaced (only with `force`).
    pub replaced: bool,
}

/// Writes `files` into `dir` (created if missing). Without `force`, when any of them exists
/// nothing is written and [`WriteError::Exists`] lists them. Every file is written to a
/// temporary file beside it and renamed into place, so a reader never sees half a file; a
/// symbolic link in the way is replaced, never written through, and a folder that is a
/// symbolic link leading outside `dir` is refused before anything is written.
pub fn write_files(dir: &Path, files: &[File], force: bool) -> Result<Vec<Written>, WriteError> {
    let io = |path: &Path, source: std::io::Error| WriteError::Io {
        path: path.display().to_string(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let base = std::fs::canonicalize(dir).map_err(|e| io(dir, e))?;
    let mut existing = Vec::new();
    for f in files {
        let rel = safe_rel(&f.path).ok_or_else(|| WriteError::Outside(f.path.clone()))?;
        // Every folder on the way that exists must stay inside `dir`.
        let mut at = dir.to_path_buf();
        let parts: Vec<_> = rel.components().collect();
        for part in &parts[..parts.len().saturating_sub(1)] {
            at.push(part);
            match std::fs::symlink_metadata(&at) {
                Ok(m) if m.file_type().is_symlink() => {
                    let real = std::fs::canonicalize(&at).map_err(|e| io(&at, e))?;
                    if !real.starts_with(&base) {
                        return Err(WriteError::Outside(f.path.clone()));
                    }
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => break,
                Err(e) => return Err(io(&at, e)),
            }
        }
        if std::fs::symlink_metadata(dir.join(&rel)).is_ok() {
            existing.push(f.path.clone());
        }
    }
    if !existing.is_empty() && !force {
        return Err(WriteError::Exists(existing));
    }
    let mut done = Vec::new();
    for f in files {
        let path = dir.join(f.path.as_str());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        crate::load::file::write_atomic(&path, f.contents.as_bytes(), force)
            .map_err(|e| io(&path, e))?;
        done.push(Written {
            path: f.path.clone(),
            replaced: existing.contains(&f.path),
        });
    }
    Ok(done)
}

/// A `/`-separated relative path as a `PathBuf`, if it has only normal components.
fn safe_rel(rel: &str) -> Option<PathBuf> {
    let p = PathBuf::from(rel);
    let normal = !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
    normal.then_some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 9).unwrap()
    }

    #[test]
    fn scaffold_fills_every_placeholder() {
        for ci in [Ci::Github, Ci::Gitlab, Ci::None] {
            for f in scaffold(ci, day()) {
                assert!(!f.contents.contains("@RUBRIC_"), "{}", f.path);
                assert!(!f.contents.contains("@DATE@"), "{}", f.path);
            }
        }
        let files = scaffold(Ci::Github, day());
        let review = files
            .iter()
            .find(|f| f.path == "reviews/2026/03/example-1001-alice.yaml")
            .unwrap();
        assert!(review.contents.contains("reviewed_at: 2026-03-09 "));
    }

    #[test]
    fn ci_choice_picks_one_file() {
        let names =
            |ci| -> Vec<String> { scaffold(ci, day()).into_iter().map(|f| f.path).collect() };
        assert!(names(Ci::Github).contains(&".github/workflows/qa.yml".to_string()));
        assert!(!names(Ci::Github).contains(&".gitlab-ci.yml".to_string()));
        assert!(names(Ci::Gitlab).contains(&".gitlab-ci.yml".to_string()));
        assert!(!names(Ci::Gitlab).contains(&".github/workflows/qa.yml".to_string()));
        let none = names(Ci::None);
        assert!(!none
            .iter()
            .any(|p| p.contains("gitlab") || p.contains(".github")));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_folder_leading_outside_is_refused() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("rubrics")).unwrap();
        let files = scaffold(Ci::None, day());
        let e = write_files(dir.path(), &files, true).unwrap_err();
        assert!(
            matches!(e, WriteError::Outside(ref p) if p == "rubrics/support.yaml"),
            "{e}"
        );
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        assert!(!dir.path().join("qa.yaml").exists());
    }
}
