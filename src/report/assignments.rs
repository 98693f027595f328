//! `rubric assignments --format json` (SPEC §7): per cycle, what was assigned and what is
//! done, per reviewer and per agent, and every item with the review that covers it.

use super::LeftOut;
use serde::Serialize;

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignmentsReport {
    pub cycles: Vec<CycleStatus>,
    /// Review files left out (SPEC §5.5): they do not count as done.
    pub left_out: Vec<LeftOut>,
}

/// One cycle (all the plan files that name it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CycleStatus {
    pub cycle: String,
    pub assigned: usize,
    pub done: usize,
    pub missing: usize,
    /// The plan files of the cycle.
    pub plans: Vec<String>,
    pub by_reviewer: Vec<Tally>,
    pub by_agent: Vec<Tally>,
    pub items: Vec<ItemStatus>,
}

/// Assigned, done and missing for one reviewer or agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub key: String,
    pub assigned: usize,
    pub done: usize,
    pub missing: usize,
}

/// One item of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemStatus {
    pub conversation: String,
    pub agent: String,
    pub reviewer: String,
    pub done: bool,
    /// The id of the valid review of this conversation and agent (the earliest), or null.
    pub review: Option<String>,
    pub created_at: Option<String>,
    pub url: Option<String>,
    pub channel: Option<String>,
    pub plan: String,
}

/// What `rubric assign` did (`--format json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssignRun {
    /// The plan file written, relative to the repository root.
    pub path: String,
    pub cycle: String,
    pub source: AssignSource,
    /// Rows that could be picked (after every reason below).
    pub candidates: u64,
    pub items: usize,
    pub agents: usize,
    /// Items per reviewer (every configured reviewer, also with none).
    pub by_reviewer: Vec<Count>,
    /// Rows left out, per reason (every reason, also with none).
    pub rejected: Vec<Count>,
    /// The agent values that are not known, with their number of rows (at most 20).
    pub unknown_agents: Vec<Count>,
    pub left_out: Vec<LeftOut>,
}

/// The export a plan was sampled from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AssignSource {
    pub file: String,
    pub sha256: String,
    pub rows: u64,
    pub format: String,
}

/// A key and a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

/// The overview's coverage of the current cycle (`site.assignments` for the templates).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteAssignments {
    /// The cycle of today when it has a plan, else the latest cycle with one.
    pub cycle: String,
    pub assigned: usize,
    pub done: usize,
    /// Per agent: reviewed (done) of assigned.
    pub agents: Vec<SiteCoverage>,
    /// Reviewer workload: done of assigned (empty when reviewers are anonymized).
    pub reviewers: Vec<SiteCoverage>,
}

/// One agent's or reviewer's line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SiteCoverage {
    pub id: String,
    /// Roster name, else the id.
    pub name: String,
    pub done: usize,
    pub assigned: usize,
}
