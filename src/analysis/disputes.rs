//! Disputes as data (SPEC §3.1, §7): each dispute of each valid review with its dates, who
//! answered, which proposals were granted, and the review's score before and after
//! ([`collect`], from the one state and its history); then the selection and summary of
//! `rubric disputes` ([`report`], a plain function).

use crate::analysis::state::{QaState, ReviewFacts};
use crate::check::disputes::{resolver, Version};
use crate::load::date::parse_review_date;
use crate::load::review::DisputeSnap;
use crate::model::{DisputeKind, DisputeStatus};
use crate::report::disputes::{
    AcceptRate, DisputeChange, DisputeRow, DisputesReport, DisputesSummary,
};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One dispute with what its history says, before selection.
#[derive(Debug, Clone, PartialEq)]
pub struct DisputeFacts {
    pub row: DisputeRow,
    /// The rubric of the review (for `rubric/category` keys).
    pub rubric: String,
    pub opened_day: Option<NaiveDate>,
    pub resolved_day: Option<NaiveDate>,
    pub status: DisputeStatus,
}

/// Which disputes `rubric disputes` lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusFilter {
    #[default]
    All,
    Open,
    Resolved,
}

/// Every dispute of every valid review, in review order then dispute order.
pub fn collect(state: &QaState, user: Option<&str>) -> Vec<DisputeFacts> {
    let mut out = Vec::new();
    for r in state
        .reviews
        .iter()
        .filter(|r| !r.snapshot.disputes.is_empty())
    {
        let versions = state.versions(&r.id, &r.snapshot, user);
        let scores = version_scores(state, r, &versions);
        for (i, d) in r.snapshot.disputes.iter().enumerate() {
            out.push(one(state, r, &versions, &scores, i, d));
        }
    }
    out
}

/// The score of each version (the current file's is the review's score).
fn version_scores(state: &QaState, r: &ReviewFacts, versions: &[Version]) -> Vec<Option<f64>> {
    let rows = state.history(&r.id).unwrap_or_default();
    let last = versions.len().saturating_sub(1);
    versions
        .iter()
        .enumerate()
        .map(|(n, v)| match &v.commit {
            _ if n == last => r.score,
            Some(c) => rows
                .iter()
                .rev()
                .find(|h| h.commit.starts_with(c.as_str()))
                .and_then(|h| h.score),
            None => r.score,
        })
        .collect()
}

fn one(
    state: &QaState,
    r: &ReviewFacts,
    versions: &[Version],
    scores: &[Option<f64>],
    i: usize,
    d: &DisputeSnap,
) -> DisputeFacts {
    let has = |v: &Version| v.snap.disputes.get(i).is_some();
    let open_at = versions
        .iter()
        .position(|v| v.snap.disputes.get(i).is_some_and(DisputeSnap::is_open));
    let appeared = versions.iter().position(has);
    let before = match (open_at, appeared) {
        (Some(k), _) => scores[k],
        (None, Some(k)) if k > 0 => scores[k - 1],
        _ => r.score,
    };
    let closed_at = versions
        .iter()
        .position(|v| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()));
    let granted = granted(d, closed_at.map(|k| &versions[k]));
    let day = |t: &Option<String>| {
        t.as_deref()
            .and_then(parse_review_date)
            .map(|x| x.day_in(state.tz))
    };
    let status = d.status.unwrap_or(DisputeStatus::Open);
    let (opened_day, resolved_day) = (day(&d.opened), day(&d.resolved));
    let commit = |k: Option<usize>| k.and_then(|k| versions[k].commit.clone());
    let row = DisputeRow {
        review: r.id.clone(),
        path: r.path.clone(),
        agent: r.agent.clone(),
        reviewer: r.reviewer.clone(),
        opened: d.opened.clone().unwrap_or_default(),
        by: d.by.as_deref().map(|b| state.person(b)).unwrap_or_default(),
        kind: match d.kind {
            DisputeKind::Rating => "rating",
            DisputeKind::WrongAgent => "wrong-agent",
        }
        .to_string(),
        status: status.as_str().to_string(),
        resolved: d.resolved.clone().filter(|_| !d.is_open()),
        resolved_by: resolver(versions, i).map(|p| state.person(&p)),
        days_to_resolve: None,
        age_days: None,
        proposed: d
            .proposed
            .iter()
            .map(|(c, v)| (c.to_string(), rating_json(*v)))
            .collect(),
        proposed_agent: d.proposed_agent.clone(),
        granted,
        reason: d.reason.clone().unwrap_or_default(),
        response: d.response.clone().filter(|_| !d.is_open()),
        score_before: before,
        score_after: r.score,
        score_resolved: closed_at.and_then(|k| scores[k]),
        opened_commit: commit(appeared),
        resolved_commit: commit(closed_at),
    };
    DisputeFacts {
        row,
        rubric: r.rubric.clone(),
        opened_day,
        resolved_day,
        status,
    }
}

fn rating_json(v: Option<i64>) -> serde_json::Value {
    v.map_or(serde_json::json!("na"), serde_json::Value::from)
}

/// The proposed categories the answer granted: every one when accepted, none when rejected,
/// and for a partial answer those whose proposed rating the answering version carries.
fn granted(d: &DisputeSnap, answered: Option<&Version>) -> Vec<String> {
    type Proposal = (Box<str>, Option<i64>);
    let names = |f: &dyn Fn(&Proposal) -> bool| {
        d.proposed
            .iter()
            .filter(|x| f(x))
            .map(|(c, _)| c.to_string())
            .collect()
    };
    match d.status {
        Some(DisputeStatus::Accepted) => names(&|_| true),
        Some(DisputeStatus::PartiallyAccepted) => {
            let snap = answered.map(|v| &v.snap);
            names(&|(c, v)| snap.is_some_and(|s| s.rating(c) == Some(*v)))
        }
        _ => Vec::new(),
    }
}

/// The disputes selected by status and opening date, with their days, and the summary.
pub fn report(
    facts: Vec<DisputeFacts>,
    today: NaiveDate,
    status: StatusFilter,
    since: Option<NaiveDate>,
    left_out: Vec<crate::report::LeftOut>,
) -> DisputesReport {
    let keep = |f: &DisputeFacts| {
        let by_status = match status {
            StatusFilter::All => true,
            StatusFilter::Open => f.status == DisputeStatus::Open,
            StatusFilter::Resolved => f.status != DisputeStatus::Open,
        };
        let by_date = since.is_none_or(|s| f.opened_day.is_some_and(|o| o >= s));
        by_status && by_date
    };
    let mut selected: Vec<DisputeFacts> = facts.into_iter().filter(keep).collect();
    for f in &mut selected {
        let open = f.status == DisputeStatus::Open;
        f.row.days_to_resolve = match (open, f.opened_day, f.resolved_day) {
            (false, Some(o), Some(r)) => Some((r - o).num_days()),
            _ => None,
        };
        f.row.age_days = match (open, f.opened_day) {
            (true, Some(o)) => Some((today - o).num_days().max(0)),
            _ => None,
        };
    }
    let summary = summarise(&selected);
    DisputesReport {
        disputes: selected.into_iter().map(|f| f.row).collect(),
        summary,
        left_out,
    }
}

fn summarise(selected: &[DisputeFacts]) -> DisputesSummary {
    let count = |s: DisputeStatus| selected.iter().filter(|f| f.status == s).count();
    let days: Vec<i64> = selected
        .iter()
        .filter_map(|f| f.row.days_to_resolve)
        .collect();
    let mean = (!days.is_empty()).then(|| days.iter().sum::<i64>() as f64 / days.len() as f64);
    let resolved: Vec<&DisputeFacts> = selected
        .iter()
        .filter(|f| f.status != DisputeStatus::Open)
        .collect();
    let mut by_reviewer: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for f in &resolved {
        let e = by_reviewer.entry(f.row.reviewer.clone()).or_default();
        e.0 += 1;
        e.1 += usize::from(f.status.granted());
        for c in f.row.proposed.keys() {
            let e = by_category.entry(format!("{}/{c}", f.rubric)).or_default();
            e.0 += 1;
            e.1 += usize::from(f.row.granted.contains(c));
        }
    }
    let rates = |m: BTreeMap<String, (usize, usize)>| {
        m.into_iter()
            .map(|(key, (resolved, granted))| AcceptRate {
                key,
                resolved,
                granted,
                rate: granted as f64 / resolved as f64,
            })
            .collect()
    };
    DisputesSummary {
        open: count(DisputeStatus::Open),
        accepted: count(DisputeStatus::Accepted),
        partially_accepted: count(DisputeStatus::PartiallyAccepted),
        rejected: count(DisputeStatus::Rejected),
        mean_days_to_resolve: mean,
        accept_rate_by_reviewer: rates(by_reviewer),
        accept_rate_by_category: rates(by_category),
    }
}

/// The disputes that the head opens, answers, edits or removes against the base: every
/// dispute of a head review that the base version of that review does not have, has open while
/// the head has it answered, or has otherwise; and every dispute of a base review that the
/// head no longer has (also when the review itself is gone or has another id). Scores are the
/// review's at each side.
pub fn changes(base: &QaState, head: &QaState) -> Vec<DisputeChange> {
    let mut out = Vec::new();
    for r in head.reviews.iter() {
        let old = base.reviews.iter().find(|b| b.id == r.id);
        let before = |i: usize| old.and_then(|b| b.snapshot.disputes.get(i));
        for (i, d) in r.snapshot.disputes.iter().enumerate() {
            let change = match (before(i), d.status.unwrap_or(DisputeStatus::Open)) {
                (None, DisputeStatus::Open) => "opened",
                (None, s) => s.as_str(),
                (Some(b), s) if b.is_open() && s != DisputeStatus::Open => s.as_str(),
                (Some(b), _) if b != d => "edited",
                _ => continue,
            };
            out.push(change_row(head, r, old, i, d, change));
        }
        let gone = old.map_or(&[][..], |b| &b.snapshot.disputes[..]);
        for (i, d) in gone.iter().enumerate().skip(r.snapshot.disputes.len()) {
            out.push(change_row(head, r, old, i, d, "removed"));
        }
    }
    for b in base
        .reviews
        .iter()
        .filter(|b| !b.snapshot.disputes.is_empty())
    {
        if head.reviews.iter().any(|r| r.id == b.id) {
            continue;
        }
        for (i, d) in b.snapshot.disputes.iter().enumerate() {
            let mut row = change_row(base, b, Some(b), i, d, "removed");
            row.score_after = None;
            out.push(row);
        }
    }
    out
}

fn change_row(
    state: &QaState,
    r: &ReviewFacts,
    old: Option<&ReviewFacts>,
    i: usize,
    d: &DisputeSnap,
    change: &str,
) -> DisputeChange {
    DisputeChange {
        review: r.id.clone(),
        path: r.path.clone(),
        agent: r.agent.clone(),
        dispute: i + 1,
        kind: match d.kind {
            DisputeKind::Rating => "rating",
            DisputeKind::WrongAgent => "wrong-agent",
        }
        .to_string(),
        change: change.to_string(),
        by: d.by.as_deref().map(|b| state.person(b)).unwrap_or_default(),
        proposed: d
            .proposed
            .iter()
            .map(|(c, v)| (c.to_string(), rating_json(*v)))
            .collect(),
        proposed_agent: d.proposed_agent.clone(),
        score_before: old.and_then(|b| b.score),
        score_after: r.score,
    }
}
