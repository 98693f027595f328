//! `rubric new review`: a review file for a reviewer to fill in, with every category of the
//! rubric's current version listed for rating, at `<reviews>/YYYY/MM/<id>.yaml`.
//!
//! The ratings are left empty (YAML null), each with a comment giving its scale and labels, so
//! the intent is obvious in an editor and an unfinished review cannot slip through: until every
//! rating is filled in, `rubric check` reports a `schema` error at each empty one.
//!
//! [`draft`] builds the file (plain data); [`write`] writes it, never over an existing file.

use crate::check;
use crate::load::repo::{self, FileKind};
use crate::load::schema::Kind;
use crate::model::{is_person_id, Category, Config, Rubric};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use std::path::Path;

/// Who the reviewer is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reviewer {
    /// Named on the command line: must be in the roster when there is one.
    Given(String),
    /// `git config user.email`: written as the roster id when the roster lists it.
    GitEmail(String),
    /// Unknown: `reviewer` is left out (the commit author counts).
    Unknown,
}

/// What to create.
#[derive(Debug, Clone)]
pub struct NewReview {
    pub agent: String,
    pub conversation: String,
    /// The rubric id; `None` picks the repository's only rubric.
    pub rubric: Option<String>,
    /// The review id; `None` derives `<conversation>-<agent>`.
    pub id: Option<String>,
    pub reviewer: Reviewer,
    /// "Now": today in the configured zone names the folder.
    pub now: DateTime<Utc>,
    /// The review's day: it names the folder and is written as `reviewed_at` (default: today,
    /// and `reviewed_at` is left to the commit).
    pub date: Option<NaiveDate>,
    /// The conversation's link (http or https) and channel.
    pub url: Option<String>,
    pub channel: Option<String>,
    /// A calibration session: written as `calibration`, and the default id gains the session
    /// and the reviewer, so that each reviewer of the session gets a file of their own.
    pub calibration: Option<String>,
}

/// A review file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// Relative to the repository root, `/`-separated.
    pub path: String,
    pub contents: String,
    /// Things the user should know (for stderr).
    pub notes: Vec<String>,
}

/// Why no review file was made.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// Bad input or a repository that cannot take a review; the message says which.
    #[error("{0}")]
    Invalid(String),
    #[error("`{0}` exists already; choose another id with --id")]
    Exists(String),
    /// The file or a folder on its way leads outside the repository through a symbolic link.
    #[error("refusing to write `{path}`: {reason} (nothing was written)")]
    Refused { path: String, reason: String },
    #[error("cannot write `{path}`: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Builds the review file for the QA repository at `root`.
pub fn draft(root: &Path, req: &NewReview) -> Result<Draft, NewError> {
    let config = crate::load::config::load_config(root);
    let roster = crate::load::people::Roster::new(&config);
    let mut notes = Vec::new();

    let agent = agent_id(roster.as_ref(), req.agent.trim())?;
    let conversation = req.conversation.trim();
    if conversation.is_empty() || conversation.chars().any(char::is_control) {
        return Err(NewError::Invalid(
            "the conversation id must be non-empty text on one line".into(),
        ));
    }
    let reviewer = reviewer_id(roster.as_ref(), &req.reviewer, &mut notes)?;
    let extra = extras(req)?;

    let rubric = pick_rubric(root, &config, req.rubric.as_deref())?;

    let suffix = match (&req.calibration, &reviewer) {
        (None, _) => agent.to_string(),
        (Some(session), Some(r)) => format!("{agent}-{session}-{r}"),
        (Some(_), None) if req.id.is_some() => agent.to_string(),
        (Some(_), None) => {
            return Err(NewError::Invalid(
                "a calibration review's id names its reviewer: set `git config user.email`, \
                 or give --reviewer or --id"
                    .into(),
            ))
        }
    };
    let id = new_review_id(root, &config, req.id.as_deref(), conversation, &suffix)?;

    let reviews = config.paths.reviews.as_str();
    let tz = crate::load::config::timezone(&config);
    let today = req.now.with_timezone(&tz).date_naive();
    let day = req.date.unwrap_or(today);
    let path = format!("{reviews}/{:04}/{:02}/{id}.yaml", day.year(), day.month());
    let schema = root
        .join("schemas")
        .join("review.schema.json")
        .is_file()
        .then(|| {
            let depth = path.matches('/').count();
            format!("{}schemas/review.schema.json", "../".repeat(depth))
        });
    let contents = render(&Fill {
        schema: schema.as_deref(),
        rubric: &rubric,
        agent,
        reviewer: reviewer.as_deref(),
        conversation,
        today: &day.format("%Y-%m-%d").to_string(),
        dated: req.date.is_some(),
        extra: &extra,
    });
    Ok(Draft {
        path,
        contents,
        notes,
    })
}

/// The optional conversation details and calibration session, checked.
struct Extra {
    url: Option<String>,
    channel: Option<String>,
    calibration: Option<String>,
}

fn extras(req: &NewReview) -> Result<Extra, NewError> {
    let url = req.url.as_deref().map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url {
        if !crate::model::is_http_url(u) || u.chars().any(char::is_control) {
            return Err(NewError::Invalid(format!(
                "`{u}` is not an http(s) link to the conversation"
            )));
        }
    }
    let channel = req
        .channel
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if channel.is_some_and(|c| c.chars().any(char::is_control)) {
        return Err(NewError::Invalid(
            "the channel must be text on one line".into(),
        ));
    }
    let calibration = req.calibration.as_deref().map(str::trim);
    if let Some(c) = calibration.filter(|c| !is_person_id(c)) {
        return Err(NewError::Invalid(format!(
            "`{c}` is not a valid calibration session id (letters, digits and . _ @ + -)"
        )));
    }
    Ok(Extra {
        url: url.map(String::from),
        channel: channel.map(String::from),
        calibration: calibration.map(String::from),
    })
}

/// The agent as the roster knows them (an e-mail or another case of the id maps to the
/// roster id, as `check` maps it), after checking the id's form.
fn agent_id<'a>(
    roster: Option<&'a crate::load::people::Roster>,
    agent: &'a str,
) -> Result<&'a str, NewError> {
    if !is_person_id(agent) {
        return Err(NewError::Invalid(format!(
            "`{agent}` is not a valid agent id (letters, digits and . _ @ + -, starting with a letter or digit)"
        )));
    }
    Ok(match roster {
        Some(r) => r.resolve(agent).ok_or_else(|| {
            NewError::Invalid(format!(
                "agent `{agent}` is not in the qa.yaml roster{}",
                r.suggest(agent)
            ))
        })?,
        None => agent,
    })
}

/// The reviewer id to write, if any: a given id must be in the roster when there is one; a
/// git e-mail the roster does not list is kept, with a note.
fn reviewer_id(
    roster: Option<&crate::load::people::Roster>,
    reviewer: &Reviewer,
    notes: &mut Vec<String>,
) -> Result<Option<String>, NewError> {
    Ok(match reviewer {
        Reviewer::Given(id) => {
            let id = id.trim();
            if !is_person_id(id) {
                return Err(NewError::Invalid(format!(
                    "`{id}` is not a valid reviewer id (letters, digits and . _ @ + -)"
                )));
            }
            match roster {
                Some(r) => Some(
                    r.resolve(id)
                        .ok_or_else(|| {
                            NewError::Invalid(format!(
                                "reviewer `{id}` is not in the qa.yaml roster{}",
                                r.suggest(id)
                            ))
                        })?
                        .to_string(),
                ),
                None => Some(id.to_string()),
            }
        }
        Reviewer::GitEmail(email) if is_person_id(email) => match roster {
            Some(r) => match r.resolve(email) {
                Some(id) => Some(id.to_string()),
                None => {
                    notes.push(format!(
                        "reviewer: your git e-mail `{email}` is not in the qa.yaml roster; \
                         add it to your entry's `emails`, or name yourself with --reviewer ID"
                    ));
                    Some(email.clone())
                }
            },
            None => Some(email.clone()),
        },
        Reviewer::GitEmail(_) | Reviewer::Unknown => None,
    })
}

/// The new review's id (the given one, or `<conversation>-<agent>`), checked to be free: a
/// review id is unique in the repository, and a file with the same stem would clash.
fn new_review_id(
    root: &Path,
    config: &Config,
    given: Option<&str>,
    conversation: &str,
    agent: &str,
) -> Result<String, NewError> {
    let id = match given {
        Some(id) if is_person_id(id) => id.to_string(),
        Some(id) => {
            return Err(NewError::Invalid(format!(
                "`{id}` is not a valid review id (letters, digits and . _ @ + -, starting with a letter or digit)"
            )))
        }
        None => review_id(conversation, agent).ok_or_else(|| {
            NewError::Invalid(format!(
                "cannot make a review id from `{conversation}` and `{agent}`; give one with --id"
            ))
        })?,
    };
    let (files, unreadable) = repo::list_files(root, &config.paths);
    if let Some(d) = unreadable.first() {
        return Err(NewError::Invalid(format!("{}: {}", d.path, d.message)));
    }
    if let Some(other) = files
        .into_iter()
        .find(|f| f.kind == FileKind::Review && repo::stem(&f.rel) == id)
    {
        return Err(NewError::Invalid(format!(
            "a review `{id}` exists already at `{}`; choose another id with --id",
            other.rel
        )));
    }
    Ok(id)
}

/// Writes a draft under `root`, creating folders; refuses to overwrite an existing file, and
/// to write into a folder (the reviews folder, a `YYYY/MM` folder) that is a symbolic link
/// leading outside the repository, checked before the folders are created and again before
/// the file is written.
pub fn write(root: &Path, draft: &Draft) -> Result<(), NewError> {
    let path = root.join(&draft.path);
    let io = |p: &Path, source| NewError::Io {
        path: p.display().to_string(),
        source,
    };
    let within = || {
        crate::load::file::ensure_within(root, &path).map_err(|e| NewError::Refused {
            path: draft.path.clone(),
            reason: e.to_string(),
        })
    };
    within()?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    within()?;
    crate::load::file::write_atomic(&path, draft.contents.as_bytes(), false).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            NewError::Exists(draft.path.clone())
        } else {
            io(&path, e)
        }
    })
}

/// `<conversation>-<agent>` as a review id: every character outside `[A-Za-z0-9._@+-]`
/// becomes `-`, runs of `-` shrink to one, and the id starts with a letter or digit.
pub fn review_id(conversation: &str, agent: &str) -> Option<String> {
    let raw = format!("{conversation}-{agent}");
    let mut out = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() || "._@+-".contains(c) {
            c
        } else {
            '-'
        };
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if out.is_empty() && !c.is_ascii_alphanumeric() {
            continue;
        }
        out.push(c);
    }
    let out = out.trim_end_matches('-').to_string();
    let out: String = out.chars().take(200).collect();
    is_person_id(&out).then_some(out)
}

/// The rubric to review against: the named one, or the only one. Only a rubric file without
/// errors will do (its current version is what the review names).
fn pick_rubric(root: &Path, config: &Config, want: Option<&str>) -> Result<Rubric, NewError> {
    let max = crate::load::yaml::DEFAULT_MAX_FILE_SIZE;
    let dir = config.paths.rubrics.as_str();
    let (files, unreadable) = repo::list_files(root, &config.paths);
    if let Some(d) = unreadable.first() {
        return Err(NewError::Invalid(format!("{}: {}", d.path, d.message)));
    }
    let files: Vec<_> = files
        .into_iter()
        .filter(|f| f.kind == FileKind::Rubric)
        .collect();
    let ids: Vec<&str> = files.iter().map(|f| repo::stem(&f.rel)).collect();
    let file = match want {
        Some(w) => files
            .iter()
            .find(|f| repo::stem(&f.rel) == w)
            .ok_or_else(|| {
                NewError::Invalid(if ids.is_empty() {
                    format!("no rubric `{w}`: `{dir}/` holds no rubric files")
                } else {
                    format!("no rubric `{w}`; the rubrics are: {}", ids.join(", "))
                })
            })?,
        None => match files.as_slice() {
            [one] => one,
            [] => {
                return Err(NewError::Invalid(format!(
                    "no rubric files in `{dir}/` (is this a QA repository? `rubric init` makes one)"
                )))
            }
            _ => {
                return Err(NewError::Invalid(format!(
                    "there are {} rubrics; name one with --rubric: {}",
                    ids.len(),
                    ids.join(", ")
                )))
            }
        },
    };
    let loaded = crate::load::file::load_typed::<Rubric>(
        Kind::Rubric,
        &file.rel,
        crate::load::file::read(&file.path, max),
        max,
    );
    let invalid = || {
        NewError::Invalid(format!(
            "`{}` has errors; `rubric check {}` shows them",
            file.rel, file.rel
        ))
    };
    let (rubric, doc) = match (loaded.value, loaded.doc) {
        (Some(r), Some(d)) if loaded.problems.is_empty() => (r, d),
        _ => return Err(invalid()),
    };
    let errors = check::check_rubric(&file.rel, &rubric, &doc)
        .iter()
        .any(|d| d.severity == crate::Severity::Error);
    if errors {
        return Err(invalid());
    }
    Ok(rubric)
}

struct Fill<'a> {
    schema: Option<&'a str>,
    rubric: &'a Rubric,
    agent: &'a str,
    reviewer: Option<&'a str>,
    conversation: &'a str,
    today: &'a str,
    /// `today` was given (`--date`): written as `reviewed_at`.
    dated: bool,
    extra: &'a Extra,
}

use crate::edit::splice::scalar;

/// Comment lines of at most 100 columns (a longer word gets a line of its own), each
/// starting with `prefix`.
fn wrap(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > 100 {
            out.push_str(&format!("{prefix}{line}\n"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&format!("{prefix}{line}\n"));
    out
}

/// Text on one line, for a comment.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn render(f: &Fill) -> String {
    let r = f.rubric;
    let mut out = String::new();
    if let Some(schema) = f.schema {
        out.push_str(&format!("# yaml-language-server: $schema={schema}\n"));
    }
    let head = format!(
        "Review of conversation {} against {}@{} ({}). Rate every category under `ratings`; \
         `rubric check` fails until all are rated.",
        one_line(f.conversation),
        r.id,
        r.version.0,
        one_line(&r.title.0),
    );
    out.push_str(&wrap(&head, "# "));
    out.push_str(&format!("rubric: {}@{}\n", r.id, r.version.0));
    out.push_str(&format!("agent: {}\n", scalar(f.agent)));
    match f.reviewer {
        Some(rv) => out.push_str(&format!("reviewer: {}\n", scalar(rv))),
        None => out.push_str(
            "# reviewer: your-id # default: the author of the commit that adds this file\n",
        ),
    }
    if f.dated {
        out.push_str(&format!("reviewed_at: {}\n", f.today));
    } else {
        out.push_str(&format!(
            "# reviewed_at: {} # default: the date of the commit that adds this file\n",
            f.today
        ));
    }
    out.push_str("conversation:\n");
    out.push_str(&format!(
        "  id: {}\n",
        serde_json::Value::from(f.conversation)
    ));
    let x = f.extra;
    match &x.url {
        Some(u) => out.push_str(&format!("  url: {}\n", crate::edit::plan::quoted(u))),
        None => out.push_str("  # url: https://\n"),
    }
    match &x.channel {
        Some(c) => out.push_str(&format!("  channel: {}\n", crate::edit::plan::quoted(c))),
        None => out.push_str("  # channel: email\n"),
    }
    if let Some(c) = &x.calibration {
        out.push_str(&format!("calibration: {}\n", scalar(c)));
    }
    out.push_str(
        "# Each rating: a number on the category's scale, `na` where the category allows it,\n\
         # or { rating: 3, comment: \"...\", root_causes: [...] }.\n",
    );
    out.push_str("ratings:\n");
    let keys: Vec<String> = r
        .categories
        .0
        .iter()
        .map(|c| format!("{}:", scalar(c.id.as_str())))
        .collect();
    let width = keys.iter().map(String::len).max().unwrap_or(0);
    for (c, key) in r.categories.0.iter().zip(&keys) {
        out.push_str(&wrap(&about(r, c), "  # "));
        out.push_str(&format!("  {key:width$} # {}\n", scale(c)));
    }
    out.push_str("# comment: what to keep doing, and what to change\n");
    out
}

/// A category's title, group, weight, critical flag and description, for a comment.
fn about(r: &Rubric, c: &Category) -> String {
    let mut facts = Vec::new();
    if let Some(g) = &c.group {
        let title = r
            .groups
            .iter()
            .find(|x| x.id == *g)
            .map_or(g.as_str(), |x| x.title.0.as_str());
        facts.push(one_line(title));
    }
    let w = c.weight.0;
    if w == 0.0 {
        facts.push("not scored".into());
    } else if w != 1.0 {
        facts.push(format!("weight {w}"));
    }
    match c.critical {
        crate::model::Critical::Review => {
            facts.push("critical: the lower half of its scale makes the score 0".into())
        }
        crate::model::Critical::Group => facts
            .push("critical for its group: the lower half of its scale makes the group 0".into()),
        crate::model::Critical::No => {}
    }
    if c.bonus {
        facts.push("bonus: adds to the score, never lowers it".into());
    }
    let mut s = one_line(&c.title.0);
    if !facts.is_empty() {
        s.push_str(&format!(" ({})", facts.join("; ")));
    }
    if let Some(d) = c.description.as_deref().map(one_line) {
        if !d.is_empty() {
            s.push_str(": ");
            s.push_str(&d);
        }
    }
    s
}

/// A category's scale, labels, `na` and root causes, for the comment beside its rating.
fn scale(c: &Category) -> String {
    let n = c.scale.0;
    let mut s = match &c.labels {
        Some(labels) if labels.len() == usize::from(n) => {
            let named: Vec<String> = labels
                .iter()
                .enumerate()
                .map(|(i, l)| format!("{} {}", i + 1, one_line(l)))
                .collect();
            format!("1..{n}: {}", named.join(" | "))
        }
        _ => format!("1..{n}"),
    };
    if c.na {
        s.push_str(" | na");
    }
    if let Some(rc) = c.root_causes.as_ref().filter(|rc| !rc.is_empty()) {
        let names: Vec<&str> = rc.iter().map(|x| x.as_str()).collect();
        s.push_str(&format!("; root causes: {}", names.join(", ")));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_ids_are_sanitised() {
        assert_eq!(review_id("48213", "alice").as_deref(), Some("48213-alice"));
        assert_eq!(
            review_id("ZD #48 213", "bob@acme.example").as_deref(),
            Some("ZD-48-213-bob@acme.example")
        );
        assert_eq!(
            review_id("/tickets/9/", "al").as_deref(),
            Some("tickets-9-al")
        );
        assert_eq!(review_id("äö", "x").as_deref(), Some("x"));
        assert_eq!(review_id("--", "--"), None);
    }

    #[test]
    fn scalars_quote_what_would_not_read_back_as_text() {
        assert_eq!(scalar("alice"), "alice");
        assert_eq!(scalar("1234"), "'1234'");
        assert_eq!(scalar("null"), "'null'");
        assert_eq!(scalar("true"), "'true'");
    }
}
