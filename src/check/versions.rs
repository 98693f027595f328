//! Version discipline: a rubric whose scoring changed needs a new version number.

use super::parse_historic;
use crate::load::file::Loaded;
use crate::load::git::{History, HistoryError};
use crate::model::diagnostic::{Code, Diagnostic, Pos};
use crate::model::Rubric;
use std::collections::HashSet;

/// Every content a rubric version had in history: (where it was seen, the rubric).
pub type Historic<'a> = dyn Fn(&str, u32) -> Vec<(String, Rubric)> + 'a;

/// The version rules for rubrics changed since `rev` (issue: rubric changes through pull
/// requests): a change that moves scores needs a higher `version`; a version never goes down
/// and is never reused for different scoring; wording-only edits need no bump (a warning says
/// what changed).
pub fn version_discipline(
    h: &History,
    rev: &str,
    rubrics: &[Loaded<Rubric>],
    historic: &Historic<'_>,
) -> Result<Vec<Diagnostic>, HistoryError> {
    let base = h.resolve(Some(rev))?;
    let changed: HashSet<String> = h.changed_since(rev)?.into_iter().collect();
    let mut out = Vec::new();
    for r in rubrics {
        let (Some(head), Some(doc)) = (&r.value, &r.doc) else {
            continue;
        };
        if !changed.contains(&r.rel) {
            continue;
        }
        let pos = doc.value_pos("/version");
        let old = h.file_at(base, &r.rel)?.and_then(|bytes| {
            parse_historic(
                &r.rel,
                &String::from_utf8_lossy(&bytes),
                crate::load::yaml::DEFAULT_MAX_FILE_SIZE,
            )
        });
        if let Some(old) = &old {
            if against_base(rev, &r.rel, pos, old, head, &mut out) {
                continue;
            }
        }
        out.extend(reused_version(&r.rel, pos, old.as_ref(), head, historic));
    }
    Ok(out)
}

/// The rules against the rubric's version at `rev`: its version went down, scoring changed
/// without a bump, or only the wording changed. True when scoring changed without a bump
/// (nothing more is said about the rubric then).
fn against_base(
    rev: &str,
    rel: &str,
    pos: Pos,
    old: &Rubric,
    head: &Rubric,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let (hv, id) = (head.version.0, head.id.as_str());
    let bv = old.version.0;
    let d = crate::model::rubric_diff::diff_rubric(id, Some(old), Some(head));
    let scoring: Vec<&str> = d
        .changes
        .iter()
        .filter(|c| c.scoring)
        .map(|c| c.text.as_str())
        .collect();
    if hv < bv {
        out.push(Diagnostic::new(
            Code::VersionDecreased,
            rel,
            pos,
            format!("version went down from {bv} to {hv} since {rev}"),
        ));
    } else if hv == bv && !scoring.is_empty() {
        out.push(
            Diagnostic::new(
                Code::VersionNotBumped,
                rel,
                pos,
                format!(
                    "scoring changed since {rev} ({}) but version is still {hv}",
                    scoring.join("; ")
                ),
            )
            .hint(format!(
                "Set `version: {}` so that reviews of version {bv} keep their scores.",
                bv + 1
            )),
        );
        return true;
    } else if d.status == "changed" && scoring.is_empty() {
        let what: Vec<&str> = d.changes.iter().map(|c| c.text.as_str()).collect();
        out.push(Diagnostic::new(
            Code::RubricReworded,
            rel,
            pos,
            format!(
                "wording only since {rev}, no version bump needed: {}",
                what.join("; ")
            ),
        ));
    }
    false
}

/// A version number that held other scoring before may not be used again (unless it is the
/// version at `rev`, which the other rules judge).
fn reused_version(
    rel: &str,
    pos: Pos,
    old: Option<&Rubric>,
    head: &Rubric,
    historic: &Historic<'_>,
) -> Option<Diagnostic> {
    let (hv, id) = (head.version.0, head.id.as_str());
    let same_as_base = old.is_some_and(|o| o.version.0 == hv);
    let sig = crate::model::rubric_diff::scoring_signature;
    let reused = historic(id, hv)
        .into_iter()
        .find(|(_, prev)| sig(prev) != sig(head));
    match (same_as_base, reused) {
        (false, Some((source, _))) => Some(Diagnostic::new(
            Code::VersionReused,
            rel,
            pos,
            format!(
                "version {hv} of `{id}` already existed in history ({source}) with different scoring"
            ),
        )),
        _ => None,
    }
}
