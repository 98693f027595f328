//! The bundled JSON Schemas (embedded from `schemas/`) and schema validation of loaded files,
//! with each schema error mapped to the line and column of the offending YAML key or value.

use crate::load::yaml::{escape_segment, Document};
use crate::model::diagnostic::{suggestion, Code, Diagnostic, Pos};
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, ValidationError, Validator};
use serde_json::Value;
use std::sync::OnceLock;

/// Which kind of file a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Rubric,
    Review,
    Config,
    Assignments,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Rubric, Kind::Review, Kind::Config, Kind::Assignments];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Rubric => "rubric",
            Kind::Review => "review",
            Kind::Config => "config",
            Kind::Assignments => "assignments",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The schema text, as shipped in `schemas/<kind>.schema.json`.
    pub fn source(self) -> &'static str {
        match self {
            Kind::Rubric => include_str!("../../schemas/rubric.schema.json"),
            Kind::Review => include_str!("../../schemas/review.schema.json"),
            Kind::Config => include_str!("../../schemas/config.schema.json"),
            Kind::Assignments => include_str!("../../schemas/assignments.schema.json"),
        }
    }

    /// The schema as JSON.
    pub fn json(self) -> &'static Value {
        static CELLS: [OnceLock<Value>; 4] = [const { OnceLock::new() }; 4];
        CELLS[self as usize].get_or_init(|| {
            serde_json::from_str(self.source()).expect("bundled schemas are valid JSON (tested)")
        })
    }

    fn validator(self) -> &'static Validator {
        static CELLS: [OnceLock<Validator>; 4] = [const { OnceLock::new() }; 4];
        CELLS[self as usize].get_or_init(|| {
            jsonschema::options()
                .with_draft(Draft::Draft202012)
                .build(self.json())
                .expect("bundled schemas compile (tested)")
        })
    }
}

/// Validates a loaded document; returns one diagnostic per schema violation.
pub fn validate(kind: Kind, path: &str, doc: &Document) -> Vec<Diagnostic> {
    let validator = kind.validator();
    if validator.is_valid(&doc.value) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator.iter_errors(&doc.value) {
        push_error(kind, path, doc, &error, &mut out);
    }
    out.sort_by_key(|d| (d.line, d.column));
    out.dedup_by(|a, b| a.line == b.line && a.column == b.column && a.message == b.message);
    out
}

fn pointer_of(error: &ValidationError<'_>) -> String {
    let mut p = String::new();
    for seg in error.instance_path().iter() {
        p.push('/');
        match seg {
            LocationSegment::Property(name) => p.push_str(&escape_segment(&name)),
            LocationSegment::Index(i) => p.push_str(&i.to_string()),
        }
    }
    p
}

/// A readable name for the node at a pointer: `ratings.tone`, `categories[2].weight`.
fn display_path(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the top level".to_string();
    }
    let mut out = String::new();
    for seg in pointer.split('/').skip(1) {
        let seg = seg.replace("~1", "/").replace("~0", "~");
        if seg.chars().all(|c| c.is_ascii_digit()) && !seg.is_empty() {
            out.push_str(&format!("[{seg}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&seg);
        }
    }
    out
}

/// The property names that the schema allows at the location of an `additionalProperties`
/// error, for "did you mean".
fn allowed_properties(kind: Kind, error: &ValidationError<'_>) -> Vec<String> {
    let schema_path = error.schema_path().as_str();
    let parent = schema_path
        .strip_suffix("/additionalProperties")
        .unwrap_or(schema_path);
    let mut node = kind.json().pointer(parent);
    // Follow a `$ref` (local only) if the location is a reference.
    if let Some(Value::String(r)) = node.and_then(|n| n.get("$ref")) {
        node = r.strip_prefix('#').and_then(|p| kind.json().pointer(p));
    }
    node.and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => {
            let mut t: String = s.chars().take(40).collect();
            if t.len() < s.len() {
                t.push('…');
            }
            format!("\"{t}\"")
        }
        Value::Array(_) => "a sequence".into(),
        Value::Object(_) => "a mapping".into(),
    }
}

/// Turns one schema error into diagnostics, by the kind of error.
fn push_error(
    kind: Kind,
    path: &str,
    doc: &Document,
    error: &ValidationError<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let pointer = pointer_of(error);
    let site = Site {
        kind,
        path,
        doc,
        at: display_path(&pointer),
        pointer,
    };
    let (pointer, at) = (&site.pointer, &site.at);
    let instance = error.instance();
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            push_unknown_keys(&site, error, unexpected, out);
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            out.push(site.diag(
                doc.key_pos(pointer),
                format!("{at} is missing the required key `{name}`"),
            ));
        }
        ValidationErrorKind::Minimum { limit } if pointer.ends_with("/weight") => {
            out.push(
                Diagnostic::new(
                    Code::NegativeWeight,
                    path,
                    doc.value_pos(pointer),
                    format!("{at} is {}, below 0", describe(instance)),
                )
                .hint(format!(
                    "Use a weight of {limit} or more (0: rated and shown, not scored)."
                )),
            );
        }
        ValidationErrorKind::AnyOf { .. }
            if instance.is_null()
                && pointer.starts_with("/ratings/")
                && pointer.matches('/').count() == 2 =>
        {
            out.push(missing_rating(&site));
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            push_branch_errors(&site, error, context, out);
        }
        ValidationErrorKind::PropertyNames { error: inner } => {
            // The offending name is the instance of the inner error.
            let name = inner.instance().as_str().unwrap_or_default().to_string();
            let child = format!("{pointer}/{}", escape_segment(&name));
            out.push(site.diag(
                doc.key_pos(&child),
                format!(
                    "`{name}` is not a valid key in {at}: {}",
                    inner.kind_message()
                ),
            ));
        }
        ValidationErrorKind::Pattern { .. } | ValidationErrorKind::Enum { .. } => {
            let expected = expected_suffix(kind, error);
            out.push(site.diag(
                value_or_key_pos(doc, pointer, instance),
                format!("{at}: {}{expected}", error.kind_message()),
            ));
        }
        _ => {
            out.push(site.diag(
                value_or_key_pos(doc, pointer, instance),
                format!("{at}: {}", error.kind_message()),
            ));
        }
    }
}

/// Where a schema error is: the file, its document, and the failing node.
struct Site<'a> {
    kind: Kind,
    path: &'a str,
    doc: &'a Document,
    /// The failing node's JSON Pointer.
    pointer: String,
    /// The failing node as a message names it.
    at: String,
}

impl Site<'_> {
    /// A schema diagnostic in this file.
    fn diag(&self, pos: Pos, msg: String) -> Diagnostic {
        Diagnostic::new(Code::Schema, self.path, pos, msg)
    }
}

/// One diagnostic for each key that the schema does not allow, with the nearest allowed one.
fn push_unknown_keys(
    site: &Site<'_>,
    error: &ValidationError<'_>,
    unexpected: &[String],
    out: &mut Vec<Diagnostic>,
) {
    let allowed = allowed_properties(site.kind, error);
    for name in unexpected {
        let child = format!("{}/{}", site.pointer, escape_segment(name));
        let hint = suggestion(name, allowed.iter().map(String::as_str));
        let mut d = site.diag(
            site.doc.key_pos(&child),
            format!("unknown key `{name}` in {}{hint}", site.at),
        );
        if !allowed.is_empty() {
            d = d.hint(format!("Allowed keys here: {}.", allowed.join(", ")));
        }
        out.push(d);
    }
}

/// An empty rating (as `rubric new review` leaves them): not rated yet.
fn missing_rating(site: &Site<'_>) -> Diagnostic {
    let cat = site
        .pointer
        .trim_start_matches("/ratings/")
        .replace("~1", "/")
        .replace("~0", "~");
    Diagnostic::new(
        Code::MissingRating,
        site.path,
        site.doc.key_pos(&site.pointer),
        format!("`{cat}` is not rated yet"),
    )
}

/// For `anyOf` and `oneOf`: the errors of the branch that fits the value's type, if one does;
/// otherwise what the value may be.
fn push_branch_errors(
    site: &Site<'_>,
    error: &ValidationError<'_>,
    context: &[Vec<ValidationError<'_>>],
    out: &mut Vec<Diagnostic>,
) {
    let branch = context
        .iter()
        .find(|errs| !errs.is_empty() && !errs.iter().any(|e| is_type_mismatch(e, &site.pointer)));
    match branch {
        Some(errs) => {
            for e in errs {
                push_error(site.kind, site.path, site.doc, e, out);
            }
        }
        None => {
            let instance = error.instance();
            let expected = expected_suffix(site.kind, error);
            out.push(site.diag(
                value_or_key_pos(site.doc, &site.pointer, instance),
                format!(
                    "{}: {} is not valid here{expected}",
                    site.at,
                    describe(instance)
                ),
            ));
        }
    }
}

/// ". Expected …" from the failing schema node's description, or nothing.
fn expected_suffix(kind: Kind, error: &ValidationError<'_>) -> String {
    schema_description(kind, error)
        .map(|d| format!(". Expected {}", expectation(d)))
        .unwrap_or_default()
}

/// Does this error say that the value at `pointer` has the wrong type for a branch (as opposed
/// to a value of the right type with something wrong inside)?
fn is_type_mismatch(e: &ValidationError<'_>, pointer: &str) -> bool {
    if pointer_of(e) != pointer {
        return false;
    }
    match e.kind() {
        ValidationErrorKind::Type { .. } | ValidationErrorKind::Constant { .. } => true,
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            context
                .iter()
                .all(|errs| errs.iter().any(|x| is_type_mismatch(x, pointer)))
        }
        _ => false,
    }
}

/// Where to point for a bad value: the value, or its key when the value is empty (null).
fn value_or_key_pos(doc: &Document, pointer: &str, instance: &Value) -> Pos {
    if instance.is_null() {
        doc.key_pos(pointer)
    } else {
        doc.value_pos(pointer)
    }
}

/// The `description` of the schema node that holds the failing keyword.
fn schema_description(kind: Kind, error: &ValidationError<'_>) -> Option<&'static str> {
    let path = error.schema_path().as_str();
    let (parent, _) = path.rsplit_once('/')?;
    kind.json().pointer(parent)?.get("description")?.as_str()
}

/// A schema description as the tail of "Expected …": without "Optional" and without the
/// sentence on defaults.
fn expectation(d: &str) -> String {
    let d = d
        .strip_prefix("Optional: ")
        .or_else(|| d.strip_prefix("Optional "))
        .unwrap_or(d);
    let d = d
        .split(" Default:")
        .next()
        .unwrap_or(d)
        .trim_end_matches('.');
    lower_first(d)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A short message for an error, without repeating the instance for long values.
trait KindMessage {
    fn kind_message(&self) -> String;
}

impl KindMessage for ValidationError<'_> {
    fn kind_message(&self) -> String {
        let v = describe(self.instance());
        match self.kind() {
            ValidationErrorKind::Type { kind } => {
                let expected = match kind {
                    jsonschema::error::TypeKind::Single(t) => t.to_string(),
                    jsonschema::error::TypeKind::Multiple(ts) => ts
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>()
                        .join(" or "),
                };
                format!("{v} is not of type {expected}")
            }
            ValidationErrorKind::Pattern { .. } => {
                format!("{v} does not have the required form")
            }
            ValidationErrorKind::Enum { options } => format!("{v} is not one of {options}"),
            ValidationErrorKind::Minimum { limit } => format!("{v} is less than {limit}"),
            ValidationErrorKind::Maximum { limit } => format!("{v} is more than {limit}"),
            ValidationErrorKind::MinItems { limit } => {
                format!("needs at least {limit} item(s)")
            }
            ValidationErrorKind::MinLength { .. } => "must not be empty".to_string(),
            ValidationErrorKind::MaxLength { limit } => {
                format!("is longer than {limit} characters")
            }
            ValidationErrorKind::UniqueItems => "has repeated items".to_string(),
            ValidationErrorKind::Constant { expected_value } => {
                format!("{v} is not {expected_value}")
            }
            _ => self.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_schemas_compile() {
        for k in Kind::ALL {
            let _ = k.validator();
        }
    }

    #[test]
    fn display_paths() {
        assert_eq!(display_path("/ratings/tone"), "ratings.tone");
        assert_eq!(display_path("/categories/2/weight"), "categories[2].weight");
        assert_eq!(display_path(""), "the top level");
    }
}
