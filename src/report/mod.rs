//! The report types that other tools rely on (SPEC §7): what `--format json` prints and what
//! templates see. Field names here are a public contract; change them only with the SPEC.

pub mod assignments;
pub mod calibration;
pub mod chart;
pub mod diff;
pub mod disputes;
pub mod reviewers;

use crate::model::diagnostic::{Diagnostic, Severity};
use serde::Serialize;

/// The result of `rubric check`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckReport {
    pub files_checked: usize,
    /// The checked files, relative to the repository root (not part of the JSON).
    pub files: Vec<String>,
    pub problems: Vec<Diagnostic>,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.problems
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warnings(&self) -> usize {
        self.problems.len() - self.errors()
    }

    /// The SPEC §7 JSON document.
    pub fn to_json(&self) -> CheckJson<'_> {
        CheckJson {
            files_checked: self.files_checked,
            problems: self
                .problems
                .iter()
                .map(|d| ProblemJson {
                    path: &d.path,
                    line: d.line,
                    column: d.column,
                    severity: d.severity,
                    code: d.code.name(),
                    message: &d.message,
                })
                .collect(),
        }
    }
}

/// `check --format json`: `{"files_checked": N, "problems": [...]}`.
#[derive(Debug, Serialize)]
pub struct CheckJson<'a> {
    pub files_checked: usize,
    pub problems: Vec<ProblemJson<'a>>,
}

/// One problem: path relative to the repository root, 1-based line and column.
#[derive(Debug, Serialize)]
pub struct ProblemJson<'a> {
    pub path: &'a str,
    pub line: usize,
    pub column: usize,
    pub severity: Severity,
    pub code: &'a str,
    pub message: &'a str,
}

/// One row of `rubric score` (SPEC §7): one review as it is in the state read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreRow {
    pub id: String,
    pub path: String,
    pub agent: String,
    pub reviewer: String,
    /// RFC 3339: a full date for a date-only `reviewed_at`, else a time in the configured zone.
    pub date: String,
    pub rubric: String,
    pub version: u32,
    pub score: Option<f64>,
    pub pass: Option<bool>,
    pub calibration: Option<String>,
    /// Not committed yet: reviewer and date defaults come from `git config user.email` and
    /// today.
    pub uncommitted: bool,
}

/// A review file that `check` rejects with an error, left out of every figure (SPEC §5.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    pub path: String,
    /// The code of its first error.
    pub code: String,
    pub message: String,
}

/// `rubric trends --format json` (SPEC §7).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendsReport {
    pub by: String,
    pub period: String,
    pub rows: Vec<TrendRow>,
    /// True when the history was partial (a shallow clone with --allow-shallow).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
    /// Review files left out (SPEC §5.5).
    pub left_out: Vec<LeftOut>,
}

/// One key in one period: the mean score (IQS, or a category's mean value ×100).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendRow {
    pub key: String,
    pub period: String,
    pub reviews: usize,
    pub score: f64,
    /// Against the key's previous period (the one right before), when it had reviews.
    pub change: Option<f64>,
}

/// One version of a review (`rubric history ID`), oldest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HistoryRow {
    pub commit: String,
    pub author: String,
    /// The commit's author date, RFC 3339 in the configured zone.
    pub date: String,
    pub score: Option<f64>,
    /// Did this version pass `check`'s rules? An invalid version has no score.
    pub valid: bool,
    /// added, edited, moved or deleted.
    pub kind: String,
    pub path: String,
    /// What this version did to a dispute (SPEC §3.1): `opened`, `accepted`,
    /// `partially-accepted` or `rejected`; null when nothing.
    pub dispute: Option<String>,
}

/// The context the page templates see (`rubric render --context` prints it as JSON): the
/// overview for leads and one page per agent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteContext {
    /// RFC 3339 time the site was rendered.
    pub generated_at: String,
    /// The IANA zone dates are in.
    pub timezone: String,
    /// Month labels (`2026-11`) covered, oldest first.
    pub months: Vec<String>,
    /// The latest month with reviews: "current period" on the index.
    pub current_period: Option<String>,
    /// Reviewer names are hidden (`--anonymize-reviewers`).
    pub anonymized: bool,
    pub agents: Vec<AgentSummary>,
    /// IQS per team and month.
    pub heatmap: Vec<HeatRow>,
    /// Categories by how often they were failed (rated in the lower half of their scale).
    pub failing_categories: Vec<CategoryFailures>,
    /// Reviews per reviewer (empty when anonymized).
    pub reviewers: Vec<ReviewerActivity>,
    /// Review files left out because they have problems (run `rubric check`).
    pub left_out: Vec<LeftOut>,
    /// Open disputes, oldest first (reviewer names hidden when anonymized).
    pub open_disputes: Vec<disputes::DisputeRow>,
    /// The share of resolved disputes accepted in whole or in part, per reviewer of the
    /// disputed review (empty when anonymized).
    pub dispute_accept_rates: Vec<disputes::AcceptRate>,
    /// Calibration sessions as the calibration page shows them (days, conversations, who
    /// rated what, agreement, reviewer deviations); the site gets a calibration page when
    /// there are any.
    pub calibration: Vec<calibration::SessionPage>,
    /// Per reviewer: the figures of `rubric reviewers` overall and by month, calibration
    /// deviations and N/A rates per category (empty when anonymized); the site gets a
    /// reviewers page when there are any.
    pub reviewer_stats: Vec<reviewers::ReviewerPage>,
    /// The current cycle's assignments (coverage per agent, reviewer workload), or none.
    pub assignments: Option<assignments::SiteAssignments>,
    /// One entry per agent page (the index does not need them; each agent page gets its own
    /// as `page`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<AgentPage>,
}

/// One agent on the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentSummary {
    pub id: String,
    /// Roster name, else the id.
    pub name: String,
    pub team: Option<String>,
    /// IQS in the current period.
    pub iqs: Option<f64>,
    /// Without reviews in the current period: the IQS of the latest month that has some, and
    /// that month (null otherwise).
    pub last_iqs: Option<f64>,
    pub last_period: Option<String>,
    /// Against the previous month.
    pub change: Option<f64>,
    /// Scored reviews in the current period.
    pub reviews: usize,
    /// Scored reviews over all periods.
    pub total_reviews: usize,
    /// Share of reviews with a pass mark that passed, 0..100.
    pub pass_rate: Option<f64>,
    /// IQS per month of `SiteContext::months` (null where there were none).
    pub sparkline: Vec<Option<f64>>,
    /// Relative link to the agent page.
    pub link: String,
}

/// IQS of one team per month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeatRow {
    pub team: String,
    /// One per `SiteContext::months`.
    pub cells: Vec<Option<f64>>,
}

/// How often a category was failed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryFailures {
    pub category: String,
    pub title: String,
    pub failures: usize,
    pub ratings: usize,
}

/// How many reviews a reviewer wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewerActivity {
    /// The roster id.
    pub reviewer: String,
    /// The roster name (the id where the roster has none).
    pub name: String,
    pub reviews: usize,
    /// The latest review's date.
    pub last: String,
}

/// Everything an agent page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentPage {
    pub agent: AgentSummary,
    /// IQS by month, with the review count per point and the rubric versions first used then.
    pub trend: Vec<TrendPoint>,
    /// The trend as a chart: every mark and label placed (`pages::chart`).
    pub chart: chart::TrendChart,
    /// Each category's average for the agent against the team's (value ×100).
    pub categories: Vec<CategoryCompare>,
    /// Up to three, best first / worst first.
    pub strongest: Vec<CategoryCompare>,
    pub weakest: Vec<CategoryCompare>,
    /// How often each root cause was named, most first.
    pub root_causes: Vec<RootCauseCount>,
    /// The latest reviews, newest first.
    pub reviews: Vec<ReviewCard>,
    /// The agent's older reviews: one archive page per month, newest first.
    pub archive: Vec<ArchiveLink>,
    /// IQS per `conversation.channel` in the period of the page's IQS figure (the current
    /// period, else the agent's last), when the agent's reviews have more than one channel;
    /// otherwise empty.
    pub channels: Vec<ChannelFigure>,
}

/// One channel's IQS in a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelFigure {
    /// As written (`chat`, `email`), or `(no channel)`.
    pub channel: String,
    /// `2026-11`.
    pub period: String,
    /// None: no scored review of this channel in the period.
    pub iqs: Option<f64>,
    pub reviews: usize,
}

/// A link to one month of an agent's archive.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchiveLink {
    /// `2026-10`.
    pub period: String,
    /// Reviews on that page.
    pub reviews: usize,
    /// From the site's root: `agents/<id>/2026-10.html`.
    pub link: String,
}

/// One month of an agent's older reviews (those the agent's page does not list): the agent's
/// own page, like the agent page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArchivePage {
    pub agent: AgentSummary,
    pub period: String,
    /// Newest first.
    pub reviews: Vec<ReviewCard>,
    /// The next newer and older months of the archive.
    pub newer: Option<ArchiveLink>,
    pub older: Option<ArchiveLink>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    pub period: String,
    pub iqs: f64,
    pub reviews: usize,
    /// Rubric versions that first appear in this agent's reviews this month (`support@3`).
    pub new_versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CategoryCompare {
    pub category: String,
    pub title: String,
    pub agent: f64,
    pub team: Option<f64>,
    pub ratings: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCauseCount {
    pub category: String,
    pub cause: String,
    pub count: usize,
}

/// One review on an agent page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewCard {
    pub id: String,
    pub date: String,
    pub rubric: String,
    pub version: u32,
    pub score: Option<f64>,
    pub pass: Option<bool>,
    /// Hidden (null) with `--anonymize-reviewers`.
    pub reviewer: Option<String>,
    pub conversation: Option<String>,
    /// An http(s) link to the conversation.
    pub url: Option<String>,
    pub comment: Option<String>,
    /// The review has disputes (SPEC §3.1), listed in `disputes`.
    pub disputed: bool,
    /// The score changed since the review was added, other than by a granted dispute (a
    /// reviewer's own correction, say): shown neutrally.
    pub edited: bool,
    /// The score it was added with, when edited or disputed.
    pub first_score: Option<f64>,
    /// Its disputes, oldest first.
    pub disputes: Vec<disputes::DisputeRow>,
    /// A critical category was rated in the lower half of its scale: the score is 0.
    pub critical_failure: bool,
    /// The titles of the groups failed by a `critical: group` category (their categories
    /// count 0).
    pub failed_groups: Vec<String>,
    pub ratings: Vec<RatingCard>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingCard {
    pub category: String,
    pub title: String,
    /// The number given, or null for `na`.
    pub rating: Option<i64>,
    pub scale: u8,
    /// The label of that point, if the rubric names its points.
    pub label: Option<String>,
    pub comment: Option<String>,
    pub root_causes: Vec<String>,
    /// A critical category: rated in the lower half of its scale, it makes the score 0.
    pub critical: bool,
    /// This rating is the critical failure that made the score 0.
    pub failed_critical: bool,
    /// `critical: group`: rated in the lower half of its scale, it fails its group.
    pub critical_group: bool,
    /// This rating counts 0 because its group failed.
    pub failed_group: bool,
    /// A bonus category: it adds to the score, never lowers it.
    pub bonus: bool,
}

/// One row of `rubric export` (SPEC §7): one rating of one review.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportRow {
    pub review: String,
    pub agent: String,
    /// The agent's team in the roster.
    pub team: Option<String>,
    pub reviewer: String,
    pub date: String,
    pub rubric: String,
    pub version: u32,
    /// The conversation's id, link and channel.
    pub conversation: Option<String>,
    pub url: Option<String>,
    pub channel: Option<String>,
    pub category: String,
    /// The rating given; null for `na`.
    pub rating: Option<i64>,
    /// `(rating - 1) / (scale - 1)`; null for `na`.
    pub value: Option<f64>,
    pub scale: u8,
    pub weight: f64,
    pub critical: bool,
    pub review_score: Option<f64>,
    pub pass: Option<bool>,
    pub calibration: Option<String>,
    pub path: String,
    /// The rating's comment and root causes.
    pub comment: Option<String>,
    pub root_causes: Vec<String>,
    /// The review's own comment (the same on every row of the review).
    pub review_comment: Option<String>,
    /// `upsert` (every row of a full export), or `delete` in an increment (`--since-commit`):
    /// a row that was in the export at that commit and is gone now.
    pub change: Change,
    /// The full id of the commit the row belongs to: the latest commit that added, edited or
    /// moved the review's file (for a review that is gone: the commit that deleted it); null
    /// when the file as it is now is not committed.
    pub commit: Option<String>,
}

/// What a row of an export means to a table that holds an earlier export (`--since-commit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Insert the row, or replace the row with the same `review` and `category`.
    Upsert,
    /// Remove the row with the same `review` and `category`.
    Delete,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Upsert => "upsert",
            Change::Delete => "delete",
        }
    }
}
