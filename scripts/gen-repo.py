#!/usr/bin/env python3
"""Generate a synthetic, seeded QA repository with real git history.

Used by benchmarks and by history tests of `rubric`. Python 3.11, standard
library only. The whole history is streamed into ONE `git fast-import`
process, so 20,000 reviews (about 21,000 commits) take seconds.

    python3 scripts/gen-repo.py OUT_DIR --reviews 1000 [--seed 1] [--agents 40]
        [--reviewers 5] [--months 12] [--end 2026-11-15] [--timezone UTC]
        [--edit-rate 0.05] [--move-rate 0.02] [--delete-rate 0.01]
        [--merge-rate 0.003] [--calibration-rate 0.03] [--no-checkout]
        [--scorecards] [--layout month|day|reviewer]

Determinism: the same arguments give byte-identical files and identical
commit ids (all names, e-mails and dates come from `random.Random(seed)`;
time-zone offsets come from built-in DST rules, not from the system's tz
database). Different --reviews values give different histories.

Model of the generated history
------------------------------
People (qa.yaml `people`): 2 leads (team `leads`), --reviewers reviewers
(team `qa`) and --agents agents in teams tier1, tier2, billing and chat.
Everyone has 2-3 e-mail addresses in the roster. Leads and reviewers are
the only commit authors; each commit picks one of the author's addresses
(and sometimes the bare person id as the author name). Two reviewers also
commit, early in the history, from an old address that only `.mailmap`
maps (one with the `Name <new> <old>` form, one with the
`Name <new> Old Name <old>` form), so resolving authors needs both the
roster and the mailmap. About 10% of the agents are hired part-way
through (a qa.yaml commit adds them before their first review), and one
reviewer gets an extra address later (a qa.yaml commit, then used).

Rubrics (rubrics/<id>.yaml, each commit valid against the schema):
  support  v1 at the start; v2 at 30% (greeting dropped, empathy added,
           solution weight 3 -> 4, pass mark 85 -> 80); a wording-only
           commit at 50% that keeps v2; v3 at 70% (escalation: critical and
           na, internal_notes: weight 0, tone scale 4 -> 5, grammar weight
           0.5, a new group). With --scorecards, v3 instead makes escalation
           and empathy `critical: group` (they fail their group, not the
           review) and adds extra_mile, a `bonus` category (scale 3, na).
  billing  v1 at the start; a label-only commit at 45% that keeps v1; v2 at
           55% (explanation scale 5 -> 4, follow_up added, pass_mark removed).
  chat     v1, created at 20% of the history.
Percentages are positions in the sequence of review additions. A review
names `id@version` of the version current (on its branch) when it was
written, so the final tree holds support@1, support@2 and billing@1 reviews
whose rubric versions exist only in history.

Commits, in time order (dates strictly increasing over --months months
ending on --end, mostly on weekdays, author == committer, per-person time
zones with DST, including -03:30, +05:30 and +05:45):
  * initial commit by a lead: qa.yaml, .mailmap, README.md, support and
    billing v1;
  * one commit per added review (the reviewer is the author), path
    reviews/YYYY/MM/<id>.yaml from the review date (with --layout day,
    reviews/YYYY/MM/DD/<id>.yaml; with --layout reviewer,
    reviews/YYYY/MM/<reviewer>/<id>.yaml; the same content and commits
    otherwise, only the paths and so the trees differ). ~20% omit `reviewer`
    and ~20% omit `reviewed_at` (then the commit's author and date are the
    defaults); a few name agent or reviewer by e-mail; `reviewed_at` is a
    date or an RFC 3339 time up to two weeks before the commit;
  * calibration sessions (~--calibration-rate of the reviews): 3-5 reviewers
    each rate the same conversation, `calibration: YYYY-wWW`;
  * edits (~--edit-rate of reviews): a later commit by a lead or another
    reviewer changes one rating after a dispute;
  * moves (~--move-rate): weekly "archive" commits rename reviews that are
    at least 30 days old to reviews/archive/YYYY/MM/<id>.yaml, content
    unchanged (several renames per commit when --reviews is large);
  * deletions (~--delete-rate): a duplicate removed within a few days;
  * rubric and roster commits by leads, as listed above;
  * merges (round(--reviews x --merge-rate) of them, spread over the
    history, so none below ~170 reviews by default): a reviewer's branch adds 2-5
    reviews while main moves on, then a lead merges it (a real two-parent
    merge; the branch reviews were added by the branch commits). One
    branch is open while support v2 lands on main, so its support@1
    reviews reach main through the merge after v1 is gone.
Ratings follow a per-agent skill with a trend over the year, per-reviewer
leniency and per-category difficulty: mostly good scores, some failures,
~2-4% critical failures (score 0). Ratings are integers, `na` where the
category allows it, or mappings with comment and root_causes taken from the
category's list. Review ids are <zd|ic>-<conversation>-<reviewer>, unique.
"""

from __future__ import annotations

import argparse
import bisect
import copy
import datetime as dt
import itertools
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from random import Random

UTC = dt.timezone.utc

# --------------------------------------------------------------------------
# Minimal YAML emission (only what the generated files need)
# --------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.@+/:'-]*$")
_RESERVED = re.compile(
    r"^(?:y|n|yes|no|true|false|on|off|null|~)$", re.IGNORECASE)
_NUMBERISH = re.compile(r"^[-+0-9._:eExXoO]+$")  # ints, floats, sexagesimal, dates


def scalar(value: object, flow: bool = False) -> str:
    """One YAML scalar: plain where that is unambiguous, else double-quoted."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    s = str(value)
    plain = (
        _PLAIN.match(s)
        and not _RESERVED.match(s)
        and not _NUMBERISH.match(s)
        and not s.endswith((" ", ":"))
        and ": " not in s
        and " #" not in s
        and not (flow and re.search(r"[,\[\]{}]", s))
    )
    return s if plain else json.dumps(s, ensure_ascii=False)


def flow_list(items: list) -> str:
    return "[" + ", ".join(scalar(x, flow=True) for x in items) + "]"


def block(obj: dict, indent: int = 0) -> list[str]:
    """Block-style YAML for nested dicts, lists of dicts and scalar lists."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in obj.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines += block(value, indent + 2)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"{pad}{key}:")
            for item in value:
                sub = block(item, indent + 4)
                sub[0] = f"{pad}  - {sub[0][indent + 4:]}"
                lines += sub
        elif isinstance(value, list):
            lines.append(f"{pad}{key}: {flow_list(value)}")
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")
    return lines


# --------------------------------------------------------------------------
# Time zones: fixed rules so that output never depends on the system tzdata
# --------------------------------------------------------------------------

def _nth_sunday(year: int, month: int, n: int) -> dt.date:
    """n-th Sunday of a month (n = -1: the last one)."""
    if n > 0:
        d = dt.date(year, month, 1)
        d += dt.timedelta(days=(6 - d.weekday()) % 7)
        return d + dt.timedelta(weeks=n - 1)
    d = dt.date(year, month + 1, 1) - dt.timedelta(days=1) if month < 12 else dt.date(year, 12, 31)
    return d - dt.timedelta(days=(d.weekday() + 1) % 7)


def _utc(d: dt.date, hour_utc: float) -> int:
    return int(dt.datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp() + hour_utc * 3600)


# zone -> (standard offset in minutes, DST offset or None, DST rule)
ZONES = {
    "UTC": (0, None, None),
    "Europe/London": (0, 60, "eu"),
    "Europe/Berlin": (60, 120, "eu"),
    "Europe/Tallinn": (120, 180, "eu"),
    "America/New_York": (-300, -240, "us"),
    "America/Los_Angeles": (-480, -420, "us"),
    "America/St_Johns": (-210, -150, "us"),
    "America/Sao_Paulo": (-180, None, None),
    "Asia/Kolkata": (330, None, None),
    "Asia/Kathmandu": (345, None, None),
    "Asia/Manila": (480, None, None),
    "Australia/Sydney": (600, 660, "au"),
}


def utc_offset(zone: str, epoch: int) -> int:
    """UTC offset in minutes of `zone` at `epoch` (EU, US and AU DST rules)."""
    std, dst, rule = ZONES[zone]
    if rule is None:
        return std
    year = dt.datetime.fromtimestamp(epoch, UTC).year
    if rule == "eu":  # last Sunday of March .. last Sunday of October, 01:00 UTC
        on = _utc(_nth_sunday(year, 3, -1), 1)
        off = _utc(_nth_sunday(year, 10, -1), 1)
        return dst if on <= epoch < off else std
    if rule == "us":  # second Sunday of March .. first Sunday of November, 02:00 local
        on = _utc(_nth_sunday(year, 3, 2), 2 - std / 60)
        off = _utc(_nth_sunday(year, 11, 1), 2 - dst / 60)
        return dst if on <= epoch < off else std
    # "au", southern hemisphere: DST from the first Sunday of October to the
    # first Sunday of April (02:00 / 03:00 local)
    off = _utc(_nth_sunday(year, 4, 1), 3 - dst / 60)
    on = _utc(_nth_sunday(year, 10, 1), 2 - std / 60)
    return std if off <= epoch < on else dst


def git_tz(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def local_time(epoch: int, minutes: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.timezone(dt.timedelta(minutes=minutes)))


# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------

FIRST_NAMES = [
    "Alice", "Bob", "Carol", "Dan", "Erin", "Frank", "Grace", "Heidi", "Ivan",
    "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent",
    "Victor", "Walter", "Zoë", "José", "Jürgen", "Siobhán", "Björn", "Renée",
    "Ana", "Liis", "Mart", "Kadri", "Priya", "Arjun", "Mei", "Hiroshi",
    "Fatima", "Omar", "Chloé", "Lars", "Ingrid", "Tomás", "Aoife", "Kwame",
    "Amara", "Diego", "Lucía", "Nils", "Sanna", "Marek", "Olga", "Pavel",
    "Yuki", "Sven", "Elif", "Mehmet", "Noor", "Lena", "Jonas", "Emma", "Noah",
    "Mia", "Leo", "Sara", "Ravi", "Tanvi", "Hana", "Jin", "Kofi", "Nadia",
    "Rosa", "Theo", "Vera", "Wen", "Xavier", "Yara", "Zane",
]
LAST_NAMES = [
    "Smith", "Jones", "Tamm", "Saar", "Kask", "García", "Müller", "O'Neill",
    "Nguyen", "Kim", "Patel", "Sato", "Novak", "Kowalski", "Andersson",
    "Rossi", "Dubois", "Silva", "Okafor", "Haddad", "Yilmaz", "Ivanova",
    "Mets", "Lepp", "Brown", "Taylor", "Chen", "Wang", "Khan", "Costa",
    "Schmidt", "Larsen", "Virtanen", "Horvat", "Popescu", "Fischer", "Moreau",
    "Lindqvist",
]
AGENT_TEAMS = [("tier1", 40), ("tier2", 25), ("billing", 20), ("chat", 15)]
STAFF_ZONES = ["Europe/Tallinn", "Europe/London", "Europe/Berlin", "America/New_York",
               "America/St_Johns", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Sydney",
               "America/Los_Angeles", "UTC"]
AGENT_ZONES = ["Europe/Tallinn", "Europe/London", "America/New_York", "Asia/Manila",
               "America/Sao_Paulo", "Asia/Kolkata"]


def ascii_slug(s: str) -> str:
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", s.lower())


@dataclass(eq=False)
class Person:
    id: str
    name: str
    team: str
    zone: str
    emails: list[str]                   # as in the final qa.yaml
    late_email_at: float | None = None  # the last e-mail is added to qa.yaml then
    legacy: tuple[str, str] | None = None  # (name, e-mail) mapped only by .mailmap
    hire_at: float = 0.0                # position in history when added to qa.yaml
    skill: float = 0.85                 # agents: mean quality 0..1
    trend: float = 0.0                  # agents: change of skill over the history
    bias: float = 0.0                   # reviewers: leniency
    workload: float = 1.0               # reviewers: share of reviews; agents: share reviewed

    def roster_emails(self, pos: float) -> list[str]:
        if self.late_email_at is not None and pos < self.late_email_at:
            return self.emails[:-1]
        return self.emails

    def identity(self, rng: Random, pos: float) -> tuple[str, str]:
        """A commit identity (name, e-mail) this person uses at position `pos`."""
        if self.legacy and pos < 0.3 and rng.random() < 0.5:
            return self.legacy
        emails = self.roster_emails(pos)
        email = rng.choices(emails, weights=[6, 3, 1][: len(emails)])[0]
        name = self.id if rng.random() < 0.1 else self.name
        return name, email


def make_people(rng: Random, n_agents: int, n_reviewers: int) -> list[Person]:
    people: list[Person] = []
    ids: set[str] = set()
    emails: set[str] = set()
    first_pool = FIRST_NAMES[:]
    rng.shuffle(first_pool)

    def unique(candidate: str, taken: set[str]) -> str:
        out, n = candidate, 2
        while out in taken:
            out, n = f"{candidate}{n}", n + 1
        taken.add(out)
        return out

    def new_person(team: str, zone: str, k: int) -> Person:
        first = first_pool[k % len(first_pool)]
        last = rng.choice(LAST_NAMES)
        f, l = ascii_slug(first), ascii_slug(last)
        pid = unique(f if f not in ids else f"{f}.{l}", ids)
        main = unique(f"{f}.{l}", emails)
        addrs = [f"{main}@acme.com"]
        short = f"{f[0]}{l}@acme.com"
        if short not in emails:
            emails.add(short)
            addrs.append(short)
        if len(addrs) < 2 or rng.random() < 0.5:
            third = (f"{pid}@support.acme.com" if rng.random() < 0.5 else
                     f"{rng.randint(1000000, 9999999)}+{pid}@users.noreply.github.com")
            emails.add(third)
            addrs.append(third)
        return Person(pid, f"{first} {last}", team, zone, addrs)

    # Leads sit in Europe; reviewers are dealt distinct zones, alternately
    # west and east of Greenwich, while they last.
    west = [z for z in STAFF_ZONES if ZONES[z][0] < 0]
    east = [z for z in STAFF_ZONES if ZONES[z][0] >= 0]
    rng.shuffle(west)
    rng.shuffle(east)
    zones = [z for pair in itertools.zip_longest(west, east) for z in pair if z]
    k = 0
    for _ in range(2):
        people.append(new_person("leads", rng.choice(STAFF_ZONES[:3]), k))
        k += 1
    for i in range(n_reviewers):
        p = new_person("qa", zones[i % len(zones)], k)
        p.bias = rng.gauss(0, 0.04)
        p.workload = rng.uniform(0.5, 1.5)
        people.append(p)
        k += 1
    for i in range(n_agents):
        team = rng.choices([t for t, _ in AGENT_TEAMS], weights=[w for _, w in AGENT_TEAMS])[0]
        p = new_person(team, rng.choice(AGENT_ZONES), k)
        p.skill = min(0.97, max(0.55, rng.gauss(0.86, 0.06)))
        p.trend = rng.gauss(0, 0.06)
        p.workload = rng.uniform(0.6, 1.4)
        p.hire_at = 0.4 if rng.random() < 0.1 and i > 0 else 0.0  # the first is never late
        people.append(p)
        k += 1

    reviewers = [p for p in people if p.team == "qa"]
    # Two reviewers committed from old addresses that only .mailmap maps.
    if reviewers:
        r = reviewers[0]
        r.legacy = (r.name, f"{ascii_slug(r.name.split()[0])}@helpdesk-legacy.example")
    if len(reviewers) > 1:
        r = reviewers[1]
        r.legacy = (r.name.split()[0], f"{r.id}@old-laptop.local")
    # One reviewer gets an extra address part-way through.
    for r in reviewers[2:]:
        if len(r.emails) < 3:
            r.emails.append(f"{r.id}@qa.acme.com")
            r.late_email_at = 0.6
            break
    return people


def render_mailmap(people: list[Person]) -> str:
    lines = ["# Old commit identities -> the addresses in qa.yaml"]
    for p in people:
        if p.legacy:
            name, email = p.legacy
            if name == p.name:
                lines.append(f"{p.name} <{p.emails[0]}> <{email}>")
            else:
                lines.append(f"{p.name} <{p.emails[0]}> {name} <{email}>")
    return "\n".join(lines) + "\n"


def render_config(people: list[Person], pos: float, timezone: str) -> str:
    lines = [
        "# rubric repository configuration (SPEC.md section 4)",
        "paths: { rubrics: rubrics, reviews: reviews, templates: templates }",
        f"timezone: {scalar(timezone)}",
        "week_start: monday",
        "people:",
    ]
    for p in people:
        if p.hire_at <= pos:
            lines.append(f"  {p.id}: {{ name: {scalar(p.name, True)}, team: {p.team}, "
                         f"emails: {flow_list(p.roster_emails(pos))} }}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Rubrics and their versions
# --------------------------------------------------------------------------

def _cat(id, title, description, scale, weight=None, group=None, labels=None,
         critical=False, na=False, root_causes=None, bonus=False) -> dict:
    c = {"id": id, "title": title, "description": description}
    if group:
        c["group"] = group
    c["scale"] = scale
    if labels:
        c["labels"] = labels
    if weight is not None:
        c["weight"] = weight
    if critical:
        c["critical"] = critical  # True, or "group"
    if bonus:
        c["bonus"] = True
    if na:
        c["na"] = True
    if root_causes:
        c["root_causes"] = root_causes
    return c


SUPPORT_V1 = {
    "id": "support", "version": 1, "title": "Support conversations",
    "description": "How we judge email and chat support.", "pass_mark": 85,
    "groups": [{"id": "resolution", "title": "Resolution"},
               {"id": "communication", "title": "Communication"}],
    "categories": [
        _cat("greeting", "Greeting", "Did the agent greet the customer and introduce themselves?",
             3, 1, "communication", ["Missing", "Generic", "Personal"]),
        _cat("solution", "Solution offered", "Did the agent solve the customer's problem?",
             4, 3, "resolution", ["Wrong", "Partial", "Good", "Excellent"], critical=True,
             root_causes=["knowledge", "process", "tooling"]),
        _cat("accuracy", "Correct information", "Was everything the agent said true and current?",
             2, 2, "resolution", ["No", "Yes"], critical=True,
             root_causes=["knowledge", "documentation"]),
        _cat("tone", "Tone", "Was the agent friendly and professional?", 4, 2, "communication",
             root_causes=["training", "attitude"]),
        _cat("grammar", "Spelling and grammar", "Was the reply free of language errors?",
             3, 1, "communication", na=True),
    ],
}
BILLING_V1 = {
    "id": "billing", "version": 1, "title": "Billing conversations",
    "description": "Refunds, invoices and plan changes.", "pass_mark": 90,
    "categories": [
        _cat("verification", "Identity verified", "Was the account holder verified first?",
             2, 2, critical=True, root_causes=["process", "security"]),
        _cat("explanation", "Charges explained", "Could the customer follow the explanation?",
             5, 2, root_causes=["knowledge", "documentation"]),
        _cat("refund_policy", "Refund policy", "Was the refund policy applied correctly?",
             3, 2, na=True, root_causes=["knowledge", "policy"]),
        _cat("tone", "Tone", "Was the agent friendly and professional?", 4),
    ],
}
CHAT_V1 = {
    "id": "chat", "version": 1, "title": "Live chat",
    "description": "Short synchronous conversations in the web widget.", "pass_mark": 80,
    "categories": [
        _cat("first_response", "First response", "Was the first reply quick and relevant?",
             3, 1, root_causes=["staffing", "tooling"]),
        _cat("solution", "Solution offered", "Did the agent solve the customer's problem?",
             4, 3, critical=True, root_causes=["knowledge", "process"]),
        _cat("tone", "Tone", "Was the agent friendly and professional?", 4, 1),
        _cat("closing", "Closing", "Did the agent confirm the issue was solved before closing?",
             2, 1, na=True),
    ],
}


def _categories(r: dict) -> dict:
    return {c["id"]: c for c in r["categories"]}


def rubric_changes(scorecards: bool = False) -> list[tuple[float, dict, str]]:
    """(position in history, full rubric content, commit message), in order. With
    `scorecards`, support v3 fails groups instead of reviews and has a bonus category."""
    out = []
    s2 = copy.deepcopy(SUPPORT_V1)
    s2["version"], s2["pass_mark"] = 2, 80
    cats = [c for c in s2["categories"] if c["id"] != "greeting"]
    cats[0]["weight"] = 4
    cats.insert(3, _cat("empathy", "Empathy", "Did the agent acknowledge the customer's situation?",
                        5, 2, "communication",
                        ["None", "Scripted", "Adequate", "Warm", "Outstanding"],
                        root_causes=["training"]))
    s2["categories"] = cats

    s2b = copy.deepcopy(s2)  # wording only, keeps version 2
    s2b["description"] = "How we judge email, chat and phone support."
    _categories(s2b)["tone"]["description"] = "Was the agent friendly, clear and professional?"

    s3 = copy.deepcopy(s2b)
    s3["version"] = 3
    s3["groups"].append({"id": "process", "title": "Process",
                         "description": "Internal steps the customer does not see."})
    c3 = _categories(s3)
    c3["tone"]["scale"] = 5
    c3["tone"]["labels"] = ["Rude", "Cold", "Neutral", "Friendly", "Delightful"]
    c3["grammar"]["weight"] = 0.5
    s3["categories"] += [
        _cat("escalation", "Escalated correctly", "Was the ticket escalated when policy requires it?",
             2, 2, "process", ["No", "Yes"], critical=True, na=True, root_causes=["process"]),
        _cat("internal_notes", "Internal notes", "Are the internal notes useful to the next agent?",
             3, 0, "process"),
    ]

    if scorecards:
        c3 = _categories(s3)
        c3["escalation"]["critical"] = "group"
        c3["empathy"]["critical"] = "group"
        s3["categories"].append(_cat(
            "extra_mile", "Went the extra mile", "Did the agent do more than the ticket asked?",
            3, 1, na=True, bonus=True))

    b1b = copy.deepcopy(BILLING_V1)  # labels only, keeps version 1
    _categories(b1b)["explanation"]["labels"] = ["Confusing", "Unclear", "Adequate", "Clear",
                                                 "Crystal clear"]
    b2 = copy.deepcopy(b1b)
    b2["version"] = 2
    del b2["pass_mark"]
    ex = _categories(b2)["explanation"]
    ex["scale"], ex["labels"] = 4, ["Confusing", "Unclear", "Clear", "Crystal clear"]
    b2["categories"].append(_cat("follow_up", "Follow-up", "Did the agent set up a follow-up where needed?",
                                 3, 1, na=True, root_causes=["process"]))

    out += [
        (0.20, CHAT_V1, "Add chat rubric (v1)"),
        (0.30, s2, "support v2: drop greeting, add empathy, solution weight 4, pass mark 80"),
        (0.45, b1b, "billing: add labels to explanation (no scoring change)"),
        (0.50, s2b, "support: reword descriptions (no scoring change)"),
        (0.55, b2, "billing v2: explanation on a 4-point scale, add follow_up, drop pass_mark"),
        (0.70, s3, "support v3: escalation and internal_notes, tone on a 5-point scale"),
    ]
    return out


def render_rubric(r: dict) -> str:
    return "\n".join(block(r)) + "\n"


# --------------------------------------------------------------------------
# Reviews
# --------------------------------------------------------------------------

LOW_COMMENTS = [
    "Missed the account check before changing the plan.",
    "The answer did not match the current help article.",
    "Customer had to ask twice for the same thing.",
    "Closed without confirming the fix worked.",
    "Curt opening.",
    "Copy-pasted macro did not fit the question.",
    "Promised a callback that never happened.",
    "Refund amount was calculated wrongly.",
    "Used internal jargon the customer could not follow.",
    "Should have escalated to tier 2.",
    "Answer was right, but took three replies to get there.",
    'Customer wrote "<script>alert(1)</script>" in the form; agent handled it calmly & safely.',
    "Tone was a bit cold — “per my last email” is not great.",
]
GOOD_COMMENTS = [
    "Great recovery after a rough start.",
    "Clear and friendly.",
    "Textbook handling of a difficult customer.",
    "Nice use of the new macro.",
    "Customer replied “thank you so much!” 🎉",
    "Solid work.",
]
NA_COMMENTS = ["Not applicable: phone call.", "No escalation needed.", "Not relevant here."]
OVERALL_COMMENTS = [
    "Good fix, work on the greeting.",
    "Strong conversation overall.",
    "Please review the refund policy article.",
    "Nice tone, but double-check facts before sending.",
    "Well done under pressure.",
    "Solid. Keep it up!",
    "See the comments per category.",
    "Accurate answer; a little slow.",
]
MULTILINE_COMMENT = ("Reviewed together in the weekly 1:1.\n"
                     "- verify the account first\n"
                     "- link the help article instead of pasting it\n")
DIFFICULTY = {"grammar": 0.05, "empathy": -0.06, "internal_notes": -0.1, "explanation": -0.04,
              "first_response": -0.03, "follow_up": -0.05, "refund_policy": -0.02}
CRITICAL_FAIL = 0.012  # per critical category, on top of plain bad luck


@dataclass(eq=False)
class Calibration:
    session: str | None = None  # decided when the first of its reviews is committed


@dataclass(eq=False)
class Review:
    id: str
    rubric: dict
    agent: Person
    reviewer: Person
    conversation: int
    conv_as_int: bool
    channel: str | None
    url: str | None
    agent_ref: str
    reviewer_ref: str | None  # None: omitted (the commit author is the default)
    date_mode: str            # omit | date | date_quoted | datetime | datetime_z
    lag: int                  # seconds between reviewed_at and the adding commit
    show_id: bool
    ratings: dict
    comment: str | None
    calibration: Calibration | None = None
    # planning state
    deleted: bool = False
    moved: bool = False
    # rendering state
    reviewed_at: str | None = None
    path: str | None = None
    text: bytes = b""


def level(v: float, scale: int) -> int:
    return 1 + round(min(1.0, max(0.0, v)) * (scale - 1))


def make_rating(rng: Random, cat: dict, quality: float, na: bool, crit_fail: bool) -> object:
    """One rating of a category: int, 'na' or a mapping with comment/root_causes."""
    n = cat["scale"]
    if na:
        return {"rating": "na", "comment": rng.choice(NA_COMMENTS)} if rng.random() < 0.1 else "na"
    if crit_fail:
        r = rng.randint(1, n // 2)  # the lower half of the scale: value < 0.5
    else:
        r = level(quality + DIFFICULTY.get(cat["id"], 0) + (0.08 if cat.get("critical") else 0)
                  + rng.gauss(0, 0.13), n)
    causes = cat.get("root_causes") or []
    if r < n and causes and rng.random() < 0.55:
        m: dict = {"rating": r}
        if rng.random() < 0.8:
            m["comment"] = rng.choice(LOW_COMMENTS)
        m["root_causes"] = rng.sample(causes, rng.randint(1, min(2, len(causes))))
        m["_block"] = rng.random() < 0.3
        return m
    if r == n and rng.random() < 0.04:
        return {"rating": r, "comment": rng.choice(GOOD_COMMENTS), "_block": False}
    return r


def rating_value(v: object) -> object:
    return v["rating"] if isinstance(v, dict) else v


def render_rating(v: object) -> str | list[str]:
    """A rating as YAML: a scalar, a one-line flow mapping, or block-mapping lines."""
    if not isinstance(v, dict):
        return str(v)
    parts = []
    for k, x in v.items():
        if k == "_block":  # presentation only: block or flow mapping
            continue
        text = (flow_list(x) if isinstance(x, list) else
                json.dumps(x, ensure_ascii=False) if k == "comment" else str(x))
        parts.append(f"{k}: {text}")
    return parts if v.get("_block") else "{ " + ", ".join(parts) + " }"


def render_review(rv: Review, ratings: dict, comment: str | None) -> bytes:
    out = []
    if rv.show_id:
        out.append(f"id: {rv.id}")
    out.append(f"rubric: {rv.rubric['id']}@{rv.rubric['version']}")
    out.append(f"agent: {scalar(rv.agent_ref)}")
    if rv.reviewer_ref:
        out.append(f"reviewer: {scalar(rv.reviewer_ref)}")
    if rv.reviewed_at:
        out.append(f"reviewed_at: {rv.reviewed_at}")
    out.append("conversation:")
    out.append(f"  id: {rv.conversation}" if rv.conv_as_int else f'  id: "{rv.conversation}"')
    if rv.url:
        out.append(f"  url: {rv.url}")
    if rv.channel:
        out.append(f"  channel: {rv.channel}")
    if rv.calibration:
        out.append(f"calibration: {rv.calibration.session}")
    out.append("ratings:")
    for cat, value in ratings.items():
        r = render_rating(value)
        if isinstance(r, list):
            out.append(f"  {cat}:")
            out += [f"    {line}" for line in r]
        else:
            out.append(f"  {cat}: {r}")
    if comment:
        if "\n" in comment:
            out.append("comment: |")
            out += [f"  {line}" for line in comment.rstrip("\n").split("\n")]
        else:
            out.append(f"comment: {scalar(comment)}")
    return ("\n".join(out) + "\n").encode()


# --------------------------------------------------------------------------
# Planning: the history as a list of events, before dates are known
# --------------------------------------------------------------------------

MAIN, TOPIC = "refs/heads/main", "refs/heads/topic"


@dataclass(eq=False)
class Branch:
    name: str
    reviewer: Person
    todo: int
    wait: int
    rubrics: dict
    agents: list[Person]
    reviews: list[Review] = field(default_factory=list)
    base_mark: int = 0  # main's tip when the branch was opened (set while rendering)
    tip_mark: int = 0


@dataclass(eq=False)
class Event:
    kind: str  # init add edit move delete rubric roster branch merge
    ident: tuple[str, str] | None = None
    author: Person | None = None
    message: str = ""
    ref: str = MAIN
    files: list[tuple[str, bytes]] = field(default_factory=list)  # fixed content
    review: Review | None = None
    reviews: list[Review] = field(default_factory=list)
    ratings: dict | None = None
    comment: str | None = None
    branch: Branch | None = None


class Planner:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.rng = Random(args.seed)
        self.n = args.reviews
        self.people = make_people(self.rng, args.agents, args.reviewers)
        self.leads = [p for p in self.people if p.team == "leads"]
        self.reviewers = [p for p in self.people if p.team == "qa"]
        self.agents = [p for p in self.people if p.team not in ("leads", "qa")]
        self.rubrics: dict[str, dict] = {}
        self.events: list[Event] = []
        self.pending: dict[int, list[tuple[str, Review]]] = defaultdict(list)
        self.calibration_queue: list[Review] = []
        self.next_conversation = 40000 + self.rng.randint(0, 9999)
        self.branch: Branch | None = None
        self.branch_count = 0
        days = max(1, args.months * 30.44)
        self.steps_per_day = self.n / days
        self.archive_every = max(1, round(7 * self.steps_per_day))
        self._hire_positions = sorted({a.hire_at for a in self.agents})
        self._agents_at: dict[int, list[Person]] = {}
        self._cum_weights: dict[int, tuple[list[Person], list[float]]] = {}

    # -- helpers ---------------------------------------------------------
    def pos(self, step: int) -> float:
        return step / max(1, self.n)

    def emit(self, kind: str, author: Person, step: int, **kw) -> Event:
        ev = Event(kind, author.identity(self.rng, self.pos(step)), author, **kw)
        self.events.append(ev)
        return ev

    def steps(self, days: float) -> int:
        return max(1, round(days * self.steps_per_day))

    def agents_at(self, step: int) -> list[Person]:
        # Memoised by how many hiring positions have passed: the list only changes there.
        pos = self.pos(step)
        key = bisect.bisect_right(self._hire_positions, pos)
        hit = self._agents_at.get(key)
        if hit is None:
            hit = self._agents_at[key] = [a for a in self.agents if a.hire_at <= pos]
        return hit

    def pick(self, people: list[Person]) -> Person:
        """One of `people`, weighted by workload (the same draw as `choices(weights=...)`)."""
        hit = self._cum_weights.get(id(people))
        if hit is None or hit[0] is not people:
            hit = (people, list(itertools.accumulate(p.workload for p in people)))
            self._cum_weights[id(people)] = hit
        return self.rng.choices(people, cum_weights=hit[1])[0]

    def rubric_for(self, agent: Person, rubrics: dict) -> dict:
        if agent.team == "billing" and self.rng.random() < 0.8:
            return rubrics["billing"]
        if agent.team == "chat" and "chat" in rubrics and self.rng.random() < 0.9:
            return rubrics["chat"]
        return rubrics["support"]

    def new_conversation(self) -> int:
        self.next_conversation += self.rng.randint(1, 40)
        return self.next_conversation

    # -- reviews ---------------------------------------------------------
    def new_review(self, step: int, reviewer: Person, agent: Person, rubric: dict,
                   conversation: int | None = None, channel: str | None = None,
                   ratings: dict | None = None, calibration: Calibration | None = None) -> Review:
        rng = self.rng
        if conversation is None:
            conversation = self.new_conversation()
        if channel is None:
            channel = ("chat" if rubric["id"] == "chat" else
                       rng.choices(["email", "chat", "phone"], weights=[6, 3, 1])[0])
        if channel == "chat":
            rid, url = f"ic-{conversation}-{reviewer.id}", \
                f"https://app.intercom.com/a/inbox/acme/inbox/conversation/{conversation}"
        else:
            rid, url = f"zd-{conversation}-{reviewer.id}", \
                f"https://acme.zendesk.com/agent/tickets/{conversation}"
        if ratings is None:
            ratings = self.rate(rubric, agent, reviewer, step)
        comment = None
        c = rng.random()
        if c < 0.02:
            comment = MULTILINE_COMMENT
        elif c < 0.5:
            comment = rng.choice(OVERALL_COMMENTS)
        lag_kind = rng.random()
        lag = (rng.randint(0, 4 * 3600) if lag_kind < 0.7 else
               rng.randint(86400, 3 * 86400) if lag_kind < 0.95 else
               rng.randint(5 * 86400, 14 * 86400))
        return Review(
            id=rid, rubric=rubric, agent=agent, reviewer=reviewer,
            conversation=conversation, conv_as_int=rng.random() < 0.3,
            channel=channel if rng.random() < 0.95 else None,
            url=url if rng.random() < 0.9 else None,
            agent_ref=agent.emails[0] if rng.random() < 0.05 else agent.id,
            reviewer_ref=(None if rng.random() < 0.2 else
                          reviewer.emails[0] if rng.random() < 0.07 else reviewer.id),
            date_mode=rng.choices(["omit", "date", "date_quoted", "datetime", "datetime_z"],
                                  weights=[20, 57, 3, 14, 6])[0],
            lag=lag, show_id=rng.random() < 0.25, ratings=ratings, comment=comment,
            calibration=calibration)

    def quality(self, agent: Person, step: int, bias: float = 0.0) -> float:
        """The agent's expected rating value (0..1) now, as a reviewer with `bias` sees it."""
        return agent.skill + agent.trend * (self.pos(step) - 0.5) + bias

    def rate(self, rubric: dict, agent: Person, reviewer: Person, step: int) -> dict:
        q = self.quality(agent, step, reviewer.bias)
        rng = self.rng
        return {c["id"]: make_rating(rng, c, q, bool(c.get("na")) and rng.random() < 0.2,
                                     bool(c.get("critical")) and rng.random() < CRITICAL_FAIL)
                for c in rubric["categories"]}

    def queue_calibration(self, step: int) -> None:
        """3-5 reviewers rate the same conversation (or two) independently."""
        rng = self.rng
        if len(self.reviewers) < 2:
            return
        session = Calibration()
        agents = [a for a in self.agents_at(step) if a.team in ("tier1", "tier2", "chat")] \
            or self.agents_at(step)
        for _ in range(rng.choice([1, 1, 2])):
            agent = rng.choice(agents)
            rubric = self.rubric_for(agent, self.rubrics)
            conversation = self.new_conversation()
            channel = "chat" if rubric["id"] == "chat" else "email"
            truth = {c["id"]: (bool(c.get("na")) and rng.random() < 0.2,
                               bool(c.get("critical")) and rng.random() < 0.05,
                               self.quality(agent, step) + rng.gauss(0, 0.1))
                     for c in rubric["categories"]}
            k = min(len(self.reviewers), rng.randint(3, 5))
            for reviewer in rng.sample(self.reviewers, k):
                ratings = {}
                for c in rubric["categories"]:
                    na, crit, q = truth[c["id"]]
                    if c.get("na") and rng.random() < 0.1:
                        na = not na  # reviewers disagree on applicability
                    ratings[c["id"]] = make_rating(rng, c, q + reviewer.bias, na, crit)
                self.calibration_queue.append(self.new_review(
                    step, reviewer, agent, rubric, conversation, channel, ratings, session))

    def normal_review(self, step: int, reviewer: Person | None = None,
                      agents: list[Person] | None = None, rubrics: dict | None = None) -> Review:
        rng = self.rng
        reviewer = reviewer or self.pick(self.reviewers)
        agents = agents or self.agents_at(step)
        agent = self.pick(agents)
        return self.new_review(step, reviewer, agent, self.rubric_for(agent, rubrics or self.rubrics))

    # -- follow-up events ------------------------------------------------
    def schedule_followups(self, rv: Review, step: int) -> None:
        """Decide whether a review that just reached main is edited, moved, deleted."""
        rng, a = self.rng, self.args
        calibration = rv.calibration is not None  # never disputed nor deleted
        if rng.random() < a.delete_rate and not calibration:
            self.pending[step + self.steps(rng.uniform(0.05, 5))].append(("delete", rv))
        if rng.random() < a.edit_rate and not calibration:
            self.pending[step + self.steps(rng.uniform(0.5, 30))].append(("edit", rv))
        earliest = step + self.steps(30)  # archived once at least a month old
        if rng.random() < a.move_rate and earliest < self.n:
            due = rng.randint(earliest, self.n - 1)
            due += -due % self.archive_every  # batched into weekly archive commits
            self.pending[due].append(("move", rv))

    def edit(self, rv: Review, step: int) -> None:
        rng = self.rng
        cats = _categories(rv.rubric)
        numeric = [k for k, v in rv.ratings.items() if isinstance(rating_value(v), int)]
        if not numeric:
            return
        # prefer the lowest-rated category: that is what agents dispute
        cat = min(numeric, key=lambda k: (rating_value(rv.ratings[k]) - 1) / (cats[k]["scale"] - 1)
                  + rng.random() * 0.3)
        old = rating_value(rv.ratings[cat])
        scale = cats[cat]["scale"]
        up = old < scale and (old == 1 or rng.random() < 0.85)
        new = old + 1 if up else old - 1
        ratings = copy.deepcopy(rv.ratings)
        if isinstance(ratings[cat], dict):
            ratings[cat]["rating"] = new
            if new == scale:
                ratings[cat].pop("root_causes", None)
        else:
            ratings[cat] = new
        note = "Raised after dispute." if up else "Lowered after second review."
        if not rv.comment:
            comment = note
        elif "\n" in rv.comment:  # a literal block: add a line
            comment = f"{rv.comment}{note}\n"
        else:
            comment = f"{rv.comment} {note}"
        rv.ratings, rv.comment = ratings, comment
        editor = rng.choice(self.leads + [r for r in self.reviewers if r is not rv.reviewer])
        self.emit("edit", editor, step, review=rv, ratings=copy.deepcopy(ratings), comment=comment,
                  message=f"Update {rv.id} after dispute\n\n{cat}: {old} -> {new}\n")

    def run_pending(self, step: int) -> None:
        due = self.pending.pop(step, [])
        moves = []
        for kind, rv in due:
            if rv.deleted:
                continue
            if kind == "delete":
                rv.deleted = True
                who = rv.reviewer if self.rng.random() < 0.7 else self.rng.choice(self.leads)
                self.emit("delete", who, step, review=rv, message=f"Remove duplicate review {rv.id}\n")
            elif kind == "edit":
                self.edit(rv, step)
            elif kind == "move" and not rv.moved:
                rv.moved = True
                moves.append(rv)
        if moves:
            who = self.rng.choice(self.leads + self.reviewers)
            self.emit("move", who, step, reviews=moves,
                      message=f"Archive {len(moves)} old review{'s' * (len(moves) > 1)}\n")

    # -- the whole history -----------------------------------------------
    def plan(self) -> list[Event]:
        rng, n, a = self.rng, self.n, self.args
        lead = self.leads[0]
        self.rubrics = {"support": SUPPORT_V1, "billing": BILLING_V1}
        readme = (f"# Synthetic QA repository\n\nGenerated by `scripts/gen-repo.py` "
                  f"(seed {a.seed}, {n} reviews, {a.agents} agents). Do not edit by hand.\n")
        self.emit("init", lead, 0, message="Initial QA repository: roster, support and billing rubrics\n",
                  files=[("README.md", readme.encode()),
                         (".mailmap", render_mailmap(self.people).encode()),
                         ("qa.yaml", render_config(self.people, 0.0, a.timezone).encode()),
                         ("rubrics/support.yaml", render_rubric(SUPPORT_V1).encode()),
                         ("rubrics/billing.yaml", render_rubric(BILLING_V1).encode())])

        fixed: dict[int, list[tuple]] = defaultdict(list)  # step -> rubric/roster changes
        for pos, content, msg in rubric_changes(self.args.scorecards):
            fixed[int(pos * n)].append(("rubric", content, msg))
        hires = sorted({p.hire_at for p in self.people if p.hire_at > 0})
        for pos in hires:
            fixed[int(pos * n)].append(("hire", pos))
        for p in self.people:
            if p.late_email_at is not None:
                fixed[int(p.late_email_at * n)].append(("email", p))

        def spread(count: int) -> set[int]:  # `count` steps, evenly spread with jitter
            return {int((k + rng.random()) * n / count) for k in range(count)} if count else set()
        calibration_steps = spread(round(n * a.calibration_rate / 5.5))
        branch_steps = spread(round(n * a.merge_rate) if n >= 100 else 0)
        if branch_steps:  # one branch is open while support v2 lands on main
            branch_steps.add(int(0.30 * n) - 2)

        for step in range(n + 1):
            for change in fixed.pop(step, []):
                if change[0] == "rubric":
                    _, content, msg = change
                    self.rubrics = {**self.rubrics, content["id"]: content}
                    self.emit("rubric", rng.choice(self.leads), step, message=msg + "\n",
                              files=[(f"rubrics/{content['id']}.yaml", render_rubric(content).encode())])
                elif change[0] == "hire":
                    new = [p.id for p in self.people if p.hire_at == change[1]]
                    self.emit("roster", rng.choice(self.leads), step,
                              message=f"qa.yaml: add new agents {', '.join(new)}\n",
                              files=[("qa.yaml", render_config(self.people, change[1], a.timezone).encode())])
                else:
                    p = change[1]
                    self.emit("roster", rng.choice(self.leads), step,
                              message=f"qa.yaml: add {p.id}'s new address\n",
                              files=[("qa.yaml", render_config(self.people, p.late_email_at, a.timezone).encode())])
            self.run_pending(step)
            if self.branch and self.branch.todo == 0:
                self.branch.wait -= 1
                if self.branch.wait < 0 or step == n:
                    self.merge(step)
            if step == n:
                break
            if step in calibration_steps and n - step > 20:
                self.queue_calibration(step)
            if step in branch_steps and self.branch is None and 0 < step < n - 20:
                self.open_branch(step)

            # the review added at this step; a calibration session must finish
            flush = 0 < n - step <= len(self.calibration_queue)
            if not flush and self.branch and self.branch.todo > 0 and rng.random() < 0.45:
                b = self.branch
                rv = self.normal_review(step, b.reviewer, b.agents, b.rubrics)
                b.reviews.append(rv)
                b.todo -= 1
                self.emit("add", b.reviewer, step, ref=TOPIC, review=rv, branch=b,
                          ratings=copy.deepcopy(rv.ratings), comment=rv.comment,
                          message=f"Add review {rv.id}\n")
                continue
            if flush or (self.calibration_queue and rng.random() < 0.6):
                rv = self.calibration_queue.pop(0)
                msg = f"Calibration review {rv.id}\n"
            else:
                rv = self.normal_review(step)
                msg = rng.choice([f"Add review {rv.id}\n", f"review: {rv.id}\n",
                                  f"Add {rv.id} ({rv.agent.id}, {rv.rubric['id']})\n"])
            self.emit("add", rv.reviewer, step, review=rv, ratings=copy.deepcopy(rv.ratings),
                      comment=rv.comment, message=msg)
            self.schedule_followups(rv, step)
        if self.branch:
            self.merge(n)
        return self.events

    def open_branch(self, step: int) -> None:
        self.branch_count += 1
        reviewer = self.rng.choice(self.reviewers)
        b = Branch(f"{reviewer.id}/backlog-{self.branch_count}", reviewer,
                   todo=self.rng.randint(2, 5), wait=self.rng.randint(0, 6),
                   rubrics=dict(self.rubrics), agents=self.agents_at(step))
        self.branch = b
        self.events.append(Event("branch", branch=b))

    def merge(self, step: int) -> None:
        b, self.branch = self.branch, None
        if not b.reviews:
            return
        self.emit("merge", self.rng.choice(self.leads), step, branch=b,
                  message=f"Merge branch '{b.name}'\n")
        for rv in b.reviews:
            self.schedule_followups(rv, step)


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

def commit_times(rng: Random, count: int, start: dt.date, end: dt.date) -> list[int]:
    """`count` strictly increasing epochs between start and end (both UTC days)."""
    ndays = (end - start).days + 1
    weights = []
    for d in range(ndays):
        day = start + dt.timedelta(days=d)
        w = 1.0 if day.weekday() < 5 else 0.12
        if (day.month, day.day) >= (12, 23) or (day.month, day.day) <= (1, 2):
            w *= 0.3  # holidays
        weights.append(w)
    cum = list(itertools.accumulate(weights))
    base = int(dt.datetime(start.year, start.month, start.day, tzinfo=UTC).timestamp())
    times = sorted(
        base + 86400 * bisect.bisect_left(cum, rng.random() * cum[-1])
        + int(min(19.5, max(5.0, rng.gauss(12.5, 3.0))) * 3600) + rng.randint(0, 59)
        for _ in range(count))
    for i in range(1, count):
        if times[i] <= times[i - 1]:
            times[i] = times[i - 1] + 1
    return times


def months_before(end: dt.date, months: int) -> dt.date:
    y, m = divmod(end.year * 12 + end.month - 1 - months, 12)
    m += 1
    last = (dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(y, m, min(end.day, last))


# --------------------------------------------------------------------------
# Rendering into a git fast-import stream
# --------------------------------------------------------------------------

class Stream:
    """Writes fast-import commands to a pipe in large chunks."""

    def __init__(self, pipe):
        self.pipe, self.buf, self.size = pipe, [], 0

    def write(self, b: bytes) -> None:
        self.buf.append(b)
        self.size += len(b)
        if self.size > 1 << 20:
            self.flush()

    def flush(self) -> None:
        self.pipe.write(b"".join(self.buf))
        self.buf, self.size = [], 0


def data(b: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(b), b)


def render(events: list[Event], times: list[int], stream: Stream, layout: str = "month") -> dict:
    """Assign dates, fill in date-dependent review fields, write the commands."""
    tips = {MAIN: 0, TOPIC: 0}
    mark = 0
    stats = defaultdict(int)
    it = iter(times)
    for ev in events:
        if ev.kind == "branch":
            ev.branch.base_mark = tips[MAIN]
            continue
        t = next(it)
        off = utc_offset(ev.author.zone, t)
        ops: list[bytes] = []
        from_mark = None
        merges: list[int] = []
        if ev.kind in ("init", "rubric", "roster"):
            ops = [b"M 100644 inline %s\n%s" % (p.encode(), data(c)) for p, c in ev.files]
        elif ev.kind == "add":
            rv = ev.review
            when = local_time(t - rv.lag, utc_offset(rv.reviewer.zone, t - rv.lag))
            rv.reviewed_at = {
                "omit": None,
                "date": when.date().isoformat(),
                "date_quoted": f'"{when.date().isoformat()}"',
                "datetime": when.isoformat(timespec="seconds"),
                "datetime_z": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }[rv.date_mode]
            day = local_time(t, off).date() if rv.date_mode == "omit" else when.date()
            if rv.calibration and rv.calibration.session is None:
                y, w, _ = when.date().isocalendar()
                rv.calibration.session = f"{y}-w{w:02d}"
            folder = f"reviews/{day.year:04d}/{day.month:02d}"
            if layout == "day":
                folder += f"/{day.day:02d}"
            elif layout == "reviewer":
                folder += f"/{rv.reviewer.id}"
            rv.path = f"{folder}/{rv.id}.yaml"
            rv.text = render_review(rv, ev.ratings, ev.comment)
            ops = [b"M 100644 inline %s\n%s" % (rv.path.encode(), data(rv.text))]
            stats["calibration" if rv.calibration else "added"] += 1
        elif ev.kind == "edit":
            rv = ev.review
            rv.text = render_review(rv, ev.ratings, ev.comment)
            ops = [b"M 100644 inline %s\n%s" % (rv.path.encode(), data(rv.text))]
        elif ev.kind == "move":
            for rv in ev.reviews:
                new = "reviews/archive/" + rv.path.removeprefix("reviews/")
                ops.append(b"R %s %s\n" % (rv.path.encode(), new.encode()))
                rv.path = new
            stats["moved"] += len(ev.reviews)
        elif ev.kind == "delete":
            ops = [b"D %s\n" % ev.review.path.encode()]
        elif ev.kind == "merge":
            merges = [ev.branch.tip_mark]
            ops = [b"M 100644 inline %s\n%s" % (rv.path.encode(), data(rv.text))
                   for rv in ev.branch.reviews]
        stats[ev.kind] += 1

        if ev.ref == TOPIC and ev.branch.tip_mark == 0:
            # the first commit of a branch starts from main's tip at branching time
            from_mark = ev.branch.base_mark
        mark += 1
        name, email = ev.ident
        who = f"{name} <{email}> {t} {git_tz(off)}".encode()
        head = [b"commit %s\nmark :%d\nauthor %s\ncommitter %s\n" % (ev.ref.encode(), mark, who, who),
                data(ev.message.encode())]
        if from_mark:
            head.append(b"from :%d\n" % from_mark)
        head += [b"merge :%d\n" % m for m in merges]
        stream.write(b"".join(head + ops) + b"\n")
        if ev.ref == TOPIC:
            ev.branch.tip_mark = mark
        tips[ev.ref] = mark
    stream.write(b"done\n")
    stream.flush()
    stats["commits"] = mark
    return stats


# --------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------

def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out_dir", metavar="OUT_DIR", help="new git repository (must not exist or be empty)")
    p.add_argument("--reviews", type=int, default=1000, help="review additions (default 1000)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--agents", type=int, default=40, help="agents in the roster (default 40)")
    p.add_argument("--reviewers", type=int, default=5, help="reviewers in team qa (default 5)")
    p.add_argument("--months", type=int, default=12, help="length of the history (default 12)")
    p.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 11, 15),
                   help="day of the last commit, UTC (default 2026-11-15)")
    p.add_argument("--timezone", default="UTC", help="qa.yaml timezone (default UTC)")
    p.add_argument("--edit-rate", type=float, default=0.05, help="share of reviews edited later")
    p.add_argument("--move-rate", type=float, default=0.02, help="share of reviews archived (renamed)")
    p.add_argument("--delete-rate", type=float, default=0.01, help="share of reviews deleted")
    p.add_argument("--merge-rate", type=float, default=0.003,
                   help="merged side branches per added review (default 0.003)")
    p.add_argument("--calibration-rate", type=float, default=0.03,
                   help="approximate share of calibration reviews (default 0.03)")
    p.add_argument("--no-checkout", action="store_true", help="leave the working tree empty")
    p.add_argument("--layout", choices=["month", "day", "reviewer"], default="month",
                   help="review folders: reviews/YYYY/MM/ (default), reviews/YYYY/MM/DD/, or "
                        "reviews/YYYY/MM/<reviewer>/. Every commit rewrites its folder's tree, "
                        "so month folders make git's work grow with the square of --reviews; "
                        "day or reviewer folders keep 1,000,000 reviews to minutes")
    p.add_argument("--scorecards", action="store_true",
                   help="support v3 with `critical: group` categories and a bonus category")
    args = p.parse_args(argv)
    if args.reviews < 0 or args.agents < 1 or args.reviewers < 1 or args.months < 1:
        p.error("--reviews must be >= 0; --agents, --reviewers and --months >= 1")
    return args


def git(out: str, *cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", out, *cmd], check=True, **kw)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    out = args.out_dir
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        print(f"gen-repo: {out} exists and is not an empty directory", file=sys.stderr)
        return 2

    planner = Planner(args)
    events = planner.plan()
    n_commits = sum(ev.kind != "branch" for ev in events)
    times = commit_times(Random(f"{args.seed}/times"), n_commits,
                         months_before(args.end, args.months), args.end)

    os.makedirs(out, exist_ok=True)
    git(out, "init", "-q")
    git(out, "symbolic-ref", "HEAD", MAIN)
    proc = subprocess.Popen(["git", "-C", out, "fast-import", "--quiet", "--done"],
                            stdin=subprocess.PIPE)
    try:
        stats = render(events, times, Stream(proc.stdin), args.layout)
    finally:
        proc.stdin.close()
    if proc.wait() != 0:
        print("gen-repo: git fast-import failed", file=sys.stderr)
        return 1
    if stats["merge"]:
        git(out, "update-ref", "-d", TOPIC)
    if not args.no_checkout:
        git(out, "-c", "core.autocrlf=false", "reset", "-q", "--hard", MAIN)

    added = stats["added"] + stats["calibration"]
    final = added - stats["delete"]
    print(f"gen-repo: {added} reviews ({final} in the final tree, {stats['calibration']} calibration), "
          f"{stats['commits']} commits ({stats['edit']} edits, {stats['move']} archive commits moving "
          f"{stats['moved']}, {stats['delete']} deletions, {stats['merge']} merges, "
          f"{stats['rubric']} rubric changes) in {time.monotonic() - started:.1f}s -> {out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
