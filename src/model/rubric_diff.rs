//! The semantic difference between two versions of a rubric (categories added, removed, likely
//! renamed; scale, weights, critical, N/A, labels, groups, root causes, pass mark), and the
//! scoring signature that decides whether a change needs a new version number.

use crate::model::{Category, Rubric};
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
    /// `added`, `removed`, `changed`, `unchanged`, or `invalid` (the file does not load or
    /// breaks a rule at either revision: its problems are the changes, kind `invalid`).
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

/// A rubric file that is invalid at either revision: each problem is one change of kind
/// `invalid`, its text saying where ("invalid at HEAD: rubrics/support.yaml:4:10 …").
pub fn invalid_rubric(
    id: &str,
    base_version: Option<u32>,
    head_version: Option<u32>,
    problems: &[(&str, String)],
) -> RubricDiff {
    let changes = problems
        .iter()
        .map(|(side, problem)| {
            change(
                "invalid",
                None,
                Value::Null,
                Value::Null,
                false,
                format!("invalid at {side}: {problem}"),
            )
        })
        .collect();
    RubricDiff {
        rubric: id.to_string(),
        status: "invalid".to_string(),
        base_version,
        head_version,
        changes,
        needs_version_bump: false,
    }
}

/// Every difference between two versions of a rubric.
fn compare(b: &Rubric, h: &Rubric, out: &mut Vec<Change>) {
    compare_rubric_fields(b, h, out);
    let by_id = |r: &Rubric| -> BTreeMap<String, Category> {
        r.categories
            .iter()
            .map(|c| (c.id.to_string(), c.clone()))
            .collect()
    };
    let (bc, hc) = (by_id(b), by_id(h));
    compare_category_ids(&bc, &hc, out);
    for (id, x) in &bc {
        let Some(y) = hc.get(id) else { continue };
        compare_category(id, x, y, out);
    }
}

/// The rubric's own fields: pass mark, title, description and groups.
fn compare_rubric_fields(b: &Rubric, h: &Rubric, out: &mut Vec<Change>) {
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
}

/// Categories removed, added, or likely renamed (a removed one's title or description under
/// a new id).
fn compare_category_ids(
    bc: &BTreeMap<String, Category>,
    hc: &BTreeMap<String, Category>,
    out: &mut Vec<Change>,
) {
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
}

/// The fields of a category both versions have.
fn compare_category(id: &str, x: &Category, y: &Category, out: &mut Vec<Change>) {
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
