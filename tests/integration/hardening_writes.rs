//! Hostile repositories on the write side and in outputs: templates and written files never
//! follow a symbolic link out of the repository, a killed render's leftovers are cleaned up,
//! and text from YAML cannot act on a terminal or become a link in Markdown.

use crate::history::{commit_all, git};
use crate::{rubric, temp_repo, REVIEW, RUBRIC};
use std::path::Path;

/// Runs `rubric ARGS` in `dir`: (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A committed repository with one valid review of `RUBRIC` (alice, reviewed by bob).
fn repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", REVIEW),
    ]);
    git(dir.path(), &["init", "-q"], "2026-11-20T10:00:00Z");
    commit_all(dir.path(), "review", "2026-11-21T10:00:00Z");
    dir
}

/// The names in a folder, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A template override linked to a file outside the repository is not rendered: render exits 2
/// naming the template, and the outside file's text reaches no page. The same for a templates
/// folder that is itself a link leading outside, and for `--templates`.
#[cfg(unix)]
#[test]
fn a_template_linked_outside_the_repository_is_not_rendered() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("index.html.j2");
    std::fs::write(&secret, "OUTSIDE-SECRET {{ site.agents|length }}\n").unwrap();
    let dir = repo();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::os::unix::fs::symlink(&secret, dir.path().join("templates/index.html.j2")).unwrap();
    let (code, out, err) = run(dir.path(), &["render", "--out", "site"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("index.html.j2"), "{err}");
    assert!(err.contains("outside the repository"), "{err}");
    assert!(!dir.path().join("site").exists());

    // The same through --templates.
    let (code, _, err) = run(
        dir.path(),
        &["render", "--out", "site", "--templates", "templates"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("index.html.j2"), "{err}");

    // A link inside the repository is followed as before.
    std::fs::remove_file(dir.path().join("templates/index.html.j2")).unwrap();
    std::fs::write(
        dir.path().join("mine.html.j2"),
        "INSIDE {{ site.agents|length }}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("mine.html.j2"),
        dir.path().join("templates/index.html.j2"),
    )
    .unwrap();
    let (code, _, err) = run(dir.path(), &["render", "--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert_eq!(index.trim_end(), "INSIDE 1");

    // A templates folder that is a link to a folder outside.
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("templates")).unwrap();
    let (code, _, err) = run(dir.path(), &["render", "--out", "site"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("index.html.j2") && err.contains("outside the repository"),
        "{err}"
    );
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(!index.contains("OUTSIDE-SECRET"), "{index}");

    // A FIFO under a template's name is refused, never opened (it would hang the render).
    std::fs::remove_file(dir.path().join("templates")).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    let ok = std::process::Command::new("mkfifo")
        .arg(dir.path().join("templates/agent.html.j2"))
        .status()
        .unwrap();
    assert!(ok.success());
    let (code, _, err) = run(dir.path(), &["render", "--out", "site"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("agent.html.j2") && err.contains("not a regular file"),
        "{err}"
    );
}

/// `templates init` (with and without `--force`) never writes through a link to a file
/// outside, nor into a templates folder that is a link leading outside.
#[cfg(unix)]
#[test]
fn templates_init_never_writes_outside_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("victim.txt");
    std::fs::write(&target, "precious\n").unwrap();
    let dangling = outside.path().join("created-by-rubric.txt");
    let dir = repo();
    let t = dir.path().join("templates");
    std::fs::create_dir_all(&t).unwrap();
    std::os::unix::fs::symlink(&target, t.join("agent.html.j2")).unwrap();
    std::os::unix::fs::symlink(&dangling, t.join("index.html.j2")).unwrap();
    for args in [
        &["templates", "init"][..],
        &["templates", "init", "--force"],
    ] {
        let (code, out, err) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(err.contains("refusing to write"), "{err}");
        assert!(
            err.contains("agent.html.j2") || err.contains("index.html.j2"),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
        assert!(!dangling.exists(), "{args:?} wrote through a dangling link");
    }
    // A templates folder that is a link leading outside.
    std::fs::remove_dir_all(&t).unwrap();
    let folder = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(folder.path(), &t).unwrap();
    for args in [
        &["templates", "init"][..],
        &["templates", "init", "--force"],
    ] {
        let (code, out, err) = run(dir.path(), args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(
            err.contains("refusing to write") && err.contains("templates"),
            "{err}"
        );
        assert_eq!(names(folder.path()), Vec::<String>::new());
    }
    // Inside the repository all is as before.
    std::fs::remove_file(&t).unwrap();
    let (code, _, err) = run(dir.path(), &["templates", "init"]);
    assert_eq!(code, 0, "{err}");
    assert!(t.join("agent.html.j2").is_file());
}

/// `new review` does not write into a reviews folder, or a `YYYY` / `YYYY/MM` folder below
/// it, that is a link leading outside the repository.
#[cfg(unix)]
#[test]
fn new_review_never_writes_into_a_folder_linked_outside() {
    let base = tempfile::tempdir().unwrap();
    let (code, _, err) = run(base.path(), &["init", "qa", "--ci", "none"]);
    assert_eq!(code, 0, "{err}");
    let dir = base.path().join("qa");
    let args = [
        "new",
        "review",
        "--agent",
        "alice",
        "--conversation",
        "7",
        "--reviewer",
        "bob",
    ];
    for link in ["reviews", "reviews/2026", "reviews/2026/11"] {
        let outside = tempfile::tempdir().unwrap();
        let at = dir.join(link);
        let _ = std::fs::remove_dir_all(dir.join("reviews"));
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(outside.path(), &at).unwrap();
        let (code, out, err) = run(&dir, &args);
        assert_eq!(code, 2, "{link}: {out}{err}");
        assert!(
            err.contains("refusing to write `reviews/2026/11/7-alice.yaml`"),
            "{link}: {err}"
        );
        assert!(err.contains("outside the repository"), "{link}: {err}");
        let written: Vec<_> = walkdir::WalkDir::new(outside.path())
            .min_depth(1)
            .into_iter()
            .collect();
        assert!(written.is_empty(), "{link}: {written:?}");
    }
    // A real folder: written as before.
    std::fs::remove_dir_all(dir.join("reviews")).unwrap();
    let (code, out, err) = run(&dir, &args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "reviews/2026/11/7-alice.yaml\n");
}

/// A render that was killed leaves its temporary folders beside `--out`; the next render
/// removes them (marked as rubric's, process gone) and leaves everything else alone.
#[cfg(unix)]
#[test]
fn a_killed_renders_leftovers_are_removed_by_the_next_render() {
    let dir = repo();
    // A process id that is no longer running.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    let dead = child.id();
    let alive = std::process::id();
    let marked = |name: &str| {
        let p = dir.path().join(name);
        std::fs::create_dir_all(p.join("agents")).unwrap();
        std::fs::write(p.join(".rubric-site"), "rendered by rubric render\n").unwrap();
        std::fs::write(p.join("agents/alice.html"), "old\n").unwrap();
    };
    let stale = [
        format!(".site.rubric-old-{dead}"),
        format!(".site.rubric-tmp-{dead}"),
    ];
    for name in &stale {
        marked(name);
    }
    // Kept: a render still running, another output's leftover name, a folder without the
    // marker, and an unrelated folder.
    let kept = [
        format!(".site.rubric-old-{alive}"),
        format!(".other.rubric-old-{dead}"),
        format!(".site.rubric-old-{dead}0x"),
    ];
    for name in &kept {
        marked(name);
    }
    let unmarked = format!(".site.rubric-tmp-{}", dead.wrapping_add(7_000_000));
    std::fs::create_dir_all(dir.path().join(&unmarked)).unwrap();
    std::fs::create_dir_all(dir.path().join("notes")).unwrap();
    std::fs::write(dir.path().join("notes/keep.txt"), "mine\n").unwrap();

    let (code, _, err) = run(dir.path(), &["render", "--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let left = names(dir.path());
    for name in &stale {
        assert!(!left.contains(name), "{name} is still there: {left:?}");
    }
    for name in kept.iter().chain([&unmarked]) {
        assert!(left.contains(name), "{name} was removed: {left:?}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/keep.txt")).unwrap(),
        "mine\n"
    );
    assert!(dir.path().join("site/index.html").is_file());
}

/// `check`'s human output shows control and bidirectional characters from YAML (in messages
/// that quote a value, and in source lines) as `\u{…}`: an escape sequence in a review cannot
/// act on the terminal, and the caret still points at the token.
#[test]
fn human_check_output_escapes_control_characters_from_yaml() {
    let bad_rubric = REVIEW.replace("rubric: support@2", "rubric: \"sup\\e[2J\\x9b2Jport@2\"");
    let bad_rating = REVIEW
        .replace("\"48213\"", "\"48214\"")
        .replace(
            "  solution: 3",
            "  solution: 9 # \u{1b}[31m red \u{202e}evil",
        )
        .replace("  grammar: na", "  grammar: na\n  \"x\\e[5m\": 2");
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", &bad_rubric),
        ("reviews/zd-2.yaml", &bad_rating),
    ]);
    let (code, out, err) = run(dir.path(), &["check"]);
    assert_eq!(code, 1, "{out}{err}");
    // (annotate-snippets shows some controls as symbols, but not C1 controls such as U+009B,
    // which a terminal reads as ESC [.)
    for c in ['\u{1b}', '\u{9b}', '\u{202e}'] {
        assert!(!out.contains(c), "{c:?} in {out:?}");
    }
    assert!(!err.contains('\u{1b}'), "{err:?}");
    // The message quoting the value shows the escape visibly.
    assert!(out.contains("sup\\u{1b}[2J\\u{9b}2Jport@2"), "{out}");
    assert!(out.contains("`x\\u{1b}[5m` is not a valid key"), "{out}");
    // The source line too, with the caret under the token.
    let line = out
        .lines()
        .find(|l| l.contains("solution: 9"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.ends_with("solution: 9 # \\u{1b}[31m red \\u{202e}evil"),
        "{line}"
    );
    let caret = out
        .lines()
        .skip_while(|l| !l.contains("solution: 9"))
        .nth(1)
        .unwrap();
    assert_eq!(caret.find('^'), line.find('9'), "{out}");
}

/// A raw link in a YAML value does not become a clickable link in Markdown output: the
/// Markdown pages show it with a zero-width joiner after `://` (and in `www.`).
#[test]
fn markdown_pages_defuse_raw_links_from_yaml() {
    let review = REVIEW.replace(
        "comment: \"Curt.\"",
        "comment: \"Log in at https://evil.example/login or www.evil.example\"",
    );
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/zd-1.yaml", &review),
    ]);
    git(dir.path(), &["init", "-q"], "2026-11-20T10:00:00Z");
    commit_all(dir.path(), "review", "2026-11-21T10:00:00Z");
    let (code, _, err) = run(dir.path(), &["render", "--format", "md", "--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(dir.path().join("site/agents/alice.md")).unwrap();
    assert!(
        page.contains("Log in at https://\u{200d}evil.example/login"),
        "{page}"
    );
    assert!(page.contains("www\u{200d}.evil.example"), "{page}");
    assert!(
        !page.contains("https://evil") && !page.contains("www.evil"),
        "{page}"
    );
}
