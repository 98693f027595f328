//! `rubric check`: loads every file of a QA repository in parallel, validates each against its
//! schema and typed model, then checks rubrics, reviews against the rubric version they name
//! (from the working tree or git history), and rules across files. Collects every problem.

use crate::load::git::{History, HistoryError};
use crate::load::repo::{self, FileKind, SourceFile};
use crate::load::schema::{self, Kind};
use crate::load::yaml::{self, escape_segment, Document};
use crate::model::diagnostic::{suggestion, Code, Diagnostic, Pos};
use crate::model::{self, Config, RatingValue, Review, Rubric};
use crate::report::CheckReport;
use chrono::{DateTime, NaiveDate, Utc};
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What to check and how.
#[derive(Debug, Clone)]
pub struct CheckOptions {
    /// Only report on these files or folders (absolute, or relative to the root). Empty: all.
    pub paths: Vec<PathBuf>,
    /// Only report on files changed since this revision, plus reviews of changed rubrics.
    pub changed_since: Option<String>,
    pub max_file_size: usize,
    /// "Now", for future-date warnings.
    pub now: DateTime<Utc>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            paths: Vec::new(),
            changed_since: None,
            max_file_size: yaml::DEFAULT_MAX_FILE_SIZE,
            now: Utc::now(),
        }
    }
}

/// Why a check could not run at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("{0}")]
    History(#[from] HistoryError),
    #[error("path `{0}` does not exist")]
    NoSuchPath(String),
    #[error("path `{0}` is outside the QA repository")]
    OutsideRepository(String),
    #[error(
        "`{0}` is not a QA repository: it has no qa.yaml, rubrics/ or reviews/ \
         (use -C DIR to run in another folder)"
    )]
    NotAQaRepository(String),
    #[error(
        "`{0}` holds no file that rubric checks: qa.yaml, rubrics/*.yaml and reviews/**/*.yaml \
         (for a QA repository in a subfolder, use -C DIR)"
    )]
    NothingToCheck(String),
}

/// A file after loading, schema validation and typing.
pub(crate) struct Loaded<T> {
    pub(crate) rel: String,
    pub(crate) doc: Option<Document>,
    pub(crate) value: Option<T>,
    pub(crate) problems: Vec<Diagnostic>,
}

/// A file's bytes, or why there are none.
pub(crate) enum Input {
    Bytes(Vec<u8>),
    TooLarge(u64),
    Failed(std::io::Error),
}

pub(crate) fn load_typed<T: DeserializeOwned>(
    kind: Kind,
    rel: &str,
    input: Input,
    max_size: usize,
) -> Loaded<T> {
    let mut out = Loaded {
        rel: rel.to_string(),
        doc: None,
        value: None,
        problems: Vec::new(),
    };
    let bytes = match input {
        Input::Bytes(b) => b,
        Input::TooLarge(size) => {
            out.problems.push(yaml::too_large(rel, size, max_size));
            return out;
        }
        Input::Failed(e) => {
            out.problems.push(Diagnostic::new(
                Code::Io,
                rel,
                Pos::START,
                format!("cannot read the file: {e}"),
            ));
            return out;
        }
    };
    let mut doc = match yaml::load(rel, &bytes, max_size) {
        Ok(d) => d,
        Err(problems) => {
            out.problems = problems;
            return out;
        }
    };
    out.problems = std::mem::take(&mut doc.problems);
    out.problems.extend(schema::validate(kind, rel, &doc));
    if out.problems.is_empty() {
        match T::deserialize(&doc.value) {
            Ok(v) => out.value = Some(v),
            Err(e) => out.problems.push(Diagnostic::new(
                Code::Schema,
                rel,
                Pos::START,
                format!("does not match the {} format: {e}", kind.name()),
            )),
        }
    }
    out.doc = Some(doc);
    out
}

pub(crate) fn read(path: &Path, max_size: usize) -> Input {
    use std::io::Read;
    let result = (|| {
        let f = std::fs::File::open(path)?;
        let mut buf = Vec::new();
        // Read one byte past the limit so that an oversized file is known without reading it all.
        f.take((max_size as u64).saturating_add(1))
            .read_to_end(&mut buf)?;
        Ok(buf)
    })();
    match result {
        Ok(buf) if buf.len() > max_size => {
            let size = std::fs::metadata(path).map_or(buf.len() as u64, |m| m.len());
            Input::TooLarge(size)
        }
        Ok(buf) => Input::Bytes(buf),
        Err(e) => Input::Failed(e),
    }
}

/// The parts of a review that are well-formed, read leniently so that a review with a schema
/// error elsewhere still gets its ratings, people and date checked.
#[derive(Debug, Clone, Default)]
pub struct ReviewView {
    pub id: Option<model::PersonId>,
    pub rubric: Option<model::RubricRef>,
    pub agent: Option<model::PersonId>,
    pub reviewer: Option<model::PersonId>,
    pub reviewed_at: Option<model::DateText>,
    /// Category key and its rating, `None` where the rating itself is malformed.
    pub ratings: Option<Vec<(String, Option<model::RatingEntry>)>>,
}

impl ReviewView {
    pub fn from_value(v: &serde_json::Value) -> ReviewView {
        fn field<'a, T: Deserialize<'a>>(v: &'a serde_json::Value, key: &str) -> Option<T> {
            v.get(key).and_then(|x| T::deserialize(x).ok())
        }
        ReviewView {
            id: field(v, "id"),
            rubric: field(v, "rubric"),
            agent: field(v, "agent"),
            reviewer: field(v, "reviewer"),
            reviewed_at: field(v, "reviewed_at"),
            ratings: v.get("ratings").and_then(|r| r.as_object()).map(|m| {
                m.iter()
                    .map(|(k, x)| (k.clone(), model::RatingEntry::deserialize(x).ok()))
                    .collect()
            }),
        }
    }
}

/// What is kept of a review after its first pass: its problems so far, its id (for the
/// duplicate check), its rubric id (for `--changed-since`), and, only if it names a rubric
/// version that the working tree lacks, the loaded document for the second pass.
struct ReviewOutcome {
    rel: String,
    problems: Vec<Diagnostic>,
    id: Option<(String, Pos)>,
    rubric_id: Option<String>,
    pending: Option<(Document, ReviewView)>,
}

fn review_outcome(ctx: &ReviewContext<'_>, loaded: Loaded<Review>) -> ReviewOutcome {
    let Loaded {
        rel, doc, problems, ..
    } = loaded;
    let mut out = ReviewOutcome {
        rel,
        problems,
        id: None,
        rubric_id: None,
        pending: None,
    };
    let Some(doc) = doc else {
        return out;
    };
    let view = ReviewView::from_value(&doc.value);
    out.id = match &view.id {
        Some(id) => Some((id.as_str().to_string(), doc.value_pos("/id"))),
        None if doc.value.get("id").is_some() => None,
        None => Some((repo::stem(&out.rel).to_string(), Pos::START)),
    };
    out.rubric_id = view.rubric.as_ref().map(|r| r.id.as_str().to_string());
    // A version the working tree lacks (or whose file there is broken) may be in history.
    let ready = match &view.rubric {
        None => true,
        Some(r) => ctx
            .versions
            .contains_key(&(r.id.as_str().to_string(), r.version.0)),
    };
    if ready {
        let more = check_review(ctx, &out.rel, &view, &doc);
        out.problems.extend(more);
    } else {
        out.pending = Some((doc, view));
    }
    out
}

/// Rubric versions by (rubric id, version).
pub(crate) type VersionIndex = HashMap<(String, u32), RubricVersion>;

/// Every valid rubric version in the history of the git repository holding `root`, keyed by
/// (id, version), from the newest commit that declared it; and whether the clone is shallow.
pub(crate) fn historic_versions(
    root: &Path,
    rubrics_dir: &str,
    max: usize,
) -> Result<(VersionIndex, bool), HistoryError> {
    let h = History::open(root)?;
    let mut found = VersionIndex::new();
    h.rubric_blobs(rubrics_dir, |b| {
        if let Some(rv) = parse_historic(&b.file_name, &b.text, max) {
            let key = (rv.id.as_str().to_string(), rv.version.0);
            found.entry(key).or_insert(RubricVersion {
                rubric: rv,
                source: format!("commit:{}", b.commit),
            });
        }
        true
    })?;
    Ok((found, h.is_shallow()))
}

/// A rubric version that reviews can be checked against.
#[derive(Debug, Clone)]
pub struct RubricVersion {
    pub rubric: Rubric,
    /// Where it came from: a working-tree path, or `commit:<id>`.
    pub source: String,
}

/// What the roster knows about a person id or e-mail.
pub(crate) struct Roster {
    /// Roster id and lowercased e-mail → roster id.
    lookup: HashMap<String, String>,
    ids: Vec<String>,
}

impl Roster {
    pub(crate) fn new(config: &Config) -> Option<Roster> {
        let people = config.people.as_ref()?;
        let mut lookup = HashMap::new();
        let mut ids = Vec::new();
        for (id, person) in people {
            lookup.insert(id.as_str().to_string(), id.as_str().to_string());
            ids.push(id.as_str().to_string());
            for e in person.emails.iter().flat_map(|e| e.iter()) {
                lookup
                    .entry(e.0.to_lowercase())
                    .or_insert_with(|| id.as_str().to_string());
            }
        }
        Some(Roster { lookup, ids })
    }

    pub(crate) fn resolve(&self, id: &str) -> Option<&str> {
        self.lookup
            .get(id)
            .or_else(|| self.lookup.get(&id.to_lowercase()))
            .map(String::as_str)
    }
}

/// Checks the QA repository at `root`.
pub fn check(root: &Path, opts: &CheckOptions) -> Result<CheckReport, CheckError> {
    let max = opts.max_file_size;
    let mut problems = Vec::new();

    // 1. qa.yaml decides where the other files are, so it comes first.
    let config_loaded = root.join(repo::CONFIG_FILE).is_file().then(|| {
        load_typed::<Config>(
            Kind::Config,
            repo::CONFIG_FILE,
            read(&root.join(repo::CONFIG_FILE), max),
            max,
        )
    });
    let mut config = Config::default();
    let mut config_doc = None;
    if let Some(c) = config_loaded {
        problems.extend(c.problems);
        if let Some(doc) = c.doc {
            // With schema errors elsewhere in qa.yaml, its valid parts (paths, roster,
            // timezone) still apply, so one typo does not hide every review's problems.
            let cfg = c.value.unwrap_or_else(|| lenient_config(&doc.value));
            problems.extend(check_config(&cfg, &doc));
            config = cfg;
            config_doc = Some(doc);
        }
    }
    // The folders must exist: a misspelt folder would otherwise check nothing, and pass.
    let mut any_folder = config_doc.is_some();
    for (key, dir) in [
        ("rubrics", &config.paths.rubrics),
        ("reviews", &config.paths.reviews),
    ] {
        let exists = root.join(dir.as_str()).is_dir();
        any_folder |= exists;
        let pointer = format!("/paths/{key}");
        match config_doc.as_ref().and_then(|d| d.node(&pointer)) {
            Some(node) if !exists => problems.push(Diagnostic::new(
                Code::MissingFolder,
                repo::CONFIG_FILE,
                node.value,
                format!(
                    "paths.{key} names `{}`, which is not a folder",
                    dir.as_str()
                ),
            )),
            _ => {}
        }
    }
    if !any_folder {
        return Err(CheckError::NotAQaRepository(root.display().to_string()));
    }
    let tz = config
        .timezone
        .as_ref()
        .and_then(|t| t.0.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC);

    // 2. Rubrics on their own, then the working-tree rubric index.
    let files = repo::list_files(root, &config.paths);
    let rubric_files: Vec<&SourceFile> = files
        .iter()
        .filter(|f| f.kind == FileKind::Rubric)
        .collect();
    let review_files: Vec<&SourceFile> = files
        .iter()
        .filter(|f| f.kind == FileKind::Review)
        .collect();
    let rubrics: Vec<Loaded<Rubric>> = rubric_files
        .par_iter()
        .map(|f| load_typed(Kind::Rubric, &f.rel, read(&f.path, max), max))
        .collect();
    let mut current: BTreeMap<String, RubricVersion> = BTreeMap::new();
    let mut rubric_paths: HashMap<String, String> = HashMap::new();
    let mut broken_rubrics: HashSet<String> = HashSet::new();
    // A file whose name matches its id owns that id; a copy under another name is the duplicate.
    let mut ordered: Vec<&Loaded<Rubric>> = rubrics.iter().collect();
    ordered.sort_by_key(|r| {
        let owns = r
            .value
            .as_ref()
            .is_some_and(|v| v.id.as_str() == repo::stem(&r.rel));
        (!owns, r.rel.clone())
    });
    for r in ordered {
        problems.extend(r.problems.iter().cloned());
        let (Some(rubric), Some(doc)) = (&r.value, &r.doc) else {
            broken_rubrics.insert(repo::stem(&r.rel).to_string());
            continue;
        };
        let own = check_rubric(&r.rel, rubric, doc);
        let valid = own.iter().all(|d| d.severity != crate::Severity::Error);
        problems.extend(own);
        let id = rubric.id.as_str().to_string();
        if let Some(first) = rubric_paths.get(&id) {
            problems.push(Diagnostic::new(
                Code::DuplicateRubric,
                &r.rel,
                doc.value_pos("/id"),
                format!("rubric id `{id}` is also declared by {first}"),
            ));
            continue;
        }
        rubric_paths.insert(id.clone(), r.rel.clone());
        if !valid {
            broken_rubrics.insert(id.clone());
            broken_rubrics.insert(repo::stem(&r.rel).to_string());
        }
        if valid {
            current.insert(
                id,
                RubricVersion {
                    rubric: rubric.clone(),
                    source: r.rel.clone(),
                },
            );
        }
    }
    let first_versions: HashMap<(String, u32), RubricVersion> = current
        .iter()
        .map(|(id, rv)| ((id.clone(), rv.rubric.version.0), rv.clone()))
        .collect();
    let current_ids: BTreeSet<&str> = current.keys().map(String::as_str).collect();
    let roster = Roster::new(&config);
    let ctx = ReviewContext {
        versions: &first_versions,
        known_rubric_ids: &current_ids,
        rubric_paths: &rubric_paths,
        broken_rubrics: &broken_rubrics,
        history: HistoryState::NotNeeded,
        roster: roster.as_ref(),
        tz,
        now: opts.now,
    };
    let history = History::open(root).ok();
    let rubrics_dir = config.paths.rubrics.as_str();

    // 3. Reviews, in parallel. A review of a rubric version in the working tree is checked at
    // once and only its problems are kept; one that names an older version waits for the
    // history walk, which runs on its own thread meanwhile.
    let (outcomes, walked) = std::thread::scope(|scope| {
        let walker = history
            .is_some()
            .then(|| scope.spawn(|| historic_versions(root, rubrics_dir, max)));
        let outcomes: Vec<ReviewOutcome> = review_files
            .par_iter()
            .map(|f| {
                let loaded: Loaded<Review> =
                    load_typed(Kind::Review, &f.rel, read(&f.path, max), max);
                review_outcome(&ctx, loaded)
            })
            .collect();
        let walked = walker.map(|w| w.join());
        (outcomes, walked)
    });
    let pending: Vec<&ReviewOutcome> = outcomes.iter().filter(|o| o.pending.is_some()).collect();
    let mut history_state = HistoryState::NotNeeded;
    let mut versions = first_versions.clone();
    let walked: Option<(VersionIndex, bool)> = match walked {
        Some(Ok(result)) => Some(result?),
        _ => None,
    };
    if !pending.is_empty() {
        history_state = match &walked {
            None => HistoryState::NoRepository,
            Some((found, shallow)) => {
                for (key, rv) in found {
                    versions.entry(key.clone()).or_insert_with(|| rv.clone());
                }
                if *shallow {
                    HistoryState::Shallow
                } else {
                    HistoryState::Full
                }
            }
        };
    }
    let known_rubric_ids: BTreeSet<&str> = versions.keys().map(|(id, _)| id.as_str()).collect();
    let ctx = ReviewContext {
        versions: &versions,
        known_rubric_ids: &known_rubric_ids,
        history: history_state,
        ..ctx
    };
    let late: Vec<Vec<Diagnostic>> = pending
        .par_iter()
        .map(|o| match &o.pending {
            Some((doc, view)) => check_review(&ctx, &o.rel, view, doc),
            None => Vec::new(),
        })
        .collect();
    problems.extend(late.into_iter().flatten());

    // 4. Across files: review ids are unique.
    let mut by_id: BTreeMap<&str, Vec<(&str, Pos)>> = BTreeMap::new();
    for o in &outcomes {
        problems.extend(o.problems.iter().cloned());
        if let Some((id, pos)) = &o.id {
            by_id.entry(id).or_default().push((&o.rel, *pos));
        }
    }
    for (id, places) in &by_id {
        if places.len() < 2 {
            continue;
        }
        for (i, (rel, pos)) in places.iter().enumerate() {
            let others: Vec<&str> = places
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, p)| p.0)
                .collect();
            problems.push(Diagnostic::new(
                Code::DuplicateReviewId,
                *rel,
                *pos,
                format!("review id `{id}` is also used by {}", others.join(", ")),
            ));
        }
    }

    // 7. Version discipline for rubrics changed since the base of a pull request.
    if let (Some(rev), Some(h)) = (&opts.changed_since, &history) {
        let historic = walked.as_ref().map(|(found, _)| found);
        problems.extend(version_discipline(h, rev, &rubrics, historic)?);
    }

    // 8. Narrow to the files asked about.
    let selected = select(root, opts, &files, &outcomes, history.as_ref())?;
    if let Some(sel) = &selected {
        problems.retain(|d| sel.contains(&d.path));
    }
    problems.sort_by(|a, b| {
        (&a.path, a.line, a.column, a.code).cmp(&(&b.path, b.line, b.column, b.code))
    });
    problems.dedup();
    let checked: Vec<String> = files
        .iter()
        .filter(|f| selected.as_ref().is_none_or(|sel| sel.contains(&f.rel)))
        .map(|f| f.rel.clone())
        .collect();
    Ok(CheckReport {
        files_checked: checked.len(),
        files: checked,
        problems,
    })
}

/// The version rules for rubrics changed since `rev` (issue: rubric changes through pull
/// requests): a change that moves scores needs a higher `version`; a version never goes down
/// and is never reused for different scoring; wording-only edits need no bump (a warning says
/// what changed).
fn version_discipline(
    h: &History,
    rev: &str,
    rubrics: &[Loaded<Rubric>],
    historic: Option<&VersionIndex>,
) -> Result<Vec<Diagnostic>, CheckError> {
    let base = h.resolve(Some(rev))?;
    let changed: HashSet<String> = h.changed_since(rev)?.into_iter().collect();
    let mut out = Vec::new();
    for r in rubrics {
        let (Some(head), Some(doc)) = (&r.value, &r.doc) else {
            continue;
        };
        if !changed.contains(&r.rel) {
            continue;
        }
        let pos = doc.value_pos("/version");
        let old = h.file_at(base, &r.rel)?.and_then(|bytes| {
            parse_historic(
                &r.rel,
                &String::from_utf8_lossy(&bytes),
                crate::load::yaml::DEFAULT_MAX_FILE_SIZE,
            )
        });
        let (hv, id) = (head.version.0, head.id.as_str());
        if let Some(old) = &old {
            let bv = old.version.0;
            let d = crate::analysis::impact::diff_rubric(id, Some(old), Some(head));
            let scoring: Vec<&str> = d
                .changes
                .iter()
                .filter(|c| c.scoring)
                .map(|c| c.text.as_str())
                .collect();
            if hv < bv {
                out.push(Diagnostic::new(
                    Code::VersionDecreased,
                    &r.rel,
                    pos,
                    format!("version went down from {bv} to {hv} since {rev}"),
                ));
            } else if hv == bv && !scoring.is_empty() {
                out.push(
                    Diagnostic::new(
                        Code::VersionNotBumped,
                        &r.rel,
                        pos,
                        format!(
                            "scoring changed since {rev} ({}) but version is still {hv}",
                            scoring.join("; ")
                        ),
                    )
                    .hint(format!(
                        "Set `version: {}` so that reviews of version {bv} keep their scores.",
                        bv + 1
                    )),
                );
                continue;
            } else if d.status == "changed" && scoring.is_empty() {
                let what: Vec<&str> = d.changes.iter().map(|c| c.text.as_str()).collect();
                out.push(Diagnostic::new(
                    Code::RubricReworded,
                    &r.rel,
                    pos,
                    format!(
                        "wording only since {rev}, no version bump needed: {}",
                        what.join("; ")
                    ),
                ));
            }
        }
        // A version number that held other scoring before may not be used again.
        if let Some(prev) = historic.and_then(|v| v.get(&(id.to_string(), hv))) {
            let same_as_base = old.as_ref().is_some_and(|o| o.version.0 == hv);
            if !same_as_base
                && crate::analysis::impact::scoring_signature(&prev.rubric)
                    != crate::analysis::impact::scoring_signature(head)
            {
                out.push(Diagnostic::new(
                    Code::VersionReused,
                    &r.rel,
                    pos,
                    format!(
                        "version {hv} of `{id}` already existed in history ({}) with different scoring",
                        prev.source.trim_start_matches("commit:").chars().take(10).collect::<String>()
                    ),
                ));
            }
        }
    }
    Ok(out)
}

/// Which files to report on, or `None` for all.
fn select(
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

pub(crate) fn parse_historic(file_name: &str, text: &str, max: usize) -> Option<Rubric> {
    let doc = yaml::load(file_name, text.as_bytes(), max).ok()?;
    if !doc.problems.is_empty() || !schema::validate(Kind::Rubric, file_name, &doc).is_empty() {
        return None;
    }
    let r: Rubric = serde_json::from_value(doc.value.clone()).ok()?;
    // Only trust a historic rubric that was valid then.
    let ok = check_rubric(file_name, &r, &doc)
        .iter()
        .all(|d| d.severity != crate::Severity::Error);
    ok.then_some(r)
}

/// The valid parts of a `qa.yaml` that has schema errors, each read on its own.
pub(crate) fn lenient_config(v: &serde_json::Value) -> Config {
    fn part<'a, T: Deserialize<'a>>(v: Option<&'a serde_json::Value>) -> Option<T> {
        v.and_then(|x| T::deserialize(x).ok())
    }
    let mut cfg = Config::default();
    let paths = v.get("paths");
    if let Some(p) = part(paths.and_then(|p| p.get("rubrics"))) {
        cfg.paths.rubrics = p;
    }
    if let Some(p) = part(paths.and_then(|p| p.get("reviews"))) {
        cfg.paths.reviews = p;
    }
    if let Some(p) = part(paths.and_then(|p| p.get("templates"))) {
        cfg.paths.templates = p;
    }
    cfg.timezone = part(v.get("timezone"));
    cfg.week_start = part(v.get("week_start"));
    // Every person id counts, even one whose details have errors.
    cfg.people = v.get("people").and_then(|p| p.as_object()).map(|people| {
        people
            .iter()
            .filter_map(|(id, person)| {
                let id = model::PersonId::try_from(id.clone()).ok()?;
                Some((id, model::Person::deserialize(person).unwrap_or_default()))
            })
            .collect()
    });
    cfg
}

fn check_config(cfg: &Config, doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let rel = repo::CONFIG_FILE;
    if let Some(tz) = &cfg.timezone {
        if tz.0.parse::<chrono_tz::Tz>().is_err() {
            let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
            out.push(Diagnostic::new(
                Code::UnknownTimezone,
                rel,
                doc.value_pos("/timezone"),
                format!(
                    "`{}` is not an IANA time zone{}",
                    tz.0,
                    suggestion(&tz.0, names)
                ),
            ));
        }
    }
    if let Some(people) = &cfg.people {
        let mut owner: HashMap<String, &str> = HashMap::new();
        for (id, person) in people {
            for (i, e) in person.emails.iter().flat_map(|e| e.iter()).enumerate() {
                let key = e.0.to_lowercase();
                match owner.get(&key) {
                    Some(first) if *first != id.as_str() => {
                        let ptr = format!("/people/{}/emails/{i}", escape_segment(id.as_str()));
                        out.push(Diagnostic::new(
                            Code::DuplicateEmail,
                            rel,
                            doc.value_pos(&ptr),
                            format!("`{}` is also an e-mail of `{first}`", e.0),
                        ));
                    }
                    _ => {
                        owner.insert(key, id.as_str());
                    }
                }
            }
        }
    }
    out
}

/// Checks one rubric on its own (the schema has passed).
pub fn check_rubric(rel: &str, r: &Rubric, doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let stem = repo::stem(rel);
    if r.id.as_str() != stem {
        out.push(Diagnostic::new(
            Code::RubricIdMismatch,
            rel,
            doc.value_pos("/id"),
            format!("rubric id `{}` differs from the file name `{stem}`", r.id),
        ));
    }
    let mut groups = HashSet::new();
    for (i, g) in r.groups.iter().enumerate() {
        if !groups.insert(g.id.as_str()) {
            out.push(Diagnostic::new(
                Code::DuplicateGroup,
                rel,
                doc.value_pos(&format!("/groups/{i}/id")),
                format!("group id `{}` is used twice", g.id),
            ));
        }
    }
    let mut cats = HashSet::new();
    for (i, c) in r.categories.iter().enumerate() {
        if !cats.insert(c.id.as_str()) {
            out.push(Diagnostic::new(
                Code::DuplicateCategory,
                rel,
                doc.value_pos(&format!("/categories/{i}/id")),
                format!("category id `{}` is used twice", c.id),
            ));
        }
        if let Some(g) = &c.group {
            if !groups.contains(g.as_str()) {
                out.push(Diagnostic::new(
                    Code::UnknownGroup,
                    rel,
                    doc.value_pos(&format!("/categories/{i}/group")),
                    format!(
                        "category `{}` names group `{g}`, which the rubric does not define{}",
                        c.id,
                        suggestion(g.as_str(), groups.iter().copied())
                    ),
                ));
            }
        }
        if let Some(labels) = &c.labels {
            if labels.len() != c.scale.0 as usize {
                out.push(Diagnostic::new(
                    Code::LabelCount,
                    rel,
                    doc.key_pos(&format!("/categories/{i}/labels")),
                    format!(
                        "category `{}` has {} labels for a scale of {}",
                        c.id,
                        labels.len(),
                        c.scale.0
                    ),
                ));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HistoryState {
    NotNeeded,
    NoRepository,
    Shallow,
    Full,
}

struct ReviewContext<'a> {
    versions: &'a HashMap<(String, u32), RubricVersion>,
    known_rubric_ids: &'a BTreeSet<&'a str>,
    rubric_paths: &'a HashMap<String, String>,
    /// Rubric ids whose working-tree file has errors.
    broken_rubrics: &'a HashSet<String>,
    history: HistoryState,
    roster: Option<&'a Roster>,
    tz: chrono_tz::Tz,
    now: DateTime<Utc>,
}

/// Checks one review against its rubric version and the roster, on whatever parts of it are
/// well-formed (schema problems are reported separately).
fn check_review(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if doc.value.get("id").is_none() && !model::is_person_id(repo::stem(rel)) {
        out.push(Diagnostic::new(
            Code::InvalidReviewId,
            rel,
            Pos::START,
            format!(
                "the file name `{}` is not a valid review id and the review has no `id`",
                repo::stem(rel)
            ),
        ));
    }
    check_people(ctx, rel, review, doc, &mut out);
    check_date(ctx, rel, review, doc, &mut out);

    let Some(rref) = &review.rubric else {
        return out;
    };
    let key = (rref.id.as_str().to_string(), rref.version.0);
    let rubric_pos = doc.value_pos("/rubric");
    let id = rref.id.as_str();
    let Some(rv) = ctx.versions.get(&key) else {
        if ctx.broken_rubrics.contains(id) {
            // The rubric file itself has errors, reported on its own; nothing to check against.
            return out;
        }
        let exists = ctx.known_rubric_ids.contains(id) || ctx.rubric_paths.contains_key(id);
        let d = match ctx.history {
            // Outside git there is no history that could hold another rubric: a name that no
            // rubric file has is unknown.
            HistoryState::NoRepository if !exists => Diagnostic::new(
                Code::UnknownRubric,
                rel,
                rubric_pos,
                format!(
                    "no rubric `{id}` exists{}",
                    suggestion(id, ctx.known_rubric_ids.iter().copied())
                ),
            ),
            HistoryState::NoRepository | HistoryState::Shallow => Diagnostic::new(
                Code::RubricHistoryUnavailable,
                rel,
                rubric_pos,
                format!(
                    "`{rref}` is not the current version of rubric `{id}`, and {} to look it up",
                    if ctx.history == HistoryState::Shallow {
                        "this shallow clone lacks the history"
                    } else {
                        "there is no git repository"
                    }
                ),
            ),
            _ if exists => {
                let mut known: Vec<u32> = ctx
                    .versions
                    .keys()
                    .filter(|(i, _)| i == id)
                    .map(|(_, v)| *v)
                    .collect();
                known.sort_unstable();
                let known: Vec<String> = known.iter().map(|v| v.to_string()).collect();
                Diagnostic::new(
                    Code::UnknownRubricVersion,
                    rel,
                    rubric_pos,
                    format!(
                        "rubric `{id}` never had version {} (versions found in history: {})",
                        rref.version.0,
                        if known.is_empty() {
                            "none valid".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                )
            }
            _ => Diagnostic::new(
                Code::UnknownRubric,
                rel,
                rubric_pos,
                format!(
                    "no rubric `{id}` exists{}",
                    suggestion(id, ctx.known_rubric_ids.iter().copied())
                ),
            ),
        };
        out.push(d);
        return out;
    };

    let Some(ratings) = &review.ratings else {
        return out;
    };
    let rubric = &rv.rubric;
    let cat_ids: Vec<&str> = rubric.categories.iter().map(|c| c.id.as_str()).collect();
    let missing: Vec<&str> = cat_ids
        .iter()
        .copied()
        .filter(|c| !ratings.iter().any(|(k, _)| k == c))
        .collect();
    for (cat, entry) in ratings {
        let ptr = format!("/ratings/{}", escape_segment(cat));
        let Some(category) = rubric.categories.iter().find(|c| c.id.as_str() == cat) else {
            if model::Slug::try_from(cat.clone()).is_err() {
                // Not even a valid category id: the schema error already says so.
                continue;
            }
            let guess = crate::model::diagnostic::did_you_mean(cat, missing.iter().copied())
                .or_else(|| crate::model::diagnostic::did_you_mean(cat, cat_ids.iter().copied()));
            out.push(Diagnostic::new(
                Code::UnknownCategory,
                rel,
                doc.key_pos(&ptr),
                format!(
                    "rubric {rref} has no category `{cat}`{}",
                    guess
                        .map(|g| format!(" (did you mean `{g}`?)"))
                        .unwrap_or_default()
                ),
            ));
            continue;
        };
        let Some(entry) = entry else { continue };
        let vptr = match entry {
            model::RatingEntry::Value(_) => ptr.clone(),
            model::RatingEntry::Detailed(_) => format!("{ptr}/rating"),
        };
        match entry.value() {
            RatingValue::Points(p) if p < 1 || p > i64::from(category.scale.0) => {
                out.push(Diagnostic::new(
                    Code::RatingOutOfScale,
                    rel,
                    doc.value_pos(&vptr),
                    format!(
                        "rating {p} for `{cat}` is outside its scale 1..{}",
                        category.scale.0
                    ),
                ));
            }
            RatingValue::Na(_) if !category.na => {
                out.push(Diagnostic::new(
                    Code::NaNotAllowed,
                    rel,
                    doc.value_pos(&vptr),
                    format!("category `{cat}` may not be rated `na`"),
                ));
            }
            _ => {}
        }
        let allowed: Vec<&str> = category
            .root_causes
            .iter()
            .flat_map(|r| r.iter().map(|s| s.as_str()))
            .collect();
        for (i, rc) in entry.root_causes().iter().enumerate() {
            if !allowed.contains(&rc.as_str()) {
                let list = if allowed.is_empty() {
                    "it lists none".to_string()
                } else {
                    format!("allowed: {}", allowed.join(", "))
                };
                out.push(Diagnostic::new(
                    Code::UnknownRootCause,
                    rel,
                    doc.value_pos(&format!("{ptr}/root_causes/{i}")),
                    format!(
                        "root cause `{rc}` is not in the list of category `{cat}` ({list}){}",
                        suggestion(rc.as_str(), allowed.iter().copied())
                    ),
                ));
            }
        }
    }
    for cat in missing {
        out.push(Diagnostic::new(
            Code::MissingRating,
            rel,
            doc.key_pos("/ratings"),
            format!("no rating for category `{cat}` of rubric {rref}"),
        ));
    }
    out
}

fn check_people(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
    out: &mut Vec<Diagnostic>,
) {
    let resolve = |id: &str| -> String {
        ctx.roster
            .and_then(|r| r.resolve(id))
            .unwrap_or(id)
            .to_lowercase()
    };
    if let Some(roster) = ctx.roster {
        let who = [
            ("agent", Code::UnknownAgent, &review.agent),
            ("reviewer", Code::UnknownReviewer, &review.reviewer),
        ];
        for (field, code, id) in who {
            let Some(id) = id else { continue };
            if roster.resolve(id.as_str()).is_none() {
                out.push(Diagnostic::new(
                    code,
                    rel,
                    doc.value_pos(&format!("/{field}")),
                    format!(
                        "{field} `{id}` is not in the qa.yaml roster{}",
                        suggestion(id.as_str(), roster.ids.iter().map(String::as_str))
                    ),
                ));
            }
        }
    }
    if let (Some(reviewer), Some(agent)) = (&review.reviewer, &review.agent) {
        if resolve(reviewer.as_str()) == resolve(agent.as_str()) {
            out.push(Diagnostic::new(
                Code::SelfReview,
                rel,
                doc.value_pos("/reviewer"),
                format!("reviewer `{reviewer}` is the agent `{agent}` of this conversation"),
            ));
        }
    }
}

/// A `reviewed_at` value as a calendar day or an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDate {
    Day(NaiveDate),
    Instant(DateTime<chrono::FixedOffset>),
}

/// Parses `reviewed_at`: `YYYY-MM-DD` or RFC 3339.
pub fn parse_review_date(s: &str) -> Option<ReviewDate> {
    if s.len() == 10 {
        NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .map(ReviewDate::Day)
    } else {
        DateTime::parse_from_rfc3339(s)
            .ok()
            .map(ReviewDate::Instant)
    }
}

fn check_date(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
    out: &mut Vec<Diagnostic>,
) {
    let Some(text) = &review.reviewed_at else {
        return;
    };
    let pos = doc.value_pos("/reviewed_at");
    match parse_review_date(&text.0) {
        None => out.push(Diagnostic::new(
            Code::InvalidDate,
            rel,
            pos,
            format!("`{}` is not a real date or time", text.0),
        )),
        Some(date) => {
            let future = match date {
                ReviewDate::Day(d) => d > ctx.now.with_timezone(&ctx.tz).date_naive(),
                ReviewDate::Instant(t) => t.with_timezone(&Utc) > ctx.now,
            };
            if future {
                out.push(Diagnostic::new(
                    Code::FutureDate,
                    rel,
                    pos,
                    format!("reviewed_at {} lies in the future", text.0),
                ));
            }
        }
    }
}
