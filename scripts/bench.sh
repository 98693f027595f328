#!/usr/bin/env bash
# Benchmark: `rubric check` against ajv-cli and check-jsonschema on a generated QA repository,
# side by side in one hyperfine run. Installs what it needs (hyperfine from Debian, ajv-cli from
# npm, check-jsonschema from PyPI) under target/bench/. Prints a table and the ratios.
#
# Usage: scripts/bench.sh [REVIEWS]   (default 20000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
bench="$PWD/target/bench"
repo="$bench/repo-$n"
mkdir -p "$bench"

command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
if [ ! -x "$bench/npm/node_modules/.bin/ajv" ]; then
  mkdir -p "$bench/npm"
  (cd "$bench/npm" && { [ -f package.json ] || npm init -y >/dev/null; } && npm install --no-audit --no-fund --silent ajv-cli@5)
fi
if [ ! -x "$bench/venv/bin/check-jsonschema" ]; then
  python3 -m venv "$bench/venv"
  "$bench/venv/bin/pip" install --quiet check-jsonschema
fi
cargo build --release --quiet
if [ ! -d "$repo/.git" ]; then
  python3 scripts/gen-repo.py "$repo" --reviews "$n" --seed 1
fi

# The schema the peers use: the bundled review schema, with one change. ajv-cli reads YAML with
# js-yaml (YAML 1.1), which turns an unquoted `reviewed_at: 2026-11-20` into a Date object that
# no JSON Schema type matches; rubric and check-jsonschema read it as the string it is in YAML
# 1.2. So the peers' copy does not constrain reviewed_at (slightly less work for them).
peer_schema="$bench/review.peer.schema.json"
python3 - "$peer_schema" <<'PY'
import json, sys
s = json.load(open("schemas/review.schema.json"))
s["properties"]["reviewed_at"] = {"description": s["properties"]["reviewed_at"]["description"]}
json.dump(s, open(sys.argv[1], "w"), indent=2)
PY

files=$(cd "$repo" && find reviews -name '*.yaml' | wc -l)
commits=$(git -C "$repo" rev-list --count HEAD)
echo "repository: $repo ($files review files, $commits commits, $(nproc) cores)"
root=$PWD
rubric_bin="${CARGO_TARGET_DIR:-$root/target}/release/rubric"
ajv="$bench/npm/node_modules/.bin/ajv"
cj="$bench/venv/bin/check-jsonschema"
# Sanity: every tool must accept the generated files, or the timings compare nothing.
echo "rubric check: $("$rubric_bin" -C "$repo" check | tail -1)"
(cd "$repo" && "$ajv" validate --spec=draft2020 --strict=false -s "$peer_schema" -d "reviews/**/*.yaml" 2>&1 \
  | awk '/ valid$/ {v++} / invalid$/ {i++} END {printf "ajv-cli: %d valid, %d invalid\n", v, i}')

cd "$repo"
# `check` reads the one QA state, history included: the warm-up run writes the history cache
# (.git/rubric/), so "rubric check" is the warm figure; "rubric check (cold)" removes the cache
# before every run.
hyperfine --warmup 1 --runs "${RUNS:-10}" --style basic --export-json "$bench/check.json" \
  --prepare true --prepare "rm -rf .git/rubric" --prepare true \
  -n "rubric check" "$rubric_bin check" \
  -n "rubric check (cold)" "$rubric_bin check" \
  -n "ajv-cli" "$ajv validate --spec=draft2020 --strict=false -s $peer_schema -d 'reviews/**/*.yaml'"
# check-jsonschema takes tens of seconds on 20k files: fewer runs.
hyperfine --runs "${SLOW_RUNS:-3}" --style basic --export-json "$bench/check-slow.json" \
  -n "check-jsonschema" "find reviews -name '*.yaml' -print0 | xargs -0 $cj --schemafile $peer_schema"
cd "$root"

python3 - "$bench/check.json" "$bench/check-slow.json" <<'PY'
import json, sys
r = {x["command"]: x for f in sys.argv[1:] for x in json.load(open(f))["results"]}
base = r["rubric check"]["mean"]
print()
print("| tool | mean (s) | min (s) | rubric / tool |")
print("|---|---|---|---|")
for name, x in r.items():
    print(f"| {name} | {x['mean']:.3f} ± {x['stddev']:.3f} | {x['min']:.3f} | {base / x['mean']:.2f} |")
PY
/usr/bin/time -f "rubric check peak memory: %M KB" "$rubric_bin" -C "$repo" check >/dev/null
