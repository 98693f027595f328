//! Rules for one review: its rubric version, ratings, people and date.

use crate::load::date::{parse_review_date, ReviewDate};
use crate::load::people::Roster;
use crate::load::repo;
use crate::load::review::ReviewView;
use crate::load::rubric::RubricVersion;
use crate::load::yaml::{escape_segment, Document};
use crate::model::diagnostic::{suggestion, Code, Diagnostic, Pos};
use crate::model::{self, RatingValue};
use chrono::{DateTime, Utc};
use std::collections::{BTreeSet, HashMap, HashSet};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum HistoryState {
    NotNeeded,
    NoRepository,
    Shallow,
    Full,
}

pub(super) struct ReviewContext<'a> {
    pub(super) versions: &'a HashMap<(String, u32), RubricVersion>,
    pub(super) known_rubric_ids: &'a BTreeSet<&'a str>,
    pub(super) rubric_paths: &'a HashMap<String, String>,
    /// Rubric ids whose working-tree file has errors.
    pub(super) broken_rubrics: &'a HashSet<String>,
    pub(super) history: HistoryState,
    pub(super) roster: Option<&'a Roster>,
    pub(super) tz: chrono_tz::Tz,
    pub(super) now: DateTime<Utc>,
}

/// Checks one review against its rubric version and the roster, on whatever parts of it are
/// well-formed (schema problems are reported separately).
pub(super) fn check_review(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if doc.value.get("id").is_none() && !model::is_person_id(repo::stem(rel)) {
        out.push(Diagnostic::new(
            Code::InvalidReviewId,
            rel,
            Pos::START,
            format!(
                "the file name `{}` is not a valid review id and the review has no `id`",
                repo::stem(rel)
            ),
        ));
    }
    check_people(ctx, rel, review, doc, &mut out);
    check_date(ctx, rel, review, doc, &mut out);

    let Some(rref) = &review.rubric else {
        return out;
    };
    let key = (rref.id.as_str().to_string(), rref.version.0);
    let rubric_pos = doc.value_pos("/rubric");
    let id = rref.id.as_str();
    let Some(rv) = ctx.versions.get(&key) else {
        if ctx.broken_rubrics.contains(id) {
            // The rubric file itself has errors, reported on its own; nothing to check against.
            return out;
        }
        let exists = ctx.known_rubric_ids.contains(id) || ctx.rubric_paths.contains_key(id);
        let d = match ctx.history {
            // Outside git there is no history that could hold another rubric: a name that no
            // rubric file has is unknown.
            HistoryState::NoRepository if !exists => Diagnostic::new(
                Code::UnknownRubric,
                rel,
                rubric_pos,
                format!(
                    "no rubric `{id}` exists{}",
                    suggestion(id, ctx.known_rubric_ids.iter().copied())
                ),
            ),
            HistoryState::NoRepository | HistoryState::Shallow => Diagnostic::new(
                Code::RubricHistoryUnavailable,
                rel,
                rubric_pos,
                format!(
                    "`{rref}` is not the current version of rubric `{id}`, and {} to look it up",
                    if ctx.history == HistoryState::Shallow {
                        "this shallow clone lacks the history"
                    } else {
                        "there is no git repository"
                    }
                ),
            ),
            _ if exists => {
                let mut known: Vec<u32> = ctx
                    .versions
                    .keys()
                    .filter(|(i, _)| i == id)
                    .map(|(_, v)| *v)
                    .collect();
                known.sort_unstable();
                let known: Vec<String> = known.iter().map(|v| v.to_string()).collect();
                Diagnostic::new(
                    Code::UnknownRubricVersion,
                    rel,
                    rubric_pos,
                    format!(
                        "rubric `{id}` never had version {} (versions found in history: {})",
                        rref.version.0,
                        if known.is_empty() {
                            "none valid".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                )
            }
            _ => Diagnostic::new(
                Code::UnknownRubric,
                rel,
                rubric_pos,
                format!(
                    "no rubric `{id}` exists{}",
                    suggestion(id, ctx.known_rubric_ids.iter().copied())
                ),
            ),
        };
        out.push(d);
        return out;
    };

    let Some(ratings) = &review.ratings else {
        return out;
    };
    let rubric = &rv.rubric;
    let cat_ids: Vec<&str> = rubric.categories.iter().map(|c| c.id.as_str()).collect();
    let missing: Vec<&str> = cat_ids
        .iter()
        .copied()
        .filter(|c| !ratings.iter().any(|(k, _)| k == c))
        .collect();
    for (cat, entry) in ratings {
        let ptr = format!("/ratings/{}", escape_segment(cat));
        let Some(category) = rubric.categories.iter().find(|c| c.id.as_str() == cat) else {
            if model::Slug::try_from(cat.clone()).is_err() {
                // Not even a valid category id: the schema error already says so.
                continue;
            }
            let guess = crate::model::diagnostic::did_you_mean(cat, missing.iter().copied())
                .or_else(|| crate::model::diagnostic::did_you_mean(cat, cat_ids.iter().copied()));
            out.push(Diagnostic::new(
                Code::UnknownCategory,
                rel,
                doc.key_pos(&ptr),
                format!(
                    "rubric {rref} has no category `{cat}`{}",
                    guess
                        .map(|g| format!(" (did you mean `{g}`?)"))
                        .unwrap_or_default()
                ),
            ));
            continue;
        };
        let Some(entry) = entry else { continue };
        let vptr = match entry {
            model::RatingEntry::Value(_) => ptr.clone(),
            model::RatingEntry::Detailed(_) => format!("{ptr}/rating"),
        };
        match entry.value() {
            RatingValue::Points(p) if p < 1 || p > i64::from(category.scale.0) => {
                out.push(Diagnostic::new(
                    Code::RatingOutOfScale,
                    rel,
                    doc.value_pos(&vptr),
                    format!(
                        "rating {p} for `{cat}` is outside its scale 1..{}",
                        category.scale.0
                    ),
                ));
            }
            RatingValue::Na(_) if !category.na => {
                out.push(Diagnostic::new(
                    Code::NaNotAllowed,
                    rel,
                    doc.value_pos(&vptr),
                    format!("category `{cat}` may not be rated `na`"),
                ));
            }
            _ => {}
        }
        let allowed: Vec<&str> = category
            .root_causes
            .iter()
            .flat_map(|r| r.iter().map(|s| s.as_str()))
            .collect();
        for (i, rc) in entry.root_causes().iter().enumerate() {
            if !allowed.contains(&rc.as_str()) {
                let list = if allowed.is_empty() {
                    "it lists none".to_string()
                } else {
                    format!("allowed: {}", allowed.join(", "))
                };
                out.push(Diagnostic::new(
                    Code::UnknownRootCause,
                    rel,
                    doc.value_pos(&format!("{ptr}/root_causes/{i}")),
                    format!(
                        "root cause `{rc}` is not in the list of category `{cat}` ({list}){}",
                        suggestion(rc.as_str(), allowed.iter().copied())
                    ),
                ));
            }
        }
    }
    for cat in missing {
        out.push(Diagnostic::new(
            Code::MissingRating,
            rel,
            doc.key_pos("/ratings"),
            format!("no rating for category `{cat}` of rubric {rref}"),
        ));
    }
    out
}

fn check_people(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
    out: &mut Vec<Diagnostic>,
) {
    let resolve = |id: &str| -> String {
        ctx.roster
            .and_then(|r| r.resolve(id))
            .unwrap_or(id)
            .to_lowercase()
    };
    if let Some(roster) = ctx.roster {
        let who = [
            ("agent", Code::UnknownAgent, &review.agent),
            ("reviewer", Code::UnknownReviewer, &review.reviewer),
        ];
        for (field, code, id) in who {
            let Some(id) = id else { continue };
            if roster.resolve(id.as_str()).is_none() {
                out.push(Diagnostic::new(
                    code,
                    rel,
                    doc.value_pos(&format!("/{field}")),
                    format!(
                        "{field} `{id}` is not in the qa.yaml roster{}",
                        suggestion(id.as_str(), roster.ids.iter().map(String::as_str))
                    ),
                ));
            }
        }
    }
    if let (Some(reviewer), Some(agent)) = (&review.reviewer, &review.agent) {
        if resolve(reviewer.as_str()) == resolve(agent.as_str()) {
            out.push(Diagnostic::new(
                Code::SelfReview,
                rel,
                doc.value_pos("/reviewer"),
                format!("reviewer `{reviewer}` is the agent `{agent}` of this conversation"),
            ));
        }
    }
}

fn check_date(
    ctx: &ReviewContext<'_>,
    rel: &str,
    review: &ReviewView,
    doc: &Document,
    out: &mut Vec<Diagnostic>,
) {
    let Some(text) = &review.reviewed_at else {
        return;
    };
    let pos = doc.value_pos("/reviewed_at");
    match parse_review_date(&text.0) {
        None => out.push(Diagnostic::new(
            Code::InvalidDate,
            rel,
            pos,
            format!("`{}` is not a real date or time", text.0),
        )),
        Some(date) => {
            let future = match date {
                ReviewDate::Day(d) => d > ctx.now.with_timezone(&ctx.tz).date_naive(),
                ReviewDate::Instant(t) => t.with_timezone(&Utc) > ctx.now,
            };
            if future {
                out.push(Diagnostic::new(
                    Code::FutureDate,
                    rel,
                    pos,
                    format!("reviewed_at {} lies in the future", text.0),
                ));
            }
        }
    }
}
