//! `rubric init`, `rubric new review`, `rubric completions` and `rubric man`.

use crate::history::{commit_all, git};
use crate::{check_json, problems, project_root, rubric};
use serde_yaml::Value as Yaml;
use std::path::Path;
use std::process::Command as Process;

const DATE: &str = "2026-01-05T10:00:00+00:00";

/// Every file `rubric init` writes with the GitHub workflow, except the dated example review.
const GITHUB_FILES: [&str; 9] = [
    "qa.yaml",
    "rubrics/support.yaml",
    "schemas/rubric.schema.json",
    "schemas/assignments.schema.json",
    "schemas/review.schema.json",
    "schemas/config.schema.json",
    ".vscode/settings.json",
    ".github/workflows/qa.yml",
    ".pre-commit-config.yaml",
];

/// Every file below `dir`, `/`-separated and sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| rubric::load::repo::rel_path(dir, e.path()))
        .filter(|p| !p.starts_with(".git/"))
        .collect();
    out.sort();
    out
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn yaml(dir: &Path, rel: &str) -> Yaml {
    serde_yaml::from_str(&read(dir, rel)).unwrap_or_else(|e| panic!("{rel} is YAML: {e}"))
}

/// The one example review of a scaffold.
fn example_review(dir: &Path) -> String {
    let reviews: Vec<String> = files(dir)
        .into_iter()
        .filter(|p| p.starts_with("reviews/"))
        .collect();
    assert_eq!(reviews.len(), 1, "{reviews:?}");
    reviews[0].clone()
}

/// Runs `rubric init ARGS` in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = rubric(dir).args(args).output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Validates a file against one of check-jsonschema's built-in schemas when the tool is
/// installed (`.ci/run` installs it and runs the same validation itself). Returns whether it
/// ran.
fn check_jsonschema(builtin: &str, file: &Path) -> bool {
    let out = match Process::new("check-jsonschema")
        .args(["--builtin-schema", builtin])
        .arg(file)
        .output()
    {
        Ok(out) => out,
        Err(_) => {
            eprintln!("check-jsonschema is not installed: {builtin} validation skipped here");
            return false;
        }
    };
    assert!(
        out.status.success(),
        "{} does not match {builtin}:\n{}{}",
        file.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn init_scaffolds_a_repository_that_passes_check() {
    let tmp = tempfile::tempdir().unwrap();
    // DIR is created, with its parents.
    let (code, out, err) = run(tmp.path(), &["init", "qa/repo"]);
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("qa/repo");
    let review = example_review(&dir);
    let mut expected: Vec<String> = GITHUB_FILES.iter().map(|s| s.to_string()).collect();
    expected.push(review.clone());
    expected.sort();
    assert_eq!(files(&dir), expected);
    for f in &expected {
        assert!(out.contains(f.as_str()), "stdout lists {f}: {out}");
    }

    // The example review sits in this month's folder and is dated today (UTC, as qa.yaml says).
    let today = chrono::Utc::now().date_naive();
    assert_eq!(
        review,
        format!("reviews/{}/example-1001-alice.yaml", today.format("%Y/%m"))
    );
    assert!(read(&dir, &review).contains(&format!("reviewed_at: {}", today.format("%Y-%m-%d"))));

    let (code, json) = check_json(&dir, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files_checked"], 3);
    assert_eq!(problems(&json), vec![]);

    // Committed, it is still clean, and the example review scores (83.3: solution 3 of 4 with
    // weight 3, tone 5 of 5 with weight 2, follow-up na, data protection 2 of 2).
    git(&dir, &["init", "-q"], DATE);
    commit_all(&dir, "rubric init", DATE);
    let (code, json) = check_json(&dir, &[]);
    assert_eq!(
        (code, json["files_checked"].as_u64()),
        (0, Some(3)),
        "{json}"
    );
    let out = rubric(&dir)
        .args(["score", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows[0]["id"], "example-1001-alice");
    assert!((rows[0]["score"].as_f64().unwrap() - 500.0 / 6.0).abs() < 1e-9);
    assert_eq!(rows[0]["pass"], true);
}

#[test]
fn init_writes_the_bundled_schemas_and_points_every_file_at_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(run(dir, &["init"]).0, 0);
    for kind in rubric::load::schema::Kind::ALL {
        let rel = format!("schemas/{}.schema.json", kind.name());
        assert_eq!(
            read(dir, &rel).trim_end(),
            kind.source().trim_end(),
            "{rel}"
        );
    }
    // The `$schema=` modelines are relative to each file and name the right schema.
    let review = example_review(dir);
    for (rel, kind) in [
        ("qa.yaml".to_string(), "config"),
        ("rubrics/support.yaml".to_string(), "rubric"),
        (review, "review"),
    ] {
        let text = read(dir, &rel);
        let first = text.lines().next().unwrap();
        let target = first
            .strip_prefix("# yaml-language-server: $schema=")
            .unwrap_or_else(|| panic!("{rel}: {first}"));
        assert!(target.ends_with(&format!("{kind}.schema.json")), "{rel}");
        let parent = dir.join(&rel).parent().unwrap().to_path_buf();
        assert!(parent.join(target).is_file(), "{rel}: {target}");
    }
    // VS Code: every schema mapped to the files it describes, by a path that exists.
    let settings: serde_json::Value =
        serde_json::from_str(&read(dir, ".vscode/settings.json")).unwrap();
    let map = settings["yaml.schemas"].as_object().unwrap();
    assert_eq!(map.len(), 4);
    for (schema, globs) in map {
        assert!(dir.join(schema).is_file(), "{schema}");
        let globs: Vec<&str> = globs
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        let want = if schema.contains("config") {
            "qa.yaml"
        } else if schema.contains("rubric") {
            "rubrics/*.yaml"
        } else if schema.contains("assignments") {
            "assignments/*.yaml"
        } else {
            "reviews/**/*.yaml"
        };
        assert!(globs.contains(&want), "{schema}: {globs:?}");
    }
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing_then_force_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(dir.join("qa.yaml"), "timezone: UTC\n").unwrap();
    std::fs::create_dir_all(dir.join(".vscode")).unwrap();
    std::fs::write(dir.join(".vscode/settings.json"), "{}\n").unwrap();

    let (code, out, err) = run(dir, &["init"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("2 files exist already"), "{err}");
    assert!(err.contains("qa.yaml") && err.contains(".vscode/settings.json"));
    assert!(err.contains("--force"), "{err}");
    assert!(!err.contains("rubrics/support.yaml"), "{err}");
    assert_eq!(files(dir), vec![".vscode/settings.json", "qa.yaml"]);
    assert_eq!(read(dir, "qa.yaml"), "timezone: UTC\n");

    let (code, out, err) = run(dir, &["init", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("qa.yaml  (replaced)"), "{out}");
    assert!(read(dir, "qa.yaml").contains("people:"));
    assert!(read(dir, ".vscode/settings.json").contains("yaml.schemas"));
    assert_eq!(files(dir).len(), GITHUB_FILES.len() + 1);
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 0, "{json}");

    // A second run without --force refuses every file, and changes nothing.
    let before: Vec<(String, String)> = files(dir)
        .into_iter()
        .map(|f| (f.clone(), read(dir, &f)))
        .collect();
    let (code, _, err) = run(dir, &["init"]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!("{} files exist already", GITHUB_FILES.len() + 1)),
        "{err}"
    );
    let after: Vec<(String, String)> = files(dir)
        .into_iter()
        .map(|f| (f.clone(), read(dir, &f)))
        .collect();
    assert_eq!(before, after);
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symbolic_link_out_of_dir() {
    let outside = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), tmp.path().join(".github")).unwrap();
    let (code, _, err) = run(tmp.path(), &["init", "--force"]);
    assert_eq!(code, 2);
    assert!(err.contains(".github/workflows/qa.yml"), "{err}");
    assert!(err.contains("outside"), "{err}");
    assert_eq!(files(outside.path()), Vec::<String>::new());
    assert!(!tmp.path().join("qa.yaml").exists());
}

#[test]
fn github_workflow_checks_uploads_sarif_comments_the_diff_and_publishes_pages() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    assert_eq!(run(dir, &["init"]).0, 0);
    let path = dir.join(".github/workflows/qa.yml");
    check_jsonschema("vendor.github-workflows", &path);

    let wf = yaml(dir, ".github/workflows/qa.yml");
    let on = &wf["on"];
    assert!(on.get("pull_request").is_some());
    assert_eq!(on["push"]["branches"][0], "main");
    let check = &wf["jobs"]["check"];
    assert_eq!(check["env"]["BASE"], "${{ github.base_ref }}");
    assert_eq!(check["permissions"]["security-events"], "write");
    assert_eq!(check["permissions"]["pull-requests"], "write");
    let pages = &wf["jobs"]["pages"];
    for job in [check, pages] {
        let steps = job["steps"].as_sequence().unwrap();
        assert_eq!(steps[0]["uses"], "actions/checkout@v4");
        assert_eq!(steps[0]["with"]["fetch-depth"], 0);
        // rubric is installed before it runs.
        let install = steps
            .iter()
            .position(|s| {
                s["run"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("cargo install"))
            })
            .expect("an install step");
        let first_use = steps
            .iter()
            .position(|s| s["run"].as_str().is_some_and(|r| r.contains("rubric ")))
            .unwrap();
        assert!(install < first_use);
    }
    let runs = |job: &Yaml| -> Vec<String> {
        job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["run"].as_str().map(str::to_string))
            .collect()
    };
    let uses = |job: &Yaml| -> Vec<String> {
        job["steps"]
            .as_sequence()
            .unwrap()
            .iter()
            .filter_map(|s| s["uses"].as_str().map(str::to_string))
            .collect()
    };
    let check_runs = runs(check).join("\n");
    assert!(check_runs.contains(r#"rubric check --changed-since "origin/$BASE""#));
    assert!(check_runs.contains("rubric check --format sarif > rubric.sarif"));
    assert!(check_runs.contains(r#"rubric diff "origin/$BASE" --format md > rubric-diff.md"#));
    // No --format on the annotating check: github is the default under GitHub Actions.
    assert!(!check_runs.contains("--format github"));
    let check_uses = uses(check);
    assert!(check_uses.contains(&"github/codeql-action/upload-sarif@v3".to_string()));
    assert!(check_uses.contains(&"actions/github-script@v7".to_string()));
    assert_eq!(
        pages["if"],
        "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    );
    let render = runs(pages).join("\n");
    assert!(render.contains("rubric render --out site"), "{render}");
    // Private pages when the secret exists (SPEC §8).
    assert!(
        render.contains("rubric render --private --out site"),
        "{render}"
    );
    let steps = pages["steps"].as_sequence().unwrap();
    assert!(steps
        .iter()
        .any(|s| s["env"]["RUBRIC_PAGES_SECRET"] == "${{ secrets.RUBRIC_PAGES_SECRET }}"));
    assert!(uses(pages).contains(&"actions/deploy-pages@v4".to_string()));
    assert_eq!(pages["permissions"]["pages"], "write");
    assert_eq!(wf["env"]["RUBRIC_GIT"], rubric::edit::init::PROJECT_GIT);
    assert_eq!(wf["env"]["RUBRIC_TAG"], rubric::edit::init::PROJECT_TAG);
}

#[test]
fn ci_gitlab_writes_gitlab_ci_instead_of_the_github_workflow() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (code, _, err) = run(dir, &["init", "--ci", "gitlab"]);
    assert_eq!(code, 0, "{err}");
    assert!(dir.join(".gitlab-ci.yml").is_file());
    assert!(!dir.join(".github").exists());
    check_jsonschema("vendor.gitlab-ci", &dir.join(".gitlab-ci.yml"));

    let ci = yaml(dir, ".gitlab-ci.yml");
    assert_eq!(ci["variables"]["GIT_DEPTH"], 0);
    let script = |job: &str| -> String {
        ci[job]["script"]
            .as_sequence()
            .unwrap_or_else(|| panic!("{job} has a script"))
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert!(script("check")
        .contains(r#"rubric check --changed-since "origin/$CI_MERGE_REQUEST_TARGET_BRANCH_NAME""#));
    assert_eq!(
        ci["check"]["artifacts"]["reports"]["junit"],
        "rubric-junit.xml"
    );
    assert!(script("diff").contains("--format md > rubric-diff.md"));
    assert!(script("pages").contains("rubric render --out public"));
    assert!(script("pages").contains(
        r#"if [ -n "${RUBRIC_PAGES_SECRET:-}" ]; then rubric render --private --out public;"#
    ));
    assert_eq!(ci["pages"]["artifacts"]["paths"][0], "public");

    let (code, json) = check_json(dir, &[]);
    assert_eq!(
        (code, json["files_checked"].as_u64()),
        (0, Some(3)),
        "{json}"
    );

    // --ci none: neither.
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(run(tmp.path(), &["init", "--ci", "none"]).0, 0);
    assert!(!tmp.path().join(".gitlab-ci.yml").exists());
    assert!(!tmp.path().join(".github").exists());
}

#[test]
fn pre_commit_hook_file_has_the_expected_shape() {
    let hooks: Yaml = serde_yaml::from_str(
        &std::fs::read_to_string(project_root().join(".pre-commit-hooks.yaml")).unwrap(),
    )
    .unwrap();
    let hooks = hooks.as_sequence().expect("a list of hooks");
    assert!(!hooks.is_empty());
    for h in hooks {
        for key in ["id", "name", "entry", "language"] {
            assert!(
                h[key].as_str().is_some_and(|v| !v.is_empty()),
                "hook {h:?} has a {key}"
            );
        }
    }
    let hook = hooks
        .iter()
        .find(|h| h["id"] == "rubric-check")
        .expect("rubric-check");
    assert_eq!(hook["entry"], "rubric check");
    assert_eq!(hook["language"], "rust");
    assert_eq!(hook["pass_filenames"], false);
    assert_eq!(hook["files"], r"^(qa\.yaml|rubrics/.*|reviews/.*)$");

    // The scaffold's .pre-commit-config.yaml uses that hook from this project's repository.
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(run(tmp.path(), &["init"]).0, 0);
    let config = yaml(tmp.path(), ".pre-commit-config.yaml");
    let repo = &config["repos"][0];
    assert_eq!(repo["repo"], rubric::edit::init::PROJECT_GIT);
    assert_eq!(repo["rev"], rubric::edit::init::PROJECT_TAG);
    assert_eq!(repo["hooks"][0]["id"], "rubric-check");
    assert_eq!(
        rubric::edit::init::PROJECT_TAG,
        format!("v{}", env!("CARGO_PKG_VERSION"))
    );
}

/// A scaffold without the example review, and `rubric new review ARGS` run in it.
fn scaffold() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(run(tmp.path(), &["init", "--ci", "none"]).0, 0);
    let review = example_review(tmp.path());
    std::fs::remove_file(tmp.path().join(review)).unwrap();
    tmp
}

#[test]
fn new_review_lists_every_category_and_fails_check_until_rated() {
    let tmp = scaffold();
    let dir = tmp.path();
    let (code, out, err) = run(
        dir,
        &[
            "new",
            "review",
            "--agent",
            "alice",
            "--conversation",
            "ZD #4821",
            "--reviewer",
            "bob@example.com",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let month = chrono::Utc::now().date_naive().format("%Y/%m");
    let rel = format!("reviews/{month}/ZD-4821-alice.yaml");
    assert_eq!(out, format!("{rel}\n"));
    let text = read(dir, &rel);
    assert!(
        text.starts_with("# yaml-language-server: $schema=../../../schemas/review.schema.json\n")
    );
    assert!(text.contains("\nrubric: support@1\n"), "{text}");
    assert!(text.contains("\nagent: alice\n"));
    // The e-mail is written as its roster id.
    assert!(text.contains("\nreviewer: bob\n"));
    assert!(text.contains("\n  id: \"ZD #4821\"\n"));
    assert!(text.contains(
        "\n  solution:        # 1..4: 1 Wrong | 2 Partial | 3 Good | 4 Excellent; root causes: knowledge, process, tooling\n"
    ));
    assert!(text.contains("\n  follow_up:       # 1..3: 1 Missing | 2 Vague | 3 Clear | na\n"));
    for line in text.lines() {
        assert!(
            line.chars().count() <= 100 || !line.trim_start().starts_with("# "),
            "{line}"
        );
    }

    // Every category of the rubric, each an empty (null) rating.
    let doc = yaml(dir, &rel);
    let ratings = doc["ratings"].as_mapping().unwrap();
    let keys: Vec<&str> = ratings.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(keys, ["solution", "tone", "follow_up", "data_protection"]);
    assert!(ratings.values().all(Yaml::is_null));

    // Unfilled, it fails: a `missing-rating` error at each empty rating.
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 1);
    let lines: Vec<u64> = keys
        .iter()
        .map(|k| {
            text.lines()
                .position(|l| l.starts_with(&format!("  {k}:")))
                .unwrap() as u64
                + 1
        })
        .collect();
    let expected: Vec<(String, u64, u64, String)> = lines
        .iter()
        .map(|&l| (rel.clone(), l, 3, "missing-rating".to_string()))
        .collect();
    assert_eq!(problems(&json), expected);
    let message = json["problems"][0]["message"].as_str().unwrap();
    assert!(message == "`solution` is not rated yet", "{message}");

    // Filled in, it passes.
    let filled = text
        .replace("  solution:        #", "  solution: 3 #")
        .replace(
            "  tone:            #",
            "  tone: { rating: 4, comment: Warm. } #",
        )
        .replace("  follow_up:       #", "  follow_up: na #")
        .replace("  data_protection: #", "  data_protection: 2 #");
    std::fs::write(dir.join(&rel), &filled).unwrap();
    let (code, json) = check_json(dir, &[]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(json["files_checked"], 3);
    assert_eq!(problems(&json), vec![]);

    // It refuses to overwrite: the same review again is an error, and the file is unchanged.
    let (code, _, err) = run(
        dir,
        &[
            "new",
            "review",
            "--agent",
            "alice",
            "--conversation",
            "ZD #4821",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("exists already"), "{err}");
    assert_eq!(read(dir, &rel), filled);
}

#[test]
fn new_review_takes_the_reviewer_from_git_and_picks_or_asks_for_the_rubric() {
    let tmp = scaffold();
    let dir = tmp.path();
    git(dir, &["init", "-q"], DATE);
    git(dir, &["config", "user.email", "Bob@Example.com"], DATE);
    let (code, out, err) = run(
        dir,
        &["new", "review", "--agent", "alice", "--conversation", "77"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.is_empty(), "{err}");
    let text = read(dir, out.trim());
    assert!(text.contains("\nreviewer: bob\n"), "{text}");

    // An e-mail the roster does not know is written as it is, with a note.
    git(dir, &["config", "user.email", "carol@example.com"], DATE);
    let (code, out, err) = run(
        dir,
        &["new", "review", "--agent", "alice", "--conversation", "78"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("`carol@example.com` is not in the qa.yaml roster"),
        "{err}"
    );
    assert!(read(dir, out.trim()).contains("\nreviewer: carol@example.com\n"));

    // An agent the roster does not know is refused, with a suggestion.
    let (code, _, err) = run(
        dir,
        &["new", "review", "--agent", "alcie", "--conversation", "79"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("agent `alcie` is not in the qa.yaml roster (did you mean `alice`?)"),
        "{err}"
    );

    // The roster lookup is the one `check` uses: another case of an id is that person.
    let (code, out, err) = run(
        dir,
        &["new", "review", "--agent", "ALICE", "--conversation", "80"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(read(dir, out.trim()).contains("\nagent: alice\n"));

    // Two rubrics: --rubric is needed, and picks the current version of that rubric.
    let chat = read(dir, "rubrics/support.yaml")
        .replace("id: support", "id: chat")
        .replace("version: 1", "version: 3");
    std::fs::write(dir.join("rubrics/chat.yaml"), chat).unwrap();
    let (code, _, err) = run(
        dir,
        &["new", "review", "--agent", "alice", "--conversation", "80"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("there are 2 rubrics; name one with --rubric: chat, support"),
        "{err}"
    );
    let (code, _, err) = run(
        dir,
        &[
            "new",
            "review",
            "--agent",
            "alice",
            "--conversation",
            "80",
            "--rubric",
            "chta",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("no rubric `chta`; the rubrics are: chat, support"),
        "{err}"
    );
    let (code, out, err) = run(
        dir,
        &[
            "new",
            "review",
            "--agent",
            "alice",
            "--conversation",
            "80",
            "--rubric",
            "chat",
            "--id",
            "chat-80",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.trim().ends_with("/chat-80.yaml"), "{out}");
    assert!(read(dir, out.trim()).contains("\nrubric: chat@3\n"));
}

#[test]
fn new_review_uses_the_folders_and_time_zone_of_qa_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    std::fs::write(
        dir.join("qa.yaml"),
        "paths: { rubrics: qa/rubrics, reviews: qa/reviews }\ntimezone: Pacific/Kiritimati\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("qa/rubrics")).unwrap();
    std::fs::write(dir.join("qa/rubrics/support.yaml"), crate::RUBRIC).unwrap();
    let (code, out, err) = run(
        dir,
        &[
            "new",
            "review",
            "--agent",
            "x1",
            "--conversation",
            "5",
            "--reviewer",
            "y2",
        ],
    );
    assert_eq!(code, 0, "{err}");
    // UTC+14: the folder is today's month there.
    let tz: chrono_tz::Tz = "Pacific/Kiritimati".parse().unwrap();
    let month = chrono::Utc::now().with_timezone(&tz).format("%Y/%m");
    assert_eq!(out, format!("qa/reviews/{month}/5-x1.yaml\n"));
    let text = read(dir, out.trim());
    // No schemas/ folder here: no modeline.
    assert!(
        text.starts_with("# Review of conversation 5 against support@2"),
        "{text}"
    );
    assert!(text.contains("\n  security: # 1..2\n"), "{text}");
    assert!(text.contains("\n  grammar:  # 1..3 | na\n"), "{text}");
}

#[test]
fn completions_and_man_page_are_printed() {
    let dir = project_root();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (code, out, err) = run(&dir, &["completions", shell]);
        assert_eq!(code, 0, "{shell}: {err}");
        assert!(out.contains("rubric"), "{shell}");
        assert!(out.contains("changed-since"), "{shell}: completes options");
    }
    let (code, _, _) = run(&dir, &["completions", "tcsh"]);
    assert_eq!(code, 2);
    let (code, out, err) = run(&dir, &["man"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(".ie") || out.contains(".TH rubric"),
        "{out}"
    );
    assert!(out.contains(".TH rubric"));
    assert!(out.contains("init"));
}
