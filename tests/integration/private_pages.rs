//! `render --private` and `rubric keys` (SPEC §8): no name, id, comment or conversation id in
//! any published byte; keys and file names stable for a secret and new with a new one; who
//! opens which page; the refusals (no secret, a short one, Markdown, one agent).

use crate::history::{commit_all, git};
use crate::{project_root, rubric, temp_repo};
use rubric::pages::private::{open, parse_secret, person_key, Sealed};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

/// A fixed test secret (hex) and a second one.
const SECRET: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const OTHER: &str = "c2VjcmV0LXR3by1mb3ItdGVzdHMtb25seS0wMTIzNDU2Nzg5YWI=";

/// Every name, id, e-mail, team, comment and conversation id of the fixture. Each holds a
/// character that base64 (`A-Za-z0-9+/=`, the ciphertext's alphabet) and hex (file names) never
/// write, so a hit anywhere in a published byte can only be a leak, never chance.
const NEEDLES: &[&str] = &[
    "agent.ada",
    "agent.bo",
    "lead.cy",
    "Ada Lovelace",
    "Bo Diddley-Jones",
    "Cy Twombly",
    "ada@corp.example",
    "team.red",
    "team.qa",
    "rev.ada-0001",
    "rev.bo-0002",
    "conv-77810",
    "conv-77811",
    "cal.session-1",
    "Kept the customer waiting",
    "Missed the refund policy",
    "Great empathy, slow follow-up",
    "Solution offered here",
];

fn fixture() -> tempfile::TempDir {
    let qa = "people:\n  agent.ada: {name: Ada Lovelace, team: team.red, emails: [ada@corp.example]}\n  agent.bo: {name: Bo Diddley-Jones, team: team.red}\n  lead.cy: {name: Cy Twombly, team: team.qa, lead: true}\n";
    let rubric = "id: support\nversion: 1\ntitle: Support\npass_mark: 80\ncategories:\n  - {id: solution, title: Solution offered here, scale: 4}\n  - {id: tone, title: Tone, scale: 3}\n";
    let review = |id: &str, agent: &str, conv: &str, comment: &str, cal: &str| {
        format!("id: {id}\nrubric: support@1\nagent: {agent}\nreviewer: lead.cy\nreviewed_at: 2026-11-02\n{cal}conversation: {{id: {conv}, url: \"https://desk.example/t/{conv}\"}}\nratings:\n  solution: {{rating: 2, comment: \"{comment}\"}}\n  tone: 3\ncomment: \"Great empathy, slow follow-up\"\n")
    };
    let dir = temp_repo(&[
        ("qa.yaml", qa),
        ("rubrics/support.yaml", rubric),
        (
            "reviews/a.yaml",
            &review(
                "rev.ada-0001",
                "agent.ada",
                "conv-77810",
                "Kept the customer waiting",
                "",
            ),
        ),
        (
            "reviews/b.yaml",
            &review(
                "rev.bo-0002",
                "agent.bo",
                "conv-77811",
                "Missed the refund policy",
                "",
            ),
        ),
        (
            "reviews/c.yaml",
            &review(
                "rev.cal-0003",
                "agent.bo",
                "conv-77811",
                "Missed the refund policy",
                "calibration: cal.session-1\n",
            ),
        ),
    ]);
    git(dir.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(dir.path(), "reviews", "2026-11-03T10:00:00Z");
    dir
}

/// `rubric render --private --out site` in `dir` with `secret` (none: unset).
fn render_private(dir: &Path, out: &str, secret: Option<&str>, extra: &[&str]) -> (i32, String) {
    let mut cmd = rubric(dir);
    cmd.env_remove("RUBRIC_PAGES_SECRET");
    if let Some(s) = secret {
        cmd.env("RUBRIC_PAGES_SECRET", s);
    }
    let o = cmd
        .args(["render", "--private", "--out", out])
        .args(extra)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    (o.status.code().unwrap_or(-1), err)
}

fn keys_json(dir: &Path, secret: &str) -> Value {
    let o = rubric(dir)
        .env("RUBRIC_PAGES_SECRET", secret)
        .args(["keys", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Every published file: relative name → bytes (dot files included).
fn published(site: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(site)
        .min_depth(1)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(site).unwrap().to_string_lossy();
            (rel.into_owned(), std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The sealed JSON of a published page.
fn sealed_of(html: &[u8]) -> Sealed {
    let html = String::from_utf8(html.to_vec()).unwrap();
    let start = html
        .find(r#"<script type="application/json" id="rubric-sealed">"#)
        .expect("a sealed page");
    let json = &html[start..];
    let json = &json[json.find('>').unwrap() + 1..json.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

fn contains(hay: &[u8], needle: &str) -> bool {
    let hay = String::from_utf8_lossy(hay).to_lowercase();
    hay.contains(&needle.to_lowercase())
}

#[test]
fn no_published_byte_holds_a_name_id_comment_or_conversation_id() {
    let dir = fixture();
    let (code, err) = render_private(dir.path(), "site", Some(SECRET), &[]);
    assert_eq!(code, 0, "{err}");
    let files = published(&dir.path().join("site"));
    assert!(files.len() >= 4, "{:?}", files.keys());
    for needle in NEEDLES {
        assert!(
            needle.contains(|c: char| !c.is_ascii_alphanumeric() && !"+/=".contains(c)),
            "{needle} could occur in base64 by chance"
        );
        for (name, bytes) in &files {
            assert!(!contains(name.as_bytes(), needle), "{needle} in {name}");
            assert!(!contains(bytes, needle), "{needle} in the bytes of {name}");
        }
    }
    // Not vacuous: the lead's key opens every page, and the data is in there.
    let secret = parse_secret(Some(SECRET)).unwrap();
    let lead = person_key(&secret, "lead.cy");
    let opened: String = files
        .iter()
        .filter(|(n, _)| n.ends_with(".html"))
        .map(|(n, b)| open(&sealed_of(b), &lead).unwrap_or_else(|| panic!("{n} opens")))
        .collect();
    for needle in ["Ada Lovelace", "Kept the customer waiting", "conv-77810"] {
        assert!(opened.contains(needle), "{needle} in the opened pages");
    }
    // The pages' sizes are padded to buckets: both agent pages are as large.
    let sizes: std::collections::BTreeSet<usize> = files
        .iter()
        .filter(|(n, _)| n.ends_with(".html") && *n != "index.html")
        .map(|(_, b)| b.len())
        .collect();
    assert_eq!(sizes.len(), 1, "{sizes:?}");
}

/// The example repository: no roster id, name, e-mail or team, review id, conversation id or
/// comment outside the ciphertext (its base64 strings cut out); the long ones nowhere at all.
#[test]
fn the_example_site_shows_nothing_of_its_data() {
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let (code, err) = render_private(&project_root(), site.to_str().unwrap(), Some(SECRET), &[]);
    assert_eq!(code, 0, "{err}");
    let mut needles: Vec<String> = Vec::new();
    let config: Value =
        serde_yaml::from_str(&std::fs::read_to_string(project_root().join("qa.yaml")).unwrap())
            .unwrap();
    collect_strings(&config["people"], &mut needles, true);
    for e in walkdir::WalkDir::new(project_root().join("reviews")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let v: Value =
                serde_yaml::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap();
            for key in [
                "id",
                "agent",
                "reviewer",
                "comment",
                "conversation",
                "ratings",
            ] {
                collect_strings(&v[key], &mut needles, false);
            }
        }
    }
    needles.retain(|n| n.len() >= 3 && n != "email" && n != "chat");
    assert!(needles.iter().any(|n| n == "48213") && needles.iter().any(|n| n == "alice"));
    for (name, bytes) in published(&site) {
        let text = String::from_utf8(bytes.clone()).unwrap();
        let outside = match text.find("rubric-sealed") {
            Some(_) => {
                let s = sealed_of(&bytes);
                let mut t = text.replace(&s.data, "");
                for slot in &s.slots {
                    t = t.replace(slot, "");
                }
                t
            }
            None => text.clone(),
        };
        for n in &needles {
            assert!(!contains(name.as_bytes(), n), "{n} in the name {name}");
            assert!(!contains(outside.as_bytes(), n), "{n} in {name}");
            if n.len() >= 12 || n.contains(|c: char| " .,:;'!?-_@".contains(c)) {
                assert!(!contains(&bytes, n), "{n} anywhere in {name}");
            }
        }
    }
}

/// Strings of a YAML value (and, with `keys`, its mapping keys: the roster's ids).
fn collect_strings(v: &Value, out: &mut Vec<String>, keys: bool) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Number(n) => out.push(n.to_string()),
        Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out, keys)),
        Value::Object(m) => {
            for (k, x) in m {
                if keys {
                    out.push(k.clone());
                }
                collect_strings(x, out, false);
            }
        }
        _ => {}
    }
}

#[test]
fn keys_and_file_names_are_stable_for_a_secret_and_change_with_it() {
    let dir = fixture();
    assert_eq!(render_private(dir.path(), "one", Some(SECRET), &[]).0, 0);
    assert_eq!(render_private(dir.path(), "two", Some(SECRET), &[]).0, 0);
    assert_eq!(render_private(dir.path(), "new", Some(OTHER), &[]).0, 0);
    let (one, two, new) = (
        published(&dir.path().join("one")),
        published(&dir.path().join("two")),
        published(&dir.path().join("new")),
    );
    let names = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&one), names(&two));
    // Fresh page keys and nonces: the same page is other bytes each time.
    let page = names(&one).into_iter().find(|n| n.len() > 20).unwrap();
    assert_ne!(one[&page], two[&page]);
    let same: Vec<String> = names(&one)
        .into_iter()
        .filter(|n| new.contains_key(n))
        .collect();
    assert_eq!(
        same,
        [".rubric-site", "index.html"],
        "only fixed names stay"
    );
    let (k1, k2, k3) = (
        keys_json(dir.path(), SECRET),
        keys_json(dir.path(), SECRET),
        keys_json(dir.path(), OTHER),
    );
    assert_eq!(k1, k2);
    for (a, b) in k1.as_array().unwrap().iter().zip(k3.as_array().unwrap()) {
        assert_eq!(a["person"], b["person"]);
        assert_ne!(a["key"], b["key"]);
    }
    // The pages `keys` names are the pages `render` wrote.
    for k in k1.as_array().unwrap() {
        for p in k["pages"].as_array().unwrap() {
            assert!(one.contains_key(p.as_str().unwrap()), "{p}");
        }
    }
}

#[test]
fn each_key_opens_its_pages_and_no_other() {
    let dir = fixture();
    assert_eq!(render_private(dir.path(), "site", Some(SECRET), &[]).0, 0);
    let files = published(&dir.path().join("site"));
    let keys = keys_json(dir.path(), SECRET);
    let by: BTreeMap<String, Value> = keys
        .as_array()
        .unwrap()
        .iter()
        .map(|k| (k["person"].as_str().unwrap().to_string(), k.clone()))
        .collect();
    assert_eq!(by["agent.ada"]["pages"].as_array().unwrap().len(), 1);
    // The lead: the overview, calibration, reviewers and both agent pages.
    assert_eq!(by["lead.cy"]["pages"].as_array().unwrap().len(), 5);
    assert_eq!(by["lead.cy"]["pages"][0], "index.html");
    let secret = parse_secret(Some(SECRET)).unwrap();
    for (person, k) in &by {
        let key = person_key(&secret, person);
        assert_eq!(rubric::pages::private::key_text(&key), k["key"]);
        let opens: Vec<&str> = k["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".html")) {
            let opened = open(&sealed_of(bytes), &key);
            assert_eq!(
                opened.is_some(),
                opens.contains(&name.as_str()),
                "{person}: {name}"
            );
        }
    }
    // Ada's page is Ada's, and links in the overview lead to the agents' published names.
    let ada_page = by["agent.ada"]["pages"][0].as_str().unwrap();
    let ada = open(
        &sealed_of(&files[ada_page]),
        &person_key(&secret, "agent.ada"),
    )
    .unwrap();
    assert!(ada.contains("Kept the customer waiting") && !ada.contains("Missed the refund"));
    let overview = open(
        &sealed_of(&files["index.html"]),
        &person_key(&secret, "lead.cy"),
    )
    .unwrap();
    assert!(
        overview.contains(&format!("href=\"{ada_page}\"")),
        "{overview}"
    );
    // --person takes an id or an e-mail.
    let o = rubric(dir.path())
        .env("RUBRIC_PAGES_SECRET", SECRET)
        .args(["keys", "--person", "ada@corp.example"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("agent.ada (Ada Lovelace)") && text.contains(&format!("{ada_page}#key="))
    );
    assert!(!text.contains("agent.bo"), "{text}");
    let o = rubric(dir.path())
        .env("RUBRIC_PAGES_SECRET", SECRET)
        .args(["keys", "--person", "nobody"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn private_renders_are_refused_without_a_usable_secret_or_as_markdown() {
    let dir = fixture();
    let cases: &[(Option<&str>, &[&str], &str)] = &[
        (None, &[], "RUBRIC_PAGES_SECRET, which is not set"),
        (Some("0011223344"), &[], "5 bytes; it must be at least 32"),
        (Some("not base64 at all!"), &[], "neither hex nor base64"),
        (
            Some(SECRET),
            &["--format", "md"],
            "Markdown page cannot be encrypted",
        ),
        (Some(SECRET), &["--agent", "agent.ada"], "rendered whole"),
    ];
    for (secret, extra, says) in cases {
        let (code, err) = render_private(dir.path(), "site", *secret, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(err.contains(says), "{err}");
        assert!(!dir.path().join("site").exists(), "nothing is written");
    }
    let o = rubric(dir.path())
        .env_remove("RUBRIC_PAGES_SECRET")
        .args(["keys"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn pages_private_in_qa_yaml_encrypts_without_the_flag() {
    let dir = fixture();
    let qa = std::fs::read_to_string(dir.path().join("qa.yaml")).unwrap();
    std::fs::write(
        dir.path().join("qa.yaml"),
        format!("{qa}pages: {{private: true}}\n"),
    )
    .unwrap();
    let o = rubric(dir.path())
        .env_remove("RUBRIC_PAGES_SECRET")
        .args(["render", "--out", "site"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("site").exists());
    let o = rubric(dir.path())
        .env("RUBRIC_PAGES_SECRET", SECRET)
        .args(["render", "--out", "site"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let files = published(&dir.path().join("site"));
    assert!(!files.keys().any(|n| n.starts_with("agents")));
    assert!(files["index.html"]
        .windows(13)
        .any(|w| w == b"rubric-sealed"));
}

/// A `qa.yaml` with a schema error elsewhere still keeps its pages private and its leads (the
/// lenient reading): a typo never publishes plain pages.
#[test]
fn a_broken_qa_yaml_keeps_private_pages_and_leads() {
    let dir = fixture();
    let qa = std::fs::read_to_string(dir.path().join("qa.yaml")).unwrap();
    std::fs::write(
        dir.path().join("qa.yaml"),
        format!("{qa}week_start: someday\npages: {{private: true}}\n"),
    )
    .unwrap();
    let o = rubric(dir.path())
        .env_remove("RUBRIC_PAGES_SECRET")
        .args(["render", "--out", "site"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "refused without the secret");
    let keys = keys_json(dir.path(), SECRET);
    let lead = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["person"] == "lead.cy")
        .unwrap();
    assert_eq!(lead["pages"][0], "index.html", "{keys}");
}

/// The unlock page's script is a template like the others: an override is used, and the
/// content security policy allows exactly it (by its hash); one that could end the script
/// element early is refused.
#[test]
fn an_overridden_unlock_script_is_allowed_by_its_own_hash() {
    let dir = fixture();
    let script = "/* a repository's own unlock script */ document.title = \"x\";";
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/private.js.j2"), script).unwrap();
    let (code, err) = render_private(dir.path(), "site", Some(SECRET), &[]);
    assert_eq!(code, 0, "{err}");
    let index = std::fs::read_to_string(dir.path().join("site/index.html")).unwrap();
    assert!(index.contains(&format!("<script>{script}</script>")));
    let hash = rubric::pages::private::script_hash(script).replace('\'', "&#x27;");
    assert!(
        index.contains(&format!("script-src {hash};")),
        "{}",
        &index[..600]
    );
    std::fs::write(
        dir.path().join("templates/private.js.j2"),
        "a = 1; </SCRIPT><img src=x>",
    )
    .unwrap();
    let (code, err) = render_private(dir.path(), "site2", Some(SECRET), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must not contain `</script`"), "{err}");
}

#[test]
fn archive_pages_open_for_their_agent_and_the_leads_only() {
    // Ada has 12 reviews: the two oldest (September) go to her archive page.
    let qa = "people:\n  agent.ada: {name: Ada Lovelace, team: team.red}\n  agent.bo: {name: Bo Diddley-Jones, team: team.red}\n  lead.cy: {name: Cy Twombly, team: team.qa, lead: true}\n";
    let rubric = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: tone, title: Tone, scale: 3}\n";
    let mut files: Vec<(String, String)> = vec![
        ("qa.yaml".into(), qa.into()),
        ("rubrics/support.yaml".into(), rubric.into()),
        ("reviews/bo.yaml".into(), "id: rev.bo\nrubric: support@1\nagent: agent.bo\nreviewer: lead.cy\nreviewed_at: 2026-11-02\nconversation: {id: c-bo}\nratings: {tone: 3}\n".into()),
    ];
    for n in 1..=12 {
        let day = if n <= 2 {
            format!("2026-09-{n:02}")
        } else {
            format!("2026-11-{n:02}")
        };
        files.push((
            format!("reviews/ada-{n:02}.yaml"),
            format!("id: rev.ada-{n:02}\nrubric: support@1\nagent: agent.ada\nreviewer: lead.cy\nreviewed_at: {day}\nconversation: {{id: c-{n}}}\nratings: {{tone: 2}}\ncomment: \"Ada note {n}\"\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let dir = temp_repo(&refs);
    git(dir.path(), &["init", "-q"], "2026-11-01T10:00:00Z");
    commit_all(dir.path(), "reviews", "2026-11-20T10:00:00Z");
    let (code, err) = render_private(dir.path(), "site", Some(SECRET), &[]);
    assert_eq!(code, 0, "{err}");
    let site = published(&dir.path().join("site"));
    let keys = keys_json(dir.path(), SECRET);
    let pages_of = |person: &str| -> Vec<String> {
        keys.as_array()
            .unwrap()
            .iter()
            .find(|k| k["person"] == person)
            .unwrap()["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect()
    };
    let (ada, bo, cy) = (
        pages_of("agent.ada"),
        pages_of("agent.bo"),
        pages_of("lead.cy"),
    );
    // Ada: her page and her archive page; Bo: his page; the lead: all of them and the overview.
    assert_eq!((ada.len(), bo.len()), (2, 1));
    assert!(ada.iter().chain(&bo).all(|p| cy.contains(p)));
    let secret = parse_secret(Some(SECRET)).unwrap();
    let opened: Vec<String> = ada
        .iter()
        .map(|p| open(&sealed_of(&site[p]), &person_key(&secret, "agent.ada")).unwrap())
        .collect();
    let archive = opened
        .iter()
        .find(|html| html.contains("reviews of"))
        .expect("Ada's archive page");
    assert!(archive.contains("Ada note 1") && archive.contains("Ada note 2"));
    assert!(!archive.contains("Ada note 3"));
    // Its link back to Ada's page is her page's published name.
    let own = &ada[opened
        .iter()
        .position(|h| h.contains("Latest reviews"))
        .unwrap()];
    assert!(archive.contains(&format!("href=\"{own}\"")), "{archive}");
    for p in &ada {
        assert!(open(&sealed_of(&site[p]), &person_key(&secret, "agent.bo")).is_none());
    }
}
