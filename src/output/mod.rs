//! Output formats for `rubric check`: human (rustc-style with the source line and a caret),
//! SPEC §7 JSON, GitHub Actions workflow commands, SARIF 2.1.0 and JUnit XML. Every function
//! returns a string; the binary decides where it goes.

pub mod assignments;
pub mod disputes;
pub mod export;
pub mod markdown;
pub mod reviewers;
pub mod terminal;

use crate::model::diagnostic::{Code, Diagnostic, Severity};
use crate::report::CheckReport;
use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::json;
use std::collections::BTreeMap;

/// The formats `rubric check --format` takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    Human,
    Json,
    Github,
    Sarif,
    Junit,
}

/// Renders a report in the given format. `source` returns the text of a file by its
/// repository-relative path (for the human format's source lines).
pub fn render_check(
    report: &CheckReport,
    format: CheckFormat,
    source: &dyn Fn(&str) -> Option<String>,
    color: bool,
    root_uri: &str,
    workspace_prefix: &str,
) -> String {
    match format {
        CheckFormat::Human => human(report, source, color),
        CheckFormat::Json => json(report),
        CheckFormat::Github => github(report, workspace_prefix),
        CheckFormat::Sarif => sarif(report, root_uri),
        CheckFormat::Junit => junit(report),
    }
}

/// SPEC §7 JSON, pretty-printed, with a trailing newline.
pub fn json(report: &CheckReport) -> String {
    let mut s = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
    s.push('\n');
    s
}

/// Byte range of the token starting at 1-based `column` (in characters) of `line`.
fn token_range(line: &str, column: usize) -> std::ops::Range<usize> {
    let start = line
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line.len(), |(i, _)| i);
    let rest = &line[start..];
    let mut len = 0;
    let quoted = rest.starts_with('"') || rest.starts_with('\'');
    for (i, c) in rest.char_indices() {
        let stop = if quoted {
            i > 0 && (c == '"' || c == '\'')
        } else {
            c.is_whitespace() || c == ':' || c == ',' || c == ']' || c == '}' || c == '#'
        };
        if stop {
            len = if quoted { i + c.len_utf8() } else { i };
            break;
        }
        len = i + c.len_utf8();
    }
    start..start + len.max(usize::from(!rest.is_empty()))
}

/// A file's text split into lines once (problems in one file are many; finding each line from
/// the top would be quadratic). A leading byte-order mark is not shown.
struct Lines {
    text: String,
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: String) -> Lines {
        let text = match text.strip_prefix('\u{feff}') {
            Some(t) => t.to_string(),
            None => text,
        };
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Line `n` (1-based) without its line ending.
    fn get(&self, n: usize) -> Option<&str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).map_or(self.text.len(), |e| e - 1);
        self.text
            .get(start..end.max(start))
            .map(|l| l.trim_end_matches('\r'))
    }
}

/// rustc-style text: the problem, the source line with a caret under the offending node, and
/// the hint; then a summary line. Everything from files (messages quoting YAML values, source
/// lines, paths, hints) goes through [`terminal::plain`]: a control or bidirectional character
/// is shown as `\u{…}`, never sent to the terminal raw.
pub fn human(report: &CheckReport, source: &dyn Fn(&str) -> Option<String>, color: bool) -> String {
    use terminal::plain;
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut cache: BTreeMap<&str, Option<Lines>> = BTreeMap::new();
    let mut out = String::new();
    for d in &report.problems {
        let lines = cache
            .entry(&d.path)
            .or_insert_with(|| source(&d.path).map(Lines::new));
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let line = lines.as_ref().and_then(|l| l.get(d.line));
        let message = plain(&d.message);
        let path = plain(&d.path);
        let shown = line.map(plain);
        let hint = d.hint.as_deref().map(plain);
        let title = level.primary_title(message.as_ref()).id(d.code.name());
        let mut groups = Vec::new();
        match line.zip(shown.as_ref()) {
            Some((line_text, shown)) => {
                // The caret's range in the escaped line: the escaped text before the token,
                // then the escaped token.
                let range = token_range(line_text, d.column);
                let start = plain(&line_text[..range.start]).len();
                let end = start + plain(&line_text[range.clone()]).len();
                groups.push(
                    title.element(
                        Snippet::source(shown.as_ref())
                            .line_start(d.line)
                            .path(path.as_ref())
                            .annotation(AnnotationKind::Primary.span(start..end)),
                    ),
                );
            }
            None => groups.push(
                title.element(
                    annotate_snippets::Origin::path(path.as_ref())
                        .line(d.line)
                        .char_column(d.column),
                ),
            ),
        }
        if let Some(h) = &hint {
            groups.push(Group::with_title(Level::HELP.secondary_title(h.as_ref())));
        }
        out.push_str(&renderer.render(&groups));
        out.push_str("\n\n");
    }
    let (e, w) = (report.errors(), report.warnings());
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    out.push_str(&format!(
        "checked {}: {}, {}\n",
        plural(report.files_checked, "file"),
        plural(e, "error"),
        plural(w, "warning")
    ));
    out
}

/// GitHub Actions workflow-command data escaping.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub Actions workflow-command property escaping.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One `::error` or `::warning` workflow command per problem. GitHub resolves `file=` against
/// the workspace (the git work tree), so `workspace_prefix` is the QA repository's folder in it
/// ("" when it is the top).
pub fn github(report: &CheckReport, workspace_prefix: &str) -> String {
    let mut out = String::new();
    for d in &report.problems {
        let cmd = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut msg = d.message.clone();
        if let Some(h) = &d.hint {
            msg.push('\n');
            msg.push_str(h);
        }
        out.push_str(&format!(
            "::{cmd} file={},line={},col={},title={}::{}\n",
            gh_prop(&if workspace_prefix.is_empty() {
                d.path.clone()
            } else {
                format!("{workspace_prefix}/{}", d.path)
            }),
            d.line,
            d.column,
            gh_prop(&format!("rubric {}", d.code.name())),
            gh_data(&msg)
        ));
    }
    out
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Percent-encodes a relative path for a URI reference, keeping `/`.
fn uri_path(p: &str) -> String {
    let mut out = String::new();
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `file://` URI of an absolute directory, ending in `/`.
pub fn dir_uri(dir: &std::path::Path) -> String {
    let s = dir.to_string_lossy().replace('\\', "/");
    let mut u = String::from("file://");
    if !s.starts_with('/') {
        u.push('/');
    }
    u.push_str(&uri_path(&s));
    if !u.ends_with('/') {
        u.push('/');
    }
    u
}

/// A rule's display name: the code in PascalCase, never equal to the id (SARIF1001).
fn rule_name(code: &str) -> String {
    let name = pascal(code);
    if name.eq_ignore_ascii_case(code) {
        format!("{name}Violation")
    } else {
        name
    }
}

fn pascal(code: &str) -> String {
    code.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// SARIF 2.1.0 with one rule per diagnostic code.
pub fn sarif(report: &CheckReport, root_uri: &str) -> String {
    let rules: Vec<_> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.name(),
                "name": rule_name(c.name()),
                "shortDescription": {"text": c.summary()},
                "fullDescription": {"text": format!("{} {}", c.summary(), c.default_hint())},
                "help": {"text": c.default_hint()},
                "defaultConfiguration": {"level": sarif_level(c.severity())}
            })
        })
        .collect();
    let results: Vec<_> = report
        .problems
        .iter()
        .map(|d: &Diagnostic| {
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let text = match &d.hint {
                Some(h) => format!("{} {}", end_sentence(&d.message), h),
                None => end_sentence(&d.message),
            };
            json!({
                "ruleId": d.code.name(),
                "ruleIndex": index,
                "level": sarif_level(d.severity),
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri_path(&d.path), "uriBaseId": "SRCROOT"},
                        "region": {"startLine": d.line, "startColumn": d.column}
                    }
                }]
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "rubric",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root_uri}},
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn end_sentence(s: &str) -> String {
    if s.ends_with('.') || s.ends_with('?') || s.ends_with('!') {
        s.to_string()
    } else {
        format!("{s}.")
    }
}

/// JUnit XML: one test case per checked file; a file with errors fails. Needs the list of
/// checked files in `report.files`.
pub fn junit(report: &CheckReport) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut by_file: BTreeMap<&str, Vec<&Diagnostic>> = BTreeMap::new();
    for f in &report.files {
        by_file.entry(f.as_str()).or_default();
    }
    for d in &report.problems {
        by_file.entry(d.path.as_str()).or_default().push(d);
    }
    let mut suite = TestSuite::new("rubric check");
    for (file, diags) in by_file {
        let errors: Vec<&&Diagnostic> = diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        let lines: Vec<String> = diags
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{}: {}[{}]: {}",
                    d.path,
                    d.line,
                    d.column,
                    d.severity.as_str(),
                    d.code,
                    d.message
                )
            })
            .collect();
        let mut status = if errors.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(format!(
                "{} error{}: {}",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                errors[0].message
            ));
            s.set_type(errors[0].code.name());
            s.set_description(lines.join("\n"));
            s
        };
        if errors.is_empty() && !lines.is_empty() {
            // Warnings only: the file passes, the warnings are kept as output.
            status = TestCaseStatus::success();
        }
        let mut case = TestCase::new(file, status);
        case.set_classname("rubric.check");
        if errors.is_empty() && !lines.is_empty() {
            case.set_system_out(lines.join("\n"));
        }
        suite.add_test_case(case);
    }
    let mut r = Report::new("rubric");
    r.add_test_suite(suite);
    r.to_string().unwrap_or_default()
}

/// Formats a score for people: one decimal, or `-` when there is none.
pub(crate) fn one_decimal(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |s| format!("{s:.1}"))
}

fn signed(v: Option<f64>) -> String {
    v.map_or_else(String::new, |c| {
        if c.abs() < 0.05 {
            "±0.0".to_string()
        } else {
            format!("{c:+.1}")
        }
    })
}

/// Shortens text to `max` characters with an ellipsis.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A plain text table: left-aligned text columns, right-aligned numeric ones.
pub(crate) fn table(header: &[&str], right: &[bool], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            if i > 0 {
                out.push_str("  ");
            }
            if right[i] {
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            } else {
                out.push_str(c);
                if i + 1 < cells.len() {
                    out.push_str(&" ".repeat(pad));
                }
            }
        }
        let mut out = out.trim_end().to_string();
        out.push('\n');
        out
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// A text cell from YAML or git for CSV, neutralised for spreadsheets (the OWASP rule of
/// `export`).
pub(crate) fn text(s: &str) -> String {
    export::neutralise(s).into_owned()
}

/// Writes the header and rows through `csv::Writer`; any write error is returned.
pub(crate) fn csv_of<R>(header: &[&str], rows: R) -> Result<String, csv::Error>
where
    R: IntoIterator,
    R::Item: IntoIterator<Item = String>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))?;
    String::from_utf8(bytes)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e).into())
}

pub(crate) fn number(v: Option<f64>) -> String {
    v.map(|s| s.to_string()).unwrap_or_default()
}

/// `rubric score --format csv`: full-precision scores.
pub fn score_csv(rows: &[crate::report::ScoreRow]) -> Result<String, csv::Error> {
    let header = [
        "id",
        "agent",
        "reviewer",
        "date",
        "rubric",
        "score",
        "pass",
        "calibration",
        "uncommitted",
        "path",
    ];
    csv_of(
        &header,
        rows.iter().map(|r| {
            [
                text(&r.id),
                text(&r.agent),
                text(&r.reviewer),
                r.date.clone(),
                format!("{}@{}", r.rubric, r.version),
                number(r.score),
                r.pass.map(|p| p.to_string()).unwrap_or_default(),
                text(r.calibration.as_deref().unwrap_or_default()),
                r.uncommitted.to_string(),
                text(&r.path),
            ]
        }),
    )
}

/// `rubric score`: a human table ([`score_csv`] for CSV).
pub fn score_rows(rows: &[crate::report::ScoreRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut note = Vec::new();
            if let Some(c) = &r.calibration {
                note.push(format!("calibration {c}"));
            }
            if r.uncommitted {
                note.push("uncommitted".to_string());
            }
            vec![
                fit(&r.id, 24),
                fit(&r.agent, 14),
                fit(&r.reviewer, 14),
                r.date.chars().take(10).collect(),
                fit(&format!("{}@{}", r.rubric, r.version), 14),
                one_decimal(r.score),
                match r.pass {
                    Some(true) => "pass".into(),
                    Some(false) => "FAIL".into(),
                    None => "-".into(),
                },
                note.join(", "),
            ]
        })
        .collect();
    table(
        &[
            "id", "agent", "reviewer", "date", "rubric", "score", "pass", "",
        ],
        &[false, false, false, false, false, true, false, false],
        &cells,
    )
}

/// `rubric trends --format csv`.
pub fn trends_csv(report: &crate::report::TrendsReport) -> Result<String, csv::Error> {
    csv_of(
        &[report.by.as_str(), "period", "reviews", "score", "change"],
        report.rows.iter().map(|r| {
            [
                text(&r.key),
                r.period.clone(),
                r.reviews.to_string(),
                r.score.to_string(),
                number(r.change),
            ]
        }),
    )
}

/// `rubric trends`: a table that fits 80 columns ([`trends_csv`] for CSV).
pub fn trends(report: &crate::report::TrendsReport) -> String {
    let cells: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            vec![
                fit(&r.key, 32),
                r.period.clone(),
                r.reviews.to_string(),
                one_decimal(Some(r.score)),
                signed(r.change),
            ]
        })
        .collect();
    let score = if report.by == "category" {
        "avg"
    } else {
        "IQS"
    };
    let mut out = table(
        &[
            report.by.as_str(),
            report.period.as_str(),
            "reviews",
            score,
            "change",
        ],
        &[false, false, true, true, true],
        &cells,
    );
    if report.partial {
        out.push_str("(partial: shallow clone)\n");
    }
    out
}

const HISTORY_HEADER: [&str; 7] = [
    "commit", "change", "author", "date", "score", "dispute", "path",
];

/// `rubric history ID --format csv`.
pub fn history_csv(rows: &[crate::report::HistoryRow]) -> Result<String, csv::Error> {
    csv_of(
        &HISTORY_HEADER,
        rows.iter().map(|r| {
            [
                r.commit.clone(),
                r.kind.clone(),
                text(&r.author),
                r.date.clone(),
                number(r.score),
                r.dispute.clone().unwrap_or_default(),
                text(&r.path),
            ]
        }),
    )
}

/// `rubric history ID`: a table ([`history_csv`] for CSV).
pub fn history(rows: &[crate::report::HistoryRow]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.commit.chars().take(10).collect(),
                r.kind.clone(),
                r.author.clone(),
                r.date.chars().take(16).collect(),
                one_decimal(r.score),
                r.dispute
                    .as_ref()
                    .map_or(String::new(), |d| format!("dispute {d}")),
                r.path.clone(),
            ]
        })
        .collect();
    table(
        &HISTORY_HEADER,
        &[false, false, false, false, true, false, false],
        &cells,
    )
}

/// Whether a rubric's change needed a new version number, and whether it got one.
fn version_bump(d: &crate::model::rubric_diff::RubricDiff) -> &'static str {
    if d.needs_version_bump {
        "needed, missing"
    } else if d.changes.iter().any(|c| c.scoring) && d.status == "changed" {
        "done"
    } else {
        "not needed"
    }
}

fn version_line(d: &crate::model::rubric_diff::RubricDiff) -> String {
    let v = |x: Option<u32>| x.map_or_else(|| "-".to_string(), |v| v.to_string());
    let bump = format!("; version bump: {}", version_bump(d));
    format!(
        "{} ({}): version {} → {}{bump}",
        d.rubric,
        d.status,
        v(d.base_version),
        v(d.head_version)
    )
}

/// `rubric diff` for people at a terminal.
pub fn diff_human(report: &crate::analysis::impact::DiffReport) -> String {
    let mut out = diff_human_rubrics(report);
    if !report.disputes.is_empty() {
        out.push_str("\ndisputes\n");
        for c in &report.disputes {
            out.push_str(&format!(
                "  {} dispute {}: {} (score {} → {})\n",
                terminal::plain(&c.review),
                c.dispute,
                c.change,
                one_decimal(c.score_before),
                one_decimal(c.score_after)
            ));
        }
    }
    out
}

fn diff_human_rubrics(report: &crate::analysis::impact::DiffReport) -> String {
    let mut out = format!("rubric changes {} → {}\n", report.base, report.head);
    if report.rubrics.is_empty() {
        out.push_str("no rubric changed\n");
    }
    for d in &report.rubrics {
        out.push('\n');
        out.push_str(&version_line(d));
        out.push('\n');
        for c in &d.changes {
            let mark = if c.scoring { "*" } else { "-" };
            out.push_str(&format!("  {mark} {}\n", c.text));
        }
    }
    for i in &report.impact {
        if i.reviews == 0 {
            out.push_str(&format!(
                "\nno reviews of {}@{} since {} to re-score\n",
                i.rubric, i.from_version, i.since
            ));
            continue;
        }
        out.push_str(&format!(
            "\nimpact of {}@{} → @{} on {} review(s) since {}:\n",
            i.rubric, i.from_version, i.to_version, i.reviews, i.since
        ));
        out.push_str(&format!(
            "  team IQS {} → {} ({}); pass → fail {}, fail → pass {}\n",
            one_decimal(i.team_before),
            one_decimal(i.team_after),
            signed(crate::analysis::score::delta(i.team_before, i.team_after)),
            i.pass_to_fail,
            i.fail_to_pass
        ));
        let rows: Vec<Vec<String>> = i
            .agents
            .iter()
            .map(|a| {
                vec![
                    fit(&a.agent, 24),
                    a.reviews.to_string(),
                    one_decimal(a.before),
                    one_decimal(a.after),
                    signed(a.delta),
                ]
            })
            .collect();
        for line in table(
            &["agent", "reviews", "before", "after", "change"],
            &[false, true, true, true, true],
            &rows,
        )
        .lines()
        {
            out.push_str("  ");
            out.push_str(line);
            out.push('\n');
        }
        if !i.movers.is_empty() {
            out.push_str("  largest movers:\n");
            for m in &i.movers {
                out.push_str(&format!(
                    "    {} ({}): {} → {} ({})\n",
                    m.id,
                    m.agent,
                    one_decimal(m.before),
                    one_decimal(m.after),
                    signed(m.delta)
                ));
            }
        }
    }
    out
}

/// `rubric diff --format md`: a pull-request comment — a short table, the movers, and the
/// details collapsed. Text from YAML and git goes through [`markdown::escape`].
pub fn diff_md(report: &crate::analysis::impact::DiffReport) -> String {
    let disputes = md_disputes(&report.disputes);
    if report.rubrics.is_empty() {
        // Nothing to comment on a pull request that changes neither (the workflow then posts
        // nothing, and removes an earlier comment).
        return disputes.trim_start().to_string();
    }
    let mut out = format!(
        "### Rubric changes ({} → {})\n\n",
        markdown::escape(&report.base),
        markdown::escape(&report.head)
    );
    out.push_str("| rubric | change | version | version bump |\n|---|---|---|---|\n");
    for d in &report.rubrics {
        let v = |x: Option<u32>| x.map_or_else(|| "–".to_string(), |v| v.to_string());
        out.push_str(&format!(
            "| {} | {} | {} → {} | {} |\n",
            markdown::code(&d.rubric),
            d.status,
            v(d.base_version),
            v(d.head_version),
            if d.needs_version_bump {
                "**needed, missing**"
            } else {
                version_bump(d)
            }
        ));
    }
    for i in &report.impact {
        out.push_str(&md_impact(i));
    }
    out.push_str("\n<details><summary>Details</summary>\n\n");
    for d in &report.rubrics {
        out.push_str(&md_changes(d));
    }
    for i in report.impact.iter().filter(|i| i.reviews > 0) {
        out.push_str(&md_agents(i));
    }
    out.push_str("</details>\n");
    out.push_str(&disputes);
    out
}

/// The disputes a pull request opens or answers, with the review's score before and after.
fn md_disputes(changes: &[crate::report::disputes::DisputeChange]) -> String {
    use markdown::{code, escape};
    if changes.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "\n### Disputes\n\n| review | agent | dispute | change | asked for | score before | \
         score after |\n|---|---|---|---|---|---|---|\n",
    );
    for c in changes {
        let asked: Vec<String> = match &c.proposed_agent {
            Some(a) => vec![format!("agent {}", escape(a))],
            None => c
                .proposed
                .iter()
                .map(|(k, v)| format!("{} {}", escape(k), escape(&v.to_string().replace('"', ""))))
                .collect(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            code(&c.review),
            escape(&c.agent),
            c.dispute,
            c.change,
            asked.join(", "),
            one_decimal(c.score_before),
            one_decimal(c.score_after)
        ));
    }
    out
}

/// One re-scoring in the comment: the team's change and the largest movers.
fn md_impact(i: &crate::analysis::impact::Impact) -> String {
    use markdown::{code, escape};
    if i.reviews == 0 {
        return format!(
            "\nNo reviews of {} version {} since {} to re-score.\n",
            code(&i.rubric),
            i.from_version,
            i.since
        );
    }
    let mut out = format!(
        "\n**Impact of {} {} → {}** on {} review(s) since {}: team IQS {} → {} ({}), \
         {} pass → fail, {} fail → pass.\n",
        code(&i.rubric),
        i.from_version,
        i.to_version,
        i.reviews,
        i.since,
        one_decimal(i.team_before),
        one_decimal(i.team_after),
        signed(crate::analysis::score::delta(i.team_before, i.team_after)),
        i.pass_to_fail,
        i.fail_to_pass
    );
    if !i.movers.is_empty() {
        out.push_str(
            "\n| largest movers | agent | before | after | change |\n|---|---|---|---|---|\n",
        );
        for m in &i.movers {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                escape(&m.id),
                escape(&m.agent),
                one_decimal(m.before),
                one_decimal(m.after),
                signed(m.delta)
            ));
        }
    }
    out
}

/// One rubric's changes, in the collapsed details.
fn md_changes(d: &crate::model::rubric_diff::RubricDiff) -> String {
    let mut out = format!("**{}**\n\n", markdown::escape(&version_line(d)));
    match d.status.as_str() {
        "added" => out.push_str("- a new rubric\n"),
        "removed" => out.push_str("- the rubric was removed\n"),
        _ => {}
    }
    for c in &d.changes {
        let tag = if c.scoring { " (scoring)" } else { "" };
        out.push_str(&format!("- {}{tag}\n", markdown::escape(&c.text)));
    }
    out.push('\n');
    out
}

/// IQS per agent before and after a re-scoring, in the collapsed details.
fn md_agents(i: &crate::analysis::impact::Impact) -> String {
    let mut out = format!(
        "IQS per agent, {} {} → {}:\n\n| agent | reviews | before | after | change |\n|---|---|---|---|---|\n",
        markdown::code(&i.rubric),
        i.from_version,
        i.to_version
    );
    for a in &i.agents {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            markdown::escape(&a.agent),
            a.reviews,
            one_decimal(a.before),
            one_decimal(a.after),
            signed(a.delta)
        ));
    }
    out.push('\n');
    out
}

/// `rubric calibrate`: per session, agreement per category and reviewer deviations
/// ([`calibration_csv`] for CSV).
pub fn calibration(report: &crate::analysis::calibration::CalibrationReport) -> String {
    use crate::analysis::calibration::Undefined;
    // Where an alpha is undefined, say why: agreement on one value is not a missing number.
    let why = |u: Option<Undefined>| match u {
        Some(Undefined::NoVariation) => "undefined (no variation)",
        Some(Undefined::TooFewRatings) | None => "n/a (too few ratings)",
    };
    let a = |x: Option<f64>, u: Option<Undefined>| {
        x.map_or_else(|| why(u).to_string(), |v| format!("{v:.3}"))
    };
    let mut out = String::new();
    for s in &report.sessions {
        out.push_str(&format!(
            "session {}: {} conversation(s), {} reviewer(s)\n",
            s.session, s.conversations, s.reviewers
        ));
        let rows: Vec<Vec<String>> = s
            .categories
            .iter()
            .map(|c| {
                vec![
                    fit(&c.category, 28),
                    c.ratings.to_string(),
                    a(c.alpha, c.undefined),
                    a(c.alpha_ordinal, c.undefined),
                    a(c.alpha_nominal, c.undefined),
                ]
            })
            .collect();
        out.push_str(&table(
            &["category", "ratings", "alpha", "ordinal", "nominal"],
            &[false, true, true, true, true],
            &rows,
        ));
        let rows: Vec<Vec<String>> = s
            .deviations
            .iter()
            .map(|d| vec![fit(&d.reviewer, 28), one_decimal(d.mean_abs_deviation)])
            .collect();
        out.push_str(&table(
            &["reviewer", "mean |deviation| from median"],
            &[false, true],
            &rows,
        ));
        out.push('\n');
    }
    if report.sessions.is_empty() {
        out.push_str("no calibration reviews\n");
    }
    out
}

/// `calibrate --format csv`: one row per category (`kind` agreement) and one per reviewer
/// (`kind` deviation), each kind with its own columns filled in.
pub fn calibration_csv(
    report: &crate::analysis::calibration::CalibrationReport,
) -> Result<String, csv::Error> {
    let mut rows: Vec<[String; 9]> = Vec::new();
    for s in &report.sessions {
        for c in &s.categories {
            rows.push([
                "agreement".to_string(),
                text(&s.session),
                text(&c.category),
                String::new(),
                c.ratings.to_string(),
                number(c.alpha),
                number(c.alpha_ordinal),
                number(c.alpha_nominal),
                String::new(),
            ]);
        }
        for d in &s.deviations {
            rows.push([
                "deviation".to_string(),
                text(&s.session),
                String::new(),
                text(&d.reviewer),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                number(d.mean_abs_deviation),
            ]);
        }
    }
    csv_of(
        &[
            "kind",
            "session",
            "category",
            "reviewer",
            "ratings",
            "alpha",
            "alpha_ordinal",
            "alpha_nominal",
            "mean_abs_deviation",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(gh_data("a%b\r\nc"), "a%25b%0D%0Ac");
        assert_eq!(gh_prop("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn token_ranges() {
        assert_eq!(token_range("  tone: 7", 3), 2..6);
        assert_eq!(token_range("  tone: 7", 9), 8..9);
        assert_eq!(token_range("a: \"x y\"", 4), 3..8);
        assert_eq!(token_range("ä: ö", 4), 4..6);
    }
}
