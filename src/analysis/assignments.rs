//! The `assignments` report (SPEC §4.1, §7): each cycle's plan items, done when a valid review
//! of that conversation and agent exists in the one QA state, counted per reviewer and per
//! agent; and the reviewer's oldest undone item for `new review --next`.

use crate::analysis::state::QaState;
use crate::report::assignments::{AssignmentsReport, CycleStatus, ItemStatus, Tally};
use std::collections::{BTreeMap, HashMap};

/// Every plan item with its status, by cycle (oldest first), only `cycle` when given.
pub fn report(state: &QaState, cycle: Option<&str>) -> AssignmentsReport {
    let reviews = review_index(state);
    let mut cycles: BTreeMap<String, CycleStatus> = BTreeMap::new();
    for p in &state.plans {
        let label = p.plan.cycle.0.as_str();
        if cycle.is_some_and(|c| c != label) {
            continue;
        }
        let entry = cycles
            .entry(label.to_string())
            .or_insert_with(|| CycleStatus {
                cycle: label.to_string(),
                assigned: 0,
                done: 0,
                missing: 0,
                plans: Vec::new(),
                by_reviewer: Vec::new(),
                by_agent: Vec::new(),
                items: Vec::new(),
            });
        entry.plans.push(p.rel.clone());
        for item in &p.plan.items {
            let agent = state.person(item.agent.as_str());
            let conversation = item.conversation.0.clone();
            let review = reviews.get(&(conversation.clone(), agent.clone())).cloned();
            entry.items.push(ItemStatus {
                done: review.is_some(),
                review,
                conversation,
                agent,
                reviewer: state.person(item.reviewer.as_str()),
                created_at: item.created_at.as_ref().map(|d| d.0.clone()),
                url: item.url.as_ref().map(|u| u.0.clone()),
                channel: item.channel.clone(),
                plan: p.rel.clone(),
            });
        }
    }
    let cycles = cycles.into_values().map(tally).collect();
    AssignmentsReport {
        cycles,
        left_out: state.left_out.clone(),
    }
}

/// (conversation id, agent) → the id of the earliest valid review of it.
fn review_index(state: &QaState) -> HashMap<(String, String), String> {
    let mut out = HashMap::new();
    for r in &state.reviews {
        if let Some(c) = &r.snapshot.conversation {
            out.entry((c.to_string(), r.agent.clone()))
                .or_insert_with(|| r.id.clone());
        }
    }
    out
}

/// The cycle's totals and its per-reviewer and per-agent tallies.
fn tally(mut c: CycleStatus) -> CycleStatus {
    let count = |key: &dyn Fn(&ItemStatus) -> &str| {
        let mut m: BTreeMap<String, Tally> = BTreeMap::new();
        for i in &c.items {
            let t = m.entry(key(i).to_string()).or_insert_with(|| Tally {
                key: key(i).to_string(),
                assigned: 0,
                done: 0,
                missing: 0,
            });
            t.assigned += 1;
            if i.done {
                t.done += 1;
            } else {
                t.missing += 1;
            }
        }
        m.into_values().collect::<Vec<_>>()
    };
    let by_reviewer = count(&|i| i.reviewer.as_str());
    let by_agent = count(&|i| i.agent.as_str());
    c.assigned = c.items.len();
    c.done = c.items.iter().filter(|i| i.done).count();
    c.missing = c.assigned - c.done;
    c.by_reviewer = by_reviewer;
    c.by_agent = by_agent;
    c
}

/// The items that `reviewer` has not done yet, oldest first: by cycle, then creation time,
/// then conversation id.
pub fn undone_for(report: &AssignmentsReport, reviewer: &str) -> Vec<ItemStatus> {
    let mut items: Vec<(&String, &ItemStatus)> = report
        .cycles
        .iter()
        .flat_map(|c| c.items.iter().map(move |i| (&c.cycle, i)))
        .filter(|(_, i)| !i.done && i.reviewer == reviewer)
        .collect();
    items.sort_by_key(|(c, i)| (*c, created_key(i), &i.conversation));
    items.into_iter().map(|(_, i)| i.clone()).collect()
}

/// When an item's conversation was created, as seconds since 1970 (a date: its midnight in
/// UTC); items without a readable time sort last.
fn created_key(i: &ItemStatus) -> i64 {
    use crate::load::date::{parse_review_date, ReviewDate};
    match i.created_at.as_deref().and_then(parse_review_date) {
        Some(ReviewDate::Day(d)) => d
            .and_hms_opt(0, 0, 0)
            .map_or(i64::MAX, |t| t.and_utc().timestamp()),
        Some(ReviewDate::Instant(t)) => t.timestamp(),
        None => i64::MAX,
    }
}
