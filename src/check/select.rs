//! Which files a check reports on: the paths named, and `--changed-since`.

use crate::load::git::{History, HistoryError};
use crate::load::repo::{self, FileKind, SourceFile};
use std::collections::HashSet;
use std::path::Path;

/// Why the files asked about cannot be chosen (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SelectError {
    #[error(transparent)]
    History(#[from] HistoryError),
    #[error("path `{0}` does not exist")]
    NoSuchPath(String),
    #[error("path `{0}` is outside the QA repository")]
    OutsideRepository(String),
    #[error(
        "`{0}` holds no file that rubric checks: qa.yaml, rubrics/*.yaml and reviews/**/*.yaml \
         (for a QA repository in a subfolder, use -C DIR)"
    )]
    NothingToCheck(String),
}

/// Which files to report on, or `None` for all: those at or below `paths` (absolute, or
/// relative to the root), and with `changed_since`, those changed since that revision plus
/// the reviews (`reviews`: path and rubric id) of changed rubrics. The one path selector of
/// every command.
pub fn select(
    root: &Path,
    paths: &[std::path::PathBuf],
    changed_since: Option<&str>,
    files: &[SourceFile],
    reviews: &[(String, String)],
    history: Option<&History>,
) -> Result<Option<HashSet<String>>, SelectError> {
    let mut sel: Option<HashSet<String>> = None;
    if !paths.is_empty() {
        sel = Some(under_paths(root, paths, files)?);
    }
    if let Some(rev) = changed_since {
        let h = history.ok_or(HistoryError::NoRepository)?;
        let chosen = changed(root, h, rev, files, reviews)?;
        sel = Some(match sel {
            Some(paths) => paths.intersection(&chosen).cloned().collect(),
            None => chosen,
        });
    }
    Ok(sel)
}

/// The files at or below `paths` (absolute, or relative to the root); each path must exist
/// inside the repository and hold a file that rubric checks.
fn under_paths(
    root: &Path,
    paths: &[std::path::PathBuf],
    files: &[SourceFile],
) -> Result<HashSet<String>, SelectError> {
    let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let mut chosen = HashSet::new();
    for p in paths {
        let abs = if p.is_absolute() {
            p.clone()
        } else {
            root.join(p)
        };
        if std::fs::symlink_metadata(&abs).is_err() {
            return Err(SelectError::NoSuchPath(p.display().to_string()));
        }
        // Resolve the folders, not a final symbolic link: a linked review is named by
        // where it sits in the repository.
        let canon = match (abs.parent(), abs.file_name()) {
            (Some(parent), Some(name)) if !abs.is_dir() => {
                std::fs::canonicalize(parent).map(|d| d.join(name))
            }
            _ => std::fs::canonicalize(&abs),
        }
        .map_err(|_| SelectError::NoSuchPath(p.display().to_string()))?;
        let rel = canon
            .strip_prefix(&canon_root)
            .map_err(|_| SelectError::OutsideRepository(p.display().to_string()))?;
        let rel = repo::rel_path(Path::new(""), rel);
        let mut matched = false;
        for f in files {
            if rel.is_empty() || f.rel == rel || f.rel.starts_with(&format!("{rel}/")) {
                matched = true;
                chosen.insert(f.rel.clone());
            }
        }
        if !matched {
            return Err(SelectError::NothingToCheck(p.display().to_string()));
        }
    }
    Ok(chosen)
}

/// The files changed since `rev`, every file when qa.yaml changed, and the reviews
/// (`reviews`: path and rubric id) of changed or deleted rubrics.
fn changed(
    root: &Path,
    h: &History,
    rev: &str,
    files: &[SourceFile],
    reviews: &[(String, String)],
) -> Result<HashSet<String>, SelectError> {
    let changed: HashSet<String> = h.changed_since(rev)?.into_iter().collect();
    let mut chosen: HashSet<String> = files
        .iter()
        .filter(|f| changed.contains(&f.rel))
        .map(|f| f.rel.clone())
        .collect();
    if changed.contains(repo::CONFIG_FILE) {
        // The roster changed: every review's people may have changed meaning.
        chosen.extend(files.iter().map(|f| f.rel.clone()));
    }
    // Reviews of a changed (or deleted) rubric.
    let changed_rubrics: HashSet<&str> = changed
        .iter()
        .filter(|p| repo::is_yaml_name(p))
        .filter(|p| {
            files
                .iter()
                .any(|f| f.rel == **p && f.kind == FileKind::Rubric)
                || !root.join(p).exists()
        })
        .map(|p| repo::stem(p))
        .collect();
    for (rel, rubric) in reviews {
        if changed_rubrics.contains(rubric.as_str()) {
            chosen.insert(rel.clone());
        }
    }
    Ok(chosen)
}
