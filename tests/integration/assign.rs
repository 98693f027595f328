//! `rubric assign`, `rubric assignments`, `new review --next` and plans in `check` (SPEC §4.1):
//! a generated export of 10,000 conversations with a fixed expected plan, every sampling rule,
//! every reason a row is left out, bad input files, and the plans' diagnostics.

use crate::{problems, rubric, temp_repo, RUBRIC};
use serde_json::Value;
use std::path::Path;

/// 2026-11-30T06:00:00Z: "today" of every run here (its cycle is 2026-W49).
const NOW: &str = "1796018400";

const QA: &str = "\
timezone: Europe/Tallinn
people:
  alice: { name: Alice, emails: [alice@acme.example] }
  bob: { name: Bob, emails: [bob@acme.example] }
  carol: {}
  dan: { emails: [dan@acme.example] }
  erin: {}
  frank: {}
  gus: {}
  kadri: { emails: [kadri@acme.example] }
  lena: {}
assignments:
  cycle: week
  per_agent: 5
  reviewers: [bob, kadri, lena]
  where: { channel: [email, chat] }
  seed: 42
";

const AGENTS: [&str; 7] = ["alice", "bob", "carol", "dan", "erin", "frank", "gus"];
const PLAN_W48: &str = "assignments/2026-W48.yaml";

/// A review of `conversation` for `agent` (valid against `RUBRIC`).
fn review(agent: &str, conversation: &str) -> String {
    format!(
        "rubric: support@2\nagent: {agent}\nreviewer: kadri\nreviewed_at: 2026-11-20\n\
         conversation:\n  id: \"{conversation}\"\nratings:\n  solution: 3\n  tone: 4\n  \
         grammar: na\n  security: 2\n"
    )
}

/// An earlier plan (2026-W47) that lists conversations 500007 and 500027.
const PLAN_W47: &str = "\
cycle: 2026-W47
created: 2026-11-16
source: { file: old.csv, sha256: \"0000000000000000000000000000000000000000000000000000000000000000\", rows: 2 }
items:
  - { conversation: \"500007\", agent: alice, reviewer: kadri }
  - { conversation: \"500027\", agent: bob, reviewer: kadri }
";

/// The generated export: row `i` (0-based) is, by `i % 20`: 0 a bad date, 1 outside the
/// cycle, 2 an unknown agent, 3 filtered out (phone), else a usable row of 2026-W48 — except
/// that `i % 1000 == 999` has no id and `i % 1000 == 505` repeats the id of the row before.
fn export_rows(n: usize) -> Vec<[String; 5]> {
    (0..n)
        .map(|i| {
            let kind = i % 20;
            let mut id = format!("{}", 500_000 + i);
            if i % 1000 == 999 {
                id = String::new();
            }
            if i % 1000 == 505 {
                id = format!("{}", 500_000 + i - 1);
            }
            let slot = (i / 20) % 7;
            let mut agent = AGENTS[slot].to_string();
            if (i / 20) % 3 == 0 && ["alice", "dan"].contains(&AGENTS[slot]) {
                agent = format!("{}@ACME.example", AGENTS[slot].to_uppercase());
            }
            let day = 23 + (i % 7);
            let mut created = if i % 2 == 0 {
                format!("2026-11-{day:02}T{:02}:{:02}:00Z", i % 21, i % 60)
            } else {
                format!("2026-11-{day:02}")
            };
            let mut channel = if i % 3 == 0 { "chat" } else { "email" }.to_string();
            match kind {
                0 => created = ["2026-02-30", "23/11/2026", "2026-11-23 10:00"][i % 3].into(),
                1 => created = ["2026-11-16", "2026-12-01T10:00:00+02:00"][i % 2].into(),
                2 => agent = "ghost@nowhere.example".into(),
                3 => channel = "phone".into(),
                _ => {}
            }
            let url = format!("https://desk.example/t/{}", 500_000 + i);
            [id, agent, created, channel, url]
        })
        .collect()
}

fn csv_text(rows: &[[String; 5]]) -> String {
    let mut out = String::from("id,agent,created_at,channel,url,subject\n");
    for r in rows {
        out.push_str(&format!(
            "{},{},{},{},{},\"Re: order, \"\"urgent\"\"\"\n",
            r[0], r[1], r[2], r[3], r[4]
        ));
    }
    out
}

/// The repository of the 10,000-row tests: roster, rubric, three reviews that cover exported
/// conversations (and one of another agent), and the W47 plan.
fn big_repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/2026/11/r6.yaml", &review("alice", "500006")),
        ("reviews/2026/11/r26.yaml", &review("bob", "500026")),
        ("reviews/2026/11/r46.yaml", &review("carol", "500046")),
        ("reviews/2026/11/r66.yaml", &review("erin", "500066")),
        ("assignments/2026-W47.yaml", PLAN_W47),
    ]);
    std::fs::write(
        dir.path().join("export.csv"),
        csv_text(&export_rows(10_000)),
    )
    .unwrap();
    dir
}

/// Runs `rubric assign` (JSON summary) in `dir`: exit code, summary, stderr.
fn assign(dir: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = rubric(dir)
        .env("SOURCE_DATE_EPOCH", NOW)
        .args(["assign", "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn plan_items(dir: &Path, rel: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(rel)).expect("the plan exists");
    let doc = rubric::load::yaml::load_str(rel, &text).expect("the plan is YAML");
    doc.value["items"].as_array().cloned().unwrap_or_default()
}

fn rejected(summary: &Value) -> Vec<(String, u64)> {
    summary["rejected"]
        .as_array()
        .expect("rejected")
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(k, n)| (k.to_string(), *n)).collect()
}

#[test]
fn assign_plans_a_10000_row_export_exactly() {
    let dir = big_repo();
    let (code, summary, stderr) = assign(
        dir.path(),
        &["--conversations", "export.csv", "--cycle", "2026-W48"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["source"]["rows"], 10_000);
    assert_eq!(summary["items"], 35);
    assert_eq!(summary["candidates"], 7975);
    assert_eq!(
        rejected(&summary),
        counts(&[
            ("missing-id", 10),
            ("bad-date", 500),
            ("outside-cycle", 500),
            ("unknown-agent", 500),
            ("filtered-out", 500),
            ("already-reviewed", 3),
            ("already-assigned", 2),
            ("no-reviewer", 0),
            ("duplicate", 10),
        ])
    );
    assert_eq!(summary["unknown_agents"][0]["key"], "ghost@nowhere.example");
    assert_eq!(summary["unknown_agents"][0]["count"], 500);
    let text = std::fs::read_to_string(dir.path().join(PLAN_W48)).unwrap();
    insta::assert_snapshot!("assign_10000_plan", text);
    // The plan is valid: `check` is clean.
    let (code, json) = crate::check_json(dir.path(), &[]);
    assert_eq!((code, problems(&json)), (0, vec![]));
}

#[test]
fn every_sampling_rule_holds_on_the_10000_row_plan() {
    let dir = big_repo();
    let (code, _, stderr) = assign(
        dir.path(),
        &["--conversations", "export.csv", "--cycle", "2026-W48"],
    );
    assert_eq!(code, 0, "{stderr}");
    let items = plan_items(dir.path(), PLAN_W48);
    let rows = export_rows(10_000);
    let field = |i: &Value, k: &str| i[k].as_str().unwrap_or_default().to_string();
    // Per agent: exactly per_agent (every agent has more candidates than that).
    for a in AGENTS {
        let n = items.iter().filter(|i| field(i, "agent") == a).count();
        assert_eq!(n, 5, "{a}");
    }
    // Reviewer loads differ by at most one, and nobody reviews their own conversation.
    let load = |r: &str| items.iter().filter(|i| field(i, "reviewer") == r).count();
    let loads = [load("bob"), load("kadri"), load("lena")];
    assert_eq!(loads.iter().sum::<usize>(), 35);
    assert!(
        loads.iter().max().unwrap() - loads.iter().min().unwrap() <= 1,
        "{loads:?}"
    );
    assert!(items
        .iter()
        .all(|i| field(i, "agent") != field(i, "reviewer")));
    for i in &items {
        let c = field(i, "conversation");
        // Never a reviewed or an already assigned conversation.
        assert!(!["500006", "500026", "500046", "500007", "500027"].contains(&c.as_str()));
        // Only rows of the cycle that pass `where`, with their own agent, date, link and channel.
        let row = rows.iter().find(|r| r[0] == c).expect("from the export");
        assert!(["email", "chat"].contains(&row[3].as_str()));
        assert_eq!(field(i, "created_at"), row[2]);
        assert_eq!(field(i, "url"), row[4]);
        assert_eq!(field(i, "channel"), row[3]);
        assert!(row[2].starts_with("2026-11-2"), "{}", row[2]);
        assert_eq!(
            row[1].to_lowercase().split('@').next(),
            Some(field(i, "agent").as_str())
        );
    }
    // No conversation twice.
    let mut ids: Vec<String> = items.iter().map(|i| field(i, "conversation")).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 35);
}

#[test]
fn the_same_input_gives_the_same_file_byte_for_byte_and_the_seed_another() {
    let a = big_repo();
    let b = big_repo();
    // The same export with its rows in another order.
    let mut rows = export_rows(10_000);
    rows.reverse();
    std::fs::write(b.path().join("export.csv"), csv_text(&rows)).unwrap();
    let args = ["--conversations", "export.csv", "--cycle", "2026-W48"];
    assert_eq!(assign(a.path(), &args).0, 0);
    let first = std::fs::read(a.path().join(PLAN_W48)).unwrap();
    assert_eq!(assign(a.path(), &[&args[..], &["--force"]].concat()).0, 0);
    assert_eq!(std::fs::read(a.path().join(PLAN_W48)).unwrap(), first);
    assert_eq!(assign(b.path(), &args).0, 0);
    // The rows' order changes only the file's hash.
    let strip = |t: Vec<u8>| {
        String::from_utf8(t)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with("source:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        strip(std::fs::read(b.path().join(PLAN_W48)).unwrap()),
        strip(first.clone())
    );
    // Another seed draws another sample.
    let qa = QA.replace("seed: 42", "seed: 43");
    std::fs::write(a.path().join("qa.yaml"), qa).unwrap();
    assert_eq!(assign(a.path(), &[&args[..], &["--force"]].concat()).0, 0);
    assert_ne!(std::fs::read(a.path().join(PLAN_W48)).unwrap(), first);
}

/// A small export with one row for each reason.
const SMALL: &str = "\
id,agent,created_at,channel,url
1,alice,2026-11-23,email,https://desk.example/1
,alice,2026-11-23,email,
3,alice,2026-11-31,email,
4,alice,2026-11-22T21:59:59Z,email,
5,zed,2026-11-24,email,
6,alice,2026-11-24,phone,
1,alice,2026-11-25,email,
7,carol,2026-11-25,chat,
8,alice,2026-11-26,chat,
9,kadri,2026-11-26,email,
10,alice,2026-11-22T22:00:00Z,email,javascript:alert(1)
";

fn small_repo(qa: &str) -> tempfile::TempDir {
    temp_repo(&[
        ("qa.yaml", qa),
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/2026/11/r7.yaml", &review("carol", "7")),
        (
            "assignments/2026-W47.yaml",
            &PLAN_W47.replace("500007", "8").replace("500027", "88"),
        ),
        ("small.csv", SMALL),
    ])
}

#[test]
fn every_rejected_row_reason_is_counted() {
    let qa = QA.replace("reviewers: [bob, kadri, lena]", "reviewers: [kadri]");
    let dir = small_repo(&qa);
    let (code, summary, stderr) = assign(
        dir.path(),
        &["--conversations", "small.csv", "--cycle", "2026-W48"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        rejected(&summary),
        counts(&[
            ("missing-id", 1),
            ("bad-date", 1),
            ("outside-cycle", 1),
            ("unknown-agent", 1),
            ("filtered-out", 1),
            ("already-reviewed", 1),
            ("already-assigned", 1),
            ("no-reviewer", 1),
            ("duplicate", 1),
        ])
    );
    let items = plan_items(dir.path(), PLAN_W48);
    let ids: Vec<&str> = items
        .iter()
        .map(|i| i["conversation"].as_str().unwrap())
        .collect();
    // 22:00Z is midnight in Tallinn: in the cycle; 21:59:59Z is not. A link that is not
    // http(s) is not copied.
    assert_eq!(ids, ["1", "10"]);
    assert_eq!(items[1].get("url"), None);
    assert_eq!(items[0]["url"], "https://desk.example/1");
    // The human summary names the reasons and the unknown agent.
    let out = rubric(dir.path())
        .env("SOURCE_DATE_EPOCH", NOW)
        .args([
            "assign",
            "--conversations",
            "small.csv",
            "--cycle",
            "2026-W48",
            "--force",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("already-reviewed"), "{text}");
    assert!(text.contains("zed (1)"), "{text}");
}

#[test]
fn json_lines_give_the_same_plan_as_csv() {
    let dir = small_repo(QA);
    let mut jsonl = String::new();
    let mut rdr = csv::Reader::from_reader(SMALL.as_bytes());
    for r in rdr.records() {
        let r = r.unwrap();
        let mut o = serde_json::Map::new();
        for (k, v) in ["id", "agent", "created_at", "channel", "url"]
            .iter()
            .zip(r.iter())
        {
            if !v.is_empty() {
                o.insert(k.to_string(), Value::from(v));
            }
        }
        if let Ok(n) = r[0].parse::<u64>() {
            o.insert("id".into(), Value::from(n)); // a numeric id reads as its text
        }
        jsonl.push_str(&format!("{}\n", Value::Object(o)));
    }
    std::fs::write(dir.path().join("small.jsonl"), jsonl).unwrap();
    let args = ["--cycle", "2026-W48", "--conversations"];
    assert_eq!(
        assign(dir.path(), &[&args[..], &["small.csv"]].concat()).0,
        0
    );
    let from_csv = plan_items(dir.path(), PLAN_W48);
    let (code, summary, stderr) = assign(
        dir.path(),
        &[&args[..], &["small.jsonl", "--force"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(summary["source"]["format"], "jsonl");
    assert_eq!(plan_items(dir.path(), PLAN_W48), from_csv);
}

/// Runs assign on `bytes` as the export; asserts exit 2, a message containing `want`, and
/// that no plan was written.
fn refused(name: &str, bytes: &[u8], want: &str) {
    let dir = small_repo(QA);
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let (code, _, stderr) = assign(
        dir.path(),
        &["--conversations", name, "--cycle", "2026-W48"],
    );
    assert_eq!(code, 2, "{name}: {stderr}");
    assert!(stderr.contains(want), "{name}: {stderr}");
    assert!(!dir.path().join(PLAN_W48).exists(), "{name}");
}

#[test]
fn bad_export_files_are_refused_with_exit_2_and_nothing_written() {
    refused(
        "missing.csv",
        b"id,agent,channel\n1,alice,email\n",
        "no column `created_at`",
    );
    refused(
        "where.csv",
        b"id,agent,created_at\n1,alice,2026-11-23\n",
        "no column `channel`",
    );
    let mut utf16 = vec![0xFF, 0xFE];
    for c in "id,agent,created_at\n".encode_utf16() {
        utf16.extend(c.to_le_bytes());
    }
    refused("utf16.csv", &utf16, "not UTF-8");
    refused(
        "latin1.csv",
        b"id,agent,created_at,channel\n1,J\xfcrgen,2026-11-23,email\n",
        "line 2",
    );
    refused(
        "ragged.csv",
        b"id,agent,created_at,channel\n1,alice,2026-11-23\n",
        "line 2",
    );
    refused("empty.csv", b"", "is empty");
    refused(
        "bad.jsonl",
        b"{\"id\": 1, \"agent\": \"alice\"}\n{not json\n",
        "line 2",
    );
    refused(
        "nocol.jsonl",
        b"{\"id\": 1, \"agent\": \"alice\", \"channel\": \"email\"}\n",
        "no column `created_at`",
    );
    // A file of 1 GB (sparse: nothing is read).
    let dir = small_repo(QA);
    let f = std::fs::File::create(dir.path().join("huge.csv")).unwrap();
    f.set_len(1 << 30).unwrap();
    let (code, _, stderr) = assign(
        dir.path(),
        &["--conversations", "huge.csv", "--cycle", "2026-W48"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("more than the 536870912 bytes"), "{stderr}");
    assert!(!dir.path().join(PLAN_W48).exists());
}

#[cfg(unix)]
#[test]
fn a_fifo_or_a_folder_as_the_export_is_refused_without_hanging() {
    let dir = small_repo(QA);
    let fifo = dir.path().join("pipe.csv");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(ok.success());
    for name in ["pipe.csv", "rubrics"] {
        let (code, _, stderr) = assign(
            dir.path(),
            &["--conversations", name, "--cycle", "2026-W48"],
        );
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("is not a regular file"), "{stderr}");
    }
}

#[test]
fn a_plan_is_never_replaced_without_force_nor_written_through_a_link() {
    let dir = small_repo(QA);
    let args = ["--conversations", "small.csv", "--cycle", "2026-W48"];
    assert_eq!(assign(dir.path(), &args).0, 0);
    std::fs::write(dir.path().join(PLAN_W48), "# mine\n").unwrap();
    let (code, _, stderr) = assign(dir.path(), &args);
    assert_eq!(code, 2);
    assert!(stderr.contains("exists already"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(PLAN_W48)).unwrap(),
        "# mine\n"
    );
    assert_eq!(assign(dir.path(), &[&args[..], &["--force"]].concat()).0, 0);
    assert!(std::fs::read_to_string(dir.path().join(PLAN_W48))
        .unwrap()
        .contains("items:"));
    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().unwrap();
        let repo = small_repo(QA);
        std::fs::remove_dir_all(repo.path().join("assignments")).unwrap();
        std::os::unix::fs::symlink(outside.path(), repo.path().join("assignments")).unwrap();
        let (code, _, stderr) = assign(repo.path(), &args);
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.contains("refusing to write"), "{stderr}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    }
}

#[test]
fn assign_needs_the_configuration_and_a_cycle_of_its_kind() {
    let dir = small_repo("timezone: UTC\n");
    let (code, _, stderr) = assign(dir.path(), &["--conversations", "small.csv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no `assignments:` section"), "{stderr}");
    let dir = small_repo(QA);
    let (code, _, stderr) = assign(
        dir.path(),
        &["--conversations", "small.csv", "--cycle", "2026-11"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("give --cycle as a week"), "{stderr}");
    // Without --cycle: the cycle of today (2026-11-30 is in 2026-W49).
    let (code, summary, _) = assign(dir.path(), &["--conversations", "small.csv"]);
    assert_eq!(code, 0);
    assert_eq!(summary["path"], "assignments/2026-W49.yaml");
    let qa = QA.replace("reviewers: [bob, kadri, lena]", "reviewers: [bob, kadrii]");
    let dir = small_repo(&qa);
    let (code, _, stderr) = assign(dir.path(), &["--conversations", "small.csv"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("`kadrii`, who is not in the roster"),
        "{stderr}"
    );
}

#[test]
fn loads_stay_balanced_when_a_reviewer_is_also_an_agent() {
    // bob has 4 conversations and reviews; kadri and lena review. 3 agents x 4 = 12 items.
    let mut csv = String::from("id,agent,created_at,channel\n");
    for (n, a) in [
        "bob", "bob", "bob", "bob", "erin", "erin", "erin", "erin", "gus", "gus", "gus", "gus",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!("{n},{a},2026-11-24,email\n"));
    }
    let qa = QA.replace("per_agent: 5", "per_agent: 4");
    let dir = temp_repo(&[
        ("qa.yaml", &qa),
        ("rubrics/support.yaml", RUBRIC),
        ("c.csv", &csv),
    ]);
    assert_eq!(
        assign(
            dir.path(),
            &["--conversations", "c.csv", "--cycle", "2026-W48"]
        )
        .0,
        0
    );
    let items = plan_items(dir.path(), PLAN_W48);
    let load = |r: &str| items.iter().filter(|i| i["reviewer"] == r).count();
    assert_eq!([load("bob"), load("kadri"), load("lena")], [4, 4, 4]);
    assert!(items.iter().all(|i| i["agent"] != i["reviewer"]));
}

/// `check` on plans: each rule at its line and column.
#[test]
fn check_reports_plan_problems_at_their_lines() {
    let bad = "\
cycle: 2026-W48
created: 2026-11-23
source: { file: a.csv, sha256: \"0000000000000000000000000000000000000000000000000000000000000000\", rows: 3 }
items:
  - { conversation: \"1\", agent: alice, reviewer: bob }
  - { conversation: \"2\", agent: zed, reviewer: bob }
  - { conversation: \"3\", agent: kadri, reviewer: kadri }
  - { conversation: \"1\", agent: carol, reviewer: bob }
";
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC),
        ("assignments/2026-W48.yaml", bad),
        (
            "assignments/2026-W49.yaml",
            &bad.replace("2026-W48", "2026-W50")
                .replace("zed", "dan")
                .replace(
                    "agent: kadri, reviewer: kadri",
                    "agent: kadri, reviewer: bob",
                )
                .replace("\"1\", agent: carol", "\"4\", agent: carol"),
        ),
        (
            "assignments/2026-W51.yaml",
            "cycle: 2026-W51\ncreated: 2026-12-14\nsource: { file: a.csv, sha256: x, rows: 1 }\n",
        ),
    ]);
    let (code, json) = crate::check_json(dir.path(), &[]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&json),
        vec![
            (
                "assignments/2026-W48.yaml".into(),
                6,
                33,
                "plan-unknown-person".into()
            ),
            (
                "assignments/2026-W48.yaml".into(),
                7,
                50,
                "plan-self-review".into()
            ),
            (
                "assignments/2026-W48.yaml".into(),
                8,
                21,
                "plan-duplicate-conversation".into()
            ),
            (
                "assignments/2026-W49.yaml".into(),
                1,
                8,
                "plan-cycle-mismatch".into()
            ),
            ("assignments/2026-W51.yaml".into(), 3, 32, "schema".into()),
        ]
    );
    // The same conversation in two plans of one cycle is a duplicate too.
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC),
        ("assignments/2026-W47.yaml", PLAN_W47),
        (
            "assignments/2026-W47-extra.yaml",
            &PLAN_W47.replace("500027", "500099"),
        ),
    ]);
    let (_, json) = crate::check_json(dir.path(), &[]);
    let codes: Vec<(u64, u64, String)> = problems(&json)
        .into_iter()
        .map(|p| (p.1, p.2, p.3))
        .collect();
    assert_eq!(
        codes,
        vec![
            (1, 8, "plan-cycle-mismatch".to_string()),
            (5, 21, "plan-duplicate-conversation".to_string()),
        ]
    );
}

/// A repository with a plan for 2026-W48 (bob: 1 and 2 of alice; kadri: 3 of carol), a valid
/// review of 1/alice, an invalid review of 3/carol (left out), and a review of 2 for another
/// agent.
fn planned_repo() -> tempfile::TempDir {
    let plan = "\
cycle: 2026-W48
created: 2026-11-23
source: { file: a.csv, sha256: \"0000000000000000000000000000000000000000000000000000000000000000\", rows: 3 }
items:
  - { conversation: \"1\", agent: alice, reviewer: bob, created_at: \"2026-11-24\", url: \"https://desk.example/1\", channel: email }
  - { conversation: \"2\", agent: alice, reviewer: bob, created_at: \"2026-11-23T09:00:00Z\", url: \"https://desk.example/2\", channel: \"=cmd()\" }
  - { conversation: \"3\", agent: carol, reviewer: kadri, created_at: \"2026-11-25\" }
";
    temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC),
        (PLAN_W48, plan),
        ("reviews/2026/11/1-alice.yaml", &review("alice", "1")),
        ("reviews/2026/11/2-erin.yaml", &review("erin", "2")),
        (
            "reviews/2026/11/3-carol.yaml",
            &review("carol", "3").replace("tone: 4", "tone: 9"),
        ),
    ])
}

#[test]
fn assignments_counts_done_from_valid_reviews_only() {
    let dir = planned_repo();
    let out = rubric(dir.path())
        .args(["assignments", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &json["cycles"][0];
    assert_eq!(
        (
            c["cycle"].as_str(),
            c["assigned"].as_u64(),
            c["done"].as_u64()
        ),
        (Some("2026-W48"), Some(3), Some(1))
    );
    let items: Vec<(String, bool, Value)> = c["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["conversation"].as_str().unwrap().into(),
                i["done"].as_bool().unwrap(),
                i["review"].clone(),
            )
        })
        .collect();
    assert_eq!(
        items,
        vec![
            ("1".into(), true, Value::from("1-alice")),
            ("2".into(), false, Value::Null),
            ("3".into(), false, Value::Null),
        ]
    );
    assert_eq!(
        c["by_reviewer"][0],
        serde_json::json!({"key": "bob", "assigned": 2, "done": 1, "missing": 1})
    );
    assert_eq!(json["left_out"][0]["path"], "reviews/2026/11/3-carol.yaml");
    assert!(String::from_utf8_lossy(&out.stderr).contains("left out: reviews/2026/11/3-carol.yaml"));
    // The human table and the CSV (a formula-like cell neutralised).
    let out = rubric(dir.path()).args(["assignments"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("2026-W48: 3 assigned, 1 done (33%), 2 missing"),
        "{text}"
    );
    assert!(text.contains("reviewer  assigned  done  missing"), "{text}");
    let out = rubric(dir.path())
        .args(["assignments", "--format", "csv", "--cycle", "2026-W48"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(",'=cmd(),"), "{text}");
    let out = rubric(dir.path())
        .args(["assignments", "--format", "json", "--cycle", "2026-W47"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["cycles"], serde_json::json!([]));
}

#[test]
fn new_review_next_starts_the_oldest_undone_item_and_then_the_next() {
    let dir = planned_repo();
    let next = || {
        rubric(dir.path())
            .env("SOURCE_DATE_EPOCH", NOW)
            .args(["new", "review", "--next", "--reviewer", "bob@acme.example"])
            .output()
            .unwrap()
    };
    let out = next();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "reviews/2026/11/2-alice.yaml"
    );
    let text = std::fs::read_to_string(dir.path().join("reviews/2026/11/2-alice.yaml")).unwrap();
    assert!(text.contains("agent: alice\nreviewer: bob\n"), "{text}");
    assert!(
        text.contains("  id: \"2\"\n  url: \"https://desk.example/2\"\n  channel: \"=cmd()\"\n"),
        "{text}"
    );
    // Started: bob has nothing else left.
    let out = next();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no assignment left for `bob`"));
}

#[test]
fn new_review_date_url_channel_and_calibration_ids() {
    let dir = temp_repo(&[("qa.yaml", QA), ("rubrics/support.yaml", RUBRIC)]);
    let new = |extra: &[&str]| {
        rubric(dir.path())
            .env("SOURCE_DATE_EPOCH", NOW)
            .args(["new", "review", "--agent", "alice", "--conversation", "77"])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = new(&[
        "--reviewer",
        "bob",
        "--date",
        "2026-10-31",
        "--url",
        "https://desk.example/77",
        "--channel",
        "chat",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "reviews/2026/10/77-alice.yaml"
    );
    let text = std::fs::read_to_string(dir.path().join("reviews/2026/10/77-alice.yaml")).unwrap();
    assert!(text.contains("reviewed_at: 2026-10-31\n"), "{text}");
    assert!(
        text.contains("  url: \"https://desk.example/77\"\n  channel: \"chat\"\n"),
        "{text}"
    );
    let a = new(&["--reviewer", "bob", "--calibration", "2026-w48"]);
    let b = new(&["--reviewer", "kadri", "--calibration", "2026-w48"]);
    assert_eq!(
        String::from_utf8_lossy(&a.stdout).trim(),
        "reviews/2026/11/77-alice-2026-w48-bob.yaml"
    );
    assert_eq!(
        String::from_utf8_lossy(&b.stdout).trim(),
        "reviews/2026/11/77-alice-2026-w48-kadri.yaml"
    );
    let text = std::fs::read_to_string(
        dir.path()
            .join("reviews/2026/11/77-alice-2026-w48-kadri.yaml"),
    )
    .unwrap();
    assert!(text.contains("calibration: 2026-w48\n"), "{text}");
    let out = new(&["--reviewer", "bob", "--url", "javascript:alert(1)"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_overview_shows_coverage_and_workload_and_agent_pages_do_not() {
    let dir = planned_repo();
    std::fs::remove_file(dir.path().join("reviews/2026/11/3-carol.yaml")).unwrap();
    let site = dir.path().join("site");
    let out = rubric(dir.path())
        .env("SOURCE_DATE_EPOCH", NOW)
        .args(["render", "--format", "md", "--out"])
        .arg(&site)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(site.join("index.md")).unwrap();
    assert!(
        index.contains("## Assignments 2026-W48\n\n1 of 3 assigned conversations reviewed."),
        "{index}"
    );
    assert!(index.contains("| Alice | 1 | 2 |"), "{index}");
    assert!(index.contains("| carol | 0 | 1 |"), "{index}");
    assert!(index.contains("| Bob | 1 | 2 |"), "{index}");
    let alice = std::fs::read_to_string(site.join("agents/alice.md")).unwrap();
    assert!(!alice.contains("Assignments"), "{alice}");
    assert!(!alice.contains("carol"), "{alice}");
    let out = rubric(dir.path())
        .env("SOURCE_DATE_EPOCH", NOW)
        .args(["render", "--out"])
        .arg(dir.path().join("html"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let index = std::fs::read_to_string(dir.path().join("html/index.html")).unwrap();
    assert!(index.contains("<h2 id=\"assignments\">Assignments 2026-W48</h2>"));
}
