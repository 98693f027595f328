//! `critical: group` and `bonus` in version discipline and `diff`: either change is a scoring
//! change, so a rubric that makes it without a new version number is refused.

use crate::{check_json, git_as, problems, rubric, temp_repo};

const ME: (&str, &str) = ("Bob", "bob@acme.example");
const V1: &str = "id: support\nversion: 1\ntitle: Support\ngroups:\n  - {id: a, title: A}\ncategories:\n  - {id: solution, title: Solution, scale: 4, group: a}\n  - {id: tone, title: Tone, scale: 3, group: a}\n  - {id: extra, title: Extra, scale: 2}\n";
const REVIEW: &str = "rubric: support@1\nagent: alice\nreviewer: bob\nreviewed_at: 2026-03-02\nconversation: {id: \"1\"}\nratings:\n  solution: 1\n  tone: 3\n  extra: 2\n";

fn repo() -> tempfile::TempDir {
    let dir = temp_repo(&[("rubrics/support.yaml", V1), ("reviews/r.yaml", REVIEW)]);
    git_as(dir.path(), ME, "2026-03-02T10:00:00Z", &["init", "-q"]);
    git_as(dir.path(), ME, "2026-03-02T10:00:00Z", &["add", "-A"]);
    git_as(
        dir.path(),
        ME,
        "2026-03-02T10:00:00Z",
        &["commit", "-q", "-m", "v1"],
    );
    dir
}

#[test]
fn critical_group_or_bonus_without_a_version_bump_is_an_error() {
    for (what, edited) in [
        (
            "`solution` critical false → \"group\"",
            V1.replace(
                "scale: 4, group: a}",
                "scale: 4, group: a, critical: group}",
            ),
        ),
        (
            "`extra` bonus false → true",
            V1.replace("scale: 2}", "scale: 2, bonus: true}"),
        ),
    ] {
        let dir = repo();
        let path = dir.path().join("rubrics/support.yaml");
        std::fs::write(&path, &edited).unwrap();
        let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
        assert_eq!(
            problems(&json),
            vec![(
                "rubrics/support.yaml".into(),
                2,
                10,
                "version-not-bumped".into()
            )],
            "{json:#}"
        );
        let msg = json["problems"][0]["message"].as_str().unwrap();
        assert!(msg.contains(what), "{msg}");
        assert_eq!(code, 1);
        // `diff` says it is a scoring change that needs a bump.
        let out = rubric(dir.path())
            .args(["diff", "HEAD", "--format", "json"])
            .output()
            .unwrap();
        let diff: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(diff["rubrics"][0]["needs_version_bump"], true, "{diff:#}");
        assert_eq!(
            diff["rubrics"][0]["changes"][0]["scoring"], true,
            "{diff:#}"
        );
        // With the bump it is clean: the v1 review keeps v1 (from history).
        std::fs::write(&path, edited.replace("version: 1", "version: 2")).unwrap();
        let (code, json) = check_json(dir.path(), &["--changed-since", "HEAD"]);
        assert_eq!(problems(&json), vec![], "{json:#}");
        assert_eq!(code, 0);
    }
}
