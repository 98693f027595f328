//! The calibration page: per session, `calibrate`'s figures with names and titles, the days of
//! its reviews, its conversations (agent, link), and per category who rated what with the
//! consensus, why an alpha is missing, and a note where too few ratings pair to mean much.

use crate::analysis::calibration::{calibrate, consensus, CalibrationRating, Session};
use crate::analysis::state::{QaState, ReviewFacts};
use crate::report::calibration::{
    CategoryAgreement, CategoryPage, Deviation, MatrixCell, MatrixRow, PageConversation,
    SessionPage,
};
use std::collections::{BTreeMap, BTreeSet};

/// Below this many pairable ratings a category's alpha gets a note: it says little.
pub const FEW_RATINGS: usize = 10;

/// The calibration sessions twice: as `rubric calibrate` reports them (reviewer ids, for the
/// reviewers page) and as the calibration page shows them.
pub struct SiteCalibration {
    pub sessions: Vec<Session>,
    pub pages: Vec<SessionPage>,
}

/// The site's calibration sessions; with `anonymize`, the pages name reviewers "Reviewer 1",
/// "Reviewer 2", … per session (in id order, the same in every table of the session).
pub fn site_calibration(state: &QaState, anonymize: bool) -> SiteCalibration {
    let ratings = state.calibration_ratings();
    let sessions = calibrate(&ratings).sessions;
    let pages = sessions
        .iter()
        .map(|s| {
            let ratings: Vec<&CalibrationRating> =
                ratings.iter().filter(|r| r.session == s.session).collect();
            let reviews: Vec<&ReviewFacts> = state
                .reviews
                .iter()
                .filter(|r| r.calibration.as_deref() == Some(s.session.as_str()))
                .collect();
            session_page(state, s, &ratings, &reviews, anonymize)
        })
        .collect();
    SiteCalibration { sessions, pages }
}

/// One session's page data from its report, ratings and reviews.
fn session_page(
    state: &QaState,
    session: &Session,
    ratings: &[&CalibrationRating],
    reviews: &[&ReviewFacts],
    anonymize: bool,
) -> SessionPage {
    // Columns: reviewers in id order, as `calibrate` orders its deviations.
    let reviewer_ids: Vec<&str> = ratings
        .iter()
        .map(|r| r.reviewer.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: BTreeMap<&str, String> = reviewer_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let name = if anonymize {
                format!("Reviewer {}", i + 1)
            } else {
                state.name(id)
            };
            (*id, name)
        })
        .collect();
    let conversation_ids: Vec<&str> = ratings
        .iter()
        .map(|r| r.conversation.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let days = || reviews.iter().map(|r| r.day);
    let day = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    // (conversation, reviewer, category) → the rating.
    let given: BTreeMap<(&str, &str, &str), &CalibrationRating> = ratings
        .iter()
        .map(|r| {
            let key = (
                r.conversation.as_str(),
                r.reviewer.as_str(),
                r.category.as_str(),
            );
            (key, *r)
        })
        .collect();
    let rubric = rubric_categories(reviews);
    let mut categories: Vec<CategoryPage> = session
        .categories
        .iter()
        .map(|c| {
            let (title, scale) = rubric
                .get(c.category.as_str())
                .map(|(_, t, s)| (t.clone(), *s))
                .unwrap_or_else(|| (c.category.clone(), 0));
            let rows = conversation_ids
                .iter()
                .map(|conv| {
                    let cells: Vec<Option<&CalibrationRating>> = reviewer_ids
                        .iter()
                        .map(|who| given.get(&(*conv, *who, c.category.as_str())).copied())
                        .collect();
                    let mut values: Vec<f64> = cells.iter().filter_map(|g| (*g)?.value).collect();
                    MatrixRow {
                        conversation: conv.to_string(),
                        ratings: cells
                            .iter()
                            .map(|g| MatrixCell {
                                rated: g.is_some(),
                                rating: g.and_then(|g| g.rating),
                            })
                            .collect(),
                        // The consensus of values 0..1, on the category's scale.
                        consensus: consensus(&mut values)
                            .map(|v| 1.0 + v * f64::from(scale.max(2) - 1)),
                    }
                })
                .collect();
            category_page(c, title, scale, rows)
        })
        .collect();
    // In the rubric's order.
    categories.sort_by_key(|c| rubric.get(c.category.as_str()).map(|(i, _, _)| *i));
    SessionPage {
        session: session.session.clone(),
        first_day: day(days().min()),
        last_day: day(days().max()),
        reviewers: reviewer_ids.iter().map(|id| names[id].clone()).collect(),
        conversations: conversation_ids
            .iter()
            .map(|conv| conversation(state, reviews, conv))
            .collect(),
        categories,
        deviations: session
            .deviations
            .iter()
            .map(|d| Deviation {
                reviewer: names
                    .get(d.reviewer.as_str())
                    .cloned()
                    .unwrap_or_else(|| d.reviewer.clone()),
                mean_abs_deviation: d.mean_abs_deviation,
            })
            .collect(),
    }
}

fn category_page(
    c: &CategoryAgreement,
    title: String,
    scale: u8,
    rows: Vec<MatrixRow>,
) -> CategoryPage {
    CategoryPage {
        category: c.category.clone(),
        title,
        scale,
        alpha: c.alpha,
        alpha_ordinal: c.alpha_ordinal,
        alpha_nominal: c.alpha_nominal,
        ratings: c.ratings,
        pairable: c.pairable,
        few_ratings: c.pairable > 0 && c.pairable < FEW_RATINGS,
        undefined_reason: c.undefined.map(|u| u.name()),
        rows,
    }
}

/// Each category of the session's rubrics: its position, title and scale (the first review
/// that has it wins).
fn rubric_categories<'a>(reviews: &[&'a ReviewFacts]) -> BTreeMap<&'a str, (usize, String, u8)> {
    let mut out: BTreeMap<&str, (usize, String, u8)> = BTreeMap::new();
    for r in reviews {
        for c in r.rubric_version.categories.iter() {
            let next = out.len();
            out.entry(c.id.as_str())
                .or_insert_with(|| (next, c.title.0.clone(), c.scale.0));
        }
    }
    out
}

/// A conversation of the session: its agent's name and its link, from the reviews that rate it.
fn conversation(state: &QaState, reviews: &[&ReviewFacts], id: &str) -> PageConversation {
    let mine: Vec<&&ReviewFacts> = reviews
        .iter()
        .filter(|r| r.conversation_key() == id)
        .collect();
    let mut agents: Vec<&str> = Vec::new();
    for r in &mine {
        if !agents.contains(&r.agent.as_str()) {
            agents.push(&r.agent);
        }
    }
    PageConversation {
        conversation: id.to_string(),
        agent: agents
            .iter()
            .map(|a| state.name(a))
            .collect::<Vec<_>>()
            .join(", "),
        url: mine.iter().find_map(|r| state.details(&r.path).url),
    }
}
