//! Entry points for the fuzz targets in `fuzz/` and their regression test: each takes raw bytes
//! and drives one part of the library the way a command does. Not part of the API (hidden, and
//! may change at any time); `tests/integration/fuzz_regressions.rs` feeds every committed corpus
//! and crash file through these same functions on stable.
//!
//! Each function panics only when an invariant of the library is broken (a position outside
//! the file, a score that is not a number 0..=100, a cache that decodes but does not re-encode):
//! bad input itself must become diagnostics, never a panic.

use crate::analysis::score::{mean, score_review};
use crate::check::review::{review_findings, ReviewRules, ReviewerSource, RubricLookup};
use crate::check::rubric::{check_rubric, parse_historic};
use crate::load::file::{load_typed, Input};
use crate::load::review::Snapshot;
use crate::load::schema::Kind;
use crate::load::yaml::{self, Document};
use crate::model::{Config, Review, Rubric};
use crate::Diagnostic;
use serde_json::{json, Value};

/// The size limit the targets load with: the default, as every command uses.
const MAX: usize = yaml::DEFAULT_MAX_FILE_SIZE;

/// The YAML loader with positions: every node of a loaded document has a position inside the
/// file, and every diagnostic points inside it.
pub fn yaml(data: &[u8]) {
    let lines = line_count(data);
    match yaml::load("fuzz.yaml", data, MAX) {
        Ok(doc) => {
            assert_located(&doc.problems, lines);
            let mut pointers = Vec::new();
            pointers_of(&doc.value, String::new(), &mut pointers);
            for p in &pointers {
                let node = doc.node(p);
                assert!(node.is_some(), "no position for {p:?}");
                for pos in [doc.value_pos(p), doc.key_pos(p)] {
                    assert!(pos.line >= 1 && pos.line <= lines, "{p:?} at {pos:?}");
                    assert!(pos.column >= 1, "{p:?} at {pos:?}");
                }
            }
        }
        Err(problems) => {
            assert!(!problems.is_empty(), "an error without a diagnostic");
            assert_located(&problems, lines);
        }
    }
}

/// The number of lines a position may name (a position may sit just past the last newline).
fn line_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count() + 1
}

fn assert_located(problems: &[Diagnostic], lines: usize) {
    for d in problems {
        assert!(
            d.line >= 1 && d.line <= lines && d.column >= 1,
            "diagnostic outside the file: {d:?}"
        );
        assert!(!d.message.is_empty(), "a diagnostic without a message");
    }
}

/// Every JSON Pointer in a value (the root is "").
fn pointers_of(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                pointers_of(x, format!("{at}/{}", yaml::escape_segment(k)), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                pointers_of(x, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

/// The example rubric a fuzzed review is checked and scored against.
const RUBRIC: &str = include_str!("../rubrics/support.yaml");
/// The example configuration (roster, time zone) a fuzzed review is checked against.
const CONFIG: &str = include_str!("../qa.yaml");

/// Schema and model validation: the first byte picks the file kind (rubric, review or
/// `qa.yaml`), the rest is the file. The file goes through the loader, the schema and the typed
/// model as `check` reads it, then the rules of its kind.
pub fn validate(data: &[u8]) {
    let Some((&kind, file)) = data.split_first() else {
        return;
    };
    let lines = line_count(file);
    match kind % 3 {
        0 => validate_rubric(file, lines),
        1 => validate_review(file, lines),
        _ => {
            let l = load_typed::<Config>(Kind::Config, "qa.yaml", Input::Bytes(file.into()), MAX);
            assert_located(&l.problems, lines);
            if let Some(doc) = &l.doc {
                let c = crate::load::config::lenient_config(&doc.value);
                let _ = crate::load::people::Roster::new(&c);
                let _ = crate::load::config::timezone(&c);
            }
        }
    }
}

fn validate_rubric(file: &[u8], lines: usize) {
    let rel = "rubrics/support.yaml";
    let l = load_typed::<Rubric>(Kind::Rubric, rel, Input::Bytes(file.into()), MAX);
    assert_located(&l.problems, lines);
    if let (Some(r), Some(doc)) = (&l.value, &l.doc) {
        assert_located(&check_rubric(rel, r, doc), lines);
        let _ = crate::model::rubric_diff::scoring_signature(r);
        score_checked(r, &example_review_ratings());
    }
    if let Ok(text) = std::str::from_utf8(file) {
        if let Some(r) = parse_historic(rel, text, MAX) {
            score_checked(&r, &example_review_ratings());
        }
    }
}

fn validate_review(file: &[u8], lines: usize) {
    let rel = "reviews/2026/11/zd-1.yaml";
    let l = load_typed::<Review>(Kind::Review, rel, Input::Bytes(file.into()), MAX);
    assert_located(&l.problems, lines);
    let snap = Snapshot::from_bytes(rel, file);
    let rubric = example_rubric();
    let config = example_config();
    let roster = crate::load::people::Roster::new(&config);
    let rules = ReviewRules {
        roster: roster.as_ref(),
        tz: crate::load::config::timezone(&config),
        now: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
    };
    let findings = review_findings(
        &rules,
        rel,
        &snap,
        RubricLookup::Found(&rubric),
        &ReviewerSource::Written,
    );
    let located: Vec<Diagnostic> = findings
        .iter()
        .map(|f| f.locate(rel, l.doc.as_ref()))
        .collect();
    assert_located(&located, lines);
    score_checked(&rubric, &snap.rating_values());
    let _ = crate::load::review::Details::from_value(
        l.doc.as_ref().map_or(&Value::Null, |d: &Document| &d.value),
    );
}

fn example_rubric() -> Rubric {
    let doc = yaml::load_str("rubrics/support.yaml", RUBRIC).expect("the example rubric loads");
    serde_json::from_value(doc.value).expect("the example rubric is valid")
}

fn example_config() -> Config {
    let doc = yaml::load_str("qa.yaml", CONFIG).expect("the example qa.yaml loads");
    crate::load::config::lenient_config(&doc.value)
}

fn example_review_ratings() -> std::collections::BTreeMap<String, crate::model::RatingValue> {
    let review = include_str!("../reviews/2026/11/zd-48213-alice.yaml");
    Snapshot::from_bytes("r.yaml", review.as_bytes()).rating_values()
}

/// A score is a finite number ≥ 0 (or none), at most 100 unless the rubric has bonus
/// categories; a review-level critical failure scores 0; a pass mark is applied to the score
/// itself; the failed groups are groups of the rubric.
fn score_checked(
    rubric: &Rubric,
    ratings: &std::collections::BTreeMap<String, crate::model::RatingValue>,
) {
    let s = score_review(rubric, ratings);
    let bonus = rubric.categories.iter().any(|c| c.bonus);
    if let Some(x) = s.score {
        assert!(
            x.is_finite() && x >= 0.0,
            "score {x} for {rubric:?} {ratings:?}"
        );
        assert!(bonus || x <= 100.0, "score {x} for {rubric:?} {ratings:?}");
    }
    if s.critical_failure {
        assert_eq!(s.score, Some(0.0));
        assert!(s.failed_groups.is_empty());
    }
    for g in &s.failed_groups {
        assert!(rubric.groups.iter().any(|x| x.id.as_str() == g), "{g}");
    }
    match (s.score, rubric.pass_mark) {
        (Some(x), Some(m)) => assert_eq!(s.pass, Some(x >= m.0)),
        _ => assert_eq!(s.pass, None),
    }
    if let Some(m) = mean(s.score) {
        assert!(m.is_finite() && m >= 0.0);
    }
}

/// Interesting weights (the schema has no maximum), picked by a byte.
const WEIGHTS: [f64; 8] = [0.0, 1.0, 0.5, 3.0, 1e-300, 5e-324, 1e300, f64::MAX];

/// The scorer on a rubric and ratings built from bytes: categories of every scale, weight and
/// flag the typed model accepts (critical `true`, `review` or `group`, bonus, `na`, in one of
/// three groups or none), ratings in and out of scale, `na`, and unknown categories.
/// Layout: a byte of category count, then 3 bytes per category (scale, weight: a table index
/// or the next 8 bytes as an f64, flags), an optional pass mark byte, then 9 bytes per rating
/// (category index, an i64; `i64::MIN` is `na`).
pub fn score(data: &[u8]) {
    let mut b = Bytes(data);
    let n = usize::from(b.byte() % 12) + 1;
    let mut categories = Vec::new();
    for i in 0..n {
        let scale = b.byte();
        let w = b.byte();
        let weight = if w & 0x80 != 0 {
            f64::from_le_bytes(b.array())
        } else {
            WEIGHTS[usize::from(w) % WEIGHTS.len()]
        };
        let flags = b.byte();
        let critical = [json!(false), json!(true), json!("group"), json!("review")];
        let mut c = json!({
            "id": format!("c{i}"), "title": "C", "scale": scale % 12, "weight": weight,
            "critical": critical[usize::from(flags & 3)], "na": flags & 4 != 0,
            "bonus": flags & 8 != 0,
        });
        if (flags >> 4) & 3 != 0 {
            c["group"] = json!(format!("g{}", (flags >> 4) & 3));
        }
        categories.push(c);
    }
    let pass = b.byte();
    let groups: Vec<Value> = (1..=3)
        .map(|g| json!({"id": format!("g{g}"), "title": "G"}))
        .collect();
    let mut rubric = json!({"id": "r", "version": 1, "title": "R", "groups": groups,
        "categories": categories});
    if pass <= 100 {
        rubric["pass_mark"] = json!(pass);
    }
    // serde_json writes a non-finite weight as null, which the model refuses, as the YAML
    // loader's numbers are refused: only what a file can say gets scored.
    let Ok(rubric) = serde_json::from_value::<Rubric>(rubric) else {
        return;
    };
    let mut ratings = std::collections::BTreeMap::new();
    while !b.0.is_empty() {
        let c = b.byte() % (n as u8 + 1);
        let r = i64::from_le_bytes(b.array());
        let v = if r == i64::MIN {
            crate::model::RatingValue::Na(crate::model::NaMarker::Na)
        } else {
            crate::model::RatingValue::Points(r)
        };
        ratings.insert(format!("c{c}"), v);
    }
    score_checked(&rubric, &ratings);
}

/// A reader of bytes that gives zeros once the input is used up.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&x, rest)) => {
                self.0 = rest;
                x
            }
            None => 0,
        }
    }

    fn array(&mut self) -> [u8; 8] {
        std::array::from_fn(|_| self.byte())
    }
}

/// The history cache decoder: the bytes as a cache file (checksum included, which the fuzzer
/// rarely gets right), then as a payload with its checksum appended (what a cache with a
/// matching checksum but crafted content gives). A cache that decodes re-encodes and decodes
/// again.
pub fn cache(data: &[u8]) {
    crate::history::fuzz_decode(data);
}

/// The text splicer of `dispute` and `resolve`: on any file that loads, every edit it offers
/// (a scalar replaced, keys added to a mapping, an item added to a sequence, a new top-level
/// sequence) has its span inside the text on character boundaries, and the edited text either
/// reads back as meant or is refused (`verify`); nothing panics.
pub fn splice(data: &[u8]) {
    use crate::edit::splice::{apply, verify, Editable};
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(ed) = Editable::new("fuzz.yaml", text) else {
        return;
    };
    let mut pointers = Vec::new();
    pointers_of(&ed.value, String::new(), &mut pointers);
    pointers.push("/zz_new".to_string());
    for p in pointers.iter().take(200) {
        let mut expected = ed.value.clone();
        let edit = match ed.value.pointer(p) {
            Some(Value::Object(m)) if !m.contains_key("zz_added") => {
                if let Some(Value::Object(e)) = expected.pointer_mut(p) {
                    e.insert("zz_added".into(), json!(7));
                }
                ed.add_keys(p, &[("zz_added", "7".into())])
            }
            Some(Value::Array(_)) => {
                if let Some(Value::Array(a)) = expected.pointer_mut(p) {
                    a.push(json!({"k": 7}));
                }
                ed.push_item(p, &[("k", "7".into())])
            }
            Some(Value::Object(_)) => continue,
            Some(_) if !p.is_empty() => {
                if let Some(v) = expected.pointer_mut(p) {
                    *v = json!(7);
                }
                ed.replace_scalar(p, "7")
            }
            Some(_) => continue,
            None => match expected.as_object_mut() {
                Some(root) if !root.contains_key("zz_new") => {
                    root.insert("zz_new".into(), json!([{"k": 7}]));
                    ed.push_item(p, &[("k", "7".into())])
                }
                _ => continue,
            },
        };
        let Ok(s) = edit else { continue };
        assert!(
            s.at.0 <= s.at.1
                && s.at.1 <= text.len()
                && text.is_char_boundary(s.at.0)
                && text.is_char_boundary(s.at.1),
            "a splice outside the text at {p}: {:?}",
            s.at
        );
        let new = apply(text, vec![s]);
        let _ = verify("fuzz.yaml", &new, &expected);
    }
}
