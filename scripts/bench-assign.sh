#!/usr/bin/env bash
# Benchmark: `rubric assign` on a generated help-desk export (CSV), release build, wall time and
# peak memory from /usr/bin/time -v. The export has ROWS conversations of 200 agents, all in
# 2026-W48 except every 10th row (a bad date, another week, an unknown agent or a filtered
# channel), so every row goes through every rule; the plan takes 4 per agent.
#
# Usage: scripts/bench-assign.sh [ROWS]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-1000000}"
bench="$PWD/target/bench/assign-$n"
mkdir -p "$bench"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/rubric"

python3 - "$bench" "$n" <<'PY'
import os, sys
out, n = sys.argv[1], int(sys.argv[2])
os.makedirs(f"{out}/rubrics", exist_ok=True)
people = "\n".join(f"  agent{a:03}: {{ emails: [agent{a:03}@acme.example] }}" for a in range(200))
open(f"{out}/qa.yaml", "w").write(f"""timezone: Europe/Tallinn
people:
{people}
  bob: {{}}
  kadri: {{}}
  lena: {{}}
assignments:
  cycle: week
  per_agent: 4
  reviewers: [bob, kadri, lena]
  where: {{ channel: [email, chat] }}
  seed: 1
""")
open(f"{out}/rubrics/support.yaml", "w").write(
    "id: support\nversion: 1\ntitle: Support\ncategories:\n  - {id: solution, title: Solution, scale: 4}\n")
path = f"{out}/conversations.csv"
if not os.path.exists(path) or sum(1 for _ in open(path)) != n + 1:
    with open(path, "w") as f:
        f.write("id,agent,created_at,channel,url,subject,csat\n")
        for i in range(n):
            agent = f"agent{i % 200:03}" if i % 3 else f"agent{i % 200:03}@acme.example"
            day = 23 + i % 7
            created = f"2026-11-{day}T{i % 24:02}:{i % 60:02}:00+02:00"
            channel = ("email", "chat", "email")[i % 3]
            if i % 10 == 9:
                kind = (i // 10) % 4
                if kind == 0: created = "2026-11-31"
                elif kind == 1: created = "2026-11-16"
                elif kind == 2: agent = "ghost@nowhere.example"
                else: channel = "phone"
            f.write(f"{100000000 + i},{agent},{created},{channel},https://acme.example/tickets/{100000000 + i},\"Order {i}, re: delivery\",{i % 5 + 1}\n")
PY
rm -rf "$bench/assignments"
ls -l "$bench/conversations.csv"
/usr/bin/time -v "$bin" -C "$bench" assign --conversations conversations.csv --cycle 2026-W48 2> "$bench/time.txt"
grep -E "Elapsed|Maximum resident|User time|System time" "$bench/time.txt"
