//! The typed model of rubric, review and `qa.yaml` files. Deserialising into these types
//! enforces the same rules as the bundled JSON Schemas (a test keeps the two in step).
pub mod assignments;
pub mod diagnostic;
pub mod rubric_diff;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

/// Deserialises a struct only from a mapping: serde would also accept a sequence of field
/// values, which the JSON Schemas (rightly) reject.
fn de_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    struct MapOnly<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for MapOnly<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a mapping")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
    }
    d.deserialize_map(MapOnly(PhantomData))
}

/// A struct read only from a mapping (see [`de_map`]).
struct M<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for M<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_map(d).map(M)
    }
}

fn de_vec_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Vec<T>, D::Error> {
    Ok(Vec::<M<T>>::deserialize(d)?
        .into_iter()
        .map(|m| m.0)
        .collect())
}

fn de_nonempty_map<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<NonEmptyVec<T>, D::Error> {
    NonEmptyVec::try_from(de_vec_map(d)?).map_err(serde::de::Error::custom)
}

fn de_people<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<BTreeMap<PersonId, Person>>, D::Error> {
    let m = BTreeMap::<PersonId, M<Person>>::deserialize(d)?;
    Ok(Some(m.into_iter().map(|(k, v)| (k, v.0)).collect()))
}

fn is_slug(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
        && s.len() <= 100
}

/// Is `s` a valid review, agent, reviewer or calibration id (`[A-Za-z0-9][A-Za-z0-9._@+-]*`)?
pub fn is_person_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c))
        && s.len() <= 200
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $check:path, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl TryFrom<String> for $name {
            type Error = String;
            fn try_from(s: String) -> Result<Self, String> {
                if $check(&s) {
                    Ok($name(s))
                } else {
                    Err(format!("`{}` is not a valid {}", s, $what))
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A rubric, category, group or root-cause id: `[a-z0-9][a-z0-9_-]*`.
    Slug,
    is_slug,
    "id (lowercase letters, digits, '-' and '_')"
);
id_type!(
    /// A review, agent, reviewer, team or calibration id: `[A-Za-z0-9][A-Za-z0-9._@+-]*`.
    PersonId,
    is_person_id,
    "id (ASCII letters, digits and . _ @ + -)"
);

/// A rubric file (SPEC §2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rubric {
    pub id: Slug,
    pub version: Version,
    pub title: NonEmpty,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub pass_mark: Option<Percent>,
    #[serde(default, deserialize_with = "de_vec_map")]
    pub groups: Vec<Group>,
    #[serde(deserialize_with = "de_nonempty_map")]
    pub categories: NonEmptyVec<Category>,
}

/// The largest rubric version (the schema's `maximum`).
pub const MAX_VERSION: u32 = 999_999_999;

/// A whole number written as an integer or as a float with no fraction (`4` or `4.0`): JSON
/// Schema's `integer` accepts both, so the typed model does too.
fn whole(v: f64, min: f64, max: f64) -> Option<i64> {
    (v.fract() == 0.0 && v >= min && v <= max).then_some(v as i64)
}

/// A rubric version: an integer 1..=999,999,999.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "u32")]
pub struct Version(pub u32);

impl TryFrom<f64> for Version {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        whole(v, 1.0, f64::from(MAX_VERSION))
            .map(|v| Version(v as u32))
            .ok_or_else(|| format!("version must be an integer 1..{MAX_VERSION}, not {v}"))
    }
}

impl From<Version> for u32 {
    fn from(v: Version) -> u32 {
        v.0
    }
}

/// A non-empty string.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NonEmpty(pub String);

impl TryFrom<String> for NonEmpty {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.is_empty() {
            Err("must not be empty".into())
        } else {
            Ok(NonEmpty(s))
        }
    }
}

impl From<NonEmpty> for String {
    fn from(v: NonEmpty) -> String {
        v.0
    }
}

/// A percentage 0..=100.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Percent(pub f64);

impl TryFrom<f64> for Percent {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if (0.0..=100.0).contains(&v) {
            Ok(Percent(v))
        } else {
            Err(format!("{v} is not a percentage 0..100"))
        }
    }
}

impl From<Percent> for f64 {
    fn from(v: Percent) -> f64 {
        v.0
    }
}

/// A list with at least one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<T>", into = "Vec<T>")]
#[serde(bound(
    deserialize = "T: Deserialize<'de>",
    serialize = "T: Serialize + Clone"
))]
pub struct NonEmptyVec<T>(pub Vec<T>);

impl<T> TryFrom<Vec<T>> for NonEmptyVec<T> {
    type Error = String;
    fn try_from(v: Vec<T>) -> Result<Self, String> {
        if v.is_empty() {
            Err("must have at least one item".into())
        } else {
            Ok(NonEmptyVec(v))
        }
    }
}

impl<T> From<NonEmptyVec<T>> for Vec<T> {
    fn from(v: NonEmptyVec<T>) -> Vec<T> {
        v.0
    }
}

impl<T> std::ops::Deref for NonEmptyVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

/// A group of categories.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub id: Slug,
    pub title: NonEmpty,
    #[serde(default)]
    pub description: Option<String>,
}

/// A scale: 2..=10 points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "u8")]
pub struct Scale(pub u8);

impl TryFrom<f64> for Scale {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        whole(v, 2.0, 10.0)
            .map(|v| Scale(v as u8))
            .ok_or_else(|| format!("scale must be 2..10, not {v}"))
    }
}

impl From<Scale> for u8 {
    fn from(v: Scale) -> u8 {
        v.0
    }
}

/// A weight >= 0.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Weight(pub f64);

impl TryFrom<f64> for Weight {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if v >= 0.0 && v.is_finite() {
            Ok(Weight(v))
        } else {
            Err(format!("weight must be >= 0, not {v}"))
        }
    }
}

impl From<Weight> for f64 {
    fn from(v: Weight) -> f64 {
        v.0
    }
}

impl Default for Weight {
    fn default() -> Self {
        Weight(1.0)
    }
}

/// One rated category of a rubric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    pub id: Slug,
    pub title: NonEmpty,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub group: Option<Slug>,
    pub scale: Scale,
    #[serde(default)]
    pub labels: Option<Vec<String>>,
    #[serde(default)]
    pub weight: Weight,
    #[serde(default)]
    pub critical: Critical,
    #[serde(default)]
    pub bonus: bool,
    #[serde(default)]
    pub na: bool,
    #[serde(default)]
    pub root_causes: Option<UniqueVec<Slug>>,
}

/// What a critical category's failure (a value below 0.5) does (SPEC §2, §5.2): nothing
/// (`false`), the whole review scores 0 (`true` or `review`), or its group counts as 0
/// (`group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Critical {
    #[default]
    No,
    Review,
    Group,
}

impl Critical {
    /// How the rubric file writes it: `false`, `true` (also for `review`) or `"group"`.
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Critical::No => serde_json::Value::Bool(false),
            Critical::Review => serde_json::Value::Bool(true),
            Critical::Group => serde_json::Value::from("group"),
        }
    }

    /// Any kind of critical.
    pub fn any(self) -> bool {
        self != Critical::No
    }
}

impl Serialize for Critical {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Critical {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Critical;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false, `review` or `group`")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Critical, E> {
                Ok(if b { Critical::Review } else { Critical::No })
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Critical, E> {
                match s {
                    "review" => Ok(Critical::Review),
                    "group" => Ok(Critical::Group),
                    _ => Err(E::custom(format!(
                        "critical must be true, false, `review` or `group`, not `{s}`"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A list without repeated items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Vec<T>", into = "Vec<T>")]
#[serde(bound(
    deserialize = "T: Deserialize<'de> + PartialEq",
    serialize = "T: Serialize + Clone"
))]
pub struct UniqueVec<T>(pub Vec<T>);

impl<T: PartialEq> TryFrom<Vec<T>> for UniqueVec<T> {
    type Error = String;
    fn try_from(v: Vec<T>) -> Result<Self, String> {
        for (i, a) in v.iter().enumerate() {
            if v[..i].contains(a) {
                return Err("items must be unique".into());
            }
        }
        Ok(UniqueVec(v))
    }
}

impl<T> From<UniqueVec<T>> for Vec<T> {
    fn from(v: UniqueVec<T>) -> Vec<T> {
        v.0
    }
}

impl<T> std::ops::Deref for UniqueVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

/// A reference from a review to a rubric version: `support@4`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RubricRef {
    pub id: Slug,
    pub version: Version,
}

impl TryFrom<String> for RubricRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let err = || format!("`{s}` is not <rubric id>@<version>");
        let (id, version) = s.split_once('@').ok_or_else(err)?;
        let id = Slug::try_from(id.to_string()).map_err(|_| err())?;
        if version.starts_with('0') || !version.chars().all(|c| c.is_ascii_digit()) {
            return Err(err());
        }
        if version.len() > 9 {
            return Err(err());
        }
        let version: u32 = version.parse().map_err(|_| err())?;
        let version = Version::try_from(f64::from(version)).map_err(|_| err())?;
        Ok(RubricRef { id, version })
    }
}

impl From<RubricRef> for String {
    fn from(r: RubricRef) -> String {
        r.to_string()
    }
}

impl fmt::Display for RubricRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.id, self.version.0)
    }
}

/// A review file (SPEC §3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    #[serde(default)]
    pub id: Option<PersonId>,
    pub rubric: RubricRef,
    pub agent: PersonId,
    #[serde(default)]
    pub reviewer: Option<PersonId>,
    #[serde(default)]
    pub reviewed_at: Option<DateText>,
    #[serde(deserialize_with = "de_map")]
    pub conversation: Conversation,
    #[serde(default)]
    pub calibration: Option<PersonId>,
    pub ratings: BTreeMap<Slug, RatingEntry>,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "de_vec_map")]
    pub disputes: Vec<Dispute>,
}

/// What a dispute asks for (SPEC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeKind {
    /// The ratings are disputed.
    #[default]
    Rating,
    /// The review names the wrong agent.
    WrongAgent,
}

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DisputeStatus {
    Open,
    Accepted,
    PartiallyAccepted,
    Rejected,
}

impl DisputeStatus {
    /// The name as written in YAML and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            DisputeStatus::Open => "open",
            DisputeStatus::Accepted => "accepted",
            DisputeStatus::PartiallyAccepted => "partially-accepted",
            DisputeStatus::Rejected => "rejected",
        }
    }

    /// Accepted in whole or in part.
    pub fn granted(self) -> bool {
        matches!(
            self,
            DisputeStatus::Accepted | DisputeStatus::PartiallyAccepted
        )
    }
}

/// One dispute of a review (SPEC §3.1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DisputeFields")]
pub struct Dispute {
    pub opened: DateText,
    pub by: PersonId,
    pub kind: DisputeKind,
    pub reason: NonEmpty,
    pub proposed: Option<BTreeMap<Slug, RatingValue>>,
    pub proposed_agent: Option<PersonId>,
    pub status: DisputeStatus,
    pub resolved: Option<DateText>,
    pub resolved_by: Option<PersonId>,
    pub response: Option<NonEmpty>,
}

/// A dispute's fields before the rules that tie them together (the schema's `allOf`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisputeFields {
    opened: DateText,
    by: PersonId,
    #[serde(default)]
    kind: Option<DisputeKind>,
    reason: NonEmpty,
    #[serde(default)]
    proposed: Option<BTreeMap<Slug, RatingValue>>,
    #[serde(default)]
    proposed_agent: Option<PersonId>,
    status: DisputeStatus,
    #[serde(default)]
    resolved: Option<DateText>,
    #[serde(default)]
    resolved_by: Option<PersonId>,
    #[serde(default)]
    response: Option<NonEmpty>,
}

impl TryFrom<DisputeFields> for Dispute {
    type Error = String;
    fn try_from(f: DisputeFields) -> Result<Self, String> {
        let kind = f.kind.unwrap_or_default();
        match kind {
            DisputeKind::WrongAgent if f.proposed_agent.is_none() => {
                return Err("a `wrong-agent` dispute needs `proposed_agent`".into())
            }
            DisputeKind::WrongAgent if f.proposed.is_some() => {
                return Err("a `wrong-agent` dispute has no `proposed` ratings".into())
            }
            DisputeKind::Rating if f.proposed_agent.is_some() => {
                return Err("`proposed_agent` is only for `wrong-agent` disputes".into())
            }
            _ => {}
        }
        if f.status != DisputeStatus::Open && (f.resolved.is_none() || f.response.is_none()) {
            return Err("a resolved dispute needs `resolved` and `response`".into());
        }
        Ok(Dispute {
            opened: f.opened,
            by: f.by,
            kind,
            reason: f.reason,
            proposed: f.proposed,
            proposed_agent: f.proposed_agent,
            status: f.status,
            resolved: f.resolved,
            resolved_by: f.resolved_by,
            response: f.response,
        })
    }
}

/// `reviewed_at` as written: a date or an RFC 3339 time (shape checked; real-date checked by
/// `rubric check`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DateText(pub String);

/// Does `s` have the shape of `YYYY-MM-DD` or an RFC 3339 time (the schema's pattern)?
pub fn is_date_shape(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if !(digits(0..4)
        && b.get(4) == Some(&b'-')
        && digits(5..7)
        && b.get(7) == Some(&b'-')
        && digits(8..10))
    {
        return false;
    }
    if b.len() == 10 {
        return true;
    }
    let time = matches!(b.get(10), Some(b'T' | b't' | b' '))
        && digits(11..13)
        && b.get(13) == Some(&b':')
        && digits(14..16)
        && b.get(16) == Some(&b':')
        && digits(17..19);
    if !time {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z' | b'z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            digits(i + 1..i + 3)
                && b.get(i + 3) == Some(&b':')
                && digits(i + 4..i + 6)
                && i + 6 == b.len()
        }
        _ => false,
    }
}

impl TryFrom<String> for DateText {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if is_date_shape(&s) {
            Ok(DateText(s))
        } else {
            Err(format!("`{s}` is not a date or RFC 3339 time"))
        }
    }
}

impl From<DateText> for String {
    fn from(v: DateText) -> String {
        v.0
    }
}

/// The reviewed conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversation {
    pub id: ConversationId,
    #[serde(default)]
    pub url: Option<Url>,
    #[serde(default)]
    pub channel: Option<String>,
}

/// A conversation id; a bare number is read as its decimal text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "StringOrInt", into = "String")]
pub struct ConversationId(pub String);

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrInt {
    S(String),
    I(i64),
    F(f64),
}

/// The largest whole number a conversation id may be written as (2^53 - 1, exact in f64).
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl TryFrom<StringOrInt> for ConversationId {
    type Error = String;
    fn try_from(v: StringOrInt) -> Result<Self, String> {
        match v {
            StringOrInt::S(s) if s.is_empty() => Err("conversation id must not be empty".into()),
            StringOrInt::S(s) => Ok(ConversationId(s)),
            StringOrInt::I(i) if (i as f64).abs() <= MAX_SAFE_INTEGER => {
                Ok(ConversationId(i.to_string()))
            }
            StringOrInt::F(f) => whole(f, -MAX_SAFE_INTEGER, MAX_SAFE_INTEGER)
                .map(|i| ConversationId(i.to_string()))
                .ok_or_else(|| format!("conversation id {f} is not a whole number")),
            StringOrInt::I(i) => Err(format!("conversation id {i} is too large")),
        }
    }
}

impl From<ConversationId> for String {
    fn from(v: ConversationId) -> String {
        v.0
    }
}

/// Does `s` start with `http://` or `https://` (the scheme in any case)?
pub fn is_http_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// An http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Url(pub String);

impl TryFrom<String> for Url {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if is_http_url(&s) {
            Ok(Url(s))
        } else {
            Err(format!("`{s}` is not an http(s) URL"))
        }
    }
}

impl From<Url> for String {
    fn from(v: Url) -> String {
        v.0
    }
}

/// A rating as written: a number, `na`, or a mapping with details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RatingEntry {
    Value(RatingValue),
    Detailed(#[serde(deserialize_with = "de_map")] RatingDetail),
}

/// A rating value: an integer or `na`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RatingValue {
    Points(#[serde(deserialize_with = "de_points")] i64),
    Na(NaMarker),
}

/// The largest rating magnitude the schema allows (ratings beyond the scale are a check, not a
/// schema error, but absurd numbers are refused by both).
pub const MAX_POINTS: i64 = 1_000_000;

fn de_points<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let v = f64::deserialize(d)?;
    whole(v, -(MAX_POINTS as f64), MAX_POINTS as f64)
        .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a whole number of points")))
}

/// The literal string `na`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NaMarker {
    #[serde(rename = "na")]
    Na,
}

/// A rating with a comment and root causes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingDetail {
    pub rating: RatingValue,
    #[serde(default)]
    pub comment: Option<String>,
    #[serde(default)]
    pub root_causes: Option<UniqueVec<Slug>>,
}

impl RatingEntry {
    pub fn value(&self) -> RatingValue {
        match self {
            RatingEntry::Value(v) => *v,
            RatingEntry::Detailed(d) => d.rating,
        }
    }

    pub fn comment(&self) -> Option<&str> {
        match self {
            RatingEntry::Value(_) => None,
            RatingEntry::Detailed(d) => d.comment.as_deref(),
        }
    }

    pub fn root_causes(&self) -> &[Slug] {
        match self {
            RatingEntry::Detailed(RatingDetail {
                root_causes: Some(r),
                ..
            }) => r,
            _ => &[],
        }
    }
}

/// `qa.yaml` (SPEC §4).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default, deserialize_with = "de_map")]
    pub paths: Paths,
    #[serde(default)]
    pub timezone: Option<NonEmpty>,
    #[serde(default)]
    pub week_start: Option<Weekday>,
    #[serde(default, deserialize_with = "de_people")]
    pub people: Option<BTreeMap<PersonId, Person>>,
    #[serde(default, deserialize_with = "de_map")]
    pub disputes: DisputeLimits,
    #[serde(default, deserialize_with = "assignments::de_config")]
    pub assignments: Option<assignments::AssignConfig>,
    #[serde(default, deserialize_with = "de_map")]
    pub pages: PagesConfig,
}

/// `pages:` in `qa.yaml`: `private: true` encrypts every page (SPEC §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PagesConfig {
    pub private: bool,
}

/// `disputes:` in `qa.yaml`: how many disputes a review may have, and how long after the review
/// one may be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisputeLimits {
    #[serde(deserialize_with = "de_count")]
    pub max_per_review: u32,
    #[serde(deserialize_with = "de_days")]
    pub window_days: Option<u32>,
}

impl Default for DisputeLimits {
    fn default() -> Self {
        DisputeLimits {
            max_per_review: 3,
            window_days: None,
        }
    }
}

fn de_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = f64::deserialize(d)?;
    whole(v, 1.0, 1000.0)
        .map(|v| v as u32)
        .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a count 1..1000")))
}

fn de_days<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let v = f64::deserialize(d)?;
    whole(v, 0.0, 100_000.0)
        .map(|v| Some(v as u32))
        .ok_or_else(|| serde::de::Error::custom(format!("{v} is not a number of days 0..100000")))
}

/// The day a week starts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl Weekday {
    /// Days from Monday: 0 for Monday … 6 for Sunday.
    pub fn days_from_monday(self) -> u32 {
        match self {
            Weekday::Monday => 0,
            Weekday::Tuesday => 1,
            Weekday::Wednesday => 2,
            Weekday::Thursday => 3,
            Weekday::Friday => 4,
            Weekday::Saturday => 5,
            Weekday::Sunday => 6,
        }
    }
}

/// Folders of the QA repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Paths {
    pub rubrics: RelPath,
    pub reviews: RelPath,
    pub templates: RelPath,
    pub assignments: RelPath,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            rubrics: RelPath("rubrics".into()),
            reviews: RelPath("reviews".into()),
            templates: RelPath("templates".into()),
            assignments: RelPath("assignments".into()),
        }
    }
}

/// A relative path that stays inside the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RelPath(pub String);

impl TryFrom<String> for RelPath {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let bad = s.is_empty()
            || s.starts_with('/')
            || s.contains('\\')
            || (s.len() >= 2 && s.as_bytes()[1] == b':' && s.as_bytes()[0].is_ascii_alphabetic())
            || s.split('/').any(|seg| seg == "..");
        if bad {
            Err(format!(
                "`{s}` is not a relative path inside the repository"
            ))
        } else {
            Ok(RelPath(s))
        }
    }
}

impl From<RelPath> for String {
    fn from(v: RelPath) -> String {
        v.0
    }
}

impl RelPath {
    pub fn as_str(&self) -> &str {
        self.0.trim_end_matches('/')
    }
}

/// One person in the roster.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub team: Option<PersonId>,
    #[serde(default)]
    pub emails: Option<UniqueVec<Email>>,
    /// A QA lead: opens every private page (SPEC §4, §8).
    #[serde(default)]
    pub lead: bool,
}

/// An e-mail address (shape `local@domain`, no spaces).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(pub String);

impl TryFrom<String> for Email {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        let ok = match s.split_once('@') {
            Some((l, d)) => {
                !l.is_empty()
                    && !d.is_empty()
                    && !d.contains('@')
                    && !s.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if ok {
            Ok(Email(s))
        } else {
            Err(format!("`{s}` is not an e-mail address"))
        }
    }
}

impl From<Email> for String {
    fn from(v: Email) -> String {
        v.0
    }
}
