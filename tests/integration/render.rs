//! `rubric render`: what the pages show, escaping of everything from YAML, one agent per page,
//! output paths, the whole-site swap, template overrides and errors, and snapshots of the
//! example repository's context and Markdown.

use crate::history::{commit_all, git};
use crate::{project_root, rubric, temp_repo};
use std::path::Path;

const RUBRIC: &str = "id: support\nversion: 1\ntitle: Support\npass_mark: 80\ncategories:\n  - {id: solution, title: \"Solution <b>offered</b>\", scale: 4, labels: [Wrong, Partial, Good, \"<i>Great</i>\"], root_causes: [knowledge]}\n  - {id: tone, title: Tone, scale: 3}\n";

fn review(agent: &str, comment: &str, solution: u8) -> String {
    format!(
        "rubric: support@1\nagent: {agent}\nreviewer: quinn\nreviewed_at: 2026-11-02\nconversation: {{id: \"1\", url: \"https://desk.example/t/1?a=1&b=2\"}}\nratings:\n  solution: {{rating: {solution}, comment: {comment:?}, root_causes: [knowledge]}}\n  tone: 3\ncomment: {comment:?}\n"
    )
}

const HOSTILE: &str =
    "<script>alert(1)</script> \"><img src=x onerror=alert(2)> {{ site }} {% raw %}";

fn repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/r1.yaml", &review("alice", HOSTILE, 2)),
        (
            "reviews/r2.yaml",
            &review("bob", "Bob's secret feedback", 4),
        ),
        // A hostile agent id cannot reach outside: it is not a valid id (schema error, left out).
        ("reviews/r3.yaml", &review("../../evil", "x", 4)),
    ]);
    git(dir.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(dir.path(), "reviews", "2026-11-03T10:00:00Z");
    dir
}

fn render(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = rubric(dir).arg("render").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn files(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            e.path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    v.sort();
    v
}

#[test]
fn pages_escape_yaml_and_stay_inside_the_folder() {
    let dir = repo();
    let (code, err) = render(dir.path(), &["--out", "site"]);
    // r3 has an invalid agent id: reported as `check` would, left out, exit 1.
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("reviews/r3.yaml"), "{err}");
    let site = dir.path().join("site");
    assert_eq!(
        files(&site),
        [
            ".rubric-site",
            "agents/alice.html",
            "agents/bob.html",
            "index.html",
            "reviewers.html"
        ]
    );
    // Nothing else was written beside the repository's files.
    let top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".git")
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(top, ["reviews", "rubrics", "site"]);
    let alice = std::fs::read_to_string(site.join("agents/alice.html")).unwrap();
    assert!(!alice.contains("<script>alert"), "raw script in the page");
    assert!(!alice.contains("<img src=x"), "raw img in the page");
    // minijinja escapes `/` too.
    assert!(alice.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    // Template syntax in data stays text.
    assert!(alice.contains("{{ site }}"));
    // Titles and labels from the rubric are escaped too.
    assert!(alice.contains("Solution &lt;b&gt;offered&lt;&#x2f;b&gt;"));
    assert!(!alice.contains("<b>offered</b>"));
    // The link keeps its query, escaped as an attribute.
    assert!(alice.contains("href=\"https:&#x2f;&#x2f;desk.example&#x2f;t&#x2f;1?a=1&amp;b=2\""));
    // An agent page never names another agent's reviews or comments.
    assert!(!alice.contains("Bob&#x27;s secret") && !alice.contains("Bob's secret"));
    assert!(!alice.contains("r2"));
    // Self-contained: no scripts, no external fetches.
    for page in [
        &alice,
        &std::fs::read_to_string(site.join("index.html")).unwrap(),
        &std::fs::read_to_string(site.join("reviewers.html")).unwrap(),
    ] {
        assert!(!page.contains("<script"), "a script tag");
        assert!(!page.contains("src=\"http"), "an external source");
        assert!(!page.contains("<link"), "an external stylesheet");
    }
}

#[test]
fn anonymized_reviewers_are_hidden() {
    let dir = repo();
    // Without the flag the reviewer is named on both pages and in the context, so the checks
    // below can fail.
    render(dir.path(), &["--out", "named"]);
    let alice = std::fs::read_to_string(dir.path().join("named/agents/alice.html")).unwrap();
    let index = std::fs::read_to_string(dir.path().join("named/index.html")).unwrap();
    assert!(alice.contains("quinn"), "{alice}");
    assert!(index.contains("quinn"), "{index}");
    let ctx: serde_json::Value = serde_json::from_slice(
        &rubric(dir.path())
            .args(["render", "--context"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(ctx["reviewers"][0]["reviewer"], "quinn", "{ctx:#}");
    assert_eq!(ctx["pages"][0]["reviews"][0]["reviewer"], "quinn");
    // With the flag, nowhere.
    render(dir.path(), &["--out", "site", "--anonymize-reviewers"]);
    let alice = std::fs::read_to_string(dir.path().join("site/agents/alice.html")).unwrap();
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(!alice.contains("quinn"));
    assert!(!index.contains("quinn"));
    let ctx: serde_json::Value = serde_json::from_slice(
        &rubric(dir.path())
            .args(["render", "--context", "--anonymize-reviewers"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(ctx["reviewers"], serde_json::json!([]));
    assert_eq!(ctx["reviewer_stats"], serde_json::json!([]));
    assert_eq!(
        ctx["pages"][0]["reviews"][0]["reviewer"],
        serde_json::Value::Null
    );
    // The reviewers page names reviewers: an anonymized site has none (the named one has).
    assert!(dir.path().join("named/reviewers.html").is_file());
    assert!(!dir.path().join("site/reviewers.html").exists());
    assert!(!index.contains("reviewers.html"));
}

#[test]
fn the_site_is_swapped_in_whole_and_a_failed_render_keeps_the_old_one() {
    let dir = repo();
    render(dir.path(), &["--out", "site"]);
    let before = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    // A broken override: the render fails, names the template and line, and the site stays.
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/index.html.j2"),
        "line one\n{{ site.no_such_field }}\n",
    )
    .unwrap();
    let (code, err) = render(dir.path(), &["--out", "site"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("index.html.j2 line 2"), "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("site/index.html")).unwrap(),
        before
    );
    // No temp folders are left behind.
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("rubric-tmp") || n.contains("rubric-old"))
        .collect();
    assert_eq!(leftovers, Vec::<String>::new());
}

#[test]
fn an_override_can_extend_a_builtin() {
    let dir = repo();
    std::fs::create_dir_all(dir.path().join("my")).unwrap();
    std::fs::write(
        dir.path().join("my/index.html.j2"),
        "{% extends \"builtin/index.html.j2\" %}{% block title %}ACME QA{% endblock %}",
    )
    .unwrap();
    render(dir.path(), &["--out", "site", "--templates", "my"]);
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(index.contains("<title>ACME QA</title>"), "{index}");
    // `templates init` copies the built-ins out.
    let out = rubric(dir.path())
        .args(["templates", "init"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(dir.path().join("templates/agent.html.j2").is_file());
    assert!(dir.path().join("templates/index.md.j2").is_file());
}

#[test]
fn templates_init_over_existing_files_exits_2() {
    let dir = repo();
    let first = rubric(dir.path())
        .args(["templates", "init"])
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0));
    // Again: everything is there, nothing is written, and that is an error as for `init`.
    let again = rubric(dir.path())
        .args(["templates", "init"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(2), "{err}");
    assert!(err.contains("already there"), "{err}");
    assert!(again.stdout.is_empty());
    // --force replaces them and succeeds.
    let forced = rubric(dir.path())
        .args(["templates", "init", "--force"])
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(0));
}

#[test]
fn one_agent_and_markdown() {
    let dir = repo();
    // Without the invalid r3, nothing is left out: the render must succeed.
    std::fs::remove_file(dir.path().join("reviews/r3.yaml")).unwrap();
    let (code, err) = render(
        dir.path(),
        &["--out", "site", "--format", "md", "--agent", "alice"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        files(&dir.path().join("site")),
        [".rubric-site", "agents/alice.md"]
    );
    let md = std::fs::read_to_string(dir.path().join("site/agents/alice.md")).unwrap();
    assert!(md.contains("alice") || md.contains("Alice"));
    assert!(!md.contains("Bob's secret"));
}

#[test]
fn example_repository_context_and_markdown_snapshots() {
    let out = rubric(&project_root())
        .args(["render", "--context"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let ctx: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // The charts' coordinates are tested in `pages::chart`; here, what they are drawn from.
    insta::assert_json_snapshot!("example_context", ctx, {".generated_at" => "[time]", ".pages[].chart" => "[chart]"});
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = rubric(&project_root())
        .args(["render", "--format", "md", "--out"])
        .arg(&site)
        .env("SOURCE_DATE_EPOCH", "1795000000")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(site.join("index.md")).unwrap();
    insta::assert_snapshot!("example_index_md", index);
    let alice = std::fs::read_to_string(site.join("agents/alice.md")).unwrap();
    insta::assert_snapshot!("example_alice_md", alice);
    // The calibration page names reviewers, agents and categories; no ids.
    let calibration = std::fs::read_to_string(site.join("calibration.md")).unwrap();
    for name in [
        "Bob Jones",
        "Kadri Saar",
        "Priya Nair",
        "Follow-up and next steps",
    ] {
        assert!(calibration.contains(name), "{name}");
    }
    for id in ["bob", "kadri", "priya", "follow_up"] {
        assert!(!calibration.contains(id), "{id}");
    }
    insta::assert_snapshot!("example_calibration_md", calibration);
}

#[test]
fn a_calibration_page_once_there_are_calibration_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = rubric(&project_root())
        .args(["render", "--out"])
        .arg(&site)
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = std::fs::read_to_string(site.join("calibration.html")).unwrap();
    assert!(page.contains("Session 2026-w45"));
    assert!(
        page.contains("<td class=\"num\">0.727</td>"),
        "accuracy alpha 8/11"
    );
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(index.contains("href=\"calibration.html\""));
    // Without calibration reviews there is no calibration page.
    let repo = repo();
    render(repo.path(), &["--out", "site"]);
    assert!(!repo.path().join("site/calibration.html").exists());
}

#[test]
fn figures_equal_trends_and_score_and_edits_are_marked_neutrally() {
    let dir = repo();
    // Not a dispute: the reviewer edits r1 after it was committed (solution 2 → 4).
    std::fs::write(
        dir.path().join("reviews/r1.yaml"),
        review("alice", "fixed", 4),
    )
    .unwrap();
    commit_all(dir.path(), "after a dispute", "2026-11-10T10:00:00Z");
    let ctx: serde_json::Value = serde_json::from_slice(
        &rubric(dir.path())
            .args(["render", "--context"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let trends: serde_json::Value = serde_json::from_slice(
        &rubric(dir.path())
            .args(["trends", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let scores: serde_json::Value = serde_json::from_slice(
        &rubric(dir.path())
            .args(["score", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    for row in trends["rows"].as_array().unwrap() {
        let agent = ctx["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["id"] == row["key"])
            .unwrap();
        let i = ctx["months"]
            .as_array()
            .unwrap()
            .iter()
            .position(|m| *m == row["period"])
            .unwrap();
        assert_eq!(agent["sparkline"][i], row["score"]);
    }
    let page = ctx["pages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["agent"]["id"] == "alice")
        .unwrap();
    let card = &page["reviews"][0];
    let score = scores
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "r1")
        .unwrap();
    assert_eq!(card["score"], score["score"]);
    // solution 2 of 4 (1/3) and tone 3 of 3: 66.7 when added; solution 4: 100 now.
    assert_eq!(card["disputed"], false);
    assert_eq!(card["edited"], true);
    let first = card["first_score"].as_f64().unwrap();
    assert!((first - 200.0 / 3.0).abs() < 1e-9, "{first}");
    assert_eq!(card["score"], 100.0);
    let site = dir.path().join("site");
    rubric(dir.path())
        .args(["render", "--out"])
        .arg(&site)
        .output()
        .unwrap();
    let html = std::fs::read_to_string(site.join("agents/alice.html")).unwrap();
    // An edit is shown neutrally (no fail colour, no "Disputed"): SPEC §3.1 records what a
    // dispute is, and this is none.
    assert!(
        html.contains("<span class=\"badge edited\">Edited</span>"),
        "the page marks the edit: {html}"
    );
    assert!(
        html.contains("Edited after it was first written: first 66.7, now 100.0."),
        "the page tells the first score: {html}"
    );
    assert!(!html.contains("class=\"badge disputed\""), "{html}");
    // bob's review was never edited: his page has the same stylesheet and no such markup.
    let bob = std::fs::read_to_string(site.join("agents/bob.html")).unwrap();
    assert!(
        bob.contains(".badge.edited"),
        "the stylesheet is on every page"
    );
    assert!(!bob.contains("class=\"badge edited\""), "{bob}");
    assert!(!bob.contains("Edited after"), "{bob}");
}

#[test]
fn render_never_replaces_a_folder_it_did_not_write() {
    let dir = repo();
    // A folder with other files in it, the repository's own folders, a file: all refused.
    std::fs::create_dir_all(dir.path().join("docs")).unwrap();
    std::fs::write(dir.path().join("docs/notes.txt"), "important").unwrap();
    std::fs::write(dir.path().join("a-file"), "x").unwrap();
    for out in ["docs", "reviews", ".", "a-file"] {
        let (code, err) = render(dir.path(), &["--out", out]);
        assert_eq!(code, 2, "{out}: {err}");
        assert!(err.contains("refusing to replace"), "{out}: {err}");
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("docs/notes.txt")).unwrap(),
        "important"
    );
    assert!(dir.path().join("reviews/r1.yaml").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a-file")).unwrap(),
        "x"
    );
    // A new folder, an empty one, and a site rendered before are fine.
    std::fs::create_dir_all(dir.path().join("empty")).unwrap();
    for out in ["new", "empty", "new"] {
        let (code, err) = render(dir.path(), &["--out", out]);
        assert_eq!(code, 1, "{out}: {err}");
        assert!(dir.path().join(out).join("index.html").is_file());
        assert!(dir.path().join(out).join(".rubric-site").is_file());
    }
}

#[test]
fn a_critical_failure_says_why_the_score_is_zero() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    rubric(&project_root())
        .args(["render", "--out"])
        .arg(&site)
        .output()
        .unwrap();
    // zd-47702-priya: data protection (critical) rated 1 of 2.
    let priya = std::fs::read_to_string(site.join("agents/priya.html")).unwrap();
    assert!(
        priya.contains("<strong>Score 0:</strong> a critical category was rated in the lower half"),
        "{priya}"
    );
    assert!(priya.contains("Data protection <small>(critical: failed)</small>"));
}

#[test]
fn an_undefined_variable_is_named_with_its_template_and_line() {
    let dir = repo();
    std::fs::create_dir_all(dir.path().join("my")).unwrap();
    for (text, name) in [
        ("<h1>QA</h1>\n<p>{{ site.nope }}</p>\n", "`site.nope`"),
        // Inside a macro minijinja itself does not say which variable it was.
        (
            "<h1>QA</h1>\n{% macro m() %}{{ missing_var }}{% endmacro %}{{ m() }}\n",
            "`missing_var`",
        ),
    ] {
        std::fs::write(dir.path().join("my/index.html.j2"), text).unwrap();
        let (code, err) = render(dir.path(), &["--out", "site", "--templates", "my"]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("index.html.j2 line 2"), "{err}");
        assert!(err.contains(&format!("{name} is undefined")), "{err}");
    }
}

/// The table row of `category` on a calibration page.
fn calibration_row(page: &str, format: &str, category: &str) -> String {
    page.split(if format == "html" { "<tr>" } else { "\n" })
        .find(|r| r.contains(category))
        .unwrap_or_else(|| panic!("no row for {category} in\n{page}"))
        .to_string()
}

#[test]
fn calibration_pages_say_why_an_alpha_is_missing() {
    // The example repository: everyone rated `data_protection` 2, so everyone agreed.
    let dir = tempfile::tempdir().unwrap();
    for format in ["html", "md"] {
        let site = dir.path().join(format);
        let out = rubric(&project_root())
            .args(["render", "--format", format, "--out"])
            .arg(&site)
            .output()
            .unwrap();
        assert!(out.status.success());
        let page = std::fs::read_to_string(site.join(format!("calibration.{format}"))).unwrap();
        let agreed = calibration_row(&page, format, "protection");
        assert!(agreed.contains("all agreed"), "{agreed}");
        assert!(
            !agreed.contains('–') && !agreed.contains("cannot be computed"),
            "{agreed}"
        );
        assert!(calibration_row(&page, format, "Accurate information").contains("0.727"));
    }
    // A session where no conversation was rated twice: cannot be computed, not agreement.
    let calibration = |conversation: &str, reviewer: &str, solution: u8| {
        format!(
            "rubric: support@1\nagent: alice\nreviewer: {reviewer}\nreviewed_at: 2026-11-02\ncalibration: w45\nconversation: {{id: \"{conversation}\"}}\nratings:\n  solution: {solution}\n  tone: 3\n"
        )
    };
    let repo = temp_repo(&[
        ("rubrics/support.yaml", RUBRIC),
        ("reviews/r1.yaml", &review("alice", "fine", 2)),
        ("reviews/c1.yaml", &calibration("1", "quinn", 2)),
        ("reviews/c2.yaml", &calibration("2", "rita", 4)),
    ]);
    git(repo.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(repo.path(), "reviews", "2026-11-03T10:00:00Z");
    for format in ["html", "md"] {
        let (code, err) = render(repo.path(), &["--out", format, "--format", format]);
        assert_eq!(code, 0, "{err}");
        let page =
            std::fs::read_to_string(repo.path().join(format!("{format}/calibration.{format}")))
                .unwrap();
        // The agreement table's rows, by the categories' titles.
        let needles = if format == "html" {
            [">Solution &lt;b&gt;offered", ">Tone</a></th>"]
        } else {
            ["offered", "| Tone |"]
        };
        for needle in needles {
            let row = calibration_row(&page, format, needle);
            assert!(row.contains("cannot be computed"), "{row}");
            assert!(!row.contains("all agreed") && !row.contains('–'), "{row}");
        }
        assert!(page.contains(
            "Alpha: cannot be computed. No conversation has two numeric ratings of this category to compare."
        ));
    }
}

/// Alice's reviews: three in September, five in October and six in November 2026, each with
/// its number in its comment (`review 1` is the oldest).
fn long_history() -> tempfile::TempDir {
    let days = [
        "2026-09-05",
        "2026-09-12",
        "2026-09-19",
        "2026-10-03",
        "2026-10-10",
        "2026-10-17",
        "2026-10-24",
        "2026-10-31",
        "2026-11-01",
        "2026-11-02",
        "2026-11-03",
        "2026-11-04",
        "2026-11-05",
        "2026-11-06",
    ];
    let reviews: Vec<(String, String)> = days
        .iter()
        .enumerate()
        .map(|(i, day)| {
            let n = i + 1;
            (
                format!("reviews/r{n:02}.yaml"),
                format!(
                    "id: r{n:02}\nrubric: support@1\nagent: alice\nreviewer: quinn\nreviewed_at: {day}\nconversation: {{id: \"c{n}\"}}\nratings:\n  solution: 4\n  tone: 3\ncomment: \"review {n} here\"\n"
                ),
            )
        })
        .collect();
    let mut files: Vec<(&str, &str)> = vec![("rubrics/support.yaml", RUBRIC)];
    files.extend(reviews.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    let dir = temp_repo(&files);
    git(dir.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(dir.path(), "reviews", "2026-11-07T10:00:00Z");
    dir
}

/// The review numbers (`review N here`) a page shows, in page order.
fn review_numbers(page: &str) -> Vec<u32> {
    page.match_indices("review ")
        .filter_map(|(i, _)| {
            let rest = &page[i + 7..];
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            rest[digits.len()..]
                .starts_with(" here")
                .then(|| digits.parse().ok())?
        })
        .collect()
}

#[test]
fn an_agent_page_lists_the_latest_10_and_archives_the_rest_by_month() {
    let dir = long_history();
    let (code, err) = render(dir.path(), &["--out", "site"]);
    assert_eq!(code, 0, "{err}");
    let site = dir.path().join("site");
    // As minijinja writes a `/` in an attribute.
    let read = |p: &str| {
        std::fs::read_to_string(site.join(p))
            .unwrap()
            .replace("&#x2f;", "/")
    };
    let alice = read("agents/alice.html");
    // The latest ten, newest first: November's six and October's four latest.
    assert_eq!(review_numbers(&alice), (5..=14).rev().collect::<Vec<_>>());
    // The rest is one page per month, newest month first, linked from the agent page.
    assert!(alice.contains(r#"<a href="../agents/alice/2026-10.html"><time datetime="2026-10">Oct 2026</time></a> <span class="muted">(1 review)</span>"#), "{alice}");
    assert!(alice.contains(r#"<a href="../agents/alice/2026-09.html"><time datetime="2026-09">Sep 2026</time></a> <span class="muted">(3 reviews)</span>"#));
    assert!(alice.find("2026-10.html") < alice.find("2026-09.html"));
    let oct = read("agents/alice/2026-10.html");
    assert_eq!(review_numbers(&oct), [4]);
    assert!(oct.contains("reviews of <time datetime=\"2026-10\">Oct 2026</time>"));
    assert!(oct.contains(r#"<a href="../../agents/alice/2026-09.html">Older: <time datetime="2026-09">Sep 2026</time></a>"#), "{oct}");
    assert!(oct.contains(
        r#"<a href="../alice.html"><span aria-hidden="true">← </span>Back to alice</a>"#
    ));
    let sep = read("agents/alice/2026-09.html");
    assert_eq!(review_numbers(&sep), [3, 2, 1]);
    assert!(sep.contains(r#"<a href="../../agents/alice/2026-10.html">Newer: "#));
    assert!(!sep.contains("Older: "));
    assert_eq!(
        files(&site),
        [
            ".rubric-site",
            "agents/alice.html",
            "agents/alice/2026-09.html",
            "agents/alice/2026-10.html",
            "index.html",
            "reviewers.html",
        ]
    );

    // Markdown, and one agent's pages alone, have their archive too.
    let (code, err) = render(dir.path(), &["--format", "md", "--out", "md"]);
    assert_eq!(code, 0, "{err}");
    let sep = std::fs::read_to_string(dir.path().join("md/agents/alice/2026-09.md")).unwrap();
    assert_eq!(review_numbers(&sep), [3, 2, 1]);
    assert!(
        sep.contains("[Newer: Oct 2026](../../agents/alice/2026-10.md)"),
        "{sep}"
    );
    let md = std::fs::read_to_string(dir.path().join("md/agents/alice.md")).unwrap();
    assert!(
        md.contains("- [Sep 2026](../agents/alice/2026-09.md) (3 reviews)"),
        "{md}"
    );
    let (code, err) = render(dir.path(), &["--agent", "alice", "--out", "one"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        files(&dir.path().join("one")),
        [
            ".rubric-site",
            "agents/alice.html",
            "agents/alice/2026-09.html",
            "agents/alice/2026-10.html",
        ]
    );
}

/// A calibration fixture with a roster: session `w45`, reviewed 2 and 4 Nov 2026 (UTC).
///
/// | conversation (agent, link) | category | quinn | rita | sam | consensus |
/// |---|---|---|---|---|---|
/// | 1 (Alice Tamm, desk.example/t/1) | solution (1–4) | 2 | 4 | 3 | 3 |
/// | | tone (1–3, `na`) | 2 | n/a | n/a | 2 |
/// | | greeting (1–2) | 2 | 2 | 2 | 2 |
/// | 2 (Bob Stone, no link) | solution | 1 | 2 | not rated | 1.5 |
/// | | tone | n/a | 3 | not rated | 3 |
/// | | greeting | 2 | 2 | not rated | 2 |
///
/// solution: 5 pairable ratings, alpha (interval) 0.385 (values ⅓, 1, ⅔ and 0, ⅓); tone: no
/// conversation has two numeric ratings, cannot be computed; greeting: 5 pairable, all agreed.
fn calibration_repo() -> tempfile::TempDir {
    const CONFIG: &str = "timezone: UTC\npeople:\n  alice: {name: Alice Tamm}\n  bob: {name: Bob Stone}\n  quinn: {name: Quinn Reed}\n  rita: {name: Rita Moss}\n  sam: {name: Sam Ode}\n";
    const RUBRIC: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution offered, scale: 4}\n  - {id: tone, title: Tone of voice, scale: 3, na: true}\n  - {id: greeting, title: Warm greeting, scale: 2}\n";
    let review = |conversation: &str,
                  agent: &str,
                  reviewer: &str,
                  day: &str,
                  ratings: [&str; 3]| {
        let url = if conversation == "1" {
            ", url: \"https://desk.example/t/1\""
        } else {
            ""
        };
        format!(
            "rubric: support@1\nagent: {agent}\nreviewer: {reviewer}\nreviewed_at: 2026-11-0{day}\ncalibration: w45\nconversation: {{id: \"{conversation}\"{url}}}\nratings:\n  solution: {}\n  tone: {}\n  greeting: {}\n",
            ratings[0], ratings[1], ratings[2]
        )
    };
    let dir = temp_repo(&[
        ("qa.yaml", CONFIG),
        ("rubrics/support.yaml", RUBRIC),
        (
            "reviews/1-quinn.yaml",
            &review("1", "alice", "quinn", "2", ["2", "2", "2"]),
        ),
        (
            "reviews/1-rita.yaml",
            &review("1", "alice", "rita", "3", ["4", "na", "2"]),
        ),
        (
            "reviews/1-sam.yaml",
            &review("1", "alice", "sam", "4", ["3", "na", "2"]),
        ),
        (
            "reviews/2-quinn.yaml",
            &review("2", "bob", "quinn", "2", ["1", "na", "2"]),
        ),
        (
            "reviews/2-rita.yaml",
            &review("2", "bob", "rita", "3", ["2", "3", "2"]),
        ),
    ]);
    git(dir.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(dir.path(), "calibration", "2026-11-05T10:00:00Z");
    dir
}

/// A page's text as a reader sees it: HTML's tags dropped and the fixture's entities decoded
/// (Markdown kept as it is), white space collapsed.
fn visible(page: &str, html: bool) -> String {
    if !html {
        return page.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let mut text = String::new();
    let mut in_tag = false;
    for ch in page.chars() {
        match ch {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    let text = text.replace("&#x2f;", "/").replace("&quot;", "\"");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_calibration_page_shows_who_rated_what_by_name() {
    let repo = calibration_repo();
    for format in ["html", "md"] {
        let (code, err) = render(repo.path(), &["--out", format, "--format", format]);
        assert_eq!(code, 0, "{err}");
        let page =
            std::fs::read_to_string(repo.path().join(format!("{format}/calibration.{format}")))
                .unwrap();
        let html = format == "html";
        let text = visible(&page, html);
        // The date range, readable (the machine form only in `datetime`).
        assert!(
            text.contains("Reviewed from 2 Nov 2026 to 4 Nov 2026: 2 conversations, 3 reviewers (Quinn Reed, Rita Moss, Sam Ode)."),
            "{text}"
        );
        if html {
            assert!(page.contains("<time datetime=\"2026-11-02\">2 Nov 2026</time>"));
            assert!(page.contains("<time datetime=\"2026-11-04\">4 Nov 2026</time>"));
        }
        // Each conversation with its agent's name and its link.
        let (one, two) = if html {
            ("1 Alice Tamm Open conversation 1", "2 Bob Stone no link")
        } else {
            (
                "| 1 | Alice Tamm | <https://desk.example/t/1> |",
                "| 2 | Bob Stone | no link |",
            )
        };
        assert!(text.contains(one), "{text}");
        assert!(text.contains(two), "{text}");
        if html {
            assert!(page.contains(
                "<a href=\"https:&#x2f;&#x2f;desk.example&#x2f;t&#x2f;1\" rel=\"noopener noreferrer\">Open conversation 1</a>"
            ));
        }
        // The matrix of a category: a column per reviewer, by name, and the consensus; n/a
        // and "not rated" told apart.
        let matrix = |title: &str| -> String {
            let head = if html {
                format!(">{title}</h3>")
            } else {
                format!("### {title}")
            };
            let from = page
                .find(&head)
                .unwrap_or_else(|| panic!("{head} in {page}"));
            let rest = &page[from + head.len()..];
            let to = rest
                .find(if html { "<h3" } else { "###" })
                .or_else(|| rest.find("Mean deviation"))
                .unwrap();
            visible(&rest[..to], html)
        };
        let solution = matrix("Solution offered");
        let tone = matrix("Tone of voice");
        let greeting = matrix("Warm greeting");
        if html {
            assert!(
                solution.contains("Conversation Quinn Reed Rita Moss Sam Ode Consensus"),
                "{solution}"
            );
            assert!(solution.contains("1 · Alice Tamm 2 4 3 3 "), "{solution}");
            assert!(
                solution.contains("2 · Bob Stone 1 2 –not rated 1.5 "),
                "{solution}"
            );
            assert!(
                tone.contains("1 · Alice Tamm 2 n/a (not applicable) n/a (not applicable) 2 2 · Bob Stone n/a (not applicable) 3 –not rated 3 "),
                "{tone}"
            );
        } else {
            assert!(
                solution
                    .contains("| Conversation | Quinn Reed | Rita Moss | Sam Ode | Consensus |"),
                "{solution}"
            );
            assert!(
                solution.contains("| 1 · Alice Tamm | 2 | 4 | 3 | 3 |"),
                "{solution}"
            );
            assert!(
                solution.contains("| 2 · Bob Stone | 1 | 2 | not rated | 1.5 |"),
                "{solution}"
            );
            assert!(
                tone.contains("| 1 · Alice Tamm | 2 | n/a | n/a | 2 |"),
                "{tone}"
            );
        }
        // The alphas: a number, "cannot be computed" and "all agreed", each explained.
        assert!(solution.contains("Alpha 0.385 (interval)"), "{solution}");
        assert!(
            tone.contains("Alpha: cannot be computed. No conversation has two numeric ratings of this category to compare."),
            "{tone}"
        );
        assert!(
            greeting.contains("Alpha: all agreed. Every pairable rating was the same, so there was nothing to disagree about."),
            "{greeting}"
        );
        // Fewer than 10 pairable ratings: a note; none where nothing pairs at all.
        let note = "Only 5 pairable ratings: an alpha from a sample this small says little.";
        assert!(solution.contains(note), "{solution}");
        assert!(greeting.contains(note), "{greeting}");
        assert!(!tone.contains("pairable ratings:"), "{tone}");
        // The agreement table and the deviations: titles and names, never ids.
        for id in [
            "quinn",
            "rita",
            ">sam<",
            "| sam |",
            "alice",
            ">solution<",
            "| solution |",
            "| greeting |",
        ] {
            assert!(!page.contains(id), "{id} in {page}");
        }
        assert!(text.contains("Rita Moss"));
    }
    // Anonymized: "Reviewer 1" … in id order, the same in the matrix and the deviations;
    // agents keep their names.
    let (code, err) = render(repo.path(), &["--out", "anon", "--anonymize-reviewers"]);
    assert_eq!(code, 0, "{err}");
    let page = std::fs::read_to_string(repo.path().join("anon/calibration.html")).unwrap();
    let text = visible(&page, true);
    for name in ["Quinn", "Rita", "Sam Ode", "quinn", "rita"] {
        assert!(!page.contains(name), "{name} in {page}");
    }
    assert!(
        text.contains(
            "Conversation Reviewer 1 Reviewer 2 Reviewer 3 Consensus 1 · Alice Tamm 2 4 3 3"
        ),
        "{text}"
    );
    assert!(
        text.contains("Reviewer Mean deviation Reviewer 1 "),
        "{text}"
    );
    assert!(text.contains("Reviewer 3 0.0"), "{text}");
}
