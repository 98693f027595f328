//! `rubric diff`: the semantic change of a rubric between two revisions and the impact on the
//! scores of existing reviews, computed by hand for a small case.

use crate::history::{commit_all, git};
use crate::{rubric, temp_repo};
use serde_json::Value;

const V1: &str = "id: support\nversion: 1\ntitle: Support\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone of voice, scale: 3}\n  - {id: gps, title: Grammar, scale: 2}\n";
/// Solution weighs 3, `tone` is renamed `voice` (same title), `gps` removed, `empathy` added.
const V2: &str = "id: support\nversion: 2\ntitle: Support\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution, scale: 4, weight: 3}\n  - {id: voice, title: Tone of voice, scale: 3}\n  - {id: empathy, title: Empathy, scale: 3}\n";

fn review(agent: &str, days_ago: i64, s: u8, t: u8, g: u8, extra: &str) -> String {
    // Days before the fixture's HEAD (2026-01-02): the re-scoring window counts back from it.
    let head = chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    let day = head - chrono::Duration::days(days_ago);
    format!(
        "rubric: support@1\nagent: {agent}\nreviewer: lead\nreviewed_at: {day}\n{extra}conversation: {{id: \"1\"}}\nratings: {{solution: {s}, tone: {t}, gps: {g}}}\n"
    )
}

fn repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", V1),
        // old: 1/2 + 0 → (1 + 0.5 + 0)/3 = 50; new: only solution is rated → 100.
        ("reviews/a1.yaml", &review("alice", 10, 4, 2, 1, "")),
        // old: (1/3 + 1 + 1)/3 = 77.8; new: 1/3 → 33.3.
        ("reviews/a2.yaml", &review("alice", 20, 2, 3, 2, "")),
        // old: (2/3 + 1 + 1)/3 = 88.9 (pass); new: 2/3 → 66.7 (fail).
        ("reviews/b1.yaml", &review("bob", 30, 3, 3, 2, "")),
        // Outside the 90 days, and a calibration review: both left out.
        ("reviews/old.yaml", &review("bob", 200, 1, 1, 1, "")),
        (
            "reviews/cal.yaml",
            &review("bob", 5, 1, 1, 1, "calibration: s1\n"),
        ),
    ]);
    git(dir.path(), &["init", "-q"], "2026-01-01T10:00:00Z");
    commit_all(dir.path(), "support v1", "2026-01-02T10:00:00Z");
    std::fs::write(dir.path().join("rubrics/support.yaml"), V2).unwrap();
    dir
}

fn json(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = rubric(dir).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or(f64::NAN);
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

#[test]
fn semantic_changes_with_a_likely_rename() {
    let dir = repo();
    let d = json(dir.path(), &["diff", "HEAD", "--format", "json"]);
    assert_eq!(d["base"], "HEAD");
    assert_eq!(d["head"], "working tree");
    let r = &d["rubrics"][0];
    assert_eq!(r["rubric"], "support");
    assert_eq!(
        (r["base_version"].as_u64(), r["head_version"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(r["needs_version_bump"], false);
    let kinds: Vec<(&str, &str)> = r["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap(),
                c["category"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("category-removed", "gps"),
            ("category-renamed", "voice"),
            ("category-added", "empathy"),
            ("weight", "solution"),
        ]
    );
    assert!(r["changes"][1]["text"]
        .as_str()
        .unwrap()
        .contains("likely renamed"));
}

#[test]
fn impact_per_agent_team_flips_and_movers() {
    let dir = repo();
    let d = json(dir.path(), &["diff", "HEAD", "--format", "json"]);
    let i = &d["impact"][0];
    assert_eq!(
        (i["from_version"].as_u64(), i["to_version"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(i["reviews"], 3);
    close(&i["team_before"], 100.0 * 19.5 / 27.0);
    close(&i["team_after"], 100.0 * 2.0 / 3.0);
    assert_eq!(
        (i["pass_to_fail"].as_u64(), i["fail_to_pass"].as_u64()),
        (Some(1), Some(1))
    );
    let alice = &i["agents"][0];
    assert_eq!(alice["agent"], "alice");
    close(&alice["before"], (50.0 + 700.0 / 9.0) / 2.0);
    close(&alice["after"], (100.0 + 100.0 / 3.0) / 2.0);
    let bob = &i["agents"][1];
    close(&bob["before"], 800.0 / 9.0);
    close(&bob["after"], 200.0 / 3.0);
    let movers: Vec<&str> = i["movers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(movers, ["a1", "a2", "b1"]);
    // A shorter window leaves out a2 and b1.
    let d = json(
        dir.path(),
        &["diff", "HEAD", "--days", "15", "--format", "json"],
    );
    assert_eq!(d["impact"][0]["reviews"], 1);
}

#[test]
fn markdown_comment_and_human_text() {
    let dir = repo();
    let out = rubric(dir.path())
        .args(["diff", "HEAD", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("### Rubric changes (HEAD → working tree)\n\n| rubric | change | version | version bump |\n|---|---|---|---|\n| `support` | changed | 1 → 2 | done |\n"), "{md}");
    assert!(
        md.contains("team IQS 72.2 → 66.7 (-5.6), 1 pass → fail, 1 fail → pass."),
        "{md}"
    );
    assert!(md.contains("| a1 | alice | 50.0 | 100.0 | +50.0 |"), "{md}");
    assert!(md.contains("<details><summary>Details</summary>"));
    assert!(md.trim_end().ends_with("</details>"));
    let out = rubric(dir.path()).args(["diff", "HEAD"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("support (changed): version 1 → 2; version bump: done"),
        "{text}"
    );
    assert!(text.contains("  * `solution` weight 1.0 → 3.0"), "{text}");
}

#[test]
fn a_scoring_change_without_a_bump_is_flagged() {
    let dir = repo();
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        V1.replace("pass_mark: 80", "pass_mark: 90"),
    )
    .unwrap();
    let d = json(dir.path(), &["diff", "HEAD", "--format", "json"]);
    assert_eq!(d["rubrics"][0]["needs_version_bump"], true);
    // Said so in words that cannot be read the other way.
    let out = rubric(dir.path())
        .args(["diff", "HEAD", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| `support` | changed | 1 → 1 | **needed, missing** |"),
        "{md}"
    );
    let out = rubric(dir.path()).args(["diff", "HEAD"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("version bump: needed, missing"), "{text}");
    // Same version, new pass mark: b1 (88.9) passed at 80 and fails at 90.
    let i = &d["impact"][0];
    assert_eq!(
        (i["pass_to_fail"].as_u64(), i["fail_to_pass"].as_u64()),
        (Some(1), Some(0))
    );
}

#[test]
fn no_reviews_to_rescore_and_a_new_rubric() {
    let dir = repo();
    std::fs::write(dir.path().join("rubrics/support.yaml"), V2).unwrap();
    std::fs::write(
        dir.path().join("rubrics/chat.yaml"),
        "id: chat\nversion: 1\ntitle: Chat\ncategories:\n  - {id: greeting, title: Greeting, scale: 2}\n",
    )
    .unwrap();
    let out = rubric(dir.path())
        .args(["diff", "HEAD", "--days", "1", "--format", "md"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("| `chat` | added | – → 1 | not needed |"),
        "{md}"
    );
    assert!(
        md.contains("No reviews of `support` version 1 since "),
        "{md}"
    );
    assert!(md.contains("- a new rubric"), "{md}");
    assert!(!md.contains("team IQS - → -"), "{md}");
}
