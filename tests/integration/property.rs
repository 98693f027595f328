//! `rubric score` and `rubric trends` checked against a naive recomputation on generated
//! repositories with real history (rubric versions changing, edits, moves, deletions, merges,
//! several e-mails per person, `.mailmap`, reviews without `reviewer` or `reviewed_at`); the
//! failure modes that must exit 2 rather than print partial numbers; and the history cache
//! under `.git/rubric/`.
//!
//! The naive recomputation is written from SPEC §3 and §5 alone and uses only the `git`
//! command line: for every commit the review ids in its tree (`git ls-tree`), a review being
//! added by the first commit (parents before children) whose tree has its id while none of its
//! parents' trees do; commit authors through `.mailmap` (`%aE`) and the roster; rubric
//! versions from the working tree, else from the newest commit whose file declared them.

use crate::{project_root, rubric, temp_repo};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;
use serde_yaml::Value as Yaml;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

// ------------------------------------------------------------------------------------------
// git and rubric
// ------------------------------------------------------------------------------------------

use crate::git_cmd;

/// Runs git and returns its stdout; panics with its stderr when it fails.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("git prints UTF-8")
}

/// Runs git as `who` (author and committer) at a fixed `date`.
fn git_as(dir: &Path, args: &[&str], date: &str, who: (&str, &str)) {
    crate::git_as(dir, who, date, args);
}

/// `git add -A` and a commit as `who` at `date`.
fn commit_all(dir: &Path, message: &str, date: &str, who: (&str, &str)) {
    git(dir, &["add", "-A"]);
    git_as(dir, &["commit", "-q", "-m", message], date, who);
}

const BOB: (&str, &str) = ("Bob Jones", "bob@acme.example");
const CAROL: (&str, &str) = ("Carol Kask", "Carol@Acme.example");
const DANA: (&str, &str) = ("Dana Lead", "dana@acme.example");

/// `scripts/gen-repo.py OUT ARGS...`.
fn generate(out: &Path, args: &[&str]) {
    let o = Command::new("python3")
        .arg(project_root().join("scripts/gen-repo.py"))
        .arg(out)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        o.status.success(),
        "gen-repo.py {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// One run of `rubric`.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let out = rubric(dir).args(args).output().expect("rubric runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `rubric ARGS`, asserts exit 0 and returns the stdout parsed as JSON.
fn json_ok(dir: &Path, args: &[&str]) -> Value {
    let r = run(dir, args);
    assert_eq!(
        r.code, 0,
        "rubric {args:?} exited {}\nstderr: {}",
        r.code, r.stderr
    );
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("rubric {args:?}: stdout is not JSON ({e}): {}", r.stdout))
}

/// Asserts a clean exit 2: a message on stderr, no panic, nothing on stdout.
fn assert_exit_2(r: &Run, what: &str) {
    assert_eq!(
        r.code, 2,
        "{what}: expected exit 2\nstdout: {}\nstderr: {}",
        r.stdout, r.stderr
    );
    assert!(
        r.stderr.trim_start().starts_with("error:"),
        "{what}: no message on stderr: {:?}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("panicked"),
        "{what}: panicked: {}",
        r.stderr
    );
    assert!(
        r.stdout.trim().is_empty(),
        "{what}: printed data: {}",
        r.stdout
    );
}

// ------------------------------------------------------------------------------------------
// The naive recomputation
// ------------------------------------------------------------------------------------------

/// The roster of `qa.yaml` (as checked out) and its time zone.
struct Roster {
    /// Roster id → team.
    teams: HashMap<String, Option<String>>,
    /// Lower-cased e-mail → roster id.
    emails: HashMap<String, String>,
    tz: Tz,
    /// `week_start: sunday` (else Monday).
    sunday_weeks: bool,
}

impl Roster {
    fn load(root: &Path) -> Roster {
        let mut r = Roster {
            teams: HashMap::new(),
            emails: HashMap::new(),
            tz: chrono_tz::UTC,
            sunday_weeks: false,
        };
        let Ok(text) = std::fs::read_to_string(root.join("qa.yaml")) else {
            return r;
        };
        let y: Yaml = serde_yaml::from_str(&text).expect("qa.yaml is YAML");
        if let Some(tz) = y["timezone"].as_str() {
            r.tz = tz.parse().expect("a known time zone");
        }
        r.sunday_weeks = y["week_start"].as_str() == Some("sunday");
        if let Some(people) = y["people"].as_mapping() {
            for (id, p) in people {
                let id = id.as_str().expect("string ids").to_string();
                let team = p["team"].as_str().map(String::from);
                for e in p["emails"].as_sequence().into_iter().flatten() {
                    let e = e.as_str().expect("string e-mails").to_lowercase();
                    r.emails.entry(e).or_insert_with(|| id.clone());
                }
                r.teams.insert(id, team);
            }
        }
        r
    }

    /// The roster id of an id or e-mail as written in a review, else the text itself.
    fn person(&self, s: &str) -> String {
        if self.teams.contains_key(s) {
            return s.to_string();
        }
        self.emails
            .get(&s.to_lowercase())
            .cloned()
            .unwrap_or_else(|| s.to_string())
    }

    /// A commit author (e-mail already through `.mailmap`): the roster id, else the e-mail.
    fn author(&self, email: &str) -> String {
        let e = email.to_lowercase();
        self.emails.get(&e).cloned().unwrap_or(e)
    }

    fn team(&self, person: &str) -> String {
        self.teams
            .get(person)
            .cloned()
            .flatten()
            .unwrap_or_else(|| "(no team)".to_string())
    }
}

#[derive(Debug, Clone)]
struct Category {
    id: String,
    scale: i64,
    weight: f64,
    /// `critical: true` or `review`.
    critical: bool,
    /// `critical: group`.
    critical_group: bool,
    bonus: bool,
    group: Option<String>,
}

/// A rubric file's id, version and categories.
fn parse_rubric(text: &str) -> (String, u64, Vec<Category>) {
    let y: Yaml = serde_yaml::from_str(text).expect("rubric is YAML");
    let categories = y["categories"]
        .as_sequence()
        .expect("categories")
        .iter()
        .map(|c| Category {
            id: c["id"].as_str().expect("category id").to_string(),
            scale: c["scale"].as_i64().expect("scale"),
            weight: c["weight"].as_f64().unwrap_or(1.0),
            critical: c["critical"].as_bool().unwrap_or(false) || c["critical"] == "review",
            critical_group: c["critical"] == "group",
            bonus: c["bonus"].as_bool().unwrap_or(false),
            group: c["group"].as_str().map(String::from),
        })
        .collect();
    (
        y["id"].as_str().expect("rubric id").to_string(),
        y["version"].as_u64().expect("version"),
        categories,
    )
}

/// Rubric versions: the working tree's file when it has the version, else the newest commit
/// whose `rubrics/<id>.yaml` declared it.
struct Rubrics<'a> {
    root: &'a Path,
    found: HashMap<(String, u64), Vec<Category>>,
}

impl Rubrics<'_> {
    fn get(&mut self, id: &str, version: u64) -> Vec<Category> {
        let key = (id.to_string(), version);
        if let Some(c) = self.found.get(&key) {
            return c.clone();
        }
        let rel = format!("rubrics/{id}.yaml");
        let mut texts = Vec::new();
        if let Ok(t) = std::fs::read_to_string(self.root.join(&rel)) {
            texts.push(t);
        }
        let mut found = None;
        for t in &texts {
            let (_, v, c) = parse_rubric(t);
            if v == version {
                found = Some(c);
            }
        }
        if found.is_none() {
            let log = git(
                self.root,
                &["log", "--full-history", "--format=%H", "HEAD", "--", &rel],
            );
            for commit in log.lines() {
                let show = git_cmd(self.root)
                    .args(["show", &format!("{commit}:{rel}")])
                    .output()
                    .expect("git runs");
                if !show.status.success() {
                    continue; // deleted there
                }
                let (_, v, c) = parse_rubric(&String::from_utf8_lossy(&show.stdout));
                if v == version {
                    found = Some(c);
                    break;
                }
            }
        }
        let c = found.unwrap_or_else(|| panic!("rubric {id}@{version} not found"));
        self.found.insert(key, c.clone());
        c
    }
}

/// A rating's points: an integer, `na` (None), or a mapping with `rating`.
fn points(v: &Yaml) -> Option<i64> {
    match v {
        Yaml::Number(n) => n.as_i64(),
        Yaml::Mapping(_) => points(&v["rating"]),
        _ => None,
    }
}

/// SPEC §5.1-5.2: the review's score and each numerically rated category's value ×100. A
/// `critical: group` failure makes its group's categories count 0; a bonus category adds to
/// the numerator only; a review-level critical failure is a score of 0.
fn naive_score(categories: &[Category], ratings: &Yaml) -> (Option<f64>, Vec<(String, f64)>) {
    let rated: Vec<(&Category, f64)> = categories
        .iter()
        .filter_map(|c| {
            let r = ratings.get(c.id.as_str()).and_then(points)?;
            Some((c, (r - 1) as f64 / (c.scale - 1) as f64))
        })
        .collect();
    let critical = rated.iter().any(|(c, v)| c.critical && *v < 0.5);
    let failed: Vec<&String> = rated
        .iter()
        .filter(|(c, v)| c.critical_group && *v < 0.5)
        .filter_map(|(c, _)| c.group.as_ref())
        .collect();
    let (mut sum, mut weights) = (0.0, 0.0);
    for (c, v) in &rated {
        let failed_group = c.group.as_ref().is_some_and(|g| failed.contains(&g));
        sum += c.weight * if failed_group { 0.0 } else { *v };
        if !c.bonus {
            weights += c.weight;
        }
    }
    let values = rated
        .iter()
        .map(|(c, v)| (c.id.clone(), 100.0 * v))
        .collect();
    let score = if critical {
        Some(0.0)
    } else if weights > 0.0 {
        Some(100.0 * sum / weights)
    } else {
        None
    };
    (score, values)
}

/// One review of the checked-out state, recomputed.
#[derive(Debug, Clone)]
struct Fact {
    id: String,
    path: String,
    agent: String,
    reviewer: String,
    day: NaiveDate,
    /// The instant, when the date is a time (not a plain `reviewed_at` date).
    instant: Option<DateTime<Tz>>,
    score: Option<f64>,
    categories: Vec<(String, f64)>,
    calibration: bool,
}

fn stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s).to_string()
}

fn is_review_path(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    p.starts_with("reviews/")
        && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
        && !p.split('/').any(|c| c.starts_with('.'))
}

/// The explicit `id:` of a review file version, if it has one.
fn explicit_id(bytes: &[u8]) -> Option<String> {
    let y: Yaml = serde_yaml::from_slice(bytes).ok()?;
    let id = y.get("id")?.as_str()?;
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._@+-".contains(c));
    ok.then(|| id.to_string())
}

/// Reads blobs with one `git cat-file --batch`.
fn read_blobs(root: &Path, ids: &[String]) -> HashMap<String, Vec<u8>> {
    let mut child = git_cmd(root)
        .args(["cat-file", "--batch"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("git cat-file runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input: String = ids.iter().map(|i| format!("{i}\n")).collect();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("git cat-file ends");
    writer.join().expect("writer").expect("written");
    let mut blobs = HashMap::new();
    let mut rest = &out.stdout[..];
    while !rest.is_empty() {
        let nl = rest.iter().position(|&b| b == b'\n').expect("header line");
        let header = String::from_utf8_lossy(&rest[..nl]).into_owned();
        let mut parts = header.split(' ');
        let (oid, _kind, size) = (parts.next(), parts.next(), parts.next());
        let size: usize = size
            .unwrap_or_else(|| panic!("cat-file: {header}"))
            .parse()
            .expect("size");
        blobs.insert(
            oid.expect("oid").to_string(),
            rest[nl + 1..nl + 1 + size].to_vec(),
        );
        rest = &rest[nl + 1 + size + 1..];
    }
    blobs
}

/// For every review id in the history of HEAD: the commit that added it (the first commit,
/// parents before children, whose tree has the id while none of its parents' trees has it).
fn adding_commits(root: &Path) -> HashMap<String, String> {
    let list = git(
        root,
        &["rev-list", "--topo-order", "--reverse", "--parents", "HEAD"],
    );
    let commits: Vec<Vec<&str>> = list
        .lines()
        .map(|l| l.split(' ').collect::<Vec<_>>())
        .collect();
    // Each commit's review files (path, blob), listed in parallel.
    let chunk = commits.len().div_ceil(8).max(1);
    let listings: Vec<Vec<(String, String)>> = std::thread::scope(|s| {
        let handles: Vec<_> = commits
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|c| {
                            git(root, &["ls-tree", "-r", "-z", c[0], "--", "reviews/"])
                                .split('\0')
                                .filter(|e| !e.is_empty())
                                .filter_map(|e| {
                                    let (meta, path) = e.split_once('\t')?;
                                    let blob = meta.split(' ').nth(2)?;
                                    is_review_path(path)
                                        .then(|| (path.to_string(), blob.to_string()))
                                })
                                .collect::<Vec<_>>()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("ls-tree thread"))
            .collect()
    });
    let mut blobs: Vec<String> = listings.iter().flatten().map(|(_, b)| b.clone()).collect();
    blobs.sort();
    blobs.dedup();
    let explicit: HashMap<String, Option<String>> = read_blobs(root, &blobs)
        .into_iter()
        .map(|(b, bytes)| (b, explicit_id(&bytes)))
        .collect();
    let mut ids_at: HashMap<&str, HashSet<String>> = HashMap::new();
    let mut added: HashMap<String, String> = HashMap::new();
    for (c, files) in commits.iter().zip(&listings) {
        let ids: HashSet<String> = files
            .iter()
            .map(|(p, b)| explicit[b].clone().unwrap_or_else(|| stem(p)))
            .collect();
        for id in &ids {
            if !added.contains_key(id) && c[1..].iter().all(|p| !ids_at[p].contains(id)) {
                added.insert(id.clone(), c[0].to_string());
            }
        }
        ids_at.insert(c[0], ids);
    }
    added
}

/// Every review file on disk, recomputed from the files and `git`.
fn naive_facts(root: &Path, roster: &Roster) -> Vec<Fact> {
    let added = adding_commits(root);
    // Commit → (author e-mail through .mailmap, author time).
    let authors: HashMap<String, (String, i64)> = git(root, &["log", "--format=%H%x09%aE%x09%at"])
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (
                f[0].to_string(),
                (f[1].to_string(), f[2].parse().expect("time")),
            )
        })
        .collect();
    let mut rubrics = Rubrics {
        root,
        found: HashMap::new(),
    };
    let tz = roster.tz;
    let mut facts = Vec::new();
    for e in walkdir::WalkDir::new(root.join("reviews"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = e
            .path()
            .strip_prefix(root)
            .expect("below root")
            .to_string_lossy()
            .replace('\\', "/");
        if !is_review_path(&rel) {
            continue;
        }
        let y: Yaml = serde_yaml::from_slice(&std::fs::read(e.path()).expect("read"))
            .unwrap_or_else(|err| panic!("{rel}: {err}"));
        let id = y["id"]
            .as_str()
            .map(String::from)
            .unwrap_or_else(|| stem(&rel));
        let commit = added.get(&id).map(|c| &authors[c]);
        let (rubric_id, version) = y["rubric"]
            .as_str()
            .and_then(|r| r.split_once('@'))
            .expect("rubric: id@version");
        let categories = rubrics.get(rubric_id, version.parse().expect("version number"));
        let (score, values) = naive_score(&categories, &y["ratings"]);
        // `trends --by category` keys rows by `rubric/category`.
        let values = values
            .into_iter()
            .map(|(c, v)| (format!("{rubric_id}/{c}"), v))
            .collect();
        let reviewer = match y["reviewer"].as_str() {
            Some(r) => roster.person(r),
            None => roster.author(&commit.expect("committed").0),
        };
        let (day, instant) = match y["reviewed_at"].as_str() {
            Some(d) if d.len() == 10 => (
                NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("a date"),
                None,
            ),
            Some(t) => {
                let t = DateTime::parse_from_rfc3339(t)
                    .expect("RFC 3339")
                    .with_timezone(&tz);
                (t.date_naive(), Some(t))
            }
            None => {
                let t = Utc
                    .timestamp_opt(commit.expect("committed").1, 0)
                    .unwrap()
                    .with_timezone(&tz);
                (t.date_naive(), Some(t))
            }
        };
        facts.push(Fact {
            id,
            path: rel,
            agent: roster.person(y["agent"].as_str().expect("agent")),
            reviewer,
            day,
            instant,
            score,
            categories: values,
            calibration: !y["calibration"].is_null(),
        });
    }
    facts
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Period {
    Week,
    Month,
    Quarter,
    Year,
}

/// A period's label: a week as the ISO week of its Thursday (weeks start on Monday, or on
/// Sunday), `YYYY-MM`, `YYYY-Qn` or `YYYY`.
fn label(day: NaiveDate, p: Period, sunday: bool) -> String {
    match p {
        Period::Week => {
            let w = if sunday {
                // Sunday..Saturday: the Thursday is four days after the Sunday.
                let back = day.weekday().num_days_from_sunday();
                (day - Duration::days(i64::from(back)) + Duration::days(4)).iso_week()
            } else {
                day.iso_week()
            };
            format!("{}-W{:02}", w.year(), w.week())
        }
        Period::Month => day.format("%Y-%m").to_string(),
        Period::Quarter => format!("{}-Q{}", day.year(), day.month0() / 3 + 1),
        Period::Year => day.year().to_string(),
    }
}

/// The label of the period right before the one `day` falls in.
fn previous_label(day: NaiveDate, p: Period, sunday: bool) -> String {
    let first = match p {
        Period::Week => return label(day - Duration::days(7), p, sunday),
        Period::Month => day.with_day(1),
        Period::Quarter => NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1),
        Period::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1),
    };
    label(first.expect("a day") - Duration::days(1), p, sunday)
}

/// A `rubric trends` query.
struct Query {
    by: &'static str,
    period: Period,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    /// An agent as given on the command line (id or e-mail).
    agent: Option<String>,
}

impl Query {
    fn new(by: &'static str, period: Period) -> Query {
        Query {
            by,
            period,
            since: None,
            until: None,
            agent: None,
        }
    }

    fn args(&self) -> Vec<String> {
        let period = match self.period {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        };
        let mut a: Vec<String> = ["trends", "--format", "json", "--by", self.by]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(["--period".into(), period.into()]);
        if let Some(d) = self.since {
            a.extend(["--since".into(), d.to_string()]);
        }
        if let Some(d) = self.until {
            a.extend(["--until".into(), d.to_string()]);
        }
        if let Some(x) = &self.agent {
            a.extend(["--agent".into(), x.clone()]);
        }
        a
    }
}

/// (key, period) → (reviews, mean, change against the previous period).
type Trends = BTreeMap<(String, String), (usize, f64, Option<f64>)>;

fn naive_trends(facts: &[Fact], roster: &Roster, q: &Query) -> Trends {
    let agent = q.agent.as_deref().map(|a| roster.person(a));
    // (key, label) → (sum, count, a day in the period)
    let mut groups: BTreeMap<(String, String), (f64, usize, NaiveDate)> = BTreeMap::new();
    for f in facts {
        if f.calibration
            || q.since.is_some_and(|s| f.day < s)
            || q.until.is_some_and(|u| f.day > u)
            || agent.as_ref().is_some_and(|a| *a != f.agent)
        {
            continue;
        }
        let observations: Vec<(String, f64)> = match (q.by, f.score) {
            ("category", _) => f.categories.clone(),
            (_, None) => vec![],
            ("agent", Some(s)) => vec![(f.agent.clone(), s)],
            ("reviewer", Some(s)) => vec![(f.reviewer.clone(), s)],
            ("team", Some(s)) => vec![(roster.team(&f.agent), s)],
            (other, _) => panic!("no --by {other}"),
        };
        for (key, value) in observations {
            let g = groups
                .entry((key, label(f.day, q.period, roster.sunday_weeks)))
                .or_insert((0.0, 0, f.day));
            g.0 += value;
            g.1 += 1;
        }
    }
    groups
        .iter()
        .map(|((key, period), (sum, n, day))| {
            let mean = sum / *n as f64;
            let change = groups
                .get(&(
                    key.clone(),
                    previous_label(*day, q.period, roster.sunday_weeks),
                ))
                .map(|(s, c, _)| mean - s / *c as f64);
            ((key.clone(), period.clone()), (*n, mean, change))
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

fn close_opt(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => close(a, b),
        _ => false,
    }
}

/// Differences between `trends --format json` and the naive rows.
fn trends_diff(tool: &Value, naive: &Trends, q: &Query) -> Vec<String> {
    let mut diffs = Vec::new();
    if tool["by"] != q.by {
        diffs.push(format!("by: {} (expected {})", tool["by"], q.by));
    }
    if tool.get("partial").is_some_and(|p| p != false) {
        diffs.push(format!("partial: {} on a full clone", tool["partial"]));
    }
    let mut got: Trends = BTreeMap::new();
    let mut previous: Option<(String, String)> = None;
    for row in tool["rows"].as_array().expect("rows") {
        let key = (
            row["key"].as_str().expect("key").to_string(),
            row["period"].as_str().expect("period").to_string(),
        );
        if previous.as_ref().is_some_and(|p| *p >= key) {
            diffs.push(format!("rows out of order at {key:?}"));
        }
        previous = Some(key.clone());
        let value = (
            row["reviews"].as_u64().expect("reviews") as usize,
            row["score"].as_f64().expect("score"),
            row["change"].as_f64(),
        );
        if got.insert(key.clone(), value).is_some() {
            diffs.push(format!("row {key:?} twice"));
        }
    }
    for (k, want) in naive {
        match got.get(k) {
            None => diffs.push(format!(
                "missing {k:?}: expected {} reviews, score {}",
                want.0, want.1
            )),
            Some(have) => {
                if have.0 != want.0 || !close(have.1, want.1) || !close_opt(have.2, want.2) {
                    diffs.push(format!(
                        "{k:?}: rubric (reviews {}, score {}, change {:?}), naive (reviews {}, score {}, change {:?})",
                        have.0, have.1, have.2, want.0, want.1, want.2
                    ));
                }
            }
        }
    }
    for (k, have) in &got {
        if !naive.contains_key(k) {
            diffs.push(format!("unexpected {k:?}: {have:?}"));
        }
    }
    diffs
}

/// Differences between `score --format json` and the naive facts.
fn score_diff(tool: &Value, facts: &[Fact]) -> Vec<String> {
    let mut diffs = Vec::new();
    let want: HashMap<&str, &Fact> = facts.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut seen = HashSet::new();
    for row in tool.as_array().expect("score rows") {
        let id = row["id"].as_str().expect("id");
        seen.insert(id.to_string());
        let Some(f) = want.get(id) else {
            diffs.push(format!("unexpected review {id}"));
            continue;
        };
        let mut d = Vec::new();
        if row["path"] != f.path.as_str() {
            d.push(format!("path {} (expected {})", row["path"], f.path));
        }
        if row["agent"] != f.agent.as_str() {
            d.push(format!("agent {} (expected {})", row["agent"], f.agent));
        }
        if row["reviewer"] != f.reviewer.as_str() {
            d.push(format!(
                "reviewer {} (expected {})",
                row["reviewer"], f.reviewer
            ));
        }
        let date = row["date"].as_str().unwrap_or_default();
        let date_ok = match &f.instant {
            None => date == f.day.format("%Y-%m-%d").to_string(),
            Some(t) => DateTime::parse_from_rfc3339(date).is_ok_and(|d| {
                d == *t && d.offset().fix() == t.offset().fix() && d.date_naive() == f.day
            }),
        };
        if !date_ok {
            d.push(format!(
                "date {date} (expected {} / {:?})",
                f.day,
                f.instant.map(|t| t.to_rfc3339())
            ));
        }
        if !close_opt(row["score"].as_f64(), f.score) {
            d.push(format!("score {} (expected {:?})", row["score"], f.score));
        }
        if row["calibration"].is_null() == f.calibration {
            d.push(format!("calibration {}", row["calibration"]));
        }
        if row["uncommitted"] == true {
            d.push("uncommitted".to_string());
        }
        if !d.is_empty() {
            diffs.push(format!("{id}: {}", d.join("; ")));
        }
    }
    for f in facts {
        if !seen.contains(&f.id) {
            diffs.push(format!("missing review {} ({})", f.id, f.path));
        }
    }
    diffs
}

/// Compares `rubric score` and every query of `rubric trends` in `root` with the naive
/// recomputation; panics with the differences.
fn assert_matches_naive(root: &Path, queries: &[Query]) -> Vec<Fact> {
    let roster = Roster::load(root);
    let facts = naive_facts(root, &roster);
    let mut report = Vec::new();
    let score = run(root, &["score", "--format", "json"]);
    assert_eq!(score.code, 0, "score: {}", score.stderr);
    let diffs = score_diff(
        &serde_json::from_str(&score.stdout).expect("score JSON"),
        &facts,
    );
    if !diffs.is_empty() {
        report.push(format!(
            "rubric score --format json ({} differences):\n  {}",
            diffs.len(),
            diffs
                .iter()
                .take(25)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n  ")
        ));
    }
    for q in queries {
        let args = q.args();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = run(root, &args);
        assert_eq!(r.code, 0, "rubric {args:?}: {}", r.stderr);
        let tool: Value = serde_json::from_str(&r.stdout).expect("trends JSON");
        let naive = naive_trends(&facts, &roster, q);
        assert!(
            !naive.is_empty(),
            "rubric {args:?}: the query selects nothing"
        );
        let diffs = trends_diff(&tool, &naive, q);
        if !diffs.is_empty() {
            report.push(format!(
                "rubric {} ({} differences; stderr {:?}):\n  {}",
                args.join(" "),
                diffs.len(),
                r.stderr,
                diffs
                    .iter()
                    .take(25)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} differs from the naive recomputation:\n{}",
        root.display(),
        report.join("\n")
    );
    facts
}

/// The standard set of queries, plus a filtered one around the busiest agent.
fn queries(facts: &[Fact], roster: &Roster) -> Vec<Query> {
    let mut qs = vec![
        Query::new("agent", Period::Month),
        Query::new("reviewer", Period::Month),
        Query::new("team", Period::Month),
        Query::new("category", Period::Month),
        Query::new("agent", Period::Week),
        Query::new("reviewer", Period::Week),
        Query::new("team", Period::Quarter),
        Query::new("category", Period::Year),
    ];
    let mut per_agent: BTreeMap<&str, usize> = BTreeMap::new();
    for f in facts {
        *per_agent.entry(&f.agent).or_default() += 1;
    }
    if let Some((agent, _)) = per_agent.iter().max_by_key(|(_, n)| **n) {
        let mut days: Vec<NaiveDate> = facts.iter().map(|f| f.day).collect();
        days.sort();
        // By e-mail, in upper case: the roster maps it to the agent.
        let email = roster
            .emails
            .iter()
            .filter(|(_, id)| id.as_str() == *agent)
            .map(|(e, _)| e.to_uppercase())
            .min()
            .unwrap_or_else(|| agent.to_string());
        let mut q = Query::new("agent", Period::Week);
        q.since = Some(days[days.len() / 4]);
        q.until = Some(days[days.len() * 3 / 4]);
        q.agent = Some(email);
        qs.push(q);
    }
    qs
}

/// Generates a repository with `gen-repo.py` and checks it against the naive recomputation.
fn property(seed: u32, extra: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("qa");
    let seed = seed.to_string();
    let mut args = vec!["--reviews", "250", "--seed", &seed];
    args.extend_from_slice(extra);
    generate(&root, &args);

    // The history exercises what it should.
    assert!(!git(&root, &["rev-list", "--merges", "HEAD"]).is_empty());
    let roster = Roster::load(&root);
    let facts = naive_facts(&root, &roster);
    let count = |f: &dyn Fn(&Fact) -> bool| facts.iter().filter(|x| f(x)).count();
    assert!(count(&|f| f.path.starts_with("reviews/archive/")) > 0);
    assert!(count(&|f| f.calibration) > 0);
    assert!(count(&|f| f.score == Some(0.0)) > 0, "no critical failures");
    let texts: Vec<String> = facts
        .iter()
        .map(|f| std::fs::read_to_string(root.join(&f.path)).unwrap())
        .collect();
    assert!(texts.iter().any(|t| !t.contains("\nreviewer:")));
    assert!(texts.iter().any(|t| !t.contains("\nreviewed_at:")));
    assert!(texts.iter().any(|t| t.contains("rubric: support@1")));
    if extra.contains(&"--scorecards") {
        assert!(
            count(&|f| f.score.is_some_and(|s| s > 100.0)) > 0,
            "no bonus over 100"
        );
    }

    assert_matches_naive(&root, &queries(&facts, &roster));

    // Weeks that start on Sunday (qa.yaml is read from disk; the history does not change).
    let qa = std::fs::read_to_string(root.join("qa.yaml")).unwrap();
    assert!(qa.contains("week_start: monday"));
    std::fs::write(
        root.join("qa.yaml"),
        qa.replace("week_start: monday", "week_start: sunday"),
    )
    .unwrap();
    assert_matches_naive(
        &root,
        &[
            Query::new("agent", Period::Week),
            Query::new("category", Period::Week),
        ],
    );
}

// ------------------------------------------------------------------------------------------
// 1. Property tests
// ------------------------------------------------------------------------------------------

#[test]
fn property_trends_match_naive_seed_1_utc() {
    property(1, &["--merge-rate", "0.012"]);
}

/// Support v3 with `critical: group` categories (escalation, empathy) and a bonus category
/// (extra_mile): with seed 4 some reviews fail the process group and some score over 100.
#[test]
fn property_trends_match_naive_seed_4_scorecards() {
    property(4, &["--scorecards", "--merge-rate", "0.012"]);
}

/// Newfoundland time (-03:30 / -02:30 with DST): commit dates and RFC 3339 times change days.
#[test]
fn property_trends_match_naive_seed_2_st_johns() {
    property(
        2,
        &[
            "--timezone",
            "America/St_Johns",
            "--merge-rate",
            "0.02",
            "--edit-rate",
            "0.12",
            "--move-rate",
            "0.06",
            "--delete-rate",
            "0.03",
        ],
    );
}

#[test]
fn property_trends_match_naive_seed_3_kathmandu() {
    property(
        3,
        &[
            "--timezone",
            "Asia/Kathmandu",
            "--merge-rate",
            "0.02",
            "--edit-rate",
            "0.1",
            "--agents",
            "25",
            "--reviewers",
            "7",
        ],
    );
}

/// The project's own example (reviews with explicit reviewers and dates, Europe/Tallinn).
#[test]
fn property_example_repository_matches_naive() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for entry in walkdir::WalkDir::new(project_root())
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let rel = entry.path().strip_prefix(project_root()).unwrap();
        let top = rel.components().next().unwrap().as_os_str();
        if rel == Path::new("qa.yaml") || top == "rubrics" || top == "reviews" {
            let to = root.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    git(root, &["init", "-q"]);
    commit_all(root, "example", "2026-11-20T12:00:00+02:00", BOB);
    let roster = Roster::load(root);
    let facts = naive_facts(root, &roster);
    assert!(facts.len() >= 10);
    assert_matches_naive(root, &queries(&facts, &roster));
}

// ------------------------------------------------------------------------------------------
// 2. Failure modes
// ------------------------------------------------------------------------------------------

const RUBRIC_V1: &str = "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n  - {id: tone, title: Tone, scale: 3}\n";

const QA: &str = "timezone: UTC\npeople:\n  alice: {team: tier1}\n  erin: {team: tier2}\n  bob: {team: qa, emails: [bob@acme.example]}\n  carol: {team: qa, emails: [carol@acme.example]}\n  dana: {team: leads, emails: [dana@acme.example]}\n";

fn review(agent: &str, conversation: u32, solution: u32, tone: &str) -> String {
    format!(
        "rubric: support@1\nagent: {agent}\nconversation: {{id: \"{conversation}\"}}\nratings:\n  solution: {solution}\n  tone: {tone}\n"
    )
}

/// A small repository made with plain `git commit` (loose objects): one review added, then
/// edited.
fn small_repo() -> tempfile::TempDir {
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC_V1),
        ("reviews/r1.yaml", &review("alice", 1, 4, "2")),
    ]);
    git(dir.path(), &["init", "-q"]);
    commit_all(dir.path(), "r1", "2026-03-02T10:00:00Z", BOB);
    std::fs::write(
        dir.path().join("reviews/r1.yaml"),
        review("alice", 1, 4, "3"),
    )
    .unwrap();
    commit_all(
        dir.path(),
        "r1 after a dispute",
        "2026-03-09T10:00:00Z",
        DANA,
    );
    dir
}

#[test]
fn shallow_clone_exits_2_and_names_the_fix() {
    let src = small_repo();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("file://{}", src.path().display());
    git(dir.path(), &["clone", "-q", "--depth", "1", &url, "c"]);
    let root = dir.path().join("c");
    assert_eq!(
        git(&root, &["rev-parse", "--is-shallow-repository"]).trim(),
        "true"
    );
    for args in [
        &["trends"][..],
        &["trends", "--format", "json"],
        &["score", "--format", "json"],
        &["history", "r1"],
    ] {
        let r = run(&root, args);
        assert_exit_2(&r, &format!("rubric {args:?} in a shallow clone"));
        assert!(r.stderr.contains("fetch-depth: 0"), "{}", r.stderr);
        assert!(r.stderr.contains("git fetch --unshallow"), "{}", r.stderr);
        assert!(r.stderr.contains("--allow-shallow"), "{}", r.stderr);
    }
    // Accepted on request, and marked partial.
    let r = run(&root, &["trends", "--format", "json", "--allow-shallow"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(json["partial"], true, "{json}");
    assert!(r.stderr.contains("shallow"), "no warning: {:?}", r.stderr);
    // No cache is written from a partial history.
    assert!(!root.join(".git/rubric").exists());
    // A full clone's JSON is not marked partial.
    let full = json_ok(src.path(), &["trends", "--format", "json"]);
    assert!(full.get("partial").is_none_or(|p| p == false), "{full}");
}

#[test]
fn unborn_branch_exits_2() {
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC_V1),
        ("reviews/r1.yaml", &review("alice", 1, 4, "2")),
    ]);
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "-A"]);
    for args in [
        &["trends"][..],
        &["trends", "--format", "json"],
        &["score", "--format", "json"],
        &["history", "r1"],
    ] {
        let r = run(dir.path(), args);
        assert_exit_2(&r, &format!("rubric {args:?} on an unborn branch"));
        assert!(r.stderr.contains("no commits"), "{}", r.stderr);
    }
}

/// The loose object file of `rev` (e.g. `HEAD:reviews/r1.yaml`).
fn loose_object(root: &Path, rev: &str) -> std::path::PathBuf {
    let oid = git(root, &["rev-parse", rev]).trim().to_string();
    let path = root.join(".git/objects").join(&oid[..2]).join(&oid[2..]);
    assert!(path.is_file(), "{rev} is not a loose object");
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&path, perms).unwrap();
    path
}

#[test]
fn corrupt_object_exits_2() {
    for rev in [
        "HEAD~1:reviews/r1.yaml", // an old version of a review
        "HEAD:reviews/r1.yaml",   // the current version (clean in the work tree)
        "HEAD:reviews",           // a tree
        "HEAD~1:rubrics/support.yaml",
        "HEAD~1", // a commit
        "HEAD",   // the tip
    ] {
        let dir = small_repo();
        std::fs::write(loose_object(dir.path(), rev), b"garbage, not zlib").unwrap();
        for args in [
            &["trends", "--no-cache", "--format", "json"][..],
            &["score", "--no-cache", "--format", "json"],
            &["history", "r1", "--no-cache"],
        ] {
            let r = run(dir.path(), args);
            assert_exit_2(&r, &format!("rubric {args:?} with {rev} corrupt"));
        }
    }
}

/// Reviews that did not load at an old commit and were fixed later by someone else: r2 had a
/// YAML syntax error, r3 a rating that is not one (a schema error). Returns the directory and
/// the broken and the fixing commit.
fn broken_then_fixed() -> (tempfile::TempDir, String, String) {
    let dir = small_repo();
    let root = dir.path();
    // An unclosed flow sequence; a rating that is not a number.
    std::fs::write(root.join("reviews/r2.yaml"), review("erin", 2, 4, "[oops")).unwrap();
    std::fs::write(
        root.join("reviews/r3.yaml"),
        review("erin", 3, 4, "excellent"),
    )
    .unwrap();
    commit_all(root, "r2, r3", "2026-03-31T22:30:00Z", CAROL);
    std::fs::write(root.join("reviews/r2.yaml"), review("erin", 2, 4, "2")).unwrap();
    std::fs::write(root.join("reviews/r3.yaml"), review("erin", 3, 1, "3")).unwrap();
    commit_all(root, "fix r2, r3", "2026-04-02T09:00:00Z", DANA);
    let broken = git(root, &["rev-parse", "HEAD~1"]).trim().to_string();
    let fixed = git(root, &["rev-parse", "HEAD"]).trim().to_string();
    (dir, broken, fixed)
}

/// `history ID --format json` as (commit, author, score, date, kind).
fn history_rows(root: &Path, id: &str) -> Vec<(String, String, Value, String, String)> {
    let rows = json_ok(root, &["history", id, "--format", "json"]);
    rows.as_array()
        .expect("an array")
        .iter()
        .map(|row| {
            (
                row["commit"].as_str().unwrap().to_string(),
                row["author"].as_str().unwrap().to_string(),
                row["score"].clone(),
                row["date"].as_str().unwrap().to_string(),
                row["kind"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A review that did not parse at an old commit: `history` lists both versions, the broken
/// one without a score; trends count the fixed version, dated and credited by the commit that
/// first added the file (SPEC §3: the first commit in which a review with that id appears).
#[test]
fn review_broken_in_an_old_commit() {
    let (dir, broken, fixed) = broken_then_fixed();
    let root = dir.path();
    assert_eq!(
        history_rows(root, "r2"),
        vec![
            (
                broken.clone(),
                "carol".into(),
                Value::Null,
                "2026-03-31T22:30:00+00:00".into(),
                "added".into()
            ),
            (
                fixed.clone(),
                "dana".into(),
                75.0.into(),
                "2026-04-02T09:00:00+00:00".into(),
                "edited".into()
            ),
        ]
    );
    // Trends: the fixed versions, in March (the commit that added the files), by carol.
    let r = run(root, &["trends", "--by", "reviewer", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        !r.stderr.contains("left out"),
        "the current versions load: {}",
        r.stderr
    );
    let json: Value = serde_json::from_str(&r.stdout).unwrap();
    let rows: Vec<(&str, &str, u64, f64)> = json["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap(),
                r["period"].as_str().unwrap(),
                r["reviews"].as_u64().unwrap(),
                r["score"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![("bob", "2026-03", 1, 100.0), ("carol", "2026-03", 2, 62.5)]
    );
    // The same through the naive recomputation.
    assert_matches_naive(root, &[Query::new("agent", Period::Week)]);
}

/// A version that fails the review schema (`tone: excellent`) has no score in `history`, like
/// a version that is not YAML: scoring the ratings that happen to be well-formed would show a
/// number the review never had.
#[test]
fn history_gives_no_score_to_a_schema_invalid_version() {
    let (dir, broken, fixed) = broken_then_fixed();
    let rows = history_rows(dir.path(), "r3");
    let got: Vec<(&str, &Value)> = rows.iter().map(|r| (r.0.as_str(), &r.2)).collect();
    assert_eq!(
        got,
        vec![
            (broken.as_str(), &Value::Null),
            (fixed.as_str(), &50.0.into())
        ],
        "rubric history r3: the version of {broken} does not match the schema"
    );
}

/// A review disputed on a branch (`side`: carol lowers tone to 1) while `main` archives it
/// (dana renames it, content unchanged). Returns the directory and the commits (add, dispute,
/// archive); `side` is checked out.
fn dispute_and_archive() -> (tempfile::TempDir, [String; 3]) {
    let dir = temp_repo(&[
        ("qa.yaml", QA),
        ("rubrics/support.yaml", RUBRIC_V1),
        ("reviews/r.yaml", &review("alice", 1, 4, "3")),
    ]);
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit_all(root, "add r", "2026-01-01T10:00:00Z", BOB);
    git(root, &["checkout", "-q", "-b", "side"]);
    std::fs::write(root.join("reviews/r.yaml"), review("alice", 1, 4, "1")).unwrap();
    commit_all(root, "dispute", "2026-01-10T10:00:00Z", CAROL);
    git(root, &["checkout", "-q", "main"]);
    std::fs::create_dir_all(root.join("reviews/archive")).unwrap();
    git(root, &["mv", "reviews/r.yaml", "reviews/archive/r.yaml"]);
    commit_all(root, "archive", "2026-01-20T10:00:00Z", DANA);
    git(root, &["checkout", "-q", "side"]);
    let rev = |r: &str| git(root, &["rev-parse", r]).trim().to_string();
    let commits = [rev("main~1"), rev("side"), rev("main")];
    (dir, commits)
}

/// `history` reports what each commit did to the review against its own parent: the archive
/// commit only renamed the file. When `side` merges `main`, the history walk puts the archive
/// commit after the dispute, and comparing with the dispute's version made the rename look like
/// an edit back to the old ratings (by dana, score 100).
#[test]
fn history_reports_a_rename_on_another_line_as_a_move() {
    let (dir, [add, dispute, archive]) = dispute_and_archive();
    let root = dir.path();
    git_as(
        root,
        &["merge", "-q", "--no-edit", "main"],
        "2026-01-26T10:00:00Z",
        CAROL,
    );
    let rows = history_rows(root, "r");
    let by_commit: HashMap<&str, (&str, &Value)> = rows
        .iter()
        .map(|r| (r.0.as_str(), (r.4.as_str(), &r.2)))
        .collect();
    assert_eq!(
        by_commit[add.as_str()],
        ("added", &100.0.into()),
        "{rows:?}"
    );
    assert_eq!(
        by_commit[dispute.as_str()],
        ("edited", &50.0.into()),
        "{rows:?}"
    );
    assert_eq!(
        by_commit[archive.as_str()],
        ("moved", &100.0.into()),
        "the archive commit renamed reviews/r.yaml without changing it: {rows:?}"
    );
}

/// The cache holds the tip of `side`; `main` then merges `side`, so the cached tip is an
/// ancestor of HEAD through the merge's second parent. The incremental run must give what a
/// run without the cache gives.
#[test]
fn cache_incremental_equals_no_cache_when_the_cached_tip_is_a_merged_branch() {
    let (dir, _) = dispute_and_archive();
    let root = dir.path();
    json_ok(root, &["history", "r", "--format", "json"]); // caches the tip of side
    assert!(root.join(".git/rubric").is_dir());
    git(root, &["checkout", "-q", "main"]);
    git_as(
        root,
        &["merge", "-q", "--no-edit", "side"],
        "2026-01-25T10:00:00Z",
        DANA,
    );
    let ids = vec!["r".to_string()];
    let incremental = outputs(root, &[], &ids);
    let cold = outputs(root, &["--no-cache"], &ids);
    assert_same(&incremental, &cold, "cached tip merged as a second parent");
}

/// The same review file committed on two lines (a branch, and later directly on main), then
/// merged: which commit added it must not depend on where the cache stopped.
#[test]
fn cache_does_not_change_which_commit_added_a_review() {
    let dir = temp_repo(&[("qa.yaml", QA), ("rubrics/support.yaml", RUBRIC_V1)]);
    let root = dir.path();
    git(root, &["init", "-q"]);
    commit_all(root, "init", "2026-01-01T10:00:00Z", BOB);
    git(root, &["checkout", "-q", "-b", "side"]);
    std::fs::create_dir_all(root.join("reviews")).unwrap();
    std::fs::write(root.join("reviews/r.yaml"), review("alice", 1, 4, "3")).unwrap();
    commit_all(root, "add r", "2026-01-10T10:00:00Z", CAROL);
    json_ok(root, &["score", "--format", "json"]); // caches the tip of side
    git(root, &["checkout", "-q", "main"]);
    git(root, &["checkout", "side", "--", "reviews/r.yaml"]);
    commit_all(root, "add r too", "2026-02-20T10:00:00Z", DANA);
    git_as(
        root,
        &["merge", "-q", "--no-edit", "side"],
        "2026-02-25T10:00:00Z",
        DANA,
    );
    let incremental = json_ok(root, &["score", "--format", "json"]);
    let cold = json_ok(root, &["score", "--format", "json", "--no-cache"]);
    assert_eq!(
        (&incremental[0]["reviewer"], &incremental[0]["date"]),
        (&cold[0]["reviewer"], &cold[0]["date"]),
        "with the cache vs --no-cache"
    );
}

#[test]
fn history_of_an_unknown_id_exits_2() {
    let dir = small_repo();
    for args in [
        &["history", "NO-SUCH-ID"][..],
        &["history", "NO-SUCH-ID", "--format", "json"],
        &["history", "NO-SUCH-ID", "--no-cache"],
    ] {
        let r = run(dir.path(), args);
        assert_exit_2(&r, &format!("rubric {args:?}"));
        assert!(r.stderr.contains("NO-SUCH-ID"), "{}", r.stderr);
    }
    // A known id works.
    let rows = json_ok(dir.path(), &["history", "r1", "--format", "json"]);
    assert_eq!(rows.as_array().unwrap().len(), 2, "{rows}");
}

// ------------------------------------------------------------------------------------------
// 3. The history cache
// ------------------------------------------------------------------------------------------

/// Every output the cache could change, as raw stdout, in a fixed order.
fn outputs(root: &Path, extra: &[&str], ids: &[String]) -> Vec<(String, String)> {
    let mut runs: Vec<Vec<String>> = vec![
        vec!["score".into(), "--format".into(), "json".into()],
        vec!["trends".into(), "--format".into(), "json".into()],
        vec![
            "trends".into(),
            "--format".into(),
            "json".into(),
            "--by".into(),
            "reviewer".into(),
            "--period".into(),
            "week".into(),
        ],
        vec![
            "trends".into(),
            "--format".into(),
            "json".into(),
            "--by".into(),
            "category".into(),
        ],
    ];
    for id in ids {
        runs.push(vec![
            "history".into(),
            id.clone(),
            "--format".into(),
            "json".into(),
        ]);
    }
    runs.into_iter()
        .map(|mut args| {
            args.extend(extra.iter().map(|s| s.to_string()));
            let a: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = run(root, &a);
            assert_eq!(r.code, 0, "rubric {a:?}: {}", r.stderr);
            (args.join(" "), r.stdout)
        })
        .collect()
}

fn assert_same(a: &[(String, String)], b: &[(String, String)], what: &str) {
    for ((args, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let line = x
                .lines()
                .zip(y.lines())
                .position(|(p, q)| p != q)
                .unwrap_or(0);
            let from = line.saturating_sub(4);
            let window = |t: &str| t.lines().skip(from).take(16).collect::<Vec<_>>().join("\n");
            panic!(
                "{what}: `rubric {args}` differs from line {} on:\n{}\n--- versus ---\n{}",
                line + 1,
                window(x),
                window(y),
            );
        }
    }
    assert_eq!(a.len(), b.len());
}

/// Review ids whose history is interesting: edited, moved, merged.
fn interesting_ids(root: &Path) -> Vec<String> {
    let mut ids = Vec::new();
    for filter in ["M", "R"] {
        let log = git(
            root,
            &[
                "log",
                "--format=",
                "--name-only",
                &format!("--diff-filter={filter}"),
                "-M",
                "--",
                "reviews/",
            ],
        );
        ids.extend(log.lines().filter(|l| !l.is_empty()).take(3).map(stem));
    }
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn cache_warm_incremental_and_rewritten_history_equal_no_cache() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("qa");
    generate(
        &root,
        &["--reviews", "160", "--seed", "11", "--merge-rate", "0.02"],
    );
    let cache = root.join(".git/rubric");
    let mut ids = interesting_ids(&root);
    // And a review added on a merged branch.
    let merge = git(&root, &["rev-list", "--merges", "-n", "1", "HEAD"])
        .trim()
        .to_string();
    assert!(!merge.is_empty(), "the generated history has a merge");
    let branch = git(
        &root,
        &[
            "log",
            "--format=",
            "--name-only",
            &format!("{merge}^1..{merge}^2"),
            "--",
            "reviews/",
        ],
    );
    ids.extend(branch.lines().filter(|l| !l.is_empty()).take(1).map(stem));

    // A cache written before a merge: the branch's commits are new to the next run.
    let tip = git(&root, &["rev-parse", "HEAD"]).trim().to_string();
    git(&root, &["reset", "-q", "--hard", &format!("{merge}^1")]);
    run(&root, &["trends"]);
    assert!(cache.is_dir(), "no cache written under .git/rubric/");
    git(&root, &["reset", "-q", "--hard", &tip]);
    let incremental = outputs(&root, &[], &ids);
    let warm = outputs(&root, &[], &ids);
    let cold = outputs(&root, &["--no-cache"], &ids);
    assert_same(
        &incremental,
        &cold,
        "after a merge, incremental vs --no-cache",
    );
    assert_same(&warm, &incremental, "warm vs first run");
    assert_same(&warm, &cold, "warm vs --no-cache");

    // A new review (explicit id other than its stem), then a move of it.
    ids.push("zd-99999-custom".into());
    let new = root.join("reviews/2026/11/new-review.yaml");
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    let agent = Roster::load(&root)
        .teams
        .iter()
        .find(|(_, t)| t.as_deref() == Some("tier1"))
        .map(|(id, _)| id.clone())
        .unwrap();
    // The committer (Carol) is not in the generated roster, so the review names its reviewer.
    let reviewer = Roster::load(&root)
        .teams
        .iter()
        .find(|(_, t)| t.as_deref() == Some("qa"))
        .map(|(id, _)| id.clone())
        .unwrap();
    let text = |solution: u32| {
        let old = std::fs::read_to_string(root.join("rubrics/support.yaml")).unwrap();
        let (_, version, cats) = parse_rubric(&old);
        let mut t = format!(
            "id: zd-99999-custom\nrubric: support@{version}\nagent: {agent}\nreviewer: {reviewer}\nconversation: {{id: \"99999\"}}\nratings:\n"
        );
        for c in cats {
            let r = if c.id == "solution" {
                solution as i64
            } else {
                c.scale
            };
            t.push_str(&format!("  {}: {r}\n", c.id));
        }
        t
    };
    std::fs::write(&new, text(3)).unwrap();
    commit_all(&root, "a new review", "2026-11-16T23:30:00Z", CAROL);
    let first = outputs(&root, &[], &ids);
    assert_same(&first, &outputs(&root, &["--no-cache"], &ids), "new commit");
    assert_same(&first, &outputs(&root, &[], &ids), "new commit, warm");
    assert!(first[0].1.contains("zd-99999-custom"));

    let moved = root.join("reviews/archive/new-review-2.yaml");
    std::fs::create_dir_all(moved.parent().unwrap()).unwrap();
    std::fs::rename(&new, &moved).unwrap();
    commit_all(&root, "archive", "2026-11-17T08:00:00Z", DANA);
    let after_move = outputs(&root, &[], &ids);
    assert_same(&after_move, &outputs(&root, &["--no-cache"], &ids), "move");
    let kinds: Vec<String> = history_rows(&root, "zd-99999-custom")
        .into_iter()
        .map(|r| r.4)
        .collect();
    assert_eq!(kinds, ["added", "moved"]);

    // Rewritten history: the cached tip is no longer an ancestor of HEAD.
    let before = git(&root, &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(&moved, text(1)).unwrap();
    git(&root, &["add", "-A"]);
    git_as(
        &root,
        &["commit", "-q", "--amend", "-m", "archive, fixed"],
        "2026-11-17T09:00:00Z",
        DANA,
    );
    let after = git(&root, &["rev-parse", "HEAD"]).trim().to_string();
    let merge_base = git_cmd(&root)
        .args(["merge-base", "--is-ancestor", &before, &after])
        .status()
        .unwrap();
    assert!(
        !merge_base.success(),
        "the amended tip replaces the old one"
    );
    let rewritten = outputs(&root, &[], &ids);
    assert_same(&rewritten, &outputs(&root, &["--no-cache"], &ids), "amend");
    assert_ne!(rewritten[0].1, after_move[0].1, "the amended rating shows");

    // A damaged cache file is ignored, not trusted.
    for entry in std::fs::read_dir(&cache).unwrap() {
        let p = entry.unwrap().path();
        let mut bytes = std::fs::read(&p).unwrap();
        let n = bytes.len();
        bytes.truncate(n / 2);
        std::fs::write(&p, bytes).unwrap();
    }
    assert_same(&outputs(&root, &[], &ids), &rewritten, "truncated cache");

    // And the end state still matches the naive recomputation.
    assert_matches_naive(&root, &[Query::new("agent", Period::Month)]);
}
