//! `rubric assign --conversations FILE`: sample the conversations to review in a cycle from
//! a help desk's export and write the plan, `assignments/<cycle>.yaml` (SPEC §4.1).

use crate::cli::context::Context;
use crate::cli::error::CliError;
use crate::cli::io::{json, load_state_using, print, StateArgs};
use foldhash::{HashMap, HashMapExt, HashSet};
use rubric::analysis::assign::{columns, Outcome, Sampler, Setup};
use rubric::analysis::cycles::{cycle_days, cycle_of};
use rubric::analysis::state::HistoryUse;
use rubric::analysis::state::QaState;
use rubric::edit::plan::{self, PlanHead};
use rubric::load::conversations::read_export;
use rubric::load::people::Roster;
use rubric::model::assignments::{AssignConfig, CycleKind, CycleLabel};
use rubric::report::assignments::{AssignRun, AssignSource, Count};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The help desk's export: CSV with a header, or JSON Lines, with the columns id, agent
    /// and created_at (and any others, such as url, channel or those `where` names).
    #[arg(long, value_name = "FILE")]
    conversations: PathBuf,
    /// The cycle to plan (2026-W48 or 2026-11, as qa.yaml's assignments.cycle says);
    /// default: the cycle of today.
    #[arg(long, value_name = "CYCLE")]
    cycle: Option<String>,
    /// Replace the cycle's plan if it exists.
    #[arg(long)]
    force: bool,
    #[arg(long, value_enum, default_value = "human")]
    format: RunFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum RunFormat {
    Human,
    Json,
}

pub fn run(ctx: &Context, args: Args) -> Result<ExitCode, CliError> {
    let state = load_state_using(ctx, &StateArgs::default(), HistoryUse::Optional)?;
    let Some(cfg) = state.config.assignments.clone() else {
        return Err(CliError::Assign(
            "qa.yaml has no `assignments:` section: add one with cycle, per_agent and reviewers \
             (see `rubric schema config`, or the example `rubric init` writes)"
                .into(),
        ));
    };
    let roster = Roster::new(&state.config);
    let reviewers = reviewers(&cfg, roster.as_ref())?;
    let cycle = cycle(ctx, &state, &cfg, args.cycle.as_deref())?;
    let days = cycle_days(&cycle, state.week_start)
        .ok_or_else(|| CliError::Assign(format!("`{cycle}` is not a cycle")))?;
    let rel = format!("{}/{cycle}.yaml", state.config.paths.assignments.as_str());
    if !args.force && plan::exists(&ctx.root, &rel) {
        return Err(rubric::edit::plan::PlanError::Exists(rel).into());
    }
    let filter: Vec<(String, Vec<String>)> = cfg.filter.clone().into_iter().collect();
    let wanted = columns(&filter);
    let path = ctx.start.join(&args.conversations);
    let mut sampler = Sampler::new(Setup {
        cycle: cycle.clone(),
        days,
        tz: state.tz,
        per_agent: cfg.per_agent,
        seed: cfg.seed,
        reviewers: reviewers.clone(),
        filter,
        roster: roster.as_ref(),
        reviewed: reviewed(&state),
        assigned: assigned(&state, &rel),
        size_hint: std::fs::metadata(&path).map_or(0, |m| m.len().min(1 << 30) as usize),
    });
    let summary = read_export(&path, &wanted, &mut |r| sampler.offer(r.cells))?;
    let outcome = sampler.finish();
    let file = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let created = ctx.now.with_timezone(&state.tz).date_naive().to_string();
    let depth = rel.matches('/').count();
    let schema = ctx
        .root
        .join("schemas/assignments.schema.json")
        .is_file()
        .then(|| format!("{}schemas/assignments.schema.json", "../".repeat(depth)));
    let head = PlanHead {
        cycle: &cycle,
        created: &created,
        file: &file,
        sha256: &summary.sha256,
        rows: summary.rows,
        schema,
    };
    plan::write_plan(
        &ctx.root,
        &rel,
        &plan::render(&head, &outcome.items),
        args.force,
    )?;
    let format = match summary.format {
        rubric::load::conversations::ExportFormat::Csv => "csv",
        rubric::load::conversations::ExportFormat::JsonLines => "jsonl",
    };
    let source = AssignSource {
        file,
        sha256: summary.sha256.clone(),
        rows: summary.rows,
        format: format.into(),
    };
    let run = summarise(rel, cycle, source, &reviewers, outcome, &state);
    print(&match args.format {
        RunFormat::Json => json(&run)?,
        RunFormat::Human => rubric::output::assignments::assign_human(&run),
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The configured reviewers as roster ids; one the roster does not know stops the run.
fn reviewers(cfg: &AssignConfig, roster: Option<&Roster>) -> Result<Vec<String>, CliError> {
    cfg.reviewers
        .0
        .iter()
        .map(|r| match roster {
            None => Ok(r.as_str().to_string()),
            Some(ro) => ro.resolve(r.as_str()).map(str::to_string).ok_or_else(|| {
                CliError::Assign(format!(
                    "qa.yaml assignments.reviewers names `{r}`, who is not in the roster{}",
                    ro.suggest(r.as_str())
                ))
            }),
        })
        .collect()
}

/// The cycle asked for (of the configured kind), or today's.
fn cycle(
    ctx: &Context,
    state: &QaState,
    cfg: &AssignConfig,
    asked: Option<&str>,
) -> Result<String, CliError> {
    let Some(c) = asked else {
        let today = ctx.now.with_timezone(&state.tz).date_naive();
        return Ok(cycle_of(today, cfg.cycle, state.week_start));
    };
    let kind = CycleLabel::kind_of(c).ok_or_else(|| {
        CliError::Assign(format!("`{c}` is not a cycle: write 2026-W48 or 2026-11"))
    })?;
    if kind != cfg.cycle {
        let want = match cfg.cycle {
            CycleKind::Week => "a week such as 2026-W48",
            CycleKind::Month => "a month such as 2026-11",
        };
        return Err(CliError::Assign(
            format!("qa.yaml plans by {:?}: give --cycle as {want}", cfg.cycle).to_lowercase(),
        ));
    }
    Ok(c.to_string())
}

/// Conversation id → the agents of its valid reviews.
fn reviewed(state: &QaState) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for r in &state.reviews {
        if let Some(c) = &r.snapshot.conversation {
            out.entry(c.to_string()).or_default().push(r.agent.clone());
        }
    }
    out
}

/// The conversations that the other plans list (not the one being replaced).
fn assigned(state: &QaState, rel: &str) -> HashSet<String> {
    state
        .plans
        .iter()
        .filter(|p| p.rel != rel)
        .flat_map(|p| p.plan.items.iter().map(|i| i.conversation.0.clone()))
        .collect()
}

fn summarise(
    path: String,
    cycle: String,
    source: AssignSource,
    reviewers: &[String],
    o: Outcome,
    state: &QaState,
) -> AssignRun {
    let count = |key: &str, count: u64| Count {
        key: key.to_string(),
        count,
    };
    let mut by_reviewer: Vec<Count> = reviewers.iter().map(|r| count(r, 0)).collect();
    by_reviewer.sort_by(|a, b| a.key.cmp(&b.key));
    for i in &o.items {
        if let Some(c) = by_reviewer.iter_mut().find(|c| c.key == i.reviewer) {
            c.count += 1;
        }
    }
    let agents: HashSet<&str> = o.items.iter().map(|i| i.agent.as_str()).collect();
    AssignRun {
        path,
        cycle,
        source,
        candidates: o.candidates,
        items: o.items.len(),
        agents: agents.len(),
        by_reviewer,
        rejected: o
            .rejected
            .iter()
            .map(|(r, n)| count(r.name(), *n))
            .collect(),
        unknown_agents: o.unknown_agents.iter().map(|(a, n)| count(a, *n)).collect(),
        left_out: state.left_out.clone(),
    }
}
