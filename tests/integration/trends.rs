//! `score`, `trends` and `history` on fixture repositories built with fixed dates: edits, moves,
//! deletions, rubric versions, defaults from the adding commit, e-mail aliases, time zones,
//! ISO week 53, calibration, and a review added on a branch and merged.

use crate::{git_as, project_root, rubric};
use serde_json::{json, Value};
use std::path::Path;

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn commit(dir: &Path, who: (&str, &str), date: &str, msg: &str) {
    git_as(dir, who, date, &["add", "-A"]);
    git_as(dir, who, date, &["commit", "-q", "-m", msg]);
}

fn run_json(dir: &Path, args: &[&str]) -> Value {
    let out = rubric(dir).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "rubric {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

const BOB_OLD: (&str, &str) = ("Bob J", "bob@old.example");
const BOB: (&str, &str) = ("Bob Jones", "bob@acme.example");
const CAROL: (&str, &str) = ("Carol", "carol@acme.example");
const DAVE: (&str, &str) = ("Dave", "dave.d@acme.example");
const LEAD: (&str, &str) = ("Lena Lead", "lena@acme.example");

const CONFIG: &str = "\
timezone: Europe/Tallinn
people:
  alice: { team: tier1 }
  zed: { team: tier2 }
  bob: { team: qa, emails: [bob@acme.example] }
  carol: { team: qa, emails: [carol@acme.example] }
  dave: { team: qa, emails: [dave@acme.example] }
  lena: { team: leads, emails: [lena@acme.example] }
";

// support@1: solution (scale 3) and tone (scale 3), equal weights.
const V1: &str = "id: support\nversion: 1\ntitle: S\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 3}\n  - {id: tone, title: Tone, scale: 3}\n";
// support@2: solution weighs 3.
const V2: &str = "id: support\nversion: 2\ntitle: S\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 3, weight: 3}\n  - {id: tone, title: Tone, scale: 3}\n";

fn review(version: u32, agent: &str, extra: &str, solution: u8, tone: u8) -> String {
    format!(
        "rubric: support@{version}\nagent: {agent}\n{extra}conversation: {{id: \"c\"}}\nratings:\n  solution: {solution}\n  tone: {tone}\n"
    )
}

/// The fixture repository, commit by commit (dates UTC; Tallinn is UTC+2 in winter, +3 in
/// summer):
///
/// 1. 2026-03-01 bob (old e-mail): qa.yaml, .mailmap, support@1.
/// 2. 2026-03-02 23:30 bob (old e-mail): r1 (alice, no reviewer, no date): solution 2, tone 3
///    → (0.5 + 1) / 2 = 75. Dated 2026-03-03 in Tallinn.
/// 3. 2026-03-05 carol: r2 (alice, reviewer carol, reviewed_at 2026-03-04): 3, 3 → 100.
/// 4. 2026-03-10 carol: r1 edited after a dispute: solution 3 → 100.
/// 5. 2026-04-01 bob: r2 moved to reviews/archive/; r3 (zed, 1, 1 → 0) added.
/// 6. 2026-04-02 bob: r3 deleted.
/// 7. 2026-04-10 lena: support@2.
/// 8. branch `extra` from 7: 2026-04-12 dave (e-mail only in .mailmap): r5 (zed, v2, no
///    reviewer): solution 2, tone 1 → 3·0.5 / 4 = 37.5.
/// 9. main: 2026-04-13 bob: r6 (zed, v2, reviewer bob, reviewed_at 2026-04-13): 3, 3 → 100;
///    and a calibration review c1 (alice, carol, 2026-04-13) 1, 1 → 0.
/// 10. 2026-04-20 lena: merge of `extra`.
/// 11. 2026-12-31 bob: r7 (alice, v2, reviewed_at 2026-12-31T23:30:00Z = 2027-01-01 in
///     Tallinn, ISO week 2026-W53): 1, 3 → 1/4 = 25.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_as(d, BOB, "2026-03-01T09:00:00Z", &["init", "-q"]);
    git_as(
        d,
        BOB,
        "2026-03-01T09:00:00Z",
        &["config", "user.email", "alice@acme.example"],
    );
    write(d, "qa.yaml", CONFIG);
    write(
        d,
        ".mailmap",
        "Bob Jones <bob@acme.example> <bob@old.example>\nDave <dave@acme.example> <dave.d@acme.example>\n",
    );
    write(d, "rubrics/support.yaml", V1);
    commit(d, BOB_OLD, "2026-03-01T09:00:00Z", "support v1");
    write(d, "reviews/r1.yaml", &review(1, "alice", "", 2, 3));
    commit(d, BOB_OLD, "2026-03-02T23:30:00Z", "r1");
    write(
        d,
        "reviews/r2.yaml",
        &review(
            1,
            "alice",
            "reviewer: carol\nreviewed_at: 2026-03-04\n",
            3,
            3,
        ),
    );
    commit(d, CAROL, "2026-03-05T10:00:00Z", "r2");
    write(d, "reviews/r1.yaml", &review(1, "alice", "", 3, 3));
    commit(d, CAROL, "2026-03-10T10:00:00Z", "r1 after dispute");
    std::fs::create_dir_all(d.join("reviews/archive")).unwrap();
    std::fs::rename(d.join("reviews/r2.yaml"), d.join("reviews/archive/r2.yaml")).unwrap();
    write(
        d,
        "reviews/r3.yaml",
        &review(1, "zed", "reviewer: bob\n", 1, 1),
    );
    commit(d, BOB, "2026-04-01T10:00:00Z", "archive r2, add r3");
    std::fs::remove_file(d.join("reviews/r3.yaml")).unwrap();
    commit(d, BOB, "2026-04-02T10:00:00Z", "drop r3");
    write(d, "rubrics/support.yaml", V2);
    commit(d, LEAD, "2026-04-10T10:00:00Z", "support v2");
    git_as(
        d,
        LEAD,
        "2026-04-10T10:00:00Z",
        &["checkout", "-q", "-b", "extra"],
    );
    write(d, "reviews/r5.yaml", &review(2, "zed", "", 2, 1));
    commit(d, DAVE, "2026-04-12T10:00:00Z", "r5 on a branch");
    git_as(d, LEAD, "2026-04-12T10:00:00Z", &["checkout", "-q", "main"]);
    write(
        d,
        "reviews/r6.yaml",
        &review(2, "zed", "reviewer: bob\nreviewed_at: 2026-04-13\n", 3, 3),
    );
    write(
        d,
        "reviews/c1.yaml",
        &review(
            2,
            "alice",
            "reviewer: carol\nreviewed_at: 2026-04-13\ncalibration: 2026-w16\n",
            1,
            1,
        ),
    );
    commit(d, BOB, "2026-04-13T10:00:00Z", "r6 and a calibration");
    git_as(
        d,
        LEAD,
        "2026-04-20T10:00:00Z",
        &["merge", "-q", "--no-ff", "-m", "merge extra", "extra"],
    );
    write(
        d,
        "reviews/r7.yaml",
        &review(2, "alice", "reviewed_at: 2026-12-31T23:30:00Z\n", 1, 3),
    );
    commit(d, BOB, "2026-12-31T10:00:00Z", "r7");
    dir
}

fn rows_by_id(v: &Value) -> std::collections::BTreeMap<String, Value> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

#[test]
fn score_resolves_people_dates_versions_and_states() {
    let repo = fixture();
    let rows = rows_by_id(&run_json(repo.path(), &["score", "--format", "json"]));
    assert_eq!(
        rows.keys().collect::<Vec<_>>(),
        ["c1", "r1", "r2", "r5", "r6", "r7"],
        "r3 was deleted"
    );
    // No reviewer and no date: from the adding commit, whose old e-mail the mailmap maps to
    // bob@acme.example, which the roster maps to bob; 23:30 UTC is the next day in Tallinn.
    assert_eq!(
        rows["r1"],
        json!({"id": "r1", "path": "reviews/r1.yaml", "agent": "alice", "reviewer": "bob",
               "date": "2026-03-03T01:30:00+02:00", "rubric": "support", "version": 1,
               "score": 100.0, "pass": true, "calibration": null, "uncommitted": false})
    );
    // Moved: still the same review, its fields as written.
    assert_eq!(rows["r2"]["path"], "reviews/archive/r2.yaml");
    assert_eq!(rows["r2"]["date"], "2026-03-04");
    assert_eq!(rows["r2"]["score"], 100.0);
    // Added on a branch by dave (an address only the mailmap knows), merged by lena.
    assert_eq!(rows["r5"]["reviewer"], "dave");
    assert_eq!(rows["r5"]["date"], "2026-04-12T13:00:00+03:00");
    assert_eq!(rows["r5"]["score"], 37.5);
    assert_eq!(rows["r5"]["pass"], false);
    assert_eq!(rows["r6"]["version"], 2);
    assert_eq!(rows["r7"]["date"], "2027-01-01T01:30:00+02:00");
    assert_eq!(rows["r7"]["score"], 25.0);
    assert_eq!(rows["c1"]["calibration"], "2026-w16");
}

#[test]
fn old_reviews_keep_their_rubric_version_and_score() {
    let repo = fixture();
    // Rescoring r1 (solution 3/3, tone 3/3) under v2 would also give 100; r2 too. Make the
    // difference visible: at commit 6 (before v2) and at HEAD, r1 scores the same.
    let head = rows_by_id(&run_json(repo.path(), &["score", "--format", "json"]));
    let before = rows_by_id(&run_json(
        repo.path(),
        &["score", "--format", "json", "--rev", "HEAD~4"],
    ));
    assert_eq!(before["r1"]["score"], head["r1"]["score"]);
    assert_eq!(before["r1"]["version"], 1);
    // --rev reads that commit's tree: r3 exists there? No: HEAD~4 is "drop r3".
    assert!(!before.contains_key("r5"));
    assert!(!before.contains_key("r3"));
}

#[test]
fn history_shows_every_version_with_its_author() {
    let repo = fixture();
    let h = run_json(repo.path(), &["history", "r1", "--format", "json"]);
    let rows: Vec<(String, String, String, Value)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_string(),
                r["author"].as_str().unwrap().to_string(),
                r["date"].as_str().unwrap().to_string(),
                r["score"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (
                "added".into(),
                "bob".into(),
                "2026-03-03T01:30:00+02:00".into(),
                json!(75.0)
            ),
            (
                "edited".into(),
                "carol".into(),
                "2026-03-10T12:00:00+02:00".into(),
                json!(100.0)
            ),
        ]
    );
    let moved = run_json(repo.path(), &["history", "r2", "--format", "json"]);
    let kinds: Vec<&str> = moved
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["added", "moved"]);
    let deleted = run_json(repo.path(), &["history", "r3", "--format", "json"]);
    assert_eq!(deleted[1]["kind"], "deleted");
    assert_eq!(deleted[1]["score"], Value::Null);
    // The SPEC §7 fields are all there.
    for key in ["commit", "author", "date", "score"] {
        assert!(h[0].get(key).is_some(), "{key}");
    }
    assert_eq!(h[0]["commit"].as_str().unwrap().len(), 40);
}

#[test]
fn trends_by_agent_month_leave_out_calibration() {
    let repo = fixture();
    let t = run_json(repo.path(), &["trends", "--format", "json"]);
    assert_eq!(t["by"], "agent");
    assert_eq!(t["period"], "month");
    // alice: March r1 100 (as edited) and r2 100; c1 (calibration, 0) left out; January 2027
    // r7 25. zed: April r5 37.5 and r6 100.
    assert_eq!(
        t["rows"],
        json!([
            {"key": "alice", "period": "2026-03", "reviews": 2, "score": 100.0, "change": null},
            {"key": "alice", "period": "2027-01", "reviews": 1, "score": 25.0, "change": null},
            {"key": "zed", "period": "2026-04", "reviews": 2, "score": 68.75, "change": null}
        ])
    );
}

#[test]
fn trends_by_team_reviewer_category_and_week() {
    let repo = fixture();
    let team = run_json(
        repo.path(),
        &[
            "trends", "--by", "team", "--period", "year", "--format", "json",
        ],
    );
    assert_eq!(
        team["rows"],
        json!([
            {"key": "tier1", "period": "2026", "reviews": 2, "score": 100.0, "change": null},
            {"key": "tier1", "period": "2027", "reviews": 1, "score": 25.0, "change": -75.0},
            {"key": "tier2", "period": "2026", "reviews": 2, "score": 68.75, "change": null}
        ])
    );
    let reviewer = run_json(
        repo.path(),
        &[
            "trends", "--by", "reviewer", "--period", "quarter", "--format", "json",
        ],
    );
    let keys: Vec<(&str, &str, u64)> = reviewer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["period"].as_str().unwrap(),
                r["reviews"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        keys,
        [
            ("bob", "2026-Q1", 1),
            ("bob", "2026-Q2", 1),
            ("bob", "2027-Q1", 1),
            ("carol", "2026-Q1", 1),
            ("dave", "2026-Q2", 1)
        ]
    );
    // Categories: mean value ×100 of numeric ratings. solution: r1 1, r2 1, r5 0.5, r6 1,
    // r7 0 (c1 left out).
    let cat = run_json(
        repo.path(),
        &[
            "trends", "--by", "category", "--period", "year", "--format", "json",
        ],
    );
    assert_eq!(
        cat["rows"][0],
        json!({"key": "support/solution", "period": "2026", "reviews": 4, "score": 87.5, "change": null})
    );
    assert_eq!(
        cat["rows"][1],
        json!({"key": "support/solution", "period": "2027", "reviews": 1, "score": 0.0, "change": -87.5})
    );
    // r7 falls in ISO week 53 of 2026 (Friday 2027-01-01 in Tallinn).
    let week = run_json(
        repo.path(),
        &[
            "trends", "--period", "week", "--agent", "alice", "--format", "json",
        ],
    );
    let periods: Vec<&str> = week["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["period"].as_str().unwrap())
        .collect();
    assert_eq!(periods, ["2026-W10", "2026-W53"]);
    // --since and --until are calendar days in the configured zone.
    let since = run_json(
        repo.path(),
        &[
            "trends",
            "--since",
            "2026-03-04",
            "--until",
            "2026-04-30",
            "--format",
            "json",
        ],
    );
    assert_eq!(since["rows"][0]["reviews"], 1);
}

#[test]
fn uncommitted_reviews_take_git_user_and_today() {
    let repo = fixture();
    write(repo.path(), "reviews/new.yaml", &review(2, "zed", "", 3, 2));
    // git config user.email of the fixture is alice@acme.example, not in the roster by
    // e-mail: the review would be credited to nobody the roster knows, so check rejects it
    // and score leaves it out, naming it.
    let out = crate::rubric(repo.path())
        .args(["score", "--format", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("reviews/new.yaml") && stderr.contains("unknown-reviewer"),
        "{stderr}"
    );
    assert!(!rows_by_id(&serde_json::from_slice(&out.stdout).unwrap()).contains_key("new"));
    crate::git_cmd(repo.path())
        .args(["config", "user.email", "Bob@Acme.example"])
        .output()
        .unwrap();
    let rows = rows_by_id(&run_json(repo.path(), &["score", "--format", "json"]));
    let r = &rows["new"];
    assert_eq!(r["uncommitted"], true);
    assert_eq!(r["reviewer"], "bob");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Tallinn)
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(r["date"], today);
    // A file edited on disk is scored as it is now, before it is committed.
    write(
        repo.path(),
        "reviews/r6.yaml",
        &review(2, "zed", "reviewer: bob\nreviewed_at: 2026-04-13\n", 1, 1),
    );
    let rows = rows_by_id(&run_json(repo.path(), &["score", "--format", "json"]));
    assert_eq!(rows["r6"]["score"], 0.0);
    assert_eq!(rows["r6"]["uncommitted"], false);
}

#[test]
fn example_repository_scores_match_the_hand_computed_table() {
    let rows = rows_by_id(&run_json(&project_root(), &["score", "--format", "json"]));
    let expected: [(&str, f64, Option<bool>); 16] = [
        ("zd-47102-alice", 100.0, Some(true)),
        ("zd-47255-marek", 68.75, Some(false)),
        ("chat-90211-priya", 280.0 / 3.0, Some(true)),
        ("zd-47390-jonas", 250.0 / 3.0, Some(false)),
        ("zd-47518-alice", 850.0 / 9.0, Some(true)),
        ("chat-90544-marek", 325.0 / 6.0, Some(false)),
        ("zd-47702-priya", 0.0, Some(false)),
        ("chat-90788-jonas", 230.0 / 3.0, Some(false)),
        ("zd-47911-marek", 87.5, Some(true)),
        ("zd-48102-cal-bob", 700.0 / 9.0, Some(false)),
        ("zd-48117-cal-bob", 50.0, Some(false)),
        ("zd-48102-cal-kadri", 250.0 / 3.0, Some(false)),
        ("zd-48117-cal-kadri", 400.0 / 9.0, Some(false)),
        ("chat-91030-alice", 275.0 / 3.0, Some(true)),
        // Its dispute was accepted (solution 3 → 4): every rating at the top of its scale.
        ("zd-48213-alice", 100.0, Some(true)),
        ("chat-91187-marek", 80.0, Some(true)),
    ];
    assert_eq!(rows.len(), 16);
    for (id, score, pass) in expected {
        let got = rows[id]["score"].as_f64().unwrap();
        assert!((got - score).abs() < 1e-9, "{id}: {got} != {score}");
        assert_eq!(rows[id]["pass"].as_bool(), pass, "{id}");
    }
    // The one time in the example (22:40 UTC on 30 September) is 1 October in Tallinn.
    assert_eq!(rows["zd-47518-alice"]["date"], "2026-10-01T01:40:00+03:00");
    let t = run_json(
        &project_root(),
        &["trends", "--by", "team", "--format", "json"],
    );
    let tier1: Vec<f64> = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"] == "tier1")
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    // November: (275/3 + 100 + 80) / 3 = (825 + 900 + 720) / 27.
    let want = [84.375, 2125.0 / 27.0, 2445.0 / 27.0];
    for (g, w) in tier1.iter().zip(want) {
        assert!((g - w).abs() < 1e-9, "{g} != {w}");
    }
}

#[test]
fn human_and_csv_formats() {
    let repo = fixture();
    let out = rubric(repo.path()).args(["trends"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "agent  month    reviews    IQS  change\nalice  2026-03        2  100.0\nalice  2027-01        1   25.0\nzed    2026-04        2   68.8\n"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80));
    let out = rubric(repo.path())
        .args(["trends", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "agent,period,reviews,score,change\nalice,2026-03,2,100,\nalice,2027-01,1,25,\nzed,2026-04,2,68.75,\n"
    );
    let out = rubric(repo.path())
        .args(["score", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("id,agent,reviewer,date,rubric,score,pass,calibration,uncommitted,path\n")
    );
    assert!(
        csv.contains(
            "r5,zed,dave,2026-04-12T13:00:00+03:00,support@2,37.5,false,,false,reviews/r5.yaml\n"
        ),
        "{csv}"
    );
}

#[test]
fn calibration_agreement_on_the_example() {
    let report = run_json(&project_root(), &["calibrate", "--format", "json"]);
    let s = &report["sessions"][0];
    assert_eq!(s["session"], "2026-w45");
    assert_eq!(
        (s["conversations"].as_u64(), s["reviewers"].as_u64()),
        (Some(2), Some(2))
    );
    let cat = |id: &str| {
        s["categories"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["category"] == id)
            .unwrap()
            .clone()
    };
    // accuracy: conversation 48102 rated 3/3 by both, 48117 rated 2 and 1 (values 1, 1 and
    // 0.5, 0): D_o = 0.125, D_e = 5.5/12, alpha = 1 - 0.125 / (5.5/12) = 8/11.
    let accuracy = cat("accuracy");
    assert!((accuracy["alpha"].as_f64().unwrap() - 8.0 / 11.0).abs() < 1e-12);
    assert_eq!(accuracy["ratings"], 4);
    // No variation at all: alpha is undefined.
    assert_eq!(cat("data_protection")["alpha"], Value::Null);
    // follow_up: one conversation has a single numeric rating (the other reviewer said na).
    assert_eq!(cat("follow_up")["ratings"], 3);
    // Deviations from the median (×100): the both-rated pairs differ by 104.17 in total
    // (halved), over bob's 11 numeric ratings and kadri's 12.
    let dev: Vec<f64> = s["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["mean_abs_deviation"].as_f64().unwrap())
        .collect();
    let total = 100.0 * ((1.0 / 3.0) / 2.0 + 0.25 / 2.0 + 0.5 + 0.25);
    assert!((dev[0] - total / 11.0).abs() < 1e-9, "{dev:?}");
    assert!((dev[1] - total / 12.0).abs() < 1e-9, "{dev:?}");
    let out = rubric(&project_root())
        .args(["calibrate", "--session", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn export_one_row_per_rating() {
    let out = rubric(&project_root()).args(["export"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 11 support reviews × 6 categories + 5 chat reviews × 4.
    assert_eq!(rows.len(), 86);
    let r = rows
        .iter()
        .find(|r| r["review"] == "zd-47702-priya" && r["category"] == "data_protection")
        .unwrap();
    assert_eq!(
        (
            &r["rating"],
            &r["value"],
            &r["weight"],
            &r["critical"],
            &r["review_score"]
        ),
        (
            &json!(1),
            &json!(0.0),
            &json!(1.0),
            &json!(true),
            &json!(0.0)
        )
    );
    for key in [
        "review",
        "agent",
        "reviewer",
        "date",
        "rubric",
        "version",
        "category",
        "rating",
        "value",
        "weight",
        "review_score",
    ] {
        assert!(r.get(key).is_some(), "{key}");
    }
    let na = rows.iter().find(|r| r["rating"].is_null()).unwrap();
    assert!(na["value"].is_null());
    let out = rubric(&project_root())
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 87);
    assert!(csv.starts_with(
        "review,agent,team,reviewer,date,rubric,version,conversation,url,channel,category,rating,value,"
    ));
}

/// `tone` in two rubrics is two questions: `--by category` keys rows by `rubric/category`.
#[test]
fn trends_by_category_keeps_rubrics_apart() {
    let rubric = |id: &str| {
        format!("id: {id}\nversion: 1\ntitle: T\ncategories:\n  - {{id: tone, title: Tone, scale: 5}}\n")
    };
    let review = |id: &str, tone: u8| {
        format!(
            "rubric: {id}@1\nagent: alice\nreviewer: bob\nreviewed_at: 2026-11-20\n\
             conversation: {{id: \"1\"}}\nratings:\n  tone: {tone}\n"
        )
    };
    let (chat, support) = (rubric("chat"), rubric("support"));
    let (a, b) = (review("chat", 5), review("support", 1));
    let repo = crate::temp_repo(&[
        ("rubrics/chat.yaml", &chat),
        ("rubrics/support.yaml", &support),
        ("reviews/a.yaml", &a),
        ("reviews/b.yaml", &b),
    ]);
    let cat = run_json(
        repo.path(),
        &["trends", "--by", "category", "--format", "json"],
    );
    assert_eq!(
        cat["rows"],
        json!([
            {"key": "chat/tone", "period": "2026-11", "reviews": 1, "score": 100.0, "change": null},
            {"key": "support/tone", "period": "2026-11", "reviews": 1, "score": 0.0, "change": null}
        ])
    );
}

#[test]
fn trends_by_channel_uses_the_conversation_channel() {
    let t = run_json(
        &project_root(),
        &["trends", "--by", "channel", "--format", "json"],
    );
    assert_eq!(t["by"], "channel");
    let row = t["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == "chat" && r["period"] == "2026-11")
        .expect("chat in 2026-11");
    // chat-91030-alice 275/3 and chat-91187-marek 80.
    assert_eq!(row["reviews"], 2);
    let got = row["score"].as_f64().unwrap();
    assert!((got - (275.0 / 3.0 + 80.0) / 2.0).abs() < 1e-9, "{got}");
}
