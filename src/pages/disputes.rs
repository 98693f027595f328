//! Disputes on the pages: each review's disputes for its card, and for the overview the open
//! disputes (oldest first) and the accept rate per reviewer. The same figures as
//! `rubric disputes`, with people named and categories titled as everywhere on the pages.

use crate::analysis::disputes::{collect, report, StatusFilter};
use crate::analysis::state::QaState;
use crate::report::disputes::{AcceptRate, DisputeRow};
use std::collections::HashMap;

/// The disputes of the site.
#[derive(Debug, Default)]
pub(super) struct SiteDisputes {
    pub by_review: HashMap<String, Vec<DisputeRow>>,
    pub open: Vec<DisputeRow>,
    pub rates: Vec<AcceptRate>,
}

pub(super) fn site_disputes(
    state: &QaState,
    anonymize: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> SiteDisputes {
    let today = now.with_timezone(&state.tz).date_naive();
    let r = report(
        collect(state, None),
        today,
        StatusFilter::All,
        None,
        Vec::new(),
    );
    let mut rows = r.disputes;
    // Pages show people by name and categories by title (the `disputes` report keeps ids).
    let reviews: HashMap<&str, &crate::analysis::state::ReviewFacts> =
        state.reviews.iter().map(|r| (r.id.as_str(), r)).collect();
    for d in &mut rows {
        d.agent = state.name(&d.agent);
        d.by = state.name(&d.by);
        d.reviewer = state.name(&d.reviewer);
        d.resolved_by = d.resolved_by.as_deref().map(|p| state.name(p));
        d.proposed_agent = d.proposed_agent.as_deref().map(|p| state.name(p));
        if let Some(r) = reviews.get(d.review.as_str()) {
            let title = |c: &str| {
                r.rubric_version
                    .categories
                    .iter()
                    .find(|x| x.id.as_str() == c)
                    .map_or_else(|| c.to_string(), |x| x.title.0.clone())
            };
            d.proposed = std::mem::take(&mut d.proposed)
                .into_iter()
                .map(|(c, v)| (title(&c), v))
                .collect();
            d.granted = d.granted.iter().map(|c| title(c)).collect();
        }
    }
    if anonymize {
        for d in &mut rows {
            d.reviewer = String::new();
            d.resolved_by = None;
        }
    }
    let mut open: Vec<DisputeRow> = rows
        .iter()
        .filter(|d| d.status == "open")
        .cloned()
        .collect();
    // Oldest first by the moment it was opened (a date counts as its start in the zone), not
    // by the text: `2026-11-25T01:00:00+14:00` is earlier than `2026-11-24T20:00:00Z`.
    let moment = |d: &DisputeRow| {
        use crate::load::date::{parse_review_date, ReviewDate};
        use chrono::TimeZone;
        match parse_review_date(&d.opened) {
            Some(ReviewDate::Instant(t)) => Some(t.timestamp()),
            Some(ReviewDate::Day(day)) => state
                .tz
                .from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
                .earliest()
                .map(|t| t.timestamp()),
            None => None,
        }
    };
    open.sort_by(|a, b| (moment(a), &a.review).cmp(&(moment(b), &b.review)));
    let mut by_review: HashMap<String, Vec<DisputeRow>> = HashMap::new();
    for d in rows {
        by_review.entry(d.review.clone()).or_default().push(d);
    }
    SiteDisputes {
        by_review,
        open,
        rates: if anonymize {
            Vec::new()
        } else {
            let mut rates = r.summary.accept_rate_by_reviewer;
            for rate in &mut rates {
                rate.key = state.name(&rate.key);
            }
            rates
        },
    }
}
