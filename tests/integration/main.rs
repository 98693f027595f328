//! The one integration-test binary: the `rubric` command run on fixture repositories.

mod assign;
mod cli;
mod diagnostics;
mod diff;
mod disputes;
mod export;
mod formats;
mod fuzz_regressions;
mod hardening;
mod hardening_faults;
mod hardening_git;
mod hardening_writes;
mod history;
mod init;
mod loader;
mod one_state;
mod private_pages;
mod property;
mod render;
mod reviewers;
mod schema_types;
mod scorecards;
mod trends;

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// How the history scan of `dir` used its cache ("cold", "warm", "incremental (N new
/// commits)"), and how many review file versions it keeps whole and as older ones.
pub fn kept_versions(dir: &Path) -> (String, (usize, usize)) {
    let opts = rubric::history::scan::ScanOptions::default();
    let scan =
        rubric::history::scan::scan(dir, "reviews", "rubrics", &opts, &mut |_| {}).expect("scans");
    (scan.cache.clone(), scan.versions.counts())
}

/// The project root (which is also the example QA repository).
pub fn project_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A `rubric` command run in `dir`, with a fixed environment.
pub fn rubric(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("rubric").expect("binary builds");
    cmd.current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1");
    cmd
}

/// A git command in `dir`, isolated from the user's and the system's configuration.
pub fn git_cmd(dir: &Path) -> std::process::Command {
    let mut c = std::process::Command::new("git");
    c.current_dir(dir)
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .args(["-c", "commit.gpgsign=false"])
        .args(["-c", "init.defaultBranch=main"])
        .args(["-c", "core.autocrlf=false"]);
    c
}

/// Runs git in `dir` as `who` (author and committer: name, e-mail) at a fixed `date`; panics
/// with git's stderr when it fails. Every fixture repository in these tests is built with it.
pub fn git_as(dir: &Path, who: (&str, &str), date: &str, args: &[&str]) {
    let out = git_cmd(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", who.0)
        .env("GIT_AUTHOR_EMAIL", who.1)
        .env("GIT_COMMITTER_NAME", who.0)
        .env("GIT_COMMITTER_EMAIL", who.1)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A temporary QA repository with the given files (path, content).
pub fn temp_repo(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }
    dir
}

/// Runs `rubric check --format json` in `dir` and returns (exit code, parsed JSON).
pub fn check_json(dir: &Path, extra: &[&str]) -> (i32, Value) {
    let out = rubric(dir)
        .args(["check", "--format", "json"])
        .args(extra)
        .output()
        .expect("runs");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

/// The problems of a check as (path, line, column, code) tuples, in report order.
pub fn problems(json: &Value) -> Vec<(String, u64, u64, String)> {
    json["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .map(|p| {
            (
                p["path"].as_str().unwrap_or_default().to_string(),
                p["line"].as_u64().unwrap_or_default(),
                p["column"].as_u64().unwrap_or_default(),
                p["code"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A valid rubric used by many tests (support@2).
pub const RUBRIC: &str = "\
id: support
version: 2
title: Support
pass_mark: 85
groups:
  - id: resolution
    title: Resolution
categories:
  - id: solution
    title: Solution offered
    group: resolution
    scale: 4
    labels: [Wrong, Partial, Good, Excellent]
    weight: 3
  - id: tone
    title: Tone
    scale: 5
    weight: 2
    root_causes: [coaching, workload]
  - id: grammar
    title: Grammar
    scale: 3
    na: true
  - id: security
    title: Data protection
    scale: 2
    critical: true
";

/// A valid review of `RUBRIC`.
pub const REVIEW: &str = "\
rubric: support@2
agent: alice
reviewer: bob
reviewed_at: 2026-11-20
conversation:
  id: \"48213\"
ratings:
  solution: 3
  tone: { rating: 2, comment: \"Curt.\", root_causes: [coaching] }
  grammar: na
  security: 2
";
