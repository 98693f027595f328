//! Feedback pages: the site context built from the QA state (the report types in `report`),
//! rendered with minijinja from the built-in templates (embedded) or a repository's own
//! overrides through one loader, and written as a whole: into a temp folder beside the output
//! folder, then swapped in.

mod assignments;
mod calibration;
pub mod chart;
mod disputes;
pub mod private;
pub mod reviewers;
pub mod sealed;

use crate::analysis::score::mean;
use crate::analysis::state::{QaState, ReviewFacts};
use crate::load::file::Input;
use crate::load::review::Details;
use crate::model::is_person_id;
use crate::report::{
    AgentPage, AgentSummary, ArchiveLink, ArchivePage, CategoryCompare, CategoryFailures,
    ChannelFigure, HeatRow, RatingCard, ReviewCard, ReviewerActivity, RootCauseCount, SiteContext,
    TrendPoint,
};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The built-in templates, embedded from `templates/`.
pub const BUILTIN: &[(&str, &str)] = &[
    ("base.html.j2", include_str!("../../templates/base.html.j2")),
    (
        "charts.html.j2",
        include_str!("../../templates/charts.html.j2"),
    ),
    (
        "index.html.j2",
        include_str!("../../templates/index.html.j2"),
    ),
    (
        "agent.html.j2",
        include_str!("../../templates/agent.html.j2"),
    ),
    ("index.md.j2", include_str!("../../templates/index.md.j2")),
    ("agent.md.j2", include_str!("../../templates/agent.md.j2")),
    (
        "calibration.html.j2",
        include_str!("../../templates/calibration.html.j2"),
    ),
    (
        "calibration.md.j2",
        include_str!("../../templates/calibration.md.j2"),
    ),
    (
        "reviewers.html.j2",
        include_str!("../../templates/reviewers.html.j2"),
    ),
    (
        "reviewers.md.j2",
        include_str!("../../templates/reviewers.md.j2"),
    ),
    (
        "private.html.j2",
        include_str!("../../templates/private.html.j2"),
    ),
    (
        "private.js.j2",
        include_str!("../../templates/private.js.j2"),
    ),
    (
        "assignments.html.j2",
        include_str!("../../templates/assignments.html.j2"),
    ),
    (
        "assignments.md.j2",
        include_str!("../../templates/assignments.md.j2"),
    ),
    (
        "archive.html.j2",
        include_str!("../../templates/archive.html.j2"),
    ),
    (
        "archive.md.j2",
        include_str!("../../templates/archive.md.j2"),
    ),
    (
        "reviews.html.j2",
        include_str!("../../templates/reviews.html.j2"),
    ),
    (
        "reviews.md.j2",
        include_str!("../../templates/reviews.md.j2"),
    ),
];

/// The file that marks a folder as a site rubric rendered: only such a folder (or an empty
/// one) is ever replaced, so `--out` can never wipe a folder of other files.
pub const MARKER: &str = ".rubric-site";

/// May `out` be replaced by a new site?
fn replaceable(out: &Path) -> bool {
    match std::fs::symlink_metadata(out) {
        Err(_) => true,
        Ok(m) if m.is_dir() => {
            out.join(MARKER).is_file()
                || std::fs::read_dir(out).is_ok_and(|mut d| d.next().is_none())
        }
        Ok(_) => false,
    }
}

/// Page format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFormat {
    Html,
    Md,
}

impl PageFormat {
    pub fn ext(self) -> &'static str {
        match self {
            PageFormat::Html => "html",
            PageFormat::Md => "md",
        }
    }
}

/// Why pages could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template {name}: {message}")]
    Template { name: String, message: String },
    #[error("cannot write the site to {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    /// A template that exists but must not be used (a link leading outside the repository, a
    /// FIFO, too large); the message names it.
    #[error("{0}")]
    Unusable(String),
    #[error(transparent)]
    Seal(#[from] private::SealError),
    #[error("no agent `{0}` has reviews")]
    NoSuchAgent(String),
    #[error("refusing to write `{0}`: outside the output folder")]
    Outside(String),
    #[error("refusing to write `{path}`: {reason} (nothing was written there)")]
    Refused { path: String, reason: String },
    #[error(
        "refusing to replace `{0}`: it is not a site that rubric rendered (no {MARKER} in it) \
         and not empty. Choose a new or empty folder for --out"
    )]
    NotASite(String),
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        let Some(name) = e.name().map(String::from) else {
            // Not from a template's text: the loader refusing a template (its message names
            // it), or minijinja naming none.
            return RenderError::Unusable(
                e.detail()
                    .map(String::from)
                    .unwrap_or_else(|| e.kind().to_string()),
            );
        };
        let line = e.line().map(|l| format!(" line {l}")).unwrap_or_default();
        RenderError::Template {
            name: format!("{name}{line}"),
            message: e
                .detail()
                .map(String::from)
                .unwrap_or_else(|| e.kind().to_string()),
        }
    }
}

/// A render error, with the undefined variable named: minijinja names it in most cases, and
/// where it does not (inside a macro, for one) the name is taken from the template's source at
/// the error's span.
fn template_error(env: &Environment<'static>, e: minijinja::Error) -> RenderError {
    let named = e.detail().is_some_and(|d| d.contains('`'));
    let unnamed = e.kind() == minijinja::ErrorKind::UndefinedError && !named;
    let source = e
        .name()
        .filter(|_| unnamed)
        .and_then(|n| env.get_template(n).ok())
        .map(|t| t.source().to_string());
    let expr = source
        .as_deref()
        .zip(e.range())
        .and_then(|(src, r)| src.get(r))
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty());
    let mut err = RenderError::from(e);
    if let (Some(expr), RenderError::Template { message, .. }) = (expr, &mut err) {
        *message = format!("`{expr}` is undefined");
    }
    err
}

/// A date, month or RFC 3339 time as a person reads it: `18 Nov 2026`, `Nov 2026`, or
/// `1 Oct 2026, 01:40` (the
/// time as written: review dates are already in the `qa.yaml` zone). Anything else is returned
/// as it is. Templates keep the machine format in `<time datetime>`.
fn human_date(value: String) -> String {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&value, "%Y-%m-%d") {
        return d.format("%-d %b %Y").to_string();
    }
    // A period: `2026-11` is `Nov 2026`.
    if let Ok(d) = chrono::NaiveDate::parse_from_str(&format!("{value}-01"), "%Y-%m-%d") {
        if value.len() == 7 {
            return d.format("%b %Y").to_string();
        }
    }
    match chrono::DateTime::parse_from_rfc3339(&value) {
        Ok(t) => t.format("%-d %b %Y, %H:%M").to_string(),
        Err(_) => value,
    }
}

/// The template environment: strict about undefined variables, autoescaping HTML templates,
/// and one loader that serves a user's override (from `overrides`) before the built-in of the
/// same name. A built-in is also reachable as `builtin/<name>`, so that an override can
/// `{% extends "builtin/agent.html.j2" %}`.
pub fn environment(overrides: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|name| {
        if name.ends_with(".html.j2") || name.ends_with(".html") {
            AutoEscape::Html
        } else {
            AutoEscape::None
        }
    });
    // The one Markdown escaper, as `md(x)` / `x|md` (a line or table cell) and `mdblock(x)` /
    // `x|mdblock` (a block quote's text).
    env.add_function("md", md_inline);
    env.add_filter("md", md_inline);
    env.add_function("mdblock", md_block);
    env.add_filter("mdblock", md_block);
    env.add_filter("human_date", human_date);
    env.set_loader(move |name| {
        if let Some(b) = name.strip_prefix("builtin/") {
            return Ok(BUILTIN
                .iter()
                .find(|(n, _)| *n == b)
                .map(|(_, s)| s.to_string()));
        }
        if let Some(dir) = &overrides {
            // Only plain names: a template cannot reach outside its folder.
            let plain = !name.contains(['/', '\\']) && !name.starts_with('.');
            if plain {
                if let Some(text) = read_override(dir, name)? {
                    return Ok(Some(text));
                }
            }
        }
        Ok(BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.to_string()))
    });
    env
}

/// A user's template `name` from the overrides folder `dir`, read as every repository file is
/// ([`read_within`](crate::load::file::read_within)): a regular file only, no symbolic link
/// leading outside the repository (neither the template nor the folder), the same size limit.
/// `None` when there is no such file (the built-in serves); an error naming the template when
/// something is there that must not be used.
fn read_override(dir: &Path, name: &str) -> Result<Option<String>, minijinja::Error> {
    use crate::load::file::{read_within, Input};
    let path = dir.join(name);
    if std::fs::symlink_metadata(&path).is_err() {
        return Ok(None);
    }
    let refuse = |why: String| {
        Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!(
                "template `{name}` ({}) is not used: {why}",
                crate::output::terminal::plain(&path.display().to_string())
            ),
        ))
    };
    let root = repository_of(dir);
    let (base, real_dir) = match (std::fs::canonicalize(&root), std::fs::canonicalize(dir)) {
        (Ok(b), Ok(d)) => (b, d),
        (Err(e), _) | (_, Err(e)) => return refuse(format!("cannot resolve its folder: {e}")),
    };
    let Ok(rel) = real_dir.strip_prefix(&base) else {
        return refuse(
            "its folder is a symbolic link leading outside the repository: rubric does not \
             follow it"
                .to_string(),
        );
    };
    let rel = rel.join(name);
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    match read_within(&base, &rel.to_string_lossy(), max) {
        Input::Bytes(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) => refuse("not UTF-8 text".to_string()),
        },
        Input::TooLarge(size) => refuse(format!("{size} bytes, over the {max}-byte limit")),
        Input::Failed(e) => refuse(e.to_string()),
    }
}

fn md_inline(v: minijinja::Value) -> String {
    crate::output::markdown::escape(&v.to_string())
}

fn md_block(v: minijinja::Value) -> String {
    crate::output::markdown::quote(&v.to_string())
}

/// (year, month) of a day: compared instead of month labels in the inner loops.
fn ym(day: chrono::NaiveDate) -> (i32, u32) {
    use chrono::Datelike;
    (day.year(), day.month())
}

/// (year, month) of a `2026-11` label.
fn parse_ym(label: &str) -> (i32, u32) {
    let (y, m) = label.split_once('-').unwrap_or((label, "0"));
    (y.parse().unwrap_or(0), m.parse().unwrap_or(0))
}

fn month(day: chrono::NaiveDate) -> String {
    day.format("%Y-%m").to_string()
}

/// How many of an agent's latest reviews a page lists.
pub const LATEST_REVIEWS: usize = 10;

/// What every part of the site context starts from: the reviews the pages count, the months
/// they cover and the roster's teams.
struct Selection<'a> {
    state: &'a QaState,
    /// Agents' own reviews: calibration reviews are re-ratings for agreement, not a record.
    reviews: Vec<&'a ReviewFacts>,
    /// Months with scored reviews (`2026-11`), oldest first.
    months: Vec<String>,
    /// The latest of `months`.
    current: Option<String>,
    /// The calendar month just before `current`: "change" is against it (SPEC §5.5), as in
    /// `trends`.
    previous: Option<String>,
    /// Roster id → team, looked up once rather than per review.
    teams: HashMap<String, Option<String>>,
}

impl<'a> Selection<'a> {
    fn new(state: &'a QaState) -> Selection<'a> {
        let reviews: Vec<&ReviewFacts> = state
            .reviews
            .iter()
            .filter(|r| r.calibration.is_none() && is_person_id(&r.agent))
            .collect();
        let months: Vec<String> = reviews
            .iter()
            .filter(|r| r.score.is_some())
            .map(|r| month(r.day))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let current = months.last().cloned();
        let previous = current.as_deref().map(month_before);
        let teams = state
            .config
            .people
            .iter()
            .flatten()
            .map(|(id, p)| (id.to_string(), p.team.as_ref().map(|t| t.to_string())))
            .collect();
        Selection {
            state,
            reviews,
            months,
            current,
            previous,
            teams,
        }
    }

    fn team_of(&self, agent: &str) -> Option<String> {
        self.teams.get(agent).cloned().flatten()
    }

    /// The reviews per agent, agents in id order.
    fn by_agent(&self) -> BTreeMap<&'a str, Vec<&'a ReviewFacts>> {
        let mut by_agent: BTreeMap<&str, Vec<&ReviewFacts>> = BTreeMap::new();
        for r in &self.reviews {
            by_agent.entry(r.agent.as_str()).or_default().push(r);
        }
        by_agent
    }
}

/// The `2026-10` before `2026-11` (and `2025-12` before `2026-01`).
fn month_before(label: &str) -> String {
    let (y, mo) = parse_ym(label);
    let (py, pm) = if mo <= 1 { (y - 1, 12) } else { (y, mo - 1) };
    format!("{py:04}-{pm:02}")
}

/// The mean score of the reviews in month `m` (`2026-11`).
fn month_mean(rs: &[&ReviewFacts], m: &str) -> Option<f64> {
    let k = parse_ym(m);
    mean(rs.iter().filter(|r| ym(r.day) == k).filter_map(|r| r.score))
}

/// One agent's line on the index (and the head of the agent's page).
fn summary(sel: &Selection, format: PageFormat, id: &str, rs: &[&ReviewFacts]) -> AgentSummary {
    let iqs = sel.current.as_deref().and_then(|m| month_mean(rs, m));
    let prev = sel.previous.as_deref().and_then(|m| month_mean(rs, m));
    let passes: Vec<bool> = rs.iter().filter_map(|r| r.pass).collect();
    let scored_in = |k: (i32, u32)| {
        rs.iter()
            .filter(|r| r.score.is_some() && ym(r.day) == k)
            .count()
    };
    // No review in the current period: the latest period that has one, shown greyed.
    let last = iqs.is_none().then(|| {
        sel.months
            .iter()
            .rev()
            .find_map(|m| Some((m.clone(), month_mean(rs, m)?)))
    });
    let (last_period, last_iqs) = last.flatten().unzip();
    AgentSummary {
        id: id.to_string(),
        name: sel.state.name(id),
        team: sel.team_of(id),
        iqs,
        last_iqs,
        last_period,
        change: crate::analysis::score::delta(prev, iqs),
        reviews: sel.current.as_deref().map_or(0, |m| scored_in(parse_ym(m))),
        total_reviews: rs.iter().filter(|r| r.score.is_some()).count(),
        pass_rate: (!passes.is_empty())
            .then(|| 100.0 * passes.iter().filter(|p| **p).count() as f64 / passes.len() as f64),
        sparkline: sel.months.iter().map(|m| month_mean(rs, m)).collect(),
        link: format!("agents/{id}.{}", format.ext()),
    }
}

/// IQS per team (or "(no team)") and month.
fn heatmap(sel: &Selection) -> Vec<HeatRow> {
    let mut teams: BTreeMap<String, Vec<&ReviewFacts>> = BTreeMap::new();
    for r in &sel.reviews {
        let t = sel
            .team_of(&r.agent)
            .unwrap_or_else(|| "(no team)".to_string());
        teams.entry(t).or_default().push(r);
    }
    teams
        .iter()
        .map(|(team, rs)| HeatRow {
            team: team.clone(),
            cells: sel.months.iter().map(|m| month_mean(rs, m)).collect(),
        })
        .collect()
}

/// The site's category figures, from one pass over the category values (value ×100) of
/// `Selection::reviews` (`QaState::categories`, computed from each review's ratings as they
/// are needed, never held per review): the titles, how often each category was failed, and
/// per (team, category) the running sum and count of the values — the team's mean, summed in
/// review order as `mean` sums.
#[derive(Default)]
struct CategoryValues {
    titles: BTreeMap<String, String>,
    /// Category → (ratings below 50, ratings).
    failing: BTreeMap<String, (usize, usize)>,
    teams: TeamCategories,
}

impl CategoryValues {
    fn new(sel: &Selection) -> CategoryValues {
        let mut out = CategoryValues::default();
        for r in &sel.reviews {
            if let Some(rubric) = sel.state.rubric(r) {
                for c in rubric.categories.iter() {
                    if !out.titles.contains_key(c.id.as_str()) {
                        out.titles.insert(c.id.to_string(), c.title.0.clone());
                    }
                }
            }
            let team = sel.team_of(&r.agent);
            for (c, v) in sel.state.categories(r) {
                let f = out.failing.entry(c.clone()).or_default();
                f.1 += 1;
                if v < 50.0 {
                    f.0 += 1;
                }
                let t = out.teams.entry((team.clone(), c)).or_default();
                t.0 += v;
                t.1 += 1;
            }
        }
        out
    }

    /// The mean value of `category` in `team` (everybody without a team).
    fn team_mean(&self, team: Option<String>, category: String) -> Option<f64> {
        let (sum, n) = self.teams.get(&(team, category))?;
        (*n > 0).then(|| sum / *n as f64)
    }

    fn title(&self, category: &str) -> String {
        self.titles
            .get(category)
            .cloned()
            .unwrap_or_else(|| category.to_string())
    }
}

/// The ten categories failed most often (rated below 50).
fn failing_categories(values: &CategoryValues) -> Vec<CategoryFailures> {
    let mut out: Vec<CategoryFailures> = values
        .failing
        .iter()
        .filter(|(_, (f, _))| *f > 0)
        .map(|(c, (f, n))| CategoryFailures {
            category: c.to_string(),
            title: values.title(c),
            failures: *f,
            ratings: *n,
        })
        .collect();
    out.sort_by(|a, b| {
        b.failures
            .cmp(&a.failures)
            .then(a.category.cmp(&b.category))
    });
    out.truncate(10);
    out
}

/// Reviews per reviewer and the latest day; empty when reviewers are anonymised.
fn reviewers_table(sel: &Selection, anonymize: bool) -> Vec<ReviewerActivity> {
    let mut reviewers: BTreeMap<&str, (usize, chrono::NaiveDate)> = BTreeMap::new();
    if !anonymize {
        for r in &sel.reviews {
            let e = reviewers.entry(&r.reviewer).or_insert((0, r.day));
            e.0 += 1;
            e.1 = e.1.max(r.day);
        }
    }
    reviewers
        .into_iter()
        .map(|(reviewer, (n, last))| ReviewerActivity {
            name: sel.state.name(reviewer),
            reviewer: reviewer.to_string(),
            reviews: n,
            last: last.format("%Y-%m-%d").to_string(),
        })
        .collect()
}

/// (team, category) → the sum and count of the values rated in it (the agent's team, or
/// everybody without one).
type TeamCategories = BTreeMap<(Option<String>, String), (f64, usize)>;

/// An agent's reviews by (day, id), oldest first.
fn by_day<'r>(rs: &[&'r ReviewFacts]) -> Vec<&'r ReviewFacts> {
    let mut sorted = rs.to_vec();
    sorted.sort_by(|a, b| (a.day, &a.id).cmp(&(b.day, &b.id)));
    sorted
}

/// What scores do not keep (comments, root causes, links) for the reviews the pages list (each
/// agent's latest): read through the state (on disk, or in the `--rev` tree), bytes first on
/// this thread (the state's git objects stay on it), then parsed in parallel.
fn read_details<'r>(
    state: &QaState,
    wanted: &[(&str, &[&'r ReviewFacts])],
) -> HashMap<&'r str, Details> {
    let paths: Vec<&str> = wanted
        .iter()
        .flat_map(|(_, rs)| {
            by_day(rs)
                .into_iter()
                .rev()
                .take(LATEST_REVIEWS)
                .map(|r| r.path.as_str())
        })
        .collect();
    read_paths(state, paths)
}

/// The [`Details`] of the files at `paths`: bytes read through the state on this thread, then
/// parsed in parallel.
fn read_paths<'r>(state: &QaState, paths: Vec<&'r str>) -> HashMap<&'r str, Details> {
    let inputs: Vec<(&str, Input)> = paths.iter().map(|p| (*p, state.read(p))).collect();
    inputs
        .into_par_iter()
        .map(|(p, input)| {
            // `state.read` has already applied the state's size limit.
            let details = match input {
                Input::Bytes(b) => crate::load::yaml::load(p, &b, usize::MAX)
                    .map(|d| Details::from_value(&d.value))
                    .unwrap_or_default(),
                _ => Details::default(),
            };
            (p, details)
        })
        .collect()
}

/// What every agent page (and archive page) is built from.
struct PageParts<'a> {
    sel: Selection<'a>,
    values: CategoryValues,
    anonymize: bool,
    format: PageFormat,
    disputes: disputes::SiteDisputes,
}

/// An agent's IQS by month, with the rubric versions first seen that month.
fn trend(months: &[String], sorted: &[&ReviewFacts]) -> Vec<TrendPoint> {
    let mut seen_versions: BTreeSet<String> = BTreeSet::new();
    let mut trend: Vec<TrendPoint> = Vec::new();
    for m in months {
        let k = parse_ym(m);
        let in_month: Vec<&&ReviewFacts> = sorted.iter().filter(|r| ym(r.day) == k).collect();
        let scores: Vec<f64> = in_month.iter().filter_map(|r| r.score).collect();
        let mut new_versions = Vec::new();
        for r in &in_month {
            let v = format!("{}@{}", r.rubric, r.version);
            if seen_versions.insert(v.clone()) && !trend.is_empty() {
                new_versions.push(v);
            }
        }
        if let Some(iqs) = mean(scores.iter().copied()) {
            trend.push(TrendPoint {
                period: m.clone(),
                iqs,
                reviews: scores.len(),
                new_versions,
            });
        }
    }
    trend
}

/// The IQS per channel of an agent's reviews in `period` (`2026-11`), every channel the agent's
/// reviews have (`(no channel)` for those without one); empty when there is only one.
fn channel_figures(rs: &[&ReviewFacts], period: &str) -> Vec<ChannelFigure> {
    const NONE: &str = "(no channel)";
    let channel = |r: &ReviewFacts| r.snapshot.channel.as_deref().unwrap_or(NONE).to_string();
    let all: BTreeSet<String> = rs.iter().map(|r| channel(r)).collect();
    if all.len() < 2 {
        return Vec::new();
    }
    let k = parse_ym(period);
    all.into_iter()
        .map(|c| {
            let scores: Vec<f64> = rs
                .iter()
                .filter(|r| ym(r.day) == k && channel(r) == c)
                .filter_map(|r| r.score)
                .collect();
            ChannelFigure {
                channel: c,
                period: period.to_string(),
                iqs: mean(scores.iter().copied()),
                reviews: scores.len(),
            }
        })
        .collect()
}

/// An agent's mean per category against the agent's team.
fn compare_categories(
    parts: &PageParts<'_>,
    team: Option<String>,
    rs: &[&ReviewFacts],
) -> Vec<CategoryCompare> {
    let mut mine: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in rs {
        for (c, v) in parts.sel.state.categories(r) {
            mine.entry(c).or_default().push(v);
        }
    }
    mine.iter()
        .map(|(c, vs)| CategoryCompare {
            category: c.clone(),
            title: parts.values.title(c),
            agent: mean(vs.iter().copied()).unwrap_or(0.0),
            team: parts.values.team_mean(team.clone(), c.clone()),
            ratings: vs.len(),
        })
        .collect()
}

/// The (up to three) strongest and weakest categories.
fn strongest_and_weakest(
    categories: &[CategoryCompare],
) -> (Vec<CategoryCompare>, Vec<CategoryCompare>) {
    // Against the team: ranked by the agent's lead over the team, and a category is "strongest"
    // only where the agent is at or above the team ("weakest" only where below). Without any
    // team figure (an agent alone in their team), by the agent's own averages.
    let against_team = categories.iter().any(|c| c.team.is_some());
    let lead = |c: &CategoryCompare| match (against_team, c.team) {
        (true, Some(t)) => Some(c.agent - t),
        (true, None) => None,
        (false, _) => Some(c.agent),
    };
    let mut ranked: Vec<(f64, &CategoryCompare)> = categories
        .iter()
        .filter_map(|c| Some((lead(c)?, c)))
        .collect();
    ranked.sort_by(|(a, x), (b, y)| b.total_cmp(a).then(x.category.cmp(&y.category)));
    let n = if against_team {
        3
    } else {
        (ranked.len() / 2).min(3)
    };
    let at_or_above = |l: f64| !against_team || l >= -1e-9;
    let below = |l: f64| !against_team || l < -1e-9;
    let strongest = ranked
        .iter()
        .filter(|(l, _)| at_or_above(*l))
        .take(n)
        .map(|(_, c)| (*c).clone())
        .collect();
    let weakest = ranked
        .iter()
        .rev()
        .filter(|(l, _)| below(*l))
        .take(n)
        .map(|(_, c)| (*c).clone())
        .collect();
    (strongest, weakest)
}

/// Root causes named in an agent's reviews, most frequent first.
fn root_causes(rs: &[&ReviewFacts]) -> Vec<RootCauseCount> {
    let mut causes: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in rs {
        for (c, list) in &r.snapshot.root_causes {
            for cause in list {
                *causes
                    .entry((c.to_string(), cause.to_string()))
                    .or_default() += 1;
            }
        }
    }
    let mut out: Vec<RootCauseCount> = causes
        .into_iter()
        .map(|((category, cause), count)| RootCauseCount {
            category,
            cause,
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.cause.cmp(&b.cause)));
    out
}

/// A review's ratings in its rubric's category order, with the file's comments and causes.
fn rating_cards(
    state: &QaState,
    r: &ReviewFacts,
    d: &Details,
    failed_groups: &[String],
) -> Vec<RatingCard> {
    use crate::model::Critical;
    let Some(rubric) = state.rubric(r) else {
        return Vec::new();
    };
    rubric
        .categories
        .iter()
        .filter_map(|c| {
            let rating = r.snapshot.rating(c.id.as_str())?;
            let label = rating.and_then(|p| {
                let i = usize::try_from(p - 1).ok()?;
                c.labels.as_ref()?.get(i).cloned()
            });
            let low =
                rating.is_some_and(|p| crate::analysis::score::rating_value(p, c.scale.0) < 0.5);
            let in_failed = |g: &crate::model::Slug| failed_groups.iter().any(|f| f == g.as_str());
            Some(RatingCard {
                critical: c.critical == Critical::Review,
                failed_critical: c.critical == Critical::Review && low,
                critical_group: c.critical == Critical::Group,
                failed_group: rating.is_some() && c.group.as_ref().is_some_and(in_failed),
                bonus: c.bonus,
                category: c.id.to_string(),
                title: c.title.0.clone(),
                rating,
                scale: c.scale.0,
                label,
                comment: d.comments.get(c.id.as_str()).cloned(),
                root_causes: d.causes.get(c.id.as_str()).cloned().unwrap_or_default(),
            })
        })
        .collect()
}

/// One review on an agent's page, with its disputes; edited when its score changed since it
/// was first written other than by a granted dispute.
fn review_card(parts: &PageParts<'_>, r: &ReviewFacts, d: &Details) -> ReviewCard {
    let state = parts.sel.state;
    let anonymize = parts.anonymize;
    let first = state.first_score(r);
    let changed = match (first, r.score) {
        (Some(f), Some(s)) => (f - s).abs() > 1e-9,
        _ => false,
    };
    let disputes = parts
        .disputes
        .by_review
        .get(&r.id)
        .cloned()
        .unwrap_or_default();
    let granted = disputes
        .iter()
        .any(|x| !x.granted.is_empty() || x.status == "accepted");
    let (disputed, edited) = (!disputes.is_empty(), changed && !granted);
    let scored =
        crate::analysis::score::score_review(&r.rubric_version, &r.snapshot.rating_values());
    let ratings = rating_cards(state, r, d, &scored.failed_groups);
    ReviewCard {
        id: r.id.clone(),
        date: r.date.clone(),
        rubric: r.rubric.clone(),
        version: r.version,
        score: r.score,
        pass: r.pass,
        reviewer: (!anonymize).then(|| state.name(&r.reviewer)),
        conversation: r.snapshot.conversation.as_deref().map(String::from),
        url: d.url.clone(),
        comment: d.comment.clone(),
        disputed,
        edited,
        first_score: if edited || disputed { first } else { None },
        disputes,
        critical_failure: ratings.iter().any(|g| g.failed_critical),
        failed_groups: group_titles(&r.rubric_version, &scored.failed_groups),
        ratings,
    }
}

/// The titles of some groups of a rubric (the id where the group has no title).
fn group_titles(rubric: &crate::model::Rubric, ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| {
            rubric
                .groups
                .iter()
                .find(|g| g.id.as_str() == id)
                .map_or_else(|| id.clone(), |g| g.title.0.clone())
        })
        .collect()
}

/// One agent's page. `details` holds the files read ahead; a review missing from it is read
/// here.
fn agent_page(
    parts: &PageParts<'_>,
    agent: AgentSummary,
    rs: &[&ReviewFacts],
    details: &mut HashMap<&str, Details>,
) -> AgentPage {
    let state = parts.sel.state;
    let sorted = by_day(rs);
    let categories = compare_categories(parts, parts.sel.team_of(&agent.id), rs);
    let (strongest, weakest) = strongest_and_weakest(&categories);
    let reviews = sorted
        .iter()
        .rev()
        .take(LATEST_REVIEWS)
        .map(|r| {
            let d = details
                .remove(r.path.as_str())
                .unwrap_or_else(|| state.details(&r.path));
            review_card(parts, r, &d)
        })
        .collect();
    let trend = trend(&parts.sel.months, &sorted);
    let period = match agent.iqs {
        Some(_) => parts.sel.current.clone(),
        None => agent.last_period.clone(),
    };
    let channels = period.map_or_else(Vec::new, |p| channel_figures(&sorted, &p));
    let archive = archive_links(&agent.id, &sorted, parts.format);
    AgentPage {
        chart: chart::trend_chart(&trend, parts.sel.current.as_deref()),
        trend,
        archive,
        channels,
        categories,
        strongest,
        weakest,
        root_causes: root_causes(&sorted),
        reviews,
        agent,
    }
}

/// The reviews of an agent (sorted oldest first) that the agent's page does not list — all but
/// the latest [`LATEST_REVIEWS`] — by month (`2026-10`), newest month first, each month's
/// reviews newest first.
fn archive_months<'r>(sorted: &[&'r ReviewFacts]) -> Vec<(String, Vec<&'r ReviewFacts>)> {
    let older = sorted.len().saturating_sub(LATEST_REVIEWS);
    let mut months: BTreeMap<String, Vec<&ReviewFacts>> = BTreeMap::new();
    for r in sorted[..older].iter().rev() {
        months.entry(month(r.day)).or_default().push(r);
    }
    months.into_iter().rev().collect()
}

/// The links to an agent's archive pages (`sorted` by [`by_day`]), newest month first.
fn archive_links(agent: &str, sorted: &[&ReviewFacts], format: PageFormat) -> Vec<ArchiveLink> {
    archive_months(sorted)
        .into_iter()
        .map(|(period, rs)| archive_link(agent, &period, rs.len(), format))
        .collect()
}

/// The link to one month of an agent's archive: `agents/<id>/<month>.<ext>` from the site's
/// root.
fn archive_link(agent: &str, period: &str, reviews: usize, format: PageFormat) -> ArchiveLink {
    ArchiveLink {
        period: period.to_string(),
        reviews,
        link: format!("agents/{agent}/{period}.{}", format.ext()),
    }
}

/// The site built from the state: the context of the overview and agent pages, and the archive
/// pages, built an agent at a time so that a long history is never held whole.
pub struct SiteBuilder<'a> {
    parts: PageParts<'a>,
    by_agent: BTreeMap<&'a str, Vec<&'a ReviewFacts>>,
    /// One summary per agent, for the index and for the agent's pages.
    agents: Vec<AgentSummary>,
    now: chrono::DateTime<chrono::Utc>,
}

impl<'a> SiteBuilder<'a> {
    pub fn new(
        state: &'a QaState,
        format: PageFormat,
        anonymize: bool,
        now: chrono::DateTime<chrono::Utc>,
    ) -> SiteBuilder<'a> {
        let sel = Selection::new(state);
        let by_agent = sel.by_agent();
        let agents: Vec<AgentSummary> = by_agent
            .iter()
            .map(|(id, rs)| summary(&sel, format, id, rs))
            .collect();
        let values = CategoryValues::new(&sel);
        SiteBuilder {
            parts: PageParts {
                sel,
                values,
                anonymize,
                format,
                disputes: disputes::site_disputes(state, anonymize, now),
            },
            by_agent,
            agents,
            now,
        }
    }

    /// The site context. With `agent`, only that agent's page is built.
    pub fn context(&self, agent: Option<&str>) -> Result<SiteContext, RenderError> {
        let mut site = self.overview(agent)?;
        site.pages = self.agent_pages(&self.agent_ids(agent));
        Ok(site)
    }

    /// The agents whose pages the site has (with `agent`, that one), in id order.
    pub fn agent_ids(&self, agent: Option<&str>) -> Vec<&'a str> {
        self.by_agent
            .keys()
            .filter(|id| agent.is_none_or(|a| a == **id))
            .copied()
            .collect()
    }

    /// The pages of the agents `ids` (their latest reviews' files read for comments): `render`
    /// builds them a batch at a time, so that a large team's pages are never all held.
    pub fn agent_pages(&self, ids: &[&str]) -> Vec<AgentPage> {
        let parts = &self.parts;
        let wanted: Vec<(&str, &[&ReviewFacts], &AgentSummary)> = ids
            .iter()
            .filter_map(|id| {
                let (key, rs) = self.by_agent.get_key_value(id)?;
                // `agents` follows `by_agent`: in id order.
                let at = self
                    .agents
                    .binary_search_by(|a| a.id.as_str().cmp(key))
                    .ok()?;
                Some((*key, rs.as_slice(), &self.agents[at]))
            })
            .collect();
        let to_read: Vec<(&str, &[&ReviewFacts])> =
            wanted.iter().map(|(id, rs, _)| (*id, *rs)).collect();
        let mut details = read_details(parts.sel.state, &to_read);
        wanted
            .iter()
            .map(|(_, rs, s)| agent_page(parts, (*s).clone(), rs, &mut details))
            .collect()
    }

    /// The links to an agent's archive pages, as the agent's page lists them (none for an
    /// agent without pages): which pages a site has, without building them.
    pub fn archive_links(&self, agent: &str) -> Vec<ArchiveLink> {
        self.by_agent.get(agent).map_or_else(Vec::new, |rs| {
            archive_links(agent, &by_day(rs), self.parts.format)
        })
    }

    /// The site context without its agent pages (`pages` is empty): what the overview pages
    /// and every page's `site` need. With `agent`, the reviewers page is not built.
    pub fn overview(&self, agent: Option<&str>) -> Result<SiteContext, RenderError> {
        let (parts, state) = (&self.parts, self.parts.sel.state);
        let sel = &parts.sel;
        if let Some(a) = agent.filter(|a| !self.by_agent.contains_key(a)) {
            return Err(RenderError::NoSuchAgent(a.to_string()));
        }
        let calibration = calibration::site_calibration(state, parts.anonymize);
        // The reviewers page belongs to the overview: not built for one agent's page.
        let reviewer_stats = match agent {
            None => reviewers::reviewer_pages(state, &calibration.sessions, parts.anonymize),
            Some(_) => Vec::new(),
        };
        Ok(SiteContext {
            generated_at: self
                .now
                .with_timezone(&state.tz)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
            timezone: state.tz.name().to_string(),
            current_period: sel.current.clone(),
            anonymized: parts.anonymize,
            heatmap: heatmap(sel),
            failing_categories: failing_categories(&parts.values),
            reviewers: reviewers_table(sel, parts.anonymize),
            left_out: state.left_out.clone(),
            open_disputes: parts.disputes.open.clone(),
            dispute_accept_rates: parts.disputes.rates.clone(),
            calibration: calibration.pages,
            reviewer_stats,
            assignments: assignments::site_assignments(state, parts.anonymize, self.now),
            months: sel.months.clone(),
            agents: self.agents.clone(),
            pages: Vec::new(),
        })
    }

    /// What the archive pages need, and no more: the context's figures (category titles,
    /// failures and team averages) are freed, so that a large site holds no more than it must
    /// while its archive pages are written.
    pub fn into_archive(mut self) -> Archive<'a> {
        self.parts.values = CategoryValues::default();
        Archive(self)
    }

    /// The archive pages of one agent (none for an agent without reviews): a page per month of
    /// the reviews that the agent's page does not list, newest month first.
    fn archive(&self, agent: &str) -> Vec<ArchivePage> {
        let (Some(rs), Some(summary)) = (
            self.by_agent.get(agent),
            self.agents.iter().find(|a| a.id == agent),
        ) else {
            return Vec::new();
        };
        let parts = &self.parts;
        let sorted = by_day(rs);
        let months = archive_months(&sorted);
        let links: Vec<ArchiveLink> = months
            .iter()
            .map(|(m, rs)| archive_link(agent, m, rs.len(), parts.format))
            .collect();
        months
            .iter()
            .enumerate()
            .map(|(i, (period, rs))| {
                let mut details = read_paths(
                    parts.sel.state,
                    rs.iter().map(|r| r.path.as_str()).collect(),
                );
                let reviews = rs
                    .iter()
                    .map(|r| {
                        let d = details
                            .remove(r.path.as_str())
                            .unwrap_or_else(|| parts.sel.state.details(&r.path));
                        review_card(parts, r, &d)
                    })
                    .collect();
                ArchivePage {
                    agent: summary.clone(),
                    period: period.clone(),
                    reviews,
                    newer: i.checked_sub(1).map(|j| links[j].clone()),
                    older: links.get(i + 1).cloned(),
                }
            })
            .collect()
    }
}

/// The archive pages of a site, built an agent at a time ([`SiteBuilder::into_archive`]).
pub struct Archive<'a>(SiteBuilder<'a>);

impl Archive<'_> {
    /// The archive pages of one agent (none for an agent without reviews or without reviews
    /// beyond the agent page's latest 10): a page per month, newest month first.
    pub fn pages(&self, agent: &str) -> Vec<ArchivePage> {
        self.0.archive(agent)
    }
}

/// Builds the site context. With `agent`, only that agent's page is built.
pub fn build_context(
    state: &QaState,
    format: PageFormat,
    anonymize: bool,
    agent: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<SiteContext, RenderError> {
    SiteBuilder::new(state, format, anonymize, now).context(agent)
}

/// The site as templates see it.
fn template_site(site: &SiteContext) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(site))
}

/// Renders the site's pages: `index.<ext>` (unless only one agent was asked for) and
/// `agents/<id>.<ext>`. Paths are relative to the output folder.
pub fn render_pages(
    env: &Environment<'static>,
    ctx: &SiteContext,
    format: PageFormat,
    index: bool,
) -> Result<Vec<(PathBuf, String)>, RenderError> {
    let ext = format.ext();
    let pages = &ctx.pages;
    let site_value = site_value(ctx);
    let mut out = Vec::new();
    if index {
        let t = env.get_template(&format!("index.{ext}.j2"))?;
        out.push((
            PathBuf::from(format!("index.{ext}")),
            t.render(minijinja::context! { site => site_value.clone() })
                .map_err(|e| template_error(env, e))?,
        ));
        let extra = [
            ("calibration", !ctx.calibration.is_empty()),
            ("reviewers", !ctx.reviewer_stats.is_empty()),
        ];
        for (name, _) in extra.iter().filter(|(_, wanted)| *wanted) {
            let t = env.get_template(&format!("{name}.{ext}.j2"))?;
            out.push((
                PathBuf::from(format!("{name}.{ext}")),
                t.render(minijinja::context! { site => site_value.clone() })
                    .map_err(|e| template_error(env, e))?,
            ));
        }
    }
    out.extend(render_agent_pages(env, &site_value, pages, format)?);
    Ok(out)
}

/// Renders agent pages (`agents/<id>.<ext>`) with `agent.<ext>.j2`, which sees `site` (from
/// [`site_value`]) and `page`.
pub fn render_agent_pages(
    env: &Environment<'static>,
    site_value: &minijinja::Value,
    pages: &[AgentPage],
    format: PageFormat,
) -> Result<Vec<(PathBuf, String)>, RenderError> {
    use minijinja::value::{Serde, Value};
    let ext = format.ext();
    let t = env.get_template(&format!("agent.{ext}.j2"))?;
    pages
        .par_iter()
        .map(|page| {
            let id = &page.agent.id;
            // Paths come only from validated ids (no slash, no leading dot).
            if !is_person_id(id) {
                return Err(RenderError::Outside(id.clone()));
            }
            let html = t
                .render(minijinja::context! {
                    site => site_value.clone(),
                    page => Value::from(Serde(page)),
                })
                .map_err(|e| template_error(env, e))?;
            Ok((PathBuf::from("agents").join(format!("{id}.{ext}")), html))
        })
        .collect()
}

/// Renders archive pages (`agents/<id>/<month>.<ext>`) with `archive.<ext>.j2`, which sees
/// `site` (the site without its pages, as every page does) and `page` (an [`ArchivePage`]).
pub fn render_archive(
    env: &Environment<'static>,
    site: &minijinja::Value,
    pages: &[ArchivePage],
    format: PageFormat,
) -> Result<Vec<(PathBuf, String)>, RenderError> {
    use minijinja::value::{Serde, Value};
    let ext = format.ext();
    let t = env.get_template(&format!("archive.{ext}.j2"))?;
    pages
        .par_iter()
        .map(|page| {
            let id = &page.agent.id;
            // Paths come only from validated ids and `YYYY-MM` periods.
            let period_ok = page.period.len() == 7
                && page.period.bytes().enumerate().all(|(i, b)| {
                    if i == 4 {
                        b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }
                });
            if !is_person_id(id) || !period_ok {
                return Err(RenderError::Outside(format!("{id}/{}", page.period)));
            }
            let text = t
                .render(
                    minijinja::context! { site => site.clone(), page => Value::from(Serde(page)) },
                )
                .map_err(|e| template_error(env, e))?;
            Ok((
                PathBuf::from("agents")
                    .join(id)
                    .join(format!("{}.{ext}", page.period)),
                text,
            ))
        })
        .collect()
}

/// The site as every template sees it (`site`): the context without its pages.
pub fn site_value(ctx: &SiteContext) -> minijinja::Value {
    let mut site = ctx.clone();
    site.pages = Vec::new();
    template_site(&site)
}

/// Writes the pages into `out` as a whole: a temp folder beside it is filled, then swapped in,
/// so an interrupted render leaves the previous site as it was (and what a killed render left
/// beside `out` is removed by the next one). With `keep_others`, files of the
/// previous site that are not rewritten (other agents' pages) are kept.
pub fn write_site(
    out: &Path,
    pages: &[(PathBuf, String)],
    keep_others: bool,
) -> Result<(), RenderError> {
    write_site_on(&crate::load::disk::REAL, out, pages, keep_others)
}

/// [`write_site`], every file written through `disk` (a full disk in tests: the error names
/// the file, and the previous site is left as it was).
pub fn write_site_on(
    disk: &dyn crate::load::disk::Disk,
    out: &Path,
    pages: &[(PathBuf, String)],
    keep_others: bool,
) -> Result<(), RenderError> {
    let mut writer = SiteWriter::begin_on(disk, out, keep_others)?;
    for (rel, text) in pages {
        writer.write(rel, text)?;
    }
    writer.finish()
}

/// A site being written: pages go into a temporary folder beside `out` as they are rendered,
/// and [`finish`](SiteWriter::finish) swaps it in whole. Dropped unfinished (an error, a
/// panic), the temporary folder is removed and the previous site stays as it was.
pub struct SiteWriter<'d> {
    disk: &'d dyn crate::load::disk::Disk,
    out: PathBuf,
    parent: PathBuf,
    name: String,
    tmp: PathBuf,
    finished: bool,
    written: usize,
}

impl<'d> SiteWriter<'d> {
    /// Starts a site on the real disk.
    pub fn begin(out: &Path, keep_others: bool) -> Result<SiteWriter<'static>, RenderError> {
        SiteWriter::begin_on(&crate::load::disk::REAL, out, keep_others)
    }

    /// Starts a site written through `disk`. With `keep_others`, the previous site's files are
    /// copied first, so that those not written again (other agents' pages) are kept.
    pub fn begin_on(
        disk: &'d dyn crate::load::disk::Disk,
        out: &Path,
        keep_others: bool,
    ) -> Result<SiteWriter<'d>, RenderError> {
        use crate::load::file::write_plain;
        if !replaceable(out) {
            return Err(RenderError::NotASite(out.display().to_string()));
        }
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        std::fs::create_dir_all(&parent).map_err(io_error(&parent))?;
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "site".into());
        remove_leftovers(&parent, &name);
        let tmp = parent.join(format!(".{name}.rubric-tmp-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(io_error(&tmp))?;
        let writer = SiteWriter {
            disk,
            out: out.to_path_buf(),
            parent,
            name,
            tmp,
            finished: false,
            written: 0,
        };
        // The marker first: a render killed from here on leaves a folder the next render
        // knows as its own leftover.
        write_plain(
            disk,
            &writer.tmp.join(MARKER),
            b"rendered by rubric render; this folder is replaced whole\n",
        )
        .map_err(io_error(&out.join(MARKER)))?;
        if keep_others && out.is_dir() {
            copy_tree(disk, out, &writer.tmp)?;
        }
        Ok(writer)
    }

    /// Writes one page at `rel` (relative, no `..`: never outside the folder).
    pub fn write(&mut self, rel: &Path, text: &str) -> Result<(), RenderError> {
        let target = self.tmp.join(rel);
        if rel.is_absolute()
            || rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            || !target.starts_with(&self.tmp)
        {
            return Err(RenderError::Outside(rel.display().to_string()));
        }
        // Errors name the page where it was to go: the temporary folder is removed.
        let named = self.out.join(rel);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(io_error(named.parent().unwrap_or(&self.out)))?;
        }
        crate::load::file::write_plain(self.disk, &target, text.as_bytes())
            .map_err(io_error(&named))?;
        self.written += 1;
        Ok(())
    }

    /// Pages written so far.
    pub fn written(&self) -> usize {
        self.written
    }

    /// Swaps the new site in for the previous one.
    pub fn finish(mut self) -> Result<(), RenderError> {
        let (out, tmp) = (&self.out, &self.tmp);
        let old = self
            .parent
            .join(format!(".{}.rubric-old-{}", self.name, std::process::id()));
        if out.exists() {
            std::fs::rename(out, &old).map_err(io_error(out))?;
        }
        if let Err(e) = std::fs::rename(tmp, out) {
            // Put the previous site back.
            let _ = std::fs::rename(&old, out);
            return Err(io_error(out)(e));
        }
        self.finished = true;
        let _ = std::fs::remove_dir_all(&old);
        Ok(())
    }
}

impl Drop for SiteWriter<'_> {
    fn drop(&mut self) {
        if !self.finished {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// A write error naming `path`.
fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> RenderError {
    let path = path.display().to_string();
    move |source| RenderError::Write { path, source }
}

/// Removes what earlier renders of `name` that were killed left in `parent`: folders named
/// `.<name>.rubric-tmp-<PID>` or `.<name>.rubric-old-<PID>` (the names [`write_site`] gives),
/// that are folders (not links), hold the site marker, and whose process is no longer running.
/// Anything else, and a render still running, is left alone; a folder that cannot be removed
/// is left as it was.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefix = format!(".{name}.rubric-");
    for e in entries.flatten() {
        let file_name = e.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest
            .strip_prefix("tmp-")
            .or_else(|| rest.strip_prefix("old-"))
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        let marked = std::fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.is_file());
        if is_dir && marked && pid != std::process::id() && !crate::load::file::process_running(pid)
        {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Copies the previous site's files into the new one, through `disk`; an error names the
/// file that could not be read or written.
fn copy_tree(
    disk: &dyn crate::load::disk::Disk,
    from: &Path,
    to: &Path,
) -> Result<(), RenderError> {
    let fail = io_error;
    for e in walkdir::WalkDir::new(from).min_depth(1).follow_links(false) {
        let e = e.map_err(|e| {
            let path = e.path().unwrap_or(from).to_path_buf();
            fail(&path)(std::io::Error::other(e))
        })?;
        let rel = e
            .path()
            .strip_prefix(from)
            .map_err(|x| fail(e.path())(std::io::Error::other(x)))?;
        let target = to.join(rel);
        // Errors name the previous site's file (the temporary folder is removed).
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(fail(e.path()))?;
        } else if e.file_type().is_file() {
            let bytes = std::fs::read(e.path()).map_err(fail(e.path()))?;
            crate::load::file::write_plain(disk, &target, &bytes).map_err(fail(e.path()))?;
        }
    }
    Ok(())
}

/// Copies the built-in templates into `dir` for editing; existing files are kept unless
/// `force`. Returns the files written. Nothing is written through a symbolic link or into a
/// folder that leads outside the repository that holds `dir` (every target is checked with
/// [`ensure_within`](crate::load::file::ensure_within) before anything is written); a file is
/// replaced by an atomic rename, never rewritten in place.
pub fn init_templates(dir: &Path, force: bool) -> Result<Vec<PathBuf>, RenderError> {
    use crate::load::file::{ensure_within, write_atomic};
    let io = io_error;
    let refused = |path: &Path| {
        let path = path.display().to_string();
        move |e: std::io::Error| RenderError::Refused {
            path,
            reason: e.to_string(),
        }
    };
    let root = repository_of(dir);
    for (name, _) in BUILTIN {
        let p = dir.join(name);
        ensure_within(&root, &p).map_err(refused(&p))?;
    }
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut written = Vec::new();
    for (name, text) in BUILTIN {
        let p = dir.join(name);
        ensure_within(&root, &p).map_err(refused(&p))?;
        if std::fs::symlink_metadata(&p).is_ok() && !force {
            continue;
        }
        match write_atomic(&p, text.as_bytes(), force) {
            Ok(()) => written.push(p),
            // Created meanwhile: kept, as an existing file is.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && !force => {}
            Err(e) => return Err(io(&p)(e)),
        }
    }
    Ok(written)
}

/// The repository a templates folder belongs to: the nearest folder above it (lexically,
/// without following links) with `qa.yaml`, `rubrics/` or `.git`, as the command line finds
/// the repository; the folder's parent when there is none.
fn repository_of(dir: &Path) -> PathBuf {
    let mut lexical = PathBuf::new();
    for c in dir.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                lexical.pop();
            }
            other => lexical.push(other),
        }
    }
    let parent = lexical
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::load::repo::find_root(parent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cat(id: &str, agent: f64, team: Option<f64>) -> CategoryCompare {
        CategoryCompare {
            category: id.into(),
            title: id.into(),
            agent,
            team,
            ratings: 1,
        }
    }

    fn ids(v: &[CategoryCompare]) -> Vec<&str> {
        v.iter().map(|c| c.category.as_str()).collect()
    }

    #[test]
    fn dates_read_as_people_read_them() {
        assert_eq!(human_date("2026-11-18".into()), "18 Nov 2026");
        assert_eq!(
            human_date("2026-10-01T01:40:00+03:00".into()),
            "1 Oct 2026, 01:40"
        );
        assert_eq!(human_date("2026-w47".into()), "2026-w47");
    }

    #[test]
    fn strongest_and_weakest_are_against_the_team() {
        // a leads the team by 10, b by 5, c trails by 20 although it is the agent's best.
        let cats = [
            cat("a", 60.0, Some(50.0)),
            cat("b", 85.0, Some(80.0)),
            cat("c", 95.0, Some(115.0)),
            cat("d", 40.0, Some(45.0)),
        ];
        let (strong, weak) = strongest_and_weakest(&cats);
        assert_eq!(ids(&strong), ["a", "b"]);
        assert_eq!(ids(&weak), ["c", "d"]);
        // All below the team: nothing is "strongest".
        let (strong, weak) = strongest_and_weakest(&[cat("x", 90.0, Some(95.0))]);
        assert!(strong.is_empty());
        assert_eq!(ids(&weak), ["x"]);
        // No team figures at all: the agent's own best and worst halves.
        let (strong, weak) = strongest_and_weakest(&[cat("p", 90.0, None), cat("q", 40.0, None)]);
        assert_eq!((ids(&strong), ids(&weak)), (vec!["p"], vec!["q"]));
    }
}
