#!/usr/bin/env bash
# Benchmark: `rubric trends` (history scan) against `git log --raw --no-renames` on a generated
# QA repository, cold (no cache) and warm (cache in .git/rubric/), side by side in one hyperfine
# run; then peak memory of a cold scan on a larger repository.
#
# Usage: scripts/bench-history.sh [REVIEWS] [BIG_REVIEWS]   (defaults 20000 and 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
big="${2:-100000}"
bench="$PWD/target/bench"
mkdir -p "$bench"
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/rubric"
for size in "$n" "$big"; do
  [ -d "$bench/repo-$size/.git" ] || python3 scripts/gen-repo.py "$bench/repo-$size" --reviews "$size" --seed 1
done
repo="$bench/repo-$n"
echo "repository: $repo ($(git -C "$repo" rev-list --count HEAD) commits, $(find "$repo/reviews" -name '*.yaml' | wc -l) review files)"
# Warm the cache once so the warm runs find it; cold runs use --no-cache.
"$bin" -C "$repo" trends >/dev/null
cd "$repo"
hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --export-json "$bench/history.json" \
  -n "git log --raw --no-renames" "git log --raw --no-renames" \
  -n "rubric trends (cold, --no-cache)" "$bin trends --no-cache" \
  -n "rubric trends (warm cache)" "$bin trends"
# render reads the same state once (no second check pass) and writes every page.
hyperfine --warmup 1 --runs "${RUNS:-5}" --style basic --export-json "$bench/render.json" \
  -n "rubric trends (warm cache)" "$bin trends" \
  -n "rubric render (warm cache)" "$bin render --out $bench/site-$n"
cd - >/dev/null
python3 - "$bench/render.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
t = r["rubric trends (warm cache)"]
print()
print("| command | mean (s) | / trends |")
print("|---|---|---|")
for name, mean in r.items():
    print(f"| {name} | {mean:.3f} | {mean / t:.2f} |")
PY
python3 - "$bench/history.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
base = r["git log --raw --no-renames"]
print()
print("| command | mean (s) | / git log |")
print("|---|---|---|")
for name, mean in r.items():
    print(f"| {name} | {mean:.3f} | {mean / base:.2f} |")
PY
big_repo="$bench/repo-$big"
echo
echo "peak memory, cold scan of $big_repo ($(git -C "$big_repo" rev-list --count HEAD) commits):"
/usr/bin/time -f "rubric trends --no-cache: %e s, peak RSS %M KB" "$bin" -C "$big_repo" trends --no-cache >/dev/null
