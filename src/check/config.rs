//! Rules for `qa.yaml`.

use crate::load::repo;
use crate::load::yaml::{escape_segment, Document};
use crate::model::diagnostic::{suggestion, Code, Diagnostic};
use crate::model::Config;
use std::collections::HashMap;

pub fn check_config(cfg: &Config, doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let rel = repo::CONFIG_FILE;
    if let Some(tz) = &cfg.timezone {
        if tz.0.parse::<chrono_tz::Tz>().is_err() {
            let names = chrono_tz::TZ_VARIANTS.iter().map(|t| t.name());
            out.push(Diagnostic::new(
                Code::UnknownTimezone,
                rel,
                doc.value_pos("/timezone"),
                format!(
                    "`{}` is not an IANA time zone{}",
                    tz.0,
                    suggestion(&tz.0, names)
                ),
            ));
        }
    }
    if let Some(people) = &cfg.people {
        let mut owner: HashMap<String, &str> = HashMap::new();
        for (id, person) in people {
            for (i, e) in person.emails.iter().flat_map(|e| e.iter()).enumerate() {
                let key = e.0.to_lowercase();
                match owner.get(&key) {
                    Some(first) if *first != id.as_str() => {
                        let ptr = format!("/people/{}/emails/{i}", escape_segment(id.as_str()));
                        out.push(Diagnostic::new(
                            Code::DuplicateEmail,
                            rel,
                            doc.value_pos(&ptr),
                            format!("`{}` is also an e-mail of `{first}`", e.0),
                        ));
                    }
                    _ => {
                        owner.insert(key, id.as_str());
                    }
                }
            }
        }
    }
    out
}
