//! `export --since-commit`: the rows that turn the export of one state (at an earlier commit)
//! into the export of another, keyed by (`review`, `category`). Plain data in and out.
//!
//! A review whose rows are all the same in both exports gives nothing. A review that is new,
//! or has any row that differs (any column, `commit` included), gives all its rows now as
//! `upsert`, and a `delete` for each row it had before under a category it no longer has. A
//! review that is gone (deleted, or left out now because `check` rejects it) gives a `delete`
//! for each row it had. So applying the increment to a table equal to the earlier export —
//! delete the rows whose key a `delete` row names, then insert or replace the `upsert` rows
//! by key — gives a table equal to the later export; so does deleting every row of each review
//! the increment names and inserting its `upsert` rows.

use crate::report::{Change, ExportRow};
use std::collections::{HashMap, HashSet};

/// The increment from `before` to `now` (both full exports, in export order): first the
/// `delete` rows, in `before`'s order, then the `upsert` rows, in `now`'s order. A delete row
/// is the row as it was, with `change: delete` and as `commit` the one of the review now (a
/// dropped category), else `gone(review id)`: the commit that deleted or changed the file.
pub fn increment(
    before: &[ExportRow],
    now: &[ExportRow],
    gone: &dyn Fn(&str) -> Option<String>,
) -> Vec<ExportRow> {
    let old = by_review(before);
    let new = by_review(now);
    let changed = |id: &str| old.get(id) != new.get(id);
    let mut out = Vec::new();
    let mut gone_commit: HashMap<&str, Option<String>> = HashMap::new();
    let mut categories: HashMap<&str, HashSet<&str>> = HashMap::new();
    for r in before {
        let commit = match new.get(r.review.as_str()) {
            None => gone_commit
                .entry(r.review.as_str())
                .or_insert_with(|| gone(&r.review))
                .clone(),
            Some(rows) if changed(&r.review) => {
                let kept = categories
                    .entry(r.review.as_str())
                    .or_insert_with(|| rows.iter().map(|n| n.category.as_str()).collect());
                if kept.contains(r.category.as_str()) {
                    continue;
                }
                rows.first().and_then(|n| n.commit.clone())
            }
            Some(_) => continue,
        };
        out.push(ExportRow {
            change: Change::Delete,
            commit,
            ..r.clone()
        });
    }
    out.extend(
        now.iter()
            .filter(|r| changed(&r.review))
            .map(|r| ExportRow {
                change: Change::Upsert,
                ..r.clone()
            }),
    );
    out
}

/// The rows of each review, in their order.
fn by_review(rows: &[ExportRow]) -> HashMap<&str, Vec<&ExportRow>> {
    let mut out: HashMap<&str, Vec<&ExportRow>> = HashMap::new();
    for r in rows {
        out.entry(r.review.as_str()).or_default().push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(review: &str, category: &str, rating: i64, commit: &str) -> ExportRow {
        ExportRow {
            review: review.into(),
            agent: "alice".into(),
            team: None,
            reviewer: "bob".into(),
            date: "2026-11-02".into(),
            rubric: "support".into(),
            version: 1,
            conversation: None,
            url: None,
            channel: None,
            category: category.into(),
            rating: Some(rating),
            value: None,
            scale: 4,
            weight: 1.0,
            critical: false,
            review_score: None,
            pass: None,
            calibration: None,
            path: format!("reviews/{review}.yaml"),
            comment: None,
            root_causes: Vec::new(),
            review_comment: None,
            change: Change::Upsert,
            commit: Some(commit.into()),
        }
    }

    /// The documented semantics: delete by key, then insert or replace by key.
    fn apply(table: &mut Vec<ExportRow>, inc: &[ExportRow]) {
        let key = |r: &ExportRow| (r.review.clone(), r.category.clone());
        for d in inc.iter().filter(|r| r.change == Change::Delete) {
            table.retain(|r| key(r) != key(d));
        }
        for u in inc.iter().filter(|r| r.change == Change::Upsert) {
            table.retain(|r| key(r) != key(u));
            table.push(u.clone());
        }
    }

    fn sorted(mut rows: Vec<ExportRow>) -> Vec<ExportRow> {
        rows.sort_by(|a, b| (&a.review, &a.category).cmp(&(&b.review, &b.category)));
        rows
    }

    #[test]
    fn unchanged_changed_new_gone_and_a_dropped_category() {
        let before = vec![
            row("same", "tone", 3, "a"),
            row("edited", "tone", 3, "a"),
            row("edited", "solution", 2, "a"),
            row("gone", "tone", 1, "a"),
        ];
        let now = vec![
            row("same", "tone", 3, "a"),
            row("edited", "tone", 4, "b"),
            row("edited", "empathy", 2, "b"),
            row("new", "tone", 2, "b"),
        ];
        let inc = increment(&before, &now, &|id| Some(format!("deleted {id}")));
        let got: Vec<(Change, &str, &str, Option<&str>)> = inc
            .iter()
            .map(|r| {
                (
                    r.change,
                    r.review.as_str(),
                    r.category.as_str(),
                    r.commit.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (Change::Delete, "edited", "solution", Some("b")),
                (Change::Delete, "gone", "tone", Some("deleted gone")),
                (Change::Upsert, "edited", "tone", Some("b")),
                (Change::Upsert, "edited", "empathy", Some("b")),
                (Change::Upsert, "new", "tone", Some("b")),
            ]
        );
        let mut table = before.clone();
        apply(&mut table, &inc);
        assert_eq!(sorted(table), sorted(now.clone()));
        // Nothing changed, nothing to write.
        assert!(increment(&now, &now, &|_| None).is_empty());
    }

    #[test]
    fn a_new_commit_alone_is_a_change() {
        let before = vec![row("r", "tone", 3, "a")];
        let now = vec![row("r", "tone", 3, "b")];
        let inc = increment(&before, &now, &|_| None);
        assert_eq!(inc, now);
    }
}
