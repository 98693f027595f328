//! One QA state for every command (SPEC §5.5, issue 8): one regression test per case under
//! "Why", each on a scripted git history with fixed dates.
//!
//! Scores are computed by hand in the comments: value = (r - 1) / (n - 1), score =
//! 100·Σ weight·value / Σ weight over the categories rated with a number, 0 when a critical
//! category has a value below 0.5.

use crate::{check_json, git_as, problems, rubric, temp_repo, REVIEW, RUBRIC};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;

const BOB: (&str, &str) = ("Bob Jones", "bob@acme.example");

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

fn init(dir: &Path) {
    git_as(dir, BOB, "2026-01-01T10:00:00Z", &["init", "-q"]);
}

/// `git add -A` and a commit as `who` at `date`.
fn commit(dir: &Path, who: (&str, &str), date: &str, msg: &str) {
    git_as(dir, who, date, &["add", "-A"]);
    git_as(dir, who, date, &["commit", "-q", "-m", msg]);
}

/// Runs `rubric ARGS` in `dir`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `rubric ARGS` and parses its stdout as one JSON document (whatever the exit code: a
/// command that leaves files out may say so with its exit code too). Also returns stderr.
fn run_json(dir: &Path, args: &[&str]) -> (Value, String) {
    let (code, out, err) = run(dir, args);
    let v = serde_json::from_str(&out).unwrap_or_else(|e| {
        panic!("rubric {args:?} (exit {code}) prints JSON ({e}): {out}\nstderr: {err}")
    });
    (v, err)
}

/// The `id`s of a `score --format json` array.
fn score_ids(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("score prints an array")
        .iter()
        .map(|r| r["id"].as_str().expect("id").to_string())
        .collect()
}

/// The one `score --format json` row with this id.
#[track_caller]
fn score_row<'a>(v: &'a Value, id: &str) -> &'a Value {
    v.as_array()
        .expect("score prints an array")
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no score row `{id}` in {v:#}"))
}

#[track_caller]
fn close(v: &Value, want: f64) {
    let got = v
        .as_f64()
        .unwrap_or_else(|| panic!("{v} is not a number (want {want})"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

/// The paths under `left_out` of a SPEC §7 report: `[{"path", "code", "message"}]`. Asserts
/// the shape of every entry.
#[track_caller]
fn left_out(report: &Value) -> BTreeSet<String> {
    let list = report["left_out"]
        .as_array()
        .unwrap_or_else(|| panic!("no `left_out` array in {report:#}"));
    list.iter()
        .map(|e| {
            assert!(
                e["code"].as_str().is_some_and(|c| !c.is_empty()),
                "left_out entry without a code: {e}"
            );
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "left_out entry without a message: {e}"
            );
            e["path"].as_str().expect("left_out path").to_string()
        })
        .collect()
}

/// The paths under `left_out` of the page context (the templates' own contract, not a SPEC §7
/// type): each entry is a path or an object with a `path`.
fn context_left_out(ctx: &Value) -> BTreeSet<String> {
    ctx["left_out"]
        .as_array()
        .unwrap_or_else(|| panic!("no `left_out` array in the context"))
        .iter()
        .map(|e| {
            e.as_str()
                .or_else(|| e["path"].as_str())
                .expect("a path")
                .to_string()
        })
        .collect()
}

/// The codes `check` reports for one path.
fn codes_for(check: &Value, path: &str) -> BTreeSet<String> {
    problems(check)
        .into_iter()
        .filter(|p| p.0 == path)
        .map(|p| p.3)
        .collect()
}

/// Every review card on every agent page of a page context.
fn context_reviews(ctx: &Value) -> Vec<&Value> {
    ctx["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .flat_map(|p| p["reviews"].as_array().expect("reviews").iter())
        .collect()
}

#[track_caller]
fn context_agent<'a>(ctx: &'a Value, id: &str) -> &'a Value {
    ctx["agents"]
        .as_array()
        .expect("agents")
        .iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no agent `{id}` in the context"))
}

// ---------------------------------------------------------------------------------------------
// 1. A review that `check` rejects is left out of every command, and named.

/// `REVIEW` (main.rs) with other values.
fn review_with(pairs: &[(&str, &str)]) -> String {
    let mut text = REVIEW.to_string();
    for (from, to) in pairs {
        assert!(text.contains(from), "REVIEW has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

#[test]
fn a_review_that_check_rejects_is_left_out_of_every_command() {
    // RUBRIC is support@2: solution scale 4 weight 3, tone scale 5 weight 2, grammar scale 3
    // (na allowed), security scale 2 critical. REVIEW rates solution 3 (2/3), tone 2 (1/4),
    // grammar na, security 2 (1): 100·(3·2/3 + 2·1/4 + 1·1)/(3 + 2 + 1) = 350/6 = 58.33.
    let good = 350.0 / 6.0;
    // bad: solution 9 on a scale of 4 and a category the rubric does not have.
    let bad = review_with(&[
        (
            "conversation:\n  id: \"48213\"",
            "conversation:\n  id: \"48214\"",
        ),
        ("  solution: 3\n", "  solution: 9\n  speed: 3\n"),
    ]);
    // A calibration session of one conversation: bob and carol valid, dave's out of scale.
    let cal = |reviewer: &str, solution: &str| {
        review_with(&[
            (
                "reviewer: bob\n",
                &format!("reviewer: {reviewer}\ncalibration: s1\n"),
            ),
            (
                "conversation:\n  id: \"48213\"",
                "conversation:\n  id: \"7\"",
            ),
            ("  solution: 3\n", &format!("  solution: {solution}\n")),
        ])
    };
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/good.yaml", REVIEW),
        ("reviews/bad.yaml", &bad),
        ("reviews/cal-bob.yaml", &cal("bob", "3")),
        ("reviews/cal-carol.yaml", &cal("carol", "4")),
        ("reviews/cal-dave.yaml", &cal("dave", "9")),
    ]);
    let d = dir.path();
    init(d);
    commit(d, BOB, "2026-11-21T10:00:00Z", "reviews");
    let rejected = ["reviews/bad.yaml", "reviews/cal-dave.yaml"];

    // check: two errors on bad.yaml, one on cal-dave.yaml; exit 1.
    let (code, check) = check_json(d, &[]);
    assert_eq!(code, 1, "{check:#}");
    assert_eq!(
        codes_for(&check, "reviews/bad.yaml"),
        BTreeSet::from(["rating-out-of-scale".into(), "unknown-category".into()]),
        "{check:#}"
    );
    assert_eq!(
        codes_for(&check, "reviews/cal-dave.yaml"),
        BTreeSet::from(["rating-out-of-scale".to_string()]),
        "{check:#}"
    );
    for ok in [
        "reviews/good.yaml",
        "reviews/cal-bob.yaml",
        "reviews/cal-carol.yaml",
    ] {
        assert_eq!(codes_for(&check, ok), BTreeSet::new(), "{ok}: {check:#}");
    }

    // score: not in the array (the array keeps its shape), named on stderr.
    let (score, err) = run_json(d, &["score", "--format", "json"]);
    let ids: BTreeSet<String> = score_ids(&score).into_iter().collect();
    assert_eq!(
        ids,
        BTreeSet::from(["cal-bob".into(), "cal-carol".into(), "good".into()]),
        "{score:#}"
    );
    close(&score_row(&score, "good")["score"], good);
    for path in rejected {
        assert!(err.contains(path), "score names {path} on stderr: {err}");
    }

    // trends: the bad review is not counted (alice has one review in November, 58.33), and it
    // is listed under left_out with one of the codes check gave it.
    let (trends, err) = run_json(d, &["trends", "--format", "json"]);
    assert_eq!(
        trends["rows"].as_array().map(Vec::len),
        Some(1),
        "{trends:#}"
    );
    let row = &trends["rows"][0];
    assert_eq!(
        (&row["key"], &row["period"], &row["reviews"]),
        (&json!("alice"), &json!("2026-11"), &json!(1)),
        "{trends:#}"
    );
    close(&row["score"], good);
    assert!(
        left_out(&trends).contains("reviews/bad.yaml"),
        "trends left_out: {trends:#}"
    );
    for e in trends["left_out"].as_array().unwrap() {
        let path = e["path"].as_str().unwrap();
        let code = e["code"].as_str().unwrap();
        assert!(
            codes_for(&check, path).contains(code),
            "left_out {path} with `{code}`, which check does not report for it"
        );
    }
    assert!(err.contains("reviews/bad.yaml"), "trends stderr: {err}");

    // export: no row of a rejected review; named on stderr.
    let (_, out, err) = run(d, &["export", "--format", "jsonl"]);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let exported: BTreeSet<&str> = rows.iter().map(|r| r["review"].as_str().unwrap()).collect();
    assert_eq!(
        exported,
        BTreeSet::from(["cal-bob", "cal-carol", "good"]),
        "{out}"
    );
    // 3 reviews × 4 categories.
    assert_eq!(rows.len(), 12, "{out}");
    for path in rejected {
        assert!(err.contains(path), "export names {path} on stderr: {err}");
    }

    // render --context (what the templates see): the bad review is on no page and in no
    // figure; the context names it as left out.
    let (ctx, _) = run_json(d, &["render", "--context"]);
    let cards: Vec<&str> = context_reviews(&ctx)
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(cards, ["good"], "the pages show only the valid review");
    let alice = context_agent(&ctx, "alice");
    assert_eq!(alice["total_reviews"], 1, "{alice:#}");
    close(&alice["iqs"], good);
    assert!(
        context_left_out(&ctx).contains("reviews/bad.yaml"),
        "context left_out: {:#}",
        ctx["left_out"]
    );

    // calibrate: dave's rating is not counted; the report has left_out naming it.
    let (cal, _) = run_json(d, &["calibrate", "--format", "json"]);
    let s = &cal["sessions"][0];
    assert_eq!(s["session"], "s1", "{cal:#}");
    assert_eq!(
        (s["conversations"].as_u64(), s["reviewers"].as_u64()),
        (Some(1), Some(2)),
        "{cal:#}"
    );
    let solution = s["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["category"] == "solution")
        .expect("solution");
    assert_eq!(solution["ratings"], 2, "{cal:#}");
    let reviewers: BTreeSet<&str> = s["deviations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["reviewer"].as_str().unwrap())
        .collect();
    assert_eq!(reviewers, BTreeSet::from(["bob", "carol"]), "{cal:#}");
    assert!(
        left_out(&cal).contains("reviews/cal-dave.yaml"),
        "calibrate left_out: {cal:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// 2. One rubric version, resolved one way: a merge that keeps our scale.

/// support@1, then support@2 with `tone` on a scale of 5 (main) or 6 (a branch).
fn support(version: u32, tone_scale: u32) -> String {
    format!(
        "id: support\nversion: {version}\ntitle: Support\ncategories:\n  - {{id: solution, title: Solution, scale: 4}}\n  - {{id: tone, title: Tone, scale: {tone_scale}}}\n"
    )
}

fn rating_review(version: u32, date: &str, conversation: &str, ratings: &str) -> String {
    format!(
        "rubric: support@{version}\nagent: alice\nreviewer: bob\nreviewed_at: {date}\nconversation: {{id: \"{conversation}\"}}\nratings:\n{ratings}"
    )
}

/// 2026-10-01 support@1; 2026-10-05 on main support@2 with tone 1..5; 2026-10-06 on branch
/// `wide` (from support@1) support@2 with tone 1..6; 2026-10-10 `merge -X ours` keeps 1..5;
/// 2026-10-12 r5 (tone 5) and r6 (tone 6) on main; 2026-10-20 support@3.
#[test]
fn a_merge_that_keeps_our_scale_scores_on_that_scale() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    init(d);
    write(d, "rubrics/support.yaml", &support(1, 4));
    commit(d, BOB, "2026-10-01T10:00:00Z", "support v1");
    // main: support@2 with tone on 1..5.
    write(d, "rubrics/support.yaml", &support(2, 5));
    commit(d, BOB, "2026-10-05T10:00:00Z", "support v2, tone 1..5");
    // A branch from v1, committed later: support@2 with tone on 1..6.
    git_as(
        d,
        BOB,
        "2026-10-06T10:00:00Z",
        &["checkout", "-q", "-b", "wide", "HEAD~1"],
    );
    write(d, "rubrics/support.yaml", &support(2, 6));
    commit(d, BOB, "2026-10-06T10:00:00Z", "support v2, tone 1..6");
    git_as(d, BOB, "2026-10-10T10:00:00Z", &["checkout", "-q", "main"]);
    git_as(
        d,
        BOB,
        "2026-10-10T10:00:00Z",
        &[
            "merge",
            "-q",
            "--no-ff",
            "-X",
            "ours",
            "-m",
            "merge wide",
            "wide",
        ],
    );
    assert_eq!(
        std::fs::read_to_string(d.join("rubrics/support.yaml")).unwrap(),
        support(2, 5),
        "the merge keeps scale 5"
    );
    // After the merge, on main: tone 5 and tone 6.
    // r5: solution 4 of 4 (1) and tone 5 of 5 (1): 100 (on a scale of 6: (1 + 0.8)/2 = 90).
    write(
        d,
        "reviews/r5.yaml",
        &rating_review(2, "2026-10-12", "5", "  solution: 4\n  tone: 5\n"),
    );
    // r6: tone 6 is outside 1..5.
    write(
        d,
        "reviews/r6.yaml",
        &rating_review(2, "2026-10-12", "6", "  solution: 4\n  tone: 6\n"),
    );
    commit(d, BOB, "2026-10-12T10:00:00Z", "two reviews");
    // Later the rubric moves on to support@3 (tone on 1..7): the working tree no longer
    // declares version 2, so every command finds v2 in history, and must find the same v2.
    write(d, "rubrics/support.yaml", &support(3, 7));
    commit(d, BOB, "2026-10-20T10:00:00Z", "support v3, tone 1..7");

    let (code, check) = check_json(d, &[]);
    assert_eq!(
        codes_for(&check, "reviews/r6.yaml"),
        BTreeSet::from(["rating-out-of-scale".to_string()]),
        "{check:#}"
    );
    assert_eq!(
        codes_for(&check, "reviews/r5.yaml"),
        BTreeSet::new(),
        "{check:#}"
    );
    assert_eq!(code, 1, "{check:#}");

    let (score, err) = run_json(d, &["score", "--format", "json"]);
    let r5 = score_row(&score, "r5");
    assert_eq!(r5["version"], 2);
    // On the scale of 5 that the merge kept, not on the branch's 6 (which gives 90).
    close(&r5["score"], 100.0);
    assert_eq!(score_ids(&score), ["r5"], "r6 is left out: {score:#}");
    assert!(err.contains("reviews/r6.yaml"), "score stderr: {err}");
}

// ---------------------------------------------------------------------------------------------
// 3. A scoring change without a version bump, then the bump: older reviews keep their scores.

// support@1 as first written: solution scale 4, tone scale 3, weights 1.
const V1_OLD: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone, scale: 3}\n";
// support@1 changed without a bump: solution weighs 3, and `empathy` is new.
const V1_UNBUMPED: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4, weight: 3}\n  - {id: tone, title: Tone, scale: 3}\n  - {id: empathy, title: Empathy, scale: 3}\n";

/// The history, commit by commit (UTC):
///
/// 1. 2026-09-01 support@1 (`V1_OLD`).
/// 2. 2026-09-02 r1 (v1): solution 4, tone 1 → (1 + 0)/2 = 50 (under the later weight 3:
///    (3·1 + 0)/4 = 75).
/// 3. 2026-09-03 r2 (v1): solution 2, tone 3 → (1/3 + 1)/2 = 66.67 (later: (3·1/3 + 1)/4 = 50).
///    Tagged `old`.
/// 4. 2026-09-10 support@1 changed to `V1_UNBUMPED`, version not bumped. Tagged `unbumped`.
/// 5. 2026-09-10 12:00 r4 (v1) written against that content but without `empathy`:
///    `missing-rating`.
/// 6. 2026-09-11 the bump: support@2, the content of 4.
/// 7. 2026-09-15 r3 (v2): solution 3, tone 2, empathy 3 → (3·2/3 + 1/2 + 1)/5 = 70.
fn unbumped_then_bumped() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    init(d);
    write(d, "rubrics/support.yaml", V1_OLD);
    commit(d, BOB, "2026-09-01T10:00:00Z", "support v1");
    write(
        d,
        "reviews/r1.yaml",
        &rating_review(1, "2026-09-02", "1", "  solution: 4\n  tone: 1\n"),
    );
    commit(d, BOB, "2026-09-02T10:00:00Z", "r1");
    write(
        d,
        "reviews/r2.yaml",
        &rating_review(1, "2026-09-03", "2", "  solution: 2\n  tone: 3\n"),
    );
    commit(d, BOB, "2026-09-03T10:00:00Z", "r2");
    git_as(d, BOB, "2026-09-03T10:00:00Z", &["tag", "old"]);
    write(d, "rubrics/support.yaml", V1_UNBUMPED);
    commit(d, BOB, "2026-09-10T10:00:00Z", "solution weighs 3, empathy");
    git_as(d, BOB, "2026-09-10T10:00:00Z", &["tag", "unbumped"]);
    write(
        d,
        "reviews/r4.yaml",
        &rating_review(1, "2026-09-10", "4", "  solution: 4\n  tone: 2\n"),
    );
    commit(d, BOB, "2026-09-10T12:00:00Z", "r4");
    write(
        d,
        "rubrics/support.yaml",
        &V1_UNBUMPED.replace("version: 1", "version: 2"),
    );
    commit(d, BOB, "2026-09-11T10:00:00Z", "support v2");
    write(
        d,
        "reviews/r3.yaml",
        &rating_review(
            2,
            "2026-09-15",
            "3",
            "  solution: 3\n  tone: 2\n  empathy: 3\n",
        ),
    );
    commit(d, BOB, "2026-09-15T10:00:00Z", "r3");
    dir
}

#[test]
fn an_unbumped_scoring_change_does_not_rescore_older_reviews() {
    let dir = unbumped_then_bumped();
    let d = dir.path();

    // check: the cause first (a warning in history), then the one review written against the
    // unbumped content; no `missing-rating` on the reviews written before it.
    let (code, check) = check_json(d, &[]);
    let list = problems(&check);
    let cause = list
        .iter()
        .position(|p| p.0 == "rubrics/support.yaml" && p.3 == "version-not-bumped")
        .unwrap_or_else(|| panic!("no version-not-bumped on the rubric: {check:#}"));
    assert_eq!(
        check["problems"][cause]["severity"], "warning",
        "in history it is a warning: {check:#}"
    );
    let first_review = list.iter().position(|p| p.0.starts_with("reviews/"));
    assert!(
        first_review.is_none_or(|i| cause < i),
        "the cause is listed before any review problem: {check:#}"
    );
    for ok in ["reviews/r1.yaml", "reviews/r2.yaml", "reviews/r3.yaml"] {
        assert_eq!(codes_for(&check, ok), BTreeSet::new(), "{ok}: {check:#}");
    }
    assert_eq!(
        codes_for(&check, "reviews/r4.yaml"),
        BTreeSet::from(["missing-rating".to_string()]),
        "{check:#}"
    );
    assert_eq!(code, 1, "r4 is an error: {check:#}");

    // score: r1 and r2 with the weights they were written against; r4 left out.
    let (score, _) = run_json(d, &["score", "--format", "json"]);
    let ids: BTreeSet<String> = score_ids(&score).into_iter().collect();
    assert_eq!(
        ids,
        BTreeSet::from(["r1".into(), "r2".into(), "r3".into()]),
        "{score:#}"
    );
    close(&score_row(&score, "r1")["score"], 50.0);
    close(&score_row(&score, "r2")["score"], 200.0 / 3.0);
    close(&score_row(&score, "r3")["score"], 70.0);

    // history: the one version of r1 and of r2, with those scores.
    for (id, want) in [("r1", 50.0), ("r2", 200.0 / 3.0)] {
        let (h, _) = run_json(d, &["history", id, "--format", "json"]);
        let rows = h.as_array().expect("history array");
        assert_eq!(rows.len(), 1, "{id}: {h:#}");
        close(&rows[0]["score"], want);
    }

    // diff: from the rubric before the change, r1 and r2 move from their own scores to v2's:
    // r1 50 → 75, r2 66.67 → 50. r4 is left out. (From the unbumped commit the two rubric
    // versions score alike, so `diff` has no scoring change to show.)
    {
        let base = "old";
        let (diff, err) = run_json(
            d,
            &["diff", base, "HEAD", "--days", "36500", "--format", "json"],
        );
        let impact = diff["impact"]
            .as_array()
            .and_then(|i| i.iter().find(|i| i["rubric"] == "support"))
            .unwrap_or_else(|| panic!("diff {base}: no impact for support: {diff:#}\n{err}"));
        assert_eq!(
            (
                impact["from_version"].as_u64(),
                impact["to_version"].as_u64()
            ),
            (Some(1), Some(2)),
            "diff {base}: {impact:#}"
        );
        let movers = impact["movers"].as_array().expect("movers");
        let mover = |id: &str| {
            movers
                .iter()
                .find(|m| m["id"] == id)
                .unwrap_or_else(|| panic!("diff {base}: no mover {id}: {impact:#}"))
        };
        close(&mover("r1")["before"], 50.0);
        close(&mover("r1")["after"], 75.0);
        close(&mover("r2")["before"], 200.0 / 3.0);
        close(&mover("r2")["after"], 50.0);
        assert!(
            movers.iter().all(|m| m["id"] != "r4"),
            "diff {base}: r4 is rejected by check and left out: {impact:#}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 4. A reviewer taken from the commit author must be in the roster.

#[test]
fn an_author_missing_from_the_roster_is_an_unknown_reviewer() {
    let config = "timezone: UTC\npeople:\n  alice: { team: tier1 }\n  bob: { team: qa, emails: [bob@acme.example] }\n";
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    init(d);
    write(d, "qa.yaml", config);
    write(d, "rubrics/support.yaml", &support(1, 3));
    commit(d, BOB, "2026-11-01T10:00:00Z", "config and rubric");
    // By bob, without `reviewer:`: bob from his e-mail. solution 3 of 4, tone 3 of 3:
    // (2/3 + 1)/2 = 83.33.
    let no_reviewer = |conversation: &str| {
        format!(
            "rubric: support@1\nagent: alice\nreviewed_at: 2026-11-02\nconversation: {{id: \"{conversation}\"}}\nratings:\n  solution: 3\n  tone: 3\n"
        )
    };
    write(d, "reviews/by-bob.yaml", &no_reviewer("1"));
    commit(d, BOB, "2026-11-02T10:00:00Z", "a review by bob");
    // By an e-mail that is in no roster entry.
    write(d, "reviews/by-ghost.yaml", &no_reviewer("2"));
    commit(
        d,
        ("Ghost Writer", "ghost@elsewhere.example"),
        "2026-11-03T10:00:00Z",
        "a review by someone not in the roster",
    );

    let (code, check) = check_json(d, &[]);
    assert_eq!(
        codes_for(&check, "reviews/by-ghost.yaml"),
        BTreeSet::from(["unknown-reviewer".to_string()]),
        "{check:#}"
    );
    assert_eq!(
        codes_for(&check, "reviews/by-bob.yaml"),
        BTreeSet::new(),
        "{check:#}"
    );
    assert_eq!(code, 1, "{check:#}");

    let (score, err) = run_json(d, &["score", "--format", "json"]);
    assert_eq!(score_ids(&score), ["by-bob"], "{score:#}");
    assert_eq!(score_row(&score, "by-bob")["reviewer"], "bob");
    close(&score_row(&score, "by-bob")["score"], 250.0 / 3.0);
    assert!(err.contains("reviews/by-ghost.yaml"), "score stderr: {err}");

    // trends by agent and by reviewer: one review, bob's; the ghost is no reviewer.
    let (trends, _) = run_json(d, &["trends", "--format", "json"]);
    assert_eq!(
        trends["rows"].as_array().map(Vec::len),
        Some(1),
        "{trends:#}"
    );
    assert_eq!(trends["rows"][0]["reviews"], 1, "{trends:#}");
    close(&trends["rows"][0]["score"], 250.0 / 3.0);
    assert!(
        left_out(&trends).contains("reviews/by-ghost.yaml"),
        "{trends:#}"
    );
    let (by_reviewer, _) = run_json(d, &["trends", "--by", "reviewer", "--format", "json"]);
    let keys: Vec<&str> = by_reviewer["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["bob"], "{by_reviewer:#}");
}

// ---------------------------------------------------------------------------------------------
// 5. `--rev` reads every file from that commit.

#[test]
fn render_at_a_revision_shows_the_committed_comment() {
    let committed = review_with(&[(
        "  security: 2\n",
        "  security: 2\ncomment: Committed comment.\n",
    )]);
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/r1.yaml", &committed),
    ]);
    let d = dir.path();
    init(d);
    commit(d, BOB, "2026-11-21T10:00:00Z", "r1");
    // An uncommitted edit of the comment in the working tree.
    write(
        d,
        "reviews/r1.yaml",
        &committed.replace("Committed comment.", "Uncommitted edit."),
    );

    let (code, out, err) = run(d, &["render", "--rev", "HEAD", "--context"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("Uncommitted edit."), "{out}");
    let ctx: Value = serde_json::from_str(&out).expect("JSON");
    let cards = context_reviews(&ctx);
    assert_eq!(cards.len(), 1, "{ctx:#}");
    assert_eq!(cards[0]["comment"], "Committed comment.");
    // Without --rev the working tree counts.
    let (ctx, _) = run_json(d, &["render", "--context"]);
    assert_eq!(context_reviews(&ctx)[0]["comment"], "Uncommitted edit.");
}

// ---------------------------------------------------------------------------------------------
// 6. "Change" is against the calendar period just before, on pages as in trends.

#[test]
fn change_is_against_the_calendar_month_before_on_pages_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    init(d);
    write(d, "qa.yaml", "timezone: UTC\n");
    write(d, "rubrics/support.yaml", &support(1, 3));
    commit(d, BOB, "2026-09-01T10:00:00Z", "support v1");
    // September: solution 1 of 4 (0), tone 3 of 3 (1) → 50. October: nothing. November:
    // 4 of 4, 3 of 3 → 100.
    write(
        d,
        "reviews/sep.yaml",
        &rating_review(1, "2026-09-10", "1", "  solution: 1\n  tone: 3\n"),
    );
    commit(d, BOB, "2026-09-10T10:00:00Z", "september");
    write(
        d,
        "reviews/nov.yaml",
        &rating_review(1, "2026-11-10", "2", "  solution: 4\n  tone: 3\n"),
    );
    commit(d, BOB, "2026-11-10T10:00:00Z", "november");

    let (trends, _) = run_json(d, &["trends", "--format", "json"]);
    assert_eq!(
        trends["rows"],
        json!([
            {"key": "alice", "period": "2026-09", "reviews": 1, "score": 50.0, "change": null},
            {"key": "alice", "period": "2026-11", "reviews": 1, "score": 100.0, "change": null}
        ])
    );

    let (ctx, _) = run_json(d, &["render", "--context"]);
    assert_eq!(ctx["current_period"], "2026-11", "{ctx:#}");
    let alice = context_agent(&ctx, "alice");
    close(&alice["iqs"], 100.0);
    assert_eq!(
        alice["change"],
        Value::Null,
        "October had no reviews: {alice:#}"
    );
    for page in ctx["pages"].as_array().expect("pages") {
        assert_eq!(page["agent"]["change"], Value::Null, "{:#}", page["agent"]);
    }

    // The rendered pages say no change either.
    for format in ["html", "md"] {
        let site = d.join(format!("site-{format}"));
        let out = rubric(d)
            .args(["render", "--format", format, "--out"])
            .arg(&site)
            .output()
            .expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        for page in [format!("index.{format}"), format!("agents/alice.{format}")] {
            let text = std::fs::read_to_string(site.join(&page)).expect("page");
            assert!(
                !text.contains("+50.0"),
                "{page} shows +50.0 against September"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 7. One path selector: a path that does not exist is a usage error for every command.

#[test]
fn score_of_a_path_that_does_not_exist_exits_2_like_check() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/r1.yaml", REVIEW),
    ]);
    let d = dir.path();
    init(d);
    commit(d, BOB, "2026-11-21T10:00:00Z", "r1");
    for cmd in ["check", "score"] {
        let (code, out, err) = run(d, &[cmd, "no/such.yaml", "--format", "json"]);
        assert_eq!(code, 2, "{cmd}: stdout {out}\nstderr {err}");
        assert!(err.contains("no/such.yaml"), "{cmd} names the path: {err}");
        assert_eq!(out.trim(), "", "{cmd} prints no report");
    }
    // An existing path still works.
    let (score, _) = run_json(d, &["score", "reviews/r1.yaml", "--format", "json"]);
    assert_eq!(score_ids(&score), ["r1"]);
}
