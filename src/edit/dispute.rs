//! `rubric dispute` and `rubric resolve` (SPEC §3.1): open a dispute in a review file, or
//! answer the open one, as text edits at the loader's node positions. The edited text is read
//! back and compared with what was meant, then judged by the same rules as `check` before
//! anything is written.

use crate::analysis::state::{QaState, StateError};
use crate::check::disputes::show;
use crate::edit::splice::{apply, quoted, scalar, verify, Editable, Splice, SpliceError};
use crate::load::file::Input;
use crate::load::yaml::escape_segment;
use crate::model::diagnostic::{Diagnostic, Severity};
use crate::model::{DisputeKind, DisputeStatus};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

/// A dispute to open.
#[derive(Debug, Clone)]
pub struct OpenRequest {
    pub review: String,
    pub reason: String,
    /// Category → the rating asked for (`None`: `na`).
    pub proposed: Vec<(String, Option<i64>)>,
    /// For a `wrong-agent` dispute: who handled the conversation.
    pub wrong_agent: Option<String>,
}

/// How the open dispute is answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Accept,
    /// Grant these proposed categories only.
    Partial(Vec<String>),
    Reject,
}

/// The answer to the open dispute.
#[derive(Debug, Clone)]
pub struct ResolveRequest {
    pub review: String,
    pub answer: Answer,
    pub response: String,
}

/// A review file edited: its path, new text, and which dispute (0-based) it touched.
#[derive(Debug, Clone)]
pub struct Edited {
    pub path: String,
    pub text: String,
    pub dispute: usize,
}

/// Why a dispute could not be opened or answered.
#[derive(Debug, thiserror::Error)]
pub enum DisputeError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error("no review `{0}`")]
    NoSuchReview(String),
    #[error("review `{0}` has errors of its own ({1}); fix them first (`rubric check`)")]
    Invalid(String, String),
    #[error("cannot read {0}: {1}")]
    Read(String, String),
    #[error("cannot edit {0}: {1}")]
    Splice(String, #[source] SpliceError),
    #[error("review `{0}` has no open dispute (`rubric disputes --status open` lists them; `rubric dispute` opens one)")]
    NoOpenDispute(String),
    #[error("{0}")]
    Usage(String),
    #[error("`rubric check` would reject this edit of {path}")]
    Refused {
        path: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// Who is acting: the git user as a roster id (the `by` of a new dispute, the `resolved_by` of
/// an answer), and today in the `qa.yaml` zone.
#[derive(Debug, Clone)]
pub struct Actor {
    pub person: String,
    pub now: DateTime<Utc>,
}

/// The review file's path and text.
fn review_text(state: &QaState, id: &str) -> Result<(String, String), DisputeError> {
    let path = match state.reviews.iter().find(|r| r.id == id) {
        Some(r) => r.path.clone(),
        None => {
            let stem = |p: &str| crate::load::repo::stem(p) == id;
            return Err(match state.left_out.iter().find(|l| stem(&l.path)) {
                Some(l) => DisputeError::Invalid(id.to_string(), l.message.clone()),
                None => DisputeError::NoSuchReview(id.to_string()),
            });
        }
    };
    match state.read(&path) {
        Input::Bytes(b) => String::from_utf8(b)
            .map(|t| (path.clone(), t))
            .map_err(|_| DisputeError::Read(path, "not UTF-8".into())),
        Input::TooLarge(n) => Err(DisputeError::Read(path, format!("{n} bytes, too large"))),
        Input::Failed(e) => Err(DisputeError::Read(path, e.to_string())),
    }
}

/// The review with a new open dispute appended.
pub fn open(state: &mut QaState, actor: &Actor, req: &OpenRequest) -> Result<Edited, DisputeError> {
    not_blank("--reason", &req.reason)?;
    let (path, text) = review_text(state, &req.review)?;
    let ed = Editable::new(&path, &text).map_err(|e| DisputeError::Splice(path.clone(), e))?;
    let today = actor.now.with_timezone(&state.tz).date_naive().to_string();
    let mut fields: Vec<(&str, String)> =
        vec![("opened", today.clone()), ("by", scalar(&actor.person))];
    let mut item = json!({"opened": today, "by": actor.person});
    if req.wrong_agent.is_some() {
        if !req.proposed.is_empty() {
            return Err(DisputeError::Usage(
                "a wrong-agent dispute proposes an agent, not ratings: drop --propose".into(),
            ));
        }
        fields.push(("kind", "wrong-agent".into()));
        item["kind"] = json!("wrong-agent");
    }
    fields.push(("reason", quoted(&req.reason)));
    item["reason"] = json!(req.reason);
    if !req.proposed.is_empty() {
        let shown: Vec<String> = req
            .proposed
            .iter()
            .map(|(c, v)| format!("{}: {}", scalar(c), show(*v)))
            .collect();
        fields.push(("proposed", format!("{{{}}}", shown.join(", "))));
        let map: Map<String, Value> = req
            .proposed
            .iter()
            .map(|(c, v)| (c.clone(), rating_json(*v)))
            .collect();
        item["proposed"] = Value::Object(map);
    }
    if let Some(agent) = &req.wrong_agent {
        fields.push(("proposed_agent", scalar(agent)));
        item["proposed_agent"] = json!(agent);
    }
    fields.push(("status", "open".into()));
    item["status"] = json!("open");
    let splice = ed
        .push_item("/disputes", &fields)
        .map_err(|e| DisputeError::Splice(path.clone(), e))?;
    let mut expected = ed.value.clone();
    let count = match expected.get_mut("disputes").and_then(Value::as_array_mut) {
        Some(list) => {
            list.push(item);
            list.len()
        }
        None => {
            expected["disputes"] = json!([item]);
            1
        }
    };
    finish(
        state,
        actor,
        path,
        &text,
        vec![splice],
        &expected,
        count - 1,
    )
}

/// A reason or response says something: not empty, not only white space.
fn not_blank(flag: &str, text: &str) -> Result<(), DisputeError> {
    if text.trim().is_empty() {
        return Err(DisputeError::Usage(format!(
            "{flag} is empty: say in a sentence why (it is what the other side reads)"
        )));
    }
    Ok(())
}

fn rating_json(v: Option<i64>) -> Value {
    v.map_or(json!("na"), |p| json!(p))
}

/// Verifies the edit, judges it as `check` would, and returns it.
fn finish(
    state: &mut QaState,
    actor: &Actor,
    path: String,
    text: &str,
    splices: Vec<Splice>,
    expected: &Value,
    dispute: usize,
) -> Result<Edited, DisputeError> {
    let new = apply(text, splices);
    verify(&path, &new, expected).map_err(|e| DisputeError::Splice(path.clone(), e))?;
    let errors: Vec<Diagnostic> = state
        .judge_edit(&path, &new, actor.now)?
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    if !errors.is_empty() {
        return Err(DisputeError::Refused {
            path,
            diagnostics: errors,
        });
    }
    Ok(Edited {
        path,
        text: new,
        dispute,
    })
}

/// The review with its open dispute answered; `accept` and `partial` also apply the proposed
/// ratings (a rating written as a mapping keeps its comment and root causes), and an accepted
/// `wrong-agent` dispute changes `agent`.
pub fn resolve(
    state: &mut QaState,
    actor: &Actor,
    req: &ResolveRequest,
) -> Result<Edited, DisputeError> {
    not_blank("--response", &req.response)?;
    let (path, text) = review_text(state, &req.review)?;
    let ed = Editable::new(&path, &text).map_err(|e| DisputeError::Splice(path.clone(), e))?;
    let snap = crate::load::review::Snapshot::from_value(&ed.value, true);
    let Some(i) = snap.disputes.iter().position(|d| d.is_open()) else {
        return Err(DisputeError::NoOpenDispute(req.review.clone()));
    };
    let d = &snap.disputes[i];
    let (status, grant) = granted(d, &req.answer)?;
    let splice_err = |e| DisputeError::Splice(path.clone(), e);
    let at = format!("/disputes/{i}");
    let mut expected = ed.value.clone();
    let mut splices = vec![ed
        .replace_scalar(&format!("{at}/status"), status.as_str())
        .map_err(splice_err)?];
    expected["disputes"][i]["status"] = json!(status.as_str());
    let today = actor.now.with_timezone(&state.tz).date_naive().to_string();
    let mut add: Vec<(&str, String)> = Vec::new();
    let answer = [
        ("resolved", json!(today), today.clone()),
        ("resolved_by", json!(actor.person), scalar(&actor.person)),
        (
            "response",
            json!(req.response),
            Value::from(req.response.as_str()).to_string(),
        ),
    ];
    for (key, value, yaml) in answer {
        match ed.spans.get(&format!("{at}/{key}")) {
            Some(_) => splices.push(
                ed.replace_scalar(&format!("{at}/{key}"), &yaml)
                    .map_err(splice_err)?,
            ),
            None => add.push((key, yaml)),
        }
        expected["disputes"][i][key] = value;
    }
    if !add.is_empty() {
        splices.push(ed.add_keys(&at, &add).map_err(splice_err)?);
    }
    for (cat, v) in &grant {
        let base = format!("/ratings/{}", escape_segment(cat));
        let inner = format!("{base}/rating");
        let target = if ed.spans.get(&inner).is_some() {
            inner
        } else {
            base
        };
        splices.push(ed.replace_scalar(&target, &show(*v)).map_err(splice_err)?);
        *expected
            .pointer_mut(&target)
            .ok_or_else(|| DisputeError::Usage(format!("the review does not rate `{cat}`")))? =
            rating_json(*v);
    }
    if let (Answer::Accept, DisputeKind::WrongAgent, Some(agent)) =
        (&req.answer, d.kind, &d.proposed_agent)
    {
        splices.push(
            ed.replace_scalar("/agent", &scalar(agent))
                .map_err(splice_err)?,
        );
        expected["agent"] = json!(agent);
    }
    finish(state, actor, path, &text, splices, &expected, i)
}

/// A proposed rating: category, and the rating (`None`: `na`).
type Proposal = (String, Option<i64>);

/// The status an answer sets and the proposed ratings it applies.
fn granted(
    d: &crate::load::review::DisputeSnap,
    answer: &Answer,
) -> Result<(DisputeStatus, Vec<Proposal>), DisputeError> {
    let all: Vec<Proposal> = d
        .proposed
        .iter()
        .map(|(c, v)| (c.to_string(), *v))
        .collect();
    match answer {
        Answer::Accept => Ok((DisputeStatus::Accepted, all)),
        Answer::Reject => Ok((DisputeStatus::Rejected, Vec::new())),
        Answer::Partial(_) if d.kind == DisputeKind::WrongAgent => Err(DisputeError::Usage(
            "a wrong-agent dispute is accepted or rejected, not partly".into(),
        )),
        Answer::Partial(cats) => {
            let mut out = Vec::new();
            for c in cats {
                let Some(p) = all.iter().find(|(k, _)| k == c) else {
                    let names: Vec<&str> = all.iter().map(|(k, _)| k.as_str()).collect();
                    return Err(DisputeError::Usage(format!(
                        "the dispute does not propose `{c}` (it proposes: {})",
                        if names.is_empty() {
                            "nothing".to_string()
                        } else {
                            names.join(", ")
                        }
                    )));
                };
                if !out.contains(p) {
                    out.push(p.clone());
                }
            }
            if out.is_empty() || out.len() == all.len() {
                return Err(DisputeError::Usage(
                    "--partial grants some but not all proposed categories; use --accept to \
                     grant them all"
                        .into(),
                ));
            }
            Ok((DisputeStatus::PartiallyAccepted, out))
        }
    }
}
