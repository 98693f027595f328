//! The history scan: every review's timeline from the git history (through the history
//! module), each file version parsed once by blob id, and the cache under `.git/rubric/` that
//! lets a later run read only the commits that are new since.

use crate::history::timeline::Timelines;
use crate::load::git::{History, HistoryError, ObjectId};
use crate::load::review::Snapshot;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bump when the cache's meaning changes; an old cache is then rebuilt.
pub const CACHE_FORMAT: u32 = 3;

/// How to scan.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// The commit to scan up to (default HEAD).
    pub rev: Option<String>,
    /// Ignore and do not write the cache.
    pub no_cache: bool,
    /// Scan a shallow clone anyway (the result is partial).
    pub allow_shallow: bool,
}

/// Why the history could not be scanned (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error(
        "this is a shallow clone: its history is cut off, so the commits that added reviews are \
         missing and every review would look added in the oldest commit there is. Fetch the \
         whole history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout), or \
         pass --allow-shallow to accept partial results"
    )]
    Shallow,
    #[error("the branch has no commits yet: commit the QA repository first")]
    Unborn,
    #[error("not inside a git repository: the history that dates reviews is missing")]
    NoRepository,
    #[error("cannot read the git history: {0}")]
    History(HistoryError),
}

impl From<HistoryError> for ScanError {
    fn from(e: HistoryError) -> Self {
        match e {
            HistoryError::Unborn => ScanError::Unborn,
            HistoryError::NoRepository => ScanError::NoRepository,
            other => ScanError::History(other),
        }
    }
}

/// The result of a scan.
pub struct Scan {
    pub history: History,
    pub tip: ObjectId,
    pub timelines: Timelines,
    /// Parsed content of every review file version seen, by blob id.
    pub snapshots: HashMap<ObjectId, Arc<Snapshot>>,
    /// True when the clone is shallow and --allow-shallow accepted it.
    pub partial: bool,
    /// How the cache was used: "cold", "warm", or "incremental (N new commits)".
    pub cache: String,
    /// Every valid rubric file version in the history, oldest first (walk order).
    pub rubrics: Vec<HistoricRubric>,
}

/// One valid version of a rubric file in the history.
#[derive(Debug, Clone)]
pub struct HistoricRubric {
    /// The file's path (relative to the QA root).
    pub path: String,
    pub blob: ObjectId,
    /// The first commit walked that held it.
    pub commit: ObjectId,
    pub rubric: Arc<crate::model::Rubric>,
}

/// A rubric file version as the cache keeps it: its text (re-parsed on load: the typed rubric
/// reads only from mappings, which a binary format does not keep).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct RubricText {
    path: String,
    commit: ObjectId,
    text: String,
}

/// Parses cached rubric texts (they were valid when cached), oldest first.
fn parse_rubrics(texts: &[(ObjectId, RubricText)]) -> Vec<HistoricRubric> {
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let mut out = Vec::new();
    for (blob, t) in texts {
        let name = t.path.rsplit('/').next().unwrap_or(&t.path);
        if let Some(r) = crate::check::parse_historic(name, &t.text, max) {
            out.push(HistoricRubric {
                path: t.path.clone(),
                blob: *blob,
                commit: t.commit,
                rubric: Arc::new(r),
            });
        }
    }
    out
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    prefix: String,
    reviews_dir: String,
    tip: ObjectId,
    rubrics_dir: String,
    commits: Vec<crate::load::git::CommitInfo>,
    reviews: BTreeMap<String, Vec<crate::history::timeline::Event>>,
    snapshots: HashMap<ObjectId, Arc<Snapshot>>,
    /// Every valid rubric file version, oldest first.
    rubrics: Vec<(ObjectId, RubricText)>,
}

fn cache_path(h: &History) -> PathBuf {
    h.git_dir()
        .join("rubric")
        .join(format!("history-v{CACHE_FORMAT}.bin"))
}

fn read_cache(
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
fn write_cache(path: &Path, cache: &CacheFile) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let bytes = postcard::to_allocvec(cache).map_err(std::io::Error::other)?;
    crate::load::file::write_atomic(path, &bytes, true)
}

/// Scans the history of the git repository holding `root` for review files under
/// `reviews_dir` and rubric files directly in `rubrics_dir`. `progress` is called with the
/// number of commits read so far.
pub fn scan(
    root: &Path,
    reviews_dir: &str,
    rubrics_dir: &str,
    opts: &ScanOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Scan, ScanError> {
    match scan_once(root, reviews_dir, rubrics_dir, opts, progress, false)? {
        Some(scan) => Ok(scan),
        // New commits since the cache include a merge: their order relative to the cached
        // ones is not the order a full walk takes, so rebuild to give the same answer.
        None => scan_once(root, reviews_dir, rubrics_dir, opts, progress, true)?
            .ok_or(ScanError::History(HistoryError::NoRepository)),
    }
}

fn scan_once(
    root: &Path,
    reviews_dir: &str,
    rubrics_dir: &str,
    opts: &ScanOptions,
    progress: &mut dyn FnMut(usize),
    force_cold: bool,
) -> Result<Option<Scan>, ScanError> {
    let timing = crate::timing::Timing::new();
    let history = History::open(root)?;
    let partial = history.is_shallow();
    if partial && !opts.allow_shallow {
        return Err(ScanError::Shallow);
    }
    let tip = history.resolve(opts.rev.as_deref())?;
    let path = cache_path(&history);
    let cached = if opts.no_cache || force_cold {
        None
    } else {
        read_cache(&path, history.prefix(), reviews_dir, rubrics_dir)
    };
    let (mut timelines, mut snapshots, mut rubric_texts, stop, mode) = match cached {
        Some(c) if c.tip == tip => {
            let timelines = Timelines {
                commits: c.commits,
                reviews: c.reviews,
            };
            return Ok(Some(Scan {
                history,
                tip,
                timelines,
                snapshots: c.snapshots,
                partial,
                cache: "warm".into(),
                rubrics: parse_rubrics(&c.rubrics),
            }));
        }
        Some(c) if history.is_ancestor(c.tip, tip) => (
            Timelines {
                commits: c.commits,
                reviews: c.reviews,
            },
            c.snapshots,
            c.rubrics,
            Some(c.tip),
            "incremental",
        ),
        _ => (
            Timelines::default(),
            HashMap::new(),
            Vec::new(),
            None,
            "cold",
        ),
    };
    let rubric_base = rubrics_dir.trim_end_matches('/');
    let is_rubric = |p: &str| {
        p.rsplit_once('/')
            .is_some_and(|(parent, _)| parent == rubric_base)
    };
    let review_base = format!("{}/", reviews_dir.trim_end_matches('/'));
    let mut seen: HashSet<ObjectId> = snapshots.keys().copied().collect();
    // Commits wait here until the new file versions they touch are parsed; then they join the
    // timelines. Parsing in batches keeps memory flat and uses every core.
    let mut pending: Vec<crate::load::git::CommitChanges> = Vec::new();
    let mut wanted: Vec<(ObjectId, String)> = Vec::new();
    let mut n = 0usize;
    let mut merged = false;
    let flush = |pending: &mut Vec<crate::load::git::CommitChanges>,
                 wanted: &mut Vec<(ObjectId, String)>,
                 snapshots: &mut HashMap<ObjectId, Arc<Snapshot>>,
                 timelines: &mut Timelines|
     -> Result<(), HistoryError> {
        let raw: Vec<(ObjectId, &str, Vec<u8>)> = wanted
            .iter()
            .map(|(id, path)| Ok((*id, path.as_str(), history.read_blob(*id)?)))
            .collect::<Result<_, HistoryError>>()?;
        let parsed: Vec<(ObjectId, Arc<Snapshot>)> = raw
            .par_iter()
            .map(|(id, path, bytes)| (*id, Arc::new(Snapshot::from_bytes(path, bytes))))
            .collect();
        drop(raw);
        snapshots.extend(parsed);
        if timing.enabled() && snapshots.len() % 20000 < 4096 {
            timing.mark(&format!(
                "scan: {} snapshots, {} commits",
                snapshots.len(),
                timelines.commits.len()
            ));
        }
        wanted.clear();
        for c in pending.drain(..) {
            timelines.push_commit(c.commit, &c.changes, &|b| {
                snapshots.get(&b).and_then(|s| s.id.clone())
            });
        }
        Ok(())
    };
    history.walk_changes(
        tip,
        stop,
        &[reviews_dir, rubrics_dir],
        progress,
        &mut |mut c| {
            n += 1;
            if stop.is_some() && c.parents > 1 {
                merged = true;
            }
            // Rubric file versions, oldest first: parse each new one once.
            for ch in c.changes.iter().filter(|ch| is_rubric(&ch.path)) {
                let Some(blob) = ch.new else { continue };
                if rubric_texts.iter().any(|(b, _)| *b == blob) {
                    continue;
                }
                let name = ch.path.rsplit('/').next().unwrap_or(&ch.path);
                let text = String::from_utf8_lossy(&history.read_blob(blob)?).into_owned();
                let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
                if crate::check::parse_historic(name, &text, max).is_some() {
                    let commit = c.commit.id;
                    let path = ch.path.clone();
                    rubric_texts.push((blob, RubricText { path, commit, text }));
                }
            }
            c.changes.retain(|ch| ch.path.starts_with(&review_base));
            for ch in &c.changes {
                for blob in [ch.new, ch.old].into_iter().flatten() {
                    if seen.insert(blob) {
                        wanted.push((blob, ch.path.clone()));
                    }
                }
            }
            pending.push(c);
            if wanted.len() >= 4096 {
                flush(&mut pending, &mut wanted, &mut snapshots, &mut timelines)?;
            }
            Ok(())
        },
    )?;
    flush(&mut pending, &mut wanted, &mut snapshots, &mut timelines)?;
    timing.mark("scan: every file version parsed");
    if merged {
        return Ok(None);
    }

    let cache = match mode {
        "incremental" => format!("incremental ({n} new commits)"),
        m => m.to_string(),
    };
    // Only a scan of HEAD's line moves the cache forward; an older --rev leaves it alone.
    let head = history.resolve(None).ok();
    if !opts.no_cache && !partial && head == Some(tip) {
        let file = CacheFile {
            format: CACHE_FORMAT,
            prefix: history.prefix().to_string(),
            reviews_dir: reviews_dir.to_string(),
            rubrics_dir: rubrics_dir.to_string(),
            tip,
            commits: timelines.commits,
            reviews: timelines.reviews,
            snapshots,
            rubrics: rubric_texts.clone(),
        };
        // A cache that cannot be written only costs time next run.
        let _ = write_cache(&path, &file);
        timelines = Timelines {
            commits: file.commits,
            reviews: file.reviews,
        };
        snapshots = file.snapshots;
    }
    let rubrics = parse_rubrics(&rubric_texts);
    Ok(Some(Scan {
        history,
        tip,
        timelines,
        snapshots,
        partial,
        cache,
        rubrics,
    }))
}
