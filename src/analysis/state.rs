//! The one QA state that every command reads (SPEC §5.5): the files (on disk, or in the tree
//! of `--rev`), every problem that `check` reports, each review judged by those same rules,
//! and each valid review resolved once — people, date, the rubric content it means (through
//! the rubric index built from the one history walk) and its score.

use crate::analysis::score::{rating_value, score_review};
use crate::check::disputes::{dispute_findings, DisputeRules, Version};
use crate::check::review::{review_findings, Finding, ReviewRules, ReviewerSource, RubricLookup};
use crate::history::rubrics::{At, Reach, RubricIndex};
use crate::history::scan::{self, Scan, ScanError, ScanOptions};
use crate::history::timeline::{Event, EventKind};
use crate::history::versions::Kept;
use crate::load::config::{lenient_config, timezone};
use crate::load::date::{parse_review_date, ReviewDate};
use crate::load::file::{load_typed, Input, Loaded};
use crate::load::git::{CommitInfo, History, HistoryError, ObjectId};
use crate::load::people::Roster;
use crate::load::repo::{self, FileKind, SourceFile};
use crate::load::review::{Details, Snapshot};
use crate::load::schema::Kind;
use crate::load::yaml::{self, Document};
use crate::model::diagnostic::{Code, Diagnostic, Pos, Severity};
use crate::model::{Config, Rubric, Weekday};
use crate::report::{HistoryRow, LeftOut, ScoreRow};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How much the history matters to the command that loads the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HistoryUse {
    /// Dates, credits and timelines come from it: a shallow clone is refused unless
    /// `allow_shallow`, and a branch without commits is an error.
    #[default]
    Required,
    /// `check`: without usable history (no repository, no commits, a shallow clone) the
    /// rules that need it say so, and the rest is still checked.
    Optional,
}

/// How to read the state.
#[derive(Debug, Clone)]
pub struct StateOptions {
    pub scan: ScanOptions,
    pub history: HistoryUse,
    /// Largest file size in bytes that is read.
    pub max_file_size: usize,
    /// "Now": the default date of uncommitted reviews, and the limit for future dates.
    pub now: DateTime<Utc>,
}

impl Default for StateOptions {
    fn default() -> Self {
        StateOptions {
            scan: ScanOptions::default(),
            history: HistoryUse::Required,
            max_file_size: yaml::DEFAULT_MAX_FILE_SIZE,
            now: Utc::now(),
        }
    }
}

/// Why the state could not be read at all (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("{0}")]
    Scan(#[from] ScanError),
    #[error(
        "`{0}` is not a QA repository: it has no qa.yaml, rubrics/ or reviews/ \
         (use -C DIR to run in another folder)"
    )]
    NotAQaRepository(String),
    #[error(
        "cannot read {} older review version(s) from git, so the results leave them out: {}",
        .0.len(),
        list_some(.0)
    )]
    Unread(Vec<String>),
}

impl From<HistoryError> for StateError {
    fn from(e: HistoryError) -> Self {
        StateError::Scan(ScanError::from(e))
    }
}

/// One valid review, with everything resolved. Its `ScoreRow` is the record every output
/// shows; the rest is what analysis needs besides.
#[derive(Debug, Clone)]
pub struct ReviewFacts {
    pub row: ScoreRow,
    /// The calendar day in the configured zone.
    pub day: NaiveDate,
    /// The rubric content the review means (SPEC §3).
    pub rubric_version: Arc<Rubric>,
    /// What the file says (shared with the scan's cache of file versions).
    pub snapshot: Arc<Snapshot>,
}

impl std::ops::Deref for ReviewFacts {
    type Target = ScoreRow;
    fn deref(&self) -> &ScoreRow {
        &self.row
    }
}

impl ReviewFacts {
    pub fn row(&self) -> ScoreRow {
        self.row.clone()
    }

    /// The conversation the review rates, as calibration pairs ratings: its `conversation.id`,
    /// else the review id.
    pub fn conversation_key(&self) -> String {
        self.snapshot
            .conversation
            .as_deref()
            .unwrap_or(&self.id)
            .to_string()
    }
}

/// Where the state's files come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Disk,
    Tree(ObjectId),
}

/// The state of a QA repository.
pub struct QaState {
    pub root: PathBuf,
    pub config: Config,
    pub tz: Tz,
    pub week_start: Weekday,
    /// Every file of the state (qa.yaml, rubrics, reviews), sorted by path.
    pub files: Vec<SourceFile>,
    /// Every problem `check` reports, rubric and configuration files first.
    pub diagnostics: Vec<Diagnostic>,
    /// The valid reviews, by day then id.
    pub reviews: Vec<ReviewFacts>,
    /// Review files left out because `check` rejects them with an error.
    pub left_out: Vec<LeftOut>,
    /// The rubric each review file names (for `check --changed-since`).
    pub review_rubrics: Vec<(String, String)>,
    /// Things a user should know (partial history, old versions that did not parse).
    pub warnings: Vec<String>,
    pub partial: bool,
    /// A shallow clone that `check` read without history: the history rules could not run.
    pub shallow: bool,
    pub scan: Option<Scan>,
    pub rubrics: std::sync::Mutex<RubricIndex>,
    /// The loaded rubric files of the state (for version discipline).
    pub rubric_files: Vec<Loaded<Rubric>>,
    /// The assignment plans that match their schema (SPEC §4.1), by path.
    pub plans: Vec<crate::check::assignments::LoadedPlan>,
    people: People,
    source: Source,
    max_file_size: usize,
}

/// Which commit a review's file belongs to, from the review timelines of the state's history
/// and the blobs of the state's files (the `--rev` tree, or the working tree).
pub struct ReviewCommits<'a> {
    scan: Option<&'a Scan>,
    source: Source,
    /// Review files whose blob is known without reading them (the tree's, or the files that
    /// are unchanged against the index).
    known: HashMap<String, ObjectId>,
}

impl ReviewCommits<'_> {
    /// The blob of the state's file `rel`, if it has one.
    fn blob(&self, rel: &str) -> Option<ObjectId> {
        if let Some(b) = self.known.get(rel) {
            return Some(*b);
        }
        match (self.source, self.scan) {
            (Source::Disk, Some(s)) => s.history.workdir_blob(rel),
            _ => None,
        }
    }

    /// The full id of the latest commit that added, edited, moved or deleted the review `id`,
    /// when the state holds the review as that commit left it: `path` is the review's file in
    /// the state (none for a review the state does not have, or left out). Null when the
    /// state's file is not the committed one (an uncommitted change) or outside git.
    pub fn of(&self, id: &str, path: Option<&str>) -> Option<String> {
        let scan = self.scan?;
        let last = scan.timelines.reviews.get(id)?.last()?;
        let commit = scan.timelines.commits.get(last.commit)?;
        let committed = match (last.kind, path) {
            (EventKind::Deleted, None) => true,
            (EventKind::Deleted, Some(_)) => false,
            (_, Some(p)) if p != last.path => false,
            _ => self.blob(&last.path) == Some(last.blob),
        };
        committed.then(|| commit.id.to_string())
    }
}

/// Maps the ways a person is named (roster id, e-mail, commit identity) to one id.
struct People {
    roster: Option<Roster>,
}

impl People {
    fn person(&self, id: &str) -> String {
        self.roster
            .as_ref()
            .and_then(|r| r.resolve(id))
            .unwrap_or(id)
            .to_string()
    }

    /// A commit author's e-mail (the mailmap applied, as the repository has it now).
    fn author_email(scan: Option<&Scan>, c: &CommitInfo) -> (String, String) {
        match scan {
            Some(s) => s.history.mailmap(&c.author_name, &c.author_email),
            None => (c.author_name.clone(), c.author_email.clone()),
        }
    }

    /// A commit author: the mailmap first, then the roster.
    fn author(&self, scan: Option<&Scan>, c: &CommitInfo) -> String {
        let (name, email) = Self::author_email(scan, c);
        if let Some(p) = self.roster.as_ref().and_then(|r| r.resolve(&email)) {
            return p.to_string();
        }
        if !email.is_empty() {
            email.to_lowercase()
        } else {
            name
        }
    }
}

/// A `reviewed_at` or commit time as RFC 3339 and a day, in the configured zone.
fn dated(
    text: Option<&str>,
    commit: Option<&CommitInfo>,
    tz: Tz,
    now: DateTime<Utc>,
) -> (NaiveDate, String) {
    if let Some(d) = text.and_then(parse_review_date) {
        return match d {
            ReviewDate::Day(day) => (day, day.format("%Y-%m-%d").to_string()),
            ReviewDate::Instant(t) => {
                let local = t.with_timezone(&tz);
                (local.date_naive(), local.to_rfc3339())
            }
        };
    }
    if let Some(c) = commit {
        let offset =
            FixedOffset::east_opt(c.offset_minutes * 60).unwrap_or(chrono::Offset::fix(&Utc));
        if let Some(t) = offset.timestamp_opt(c.time, 0).single() {
            let local = t.with_timezone(&tz);
            return (local.date_naive(), local.to_rfc3339());
        }
    }
    let today = now.with_timezone(&tz).date_naive();
    (today, today.format("%Y-%m-%d").to_string())
}

/// One review file after the parallel pass: its snapshot, and its document and file-level
/// problems where it has any.
struct ReviewFile {
    rel: String,
    snap: Arc<Snapshot>,
    doc: Option<Document>,
    problems: Vec<Diagnostic>,
}

/// A review after the rules: its problems, and its facts when it has no error.
struct Judged {
    file: ReviewFile,
    findings: Vec<Finding>,
    /// Index into the judged reviews' facts (see `QaState::judge`).
    facts: Option<usize>,
}

/// The history as the state uses it.
struct Walked {
    scan: Option<Scan>,
    reach: Reach,
    warnings: Vec<String>,
}

impl QaState {
    /// Reads the state of the QA repository at `root`.
    pub fn load(
        root: &Path,
        opts: &StateOptions,
        progress: &mut dyn FnMut(usize),
    ) -> Result<QaState, StateError> {
        let timing = crate::timing::Timing::new();
        let max = opts.max_file_size;
        let git = History::open(root).ok();
        let source = match (&opts.scan.rev, &git) {
            (Some(rev), Some(g)) => Source::Tree(g.resolve(Some(rev))?),
            (Some(_), None) => return Err(StateError::Scan(ScanError::NoRepository)),
            (None, _) => Source::Disk,
        };
        let read = |rel: &str| read_source(root, git.as_ref(), source, rel, max);
        let (config, mut diagnostics, any_folder) = load_config(root, git.as_ref(), source, &read);
        let (files, unreadable) = list(root, git.as_ref(), source, &config)?;
        // Every command says what it could not read; `check` also exits 2 on it.
        let mut warnings: Vec<String> = unreadable
            .iter()
            .map(|d| format!("{}: {} (io-error: run `rubric check`)", d.path, d.message))
            .collect();
        diagnostics.extend(unreadable);
        if !any_folder && files.is_empty() {
            return Err(StateError::NotAQaRepository(root.display().to_string()));
        }
        let (rubric_files, working, broken) = load_rubrics(&files, &read, max);
        for r in &rubric_files {
            diagnostics.extend(r.problems.iter().cloned());
        }
        diagnostics.extend(rubric_own_problems(&rubric_files));
        let (plans, plan_problems) = crate::check::assignments::check_plans(
            &files,
            &read,
            max,
            Roster::new(&config).as_ref(),
        );
        diagnostics.extend(plan_problems);
        drop(git);
        let walked = walk_history(root, &config, opts, progress)?;
        timing.mark("history scan");
        let shallow = walked.scan.is_none() && matches!(walked.reach, Reach::Shallow);
        let scan = walked.scan;
        let head = scan.as_ref().and_then(|s| s.history.resolve(None).ok());
        let historic = scan.as_ref().map_or(&[][..], |s| s.rubrics.as_slice());
        let index = RubricIndex::new(working, broken, historic, head, walked.reach);
        let mut state = QaState {
            root: root.to_path_buf(),
            tz: timezone(&config),
            week_start: config.week_start.unwrap_or(Weekday::Monday),
            people: People {
                roster: Roster::new(&config),
            },
            config,
            files,
            diagnostics,
            reviews: Vec::new(),
            left_out: Vec::new(),
            review_rubrics: Vec::new(),
            warnings: {
                warnings.extend(walked.warnings);
                warnings
            },
            partial: scan.as_ref().is_some_and(|s| s.partial),
            shallow,
            scan,
            rubrics: std::sync::Mutex::new(index),
            rubric_files,
            plans,
            source,
            max_file_size: max,
        };
        let loaded = state.review_files();
        timing.mark("review files");
        let (judged, facts) = state.judge(loaded, opts.now)?;
        timing.mark("verdicts");
        state.settle(judged, facts);
        timing.mark("diagnostics placed");
        state.version_warnings();
        state.old_versions_warning();
        state.diagnostics.sort_by(|a, b| {
            let kind = |d: &Diagnostic| d.path.starts_with(state.config.paths.reviews.as_str());
            (kind(a), &a.path, a.line, a.column, a.code).cmp(&(
                kind(b),
                &b.path,
                b.line,
                b.column,
                b.code,
            ))
        });
        state.diagnostics.dedup();
        timing.mark("facts");
        Ok(state)
    }

    /// The problems `check` would report for the review file `rel` if it held `text` (the rest
    /// of the state as it is): `dispute` and `resolve` refuse an edit that `check` rejects.
    pub fn judge_edit(
        &mut self,
        rel: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Diagnostic>, StateError> {
        let max = self.max_file_size;
        let file = parse_review(rel, Input::Bytes(text.as_bytes().to_vec()), max);
        let doc = match &file.doc {
            Some(d) => Some(d.clone()),
            None => yaml::load(rel, text.as_bytes(), max).ok(),
        };
        let mut out = Vec::new();
        for j in self.judge(vec![file], now)?.0 {
            out.extend(j.file.problems.iter().cloned());
            out.extend(j.findings.iter().map(|f| f.locate(rel, doc.as_ref())));
        }
        Ok(out)
    }

    /// Reads a file of the state (from disk, or from the `--rev` tree), bounded by the size
    /// limit.
    pub fn read(&self, rel: &str) -> Input {
        let git = self.scan.as_ref().map(|s| &s.history);
        read_source(&self.root, git, self.source, rel, self.max_file_size)
    }

    /// Every review file's snapshot: from the history cache by blob id where the file is
    /// unchanged, else read and parsed (in parallel); with its document where it has problems.
    fn review_files(&self) -> Vec<ReviewFile> {
        let known = self.known_review_blobs();
        let scan = self.scan.as_ref();
        let cached = |rel: &str| scan?.versions.whole(known.get(rel)?).cloned();
        let wanted: Vec<&SourceFile> = self
            .files
            .iter()
            .filter(|f| f.kind == FileKind::Review)
            .collect();
        // Bytes are read first (git objects cannot be shared between threads), then parsed in
        // parallel.
        type Pending<'a> = (&'a SourceFile, Option<Arc<Snapshot>>, Option<Input>);
        let inputs: Vec<Pending> = wanted
            .iter()
            .map(|f| match cached(&f.rel) {
                Some(s) if s.valid => (*f, Some(s), None),
                _ if self.source == Source::Disk => (*f, None, None),
                _ => (*f, None, Some(self.read(&f.rel))),
            })
            .collect();
        let max = self.max_file_size;
        let root = self.root.as_path();
        inputs
            .into_par_iter()
            .map(|(f, snap, input)| match snap {
                Some(snap) => ReviewFile {
                    rel: f.rel.clone(),
                    snap,
                    doc: None,
                    problems: Vec::new(),
                },
                None => {
                    let input =
                        input.unwrap_or_else(|| crate::load::file::read_within(root, &f.rel, max));
                    parse_review(&f.rel, input, max)
                }
            })
            .collect()
    }

    /// Resolves and judges every review (in order: the rubric index walks git).
    ///
    /// The facts of the reviews without an error are returned beside them, in one vector
    /// that becomes the state's `reviews` (filtered in place): no second copy of 100,000
    /// reviews' facts is ever built.
    fn judge(
        &mut self,
        files: Vec<ReviewFile>,
        now: DateTime<Utc>,
    ) -> Result<(Vec<Judged>, Vec<ReviewFacts>), StateError> {
        let user = self.scan.as_ref().and_then(|s| s.history.user_email());
        let mut out = Vec::with_capacity(files.len());
        let mut all_facts = Vec::new();
        let mut files = files.into_iter().peekable();
        while files.peek().is_some() {
            // The older versions the rules will read, read again from git a batch at a time.
            let batch: Vec<ReviewFile> = files.by_ref().take(1024).collect();
            if let Some(scan) = &self.scan {
                scan.hold_older(&self.older_versions(&batch))?;
            }
            self.judge_batch(batch, now, &user, &mut out, &mut all_facts)?;
        }
        if let Some(scan) = &self.scan {
            scan.hold_older(&[])?;
        }
        // A verdict never rests on a version that could not be read.
        self.all_read()?;
        Ok((out, all_facts))
    }

    /// The older versions of `files`' reviews that the dispute rules read whole: every
    /// version of a review that has or had a dispute. (A review never disputed is judged by
    /// what the history keeps of its versions: see `dispute_rules`.)
    fn older_versions<'s>(&'s self, files: &[ReviewFile]) -> Vec<(ObjectId, &'s str)> {
        let Some(scan) = &self.scan else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for file in files {
            let id = file.snap.review_id(&file.rel);
            let Some(events) = scan.timelines.reviews.get(&id) else {
                continue;
            };
            if events.len() > 1 && self.has_disputes(&id, &file.snap) {
                out.extend(
                    events
                        .iter()
                        .filter(|e| e.kind != EventKind::Deleted)
                        .map(|e| (e.blob, e.path.as_str())),
                );
            }
        }
        out
    }

    /// [`Self::judge`] for one batch of files.
    fn judge_batch(
        &mut self,
        files: Vec<ReviewFile>,
        now: DateTime<Utc>,
        user: &Option<String>,
        out: &mut Vec<Judged>,
        all_facts: &mut Vec<ReviewFacts>,
    ) -> Result<(), StateError> {
        for file in files {
            let id = file.snap.review_id(&file.rel);
            let (added, commit) = self.crediting(&id, &file.snap);
            let source = self.reviewer_source(&file.snap, added, user.as_deref());
            let rubric = match &file.snap.rubric {
                Some((rid, v)) => {
                    let at = commit.map_or(At::Uncommitted, At::Commit);
                    let git = self.scan.as_ref().map(|s| &s.history);
                    let index = self.rubrics.get_mut().unwrap_or_else(|e| e.into_inner());
                    let found = index.resolve(git, rid, *v, at)?;
                    let missing = found.is_none().then(|| index.missing(rid, *v)).flatten();
                    Some((found, missing))
                }
                None => None,
            };
            let lookup = match &rubric {
                None => RubricLookup::NotNamed,
                Some((Some(v), _)) => RubricLookup::Found(&v.rubric),
                Some((None, Some(f))) => RubricLookup::Missing(f),
                Some((None, None)) => RubricLookup::BrokenFile,
            };
            let rules = ReviewRules {
                roster: self.people.roster.as_ref(),
                tz: self.tz,
                now,
            };
            // A file that could not be read or parsed at all has nothing for the rules to
            // judge: its own problem says why, without follow-on noise.
            let unreadable = file.doc.is_none() && !file.problems.is_empty();
            let mut findings = if unreadable {
                Vec::new()
            } else {
                review_findings(&rules, &file.rel, &file.snap, lookup, &source)
            };
            if !unreadable {
                let rubric = match lookup {
                    RubricLookup::Found(r) => Some(r),
                    _ => None,
                };
                let at = (id.as_str(), &file.snap, added);
                findings.extend(self.dispute_rules(at, rubric, user.as_deref(), now));
            }
            findings.extend(self.id_reused(&id));
            let ok = file.problems.iter().all(|d| d.severity != Severity::Error)
                && file.snap.valid
                && findings
                    .iter()
                    .all(|f| f.code.severity() != Severity::Error);
            let facts = match (&rubric, ok) {
                (Some((Some(v), _)), true) => {
                    all_facts.push(self.facts(
                        &file,
                        id,
                        added,
                        &source,
                        v.rubric.clone(),
                        user,
                        now,
                    ));
                    Some(all_facts.len() - 1)
                }
                _ => None,
            };
            out.push(Judged {
                file,
                findings,
                facts,
            });
        }
        Ok(())
    }

    /// The event that credits a review (its latest addition: a review deleted and added again
    /// starts anew) and the commit its rubric is seen from (that addition, or a later edit
    /// that changed `rubric:`); none for a review that is not committed as it is.
    fn crediting(&self, id: &str, snap: &Snapshot) -> (Option<usize>, Option<ObjectId>) {
        let Some(scan) = &self.scan else {
            return (None, None);
        };
        let Some(events) = scan.timelines.reviews.get(id) else {
            return (None, None);
        };
        let Some(start) = timeline_start(scan, events) else {
            return (None, None);
        };
        let added = events[start].commit;
        let rubric_of = |e: &Event| scan.kept(&e.blob).and_then(|k| k.rubric());
        let mut from = &events[start];
        for e in &events[start + 1..] {
            if e.kind == EventKind::Edited && rubric_of(e) != rubric_of(from) {
                from = e;
            }
        }
        let commit = (rubric_of(from) == snap.rubric.as_ref())
            .then(|| scan.timelines.commits.get(from.commit).map(|c| c.id))
            .flatten();
        (Some(added), commit)
    }

    /// The dispute rules for one review (id, file, crediting event), over its versions.
    fn dispute_rules(
        &self,
        (id, snap, added): (&str, &Arc<Snapshot>, Option<usize>),
        rubric: Option<&Rubric>,
        user: Option<&str>,
        now: DateTime<Utc>,
    ) -> Vec<Finding> {
        if self.shallow && !snap.disputes.is_empty() {
            return vec![Finding {
                code: Code::DisputeHistoryUnavailable,
                spot: crate::check::review::Spot::Key("/disputes".into()),
                message: "this is a shallow clone: the dispute rules that need the history \
                          (answers, rejections, edits) were not applied"
                    .into(),
                hint: None,
            }];
        }
        if !self.has_disputes(id, snap) {
            if !self.edited(id, snap) {
                return Vec::new();
            }
            // Never disputed: of the dispute rules only the agent-edit rule can apply, and it
            // reads what the history keeps of every version.
            if let Some(kept) = self.kept_versions(id, snap, user) {
                let mut out = Vec::new();
                crate::check::dispute_history::agent_edits(
                    self.people.roster.as_ref(),
                    &kept,
                    &mut out,
                );
                return out;
            }
        }
        let versions = self.versions(id, snap, user);
        let commit = added.and_then(|i| self.scan.as_ref()?.timelines.commits.get(i));
        let (day, _) = dated(snap.reviewed_at.as_deref(), commit, self.tz, now);
        let rules = DisputeRules {
            limits: self.config.disputes,
            roster: self.people.roster.as_ref(),
            tz: self.tz,
            now,
        };
        dispute_findings(&rules, &versions, rubric, Some(day))
    }

    /// Were the review's ratings ever changed after it was added (committed or not)? Cheap: a
    /// review added once and never edited, which is most of them, has one event.
    fn edited(&self, id: &str, snap: &Snapshot) -> bool {
        let Some(scan) = &self.scan else { return false };
        let events = scan
            .timelines
            .reviews
            .get(id)
            .map_or(&[][..], |e| e.as_slice());
        let Some(last) = events.last() else {
            return false;
        };
        let first = timeline_start(scan, events).map_or(last, |i| &events[i]);
        match (scan.kept(&first.blob), scan.kept(&last.blob)) {
            (Some(f), Some(l)) => !f.same_ratings(l) || !l.rates_as(snap),
            _ => true,
        }
    }

    /// Does the review, now or in any version of its history, have a dispute?
    pub fn has_disputes(&self, id: &str, snap: &Snapshot) -> bool {
        if !snap.disputes.is_empty() {
            return true;
        }
        let Some(scan) = &self.scan else { return false };
        let events = scan
            .timelines
            .reviews
            .get(id)
            .map_or(&[][..], |e| e.as_slice());
        events
            .iter()
            .any(|e| scan.kept(&e.blob).is_some_and(|k| k.disputed()))
    }

    /// The committed versions of a review's current timeline, oldest first, with their
    /// commits (deletions left out).
    fn timeline_versions<'s>(&'s self, id: &str) -> Vec<(&'s Event, &'s CommitInfo)> {
        let Some(scan) = &self.scan else {
            return Vec::new();
        };
        let events = scan
            .timelines
            .reviews
            .get(id)
            .map_or(&[][..], |e| e.as_slice());
        let start = timeline_start(scan, events).unwrap_or(events.len());
        events[start..]
            .iter()
            .filter(|e| e.kind != EventKind::Deleted)
            .filter_map(|e| Some((e, scan.timelines.commits.get(e.commit)?)))
            .collect()
    }

    /// Who made a version: the commit's author, or the git user for the working tree.
    fn version_author(&self, commit: Option<&CommitInfo>, user: Option<&str>) -> String {
        match commit {
            Some(c) => self.people.author(self.scan.as_ref(), c),
            None => user.map_or_else(|| "you".to_string(), |u| self.people.person(u)),
        }
    }

    /// The versions of a review's current timeline, oldest first, ending with the file as it
    /// is (a change not committed yet is a version of its own, made by the git user).
    pub fn versions(&self, id: &str, snap: &Arc<Snapshot>, user: Option<&str>) -> Vec<Version> {
        let mut out = Vec::new();
        if let Some(scan) = &self.scan {
            for (e, c) in self.timeline_versions(id) {
                // A version git can no longer give is left out (`Scan::unread` names it).
                let Some(s) = scan.snapshot(e.blob, &e.path) else {
                    continue;
                };
                out.push(Version {
                    snap: s,
                    author: self.version_author(Some(c), user),
                    commit: Some(crate::history::rubrics::short(c.id)),
                    day: Some(dated(None, Some(c), self.tz, Utc::now()).0),
                });
            }
        }
        let same = out
            .last()
            .is_some_and(|v| Arc::ptr_eq(&v.snap, snap) || *v.snap == **snap);
        if !same {
            out.push(Version {
                snap: snap.clone(),
                author: self.version_author(None, user),
                commit: None,
                day: None,
            });
        }
        out
    }

    /// [`Self::versions`] as what the history keeps of each (see [`KeptVersion`]); `None`
    /// when the newest committed version is not kept whole (then only the whole versions can
    /// tell whether the file as it is differs from it).
    fn kept_versions<'s>(
        &'s self,
        id: &str,
        snap: &'s Arc<Snapshot>,
        user: Option<&str>,
    ) -> Option<Vec<KeptVersion<'s>>> {
        let scan = self.scan.as_ref()?;
        let mut out = Vec::new();
        for (e, c) in self.timeline_versions(id) {
            out.push(KeptVersion {
                kept: scan.kept(&e.blob)?,
                author: self.version_author(Some(c), user),
                commit: Some(crate::history::rubrics::short(c.id)),
            });
        }
        let same = match out.last().map(|v| v.kept) {
            None => false,
            Some(Kept::Whole(s)) => Arc::ptr_eq(s, snap) || **s == **snap,
            Some(Kept::Older(_)) => return None,
        };
        if !same {
            out.push(KeptVersion {
                kept: Kept::Whole(snap),
                author: self.version_author(None, user),
                commit: None,
            });
        }
        Some(out)
    }

    /// A warning when the review's id was used by another agent's review before: its timeline
    /// starts anew at the version that changed the agent.
    fn id_reused(&self, id: &str) -> Option<Finding> {
        let scan = self.scan.as_ref()?;
        let events = scan.timelines.reviews.get(id)?;
        let start = timeline_start(scan, events)?;
        if !agent_changed(scan, events, start) {
            return None;
        }
        let before = scan.kept(&events[start - 1].blob)?.agent()?.to_string();
        let commit = scan.timelines.commits.get(events[start].commit)?.id;
        Some(Finding {
            code: Code::ReviewIdReused,
            spot: crate::check::review::Spot::Value("/agent".into()),
            message: format!(
                "review id `{id}` belonged to a review of `{before}` before; this review starts a \
                 timeline of its own at commit {}",
                crate::history::rubrics::short(commit)
            ),
            hint: Some(
                "Give each conversation review its own id (or file name), so that one person's \
                 history is never another's."
                    .into(),
            ),
        })
    }

    fn reviewer_source(
        &self,
        snap: &Snapshot,
        added: Option<usize>,
        user: Option<&str>,
    ) -> ReviewerSource {
        if snap.reviewer.is_some() {
            return ReviewerSource::Written;
        }
        let scan = self.scan.as_ref();
        match (added.and_then(|i| scan?.timelines.commits.get(i)), user) {
            (Some(c), _) => ReviewerSource::CommitAuthor {
                email: People::author_email(scan, c).1,
                commit: c.id.to_string()[..10].to_string(),
            },
            (None, Some(u)) => ReviewerSource::GitUser(u.to_string()),
            (None, None) => ReviewerSource::Unknown,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn facts(
        &self,
        file: &ReviewFile,
        id: String,
        added: Option<usize>,
        source: &ReviewerSource,
        rubric: Arc<Rubric>,
        user: &Option<String>,
        now: DateTime<Utc>,
    ) -> ReviewFacts {
        let scan = self.scan.as_ref();
        let commit = added.and_then(|i| scan?.timelines.commits.get(i));
        let snap = &file.snap;
        let reviewer = match (&snap.reviewer, source, commit, user) {
            (Some(r), ..) => self.people.person(r),
            (None, ReviewerSource::CommitAuthor { .. }, Some(c), _) => self.people.author(scan, c),
            (None, _, _, Some(u)) => self.people.person(u),
            _ => "unknown".to_string(),
        };
        let (day, date) = dated(snap.reviewed_at.as_deref(), commit, self.tz, now);
        let s = score_review(&rubric, &snap.rating_values());
        ReviewFacts {
            row: ScoreRow {
                id,
                path: file.rel.clone(),
                agent: self
                    .people
                    .person(snap.agent.as_deref().unwrap_or_default()),
                reviewer,
                date,
                rubric: rubric.id.to_string(),
                version: rubric.version.0,
                score: s.score,
                pass: s.pass,
                calibration: snap.calibration.as_deref().map(String::from),
                uncommitted: commit.is_none(),
            },
            day,
            rubric_version: rubric,
            snapshot: file.snap.clone(),
        }
    }

    /// Places every finding at its node (loading the documents of valid files that have
    /// findings), settles duplicate ids, and splits reviews into facts and left-out files.
    fn settle(&mut self, judged: Vec<Judged>, mut facts: Vec<ReviewFacts>) {
        // Files that share an id need their documents too, for the position of `id`.
        // Sorted by id, files that share one sit side by side.
        let ids: Vec<Option<String>> = judged.iter().map(|j| review_id(&j.file)).collect();
        let mut sorted: Vec<(&str, usize)> = ids
            .iter()
            .enumerate()
            .filter_map(|(i, id)| Some((id.as_deref()?, i)))
            .collect();
        sorted.sort_unstable();
        let mut by_id: HashMap<&str, Vec<usize>> = HashMap::new();
        for w in sorted.windows(2) {
            if w[0].0 == w[1].0 {
                let places = by_id.entry(w[0].0).or_default();
                for i in [w[0].1, w[1].1] {
                    if !places.contains(&i) {
                        places.push(i);
                    }
                }
            }
        }
        let twice = calibrated_twice(&judged, &facts);
        let shared: HashSet<usize> = by_id.values().chain(&twice).flatten().copied().collect();
        // Documents are read a chunk of files at a time and dropped once their findings are
        // placed (memory stays flat however many files have findings); only the documents
        // of files that share an id or a calibration rating are kept, for the checks below.
        let mut docs: HashMap<usize, Document> = HashMap::new();
        let mut problems: Vec<Vec<Diagnostic>> = Vec::with_capacity(judged.len());
        for start in (0..judged.len()).step_by(2048) {
            let range = start..judged.len().min(start + 2048);
            let chunk = self.documents(&judged, range.clone(), &shared);
            for i in range {
                let j = &judged[i];
                let doc = j.file.doc.as_ref().or(chunk.get(&i));
                let mut found = j.file.problems.clone();
                found.extend(j.findings.iter().map(|f| f.locate(&j.file.rel, doc)));
                problems.push(found);
            }
            docs.extend(chunk.into_iter().filter(|(i, _)| shared.contains(i)));
        }
        let mut groups: Vec<(&str, &Vec<usize>)> = by_id.iter().map(|(k, v)| (*k, v)).collect();
        groups.sort();
        for (id, places) in groups {
            let at = |i: usize| {
                let doc = judged[i].file.doc.as_ref().or(docs.get(&i));
                let pos = match (&judged[i].file.snap.id, doc) {
                    (Some(_), Some(d)) => d.value_pos("/id"),
                    _ => Pos::START,
                };
                (judged[i].file.rel.as_str(), pos)
            };
            let at: Vec<(&str, Pos)> = places.iter().map(|i| at(*i)).collect();
            // One diagnostic per place, in the same order.
            for (i, d) in places.iter().zip(duplicate_ids(id, &at)) {
                problems[*i].push(d);
            }
        }
        for places in &twice {
            for &i in places {
                let doc = judged[i].file.doc.as_ref().or(docs.get(&i));
                let pos = doc.map_or(Pos::START, |d| d.value_pos("/calibration"));
                let others: Vec<&str> = places
                    .iter()
                    .filter(|p| **p != i)
                    .map(|p| judged[*p].file.rel.as_str())
                    .collect();
                let f = judged[i].facts.map(|k| &facts[k]);
                let (session, reviewer) = f.map_or(("", ""), |f| {
                    (f.calibration.as_deref().unwrap_or(""), f.reviewer.as_str())
                });
                problems[i].push(Diagnostic::new(
                    Code::DuplicateCalibrationRating,
                    &judged[i].file.rel,
                    pos,
                    format!(
                        "`{reviewer}` rated this conversation more than once in calibration \
                         session `{session}` (also {})",
                        others.join(", ")
                    ),
                ));
            }
        }
        // The facts vector becomes `reviews`, filtered in place (no second copy).
        let mut keep = vec![false; facts.len()];
        self.review_rubrics.reserve_exact(judged.len());
        for (j, found) in judged.into_iter().zip(problems) {
            if let Some((rid, _)) = &j.file.snap.rubric {
                self.review_rubrics
                    .push((j.file.rel.clone(), rid.to_string()));
            }
            let first_error = found.iter().find(|d| d.severity == Severity::Error);
            match (first_error, j.facts) {
                (None, Some(k)) => keep[k] = true,
                (first, _) => self.left_out.push(LeftOut {
                    path: j.file.rel.clone(),
                    code: first.map_or(Code::Schema, |d| d.code).name().to_string(),
                    message: first
                        .map_or("the review could not be read".into(), |d| d.message.clone()),
                }),
            }
            self.diagnostics.extend(found);
        }
        let mut index = 0;
        facts.retain(|_| {
            index += 1;
            keep[index - 1]
        });
        if self.reviews.is_empty() {
            self.reviews = facts;
        } else {
            self.reviews.extend(facts);
        }
        self.reviews
            .sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
    }

    /// The documents of the reviews in `range` that need one to place a finding (valid files
    /// whose snapshot came without one): read and parsed in parallel.
    fn documents(
        &self,
        judged: &[Judged],
        range: std::ops::Range<usize>,
        shared: &HashSet<usize>,
    ) -> HashMap<usize, Document> {
        let max = self.max_file_size;
        let inputs: Vec<(usize, Input)> = judged[range.clone()]
            .iter()
            .enumerate()
            .map(|(k, j)| (range.start + k, j))
            .filter(|(i, j)| j.file.doc.is_none() && (!j.findings.is_empty() || shared.contains(i)))
            .map(|(i, j)| (i, self.read(&j.file.rel)))
            .collect();
        inputs
            .into_par_iter()
            .filter_map(|(i, input)| match input {
                Input::Bytes(b) => yaml::load(&judged[i].file.rel, &b, max)
                    .ok()
                    .map(|d| (i, d)),
                _ => None,
            })
            .collect()
    }

    /// A rubric version whose scoring changed in history without a new number: a warning at
    /// the rubric file (`check --changed-since` makes it an error in a pull request).
    fn version_warnings(&mut self) {
        let index = self.rubrics.get_mut().unwrap_or_else(|e| e.into_inner());
        for (id, version, variants) in index.reused_versions() {
            let file = self
                .rubric_files
                .iter()
                .find(|r| r.value.as_ref().is_some_and(|v| v.id.as_str() == id));
            let (path, pos) = match file {
                Some(f) => (
                    f.rel.clone(),
                    f.doc
                        .as_ref()
                        .map_or(Pos::START, |d| d.value_pos("/version")),
                ),
                None => (variants[0].path.clone(), Pos::START),
            };
            let seen: Vec<&str> = variants.iter().map(|v| v.source.as_str()).collect();
            let mut d = Diagnostic::new(
                Code::VersionNotBumped,
                path,
                pos,
                format!(
                    "version {version} of `{id}` was given different scoring without a new \
                     number ({}); each review keeps the scoring seen from the commit that added it",
                    seen.join(", then ")
                ),
            )
            .hint(format!(
                "Give the changed scoring a new `version` (and review files that mean it the same \
                 `{id}@N`), so that one number means one scoring."
            ));
            d.severity = Severity::Warning;
            self.diagnostics.push(d);
        }
    }

    /// Older versions of current reviews that did not parse: the newest version counts.
    fn old_versions_warning(&mut self) {
        let Some(sc) = &self.scan else { return };
        let mut broken = Vec::new();
        for r in &self.reviews {
            let Some(events) = sc.timelines.reviews.get(&r.id) else {
                continue;
            };
            for e in &events[..events.len().saturating_sub(1)] {
                let bad =
                    e.kind != EventKind::Deleted && sc.kept(&e.blob).is_some_and(|k| !k.valid());
                if bad {
                    let commit = sc
                        .timelines
                        .commits
                        .get(e.commit)
                        .map(|c| c.id.to_string()[..10].to_string())
                        .unwrap_or_default();
                    broken.push(format!("{} (commit {commit})", r.id));
                }
            }
        }
        if !broken.is_empty() {
            self.warnings.push(format!(
                "{} older review version(s) did not parse; the newest version of each counts: {}",
                broken.len(),
                list_some(&broken)
            ));
        }
    }

    /// The rubric version a review means.
    pub fn rubric<'a>(&self, r: &'a ReviewFacts) -> Option<&'a Rubric> {
        Some(&r.rubric_version)
    }

    /// The display name of a person (roster `name`, else the id).
    pub fn name(&self, person: &str) -> String {
        self.config
            .people
            .as_ref()
            .and_then(|p| p.iter().find(|(id, _)| id.as_str() == person))
            .and_then(|(_, p)| p.name.clone())
            .unwrap_or_else(|| person.to_string())
    }

    /// The score a review was first committed with (before any dispute changed it).
    pub fn first_score(&self, r: &ReviewFacts) -> Option<f64> {
        let rows = self.history(&r.id)?;
        rows.iter()
            .rev()
            .find(|h| h.kind == "added")
            .and_then(|h| h.score)
    }

    /// Each numerically rated category of a review's rubric version and its value ×100.
    pub fn categories(&self, r: &ReviewFacts) -> Vec<(String, f64)> {
        r.rubric_version
            .categories
            .iter()
            .filter_map(|c| {
                let rating = r.snapshot.rating(c.id.as_str())??;
                Some((c.id.to_string(), 100.0 * rating_value(rating, c.scale.0)))
            })
            .collect()
    }

    /// What a review file says beyond its ratings (comments, link, channel), read from the
    /// state's source; empty when the file cannot be read.
    pub fn details(&self, rel: &str) -> Details {
        match self.read(rel) {
            Input::Bytes(b) => yaml::load(rel, &b, self.max_file_size)
                .map(|d| Details::from_value(&d.value))
                .unwrap_or_default(),
            _ => Details::default(),
        }
    }

    /// One row per rating of every review, for `rubric export`: views of each review's
    /// `ScoreRow`, its rubric content and its file's details.
    pub fn export_rows(&self) -> Vec<crate::report::ExportRow> {
        let commits = self.review_commits();
        let mut out = Vec::new();
        for r in &self.reviews {
            let details = self.details(&r.path);
            let team = self.team(&r.agent);
            let commit = commits.of(&r.id, Some(&r.path));
            for c in r.rubric_version.categories.iter() {
                let Some(rating) = r.snapshot.rating(c.id.as_str()) else {
                    continue;
                };
                out.push(crate::report::ExportRow {
                    review: r.id.clone(),
                    agent: r.agent.clone(),
                    team: team.clone(),
                    reviewer: r.reviewer.clone(),
                    date: r.date.clone(),
                    rubric: r.rubric.clone(),
                    version: r.version,
                    conversation: r.snapshot.conversation.as_deref().map(String::from),
                    url: details.url.clone(),
                    channel: details.channel.clone(),
                    category: c.id.to_string(),
                    rating,
                    value: rating.map(|p| rating_value(p, c.scale.0)),
                    scale: c.scale.0,
                    weight: c.weight.0,
                    critical: c.critical == crate::model::Critical::Review,
                    review_score: r.score,
                    pass: r.pass,
                    calibration: r.calibration.clone(),
                    path: r.path.clone(),
                    comment: details.comments.get(c.id.as_str()).cloned(),
                    root_causes: details
                        .causes
                        .get(c.id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    review_comment: details.comment.clone(),
                    change: crate::report::Change::Upsert,
                    commit: commit.clone(),
                });
            }
        }
        out
    }

    /// The review files whose content is a known blob: every file of the `--rev` tree, or the
    /// files on disk unchanged against the index (path → blob id). Empty outside git or when
    /// git cannot say: the files are then read and parsed (never skipped), with no commit.
    fn known_review_blobs(&self) -> HashMap<String, ObjectId> {
        let reviews_dir = self.config.paths.reviews.as_str();
        match (&self.scan, self.source) {
            (Some(s), Source::Tree(tip)) => s
                .history
                .tree_files(tip, reviews_dir)
                .map(|v| v.into_iter().collect())
                .unwrap_or_default(),
            (Some(s), Source::Disk) => s.history.clean_files(reviews_dir).unwrap_or_default(),
            (None, _) => HashMap::new(),
        }
    }

    /// Which commit each review's file belongs to (`export`'s `commit` column).
    pub fn review_commits(&self) -> ReviewCommits<'_> {
        let known = self.known_review_blobs();
        ReviewCommits {
            scan: self.scan.as_ref(),
            source: self.source,
            known,
        }
    }

    /// Every numeric or `na` rating of the calibration reviews, for agreement.
    pub fn calibration_ratings(&self) -> Vec<crate::analysis::calibration::CalibrationRating> {
        let mut out = Vec::new();
        for r in &self.reviews {
            let Some(session) = &r.calibration else {
                continue;
            };
            let conversation = r.conversation_key();
            for c in r.rubric_version.categories.iter() {
                let Some(rating) = r.snapshot.rating(c.id.as_str()) else {
                    continue;
                };
                out.push(crate::analysis::calibration::CalibrationRating {
                    session: session.clone(),
                    conversation: conversation.clone(),
                    reviewer: r.reviewer.clone(),
                    category: c.id.to_string(),
                    rating,
                    value: rating.map(|p| rating_value(p, c.scale.0)),
                });
            }
        }
        out
    }

    /// The team of a person, from the roster.
    pub fn team(&self, person: &str) -> Option<String> {
        self.config
            .people
            .as_ref()?
            .iter()
            .find(|(id, _)| id.as_str() == person)
            .and_then(|(_, p)| p.team.as_ref())
            .map(|t| t.to_string())
    }

    /// The roster id of a person named by id or e-mail: `None` when there is a roster and it
    /// does not know them (`Some(id)` as it is without a roster).
    pub fn roster_id(&self, id: &str) -> Option<String> {
        match &self.people.roster {
            Some(r) => r.resolve(id).map(str::to_string),
            None => Some(id.to_string()),
        }
    }

    /// The roster id for a name, e-mail or id.
    pub fn person(&self, id: &str) -> String {
        self.people.person(id)
    }

    /// Every version of one review, oldest first; `None` when the history has no such review.
    /// Each version is scored against the rubric seen from the commit that added it (or that
    /// changed its `rubric:`), and judged by the same rules as the current file.
    pub fn history(&self, id: &str) -> Option<Vec<HistoryRow>> {
        let scan = self.scan.as_ref()?;
        let events = scan.timelines.reviews.get(id)?;
        // An id that another agent's review used before starts a new timeline: two people
        // never share one, so the earlier person's versions are not this review's history.
        let first = events
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(i, _)| agent_changed(scan, events, *i))
            .map(|(i, _)| i)
            .last()
            .unwrap_or(0);
        let mut from: Option<(ObjectId, Option<(crate::load::review::Text, u32)>)> = None;
        let mut rows = Vec::new();
        let mut prev: Option<Arc<Snapshot>> = None;
        for (n, e) in events.iter().enumerate().skip(first) {
            let e = &Event {
                kind: if n == first && e.kind == EventKind::Edited {
                    EventKind::Added
                } else {
                    e.kind
                },
                ..e.clone()
            };
            let c = scan.timelines.commits.get(e.commit)?;
            // A version git can no longer give counts as unread (`Scan::unread` names it).
            let snap = scan.snapshot(e.blob, &e.path);
            let snap = snap.as_ref();
            let rubric = snap.and_then(|s| s.rubric.clone());
            let changed = from.as_ref().is_none_or(|(_, r)| *r != rubric);
            if e.kind == EventKind::Added || changed {
                from = Some((c.id, rubric));
            }
            let (score, valid) = match (e.kind, snap) {
                (EventKind::Deleted, _) | (_, None) => (None, true),
                (_, Some(snap)) => self.version_score(snap, &e.path, from.as_ref().map(|f| f.0)),
            };
            let (_, date) = dated(None, Some(c), self.tz, Utc::now());
            let dispute = match (e.kind, snap) {
                (EventKind::Deleted, _) | (_, None) => None,
                (_, Some(s)) => dispute_event(prev.as_deref(), s),
            };
            prev = snap.cloned();
            rows.push(HistoryRow {
                commit: c.id.to_string(),
                author: self.people.author(Some(scan), c),
                date,
                score,
                valid,
                kind: match e.kind {
                    EventKind::Added => "added",
                    EventKind::Edited => "edited",
                    EventKind::Moved => "moved",
                    EventKind::Deleted => "deleted",
                }
                .to_string(),
                path: e.path.clone(),
                dispute,
            });
        }
        Some(rows)
    }

    /// The score of one version of a review and whether it was valid.
    fn version_score(
        &self,
        snap: &Snapshot,
        rel: &str,
        at: Option<ObjectId>,
    ) -> (Option<f64>, bool) {
        let Some((rid, v)) = &snap.rubric else {
            return (None, false);
        };
        let git = self.scan.as_ref().map(|s| &s.history);
        let Ok(mut index) = self.rubrics.lock() else {
            return (None, false);
        };
        let at = at.map_or(At::Uncommitted, At::Commit);
        let Ok(Some(found)) = index.resolve(git, rid, *v, at) else {
            return (None, false);
        };
        drop(index);
        let rules = ReviewRules {
            roster: self.people.roster.as_ref(),
            tz: self.tz,
            now: Utc::now(),
        };
        let findings = review_findings(
            &rules,
            rel,
            snap,
            RubricLookup::Found(&found.rubric),
            &ReviewerSource::Written,
        );
        let valid = snap.valid
            && findings
                .iter()
                .all(|f| f.code.severity() != Severity::Error);
        if !valid {
            return (None, false);
        }
        (
            score_review(&found.rubric, &snap.rating_values()).score,
            true,
        )
    }

    /// Were all the older review versions the state read again from git there to read?
    /// (Read after the state is loaded, by `history`, the disputes and the pages: a version
    /// git can no longer give is left out of them, and named here.)
    pub fn all_read(&self) -> Result<(), StateError> {
        let unread = self.scan.as_ref().map(Scan::unread).unwrap_or_default();
        match unread.is_empty() {
            true => Ok(()),
            false => Err(StateError::Unread(unread)),
        }
    }

    /// The tip commit of the history read, for tests and tools.
    pub fn tip(&self) -> Option<ObjectId> {
        self.scan.as_ref().map(|s| s.tip)
    }
}

fn list_some(items: &[String]) -> String {
    let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
    shown.join(", ") + if items.len() > 5 { ", …" } else { "" }
}

/// One version of a review as the history keeps it, with who made it: what the agent-edit
/// rule reads.
struct KeptVersion<'a> {
    kept: Kept<'a>,
    author: String,
    /// The commit (short id); `None` for a change not committed yet.
    commit: Option<String>,
}

impl crate::check::dispute_history::Edit for KeptVersion<'_> {
    fn readable(&self) -> bool {
        self.kept.valid()
    }
    fn agent(&self) -> Option<&str> {
        self.kept.agent()
    }
    fn author(&self) -> &str {
        &self.author
    }
    fn same_ratings(&self, other: &Self) -> bool {
        self.kept.same_ratings(other.kept)
    }
    fn told(&self) -> String {
        crate::check::disputes::told(self.commit.as_deref(), &self.author)
    }
}

/// What a version did to the review's disputes: `opened`, or the outcome it answered with
/// (`accepted`, `partially-accepted`, `rejected`).
fn dispute_event(before: Option<&Snapshot>, now: &Snapshot) -> Option<String> {
    let old = |i: usize| before.and_then(|b| b.disputes.get(i));
    let answered = now
        .disputes
        .iter()
        .enumerate()
        .find(|(i, d)| !d.is_open() && old(*i).is_none_or(|o| o.is_open()));
    if let Some((_, d)) = answered {
        return d.status.map(|s| s.as_str().to_string());
    }
    let opened = (0..now.disputes.len()).any(|i| old(i).is_none());
    opened.then(|| "opened".to_string())
}

/// Groups of valid calibration reviews by one reviewer of one conversation in one session
/// (SPEC §5.4: each reviewer rates a conversation once per session).
fn calibrated_twice<'a>(judged: &[Judged], facts: &'a [ReviewFacts]) -> Vec<Vec<usize>> {
    let mut groups: HashMap<(&'a str, &'a str, &'a str), Vec<usize>> = HashMap::new();
    for (i, j) in judged.iter().enumerate() {
        let Some(f) = j.facts.map(|k| &facts[k]) else {
            continue;
        };
        let Some(session) = &f.calibration else {
            continue;
        };
        let conversation = f.snapshot.conversation.as_deref().unwrap_or(&f.id);
        groups
            .entry((session, conversation, &f.reviewer))
            .or_default()
            .push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().filter(|v| v.len() > 1).collect();
    out.sort();
    out
}

/// Does event `i` start another person's timeline under the same id (its agent differs from
/// the version before)?
fn agent_changed(scan: &Scan, events: &[Event], i: usize) -> bool {
    let agent = |e: &Event| scan.kept(&e.blob).and_then(|k| k.agent());
    i > 0
        && events[i].kind != EventKind::Deleted
        && events[i - 1].kind != EventKind::Deleted
        && agent(&events[i]).is_some()
        && agent(&events[i - 1]).is_some()
        && agent(&events[i]) != agent(&events[i - 1])
        && !reassigned(scan, events, i)
}

/// Did version `i` change the agent by accepting a `wrong-agent` dispute? Then it is the same
/// review, now credited to the right person, not another person's review under a reused id.
fn reassigned(scan: &Scan, events: &[Event], i: usize) -> bool {
    use crate::model::{DisputeKind, DisputeStatus};
    if !scan.kept(&events[i].blob).is_some_and(|k| k.disputed()) {
        return false;
    }
    let snap = |e: &Event| scan.snapshot(e.blob, &e.path);
    let (Some(now), Some(before)) = (snap(&events[i]), snap(&events[i - 1])) else {
        return false;
    };
    now.disputes.iter().enumerate().any(|(k, d)| {
        d.kind == DisputeKind::WrongAgent
            && d.status == Some(DisputeStatus::Accepted)
            && d.proposed_agent.as_deref() == now.agent.as_deref()
            && before
                .disputes
                .get(k)
                .is_none_or(|b| b.status != Some(DisputeStatus::Accepted))
    })
}

/// The event that starts a review's current timeline: its latest addition (a review deleted
/// and added again starts anew), or a later version whose agent differs from the one before
/// (an id that another agent's review used before starts a new timeline; SPEC §3).
fn timeline_start(scan: &Scan, events: &[Event]) -> Option<usize> {
    let added = events.iter().rposition(|e| e.kind == EventKind::Added)?;
    let changed = (added + 1..events.len())
        .rev()
        .find(|i| agent_changed(scan, events, *i));
    Some(changed.unwrap_or(added))
}

/// The id a review file claims: its `id`, else its file stem (none for a malformed `id`).
fn review_id(file: &ReviewFile) -> Option<String> {
    match (&file.snap.id, file.snap.has_id) {
        (Some(id), _) => Some(id.to_string()),
        (None, true) => None,
        (None, false) => Some(repo::stem(&file.rel).to_string()),
    }
}

/// Review ids are unique: every file that shares one gets an error.
fn duplicate_ids(id: &str, places: &[(&str, Pos)]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (i, (rel, pos)) in places.iter().enumerate() {
        let others: Vec<&str> = places
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, p)| p.0)
            .collect();
        out.push(Diagnostic::new(
            Code::DuplicateReviewId,
            *rel,
            *pos,
            format!("review id `{id}` is also used by {}", others.join(", ")),
        ));
    }
    out
}

/// Loads and validates one review file; its snapshot is read from the document.
fn parse_review(rel: &str, input: Input, max: usize) -> ReviewFile {
    let loaded: Loaded<crate::model::Review> = load_typed(Kind::Review, rel, input, max);
    let snap = match &loaded.doc {
        Some(doc) => Snapshot::from_value(&doc.value, loaded.problems.is_empty()),
        None => Snapshot::default(),
    };
    let keep = !loaded.problems.is_empty();
    ReviewFile {
        rel: rel.to_string(),
        snap: Arc::new(snap),
        doc: if keep { loaded.doc } else { None },
        problems: loaded.problems,
    }
}

/// A file's bytes from the state's source.
fn read_source(root: &Path, git: Option<&History>, source: Source, rel: &str, max: usize) -> Input {
    match (source, git) {
        (Source::Disk, _) | (Source::Tree(_), None) => {
            crate::load::file::read_within(root, rel, max)
        }
        (Source::Tree(tip), Some(g)) => match g.file_at(tip, rel) {
            Ok(Some(b)) if b.len() > max => Input::TooLarge(b.len() as u64),
            Ok(Some(b)) => Input::Bytes(b),
            Ok(None) => Input::Failed(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "not in that commit",
            )),
            Err(e) => Input::Failed(std::io::Error::other(e.to_string())),
        },
    }
}

/// `qa.yaml` (its valid parts when it has errors), its problems, and whether any QA folder
/// or file exists.
fn load_config(
    root: &Path,
    git: Option<&History>,
    source: Source,
    read: &dyn Fn(&str) -> Input,
) -> (Config, Vec<Diagnostic>, bool) {
    let exists = match (source, git) {
        (Source::Tree(tip), Some(g)) => g.blob_at(tip, repo::CONFIG_FILE).ok().flatten().is_some(),
        // A FIFO, a device or a dangling link named qa.yaml is read, and refused, not ignored.
        _ => std::fs::symlink_metadata(root.join(repo::CONFIG_FILE)).is_ok(),
    };
    let mut problems = Vec::new();
    let mut config = Config::default();
    let mut doc = None;
    if exists {
        let max = yaml::DEFAULT_MAX_FILE_SIZE;
        let c: Loaded<Config> = load_typed(
            Kind::Config,
            repo::CONFIG_FILE,
            read(repo::CONFIG_FILE),
            max,
        );
        problems.extend(c.problems);
        if let Some(d) = c.doc {
            // With schema errors elsewhere in qa.yaml, its valid parts (paths, roster,
            // timezone) still apply, so one typo does not hide every review's problems.
            let cfg = c.value.unwrap_or_else(|| lenient_config(&d.value));
            problems.extend(crate::check::check_config(&cfg, &d));
            config = cfg;
            doc = Some(d);
        }
    }
    // The folders must exist: a misspelt folder would otherwise check nothing, and pass.
    let mut any = doc.is_some();
    for (key, dir) in [
        ("rubrics", &config.paths.rubrics),
        ("reviews", &config.paths.reviews),
    ] {
        let found = match (source, git) {
            (Source::Tree(tip), Some(g)) => {
                g.tree_files(tip, dir.as_str()).is_ok_and(|f| !f.is_empty())
            }
            _ => root.join(dir.as_str()).is_dir(),
        };
        any |= found;
        if let Some(node) = doc.as_ref().and_then(|d| d.node(&format!("/paths/{key}"))) {
            if !found && source == Source::Disk {
                problems.push(Diagnostic::new(
                    Code::MissingFolder,
                    repo::CONFIG_FILE,
                    node.value,
                    format!(
                        "paths.{key} names `{}`, which is not a folder",
                        dir.as_str()
                    ),
                ));
            }
        }
    }
    (config, problems, any)
}

/// The files of the state: on disk, or in the `--rev` tree.
fn list(
    root: &Path,
    git: Option<&History>,
    source: Source,
    config: &Config,
) -> Result<(Vec<SourceFile>, Vec<Diagnostic>), StateError> {
    let (Source::Tree(tip), Some(g)) = (source, git) else {
        return Ok(repo::list_files(root, &config.paths));
    };
    let mut out = Vec::new();
    if g.blob_at(tip, repo::CONFIG_FILE)?.is_some() {
        out.push(SourceFile {
            rel: repo::CONFIG_FILE.into(),
            path: root.join(repo::CONFIG_FILE),
            kind: FileKind::Config,
        });
    }
    let rubrics = config.paths.rubrics.as_str().trim_end_matches('/');
    for (rel, _) in g.tree_files(tip, rubrics)? {
        if rel.rsplit_once('/').is_some_and(|(dir, _)| dir == rubrics) {
            out.push(SourceFile {
                path: root.join(&rel),
                rel,
                kind: FileKind::Rubric,
            });
        }
    }
    for (rel, _) in g.tree_files(tip, config.paths.reviews.as_str())? {
        out.push(SourceFile {
            path: root.join(&rel),
            rel,
            kind: FileKind::Review,
        });
    }
    out.extend(crate::check::assignments::tree_plans(root, g, tip, config)?);
    Ok((out, Vec::new()))
}

/// The rubric files, loaded; the valid ones (path, rubric) and the ids whose file is broken.
#[allow(clippy::type_complexity)]
fn load_rubrics(
    files: &[SourceFile],
    read: &dyn Fn(&str) -> Input,
    max: usize,
) -> (Vec<Loaded<Rubric>>, Vec<(String, Rubric)>, HashSet<String>) {
    let loaded: Vec<Loaded<Rubric>> = files
        .iter()
        .filter(|f| f.kind == FileKind::Rubric)
        .map(|f| load_typed(Kind::Rubric, &f.rel, read(&f.rel), max))
        .collect();
    let mut working = Vec::new();
    let mut broken = HashSet::new();
    let mut seen: HashSet<String> = HashSet::new();
    for r in ordered(&loaded) {
        let (Some(rubric), Some(doc)) = (&r.value, &r.doc) else {
            broken.insert(repo::stem(&r.rel).to_string());
            continue;
        };
        let id = rubric.id.to_string();
        if !seen.insert(id.clone()) {
            continue;
        }
        let valid = crate::check::check_rubric(&r.rel, rubric, doc)
            .iter()
            .all(|d| d.severity != Severity::Error);
        if valid {
            working.push((r.rel.clone(), rubric.clone()));
        } else {
            broken.insert(id);
            broken.insert(repo::stem(&r.rel).to_string());
        }
    }
    (loaded, working, broken)
}

/// Rubric files with the file that owns its id (file name = id) first.
fn ordered(loaded: &[Loaded<Rubric>]) -> Vec<&Loaded<Rubric>> {
    let mut ordered: Vec<&Loaded<Rubric>> = loaded.iter().collect();
    ordered.sort_by_key(|r| {
        let owns = r
            .value
            .as_ref()
            .is_some_and(|v| v.id.as_str() == repo::stem(&r.rel));
        (!owns, r.rel.clone())
    });
    ordered
}

/// The rubric rules of every rubric file, and rubric ids declared twice.
fn rubric_own_problems(loaded: &[Loaded<Rubric>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut paths: HashMap<String, String> = HashMap::new();
    for r in ordered(loaded) {
        let (Some(rubric), Some(doc)) = (&r.value, &r.doc) else {
            continue;
        };
        out.extend(crate::check::check_rubric(&r.rel, rubric, doc));
        let id = rubric.id.to_string();
        match paths.get(&id) {
            Some(first) => out.push(Diagnostic::new(
                Code::DuplicateRubric,
                &r.rel,
                doc.value_pos("/id"),
                format!("rubric id `{id}` is also declared by {first}"),
            )),
            None => {
                paths.insert(id, r.rel.clone());
            }
        }
    }
    out
}

/// The history scan, as far as the command needs it.
fn walk_history(
    root: &Path,
    config: &Config,
    opts: &StateOptions,
    progress: &mut dyn FnMut(usize),
) -> Result<Walked, StateError> {
    let mut warnings = Vec::new();
    let optional = opts.history == HistoryUse::Optional;
    if optional {
        match History::open(root) {
            Err(_) => {
                return Ok(Walked {
                    scan: None,
                    reach: Reach::NoRepository,
                    warnings,
                })
            }
            Ok(h) if h.is_shallow() => {
                return Ok(Walked {
                    scan: None,
                    reach: Reach::Shallow,
                    warnings,
                })
            }
            Ok(h) if h.resolve(None).is_err() && opts.scan.rev.is_none() => {
                return Ok(Walked {
                    scan: None,
                    reach: Reach::NoRepository,
                    warnings,
                })
            }
            Ok(_) => {}
        }
    }
    let scan = match scan::scan(
        root,
        config.paths.reviews.as_str(),
        config.paths.rubrics.as_str(),
        &opts.scan,
        progress,
    ) {
        Ok(s) => s,
        // Outside git, files on disk are still scored (as uncommitted reviews).
        Err(ScanError::NoRepository) if opts.scan.rev.is_none() => {
            return Ok(Walked {
                scan: None,
                reach: Reach::NoRepository,
                warnings,
            })
        }
        Err(e) => return Err(e.into()),
    };
    warnings.extend(scan.warnings.iter().cloned());
    let reach = if scan.partial {
        warnings.push(
            "shallow clone: the history is cut off, so dates and reviewers taken from commits are partial".into(),
        );
        Reach::Shallow
    } else {
        Reach::Full
    };
    Ok(Walked {
        scan: Some(scan),
        reach,
        warnings,
    })
}
