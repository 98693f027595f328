#!/usr/bin/env bash
# Checks the README's incremental DuckDB recipe: scripts/duckdb-incremental.sql, applied to a
# DuckDB database with the export at commit A and then the increments `--since-commit A` (at B)
# and `--since-commit B` (at C), leaves a table equal, row for row and column for column, to
# the full export at C. The history is scripted here (fixed dates): a review added, one
# edited (its score, then its rubric version and categories), one deleted, one moved, one made
# invalid, and a new rubric version. README.md must show the SQL as it is. Exits 1 on any
# difference.
#
# Usage: scripts/duckdb-incremental.sh RUBRIC_BINARY
#
# DuckDB is the `duckdb` package from PyPI, pip-installed into the venv $PY_TOOLS_DIR (default
# target/py-tools of this project, as for scripts/duckdb-trends.sh) when missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: $0 RUBRIC_BINARY" >&2; exit 2; }
bin=$(realpath "$1")
sql="$here/duckdb-incremental.sql"

py_tools="${PY_TOOLS_DIR:-$here/../target/py-tools}"
if ! "$py_tools/bin/python" -c 'import duckdb' 2>/dev/null; then
  [ -x "$py_tools/bin/python" ] || python3 -m venv "$py_tools"
  "$py_tools/bin/pip" install --quiet --disable-pip-version-check duckdb
fi

work=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
repo="$work/repo"
mkdir -p "$repo/rubrics" "$repo/reviews"

# git isolated from the user's configuration, as Bob at a fixed date.
g() {
  local date=$1; shift
  GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null \
  GIT_AUTHOR_NAME="Bob QA" GIT_AUTHOR_EMAIL=bob@acme.example \
  GIT_COMMITTER_NAME="Bob QA" GIT_COMMITTER_EMAIL=bob@acme.example \
  GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" \
    git -C "$repo" -c commit.gpgsign=false -c init.defaultBranch=main "$@"
}
commit() { g "$2" add -A; g "$2" commit -q -m "$1"; g "$2" rev-parse HEAD; }
review() { # FILE RUBRIC RATINGS...
  local file=$1 rubric=$2; shift 2
  { printf 'rubric: %s\nagent: alice\nreviewer: bob\nreviewed_at: 2026-03-02\n' "$rubric"
    printf 'conversation: {id: "1"}\nratings:\n'
    printf '  %s\n' "$@"; } > "$repo/reviews/$file"
}
v1='id: support
version: 1
title: Support
categories:
  - {id: solution, title: Solution, scale: 4}
  - {id: tone, title: Tone, scale: 3, root_causes: [coaching]}'
v2='id: support
version: 2
title: Support
categories:
  - {id: solution, title: Solution, scale: 4, weight: 3}
  - {id: empathy, title: Empathy, scale: 5}'

# A: support@1 and five reviews.
echo "$v1" > "$repo/rubrics/support.yaml"
review r-kept.yaml support@1 'solution: 4' 'tone: {rating: 2, comment: "=Curt.", root_causes: [coaching]}'
review r-edit.yaml support@1 'solution: 3' 'tone: 2'
review r-delete.yaml support@1 'solution: 2' 'tone: 1'
review r-move.yaml support@1 'solution: 1' 'tone: 2'
review r-invalid.yaml support@1 'solution: 3' 'tone: 2'
g 2026-03-02T10:00:00Z init -q
a=$(commit A 2026-03-02T10:00:00Z)
# B: support@2; r-edit's score changes; r-delete deleted; r-new added.
echo "$v2" > "$repo/rubrics/support.yaml"
review r-edit.yaml support@1 'solution: 4' 'tone: 2'
rm "$repo/reviews/r-delete.yaml"
review r-new.yaml support@2 'solution: 3' 'empathy: 4'
b=$(commit B 2026-04-01T10:00:00Z)
# C: r-edit to support@2 (tone gone, empathy new); r-move moved; r-invalid out of scale.
review r-edit.yaml support@2 'solution: 4' 'empathy: 5'
mkdir -p "$repo/reviews/archive"
g 2026-05-01T10:00:00Z mv reviews/r-move.yaml reviews/archive/r-move.yaml
review r-invalid.yaml support@1 'solution: 9' 'tone: 2'
c=$(commit C 2026-05-01T10:00:00Z)

# The README's steps: the full export at A, then each increment, into one database file
# (incremental.duckdb); the full export at C into another (full.duckdb); then both compared.
cd "$work"
"$py_tools/bin/python" - "$sql" "$here/../README.md" "$bin" "$repo" "$a" "$b" "$c" <<'PY'
import os
import subprocess
import sys

import duckdb

sql_path, readme, binary, repo, a, b, c = sys.argv[1:8]
with open(sql_path, encoding="utf-8") as f:
    sql = f.read()
problems = []
# README.md shows this SQL: the copy there must be the one tested here.
with open(readme, encoding="utf-8") as f:
    if sql not in f.read():
        problems.append(f"README.md does not show {sql_path} as it is")


def export(*args):
    out = subprocess.run([binary, "-C", repo, "export", "--format", "jsonl", *args],
                         check=True, capture_output=True)
    with open("increment.jsonl", "wb") as f:
        f.write(out.stdout)
    return [l for l in out.stdout.decode().splitlines() if l]


def apply(db):
    con = duckdb.connect(db)
    con.execute(sql)
    con.close()


steps = [("full export at A", ["--rev", a]),
         ("increment A..B", ["--rev", b, "--since-commit", a]),
         ("increment B..C", ["--since-commit", b])]
counts = []
for name, args in steps:
    rows = export(*args)
    deletes = sum('"change":"delete"' in r for r in rows)
    counts.append(f"{name}: {len(rows) - deletes} upsert, {deletes} delete")
    if name != "full export at A" and (deletes == 0 or len(rows) == deletes):
        problems.append(f"{name}: expected both upserts and deletes, got {counts[-1]}")
    apply("incremental.duckdb")
export()
apply("full.duckdb")

con = duckdb.connect("incremental.duckdb")
con.execute("ATTACH 'full.duckdb' AS at_c (READ_ONLY)")
extra = con.sql("SELECT * FROM ratings EXCEPT ALL SELECT * FROM at_c.ratings").fetchall()
missing = con.sql("SELECT * FROM at_c.ratings EXCEPT ALL SELECT * FROM ratings").fetchall()
for r in extra:
    problems.append(f"in the incremental table, not in the full export at C: {r}")
for r in missing:
    problems.append(f"in the full export at C, not in the incremental table: {r}")
total = con.sql("SELECT count(*) FROM ratings").fetchall()[0][0]
for p in problems:
    print(f"duckdb-incremental: {p}", file=sys.stderr)
if problems:
    print(f"duckdb-incremental: {len(problems)} difference(s)", file=sys.stderr)
    sys.exit(1)
print(f"duckdb-incremental: {'; '.join(counts)}; the table equals the full export at C "
      f"({total} rows, duckdb {duckdb.__version__})")
PY
