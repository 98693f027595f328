//! The bundled JSON Schemas and the Rust types agree: every valid fixture passes both, every
//! invalid one fails both. Also: the schemas are what `rubric schema` prints, and every field
//! carries a description for editors.

use rubric::load::schema::{validate, Kind};
use rubric::load::yaml::load_str;
use rubric::model::{Config, Review, Rubric};
use serde_json::Value;

fn typed_ok(kind: Kind, v: &Value) -> bool {
    match kind {
        Kind::Rubric => serde_json::from_value::<Rubric>(v.clone()).is_ok(),
        Kind::Review => serde_json::from_value::<Review>(v.clone()).is_ok(),
        Kind::Config => serde_json::from_value::<Config>(v.clone()).is_ok(),
        Kind::Assignments => {
            serde_json::from_value::<rubric::model::assignments::Plan>(v.clone()).is_ok()
        }
    }
}

const RUBRIC_OK: &str =
    "id: support\nversion: 1\ntitle: S\ncategories:\n  - {id: a, title: A, scale: 4}\n";
const REVIEW_OK: &str =
    "rubric: support@1\nagent: alice\nconversation: {id: \"1\"}\nratings: {a: 3}\n";

/// (kind, name, yaml, valid)
fn cases() -> Vec<(Kind, &'static str, String, bool)> {
    use Kind::*;
    let r = |s: &str| RUBRIC_OK.replace("  - {id: a, title: A, scale: 4}", s);
    let v = |from: &str, to: &str| REVIEW_OK.replace(from, to);
    vec![
        (Rubric, "minimal", RUBRIC_OK.to_string(), true),
        (Rubric, "full", crate::RUBRIC.to_string(), true),
        (
            Rubric,
            "example support",
            std::fs::read_to_string(crate::project_root().join("rubrics/support.yaml")).unwrap(),
            true,
        ),
        (
            Rubric,
            "example chat",
            std::fs::read_to_string(crate::project_root().join("rubrics/chat.yaml")).unwrap(),
            true,
        ),
        (
            Rubric,
            "pass_mark 0 and 100",
            format!("{RUBRIC_OK}pass_mark: 100\n"),
            true,
        ),
        (
            Rubric,
            "weight 0",
            r("  - {id: a, title: A, scale: 4, weight: 0}"),
            true,
        ),
        (
            Rubric,
            "weight 2.5",
            r("  - {id: a, title: A, scale: 4, weight: 2.5}"),
            true,
        ),
        (
            Rubric,
            "scale 10",
            r("  - {id: a, title: A, scale: 10}"),
            true,
        ),
        (
            Rubric,
            "missing version",
            RUBRIC_OK.replace("version: 1\n", ""),
            false,
        ),
        (
            Rubric,
            "version 0",
            RUBRIC_OK.replace("version: 1", "version: 0"),
            false,
        ),
        (
            Rubric,
            "version string",
            RUBRIC_OK.replace("version: 1", "version: \"1\""),
            false,
        ),
        (
            Rubric,
            "version float",
            RUBRIC_OK.replace("version: 1", "version: 1.5"),
            false,
        ),
        (
            Rubric,
            "uppercase id",
            RUBRIC_OK.replace("id: support", "id: Support"),
            false,
        ),
        (
            Rubric,
            "empty title",
            RUBRIC_OK.replace("title: S", "title: \"\""),
            false,
        ),
        (
            Rubric,
            "no categories",
            RUBRIC_OK
                .replace("  - {id: a, title: A, scale: 4}\n", "")
                .replace("categories:\n", "categories: []\n"),
            false,
        ),
        (
            Rubric,
            "scale 1",
            r("  - {id: a, title: A, scale: 1}"),
            false,
        ),
        (
            Rubric,
            "scale 11",
            r("  - {id: a, title: A, scale: 11}"),
            false,
        ),
        (
            Rubric,
            "negative weight",
            r("  - {id: a, title: A, scale: 4, weight: -1}"),
            false,
        ),
        (
            Rubric,
            "unknown key",
            r("  - {id: a, title: A, scale: 4, wieght: 1}"),
            false,
        ),
        (
            Rubric,
            "critical not bool",
            r("  - {id: a, title: A, scale: 4, critical: yes}"),
            false,
        ),
        (
            Rubric,
            "critical review and group",
            r("  - {id: a, title: A, scale: 4, critical: review}\n  - {id: b, title: B, scale: 4, critical: group}"),
            true,
        ),
        (
            Rubric,
            "critical 1",
            r("  - {id: a, title: A, scale: 4, critical: 1}"),
            false,
        ),
        (
            Rubric,
            "bonus",
            r("  - {id: a, title: A, scale: 4, bonus: true}"),
            true,
        ),
        (
            Rubric,
            "bonus not bool",
            r("  - {id: a, title: A, scale: 4, bonus: group}"),
            false,
        ),
        (
            Rubric,
            "pass_mark 101",
            format!("{RUBRIC_OK}pass_mark: 101\n"),
            false,
        ),
        (
            Rubric,
            "root causes repeated",
            r("  - {id: a, title: A, scale: 4, root_causes: [x, x]}"),
            false,
        ),
        (
            Rubric,
            "bad group id",
            format!("{RUBRIC_OK}groups: [{{id: Bad Id, title: B}}]\n"),
            false,
        ),
        (
            Rubric,
            "labels not strings",
            r("  - {id: a, title: A, scale: 2, labels: [[x], y]}"),
            false,
        ),
        (Review, "minimal", REVIEW_OK.to_string(), true),
        (Review, "rating written 4.0", v("{a: 3}", "{a: 4.0}"), true),
        (
            Review,
            "detail rating written 9.0",
            v("{a: 3}", "{a: {rating: 9.0}}"),
            true,
        ),
        (
            Review,
            "conversation id written 5.0",
            v("id: \"1\"", "id: 5.0"),
            true,
        ),
        (
            Review,
            "huge rating",
            v("{a: 3}", "{a: 99999999999999999999}"),
            false,
        ),
        (
            Review,
            "rating past the bound",
            v("{a: 3}", "{a: 1000001}"),
            false,
        ),
        (
            Review,
            "huge conversation id",
            v("id: \"1\"", "id: 99999999999999999999"),
            false,
        ),
        (
            Review,
            "rubric version too long",
            v("support@1", "support@4294967298"),
            false,
        ),
        (
            Review,
            "rubric version at the bound",
            v("support@1", "support@999999999"),
            true,
        ),
        (Review, "full", crate::REVIEW.to_string(), true),
        (
            Review,
            "bare number conversation",
            v("id: \"1\"", "id: 48213"),
            true,
        ),
        (
            Review,
            "email agent",
            v("agent: alice", "agent: alice@acme.example"),
            true,
        ),
        (
            Review,
            "rfc3339 date",
            format!("{REVIEW_OK}reviewed_at: 2026-11-20T23:30:00Z\n"),
            true,
        ),
        (
            Review,
            "offset date",
            format!("{REVIEW_OK}reviewed_at: 2026-11-20T23:30:00.5+02:00\n"),
            true,
        ),
        (
            Review,
            "na detail",
            v("{a: 3}", "{a: {rating: na, comment: x}}"),
            true,
        ),
        (
            Review,
            "rating 0 is a scale matter",
            v("{a: 3}", "{a: 0}"),
            true,
        ),
        (
            Review,
            "missing agent",
            REVIEW_OK.replace("agent: alice\n", ""),
            false,
        ),
        (
            Review,
            "missing ratings",
            REVIEW_OK.replace("ratings: {a: 3}\n", ""),
            false,
        ),
        (
            Review,
            "rubric without version",
            v("support@1", "support"),
            false,
        ),
        (
            Review,
            "rubric version 0",
            v("support@1", "support@0"),
            false,
        ),
        (
            Review,
            "rubric version leading zero",
            v("support@1", "support@01"),
            false,
        ),
        (
            Review,
            "slash in agent",
            v("agent: alice", "agent: team/alice"),
            false,
        ),
        (
            Review,
            "date with month 13 shape ok",
            format!("{REVIEW_OK}reviewed_at: 2026-1-20\n"),
            false,
        ),
        (
            Review,
            "date as number",
            format!("{REVIEW_OK}reviewed_at: 20261120\n"),
            false,
        ),
        (
            Review,
            "empty conversation id",
            v("id: \"1\"", "id: \"\""),
            false,
        ),
        (
            Review,
            "float conversation id",
            v("id: \"1\"", "id: 1.5"),
            false,
        ),
        (
            Review,
            "conversation without id",
            v("{id: \"1\"}", "{url: \"https://x\"}"),
            false,
        ),
        (
            Review,
            "ftp url",
            v("{id: \"1\"}", "{id: \"1\", url: \"ftp://x\"}"),
            false,
        ),
        (
            Review,
            "upper-case scheme",
            v("{id: \"1\"}", "{id: \"1\", url: \"HTTPS://x.example/9\"}"),
            true,
        ),
        (
            Review,
            "javascript url",
            v("{id: \"1\"}", "{id: \"1\", url: \"javascript:alert(1)\"}"),
            false,
        ),
        (Review, "rating string", v("{a: 3}", "{a: three}"), false),
        (Review, "rating float", v("{a: 3}", "{a: 2.5}"), false),
        (Review, "rating list", v("{a: 3}", "{a: [3]}"), false),
        (
            Review,
            "detail without rating",
            v("{a: 3}", "{a: {comment: x}}"),
            false,
        ),
        (
            Review,
            "detail unknown key",
            v("{a: 3}", "{a: {rating: 3, coment: x}}"),
            false,
        ),
        (
            Review,
            "root cause not slug",
            v("{a: 3}", "{a: {rating: 3, root_causes: [Bad Cause]}}"),
            false,
        ),
        (
            Review,
            "category key not slug",
            v("{a: 3}", "{A: 3}"),
            false,
        ),
        (
            Review,
            "unknown top key",
            format!("{REVIEW_OK}score: 100\n"),
            false,
        ),
        (
            Review,
            "comment not string",
            format!("{REVIEW_OK}comment: [x]\n"),
            false,
        ),
        (Config, "empty mapping", "{}\n".to_string(), true),
        (
            Config,
            "example",
            std::fs::read_to_string(crate::project_root().join("qa.yaml")).unwrap(),
            true,
        ),
        (
            Config,
            "paths",
            "paths: {rubrics: qa/rubrics, reviews: qa/reviews}\n".to_string(),
            true,
        ),
        (
            Config,
            "week start",
            "week_start: sunday\n".to_string(),
            true,
        ),
        (
            Config,
            "bad week start",
            "week_start: sun\n".to_string(),
            false,
        ),
        (
            Config,
            "absolute path",
            "paths: {rubrics: /etc}\n".to_string(),
            false,
        ),
        (
            Config,
            "parent path",
            "paths: {reviews: ../elsewhere}\n".to_string(),
            false,
        ),
        (
            Config,
            "inner parent path",
            "paths: {reviews: a/../../b}\n".to_string(),
            false,
        ),
        (
            Config,
            "bad email",
            "people: {alice: {emails: [alice]}}\n".to_string(),
            false,
        ),
        (
            Config,
            "repeated email",
            "people: {alice: {emails: [a@x.y, a@x.y]}}\n".to_string(),
            false,
        ),
        (
            Config,
            "bad person id",
            "people: {\"al/ice\": {name: A}}\n".to_string(),
            false,
        ),
        (
            Config,
            "unknown person key",
            "people: {alice: {nmae: A}}\n".to_string(),
            false,
        ),
        (
            Config,
            "empty timezone",
            "timezone: \"\"\n".to_string(),
            false,
        ),
        (Review, "dispute open", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, proposed: {{a: 4}}, status: open}}\n"), true),
        (Review, "dispute answered", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, status: rejected, resolved: 2026-11-22, response: no}}\n"), true),
        (Review, "dispute wrong agent", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, kind: wrong-agent, reason: r, proposed_agent: marek, status: open}}\n"), true),
        (Review, "dispute proposes na", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, proposed: {{a: na}}, status: open}}\n"), true),
        (Review, "dispute answered without response", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, status: accepted, resolved: 2026-11-22}}\n"), false),
        (Review, "dispute answered without date", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, status: accepted, response: ok}}\n"), false),
        (Review, "dispute wrong agent without agent", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, kind: wrong-agent, reason: r, status: open}}\n"), false),
        (Review, "dispute wrong agent with ratings", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, kind: wrong-agent, reason: r, proposed_agent: m, proposed: {{a: 2}}, status: open}}\n"), false),
        (Review, "dispute rating with an agent", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, proposed_agent: m, status: open}}\n"), false),
        (Review, "dispute empty reason", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: \"\", status: open}}\n"), false),
        (Review, "dispute unknown status", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, status: pending}}\n"), false),
        (Review, "dispute unknown key", format!("{REVIEW_OK}disputes:\n  - {{opened: 2026-11-21, by: alice, reason: r, status: open, votes: 3}}\n"), false),
        (Review, "dispute bad date", format!("{REVIEW_OK}disputes:\n  - {{opened: 21.11.2026, by: alice, reason: r, status: open}}\n"), false),
        (Review, "disputes not a list", format!("{REVIEW_OK}disputes: {{opened: 2026-11-21}}\n"), false),
        (Config, "dispute limits", "disputes: {max_per_review: 2, window_days: 0}\n".to_string(), true),
        (Config, "dispute cap 0", "disputes: {max_per_review: 0}\n".to_string(), false),
        (Config, "dispute window fraction", "disputes: {window_days: 1.5}\n".to_string(), false),
        (Config, "dispute unknown key", "disputes: {per_agent: 2}\n".to_string(), false),
        (Config, "lead", "people: {kadri: {name: K, lead: true}, alice: {lead: false}}\n".to_string(), true),
        (Config, "lead not a boolean", "people: {kadri: {lead: yes please}}\n".to_string(), false),
        (Config, "lead as a string", "people: {kadri: {lead: \"true\"}}\n".to_string(), false),
        (Config, "private pages", "pages: {private: true}\n".to_string(), true),
        (Config, "pages empty", "pages: {}\n".to_string(), true),
        (Config, "private not a boolean", "pages: {private: 1}\n".to_string(), false),
        (Config, "pages unknown key", "pages: {secret: abc}\n".to_string(), false),
        (Config, "pages not a mapping", "pages: [private]\n".to_string(), false),
    ]
}

#[test]
fn schemas_and_types_agree_on_every_fixture() {
    let mut failures = Vec::new();
    for (kind, name, text, valid) in cases() {
        let doc = load_str("f.yaml", &text).unwrap_or_else(|e| panic!("{name}: loads: {e:?}"));
        let schema_ok = validate(kind, "f.yaml", &doc).is_empty();
        let types_ok = typed_ok(kind, &doc.value);
        if schema_ok != valid || types_ok != valid {
            failures.push(format!(
                "{} {name:?}: expected valid={valid}, schema says {schema_ok}, types say {types_ok}",
                kind.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn walk_descriptions(node: &Value, at: String, missing: &mut Vec<String>) {
    if let Some(props) = node.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            if v.get("description").is_none() {
                missing.push(format!("{at}/properties/{k}"));
            }
            walk_descriptions(v, format!("{at}/properties/{k}"), missing);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = node.get(key).filter(|v| v.is_object()) {
            walk_descriptions(v, format!("{at}/{key}"), missing);
        }
    }
    for key in ["$defs"] {
        if let Some(defs) = node.get(key).and_then(Value::as_object) {
            for (k, v) in defs {
                walk_descriptions(v, format!("{at}/{key}/{k}"), missing);
            }
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            for (i, v) in list.iter().enumerate() {
                walk_descriptions(v, format!("{at}/{key}/{i}"), missing);
            }
        }
    }
}

#[test]
fn every_schema_field_has_a_description() {
    for kind in Kind::ALL {
        let mut missing = Vec::new();
        walk_descriptions(kind.json(), String::new(), &mut missing);
        assert!(
            missing.is_empty(),
            "{}: no description at {missing:?}",
            kind.name()
        );
        assert_eq!(
            kind.json()["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
}

#[test]
fn rubric_schema_prints_the_bundled_schemas() {
    for kind in Kind::ALL {
        let out = crate::rubric(&crate::project_root())
            .args(["schema", kind.name()])
            .output()
            .expect("runs");
        assert!(out.status.success());
        let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let file = crate::project_root().join(format!("schemas/{}.schema.json", kind.name()));
        let on_disk: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(printed, on_disk);
    }
}

#[test]
fn sequences_are_not_read_as_structs() {
    for (kind, text) in [
        (Kind::Review, REVIEW_OK.replace("{id: \"1\"}", "[\"1\"]")),
        (
            Kind::Rubric,
            RUBRIC_OK.replace("{id: a, title: A, scale: 4}", "[a, A, 4]"),
        ),
        (Kind::Config, "paths: [a, b, c]\n".to_string()),
        (Kind::Config, "people: {alice: [A, t]}\n".to_string()),
    ] {
        let doc = load_str("f.yaml", &text).unwrap();
        assert!(!validate(kind, "f.yaml", &doc).is_empty());
        assert!(!typed_ok(kind, &doc.value), "{text}");
    }
}
