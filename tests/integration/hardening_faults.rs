//! Faults while writing: a full disk during `render`, `export` and the history cache (through
//! the library's fault-injecting disk, and for the binary through a file-size limit, which
//! fails writes as a full disk does), and Ctrl-C during a history scan. The previous output
//! survives whole, the error names the path, and the exit code is 2.

use crate::history::{commit_all, git};
use crate::{rubric, temp_repo, REVIEW, RUBRIC};
use rubric::load::disk::FullAfter;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every file under `dir` (relative path → bytes), and every folder (→ empty).
fn tree(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| {
            let e = e.unwrap();
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let bytes = e
                .file_type()
                .is_file()
                .then(|| std::fs::read(e.path()).unwrap());
            (rel, bytes)
        })
        .collect()
}

/// The history cache's file name.
fn cache_name() -> String {
    format!("history-v{}.bin", rubric::history::scan::CACHE_FORMAT)
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

fn pages(text: &str) -> Vec<(PathBuf, String)> {
    vec![
        (PathBuf::from("index.html"), format!("<p>{text}</p>\n")),
        (PathBuf::from("agents/alice.html"), text.repeat(300)),
        (PathBuf::from("agents/bob.html"), text.repeat(200)),
    ]
}

/// A full disk at any point of a render (the marker, a page, the copy of the pages kept with
/// `--agent`) leaves the previous site byte for byte, no temporary folder, and an error that
/// names the file being written.
#[test]
fn a_full_disk_during_render_leaves_the_previous_site_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    rubric::pages::write_site(&out, &pages("old"), false).unwrap();
    let before = tree(&out);
    let new = pages("new site");
    // The pages alone: with the marker (and the old pages kept) more is needed.
    let total: u64 = new.iter().map(|(_, t)| t.len() as u64).sum::<u64>();
    for keep_others in [false, true] {
        for limit in [0, 1, 30, 100, 1000, 2000, total / 2, total - 1] {
            let disk = FullAfter::new(limit);
            let e = rubric::pages::write_site_on(&disk, &out, &new, keep_others).unwrap_err();
            let rubric::pages::RenderError::Write { path, source } = &e else {
                panic!("{limit}: {e}");
            };
            assert_eq!(source.raw_os_error(), Some(28), "{limit}: {e}");
            assert!(path.starts_with(&out.display().to_string()), "{path}");
            assert!(
                !path.contains("rubric-tmp"),
                "names the temporary folder: {path}"
            );
            assert!(e.to_string().contains("No space left on device"), "{e}");
            // (Not assert_eq: the pages' bytes would fill the screen.)
            let after = tree(&out);
            assert!(
                after == before,
                "limit {limit}, keep_others {keep_others}: changed"
            );
            assert_eq!(names(dir.path()), ["site"], "{limit}");
        }
    }
    // With room enough the site is replaced.
    rubric::pages::write_site_on(&FullAfter::new(u64::MAX), &out, &new, false).unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("index.html")).unwrap(),
        "<p>new site</p>\n"
    );
}

/// A full disk during `export --output FILE` leaves a previous file there whole, and no
/// temporary file beside it.
#[test]
fn a_full_disk_during_an_export_to_a_file_leaves_the_previous_file() {
    let d = repo();
    let state = state_of(d.path());
    let rows = state.export_rows();
    assert!(!rows.is_empty());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ratings.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    for csv in [false, true] {
        for limit in [0, 10, 200, 500] {
            let disk = FullAfter::new(limit);
            let e = rubric::output::export::export_to_file(&disk, &path, &rows, csv).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(28), "{limit}: {e}");
            assert_eq!(std::fs::read(&path).unwrap(), b"previous export\n");
            assert_eq!(names(dir.path()), ["ratings.csv"], "{limit}");
        }
    }
    let disk = FullAfter::new(u64::MAX);
    rubric::output::export::export_to_file(&disk, &path, &rows, true).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("review,agent,"), "{text}");
    assert_eq!(text.lines().count(), rows.len() + 1);
}

/// The QA state of `dir`, as every command loads it.
fn state_of(dir: &Path) -> rubric::analysis::state::QaState {
    let opts = rubric::analysis::state::StateOptions::default();
    rubric::analysis::state::QaState::load(dir, &opts, &mut |_| {}).unwrap()
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

/// Runs `rubric ARGS` in `dir` with every file it writes limited to `blocks` × 512 bytes
/// (`ulimit -f` in `sh`, SIGXFSZ ignored: a write past the limit fails with EFBIG, as a write
/// to a full disk fails): (exit code, stdout, stderr). `None` runs without a limit.
pub(crate) fn run_limited(dir: &Path, blocks: Option<u32>, args: &[&str]) -> (i32, String, String) {
    // POSIX `ulimit -f` counts 512-byte blocks (dash, and bash as `sh`).
    let blocks = blocks.map_or("unlimited".to_string(), |b| b.to_string());
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f "$1"; shift; exec "$@""#)
        .arg("sh")
        .arg(blocks)
        .arg(assert_cmd::cargo::cargo_bin("rubric"))
        .args(args)
        .current_dir(dir)
        .env_remove("GITHUB_ACTIONS")
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `render` when files cannot grow (a full disk for the binary): exit 2, the error names the
/// page, the previous site is there byte for byte, and no temporary folder is left.
#[cfg(target_os = "linux")]
#[test]
fn render_on_a_full_disk_exits_2_and_keeps_the_previous_site() {
    let dir = repo();
    let d = dir.path();
    let (code, _, err) = run_limited(d, None, &["render", "--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let before = tree(&d.join("site"));
    std::fs::write(
        d.join("reviews/zd-2.yaml"),
        REVIEW.replace("48213", "48214"),
    )
    .unwrap();
    commit_all(d, "another", "2026-11-22T10:00:00Z");
    let (code, out, err) = run_limited(d, Some(2), &["render", "--out", "site"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("cannot write the site to") && err.contains("site/"),
        "{err}"
    );
    assert!(err.contains("File too large"), "{err}");
    assert_eq!(tree(&d.join("site")), before);
    let left: Vec<String> = names(d)
        .into_iter()
        .filter(|n| n.contains("rubric-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// `export --output FILE` when files cannot grow: exit 2, the error names the file, and the
/// previous file is left whole; without the limit it is replaced.
#[cfg(target_os = "linux")]
#[test]
fn export_to_a_file_on_a_full_disk_exits_2_and_keeps_the_previous_file() {
    let dir = repo();
    let d = dir.path();
    // Enough reviews that the export is over the limit.
    for i in 0..40 {
        let review = REVIEW.replace("48213", &format!("5{i:04}"));
        std::fs::write(d.join(format!("reviews/zd-{}.yaml", i + 10)), review).unwrap();
    }
    commit_all(d, "more", "2026-11-22T10:00:00Z");
    std::fs::write(d.join("ratings.csv"), "previous\n").unwrap();
    for format in ["csv", "jsonl"] {
        let args = ["export", "--format", format, "--output", "ratings.csv"];
        let (code, out, err) = run_limited(d, Some(8), &args);
        assert_eq!(code, 2, "{format}: {out}{err}");
        assert!(
            err.contains("cannot write the export to `ratings.csv`")
                && err.contains("File too large"),
            "{err}"
        );
        assert_eq!(
            std::fs::read_to_string(d.join("ratings.csv")).unwrap(),
            "previous\n"
        );
        assert!(out.is_empty(), "{out}");
        let temporaries: Vec<String> = names(d)
            .into_iter()
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(temporaries.is_empty(), "{temporaries:?}");
    }
    let (code, _, err) = run_limited(d, None, &["export", "--format", "csv", "-o", "ratings.csv"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(d.join("ratings.csv")).unwrap();
    assert_eq!(text.lines().count(), 1 + 41 * 4, "{text}");
}

/// A cache that cannot be written because the disk is full (as root too, where a read-only
/// folder would not stop the write): the command succeeds with the right numbers, warns naming
/// the cache, leaves the previous cache byte for byte, and the next run reads it and agrees.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_during_a_cache_write_keeps_the_previous_cache() {
    let dir = repo();
    let d = dir.path();
    let (code, _, err) = run_limited(d, None, &["score"]);
    assert_eq!(code, 0, "{err}");
    let cache = d.join(".git/rubric").join(cache_name());
    let before = std::fs::read(&cache).unwrap();
    assert!(before.len() > 512, "the cache is {} bytes", before.len());
    std::fs::write(
        d.join("reviews/zd-2.yaml"),
        REVIEW.replace("48213", "48214"),
    )
    .unwrap();
    commit_all(d, "another", "2026-11-22T10:00:00Z");
    let (_, truth, _) = run_limited(d, None, &["score", "--format", "json", "--no-cache"]);
    let (code, out, err) = run_limited(d, Some(1), &["score", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, truth);
    assert!(
        err.contains("warning: cannot write the history cache")
            && err.contains(&format!(".git/rubric/{}", cache_name()))
            && err.contains("File too large"),
        "{err}"
    );
    assert_eq!(std::fs::read(&cache).unwrap(), before);
    assert_eq!(names(&d.join(".git/rubric")), [cache_name()]);
    // The next run reads the old cache (incremental from its tip) and writes the new one.
    let (code, out, err) = run_limited(d, None, &["score", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, truth);
    assert_ne!(std::fs::read(&cache).unwrap(), before);
}

/// Runs `rubric ARGS` in `dir` with the given environment: (exit code, stdout, stderr).
fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let out = rubric(dir)
        .args(args)
        .envs(env.iter().copied())
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The names in `dir`, or none when it does not exist.
fn names_or_none(dir: &Path) -> Vec<String> {
    if dir.exists() {
        names(dir)
    } else {
        Vec::new()
    }
}

/// When to send Ctrl-C to a scan.
#[derive(Debug, Clone, Copy)]
enum Interrupt {
    /// After this percentage of a cold run's time.
    At(u32),
    /// As soon as anything appears in `.git/rubric/` (the cache being written).
    OnWrite,
}

/// Starts a cold `rubric score` in `d` and sends it SIGINT at `when`; returns its pid and
/// whether it finished before the signal.
fn interrupted_scan(d: &Path, when: Interrupt, cold: std::time::Duration) -> (u32, bool) {
    let cache_dir = d.join(".git/rubric");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("rubric"))
        .args(["score", "--format", "json"])
        .current_dir(d)
        .env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    match when {
        Interrupt::At(percent) => std::thread::sleep(cold * percent / 100),
        Interrupt::OnWrite => {
            while child.try_wait().unwrap().is_none() && names_or_none(&cache_dir).is_empty() {
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        }
    }
    let signal = |name: &str| {
        std::process::Command::new("kill")
            .args([name, &pid.to_string()])
            .status()
            .unwrap()
            .success()
    };
    let sent = signal("-INT");
    // A test run started in the background inherits SIGINT ignored (as a shell's background
    // jobs do), and then Ctrl-C cannot reach the child; SIGTERM ends it the same abrupt way.
    for _ in 0..100 {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    if child.try_wait().unwrap().is_none() {
        signal("-TERM");
    }
    let finished = !sent || child.wait().unwrap().success();
    (pid, finished)
}

/// Ctrl-C (SIGINT) during a cold history scan of a generated repository — at points all through
/// it, and the moment the cache starts being written: `.git/rubric/` then holds nothing, a
/// complete cache (which the next run reads warm: no file version parsed again), or the killed
/// process's temporary file, which the next run removes. Every next run gives the same numbers
/// as `--no-cache`.
#[cfg(unix)]
#[test]
fn ctrl_c_during_a_history_scan_leaves_no_partial_file() {
    let base = tempfile::tempdir().unwrap();
    let d = base.path().join("qa");
    let script = crate::project_root().join("scripts/gen-repo.py");
    let ok = std::process::Command::new("python3")
        .arg(&script)
        .arg(&d)
        .args(["--reviews", "1500", "--seed", "9"])
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let started = std::time::Instant::now();
    let (code, truth, err) = run_env(&d, &["score", "--format", "json", "--no-cache"], &[]);
    assert_eq!(code, 0, "{err}");
    let cold = started.elapsed();
    let cache_dir = d.join(".git/rubric");
    let parsed = "scan: every file version parsed";
    let mut seen = BTreeMap::new();
    // 0: at once, before the scan can finish on any machine; the rest spread over a cold run's
    // time (on a busy machine they may all come after it finished — the safety assertions
    // below hold either way).
    let points = [0, 10, 40, 70, 95].map(Interrupt::At);
    for when in points.into_iter().chain([Interrupt::OnWrite; 3]) {
        let _ = std::fs::remove_dir_all(&cache_dir);
        let (pid, finished) = interrupted_scan(&d, when, cold);
        let left = names_or_none(&cache_dir);
        let temporary = format!(".rubric-{pid}-");
        for n in &left {
            assert!(
                *n == cache_name() || (n.starts_with(&temporary) && n.ends_with(".tmp")),
                "{when:?}: {n} in {left:?}"
            );
        }
        let cached = left.iter().any(|n| *n == cache_name());
        let (code, out, err) = run_env(
            &d,
            &["score", "--format", "json"],
            &[("RUBRIC_TIMING", "1")],
        );
        assert_eq!(code, 0, "{when:?}: {err}");
        assert_eq!(out, truth, "{when:?}");
        // A cache that was there is complete and valid: the run after reads it whole.
        assert_eq!(cached, !err.contains(parsed), "{when:?}: {left:?} {err}");
        assert_eq!(names(&cache_dir), [cache_name()], "{when:?}");
        let kind = match (finished, cached, left.len() > usize::from(cached)) {
            (true, _, _) => "finished",
            (false, _, true) => "temporary file",
            (false, true, false) => "cache",
            (false, false, false) => "nothing",
        };
        *seen.entry(kind).or_insert(0) += 1;
    }
    eprintln!("Ctrl-C outcomes: {seen:?}");
    // Some points interrupt the run (not only come after it).
    let finished = seen.get("finished").copied().unwrap_or(0);
    assert!(finished < seen.values().sum::<usize>(), "{seen:?}");
}

/// The temporary cache files of processes that are gone are removed by the next run; a running
/// process's, and other names, are left alone.
#[cfg(unix)]
#[test]
fn stale_temporary_cache_files_are_removed() {
    let dir = repo();
    let d = dir.path();
    let (code, _, err) = run_env(d, &["score"], &[]);
    assert_eq!(code, 0, "{err}");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    child.wait().unwrap();
    let dead = child.id();
    let alive = std::process::id();
    let cache_dir = d.join(".git/rubric");
    let stale = format!(".rubric-{dead}-a1b2c3.tmp");
    let kept = [
        format!(".rubric-{alive}-a1b2c3.tmp"),
        format!(".rubric-{dead}x-a1b2c3.tmp"),
        ".rubric-a1b2c3.tmp".to_string(),
        "notes.txt".to_string(),
    ];
    for n in kept.iter().chain([&stale]) {
        std::fs::write(cache_dir.join(n), "partial").unwrap();
    }
    // A folder under a stale name is not a temporary file: kept.
    let folder = format!(".rubric-{dead}-folder.tmp");
    std::fs::create_dir(cache_dir.join(&folder)).unwrap();
    // Warm or not, the run tidies.
    let (code, _, err) = run_env(d, &["score"], &[]);
    assert_eq!(code, 0, "{err}");
    let left = names(&cache_dir);
    assert!(!left.contains(&stale), "{left:?}");
    for n in kept.iter().chain([&folder]) {
        assert!(left.contains(n), "{n} removed: {left:?}");
    }
}
