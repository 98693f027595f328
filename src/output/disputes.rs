//! `rubric disputes`: the human table and summary, and CSV (one row per dispute).

use super::terminal::plain;
use super::{csv_of, number, one_decimal, table, text};
use crate::report::disputes::{AcceptRate, DisputesReport};

const HEADER: [&str; 9] = [
    "review", "agent", "reviewer", "opened", "kind", "status", "days", "before", "after",
];

/// The table (days: to resolve, or the age of an open dispute), then the summary.
pub fn human(r: &DisputesReport) -> String {
    let cells: Vec<Vec<String>> = r
        .disputes
        .iter()
        .map(|d| {
            let days = match (d.days_to_resolve, d.age_days) {
                (Some(n), _) => n.to_string(),
                (None, Some(a)) => format!("{a} open"),
                _ => String::new(),
            };
            [
                &d.review,
                &d.agent,
                &d.reviewer,
                &d.opened,
                &d.kind,
                &d.status,
                &days,
                &one_decimal(d.score_before),
                &one_decimal(d.score_after),
            ]
            .iter()
            .map(|c| plain(c).into_owned())
            .collect()
        })
        .collect();
    let mut out = table(
        &HEADER,
        &[false, false, false, false, false, false, true, true, true],
        &cells,
    );
    let s = &r.summary;
    out.push_str(&format!(
        "\n{} open, {} accepted, {} partially accepted, {} rejected; mean days to resolve: {}\n",
        s.open,
        s.accepted,
        s.partially_accepted,
        s.rejected,
        one_decimal(s.mean_days_to_resolve)
    ));
    rates(
        &mut out,
        "accept rate by reviewer",
        &s.accept_rate_by_reviewer,
    );
    rates(
        &mut out,
        "accept rate by category",
        &s.accept_rate_by_category,
    );
    out
}

fn rates(out: &mut String, title: &str, rates: &[AcceptRate]) {
    if rates.is_empty() {
        return;
    }
    out.push_str(&format!("{title}:\n"));
    for r in rates {
        out.push_str(&format!(
            "  {}: {} of {} ({:.0}%)\n",
            plain(&r.key),
            r.granted,
            r.resolved,
            100.0 * r.rate
        ));
    }
}

/// One row per dispute, full precision, cells neutralised for spreadsheets.
pub fn csv(r: &DisputesReport) -> Result<String, csv::Error> {
    let header = [
        "review",
        "agent",
        "reviewer",
        "opened",
        "by",
        "kind",
        "status",
        "resolved",
        "resolved_by",
        "days_to_resolve",
        "age_days",
        "proposed",
        "granted",
        "score_before",
        "score_after",
        "path",
    ];
    csv_of(
        &header,
        r.disputes.iter().map(|d| {
            let proposed: Vec<String> = d
                .proposed
                .iter()
                .map(|(c, v)| format!("{c}={}", v.as_str().map_or(v.to_string(), str::to_string)))
                .chain(d.proposed_agent.iter().map(|a| format!("agent={a}")))
                .collect();
            [
                text(&d.review),
                text(&d.agent),
                text(&d.reviewer),
                text(&d.opened),
                text(&d.by),
                d.kind.clone(),
                d.status.clone(),
                text(d.resolved.as_deref().unwrap_or("")),
                text(d.resolved_by.as_deref().unwrap_or("")),
                d.days_to_resolve.map_or(String::new(), |n| n.to_string()),
                d.age_days.map_or(String::new(), |n| n.to_string()),
                text(&proposed.join(" ")),
                text(&d.granted.join(" ")),
                number(d.score_before),
                number(d.score_after),
                text(&d.path),
            ]
        }),
    )
}
