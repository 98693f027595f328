//! The rubric index: every version of every rubric, from the working tree (or the `--rev`
//! tree) and from the one history walk, and the one rule that says which content a review's
//! `rubric: id@N` means — the rubric as seen from the commit that added the review (SPEC §3).

use crate::check::review::{Finding, Spot};
use crate::history::scan::HistoricRubric;
use crate::load::git::{History, HistoryError, ObjectId};
use crate::model::diagnostic::{suggestion, Code};
use crate::model::rubric_diff::scoring_signature;
use crate::model::Rubric;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

/// One content of a rubric version.
#[derive(Debug, Clone)]
pub struct Variant {
    pub rubric: Arc<Rubric>,
    /// The rubric file's path (relative to the QA root).
    pub path: String,
    /// The blob in history (none for an uncommitted working-tree file).
    pub blob: Option<ObjectId>,
    /// Where it was seen: the working-tree path, or `commit <short id>`.
    pub source: String,
}

/// The point of view a review is resolved from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Not committed: the working-tree rubric files first, then HEAD.
    Uncommitted,
    /// The commit that added the review (or that changed its `rubric:` since).
    Commit(ObjectId),
}

/// How much history the index could see (for the message when a version is missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    Full,
    Shallow,
    NoRepository,
}

/// Every rubric version and where it came from.
pub struct RubricIndex {
    /// (id, version) → every valid content in history, oldest first.
    committed: HashMap<(String, u32), Vec<Arc<Variant>>>,
    /// (id, version) → the valid working-tree (or `--rev` tree) file.
    working: HashMap<(String, u32), Arc<Variant>>,
    /// Rubric ids whose working-tree file has errors: nothing to check their reviews against.
    broken: HashSet<String>,
    head: Option<ObjectId>,
    reach: Reach,
    /// Versions whose contents differ in what scores or checks read (scale, weight, critical,
    /// `na`, root causes, categories, pass mark): only these are resolved through history.
    ambiguous: HashSet<(String, u32)>,
    /// (commit, id, version) → the index into `committed` chosen from that commit.
    memo: HashMap<(ObjectId, String, u32), Option<usize>>,
}

/// A category's id and its allowed root causes.
type RootCauses = (String, Option<Vec<String>>);

/// What the rules and the scores read of a rubric: two contents with the same verdict
/// signature score and check every review alike.
fn verdict_signature(r: &Rubric) -> (serde_json::Value, Vec<RootCauses>) {
    let causes = r
        .categories
        .iter()
        .map(|c| {
            let list = c
                .root_causes
                .as_ref()
                .map(|l| l.iter().map(|x| x.to_string()).collect());
            (c.id.to_string(), list)
        })
        .collect();
    (scoring_signature(r), causes)
}

pub(crate) fn short(id: ObjectId) -> String {
    id.to_string()[..10].to_string()
}

impl RubricIndex {
    /// The index of the working-tree rubrics (`working`: path and rubric of each valid file;
    /// `broken`: ids whose file has errors) and the history's.
    pub fn new(
        working: Vec<(String, Rubric)>,
        broken: HashSet<String>,
        historic: &[HistoricRubric],
        head: Option<ObjectId>,
        reach: Reach,
    ) -> RubricIndex {
        let mut committed: HashMap<(String, u32), Vec<Arc<Variant>>> = HashMap::new();
        for h in historic {
            let key = (h.rubric.id.to_string(), h.rubric.version.0);
            committed.entry(key).or_default().push(Arc::new(Variant {
                rubric: h.rubric.clone(),
                path: h.path.clone(),
                blob: Some(h.blob),
                source: format!("commit {}", short(h.commit)),
            }));
        }
        let working = working
            .into_iter()
            .map(|(path, r)| {
                let key = (r.id.to_string(), r.version.0);
                let v = Variant {
                    rubric: Arc::new(r),
                    source: path.clone(),
                    path,
                    blob: None,
                };
                (key, Arc::new(v))
            })
            .collect();
        let ambiguous = committed
            .iter()
            .filter(|(_, v)| {
                let first = verdict_signature(&v[0].rubric);
                v.iter().any(|x| verdict_signature(&x.rubric) != first)
            })
            .map(|(k, _)| k.clone())
            .collect();
        RubricIndex {
            ambiguous,
            committed,
            working,
            broken,
            head,
            reach,
            memo: HashMap::new(),
        }
    }

    /// The content `id@version` means from `at`: uncommitted reviews take the working-tree
    /// file when it declares that version, then HEAD's point of view; from a commit C it is
    /// the content of the first commit in `git rev-list --topo-order C` whose file declares
    /// that version. Where C's ancestry has none, the newest content in history counts.
    pub fn resolve(
        &mut self,
        git: Option<&History>,
        id: &str,
        version: u32,
        at: At,
    ) -> Result<Option<Arc<Variant>>, HistoryError> {
        let key = (id.to_string(), version);
        let commit = match at {
            At::Uncommitted => {
                if let Some(v) = self.working.get(&key) {
                    return Ok(Some(v.clone()));
                }
                self.head
            }
            At::Commit(c) => Some(c),
        };
        let Some(variants) = self.committed.get(&key) else {
            // Outside git (or in a `--rev` tree without history), the tree's own file counts.
            return Ok(self.working.get(&key).cloned());
        };
        let newest = variants.len() - 1;
        // Contents that score and check alike (a wording edit) need no history walk: the
        // newest wording is shown.
        if !self.ambiguous.contains(&key) {
            return Ok(Some(variants[newest].clone()));
        }
        let (Some(c), Some(git)) = (commit, git) else {
            return Ok(Some(variants[newest].clone()));
        };
        let memo_key = (c, key.0.clone(), version);
        let chosen = match self.memo.get(&memo_key) {
            Some(i) => *i,
            None => {
                let blobs: Vec<Option<ObjectId>> = variants.iter().map(|v| v.blob).collect();
                let path = &variants[0].path;
                // Almost always C's own tree declares the version; only otherwise is C's
                // ancestry walked (in topological order, as `git rev-list --topo-order`).
                let at_c = git.blob_at(c, path)?;
                let i = match at_c.and_then(|b| blobs.iter().position(|x| *x == Some(b))) {
                    Some(i) => Some(i),
                    None => git
                        .first_with_blob(c, path, &|b| blobs.contains(&Some(b)))?
                        .and_then(|(_, b)| blobs.iter().position(|x| *x == Some(b))),
                };
                self.memo.insert(memo_key, i);
                i
            }
        };
        Ok(Some(variants[chosen.unwrap_or(newest)].clone()))
    }

    /// What a review's `rubric:` finds, or the finding that says why nothing was found.
    pub fn missing(&self, id: &str, version: u32) -> Option<Finding> {
        if self.broken.contains(id) {
            return None;
        }
        let known_ids: BTreeSet<&str> = self
            .committed
            .keys()
            .chain(self.working.keys())
            .map(|(i, _)| i.as_str())
            .collect();
        let spot = Spot::Value("/rubric".into());
        let unknown = || Finding {
            code: Code::UnknownRubric,
            spot: spot.clone(),
            message: format!(
                "no rubric `{id}` exists{}",
                suggestion(id, known_ids.iter().copied())
            ),
            hint: None,
        };
        let exists = known_ids.contains(id);
        Some(match self.reach {
            // Outside git there is no history that could hold another rubric: a name that no
            // rubric file has is unknown.
            Reach::NoRepository if !exists => unknown(),
            Reach::NoRepository | Reach::Shallow => Finding {
                code: Code::RubricHistoryUnavailable,
                spot,
                message: format!(
                    "`{id}@{version}` is not the current version of rubric `{id}`, and {} to \
                     look it up",
                    if self.reach == Reach::Shallow {
                        "this shallow clone lacks the history"
                    } else {
                        "there is no git repository"
                    }
                ),
                hint: None,
            },
            Reach::Full if exists => {
                let known: Vec<String> = self.versions_of(id).iter().map(u32::to_string).collect();
                Finding {
                    code: Code::UnknownRubricVersion,
                    spot,
                    message: format!(
                        "rubric `{id}` never had version {version} (versions found in history: {})",
                        if known.is_empty() {
                            "none valid".to_string()
                        } else {
                            known.join(", ")
                        }
                    ),
                    hint: None,
                }
            }
            Reach::Full => unknown(),
        })
    }

    /// Every content of a rubric version in history, oldest first.
    pub fn committed(&self, id: &str, version: u32) -> &[Arc<Variant>] {
        self.committed
            .get(&(id.to_string(), version))
            .map_or(&[], Vec::as_slice)
    }

    /// Every version number of a rubric, ascending.
    pub fn versions_of(&self, id: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .committed
            .keys()
            .chain(self.working.keys())
            .filter(|(i, _)| i == id)
            .map(|(_, v)| *v)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// Versions whose scoring changed without a new number: (id, version, the contents with
    /// different scoring, oldest first; the working tree's last).
    pub fn reused_versions(&self) -> Vec<(String, u32, Vec<&Variant>)> {
        let mut keys: Vec<&(String, u32)> =
            self.committed.keys().chain(self.working.keys()).collect();
        keys.sort();
        keys.dedup();
        let mut out = Vec::new();
        for key in keys {
            let all = self.committed.get(key).into_iter().flatten();
            let all = all.chain(self.working.get(key));
            let mut distinct: Vec<(&Variant, serde_json::Value)> = Vec::new();
            for v in all {
                let sig = scoring_signature(&v.rubric);
                if !distinct.iter().any(|(_, s)| *s == sig) {
                    distinct.push((v, sig));
                }
            }
            if distinct.len() > 1 {
                out.push((
                    key.0.clone(),
                    key.1,
                    distinct.into_iter().map(|(v, _)| v).collect(),
                ));
            }
        }
        out
    }
}
