//! The review file versions the history keeps: each review's newest version whole (its
//! `Snapshot`, which the state reads instead of parsing an unchanged file), and every older
//! version as an [`Older`] — only what crediting, dating and the timeline rules ask of it. A
//! rule that needs an older version whole reads it again from git by its blob id
//! (`Scan::snapshot`).

use crate::load::git::ObjectId;
use crate::load::review::{Snapshot, Text};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;

/// What the history keeps of a review file version that is no longer any review's newest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Older {
    /// The explicit `id`, if any (the timeline needs it to know whose version this is).
    pub id: Option<Text>,
    /// The agent (a changed agent starts a new timeline).
    pub agent: Option<Text>,
    /// Rubric id and version (the commit a review's rubric is seen from).
    pub rubric: Option<(Text, u32)>,
    /// [`Snapshot::ratings_digest`]: were the ratings changed by an edit?
    pub ratings: u64,
    /// The version loaded and matched the review schema.
    pub valid: bool,
    /// The version has a dispute.
    pub disputed: bool,
}

impl Older {
    /// What is kept of a snapshot.
    pub fn of(s: &Snapshot) -> Older {
        Older {
            id: s.id.clone(),
            agent: s.agent.clone(),
            rubric: s.rubric.clone(),
            ratings: s.ratings_digest(),
            valid: s.valid,
            disputed: !s.disputes.is_empty(),
        }
    }
}

/// One kept version: whole, or what is kept of an older one.
#[derive(Debug, Clone, Copy)]
pub enum Kept<'a> {
    Whole(&'a Arc<Snapshot>),
    Older(&'a Older),
}

impl<'a> Kept<'a> {
    pub fn id(self) -> Option<&'a str> {
        match self {
            Kept::Whole(s) => s.id.as_deref(),
            Kept::Older(o) => o.id.as_deref(),
        }
    }

    pub fn agent(self) -> Option<&'a str> {
        match self {
            Kept::Whole(s) => s.agent.as_deref(),
            Kept::Older(o) => o.agent.as_deref(),
        }
    }

    pub fn rubric(self) -> Option<&'a (Text, u32)> {
        match self {
            Kept::Whole(s) => s.rubric.as_ref(),
            Kept::Older(o) => o.rubric.as_ref(),
        }
    }

    pub fn valid(self) -> bool {
        match self {
            Kept::Whole(s) => s.valid,
            Kept::Older(o) => o.valid,
        }
    }

    pub fn disputed(self) -> bool {
        match self {
            Kept::Whole(s) => !s.disputes.is_empty(),
            Kept::Older(o) => o.disputed,
        }
    }

    /// Do the two versions rate alike? (Whole snapshots are compared as they are; otherwise
    /// by their ratings' digests.)
    pub fn same_ratings(self, other: Kept<'_>) -> bool {
        match (self, other) {
            (Kept::Whole(a), Kept::Whole(b)) => a.ratings == b.ratings,
            _ => self.digest() == other.digest(),
        }
    }

    /// Does the version rate as `snap` does?
    pub fn rates_as(self, snap: &Snapshot) -> bool {
        match self {
            Kept::Whole(s) => s.ratings == snap.ratings,
            Kept::Older(o) => o.ratings == snap.ratings_digest(),
        }
    }

    fn digest(self) -> u64 {
        match self {
            Kept::Whole(s) => s.ratings_digest(),
            Kept::Older(o) => o.ratings,
        }
    }
}

/// Every review file version seen in the history, by blob id: the newest of each timeline
/// whole, the others as [`Older`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FileVersions {
    whole: HashMap<ObjectId, Arc<Snapshot>>,
    older: HashMap<ObjectId, Older>,
}

impl FileVersions {
    /// What is kept of a version, if it was seen.
    pub fn get(&self, blob: &ObjectId) -> Option<Kept<'_>> {
        match self.whole.get(blob) {
            Some(s) => Some(Kept::Whole(s)),
            None => self.older.get(blob).map(Kept::Older),
        }
    }

    /// The whole snapshot, when it is kept whole.
    pub fn whole(&self, blob: &ObjectId) -> Option<&Arc<Snapshot>> {
        self.whole.get(blob)
    }

    /// Every version seen.
    pub fn blobs(&self) -> impl Iterator<Item = &ObjectId> {
        self.whole.keys().chain(self.older.keys())
    }

    /// How many versions are kept whole, and how many as older ones.
    pub fn counts(&self) -> (usize, usize) {
        (self.whole.len(), self.older.len())
    }

    /// Adds parsed versions, whole.
    pub(crate) fn extend(&mut self, parsed: impl IntoIterator<Item = (ObjectId, Arc<Snapshot>)>) {
        for (blob, s) in parsed {
            self.older.remove(&blob);
            self.whole.insert(blob, s);
        }
    }

    /// Keeps a version only as an older one (no-op when it is not kept whole).
    pub(crate) fn retire(&mut self, blob: &ObjectId) {
        if let Some(s) = self.whole.remove(blob) {
            self.older.insert(*blob, Older::of(&s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(agent: &str, ratings: &[(&str, Option<i64>)]) -> Snapshot {
        Snapshot {
            agent: Some(agent.into()),
            rubric: Some(("support".into(), 2)),
            ratings: ratings.iter().map(|(k, v)| ((*k).into(), *v)).collect(),
            valid: true,
            ..Snapshot::default()
        }
    }

    /// A retired version answers as it did whole: its agent, rubric and validity, and whether
    /// its ratings equal another version's.
    #[test]
    fn a_retired_version_answers_as_the_whole_one() {
        let (a, b, c) = (ObjectId([1; 20]), ObjectId([2; 20]), ObjectId([3; 20]));
        let first = snap("alice", &[("tone", Some(3)), ("solution", None)]);
        let mut edited = snap("alice", &[("tone", Some(2)), ("solution", None)]);
        edited.disputes.push(Default::default());
        let same = snap("bob", &[("tone", Some(3)), ("solution", None)]);
        let mut v = FileVersions::default();
        v.extend([
            (a, Arc::new(first.clone())),
            (b, Arc::new(edited.clone())),
            (c, Arc::new(same)),
        ]);
        // What each version answers: agent, rubric, valid, disputed, rates as `first`.
        type Answers = Vec<((Option<String>, Option<(Text, u32)>, bool), bool, bool)>;
        let answers = |v: &FileVersions| -> Answers {
            [a, b, c]
                .iter()
                .map(|x| {
                    let k = v.get(x).unwrap();
                    let owned = (k.agent().map(String::from), k.rubric().cloned(), k.valid());
                    (owned, k.disputed(), k.rates_as(&first))
                })
                .collect()
        };
        let before = answers(&v);
        v.retire(&a);
        v.retire(&b);
        assert_eq!(v.counts(), (1, 2));
        assert!(matches!(v.get(&a), Some(Kept::Older(_))));
        let after = answers(&v);
        assert_eq!(before, after);
        assert_eq!(
            after.iter().map(|x| (x.1, x.2)).collect::<Vec<_>>(),
            [(false, true), (true, false), (false, true)]
        );
        let (ka, kb, kc) = (v.get(&a).unwrap(), v.get(&b).unwrap(), v.get(&c).unwrap());
        assert!(ka.same_ratings(kc) && kc.same_ratings(ka));
        assert!(!ka.same_ratings(kb) && !kb.same_ratings(kc));
        // Read again whole, it is whole again.
        v.extend([(a, Arc::new(first))]);
        assert!(matches!(v.get(&a), Some(Kept::Whole(_))));
        assert_eq!(v.counts(), (2, 1));
    }
}
