//! Rules for a review's disputes (SPEC §3.1): the file on its own (count, window, who, what is
//! proposed, whether the outcome matches the ratings) and its history (a resolved dispute is
//! never changed; ratings stay after a rejection). Plain functions over the review's versions;
//! `analysis::state` applies them once, and `dispute`/`resolve` run them on their edit.

use crate::check::review::{Finding, Spot};
use crate::load::date::parse_review_date;
use crate::load::people::Roster;
use crate::load::review::{DisputeSnap, Snapshot};
use crate::model::diagnostic::Code;
use crate::model::{DisputeKind, DisputeLimits, DisputeStatus, Rubric};
use chrono::{DateTime, NaiveDate, Utc};

/// What the dispute rules need besides the review.
pub struct DisputeRules<'a> {
    pub limits: DisputeLimits,
    pub roster: Option<&'a Roster>,
    pub tz: chrono_tz::Tz,
    pub now: DateTime<Utc>,
}

/// One version of a review in its current timeline, oldest first; the last is the file as it
/// is now.
#[derive(Debug, Clone)]
pub struct Version {
    pub snap: std::sync::Arc<Snapshot>,
    /// Who made this version: the commit author as a roster id where known, or the git user
    /// for the working tree.
    pub author: String,
    /// The commit (short id); `None` for a change not committed yet.
    pub commit: Option<String>,
}

impl Version {
    /// "commit 1a2b3c4d5e by bob", or "an uncommitted change by bob".
    fn told(&self) -> String {
        match &self.commit {
            Some(c) => format!("commit {c} by {}", self.author),
            None => format!("an uncommitted change by {}", self.author),
        }
    }
}

fn ptr(i: usize, rest: &str) -> String {
    format!("/disputes/{i}{rest}")
}

/// Every rule the disputes of a review break. `versions` ends with the file as it is now;
/// `rubric` is the version it names; `review_day` its date in the configured zone.
pub fn dispute_findings(
    rules: &DisputeRules<'_>,
    versions: &[Version],
    rubric: Option<&Rubric>,
    review_day: Option<NaiveDate>,
) -> Vec<Finding> {
    let Some(now) = versions.last() else {
        return Vec::new();
    };
    let snap = &*now.snap;
    let mut out = Vec::new();
    counts(rules, snap, &mut out);
    for (i, d) in snap.disputes.iter().enumerate() {
        dates(rules, i, d, review_day, &mut out);
        people(rules, snap, i, d, &mut out);
        if let Some(r) = rubric {
            proposal(r, snap, i, d, &mut out);
        }
        outcome(snap, i, d, &mut out);
        if let Some(resolver) = resolver(versions, i) {
            self_resolved(rules, snap, i, d, &resolver, &mut out);
        }
    }
    resolved_changed(versions, &mut out);
    ratings_after_rejection(versions, &mut out);
    out
}

/// Who answered dispute `i`: its `resolved_by`, else the author of the first version in which
/// it is no longer open (SPEC §3.1). `None` while it is open.
pub fn resolver(versions: &[Version], i: usize) -> Option<String> {
    let d = versions.last()?.snap.disputes.get(i)?;
    if d.is_open() {
        return None;
    }
    if let Some(r) = &d.resolved_by {
        return Some(r.clone());
    }
    versions
        .iter()
        .find(|v| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()))
        .map(|v| v.author.clone())
}

fn counts(rules: &DisputeRules<'_>, snap: &Snapshot, out: &mut Vec<Finding>) {
    let max = rules.limits.max_per_review as usize;
    for i in max..snap.disputes.len() {
        out.push(Finding::new(
            Code::TooManyDisputes,
            Spot::Key(ptr(i, "")),
            format!(
                "dispute {} of this review is over the limit of {max} per review \
                 (qa.yaml `disputes.max_per_review`)",
                i + 1
            ),
        ));
    }
    let open: Vec<usize> = (0..snap.disputes.len())
        .filter(|i| snap.disputes[*i].is_open())
        .collect();
    for &i in open.iter().skip(1) {
        out.push(Finding::new(
            Code::DisputeAlreadyOpen,
            Spot::Value(ptr(i, "/status")),
            format!(
                "dispute {} is open while dispute {} is still open; a review has one open \
                 dispute at a time",
                i + 1,
                open[0] + 1
            ),
        ));
    }
}

fn dates(
    rules: &DisputeRules<'_>,
    i: usize,
    d: &DisputeSnap,
    review_day: Option<NaiveDate>,
    out: &mut Vec<Finding>,
) {
    let today = rules.now.with_timezone(&rules.tz).date_naive();
    let mut day = |key: &str, text: &Option<String>| {
        let text = text.as_deref()?;
        let spot = Spot::Value(ptr(i, &format!("/{key}")));
        let Some(parsed) = parse_review_date(text) else {
            let msg = format!("`{text}` is not a real date or time");
            out.push(Finding::new(Code::InvalidDate, spot, msg));
            return None;
        };
        let day = parsed.day_in(rules.tz);
        if day > today {
            let msg = format!("dispute {} {key} {text} lies in the future", i + 1);
            out.push(Finding::new(Code::FutureDate, spot, msg));
        }
        Some(day)
    };
    let opened = day("opened", &d.opened);
    let resolved = day("resolved", &d.resolved);
    if let (Some(o), Some(r)) = (opened, resolved) {
        if r < o {
            out.push(Finding::new(
                Code::DisputeResolvedBeforeOpened,
                Spot::Value(ptr(i, "/resolved")),
                format!(
                    "dispute {} was resolved on {r}, before it was opened on {o}",
                    i + 1
                ),
            ));
        }
    }
    if let (Some(o), Some(start), Some(window)) = (opened, review_day, rules.limits.window_days) {
        let days = (o - start).num_days();
        if days > i64::from(window) {
            out.push(Finding::new(
                Code::DisputeWindowClosed,
                Spot::Value(ptr(i, "/opened")),
                format!(
                    "dispute {} was opened {days} days after the review ({start}); qa.yaml \
                     `disputes.window_days` allows {window}",
                    i + 1
                ),
            ));
        }
    }
}

fn same_person(roster: Option<&Roster>, a: &str, b: &str) -> bool {
    let resolve = |id: &'_ str| roster.and_then(|r| r.resolve(id)).map(str::to_string);
    let (ra, rb) = (resolve(a), resolve(b));
    a.eq_ignore_ascii_case(b) || (ra.is_some() && ra == rb)
}

/// The agent of the review when dispute `i` was opened: a later accepted `wrong-agent`
/// dispute changed it.
fn agent_at(snap: &Snapshot, i: usize) -> Option<&str> {
    let later = snap.disputes[i + 1..]
        .iter()
        .find(|d| d.kind == DisputeKind::WrongAgent && d.status == Some(DisputeStatus::Accepted));
    match later {
        Some(_) => None,
        None => snap.agent.as_deref(),
    }
}

fn people(
    rules: &DisputeRules<'_>,
    snap: &Snapshot,
    i: usize,
    d: &DisputeSnap,
    out: &mut Vec<Finding>,
) {
    if let Some(roster) = rules.roster {
        let named = [
            ("by", &d.by),
            ("proposed_agent", &d.proposed_agent),
            ("resolved_by", &d.resolved_by),
        ];
        for (key, who) in named {
            let Some(who) = who.as_deref().filter(|w| roster.resolve(w).is_none()) else {
                continue;
            };
            out.push(Finding::new(
                Code::UnknownPerson,
                Spot::Value(ptr(i, &format!("/{key}"))),
                format!(
                    "dispute {} `{key}` names `{who}`, who is not in the qa.yaml roster{}",
                    i + 1,
                    roster.suggest(who)
                ),
            ));
        }
    }
    if d.kind != DisputeKind::Rating {
        return;
    }
    if let (Some(by), Some(agent)) = (d.by.as_deref(), agent_at(snap, i)) {
        if !same_person(rules.roster, by, agent) {
            out.push(Finding::new(
                Code::DisputeNotByAgent,
                Spot::Value(ptr(i, "/by")),
                format!(
                    "dispute {} was opened by `{by}`, but only the review's agent `{agent}` \
                     disputes its ratings",
                    i + 1
                ),
            ));
        }
    }
}

/// `proposed` names categories of the rubric version with ratings valid for them, and (while
/// open) differs from the review's current rating; a `wrong-agent` proposal names another agent.
fn proposal(rubric: &Rubric, snap: &Snapshot, i: usize, d: &DisputeSnap, out: &mut Vec<Finding>) {
    let seg = crate::load::yaml::escape_segment;
    for (cat, value) in &d.proposed {
        let at = ptr(i, &format!("/proposed/{}", seg(cat)));
        let Some(c) = rubric.categories.iter().find(|c| c.id.as_str() == &**cat) else {
            out.push(Finding::new(
                Code::InvalidProposal,
                Spot::Key(at),
                format!(
                    "dispute {} proposes a rating for `{cat}`, which rubric {}@{} does not have",
                    i + 1,
                    rubric.id,
                    rubric.version.0
                ),
            ));
            continue;
        };
        let bad = match value {
            Some(p) if *p < 1 || *p > i64::from(c.scale.0) => {
                Some(format!("{p} is outside the scale 1..{}", c.scale.0))
            }
            None if !c.na => Some("`na` is not allowed for this category".to_string()),
            _ => None,
        };
        if let Some(why) = bad {
            let msg = format!("dispute {} proposes for `{cat}`: {why}", i + 1);
            out.push(Finding::new(Code::InvalidProposal, Spot::Value(at), msg));
        } else if d.is_open() && snap.rating(cat) == Some(*value) {
            out.push(Finding::new(
                Code::ProposalUnchanged,
                Spot::Value(at),
                format!(
                    "dispute {} proposes {} for `{cat}`, which is already its rating",
                    i + 1,
                    show(*value)
                ),
            ));
        }
    }
    if let (true, Some(p), Some(a)) = (d.is_open(), &d.proposed_agent, &snap.agent) {
        if p.eq_ignore_ascii_case(a) {
            out.push(Finding::new(
                Code::ProposalUnchanged,
                Spot::Value(ptr(i, "/proposed_agent")),
                format!("dispute {} proposes `{p}`, who is already the agent", i + 1),
            ));
        }
    }
}

/// A rating as written: a number or `na`.
pub fn show(v: Option<i64>) -> String {
    v.map_or("na".to_string(), |p| p.to_string())
}

/// The status of a resolved dispute matches the review: every proposed rating applied for
/// `accepted`, some for `partially-accepted`, none for `rejected`. A category that a later
/// dispute proposes again is judged by that later dispute.
fn outcome(snap: &Snapshot, i: usize, d: &DisputeSnap, out: &mut Vec<Finding>) {
    let Some(status) = d.status.filter(|s| *s != DisputeStatus::Open) else {
        return;
    };
    let mismatch = |why: String| {
        Finding::new(
            Code::DisputeOutcomeMismatch,
            Spot::Value(ptr(i, "/status")),
            format!("dispute {} is `{}`, but {why}", i + 1, status.as_str()),
        )
    };
    if d.kind == DisputeKind::WrongAgent {
        let later = snap.disputes[i + 1..]
            .iter()
            .any(|l| l.kind == DisputeKind::WrongAgent && l.status.is_some_and(|s| s.granted()));
        let (Some(p), Some(agent), false) = (&d.proposed_agent, &snap.agent, later) else {
            return;
        };
        let now = p.eq_ignore_ascii_case(agent);
        let why = match status {
            DisputeStatus::PartiallyAccepted => {
                Some("a `wrong-agent` dispute is accepted or rejected, not partly".to_string())
            }
            DisputeStatus::Accepted if !now => Some(format!("the agent is `{agent}`, not `{p}`")),
            DisputeStatus::Rejected if now => Some(format!("the agent was changed to `{p}`")),
            _ => None,
        };
        out.extend(why.map(mismatch));
        return;
    }
    let again = |cat: &str| {
        snap.disputes[i + 1..]
            .iter()
            .any(|l| l.proposed.iter().any(|(c, _)| &**c == cat))
    };
    let judged: Vec<&(Box<str>, Option<i64>)> =
        d.proposed.iter().filter(|(c, _)| !again(c)).collect();
    if judged.is_empty() {
        return;
    }
    let applied = |x: &(Box<str>, Option<i64>)| snap.rating(&x.0) == Some(x.1);
    let granted = judged.iter().filter(|x| applied(x)).count();
    let first_missing = judged.iter().find(|x| !applied(x));
    let first_applied = judged.iter().find(|x| applied(x));
    let why = match status {
        DisputeStatus::Accepted => first_missing.map(|(c, v)| {
            format!(
                "`{c}` is rated {}, not the proposed {}",
                show(snap.rating(c).flatten()),
                show(*v)
            )
        }),
        DisputeStatus::Rejected => {
            first_applied.map(|(c, v)| format!("`{c}` has the proposed rating {}", show(*v)))
        }
        DisputeStatus::PartiallyAccepted
            if judged.len() == d.proposed.len() && (granted == 0 || granted == judged.len()) =>
        {
            Some(if granted == 0 {
                "none of the proposed ratings was applied".to_string()
            } else {
                "every proposed rating was applied (that is `accepted`)".to_string()
            })
        }
        _ => None,
    };
    out.extend(why.map(mismatch));
}

fn self_resolved(
    rules: &DisputeRules<'_>,
    snap: &Snapshot,
    i: usize,
    d: &DisputeSnap,
    resolver: &str,
    out: &mut Vec<Finding>,
) {
    let by_self =
        d.by.as_deref()
            .is_some_and(|b| same_person(rules.roster, b, resolver));
    let agent = agent_at(snap, i).filter(|_| d.kind == DisputeKind::Rating);
    let by_agent = agent.is_some_and(|a| same_person(rules.roster, a, resolver));
    if by_self || by_agent {
        let spot = if d.resolved_by.is_some() {
            Spot::Value(ptr(i, "/resolved_by"))
        } else {
            Spot::Value(ptr(i, "/status"))
        };
        out.push(Finding::new(
            Code::SelfResolvedDispute,
            spot,
            format!(
                "dispute {} was answered by `{resolver}`, {} it",
                i + 1,
                if by_self {
                    "who opened"
                } else {
                    "the agent of the review that disputes"
                }
            ),
        ));
    }
}

/// The versions that count for history rules: those that read as a review (a version that did
/// not parse says nothing about its disputes).
fn readable(versions: &[Version]) -> impl Iterator<Item = (usize, &Version)> {
    versions.iter().enumerate().filter(|(_, v)| v.snap.valid)
}

/// The latest readable version, after the `k`-th, whose `part` differs from the readable
/// version before it: the change that made the file as it is.
fn last_change<T: PartialEq>(
    versions: &[Version],
    k: usize,
    part: impl Fn(&Version) -> T,
) -> Option<&Version> {
    let readable: Vec<&Version> = readable(versions)
        .filter(|(m, _)| *m >= k)
        .map(|(_, v)| v)
        .collect();
    readable
        .windows(2)
        .rev()
        .find(|w| part(w[0]) != part(w[1]))
        .map(|w| w[1])
}

/// A resolved dispute stays as it was resolved: never edited or removed afterwards. (The file
/// as it is counts: a change undone later is no longer an error.)
fn resolved_changed(versions: &[Version], out: &mut Vec<Finding>) {
    let most = versions
        .iter()
        .map(|v| v.snap.disputes.len())
        .max()
        .unwrap_or(0);
    let Some(now) = versions.last() else { return };
    for i in 0..most {
        let Some((k, first)) =
            readable(versions).find(|(_, v)| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()))
        else {
            continue;
        };
        let kept = &first.snap.disputes[i];
        if now.snap.disputes.get(i) == Some(kept) {
            continue;
        }
        let part = |v: &Version| v.snap.disputes.get(i).cloned();
        let later = last_change(versions, k, part).unwrap_or(now);
        let (what, spot) = match now.snap.disputes.get(i) {
            Some(_) => ("edited", Spot::Key(ptr(i, ""))),
            None => ("removed", Spot::Key("/disputes".into())),
        };
        out.push(Finding::new(
            Code::ResolvedDisputeChanged,
            spot,
            format!(
                "dispute {} was resolved ({}) in {}, and {what} afterwards in {}",
                i + 1,
                kept.status.map_or("?", |s| s.as_str()),
                first.told(),
                later.told()
            ),
        ));
    }
}

/// After a rejection the ratings stay as they were, unless a later dispute is accepted.
fn ratings_after_rejection(versions: &[Version], out: &mut Vec<Finding>) {
    let Some(now) = versions.last() else { return };
    for i in 0..now.snap.disputes.len() {
        let rejected = |v: &Version| {
            v.snap
                .disputes
                .get(i)
                .is_some_and(|d| d.status == Some(DisputeStatus::Rejected))
        };
        let Some((k, base)) = readable(versions).find(|(_, v)| rejected(v)) else {
            continue;
        };
        let granted_later = now
            .snap
            .disputes
            .iter()
            .skip(i + 1)
            .any(|d| d.status.is_some_and(|s| s.granted()));
        if granted_later || now.snap.ratings == base.snap.ratings {
            continue;
        }
        let later = last_change(versions, k, |v| v.snap.ratings.clone()).unwrap_or(now);
        out.push(Finding::new(
            Code::RatingsChangedAfterRejection,
            Spot::Key("/ratings".into()),
            format!(
                "the ratings were changed in {} after dispute {} was rejected in {}",
                later.told(),
                i + 1,
                base.told()
            ),
        ));
    }
}
