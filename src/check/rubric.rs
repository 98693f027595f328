//! Rules for a rubric on its own.

use crate::load::repo;
use crate::load::repo::FileKind;
use crate::load::schema::{self, Kind};
use crate::load::yaml::{self, Document};
use crate::model::diagnostic::{suggestion, Code, Diagnostic};
use crate::model::Config;
use crate::model::{Category, Critical, Rubric};
use std::collections::HashSet;
use std::path::Path;

pub fn parse_historic(file_name: &str, text: &str, max: usize) -> Option<Rubric> {
    let doc = yaml::load(file_name, text.as_bytes(), max).ok()?;
    if !doc.problems.is_empty() || !schema::validate(Kind::Rubric, file_name, &doc).is_empty() {
        return None;
    }
    let r: Rubric = serde_json::from_value(doc.value.clone()).ok()?;
    // Only trust a historic rubric that was valid then.
    let ok = check_rubric(file_name, &r, &doc)
        .iter()
        .all(|d| d.severity != crate::Severity::Error);
    ok.then_some(r)
}

/// Checks one rubric on its own (the schema has passed).
pub fn check_rubric(rel: &str, r: &Rubric, doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let stem = repo::stem(rel);
    if r.id.as_str() != stem {
        out.push(Diagnostic::new(
            Code::RubricIdMismatch,
            rel,
            doc.value_pos("/id"),
            format!("rubric id `{}` differs from the file name `{stem}`", r.id),
        ));
    }
    let mut groups = HashSet::new();
    for (i, g) in r.groups.iter().enumerate() {
        if !groups.insert(g.id.as_str()) {
            out.push(Diagnostic::new(
                Code::DuplicateGroup,
                rel,
                doc.value_pos(&format!("/groups/{i}/id")),
                format!("group id `{}` is used twice", g.id),
            ));
        }
    }
    let mut cats = HashSet::new();
    for (i, c) in r.categories.iter().enumerate() {
        if !cats.insert(c.id.as_str()) {
            out.push(Diagnostic::new(
                Code::DuplicateCategory,
                rel,
                doc.value_pos(&format!("/categories/{i}/id")),
                format!("category id `{}` is used twice", c.id),
            ));
        }
        if let Some(g) = &c.group {
            if !groups.contains(g.as_str()) {
                out.push(Diagnostic::new(
                    Code::UnknownGroup,
                    rel,
                    doc.value_pos(&format!("/categories/{i}/group")),
                    format!(
                        "category `{}` names group `{g}`, which the rubric does not define{}",
                        c.id,
                        suggestion(g.as_str(), groups.iter().copied())
                    ),
                ));
            }
        }
        out.extend(critical_rules(rel, i, c, doc));
        if let Some(labels) = &c.labels {
            if labels.len() != c.scale.0 as usize {
                out.push(Diagnostic::new(
                    Code::LabelCount,
                    rel,
                    doc.key_pos(&format!("/categories/{i}/labels")),
                    format!(
                        "category `{}` has {} labels for a scale of {}",
                        c.id,
                        labels.len(),
                        c.scale.0
                    ),
                ));
            }
        }
    }
    out
}

/// A bonus category may not be critical; `critical: group` needs a group (SPEC §2, §5.2).
/// Both point at the `critical` key.
fn critical_rules(rel: &str, i: usize, c: &Category, doc: &Document) -> Vec<Diagnostic> {
    let at = || doc.key_pos(&format!("/categories/{i}/critical"));
    let mut out = Vec::new();
    if c.bonus && c.critical.any() {
        out.push(Diagnostic::new(
            Code::BonusCritical,
            rel,
            at(),
            format!(
                "category `{}` is a bonus and critical: a bonus only adds to a score",
                c.id
            ),
        ));
    }
    if c.critical == Critical::Group && c.group.is_none() {
        out.push(Diagnostic::new(
            Code::GroupCriticalWithoutGroup,
            rel,
            at(),
            format!(
                "category `{}` is `critical: group` but belongs to no group",
                c.id
            ),
        ));
    }
    out
}

/// The valid rubrics of the working tree (file stem equal to the id, no errors), or the
/// first folder that could not be read.
pub fn working_rubrics(root: &Path, config: &Config) -> Result<Vec<Rubric>, Diagnostic> {
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let (files, unreadable) = repo::list_files(root, &config.paths);
    if let Some(d) = unreadable.into_iter().next() {
        return Err(d);
    }
    Ok(files
        .iter()
        .filter(|f| f.kind == FileKind::Rubric)
        .filter_map(|f| {
            let l = crate::load::file::load_typed::<Rubric>(
                Kind::Rubric,
                &f.rel,
                crate::load::file::read(&f.path, max),
                max,
            );
            let (r, doc) = (l.value?, l.doc?);
            let ok = r.id.as_str() == repo::stem(&f.rel)
                && check_rubric(&f.rel, &r, &doc)
                    .iter()
                    .all(|d| d.severity != crate::Severity::Error);
            ok.then_some(r)
        })
        .collect())
}
