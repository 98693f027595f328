//! Rubric versions from git history: fixture repositories built in temp dirs with fixed dates.

use crate::{check_json, problems, rubric, temp_repo};
use std::path::Path;
use std::process::Command;

/// Runs git in `dir` as Bob at a fixed date.
pub fn git(dir: &Path, args: &[&str], date: &str) {
    crate::git_as(dir, ("Bob QA", "bob@acme.example"), date, args);
}

pub fn commit_all(dir: &Path, message: &str, date: &str) {
    git(dir, &["add", "-A"], date);
    git(dir, &["commit", "-q", "-m", message], date);
}

const V1: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone, scale: 3}\n";
const V2: &str = "id: support\nversion: 2\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4, weight: 3}\n  - {id: empathy, title: Empathy, scale: 5}\n";
const OLD_REVIEW: &str = "rubric: support@1\nagent: alice\nreviewer: bob\nreviewed_at: 2026-03-02\nconversation: {id: \"1\"}\nratings:\n  solution: 4\n  tone: 3\n";
const NEW_REVIEW: &str = "rubric: support@2\nagent: alice\nreviewer: bob\nreviewed_at: 2026-05-02\nconversation: {id: \"2\"}\nratings:\n  solution: 4\n  empathy: 5\n";

/// A repository where support@1 was replaced by support@2, with one review of each.
fn two_versions() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", V1),
        ("reviews/2026/03/old.yaml", OLD_REVIEW),
    ]);
    git(dir.path(), &["init", "-q"], "2026-03-01T10:00:00Z");
    commit_all(
        dir.path(),
        "support v1 and a review",
        "2026-03-02T10:00:00Z",
    );
    std::fs::write(dir.path().join("rubrics/support.yaml"), V2).unwrap();
    commit_all(dir.path(), "support v2", "2026-04-01T10:00:00Z");
    std::fs::create_dir_all(dir.path().join("reviews/2026/05")).unwrap();
    std::fs::write(dir.path().join("reviews/2026/05/new.yaml"), NEW_REVIEW).unwrap();
    commit_all(dir.path(), "a review of v2", "2026-05-02T10:00:00Z");
    dir
}

#[test]
fn old_review_against_old_rubric_version_passes() {
    let dir = two_versions();
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(problems(&json), vec![]);
    assert_eq!(json["files_checked"], 3);
    assert_eq!(code, 0);
}

#[test]
fn old_review_is_checked_against_the_old_content() {
    let dir = two_versions();
    // `empathy` exists in v2 only: rating it in a v1 review is an unknown category, and `tone`
    // (v1 only) is then missing.
    std::fs::write(
        dir.path().join("reviews/2026/03/old.yaml"),
        OLD_REVIEW.replace("  tone: 3\n", "  empathy: 3\n"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(
        problems(&json),
        vec![
            (
                "reviews/2026/03/old.yaml".into(),
                6,
                1,
                "missing-rating".into()
            ),
            (
                "reviews/2026/03/old.yaml".into(),
                8,
                3,
                "unknown-category".into()
            ),
        ]
    );
    assert_eq!(code, 1);
}

#[test]
fn a_version_that_never_existed_fails_clearly() {
    let dir = two_versions();
    std::fs::write(
        dir.path().join("reviews/2026/03/old.yaml"),
        OLD_REVIEW.replace("support@1", "support@7"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(
        problems(&json),
        vec![(
            "reviews/2026/03/old.yaml".into(),
            1,
            9,
            "unknown-rubric-version".into()
        )]
    );
    let msg = json["problems"][0]["message"].as_str().unwrap();
    assert!(msg.contains("never had version 7"), "{msg}");
    assert!(msg.contains("1, 2"), "{msg}");
    assert_eq!(code, 1);
}

#[test]
fn shallow_clone_names_the_fix() {
    let dir = two_versions();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", dir.path().display());
    git(
        clone.path(),
        &["clone", "-q", "--depth", "1", &url, "c"],
        "2026-06-01T10:00:00Z",
    );
    let root = clone.path().join("c");
    let (code, json) = check_json(&root, &[]);
    assert_eq!(
        problems(&json),
        vec![(
            "reviews/2026/03/old.yaml".into(),
            1,
            9,
            "rubric-history-unavailable".into()
        )]
    );
    assert!(json["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("shallow clone"));
    assert_eq!(code, 1);
    // The human format tells how to fix it.
    let out = rubric(&root).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fetch-depth: 0"), "{text}");
    assert!(text.contains("git fetch --unshallow"), "{text}");
}

#[test]
fn without_a_repository_an_old_version_is_not_guessed() {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", V2),
        ("reviews/old.yaml", OLD_REVIEW),
    ]);
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(
        problems(&json),
        vec![(
            "reviews/old.yaml".into(),
            1,
            9,
            "rubric-history-unavailable".into()
        )]
    );
    assert_eq!(code, 1);
}

#[test]
fn deleted_rubric_is_found_in_history() {
    let dir = two_versions();
    std::fs::remove_file(dir.path().join("rubrics/support.yaml")).unwrap();
    std::fs::remove_file(dir.path().join("reviews/2026/05/new.yaml")).unwrap();
    commit_all(dir.path(), "retire support", "2026-06-01T10:00:00Z");
    let (code, json) = check_json(dir.path(), &[]);
    assert_eq!(problems(&json), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn changed_since_checks_changed_files_and_reviews_of_changed_rubrics() {
    let dir = two_versions();
    // A broken review that is not changed: not reported with --changed-since.
    std::fs::write(
        dir.path().join("reviews/2026/05/new.yaml"),
        NEW_REVIEW.replace("empathy: 5", "empathy: 9"),
    )
    .unwrap();
    commit_all(dir.path(), "broken", "2026-06-01T10:00:00Z");
    // Untracked new review with a problem.
    std::fs::write(
        dir.path().join("reviews/2026/05/added.yaml"),
        NEW_REVIEW.replace("solution: 4", "solution: 0"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(
        problems(&json),
        vec![(
            "reviews/2026/05/added.yaml".into(),
            7,
            13,
            "rating-out-of-scale".into()
        )]
    );
    assert_eq!(json["files_checked"], 1);
    assert_eq!(code, 1);

    // Changing the rubric (wording only) brings in every review of that rubric.
    std::fs::remove_file(dir.path().join("reviews/2026/05/added.yaml")).unwrap();
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        V2.replace("title: Support", "title: Support (email)"),
    )
    .unwrap();
    let (_, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(json["files_checked"], 3);
    assert_eq!(
        problems(&json),
        vec![
            // The wording change itself is noted (no version bump needed).
            (
                "rubrics/support.yaml".into(),
                2,
                10,
                "rubric-reworded".into()
            ),
            (
                "reviews/2026/05/new.yaml".into(),
                8,
                12,
                "rating-out-of-scale".into()
            ),
        ]
    );

    // A revision that does not exist cannot run: exit 2.
    let out = rubric(dir.path())
        .args(["check", "--changed-since", "no-such-rev"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-rev"));
}

#[test]
fn qa_repository_in_a_subfolder_of_the_git_repository() {
    let dir = tempfile::tempdir().unwrap();
    let qa = dir.path().join("qa");
    std::fs::create_dir_all(qa.join("rubrics")).unwrap();
    std::fs::create_dir_all(qa.join("reviews")).unwrap();
    std::fs::write(qa.join("qa.yaml"), "timezone: UTC\n").unwrap();
    std::fs::write(qa.join("rubrics/support.yaml"), V1).unwrap();
    std::fs::write(qa.join("reviews/old.yaml"), OLD_REVIEW).unwrap();
    git(dir.path(), &["init", "-q"], "2026-03-01T10:00:00Z");
    commit_all(dir.path(), "v1", "2026-03-02T10:00:00Z");
    std::fs::write(qa.join("rubrics/support.yaml"), V2).unwrap();
    commit_all(dir.path(), "v2", "2026-04-02T10:00:00Z");
    // -C into the subfolder; the old version is found under qa/rubrics in history.
    let out = rubric(dir.path())
        .args(["-C", "qa", "check", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(problems(&json), vec![]);
    assert_eq!(out.status.code(), Some(0));
}

/// A generated repository (real history: rubric versions changing, reviews edited, moved,
/// deleted, merged from branches) checks clean: every old review finds its old rubric version.
#[test]
fn generated_repository_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("qa");
    let status = Command::new("python3")
        .arg(crate::project_root().join("scripts/gen-repo.py"))
        .arg(&out_dir)
        .args(["--reviews", "400", "--seed", "7"])
        .output()
        .expect("python3 runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let reviews = walkdir::WalkDir::new(out_dir.join("reviews"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .count();
    let (code, json) = check_json(&out_dir, &[]);
    assert_eq!(problems(&json), vec![]);
    assert_eq!(code, 0);
    // qa.yaml, the rubrics and every review.
    let rubrics = std::fs::read_dir(out_dir.join("rubrics")).unwrap().count();
    assert_eq!(json["files_checked"], 1 + rubrics + reviews);
    // Some reviews name rubric versions that exist only in history.
    let old = walkdir::WalkDir::new(out_dir.join("reviews"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            std::fs::read_to_string(e.path())
                .unwrap()
                .contains("rubric: support@1")
        })
        .count();
    assert!(old > 0);
}

#[test]
fn github_annotations_name_paths_from_the_git_work_tree() {
    let dir = tempfile::tempdir().unwrap();
    let qa = dir.path().join("qa");
    std::fs::create_dir_all(qa.join("rubrics")).unwrap();
    std::fs::create_dir_all(qa.join("reviews")).unwrap();
    std::fs::write(qa.join("rubrics/support.yaml"), V1).unwrap();
    std::fs::write(
        qa.join("reviews/old.yaml"),
        OLD_REVIEW.replace("tone: 3", "tone: 4"),
    )
    .unwrap();
    git(dir.path(), &["init", "-q"], "2026-03-01T10:00:00Z");
    commit_all(dir.path(), "v1", "2026-03-02T10:00:00Z");
    let out = rubric(&qa)
        .args(["check", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).lines().next().unwrap(),
        "::error file=qa/reviews/old.yaml,line=8,col=9,title=rubric rating-out-of-scale::rating 4 for `tone` is outside its scale 1..3%0AUse a rating from 1 to the category's scale."
    );
}

/// Version discipline on real git diffs: `check --changed-since BASE` on a changed rubric.
fn discipline_repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", V1),
        ("reviews/2026/03/old.yaml", OLD_REVIEW),
    ]);
    git(dir.path(), &["init", "-q"], "2026-03-01T10:00:00Z");
    commit_all(dir.path(), "support v1", "2026-03-02T10:00:00Z");
    dir
}

#[test]
fn a_scoring_change_without_a_version_bump_is_an_error() {
    let dir = discipline_repo();
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        V1.replace("scale: 4}", "scale: 4, weight: 2}"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(
        problems(&json),
        vec![(
            "rubrics/support.yaml".into(),
            2,
            10,
            "version-not-bumped".into()
        )]
    );
    let msg = json["problems"][0]["message"].as_str().unwrap();
    assert!(msg.contains("`solution` weight 1.0 → 2.0"), "{msg}");
    assert_eq!(code, 1);
    // With the bump it is clean (the v1 review is still checked against v1, from history).
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        V1.replace("scale: 4}", "scale: 4, weight: 2}")
            .replace("version: 1", "version: 2"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(problems(&json), vec![]);
    assert_eq!(code, 0);
}

#[test]
fn wording_only_needs_no_bump_and_is_a_warning() {
    let dir = discipline_repo();
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        V1.replace("title: Tone", "title: Tone of voice"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(
        problems(&json),
        vec![(
            "rubrics/support.yaml".into(),
            2,
            10,
            "rubric-reworded".into()
        )]
    );
    assert!(json["problems"][0]["message"]
        .as_str()
        .unwrap()
        .contains("`tone` title \"Tone\" → \"Tone of voice\""));
    assert_eq!(code, 0);
}

#[test]
fn a_version_going_down_or_reused_is_an_error() {
    let dir = discipline_repo();
    // v2 (solution weight 3) is committed; then someone commits a v1 again (going down).
    let v2 = V1
        .replace("version: 1", "version: 2")
        .replace("scale: 4}", "scale: 4, weight: 3}");
    std::fs::write(dir.path().join("rubrics/support.yaml"), &v2).unwrap();
    commit_all(dir.path(), "support v2", "2026-04-01T10:00:00Z");
    std::fs::write(dir.path().join("rubrics/support.yaml"), V1).unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(
        problems(&json),
        vec![(
            "rubrics/support.yaml".into(),
            2,
            10,
            "version-decreased".into()
        )]
    );
    assert_eq!(code, 1);
    commit_all(dir.path(), "back to v1 (a mistake)", "2026-04-02T10:00:00Z");
    // Now going up to 2 again, with scoring other than the v2 that history holds.
    std::fs::write(
        dir.path().join("rubrics/support.yaml"),
        v2.replace("weight: 3", "weight: 5"),
    )
    .unwrap();
    let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
    assert_eq!(
        problems(&json),
        vec![(
            "rubrics/support.yaml".into(),
            2,
            10,
            "version-reused".into()
        )]
    );
    assert_eq!(code, 1);
}

/// What the history keeps whole: each review's newest version. An edit retires the version
/// before it, a deletion retires the last one, a move keeps it whole (it is still the
/// newest), and a warm run gives the same from the cache.
#[test]
fn the_history_keeps_each_reviews_newest_version_whole() {
    let dir = two_versions();
    let d = dir.path();
    let new = "reviews/2026/05/new.yaml";
    // Edit the v2 review, then move the v1 review into an archive folder.
    std::fs::write(d.join(new), NEW_REVIEW.replace("empathy: 5", "empathy: 4")).unwrap();
    commit_all(d, "empathy 4", "2026-05-03T10:00:00Z");
    std::fs::create_dir_all(d.join("reviews/archive")).unwrap();
    std::fs::rename(
        d.join("reviews/2026/03/old.yaml"),
        d.join("reviews/archive/old.yaml"),
    )
    .unwrap();
    commit_all(d, "archive", "2026-05-04T10:00:00Z");
    let counts = || crate::kept_versions(d);
    // old.yaml and the edited new.yaml whole; new.yaml's first version retired.
    assert_eq!(counts(), ("cold".to_string(), (2, 1)));
    assert_eq!(counts(), ("warm".to_string(), (2, 1)));
    // Deleting new.yaml retires its last version too.
    std::fs::remove_file(d.join(new)).unwrap();
    commit_all(d, "delete", "2026-05-05T10:00:00Z");
    assert_eq!(
        counts(),
        ("incremental (1 new commits)".to_string(), (1, 2))
    );
}
