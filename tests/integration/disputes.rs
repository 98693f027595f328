//! Disputes (SPEC §3.1, issue 10): every flow on a scripted git history with fixed dates —
//! open then accept, open then partial, reject then ratings changed, wrong agent, a second
//! dispute after a rejection, the window and the cap — plus the byte-for-byte round trip of
//! `dispute` and `resolve` and the `disputes` report computed by hand.
//!
//! Scores by hand (RUBRIC, support@2): solution scale 4 weight 3, tone scale 5 weight 2,
//! grammar na, security scale 2 weight 1 critical. REVIEW rates solution 3 (value 2/3), tone 2
//! (1/4), grammar na, security 2 (1): 100·(3·2/3 + 2·1/4 + 1·1)/6 = 100·3.5/6 = 58.333…
//! With solution 4: 100·(3 + 0.5 + 1)/6 = 75. With tone 4 too: 100·(3 + 1.5 + 1)/6 = 91.666…

use crate::{check_json, git_as, problems, rubric, temp_repo, REVIEW, RUBRIC};
use serde_json::Value;
use std::path::Path;

const ALICE: (&str, &str) = ("Alice Smith", "alice@acme.example");
const BOB: (&str, &str) = ("Bob Jones", "bob@acme.example");
const MAREK: (&str, &str) = ("Marek Tamm", "marek@acme.example");

const QA: &str = "\
timezone: UTC
people:
  alice: { name: Alice Smith, emails: [alice@acme.example] }
  bob: { name: Bob Jones, emails: [bob@acme.example] }
  marek: { name: Marek Tamm, emails: [marek@acme.example] }
";

const PATH: &str = "reviews/2026/11/r1.yaml";

/// Noon UTC on a day of November or December 2026, as `SOURCE_DATE_EPOCH`.
fn epoch(day: &str) -> String {
    let secs = match day {
        "2026-11-21" => 1_795_262_400,
        "2026-11-22" => 1_795_348_800,
        "2026-11-23" => 1_795_435_200,
        "2026-11-24" => 1_795_521_600,
        "2026-11-25" => 1_795_608_000,
        "2026-11-28" => 1_795_867_200,
        "2026-12-10" => 1_796_904_000,
        other => panic!("no epoch for {other}"),
    };
    secs.to_string()
}

/// A repository with qa.yaml, the rubric and `reviews` (rel, text), committed by bob.
fn repo(qa: &str, reviews: &[(&str, &str)]) -> tempfile::TempDir {
    let mut files = vec![("qa.yaml", qa), ("rubrics/support.yaml", RUBRIC)];
    files.extend_from_slice(reviews);
    let d = temp_repo(&files);
    git_as(d.path(), BOB, "2026-11-20T10:00:00Z", &["init", "-q"]);
    commit(d.path(), BOB, "2026-11-20T10:00:00Z");
    d
}

fn commit(dir: &Path, who: (&str, &str), date: &str) {
    git_as(dir, who, date, &["add", "-A"]);
    git_as(dir, who, date, &["commit", "-q", "-m", "change"]);
}

/// Runs `rubric ARGS` as `who` (their git user.email) on `day`: (exit, stdout, stderr).
fn act(dir: &Path, who: (&str, &str), day: &str, args: &[&str]) -> (i32, String, String) {
    git_as(
        dir,
        who,
        "2026-11-20T10:00:00Z",
        &["config", "user.email", who.1],
    );
    let out = rubric(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", epoch(day))
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `act` that must succeed, then a commit by the same person that day.
#[track_caller]
fn act_commit(dir: &Path, who: (&str, &str), day: &str, args: &[&str]) {
    let (code, out, err) = act(dir, who, day, args);
    assert_eq!(code, 0, "rubric {args:?}: {out}{err}");
    commit(dir, who, &format!("{day}T12:00:00Z"));
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).expect("read")
}

fn disputes_json(dir: &Path, extra: &[&str]) -> Value {
    let (code, out, err) = act(
        dir,
        BOB,
        "2026-11-28",
        &[&["disputes", "--format", "json"], extra].concat(),
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("JSON ({e}): {out}"))
}

fn score_of(dir: &Path) -> Value {
    let (_, out, _) = act(dir, BOB, "2026-11-28", &["score", "--format", "json"]);
    let v: Value = serde_json::from_str(&out).expect("score JSON");
    v[0].clone()
}

#[track_caller]
fn close(v: &Value, want: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!((got - want).abs() < 1e-9, "{got} != {want}");
}

#[test]
fn open_then_accept_applies_the_ratings_and_reports_before_and_after() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    let (code, out, err) = act(
        dir,
        ALICE,
        "2026-11-21",
        &[
            "dispute",
            "r1",
            "--reason",
            "The PO number was in the second e-mail.",
            "--propose",
            "solution=4",
        ],
    );
    assert_eq!(
        (code, out.as_str()),
        (0, "reviews/2026/11/r1.yaml\n"),
        "{err}"
    );
    assert_eq!(
        read(dir, PATH),
        format!(
            "{REVIEW}disputes:\n  - opened: 2026-11-21\n    by: alice\n    reason: \"The PO \
             number was in the second e-mail.\"\n    proposed: {{solution: 4}}\n    status: open\n"
        )
    );
    commit(dir, ALICE, "2026-11-21T12:00:00Z");
    act_commit(
        dir,
        BOB,
        "2026-11-23",
        &["resolve", "r1", "--accept", "--response", "Agreed."],
    );
    let text = read(dir, PATH);
    assert!(
        text.contains("ratings:\n  solution: 4\n  tone: { rating: 2,"),
        "{text}"
    );
    assert!(text.ends_with(
        "    status: accepted\n    resolved: 2026-11-23\n    resolved_by: bob\n    response: \"Agreed.\"\n"
    ), "{text}");
    let (code, json) = check_json(dir, &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
    close(&score_of(dir)["score"], 75.0);
    let v = disputes_json(dir, &[]);
    let row = &v["disputes"][0];
    assert_eq!(row["status"], "accepted");
    assert_eq!(row["by"], "alice");
    assert_eq!(row["resolved_by"], "bob");
    assert_eq!(row["days_to_resolve"], 2);
    assert_eq!(row["age_days"], Value::Null);
    assert_eq!(row["proposed"], serde_json::json!({"solution": 4}));
    close(&row["score_before"], 100.0 * 3.5 / 6.0);
    close(&row["score_after"], 75.0);
    assert_eq!(v["summary"]["accepted"], 1);
    close(&v["summary"]["mean_days_to_resolve"], 2.0);
    // History marks the commits that opened and answered the dispute.
    let (_, out, _) = act(
        dir,
        BOB,
        "2026-11-28",
        &["history", "r1", "--format", "json"],
    );
    let h: Value = serde_json::from_str(&out).expect("history JSON");
    let events: Vec<&Value> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["dispute"])
        .collect();
    assert_eq!(
        events,
        [
            &Value::Null,
            &serde_json::json!("opened"),
            &serde_json::json!("accepted")
        ]
    );
}

#[test]
fn open_then_partial_grants_some_and_keeps_the_rating_comment() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &[
            "dispute",
            "r1",
            "--reason",
            "Both.",
            "--propose",
            "solution=4",
            "--propose",
            "tone=4",
        ],
    );
    // Granting every proposal is not partial.
    let (code, _, err) = act(
        dir,
        BOB,
        "2026-11-25",
        &[
            "resolve",
            "r1",
            "--partial",
            "solution",
            "tone",
            "--response",
            "x",
        ],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("use --accept"), "{err}");
    act_commit(
        dir,
        BOB,
        "2026-11-25",
        &[
            "resolve",
            "r1",
            "--partial",
            "solution",
            "--response",
            "Solution yes, tone no.",
        ],
    );
    let text = read(dir, PATH);
    assert!(
        text.contains(
            "  solution: 4\n  tone: { rating: 2, comment: \"Curt.\", root_causes: [coaching] }\n"
        ),
        "{text}"
    );
    assert!(text.contains("    status: partially-accepted\n"), "{text}");
    assert_eq!(check_json(dir, &[]).0, 0);
    let v = disputes_json(dir, &[]);
    assert_eq!(v["disputes"][0]["granted"], serde_json::json!(["solution"]));
    assert_eq!(v["disputes"][0]["days_to_resolve"], 4);
    close(&v["disputes"][0]["score_after"], 75.0);
    let cats = &v["summary"]["accept_rate_by_category"];
    assert_eq!(cats[0]["key"], "support/solution");
    assert_eq!(
        (cats[0]["granted"].clone(), cats[0]["resolved"].clone()),
        (1.into(), 1.into())
    );
    assert_eq!(cats[1]["key"], "support/tone");
    assert_eq!(cats[1]["granted"], 0);
    // A status that does not match the ratings is an error at `status`; changing a resolved
    // dispute at all is one at the dispute.
    std::fs::write(
        dir.join(PATH),
        text.replace("partially-accepted", "accepted"),
    )
    .unwrap();
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![
            (
                PATH.to_string(),
                13,
                5,
                "resolved-dispute-changed".to_string()
            ),
            (
                PATH.to_string(),
                17,
                13,
                "dispute-outcome-mismatch".to_string()
            ),
        ]
    );
}

#[test]
fn ratings_changed_after_a_rejection_is_an_error_unless_a_later_dispute_is_accepted() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    assert_eq!(check_json(dir, &[]).0, 0);
    // Bob changes the rating anyway, in a later commit.
    let rejected = read(dir, PATH);
    std::fs::write(
        dir.join(PATH),
        rejected.replace("  solution: 3\n", "  solution: 4\n"),
    )
    .unwrap();
    commit(dir, BOB, "2026-11-23T12:00:00Z");
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    let p = problems(&json);
    assert_eq!(
        p,
        vec![
            (
                PATH.to_string(),
                7,
                1,
                "ratings-changed-after-rejection".to_string()
            ),
            (
                PATH.to_string(),
                17,
                13,
                "dispute-outcome-mismatch".to_string()
            ),
        ]
    );
    assert!(json["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("by bob"));
    // The review is left out of scores.
    let (_, _, err) = act(dir, BOB, "2026-11-28", &["score"]);
    assert!(err.contains("left out: reviews/2026/11/r1.yaml"), "{err}");
    // Restored, then a second dispute after the rejection, accepted: the change is fine.
    std::fs::write(dir.join(PATH), &rejected).unwrap();
    commit(dir, BOB, "2026-11-24T09:00:00Z");
    act_commit(
        dir,
        ALICE,
        "2026-11-24",
        &[
            "dispute",
            "r1",
            "--reason",
            "Again, with the PO.",
            "--propose",
            "solution=4",
        ],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-25",
        &["resolve", "r1", "--accept", "--response", "Now I see it."],
    );
    let (code, json) = check_json(dir, &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
    let v = disputes_json(dir, &[]);
    let statuses: Vec<&str> = v["disputes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["rejected", "accepted"]);
    assert_eq!(v["summary"]["accept_rate_by_reviewer"][0]["rate"], 0.5);
}

#[test]
fn wrong_agent_accepted_changes_the_agent_in_one_timeline() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &[
            "dispute",
            "r1",
            "--reason",
            "Marek answered this one.",
            "--wrong-agent",
            "marek",
        ],
    );
    let text = read(dir, PATH);
    assert!(text.ends_with("    kind: wrong-agent\n    reason: \"Marek answered this one.\"\n    proposed_agent: marek\n    status: open\n"), "{text}");
    // Only accept or reject.
    let (code, _, err) = act(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--partial", "solution", "--response", "x"],
    );
    assert_eq!(code, 2, "{err}");
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &[
            "resolve",
            "r1",
            "--accept",
            "--response",
            "Yes, it was Marek.",
        ],
    );
    assert!(read(dir, PATH).contains("agent: marek\n"));
    let (code, json) = check_json(dir, &[]);
    assert_eq!(
        (code, problems(&json)),
        (0, vec![]),
        "no review-id-reused: it is the same review"
    );
    let row = score_of(dir);
    assert_eq!(row["agent"], "marek");
    let (_, out, _) = act(
        dir,
        BOB,
        "2026-11-28",
        &["history", "r1", "--format", "json"],
    );
    let h: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        h.as_array().unwrap().len(),
        3,
        "one timeline: added, opened, accepted"
    );
    // Marek cannot open a rating dispute of a review that was alice's... but alice no longer can.
    let _ = MAREK;
}

#[test]
fn the_window_and_the_cap_refuse_a_dispute_and_write_nothing() {
    let qa = format!("{QA}disputes: {{ max_per_review: 1, window_days: 14 }}\n");
    let d = repo(&qa, &[(PATH, REVIEW)]);
    let dir = d.path();
    // reviewed_at 2026-11-20; 2026-12-10 is 20 days later.
    let (code, _, err) = act(
        dir,
        ALICE,
        "2026-12-10",
        &[
            "dispute",
            "r1",
            "--reason",
            "late",
            "--propose",
            "solution=4",
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("dispute-window-closed") && err.contains("nothing was written"),
        "{err}"
    );
    assert_eq!(read(dir, PATH), REVIEW);
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    // One open at a time.
    let (code, _, err) = act(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "more", "--propose", "tone=4"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("dispute-already-open"), "{err}");
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    let before = read(dir, PATH);
    let (code, _, err) = act(
        dir,
        ALICE,
        "2026-11-23",
        &["dispute", "r1", "--reason", "again", "--propose", "tone=4"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("too-many-disputes"), "{err}");
    assert_eq!(read(dir, PATH), before);
    // Only the agent disputes the ratings; the reviewer does not answer their own dispute.
    let (code, _, err) = act(
        dir,
        MAREK,
        "2026-11-23",
        &["dispute", "r1", "--reason", "x"],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("dispute-not-by-agent") || err.contains("too-many-disputes"),
        "{err}"
    );
}

#[test]
fn a_resolved_dispute_edited_afterwards_is_an_error_at_the_dispute() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    let text = read(dir, PATH).replace("response: \"No.\"", "response: \"No, and never.\"");
    std::fs::write(dir.join(PATH), text).unwrap();
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![(
            PATH.to_string(),
            13,
            5,
            "resolved-dispute-changed".to_string()
        )]
    );
    let msg = json["problems"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("edited afterwards in an uncommitted change"),
        "{msg}"
    );
}

#[test]
fn dispute_and_resolve_change_only_their_lines_in_commented_flow_block_and_crlf_files() {
    let original = "\
# yaml-language-server: $schema=../../../schemas/review.schema.json\r
rubric: support@2   # the version bob saw\r
agent: 'alice'\r
reviewer: bob\r
reviewed_at: 2026-11-20\r
conversation: {id: \"48213\", channel: email}\r
\r
ratings:\r
  # the fix was right, the PO was missed\r
  solution:\r
    rating: 3   # see the second e-mail\r
    comment: >-\r
      Missed the PO number.\r
  tone: { rating: 2, comment: \"Curt.\" }\r
  grammar: \"na\"\r
  security: 2\r
comment: Good fix.  # overall\r
";
    let d = repo(QA, &[(PATH, original)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &[
            "dispute",
            "r1",
            "--reason",
            "PO \"#7\" was there: see line 2\nthanks",
            "--propose",
            "solution=4",
            "--propose",
            "tone=3",
        ],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &[
            "resolve",
            "r1",
            "--partial",
            "solution",
            "--response",
            "Yes: the PO.",
        ],
    );
    let want = original.replace("    rating: 3   # see", "    rating: 4   # see")
        + "disputes:\r\n  - opened: 2026-11-21\r\n    by: alice\r\n    reason: \"PO \\\"#7\\\" was there: \
           see line 2\\nthanks\"\r\n    proposed: {solution: 4, tone: 3}\r\n    status: \
           partially-accepted\r\n    resolved: 2026-11-22\r\n    resolved_by: bob\r\n    response: \
           \"Yes: the PO.\"\r\n";
    assert_eq!(read(dir, PATH), want);
    let (code, json) = check_json(dir, &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
    let v = disputes_json(dir, &[]);
    assert_eq!(
        v["disputes"][0]["reason"],
        "PO \"#7\" was there: see line 2\nthanks"
    );
}

#[test]
fn disputes_in_flow_sequences_are_appended_and_answered_in_flow() {
    let original = format!("{REVIEW}disputes: [] # none yet\n");
    let d = repo(QA, &[(PATH, &original)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    assert_eq!(
        read(dir, PATH),
        format!(
            "{REVIEW}disputes: # none yet\n  - opened: 2026-11-21\n    by: alice\n    reason: \"r\"\n    \
             proposed: {{solution: 4}}\n    status: open\n"
        )
    );
    let flow = format!(
        "{REVIEW}disputes: [{{opened: 2026-11-21, by: alice, reason: r, proposed: {{solution: 4}}, status: open}}]\n"
    );
    std::fs::write(dir.join(PATH), &flow).unwrap();
    commit(dir, ALICE, "2026-11-21T13:00:00Z");
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    assert_eq!(
        read(dir, PATH),
        flow.replace(
            "status: open}",
            "status: rejected, resolved: 2026-11-22, resolved_by: bob, response: \"No.\"}"
        )
    );
    assert_eq!(check_json(dir, &[]).0, 0);
}

#[test]
fn the_disputes_report_matches_the_spec_and_its_figures_by_hand() {
    // Four reviews by bob: r1 accepted after 2 days, r2 partially accepted after 4, r3
    // rejected after 1, r4 open since 2026-11-25 (3 days old on 2026-11-28).
    let reviews: Vec<(String, String)> = (1..=4)
        .map(|n| (format!("reviews/2026/11/r{n}.yaml"), REVIEW.to_string()))
        .collect();
    let refs: Vec<(&str, &str)> = reviews
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let d = repo(QA, &refs);
    let dir = d.path();
    let open = |id: &str, day: &str, props: &[&str]| {
        let mut args = vec!["dispute", id, "--reason", "why"];
        for p in props {
            args.extend(["--propose", p]);
        }
        act_commit(dir, ALICE, day, &args);
    };
    open("r1", "2026-11-21", &["solution=4"]);
    open("r2", "2026-11-21", &["solution=4", "tone=4"]);
    open("r3", "2026-11-22", &["tone=4"]);
    open("r4", "2026-11-25", &["solution=4"]);
    act_commit(
        dir,
        BOB,
        "2026-11-23",
        &["resolve", "r1", "--accept", "--response", "ok"],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-25",
        &["resolve", "r2", "--partial", "tone", "--response", "tone"],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-23",
        &["resolve", "r3", "--reject", "--response", "no"],
    );
    let v = disputes_json(dir, &[]);
    let keys: Vec<&str> = v["disputes"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "review",
        "agent",
        "reviewer",
        "opened",
        "by",
        "kind",
        "status",
        "resolved",
        "days_to_resolve",
        "proposed",
        "score_before",
        "score_after",
    ] {
        assert!(keys.contains(&k), "SPEC §7 field {k} in {keys:?}");
    }
    let rows = v["disputes"].as_array().unwrap();
    let got: Vec<(&str, &str, Value, Value)> = rows
        .iter()
        .map(|r| {
            (
                r["review"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["days_to_resolve"].clone(),
                r["age_days"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("r1", "accepted", 2.into(), Value::Null),
            ("r2", "partially-accepted", 4.into(), Value::Null),
            ("r3", "rejected", 1.into(), Value::Null),
            ("r4", "open", Value::Null, 3.into()),
        ]
    );
    // r2: tone 4 granted: 100·(2 + 1.5 + 1)/6 = 75.
    close(&rows[1]["score_after"], 75.0);
    close(&rows[1]["score_before"], 100.0 * 3.5 / 6.0);
    let s = &v["summary"];
    assert_eq!(
        (
            s["open"].clone(),
            s["accepted"].clone(),
            s["partially_accepted"].clone(),
            s["rejected"].clone()
        ),
        (1.into(), 1.into(), 1.into(), 1.into())
    );
    close(&s["mean_days_to_resolve"], 7.0 / 3.0);
    // bob: 3 resolved, 2 granted.
    let bob = &s["accept_rate_by_reviewer"][0];
    assert_eq!(
        (
            bob["key"].as_str(),
            bob["resolved"].clone(),
            bob["granted"].clone()
        ),
        (Some("bob"), 3.into(), 2.into())
    );
    close(&bob["rate"], 2.0 / 3.0);
    // solution proposed in r1 (granted) and r2 (not); tone in r2 (granted) and r3 (not).
    let cats = &s["accept_rate_by_category"];
    assert_eq!(cats[0]["key"], "support/solution");
    close(&cats[0]["rate"], 0.5);
    assert_eq!(cats[1]["key"], "support/tone");
    close(&cats[1]["rate"], 0.5);
    // Filters.
    let open_only = disputes_json(dir, &["--status", "open"]);
    assert_eq!(open_only["disputes"].as_array().unwrap().len(), 1);
    let since = disputes_json(dir, &["--since", "2026-11-22"]);
    let ids: Vec<&str> = since["disputes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["review"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["r3", "r4"]);
    // CSV: one row per dispute plus the header.
    let (_, csv, _) = act(dir, BOB, "2026-11-28", &["disputes", "--format", "csv"]);
    assert_eq!(csv.lines().count(), 5);
}

/// `check` on one review file with `disputes` appended (no history): the problems.
fn check_disputes(qa: &str, disputes: &str) -> Vec<(String, u64, u64, String)> {
    let text = format!("{REVIEW}disputes:\n{disputes}");
    let d = temp_repo(&[
        ("qa.yaml", qa),
        ("rubrics/support.yaml", RUBRIC),
        (PATH, &text),
    ]);
    let (code, json) = check_json(d.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    problems(&json)
}

fn at(line: u64, column: u64, code: &str) -> (String, u64, u64, String) {
    (PATH.to_string(), line, column, code.to_string())
}

#[test]
fn who_may_open_a_dispute_is_checked_at_by() {
    let p = check_disputes(
        QA,
        "  - opened: 2026-11-21\n    by: zed\n    reason: r\n    status: open\n",
    );
    assert_eq!(
        p,
        vec![
            at(14, 9, "dispute-not-by-agent"),
            at(14, 9, "unknown-person")
        ]
    );
}

#[test]
fn proposals_name_categories_of_the_version_with_new_valid_ratings() {
    let p = check_disputes(
        QA,
        "  - opened: 2026-11-21\n    by: alice\n    reason: r\n    proposed: {solution: 3, nope: 2, tone: 9}\n    status: open\n",
    );
    assert_eq!(
        p,
        vec![
            at(16, 26, "proposal-unchanged"),
            at(16, 29, "invalid-proposal"),
            at(16, 44, "invalid-proposal")
        ]
    );
}

#[test]
fn dates_answers_the_cap_the_window_and_one_open_dispute() {
    let qa = format!("{QA}disputes: {{ max_per_review: 2, window_days: 2 }}\n");
    let p = check_disputes(
        &qa,
        "  - opened: 2026-11-21\n    by: alice\n    reason: r\n    proposed: {solution: 4}\n    \
         status: rejected\n    resolved: 2026-11-19\n    resolved_by: alice\n    response: no\n  \
         - opened: 2026-11-22\n    by: alice\n    reason: r\n    status: open\n  \
         - opened: 2026-11-23\n    by: alice\n    reason: r\n    status: open\n",
    );
    assert_eq!(
        p,
        vec![
            at(18, 15, "dispute-resolved-before-opened"),
            at(19, 18, "self-resolved-dispute"),
            at(25, 5, "too-many-disputes"),
            at(25, 13, "dispute-window-closed"),
            at(28, 13, "dispute-already-open"),
        ]
    );
}

#[test]
fn the_pull_request_comment_lists_the_disputes_it_opens_and_answers() {
    let reviews = [
        ("reviews/2026/11/r1.yaml", REVIEW),
        ("reviews/2026/11/r2.yaml", REVIEW),
    ];
    let d = repo(QA, &reviews);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    git_as(dir, BOB, "2026-11-21T13:00:00Z", &["branch", "base"]);
    act(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--accept", "--response", "ok"],
    );
    act(
        dir,
        ALICE,
        "2026-11-22",
        &[
            "dispute",
            "r2",
            "--reason",
            "@bob see <b>",
            "--propose",
            "tone=na",
        ],
    );
    // tone does not allow na: nothing written for r2.
    assert!(!read(dir, "reviews/2026/11/r2.yaml").contains("disputes"));
    act(
        dir,
        ALICE,
        "2026-11-22",
        &["dispute", "r2", "--reason", "r", "--propose", "tone=4"],
    );
    let (code, out, err) = act(dir, BOB, "2026-11-22", &["diff", "base", "--format", "md"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(
            "### Disputes\n\n| review | agent | dispute | change | asked for | score before | \
             score after |\n|---|---|---|---|---|---|---|\n| `r1` | alice | 1 | accepted | \
             solution 4 | 58.3 | 75.0 |\n| `r2` | alice | 1 | opened | tone 4 | 58.3 | 58.3 |\n"
        ),
        "{out}"
    );
    // No rubric change and no dispute: nothing to comment.
    let (code, out, _) = act(
        dir,
        BOB,
        "2026-11-22",
        &["diff", "HEAD", "HEAD", "--format", "md"],
    );
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn resolved_by_defaults_to_the_author_of_the_commit_that_set_the_status() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    // Bob answers by hand, without `resolved_by`: his commit names him.
    let open = read(dir, PATH);
    let answered = open.replace(
        "    status: open\n",
        "    status: rejected\n    resolved: 2026-11-22\n    response: No.\n",
    );
    std::fs::write(dir.join(PATH), &answered).unwrap();
    commit(dir, BOB, "2026-11-22T12:00:00Z");
    assert_eq!(check_json(dir, &[]).0, 0);
    let v = disputes_json(dir, &[]);
    assert_eq!(v["disputes"][0]["resolved_by"], "bob");
    // Had alice committed that answer herself, it would be her own dispute answered.
    let d2 = repo(QA, &[(PATH, REVIEW)]);
    let dir2 = d2.path();
    std::fs::write(dir2.join(PATH), &open).unwrap();
    commit(dir2, ALICE, "2026-11-21T12:00:00Z");
    std::fs::write(dir2.join(PATH), &answered).unwrap();
    commit(dir2, ALICE, "2026-11-22T12:00:00Z");
    let (code, json) = check_json(dir2, &[]);
    assert_eq!(code, 1);
    assert_eq!(problems(&json), vec![at(17, 13, "self-resolved-dispute")]);
    // And answered in the very commit that opened it: nothing was on record to answer.
    let d3 = repo(QA, &[(PATH, REVIEW)]);
    let dir3 = d3.path();
    std::fs::write(dir3.join(PATH), &answered).unwrap();
    commit(dir3, BOB, "2026-11-22T12:00:00Z");
    let (code, json) = check_json(dir3, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![at(13, 5, "dispute-answered-unopened")]
    );
}

/// Alice disputes r1; Bob rejects, and in the same commit lowers `tone` (which the answer
/// does not grant): an `answer-changed-other-ratings` at 7:1 that only the versions show.
fn rejected_and_lowered() -> tempfile::TempDir {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    act(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    let text = read(dir, PATH).replace("tone: { rating: 2,", "tone: { rating: 1,");
    std::fs::write(dir.join(PATH), &text).unwrap();
    commit(dir, BOB, "2026-11-22T12:00:00Z");
    d
}

/// Removes the loose object of `PATH` as it was at `rev`, as a damaged repository would lack
/// it; returns its id.
fn remove_object(dir: &Path, rev: &str) -> String {
    let out = crate::git_cmd(dir)
        .args(["rev-parse", &format!("{rev}:{PATH}")])
        .output()
        .unwrap();
    let blob = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert_eq!(blob.len(), 40, "{blob}");
    std::fs::remove_file(dir.join(".git/objects").join(&blob[..2]).join(&blob[2..])).unwrap();
    blob
}

#[test]
fn an_answer_changes_only_what_it_grants_and_an_agent_never_edits_ratings() {
    let d = rejected_and_lowered();
    let dir = d.path();
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    let p = problems(&json);
    assert!(
        p.contains(&at(7, 1, "answer-changed-other-ratings")),
        "{p:?}"
    );
    // Alice raising her own rating, with no dispute at all, on another review.
    let d2 = repo(QA, &[(PATH, REVIEW)]);
    let dir2 = d2.path();
    std::fs::write(
        dir2.join(PATH),
        REVIEW.replace("  solution: 3\n", "  solution: 4\n"),
    )
    .unwrap();
    commit(dir2, ALICE, "2026-11-21T12:00:00Z");
    let (code, json) = check_json(dir2, &[]);
    assert_eq!(code, 1);
    assert_eq!(problems(&json), vec![at(7, 1, "ratings-changed-by-agent")]);
}

#[test]
fn backdating_does_not_reopen_the_window_and_calibration_reviews_are_not_disputed() {
    let qa = format!("{QA}disputes: {{ window_days: 14 }}\n");
    let d = repo(&qa, &[(PATH, REVIEW)]);
    let dir = d.path();
    // Written on 2026-12-10 (20 days after the review) but dated 2026-11-25.
    let text = format!(
        "{REVIEW}disputes:\n  - opened: 2026-11-25\n    by: alice\n    reason: r\n    \
         proposed: {{solution: 4}}\n    status: open\n"
    );
    std::fs::write(dir.join(PATH), &text).unwrap();
    commit(dir, ALICE, "2026-12-10T12:00:00Z");
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    assert_eq!(problems(&json), vec![at(13, 13, "dispute-window-closed")]);
    // A dispute dated before the review itself.
    let before = text.replace("opened: 2026-11-25", "opened: 2026-11-19");
    let p = check_disputes(&qa, before.split_once("disputes:\n").unwrap().1);
    assert_eq!(p, vec![at(13, 13, "dispute-window-closed")]);
    // A calibration review.
    let cal = format!(
        "{}disputes:\n  - opened: 2026-11-21\n    by: alice\n    reason: r\n    status: open\n",
        REVIEW.replace("ratings:\n", "calibration: 2026-w47\nratings:\n")
    );
    let d3 = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC),
        (PATH, &cal),
    ]);
    let (code, json) = check_json(d3.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(problems(&json), vec![at(13, 1, "dispute-on-calibration")]);
}

#[test]
fn a_flipped_answer_or_a_new_id_shows_in_the_pull_request_comment_and_fails_check() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    act_commit(
        dir,
        BOB,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    git_as(dir, BOB, "2026-11-22T13:00:00Z", &["branch", "base"]);
    // The agent flips the answer and gives the review a new id, hoping to lose its history.
    let flipped = read(dir, PATH)
        .replace("  solution: 3\n", "  solution: 4\n")
        .replace("status: rejected", "status: accepted")
        .replace("rubric: support@2\n", "id: r1-b\nrubric: support@2\n");
    std::fs::write(dir.join(PATH), &flipped).unwrap();
    commit(dir, ALICE, "2026-11-23T12:00:00Z");
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    let codes: Vec<String> = problems(&json).into_iter().map(|p| p.3).collect();
    assert!(
        codes.contains(&"review-added-with-answered-dispute".to_string())
            && codes.contains(&"self-resolved-dispute".to_string()),
        "{codes:?}"
    );
    let p = problems(&json);
    assert!(
        p.contains(&at(14, 5, "review-added-with-answered-dispute")),
        "{p:?}"
    );
    let (_, out, err) = act(dir, BOB, "2026-11-23", &["diff", "base", "--format", "md"]);
    assert!(out.contains("| `r1` | alice | 1 | removed |"), "{out}{err}");
}

#[test]
fn a_shallow_clone_says_the_dispute_history_rules_did_not_run() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    act_commit(
        dir,
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    let shallow = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.display());
    let target = shallow.path().join("c");
    git_as(
        shallow.path(),
        BOB,
        "2026-11-22T10:00:00Z",
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            target.to_str().unwrap(),
        ],
    );
    let (code, json) = check_json(&target, &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        problems(&json),
        vec![at(12, 1, "dispute-history-unavailable")]
    );
}

#[test]
fn once_qa_yaml_has_a_lead_only_the_reviewer_or_a_lead_answers_a_dispute() {
    // Marek is in the roster but neither bob (the reviewer) nor a lead.
    let with_lead = QA.replace(
        "  marek: { name: Marek Tamm, emails: [marek@acme.example] }\n",
        "  marek: { name: Marek Tamm, emails: [marek@acme.example] }\n  lena: { name: Lena Lead, lead: true, emails: [lena@acme.example] }\n",
    );
    let answer = |qa: &str, who: (&str, &str)| {
        let d = repo(qa, &[(PATH, REVIEW)]);
        act_commit(
            d.path(),
            ALICE,
            "2026-11-21",
            &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
        );
        // Answered by hand (as `resolve` would refuse it), committed by `who`.
        let open = read(d.path(), PATH);
        let answered = open.replace(
            "    status: open\n",
            "    status: rejected\n    resolved: 2026-11-22\n    response: No.\n",
        );
        std::fs::write(d.path().join(PATH), answered).unwrap();
        commit(d.path(), who, "2026-11-22T12:00:00Z");
        let (code, json) = check_json(d.path(), &[]);
        (code, problems(&json), json)
    };
    let (code, found, json) = answer(&with_lead, MAREK);
    assert_eq!(code, 1);
    assert_eq!(found, vec![at(17, 13, "dispute-answered-by-outsider")]);
    assert!(
        json.to_string()
            .contains("dispute 1 was answered by `marek`, who is neither the review's reviewer (`bob`) nor a lead"),
        "{json}"
    );
    // The reviewer and a lead may answer it.
    let lena = ("Lena Lead", "lena@acme.example");
    assert_eq!(answer(&with_lead, BOB).0, 0);
    assert_eq!(answer(&with_lead, lena).0, 0);
    // Without any lead in qa.yaml, the rule does not apply (teams that mark no roles).
    assert_eq!(answer(QA, MAREK).0, 0);
    // `rubric resolve` run by marek is refused, and writes nothing.
    let d = repo(&with_lead, &[(PATH, REVIEW)]);
    act_commit(
        d.path(),
        ALICE,
        "2026-11-21",
        &["dispute", "r1", "--reason", "r", "--propose", "solution=4"],
    );
    let before = read(d.path(), PATH);
    let (code, _, err) = act(
        d.path(),
        MAREK,
        "2026-11-22",
        &["resolve", "r1", "--reject", "--response", "No."],
    );
    assert_ne!(code, 0, "{err}");
    assert!(err.contains("dispute-answered-by-outsider"), "{err}");
    assert_eq!(read(d.path(), PATH), before);
}

/// The history keeps a review's newest version whole and its older ones only as what the
/// rules ask of them; the dispute rules, the `disputes` report and `history` read the older
/// ones again from git, and say the same from the cache as from a cold scan. An older version
/// gone from git is then an error that names the file, never a silently shorter history.
#[test]
fn older_versions_are_read_again_from_git_and_a_missing_one_is_named() {
    let d = rejected_and_lowered();
    let dir = d.path();
    // Three versions: the newest whole, the first two kept as older ones.
    assert_eq!(crate::kept_versions(dir).1, (1, 2));
    // Each command cold (no cache), then warm twice: the first run writes the cache, the
    // second reads it.
    let outputs = |cold: bool| {
        let mut all = Vec::new();
        for args in [
            &["check", "--format", "json"][..],
            &["disputes", "--format", "json"],
            &["history", "r1", "--format", "json"],
        ] {
            if cold {
                let _ = std::fs::remove_dir_all(dir.join(".git/rubric"));
            }
            let (code, out, err) = act(dir, BOB, "2026-11-28", args);
            all.push((code, out, err));
        }
        all
    };
    let cold = outputs(true);
    assert_eq!(cold[0].0, 1, "{cold:?}");
    let check: Value = serde_json::from_str(&cold[0].1).unwrap();
    assert_eq!(
        problems(&check),
        vec![at(7, 1, "answer-changed-other-ratings")],
        "{check}"
    );
    let disputes: Value = serde_json::from_str(&cold[1].1).unwrap();
    assert_eq!(disputes["left_out"][0]["path"], PATH, "{disputes}");
    let history: Value = serde_json::from_str(&cold[2].1).unwrap();
    assert_eq!(history.as_array().map(Vec::len), Some(3), "{history}");
    close(&history[1]["score"], 100.0 * 3.5 / 6.0);
    assert_eq!(history[2]["dispute"], "rejected");
    assert_eq!(outputs(false), cold);
    assert_eq!(outputs(false), cold);
    // The version that opened the dispute is gone from git.
    let blob = remove_object(dir, "HEAD~1");
    let (code, out, err) = act(dir, BOB, "2026-11-28", &["check", "--format", "json"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains(PATH) && err.contains(&blob[..10]), "{err}");
}

/// An older version that only `history` reads (its edit changed a comment, so no rule needed
/// it) and that git can no longer give: `check` is clean, and `history` prints what it has,
/// then fails (exit 2) naming the file, never a silently shorter history.
#[test]
fn an_older_version_gone_from_git_fails_history_by_name() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    std::fs::write(
        dir.join(PATH),
        REVIEW.replace("Curt.", "Curt with the customer."),
    )
    .unwrap();
    commit(dir, BOB, "2026-11-21T12:00:00Z");
    let (code, _, err) = act(
        dir,
        BOB,
        "2026-11-28",
        &["history", "r1", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let blob = remove_object(dir, "HEAD~1");
    let (code, _, err) = act(dir, BOB, "2026-11-28", &["check"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = act(
        dir,
        BOB,
        "2026-11-28",
        &["history", "r1", "--format", "json"],
    );
    assert_eq!(code, 2, "{out}{err}");
    let rows: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(rows[0]["score"], Value::Null, "{rows}");
    close(&rows[1]["score"], 100.0 * 3.5 / 6.0);
    assert!(
        err.contains("cannot read 1 older review version(s) from git")
            && err.contains(PATH)
            && err.contains(&blob[..10]),
        "{err}"
    );
}

/// A revert makes a version the history had retired a review's newest again, and it is then
/// kept whole again (read once more in the incremental run that meets the revert). The
/// agent-edit verdict rests on what the history keeps of the older versions, so it stands when
/// one is gone from git; `history`, which reads it whole, fails by name (exit 2).
#[test]
fn a_reverted_version_is_whole_again_and_the_verdict_needs_no_older_object() {
    let d = repo(QA, &[(PATH, REVIEW)]);
    let dir = d.path();
    let rate = |solution: &str| {
        let text = REVIEW.replace("  solution: 3\n", &format!("  solution: {solution}\n"));
        std::fs::write(dir.join(PATH), text).unwrap();
    };
    // Alice, the agent, raises her own rating; Bob lowers it; the cache is written.
    rate("4");
    commit(dir, ALICE, "2026-11-21T12:00:00Z");
    rate("1");
    commit(dir, BOB, "2026-11-22T12:00:00Z");
    let (code, _) = check_json(dir, &[]);
    assert_eq!(code, 1);
    // Bob puts Alice's version back: the incremental run meets the revert.
    rate("4");
    commit(dir, BOB, "2026-11-23T12:00:00Z");
    let (code, json) = check_json(dir, &[]);
    assert_eq!(
        (code, problems(&json)),
        (1, vec![at(7, 1, "ratings-changed-by-agent")])
    );
    // Bob's first and last versions are older ones; Alice's (the newest again) is whole.
    assert_eq!(crate::kept_versions(dir), ("warm".to_string(), (1, 2)));
    // The first version is gone from git.
    let blob = remove_object(dir, "HEAD~3");
    assert_eq!(check_json(dir, &[]), (code, json));
    let (code, _, err) = act(dir, BOB, "2026-11-28", &["history", "r1"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cannot read 1 older review version(s)") && err.contains(&blob[..10]),
        "{err}"
    );
}
