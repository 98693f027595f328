//! The lenient view of a review: its well-formed parts, read one by one, so that a review
//! with a schema error elsewhere still gets its ratings, people and date checked. The same
//! record is kept per file version in the history.

use crate::model::{self, RatingValue};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A short text of a review file (an id, a date, a category): kept inline up to 24 bytes,
/// so that the one `Snapshot` per file version in history does not allocate for each.
pub type Text = compact_str::CompactString;

/// What one version of a review file says for scores and trends, read leniently: every
/// well-formed field that scoring, dating and crediting need. (Comments are
/// not kept — there is one of these per file version in history, tens of thousands at once —
/// but root causes, rare and short, are.)
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Snapshot {
    /// The explicit `id`, if any (otherwise the file stem is the id).
    pub id: Option<Text>,
    pub agent: Option<Text>,
    pub reviewer: Option<Text>,
    pub reviewed_at: Option<Text>,
    /// Rubric id and version.
    pub rubric: Option<(Text, u32)>,
    pub calibration: Option<Text>,
    pub conversation: Option<Text>,
    /// `conversation.channel` (email, chat, phone, ...), as written.
    #[serde(default)]
    pub channel: Option<Text>,
    /// Category id → rating (`None` for `na`), sorted by category id.
    pub ratings: Vec<(Text, Option<i64>)>,
    /// Category id → the root causes named (only categories that name some).
    pub root_causes: Vec<(Text, Vec<Text>)>,
    /// The categories whose rating carries a comment that is not blank, sorted (reviewer
    /// statistics count them without reading the file again; the text is in [`Details`]).
    pub commented: Vec<Text>,
    /// The file loaded and matched the review schema.
    pub valid: bool,
    /// The file writes an `id` (well-formed or not).
    #[serde(default)]
    pub has_id: bool,
    /// The file has a `ratings` mapping.
    #[serde(default)]
    pub has_ratings: bool,
    /// Rating keys whose value is malformed (the schema error says how).
    #[serde(default)]
    pub bad_ratings: Vec<Box<str>>,
    /// The disputes, oldest first (SPEC §3.1).
    #[serde(default)]
    pub disputes: Vec<DisputeSnap>,
}

/// One dispute as a review version writes it, read field by field (a malformed field is
/// `None`; the schema error says how).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DisputeSnap {
    pub opened: Option<String>,
    pub by: Option<String>,
    /// `rating` when absent.
    pub kind: model::DisputeKind,
    pub reason: Option<String>,
    /// Category → the rating asked for (`None` for `na`), sorted by category.
    pub proposed: Vec<(Box<str>, Option<i64>)>,
    pub proposed_agent: Option<String>,
    pub status: Option<model::DisputeStatus>,
    pub resolved: Option<String>,
    pub resolved_by: Option<String>,
    pub response: Option<String>,
}

impl DisputeSnap {
    fn from_value(v: &serde_json::Value) -> DisputeSnap {
        fn field<'a, T: Deserialize<'a>>(v: &'a serde_json::Value, key: &str) -> Option<T> {
            v.get(key).and_then(|x| T::deserialize(x).ok())
        }
        let mut proposed: Vec<(Box<str>, Option<i64>)> = v
            .get("proposed")
            .and_then(|p| p.as_object())
            .into_iter()
            .flatten()
            .filter_map(|(k, x)| {
                // A malformed proposal is the schema's error; it proposes nothing here.
                let value = RatingValue::deserialize(x).ok()?;
                Some((k.as_str().into(), points(value)))
            })
            .collect();
        proposed.sort();
        DisputeSnap {
            opened: field::<model::DateText>(v, "opened").map(|d| d.0),
            by: field::<model::PersonId>(v, "by").map(String::from),
            kind: field(v, "kind").unwrap_or_default(),
            reason: field(v, "reason"),
            proposed,
            proposed_agent: field::<model::PersonId>(v, "proposed_agent").map(String::from),
            status: field(v, "status"),
            resolved: field::<model::DateText>(v, "resolved").map(|d| d.0),
            resolved_by: field::<model::PersonId>(v, "resolved_by").map(String::from),
            response: field(v, "response"),
        }
    }

    /// Is it still open (a missing or malformed status counts as open)?
    pub fn is_open(&self) -> bool {
        matches!(self.status, None | Some(model::DisputeStatus::Open))
    }
}

fn points(v: RatingValue) -> Option<i64> {
    match v {
        RatingValue::Points(p) => Some(p),
        RatingValue::Na(_) => None,
    }
}

impl Snapshot {
    /// Reads a review file's bytes. A file that is not YAML at all gives an invalid, empty
    /// snapshot.
    pub fn from_bytes(path: &str, bytes: &[u8]) -> Snapshot {
        let Ok(doc) =
            crate::load::yaml::load(path, bytes, crate::load::yaml::DEFAULT_MAX_FILE_SIZE)
        else {
            return Snapshot::default();
        };
        let valid = doc.problems.is_empty()
            && crate::load::schema::validate(crate::load::schema::Kind::Review, path, &doc)
                .is_empty();
        Self::from_value(&doc.value, valid)
    }

    pub fn from_value(v: &serde_json::Value, valid: bool) -> Snapshot {
        use serde::Deserialize as _;
        fn field<'a, T: Deserialize<'a>>(v: &'a serde_json::Value, key: &str) -> Option<T> {
            v.get(key).and_then(|x| T::deserialize(x).ok())
        }
        let mut s = Snapshot {
            id: field::<model::PersonId>(v, "id").map(|p| Text::from(p.as_str())),
            agent: field::<model::PersonId>(v, "agent").map(|p| Text::from(p.as_str())),
            reviewer: field::<model::PersonId>(v, "reviewer").map(|p| Text::from(p.as_str())),
            reviewed_at: field::<model::DateText>(v, "reviewed_at").map(|d| Text::from(d.0)),
            rubric: field::<model::RubricRef>(v, "rubric")
                .map(|r| (Text::from(r.id.as_str()), r.version.0)),
            calibration: field::<model::PersonId>(v, "calibration").map(|p| Text::from(p.as_str())),
            conversation: v
                .get("conversation")
                .and_then(|c| c.get("id"))
                .and_then(|x| model::ConversationId::deserialize(x).ok())
                .map(|c| Text::from(c.0)),
            channel: v
                .get("conversation")
                .and_then(|c| c.get("channel"))
                .and_then(|x| x.as_str())
                .map(Text::from),
            valid,
            has_id: v.get("id").is_some(),
            has_ratings: v.get("ratings").is_some_and(|r| r.is_object()),
            ..Snapshot::default()
        };
        if let Some(ratings) = v.get("ratings").and_then(|r| r.as_object()) {
            for (k, x) in ratings {
                let Ok(entry) = model::RatingEntry::deserialize(x) else {
                    s.bad_ratings.push(k.as_str().into());
                    continue;
                };
                let value = points(entry.value());
                s.ratings.push((k.as_str().into(), value));
                if entry.comment().is_some_and(|t| !t.trim().is_empty()) {
                    s.commented.push(k.as_str().into());
                }
                let causes: Vec<Text> = entry
                    .root_causes()
                    .iter()
                    .map(|r| r.as_str().into())
                    .collect();
                if !causes.is_empty() {
                    s.root_causes.push((k.as_str().into(), causes));
                }
            }
        }
        s.ratings.sort();
        s.ratings.shrink_to_fit();
        s.commented.sort();
        s.commented.shrink_to_fit();
        if let Some(disputes) = v.get("disputes").and_then(|d| d.as_array()) {
            s.disputes = disputes.iter().map(DisputeSnap::from_value).collect();
        }
        s
    }

    /// The rating of a category (`Some(None)` for `na`).
    pub fn rating(&self, category: &str) -> Option<Option<i64>> {
        self.ratings
            .binary_search_by(|(k, _)| (**k).cmp(category))
            .ok()
            .map(|i| self.ratings[i].1)
    }

    /// A digest of the ratings, the same in every build and on every machine: equal ratings
    /// give equal digests, and different ones differ but by chance (one in 2^64). The history
    /// keeps it for older versions, to tell whether an edit changed the ratings.
    pub fn ratings_digest(&self) -> u64 {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for (k, v) in &self.ratings {
            h.update((k.len() as u64).to_le_bytes());
            h.update(k.as_bytes());
            match v {
                Some(p) => {
                    h.update([1]);
                    h.update(p.to_le_bytes());
                }
                None => h.update([0]),
            }
        }
        let sum = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&sum[..8]);
        u64::from_le_bytes(first)
    }

    /// Does the category's rating carry a comment that is not blank?
    pub fn is_commented(&self, category: &str) -> bool {
        self.commented
            .binary_search_by(|k| k.as_str().cmp(category))
            .is_ok()
    }

    /// The root causes named for a category, in file order.
    pub fn root_causes_of(&self, category: &str) -> &[Text] {
        self.root_causes
            .iter()
            .find(|(k, _)| &**k == category)
            .map_or(&[], |(_, v)| v.as_slice())
    }

    /// The review id: the explicit `id`, else the file stem.
    pub fn review_id(&self, path: &str) -> String {
        self.id
            .as_deref()
            .unwrap_or_else(|| crate::load::repo::stem(path))
            .to_string()
    }

    /// The ratings as scoring input.
    pub fn rating_values(&self) -> BTreeMap<String, RatingValue> {
        self.ratings
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Some(p) => RatingValue::Points(*p),
                    None => RatingValue::Na(model::NaMarker::Na),
                };
                (k.to_string(), v)
            })
            .collect()
    }
}

/// What a review file says beyond its ratings, read when a page or an export needs it: the
/// review's comment, the conversation's link and channel, and per category the rating's
/// comment and root causes. (Not in [`Snapshot`]: there is one snapshot per file version in
/// history, and comments are long.)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    pub comment: Option<String>,
    /// The conversation link, only when it is an http(s) URL.
    pub url: Option<String>,
    pub channel: Option<String>,
    pub comments: std::collections::HashMap<String, String>,
    pub causes: std::collections::HashMap<String, Vec<String>>,
}

impl Details {
    /// Reads the details from a loaded review document's value.
    pub fn from_value(v: &serde_json::Value) -> Details {
        let text = |x: Option<&serde_json::Value>| x.and_then(|c| c.as_str()).map(String::from);
        let conversation = v.get("conversation");
        let mut d = Details {
            comment: text(v.get("comment")),
            url: text(conversation.and_then(|c| c.get("url")))
                .filter(|u| crate::model::is_http_url(u)),
            channel: text(conversation.and_then(|c| c.get("channel"))),
            ..Details::default()
        };
        let Some(ratings) = v.get("ratings").and_then(|r| r.as_object()) else {
            return d;
        };
        for (k, x) in ratings {
            let Ok(entry) = model::RatingEntry::deserialize(x) else {
                continue;
            };
            if let Some(c) = entry.comment() {
                d.comments.insert(k.clone(), c.to_string());
            }
            let causes: Vec<String> = entry.root_causes().iter().map(|r| r.to_string()).collect();
            if !causes.is_empty() {
                d.causes.insert(k.clone(), causes);
            }
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::Snapshot;

    #[test]
    fn a_rating_is_commented_when_its_comment_is_not_blank() {
        let v = serde_json::json!({
            "ratings": {
                "tone": { "rating": 2, "comment": "Curt with the customer." },
                "accuracy": { "rating": 1, "comment": "  \n" },
                "greeting": 3,
                "grammar": { "rating": "na", "comment": "n/a on a call" },
            }
        });
        let s = Snapshot::from_value(&v, true);
        assert_eq!(s.commented, ["grammar", "tone"]);
        assert!(s.is_commented("tone"));
        assert!(!s.is_commented("accuracy"));
        assert!(!s.is_commented("greeting"));
        assert!(!s.is_commented("missing"));
    }

    /// The digest tells ratings apart by category, value and `na`, and is fixed (it is kept in
    /// the history cache, so a build that changed it would misread an older cache).
    #[test]
    fn the_ratings_digest_is_fixed_and_tells_ratings_apart() {
        let of = |r: &[(&str, Option<i64>)]| {
            Snapshot {
                ratings: r.iter().map(|(k, v)| ((*k).into(), *v)).collect(),
                ..Snapshot::default()
            }
            .ratings_digest()
        };
        let base = of(&[("solution", Some(2)), ("tone", Some(3))]);
        assert_eq!(base, of(&[("solution", Some(2)), ("tone", Some(3))]));
        for other in [
            of(&[("solution", Some(2)), ("tone", Some(2))]),
            of(&[("solution", Some(2)), ("tone", None)]),
            of(&[("solution", Some(2)), ("tonf", Some(3))]),
            of(&[("solution", Some(2))]),
            of(&[("solutiont", Some(2)), ("one", Some(3))]),
            of(&[]),
        ] {
            assert_ne!(base, other);
        }
        assert_eq!(of(&[]), 0x141c_fc98_42c4_b0e3);
        assert_eq!(base, 0xdafa_5845_f19f_39f8);
    }
}
