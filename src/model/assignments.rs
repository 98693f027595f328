//! The typed model of assignments (SPEC §4.1): `qa.yaml`'s `assignments:` section (how
//! `rubric assign` samples) and a plan file `assignments/<cycle>.yaml` (what it wrote).

use super::{de_map, ConversationId, DateText, NonEmptyVec, PersonId, UniqueVec, Url};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// How long one assignment cycle is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CycleKind {
    Week,
    Month,
}

/// `assignments:` in `qa.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignConfig {
    pub cycle: CycleKind,
    #[serde(deserialize_with = "de_per_agent")]
    pub per_agent: u32,
    #[serde(deserialize_with = "de_reviewers")]
    pub reviewers: UniqueVec<PersonId>,
    /// Column → the values a row must have in it (compared as text).
    #[serde(default, rename = "where", deserialize_with = "de_where")]
    pub filter: BTreeMap<String, Vec<String>>,
    #[serde(default, deserialize_with = "de_seed")]
    pub seed: u64,
}

fn de_per_agent<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = f64::deserialize(d)?;
    super::whole(v, 1.0, 10_000.0)
        .map(|v| v as u32)
        .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a count 1..10000")))
}

fn de_reviewers<'de, D: Deserializer<'de>>(d: D) -> Result<UniqueVec<PersonId>, D::Error> {
    let v = UniqueVec::<PersonId>::deserialize(d)?;
    if v.0.is_empty() {
        return Err(serde::de::Error::custom("name at least one reviewer"));
    }
    Ok(v)
}

fn de_seed<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = f64::deserialize(d)?;
    super::whole(v, 0.0, 9_007_199_254_740_991.0)
        .map(|v| v as u64)
        .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number 0..2^53-1")))
}

/// A `where` value: text, or a number compared as its decimal text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Cell {
    Text(String),
    Number(serde_json::Number),
}

fn de_where<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, Vec<String>>, D::Error> {
    let m: BTreeMap<String, NonEmptyVec<Cell>> = de_map(d)?;
    Ok(m.into_iter()
        .map(|(k, v)| {
            let values =
                v.0.into_iter()
                    .map(|c| match c {
                        Cell::Text(s) => s,
                        Cell::Number(n) => n.to_string(),
                    })
                    .collect();
            (k, values)
        })
        .collect())
}

/// An assignment plan file (SPEC §4.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub cycle: CycleLabel,
    pub created: DateText,
    #[serde(deserialize_with = "de_map")]
    pub source: PlanSource,
    #[serde(default)]
    pub items: Vec<PlanItem>,
}

/// Where a plan's conversations came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSource {
    pub file: String,
    pub sha256: Sha256Hex,
    pub rows: u64,
}

/// One conversation to review.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    pub conversation: ConversationId,
    pub agent: PersonId,
    pub reviewer: PersonId,
    #[serde(default)]
    pub created_at: Option<DateText>,
    #[serde(default)]
    pub url: Option<Url>,
    #[serde(default)]
    pub channel: Option<String>,
}

/// A cycle label: `2026-W48` (ISO week of the week's Thursday) or `2026-11`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CycleLabel(pub String);

impl CycleLabel {
    /// The kind of cycle the label names, if it is a well-formed label.
    pub fn kind_of(s: &str) -> Option<CycleKind> {
        let (year, rest) = s.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let two = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
        match rest.strip_prefix('W') {
            Some(w) if two(w) && ("01"..="53").contains(&w) => Some(CycleKind::Week),
            None if two(rest) && ("01"..="12").contains(&rest) => Some(CycleKind::Month),
            _ => None,
        }
    }
}

impl TryFrom<String> for CycleLabel {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        match CycleLabel::kind_of(&s) {
            Some(_) => Ok(CycleLabel(s)),
            None => Err(format!("`{s}` is not a cycle (2026-W48 or 2026-11)")),
        }
    }
}

impl From<CycleLabel> for String {
    fn from(v: CycleLabel) -> String {
        v.0
    }
}

impl std::fmt::Display for CycleLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `assignments:` read only from a mapping.
pub(super) fn de_config<'de, D: Deserializer<'de>>(d: D) -> Result<Option<AssignConfig>, D::Error> {
    de_map(d).map(Some)
}

/// A SHA-256 digest as 64 lowercase hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sha256Hex(pub String);

impl TryFrom<String> for Sha256Hex {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(Sha256Hex(s))
        } else {
            Err(format!("`{s}` is not a SHA-256 in hex"))
        }
    }
}

impl From<Sha256Hex> for String {
    fn from(v: Sha256Hex) -> String {
        v.0
    }
}
