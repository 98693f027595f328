//! `export --since-commit`: increments over a scripted history (fixed dates), and the
//! documented way to apply them — a table holding the export at A, given the increments to B
//! and then to C, equals the export at C.

use crate::{git_as, rubric, temp_repo};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const BOB: (&str, &str) = ("Bob QA", "bob@acme.example");

fn commit_all(dir: &Path, message: &str, date: &str) -> String {
    git_as(dir, BOB, date, &["add", "-A"]);
    git_as(dir, BOB, date, &["commit", "-q", "-m", message]);
    let out = crate::git_cmd(dir)
        .args(["rev-parse", "HEAD"])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

const V1: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone, scale: 3}\n";
const V2: &str = "id: support\nversion: 2\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4, weight: 3}\n  - {id: empathy, title: Empathy, scale: 5}\n";

fn review(rubric: &str, day: &str, ratings: &str) -> String {
    format!(
        "rubric: {rubric}\nagent: alice\nreviewer: bob\nreviewed_at: {day}\nconversation: {{id: \"1\"}}\nratings:\n{ratings}"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Commits A, B and C (returned with the repository):
/// - A: support@1; reviews r-kept, r-edit, r-delete, r-move and r-invalid (all support@1).
/// - B: support@2 replaces support@1 in the rubric file; r-edit's score changes; r-delete is
///   deleted; r-new (support@2) is added.
/// - C: r-edit moves to support@2 (tone gone, empathy new); r-move is moved to
///   reviews/archive/; r-invalid gets a rating out of its scale (left out from then on).
fn scripted() -> (tempfile::TempDir, [String; 3]) {
    let one = |solution: u8| format!("  solution: {solution}\n  tone: 2\n");
    let old = |s| review("support@1", "2026-03-02", &one(s));
    let dir = temp_repo(&[
        ("rubrics/support.yaml", V1),
        ("reviews/r-kept.yaml", &old(4)),
        ("reviews/r-edit.yaml", &old(3)),
        ("reviews/r-delete.yaml", &old(2)),
        ("reviews/r-move.yaml", &old(1)),
        ("reviews/r-invalid.yaml", &old(3)),
    ]);
    let d = dir.path();
    git_as(d, BOB, "2026-03-02T10:00:00Z", &["init", "-q"]);
    let a = commit_all(d, "A", "2026-03-02T10:00:00Z");
    write(d, "rubrics/support.yaml", V2);
    write(d, "reviews/r-edit.yaml", &old(4));
    std::fs::remove_file(d.join("reviews/r-delete.yaml")).unwrap();
    let new = review("support@2", "2026-04-01", "  solution: 3\n  empathy: 4\n");
    write(d, "reviews/r-new.yaml", &new);
    let b = commit_all(d, "B", "2026-04-01T10:00:00Z");
    let edited = review("support@2", "2026-03-02", "  solution: 4\n  empathy: 5\n");
    write(d, "reviews/r-edit.yaml", &edited);
    std::fs::create_dir_all(d.join("reviews/archive")).unwrap();
    git_as(
        d,
        BOB,
        "2026-05-01T10:00:00Z",
        &["mv", "reviews/r-move.yaml", "reviews/archive/r-move.yaml"],
    );
    write(d, "reviews/r-invalid.yaml", &old(9));
    let c = commit_all(d, "C", "2026-05-01T10:00:00Z");
    (dir, [a, b, c])
}

/// `rubric export` with `args` in `dir`: its rows (exit 0 asserted).
fn export(dir: &Path, args: &[&str]) -> Vec<Value> {
    let out = rubric(dir).arg("export").args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "export {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// One row as (change, review, category, commit's name A/B/C or null, path).
type Summary = (String, String, String, String, String);

fn summary(rows: &[Value], names: &[String; 3]) -> Vec<Summary> {
    let name = |c: &Value| match c.as_str() {
        None => "null".to_string(),
        Some(c) => {
            let i = names.iter().position(|n| n == c);
            ["A", "B", "C"][i.expect("a commit of the history")].to_string()
        }
    };
    let text = |v: &Value| v.as_str().unwrap().to_string();
    rows.iter()
        .map(|r| {
            (
                text(&r["change"]),
                text(&r["review"]),
                text(&r["category"]),
                name(&r["commit"]),
                text(&r["path"]),
            )
        })
        .collect()
}

fn s(change: &str, review: &str, category: &str, commit: &str, path: &str) -> Summary {
    (
        change.into(),
        review.into(),
        category.into(),
        commit.into(),
        path.into(),
    )
}

/// The documented semantics (docs/reference.md, `--since-commit`): keyed by (review,
/// category), delete the rows that `delete` rows name, then insert or replace `upsert` rows.
fn apply(table: &mut BTreeMap<(String, String), Value>, increment: &[Value]) {
    let key = |r: &Value| {
        (
            r["review"].as_str().unwrap().to_string(),
            r["category"].as_str().unwrap().to_string(),
        )
    };
    for r in increment.iter().filter(|r| r["change"] == "delete") {
        assert!(
            table.remove(&key(r)).is_some(),
            "a delete of a row the table has: {r}"
        );
    }
    for r in increment.iter().filter(|r| r["change"] == "upsert") {
        table.insert(key(r), r.clone());
    }
}

fn table(rows: &[Value]) -> BTreeMap<(String, String), Value> {
    let mut t = BTreeMap::new();
    apply(&mut t, rows);
    assert_eq!(
        t.len(),
        rows.len(),
        "(review, category) is a key of the export"
    );
    t
}

#[test]
fn increments_from_a_to_b_to_c_rebuild_the_export_at_c() {
    let (dir, commits) = scripted();
    let d = dir.path();
    let [a, b, _] = &commits;
    let full_a = export(d, &["--rev", a]);
    let full_c = export(d, &[]);
    let inc_ab = export(d, &["--rev", b, "--since-commit", a]);
    let inc_bc = export(d, &["--since-commit", b]);

    let (kept, edit, delete, moved, invalid, new, archived) = (
        "reviews/r-kept.yaml",
        "reviews/r-edit.yaml",
        "reviews/r-delete.yaml",
        "reviews/r-move.yaml",
        "reviews/r-invalid.yaml",
        "reviews/r-new.yaml",
        "reviews/archive/r-move.yaml",
    );
    assert_eq!(
        summary(&full_a, &commits),
        vec![
            s("upsert", "r-delete", "solution", "A", delete),
            s("upsert", "r-delete", "tone", "A", delete),
            s("upsert", "r-edit", "solution", "A", edit),
            s("upsert", "r-edit", "tone", "A", edit),
            s("upsert", "r-invalid", "solution", "A", invalid),
            s("upsert", "r-invalid", "tone", "A", invalid),
            s("upsert", "r-kept", "solution", "A", kept),
            s("upsert", "r-kept", "tone", "A", kept),
            s("upsert", "r-move", "solution", "A", moved),
            s("upsert", "r-move", "tone", "A", moved),
        ]
    );
    // A to B: r-delete's rows go (deleted in B); r-edit's score changed; r-new is new. The
    // rubric file's new version changes nothing for reviews that mean support@1.
    assert_eq!(
        summary(&inc_ab, &commits),
        vec![
            s("delete", "r-delete", "solution", "B", delete),
            s("delete", "r-delete", "tone", "B", delete),
            s("upsert", "r-edit", "solution", "B", edit),
            s("upsert", "r-edit", "tone", "B", edit),
            s("upsert", "r-new", "solution", "B", new),
            s("upsert", "r-new", "empathy", "B", new),
        ]
    );
    let edited: Vec<&Value> = inc_ab.iter().filter(|r| r["review"] == "r-edit").collect();
    assert_eq!(edited[0]["rating"], 4);
    // B to C: r-edit now means support@2 (tone gone: a delete; empathy new); r-invalid is
    // left out (deleted from the table, at the commit that broke it); r-move has a new path.
    assert_eq!(
        summary(&inc_bc, &commits),
        vec![
            s("delete", "r-edit", "tone", "C", edit),
            s("delete", "r-invalid", "solution", "C", invalid),
            s("delete", "r-invalid", "tone", "C", invalid),
            s("upsert", "r-edit", "solution", "C", edit),
            s("upsert", "r-edit", "empathy", "C", edit),
            s("upsert", "r-move", "solution", "C", archived),
            s("upsert", "r-move", "tone", "C", archived),
        ]
    );
    let support2: Vec<&Value> = inc_bc
        .iter()
        .filter(|r| r["review"] == "r-edit" && r["change"] == "upsert")
        .collect();
    assert_eq!(support2[0]["version"], 2);
    assert_eq!(support2[0]["weight"], 3.0);

    // The whole point: full(A) + inc(A→B) + inc(B→C) == full(C), every column.
    let mut t = table(&full_a);
    apply(&mut t, &inc_ab);
    apply(&mut t, &inc_bc);
    assert_eq!(t, table(&full_c));
    // And straight from A to C.
    let inc_ac = export(d, &["--since-commit", a]);
    let mut t = table(&full_a);
    apply(&mut t, &inc_ac);
    assert_eq!(t, table(&full_c));
    // Since the commit exported last, with nothing changed: no rows.
    assert_eq!(export(d, &["--since-commit", "HEAD"]), Vec::<Value>::new());
}

/// CSV carries `change` and `commit` as its last columns, in increments too.
#[test]
fn csv_increment_has_change_and_commit_last() {
    let (dir, [a, b, _]) = scripted();
    let out = rubric(dir.path())
        .args([
            "export",
            "--format",
            "csv",
            "--rev",
            &b,
            "--since-commit",
            &a,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[header.len() - 2..], ["change", "commit"]);
    let first = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[header.len() - 2], "delete");
    assert_eq!(&first[header.len() - 1], b.as_str());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("4 upsert and 2 delete row(s)"), "{stderr}");
}

/// A review changed in the working tree and not committed has a null `commit`; so does a
/// delete of a review removed without a commit.
#[test]
fn uncommitted_changes_have_no_commit() {
    let (dir, [_, b, _]) = scripted();
    let d = dir.path();
    let kept = review("support@1", "2026-03-02", "  solution: 1\n  tone: 2\n");
    write(d, "reviews/r-kept.yaml", &kept);
    std::fs::remove_file(d.join("reviews/r-new.yaml")).unwrap();
    let rows = export(d, &["--since-commit", &b]);
    let of = |review: &str| -> Vec<(String, Option<String>)> {
        rows.iter()
            .filter(|r| r["review"] == review)
            .map(|r| {
                (
                    r["change"].as_str().unwrap().to_string(),
                    r["commit"].as_str().map(String::from),
                )
            })
            .collect()
    };
    let up = ("upsert".to_string(), None);
    let del = ("delete".to_string(), None);
    assert_eq!(of("r-kept"), vec![up.clone(), up]);
    assert_eq!(of("r-new"), vec![del.clone(), del]);
    let full = export(d, &[]);
    assert!(full
        .iter()
        .filter(|r| r["review"] == "r-kept")
        .all(|r| r["commit"].is_null()));
}

/// A commit that is not there: exit 2 and a message that names the option; outside git too.
#[test]
fn an_unknown_commit_is_an_error() {
    let (dir, _) = scripted();
    let missing = "0123456789abcdef0123456789abcdef01234567";
    let out = rubric(dir.path())
        .args(["export", "--since-commit", missing])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "error: --since-commit `{missing}`: revision `{missing}` not found"
        )),
        "{err}"
    );

    let plain = temp_repo(&[("rubrics/support.yaml", V1)]);
    let out = rubric(plain.path())
        .args(["export", "--since-commit", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("--since-commit `HEAD`"), "{err}");
}
