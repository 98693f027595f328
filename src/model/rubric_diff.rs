//! The semantic difference between two versions of a rubric (categories added, removed, likely
//! renamed; scale, weights, critical, N/A, labels, groups, root causes, pass mark), and the
//! scoring signature that decides whether a change needs a new version number.

use crate::model::{Category, Critical, Rubric};
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// One difference between two versions of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// What changed: `category-added`, `category-removed`, `category-renamed`, `scale`,
    /// `weight`, `critical`, `bonus`, `na`, `labels`, `title`, `description`, `group`, `root-causes`,
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
            let mut v = json!({"id": c.id.as_str(), "scale": c.scale.0, "weight": c.weight.0,
                   "critical": c.critical.to_json(), "na": c.na});
            // Only where they can score: a rubric without bonus or group-critical categories
            // keeps the signature it always had.
            if c.bonus {
                v["bonus"] = json!(true);
            }
            if groups_score(r) {
                v["group"] = json!(c.group.as_ref().map(|g| g.as_str()));
            }
            v
        })
        .collect();
    cats.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    json!({"pass_mark": r.pass_mark.map(|p| p.0), "categories": cats})
}

/// Does a category's group decide scores (a `critical: group` category fails its group)?
fn groups_score(r: &Rubric) -> bool {
    r.categories.iter().any(|c| c.critical == Critical::Group)
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
    let groups_scoring = groups_score(b) || groups_score(h);
    for (id, x) in &bc {
        let Some(y) = hc.get(id) else { continue };
        compare_category(id, x, y, groups_scoring, out);
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
/// `groups_scoring`: either version has a `critical: group` category, so a category's group
/// decides scores.
fn compare_category(
    id: &str,
    x: &Category,
    y: &Category,
    groups_scoring: bool,
    out: &mut Vec<Change>,
) {
    let mut field = |kind: &str, before: Value, after: Value, scoring: bool| {
        if before != after {
            let text = format!("`{id}` {kind} {} → {}", show(&before), show(&after));
            out.push(change(kind, Some(id), before, after, scoring, text));
        }
    };
    field("scale", json!(x.scale.0), json!(y.scale.0), true);
    field("weight", json!(x.weight.0), json!(y.weight.0), true);
    field("critical", x.critical.to_json(), y.critical.to_json(), true);
    field("bonus", json!(x.bonus), json!(y.bonus), true);
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
        groups_scoring,
    );
    let rc = |c: &Category| {
        json!(c
            .root_causes
            .as_ref()
            .map(|r| r.iter().map(|s| s.as_str()).collect::<Vec<_>>()))
    };
    field("root-causes", rc(x), rc(y), false);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rubric(yaml: &str) -> Rubric {
        let doc = crate::load::yaml::load_str("r.yaml", yaml).unwrap();
        serde::Deserialize::deserialize(&doc.value).unwrap()
    }

    const V1: &str = "id: s\nversion: 1\ntitle: S\ngroups:\n  - {id: a, title: A}\n  - {id: b, title: B}\ncategories:\n  - {id: x, title: X, scale: 4, group: a}\n  - {id: y, title: Y, scale: 3, group: a}\n  - {id: z, title: Z, scale: 2}\n";

    fn scoring_kinds(base: &str, head: &str) -> Vec<(String, bool)> {
        diff_rubric("s", Some(&rubric(base)), Some(&rubric(head)))
            .changes
            .into_iter()
            .map(|c| (c.kind, c.scoring))
            .collect()
    }

    #[test]
    fn critical_kinds_and_bonus_are_scoring_changes() {
        let group = V1.replace(
            "scale: 4, group: a}",
            "scale: 4, group: a, critical: group}",
        );
        assert_eq!(scoring_kinds(V1, &group), [("critical".to_string(), true)]);
        let d = diff_rubric("s", Some(&rubric(V1)), Some(&rubric(&group)));
        assert!(d.needs_version_bump);
        assert_eq!(d.changes[0].after, json!("group"));
        assert_ne!(
            scoring_signature(&rubric(V1)),
            scoring_signature(&rubric(&group))
        );
        // `critical: true` → `critical: group` changes scoring too.
        let review = V1.replace("scale: 4, group: a}", "scale: 4, group: a, critical: true}");
        assert_eq!(
            scoring_kinds(&review, &group),
            [("critical".to_string(), true)]
        );
        // `true` and `review` are the same thing.
        let spelled = V1.replace(
            "scale: 4, group: a}",
            "scale: 4, group: a, critical: review}",
        );
        assert!(scoring_kinds(&review, &spelled).is_empty());
        let bonus = V1.replace(
            "{id: z, title: Z, scale: 2}",
            "{id: z, title: Z, scale: 2, bonus: true}",
        );
        assert_eq!(scoring_kinds(V1, &bonus), [("bonus".to_string(), true)]);
        assert_ne!(
            scoring_signature(&rubric(V1)),
            scoring_signature(&rubric(&bonus))
        );
    }

    #[test]
    fn a_group_change_scores_only_where_a_group_can_fail() {
        // Without `critical: group`, moving `y` to group b is wording.
        let moved = V1.replace("scale: 3, group: a}", "scale: 3, group: b}");
        assert_eq!(scoring_kinds(V1, &moved), [("group".to_string(), false)]);
        assert_eq!(
            scoring_signature(&rubric(V1)),
            scoring_signature(&rubric(&moved))
        );
        // With it, `y` leaving group a changes what x's failure zeroes.
        let crit = |r: &str| {
            r.replace(
                "scale: 4, group: a}",
                "scale: 4, group: a, critical: group}",
            )
        };
        assert_eq!(
            scoring_kinds(&crit(V1), &crit(&moved)),
            [("group".to_string(), true)]
        );
        assert_ne!(
            scoring_signature(&rubric(&crit(V1))),
            scoring_signature(&rubric(&crit(&moved)))
        );
    }
}
