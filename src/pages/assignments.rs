//! Assignments on the overview: the current cycle's coverage per agent (reviewed of
//! assigned) and the reviewers' workload — the figures of `rubric assignments`. Agent pages
//! get none of it.

use crate::analysis::assignments::report;
use crate::analysis::cycles::cycle_of;
use crate::analysis::state::QaState;
use crate::report::assignments::{SiteAssignments, SiteCoverage, Tally};

/// The cycle of today (in the configured kind of cycle) when a plan names it, else the
/// latest planned cycle; none without plans.
pub(super) fn site_assignments(
    state: &QaState,
    anonymize: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<SiteAssignments> {
    let r = report(state, None);
    let today = now.with_timezone(&state.tz).date_naive();
    let current = state
        .config
        .assignments
        .as_ref()
        .map(|a| cycle_of(today, a.cycle, state.week_start));
    let cycle = r
        .cycles
        .iter()
        .find(|c| Some(&c.cycle) == current.as_ref())
        .or(r.cycles.last())?;
    let lines = |t: &[Tally]| {
        t.iter()
            .map(|t| SiteCoverage {
                id: t.key.clone(),
                name: state.name(&t.key),
                done: t.done,
                assigned: t.assigned,
            })
            .collect()
    };
    Some(SiteAssignments {
        cycle: cycle.cycle.clone(),
        assigned: cycle.assigned,
        done: cycle.done,
        agents: lines(&cycle.by_agent),
        reviewers: if anonymize {
            Vec::new()
        } else {
            lines(&cycle.by_reviewer)
        },
    })
}
