//! The history scan: every review's timeline from the git history (through the history
//! module), each file version parsed once by blob id, and the cache under `.git/rubric/` that
//! lets a later run read only the commits that are new since.

use crate::history::cache::{self, CacheFile, RubricText};
use crate::history::timeline::Timelines;
use crate::history::versions::{FileVersions, Kept};
use crate::load::git::{CommitChanges, History, HistoryError, ObjectId};
use crate::load::review::Snapshot;
use crate::timing::Timing;
use rayon::prelude::*;
use std::collections::HashMap;
use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::Receiver;
use std::sync::{Arc, Mutex};

/// The cache format (see `history::cache`).
pub use crate::history::cache::CACHE_FORMAT;

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
    /// Every review file version seen, by blob id: each timeline's newest whole, the others
    /// as what the rules ask of them (`snapshot` reads one whole again).
    pub versions: FileVersions,
    /// True when the clone is shallow and --allow-shallow accepted it.
    pub partial: bool,
    /// How the cache was used: "cold", "warm", or "incremental (N new commits)".
    pub cache: String,
    /// Every valid rubric file version in the history, oldest first (walk order).
    pub rubrics: Vec<HistoricRubric>,
    /// What the user should know (a cache that could not be written), for stderr.
    pub warnings: Vec<String>,
    /// Older versions held whole for a while (`hold_older`).
    held: Mutex<HashMap<ObjectId, Arc<Snapshot>>>,
    /// Older versions git could not give when they were read again.
    unread: Mutex<Vec<String>>,
}

impl Scan {
    /// What the history keeps of a review file version, if it was seen.
    pub fn kept(&self, blob: &ObjectId) -> Option<Kept<'_>> {
        self.versions.get(blob)
    }

    /// A review file version whole: as kept (a review's newest), held (see `hold_older`), or
    /// read again from git and parsed (an older one; `path` names it). `None` when git cannot
    /// give it any more (objects removed during the run): the failure is kept for
    /// [`Scan::unread`], so that the command can say so.
    pub fn snapshot(&self, blob: ObjectId, path: &str) -> Option<Arc<Snapshot>> {
        if let Some(s) = self.versions.whole(&blob) {
            return Some(s.clone());
        }
        if let Some(s) = lock(&self.held).get(&blob) {
            return Some(s.clone());
        }
        match self.history.read_blob(blob) {
            Ok(bytes) => Some(Arc::new(Snapshot::from_bytes(path, &bytes))),
            // A shallow clone accepted as partial lacks older objects, and the run said so.
            Err(_) if self.partial => None,
            Err(e) => {
                let e = e.at_path(path).to_string();
                let mut unread = lock(&self.unread);
                if !unread.contains(&e) {
                    unread.push(e);
                }
                None
            }
        }
    }

    /// Holds the older versions among `wanted` whole, in place of those held before, until
    /// the next call: read again from git (in order: git objects are not shared between
    /// threads) and parsed on the thread pool. A version git cannot give is an error here
    /// (but for a shallow clone accepted as partial).
    pub fn hold_older(&self, wanted: &[(ObjectId, &str)]) -> Result<(), HistoryError> {
        let mut held = lock(&self.held);
        held.clear();
        let mut raw = Vec::new();
        let mut seen = HashSet::new();
        for (blob, path) in wanted {
            if self.versions.whole(blob).is_none() && seen.insert(*blob) {
                let bytes = match self.history.read_blob(*blob) {
                    Ok(b) => b,
                    // A shallow clone accepted as partial lacks older objects (see `snapshot`).
                    Err(_) if self.partial => continue,
                    Err(e) => return Err(e.at_path(path)),
                };
                raw.push((*blob, *path, bytes));
            }
        }
        held.extend(
            raw.par_iter()
                .map(|(blob, path, bytes)| (*blob, Arc::new(Snapshot::from_bytes(path, bytes))))
                .collect::<Vec<_>>(),
        );
        held.shrink_to_fit();
        Ok(())
    }

    /// The older versions git could not give when they were read again, so far.
    pub fn unread(&self) -> Vec<String> {
        lock(&self.unread).clone()
    }
}

/// A lock whose holder panicked is still read (the data is a cache, never half-written).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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

/// What the history holds so far: from the cache, then from the commits walked since.
#[derive(Default)]
struct Gathered {
    timelines: Timelines,
    /// Every review file version seen, by blob id.
    versions: FileVersions,
    /// Every valid rubric file version, oldest first.
    rubric_texts: Vec<(ObjectId, RubricText)>,
}

impl Gathered {
    /// What a cache holds.
    fn from_cache(c: CacheFile) -> Gathered {
        Gathered {
            timelines: Timelines {
                commits: c.commits,
                reviews: c.reviews,
            },
            versions: c.versions,
            rubric_texts: c.rubrics,
        }
    }
}

/// Scans once; `None` when the commits new since the cache include a merge (then a cold scan
/// is needed). `force_cold` ignores the cache.
fn scan_once(
    root: &Path,
    reviews_dir: &str,
    rubrics_dir: &str,
    opts: &ScanOptions,
    progress: &mut dyn FnMut(usize),
    force_cold: bool,
) -> Result<Option<Scan>, ScanError> {
    let timing = Timing::new();
    let history = History::open(root)?;
    history.refuse_replacements()?;
    let partial = history.is_shallow();
    if partial && !opts.allow_shallow {
        return Err(ScanError::Shallow);
    }
    let tip = history.resolve(opts.rev.as_deref())?;
    let path = cache::cache_path(&history);
    // The cache lives in the git folder: through a link out of it, it is neither read, nor
    // written, nor cleaned up.
    let outside = match opts.no_cache {
        true => None,
        false => outside_git(&history, &path),
    };
    let use_cache = !opts.no_cache && outside.is_none();
    if outside.is_none() {
        cache::remove_stale_temporaries(&path);
    }
    let cached = if !use_cache || force_cold {
        None
    } else {
        cache::read_cache(&path, history.prefix(), reviews_dir, rubrics_dir)
    };
    let (mut gathered, stop, mode) = match cached {
        Some(c) if c.tip == tip => return Ok(Some(warm_scan(history, tip, partial, c))),
        Some(c) if history.is_ancestor(c.tip, tip) => {
            let stop = Some(c.tip);
            (Gathered::from_cache(c), stop, "incremental")
        }
        _ => (Gathered::default(), None, "cold"),
    };
    let dirs = [reviews_dir, rubrics_dir];
    let (n, merged) = walk_new(
        &history,
        &timing,
        (tip, stop),
        dirs,
        progress,
        &mut gathered,
    )?;
    if merged {
        return Ok(None);
    }

    let cache = match mode {
        "incremental" => format!("incremental ({n} new commits)"),
        m => m.to_string(),
    };
    // Only a scan of HEAD's line moves the cache forward; an older --rev leaves it alone.
    let head = history.resolve(None).ok();
    let mut warnings: Vec<String> = outside.into_iter().collect();
    if use_cache && !partial && head == Some(tip) {
        let (saved, warning) = save_cache(&history, &path, tip, dirs, gathered);
        gathered = saved;
        warnings.extend(warning);
    }
    let rubrics = parse_rubrics(&gathered.rubric_texts);
    Ok(Some(Scan {
        history,
        tip,
        timelines: gathered.timelines,
        versions: gathered.versions,
        partial,
        cache,
        rubrics,
        warnings,
        held: Mutex::default(),
        unread: Mutex::default(),
    }))
}

/// Why the cache at `path` may not be used, if it may not: it lives in the git folder, and is
/// neither read, nor written, nor cleaned up through a link out of it.
fn outside_git(history: &History, path: &Path) -> Option<String> {
    crate::load::file::ensure_within(history.git_dir(), path)
        .err()
        .map(|e| {
            format!(
                "the history cache {} is not used: {e} (every run reads the whole history)",
                path.display()
            )
        })
}

/// The scan the cache holds whole: its tip is the commit asked for.
fn warm_scan(history: History, tip: ObjectId, partial: bool, c: CacheFile) -> Scan {
    let timelines = Timelines {
        commits: c.commits,
        reviews: c.reviews,
    };
    Scan {
        history,
        tip,
        timelines,
        versions: c.versions,
        partial,
        cache: "warm".into(),
        rubrics: parse_rubrics(&c.rubrics),
        warnings: Vec::new(),
        held: Mutex::default(),
        unread: Mutex::default(),
    }
}

/// Walks the commits from `stop` (exclusive; the start when `None`) to `tip`, adding their
/// review and rubric file versions to `gathered`. Returns how many commits were walked, and
/// whether an incremental walk met a merge.
fn walk_new(
    history: &History,
    timing: &Timing,
    (tip, stop): (ObjectId, Option<ObjectId>),
    [reviews_dir, rubrics_dir]: [&str; 2],
    progress: &mut dyn FnMut(usize),
    gathered: &mut Gathered,
) -> Result<(usize, bool), HistoryError> {
    let rubric_base = rubrics_dir.trim_end_matches('/');
    let review_base = format!("{}/", reviews_dir.trim_end_matches('/'));
    let mut batch = Batch {
        history,
        timing,
        seen: gathered.versions.blobs().copied().collect(),
        pending: Vec::new(),
        wanted: Vec::new(),
        in_flight: None,
    };
    let mut n = 0usize;
    let mut merged = false;
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
            collect_rubrics(history, &c, rubric_base, &mut gathered.rubric_texts)?;
            c.changes.retain(|ch| ch.path.starts_with(&review_base));
            batch.push(c);
            if batch.wanted.len() >= 4096 {
                batch.flush(&mut gathered.versions, &mut gathered.timelines)?;
            }
            Ok(())
        },
    )?;
    batch.flush(&mut gathered.versions, &mut gathered.timelines)?;
    batch.finish(&mut gathered.versions, &mut gathered.timelines)?;
    if timing.enabled() {
        let (whole, older) = gathered.versions.counts();
        timing.mark(&format!(
            "scan: every file version parsed ({whole} whole, {older} older)"
        ));
    }
    Ok((n, merged))
}

/// Keeps each valid rubric file version the commit adds to `rubric_base` (parsing each new
/// one once), oldest first.
fn collect_rubrics(
    history: &History,
    c: &CommitChanges,
    rubric_base: &str,
    texts: &mut Vec<(ObjectId, RubricText)>,
) -> Result<(), HistoryError> {
    let is_rubric = |p: &str| {
        p.rsplit_once('/')
            .is_some_and(|(parent, _)| parent == rubric_base)
    };
    for ch in c.changes.iter().filter(|ch| is_rubric(&ch.path)) {
        let Some(blob) = ch.new else { continue };
        if texts.iter().any(|(b, _)| *b == blob) {
            continue;
        }
        let name = ch.path.rsplit('/').next().unwrap_or(&ch.path);
        let bytes = history.read_blob(blob).map_err(|e| e.at_path(&ch.path))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
        if crate::check::parse_historic(name, &text, max).is_some() {
            let commit = c.commit.id;
            let path = ch.path.clone();
            texts.push((blob, RubricText { path, commit, text }));
        }
    }
    Ok(())
}

/// Commits wait here until the new file versions they touch are parsed; then they join the
/// timelines. Parsing in batches keeps memory flat; a batch is parsed on the thread pool
/// while this thread walks on to the next one (the walk and the parse overlap).
struct Batch<'a> {
    history: &'a History,
    timing: &'a Timing,
    /// Every file version parsed or waiting to be.
    seen: HashSet<ObjectId>,
    pending: Vec<CommitChanges>,
    /// The file versions to parse, each with a path it was seen at.
    wanted: Vec<(ObjectId, String)>,
    /// The batch being parsed: its commits, and where its snapshots arrive.
    in_flight: Option<(Vec<CommitChanges>, Receiver<Parsed>)>,
}

/// A batch's parsed file versions.
type Parsed = Vec<(ObjectId, Arc<Snapshot>)>;

impl Batch<'_> {
    /// Queues a commit, and the file versions it touches that are not yet seen.
    fn push(&mut self, c: CommitChanges) {
        for ch in &c.changes {
            for blob in [ch.new, ch.old].into_iter().flatten() {
                if self.seen.insert(blob) {
                    self.wanted.push((blob, ch.path.clone()));
                }
            }
        }
        self.pending.push(c);
    }

    /// Reads the wanted file versions and hands them to the thread pool to parse; the batch
    /// before joins the timelines first.
    fn flush(
        &mut self,
        versions: &mut FileVersions,
        timelines: &mut Timelines,
    ) -> Result<(), HistoryError> {
        let raw: Vec<(ObjectId, String, Vec<u8>)> = self
            .wanted
            .drain(..)
            .map(|(id, path)| {
                let bytes = self.history.read_blob(id).map_err(|e| e.at_path(&path))?;
                Ok((id, path, bytes))
            })
            .collect::<Result<_, HistoryError>>()?;
        self.finish(versions, timelines)?;
        let (tx, rx) = std::sync::mpsc::channel();
        rayon::spawn(move || {
            let parsed: Parsed = raw
                .par_iter()
                .map(|(id, path, bytes)| (*id, Arc::new(Snapshot::from_bytes(path, bytes))))
                .collect();
            // The receiver is gone only when the scan stopped on an error.
            let _ = tx.send(parsed);
        });
        self.in_flight = Some((std::mem::take(&mut self.pending), rx));
        Ok(())
    }

    /// Waits for the batch being parsed, then adds its commits to the timelines; a version
    /// they replace is then kept only as an older one.
    fn finish(
        &mut self,
        versions: &mut FileVersions,
        timelines: &mut Timelines,
    ) -> Result<(), HistoryError> {
        let Some((commits, rx)) = self.in_flight.take() else {
            return Ok(());
        };
        // The parse returns a snapshot for any bytes; a panic there aborts the process (rayon's
        // default for a spawned task), so a batch is never silently lost.
        let parsed = rx.recv().unwrap_or_default();
        versions.extend(parsed);
        let (whole, older) = versions.counts();
        if self.timing.enabled() && (whole + older) % 20000 < 4096 {
            self.timing.mark(&format!(
                "scan: {whole} versions whole, {older} older, {} commits",
                timelines.commits.len()
            ));
        }
        let replaced = replaced(&commits);
        let added: Vec<(ObjectId, String)> = commits
            .iter()
            .flat_map(|c| &c.changes)
            .filter_map(|ch| Some((ch.new?, ch.path.clone())))
            .collect();
        for c in commits {
            timelines.push_commit(c.commit, &c.changes, &|b| {
                versions.get(&b).and_then(Kept::id).map(String::from)
            });
        }
        retire_replaced(versions, timelines, replaced);
        // A version retired before and now a review's newest again (a revert): whole again.
        for (blob, path) in added {
            if matches!(versions.get(&blob), Some(Kept::Older(_)))
                && is_newest(versions, timelines, blob, std::slice::from_ref(&path))
            {
                let bytes = self.history.read_blob(blob).map_err(|e| e.at_path(&path))?;
                versions.extend([(blob, Arc::new(Snapshot::from_bytes(&path, &bytes)))]);
            }
        }
        Ok(())
    }
}

/// The versions the commits replace or delete, each with the paths the commits name it at.
fn replaced(commits: &[CommitChanges]) -> Vec<(ObjectId, Vec<String>)> {
    let changes = || commits.iter().flat_map(|c| &c.changes);
    let old: HashSet<ObjectId> = changes().filter_map(|ch| ch.old).collect();
    let mut paths: HashMap<ObjectId, Vec<String>> = HashMap::new();
    for ch in changes() {
        for blob in [ch.old, ch.new].into_iter().flatten() {
            if old.contains(&blob) {
                paths.entry(blob).or_default().push(ch.path.clone());
            }
        }
    }
    paths.into_iter().collect()
}

/// Keeps whole only what is still a review's newest version: each replaced version is kept
/// as an older one, unless a timeline it may belong to (by its `id`, or the stem of a path
/// the commits name it at) still ends with it. (Which versions are whole is only a question
/// of speed: a rule that needs an older one whole reads it again.)
fn retire_replaced(
    versions: &mut FileVersions,
    timelines: &Timelines,
    replaced: Vec<(ObjectId, Vec<String>)>,
) {
    for (blob, paths) in replaced {
        if !is_newest(versions, timelines, blob, &paths) {
            versions.retire(&blob);
        }
    }
}

/// Does a timeline the version may belong to (by its `id`, or the stem of a path it is seen
/// at) end with it?
fn is_newest(
    versions: &FileVersions,
    timelines: &Timelines,
    blob: ObjectId,
    paths: &[String],
) -> bool {
    use crate::history::timeline::EventKind;
    let Some(kept) = versions.get(&blob) else {
        return false;
    };
    let stems = paths.iter().map(|p| crate::load::repo::stem(p));
    kept.id()
        .into_iter()
        .chain(stems)
        .filter_map(|id| timelines.reviews.get(id)?.last())
        .any(|e| e.blob == blob && e.kind != EventKind::Deleted)
}

/// Writes the cache, and gives back what it holds. A cache that cannot be written only costs
/// time next run: the command goes on, with a warning that names the cache path (the caller
/// shows it), and a previous cache is left whole (the write is atomic).
fn save_cache(
    history: &History,
    path: &Path,
    tip: ObjectId,
    [reviews_dir, rubrics_dir]: [&str; 2],
    gathered: Gathered,
) -> (Gathered, Option<String>) {
    let file = CacheFile {
        format: CACHE_FORMAT,
        prefix: history.prefix().to_string(),
        reviews_dir: reviews_dir.to_string(),
        rubrics_dir: rubrics_dir.to_string(),
        tip,
        commits: gathered.timelines.commits,
        reviews: gathered.timelines.reviews,
        versions: gathered.versions,
        rubrics: gathered.rubric_texts,
    };
    // Checked again just before the write: a link may have been put there during the scan.
    if let Some(w) = outside_git(history, path) {
        return (Gathered::from_cache(file), Some(w));
    }
    let warning = match cache::write_cache(&crate::load::disk::REAL, path, &file) {
        Err(e) => Some(format!(
            "cannot write the history cache {}: {e} (the next run reads the whole history again)",
            path.display()
        )),
        Ok(()) => {
            let left = cache::remove_other_formats(path);
            (!left.is_empty()).then(|| {
                format!(
                    "cannot remove an old history cache ({}); it is not read, and can be \
                     deleted by hand",
                    left.join("; ")
                )
            })
        }
    };
    (Gathered::from_cache(file), warning)
}
