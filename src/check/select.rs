//! Which files a check reports on: the paths named, and `--changed-since`.

use super::{CheckError, CheckOptions, ReviewOutcome};
use crate::load::git::{History, HistoryError};
use crate::load::repo::{self, FileKind, SourceFile};
use std::collections::HashSet;
use std::path::Path;

/// Which files to report on, or `None` for all.
pub(super) fn select(
    root: &Path,
    opts: &CheckOptions,
    files: &[SourceFile],
    reviews: &[ReviewOutcome],
    history: Option<&History>,
) -> Result<Option<HashSet<String>>, CheckError> {
    let mut sel: Option<HashSet<String>> = None;
    if !opts.paths.is_empty() {
        let canon_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let mut chosen = HashSet::new();
        for p in &opts.paths {
            let abs = if p.is_absolute() {
                p.clone()
            } else {
                root.join(p)
            };
            if std::fs::symlink_metadata(&abs).is_err() {
                return Err(CheckError::NoSuchPath(p.display().to_string()));
            }
            // Resolve the folders, not a final symbolic link: a linked review is named by
            // where it sits in the repository.
            let canon = match (abs.parent(), abs.file_name()) {
                (Some(parent), Some(name)) if !abs.is_dir() => {
                    std::fs::canonicalize(parent).map(|d| d.join(name))
                }
                _ => std::fs::canonicalize(&abs),
            }
            .map_err(|_| CheckError::NoSuchPath(p.display().to_string()))?;
            let rel = canon
                .strip_prefix(&canon_root)
                .map_err(|_| CheckError::OutsideRepository(p.display().to_string()))?;
            let rel = repo::rel_path(Path::new(""), rel);
            let mut matched = false;
            for f in files {
                if rel.is_empty() || f.rel == rel || f.rel.starts_with(&format!("{rel}/")) {
                    matched = true;
                    chosen.insert(f.rel.clone());
                }
            }
            if !matched {
                return Err(CheckError::NothingToCheck(p.display().to_string()));
            }
        }
        sel = Some(chosen);
    }
    if let Some(rev) = &opts.changed_since {
        let h = history.ok_or(HistoryError::NoRepository)?;
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
            .filter(|p| p.ends_with(".yaml") || p.ends_with(".yml"))
            .filter(|p| {
                files
                    .iter()
                    .any(|f| f.rel == **p && f.kind == FileKind::Rubric)
                    || !root.join(p).exists()
            })
            .map(|p| repo::stem(p))
            .collect();
        for r in reviews {
            if let Some(rubric) = &r.rubric_id {
                if changed_rubrics.contains(rubric.as_str()) {
                    chosen.insert(r.rel.clone());
                }
            }
        }
        sel = Some(match sel {
            Some(paths) => paths.intersection(&chosen).cloned().collect(),
            None => chosen,
        });
    }
    Ok(sel)
}
