//! Rules for a review's disputes (SPEC §3.1): the file on its own (count, window, who, what is
//! proposed, whether the outcome matches the ratings) and its history (a resolved dispute is
//! never changed; ratings stay after a rejection). Plain functions over the review's versions;
//! `analysis::state` applies them once, and `dispute`/`resolve` run them on their edit.

use crate::check::dispute_history;
use crate::check::review::{Finding, Spot};
use crate::load::date::{parse_review_date, ReviewDate};
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
    /// The commit's author date in the configured zone (today for the working tree).
    pub day: Option<NaiveDate>,
}

impl Version {
    /// "commit 1a2b3c4d5e by bob", or "an uncommitted change by bob".
    pub(crate) fn told(&self) -> String {
        told(self.commit.as_deref(), &self.author)
    }
}

/// "commit 1a2b3c4d5e by bob" (`commit` a short id), or "an uncommitted change by bob".
pub fn told(commit: Option<&str>, author: &str) -> String {
    match commit {
        Some(c) => format!("commit {c} by {author}"),
        None => format!("an uncommitted change by {author}"),
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
    if snap.calibration.is_some() && !snap.disputes.is_empty() {
        out.push(Finding::new(
            Code::DisputeOnCalibration,
            Spot::Key("/disputes".into()),
            "a calibration review is not the agent's record (it counts in no score), so it \
             is not disputed"
                .into(),
        ));
    }
    for (i, d) in snap.disputes.iter().enumerate() {
        let seen = first_seen_day(versions, i);
        dates(rules, i, d, (review_day, seen), &mut out);
        people(rules, snap, i, d, &mut out);
        if let Some(r) = rubric {
            proposal(r, snap, i, d, &mut out);
        }
        outcome(snap, i, d, &mut out);
        let reviewer = snap
            .reviewer
            .as_deref()
            .map(String::from)
            .or_else(|| versions.first().map(|v| v.author.clone()));
        if let Some(resolver) = resolver(versions, i) {
            if !self_resolved(rules, snap, i, d, &resolver, &mut out) {
                outsider(rules, reviewer.as_deref(), i, d, &resolver, &mut out);
            }
        }
        let answering = answering_author(versions, i).filter(|a| Some(a) != d.resolved_by.as_ref());
        if let Some(author) = answering {
            if !self_resolved(rules, snap, i, d, &author, &mut out) {
                outsider(rules, reviewer.as_deref(), i, d, &author, &mut out);
            }
        }
    }
    dispute_history::rules(rules.roster, versions, &mut out);
    out
}

/// The day of the first committed version that has dispute `i` (when it reached the
/// repository, whatever its `opened` says).
fn first_seen_day(versions: &[Version], i: usize) -> Option<NaiveDate> {
    versions
        .iter()
        .find(|v| v.snap.disputes.get(i).is_some())
        .filter(|v| v.commit.is_some())
        .and_then(|v| v.day)
}

/// The author of the first version in which dispute `i` is no longer open.
pub fn answering_author(versions: &[Version], i: usize) -> Option<String> {
    versions
        .iter()
        .find(|v| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()))
        .map(|v| v.author.clone())
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
    (review_day, seen): (Option<NaiveDate>, Option<NaiveDate>),
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
        Some((day, parsed))
    };
    let opened = day("opened", &d.opened);
    let resolved = day("resolved", &d.resolved);
    if let (Some((o, op)), Some((r, rp))) = (opened, resolved) {
        let earlier = match (op, rp) {
            (ReviewDate::Instant(a), ReviewDate::Instant(b)) => b < a,
            _ => r < o,
        };
        if earlier {
            out.push(Finding::new(
                Code::DisputeResolvedBeforeOpened,
                Spot::Value(ptr(i, "/resolved")),
                format!(
                    "dispute {} was resolved ({}) before it was opened ({})",
                    i + 1,
                    d.resolved.as_deref().unwrap_or_default(),
                    d.opened.as_deref().unwrap_or_default()
                ),
            ));
        }
    }
    let Some((o, _)) = opened else { return };
    if let Some(start) = review_day.filter(|s| o < *s) {
        out.push(Finding::new(
            Code::DisputeWindowClosed,
            Spot::Value(ptr(i, "/opened")),
            format!(
                "dispute {} is dated {o}, before the review itself ({start})",
                i + 1
            ),
        ));
        return;
    }
    // A backdated `opened` does not reopen the window: the day the dispute reached the
    // repository counts when it is later.
    let o = seen.map_or(o, |s| s.max(o));
    if let (Some(start), Some(window)) = (review_day, rules.limits.window_days) {
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

/// Once `qa.yaml` marks anyone `lead: true`, a dispute is answered by the review's reviewer or
/// a lead, not by any other person of the roster.
fn outsider(
    rules: &DisputeRules<'_>,
    reviewer: Option<&str>,
    i: usize,
    d: &DisputeSnap,
    resolver: &str,
    out: &mut Vec<Finding>,
) {
    let Some(roster) = rules.roster.filter(|r| r.has_leads()) else {
        return;
    };
    let is_reviewer = reviewer.is_some_and(|r| same_person(rules.roster, r, resolver));
    if is_reviewer || roster.is_lead(resolver) {
        return;
    }
    let spot = if d.resolved_by.is_some() {
        Spot::Value(ptr(i, "/resolved_by"))
    } else {
        Spot::Value(ptr(i, "/status"))
    };
    out.push(Finding::new(
        Code::DisputeAnsweredByOutsider,
        spot,
        format!(
            "dispute {} was answered by `{resolver}`, who is neither the review's reviewer{} \
             nor a lead (`lead: true` in qa.yaml)",
            i + 1,
            reviewer.map(|r| format!(" (`{r}`)")).unwrap_or_default()
        ),
    ));
}

/// Reports a dispute answered by the person who opened it or by the review's agent; true when
/// it was.
fn self_resolved(
    rules: &DisputeRules<'_>,
    snap: &Snapshot,
    i: usize,
    d: &DisputeSnap,
    resolver: &str,
    out: &mut Vec<Finding>,
) -> bool {
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
    by_self || by_agent
}
