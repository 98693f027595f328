//! Disputes on the pages: each review's disputes for its card, and for the overview the open
//! disputes (oldest first) and the accept rate per reviewer. The same figures as
//! `rubric disputes`.

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
            r.summary.accept_rate_by_reviewer
        },
    }
}
