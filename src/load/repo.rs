//! The QA repository on disk: finding its root, reading `qa.yaml`'s paths, and listing the
//! rubric and review files to check.

use crate::model::diagnostic::{Code, Diagnostic, Pos};
use crate::model::Paths;
use std::path::{Path, PathBuf};
use walkdir::WalkDir;

/// The configuration file name at the repository root.
pub const CONFIG_FILE: &str = "qa.yaml";

/// What a file is to `rubric`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Config,
    Rubric,
    Review,
    /// An assignment plan, `assignments/<cycle>.yaml` (SPEC §4.1).
    Assignment,
}

/// One file of the QA repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path relative to the repository root, `/`-separated (lossy for non-UTF-8 names).
    pub rel: String,
    /// The real path, for reading.
    pub path: PathBuf,
    pub kind: FileKind,
}

/// Finds the QA repository root for a starting directory: the nearest ancestor that holds
/// `qa.yaml`, a `rubrics/` folder or `.git`; the start itself when none does.
pub fn find_root(start: &Path) -> PathBuf {
    for dir in start.ancestors() {
        if dir.join(CONFIG_FILE).is_file()
            || dir.join("rubrics").is_dir()
            || dir.join(".git").exists()
        {
            return dir.to_path_buf();
        }
    }
    start.to_path_buf()
}

/// Does a file name end in `.yaml` or `.yml` (any case)? The one test of what rubric reads,
/// on disk and in git alike.
pub fn is_yaml_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Does the path's file name end in `.yaml` or `.yml` (any case)?
pub fn is_yaml(p: &Path) -> bool {
    p.file_name()
        .and_then(|e| e.to_str())
        .is_some_and(is_yaml_name)
}

/// `/`-separated path of `p` relative to `root`.
pub fn rel_path(root: &Path, p: &Path) -> String {
    let rel = p.strip_prefix(root).unwrap_or(p);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Lists every file of the repository: `qa.yaml` (if present), rubric files directly in the
/// rubrics folder, review files anywhere below the reviews folder, and assignment plans
/// directly in the assignments folder (hidden entries skipped).
/// Sorted by path. A folder or entry that cannot be read is an `io-error` diagnostic, never
/// silently skipped.
pub fn list_files(root: &Path, paths: &Paths) -> (Vec<SourceFile>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    // Anything named qa.yaml counts, so that a FIFO, a device or a dangling link there is read
    // and refused rather than silently ignored.
    if std::fs::symlink_metadata(root.join(CONFIG_FILE)).is_ok() {
        out.push(SourceFile {
            rel: CONFIG_FILE.to_string(),
            path: root.join(CONFIG_FILE),
            kind: FileKind::Config,
        });
    }
    let mut walk = |dir: &str, depth: usize, kind: FileKind| {
        let base = root.join(dir);
        if !base.is_dir() {
            return;
        }
        let mut files = Vec::new();
        let entries = WalkDir::new(&base)
            .min_depth(1)
            .max_depth(depth)
            .follow_links(false)
            .into_iter()
            .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'));
        for entry in entries {
            let e = match entry {
                Ok(e) => e,
                Err(err) => {
                    let at = err.path().unwrap_or(&base);
                    problems.push(Diagnostic::new(
                        Code::Io,
                        rel_path(root, at),
                        Pos::START,
                        format!("cannot read this folder entry: {err}"),
                    ));
                    continue;
                }
            };
            // Every entry with a YAML name that is not a folder counts: a symbolic link (to a
            // file, or dangling), a FIFO or a device is then read and refused by the reader,
            // never skipped in silence. Links to folders are not followed.
            let ft = e.file_type();
            let folder = ft.is_dir() || (ft.is_symlink() && e.path().is_dir());
            if !folder && is_yaml(e.path()) {
                files.push(SourceFile {
                    rel: rel_path(root, e.path()),
                    path: e.path().to_path_buf(),
                    kind,
                });
            }
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        out.extend(files);
    };
    walk(paths.rubrics.as_str(), 1, FileKind::Rubric);
    walk(paths.reviews.as_str(), usize::MAX, FileKind::Review);
    walk(paths.assignments.as_str(), 1, FileKind::Assignment);
    (out, problems)
}

/// The file stem of a `/`-separated path.
pub fn stem(rel: &str) -> &str {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}
