//! Rubric changes as plain data: the semantic difference between two versions of a rubric
//! (categories added, removed, likely renamed; scale, weights, critical, N/A, labels, groups,
//! root causes, pass mark), whether it needs a version bump, and the impact of applying the
//! new version to the existing reviews of the old one.

use crate::analysis::score::{delta, mean, score_review};
pub use crate::model::rubric_diff::{
    diff_rubric, invalid_rubric, scoring_signature, Change, RubricDiff,
};
use crate::model::{RatingValue, Rubric};
pub use crate::report::diff::{AgentImpact, DiffReport, Impact, Mover};
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// A review as the impact needs it.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub id: String,
    pub agent: String,
    pub day: NaiveDate,
    pub calibration: bool,
    pub ratings: BTreeMap<String, RatingValue>,
}

/// Re-scores the reviews (of the old version, on or after `since`, calibration left out) as
/// if the new version applied: categories in both keep their ratings, removed ones drop out,
/// added ones count as unrated.
pub fn impact(
    old: &Rubric,
    new: &Rubric,
    reviews: &[ReviewInput],
    since: NaiveDate,
    movers: usize,
) -> Impact {
    let mut per_agent: BTreeMap<&str, (Vec<f64>, Vec<f64>, usize)> = BTreeMap::new();
    let (mut all_before, mut all_after) = (Vec::new(), Vec::new());
    let (mut pass_to_fail, mut fail_to_pass) = (0, 0);
    let mut moved = Vec::new();
    let mut count = 0;
    for r in reviews.iter().filter(|r| !r.calibration && r.day >= since) {
        count += 1;
        let before = score_review(old, &r.ratings);
        let after = score_review(new, &r.ratings);
        let e = per_agent.entry(&r.agent).or_default();
        e.2 += 1;
        if let Some(s) = before.score {
            e.0.push(s);
            all_before.push(s);
        }
        if let Some(s) = after.score {
            e.1.push(s);
            all_after.push(s);
        }
        match (before.pass, after.pass) {
            (Some(true), Some(false)) => pass_to_fail += 1,
            (Some(false), Some(true)) => fail_to_pass += 1,
            _ => {}
        }
        let delta = delta(before.score, after.score);
        if delta != Some(0.0) {
            moved.push(Mover {
                id: r.id.clone(),
                agent: r.agent.clone(),
                before: before.score,
                after: after.score,
                delta,
            });
        }
    }
    moved.sort_by(|a, b| {
        let m = |x: &Mover| x.delta.map_or(f64::INFINITY, f64::abs);
        m(b).total_cmp(&m(a)).then_with(|| a.id.cmp(&b.id))
    });
    moved.truncate(movers);
    let agents = per_agent
        .into_iter()
        .map(|(agent, (b, a, n))| {
            let (before, after) = (mean(b), mean(a));
            AgentImpact {
                agent: agent.to_string(),
                reviews: n,
                before,
                after,
                delta: delta(before, after),
            }
        })
        .collect();
    Impact {
        rubric: new.id.to_string(),
        from_version: old.version.0,
        to_version: new.version.0,
        since: since.format("%Y-%m-%d").to_string(),
        reviews: count,
        team_before: mean(all_before),
        team_after: mean(all_after),
        pass_to_fail,
        fail_to_pass,
        agents,
        movers: moved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(yaml: &str) -> Rubric {
        let doc = crate::load::yaml::load_str("r.yaml", yaml).unwrap();
        serde::Deserialize::deserialize(&doc.value).unwrap()
    }

    const V1: &str = "id: s\nversion: 1\ntitle: S\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone of voice, scale: 3}\n  - {id: gps, title: Grammar, scale: 2}\n";

    #[test]
    fn semantic_changes_and_likely_renames() {
        let v2 = rubric("id: s\nversion: 1\ntitle: S\npass_mark: 85\ncategories:\n  - {id: solution, title: Solution offered, scale: 5, weight: 2}\n  - {id: voice, title: Tone of voice, scale: 3}\n  - {id: empathy, title: Empathy, scale: 3}\n");
        let d = diff_rubric("s", Some(&rubric(V1)), Some(&v2));
        let kinds: Vec<(&str, Option<&str>)> = d
            .changes
            .iter()
            .map(|c| (c.kind.as_str(), c.category.as_deref()))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("pass-mark", None),
                ("category-removed", Some("gps")),
                ("category-renamed", Some("voice")),
                ("category-added", Some("empathy")),
                ("scale", Some("solution")),
                ("weight", Some("solution")),
                ("title", Some("solution")),
            ]
        );
        assert!(d.needs_version_bump);
        let wording = rubric(&V1.replace("title: Grammar", "title: Spelling"));
        let d = diff_rubric("s", Some(&rubric(V1)), Some(&wording));
        assert_eq!(d.status, "changed");
        assert!(!d.needs_version_bump);
        assert_eq!(scoring_signature(&rubric(V1)), scoring_signature(&wording));
    }

    #[test]
    fn impact_by_hand() {
        let old = rubric(V1);
        // v2: gps removed, empathy added (unrated in old reviews), solution weight 3.
        let new = rubric("id: s\nversion: 2\ntitle: S\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 4, weight: 3}\n  - {id: tone, title: Tone of voice, scale: 3}\n  - {id: empathy, title: Empathy, scale: 3}\n");
        let day = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
        let r = |id: &str, agent: &str, s: i64, t: i64, g: i64| ReviewInput {
            id: id.into(),
            agent: agent.into(),
            day,
            calibration: false,
            ratings: [("solution", s), ("tone", t), ("gps", g)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), RatingValue::Points(v)))
                .collect(),
        };
        // a1: solution 4 (1), tone 2 (0.5), gps 1 (0): old (1 + .5 + 0)/3 = 50; new (3 + .5)/4 = 87.5.
        // a2: solution 1 (0), tone 3 (1), gps 2 (1): old 2/3 = 66.67; new 1/4 = 25.
        let reviews = vec![
            r("a1", "alice", 4, 2, 1),
            r("a2", "alice", 1, 3, 2),
            r("b1", "bob", 4, 3, 2),
        ];
        let imp = impact(&old, &new, &reviews, day, 10);
        assert_eq!(imp.reviews, 3);
        assert_eq!(imp.agents[0].agent, "alice");
        assert!((imp.agents[0].before.unwrap() - (50.0 + 200.0 / 3.0) / 2.0).abs() < 1e-9);
        assert!((imp.agents[0].after.unwrap() - (87.5 + 25.0) / 2.0).abs() < 1e-9);
        assert_eq!(imp.agents[1].before, Some(100.0));
        assert_eq!(imp.agents[1].after, Some(100.0));
        // a1 fail → pass (50 → 87.5), a2 fail → fail, b1 pass → pass.
        assert_eq!((imp.pass_to_fail, imp.fail_to_pass), (0, 1));
        assert_eq!(
            imp.movers.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(),
            ["a2", "a1"]
        );
    }
}

/// Why `rubric diff` could not run.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("{0}")]
    History(#[from] crate::load::git::HistoryError),
    #[error("{0}")]
    Scan(#[from] crate::history::scan::ScanError),
    #[error("{0}")]
    State(#[from] crate::analysis::state::StateError),
    #[error("{0}")]
    Unreadable(String),
}

/// A rubric file at one revision: the rubric, or its problems ("path:line:column message").
type Loaded = Result<Rubric, Vec<String>>;

/// Loads one rubric file version: YAML, schema, typed model, and the rules of a rubric on its
/// own (its id must be its file name).
fn load_rubric(rel: &str, bytes: &[u8]) -> Loaded {
    use crate::load::schema::{self, Kind};
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let show = |d: &crate::model::diagnostic::Diagnostic| {
        format!("{}:{}:{} {}", d.path, d.line, d.column, d.message)
    };
    let errors = |ds: &[crate::model::diagnostic::Diagnostic]| -> Vec<String> {
        ds.iter()
            .filter(|d| d.severity == crate::Severity::Error)
            .map(show)
            .collect()
    };
    let doc = crate::load::yaml::load(rel, bytes, max).map_err(|ds| errors(&ds))?;
    let mut problems = errors(&doc.problems);
    problems.extend(errors(&schema::validate(Kind::Rubric, rel, &doc)));
    if !problems.is_empty() {
        return Err(problems);
    }
    let r: Rubric = serde_json::from_value(doc.value.clone())
        .map_err(|e| vec![format!("{rel}: does not match the rubric format: {e}")])?;
    let problems = errors(&crate::check::check_rubric(rel, &r, &doc));
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems)
    }
}

/// Is `path` a rubric file directly in the rubrics folder `base`? Its name's stem, if so.
fn rubric_stem<'a>(path: &'a str, base: &str) -> Option<&'a str> {
    let (parent, name) = path.rsplit_once('/')?;
    (parent == base).then(|| crate::load::repo::stem(name))
}

/// The rubric files directly in the rubrics folder of a commit, by file name stem.
fn rubrics_at(
    h: &crate::load::git::History,
    commit: crate::load::git::ObjectId,
    dir: &str,
) -> Result<BTreeMap<String, Loaded>, crate::load::git::HistoryError> {
    let base = dir.trim_end_matches('/');
    let mut out = BTreeMap::new();
    for (path, blob) in h.tree_files(commit, dir)? {
        let Some(stem) = rubric_stem(&path, base) else {
            continue;
        };
        let bytes = h.read_blob(blob).map_err(|e| e.at_path(&path))?;
        out.insert(stem.to_string(), load_rubric(&path, &bytes));
    }
    Ok(out)
}

/// The rubric files of the working tree, by file name stem.
fn working_rubrics(
    root: &std::path::Path,
    config: &crate::model::Config,
) -> Result<BTreeMap<String, Loaded>, DiffError> {
    use crate::load::repo::FileKind;
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let (files, unreadable) = crate::load::repo::list_files(root, &config.paths);
    if let Some(d) = unreadable.into_iter().next() {
        return Err(DiffError::Unreadable(format!("{}: {}", d.path, d.message)));
    }
    let mut out = BTreeMap::new();
    for f in files.iter().filter(|f| f.kind == FileKind::Rubric) {
        let loaded = match crate::load::file::read(&f.path, max) {
            crate::load::file::Input::Bytes(b) => load_rubric(&f.rel, &b),
            crate::load::file::Input::TooLarge(size) => Err(vec![format!(
                "{}: the file is {size} bytes, over the {max}-byte limit",
                f.rel
            )]),
            crate::load::file::Input::Failed(e) => {
                Err(vec![format!("{}: cannot read the file: {e}", f.rel)])
            }
        };
        let stem = crate::load::repo::stem(&f.rel).to_string();
        out.insert(stem, loaded);
    }
    Ok(out)
}

/// `rubric diff BASE [HEAD]`: what changed in the rubrics between two revisions (HEAD `None`:
/// the working tree), and how the scores of the old version's reviews of the last `days`
/// days would move under the new version.
pub fn diff_revisions(
    root: &std::path::Path,
    base: &str,
    head: Option<&str>,
    days: i64,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<DiffReport, DiffError> {
    let config = crate::load::config::load_config(root);
    let dir = config.paths.rubrics.as_str().to_string();
    let h = crate::load::git::History::open(root)?;
    h.refuse_replacements()?;
    let base_commit = h.resolve(Some(base))?;
    let loaded_before = rubrics_at(&h, base_commit, &dir)?;
    let loaded_after = match head {
        Some(rev) => rubrics_at(&h, h.resolve(Some(rev))?, &dir)?,
        None => working_rubrics(root, &config)?,
    };
    let ids: BTreeSet<&String> = loaded_before.keys().chain(loaded_after.keys()).collect();
    let rubrics: Vec<RubricDiff> = ids
        .iter()
        .map(|id| {
            let (b, a) = (loaded_before.get(*id), loaded_after.get(*id));
            let version = |l: Option<&Loaded>| l.and_then(|l| l.as_ref().ok()).map(|r| r.version.0);
            let problems: Vec<(&str, String)> = [("BASE", b), ("HEAD", a)]
                .into_iter()
                .flat_map(|(side, l)| {
                    let list = l
                        .and_then(|l| l.as_ref().err())
                        .cloned()
                        .unwrap_or_default();
                    list.into_iter().map(move |p| (side, p))
                })
                .collect();
            if problems.is_empty() {
                fn ok(l: Option<&Loaded>) -> Option<&Rubric> {
                    l.and_then(|l| l.as_ref().ok())
                }
                diff_rubric(id, ok(b), ok(a))
            } else {
                invalid_rubric(id, version(b), version(a), &problems)
            }
        })
        .filter(|d| d.status != "unchanged")
        .collect();
    let valid = |m: BTreeMap<String, Loaded>| -> BTreeMap<String, Rubric> {
        m.into_iter()
            .filter_map(|(id, l)| Some((id, l.ok()?)))
            .collect()
    };
    let (before, after) = (valid(loaded_before), valid(loaded_after));
    let mut impacts = Vec::new();
    let scoring: Vec<&RubricDiff> = rubrics
        .iter()
        .filter(|d| d.changes.iter().any(|c| c.scoring))
        .collect();
    // Re-scoring needs the history; listing disputes reads what history there is.
    let history = if scoring.is_empty() {
        crate::analysis::state::HistoryUse::Optional
    } else {
        crate::analysis::state::HistoryUse::Required
    };
    let state = state_at(root, head, now, history)?;
    let left_out = state.left_out.clone();
    // Every dispute change, also one whose review the head no longer has (or rejects).
    let base_state = state_at(root, Some(base), now, history)?;
    let disputes = crate::analysis::disputes::changes(&base_state, &state);
    base_state.all_read()?;
    state.all_read()?;
    if !scoring.is_empty() {
        // The window counts back from the head's own date (HEAD's for the working tree), so
        // that the same revisions always give the same report.
        let head_day = h
            .commit_time(h.resolve(head)?)?
            .map(|t| t.with_timezone(&state.tz).date_naive())
            .unwrap_or_else(|| now.with_timezone(&state.tz).date_naive());
        let since = head_day - chrono::Duration::days(days);
        for d in scoring {
            let (Some(old), Some(new)) = (before.get(&d.rubric), after.get(&d.rubric)) else {
                continue;
            };
            let inputs: Vec<ReviewInput> = state
                .reviews
                .iter()
                .filter(|r| {
                    r.rubric == d.rubric && r.version == old.version.0 && *r.rubric_version == *old
                })
                .map(|r| ReviewInput {
                    id: r.id.clone(),
                    agent: r.agent.clone(),
                    day: r.day,
                    calibration: r.calibration.is_some(),
                    ratings: r.snapshot.rating_values(),
                })
                .collect();
            impacts.push(impact(old, new, &inputs, since, 10));
        }
    }
    Ok(DiffReport {
        base: base.to_string(),
        head: head.unwrap_or("working tree").to_string(),
        rubrics,
        impact: impacts,
        left_out,
        disputes,
    })
}

/// The one QA state at a revision (`None`: the working tree).
fn state_at(
    root: &std::path::Path,
    rev: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    history: crate::analysis::state::HistoryUse,
) -> Result<crate::analysis::state::QaState, DiffError> {
    let opts = crate::analysis::state::StateOptions {
        history,
        scan: crate::history::scan::ScanOptions {
            rev: rev.map(String::from),
            no_cache: false,
            allow_shallow: false,
        },
        now,
        ..crate::analysis::state::StateOptions::default()
    };
    Ok(crate::analysis::state::QaState::load(
        root,
        &opts,
        &mut |_| {},
    )?)
}
