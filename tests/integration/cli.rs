//! The command line itself: the man pages, errors and their exit code, and the one "now".

use crate::{project_root, rubric};
use std::collections::BTreeSet;
use std::path::Path;

/// (exit code, stdout, stderr) of `rubric ARGS` in `dir`.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `rubric-...(1)` pages a roff page refers to (roff writes `-` as `\-`).
fn referred_pages(roff: &str) -> BTreeSet<String> {
    let text = roff.replace("\\-", "-");
    let mut names = BTreeSet::new();
    for (i, _) in text.match_indices("rubric-") {
        let rest = &text[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with("(1)") {
            names.insert(rest[..end].to_string());
        }
    }
    names
}

#[test]
fn every_man_page_referred_to_is_written() {
    let root = project_root();
    let (code, main_page, err) = run(&root, &["man"]);
    assert_eq!(code, 0, "{err}");
    let referred = referred_pages(&main_page);
    for command in [
        "check",
        "score",
        "trends",
        "render",
        "new",
        "templates",
        "man",
    ] {
        assert!(
            referred.contains(&format!("rubric-{command}")),
            "{referred:?}"
        );
    }
    // clap's `help` subcommand has no page, so the main page does not refer to one.
    assert!(!referred.contains("rubric-help"), "{referred:?}");

    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("man1");
    let (code, listing, err) = run(&root, &["man", "--out", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let written: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(listing.lines().count(), written.len(), "{listing}");
    assert!(written.contains("rubric.1"), "{written:?}");
    // The printed main page is the written one.
    assert_eq!(
        std::fs::read_to_string(dir.join("rubric.1")).unwrap(),
        main_page
    );
    for name in &referred {
        assert!(
            written.contains(&format!("{name}.1")),
            "{name}.1 missing: {written:?}"
        );
    }
    // Every page: non-empty roff titled with its command's name, and every page it refers to
    // (for example rubric-new refers to rubric-new-review) exists as well.
    for file in &written {
        let name = file.strip_suffix(".1").expect("section 1");
        let page = std::fs::read_to_string(dir.join(file)).unwrap();
        assert!(page.contains(&format!(".TH {name} 1")), "{file}: {page}");
        assert!(page.contains(".SH NAME"), "{file}");
        let shown = name.replace('-', "\\-");
        assert!(page.contains(&format!("\n{shown} \\- ")), "{file}: {page}");
        for other in referred_pages(&page) {
            assert!(
                written.contains(&format!("{other}.1")),
                "{file} refers to {other}(1)"
            );
        }
    }
    assert!(written.contains("rubric-new-review.1"), "{written:?}");
    assert!(written.contains("rubric-templates-init.1"), "{written:?}");
    // A subcommand's page shows how to call it.
    let check = std::fs::read_to_string(dir.join("rubric-check.1")).unwrap();
    assert!(check.contains("changed\\-since"), "{check}");
}

#[test]
fn man_out_onto_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("taken"), "x").unwrap();
    let (code, out, err) = run(dir.path(), &["man", "--out", "taken"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("error: cannot write `"), "{err}");
}

#[test]
fn a_failing_command_prints_error_and_exits_2() {
    let (code, out, err) = run(&project_root(), &["history", "no-such-id"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("error: no review `no-such-id` in the history\n"),
        "{err}"
    );

    // An unknown option: clap's error, exit 2.
    let (code, out, err) = run(&project_root(), &["--format"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.starts_with("error:"), "{err}");

    // A missing -C folder.
    let (code, _, err) = run(&project_root(), &["-C", "no/such/folder", "score"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: `") && err.contains("is not a folder"),
        "{err}"
    );
}

#[test]
fn causes_follow_the_error_without_repeating_it() {
    let (code, out, err) = run(&project_root(), &["diff", "no-such-rev"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    let mut lines = err.lines();
    let first = lines.next().unwrap_or_default();
    assert!(
        first.starts_with("error: revision `no-such-rev` not found"),
        "{err}"
    );
    let mut seen = vec![first.trim_start_matches("error: ").to_string()];
    for line in lines {
        let cause = line
            .strip_prefix("caused by: ")
            .unwrap_or_else(|| panic!("{err}"));
        assert!(
            !seen.iter().any(|s| s.contains(cause)),
            "a cause repeats what was said: {err}"
        );
        seen.push(cause.to_string());
    }
}

#[test]
fn source_date_epoch_is_now_for_every_command() {
    // 1795000000 is 2026-11-18T08:26:40Z.
    let dir = tempfile::tempdir().unwrap();
    let out = rubric(dir.path())
        .args(["init", "qa"])
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let review = dir
        .path()
        .join("qa/reviews/2026/11/example-1001-alice.yaml");
    let text =
        std::fs::read_to_string(&review).unwrap_or_else(|e| panic!("{}: {e}", review.display()));
    assert!(text.contains("reviewed_at: 2026-11-18"), "{text}");

    let out = rubric(&dir.path().join("qa"))
        .args(["new", "review", "--agent", "alice", "--conversation", "7"])
        .args(["--reviewer", "bob"])
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "reviews/2026/11/7-alice.yaml\n"
    );
}
