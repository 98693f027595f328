//! Review timelines as plain data: from the commits in order, when each review id was added,
//! edited, moved and deleted.
//! No git here: the history module supplies the commits and blobs.

use crate::load::git::{CommitInfo, FileChange, ObjectId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// What happened to a review in one commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Added,
    Edited,
    Moved,
    Deleted,
}

/// One event in a review's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Index into [`Timelines::commits`].
    pub commit: usize,
    pub kind: EventKind,
    pub path: String,
    /// The file version after the event (the last version before it, for a deletion).
    pub blob: ObjectId,
}

/// Every review's events, oldest first, with the commits they refer to.
#[derive(Debug, Clone, Default)]
pub struct Timelines {
    pub commits: Vec<CommitInfo>,
    pub reviews: BTreeMap<String, Vec<Event>>,
}

impl Timelines {
    /// The commit that added a review (its first appearance).
    pub fn added(&self, id: &str) -> Option<&CommitInfo> {
        let first = self.reviews.get(id)?.first()?;
        self.commits.get(first.commit)
    }

    /// Appends one commit's changes. `explicit_id` gives the `id:` written in a blob, if any
    /// (otherwise a review's id is its file stem).
    pub fn push_commit(
        &mut self,
        commit: CommitInfo,
        changes: &[FileChange],
        explicit_id: &dyn Fn(ObjectId) -> Option<String>,
    ) {
        let index = self.commits.len();
        self.commits.push(commit);
        let id_of = |blob: ObjectId, path: &str| -> String {
            explicit_id(blob).unwrap_or_else(|| crate::load::repo::stem(path).to_string())
        };
        // Ids present after the commit, with their path and blob; and what the commit's own
        // parent had under each id it touched (its old sides), so that a move or an edit is
        // judged against that parent, not against whatever another line of history did last.
        let mut present: HashMap<String, (&str, ObjectId)> = HashMap::new();
        let mut before: HashMap<String, (&str, ObjectId)> = HashMap::new();
        for c in changes {
            if let Some(new) = c.new {
                present.insert(id_of(new, &c.path), (&c.path, new));
            }
            if let Some(old) = c.old {
                before.insert(id_of(old, &c.path), (&c.path, old));
            }
        }
        let mut ordered: Vec<(&String, &(&str, ObjectId))> = present.iter().collect();
        ordered.sort();
        for (id, (path, blob)) in ordered {
            let events = self.reviews.entry(id.clone()).or_default();
            let kind = match (before.get(id), events.last()) {
                (Some((old_path, old_blob)), Some(last)) if last.kind != EventKind::Deleted => {
                    if old_blob != blob {
                        EventKind::Edited
                    } else if old_path != path {
                        EventKind::Moved
                    } else {
                        continue;
                    }
                }
                (_, None) => EventKind::Added,
                (_, Some(last)) if last.kind == EventKind::Deleted => EventKind::Added,
                (_, Some(last)) if last.blob != *blob => EventKind::Edited,
                (_, Some(last)) if last.path != *path => EventKind::Moved,
                (_, Some(_)) => continue,
            };
            events.push(Event {
                commit: index,
                kind,
                path: path.to_string(),
                blob: *blob,
            });
        }
        for c in changes {
            let (Some(old), None) = (c.old, c.new) else {
                continue;
            };
            let id = id_of(old, &c.path);
            if present.contains_key(&id) {
                continue;
            }
            if let Some(events) = self.reviews.get_mut(&id) {
                let last = events.last().cloned();
                if let Some(last) = last {
                    if last.kind != EventKind::Deleted && last.path == c.path {
                        events.push(Event {
                            commit: index,
                            kind: EventKind::Deleted,
                            path: c.path.clone(),
                            blob: last.blob,
                        });
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::review::Snapshot;

    fn commit(n: u8) -> CommitInfo {
        CommitInfo {
            id: ObjectId([n; 20]),
            author_name: format!("a{n}"),
            author_email: format!("a{n}@x.example"),
            time: i64::from(n) * 1000,
            offset_minutes: 0,
        }
    }

    fn change(path: &str, old: Option<u8>, new: Option<u8>) -> FileChange {
        FileChange {
            path: path.into(),
            old: old.map(|b| ObjectId([b; 20])),
            new: new.map(|b| ObjectId([b; 20])),
        }
    }

    #[test]
    fn add_edit_move_delete_readd() {
        // Blob 1 and 2 are versions of review r1 (by stem); blob 3 has `id: r1` at another path.
        let snap = |b: ObjectId| (b.0[0] == 3).then(|| "r1".to_string());
        let mut t = Timelines::default();
        t.push_commit(
            commit(1),
            &[change("reviews/r1.yaml", None, Some(1))],
            &snap,
        );
        t.push_commit(
            commit(2),
            &[change("reviews/r1.yaml", Some(1), Some(2))],
            &snap,
        );
        t.push_commit(
            commit(3),
            &[
                change("reviews/r1.yaml", Some(2), None),
                change("reviews/archive/r1.yaml", None, Some(2)),
            ],
            &snap,
        );
        t.push_commit(
            commit(4),
            &[change("reviews/archive/r1.yaml", Some(2), None)],
            &snap,
        );
        t.push_commit(commit(5), &[change("reviews/x.yaml", None, Some(3))], &snap);
        let kinds: Vec<(usize, EventKind)> =
            t.reviews["r1"].iter().map(|e| (e.commit, e.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (0, EventKind::Added),
                (1, EventKind::Edited),
                (2, EventKind::Moved),
                (3, EventKind::Deleted),
                (4, EventKind::Added),
            ]
        );
        assert_eq!(t.added("r1").unwrap().author_name, "a1");
    }

    #[test]
    fn snapshot_reads_what_is_well_formed() {
        let s = Snapshot::from_bytes(
            "reviews/zd-1.yaml",
            b"rubric: support@2\nagent: alice\nreviewed_at: 2026-11-20\nconversation: {id: 48213}\nratings:\n  a: 3\n  b: na\n  c: {rating: 2, comment: Curt., root_causes: [process]}\n  d: nonsense\n",
        );
        assert!(!s.valid);
        assert_eq!(s.rubric, Some(("support".into(), 2)));
        assert_eq!(s.conversation.as_deref(), Some("48213"));
        assert_eq!(s.ratings.len(), 3);
        assert_eq!(s.rating("b"), Some(None));
        assert_eq!(s.rating("c"), Some(Some(2)));
        assert_eq!(s.rating("d"), None);
        assert_eq!(s.review_id("reviews/zd-1.yaml"), "zd-1");
    }
}
