//! `rubric reviewers` (SPEC §5.6, §7) on a scripted git fixture with fixed dates, every figure
//! computed by hand below.

use crate::{git_as, rubric};
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

const LEAD: (&str, &str) = ("Lena", "lena@acme.example");
const BOB: (&str, &str) = ("Bob", "bob@acme.example");
const CAROL: (&str, &str) = ("Carol", "carol@acme.example");
const DAVE: (&str, &str) = ("Dave", "dave@acme.example");

const CONFIG: &str = "\
timezone: UTC
people:
  alice: { team: tier1 }
  zed: { team: tier1 }
  bob: { emails: [bob@acme.example] }
  carol: { emails: [carol@acme.example] }
  dave: { emails: [dave@acme.example] }
  lena: { emails: [lena@acme.example] }
";

/// solution (scale 3) and tone (scale 3, `na` allowed), equal weights: a review's score is
/// 50 × (value of solution + value of tone), or 100 × solution's value when tone is `na`.
const RUBRIC: &str = "id: support\nversion: 1\ntitle: S\ncategories:\n  - {id: solution, title: Solution, scale: 3}\n  - {id: tone, title: Tone, scale: 3, na: true}\n";

/// One dispute (SPEC §3.1) by `by`, asking for `proposed`; resolved by `resolver` unless open.
fn dispute(by: &str, proposed: &str, status: &str, resolver: &str) -> String {
    let answer = match status {
        "open" => String::new(),
        _ => format!(
            "    resolved: 2026-03-25\n    resolved_by: {resolver}\n    response: Looked again.\n"
        ),
    };
    format!(
        "disputes:\n  - opened: 2026-03-21\n    by: {by}\n    reason: Please look again.\n    proposed: {proposed}\n    status: {status}\n{answer}"
    )
}

fn review(agent: &str, extra: &str, solution: &str, tone: &str) -> String {
    format!(
        "rubric: support@1\nagent: {agent}\n{extra}conversation: {{id: \"c\"}}\nratings:\n  solution: {solution}\n  tone: {tone}\n"
    )
}

/// The fixture (dates UTC):
///
/// | review | agent | reviewer | date | solution | tone | score | below top, commented | na-able, na |
/// |---|---|---|---|---|---|---|---|---|
/// | r1 | alice | bob (commit author) | 03-02 (commit) | 3 | 3 | 100 | – | tone: no |
/// | r2 | alice | carol | 03-05 | 2 | 2 "Curt." | 50 | solution no, tone yes | tone: no |
/// | r3 | zed | carol | 03-06 | 1 | na | 0 | solution no | tone: yes |
/// | r4 | zed | dave | 03-07 | {rating: 3} | 1 "Rude." | 50 | tone yes | tone: no |
/// | r6 | zed | bob | 03-20 | 3 | 3 | 100 | – | tone: no |
///
/// Disputes: r2 has an open one (disputed), r4 an accepted one (disputed and overturned),
/// r6 a rejected one (disputed).
/// | r5 | alice | bob | 04-02 | 2 "x" | na | 50 | solution yes | tone: yes |
/// | c1 | alice | bob | 03-08, calibration | 1 | 1 | – (left out: calibration) | | |
/// | bad | alice | carol | 03-09 | 7 | 3 | – (left out: rating-out-of-scale) | | |
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_as(d, LEAD, "2026-03-01T09:00:00Z", &["init", "-q"]);
    write(d, "qa.yaml", CONFIG);
    write(d, "rubrics/support.yaml", RUBRIC);
    commit(d, LEAD, "2026-03-01T09:00:00Z", "support v1");
    write(d, "reviews/r1.yaml", &review("alice", "", "3", "3"));
    commit(d, BOB, "2026-03-02T10:00:00Z", "r1");
    let r2 = review(
        "alice",
        "reviewer: carol\nreviewed_at: 2026-03-05\n",
        "2",
        "{ rating: 2, comment: \"Curt.\" }",
    ) + &dispute("alice", "{ solution: 3 }", "open", "");
    write(d, "reviews/r2.yaml", &r2);
    let r3 = review(
        "zed",
        "reviewer: carol\nreviewed_at: 2026-03-06\n",
        "1",
        "na",
    );
    write(d, "reviews/r3.yaml", &r3);
    commit(d, CAROL, "2026-03-06T10:00:00Z", "r2, r3");
    let r4 = review(
        "zed",
        "reviewer: dave\nreviewed_at: 2026-03-07\n",
        "{ rating: 3 }",
        "{ rating: 1, comment: \"Rude.\" }",
    ) + &dispute("zed", "{ tone: 1 }", "accepted", "dave");
    write(d, "reviews/r4.yaml", &r4);
    commit(d, DAVE, "2026-03-07T10:00:00Z", "r4");
    let c1 = review(
        "alice",
        "reviewer: bob\nreviewed_at: 2026-03-08\ncalibration: 2026-w10\n",
        "1",
        "1",
    );
    write(d, "reviews/c1.yaml", &c1);
    let bad = review(
        "alice",
        "reviewer: carol\nreviewed_at: 2026-03-09\n",
        "7",
        "3",
    );
    write(d, "reviews/bad.yaml", &bad);
    let r6 = review("zed", "reviewer: bob\nreviewed_at: 2026-03-20\n", "3", "3")
        + &dispute("zed", "{ solution: 2 }", "rejected", "bob");
    write(d, "reviews/r6.yaml", &r6);
    commit(d, BOB, "2026-03-20T10:00:00Z", "c1, bad, r6");
    let r5 = review(
        "alice",
        "reviewer: bob\nreviewed_at: 2026-04-02\n",
        "{ rating: 2, comment: \"x\" }",
        "na",
    );
    write(d, "reviews/r5.yaml", &r5);
    commit(d, BOB, "2026-04-02T10:00:00Z", "r5");
    dir
}

fn run(dir: &Path, args: &[&str]) -> (Value, String) {
    let out = rubric(dir).args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "rubric {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (v, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn row(
    reviewer: &str,
    period: &str,
    reviews: u64,
    figures: [Value; 4],
    [disputed, overturned]: [u64; 2],
) -> Value {
    let [mean_score, leniency, na_rate, comment_rate] = figures;
    json!({
        "reviewer": reviewer, "period": period, "reviews": reviews,
        "mean_score": mean_score, "leniency": leniency, "na_rate": na_rate,
        "comment_rate": comment_rate, "disputed": disputed, "overturned": overturned
    })
}

/// March, by agent: alice has bob 100 (r1) and carol 50 (r2); zed has carol 0 (r3), dave 50
/// (r4) and bob 100 (r6). April: alice has only bob's r5 (50).
///
/// - bob, March: r1, r6; mean 100. Leniency: r1 100 − carol's 50 = 50; r6 100 − mean(0, 50)
///   = 75; mean 62.5. N/A: tone twice, never na: 0. Nothing below the top: null.
/// - bob, April: r5 50; no other reviewer of alice in April: leniency null. N/A 1/1; comments
///   1/1 (solution 2 with "x").
/// - carol, March: r2 50, r3 0; mean 25. Leniency: r2 50 − 100 = −50; r3 0 − mean(50, 100)
///   = −75; mean −62.5. N/A: 1 of 2. Comments: r2 solution no, tone yes, r3 solution no: 1/3.
/// - dave, March: r4 50. Leniency: 50 − mean(0, 100) = 0. N/A 0/1. Comments: tone 1/1
///   (solution is 3 of 3, the top).
///
/// Disputed / overturned: bob in March 1 / 0 (r6 rejected), carol 1 / 0 (r2 open), dave 1 / 1
/// (r4 accepted). The calibration review c1 counts nowhere; `bad.yaml` is left out and named.
#[test]
fn reviewers_json_matches_spec_and_hand_figures() {
    let repo = fixture();
    let (v, stderr) = run(repo.path(), &["reviewers", "--format", "json"]);
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["left_out", "period", "rows"]);
    assert_eq!(v["period"], "month");
    assert_eq!(
        v["rows"],
        json!([
            row(
                "bob",
                "2026-03",
                2,
                [json!(100.0), json!(62.5), json!(0.0), Value::Null],
                [1, 0]
            ),
            row(
                "bob",
                "2026-04",
                1,
                [json!(50.0), Value::Null, json!(1.0), json!(1.0)],
                [0, 0]
            ),
            row(
                "carol",
                "2026-03",
                2,
                [json!(25.0), json!(-62.5), json!(0.5), json!(1.0 / 3.0)],
                [1, 0]
            ),
            row(
                "dave",
                "2026-03",
                1,
                [json!(50.0), json!(0.0), json!(0.0), json!(1.0)],
                [1, 1]
            ),
        ])
    );
    assert_eq!(v["left_out"].as_array().unwrap().len(), 1);
    assert_eq!(v["left_out"][0]["path"], "reviews/bad.yaml");
    assert_eq!(v["left_out"][0]["code"], "rating-out-of-scale");
    assert!(stderr.contains("left out: reviews/bad.yaml"), "{stderr}");
}

/// The year: alice has bob 100 (r1), carol 50 (r2), bob 50 (r5); zed as in March.
/// bob: r1 100 − 50 = 50, r5 50 − 50 = 0, r6 100 − 25 = 75: leniency 125/3; mean 250/3.
/// `--since 2026-03-06 --until 2026-03-31` keeps r3, r4, r6 only.
#[test]
fn reviewers_periods_and_date_filters() {
    let repo = fixture();
    let (v, _) = run(
        repo.path(),
        &["reviewers", "--period", "year", "--format", "json"],
    );
    assert_eq!(v["period"], "year");
    assert_eq!(
        v["rows"][0],
        row(
            "bob",
            "2026",
            3,
            [
                json!(250.0 / 3.0),
                json!(125.0 / 3.0),
                json!(1.0 / 3.0),
                json!(1.0)
            ],
            [1, 0]
        )
    );
    let (v, _) = run(
        repo.path(),
        &[
            "reviewers",
            "--since",
            "2026-03-06",
            "--until",
            "2026-03-31",
            "--format",
            "json",
        ],
    );
    assert_eq!(
        v["rows"],
        json!([
            row(
                "bob",
                "2026-03",
                1,
                [json!(100.0), json!(75.0), json!(0.0), Value::Null],
                [1, 0]
            ),
            row(
                "carol",
                "2026-03",
                1,
                [json!(0.0), json!(-75.0), json!(1.0), json!(0.0)],
                [0, 0]
            ),
            row(
                "dave",
                "2026-03",
                1,
                [json!(50.0), json!(0.0), json!(0.0), json!(1.0)],
                [1, 1]
            ),
        ])
    );
}

#[test]
fn reviewers_csv_and_human() {
    let repo = fixture();
    let out = rubric(repo.path())
        .args(["reviewers", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "reviewer,period,reviews,mean_score,leniency,na_rate,comment_rate,disputed,overturned"
        )
    );
    assert_eq!(lines.next(), Some("bob,2026-03,2,100,62.5,0,,1,0"));
    let out = rubric(repo.path()).args(["reviewers"]).output().unwrap();
    let human = String::from_utf8(out.stdout).unwrap();
    assert!(
        human.contains("carol     2026-03        2   25.0     -62.5   50%       33%"),
        "{human}"
    );
}

/// SPEC §5.2's worked example as a rubric: group A (`a1` critical for its group, `a2`),
/// group B (`b1`), `x` a bonus.
const GROUPS: &str = "\
id: cards
version: 1
title: Cards
groups:
  - {id: a, title: Group A}
  - {id: b, title: Group B}
categories:
  - {id: a1, title: A one, group: a, scale: 4, weight: 2, critical: group}
  - {id: a2, title: A two, group: a, scale: 3, weight: 1}
  - {id: b1, title: B one, group: b, scale: 5, weight: 2}
  - {id: x, title: Extra mile, scale: 2, weight: 1, bonus: true, na: true}
  - {id: y, title: Why, scale: 2, na: true, weight: 0}
";

const PEOPLE: &str = "\
people:
  alice: { name: Alice }
  quinn: { name: \"<script>Quinn</script>\" }
";

fn card(id: &str, day: u32, [a1, a2, b1, x, y]: [&str; 5]) -> (String, String) {
    (
        format!("reviews/{id}.yaml"),
        format!(
            "rubric: cards@1\nagent: alice\nreviewer: quinn\nreviewed_at: 2026-11-{day:02}\n\
             conversation: {{id: \"{id}\"}}\nratings:\n  a1: {a1}\n  a2: {a2}\n  b1: {b1}\n  x: {x}\n  y: {y}\n"
        ),
    )
}

/// A failed group and a score over 100 are said plainly on the agent page (HTML and Markdown);
/// the reviewers page is linked from the overview, escapes the roster name and flags `y`, rated
/// n/a in 2 of 3 reviews (`x`, n/a in 1 of 2 rated, is not flagged).
fn cards_repo() -> tempfile::TempDir {
    // r1: the SPEC's example, 60 (group A failed). r2: a1 4 → (2 + 1 + 2 + 1) / 5 = 120.
    // r3: x na, b1 3 → (2 + 1 + 1) / 5 = 80.
    let reviews = [
        card("r1", 10, ["2", "3", "5", "2", "na"]),
        card("r2", 11, ["4", "3", "5", "2", "na"]),
        card("r3", 12, ["4", "3", "3", "na", "2"]),
    ];
    let mut files: Vec<(&str, &str)> = vec![("qa.yaml", PEOPLE), ("rubrics/cards.yaml", GROUPS)];
    files.extend(reviews.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    crate::temp_repo(&files)
}

#[test]
fn pages_show_failed_groups_scores_over_100_and_the_reviewers_page() {
    let repo = cards_repo();
    let score = rubric(repo.path())
        .args(["score", "--format", "json"])
        .output()
        .unwrap();
    let rows: Value = serde_json::from_slice(&score.stdout).unwrap();
    let scores: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["score"])
        .collect();
    assert_eq!(scores, [&json!(60.0), &json!(120.0), &json!(80.0)]);
    for (format, ext) in [("html", "html"), ("md", "md")] {
        let out = repo.path().join(format!("site-{format}"));
        let status = rubric(repo.path())
            .args(["render", "--format", format, "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let agent = std::fs::read_to_string(out.join(format!("agents/alice.{ext}"))).unwrap();
        let index = std::fs::read_to_string(out.join(format!("index.{ext}"))).unwrap();
        let page = std::fs::read_to_string(out.join(format!("reviewers.{ext}"))).unwrap();
        assert!(index.contains(&format!("reviewers.{ext}")), "{index}");
        assert_eq!(
            agent.matches("Failed group: Group A.").count(),
            1,
            "{agent}"
        );
        assert_eq!(agent.matches("Over 100").count(), 1, "{agent}");
        assert!(agent.contains("(group failed: counts 0)"), "{agent}");
        assert!(agent.contains("(bonus)"), "{agent}");
        assert!(!page.contains("<script>Quinn"), "{page}");
        // One flag in the summary, one in the category table: `y` only.
        assert_eq!(page.matches("⚑ Why").count(), 1, "{page}");
        assert_eq!(page.matches("⚑ over 50%").count(), 1, "{page}");
    }
    let html = std::fs::read_to_string(repo.path().join("site-html/reviewers.html")).unwrap();
    assert!(html.contains("&lt;script&gt;Quinn"), "{html}");
    let md = std::fs::read_to_string(repo.path().join("site-md/reviewers.md")).unwrap();
    assert!(md.contains("## &lt;script&gt;Quinn"), "{md}");
}
