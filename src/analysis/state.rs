//! The QA data of a repository in one state (the files on disk, or a commit's tree): every
//! review with its people, date and score, resolved through the history scan, the roster,
//! the mailmap and the rubric versions. Feeds `score`, `trends` and `history`.

use crate::analysis::score::{rating_value, score_review};
use crate::check::working_rubrics;
use crate::history::scan::{self, Scan, ScanError, ScanOptions};
use crate::history::timeline::{EventKind, Snapshot};
use crate::load::config::load_config;
use crate::load::git::{CommitInfo, ObjectId};
use crate::load::people::Roster;
use crate::load::repo::{self, FileKind};
use crate::load::rubric::{RubricVersion, VersionIndex};
use crate::model::{Config, Rubric, Weekday};
use crate::report::{HistoryRow, ScoreRow};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;

/// How to read the state.
#[derive(Debug, Clone)]
pub struct StateOptions {
    pub scan: ScanOptions,
    /// "Now", for the default date of uncommitted reviews.
    pub now: DateTime<Utc>,
}

/// One review in the state, with everything resolved.
#[derive(Debug, Clone)]
pub struct ReviewFacts {
    pub id: String,
    pub path: String,
    /// The agent's roster id (or the id as written when there is no roster entry).
    pub agent: String,
    pub reviewer: String,
    /// The calendar day in the configured zone.
    pub day: NaiveDate,
    /// RFC 3339.
    pub date: String,
    pub rubric: String,
    pub version: u32,
    pub score: Option<f64>,
    pub pass: Option<bool>,
    pub calibration: Option<String>,
    pub uncommitted: bool,
    /// What the file says (shared with the scan's cache of file versions).
    pub snapshot: Arc<Snapshot>,
}

impl ReviewFacts {
    pub fn row(&self) -> ScoreRow {
        ScoreRow {
            id: self.id.clone(),
            path: self.path.clone(),
            agent: self.agent.clone(),
            reviewer: self.reviewer.clone(),
            date: self.date.clone(),
            rubric: self.rubric.clone(),
            version: self.version,
            score: self.score,
            pass: self.pass,
            calibration: self.calibration.clone(),
            uncommitted: self.uncommitted,
        }
    }
}

/// The state of a QA repository.
pub struct QaState {
    pub config: Config,
    pub tz: Tz,
    pub week_start: Weekday,
    pub reviews: Vec<ReviewFacts>,
    /// Things a user should know (reviews left out, partial history), for stderr.
    pub warnings: Vec<String>,
    pub partial: bool,
    pub scan: Option<Scan>,
    /// Review files left out because they have problems.
    pub left_out: Vec<String>,
    versions: VersionIndex,
    people: People,
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

    /// A commit author: the mailmap first (as the repository has it now), then the roster.
    fn author(&self, scan: Option<&Scan>, c: &CommitInfo) -> String {
        let (name, email) = match scan {
            Some(s) => s.history.mailmap(&c.author_name, &c.author_email),
            None => (c.author_name.clone(), c.author_email.clone()),
        };
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
    if let Some(d) = text.and_then(crate::load::date::parse_review_date) {
        return match d {
            crate::load::date::ReviewDate::Day(day) => (day, day.format("%Y-%m-%d").to_string()),
            crate::load::date::ReviewDate::Instant(t) => {
                let local = t.with_timezone(&tz);
                (local.date_naive(), local.to_rfc3339())
            }
        };
    }
    if let Some(c) = commit {
        let offset = FixedOffset::east_opt(c.offset_minutes * 60)
            .unwrap_or(FixedOffset::east_opt(0).expect("0 is a valid offset"));
        if let Some(t) = offset.timestamp_opt(c.time, 0).single() {
            let local = t.with_timezone(&tz);
            return (local.date_naive(), local.to_rfc3339());
        }
    }
    let today = now.with_timezone(&tz).date_naive();
    (today, today.format("%Y-%m-%d").to_string())
}

impl QaState {
    /// Reads the state of the QA repository at `root`.
    pub fn load(
        root: &Path,
        opts: &StateOptions,
        progress: &mut dyn FnMut(usize),
    ) -> Result<QaState, ScanError> {
        let config = load_config(root);
        let tz = config
            .timezone
            .as_ref()
            .and_then(|t| t.0.parse::<Tz>().ok())
            .unwrap_or(chrono_tz::UTC);
        let week_start = config.week_start.unwrap_or(Weekday::Monday);
        let reviews_dir = config.paths.reviews.as_str().to_string();
        let mut warnings = Vec::new();
        let timing = crate::timing::Timing::new();
        let scan = match scan::scan(
            root,
            &reviews_dir,
            config.paths.rubrics.as_str(),
            &opts.scan,
            progress,
        ) {
            Ok(s) => Some(s),
            // Outside git, files on disk are still scored (as uncommitted reviews).
            Err(ScanError::NoRepository) if opts.scan.rev.is_none() => None,
            Err(e) => return Err(e),
        };
        timing.mark("history scan");
        let partial = scan.as_ref().is_some_and(|s| s.partial);
        if partial {
            warnings.push(
                "shallow clone: the history is cut off, so dates and reviewers taken from commits are partial".into(),
            );
        }

        // Rubric versions: the working tree's, then every valid one in history.
        let mut versions: VersionIndex = VersionIndex::new();
        for r in working_rubrics(root, &config) {
            versions.insert(
                (r.id.to_string(), r.version.0),
                RubricVersion {
                    source: format!("{}/{}.yaml", config.paths.rubrics.as_str(), r.id),
                    rubric: r,
                },
            );
        }
        if let Some(sc) = &scan {
            for r in sc.rubrics.values() {
                versions
                    .entry((r.id.to_string(), r.version.0))
                    .or_insert_with(|| RubricVersion {
                        rubric: r.clone(),
                        source: "history".to_string(),
                    });
            }
        }

        timing.mark("rubric versions");
        // The review files of the state.
        let files: Vec<(String, Arc<Snapshot>)> = match (&scan, &opts.scan.rev) {
            (Some(s), Some(_)) => {
                let listed = s
                    .history
                    .tree_files(s.tip, &reviews_dir)
                    .map_err(ScanError::History)?;
                listed
                    .into_iter()
                    .map(|(path, blob)| {
                        let snap = match s.snapshots.get(&blob) {
                            Some(snap) => snap.clone(),
                            None => Arc::new(
                                s.history
                                    .read_blob(blob)
                                    .map(|b| Snapshot::from_bytes(&path, &b))
                                    .unwrap_or_default(),
                            ),
                        };
                        (path, snap)
                    })
                    .collect()
            }
            _ => {
                let listed: Vec<repo::SourceFile> = repo::list_files(root, &config.paths)
                    .into_iter()
                    .filter(|f| f.kind == FileKind::Review)
                    .collect();
                // Files unchanged since the index are read from the cache by blob id; the rest
                // (edited, new, or never seen) from disk.
                let clean = scan
                    .as_ref()
                    .and_then(|s| s.history.clean_files(&reviews_dir).ok())
                    .unwrap_or_default();
                let snapshots = scan.as_ref().map(|s| &s.snapshots);
                let known = |rel: &str| -> Option<Arc<Snapshot>> {
                    let blob = clean.get(rel)?;
                    snapshots?.get(blob).cloned()
                };
                listed
                    .par_iter()
                    .map(|f| {
                        let snap = known(&f.rel).unwrap_or_else(|| {
                            let bytes = std::fs::read(&f.path).unwrap_or_default();
                            Arc::new(Snapshot::from_bytes(&f.rel, &bytes))
                        });
                        (f.rel.clone(), snap)
                    })
                    .collect()
            }
        };

        timing.mark("review files");
        let people = People {
            roster: Roster::new(&config),
        };
        let user = scan.as_ref().and_then(|s| s.history.user_email());
        let mut left_out = Vec::new();
        let mut reviews = Vec::new();
        for (path, snap) in files {
            let id = snap.review_id(&path);
            let (Some((rubric_id, version)), Some(agent), true) =
                (snap.rubric.clone(), snap.agent.clone(), snap.valid)
            else {
                left_out.push(path);
                continue;
            };
            let Some(rv) = versions.get(&(rubric_id.clone(), version)) else {
                left_out.push(path);
                continue;
            };
            let added: Option<&CommitInfo> = scan.as_ref().and_then(|s| {
                let events = s.timelines.reviews.get(&id)?;
                let first = events.iter().find(|e| e.kind == EventKind::Added)?;
                s.timelines.commits.get(first.commit)
            });
            let uncommitted = added.is_none();
            let reviewer = match (&snap.reviewer, added, &user) {
                (Some(r), _, _) => people.person(r),
                (None, Some(c), _) => people.author(scan.as_ref(), c),
                (None, None, Some(u)) => people.person(u),
                (None, None, None) => "unknown".to_string(),
            };
            let (day, date) = dated(snap.reviewed_at.as_deref(), added, tz, opts.now);
            let values = snap.rating_values();
            let s = score_review(&rv.rubric, &values);
            reviews.push(ReviewFacts {
                id,
                path,
                agent: people.person(&agent),
                reviewer,
                day,
                date,
                rubric: rubric_id,
                version,
                score: s.score,
                pass: s.pass,
                calibration: snap.calibration.clone(),
                uncommitted,
                snapshot: snap,
            });
        }
        if !left_out.is_empty() {
            let left_out = &left_out;
            warnings.push(format!(
                "{} review file(s) with problems left out (run `rubric check`): {}",
                left_out.len(),
                left_out
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
                    + if left_out.len() > 5 { ", …" } else { "" }
            ));
        }
        // Older versions that did not parse: the newest version counts, but say so.
        if let Some(sc) = &scan {
            let mut broken = Vec::new();
            for r in &reviews {
                let Some(events) = sc.timelines.reviews.get(&r.id) else {
                    continue;
                };
                for e in &events[..events.len().saturating_sub(1)] {
                    let bad = e.kind != EventKind::Deleted
                        && sc.snapshots.get(&e.blob).is_some_and(|s| !s.valid);
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
                warnings.push(format!(
                    "{} older review version(s) did not parse; the newest version of each counts: {}",
                    broken.len(),
                    broken.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                        + if broken.len() > 5 { ", …" } else { "" }
                ));
            }
        }
        reviews.sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
        timing.mark("facts");
        Ok(QaState {
            config,
            tz,
            week_start,
            reviews,
            warnings,
            partial,
            scan,
            left_out,
            versions,
            people,
        })
    }

    /// The rubric version a review names.
    pub fn rubric(&self, r: &ReviewFacts) -> Option<&Rubric> {
        self.versions
            .get(&(r.rubric.clone(), r.version))
            .map(|v| &v.rubric)
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

    /// The score a review was first committed with, and whether it changed since (a dispute).
    pub fn first_score(&self, r: &ReviewFacts) -> Option<f64> {
        let scan = self.scan.as_ref()?;
        let events = scan.timelines.reviews.get(&r.id)?;
        let first = events.iter().find(|e| e.kind == EventKind::Added)?;
        let snap = scan.snapshots.get(&first.blob)?;
        let key = snap.rubric.clone()?;
        let rv = self.versions.get(&key)?;
        score_review(&rv.rubric, &snap.rating_values()).score
    }

    /// Each numerically rated category of a review's rubric version and its value ×100.
    pub fn categories(&self, r: &ReviewFacts) -> Vec<(String, f64)> {
        let Some(rv) = self.versions.get(&(r.rubric.clone(), r.version)) else {
            return Vec::new();
        };
        rv.rubric
            .categories
            .iter()
            .filter_map(|c| {
                let rating = r.snapshot.rating(c.id.as_str())??;
                Some((c.id.to_string(), 100.0 * rating_value(rating, c.scale.0)))
            })
            .collect()
    }

    /// One row per rating of every review, for `rubric export`.
    pub fn export_rows(&self) -> Vec<crate::report::ExportRow> {
        let mut out = Vec::new();
        for r in &self.reviews {
            let Some(rubric) = self.rubric(r) else {
                continue;
            };
            for c in rubric.categories.iter() {
                let Some(rating) = r.snapshot.rating(c.id.as_str()) else {
                    continue;
                };
                out.push(crate::report::ExportRow {
                    review: r.id.clone(),
                    agent: r.agent.clone(),
                    reviewer: r.reviewer.clone(),
                    date: r.date.clone(),
                    rubric: r.rubric.clone(),
                    version: r.version,
                    category: c.id.to_string(),
                    rating,
                    value: rating.map(|p| rating_value(p, c.scale.0)),
                    scale: c.scale.0,
                    weight: c.weight.0,
                    critical: c.critical,
                    review_score: r.score,
                    pass: r.pass,
                    calibration: r.calibration.clone(),
                    path: r.path.clone(),
                });
            }
        }
        out
    }

    /// Every numeric or `na` rating of the calibration reviews, for agreement.
    pub fn calibration_ratings(&self) -> Vec<crate::analysis::calibration::CalibrationRating> {
        let mut out = Vec::new();
        for r in &self.reviews {
            let (Some(session), Some(rubric)) = (&r.calibration, self.rubric(r)) else {
                continue;
            };
            let conversation = r
                .snapshot
                .conversation
                .clone()
                .unwrap_or_else(|| r.id.clone());
            for c in rubric.categories.iter() {
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

    /// The roster id for a name, e-mail or id.
    pub fn person(&self, id: &str) -> String {
        self.people.person(id)
    }

    /// Every version of one review, oldest first; `None` when the history has no such review.
    pub fn history(&self, id: &str) -> Option<Vec<HistoryRow>> {
        let scan = self.scan.as_ref()?;
        let events = scan.timelines.reviews.get(id)?;
        Some(
            events
                .iter()
                .filter_map(|e| {
                    let c = scan.timelines.commits.get(e.commit)?;
                    let (_, date) = dated(None, Some(c), self.tz, Utc::now());
                    let score = if e.kind == EventKind::Deleted {
                        None
                    } else {
                        scan.snapshots.get(&e.blob).and_then(|snap| {
                            // A version that did not parse has no score.
                            if !snap.valid {
                                return None;
                            }
                            let key = snap.rubric.clone()?;
                            let rv = self.versions.get(&key)?;
                            score_review(&rv.rubric, &snap.rating_values()).score
                        })
                    };
                    Some(HistoryRow {
                        commit: c.id.to_string(),
                        author: self.people.author(Some(scan), c),
                        date,
                        score,
                        kind: match e.kind {
                            EventKind::Added => "added",
                            EventKind::Edited => "edited",
                            EventKind::Moved => "moved",
                            EventKind::Deleted => "deleted",
                        }
                        .to_string(),
                        path: e.path.clone(),
                    })
                })
                .collect(),
        )
    }

    /// The blob of a commit, for tests and tools.
    pub fn tip(&self) -> Option<ObjectId> {
        self.scan.as_ref().map(|s| s.tip)
    }
}
