//! A private site (SPEC §8): which pages each person opens, the pages' published names (from
//! the secret), the links between pages pointed at those names, and every page sealed into the
//! unlock page (`private.html.j2`, whose one inline script, `private.js.j2`, its content
//! security policy allows by hash). The cryptography is in [`super::private`].

use super::private::{self, PersonKey, Secret};
use super::RenderError;
use crate::analysis::state::QaState;
use crate::report::SiteContext;
use minijinja::{Environment, Value};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

/// The overview keeps its name, so the site's address opens it (for leads).
pub const OVERVIEW: &str = "index.html";

/// Someone who may hold a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reader {
    pub id: String,
    pub lead: bool,
}

impl Reader {
    /// Is this reader `id`?
    pub fn person_is(&self, id: &str) -> bool {
        self.id == id
    }
}

/// One page of the plain site: its plain path (`agents/alice.html`) and, for an agent page,
/// whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainPage {
    pub path: String,
    pub agent: Option<String>,
}

/// A person's key and the published names of the pages it opens (SPEC §7 `keys`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PersonKeys {
    pub person: String,
    pub key: String,
    pub pages: Vec<String>,
}

/// The people of a private site: everyone in the roster (leads marked), and every agent with a
/// page who is not in it (a repository without a roster), in id order.
pub fn readers(state: &QaState, ctx: &SiteContext) -> Vec<Reader> {
    let mut all: BTreeMap<String, bool> = BTreeMap::new();
    for (id, p) in state.config.people.iter().flatten() {
        all.insert(id.to_string(), p.lead);
    }
    for a in &ctx.agents {
        all.entry(a.id.clone()).or_insert(false);
    }
    all.into_iter()
        .map(|(id, lead)| Reader { id, lead })
        .collect()
}

/// The pages an HTML site of `ctx` has, as `render` writes them; `archive` gives an agent's
/// archive pages ([`crate::pages::SiteBuilder::archive_links`]).
pub fn plain_pages(
    ctx: &SiteContext,
    archive: &dyn Fn(&str) -> Vec<crate::report::ArchiveLink>,
) -> Vec<PlainPage> {
    let mut pages = vec![PlainPage {
        path: OVERVIEW.to_string(),
        agent: None,
    }];
    let extra = [
        ("calibration.html", !ctx.calibration.is_empty()),
        ("reviewers.html", !ctx.reviewer_stats.is_empty()),
    ];
    for (path, _) in extra.iter().filter(|(_, has)| *has) {
        pages.push(PlainPage {
            path: path.to_string(),
            agent: None,
        });
    }
    for a in &ctx.agents {
        pages.push(PlainPage {
            path: format!("agents/{}.html", a.id),
            agent: Some(a.id.clone()),
        });
    }
    // Archive pages are the agent's own, like the agent page.
    for a in &ctx.agents {
        for link in archive(&a.id) {
            pages.push(PlainPage {
                path: link.link,
                agent: Some(a.id.clone()),
            });
        }
    }
    pages
}

/// The agent whose page `path` is (`agents/<id>.html`, or an archive page
/// `agents/<id>/<month>.html`), if it is one.
fn agent_of(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("agents/")?;
    match rest.split_once('/') {
        Some((id, page)) if !page.contains('/') && page.ends_with(".html") => Some(id),
        Some(_) => None,
        None => rest.strip_suffix(".html"),
    }
}

/// The name a plain page is published under: the overview's own, else from the secret.
pub fn published_name(secret: &Secret, path: &str) -> String {
    if path == OVERVIEW {
        OVERVIEW.to_string()
    } else {
        private::page_name(secret, path)
    }
}

/// May `reader` open the page at `path`? Leads open every page; an agent opens their own.
fn may_open(reader: &Reader, path: &str) -> bool {
    reader.lead || agent_of(path) == Some(reader.id.as_str())
}

/// Every person's key and the pages it opens (published names, in the site's order).
pub fn keys(secret: &Secret, people: &[Reader], pages: &[PlainPage]) -> Vec<PersonKeys> {
    people
        .iter()
        .map(|r| PersonKeys {
            person: r.id.clone(),
            key: private::key_text(&private::person_key(secret, &r.id)),
            pages: pages
                .iter()
                .filter(|p| may_open(r, &p.path))
                .map(|p| published_name(secret, &p.path))
                .collect(),
        })
        .collect()
}

/// Seals the rendered HTML pages (plain path, HTML) into a private site: every page under its
/// published name at the site's root, its links to other pages pointed at their names, its key
/// wrapped for the agent it belongs to and every lead (the others: leads only), and as many
/// key slots on every page (leads + 1). Each plain page is dropped once it is sealed.
/// `site` is every page of the site (links may lead to pages sealed in another batch).
pub fn seal_site(
    env: &Environment<'static>,
    secret: &Secret,
    people: &[Reader],
    site: &[PlainPage],
    pages: Vec<(PathBuf, String)>,
) -> Result<Vec<(PathBuf, String)>, RenderError> {
    let plain = |p: &PathBuf| p.to_string_lossy().replace('\\', "/");
    let names: HashMap<String, String> = site
        .iter()
        .map(|p| p.path.clone())
        .chain(pages.iter().map(|(p, _)| plain(p)))
        .map(|p| {
            let name = published_name(secret, &p);
            (p, name)
        })
        .collect();
    let keys: Vec<(&Reader, PersonKey)> = people
        .iter()
        .map(|r| (r, private::person_key(secret, &r.id)))
        .collect();
    let slots = people.iter().filter(|r| r.lead).count() + 1;
    let shell = Shell::new(env)?;
    pages
        .into_par_iter()
        .map(|(path, html)| {
            let path = plain(&path);
            let name = &names[&path];
            let readers: Vec<PersonKey> = keys
                .iter()
                .filter(|(r, _)| may_open(r, &path))
                .map(|(_, k)| *k)
                .collect();
            let html = rewrite_links(&html, &path, &names);
            let sealed = private::seal_bytes(name, html, &readers, slots)?;
            Ok((PathBuf::from(name), shell.page(name, &sealed)))
        })
        .collect()
}

/// The unlock page, rendered once through the loader (`private.html.j2` with the script of
/// `private.js.j2` and its hash in the content security policy) and cut where the sealed page
/// goes.
struct Shell {
    before: String,
    after: String,
}

impl Shell {
    /// Stands where the sealed JSON goes while the template renders; never in a template.
    const MARK: &'static str = "\u{0}rubric-sealed-page\u{0}";

    fn new(env: &Environment<'static>) -> Result<Shell, RenderError> {
        let script = env
            .get_template("private.js.j2")?
            .render(())
            .map_err(|e| super::template_error(env, e))?;
        if script.to_ascii_lowercase().contains("</script") {
            return Err(RenderError::Template {
                name: "private.js.j2".into(),
                message: "the script must not contain `</script`".into(),
            });
        }
        let csp = format!(
            "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src data:; \
             base-uri 'none'; form-action 'none'",
            private::script_hash(&script)
        );
        let page = env
            .get_template("private.html.j2")?
            .render(minijinja::context! {
                csp => csp,
                script => Value::from_safe_string(script),
                sealed => Value::from_safe_string(Self::MARK.to_string()),
            })
            .map_err(|e| super::template_error(env, e))?;
        match page.split_once(Self::MARK) {
            Some((before, after)) if !after.contains(Self::MARK) => Ok(Shell {
                before: before.to_string(),
                after: after.to_string(),
            }),
            _ => Err(RenderError::Template {
                name: "private.html.j2".into(),
                message: "the template must write `{{ sealed }}` exactly once".into(),
            }),
        }
    }

    /// The published page: the unlock page with the sealed page in it.
    fn page(&self, name: &str, sealed: &private::SealedBytes) -> String {
        let size = sealed.data.len() * 4 / 3 + sealed.slots.len() * 100 + 200;
        let mut out = String::with_capacity(self.before.len() + size + self.after.len());
        out.push_str(&self.before);
        private::write_json(&mut out, name, sealed);
        out.push_str(&self.after);
        out
    }
}

/// `html` (the page at plain path `from`) with every `href="…"` that leads to another page of
/// the site pointed at its published name (all published pages sit at the site's root).
pub fn rewrite_links(html: &str, from: &str, names: &HashMap<String, String>) -> String {
    const HREF: &str = "href=\"";
    let dir = from.rsplit_once('/').map_or("", |(d, _)| d);
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(HREF) {
        let (head, tail) = rest.split_at(i + HREF.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let (href, after) = tail.split_at(end);
        match map_href(href, dir, names) {
            Some(mapped) => out.push_str(&mapped),
            None => out.push_str(href),
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// A relative link resolved against folder `dir`, as its published name (fragment kept); `None`
/// for any other link (absolute, another scheme, in-page, or not a page of the site).
fn map_href(href: &str, dir: &str, names: &HashMap<String, String>) -> Option<String> {
    // As written in the attribute: minijinja's HTML escaping writes `/` as `&#x2f;`.
    let href = href
        .replace("&#x2f;", "/")
        .replace("&#x2F;", "/")
        .replace("&#47;", "/");
    let href = href.as_str();
    if href.is_empty() || href.contains([':', '&']) || href.starts_with(['/', '#', '?']) {
        return None;
    }
    let (path, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (href, None),
    };
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    let name = names.get(&parts.join("/"))?;
    Some(match fragment {
        Some(f) => format!("{name}#{f}"),
        None => name.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_at_published_names() {
        let names: HashMap<String, String> = [
            ("index.html", "index.html"),
            ("agents/alice.html", "aa.html"),
            ("calibration.html", "cc.html"),
        ]
        .into_iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let html = r##"<a href="../index.html">o</a><a href="../calibration.html#s1">c</a><a href="#main">m</a><a href="https://x.example/agents/alice.html">x</a><a href="../missing.html">?</a>"##;
        assert_eq!(
            rewrite_links(html, "agents/alice.html", &names),
            r##"<a href="index.html">o</a><a href="cc.html#s1">c</a><a href="#main">m</a><a href="https://x.example/agents/alice.html">x</a><a href="../missing.html">?</a>"##
        );
        assert_eq!(
            rewrite_links(r#"<a href="agents/alice.html">A</a>"#, "index.html", &names),
            r#"<a href="aa.html">A</a>"#
        );
        // As minijinja escapes it.
        assert_eq!(
            rewrite_links(
                r#"<a href="agents&#x2f;alice.html">A</a>"#,
                "index.html",
                &names
            ),
            r#"<a href="aa.html">A</a>"#
        );
        // Never above the site's root.
        assert_eq!(map_href("../../index.html", "agents", &names), None);
    }

    #[test]
    fn agents_open_their_page_and_leads_every_page() {
        let agent = Reader {
            id: "alice".into(),
            lead: false,
        };
        let lead = Reader {
            id: "kadri".into(),
            lead: true,
        };
        assert!(may_open(&agent, "agents/alice.html"));
        assert!(may_open(&agent, "agents/alice/2026-10.html"));
        assert!(!may_open(&agent, "agents/bob.html"));
        assert!(!may_open(&agent, "agents/bob/2026-10.html"));
        assert!(!may_open(&agent, "agents/alice/x/2026-10.html"));
        assert!(!may_open(&agent, "index.html"));
        assert!(!may_open(&agent, "calibration.html"));
        for p in [
            "agents/alice.html",
            "agents/bob.html",
            "index.html",
            "reviewers.html",
        ] {
            assert!(may_open(&lead, p));
        }
    }
}
