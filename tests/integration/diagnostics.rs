//! Every diagnostic code, with its exact line and column, on fixture files.
//!
//! Each test builds a small QA repository in a temp dir, runs `rubric check --format json` and
//! asserts the exact (path, line, column, code) of every problem (SPEC §7: 1-based, columns in
//! characters, pointing at the offending key or value), the exit code, and the parts of the
//! message that matter to a user ("did you mean", the other file of a duplicate, ...).
//!
//! Line numbers of the shared fixtures (`RUBRIC` and `REVIEW` in main.rs):
//!
//! ```text
//! REVIEW                                 RUBRIC
//!  1 rubric: support@2                    1 id: support            13     labels: [...]
//!  2 agent: alice                         2 version: 2             14     weight: 3
//!  3 reviewer: bob                        3 title: Support         15   - id: tone
//!  4 reviewed_at: 2026-11-20              4 pass_mark: 85          16     title: Tone
//!  5 conversation:                        5 groups:                17     scale: 5
//!  6   id: "48213"                        6   - id: resolution     18     weight: 2
//!  7 ratings:                             7     title: Resolution  19     root_causes: [...]
//!  8   solution: 3                        8 categories:            20   - id: grammar
//!  9   tone: { rating: 2, ... }           9   - id: solution       21     title: Grammar
//! 10   grammar: na                       10     title: Solution .. 22     scale: 3
//! 11   security: 2                       11     group: resolution  23     na: true
//!                                        12     scale: 4           24   - id: security ...
//! ```

use super::{check_json, problems, project_root, temp_repo, REVIEW, RUBRIC};
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

const RUBRIC_PATH: &str = "rubrics/support.yaml";
const REVIEW_PATH: &str = "reviews/2026/11/zd-48213-alice.yaml";

/// A roster for the people checks: alice (agent) and bob (reviewer).
const CONFIG: &str = "\
timezone: Europe/Tallinn
people:
  alice: { name: Alice Smith, team: tier1, emails: [alice@acme.com] }
  bob: { name: Bob Jones, team: qa, emails: [bob@acme.com] }
";

// ---------------------------------------------------------------------------------------------
// Helpers

/// `base` with the first `from` replaced by `to`; panics if `from` is not there, so that a
/// change to the shared fixtures cannot silently turn a test into a no-op.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(
        base.contains(from),
        "fixture does not contain {from:?}:\n{base}"
    );
    base.replacen(from, to, 1)
}

/// The valid rubric plus one review.
fn with_review(review: &str) -> TempDir {
    temp_repo(&[(RUBRIC_PATH, RUBRIC), (REVIEW_PATH, review)])
}

/// One rubric (at rubrics/support.yaml) plus the valid review.
fn with_rubric(rubric: &str) -> TempDir {
    temp_repo(&[(RUBRIC_PATH, rubric), (REVIEW_PATH, REVIEW)])
}

/// The roster, the valid rubric and one review.
fn with_roster(review: &str) -> TempDir {
    temp_repo(&[
        ("qa.yaml", CONFIG),
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, review),
    ])
}

/// Writes raw bytes into the repository.
fn write_bytes(dir: &TempDir, rel: &str, bytes: &[u8]) {
    let p = dir.path().join(rel);
    std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

fn check(dir: &TempDir) -> (i32, Value) {
    check_json(dir.path(), &[])
}

/// The severity a code has (from the library, so that it stays in step).
fn severity_of(code: &str) -> &'static str {
    rubric::Code::ALL
        .iter()
        .find(|c| c.name() == code)
        .unwrap_or_else(|| panic!("`{code}` is not a diagnostic code"))
        .severity()
        .as_str()
}

/// Asserts the exit code and exactly these problems (in any order), each with the severity of
/// its code. Prints the whole report on failure.
#[track_caller]
fn assert_check(out: &(i32, Value), exit: i32, expected: &[(&str, u64, u64, &str)]) {
    let (code, json) = out;
    let mut got = problems(json);
    got.sort();
    let mut want: Vec<(String, u64, u64, String)> = expected
        .iter()
        .map(|(p, l, c, k)| (p.to_string(), *l, *c, k.to_string()))
        .collect();
    want.sort();
    let pretty = serde_json::to_string_pretty(json).unwrap_or_default();
    assert_eq!(got, want, "problems differ; report:\n{pretty}");
    assert_eq!(*code, exit, "exit code; report:\n{pretty}");
    for p in json["problems"].as_array().expect("problems array") {
        let code = p["code"].as_str().unwrap_or_default();
        assert_eq!(
            p["severity"].as_str(),
            Some(severity_of(code)),
            "severity of {code}; report:\n{pretty}"
        );
    }
}

/// The messages of the problems with this code, in report order.
fn messages(json: &Value, code: &str) -> Vec<String> {
    json["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .filter(|p| p["code"] == code)
        .map(|p| p["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// The one message with this code.
#[track_caller]
fn message(json: &Value, code: &str) -> String {
    let m = messages(json, code);
    assert_eq!(m.len(), 1, "expected one `{code}` problem in {json:#}");
    m.into_iter().next().expect("one message")
}

#[track_caller]
fn assert_contains(haystack: &str, needle: &str) {
    assert!(
        haystack.contains(needle),
        "message {haystack:?} does not contain {needle:?}"
    );
}

/// Runs git in `dir` with a fixed identity, fixed dates and no user or system configuration.
fn git(dir: &Path, date: &str, args: &[&str]) {
    crate::git_as(dir, ("QA Test", "qa@example.com"), date, args);
}

fn git_init(dir: &Path) {
    git(
        dir,
        "2026-01-01T12:00:00+00:00",
        &["init", "-q", "-b", "main"],
    );
}

fn git_commit_all(dir: &Path, date: &str, message: &str) {
    git(dir, date, &["add", "-A"]);
    git(dir, date, &["commit", "-q", "-m", message]);
}

/// The temp dir must not be inside some enclosing git repository, or "no history" tests would
/// test the wrong thing.
fn assert_not_in_git(dir: &Path) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["rev-parse", "--is-inside-work-tree"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .output()
        .expect("git runs");
    assert!(
        !out.status.success(),
        "the temp dir {} is inside a git work tree; set TMPDIR elsewhere",
        dir.display()
    );
}

/// `RUBRIC` at another version.
fn rubric_v(version: u32) -> String {
    edit(RUBRIC, "version: 2\n", &format!("version: {version}\n"))
}

/// `REVIEW` against another version of support.
fn review_v(version: u32) -> String {
    edit(
        REVIEW,
        "rubric: support@2\n",
        &format!("rubric: support@{version}\n"),
    )
}

// ---------------------------------------------------------------------------------------------
// The list of codes

/// The codes of the table in docs/diagnostics.md (`| [`code`](#code) | severity | meaning |`),
/// read at run time so that the list cannot be kept by hand.
fn documented_codes() -> Vec<String> {
    let path = project_root().join("docs/diagnostics.md");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter_map(|l| l.strip_prefix("| [`"))
        .filter_map(|l| l.split_once('`'))
        .map(|(code, _)| code.to_string())
        .collect()
}

/// The test sources, `//` comments removed, so that an expectation commented out does not
/// count.
fn test_sources() -> Vec<(String, String)> {
    let dir = project_root().join("tests/integration");
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).expect("tests/integration") {
        let path = e.expect("entry").path();
        if path.extension().is_some_and(|x| x == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a test file");
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .collect::<Vec<_>>()
                .join("\n");
            out.push((path.display().to_string(), code));
        }
    }
    out
}

/// Whether `src` expects `code` at a position: the string literal `"code"` right after a
/// whole number and a comma, as in the `(path, line, column, code)` tuples of `assert_check` and
/// `problems`.
fn expects_code(src: &str, code: &str) -> bool {
    let needle = format!("\"{code}\"");
    src.match_indices(&needle).any(|(i, _)| {
        let before = src[..i].trim_end();
        let Some(before) = before.strip_suffix(',') else {
            return false;
        };
        // A whole number (a line or a column), not a field such as `out.1`.
        let before = before.trim_end();
        let number = before.trim_end_matches(|c: char| c.is_ascii_digit());
        number.len() < before.len()
            && number.ends_with(|c: char| c.is_whitespace() || c == '(' || c == ',')
    })
}

#[test]
fn every_code_has_a_test() {
    let documented = documented_codes();
    assert!(
        documented.len() >= 40,
        "docs/diagnostics.md lists {} codes; did its table change shape?",
        documented.len()
    );
    // The documentation lists exactly the codes of the library.
    let mut in_docs: Vec<&str> = documented.iter().map(String::as_str).collect();
    in_docs.sort_unstable();
    let mut in_code: Vec<&str> = rubric::Code::ALL.iter().map(|c| c.name()).collect();
    in_code.sort_unstable();
    assert_eq!(
        in_docs, in_code,
        "docs/diagnostics.md and the library's codes differ"
    );
    // Every code is expected, with its line and column, by some test.
    let sources = test_sources();
    let untested: Vec<&str> = documented
        .iter()
        .map(String::as_str)
        .filter(|code| !sources.iter().any(|(_, src)| expects_code(src, code)))
        .collect();
    assert_eq!(
        untested,
        Vec::<&str>::new(),
        "codes that no test expects as (path, line, column, code); add a test to tests/integration/diagnostics.rs"
    );
}

#[test]
fn expects_code_needs_a_position() {
    assert!(expects_code(
        "(REVIEW_PATH, 1, 1, \"io-error\")",
        "io-error"
    ));
    assert!(expects_code(
        "8,\n  3,\n  \"unknown-category\".into()",
        "unknown-category"
    ));
    assert!(!expects_code("message(&out.1, \"io-error\")", "io-error"));
    assert!(!expects_code("[\"schema\", \"rubric\"]", "schema"));
    assert!(!expects_code(
        "(1, 1, \"unknown-rubric-version\")",
        "unknown-rubric"
    ));
}

#[test]
fn only_rewording_self_review_and_future_date_are_warnings() {
    let warnings: Vec<&str> = rubric::Code::ALL
        .iter()
        .filter(|c| c.severity() == rubric::Severity::Warning)
        .map(|c| c.name())
        .collect();
    assert_eq!(
        warnings,
        [
            "rubric-reworded",
            "review-id-reused",
            "self-review",
            "future-date",
            "dispute-history-unavailable",
            "review-added-with-answered-dispute"
        ]
    );
}

#[test]
fn the_example_repository_checks_clean() {
    let (code, json) = check_json(&project_root(), &[]);
    assert_eq!(json["files_checked"], 19, "{json:#}");
    assert_eq!(json["problems"], serde_json::json!([]), "{json:#}");
    assert_eq!(code, 0);
}

#[test]
fn the_shared_fixtures_check_clean() {
    let out = check(&with_review(REVIEW));
    assert_check(&out, 0, &[]);
    assert_eq!(out.1["files_checked"], 2);
    let out = check(&with_roster(REVIEW));
    assert_check(&out, 0, &[]);
    assert_eq!(out.1["files_checked"], 3);
}

// ---------------------------------------------------------------------------------------------
// io-error

/// qa.yaml is a link to a file that exists but whose read fails (EIO): `/proc/self/mem` of the
/// reading process, at offset 0, which is never mapped. Works as root, too.
#[cfg(target_os = "linux")]
#[test]
fn io_error_on_a_config_whose_read_fails() {
    let dir = with_review(REVIEW);
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("qa.yaml")).expect("symlink");
    let out = check(&dir);
    assert_check(&out, 2, &[("qa.yaml", 1, 1, "io-error")]);
    assert_contains(&message(&out.1, "io-error"), "cannot read");
    // The other files are still checked, with the default configuration.
    assert_eq!(out.1["files_checked"], 3);
}

/// A review whose read fails. File permissions do not stop root, which CI runs as, so first
/// the read is made to fail in a way that does (Linux): the review is a link to
/// `/proc/self/mem` of the reading process, whose offset 0 is never mapped (EIO). Then a review
/// without read permission: where permissions do not block reads (root), that part says so and
/// checks that the unreadable mode alone causes no problem.
#[cfg(unix)]
#[test]
fn io_error_on_a_review_without_read_permission() {
    use std::os::unix::fs::PermissionsExt;
    let dir = with_review(REVIEW);
    let path = dir.path().join(REVIEW_PATH);
    #[cfg(target_os = "linux")]
    {
        std::fs::remove_file(&path).expect("remove");
        std::os::unix::fs::symlink("/proc/self/mem", &path).expect("symlink");
        let out = check(&dir);
        assert_check(&out, 2, &[(REVIEW_PATH, 1, 1, "io-error")]);
        assert_contains(&message(&out.1, "io-error"), "cannot read");
        // The rubric is still checked.
        assert_eq!(out.1["files_checked"], 2);
        std::fs::remove_file(&path).expect("remove the link");
        std::fs::write(&path, REVIEW).expect("write");
    }
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&path).is_ok() {
        eprintln!(
            "io_error_on_a_review_without_read_permission: permissions do not block reads for this \
             user (root); the mode-000 case checks only that the file is read"
        );
        let out = check(&dir);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_check(&out, 0, &[]);
        return;
    }
    let out = check(&dir);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    assert_check(&out, 2, &[(REVIEW_PATH, 1, 1, "io-error")]);
    assert_contains(&message(&out.1, "io-error"), "cannot read");
}

// ---------------------------------------------------------------------------------------------
// file-too-large

#[test]
fn file_too_large_is_reported_at_the_start_of_the_file() {
    // The limit is the rubric's size exactly: a file of the limit's size is fine.
    let max = RUBRIC.len();
    let big = format!("{REVIEW}{}", "# padding padding padding\n".repeat(60));
    assert!(big.len() > max + 100);
    let dir = with_review(&big);
    let out = check_json(dir.path(), &["--max-file-size", &max.to_string()]);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 1, "file-too-large")]);
    let msg = message(&out.1, "file-too-large");
    assert_contains(&msg, &max.to_string());
    // The message tells the file's real size, not the number of bytes read to find it too big.
    assert_contains(&msg, &big.len().to_string());
}

#[test]
fn file_too_large_by_one_byte() {
    let max = REVIEW.len().max(RUBRIC.len());
    let review = format!("{REVIEW}{}\n", "#".repeat(max - REVIEW.len()));
    assert_eq!(review.len(), max + 1);
    let dir = with_review(&review);
    let out = check_json(dir.path(), &["--max-file-size", &max.to_string()]);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 1, "file-too-large")]);
    let out = check_json(dir.path(), &["--max-file-size", &(max + 1).to_string()]);
    assert_check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// not-utf8

#[test]
fn not_utf8_points_at_the_first_invalid_byte() {
    let dir = with_review(REVIEW);
    let bytes = REVIEW.replacen("agent: alice", "agent: al\u{1}ice", 1);
    let bytes: Vec<u8> = bytes
        .bytes()
        .map(|b| if b == 1 { 0xff } else { b })
        .collect();
    write_bytes(&dir, REVIEW_PATH, &bytes);
    let out = check(&dir);
    // `agent: al` is 9 characters: the bad byte is in column 10 of line 2.
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 10, "not-utf8")]);
    assert_contains(&message(&out.1, "not-utf8"), "UTF-8");
}

#[test]
fn not_utf8_column_counts_characters_not_bytes() {
    let dir = with_review(REVIEW);
    // Latin-1 after valid multi-byte UTF-8 on the same line: `comment: héllo wörld caf` is 24
    // characters (26 bytes), so the bad byte is in column 25 of line 12.
    let mut bytes = format!("{REVIEW}comment: h\u{e9}llo w\u{f6}rld ").into_bytes();
    bytes.extend_from_slice(b"caf\xe9\n");
    write_bytes(&dir, REVIEW_PATH, &bytes);
    let out = check(&dir);
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 25, "not-utf8")]);
}

#[test]
fn not_utf8_utf16_file() {
    let dir = with_review(REVIEW);
    let mut bytes = vec![0xff, 0xfe];
    for u in REVIEW.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    write_bytes(&dir, REVIEW_PATH, &bytes);
    let out = check(&dir);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 1, "not-utf8")]);
}

#[test]
fn a_utf8_byte_order_mark_is_fine() {
    let out = check(&with_review(&format!("\u{feff}{REVIEW}")));
    assert_check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// empty-file

#[test]
fn empty_file_empty_comments_only_and_blank() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("reviews/empty.yaml", ""),
        (
            "reviews/comments.yaml",
            "# yaml-language-server: $schema=../schemas/review.schema.json\n# TODO\n",
        ),
        ("reviews/blank.yaml", "\n   \n\n"),
        ("reviews/null.yaml", "~\n"),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            ("reviews/blank.yaml", 1, 1, "empty-file"),
            ("reviews/comments.yaml", 1, 1, "empty-file"),
            ("reviews/empty.yaml", 1, 1, "empty-file"),
            ("reviews/null.yaml", 1, 1, "empty-file"),
        ],
    );
}

#[test]
fn empty_file_rubric_does_not_cascade_into_its_reviews() {
    let out = check(&with_rubric("# nothing yet\n"));
    assert_check(&out, 1, &[(RUBRIC_PATH, 1, 1, "empty-file")]);
}

/// A file whose only document is empty (`---` and comments) is reported at the start of the
/// file, like an empty file, and never at a line past the end of the file.
#[test]
fn empty_file_with_only_a_document_marker() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("reviews/marker.yaml", "---\n"),
        ("reviews/marker-end.yaml", "--- \n...\n"),
        ("reviews/commented.yaml", "# c\n---\n# x\n"),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            ("reviews/commented.yaml", 1, 1, "empty-file"),
            ("reviews/marker-end.yaml", 1, 1, "empty-file"),
            ("reviews/marker.yaml", 1, 1, "empty-file"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// yaml-syntax

#[test]
fn yaml_syntax_points_at_the_error() {
    // A second `: ` on a line: the colon in column 13 is not allowed.
    let out = check(&with_review(&edit(
        REVIEW,
        "agent: alice",
        "agent: alice: bob",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 13, "yaml-syntax")]);
    assert_contains(&message(&out.1, "yaml-syntax"), "mapping values");
}

#[test]
fn yaml_syntax_unterminated_quote_points_at_the_quote() {
    let out = check(&with_review(&edit(
        REVIEW,
        "reviewer: bob\n",
        "reviewer: \"bob\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 3, 11, "yaml-syntax")]);
}

#[test]
fn yaml_syntax_bad_indentation() {
    // `  agent: alice` under a plain scalar: the `:` in column 8 of line 2.
    let out = check(&with_review(&edit(
        REVIEW,
        "agent: alice",
        "  agent: alice",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 8, "yaml-syntax")]);
}

#[test]
fn yaml_syntax_unknown_anchor() {
    let out = check(&with_review(&format!("{REVIEW}comment: *nowhere\n")));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 10, "yaml-syntax")]);
}

/// A tab used for indentation is the most common YAML mistake; the position is the tab's.
#[test]
fn yaml_syntax_tab_indentation_points_at_the_tab() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  grammar: na",
        "\tgrammar: na",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 10, 1, "yaml-syntax")]);
    let out = check(&with_review(&edit(
        REVIEW,
        "agent: alice",
        "\tagent: alice",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 1, "yaml-syntax")]);
}

// ---------------------------------------------------------------------------------------------
// duplicate-key

#[test]
fn duplicate_key_points_at_the_second_key() {
    let out = check(&with_review(&format!("{REVIEW}agent: carol\n")));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 1, "duplicate-key")]);
    assert_contains(&message(&out.1, "duplicate-key"), "`agent`");
}

#[test]
fn duplicate_key_nested_block_mapping() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  grammar: na\n",
        "  grammar: na\n  solution: 4\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 11, 3, "duplicate-key")]);
    assert_contains(&message(&out.1, "duplicate-key"), "`solution`");
}

#[test]
fn duplicate_key_in_flow_mapping() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  tone: { rating: 2, comment: \"Curt.\", root_causes: [coaching] }",
        "  tone: { rating: 2, rating: 3 }",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 9, 22, "duplicate-key")]);
    assert_contains(&message(&out.1, "duplicate-key"), "`rating`");
}

#[test]
fn duplicate_key_equal_as_text() {
    // `1` and `"1"` are different YAML values but the same key once read as text.
    let out = check(&with_review(&edit(
        REVIEW,
        "  security: 2\n",
        "  security: 2\n  1: 1\n  \"1\": 1\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 13, 3, "duplicate-key")]);
}

// ---------------------------------------------------------------------------------------------
// alias-limit

#[test]
fn alias_limit_billion_laughs_fails_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let items = vec![format!("*{prev}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{items}]\n"));
    }
    let dir = with_review(&text);
    // Unbounded, this expands to 10^9 nodes; the budget makes it an error instead.
    let out = check(&dir);
    // a..d expand to about 8,300 nodes; the first `*d` on line 5 takes it over 10,000.
    assert_check(&out, 1, &[(REVIEW_PATH, 5, 8, "alias-limit")]);
    assert_contains(&message(&out.1, "alias-limit"), "alias");
}

#[test]
fn a_few_aliases_are_fine() {
    let review = edit(REVIEW, "reviewer: bob\n", "reviewer: &who bob\n");
    let out = check(&with_review(&format!("{review}comment: *who\n")));
    assert_check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// too-deep

#[test]
fn too_deep_flow_points_at_the_first_node_past_the_limit() {
    // The top-level mapping is level 1, so the 64th `[` opens level 65: column 10 + 63.
    let text = format!("{REVIEW}comment: {}{}\n", "[".repeat(70), "]".repeat(70));
    let out = check(&with_review(&text));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 73, "too-deep")]);
    assert_contains(&message(&out.1, "too-deep"), "64");
}

#[test]
fn too_deep_block() {
    // `comment:` holds a mapping (level 2) on line 13; level 65 is on line 12 + 64, indented
    // by 2 * 64 spaces.
    let mut text = format!("{REVIEW}comment:\n");
    for i in 1..80 {
        text.push_str(&format!("{}k:\n", "  ".repeat(i)));
    }
    let out = check(&with_review(&text));
    assert_check(&out, 1, &[(REVIEW_PATH, 76, 129, "too-deep")]);
}

/// Nesting far deeper than the limit is still `too-deep` at the first node past the limit
/// (not a `yaml-syntax` error from the parser's own recursion limit).
#[test]
fn too_deep_far_past_the_limit() {
    let text = format!("{REVIEW}comment: {}{}\n", "[".repeat(300), "]".repeat(300));
    let out = check(&with_review(&text));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 73, "too-deep")]);
}

#[test]
fn too_deep_unclosed_does_not_crash() {
    let dir = with_review(&"[".repeat(100_000));
    let (code, json) = check(&dir);
    assert_eq!(code, 1);
    let got = problems(&json);
    assert_eq!(got.len(), 1, "{json:#}");
    assert!(
        got[0].3 == "too-deep" || got[0].3 == "yaml-syntax",
        "{json:#}"
    );
}

// ---------------------------------------------------------------------------------------------
// multiple-documents

#[test]
fn multiple_documents_points_at_the_second_document() {
    let out = check(&with_review(&format!("{REVIEW}---\nagent: carol\n")));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 1, "multiple-documents")]);
}

#[test]
fn multiple_documents_after_an_explicit_first_document() {
    let out = check(&with_review(&format!("---\n{REVIEW}...\n---\n")));
    assert_check(&out, 1, &[(REVIEW_PATH, 14, 1, "multiple-documents")]);
}

#[test]
fn one_explicit_document_is_fine() {
    let out = check(&with_review(&format!("---\n{REVIEW}...\n# the end\n")));
    assert_check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// not-a-mapping

#[test]
fn not_a_mapping_points_at_the_top_level_node() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("reviews/list.yaml", "# reviews\n- alice\n- bob\n"),
        ("reviews/scalar.yaml", "just some text\n"),
        ("reviews/quoted.yaml", "# c\n\n\"text\"\n"),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            ("reviews/list.yaml", 2, 1, "not-a-mapping"),
            ("reviews/quoted.yaml", 3, 1, "not-a-mapping"),
            ("reviews/scalar.yaml", 1, 1, "not-a-mapping"),
        ],
    );
    let m = messages(&out.1, "not-a-mapping");
    assert!(m.iter().any(|m| m.contains("sequence")), "{m:?}");
}

#[test]
fn not_a_mapping_rubric_does_not_cascade() {
    let out = check(&with_rubric("- id: support\n"));
    assert_check(&out, 1, &[(RUBRIC_PATH, 1, 1, "not-a-mapping")]);
}

// ---------------------------------------------------------------------------------------------
// unsupported-key

#[test]
fn unsupported_key_flow_sequence_key() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  solution: 3\n",
        "  [solution, tone]: 3\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 8, 3, "unsupported-key")]);
}

#[test]
fn unsupported_key_complex_and_null_keys() {
    let out = check(&with_review(&format!(
        "{REVIEW}? {{a: 1}}\n: mapping key\n~: null key\n"
    )));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 12, 3, "unsupported-key"),
            (REVIEW_PATH, 14, 1, "unsupported-key"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// unsupported-value

#[test]
fn unsupported_value_nan_and_infinity() {
    let review = edit(REVIEW, "  solution: 3", "  solution: .nan");
    let review = edit(&review, "  security: 2", "  security: -.inf");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 8, 13, "unsupported-value"),
            (REVIEW_PATH, 11, 13, "unsupported-value"),
        ],
    );
}

#[test]
fn unsupported_value_infinite_weight() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    weight: 3",
        "    weight: .inf",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 14, 13, "unsupported-value")]);
}

#[test]
fn unsupported_value_bad_tag() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  security: 2",
        "  security: !!int two",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 11, 13, "unsupported-value")]);
}

// ---------------------------------------------------------------------------------------------
// schema

#[test]
fn schema_unknown_key_suggests_the_right_one() {
    let out = check(&with_review(&edit(REVIEW, "reviewer: bob", "reviewr: bob")));
    assert_check(&out, 1, &[(REVIEW_PATH, 3, 1, "schema")]);
    let m = message(&out.1, "schema");
    assert_contains(&m, "`reviewr`");
    assert_contains(&m, "did you mean `reviewer`?");
}

#[test]
fn schema_unknown_key_in_a_category() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    weight: 3",
        "    wieght: 3",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 14, 5, "schema")]);
    assert_contains(&message(&out.1, "schema"), "did you mean `weight`?");
}

#[test]
fn schema_unknown_key_in_a_detailed_rating() {
    let out = check(&with_review(&edit(
        REVIEW,
        "comment: \"Curt.\"",
        "coment: \"Curt.\"",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 9, 22, "schema")]);
    assert_contains(&message(&out.1, "schema"), "did you mean `comment`?");
}

#[test]
fn schema_unknown_key_in_config() {
    let config = edit(CONFIG, "timezone:", "timezon:");
    let config = edit(&config, "{ name: Bob Jones", "{ nmae: Bob Jones");
    let dir = temp_repo(&[
        ("qa.yaml", config.as_str()),
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[("qa.yaml", 1, 1, "schema"), ("qa.yaml", 4, 10, "schema")],
    );
    let m = messages(&out.1, "schema");
    assert!(
        m.iter().any(|m| m.contains("did you mean `timezone`?")),
        "{m:?}"
    );
    assert!(
        m.iter().any(|m| m.contains("did you mean `name`?")),
        "{m:?}"
    );
}

#[test]
fn schema_misspelt_required_key() {
    // The misspelt key is unknown (at the key) and the real one is missing (at the top level).
    let out = check(&with_review(&edit(REVIEW, "agent: alice", "agnet: alice")));
    assert_check(
        &out,
        1,
        &[(REVIEW_PATH, 1, 1, "schema"), (REVIEW_PATH, 2, 1, "schema")],
    );
    let m = messages(&out.1, "schema");
    assert!(
        m.iter().any(|m| m.contains("did you mean `agent`?")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|m| m.contains("missing the required key `agent`")),
        "{m:?}"
    );
}

#[test]
fn schema_missing_top_level_key() {
    let out = check(&with_review(&edit(REVIEW, "agent: alice\n", "")));
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 1, "schema")]);
    assert_contains(
        &message(&out.1, "schema"),
        "missing the required key `agent`",
    );
}

/// With comments above it, the top-level mapping (and so a missing top-level key) starts on
/// its first key, not on line 1.
#[test]
fn schema_missing_top_level_key_after_comments() {
    let review = format!(
        "# yaml-language-server: $schema=../../../schemas/review.schema.json\n\n{}",
        edit(REVIEW, "agent: alice\n", "")
    );
    let out = check(&with_review(&review));
    assert_check(&out, 1, &[(REVIEW_PATH, 3, 1, "schema")]);
}

#[test]
fn schema_missing_nested_key_points_at_the_parent_key() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  id: \"48213\"\n",
        "  channel: email\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 5, 1, "schema")]);
    assert_contains(&message(&out.1, "schema"), "missing the required key `id`");
}

#[test]
fn schema_missing_key_of_a_list_item_points_at_the_item() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    title: Data protection\n    scale: 2\n",
        "    title: Data protection\n",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 24, 5, "schema")]);
    assert_contains(
        &message(&out.1, "schema"),
        "missing the required key `scale`",
    );
}

#[test]
fn schema_missing_rating_in_a_detailed_rating() {
    let out = check(&with_review(&edit(
        REVIEW,
        "{ rating: 2, comment",
        "{ comment",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 9, 3, "schema")]);
    assert_contains(
        &message(&out.1, "schema"),
        "missing the required key `rating`",
    );
}

#[test]
fn schema_wrong_type() {
    let out = check(&with_rubric(&edit(RUBRIC, "version: 2", "version: two")));
    assert_check(&out, 1, &[(RUBRIC_PATH, 2, 10, "schema")]);
    assert_contains(&message(&out.1, "schema"), "integer");

    let out = check(&with_review(&edit(
        REVIEW,
        "conversation:\n  id: \"48213\"\n",
        "conversation: 48213\n",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 5, 15, "schema")]);
    assert_contains(&message(&out.1, "schema"), "object");
}

#[test]
fn schema_pattern() {
    let out = check(&with_review(&edit(REVIEW, "support@2", "support-2")));
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 9, "schema")]);
    let m = message(&out.1, "schema");
    assert_contains(&m, "rubric");
    assert_contains(&m, "<id>@<version>");

    let out = check(&with_review(&edit(
        REVIEW,
        "agent: alice",
        "agent: alice/smith",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 8, "schema")]);
}

#[test]
fn schema_date_that_does_not_look_like_a_date() {
    let out = check(&with_review(&edit(REVIEW, "2026-11-20", "20.11.2026")));
    assert_check(&out, 1, &[(REVIEW_PATH, 4, 14, "schema")]);
}

#[test]
fn schema_bad_rating_values() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  solution: 3",
        "  solution: good",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 8, 13, "schema")]);
    let m = message(&out.1, "schema");
    assert_contains(&m, "ratings.solution");
    assert_contains(&m, "\"good\"");

    let out = check(&with_review(&edit(
        REVIEW,
        "  solution: 3",
        "  solution: 2.5",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 8, 13, "schema")]);

    let out = check(&with_review(&edit(
        REVIEW,
        "{ rating: 2,",
        "{ rating: bad,",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 9, 19, "schema")]);
    assert_contains(&message(&out.1, "schema"), "ratings.tone.rating");
}

#[test]
fn schema_limits() {
    let rubric = edit(RUBRIC, "version: 2", "version: 0");
    let rubric = edit(&rubric, "pass_mark: 85", "pass_mark: 120");
    let rubric = edit(&rubric, "    scale: 4", "    scale: 11");
    let out = check(&with_rubric(&rubric));
    assert_check(
        &out,
        1,
        &[
            (RUBRIC_PATH, 2, 10, "schema"),
            (RUBRIC_PATH, 4, 12, "schema"),
            (RUBRIC_PATH, 12, 12, "schema"),
        ],
    );
}

#[test]
fn schema_no_categories() {
    let rubric = format!(
        "{}categories: []\n",
        &RUBRIC[..RUBRIC.find("categories:").expect("has categories")]
    );
    let out = check(&with_rubric(&rubric));
    assert_check(&out, 1, &[(RUBRIC_PATH, 8, 13, "schema")]);
}

#[test]
fn schema_config_enum() {
    let dir = temp_repo(&[
        ("qa.yaml", format!("{CONFIG}week_start: mon\n").as_str()),
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let out = check(&dir);
    assert_check(&out, 1, &[("qa.yaml", 5, 13, "schema")]);
    assert_contains(&message(&out.1, "schema"), "monday");
}

/// A schema problem in one part of a review does not hide the rating checks of another.
#[test]
fn schema_problems_do_not_hide_rating_problems() {
    let review = edit(REVIEW, "reviewer: bob", "reviewr: bob");
    let review = edit(&review, "  solution: 3", "  solution: 5");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 3, 1, "schema"),
            (REVIEW_PATH, 8, 13, "rating-out-of-scale"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// Rubric rules

#[test]
fn rubric_id_mismatch_points_at_the_id() {
    let dir = temp_repo(&[(RUBRIC_PATH, &edit(RUBRIC, "id: support", "id: suport"))]);
    let out = check(&dir);
    assert_check(&out, 1, &[(RUBRIC_PATH, 1, 5, "rubric-id-mismatch")]);
    let m = message(&out.1, "rubric-id-mismatch");
    assert_contains(&m, "`suport`");
    assert_contains(&m, "`support`");
}

/// The review names `support@2`, the rubric of rubrics/support.yaml, whose file has an error
/// of its own: that is reported once, on the rubric, not again on each of its reviews.
#[test]
fn rubric_id_mismatch_does_not_cascade_into_its_reviews() {
    let out = check(&with_rubric(&edit(RUBRIC, "id: support", "id: suport")));
    assert_check(&out, 1, &[(RUBRIC_PATH, 1, 5, "rubric-id-mismatch")]);

    let dir = with_rubric(&edit(RUBRIC, "id: support", "id: suport"));
    git_init(dir.path());
    let out = check(&dir);
    assert_check(&out, 1, &[(RUBRIC_PATH, 1, 5, "rubric-id-mismatch")]);
}

#[test]
fn duplicate_rubric_yaml_and_yml() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("rubrics/support.yml", RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[("rubrics/support.yml", 1, 5, "duplicate-rubric")],
    );
    assert_contains(&message(&out.1, "duplicate-rubric"), "rubrics/support.yaml");
}

/// A rubric copied to another file name without changing its id: the copy is the file in the
/// wrong, not the original.
#[test]
fn duplicate_rubric_blames_the_copy() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("rubrics/billing.yaml", RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let (code, json) = check(&dir);
    assert_eq!(code, 1);
    let got = problems(&json);
    assert!(
        got.iter().all(|p| p.0 == "rubrics/billing.yaml"),
        "only the copy has problems: {json:#}"
    );
    assert!(
        got.contains(&(
            "rubrics/billing.yaml".into(),
            1,
            5,
            "rubric-id-mismatch".into()
        )),
        "{json:#}"
    );
}

#[test]
fn duplicate_category_points_at_the_second_id() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "  - id: grammar",
        "  - id: tone",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 20, 9, "duplicate-category")]);
    assert_contains(&message(&out.1, "duplicate-category"), "`tone`");
}

#[test]
fn duplicate_group_points_at_the_second_id() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    title: Resolution\n",
        "    title: Resolution\n  - id: resolution\n    title: Again\n",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 8, 9, "duplicate-group")]);
    assert_contains(&message(&out.1, "duplicate-group"), "`resolution`");
}

#[test]
fn unknown_group_suggests_the_group() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "group: resolution",
        "group: resolutoin",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 11, 12, "unknown-group")]);
    assert_contains(
        &message(&out.1, "unknown-group"),
        "did you mean `resolution`?",
    );
}

#[test]
fn unknown_group_without_groups() {
    let rubric = edit(
        RUBRIC,
        "groups:\n  - id: resolution\n    title: Resolution\n",
        "",
    );
    let out = check(&with_rubric(&rubric));
    assert_check(&out, 1, &[(RUBRIC_PATH, 8, 12, "unknown-group")]);
}

#[test]
fn label_count_points_at_the_labels() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "[Wrong, Partial, Good, Excellent]",
        "[Wrong, Partial, Good]",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 13, 5, "label-count")]);
    let m = message(&out.1, "label-count");
    assert_contains(&m, "3 labels");
    assert_contains(&m, "4");
}

#[test]
fn bonus_critical_points_at_the_critical_key() {
    // Line 27 of RUBRIC is `    critical: true` of `security`.
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    critical: true\n",
        "    critical: true\n    bonus: true\n",
    )));
    assert_check(&out, 1, &[(RUBRIC_PATH, 27, 5, "bonus-critical")]);
    assert_contains(&message(&out.1, "bonus-critical"), "`security`");
    // `critical: group` on a bonus is the same mistake; `critical: false` is not.
    let grouped = edit(
        RUBRIC,
        "    critical: true\n",
        "    group: resolution\n    bonus: true\n    critical: group\n",
    );
    let out = check(&with_rubric(&grouped));
    assert_check(&out, 1, &[(RUBRIC_PATH, 29, 5, "bonus-critical")]);
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    critical: true\n",
        "    bonus: true\n    critical: false\n",
    )));
    assert_check(&out, 0, &[]);
}

#[test]
fn group_critical_without_a_group_points_at_the_critical_key() {
    // `tone` (lines 15-19) has no group; the new key is line 19.
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    weight: 2\n",
        "    weight: 2\n    critical: group\n",
    )));
    assert_check(
        &out,
        1,
        &[(RUBRIC_PATH, 19, 5, "group-critical-without-group")],
    );
    assert_contains(&message(&out.1, "group-critical-without-group"), "`tone`");
    // On `solution`, which is in group `resolution`, it is fine.
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    weight: 3\n",
        "    weight: 3\n    critical: group\n",
    )));
    assert_check(&out, 0, &[]);
}

#[test]
fn negative_weight_points_at_the_weight() {
    let rubric = edit(RUBRIC, "    weight: 3", "    weight: -1");
    let rubric = edit(&rubric, "    weight: 2", "    weight: -0.5");
    let out = check(&with_rubric(&rubric));
    assert_check(
        &out,
        1,
        &[
            (RUBRIC_PATH, 14, 13, "negative-weight"),
            (RUBRIC_PATH, 18, 13, "negative-weight"),
        ],
    );
    assert!(messages(&out.1, "negative-weight")
        .iter()
        .any(|m| m.contains("-0.5")));
}

#[test]
fn weight_zero_is_fine() {
    let out = check(&with_rubric(&edit(
        RUBRIC,
        "    weight: 3",
        "    weight: 0",
    )));
    assert_check(&out, 0, &[]);
}

// ---------------------------------------------------------------------------------------------
// Reviews against rubric versions

#[test]
fn unknown_rubric_suggests_the_rubric() {
    let dir = with_review(&edit(REVIEW, "support@2", "suport@2"));
    git_init(dir.path());
    git_commit_all(dir.path(), "2026-11-01T09:00:00+00:00", "rubric and review");
    let out = check(&dir);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 9, "unknown-rubric")]);
    assert_contains(
        &message(&out.1, "unknown-rubric"),
        "did you mean `support`?",
    );
}

#[test]
fn unknown_rubric_without_a_suggestion() {
    let dir = with_review(&edit(REVIEW, "support@2", "billing@1"));
    git_init(dir.path());
    let out = check(&dir);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 9, "unknown-rubric")]);
    let m = message(&out.1, "unknown-rubric");
    assert_contains(&m, "`billing`");
    assert!(!m.contains("did you mean"), "{m}");
}

/// Without git, a rubric id that no rubric file has is still a misspelt rubric, not a
/// question of missing history.
#[test]
fn unknown_rubric_without_git() {
    let dir = with_review(&edit(REVIEW, "support@2", "suport@2"));
    assert_not_in_git(dir.path());
    let out = check(&dir);
    assert_check(&out, 1, &[(REVIEW_PATH, 1, 9, "unknown-rubric")]);
    assert_contains(
        &message(&out.1, "unknown-rubric"),
        "did you mean `support`?",
    );
}

#[test]
fn unknown_rubric_version_lists_the_known_versions() {
    let dir = temp_repo(&[(RUBRIC_PATH, &rubric_v(1))]);
    git_init(dir.path());
    git_commit_all(dir.path(), "2026-09-01T09:00:00+00:00", "support v1");
    std::fs::write(dir.path().join(RUBRIC_PATH), rubric_v(2)).expect("write");
    git_commit_all(dir.path(), "2026-10-01T09:00:00+00:00", "support v2");
    for (name, text) in [
        ("old.yaml", review_v(1)),
        ("new.yaml", review_v(2)),
        ("bad.yaml", review_v(3)),
    ] {
        write_bytes(&dir, &format!("reviews/2026/11/{name}"), text.as_bytes());
    }
    let out = check(&dir);
    // support@1 comes from history, support@2 from the working tree: both are fine.
    assert_check(
        &out,
        1,
        &[("reviews/2026/11/bad.yaml", 1, 9, "unknown-rubric-version")],
    );
    let m = message(&out.1, "unknown-rubric-version");
    assert_contains(&m, "version 3");
    assert_contains(&m, "1, 2");
}

#[test]
fn rubric_history_unavailable_without_git() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, REVIEW),
        ("reviews/2026/11/old.yaml", &review_v(1)),
    ]);
    assert_not_in_git(dir.path());
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[(
            "reviews/2026/11/old.yaml",
            1,
            9,
            "rubric-history-unavailable",
        )],
    );
    assert_contains(&message(&out.1, "rubric-history-unavailable"), "git");
}

#[test]
fn rubric_history_unavailable_in_a_shallow_clone() {
    let origin = temp_repo(&[(RUBRIC_PATH, &rubric_v(1))]);
    git_init(origin.path());
    git_commit_all(origin.path(), "2026-09-01T09:00:00+00:00", "support v1");
    std::fs::write(origin.path().join(RUBRIC_PATH), rubric_v(2)).expect("write");
    write_bytes(&origin, "reviews/2026/11/old.yaml", review_v(1).as_bytes());
    git_commit_all(origin.path(), "2026-10-01T09:00:00+00:00", "support v2");
    // The full repository is fine.
    assert_check(&check(&origin), 0, &[]);

    let clone = tempfile::tempdir().expect("temp dir");
    let url = format!("file://{}", origin.path().display());
    git(
        clone.path(),
        "2026-10-01T09:00:00+00:00",
        &["clone", "-q", "--depth", "1", &url, "."],
    );
    let (code, json) = check_json(clone.path(), &[]);
    assert_check(
        &(code, json.clone()),
        1,
        &[(
            "reviews/2026/11/old.yaml",
            1,
            9,
            "rubric-history-unavailable",
        )],
    );
    assert_contains(&message(&json, "rubric-history-unavailable"), "shallow");
}

// ---------------------------------------------------------------------------------------------
// Ratings

#[test]
fn unknown_category_suggests_the_category() {
    let out = check(&with_review(&edit(
        REVIEW,
        "  solution: 3",
        "  solutoin: 3",
    )));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 7, 1, "missing-rating"),
            (REVIEW_PATH, 8, 3, "unknown-category"),
        ],
    );
    let m = message(&out.1, "unknown-category");
    assert_contains(&m, "`solutoin`");
    assert_contains(&m, "did you mean `solution`?");
    assert_contains(&message(&out.1, "missing-rating"), "`solution`");
}

#[test]
fn unknown_category_extra_rating() {
    let out = check(&with_review(&format!("{REVIEW}  empathy: 3\n")));
    assert_check(&out, 1, &[(REVIEW_PATH, 12, 3, "unknown-category")]);
    assert!(!message(&out.1, "unknown-category").contains("did you mean"));
}

#[test]
fn missing_rating_points_at_ratings() {
    let review = edit(REVIEW, "  security: 2\n", "");
    let review = edit(&review, "  grammar: na\n", "");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 7, 1, "missing-rating"),
            (REVIEW_PATH, 7, 1, "missing-rating"),
        ],
    );
    let m = messages(&out.1, "missing-rating").join("\n");
    assert_contains(&m, "`security`");
    assert_contains(&m, "`grammar`");
}

#[test]
fn missing_rating_empty_ratings() {
    let review = format!(
        "{}ratings: {{}}\n",
        &REVIEW[..REVIEW.find("ratings:").expect("ratings")]
    );
    let out = check(&with_review(&review));
    let at = (REVIEW_PATH, 7, 1, "missing-rating");
    assert_check(&out, 1, &[at, at, at, at]);
}

#[test]
fn rating_out_of_scale_points_at_the_rating() {
    let review = edit(REVIEW, "  solution: 3", "  solution: 5");
    let review = edit(&review, "{ rating: 2,", "{ rating: 0,");
    let review = edit(&review, "  security: 2", "  security: -1");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 8, 13, "rating-out-of-scale"),
            (REVIEW_PATH, 9, 19, "rating-out-of-scale"),
            (REVIEW_PATH, 11, 13, "rating-out-of-scale"),
        ],
    );
    let m = messages(&out.1, "rating-out-of-scale");
    assert!(m.iter().any(|m| m.contains("1..4")), "{m:?}");
}

#[test]
fn na_not_allowed_points_at_the_rating() {
    let review = edit(REVIEW, "  solution: 3", "  solution: na");
    let review = edit(&review, "{ rating: 2,", "{ rating: na,");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 8, 13, "na-not-allowed"),
            (REVIEW_PATH, 9, 19, "na-not-allowed"),
        ],
    );
    assert!(messages(&out.1, "na-not-allowed")
        .iter()
        .any(|m| m.contains("`solution`")));
}

#[test]
fn unknown_root_cause_points_at_the_root_cause() {
    let review = edit(REVIEW, "[coaching]", "[coaching, attitude]");
    let review = edit(
        &review,
        "  solution: 3",
        "  solution: { rating: 2, root_causes: [knowledge] }",
    );
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 8, 40, "unknown-root-cause"),
            (REVIEW_PATH, 9, 64, "unknown-root-cause"),
        ],
    );
    let m = messages(&out.1, "unknown-root-cause");
    assert!(m.iter().any(|m| m.contains("coaching, workload")), "{m:?}");
    assert!(m.iter().any(|m| m.contains("lists none")), "{m:?}");
}

#[test]
fn unknown_root_cause_suggests_the_root_cause() {
    let out = check(&with_review(&edit(REVIEW, "[coaching]", "[coachng]")));
    assert_check(&out, 1, &[(REVIEW_PATH, 9, 54, "unknown-root-cause")]);
    assert_contains(
        &message(&out.1, "unknown-root-cause"),
        "did you mean `coaching`?",
    );
}

// ---------------------------------------------------------------------------------------------
// Dates and ids

#[test]
fn invalid_date_points_at_the_date() {
    for bad in [
        "2026-02-30",
        "2026-13-01",
        "2026-11-20T25:00:00Z",
        "2026-11-20T10:00:00+25:00",
    ] {
        let out = check(&with_review(&edit(REVIEW, "2026-11-20", bad)));
        assert_check(&out, 1, &[(REVIEW_PATH, 4, 14, "invalid-date")]);
        assert_contains(&message(&out.1, "invalid-date"), bad);
    }
}

#[test]
fn valid_dates_and_times() {
    for good in [
        "2024-02-29",
        "2026-11-20T14:05:00+02:00",
        "2026-11-20T14:05:00.123Z",
        "\"2026-11-20\"",
    ] {
        let out = check(&with_review(&edit(REVIEW, "2026-11-20", good)));
        assert_check(&out, 0, &[]);
    }
}

#[test]
fn invalid_review_id_from_the_file_name() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        ("reviews/2026/11/zd 48213 (copy).yaml", REVIEW),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[(
            "reviews/2026/11/zd 48213 (copy).yaml",
            1,
            1,
            "invalid-review-id",
        )],
    );
    assert_contains(&message(&out.1, "invalid-review-id"), "zd 48213 (copy)");
}

#[test]
fn an_explicit_id_makes_any_file_name_fine() {
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        (
            "reviews/2026/11/zd 48213 (copy).yaml",
            &format!("id: zd-48213\n{REVIEW}"),
        ),
    ]);
    assert_check(&check(&dir), 0, &[]);
}

#[test]
fn duplicate_review_id_from_file_names_names_both_files() {
    let a = "reviews/2026/10/zd-48213.yaml";
    let b = "reviews/2026/11/zd-48213.yaml";
    let dir = temp_repo(&[(RUBRIC_PATH, RUBRIC), (a, REVIEW), (b, REVIEW)]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            (a, 1, 1, "duplicate-review-id"),
            (b, 1, 1, "duplicate-review-id"),
        ],
    );
    let m = messages(&out.1, "duplicate-review-id");
    assert!(m.iter().any(|m| m.contains(a)), "{m:?}");
    assert!(m.iter().any(|m| m.contains(b)), "{m:?}");
    assert!(m.iter().all(|m| m.contains("`zd-48213`")), "{m:?}");
}

#[test]
fn duplicate_review_id_explicit_and_from_the_file_name() {
    let a = "reviews/2026/11/zd-1.yaml";
    let b = "reviews/2026/11/other.yaml";
    let dir = temp_repo(&[
        (RUBRIC_PATH, RUBRIC),
        (a, REVIEW),
        (b, &format!("id: zd-1\n{REVIEW}")),
    ]);
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            (a, 1, 1, "duplicate-review-id"),
            (b, 1, 5, "duplicate-review-id"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// People and qa.yaml

#[test]
fn unknown_agent_suggests_the_person() {
    let out = check(&with_roster(&edit(REVIEW, "agent: alice", "agent: alcie")));
    assert_check(&out, 1, &[(REVIEW_PATH, 2, 8, "unknown-agent")]);
    let m = message(&out.1, "unknown-agent");
    assert_contains(&m, "`alcie`");
    assert_contains(&m, "did you mean `alice`?");
}

#[test]
fn unknown_reviewer_suggests_the_person() {
    let out = check(&with_roster(&edit(
        REVIEW,
        "reviewer: bob",
        "reviewer: bobb",
    )));
    assert_check(&out, 1, &[(REVIEW_PATH, 3, 11, "unknown-reviewer")]);
    assert_contains(&message(&out.1, "unknown-reviewer"), "did you mean `bob`?");
}

#[test]
fn people_by_email_are_in_the_roster() {
    let review = edit(REVIEW, "agent: alice", "agent: Alice@Acme.com");
    let review = edit(&review, "reviewer: bob", "reviewer: bob@acme.com");
    assert_check(&check(&with_roster(&review)), 0, &[]);
}

#[test]
fn without_a_roster_anyone_goes() {
    let out = check(&with_review(&edit(REVIEW, "agent: alice", "agent: zed")));
    assert_check(&out, 0, &[]);
}

#[test]
fn duplicate_email_points_at_the_second_email() {
    let config = "\
people:
  alice: { name: Alice, emails: [alice@acme.com] }
  bob:
    name: Bob
    emails:
      - bob@acme.com
      - Alice@Acme.com
";
    let dir = temp_repo(&[
        ("qa.yaml", config),
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let out = check(&dir);
    assert_check(&out, 1, &[("qa.yaml", 7, 9, "duplicate-email")]);
    let m = message(&out.1, "duplicate-email");
    assert_contains(&m, "Alice@Acme.com");
    assert_contains(&m, "`alice`");
}

#[test]
fn unknown_timezone_suggests_the_zone() {
    let config = edit(CONFIG, "Europe/Tallinn", "Europe/Tallin");
    let dir = temp_repo(&[
        ("qa.yaml", config.as_str()),
        (RUBRIC_PATH, RUBRIC),
        (REVIEW_PATH, REVIEW),
    ]);
    let out = check(&dir);
    assert_check(&out, 1, &[("qa.yaml", 1, 11, "unknown-timezone")]);
    assert_contains(
        &message(&out.1, "unknown-timezone"),
        "did you mean `Europe/Tallinn`?",
    );
}

// ---------------------------------------------------------------------------------------------
// Warnings: exit 0

#[test]
fn self_review_is_a_warning() {
    let out = check(&with_review(&edit(
        REVIEW,
        "reviewer: bob",
        "reviewer: alice",
    )));
    assert_check(&out, 0, &[(REVIEW_PATH, 3, 11, "self-review")]);
    assert_contains(&message(&out.1, "self-review"), "`alice`");
}

#[test]
fn self_review_through_the_roster_emails() {
    let out = check(&with_roster(&edit(
        REVIEW,
        "reviewer: bob",
        "reviewer: alice@acme.com",
    )));
    assert_check(&out, 0, &[(REVIEW_PATH, 3, 11, "self-review")]);
}

#[test]
fn future_date_is_a_warning() {
    let out = check(&with_review(&edit(REVIEW, "2026-11-20", "2999-01-01")));
    assert_check(&out, 0, &[(REVIEW_PATH, 4, 14, "future-date")]);
    assert_contains(&message(&out.1, "future-date"), "2999-01-01");

    let out = check(&with_review(&edit(
        REVIEW,
        "2026-11-20",
        "2999-01-01T00:00:00+02:00",
    )));
    assert_check(&out, 0, &[(REVIEW_PATH, 4, 14, "future-date")]);
}

#[test]
fn warnings_and_errors_together_exit_1() {
    let review = edit(REVIEW, "2026-11-20", "2999-01-01");
    let review = edit(&review, "  solution: 3", "  solution: 9");
    let out = check(&with_review(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 4, 14, "future-date"),
            (REVIEW_PATH, 8, 13, "rating-out-of-scale"),
        ],
    );
}

// ---------------------------------------------------------------------------------------------
// missing-folder, and repositories that would otherwise check nothing

#[test]
fn missing_folder_points_at_the_configured_path() {
    let dir = with_review(REVIEW);
    std::fs::write(
        dir.path().join("qa.yaml"),
        "timezone: UTC\npaths:\n  reviews: review\n",
    )
    .unwrap();
    let out = check(&dir);
    assert_check(&out, 1, &[("qa.yaml", 3, 12, "missing-folder")]);
    assert_contains(&message(&out.1, "missing-folder"), "`review`");
}

#[test]
fn missing_folder_when_the_path_is_a_file() {
    let dir = with_review(REVIEW);
    std::fs::write(dir.path().join("qa.yaml"), "paths: {reviews: qa.yaml}\n").unwrap();
    let out = check(&dir);
    assert_check(&out, 1, &[("qa.yaml", 1, 18, "missing-folder")]);
}

#[test]
fn a_folder_that_is_not_a_qa_repository_cannot_run() {
    let dir = tempfile::tempdir().unwrap();
    assert_not_in_git(dir.path());
    let out = crate::rubric(dir.path()).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a QA repository"));
}

#[test]
fn a_named_path_with_nothing_to_check_cannot_run() {
    let dir = with_review(REVIEW);
    std::fs::create_dir_all(dir.path().join("review")).unwrap();
    std::fs::write(dir.path().join("review/x.yaml"), REVIEW).unwrap();
    std::fs::create_dir_all(dir.path().join("rubrics/archive")).unwrap();
    std::fs::write(dir.path().join("rubrics/archive/old.yaml"), RUBRIC).unwrap();
    for path in ["review/x.yaml", "review", "rubrics/archive/old.yaml"] {
        let out = crate::rubric(dir.path())
            .args(["check", path])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{path}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("holds no file that rubric checks"),
            "{path}"
        );
    }
}

#[test]
fn upper_case_extensions_and_linked_files_are_checked() {
    let dir = with_review(REVIEW);
    write_bytes(
        &dir,
        "reviews/2026/11/ZD-1.YAML",
        edit(REVIEW, "  solution: 3\n", "  solution: 9\n").as_bytes(),
    );
    // A link to a file elsewhere in the repository is checked as that file (a link out of
    // the repository is refused: tests/integration/hardening.rs).
    std::fs::create_dir_all(dir.path().join("drafts")).unwrap();
    let target = dir.path().join("drafts/linked.yaml");
    std::fs::write(&target, edit(REVIEW, "  tone:", "  tnoe:")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&target, dir.path().join("reviews/2026/11/linked.yaml")).unwrap();
    let out = check(&dir);
    let mut expected = vec![("reviews/2026/11/ZD-1.YAML", 8, 13, "rating-out-of-scale")];
    if cfg!(unix) {
        expected.push(("reviews/2026/11/linked.yaml", 7, 1, "missing-rating"));
        expected.push(("reviews/2026/11/linked.yaml", 9, 3, "unknown-category"));
    }
    assert_check(&out, 1, &expected);
    // A linked review is named by where it sits in the repository.
    if cfg!(unix) {
        let out = check_json(dir.path(), &["reviews/2026/11/linked.yaml"]);
        assert_eq!(out.1["files_checked"], 1);
    }
}

#[test]
fn a_typo_in_qa_yaml_does_not_drop_the_roster() {
    let dir = with_roster(&edit(REVIEW, "agent: alice", "agent: alise"));
    std::fs::write(
        dir.path().join("qa.yaml"),
        edit(
            CONFIG,
            "timezone: Europe/Tallinn",
            "timezon: Europe/Tallinn",
        ),
    )
    .unwrap();
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            ("qa.yaml", 1, 1, "schema"),
            (REVIEW_PATH, 2, 8, "unknown-agent"),
        ],
    );
}

#[test]
fn a_broken_working_tree_rubric_does_not_hide_reviews_of_a_valid_older_version() {
    let dir = with_rubric(&rubric_v(1));
    std::fs::write(dir.path().join(REVIEW_PATH), review_v(1)).unwrap();
    git_init(dir.path());
    git_commit_all(dir.path(), "2026-02-01T12:00:00+00:00", "v1");
    // v2 in the working tree has a label-count error; the v1 review rates tone 9.
    std::fs::write(
        dir.path().join(RUBRIC_PATH),
        edit(
            &rubric_v(2),
            "labels: [Wrong, Partial, Good, Excellent]",
            "labels: [Wrong, Good, Excellent]",
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(REVIEW_PATH),
        edit(&review_v(1), "rating: 2,", "rating: 9,"),
    )
    .unwrap();
    let out = check(&dir);
    assert_check(
        &out,
        1,
        &[
            (RUBRIC_PATH, 13, 5, "label-count"),
            (REVIEW_PATH, 9, 19, "rating-out-of-scale"),
        ],
    );
}

#[test]
fn a_duplicate_key_does_not_hide_the_rest_of_the_file() {
    let review = edit(REVIEW, "agent: alice\n", "agent: alice\nagent: alise\n");
    let out = check(&with_roster(&review));
    assert_check(
        &out,
        1,
        &[
            (REVIEW_PATH, 3, 1, "duplicate-key"),
            (REVIEW_PATH, 3, 8, "unknown-agent"),
        ],
    );
}
