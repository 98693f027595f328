//! The roster: who a person id or e-mail address is.

use crate::model::Config;
use std::collections::HashMap;

/// What the roster knows about a person id or e-mail.
pub struct Roster {
    /// Roster id and lowercased e-mail → roster id.
    lookup: HashMap<String, String>,
    pub ids: Vec<String>,
    /// The ids of people with `lead: true`.
    leads: std::collections::BTreeSet<String>,
}

impl Roster {
    pub fn new(config: &Config) -> Option<Roster> {
        let people = config.people.as_ref()?;
        let mut lookup = HashMap::new();
        let mut ids = Vec::new();
        let mut leads = std::collections::BTreeSet::new();
        for (id, person) in people {
            if person.lead {
                leads.insert(id.as_str().to_string());
            }
            lookup.insert(id.as_str().to_string(), id.as_str().to_string());
            ids.push(id.as_str().to_string());
            for e in person.emails.iter().flat_map(|e| e.iter()) {
                lookup
                    .entry(e.0.to_lowercase())
                    .or_insert_with(|| id.as_str().to_string());
            }
        }
        Some(Roster { lookup, ids, leads })
    }

    /// Does the roster mark anyone `lead: true`?
    pub fn has_leads(&self) -> bool {
        !self.leads.is_empty()
    }

    /// Is `id` (a roster id or e-mail) a person with `lead: true`?
    pub fn is_lead(&self, id: &str) -> bool {
        self.resolve(id).is_some_and(|p| self.leads.contains(p))
    }

    pub fn resolve(&self, id: &str) -> Option<&str> {
        self.lookup
            .get(id)
            .or_else(|| self.lookup.get(&id.to_lowercase()))
            .map(String::as_str)
    }

    /// " (did you mean `x`?)" for a name that is not in the roster, or "".
    pub fn suggest(&self, name: &str) -> String {
        crate::model::diagnostic::suggestion(name, self.ids.iter().map(String::as_str))
    }
}
