#!/usr/bin/env bash
# Checks the README's DuckDB example: scripts/duckdb-trends.sql, run with DuckDB over
# `rubric export --format jsonl`, gives the same rows as `rubric trends --format json` (by agent,
# per month): the same (key, period) pairs, the same review counts, and scores and changes
# equal to 1e-9; and README.md shows that SQL as it is. Exits 1 on any difference.
#
# Usage: scripts/duckdb-trends.sh RUBRIC_BINARY [QA_REPOSITORY]   (default: the current folder)
#
# DuckDB is the `duckdb` package from PyPI, pip-installed into the venv $PY_TOOLS_DIR (default
# target/py-tools of this project, the one .ci/run uses for check-jsonschema) when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 RUBRIC_BINARY [QA_REPOSITORY]" >&2; exit 2; }
bin=$(realpath "$1")
repo=$(realpath "${2:-.}")
sql="$here/duckdb-trends.sql"

py_tools="${PY_TOOLS_DIR:-$here/../target/py-tools}"
if ! "$py_tools/bin/python" -c 'import duckdb' 2>/dev/null; then
  [ -x "$py_tools/bin/python" ] || python3 -m venv "$py_tools"
  "$py_tools/bin/pip" install --quiet --disable-pip-version-check duckdb
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" -C "$repo" export --format jsonl > "$work/ratings.jsonl"
"$bin" -C "$repo" trends --by agent --period month --format json > "$work/trends.json"

# The SQL reads ratings.jsonl from the folder it runs in, as a user's `duckdb` would.
cd "$work"
"$py_tools/bin/python" - "$sql" "$repo" "$here/../README.md" <<'PY'
import json
import sys

import duckdb

sql_path, repo, readme = sys.argv[1], sys.argv[2], sys.argv[3]
with open(sql_path, encoding="utf-8") as f:
    sql = f.read()
problems = []
# README.md shows this SQL: the copy there must be the one tested here.
with open(readme, encoding="utf-8") as f:
    if sql not in f.read():
        problems.append(f"README.md does not show {sql_path} as it is")
con = duckdb.connect()
got = {(k, p): (n, s, c) for k, p, n, s, c in con.sql(sql).fetchall()}
with open("trends.json", encoding="utf-8") as f:
    want = {(r["key"], r["period"]): (r["reviews"], r["score"], r["change"])
            for r in json.load(f)["rows"]}

def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9

for key in sorted(want.keys() - got.keys()):
    problems.append(f"{key}: in `rubric trends`, not in the SQL result")
for key in sorted(got.keys() - want.keys()):
    problems.append(f"{key}: in the SQL result, not in `rubric trends`")
for key in sorted(want.keys() & got.keys()):
    (wn, ws, wc), (gn, gs, gc) = want[key], got[key]
    if wn != gn:
        problems.append(f"{key}: reviews {gn} (SQL) != {wn} (trends)")
    if not close(ws, gs):
        problems.append(f"{key}: score {gs!r} (SQL) != {ws!r} (trends)")
    if not close(wc, gc):
        problems.append(f"{key}: change {gc!r} (SQL) != {wc!r} (trends)")
for p in problems:
    print(f"duckdb-trends: {p}", file=sys.stderr)
if problems:
    print(f"duckdb-trends: {len(problems)} difference(s) in {repo}", file=sys.stderr)
    sys.exit(1)
reviews = sum(n for n, _, _ in want.values())
print(f"duckdb-trends: {len(want)} rows ({reviews} reviews) match `rubric trends` in {repo} "
      f"(duckdb {duckdb.__version__})")
PY
