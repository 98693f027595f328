//! `qa.yaml`: the repository's configuration, read whole or (with schema errors) by its valid
//! parts.

use crate::load::file::{load_typed, read};
use crate::load::repo;
use crate::load::schema::Kind;
use crate::model::{self, Config};
use serde::Deserialize;
use std::path::Path;

/// The valid parts of a `qa.yaml` that has schema errors, each read on its own.
pub fn lenient_config(v: &serde_json::Value) -> Config {
    fn part<'a, T: Deserialize<'a>>(v: Option<&'a serde_json::Value>) -> Option<T> {
        v.and_then(|x| T::deserialize(x).ok())
    }
    let mut cfg = Config::default();
    let paths = v.get("paths");
    if let Some(p) = part(paths.and_then(|p| p.get("rubrics"))) {
        cfg.paths.rubrics = p;
    }
    if let Some(p) = part(paths.and_then(|p| p.get("reviews"))) {
        cfg.paths.reviews = p;
    }
    if let Some(p) = part(paths.and_then(|p| p.get("templates"))) {
        cfg.paths.templates = p;
    }
    if let Some(p) = part(paths.and_then(|p| p.get("assignments"))) {
        cfg.paths.assignments = p;
    }
    cfg.timezone = part(v.get("timezone"));
    cfg.week_start = part(v.get("week_start"));
    cfg.disputes = part(v.get("disputes")).unwrap_or_default();
    cfg.pages = part(v.get("pages")).unwrap_or_default();
    cfg.assignments = part(v.get("assignments"));
    // Every person id counts, even one whose details have errors.
    cfg.people = v.get("people").and_then(|p| p.as_object()).map(|people| {
        people
            .iter()
            .filter_map(|(id, person)| {
                let id = model::PersonId::try_from(id.clone()).ok()?;
                let lead = person.get("lead").and_then(|l| l.as_bool()) == Some(true);
                let p = model::Person::deserialize(person).unwrap_or_default();
                Some((id, model::Person { lead, ..p }))
            })
            .collect()
    });
    cfg
}

/// Reads `qa.yaml` (its valid parts; the defaults without it).
pub fn load_config(root: &Path) -> Config {
    let path = root.join(repo::CONFIG_FILE);
    if !path.is_file() {
        return Config::default();
    }
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let loaded = load_typed::<Config>(Kind::Config, repo::CONFIG_FILE, read(&path, max), max);
    match (loaded.value, loaded.doc) {
        (Some(c), _) => c,
        (None, Some(doc)) => lenient_config(&doc.value),
        _ => Config::default(),
    }
}

/// The configured time zone (UTC when unset or unknown: `check` reports an unknown one).
pub fn timezone(config: &Config) -> chrono_tz::Tz {
    config
        .timezone
        .as_ref()
        .and_then(|t| t.0.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC)
}
