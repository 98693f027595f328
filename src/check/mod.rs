//! `rubric check`: loads every file of a QA repository in parallel, validates each against its
//! schema and typed model, then checks rubrics, reviews against the rubric version they name
//! (from the working tree or git history), and rules across files. Collects every problem.

mod config;
mod review;
pub mod rubric;
mod select;
mod versions;

pub use config::check_config;
pub use rubric::{check_rubric, parse_historic, working_rubrics};

use crate::load::config::lenient_config;
use crate::load::file::{load_typed, read, Loaded};
use crate::load::git::{History, HistoryError};
use crate::load::people::Roster;
use crate::load::repo::{self, FileKind, SourceFile};
use crate::load::review::ReviewView;
use crate::load::rubric::{RubricVersion, VersionIndex};
use crate::load::schema::Kind;
use crate::load::yaml::Document;
use crate::model::diagnostic::{Code, Diagnostic, Pos};
use crate::model::{Config, Review, Rubric};
use crate::report::CheckReport;
use chrono::{DateTime, Utc};
use rayon::prelude::*;
use review::{check_review, HistoryState, ReviewContext};
use select::select;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use versions::version_discipline;

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
            max_file_size: crate::load::yaml::DEFAULT_MAX_FILE_SIZE,
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

/// What is kept of a review after its first pass: its problems so far, its id (for the
/// duplicate check), its rubric id (for `--changed-since`), and, only if it names a rubric
/// version that the working tree lacks, the loaded document for the second pass.
pub(super) struct ReviewOutcome {
    pub(super) rel: String,
    problems: Vec<Diagnostic>,
    id: Option<(String, Pos)>,
    pub(super) rubric_id: Option<String>,
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
