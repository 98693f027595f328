//! Rubric changes as plain data: the semantic difference between two versions of a rubric
//! (categories added, removed, likely renamed; scale, weights, critical, N/A, labels, groups,
//! root causes, pass mark), whether it needs a version bump, and the impact of applying the
//! new version to the existing reviews of the old one.

use crate::analysis::score::{mean, score_review};
use crate::model::{Category, RatingValue, Rubric};
use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One difference between two versions of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed: `category-added`, `category-removed`, `category-renamed`, `scale`,
    /// `weight`, `critical`, `na`, `labels`, `title`, `description`, `group`, `root-causes`,
    /// `pass-mark`, `groups`.
    pub kind: String,
    /// The category it concerns, if any.
    pub category: Option<String>,
    pub before: Value,
    pub after: Value,
    /// Does it change how reviews score?
    pub scoring: bool,
    /// A human sentence.
    pub text: String,
}

/// The difference between a rubric at two revisions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricDiff {
    pub rubric: String,
    /// `added`, `removed`, `changed` or `unchanged`.
    pub status: String,
    pub base_version: Option<u32>,
    pub head_version: Option<u32>,
    pub changes: Vec<Change>,
    /// Scoring changed but the version did not go up.
    pub needs_version_bump: bool,
}

/// The part of a rubric that decides scores, in a canonical form: two versions with the same
/// signature score every review the same.
pub fn scoring_signature(r: &Rubric) -> Value {
    let mut cats: Vec<Value> = r
        .categories
        .iter()
        .map(|c| {
            json!({"id": c.id.as_str(), "scale": c.scale.0, "weight": c.weight.0,
                   "critical": c.critical, "na": c.na})
        })
        .collect();
    cats.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    json!({"pass_mark": r.pass_mark.map(|p| p.0), "categories": cats})
}

fn change(
    kind: &str,
    category: Option<&str>,
    before: Value,
    after: Value,
    scoring: bool,
    text: String,
) -> Change {
    Change {
        kind: kind.to_string(),
        category: category.map(String::from),
        before,
        after,
        scoring,
        text,
    }
}

fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".to_string(),
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    }
}

/// Compares two versions of one rubric (either may be absent: added or removed).
pub fn diff_rubric(id: &str, base: Option<&Rubric>, head: Option<&Rubric>) -> RubricDiff {
    let mut changes = Vec::new();
    let status = match (base, head) {
        (None, None) => "unchanged",
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        (Some(b), Some(h)) => {
            compare(b, h, &mut changes);
            if changes.is_empty() {
                "unchanged"
            } else {
                "changed"
            }
        }
    };
    let (bv, hv) = (base.map(|r| r.version.0), head.map(|r| r.version.0));
    let scoring = changes.iter().any(|c| c.scoring);
    let needs_version_bump = match (bv, hv) {
        (Some(b), Some(h)) => scoring && h <= b,
        _ => false,
    };
    RubricDiff {
        rubric: id.to_string(),
        status: status.to_string(),
        base_version: bv,
        head_version: hv,
        changes,
        needs_version_bump,
    }
}

fn compare(b: &Rubric, h: &Rubric, out: &mut Vec<Change>) {
    let pm = |r: &Rubric| r.pass_mark.map_or(Value::Null, |p| json!(p.0));
    if pm(b) != pm(h) {
        out.push(change(
            "pass-mark",
            None,
            pm(b),
            pm(h),
            true,
            format!("pass mark {} → {}", show(&pm(b)), show(&pm(h))),
        ));
    }
    if b.title.0 != h.title.0 {
        out.push(change(
            "title",
            None,
            json!(b.title.0),
            json!(h.title.0),
            false,
            format!("title \"{}\" → \"{}\"", b.title.0, h.title.0),
        ));
    }
    if b.description != h.description {
        out.push(change(
            "description",
            None,
            json!(b.description),
            json!(h.description),
            false,
            "description reworded".into(),
        ));
    }
    let groups = |r: &Rubric| -> Value {
        json!(r
            .groups
            .iter()
            .map(|g| json!({"id": g.id.as_str(), "title": g.title.0}))
            .collect::<Vec<_>>())
    };
    if groups(b) != groups(h) {
        out.push(change(
            "groups",
            None,
            groups(b),
            groups(h),
            false,
            "groups changed".into(),
        ));
    }
    let by_id = |r: &Rubric| -> BTreeMap<String, Category> {
        r.categories
            .iter()
            .map(|c| (c.id.to_string(), c.clone()))
            .collect()
    };
    let (bc, hc) = (by_id(b), by_id(h));
    let removed: Vec<&Category> = bc
        .iter()
        .filter(|(k, _)| !hc.contains_key(*k))
        .map(|(_, c)| c)
        .collect();
    let added: Vec<&Category> = hc
        .iter()
        .filter(|(k, _)| !bc.contains_key(*k))
        .map(|(_, c)| c)
        .collect();
    let mut renamed_to: BTreeSet<String> = BTreeSet::new();
    for r in &removed {
        // The same title or description under a new id is a likely rename.
        let twin = added.iter().find(|a| {
            !renamed_to.contains(a.id.as_str())
                && (a.title.0 == r.title.0
                    || (a.description.is_some() && a.description == r.description))
        });
        match twin {
            Some(a) => {
                renamed_to.insert(a.id.to_string());
                out.push(change(
                    "category-renamed",
                    Some(a.id.as_str()),
                    json!(r.id.as_str()),
                    json!(a.id.as_str()),
                    true,
                    format!("category `{}` is likely renamed to `{}` (same {}); its ratings do not carry over", r.id, a.id, if a.title.0 == r.title.0 { "title" } else { "description" }),
                ));
            }
            None => out.push(change(
                "category-removed",
                Some(r.id.as_str()),
                json!(r.id.as_str()),
                Value::Null,
                true,
                format!("category `{}` removed", r.id),
            )),
        }
    }
    for a in &added {
        if !renamed_to.contains(a.id.as_str()) {
            out.push(change(
                "category-added",
                Some(a.id.as_str()),
                Value::Null,
                json!(a.id.as_str()),
                true,
                format!("category `{}` added", a.id),
            ));
        }
    }
    for (id, x) in &bc {
        let Some(y) = hc.get(id) else { continue };
        let mut field = |kind: &str, before: Value, after: Value, scoring: bool| {
            if before != after {
                let text = format!("`{id}` {kind} {} → {}", show(&before), show(&after));
                out.push(change(kind, Some(id), before, after, scoring, text));
            }
        };
        field("scale", json!(x.scale.0), json!(y.scale.0), true);
        field("weight", json!(x.weight.0), json!(y.weight.0), true);
        field("critical", json!(x.critical), json!(y.critical), true);
        field("na", json!(x.na), json!(y.na), true);
        field("title", json!(x.title.0), json!(y.title.0), false);
        field(
            "description",
            json!(x.description),
            json!(y.description),
            false,
        );
        field("labels", json!(x.labels), json!(y.labels), false);
        field(
            "group",
            json!(x.group.as_ref().map(|g| g.as_str())),
            json!(y.group.as_ref().map(|g| g.as_str())),
            false,
        );
        let rc = |c: &Category| {
            json!(c
                .root_causes
                .as_ref()
                .map(|r| r.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
        };
        field("root-causes", rc(x), rc(y), false);
    }
}

/// One review whose score the change would move.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mover {
    pub id: String,
    pub agent: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub delta: Option<f64>,
}

/// One agent's IQS over the window, under the old and the new version.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentImpact {
    pub agent: String,
    pub reviews: usize,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub delta: Option<f64>,
}

/// What applying a new rubric version to the reviews of the old one would do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Impact {
    pub rubric: String,
    pub from_version: u32,
    pub to_version: u32,
    pub since: String,
    pub reviews: usize,
    pub team_before: Option<f64>,
    pub team_after: Option<f64>,
    pub pass_to_fail: usize,
    pub fail_to_pass: usize,
    pub agents: Vec<AgentImpact>,
    /// The largest moves first.
    pub movers: Vec<Mover>,
}

/// A review as the impact needs it.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub id: String,
    pub agent: String,
    pub day: NaiveDate,
    pub calibration: bool,
    pub ratings: BTreeMap<String, RatingValue>,
}

/// `after - before`, when both exist.
pub fn delta(before: Option<f64>, after: Option<f64>) -> Option<f64> {
    Some(after? - before?)
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

/// `rubric diff --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffReport {
    pub base: String,
    pub head: String,
    pub rubrics: Vec<RubricDiff>,
    pub impact: Vec<Impact>,
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
}

/// The valid rubric files directly in the rubrics folder of a commit.
fn rubrics_at(
    h: &crate::load::git::History,
    commit: crate::load::git::ObjectId,
    dir: &str,
) -> Result<BTreeMap<String, Rubric>, crate::load::git::HistoryError> {
    let base = dir.trim_end_matches('/');
    let mut out = BTreeMap::new();
    for (path, blob) in h.tree_files(commit, dir)? {
        let Some((parent, name)) = path.rsplit_once('/') else {
            continue;
        };
        if parent != base {
            continue;
        }
        let text = String::from_utf8_lossy(&h.read_blob(blob)?).into_owned();
        if let Some(r) =
            crate::check::parse_historic(name, &text, crate::load::yaml::DEFAULT_MAX_FILE_SIZE)
        {
            if r.id.as_str() == crate::load::repo::stem(name) {
                out.insert(r.id.to_string(), r);
            }
        }
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
    let config = crate::analysis::state::load_config(root);
    let dir = config.paths.rubrics.as_str().to_string();
    let h = crate::load::git::History::open(root)?;
    let base_commit = h.resolve(Some(base))?;
    let before = rubrics_at(&h, base_commit, &dir)?;
    let after: BTreeMap<String, Rubric> = match head {
        Some(rev) => rubrics_at(&h, h.resolve(Some(rev))?, &dir)?,
        None => crate::analysis::state::working_rubrics(root, &config)
            .into_iter()
            .map(|r| (r.id.to_string(), r))
            .collect(),
    };
    let ids: BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    let rubrics: Vec<RubricDiff> = ids
        .iter()
        .map(|id| diff_rubric(id, before.get(*id), after.get(*id)))
        .filter(|d| d.status != "unchanged")
        .collect();
    let mut impacts = Vec::new();
    let scoring: Vec<&RubricDiff> = rubrics
        .iter()
        .filter(|d| d.changes.iter().any(|c| c.scoring))
        .collect();
    if !scoring.is_empty() {
        let opts = crate::analysis::state::StateOptions {
            scan: crate::history::scan::ScanOptions {
                rev: head.map(String::from),
                no_cache: false,
                allow_shallow: false,
            },
            now,
        };
        let state = crate::analysis::state::QaState::load(root, &opts, &mut |_| {})?;
        let since = now.with_timezone(&state.tz).date_naive() - chrono::Duration::days(days);
        for d in scoring {
            let (Some(old), Some(new)) = (before.get(&d.rubric), after.get(&d.rubric)) else {
                continue;
            };
            let inputs: Vec<ReviewInput> = state
                .reviews
                .iter()
                .filter(|r| r.rubric == d.rubric && r.version == old.version.0)
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
    })
}
