//! The lenient view of a review: its well-formed parts, read one by one.

use crate::model;
use serde::Deserialize;

/// The parts of a review that are well-formed, read leniently so that a review with a schema
/// error elsewhere still gets its ratings, people and date checked.
#[derive(Debug, Clone, Default)]
pub struct ReviewView {
    pub id: Option<model::PersonId>,
    pub rubric: Option<model::RubricRef>,
    pub agent: Option<model::PersonId>,
    pub reviewer: Option<model::PersonId>,
    pub reviewed_at: Option<model::DateText>,
    /// Category key and its rating, `None` where the rating itself is malformed.
    pub ratings: Option<Vec<(String, Option<model::RatingEntry>)>>,
}

impl ReviewView {
    pub fn from_value(v: &serde_json::Value) -> ReviewView {
        fn field<'a, T: Deserialize<'a>>(v: &'a serde_json::Value, key: &str) -> Option<T> {
            v.get(key).and_then(|x| T::deserialize(x).ok())
        }
        ReviewView {
            id: field(v, "id"),
            rubric: field(v, "rubric"),
            agent: field(v, "agent"),
            reviewer: field(v, "reviewer"),
            reviewed_at: field(v, "reviewed_at"),
            ratings: v.get("ratings").and_then(|r| r.as_object()).map(|m| {
                m.iter()
                    .map(|(k, x)| (k.clone(), model::RatingEntry::deserialize(x).ok()))
                    .collect()
            }),
        }
    }
}
