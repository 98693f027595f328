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
