//! `rubric assign`'s summary and `rubric assignments`' tables (human) and CSV (one row per
//! item).

use super::terminal::plain;
use super::{csv_of, table, text};
use crate::report::assignments::{AssignRun, AssignmentsReport, Tally};

/// What `assign` wrote, and every row it left out, by reason.
pub fn assign_human(r: &AssignRun) -> String {
    let mut out = format!(
        "wrote {}: {} conversation(s) of {} agent(s) to review in {} (from {}, {} rows)\n",
        plain(&r.path),
        r.items,
        r.agents,
        r.cycle,
        plain(&r.source.file),
        r.source.rows
    );
    let loads: Vec<String> = r
        .by_reviewer
        .iter()
        .map(|c| format!("{} {}", plain(&c.key), c.count))
        .collect();
    out.push_str(&format!("reviewers: {}\n", loads.join(", ")));
    let left: u64 = r.rejected.iter().map(|c| c.count).sum();
    out.push_str(&format!(
        "{} usable row(s), {} picked; {left} row(s) left out:\n",
        r.candidates, r.items
    ));
    for c in r.rejected.iter().filter(|c| c.count > 0) {
        out.push_str(&format!("  {:<17} {:>9}\n", c.key, c.count));
    }
    if !r.unknown_agents.is_empty() {
        let names: Vec<String> = r
            .unknown_agents
            .iter()
            .map(|c| format!("{} ({})", plain(&c.key), c.count))
            .collect();
        out.push_str(&format!(
            "unknown agents (add them to qa.yaml's people, or fix the export): {}\n",
            names.join(", ")
        ));
    }
    out
}

/// Per cycle: the totals, then a table per reviewer and per agent, then the missing items.
pub fn human(r: &AssignmentsReport) -> String {
    if r.cycles.is_empty() {
        return "no assignment plans (`rubric assign --conversations FILE` writes one)\n".into();
    }
    let mut out = String::new();
    for c in &r.cycles {
        let share = if c.assigned == 0 {
            0.0
        } else {
            100.0 * c.done as f64 / c.assigned as f64
        };
        out.push_str(&format!(
            "{}: {} assigned, {} done ({share:.0}%), {} missing\n\n",
            c.cycle, c.assigned, c.done, c.missing
        ));
        out.push_str(&tallies("reviewer", &c.by_reviewer));
        out.push('\n');
        out.push_str(&tallies("agent", &c.by_agent));
        let missing: Vec<Vec<String>> = c
            .items
            .iter()
            .filter(|i| !i.done)
            .map(|i| {
                [&i.reviewer, &i.agent, &i.conversation]
                    .iter()
                    .map(|s| plain(s).into_owned())
                    .chain([plain(i.created_at.as_deref().unwrap_or("")).into_owned()])
                    .collect()
            })
            .collect();
        if !missing.is_empty() {
            out.push_str("\nstill to review:\n");
            out.push_str(&table(
                &["reviewer", "agent", "conversation", "created"],
                &[false, false, false, false],
                &missing,
            ));
        }
        out.push('\n');
    }
    out
}

fn tallies(what: &str, rows: &[Tally]) -> String {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|t| {
            vec![
                plain(&t.key).into_owned(),
                t.assigned.to_string(),
                t.done.to_string(),
                t.missing.to_string(),
            ]
        })
        .collect();
    table(
        &[what, "assigned", "done", "missing"],
        &[false, true, true, true],
        &cells,
    )
}

/// One row per item, cells neutralised for spreadsheets.
pub fn csv(r: &AssignmentsReport) -> Result<String, csv::Error> {
    let header = [
        "cycle",
        "conversation",
        "agent",
        "reviewer",
        "done",
        "review",
        "created_at",
        "url",
        "channel",
        "plan",
    ];
    csv_of(
        &header,
        r.cycles.iter().flat_map(|c| {
            c.items.iter().map(|i| {
                [
                    c.cycle.clone(),
                    text(&i.conversation),
                    text(&i.agent),
                    text(&i.reviewer),
                    i.done.to_string(),
                    text(i.review.as_deref().unwrap_or("")),
                    text(i.created_at.as_deref().unwrap_or("")),
                    text(i.url.as_deref().unwrap_or("")),
                    text(i.channel.as_deref().unwrap_or("")),
                    text(&i.plan),
                ]
            })
        }),
    )
}
