//! Hostile or broken repositories: nothing is skipped silently.

use crate::{check_json, rubric, temp_repo, REVIEW, RUBRIC};

/// A folder below reviews/ whose path is too long to open (even root cannot read it): the
/// walk error is an `io-error` at that folder, and `check` cannot pass (exit 2).
#[test]
fn a_folder_that_cannot_be_read_is_an_io_error_not_a_skip() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    let name = "d".repeat(250);
    let script =
        format!("cd reviews && for i in $(seq 1 20); do mkdir {name} && cd {name} || exit 1; done");
    let ok = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(ok.success());
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 2, "{json:#}");
    let io: Vec<&serde_json::Value> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "io-error")
        .collect();
    assert!(!io.is_empty(), "{json:#}");
    assert!(
        io[0]["path"].as_str().unwrap().starts_with("reviews/ddd"),
        "{json:#}"
    );
    // trends reads the same state: it names the problem rather than pretending all is well.
    let out = rubric(dir.path()).args(["trends"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("io-error") || stderr.contains("cannot read"),
        "{stderr}"
    );
}

/// Runs `rubric ARGS` in `dir` with a time limit (a FIFO must never make it hang).
fn run(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir)
        .args(args)
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A review that is a link to a file outside the repository is not read: `check` reports an
/// io-error and prints none of that file's bytes; `score` leaves it out and names it.
#[cfg(unix)]
#[test]
fn a_review_linked_outside_the_repository_is_not_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    std::fs::write(&secret, REVIEW.replace("Curt.", "TOP-SECRET-TOKEN")).unwrap();
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    std::os::unix::fs::symlink(&secret, dir.path().join("reviews/zd-2.yaml")).unwrap();
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        out.contains("reviews/zd-2.yaml") && out.contains("io-error"),
        "{out}"
    );
    assert!(out.contains("outside the repository"), "{out}");
    assert!(
        !out.contains("TOP-SECRET") && !err.contains("TOP-SECRET"),
        "{out}{err}"
    );
    let (code, out, err) = run(dir.path(), &["score", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("zd-2"), "{out}");
    assert!(err.contains("left out: reviews/zd-2.yaml"), "{err}");
    let (_, out, _) = run(dir.path(), &["export"]);
    assert!(!out.contains("TOP-SECRET"), "{out}");
}

/// A FIFO, as a review or as qa.yaml, is refused at once (never read, never hangs); a dangling
/// link named qa.yaml is an error, not silently "no configuration".
#[cfg(unix)]
#[test]
fn fifos_and_dangling_links_are_io_errors() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    let fifo = |p: &std::path::Path| {
        let ok = std::process::Command::new("mkfifo")
            .arg(p)
            .status()
            .unwrap();
        assert!(ok.success());
    };
    fifo(&dir.path().join("reviews/zd-2.yaml"));
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 2, "{out}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let io: Vec<&str> = json["problems"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["code"] == "io-error")
        .map(|p| p["path"].as_str().unwrap())
        .collect();
    assert_eq!(io, ["reviews/zd-2.yaml"], "{json:#}");
    // Only the file's own problem: no follow-on rule findings about a file never read.
    assert_eq!(json["problems"].as_array().unwrap().len(), 1, "{json:#}");
    // The human format shows source lines: it must not open the FIFO either (it hung).
    let (code, out, _) = run(dir.path(), &["check"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("reviews/zd-2.yaml:1:1"), "{out}");
    let (code, _, err) = run(dir.path(), &["trends"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("left out: reviews/zd-2.yaml"), "{err}");

    std::fs::remove_file(dir.path().join("reviews/zd-2.yaml")).unwrap();
    fifo(&dir.path().join("qa.yaml"));
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("\"path\": \"qa.yaml\""), "{out}");

    std::fs::remove_file(dir.path().join("qa.yaml")).unwrap();
    std::os::unix::fs::symlink("no-such-file.yaml", dir.path().join("qa.yaml")).unwrap();
    let (code, out, _) = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("\"path\": \"qa.yaml\""), "{out}");
}

/// The size limit guards every command, not only `check`: `score` leaves an oversized review
/// out with `file-too-large` instead of reading it.
#[test]
fn the_size_limit_guards_every_command() {
    let big = format!("{REVIEW}comment: \"{}\"\n", "x".repeat(2 * 1024 * 1024));
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
        ("reviews/zd-2.yaml", &big),
    ]);
    for cmd in ["score", "trends", "export"] {
        let (code, out, err) = run(dir.path(), &[cmd]);
        assert_eq!(code, 0, "{cmd}: {err}");
        assert!(!out.contains("zd-2"), "{cmd}: {out}");
        assert!(
            err.contains("left out: reviews/zd-2.yaml") && err.contains("file-too-large"),
            "{cmd}: {err}"
        );
    }
}

/// One reviewer, one conversation, one rating per calibration session: a second review of
/// the same conversation by the same reviewer in the same session is an error on both files
/// (at `calibration`), and calibrate leaves both out rather than counting the reviewer twice.
#[test]
fn one_reviewer_rates_a_conversation_once_per_calibration_session() {
    let cal = |reviewer: &str, solution: u8| {
        REVIEW
            .replace("reviewer: bob", &format!("reviewer: {reviewer}"))
            .replace(
                "reviewed_at: 2026-11-20\n",
                "reviewed_at: 2026-11-20\ncalibration: w47\n",
            )
            .replace("  solution: 3\n", &format!("  solution: {solution}\n"))
    };
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/cal-bob.yaml", &cal("bob", 3)),
        ("reviews/cal-bob-again.yaml", &cal("bob", 1)),
        ("reviews/cal-kadri.yaml", &cal("kadri", 4)),
    ]);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        crate::problems(&json),
        vec![
            (
                "reviews/cal-bob-again.yaml".to_string(),
                5,
                14,
                "duplicate-calibration-rating".to_string()
            ),
            (
                "reviews/cal-bob.yaml".to_string(),
                5,
                14,
                "duplicate-calibration-rating".to_string()
            ),
        ]
    );
    let out = rubric(dir.path())
        .args(["calibrate", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let left: Vec<&str> = report["left_out"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(left, ["reviews/cal-bob-again.yaml", "reviews/cal-bob.yaml"]);
    assert_eq!(report["sessions"][0]["reviewers"], 1, "{report:#}");
}

/// A damaged history cache is rebuilt, never read: one flipped byte anywhere leaves the
/// numbers exactly as a run without the cache gives them.
#[test]
fn a_damaged_cache_is_rebuilt_not_believed() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
        (
            "reviews/zd-2.yaml",
            &REVIEW.replace("  solution: 3\n", "  solution: 4\n"),
        ),
    ]);
    let who = ("Bob", "bob@acme.example");
    crate::git_as(dir.path(), who, "2026-11-20T10:00:00Z", &["init", "-q"]);
    crate::git_as(dir.path(), who, "2026-11-20T10:00:00Z", &["add", "-A"]);
    crate::git_as(
        dir.path(),
        who,
        "2026-11-20T10:00:00Z",
        &["commit", "-q", "-m", "reviews"],
    );
    let json = |extra: &[&str]| {
        let (code, out, err) = run(
            dir.path(),
            &[&["score", "--format", "json"], extra].concat(),
        );
        assert_eq!(code, 0, "{err}");
        out
    };
    let truth = json(&["--no-cache"]);
    assert_eq!(json(&[]), truth); // writes the cache
    let cache = dir.path().join(format!(
        ".git/rubric/history-v{}.bin",
        rubric::history::scan::CACHE_FORMAT
    ));
    let bytes = std::fs::read(&cache).expect("the cache was written");
    for i in [0, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let mut damaged = bytes.clone();
        damaged[i] ^= 0x04;
        std::fs::write(&cache, &damaged).unwrap();
        assert_eq!(json(&[]), truth, "byte {i}");
    }
}

/// The alias budget counts bytes as well as nodes: a file well under the size limit whose
/// aliases repeat a long text is refused at the alias that goes over 1 MiB, at once.
#[test]
fn aliases_of_long_text_are_bounded_by_bytes() {
    let big = "x".repeat(200_000);
    let aliases = ["*big"; 10].join(", ");
    let review = REVIEW.replace(
        "ratings:\n",
        &format!("comment: &big \"{big}\"\nnotes: [{aliases}]\nratings:\n"),
    );
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", &review),
    ]);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 1, "{json:#}");
    // The sixth alias brings the expansion to 6 × 200,001 bytes, over 1 MiB.
    assert_eq!(
        crate::problems(&json),
        vec![(
            "reviews/zd-1.yaml".to_string(),
            8,
            39,
            "alias-limit".to_string()
        )]
    );
}

/// Control characters in a file name (an escape sequence, a carriage return) reach the
/// terminal as visible escapes, never raw.
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_escaped_on_stderr() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    let name = "reviews/zd-\u{1b}[2J\r.yaml";
    std::fs::write(dir.path().join(name), "rubric: [broken").unwrap();
    let (code, _, err) = run(dir.path(), &["trends"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
    assert!(err.contains("zd-\\u{1b}[2J\\u{d}.yaml"), "{err}");
}

/// An id that another agent's review used before starts a new timeline, with a warning: the
/// history of the second person's review never shows the first person's versions.
#[test]
fn an_id_reused_for_another_agent_starts_a_new_timeline() {
    let dir = temp_repo(&[
        ("qa.yaml", "people:\n  alice: {}\n  bob: {}\n  carol: {}\n"),
        ("rubrics/support.yaml", RUBRIC),
        (
            "reviews/r1.yaml",
            &REVIEW
                .replace("reviewer: bob", "reviewer: carol")
                .replace("  solution: 3\n", "  solution: 1\n"),
        ),
    ]);
    let who = ("Carol", "carol@acme.example");
    let git = |date: &str, args: &[&str]| crate::git_as(dir.path(), who, date, args);
    git("2026-09-01T10:00:00Z", &["init", "-q"]);
    git("2026-09-01T10:00:00Z", &["add", "-A"]);
    git("2026-09-01T10:00:00Z", &["commit", "-q", "-m", "alice"]);
    let bob = REVIEW
        .replace("agent: alice", "agent: bob")
        .replace("reviewer: bob", "reviewer: carol");
    std::fs::write(dir.path().join("reviews/r1.yaml"), &bob).unwrap();
    git("2026-10-01T10:00:00Z", &["commit", "-q", "-am", "bob"]);

    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(
        crate::problems(&json),
        vec![(
            "reviews/r1.yaml".to_string(),
            2,
            8,
            "review-id-reused".to_string()
        )]
    );
    let (_, out, _) = run(dir.path(), &["history", "r1", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["kind"], "added");
    assert!(rows[0]["date"].as_str().unwrap().starts_with("2026-10-01"));
}

/// A review edited on disk after it was committed is scored as it is now, even when the edit
/// keeps its size and lands in the same instant as the commit (the index's "racily clean"
/// case): the cache's snapshot of the committed version is not used for it.
#[test]
fn an_edit_of_the_same_size_is_seen_at_once() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    let who = ("Bob", "bob@acme.example");
    crate::git_as(dir.path(), who, "2026-11-20T10:00:00Z", &["init", "-q"]);
    crate::git_as(dir.path(), who, "2026-11-20T10:00:00Z", &["add", "-A"]);
    crate::git_as(
        dir.path(),
        who,
        "2026-11-20T10:00:00Z",
        &["commit", "-q", "-m", "r"],
    );
    let score = || {
        let (code, out, err) = run(dir.path(), &["score", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
        rows[0]["score"].as_f64().unwrap()
    };
    let before = score(); // writes the cache
    let edited = REVIEW.replace("  solution: 3\n", "  solution: 4\n");
    assert_eq!(edited.len(), REVIEW.len());
    std::fs::write(dir.path().join("reviews/zd-1.yaml"), &edited).unwrap();
    let after = score();
    assert!(after > before, "{before} -> {after}");
}
