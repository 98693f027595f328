//! Git history through git2: the only module that touches git. It finds old rubric versions
//! in past commits and lists the files changed since a revision.

use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, Sort};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Why a history question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("not inside a git repository")]
    NoRepository,
    #[error("revision `{rev}` not found: {}", source.message())]
    BadRevision { rev: String, source: git2::Error },
    #[error("git error: {}", .0.message())]
    Git(#[from] git2::Error),
}

/// A git repository that holds a QA repository (possibly in a subfolder).
pub struct History {
    repo: Repository,
    /// The QA repository root relative to the git work tree, `/`-separated, "" at the top.
    prefix: String,
}

/// One version of a rubric file found in a commit.
#[derive(Debug, Clone)]
pub struct RubricBlob {
    /// The file name inside the rubrics folder (`support.yaml`).
    pub file_name: String,
    /// The file's text (lossily decoded if it was not UTF-8).
    pub text: String,
    /// The commit it was read from (the newest one holding this blob that was walked first).
    pub commit: String,
}

impl History {
    /// Opens the git repository that contains `root`, if there is one.
    pub fn open(root: &Path) -> Result<History, HistoryError> {
        // libgit2 re-hashes every object it reads to verify it; that is nearly half the cost
        // of a history walk, and this tool only reads.
        git2::opts::strict_hash_verification(false);
        let repo = Repository::discover(root).map_err(|_| HistoryError::NoRepository)?;
        let workdir = repo.workdir().ok_or(HistoryError::NoRepository)?;
        let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let (root, workdir) = (canon(root), canon(workdir));
        let prefix = root
            .strip_prefix(&workdir)
            .map(|p| {
                p.components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .unwrap_or_default();
        Ok(History { repo, prefix })
    }

    /// The QA repository root relative to the git work tree (`/`-separated, "" at the top).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Is this a shallow clone (history cut off)?
    pub fn is_shallow(&self) -> bool {
        self.repo.is_shallow()
    }

    fn repo_path(&self, rel: &str) -> PathBuf {
        if self.prefix.is_empty() {
            PathBuf::from(rel)
        } else {
            PathBuf::from(format!("{}/{}", self.prefix, rel))
        }
    }

    /// Calls `visit` with every distinct version of the YAML files directly in `rubrics_dir`
    /// over the history reachable from HEAD, newest commit first: the first blob seen for a
    /// rubric version is the one of the newest commit that declared it. `visit` returns false
    /// to stop the walk. An unborn HEAD visits nothing.
    pub fn rubric_blobs(
        &self,
        rubrics_dir: &str,
        mut visit: impl FnMut(RubricBlob) -> bool,
    ) -> Result<(), HistoryError> {
        let mut walk = self.repo.revwalk()?;
        if walk.push_head().is_err() {
            return Ok(());
        }
        walk.set_sorting(Sort::TIME)?;
        let dir = self.repo_path(rubrics_dir);
        let mut seen_trees: HashSet<Oid> = HashSet::new();
        let mut seen_blobs: HashSet<Oid> = HashSet::new();
        for oid in walk {
            let commit = self.repo.find_commit(oid?)?;
            let tree = commit.tree()?;
            let Ok(entry) = tree.get_path(&dir) else {
                continue;
            };
            if entry.kind() != Some(ObjectType::Tree) || !seen_trees.insert(entry.id()) {
                continue;
            }
            let sub = self.repo.find_tree(entry.id())?;
            for e in sub.iter() {
                let Ok(name) = e.name() else { continue };
                let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
                if !yaml || e.kind() != Some(ObjectType::Blob) || !seen_blobs.insert(e.id()) {
                    continue;
                }
                let blob = self.repo.find_blob(e.id())?;
                let more = visit(RubricBlob {
                    file_name: name.to_string(),
                    text: String::from_utf8_lossy(blob.content()).into_owned(),
                    commit: oid_string(commit.id()),
                });
                if !more {
                    return Ok(());
                }
            }
        }
        Ok(())
    }

    /// Paths (relative to the QA repository root) of the files that differ between `rev` and
    /// the working tree, including staged, unstaged, untracked and deleted files.
    pub fn changed_since(&self, rev: &str) -> Result<Vec<String>, HistoryError> {
        let tree = self
            .repo
            .revparse_single(rev)
            .and_then(|o| o.peel_to_tree())
            .map_err(|source| HistoryError::BadRevision {
                rev: rev.to_string(),
                source,
            })?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_typechange(true);
        if !self.prefix.is_empty() {
            opts.pathspec(format!("{}/", self.prefix));
        }
        let diff = self
            .repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts))?;
        let mut out = Vec::new();
        for d in diff.deltas() {
            if d.status() == Delta::Unmodified {
                continue;
            }
            for f in [d.old_file(), d.new_file()] {
                if let Some(p) = f.path() {
                    let p = p.to_string_lossy().replace('\\', "/");
                    let rel = if self.prefix.is_empty() {
                        Some(p.as_str())
                    } else {
                        p.strip_prefix(&format!("{}/", self.prefix))
                    };
                    if let Some(rel) = rel {
                        out.push(rel.to_string());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

fn oid_string(oid: Oid) -> String {
    oid.to_string()
}
