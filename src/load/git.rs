//! Git history through git2: the only module that touches git. It finds old rubric versions
//! in past commits, lists the files changed since a revision, walks every commit for the
//! review files each one changed (by comparing tree entries by id), reads blobs, trees and the
//! mailmap, and answers ancestry questions for the cache.

use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, Sort};
use std::collections::{HashMap, HashSet};
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
    #[error("the branch has no commits yet")]
    Unborn,
}

/// A git object id (SHA-1), small and copyable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId(pub [u8; 20]);

impl ObjectId {
    fn from_oid(oid: Oid) -> ObjectId {
        let mut b = [0u8; 20];
        let bytes = oid.as_bytes();
        b[..bytes.len().min(20)].copy_from_slice(&bytes[..bytes.len().min(20)]);
        ObjectId(b)
    }

    fn oid(self) -> Result<Oid, git2::Error> {
        Oid::from_bytes(&self.0)
    }

    /// Parses 40 hex digits.
    pub fn parse(hex: &str) -> Option<ObjectId> {
        Oid::from_str(hex)
            .ok()
            .filter(|_| hex.len() == 40)
            .map(Self::from_oid)
    }
}

/// Hex text in human-readable formats (JSON), 20 raw bytes in binary ones (the cache).
impl serde::Serialize for ObjectId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.to_string())
        } else {
            s.serialize_bytes(&self.0)
        }
    }
}

impl<'de> serde::Deserialize<'de> for ObjectId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ObjectId;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a git object id")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ObjectId, E> {
                ObjectId::parse(v).ok_or_else(|| E::custom("not a 40-digit object id"))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<ObjectId, E> {
                let b: [u8; 20] = v.try_into().map_err(|_| E::custom("not 20 bytes"))?;
                Ok(ObjectId(b))
            }
        }
        if d.is_human_readable() {
            d.deserialize_str(V)
        } else {
            d.deserialize_bytes(V)
        }
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// Who made a commit and when, as recorded (raw identity: mailmap and roster apply later).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitInfo {
    pub id: ObjectId,
    pub author_name: String,
    pub author_email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// The author's UTC offset in minutes.
    pub offset_minutes: i32,
}

/// One YAML file that a commit changed under a watched folder (path relative to the QA root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub old: Option<ObjectId>,
    pub new: Option<ObjectId>,
}

/// The watched files a commit changed. For a merge, only changes that match none of its
/// parents (made by the merge itself) are listed: the rest are credited to the branch commits.
#[derive(Debug, Clone)]
pub struct CommitChanges {
    pub commit: CommitInfo,
    pub changes: Vec<FileChange>,
    /// How many parents the commit has (2 or more: a merge).
    pub parents: usize,
}

/// A commit's id, author and time.
fn commit_info(oid: Oid, commit: &git2::Commit<'_>) -> CommitInfo {
    let author = commit.author();
    CommitInfo {
        id: ObjectId::from_oid(oid),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        time: author.when().seconds(),
        offset_minutes: author.when().offset_minutes(),
    }
}

/// A git repository that holds a QA repository (possibly in a subfolder).
pub struct History {
    repo: Repository,
    /// The repository's `.mailmap`, read on first use.
    mailmap: std::cell::OnceCell<Option<git2::Mailmap>>,
    /// The QA repository root relative to the git work tree, `/`-separated, "" at the top.
    prefix: String,
}

/// Sets libgit2's process-wide options. Call once, from `main`, before any thread starts:
/// git2 allows these settings only then.
pub fn init_process_options() {
    // libgit2 re-hashes every object it reads to verify it; that is nearly half the cost
    // of a history walk, and this tool only reads.
    git2::opts::strict_hash_verification(false);
    // Memory stays flat on big histories: a walk reads each tree about once (the scan
    // remembers each commit's folder ids itself), so libgit2's object cache only grows, and
    // pack files are mapped in small windows instead of whole (measured: same speed, less
    // than half the peak memory on 21,000 commits).
    git2::opts::enable_caching(false);
    // SAFETY: process-wide libgit2 settings of plain sizes, made before any thread starts
    // (the caller's contract).
    unsafe {
        let _ = git2::opts::set_mwindow_mapped_limit(16 * 1024 * 1024);
        let _ = git2::opts::set_mwindow_size(4 * 1024 * 1024);
    }
}

impl History {
    /// Opens the git repository that contains `root`, if there is one.
    pub fn open(root: &Path) -> Result<History, HistoryError> {
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
        Ok(History {
            repo,
            mailmap: std::cell::OnceCell::new(),
            prefix,
        })
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

impl History {
    /// The commit a revision names (HEAD when `None`).
    pub fn resolve(&self, rev: Option<&str>) -> Result<ObjectId, HistoryError> {
        let obj = match rev {
            Some(r) => {
                self.repo
                    .revparse_single(r)
                    .map_err(|source| HistoryError::BadRevision {
                        rev: r.to_string(),
                        source,
                    })?
            }
            None => match self.repo.head() {
                Ok(h) => h.peel(ObjectType::Commit)?,
                Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                    return Err(HistoryError::Unborn)
                }
                Err(e) if e.code() == git2::ErrorCode::NotFound => {
                    return Err(HistoryError::Unborn)
                }
                Err(e) => return Err(e.into()),
            },
        };
        let commit = obj
            .peel_to_commit()
            .map_err(|source| HistoryError::BadRevision {
                rev: rev.unwrap_or("HEAD").to_string(),
                source,
            })?;
        Ok(ObjectId::from_oid(commit.id()))
    }

    /// Is `ancestor` an ancestor of (or the same as) `of`?
    pub fn is_ancestor(&self, ancestor: ObjectId, of: ObjectId) -> bool {
        let (Ok(a), Ok(b)) = (ancestor.oid(), of.oid()) else {
            return false;
        };
        a == b || self.repo.graph_descendant_of(b, a).unwrap_or(false)
    }

    /// The git directory (for the cache).
    pub fn git_dir(&self) -> &Path {
        self.repo.path()
    }

    /// `git config user.email`, if set.
    pub fn user_email(&self) -> Option<String> {
        self.repo.config().ok()?.get_string("user.email").ok()
    }

    /// Maps a raw identity through the repository's `.mailmap` (as it is now).
    pub fn mailmap(&self, name: &str, email: &str) -> (String, String) {
        let map = self.mailmap.get_or_init(|| self.repo.mailmap().ok());
        let resolved = map.as_ref().and_then(|m| {
            let sig = git2::Signature::now(name, email).ok()?;
            let r = m.resolve_signature(&sig).ok()?;
            Some((
                r.name().unwrap_or(name).to_string(),
                r.email().unwrap_or(email).to_string(),
            ))
        });
        resolved.unwrap_or_else(|| (name.to_string(), email.to_string()))
    }

    /// The files below `dir` (relative to the QA root) whose working-tree content is known
    /// without reading them: unmodified against the index, with the index's blob id. Files with
    /// any status (modified, staged, untracked, conflicted) are left out.
    pub fn clean_files(&self, dir: &str) -> Result<HashMap<String, ObjectId>, HistoryError> {
        let spec = self.repo_path(dir).to_string_lossy().replace('\\', "/");
        let mut opts = git2::StatusOptions::new();
        opts.pathspec(format!("{spec}/"))
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .include_ignored(false)
            .exclude_submodules(true);
        let dirty: HashSet<Vec<u8>> = self
            .repo
            .statuses(Some(&mut opts))?
            .iter()
            .map(|e| e.path_bytes().to_vec())
            .collect();
        let index = self.repo.index()?;
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let within = format!("{spec}/");
        let mut out = HashMap::new();
        for e in index.iter() {
            if !e.path.starts_with(within.as_bytes()) || dirty.contains(&e.path) {
                continue;
            }
            let Ok(path) = std::str::from_utf8(&e.path) else {
                continue;
            };
            let rel = path.strip_prefix(&prefix).unwrap_or(path);
            out.insert(rel.to_string(), ObjectId::from_oid(e.id));
        }
        Ok(out)
    }

    /// The bytes of a file (path relative to the QA root) in a commit, if it exists there.
    pub fn file_at(&self, commit: ObjectId, rel: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let tree = self.repo.find_commit(commit.oid()?)?.tree()?;
        let Ok(entry) = tree.get_path(&self.repo_path(rel)) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        Ok(Some(self.repo.find_blob(entry.id())?.content().to_vec()))
    }

    /// The blob of a file (path relative to the QA root) in a commit, if it is there.
    pub fn blob_at(&self, commit: ObjectId, rel: &str) -> Result<Option<ObjectId>, HistoryError> {
        let tree = self.repo.find_commit(commit.oid()?)?.tree()?;
        let Ok(entry) = tree.get_path(&self.repo_path(rel)) else {
            return Ok(None);
        };
        Ok((entry.kind() == Some(ObjectType::Blob)).then(|| ObjectId::from_oid(entry.id())))
    }

    /// The first commit in `git rev-list --topo-order FROM` whose file `rel` is a blob that
    /// `wanted` accepts, with that blob.
    pub fn first_with_blob(
        &self,
        from: ObjectId,
        rel: &str,
        wanted: &dyn Fn(ObjectId) -> bool,
    ) -> Result<Option<(ObjectId, ObjectId)>, HistoryError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL)?;
        walk.push(from.oid()?)?;
        for oid in walk {
            let commit = ObjectId::from_oid(oid?);
            if let Some(blob) = self.blob_at(commit, rel)? {
                if wanted(blob) {
                    return Ok(Some((commit, blob)));
                }
            }
        }
        Ok(None)
    }

    /// A commit's author time.
    pub fn commit_time(
        &self,
        commit: ObjectId,
    ) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>, HistoryError> {
        let c = self.repo.find_commit(commit.oid()?)?;
        let t = c.author().when();
        let offset = chrono::FixedOffset::east_opt(t.offset_minutes() * 60);
        Ok(offset.and_then(|o| chrono::TimeZone::timestamp_opt(&o, t.seconds(), 0).single()))
    }

    /// A blob's bytes.
    pub fn read_blob(&self, id: ObjectId) -> Result<Vec<u8>, HistoryError> {
        Ok(self.repo.find_blob(id.oid()?)?.content().to_vec())
    }

    /// The YAML files below `dir` (relative to the QA root) in a commit's tree, with their blobs.
    pub fn tree_files(
        &self,
        commit: ObjectId,
        dir: &str,
    ) -> Result<Vec<(String, ObjectId)>, HistoryError> {
        let tree = self.repo.find_commit(commit.oid()?)?.tree()?;
        let mut out = Vec::new();
        let Ok(entry) = tree.get_path(&self.repo_path(dir)) else {
            return Ok(out);
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(out);
        }
        let sub = self.repo.find_tree(entry.id())?;
        let base = dir.trim_end_matches('/').to_string();
        let mut stack = vec![(sub, base)];
        while let Some((t, path)) = stack.pop() {
            for e in t.iter() {
                let Ok(name) = e.name() else { continue };
                let p = format!("{path}/{name}");
                match e.kind() {
                    Some(ObjectType::Tree) if !name.starts_with('.') => {
                        stack.push((self.repo.find_tree(e.id())?, p))
                    }
                    Some(ObjectType::Blob) if crate::load::repo::is_yaml_name(name) => {
                        out.push((p, ObjectId::from_oid(e.id())))
                    }
                    _ => {}
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// Calls `each` with every commit reachable from `tip` and not from `stop` (exclusive),
    /// parents before children, with the YAML files it changed below each of `dirs`.
    /// `progress` is called with the number of commits done so far.
    pub fn walk_changes(
        &self,
        tip: ObjectId,
        stop: Option<ObjectId>,
        dirs: &[&str],
        progress: &mut dyn FnMut(usize),
        each: &mut dyn FnMut(CommitChanges) -> Result<(), HistoryError>,
    ) -> Result<(), HistoryError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(tip.oid()?)?;
        if let Some(s) = stop {
            walk.hide(s.oid()?)?;
        }
        let dir_paths: Vec<PathBuf> = dirs.iter().map(|d| self.repo_path(d)).collect();
        let bases: Vec<&str> = dirs.iter().map(|d| d.trim_end_matches('/')).collect();
        // The watched folders' tree ids per commit seen: parents come before children, so a
        // parent's are read once, when it is walked.
        let mut dir_ids: HashMap<Oid, Vec<Option<Oid>>> = HashMap::new();
        for (n, oid) in walk.enumerate() {
            let oid = oid?;
            let commit = self.repo.find_commit(oid)?;
            let new_dirs = Self::dir_trees(&commit, &dir_paths)?;
            let parent_ids: Vec<Oid> = commit.parent_ids().collect();
            let mut parent_dirs = Vec::with_capacity(parent_ids.len());
            for p in &parent_ids {
                match dir_ids.get(p) {
                    Some(d) => parent_dirs.push(d.clone()),
                    None => {
                        parent_dirs.push(Self::dir_trees(&self.repo.find_commit(*p)?, &dir_paths)?)
                    }
                }
            }
            let mut changes = Vec::new();
            for (i, base) in bases.iter().enumerate() {
                let old = parent_dirs.first().and_then(|d| d[i]);
                self.diff_dirs(old, new_dirs[i], base, &mut changes)?;
            }
            if parent_ids.len() > 1 && !changes.is_empty() {
                self.drop_merged_in(&parent_ids[1..], &mut changes)?;
            }
            dir_ids.insert(oid, new_dirs);
            each(CommitChanges {
                commit: commit_info(oid, &commit),
                changes,
                parents: parent_ids.len(),
            })?;
            if n % 256 == 0 {
                progress(n);
            }
        }
        Ok(())
    }

    /// The tree ids of the folders at `dir_paths` in a commit (`None` where there is none).
    fn dir_trees(
        c: &git2::Commit<'_>,
        dir_paths: &[PathBuf],
    ) -> Result<Vec<Option<Oid>>, git2::Error> {
        let tree = c.tree()?;
        Ok(dir_paths
            .iter()
            .map(|p| {
                tree.get_path(p)
                    .ok()
                    .filter(|e| e.kind() == Some(ObjectType::Tree))
                    .map(|e| e.id())
            })
            .collect())
    }

    /// For a merge: keeps only the changes (against the first parent) that match none of the
    /// `other` parents.
    fn drop_merged_in(
        &self,
        others: &[Oid],
        changes: &mut Vec<FileChange>,
    ) -> Result<(), HistoryError> {
        let others: Vec<git2::Tree<'_>> = others
            .iter()
            .map(|p| self.repo.find_commit(*p).and_then(|c| c.tree()))
            .collect::<Result<_, _>>()?;
        changes.retain(|c: &FileChange| {
            !others.iter().any(|t| {
                let there = t
                    .get_path(&self.repo_path(&c.path))
                    .ok()
                    .map(|e| ObjectId::from_oid(e.id()));
                there == c.new
            })
        });
        Ok(())
    }

    /// Compares two trees by entry ids, descending only into subtrees that differ. Both trees
    /// list their entries in git's order, so one merge-join pass finds the differences.
    fn diff_dirs(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
        path: &str,
        out: &mut Vec<FileChange>,
    ) -> Result<(), HistoryError> {
        if old == new {
            return Ok(());
        }
        let old_tree = old.map(|id| self.repo.find_tree(id)).transpose()?;
        let new_tree = new.map(|id| self.repo.find_tree(id)).transpose()?;
        let mut a = old_tree.iter().flat_map(|t| t.iter()).peekable();
        let mut b = new_tree.iter().flat_map(|t| t.iter()).peekable();
        // git orders a tree named `x` as if it were `x/`.
        let key = |e: &git2::TreeEntry<'_>| -> Vec<u8> {
            let mut k = e.name_bytes().to_vec();
            if e.kind() == Some(ObjectType::Tree) {
                k.push(b'/');
            }
            k
        };
        loop {
            let order = match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(x), Some(y)) => {
                    if x.name_bytes() == y.name_bytes() && x.kind() == y.kind() {
                        std::cmp::Ordering::Equal
                    } else {
                        key(x).cmp(&key(y))
                    }
                }
            };
            let (o, n) = match order {
                std::cmp::Ordering::Less => (a.next(), None),
                std::cmp::Ordering::Greater => (None, b.next()),
                std::cmp::Ordering::Equal => (a.next(), b.next()),
            };
            if let (Some(x), Some(y)) = (&o, &n) {
                if x.id() == y.id() {
                    continue;
                }
            }
            let entry = o.as_ref().or(n.as_ref());
            let Some(entry) = entry else { continue };
            let Ok(name) = entry.name() else { continue };
            let child = format!("{path}/{name}");
            match entry.kind() {
                Some(ObjectType::Tree) if !name.starts_with('.') => {
                    self.diff_dirs(
                        o.as_ref().map(|e| e.id()),
                        n.as_ref().map(|e| e.id()),
                        &child,
                        out,
                    )?;
                }
                Some(ObjectType::Blob) if crate::load::repo::is_yaml_name(name) => {
                    out.push(FileChange {
                        path: child,
                        old: o.as_ref().map(|e| ObjectId::from_oid(e.id())),
                        new: n.as_ref().map(|e| ObjectId::from_oid(e.id())),
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }
}
