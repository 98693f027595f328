//! Writing an assignment plan, `assignments/<cycle>.yaml` (SPEC §4.1): the text (every value
//! that came from the export written as a YAML double-quoted scalar, with every control or
//! line-separator character escaped, so that the file reads back as exactly those values),
//! and the atomic write that never leaves the repository, never goes through a link and never
//! replaces an existing plan unless asked to.

use crate::analysis::assign::Item;
use std::fmt::Write as _;
use std::path::Path;

/// What a plan file says besides its items.
#[derive(Debug, Clone)]
pub struct PlanHead<'a> {
    pub cycle: &'a str,
    /// `YYYY-MM-DD`.
    pub created: &'a str,
    /// The export's file name (without its folder).
    pub file: &'a str,
    pub sha256: &'a str,
    pub rows: u64,
    /// `../schemas/assignments.schema.json` (relative to the plan), when the repository has
    /// the schemas.
    pub schema: Option<String>,
}

/// Why the plan was not written.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("`{0}` exists already, so nothing was written (--force replaces it)")]
    Exists(String),
    #[error("refusing to write `{path}`: {reason} (nothing was written)")]
    Refused { path: String, reason: String },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// The plan's text.
pub fn render(head: &PlanHead<'_>, items: &[Item]) -> String {
    let mut out = String::new();
    if let Some(s) = &head.schema {
        let _ = writeln!(out, "# yaml-language-server: $schema={s}");
    }
    out.push_str(
        "# Which conversations get reviewed this cycle: written by `rubric assign`, merged by\n\
         # pull request. `rubric assignments` shows what is done; `rubric new review --next`\n\
         # starts your oldest undone item.\n",
    );
    let _ = writeln!(out, "cycle: {}", head.cycle);
    let _ = writeln!(out, "created: {}", head.created);
    let _ = writeln!(
        out,
        "source: {{ file: {}, sha256: {}, rows: {} }}",
        quoted(head.file),
        quoted(head.sha256),
        head.rows
    );
    if items.is_empty() {
        out.push_str("items: []\n");
        return out;
    }
    out.push_str("items:\n");
    for i in items {
        let _ = write!(
            out,
            "  - {{ conversation: {}, agent: {}, reviewer: {}, created_at: {}",
            quoted(&i.conversation),
            plain_or_quoted(&i.agent),
            plain_or_quoted(&i.reviewer),
            quoted(&i.created_at)
        );
        if let Some(u) = &i.url {
            let _ = write!(out, ", url: {}", quoted(u));
        }
        if let Some(c) = &i.channel {
            let _ = write!(out, ", channel: {}", quoted(c));
        }
        out.push_str(" }\n");
    }
    out
}

/// A YAML double-quoted scalar: `"` and `\` escaped, and every control character, line or
/// paragraph separator and byte order mark written as `\uXXXX`.
pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A person id as a plain scalar where YAML reads it back as that text, else quoted.
fn plain_or_quoted(s: &str) -> String {
    let safe = s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c))
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "nan" | "inf"
        );
    if safe {
        s.to_string()
    } else {
        quoted(s)
    }
}

/// Has the plan file `rel` under `root` been written before?
pub fn exists(root: &Path, rel: &str) -> bool {
    std::fs::symlink_metadata(root.join(rel)).is_ok()
}

/// Writes the plan atomically at `rel` under `root`, creating its folder; without `replace`
/// an existing file is never overwritten. A folder on the way that leads out of the
/// repository, or a link at `rel`, is refused.
pub fn write_plan(root: &Path, rel: &str, text: &str, replace: bool) -> Result<(), PlanError> {
    let path = root.join(rel);
    let within = || {
        crate::load::file::ensure_within(root, &path).map_err(|e| PlanError::Refused {
            path: rel.to_string(),
            reason: e.to_string(),
        })
    };
    let io = |source| PlanError::Io {
        path: rel.to_string(),
        source,
    };
    within()?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    within()?;
    crate::load::file::write_atomic(&path, text.as_bytes(), replace).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            PlanError::Exists(rel.to_string())
        } else {
            io(e)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_as_written() {
        let nasty = "a\"b\\c\u{1b}[31m\r\n\u{85}\u{2028}\u{feff}é🙂: #x";
        let item = Item {
            conversation: nasty.into(),
            agent: "true".into(),
            reviewer: "bob".into(),
            created_at: "2026-11-23".into(),
            url: Some("https://x.example/?a=1&b=\"2\"".into()),
            channel: Some("{chat}, [x]".into()),
        };
        let head = PlanHead {
            cycle: "2026-W48",
            created: "2026-11-23",
            file: "tick\"ets.csv",
            sha256: &"0".repeat(64),
            rows: 3,
            schema: None,
        };
        let text = render(&head, &[item]);
        let doc = crate::load::yaml::load_str("p.yaml", &text).unwrap();
        let it = &doc.value["items"][0];
        assert_eq!(it["conversation"], nasty);
        assert_eq!(it["agent"], "true");
        assert_eq!(it["reviewer"], "bob");
        assert_eq!(it["channel"], "{chat}, [x]");
        assert_eq!(doc.value["source"]["file"], "tick\"ets.csv");
        assert_eq!(doc.value["cycle"], "2026-W48");
        assert_eq!(doc.value["created"], "2026-11-23");
    }
}
