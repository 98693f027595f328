//! Hardening against odd and damaged git repositories and failing writes: commits that
//! `git log` reads but libgit2 does not, damaged objects, replace refs and grafts, rubrics that
//! are invalid at one revision of `diff`, a full disk on stdout and a cache that cannot be
//! written. Every repository is scripted with fixed dates.

use crate::{git_as, git_cmd, rubric};
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

const BOB: (&str, &str) = ("bob", "bob@acme.example");
const DATE: &str = "2026-03-01T10:00:00Z";

const CONFIG: &str = "\
people:
  alice: { team: tier1 }
  bob: { team: qa, emails: [bob@acme.example] }
  carol: { team: qa, emails: [carol@acme.example] }
";
const RUBRIC: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n";

fn review(conversation: &str, rating: u8) -> String {
    format!(
        "rubric: support@1\nagent: alice\nconversation: {{id: \"{conversation}\"}}\nratings: {{solution: {rating}}}\n"
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn commit(dir: &Path, date: &str, msg: &str) {
    git_as(dir, BOB, date, &["add", "-A"]);
    git_as(dir, BOB, date, &["commit", "-q", "-m", msg]);
}

/// git's output (trimmed), as Bob at the fixed date.
fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", BOB.0)
        .env("GIT_AUTHOR_EMAIL", BOB.1)
        .env("GIT_COMMITTER_NAME", BOB.0)
        .env("GIT_COMMITTER_EMAIL", BOB.1)
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {out:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// A repository with the roster and support@1, committed on 2026-03-01.
fn base_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    git_as(d, BOB, DATE, &["init", "-q"]);
    write(d, "qa.yaml", CONFIG);
    write(d, "rubrics/support.yaml", RUBRIC);
    commit(d, DATE, "support v1");
    dir
}

/// Stages the working tree and commits it with a hand-written header (author and committer
/// lines as given), made with `git hash-object --literally` as a hostile contributor could.
fn crafted_commit(dir: &Path, author: &str, committer: &str, msg: &str) {
    git_out(dir, &["add", "-A"]);
    let tree = git_out(dir, &["write-tree"]);
    let parent = git_out(dir, &["rev-parse", "HEAD"]);
    let body =
        format!("tree {tree}\nparent {parent}\nauthor {author}\ncommitter {committer}\n\n{msg}\n");
    let file = dir.join(".git/crafted-commit");
    std::fs::write(&file, body).unwrap();
    let id = git_out(
        dir,
        &[
            "hash-object",
            "-t",
            "commit",
            "-w",
            "--literally",
            file.to_str().unwrap(),
        ],
    );
    git_out(dir, &["update-ref", "HEAD", &id]);
    std::fs::remove_file(file).unwrap();
}

/// (exit code, stdout, stderr), bounded in time.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir)
        .args(args)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(dir: &Path, args: &[&str]) -> Value {
    let (code, out, err) = run(dir, args);
    assert_eq!(code, 0, "rubric {args:?}: {err}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// Commits with an empty author e-mail, an unreadable author date, or an author line without
/// any e-mail (libgit2 refuses to parse the last one; `git log` reads all three) are read: the
/// history commands run, credit the author's name and date by the committer when the author
/// date is unreadable.
#[test]
fn odd_commits_that_git_log_reads_are_read() {
    let dir = base_repo();
    let d = dir.path();
    // 2026-03-02T10:00:00Z, empty e-mail: credited to the name, `bob`, in the history (the
    // review names its reviewer: the roster knows people by e-mail).
    let r1 = |rating| format!("reviewer: bob\n{}", review("1", rating));
    write(d, "reviews/r1.yaml", &r1(4));
    crafted_commit(
        d,
        "bob <> 1772445600 +0000",
        "bob <bob@acme.example> 1772445600 +0000",
        "r1",
    );
    // An unreadable author date: the committer's, 2026-03-04T10:00:00Z, dates it.
    write(d, "reviews/r2.yaml", &review("2", 2));
    crafted_commit(
        d,
        "bob <bob@acme.example> yesterday",
        "bob <bob@acme.example> 1772618400 +0000",
        "r2",
    );
    // An author line with no e-mail at all, 2026-03-05T10:00:00Z by the committer.
    write(d, "reviews/r1.yaml", &r1(3));
    crafted_commit(
        d,
        "carol",
        "carol <carol@acme.example> 1772704800 +0000",
        "r1 edited",
    );
    let log = git_out(d, &["log", "--format=%an|%ae|%ad", "--date=unix"]);
    assert_eq!(log.lines().count(), 4, "git log reads every commit: {log}");

    let h = json(d, &["history", "r1", "--format", "json"]);
    let rows: Vec<(&str, &str, &str)> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap(),
                r["author"].as_str().unwrap(),
                r["date"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("added", "bob", "2026-03-02T10:00:00+00:00"),
            ("edited", "carol", "2026-03-05T10:00:00+00:00"),
        ]
    );
    let score = json(d, &["score", "--format", "json"]);
    let rows: Vec<(&str, &str, &str)> = score
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["reviewer"].as_str().unwrap(),
                r["date"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("r1", "bob", "2026-03-02T10:00:00+00:00"),
            // No `reviewer:`: the author of the commit that added it, dated by its committer.
            ("r2", "bob", "2026-03-04T10:00:00+00:00"),
        ]
    );
    let trends = json(d, &["trends", "--format", "json"]);
    assert_eq!(trends["rows"][0]["reviews"], 2, "{trends}");
}

/// Damages the loose object file of `object` (a truncation, or bytes overwritten).
fn damage(dir: &Path, object: &str, truncate: bool) {
    let id = git_out(dir, &["rev-parse", object]);
    let path = dir.join(".git/objects").join(&id[..2]).join(&id[2..]);
    let mut bytes = std::fs::read(&path).unwrap();
    if truncate {
        bytes.truncate(bytes.len() - 6);
    } else {
        let at = bytes.len() - 4;
        bytes[at..].copy_from_slice(b"ZZZZ");
    }
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    std::fs::write(&path, bytes).unwrap();
}

/// A damaged object (a review's blob, or the reviews folder's tree; truncated, which made
/// libgit2 spin forever, or overwritten) is an error naming the object and its path, with exit
/// 2, at once.
#[test]
fn a_damaged_object_is_named_and_stops_the_run() {
    for (object, path) in [
        ("HEAD:reviews/r1.yaml", "reviews/r1.yaml"),
        ("HEAD:reviews", "reviews"),
    ] {
        for truncate in [true, false] {
            let dir = base_repo();
            let d = dir.path();
            write(d, "reviews/r1.yaml", &review("1", 4));
            commit(d, "2026-03-02T10:00:00Z", "r1");
            let id = git_out(d, &["rev-parse", object]);
            damage(d, object, truncate);
            let started = std::time::Instant::now();
            let (code, _, err) = run(d, &["score", "--no-cache"]);
            assert_eq!(code, 2, "{object} truncated={truncate}: {err}");
            assert!(
                err.contains(&id) && err.contains(&format!("`{path}`")),
                "{object} truncated={truncate}: {err}"
            );
            assert!(started.elapsed() < Duration::from_secs(20));
        }
    }
}

/// Replace refs and grafts, which git follows and libgit2 does not, are refused with exit 2
/// and a message naming what to do.
#[test]
fn replace_refs_and_grafts_are_refused() {
    let dir = base_repo();
    let d = dir.path();
    write(d, "reviews/r1.yaml", &review("1", 4));
    commit(d, "2026-03-02T10:00:00Z", "r1");
    let (code, _, err) = run(d, &["score"]);
    assert_eq!(code, 0, "{err}");
    // Replace the first commit with one by someone else.
    let first = git_out(d, &["rev-list", "--max-parents=0", "HEAD"]);
    write(d, "reviews/r1.yaml", &review("1", 1));
    git_out(d, &["add", "-A"]);
    let tree = git_out(d, &["write-tree"]);
    let other = git_out(d, &["commit-tree", &tree, "-m", "other"]);
    git_out(d, &["replace", &first, &other]);
    git_out(d, &["checkout", "-q", "--", "reviews/r1.yaml"]);
    for args in [&["score"][..], &["trends"], &["diff", "HEAD~1", "HEAD"]] {
        let (code, _, err) = run(d, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains("replace refs") && err.contains("git replace -d"),
            "{args:?}: {err}"
        );
    }
    git_out(d, &["replace", "-d", &first]);
    let (code, _, err) = run(d, &["score"]);
    assert_eq!(code, 0, "{err}");
    write(d, ".git/info/grafts", &format!("{first}\n"));
    let (code, _, err) = run(d, &["score"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("grafts") && err.contains("info/grafts"),
        "{err}"
    );
}

/// A rubric that does not parse at HEAD, or breaks a rule at BASE, is `invalid` in `diff`, with
/// its problems as change lines, and `diff` exits 1.
#[test]
fn diff_reports_a_rubric_invalid_at_either_revision() {
    let dir = base_repo();
    let d = dir.path();
    let broken = "id: support\nversion: 2\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: seven}\n";
    write(d, "rubrics/support.yaml", broken);
    let (code, out, err) = run(d, &["diff", "HEAD", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let r = &report["rubrics"][0];
    assert_eq!(r["rubric"], "support");
    assert_eq!(r["status"], "invalid", "{report}");
    assert_eq!(r["base_version"], 1);
    let text = r["changes"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("invalid at HEAD: rubrics/support.yaml:5:"),
        "{text}"
    );
    // The human and Markdown outputs show the same lines.
    for format in ["human", "md"] {
        let (code, out, _) = run(d, &["diff", "HEAD", "--format", format]);
        assert_eq!(code, 1);
        assert!(out.contains("invalid at HEAD"), "{format}: {out}");
    }
    // Invalid at BASE (committed), fixed at HEAD (the working tree).
    commit(d, "2026-03-02T10:00:00Z", "broken");
    write(d, "rubrics/support.yaml", RUBRIC);
    let (code, out, err) = run(d, &["diff", "HEAD", "--format", "json"]);
    assert_eq!(code, 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["rubrics"][0]["status"], "invalid");
    let text = report["rubrics"][0]["changes"][0]["text"].as_str().unwrap();
    assert!(text.starts_with("invalid at BASE: "), "{text}");
    // Valid on both sides again: exit 0.
    let (code, _, err) = run(d, &["diff", "HEAD~1", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
}

/// `export` to a full disk exits 2 and says what failed.
#[cfg(target_os = "linux")]
#[test]
fn export_to_a_full_disk_fails_with_exit_2() {
    let dir = base_repo();
    let d = dir.path();
    write(d, "reviews/r1.yaml", &review("1", 4));
    commit(d, "2026-03-02T10:00:00Z", "r1");
    for format in ["jsonl", "csv"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("rubric"))
            .current_dir(d)
            .args(["export", "--format", format])
            .env("NO_COLOR", "1")
            .stdout(std::process::Stdio::from(full))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{format}: {err}");
        assert!(
            err.contains("cannot write the export to standard output")
                && err.contains("No space left"),
            "{format}: {err}"
        );
    }
}

/// A cache that cannot be written costs only time: the command prints its result, exits 0 and
/// warns naming the cache path; a previous cache is left whole.
#[test]
fn a_cache_that_cannot_be_written_only_warns() {
    let dir = base_repo();
    let d = dir.path();
    write(d, "reviews/r1.yaml", &review("1", 4));
    commit(d, "2026-03-02T10:00:00Z", "r1");
    let truth = json(d, &["score", "--format", "json", "--no-cache"]);
    // `.git/rubric` is a file: the cache folder cannot be made.
    std::fs::write(d.join(".git/rubric"), "not a folder").unwrap();
    let (code, out, err) = run(d, &["score", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), truth);
    assert!(
        err.contains("warning: cannot write the history cache")
            && err.contains(&format!(
                ".git/rubric/history-v{}.bin",
                rubric::history::scan::CACHE_FORMAT
            )),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(d.join(".git/rubric")).unwrap(),
        "not a folder"
    );
    std::fs::remove_file(d.join(".git/rubric")).unwrap();

    // A cache that cannot be replaced: a read-only cache folder, or, where that does not stop
    // a write (as root), a full disk (every file limited to 512 bytes: the new cache does not
    // fit). Either way the previous cache survives byte for byte and the run warns.
    let (code, _, err) = run(d, &["score"]);
    assert_eq!(code, 0, "{err}");
    let cache = d.join(format!(
        ".git/rubric/history-v{}.bin",
        rubric::history::scan::CACHE_FORMAT
    ));
    let before = std::fs::read(&cache).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(
        d.join(".git/rubric"),
        std::fs::Permissions::from_mode(0o555),
    )
    .unwrap();
    let writable = tempfile::tempfile_in(d.join(".git/rubric")).is_ok();
    // Enough new reviews that the new cache is over 512 bytes.
    for i in 2..8 {
        write(d, &format!("reviews/r{i}.yaml"), &review(&i.to_string(), 2));
    }
    commit(d, "2026-03-03T10:00:00Z", "r2 to r7");
    let (code, out, err) = if writable {
        crate::hardening_faults::run_limited(d, Some(1), &["score", "--format", "json"])
    } else {
        run(d, &["score", "--format", "json"])
    };
    std::fs::set_permissions(
        d.join(".git/rubric"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        7
    );
    let name = format!("history-v{}.bin", rubric::history::scan::CACHE_FORMAT);
    assert!(
        err.contains("cannot write the history cache") && err.contains(&name),
        "{err}"
    );
    assert_eq!(std::fs::read(&cache).unwrap(), before);
}

/// `.git/rubric` a link to a folder outside the repository: the cache is neither read nor
/// written there, nothing there is removed (an old cache format's file included), and the
/// numbers are the same.
#[test]
fn a_cache_folder_linked_outside_is_not_used() {
    let dir = base_repo();
    let d = dir.path();
    write(d, "reviews/r1.yaml", &review("1", 4));
    commit(d, "2026-03-02T10:00:00Z", "r1");
    let truth = json(d, &["score", "--format", "json", "--no-cache"]);
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("history-v1.bin"), "someone's file").unwrap();
    std::os::unix::fs::symlink(outside.path(), d.join(".git/rubric")).unwrap();
    for _ in 0..2 {
        let (code, out, err) = run(d, &["score", "--format", "json"]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), truth);
        assert!(
            err.contains("warning: the history cache")
                && err.contains("is not used: a folder on the way is a symbolic link"),
            "{err}"
        );
    }
    // Asked for no cache, the run has nothing to warn about.
    let (code, _, err) = run(d, &["score", "--no-cache"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("history cache"), "{err}");
    let left: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["history-v1.bin"]);
    assert_eq!(
        std::fs::read_to_string(outside.path().join("history-v1.bin")).unwrap(),
        "someone's file"
    );
}
