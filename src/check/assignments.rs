//! Assignment plans (SPEC §4.1): every `assignments/<cycle>.yaml` loaded through its schema,
//! then the rules `check` applies to it — the file is named after its cycle, its people are in
//! the roster, nobody reviews their own conversation, and no conversation is listed twice in
//! one cycle (across all the plans of that cycle).

use crate::load::file::{load_typed, Input};
use crate::load::git::{History, HistoryError, ObjectId};
use crate::load::people::Roster;
use crate::load::repo::{self, FileKind, SourceFile};
use crate::load::schema::Kind;
use crate::load::yaml::Document;
use crate::model::assignments::Plan;
use crate::model::diagnostic::{Code, Diagnostic};
use crate::model::Config;
use std::collections::HashMap;
use std::path::Path;

/// A plan file that matches its schema (it may still have rule problems).
#[derive(Debug, Clone)]
pub struct LoadedPlan {
    pub rel: String,
    pub plan: Plan,
    /// Does `check` report an error in it?
    pub has_errors: bool,
}

/// The plan files directly in the assignments folder of the `--rev` tree.
pub fn tree_plans(
    root: &Path,
    g: &History,
    tip: ObjectId,
    config: &Config,
) -> Result<Vec<SourceFile>, HistoryError> {
    let dir = config.paths.assignments.as_str().trim_end_matches('/');
    Ok(g.tree_files(tip, dir)?
        .into_iter()
        .filter(|(rel, _)| rel.rsplit_once('/').is_some_and(|(d, _)| d == dir))
        .filter(|(rel, _)| repo::is_yaml_name(rel))
        .map(|(rel, _)| SourceFile {
            path: root.join(&rel),
            rel,
            kind: FileKind::Assignment,
        })
        .collect())
}

/// Loads and checks every plan file of `files`: the plans that match the schema, and every
/// problem found.
pub fn check_plans(
    files: &[SourceFile],
    read: &dyn Fn(&str) -> Input,
    max: usize,
    roster: Option<&Roster>,
) -> (Vec<LoadedPlan>, Vec<Diagnostic>) {
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    let mut docs = Vec::new();
    for f in files.iter().filter(|f| f.kind == FileKind::Assignment) {
        let loaded = load_typed::<Plan>(Kind::Assignments, &f.rel, read(&f.rel), max);
        problems.extend(loaded.problems);
        if let (Some(plan), Some(doc)) = (loaded.value, loaded.doc) {
            let mut own = plan_findings(&f.rel, &plan, &doc, roster);
            let has_errors = !own.is_empty();
            problems.append(&mut own);
            plans.push(LoadedPlan {
                rel: f.rel.clone(),
                plan,
                has_errors,
            });
            docs.push(doc);
        }
    }
    problems.extend(duplicates(&mut plans, &docs));
    (plans, problems)
}

/// The rules of one plan on its own.
fn plan_findings(
    rel: &str,
    plan: &Plan,
    doc: &Document,
    roster: Option<&Roster>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if repo::stem(rel) != plan.cycle.0 {
        out.push(Diagnostic::new(
            Code::PlanCycleMismatch,
            rel,
            doc.value_pos("/cycle"),
            format!(
                "this plan is for cycle `{}` but its file is named `{}`",
                plan.cycle,
                repo::stem(rel)
            ),
        ));
    }
    let person =
        |id: &str| roster.map_or(Some(id.to_string()), |r| r.resolve(id).map(String::from));
    for (i, item) in plan.items.iter().enumerate() {
        let mut known = |field: &str, id: &str| {
            let found = person(id);
            if found.is_none() {
                let hint = roster.map(|r| r.suggest(id)).unwrap_or_default();
                out.push(Diagnostic::new(
                    Code::PlanUnknownPerson,
                    rel,
                    doc.value_pos(&format!("/items/{i}/{field}")),
                    format!("{field} `{id}` is not in the qa.yaml roster{hint}"),
                ));
            }
            found
        };
        let agent = known("agent", item.agent.as_str());
        let reviewer = known("reviewer", item.reviewer.as_str());
        if agent.is_some() && agent == reviewer {
            out.push(Diagnostic::new(
                Code::PlanSelfReview,
                rel,
                doc.value_pos(&format!("/items/{i}/reviewer")),
                format!(
                    "`{}` is assigned their own conversation `{}`",
                    item.reviewer, item.conversation.0
                ),
            ));
        }
    }
    out
}

/// A conversation listed twice in one cycle: at every listing after the first (in path order).
fn duplicates(plans: &mut [LoadedPlan], docs: &[Document]) -> Vec<Diagnostic> {
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    let mut out = Vec::new();
    for (p, doc) in plans.iter_mut().zip(docs) {
        for (i, item) in p.plan.items.iter().enumerate() {
            let key = (p.plan.cycle.0.clone(), item.conversation.0.clone());
            match seen.get(&key) {
                Some(first) => {
                    p.has_errors = true;
                    out.push(Diagnostic::new(
                        Code::PlanDuplicateConversation,
                        p.rel.as_str(),
                        doc.value_pos(&format!("/items/{i}/conversation")),
                        format!(
                            "conversation `{}` is listed twice in cycle `{}` (first in `{first}`)",
                            item.conversation.0, p.plan.cycle
                        ),
                    ));
                }
                None => {
                    seen.insert(key, p.rel.clone());
                }
            }
        }
    }
    out
}
