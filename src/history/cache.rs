//! The history cache under `.git/rubric/`: what a scan found, kept so that a later run reads
//! only the commits that are new since.

use crate::load::git::{History, ObjectId};
use crate::load::review::Snapshot;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bump when the cache's meaning changes; an old cache is then rebuilt.
pub const CACHE_FORMAT: u32 = 3;

/// A rubric file version as the cache keeps it: its text (re-parsed on load: the typed rubric
/// reads only from mappings, which a binary format does not keep).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct RubricText {
    pub(super) path: String,
    pub(super) commit: ObjectId,
    pub(super) text: String,
}

/// The cache file's content.
#[derive(Serialize, Deserialize)]
pub(super) struct CacheFile {
    pub(super) format: u32,
    pub(super) prefix: String,
    pub(super) reviews_dir: String,
    pub(super) tip: ObjectId,
    pub(super) rubrics_dir: String,
    pub(super) commits: Vec<crate::load::git::CommitInfo>,
    pub(super) reviews: BTreeMap<String, Vec<crate::history::timeline::Event>>,
    pub(super) snapshots: HashMap<ObjectId, Arc<Snapshot>>,
    /// Every valid rubric file version, oldest first.
    pub(super) rubrics: Vec<(ObjectId, RubricText)>,
}

/// Where the cache of this repository's history lives.
pub(super) fn cache_path(h: &History) -> PathBuf {
    h.git_dir()
        .join("rubric")
        .join(format!("history-v{CACHE_FORMAT}.bin"))
}

/// Reads the cache, if there is one of this format made for these folders.
pub(super) fn read_cache(
    path: &Path,
    prefix: &str,
    reviews_dir: &str,
    rubrics_dir: &str,
) -> Option<CacheFile> {
    let bytes = std::fs::read(path).ok()?;
    let c: CacheFile = postcard::from_bytes(&bytes).ok()?;
    (c.format == CACHE_FORMAT
        && c.prefix == prefix
        && c.reviews_dir == reviews_dir
        && c.rubrics_dir == rubrics_dir)
        .then_some(c)
}

/// Writes the cache atomically (a temporary file beside it, then a rename).
pub(super) fn write_cache(path: &Path, cache: &CacheFile) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let bytes = postcard::to_allocvec(cache).map_err(std::io::Error::other)?;
    crate::load::file::write_atomic(path, &bytes, true)
}
