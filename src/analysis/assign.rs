//! Which conversations get reviewed (SPEC §4.1), as plain functions over plain data: a
//! [`Sampler`] judges each row of an export (and says why a row cannot be used), then
//! [`Sampler::finish`] picks up to `per_agent` conversations per agent with a seeded shuffle
//! (ChaCha8, seeded from the seed, the cycle and the agent: the same input always gives the
//! same plan) and gives them to the reviewers so that their loads differ by at most one and
//! nobody reviews their own conversation.

use crate::load::conversations::Wanted;
use crate::load::date::{parse_review_date, ReviewDate};
use crate::load::people::Roster;
use crate::model::{is_date_shape, is_http_url, is_person_id};
use chrono::NaiveDate;
use chrono_tz::Tz;
use foldhash::{HashMap, HashMapExt, HashSet};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use sha2::{Digest, Sha256};

/// Why a row of the export was not a candidate. Each row counts under its first reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reason {
    /// The `id` cell is empty.
    MissingId,
    /// `created_at` is not a date or an RFC 3339 time.
    BadDate,
    /// Created in another cycle.
    OutsideCycle,
    /// The agent is not in the roster (or, without one, not a valid id).
    UnknownAgent,
    /// A `where` column does not hold one of its values.
    FilteredOut,
    /// A review of that conversation and agent exists.
    AlreadyReviewed,
    /// An earlier plan lists the conversation.
    AlreadyAssigned,
    /// The only reviewer is the agent themselves.
    NoReviewer,
    /// The same conversation id as an earlier row that could be picked.
    Duplicate,
}

impl Reason {
    pub const ALL: [Reason; 9] = [
        Reason::MissingId,
        Reason::BadDate,
        Reason::OutsideCycle,
        Reason::UnknownAgent,
        Reason::FilteredOut,
        Reason::AlreadyReviewed,
        Reason::AlreadyAssigned,
        Reason::NoReviewer,
        Reason::Duplicate,
    ];

    /// The stable kebab-case name (JSON and the human summary).
    pub fn name(self) -> &'static str {
        match self {
            Reason::MissingId => "missing-id",
            Reason::BadDate => "bad-date",
            Reason::OutsideCycle => "outside-cycle",
            Reason::UnknownAgent => "unknown-agent",
            Reason::FilteredOut => "filtered-out",
            Reason::AlreadyReviewed => "already-reviewed",
            Reason::AlreadyAssigned => "already-assigned",
            Reason::NoReviewer => "no-reviewer",
            Reason::Duplicate => "duplicate",
        }
    }
}

/// Everything sampling needs besides the rows.
pub struct Setup<'a> {
    /// The cycle's label (`2026-W48`, `2026-11`) and its first and last day, in `tz`.
    pub cycle: String,
    pub days: (NaiveDate, NaiveDate),
    pub tz: Tz,
    pub per_agent: u32,
    pub seed: u64,
    /// Roster ids (or ids, without a roster), in the configured order.
    pub reviewers: Vec<String>,
    /// Column → allowed values.
    pub filter: Vec<(String, Vec<String>)>,
    pub roster: Option<&'a Roster>,
    /// Conversation id → the agents that a valid review of it names.
    pub reviewed: HashMap<String, Vec<String>>,
    /// Conversation ids that an earlier plan lists.
    pub assigned: HashSet<String>,
    /// About how many bytes the export has (to size the buffers once).
    pub size_hint: usize,
}

/// The columns a sampler reads, in the order of [`Sampler::offer`]'s cells.
pub fn columns(filter: &[(String, Vec<String>)]) -> Vec<Wanted> {
    let w = |name: &str, required| Wanted {
        name: name.to_string(),
        required,
    };
    let mut out = vec![
        w("id", true),
        w("agent", true),
        w("created_at", true),
        w("url", false),
        w("channel", false),
    ];
    out.extend(filter.iter().map(|(c, _)| w(c, true)));
    out
}

/// A span of the text arena.
#[derive(Debug, Clone, Copy)]
struct Span(u32, u32);

/// One usable conversation; its texts live in the sampler's arena.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    id: Span,
    agent: u32,
    /// When it was created, in seconds since 1970 (a date: its midnight in the zone).
    created: i64,
    created_text: Span,
    url: Option<Span>,
    channel: Option<Span>,
}

/// One conversation to review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub conversation: String,
    pub agent: String,
    pub reviewer: String,
    pub created_at: String,
    pub url: Option<String>,
    pub channel: Option<String>,
}

/// The plan's items and what was left out, by reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub items: Vec<Item>,
    /// Every reason, in [`Reason::ALL`] order, with its count.
    pub rejected: Vec<(Reason, u64)>,
    /// Agent values that are not known, with their row counts (most rows first, at most 20).
    pub unknown_agents: Vec<(String, u64)>,
    /// Rows that were candidates.
    pub candidates: u64,
}

/// Judges rows one at a time, keeping the usable ones compactly.
pub struct Sampler<'a> {
    setup: Setup<'a>,
    arena: String,
    candidates: Vec<Candidate>,
    agents: Vec<String>,
    /// An agent as the export writes it → its index, or none for an unknown agent.
    agent_index: HashMap<Box<str>, Option<u32>>,
    /// The cycle's first and last instant (exclusive), in seconds since 1970.
    bounds: (i64, i64),
    rejected: [u64; Reason::ALL.len()],
    unknown: HashMap<String, u64>,
}

impl<'a> Sampler<'a> {
    pub fn new(setup: Setup<'a>) -> Sampler<'a> {
        // A typical export row is over 100 bytes, of which the sampler keeps about two thirds.
        let rows = setup.size_hint / 100;
        Sampler {
            arena: String::with_capacity(setup.size_hint / 3 * 2),
            candidates: Vec::with_capacity(rows),
            agents: Vec::new(),
            agent_index: HashMap::new(),
            bounds: (
                midnight(setup.tz, setup.days.0),
                midnight(setup.tz, setup.days.1 + chrono::Duration::days(1)),
            ),
            setup,
            rejected: [0; Reason::ALL.len()],
            unknown: HashMap::new(),
        }
    }

    fn text(&self, s: Span) -> &str {
        &self.arena[s.0 as usize..(s.0 + s.1) as usize]
    }

    fn keep(&mut self, s: &str) -> Span {
        let start = self.arena.len() as u32;
        self.arena.push_str(s);
        Span(start, s.len() as u32)
    }

    /// Takes one row: its cells in the order of [`columns`].
    pub fn offer(&mut self, cells: &[Option<&str>]) {
        match self.judge(cells) {
            Ok(c) => self.candidates.push(c),
            Err(r) => self.rejected[r as usize] += 1,
        }
    }

    /// A row as a candidate, or the first reason it is not one.
    fn judge(&mut self, cells: &[Option<&str>]) -> Result<Candidate, Reason> {
        let cell = |i: usize| cells.get(i).copied().flatten().map(str::trim);
        let id = cell(0).filter(|s| !s.is_empty()).ok_or(Reason::MissingId)?;
        let created_text = cell(2).ok_or(Reason::BadDate)?;
        let created = match created_at(created_text).ok_or(Reason::BadDate)? {
            ReviewDate::Day(d) if d < self.setup.days.0 || d > self.setup.days.1 => {
                return Err(Reason::OutsideCycle)
            }
            ReviewDate::Day(d) => midnight(self.setup.tz, d),
            ReviewDate::Instant(t) => t.timestamp(),
        };
        if created < self.bounds.0 || created >= self.bounds.1 {
            return Err(Reason::OutsideCycle);
        }
        let agent = self.agent(cell(1).unwrap_or(""))?;
        for (i, (_, allowed)) in self.setup.filter.iter().enumerate() {
            let v = cell(5 + i);
            if !v.is_some_and(|v| allowed.iter().any(|a| a == v)) {
                return Err(Reason::FilteredOut);
            }
        }
        let agent_id = &self.agents[agent as usize];
        if self
            .setup
            .reviewed
            .get(id)
            .is_some_and(|a| a.iter().any(|a| a == agent_id))
        {
            return Err(Reason::AlreadyReviewed);
        }
        if self.setup.assigned.contains(id) {
            return Err(Reason::AlreadyAssigned);
        }
        if self.setup.reviewers.iter().all(|r| r == agent_id) {
            return Err(Reason::NoReviewer);
        }
        let url = cell(3).filter(|u| is_http_url(u));
        Ok(Candidate {
            id: self.keep(id),
            agent,
            created,
            created_text: self.keep(created_text),
            url: url.map(|u| self.keep(u)),
            channel: cell(4).map(|c| self.keep(c)),
        })
    }

    /// The agent's index, or `UnknownAgent` (counted by value). Each way of writing an agent
    /// is resolved once.
    fn agent(&mut self, raw: &str) -> Result<u32, Reason> {
        let found = match self.agent_index.get(raw) {
            Some(found) => *found,
            None => {
                let found = self.resolve(raw);
                self.agent_index.insert(raw.into(), found);
                found
            }
        };
        found.ok_or_else(|| {
            if self.unknown.len() < 10_000 || self.unknown.contains_key(raw) {
                *self.unknown.entry(raw.to_string()).or_default() += 1;
            }
            Reason::UnknownAgent
        })
    }

    /// A newly seen agent value: its index (a new one for a new person), or none.
    fn resolve(&mut self, raw: &str) -> Option<u32> {
        let id = match self.setup.roster {
            Some(r) => r.resolve(raw)?,
            None => is_person_id(raw).then_some(raw)?,
        };
        let known = self.agents.iter().position(|a| a == id);
        Some(known.unwrap_or_else(|| {
            self.agents.push(id.to_string());
            self.agents.len() - 1
        }) as u32)
    }

    /// Picks and assigns.
    pub fn finish(mut self) -> Outcome {
        let (picked, duplicates) = self.pick();
        self.rejected[Reason::Duplicate as usize] += duplicates;
        let reviewers = self.reviewer_order();
        let loads = balance(&picked, &self.candidates, &self.agents, &reviewers);
        let mut items: Vec<(i64, Item)> = picked
            .iter()
            .zip(&loads)
            .map(|(&c, &r)| {
                let c = &self.candidates[c];
                let item = Item {
                    conversation: self.text(c.id).to_string(),
                    agent: self.agents[c.agent as usize].clone(),
                    reviewer: reviewers[r].clone(),
                    created_at: self.text(c.created_text).to_string(),
                    url: c.url.map(|s| self.text(s).to_string()),
                    channel: c.channel.map(|s| self.text(s).to_string()),
                };
                (c.created, item)
            })
            .collect();
        items.sort_by(|(ta, a), (tb, b)| {
            (&a.reviewer, ta, &a.conversation, &a.agent).cmp(&(
                &b.reviewer,
                tb,
                &b.conversation,
                &b.agent,
            ))
        });
        let mut unknown: Vec<(String, u64)> = self.unknown.into_iter().collect();
        unknown.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        unknown.truncate(20);
        Outcome {
            items: items.into_iter().map(|(_, i)| i).collect(),
            rejected: Reason::ALL
                .iter()
                .map(|&r| (r, self.rejected[r as usize]))
                .collect(),
            unknown_agents: unknown,
            candidates: self.candidates.len() as u64 - duplicates,
        }
    }

    /// Per agent (by id), its candidates sorted by conversation id, shuffled with the agent's
    /// own seeded generator, and the first `per_agent` of them: candidate indices. A
    /// conversation id that an earlier candidate row has is a duplicate (their number second).
    fn pick(&self) -> (Vec<usize>, u64) {
        let mut order: Vec<usize> = (0..self.candidates.len()).collect();
        order.sort_unstable_by(|&a, &b| {
            let (ca, cb) = (&self.candidates[a], &self.candidates[b]);
            self.text(ca.id).cmp(self.text(cb.id)).then(a.cmp(&b))
        });
        let mut by_agent: Vec<Vec<usize>> = vec![Vec::new(); self.agents.len()];
        let mut duplicates = 0;
        let mut previous: Option<&str> = None;
        for i in order {
            let c = &self.candidates[i];
            let id = self.text(c.id);
            if previous == Some(id) {
                duplicates += 1;
                continue;
            }
            previous = Some(id);
            by_agent[c.agent as usize].push(i);
        }
        let mut agents: Vec<usize> = (0..self.agents.len()).collect();
        agents.sort_by(|&a, &b| self.agents[a].cmp(&self.agents[b]));
        let mut out = Vec::new();
        for a in agents {
            let mut list = std::mem::take(&mut by_agent[a]);
            let mut rng = self.rng(&["agent", &self.agents[a]]);
            list.shuffle(&mut rng);
            list.truncate(self.setup.per_agent as usize);
            out.extend(list);
        }
        (out, duplicates)
    }

    /// The reviewers in a seeded order for this cycle: who gets one more when the items do
    /// not divide evenly changes from cycle to cycle.
    fn reviewer_order(&self) -> Vec<String> {
        let mut r = self.setup.reviewers.clone();
        r.sort();
        r.shuffle(&mut self.rng(&["reviewers"]));
        r
    }

    /// A ChaCha8 generator seeded from the seed, the cycle and `parts`.
    fn rng(&self, parts: &[&str]) -> ChaCha8Rng {
        let mut h = Sha256::new();
        h.update(b"rubric-assign\0");
        h.update(self.setup.seed.to_be_bytes());
        h.update(self.setup.cycle.as_bytes());
        for p in parts {
            h.update([0u8]);
            h.update(p.as_bytes());
        }
        ChaCha8Rng::from_seed(h.finalize().into())
    }
}

/// `created_at` as a day or an instant, or `None`.
fn created_at(s: &str) -> Option<ReviewDate> {
    is_date_shape(s).then(|| parse_review_date(s)).flatten()
}

/// The first instant of `day` in `tz`, in seconds since 1970 (where midnight does not exist,
/// the first hour that does).
fn midnight(tz: Tz, day: NaiveDate) -> i64 {
    use chrono::TimeZone;
    (0..24)
        .filter_map(|h| {
            let local = day.and_hms_opt(h, 0, 0)?;
            tz.from_local_datetime(&local).earliest()
        })
        .map(|t| t.timestamp())
        .next()
        .unwrap_or_else(|| {
            day.and_hms_opt(0, 0, 0)
                .map_or(0, |t| t.and_utc().timestamp())
        })
}

/// The reviewer (index into `reviewers`) of each picked candidate. The items whose agent is a
/// reviewer (fewer choices) go first; each goes to the least loaded reviewer who is not its
/// agent (the earlier in `reviewers` on a tie). A last pass moves items from the most to the
/// least loaded reviewer while their loads differ by more than one and a move is allowed.
fn balance(
    picked: &[usize],
    candidates: &[Candidate],
    agents: &[String],
    reviewers: &[String],
) -> Vec<usize> {
    let agent_of = |p: usize| agents[candidates[picked[p]].agent as usize].as_str();
    let is_reviewer = |p: usize| reviewers.iter().any(|r| r == agent_of(p));
    let mut order: Vec<usize> = (0..picked.len()).collect();
    order.sort_by_key(|&p| !is_reviewer(p));
    let mut loads = vec![0usize; reviewers.len()];
    let mut out = vec![usize::MAX; picked.len()];
    for p in order {
        let best = (0..reviewers.len())
            .filter(|&r| reviewers[r] != agent_of(p))
            .min_by_key(|&r| (loads[r], r));
        if let Some(r) = best {
            out[p] = r;
            loads[r] += 1;
        }
    }
    while let (Some(max), Some(min)) = (
        (0..loads.len()).max_by_key(|&r| (loads[r], std::cmp::Reverse(r))),
        (0..loads.len()).min_by_key(|&r| (loads[r], r)),
    ) {
        if loads[max] <= loads[min] + 1 {
            break;
        }
        let Some(p) = (0..picked.len()).find(|&p| out[p] == max && agent_of(p) != reviewers[min])
        else {
            break;
        };
        out[p] = min;
        loads[max] -= 1;
        loads[min] += 1;
    }
    out
}
