//! Git history through git2: the only module that touches git. It finds old rubric versions
//! in past commits, lists the files changed since a revision, walks every commit for the
//! review files each one changed (by comparing tree entries by id), reads blobs, trees and the
//! mailmap, and answers ancestry questions for the cache.

use git2::{Delta, DiffOptions, ObjectType, Oid, Repository, Sort};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

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
    #[error(
        "git object {id}{} is damaged: {reason}. `git fsck` lists every damaged object; restore \
         them from another clone (or run on a fresh clone)",
        at(.path)
    )]
    Damaged {
        id: ObjectId,
        /// The file or folder it holds (relative to the QA root), when known.
        path: Option<String>,
        reason: String,
    },
    #[error("cannot read `{path}`: {source}")]
    Unreadable {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "this repository has replace refs (`{name}`): git follows them and rubric does not, so \
         dates and credits could differ from `git log`. Remove them (`git replace -l`, then \
         `git replace -d <object>`), set GIT_NO_REPLACE_OBJECTS=1 to ignore them as git then \
         does, or run on a clone without them"
    )]
    Replaced { name: String },
    #[error(
        "this repository has grafts (`{path}`): git follows them and rubric does not, so dates \
         and credits could differ from `git log`. Remove that file (or convert it with `git \
         replace --convert-graft-file`, then remove the replace refs), or run on a clone \
         without it"
    )]
    Grafts { path: String },
}

fn at(path: &Option<String>) -> String {
    path.as_ref()
        .map(|p| format!(" (`{p}`)"))
        .unwrap_or_default()
}

impl HistoryError {
    /// Names the file or folder a damaged object holds, when the error does not yet.
    pub fn at_path(self, rel: &str) -> HistoryError {
        match self {
            HistoryError::Damaged {
                id,
                path: None,
                reason,
            } => HistoryError::Damaged {
                id,
                path: Some(rel.to_string()),
                reason,
            },
            other => other,
        }
    }
}

/// A damaged object's error.
fn damaged(oid: Oid, reason: impl std::fmt::Display) -> HistoryError {
    HistoryError::Damaged {
        id: ObjectId::from_oid(oid),
        path: None,
        reason: reason.to_string(),
    }
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

/// A commit as its object says, read leniently as `git log` reads it: an author line without
/// an e-mail, a date or a valid zone still gives a commit (libgit2 refuses such a commit).
struct RawCommit {
    tree: Oid,
    parents: Vec<Oid>,
    info: CommitInfo,
}

/// One identity line: `name <email> seconds +hhmm`, each part possibly missing or odd.
struct Ident {
    name: String,
    email: String,
    /// Seconds since the epoch and the UTC offset in minutes, when readable.
    when: Option<(i64, i32)>,
}

fn parse_ident(line: &[u8]) -> Ident {
    let text = |b: &[u8]| String::from_utf8_lossy(b).trim().to_string();
    let Some(lt) = line.iter().position(|&b| b == b'<') else {
        return Ident {
            name: text(line),
            email: String::new(),
            when: None,
        };
    };
    let rest = &line[lt + 1..];
    let (email, after) = match rest.iter().rposition(|&b| b == b'>') {
        Some(gt) => (&rest[..gt], &rest[gt + 1..]),
        None => (rest, &[][..]),
    };
    let after = String::from_utf8_lossy(after);
    let mut parts = after.split_whitespace();
    let seconds = parts.next().and_then(|s| s.parse::<i64>().ok());
    let offset = parts.next().and_then(|z| {
        let (sign, digits) = match z.as_bytes().first()? {
            b'+' => (1, &z[1..]),
            b'-' => (-1, &z[1..]),
            _ => return None,
        };
        if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let (h, m): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
        (h < 24 && m < 60).then_some(sign * (h * 60 + m))
    });
    Ident {
        name: text(&line[..lt]),
        email: text(email),
        when: seconds.map(|s| (s, offset.unwrap_or(0))),
    }
}

/// A commit's tree, parents, author and time from its object's bytes. The author's date, else
/// the committer's, else the epoch dates it.
fn parse_commit(oid: Oid, data: &[u8]) -> Result<RawCommit, HistoryError> {
    let (mut tree, mut parents, mut author, mut committer) = (None, Vec::new(), None, None);
    for line in data.split(|&b| b == b'\n') {
        if line.is_empty() {
            break;
        }
        let (key, value) = match line.iter().position(|&b| b == b' ') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => (line, &[][..]),
        };
        let id = || {
            std::str::from_utf8(value)
                .ok()
                .and_then(|h| Oid::from_str(h.trim()).ok())
        };
        match key {
            b"tree" if tree.is_none() => tree = id(),
            b"parent" => parents.push(id().ok_or_else(|| damaged(oid, "a bad parent line"))?),
            b"author" if author.is_none() => author = Some(parse_ident(value)),
            b"committer" if committer.is_none() => committer = Some(parse_ident(value)),
            _ => {}
        }
    }
    let tree = tree.ok_or_else(|| damaged(oid, "the commit names no tree"))?;
    let author = author.unwrap_or(Ident {
        name: String::new(),
        email: String::new(),
        when: None,
    });
    let (time, offset_minutes) = author
        .when
        .or_else(|| committer.and_then(|c| c.when))
        .unwrap_or((0, 0));
    Ok(RawCommit {
        tree,
        parents,
        info: CommitInfo {
            id: ObjectId::from_oid(oid),
            author_name: author.name,
            author_email: author.email,
            time,
            offset_minutes,
        },
    })
}

/// A git repository that holds a QA repository (possibly in a subfolder).
pub struct History {
    repo: Repository,
    /// The repository's `.mailmap`, read on first use.
    mailmap: std::cell::OnceCell<Option<git2::Mailmap>>,
    /// Identities already mapped: a history has few authors and many commits.
    mapped: std::cell::RefCell<HashMap<(String, String), (String, String)>>,
    /// The QA repository root relative to the git work tree, `/`-separated, "" at the top.
    prefix: String,
    /// The first damaged loose commit or tag found, checked once before libgit2 walks.
    loose_commits: std::cell::OnceCell<Option<(Option<Oid>, String)>>,
    /// The commits where a shallow clone's history is cut off (their parents are missing).
    shallow: HashSet<Oid>,
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
        let shallow_file = repo.commondir().join("shallow");
        let shallow = match std::fs::read_to_string(&shallow_file) {
            Ok(text) => text
                .lines()
                .filter_map(|l| Oid::from_str(l.trim()).ok())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => HashSet::new(),
            Err(source) => {
                return Err(HistoryError::Unreadable {
                    path: shallow_file.to_string_lossy().into_owned(),
                    source,
                })
            }
        };
        Ok(History {
            repo,
            mailmap: std::cell::OnceCell::new(),
            mapped: std::cell::RefCell::new(HashMap::new()),
            prefix,
            loose_commits: std::cell::OnceCell::new(),
            shallow,
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
        // libgit2 would spin on a truncated loose commit; check them first.
        self.check_loose_commits()?;
        let id = match rev {
            Some(r) => match self.repo.revparse_single(r) {
                Ok(obj) => obj.id(),
                // libgit2 cannot parse some commits that git reads (an odd author line): a
                // branch, tag or hex id still names them.
                Err(source) => self
                    .repo
                    .resolve_reference_from_short_name(r)
                    .and_then(|reference| reference.resolve())
                    .ok()
                    .and_then(|reference| reference.target())
                    .or_else(|| {
                        // A full id that names no object here (from another clone, or lost in
                        // a rewrite) is not found, not a damaged object.
                        let exists =
                            |oid: &Oid| self.repo.odb().map(|o| o.exists(*oid)).unwrap_or(false);
                        Oid::from_str(r)
                            .ok()
                            .filter(|oid| r.len() == 40 && exists(oid))
                    })
                    .ok_or(HistoryError::BadRevision {
                        rev: r.to_string(),
                        source,
                    })?,
            },
            None => match self.repo.head() {
                Ok(h) => h.resolve()?.target().ok_or(HistoryError::Unborn)?,
                Err(e) if e.code() == git2::ErrorCode::UnbornBranch => {
                    return Err(HistoryError::Unborn)
                }
                Err(e) if e.code() == git2::ErrorCode::NotFound => {
                    return Err(HistoryError::Unborn)
                }
                Err(e) => return Err(e.into()),
            },
        };
        self.peel_to_commit(id)
            .map_err(|e| match e {
                HistoryError::Git(source) => HistoryError::BadRevision {
                    rev: rev.unwrap_or("HEAD").to_string(),
                    source,
                },
                other => other,
            })
            .map(ObjectId::from_oid)
    }

    /// The commit an object is or (through annotated tags) points to.
    fn peel_to_commit(&self, mut id: Oid) -> Result<Oid, HistoryError> {
        for _ in 0..16 {
            let (kind, data) = self.raw(id)?;
            match kind {
                ObjectType::Commit => return Ok(id),
                ObjectType::Tag => {
                    let target = data
                        .split(|&b| b == b'\n')
                        .find_map(|l| l.strip_prefix(b"object "))
                        .and_then(|h| std::str::from_utf8(h).ok())
                        .and_then(|h| Oid::from_str(h.trim()).ok())
                        .ok_or_else(|| damaged(id, "a tag that names no object"))?;
                    id = target;
                }
                other => {
                    return Err(HistoryError::Git(git2::Error::from_str(&format!(
                        "{id} is a {other}, not a commit"
                    ))))
                }
            }
        }
        Err(damaged(id, "a chain of tags too long"))
    }

    /// Refuses a repository whose history git reads differently from libgit2: replace refs
    /// (unless GIT_NO_REPLACE_OBJECTS tells git to ignore them too) and grafts.
    pub fn refuse_replacements(&self) -> Result<(), HistoryError> {
        if std::env::var_os("GIT_NO_REPLACE_OBJECTS").is_none() {
            if let Some(r) = self.repo.references_glob("refs/replace/*")?.next() {
                let r = r?;
                let name = String::from_utf8_lossy(r.name_bytes()).into_owned();
                return Err(HistoryError::Replaced { name });
            }
        }
        let grafts = self.repo.commondir().join("info").join("grafts");
        match std::fs::symlink_metadata(&grafts) {
            Ok(_) => Err(HistoryError::Grafts {
                path: grafts.to_string_lossy().into_owned(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(HistoryError::Unreadable {
                path: grafts.to_string_lossy().into_owned(),
                source,
            }),
        }
    }

    /// The loose object file of `oid`, if the object is stored loose.
    fn loose_path(&self, oid: Oid) -> PathBuf {
        let hex = oid.to_string();
        self.repo
            .commondir()
            .join("objects")
            .join(&hex[..2])
            .join(&hex[2..])
    }

    /// Checks a loose object's data before libgit2 reads it (libgit2 spins forever on one
    /// whose compressed data ends early). A packed object is left to libgit2.
    fn check_loose(&self, oid: Oid) -> Result<(), HistoryError> {
        let path = self.loose_path(oid);
        let data = match std::fs::read(&path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(damaged(oid, format!("cannot read {}: {e}", path.display()))),
        };
        loose::check(&data).map_err(|reason| damaged(oid, reason))
    }

    /// Checks every loose commit and tag once (and every loose object whose header does not
    /// decode), before libgit2 walks commits: it would spin on a truncated one.
    fn check_loose_commits(&self) -> Result<(), HistoryError> {
        let found = self.loose_commits.get_or_init(|| {
            let objects = self.repo.commondir().join("objects");
            let unreadable = |p: &Path, e: std::io::Error| {
                Some((None, format!("cannot read `{}`: {e}", p.display())))
            };
            let dirs = match std::fs::read_dir(&objects) {
                Ok(d) => d,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
                Err(e) => return unreadable(&objects, e),
            };
            for dir in dirs {
                let dir = match dir {
                    Ok(d) => d,
                    Err(e) => return unreadable(&objects, e),
                };
                let name = dir.file_name();
                let name = name.to_string_lossy();
                if name.len() != 2 || !name.bytes().all(|b| b.is_ascii_hexdigit()) {
                    continue;
                }
                let files = match std::fs::read_dir(dir.path()) {
                    Ok(f) => f,
                    Err(e) => return unreadable(&dir.path(), e),
                };
                for f in files {
                    let f = match f {
                        Ok(f) => f,
                        Err(e) => return unreadable(&dir.path(), e),
                    };
                    let hex = format!("{name}{}", f.file_name().to_string_lossy());
                    let Some(oid) = Oid::from_str(&hex).ok().filter(|_| hex.len() == 40) else {
                        // Not an object file (a temporary file of a running git).
                        continue;
                    };
                    let data = match std::fs::read(f.path()) {
                        Ok(d) => d,
                        Err(e) => return Some((Some(oid), format!("cannot read it: {e}"))),
                    };
                    let bad = match loose::kind(&data).as_deref() {
                        Some("commit" | "tag") => loose::check(&data).err(),
                        Some(_) => None,
                        None => Some(loose::check(&data).err().unwrap_or("a bad header")),
                    };
                    if let Some(reason) = bad {
                        return Some((Some(oid), reason.to_string()));
                    }
                }
            }
            None
        });
        match found {
            Some((Some(oid), reason)) => Err(damaged(*oid, reason)),
            Some((None, reason)) => Err(HistoryError::Git(git2::Error::from_str(reason))),
            None => Ok(()),
        }
    }

    /// An object's type and bytes, its loose data checked first.
    fn raw(&self, oid: Oid) -> Result<(ObjectType, Vec<u8>), HistoryError> {
        self.check_loose(oid)?;
        let odb = self.repo.odb()?;
        let obj = odb.read(oid).map_err(|e| damaged(oid, e.message()))?;
        Ok((obj.kind(), obj.data().to_vec()))
    }

    /// A commit, read leniently (see `RawCommit`). Where a shallow clone is cut off, it has no
    /// parents (as git and libgit2 read it).
    fn commit(&self, oid: Oid) -> Result<RawCommit, HistoryError> {
        match self.raw(oid)? {
            (ObjectType::Commit, data) => {
                let mut c = parse_commit(oid, &data)?;
                if self.shallow.contains(&oid) {
                    c.parents.clear();
                }
                Ok(c)
            }
            (kind, _) => Err(damaged(
                oid,
                format!("a {kind} where a commit was expected"),
            )),
        }
    }

    /// A tree, its loose data checked first.
    fn tree(&self, oid: Oid) -> Result<git2::Tree<'_>, HistoryError> {
        self.check_loose(oid)?;
        self.repo
            .find_tree(oid)
            .map_err(|e| damaged(oid, e.message()))
    }

    /// A commit's root tree.
    fn commit_tree(&self, commit: ObjectId) -> Result<git2::Tree<'_>, HistoryError> {
        let oid = commit.oid()?;
        self.tree(self.commit(oid)?.tree)
    }

    /// The commits reachable from `tip` and not from `stop`, in libgit2's topological order
    /// (children first; `reverse`: parents first). Where libgit2 cannot parse a commit that git
    /// reads, a walk of its own (each commit once) gives a topological order instead.
    fn topo(&self, tip: Oid, stop: Option<Oid>, reverse: bool) -> Result<Vec<Oid>, HistoryError> {
        self.check_loose_commits()?;
        let by_libgit2 = || -> Result<Vec<Oid>, git2::Error> {
            let mut walk = self.repo.revwalk()?;
            let mut sort = Sort::TOPOLOGICAL;
            if reverse {
                sort |= Sort::REVERSE;
            }
            walk.set_sorting(sort)?;
            walk.push(tip)?;
            if let Some(s) = stop {
                walk.hide(s)?;
            }
            walk.collect()
        };
        if let Ok(list) = by_libgit2() {
            return Ok(list);
        }
        // Every commit reachable from `stop` is left out.
        let mut hidden = HashSet::new();
        let mut stack: Vec<Oid> = stop.into_iter().collect();
        while let Some(c) = stack.pop() {
            if hidden.insert(c) {
                stack.extend(self.commit(c)?.parents);
            }
        }
        // Depth first from the tip, parents in order; a commit is listed after its parents.
        let mut order = Vec::new();
        let mut seen = HashSet::new();
        let mut path: Vec<(Oid, Vec<Oid>, usize)> = Vec::new();
        if !hidden.contains(&tip) {
            seen.insert(tip);
            path.push((tip, self.commit(tip)?.parents, 0));
        }
        while let Some((oid, parents, next)) = path.last_mut() {
            if let Some(p) = parents.get(*next).copied() {
                *next += 1;
                if !hidden.contains(&p) && seen.insert(p) {
                    let grand = self.commit(p)?.parents;
                    path.push((p, grand, 0));
                }
            } else {
                order.push(*oid);
                path.pop();
            }
        }
        if !reverse {
            order.reverse();
        }
        Ok(order)
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
        let key = (name.to_string(), email.to_string());
        if let Some(found) = self.mapped.borrow().get(&key) {
            return found.clone();
        }
        let found = self.mailmap_uncached(name, email);
        self.mapped.borrow_mut().insert(key, found.clone());
        found
    }

    fn mailmap_uncached(&self, name: &str, email: &str) -> (String, String) {
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
        // As `git status` decides it, without its folder walk and tree compare: a file is
        // unchanged when its size, modification time and mode equal the index entry's, and it
        // was last modified before the index was written (a file changed in the same instant
        // as the index is "racily clean": it counts as changed and is read again).
        let spec = self.repo_path(dir).to_string_lossy().replace('\\', "/");
        let workdir = self.repo.workdir().ok_or(HistoryError::NoRepository)?;
        let index = self.repo.index()?;
        let stamp = |m: &std::fs::Metadata| {
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        };
        let Some(written) = std::fs::metadata(self.repo.path().join("index"))
            .ok()
            .and_then(|m| stamp(&m))
        else {
            return Ok(HashMap::new());
        };
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        };
        let within = format!("{spec}/");
        let mut out = HashMap::new();
        for e in index.iter() {
            if !e.path.starts_with(within.as_bytes()) || e.flags & 0x3000 != 0 {
                continue;
            }
            let Ok(path) = std::str::from_utf8(&e.path) else {
                continue;
            };
            let Ok(m) = std::fs::symlink_metadata(workdir.join(path)) else {
                continue;
            };
            let Some(modified) = stamp(&m) else { continue };
            let same = m.is_file()
                && m.len() == u64::from(e.file_size)
                && modified.as_secs() == u64::from(e.mtime.seconds() as u32)
                && modified.subsec_nanos() == e.mtime.nanoseconds()
                && modified < written;
            if same {
                let rel = path.strip_prefix(&prefix).unwrap_or(path);
                out.insert(rel.to_string(), ObjectId::from_oid(e.id));
            }
        }
        Ok(out)
    }

    /// The blob id git would give the working-tree file `rel` (relative to the QA root), as
    /// `git hash-object` computes it without filters; none for a file that is missing or not a
    /// regular file. For files that [`History::clean_files`] cannot vouch for.
    pub fn workdir_blob(&self, rel: &str) -> Option<ObjectId> {
        let path = self.repo.workdir()?.join(self.repo_path(rel));
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if !meta.is_file() {
            return None;
        }
        Oid::hash_file(ObjectType::Blob, &path)
            .ok()
            .map(ObjectId::from_oid)
    }

    /// The bytes of a file (path relative to the QA root) in a commit, if it exists there.
    pub fn file_at(&self, commit: ObjectId, rel: &str) -> Result<Option<Vec<u8>>, HistoryError> {
        let tree = self.commit_tree(commit)?;
        let Ok(entry) = tree.get_path(&self.repo_path(rel)) else {
            return Ok(None);
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let bytes = self
            .read_blob(ObjectId::from_oid(entry.id()))
            .map_err(|e| e.at_path(rel))?;
        Ok(Some(bytes))
    }

    /// The blob of a file (path relative to the QA root) in a commit, if it is there.
    pub fn blob_at(&self, commit: ObjectId, rel: &str) -> Result<Option<ObjectId>, HistoryError> {
        let tree = self.commit_tree(commit)?;
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
        for oid in self.topo(from.oid()?, None, false)? {
            let commit = ObjectId::from_oid(oid);
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
        let c = self.commit(commit.oid()?)?.info;
        let offset = chrono::FixedOffset::east_opt(c.offset_minutes * 60);
        Ok(offset.and_then(|o| chrono::TimeZone::timestamp_opt(&o, c.time, 0).single()))
    }

    /// A blob's bytes.
    pub fn read_blob(&self, id: ObjectId) -> Result<Vec<u8>, HistoryError> {
        let oid = id.oid()?;
        self.check_loose(oid)?;
        let blob = self
            .repo
            .find_blob(oid)
            .map_err(|e| damaged(oid, e.message()))?;
        Ok(blob.content().to_vec())
    }

    /// The YAML files below `dir` (relative to the QA root) in a commit's tree, with their blobs.
    pub fn tree_files(
        &self,
        commit: ObjectId,
        dir: &str,
    ) -> Result<Vec<(String, ObjectId)>, HistoryError> {
        let tree = self.commit_tree(commit)?;
        let mut out = Vec::new();
        let Ok(entry) = tree.get_path(&self.repo_path(dir)) else {
            return Ok(out);
        };
        if entry.kind() != Some(ObjectType::Tree) {
            return Ok(out);
        }
        let sub = self.tree(entry.id()).map_err(|e| e.at_path(dir))?;
        let base = dir.trim_end_matches('/').to_string();
        let mut stack = vec![(sub, base)];
        while let Some((t, path)) = stack.pop() {
            for e in t.iter() {
                let Ok(name) = e.name() else { continue };
                let p = format!("{path}/{name}");
                match e.kind() {
                    Some(ObjectType::Tree) if !name.starts_with('.') => {
                        let t = self.tree(e.id()).map_err(|err| err.at_path(&p))?;
                        stack.push((t, p))
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
        let stop = stop.map(|s| s.oid()).transpose()?;
        let walk = self.topo(tip.oid()?, stop, true)?;
        let dir_paths: Vec<PathBuf> = dirs.iter().map(|d| self.repo_path(d)).collect();
        let bases: Vec<&str> = dirs.iter().map(|d| d.trim_end_matches('/')).collect();
        // The watched folders' tree ids per commit seen: parents come before children, so a
        // parent's are read once, when it is walked.
        let mut dir_ids: HashMap<Oid, Vec<Option<Oid>>> = HashMap::new();
        let mut trees = TreeCache::default();
        for (n, oid) in walk.into_iter().enumerate() {
            trees.next_commit();
            let commit = self.commit(oid)?;
            let new_dirs = self.dir_trees(commit.tree, &dir_paths)?;
            let parent_ids: Vec<Oid> = commit.parents.clone();
            let mut parent_dirs = Vec::with_capacity(parent_ids.len());
            for p in &parent_ids {
                match dir_ids.get(p) {
                    Some(d) => parent_dirs.push(d.clone()),
                    None => parent_dirs.push(self.dir_trees(self.commit(*p)?.tree, &dir_paths)?),
                }
            }
            let mut changes = Vec::new();
            for (i, base) in bases.iter().enumerate() {
                let old = parent_dirs.first().and_then(|d| d[i]);
                self.diff_dirs(old, new_dirs[i], base, &mut trees, &mut changes)?;
            }
            if parent_ids.len() > 1 && !changes.is_empty() {
                self.drop_merged_in(&parent_ids[1..], &mut changes)?;
            }
            dir_ids.insert(oid, new_dirs);
            each(CommitChanges {
                commit: commit.info,
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
        &self,
        tree: Oid,
        dir_paths: &[PathBuf],
    ) -> Result<Vec<Option<Oid>>, HistoryError> {
        let tree = self.tree(tree)?;
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
            .map(|p| self.tree(self.commit(*p)?.tree))
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

    /// A tree's raw bytes, read from the object database.
    fn raw_tree(&self, oid: Oid) -> Result<Rc<[u8]>, HistoryError> {
        match self.raw(oid)? {
            (ObjectType::Tree, data) => Ok(data.into()),
            (kind, _) => Err(damaged(oid, format!("a {kind} where a tree was expected"))),
        }
    }

    /// A folder's tree with its entries: from `trees` when a compare of this commit or the
    /// one before read it (a folder's old side is usually the new side of the commit before),
    /// else read and parsed. `like` is a parsed tree it probably shares most entries with
    /// (the old side): the entries before the first byte that differs and after the last one
    /// are taken from it, so a folder of thousands of files is not parsed again for the one
    /// file a commit adds.
    fn parsed_tree(
        &self,
        oid: Oid,
        like: Option<&Rc<ParsedTree>>,
        path: &str,
        trees: &mut TreeCache,
    ) -> Result<Rc<ParsedTree>, HistoryError> {
        if let Some(t) = trees.get(oid) {
            return Ok(t);
        }
        let data = self.raw_tree(oid).map_err(|e| e.at_path(path))?;
        let t = Rc::new(
            ParsedTree::new(data, like).map_err(|reason| damaged(oid, reason).at_path(path))?,
        );
        trees.current.insert(oid, t.clone());
        Ok(t)
    }

    /// Compares two trees by entry ids, descending only into subtrees that differ. Both trees
    /// list their entries in git's order, so one merge-join pass finds the differences; the
    /// entries of the common start and end of the two trees' bytes are skipped unread (no
    /// tree object is built: a month's folder of thousands of reviews is compared at every
    /// commit that touches it).
    fn diff_dirs(
        &self,
        old: Option<Oid>,
        new: Option<Oid>,
        path: &str,
        trees: &mut TreeCache,
        out: &mut Vec<FileChange>,
    ) -> Result<(), HistoryError> {
        if old == new {
            return Ok(());
        }
        let old_tree = old
            .map(|id| self.parsed_tree(id, None, path, trees))
            .transpose()?;
        let new_tree = new
            .map(|id| self.parsed_tree(id, old_tree.as_ref(), path, trees))
            .transpose()?;
        let (old_range, new_range) = match (&old_tree, &new_tree) {
            (Some(a), Some(b)) => ParsedTree::differing(a, b),
            (a, b) => {
                let all = |t: &Option<Rc<ParsedTree>>| 0..t.as_ref().map_or(0, |t| t.entries.len());
                (all(a), all(b))
            }
        };
        fn views(t: &Option<Rc<ParsedTree>>, r: std::ops::Range<usize>) -> Vec<EntryView<'_>> {
            t.as_ref()
                .map(|t| t.entries[r].iter().map(|e| e.view(&t.data)).collect())
                .unwrap_or_default()
        }
        let old_views = views(&old_tree, old_range);
        let new_views = views(&new_tree, new_range);
        let mut a = old_views.into_iter().peekable();
        let mut b = new_views.into_iter().peekable();
        // git orders a tree named `x` as if it were `x/`.
        let key = |e: &EntryView<'_>| -> Vec<u8> {
            let mut k = e.name.to_vec();
            if e.kind == ObjectType::Tree {
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
                    if x.name == y.name && x.kind == y.kind {
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
                if x.id == y.id {
                    continue;
                }
            }
            let Some(entry) = o.as_ref().or(n.as_ref()) else {
                continue;
            };
            let Ok(name) = std::str::from_utf8(entry.name) else {
                continue;
            };
            let child = format!("{path}/{name}");
            let id = |e: &EntryView<'_>| Oid::from_bytes(e.id);
            match entry.kind {
                ObjectType::Tree if !name.starts_with('.') => {
                    self.diff_dirs(
                        o.as_ref().map(id).transpose()?,
                        n.as_ref().map(id).transpose()?,
                        &child,
                        trees,
                        out,
                    )?;
                }
                ObjectType::Blob if crate::load::repo::is_yaml_name(name) => {
                    let object = |e: &EntryView<'_>| {
                        let mut b = [0u8; 20];
                        b.copy_from_slice(e.id);
                        ObjectId(b)
                    };
                    out.push(FileChange {
                        path: child,
                        old: o.as_ref().map(object),
                        new: n.as_ref().map(object),
                    })
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// The trees read by the compares of the commit being walked and of the one before it.
#[derive(Default)]
struct TreeCache {
    current: HashMap<Oid, Rc<ParsedTree>>,
    previous: HashMap<Oid, Rc<ParsedTree>>,
}

impl TreeCache {
    /// The next commit: what this one read is kept one more commit, the rest dropped.
    fn next_commit(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    fn get(&mut self, oid: Oid) -> Option<Rc<ParsedTree>> {
        let t = self
            .current
            .get(&oid)
            .or_else(|| self.previous.get(&oid))?
            .clone();
        self.current.insert(oid, t.clone());
        Some(t)
    }
}

/// A tree's bytes and where each entry is in them.
struct ParsedTree {
    data: Rc<[u8]>,
    entries: Vec<RawEntry>,
}

/// One entry of a raw tree: where it starts, where its name is (its id follows the name's
/// NUL), and its kind.
#[derive(Clone, Copy)]
struct RawEntry {
    start: u32,
    name: u32,
    nul: u32,
    kind: ObjectType,
}

/// An entry with its name and id borrowed from the tree's bytes.
struct EntryView<'a> {
    name: &'a [u8],
    id: &'a [u8],
    kind: ObjectType,
}

impl RawEntry {
    fn view<'a>(&self, data: &'a [u8]) -> EntryView<'a> {
        let (name, nul) = (self.name as usize, self.nul as usize);
        EntryView {
            name: &data[name..nul],
            id: &data[nul + 1..nul + 21],
            kind: self.kind,
        }
    }

    /// Where the next entry starts.
    fn end(&self) -> u32 {
        self.nul + 21
    }

    fn shifted(self, by: i64) -> RawEntry {
        // Offsets stay within the tree's length (checked to fit u32 when it was parsed).
        let at = |x: u32| (i64::from(x) + by) as u32;
        RawEntry {
            start: at(self.start),
            name: at(self.name),
            nul: at(self.nul),
            kind: self.kind,
        }
    }
}

/// How many leading bytes two buffers share.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + 64 <= n && a[i..i + 64] == b[i..i + 64] {
        i += 64;
    }
    while i < n && a[i] == b[i] {
        i += 1;
    }
    i
}

/// How many trailing bytes two buffers share.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let n = a.len().min(b.len());
    let (la, lb) = (a.len(), b.len());
    let mut i = 0;
    while i + 64 <= n && a[la - i - 64..la - i] == b[lb - i - 64..lb - i] {
        i += 64;
    }
    while i < n && a[la - i - 1] == b[lb - i - 1] {
        i += 1;
    }
    i
}

impl ParsedTree {
    /// Parses `data`. With `like`, the entries in the bytes both share at the start are
    /// taken from it, and those at the end once the parse meets one of its entry starts there
    /// (from that point both parse alike, the bytes being the same).
    fn new(data: Rc<[u8]>, like: Option<&Rc<ParsedTree>>) -> Result<ParsedTree, &'static str> {
        if u32::try_from(data.len()).is_err() {
            return Err("a tree too large to read");
        }
        let Some(like) = like else {
            let mut entries = Vec::new();
            parse_tree(&data, 0, &mut |e| {
                entries.push(e);
                true
            })?;
            return Ok(ParsedTree { data, entries });
        };
        let prefix = common_prefix(&like.data, &data);
        // Entries wholly inside the shared start are the same entries here.
        let kept = like.entries.partition_point(|e| e.end() as usize <= prefix);
        let mut entries: Vec<RawEntry> = like.entries[..kept].to_vec();
        let from = entries.last().map_or(0, |e| e.end() as usize);
        let suffix = common_suffix(&like.data, &data).min(data.len() - from);
        let shift = data.len() as i64 - like.data.len() as i64;
        let tail_from = data.len() - suffix;
        let mut synced = None;
        parse_tree(&data, from, &mut |e| {
            if e.start as usize >= tail_from {
                let there = i64::from(e.start) - shift;
                let found = like
                    .entries
                    .binary_search_by_key(&there, |x| i64::from(x.start));
                if let Ok(k) = found {
                    synced = Some(k);
                    return false;
                }
            }
            entries.push(e);
            true
        })?;
        if let Some(k) = synced {
            entries.extend(like.entries[k..].iter().map(|e| e.shifted(shift)));
        }
        Ok(ParsedTree { data, entries })
    }

    /// The entry ranges of `a` and `b` outside their common start and end: the entries
    /// there are byte for byte the same in both, so only these ranges can differ.
    fn differing(
        a: &ParsedTree,
        b: &ParsedTree,
    ) -> (std::ops::Range<usize>, std::ops::Range<usize>) {
        let prefix = common_prefix(&a.data, &b.data);
        let head = a
            .entries
            .partition_point(|e| e.end() as usize <= prefix)
            .min(b.entries.partition_point(|e| e.end() as usize <= prefix));
        let suffix = common_suffix(&a.data, &b.data);
        let (la, lb) = (a.data.len(), b.data.len());
        let (mut i, mut j) = (a.entries.len(), b.entries.len());
        while i > head && j > head {
            let (x, y) = (a.entries[i - 1], b.entries[j - 1]);
            let (from_end_x, from_end_y) = (la - x.start as usize, lb - y.start as usize);
            if from_end_x != from_end_y || from_end_x > suffix {
                break;
            }
            i -= 1;
            j -= 1;
        }
        (head..i, head..j)
    }
}

/// Reads a tree object's entries (`<octal mode> <name>\0<20-byte id>`, repeated) in order
/// from the entry that starts at `from`, until `each` says stop; the kind comes from the mode
/// as libgit2 reads it (a folder, a submodule, else a file).
fn parse_tree(
    data: &[u8],
    from: usize,
    each: &mut dyn FnMut(RawEntry) -> bool,
) -> Result<(), &'static str> {
    if u32::try_from(data.len()).is_err() {
        return Err("a tree too large to read");
    }
    let mut pos = from;
    while pos < data.len() {
        let space = data[pos..]
            .iter()
            .position(|&b| b == b' ')
            .ok_or("a tree entry without a mode")?;
        let mode_text = &data[pos..pos + space];
        if mode_text.is_empty() || !mode_text.iter().all(|b| (b'0'..=b'7').contains(b)) {
            return Err("a tree entry with a bad mode");
        }
        let mode = mode_text
            .iter()
            .try_fold(0u32, |m, &b| {
                m.checked_mul(8).map(|m| m + u32::from(b - b'0'))
            })
            .ok_or("a tree entry with a bad mode")?;
        let name_start = pos + space + 1;
        let nul = data[name_start..]
            .iter()
            .position(|&b| b == 0)
            .ok_or("a tree entry without a name")?;
        if nul == 0 {
            return Err("a tree entry with an empty name");
        }
        let id = name_start + nul + 1;
        if id + 20 > data.len() {
            return Err("a tree entry cut short");
        }
        let kind = match mode {
            0o040000 => ObjectType::Tree,
            0o160000 => ObjectType::Commit,
            _ => ObjectType::Blob,
        };
        // The length check above keeps every offset within u32.
        let entry = RawEntry {
            start: pos as u32,
            name: name_start as u32,
            nul: (name_start + nul) as u32,
            kind,
        };
        if !each(entry) {
            break;
        }
        pos = id + 20;
    }
    Ok(())
}

/// A bounded check of a loose object's zlib stream. libgit2 (1.9) spins forever on a loose
/// object whose compressed data ends early, so every loose object is decoded here first: this
/// decoder stops at the end of its input, and its output is bounded by the size the object's
/// header declares.
mod loose {
    /// Why a loose object's data is damaged.
    pub type Damage = &'static str;

    struct Bits<'a> {
        data: &'a [u8],
        pos: usize,
        buf: u32,
        cnt: u32,
    }

    impl Bits<'_> {
        fn bits(&mut self, n: u32) -> Result<u32, Damage> {
            while self.cnt < n {
                let b = *self
                    .data
                    .get(self.pos)
                    .ok_or("the compressed data ends early")?;
                self.pos += 1;
                self.buf |= u32::from(b) << self.cnt;
                self.cnt += 8;
            }
            let v = self.buf & ((1u32 << n) - 1);
            self.buf >>= n;
            self.cnt -= n;
            Ok(v)
        }
    }

    /// A canonical Huffman code: how many codes of each length, and the symbols in order.
    struct Huffman {
        counts: [u16; 16],
        symbols: Vec<u16>,
    }

    impl Huffman {
        fn new(lengths: &[u8]) -> Result<Huffman, Damage> {
            let mut counts = [0u16; 16];
            for &l in lengths {
                counts[usize::from(l)] += 1;
            }
            let mut left: i32 = 1;
            for &c in &counts[1..] {
                left = (left << 1) - i32::from(c);
                if left < 0 {
                    return Err("an over-subscribed Huffman code");
                }
            }
            let mut offs = [0u16; 16];
            for len in 1..15 {
                offs[len + 1] = offs[len] + counts[len];
            }
            let mut symbols = vec![0u16; lengths.len()];
            for (sym, &l) in lengths.iter().enumerate() {
                if l != 0 {
                    symbols[usize::from(offs[usize::from(l)])] = sym as u16;
                    offs[usize::from(l)] += 1;
                }
            }
            counts[0] = 0;
            Ok(Huffman { counts, symbols })
        }

        fn decode(&self, s: &mut Bits<'_>) -> Result<u16, Damage> {
            let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
            for len in 1..16 {
                code |= s.bits(1)? as i32;
                let count = i32::from(self.counts[len]);
                if code - count < first {
                    return self
                        .symbols
                        .get((index + code - first) as usize)
                        .copied()
                        .ok_or("a bad Huffman code");
                }
                index += count;
                first = (first + count) << 1;
                code <<= 1;
            }
            Err("a bad Huffman code")
        }
    }

    const LEN_BASE: [u16; 29] = [
        3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
        131, 163, 195, 227, 258,
    ];
    const LEN_EXTRA: [u8; 29] = [
        0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
    ];
    const DIST_BASE: [u16; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    const DIST_EXTRA: [u8; 30] = [
        0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12,
        13, 13,
    ];

    /// The output so far, bounded: once the header (`type size\0`) is complete, by its size.
    struct Out {
        bytes: Vec<u8>,
        limit: usize,
        header_only: bool,
    }

    /// Not damage: decoding stops here when only the header was asked for.
    const HEADER_DONE: Damage = "header done";

    impl Out {
        fn push(&mut self, b: u8) -> Result<(), Damage> {
            if self.bytes.len() >= self.limit {
                return Err("more data than its header declares");
            }
            self.bytes.push(b);
            if self.limit == usize::MAX && b == 0 {
                self.limit = header_size(&self.bytes)?;
                if self.header_only {
                    return Err(HEADER_DONE);
                }
            } else if self.limit == usize::MAX && self.bytes.len() > 64 {
                return Err("no object header");
            }
            Ok(())
        }
    }

    /// The whole length (header included) that a `type size\0` header declares.
    fn header_size(head: &[u8]) -> Result<usize, Damage> {
        let text = std::str::from_utf8(&head[..head.len() - 1]).map_err(|_| "a bad header")?;
        let (kind, size) = text.split_once(' ').ok_or("a bad header")?;
        if !matches!(kind, "commit" | "tree" | "blob" | "tag") {
            return Err("an unknown object type");
        }
        let size: usize = size.parse().map_err(|_| "a bad header")?;
        Ok(head.len().saturating_add(size))
    }

    fn codes(s: &mut Bits<'_>, out: &mut Out, lit: &Huffman, dist: &Huffman) -> Result<(), Damage> {
        loop {
            let sym = lit.decode(s)?;
            match sym {
                0..=255 => out.push(sym as u8)?,
                256 => return Ok(()),
                _ => {
                    let i = usize::from(sym - 257);
                    let len = *LEN_BASE.get(i).ok_or("a bad length code")? as usize
                        + s.bits(u32::from(LEN_EXTRA[i]))? as usize;
                    let d = usize::from(dist.decode(s)?);
                    let back = *DIST_BASE.get(d).ok_or("a bad distance code")? as usize
                        + s.bits(u32::from(DIST_EXTRA[d]))? as usize;
                    if back > out.bytes.len() {
                        return Err("a distance too far back");
                    }
                    for _ in 0..len {
                        let b = out.bytes[out.bytes.len() - back];
                        out.push(b)?;
                    }
                }
            }
        }
    }

    fn dynamic(s: &mut Bits<'_>, out: &mut Out) -> Result<(), Damage> {
        const ORDER: [usize; 19] = [
            16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
        ];
        let nlen = s.bits(5)? as usize + 257;
        let ndist = s.bits(5)? as usize + 1;
        let ncode = s.bits(4)? as usize + 4;
        if nlen > 286 || ndist > 30 {
            return Err("bad code counts");
        }
        let mut lengths = [0u8; 320];
        for &o in &ORDER[..ncode] {
            lengths[o] = s.bits(3)? as u8;
        }
        let lencode = Huffman::new(&lengths[..19])?;
        let mut i = 0;
        while i < nlen + ndist {
            let sym = lencode.decode(s)?;
            let (value, repeat) = match sym {
                0..=15 => (sym as u8, 1),
                16 => {
                    let prev = *lengths
                        .get(i.wrapping_sub(1))
                        .ok_or("a repeat with no length")?;
                    (prev, 3 + s.bits(2)? as usize)
                }
                17 => (0, 3 + s.bits(3)? as usize),
                _ => (0, 11 + s.bits(7)? as usize),
            };
            if i + repeat > nlen + ndist {
                return Err("too many code lengths");
            }
            lengths[i..i + repeat].fill(value);
            i += repeat;
        }
        let lit = Huffman::new(&lengths[..nlen])?;
        let dist = Huffman::new(&lengths[nlen..nlen + ndist])?;
        codes(s, out, &lit, &dist)
    }

    /// Decodes a whole loose object file (zlib), or says why it is damaged.
    pub fn check(data: &[u8]) -> Result<(), Damage> {
        let mut out = Out {
            bytes: Vec::new(),
            limit: usize::MAX,
            header_only: false,
        };
        run(data, &mut out)
    }

    /// The object type a loose object's header declares, if its first bytes decode.
    pub fn kind(data: &[u8]) -> Option<String> {
        let mut out = Out {
            bytes: Vec::new(),
            limit: usize::MAX,
            header_only: true,
        };
        if run(data, &mut out) != Err(HEADER_DONE) {
            return None;
        }
        let head = String::from_utf8_lossy(&out.bytes);
        head.split_once(' ').map(|(k, _)| k.to_string())
    }

    fn run(data: &[u8], out: &mut Out) -> Result<(), Damage> {
        let (cmf, flg) = match data {
            [a, b, ..] => (*a, *b),
            _ => return Err("the file is too short"),
        };
        if cmf & 0x0f != 8 || (u16::from(cmf) * 256 + u16::from(flg)) % 31 != 0 || flg & 0x20 != 0 {
            return Err("not zlib data");
        }
        let mut s = Bits {
            data: &data[2..],
            pos: 0,
            buf: 0,
            cnt: 0,
        };
        loop {
            let last = s.bits(1)?;
            match s.bits(2)? {
                0 => {
                    s.buf = 0;
                    s.cnt = 0;
                    let len = s.bits(16)?;
                    let nlen = s.bits(16)?;
                    if len != !nlen & 0xffff {
                        return Err("a bad stored block");
                    }
                    for _ in 0..len {
                        let b = s.bits(8)? as u8;
                        out.push(b)?;
                    }
                }
                1 => {
                    let mut l = [8u8; 288];
                    l[144..256].fill(9);
                    l[256..280].fill(7);
                    let lit = Huffman::new(&l)?;
                    let dist = Huffman::new(&[5u8; 30])?;
                    codes(&mut s, out, &lit, &dist)?;
                }
                2 => dynamic(&mut s, out)?,
                _ => return Err("a bad block type"),
            }
            if last == 1 {
                break;
            }
        }
        if out.limit == usize::MAX || out.bytes.len() != out.limit {
            return Err("less data than its header declares");
        }
        // The Adler-32 checksum that ends the stream.
        s.buf = 0;
        s.cnt = 0;
        let mut sum = 0u32;
        for _ in 0..4 {
            sum = (sum << 8) | s.bits(8)?;
        }
        let (mut a, mut b) = (1u32, 0u32);
        for chunk in out.bytes.chunks(5552) {
            for &x in chunk {
                a += u32::from(x);
                b += a;
            }
            a %= 65521;
            b %= 65521;
        }
        if sum != (b << 16) | a {
            return Err("its checksum does not match");
        }
        Ok(())
    }
}
