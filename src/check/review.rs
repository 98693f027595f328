//! Rules for one review: its rubric version, ratings, people and date. They read the review's
//! lenient view (a [`Snapshot`], the same record the history keeps per file version) and
//! return findings that name a YAML node by JSON Pointer; [`Finding::locate`] turns one into a
//! diagnostic at that node's line and column once the document is at hand. So a review that
//! passes needs no document at all, and every command applies exactly these rules.

use crate::load::date::{parse_review_date, ReviewDate};
use crate::load::people::Roster;
use crate::load::repo;
use crate::load::review::Snapshot;
use crate::load::yaml::{escape_segment, Document};
use crate::model::diagnostic::{did_you_mean, suggestion, Code, Diagnostic, Pos};
use crate::model::{self, Rubric};
use chrono::{DateTime, Utc};

/// Where in the file a finding points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spot {
    /// The start of the file (the finding is about something that is not written there).
    Start,
    /// The key of the node at this JSON Pointer.
    Key(String),
    /// The value of the node at this JSON Pointer.
    Value(String),
    /// A rating: its value, or the `rating` inside a mapping.
    Rating(String),
}

/// One rule that a review breaks, before it is placed at a line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: Code,
    pub spot: Spot,
    pub message: String,
    pub hint: Option<String>,
}

impl Finding {
    pub(crate) fn new(code: Code, spot: Spot, message: String) -> Finding {
        Finding {
            code,
            spot,
            message,
            hint: None,
        }
    }

    /// The diagnostic at the node the finding names (the start of the file without a document).
    pub fn locate(&self, rel: &str, doc: Option<&Document>) -> Diagnostic {
        let pos = match (doc, &self.spot) {
            (None, _) | (_, Spot::Start) => Pos::START,
            (Some(d), Spot::Key(p)) => d.key_pos(p),
            (Some(d), Spot::Value(p)) => d.value_pos(p),
            (Some(d), Spot::Rating(p)) => {
                let inner = format!("{p}/rating");
                if d.node(&inner).is_some() {
                    d.value_pos(&inner)
                } else {
                    d.value_pos(p)
                }
            }
        };
        let d = Diagnostic::new(self.code, rel, pos, self.message.clone());
        match &self.hint {
            Some(h) => d.hint(h.clone()),
            None => d,
        }
    }
}

/// Who the reviewer of a review is, and where that came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewerSource {
    /// Written in the file (`reviewer:`).
    Written,
    /// Not written: the author of the commit that added the review.
    CommitAuthor { email: String, commit: String },
    /// Not written and not committed yet: git's `user.email`.
    GitUser(String),
    /// Not written, and no commit or git user to take it from.
    Unknown,
}

/// The rubric version a review names, as the rubric index found it.
#[derive(Debug, Clone, Copy)]
pub enum RubricLookup<'a> {
    Found(&'a Rubric),
    /// The review names no well-formed `rubric:` (the schema error says so).
    NotNamed,
    /// The rubric's file has errors of its own; nothing to check against.
    BrokenFile,
    /// Not found; the finding says why.
    Missing(&'a Finding),
}

/// What the rules need besides the review.
pub struct ReviewRules<'a> {
    pub roster: Option<&'a Roster>,
    pub tz: chrono_tz::Tz,
    pub now: DateTime<Utc>,
}

/// Every rule one review breaks. `rel` is its path; `snap` what it says; `rubric` the version
/// it names; `reviewer` where its reviewer came from.
pub fn review_findings(
    rules: &ReviewRules<'_>,
    rel: &str,
    snap: &Snapshot,
    rubric: RubricLookup<'_>,
    reviewer: &ReviewerSource,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if !snap.has_id && !model::is_person_id(repo::stem(rel)) {
        out.push(Finding::new(
            Code::InvalidReviewId,
            Spot::Start,
            format!(
                "the file name `{}` is not a valid review id and the review has no `id`",
                repo::stem(rel)
            ),
        ));
    }
    people(rules, snap, reviewer, &mut out);
    date(rules, snap, &mut out);
    match rubric {
        RubricLookup::Found(r) => ratings(r, snap, &mut out),
        RubricLookup::Missing(f) => out.push(f.clone()),
        RubricLookup::NotNamed | RubricLookup::BrokenFile => {}
    }
    out
}

/// Ratings against the rubric version: known categories, scale, `na`, root causes, and every
/// category rated.
fn ratings(rubric: &Rubric, snap: &Snapshot, out: &mut Vec<Finding>) {
    if !snap.has_ratings {
        return;
    }
    // Everything below allocates only for a finding: this runs for every review of every
    // command.
    let rref = || format!("{}@{}", rubric.id, rubric.version.0);
    let cat_ids: Vec<&str> = rubric.categories.iter().map(|c| c.id.as_str()).collect();
    let rated = |c: &str| snap.rating(c).is_some() || snap.bad_ratings.iter().any(|k| &**k == c);
    let missing: Vec<&str> = cat_ids.iter().copied().filter(|c| !rated(c)).collect();
    let keys = snap.ratings.iter().map(|(k, v)| (&**k, Some(*v)));
    let bad = snap.bad_ratings.iter().map(|k| (&**k, None));
    let mut all: Vec<(&str, Option<Option<i64>>)> = keys.chain(bad).collect();
    all.sort_by_key(|(k, _)| *k);
    for (cat, value) in all {
        let ptr = || format!("/ratings/{}", escape_segment(cat));
        let Some(category) = rubric.categories.iter().find(|c| c.id.as_str() == cat) else {
            if model::Slug::try_from(cat.to_string()).is_err() {
                // Not even a valid category id: the schema error already says so.
                continue;
            }
            let guess = did_you_mean(cat, missing.iter().copied())
                .or_else(|| did_you_mean(cat, cat_ids.iter().copied()));
            out.push(Finding::new(
                Code::UnknownCategory,
                Spot::Key(ptr()),
                format!(
                    "rubric {} has no category `{cat}`{}",
                    rref(),
                    guess
                        .map(|g| format!(" (did you mean `{g}`?)"))
                        .unwrap_or_default()
                ),
            ));
            continue;
        };
        let Some(value) = value else { continue };
        match value {
            Some(p) if p < 1 || p > i64::from(category.scale.0) => out.push(Finding::new(
                Code::RatingOutOfScale,
                Spot::Rating(ptr()),
                format!(
                    "rating {p} for `{cat}` is outside its scale 1..{}",
                    category.scale.0
                ),
            )),
            None if !category.na => out.push(Finding::new(
                Code::NaNotAllowed,
                Spot::Rating(ptr()),
                format!("category `{cat}` may not be rated `na`"),
            )),
            _ => {}
        }
        if !snap.root_causes_of(cat).is_empty() {
            root_causes(category, cat, &ptr(), snap, out);
        }
    }
    for cat in missing {
        out.push(Finding::new(
            Code::MissingRating,
            Spot::Key("/ratings".into()),
            format!("no rating for category `{cat}` of rubric {}", rref()),
        ));
    }
}

fn root_causes(
    category: &model::Category,
    cat: &str,
    ptr: &str,
    snap: &Snapshot,
    out: &mut Vec<Finding>,
) {
    let allowed: Vec<&str> = category
        .root_causes
        .iter()
        .flat_map(|r| r.iter().map(|s| s.as_str()))
        .collect();
    for (i, rc) in snap.root_causes_of(cat).iter().enumerate() {
        if allowed.contains(&&**rc) {
            continue;
        }
        let list = if allowed.is_empty() {
            "it lists none".to_string()
        } else {
            format!("allowed: {}", allowed.join(", "))
        };
        out.push(Finding::new(
            Code::UnknownRootCause,
            Spot::Value(format!("{ptr}/root_causes/{i}")),
            format!(
                "root cause `{rc}` is not in the list of category `{cat}` ({list}){}",
                suggestion(rc, allowed.iter().copied())
            ),
        ));
    }
}

/// Agent and reviewer are in the roster (the reviewer also when it comes from a commit), and
/// nobody reviews their own conversation.
fn people(
    rules: &ReviewRules<'_>,
    snap: &Snapshot,
    reviewer: &ReviewerSource,
    out: &mut Vec<Finding>,
) {
    // Ids are ASCII (letters, digits and `._@+-`): compared without case, without allocating.
    fn resolve<'a>(roster: Option<&'a Roster>, id: &'a str) -> &'a str {
        roster.and_then(|r| r.resolve(id)).unwrap_or(id)
    }
    if let Some(roster) = rules.roster {
        let listed = |id: &str| roster.resolve(id).is_some();
        let suggest = |id: &str| suggestion(id, roster.ids.iter().map(String::as_str));
        if let Some(agent) = snap.agent.as_deref().filter(|a| !listed(a)) {
            out.push(Finding::new(
                Code::UnknownAgent,
                Spot::Value("/agent".into()),
                format!(
                    "agent `{agent}` is not in the qa.yaml roster{}",
                    suggest(agent)
                ),
            ));
        }
        match (snap.reviewer.as_deref(), reviewer) {
            (Some(r), _) if !listed(r) => out.push(Finding::new(
                Code::UnknownReviewer,
                Spot::Value("/reviewer".into()),
                format!("reviewer `{r}` is not in the qa.yaml roster{}", suggest(r)),
            )),
            (None, ReviewerSource::CommitAuthor { email, commit }) if !listed(email) => {
                let mut f = Finding::new(
                    Code::UnknownReviewer,
                    Spot::Start,
                    format!(
                        "the review has no `reviewer`, and the author of commit {commit} that \
                         added it, `{email}`, is not in the qa.yaml roster"
                    ),
                );
                f.hint = Some(format!(
                    "Write `reviewer: <roster id>` in the review, or add `{email}` to that \
                     person's `emails` in qa.yaml."
                ));
                out.push(f);
            }
            (None, ReviewerSource::GitUser(email)) if !listed(email) => {
                let mut f = Finding::new(
                    Code::UnknownReviewer,
                    Spot::Start,
                    format!(
                        "the review has no `reviewer`, and your git user.email `{email}`, \
                         who would be credited, is not in the qa.yaml roster"
                    ),
                );
                f.hint = Some(
                    "Write `reviewer: <roster id>` in the review, or add your e-mail to your \
                     `emails` in qa.yaml."
                        .into(),
                );
                out.push(f);
            }
            _ => {}
        }
    }
    if let (Some(reviewer), Some(agent)) = (&snap.reviewer, &snap.agent) {
        if resolve(rules.roster, reviewer).eq_ignore_ascii_case(resolve(rules.roster, agent)) {
            out.push(Finding::new(
                Code::SelfReview,
                Spot::Value("/reviewer".into()),
                format!("reviewer `{reviewer}` is the agent `{agent}` of this conversation"),
            ));
        }
    }
}

fn date(rules: &ReviewRules<'_>, snap: &Snapshot, out: &mut Vec<Finding>) {
    let Some(text) = &snap.reviewed_at else {
        return;
    };
    let spot = Spot::Value("/reviewed_at".into());
    match parse_review_date(text) {
        None => out.push(Finding::new(
            Code::InvalidDate,
            spot,
            format!("`{text}` is not a real date or time"),
        )),
        Some(date) => {
            let future = match date {
                ReviewDate::Day(d) => d > rules.now.with_timezone(&rules.tz).date_naive(),
                ReviewDate::Instant(t) => t.with_timezone(&Utc) > rules.now,
            };
            if future {
                out.push(Finding::new(
                    Code::FutureDate,
                    spot,
                    format!("reviewed_at {text} lies in the future"),
                ));
            }
        }
    }
}
