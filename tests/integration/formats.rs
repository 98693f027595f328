//! Every output format of `rubric check`, tested as a contract on one small repository.

use crate::{rubric, temp_repo};
use serde_json::{json, Value};

const RUBRIC: &str = "id: support\nversion: 2\ntitle: Support\ncategories:\n  - id: solution\n    title: Solution\n    scale: 4\n  - id: tone\n    title: Tone\n    scale: 5\n";
const REVIEW: &str = "rubric: support@2\nagent: alice\nreviewer: alice\nconversation: {id: \"1\"}\nratings:\n  solution: 7\n  tone: 3\n";

fn repo() -> tempfile::TempDir {
    temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/a,b.yaml", "rubric: support@2\nagent: bob\nconversation: {id: \"2\"}\nratings: {solution: 1, tone: 1}\n"),
        ("reviews/r1.yaml", REVIEW),
    ])
}

fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = rubric(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).expect("UTF-8"),
    )
}

#[test]
fn json_is_exactly_the_spec_shape() {
    let dir = repo();
    let (code, out) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        v,
        json!({
            "files_checked": 3,
            "problems": [
                {"path": "reviews/a,b.yaml", "line": 1, "column": 1, "severity": "error",
                 "code": "invalid-review-id",
                 "message": "the file name `a,b` is not a valid review id and the review has no `id`"},
                {"path": "reviews/r1.yaml", "line": 3, "column": 11, "severity": "warning",
                 "code": "self-review",
                 "message": "reviewer `alice` is the agent `alice` of this conversation"},
                {"path": "reviews/r1.yaml", "line": 6, "column": 13, "severity": "error",
                 "code": "rating-out-of-scale",
                 "message": "rating 7 for `solution` is outside its scale 1..4"}
            ]
        })
    );
}

#[test]
fn human_shows_the_source_line_with_a_caret() {
    let dir = repo();
    let (code, out) = run(dir.path(), &["check", "reviews/r1.yaml"]);
    assert_eq!(code, 1);
    let expected = "\
warning[self-review]: reviewer `alice` is the agent `alice` of this conversation
 --> reviews/r1.yaml:3:11
  |
3 | reviewer: alice
  |           ^^^^^
  |
help: Have someone else review this conversation.

error[rating-out-of-scale]: rating 7 for `solution` is outside its scale 1..4
 --> reviews/r1.yaml:6:13
  |
6 |   solution: 7
  |             ^
  |
help: Use a rating from 1 to the category's scale.

checked 1 file: 1 error, 1 warning
";
    assert_eq!(out, expected);
}

#[test]
fn github_workflow_commands_are_escaped() {
    let dir = repo();
    let (code, out) = run(dir.path(), &["check", "--format", "github"]);
    assert_eq!(code, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        "::error file=reviews/a%2Cb.yaml,line=1,col=1,title=rubric invalid-review-id::the file name `a,b` is not a valid review id and the review has no `id`%0AAdd an `id:` with letters, digits and . _ @ + -, or rename the file."
    );
    assert!(lines[1]
        .starts_with("::warning file=reviews/r1.yaml,line=3,col=11,title=rubric self-review::"));
    // GITHUB_ACTIONS=true makes github the default.
    let out = rubric(dir.path())
        .arg("check")
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), out_of(&lines));
}

fn out_of(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn sarif_has_one_rule_per_code_and_located_results() {
    let dir = repo();
    let (code, out) = run(dir.path(), &["check", "--format", "sarif"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), rubric::Code::ALL.len());
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let names: Vec<&str> = rubric::Code::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(ids, names);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    let r = &results[2];
    assert_eq!(r["ruleId"], "rating-out-of-scale");
    assert_eq!(
        rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "rating-out-of-scale"
    );
    assert_eq!(r["level"], "error");
    let loc = &r["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "reviews/r1.yaml");
    assert_eq!(loc["artifactLocation"]["uriBaseId"], "SRCROOT");
    assert_eq!(loc["region"], json!({"startLine": 6, "startColumn": 13}));
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "reviews/a%2Cb.yaml"
    );
    let base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    assert_eq!(results[1]["level"], "warning");
}

#[test]
fn junit_has_one_testcase_per_file() {
    let dir = repo();
    let (code, out) = run(dir.path(), &["check", "--format", "junit"]);
    assert_eq!(code, 1);
    assert!(out.starts_with("<?xml"));
    assert!(
        out.contains(
            r#"<testsuite name="rubric check" tests="3" skipped="0" errors="0" failures="2">"#
        ),
        "{out}"
    );
    assert!(out.contains(r#"<testcase name="rubrics/support.yaml" classname="rubric.check"/>"#));
    assert!(out.contains(r#"<testcase name="reviews/r1.yaml" classname="rubric.check">"#));
    assert!(out.contains(r#"type="rating-out-of-scale""#) || out.contains(r#"type="self-review""#));
    assert!(out.contains("reviews/r1.yaml:6:13: error[rating-out-of-scale]"));
}

#[test]
fn warnings_alone_exit_zero_and_junit_passes() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        (
            "reviews/r1.yaml",
            &REVIEW.replace("solution: 7", "solution: 3"),
        ),
    ]);
    let (code, out) = run(dir.path(), &["check", "--format", "junit"]);
    assert_eq!(code, 0);
    assert!(out.contains(r#"failures="0""#));
    assert!(
        out.contains("<system-out>reviews/r1.yaml:3:11: warning[self-review]"),
        "{out}"
    );
}

#[test]
fn dash_c_runs_as_if_started_there_and_bad_usage_exits_2() {
    let dir = repo();
    let parent = dir.path().parent().unwrap();
    let name = dir.path().file_name().unwrap().to_str().unwrap();
    let out = rubric(parent)
        .args(["-C", name, "check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files_checked"], 3);
    // A path to a subfolder, relative to where the user stands.
    let out = rubric(&dir.path().join("reviews"))
        .args(["check", "--format", "json", "r1.yaml"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files_checked"], 1);
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);

    for args in [
        vec!["check", "--format", "xml"],
        vec!["-C", "/no/such/dir", "check"],
        vec!["check", "no-such-file.yaml"],
    ] {
        let out = rubric(dir.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}: data only on success");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn every_code_is_documented() {
    let doc = std::fs::read_to_string(crate::project_root().join("docs/diagnostics.md")).unwrap();
    for code in rubric::Code::ALL {
        assert!(
            doc.contains(&format!("## `{}`", code.name())),
            "docs/diagnostics.md lacks a section for `{}`",
            code.name()
        );
    }
}

#[test]
fn human_skips_a_byte_order_mark_and_never_points_past_the_file() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        (
            "reviews/bom.yaml",
            &format!(
                "\u{feff}{}",
                REVIEW.replace("reviewer: alice", "reviewer: bob")
            ),
        ),
        ("reviews/eof.yaml", "rubric: support@2\nagent: [mari\n"),
    ]);
    let (code, out) = run(dir.path(), &["check"]);
    assert_eq!(code, 1);
    assert!(
        out.contains(" --> reviews/bom.yaml:6:13\n  |\n6 |   solution: 7\n  |             ^\n"),
        "{out}"
    );
    assert!(!out.contains('\u{feff}'));
    assert!(
        out.contains(" --> reviews/eof.yaml:2:13\n  |\n2 | agent: [mari\n  |             ^\n"),
        "{out}"
    );
}

#[test]
fn calibrate_csv_has_the_deviations_and_human_says_why_alpha_is_missing() {
    let out = rubric(&crate::project_root())
        .args(["calibrate", "--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("kind,session,category,reviewer,ratings,alpha,alpha_ordinal,alpha_nominal,mean_abs_deviation\n"),
        "{csv}"
    );
    assert!(csv.contains("\nagreement,2026-w45,accuracy,,4,"), "{csv}");
    assert!(csv.contains("\ndeviation,2026-w45,,bob,,,,,9.46"), "{csv}");
    let out = rubric(&crate::project_root())
        .args(["calibrate"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // Both reviewers gave the same rating everywhere: agreement, not a missing number.
    let line = text
        .lines()
        .find(|l| l.starts_with("data_protection"))
        .unwrap();
    assert!(line.contains("undefined (no variation)"), "{text}");
    assert!(!line.contains(" - "), "{text}");
}

/// `export` carries team, conversation, link, channel, comments and root causes; in CSV, text
/// from YAML that a spreadsheet would run as a formula is neutralised (OWASP).
#[test]
fn export_has_the_review_details_and_csv_cells_are_neutralised() {
    let review = crate::REVIEW
        .replace(
            "  id: \"48213\"\n",
            "  id: \"48213\"\n  url: https://desk.example/t/48213\n  channel: chat\n",
        )
        .replace(
            "ratings:\n",
            "comment: \"=HYPERLINK(\\\"http://x\\\")\"\nratings:\n",
        );
    let dir = crate::temp_repo(&[
        (
            "qa.yaml",
            "people:\n  alice: { team: tier1 }\n  bob: { team: qa }\n",
        ),
        ("rubrics/support.yaml", crate::RUBRIC),
        ("reviews/2026/11/zd-1.yaml", &review),
    ]);
    let out = crate::rubric(dir.path()).args(["export"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let rows: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let tone = rows.iter().find(|r| r["category"] == "tone").unwrap();
    assert_eq!(tone["team"], "tier1");
    assert_eq!(tone["conversation"], "48213");
    assert_eq!(tone["url"], "https://desk.example/t/48213");
    assert_eq!(tone["channel"], "chat");
    assert_eq!(tone["comment"], "Curt.");
    assert_eq!(tone["root_causes"], serde_json::json!(["coaching"]));
    assert_eq!(tone["review_comment"], "=HYPERLINK(\"http://x\")");

    let out = crate::rubric(dir.path())
        .args(["export", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let tone = records
        .iter()
        .find(|r| &r[col("category")] == "tone")
        .unwrap();
    assert_eq!(&tone[col("review_comment")], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&tone[col("root_causes")], "coaching");
    assert_eq!(&tone[col("team")], "tier1");
}

#[test]
fn history_and_score_csv_cells_are_neutralised_and_numbers_kept() {
    let dir = crate::temp_repo(&[
        ("rubrics/support.yaml", crate::RUBRIC),
        ("reviews/2026/11/zd-1.yaml", crate::REVIEW),
    ]);
    let author = ("Bob", "=cmd|x@acme.example");
    crate::git_as(dir.path(), author, "2026-11-03T10:00:00Z", &["init", "-q"]);
    crate::git_as(dir.path(), author, "2026-11-03T10:00:00Z", &["add", "-A"]);
    crate::git_as(
        dir.path(),
        author,
        "2026-11-03T10:00:00Z",
        &["commit", "-q", "-m", "r"],
    );
    let (code, csv) = run(dir.path(), &["history", "zd-1", "--format", "csv"]);
    assert_eq!(code, 0, "{csv}");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    assert_eq!(&record[2], "'=cmd|x@acme.example", "{csv}");
    let (code, csv) = run(dir.path(), &["score", "--format", "csv"]);
    assert_eq!(code, 0, "{csv}");
    assert!(
        csv.starts_with("id,agent,reviewer,date,rubric,score,pass,calibration,uncommitted,path\n"),
        "{csv}"
    );
    // Numbers as before: full precision, no formula prefix on a negative change.
    let (_, trends) = run(dir.path(), &["trends", "--format", "csv"]);
    assert!(
        trends.starts_with("agent,period,reviews,score,change\nalice,2026-11,1,"),
        "{trends}"
    );
}
