//! The dispute rules that need a review's history (SPEC §3.1): a dispute is opened before it
//! is answered, the answer changes only what it grants, a resolved dispute never changes,
//! ratings stay after a rejection, and an agent does not edit their own ratings. Each judges
//! the file as it is now and names the commits.

use crate::check::disputes::Version;
use crate::check::review::{Finding, Spot};
use crate::load::people::Roster;
use crate::model::diagnostic::Code;
use crate::model::DisputeStatus;

fn ptr(i: usize, rest: &str) -> String {
    format!("/disputes/{i}{rest}")
}

/// Every history rule over `versions` (oldest first, the file as it is last).
pub fn rules(roster: Option<&Roster>, versions: &[Version], out: &mut Vec<Finding>) {
    answered_unopened(versions, out);
    answer_changes_only_grants(versions, out);
    resolved_changed(versions, out);
    ratings_after_rejection(versions, out);
    agent_edits(roster, versions, out);
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
pub(crate) fn resolved_changed(versions: &[Version], out: &mut Vec<Finding>) {
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
pub(crate) fn ratings_after_rejection(versions: &[Version], out: &mut Vec<Finding>) {
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

/// A resolved dispute was open in an earlier version: the agent's question is on record
/// before the answer. An existing review that gains an already answered dispute is an error; a
/// review that first appears with one (imported from elsewhere, or under a new id) is a
/// warning — the pull request comment then shows the old id's disputes as removed. A file
/// never committed, or a repository without history, is not judged.
fn answered_unopened(versions: &[Version], out: &mut Vec<Finding>) {
    let Some(now) = versions.last() else { return };
    if versions.iter().all(|v| v.commit.is_none()) {
        return;
    }
    for (i, d) in now.snap.disputes.iter().enumerate() {
        if d.is_open() {
            continue;
        }
        let Some(k) = versions
            .iter()
            .position(|v| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()))
        else {
            continue;
        };
        let opened_before = versions[..k]
            .iter()
            .any(|v| v.snap.disputes.get(i).is_some_and(|d| d.is_open()));
        if opened_before {
            continue;
        }
        let (code, what) = if k == 0 {
            (
                Code::ReviewAddedWithAnsweredDispute,
                "the review first appears with it already answered",
            )
        } else {
            (
                Code::DisputeAnsweredUnopened,
                "no earlier version of this review has it open",
            )
        };
        out.push(Finding::new(
            code,
            Spot::Key(ptr(i, "")),
            format!(
                "dispute {} appears already answered in {}: {what}",
                i + 1,
                versions[k].told()
            ),
        ));
    }
}

/// The version that answers a dispute changes no rating but the proposals it grants.
fn answer_changes_only_grants(versions: &[Version], out: &mut Vec<Finding>) {
    let Some(now) = versions.last() else { return };
    for (i, d) in now.snap.disputes.iter().enumerate() {
        let Some(k) = versions
            .iter()
            .position(|v| v.snap.disputes.get(i).is_some_and(|d| !d.is_open()))
        else {
            continue;
        };
        let Some(before) = versions[..k].iter().rev().find(|v| v.snap.valid) else {
            continue;
        };
        let answer = &versions[k];
        let proposed = |c: &str, r: Option<i64>| {
            d.status.is_some_and(|s| s.granted())
                && d.proposed.iter().any(|(p, v)| &**p == c && *v == r)
        };
        let changed: Vec<&str> = answer
            .snap
            .ratings
            .iter()
            .filter(|(c, r)| before.snap.rating(c) != Some(*r) && !proposed(c, *r))
            .map(|(c, _)| &**c)
            .collect();
        if let Some(first) = changed.first() {
            out.push(Finding::new(
                Code::AnswerChangedOtherRatings,
                Spot::Key("/ratings".into()),
                format!(
                    "{} answered dispute {} and also changed `{first}`{}, which the answer \
                     does not grant",
                    answer.told(),
                    i + 1,
                    if changed.len() > 1 { " (and more)" } else { "" }
                ),
            ));
        }
    }
}

/// What the agent-edit rule reads of a version. A review that never had a dispute is judged
/// by that rule alone, so it reads this of each version, which the history keeps even for an
/// older version it does not keep whole (see `history::versions`): nothing is read again.
pub trait Edit {
    /// The version loaded and matched the review schema.
    fn readable(&self) -> bool;
    fn agent(&self) -> Option<&str>;
    /// Who made the version (a roster id where known).
    fn author(&self) -> &str;
    fn same_ratings(&self, other: &Self) -> bool;
    /// "commit 1a2b3c4d5e by bob", or "an uncommitted change by bob".
    fn told(&self) -> String;
}

impl Edit for Version {
    fn readable(&self) -> bool {
        self.snap.valid
    }
    fn agent(&self) -> Option<&str> {
        self.snap.agent.as_deref()
    }
    fn author(&self) -> &str {
        &self.author
    }
    fn same_ratings(&self, other: &Self) -> bool {
        self.snap.ratings == other.snap.ratings
    }
    fn told(&self) -> String {
        Version::told(self)
    }
}

/// The review's agent does not change its ratings (a dispute asks; a reviewer answers).
pub fn agent_edits<V: Edit>(roster: Option<&Roster>, versions: &[V], out: &mut Vec<Finding>) {
    let same = |a: &str, b: &str| {
        let r = |x: &str| roster.and_then(|r| r.resolve(x)).map(str::to_lowercase);
        a.eq_ignore_ascii_case(b) || (r(a).is_some() && r(a) == r(b))
    };
    let readable: Vec<&V> = versions.iter().filter(|v| v.readable()).collect();
    for w in readable.windows(2) {
        let (before, after) = (w[0], w[1]);
        let Some(agent) = after.agent() else {
            continue;
        };
        if !before.same_ratings(after) && same(after.author(), agent) {
            out.push(Finding::new(
                Code::RatingsChangedByAgent,
                Spot::Key("/ratings".into()),
                format!(
                    "the ratings were changed in {}, by the review's own agent; an agent \
                     disputes a review (`rubric dispute`) and a reviewer answers",
                    after.told()
                ),
            ));
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::disputes::{dispute_findings, DisputeRules};
    use crate::load::review::Snapshot;
    use std::sync::Arc;

    fn version(agent: &str, tone: i64, valid: bool, author: &str, n: usize) -> Version {
        Version {
            snap: Arc::new(Snapshot {
                agent: Some(agent.into()),
                reviewer: Some("bob".into()),
                ratings: vec![("tone".into(), Some(tone))],
                valid,
                ..Snapshot::default()
            }),
            author: author.into(),
            commit: Some(format!("c{n}")),
            day: None,
        }
    }

    /// A review that never had a dispute is judged by the agent-edit rule alone: the state
    /// runs only that rule over what the history keeps of each version, so every other
    /// dispute rule must find nothing without disputes.
    #[test]
    fn without_disputes_only_the_agent_edit_rule_applies() {
        let rules = DisputeRules {
            limits: Default::default(),
            roster: None,
            tz: chrono_tz::UTC,
            now: chrono::Utc::now(),
        };
        let histories = [
            vec![("alice", 3, true, "bob"), ("alice", 2, true, "alice")],
            vec![("alice", 3, true, "bob"), ("alice", 2, true, "bob")],
            vec![("alice", 3, true, "bob"), ("alice", 1, false, "alice")],
            vec![
                ("alice", 3, true, "bob"),
                ("alice", 3, true, "alice"),
                ("carol", 1, true, "carol"),
            ],
            vec![("alice", 2, true, "alice")],
        ];
        let mut fired = 0;
        for h in histories {
            let versions: Vec<Version> = h
                .iter()
                .enumerate()
                .map(|(n, (a, t, v, by))| version(a, *t, *v, by, n))
                .collect();
            let mut only = Vec::new();
            agent_edits(None, &versions, &mut only);
            fired += only.len();
            let all = dispute_findings(&rules, &versions, None, None);
            let codes = |f: &[Finding]| {
                f.iter()
                    .map(|x| (x.code, x.message.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(codes(&all), codes(&only), "{h:?}");
        }
        assert_eq!(fired, 2);
    }
}
