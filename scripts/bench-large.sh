#!/usr/bin/env bash
# Benchmark at scale (issue 15): generate a large QA repository, then measure `rubric trends`
# cold (--no-cache) and warm against `git log --raw --no-renames` side by side in one hyperfine
# run, then `check` and `render` on the warm cache, and the peak memory (RSS) of every command
# under /usr/bin/time.
#
# Usage: scripts/bench-large.sh [REVIEWS] [DIR] [-- extra gen-repo.py flags]
#   defaults: 100000 reviews in /work/bench-100k (or $BENCH_DIR), generated with
#   --seed 5 --agents 1000 --reviewers 40 when the folder does not exist yet.
#   RUNS (default 3) sets hyperfine's runs; SKIP_HYPERFINE=1 measures each command once (the
#   memory runs only: at 1,000,000 reviews a cold scan takes minutes). NO_GC=1 leaves a new
#   repository as fast-import packed it.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-100000}"
repo="${2:-${BENCH_DIR:-/work/bench-$((n / 1000))k}}"
shift $(($# > 2 ? 2 : $#))
[ "${1:-}" = "--" ] && shift
extra=("$@")
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-$PWD/target}/release/rubric"
if [ ! -d "$repo/.git" ]; then
  /usr/bin/time -f "gen-repo.py: %e s, peak RSS %M KB" \
    python3 scripts/gen-repo.py "$repo" --reviews "$n" --seed 5 --agents 1000 --reviewers 40 "${extra[@]}"
  # One pack, as a clone would give (fast-import writes its own packs).
  [ -n "${NO_GC:-}" ] || /usr/bin/time -f "git gc: %e s" git -C "$repo" gc -q
fi
echo "repository: $repo ($(git -C "$repo" rev-list --count HEAD) commits," \
  "$(git -C "$repo" ls-files reviews | wc -l) review files, $(du -sh "$repo/.git" | cut -f1) in .git)"
site="$(mktemp -d /tmp/rubric-site.XXXXXX)"
trap 'rm -rf "$site"' EXIT
cd "$repo"
if [ -z "${SKIP_HYPERFINE:-}" ]; then
  "$bin" trends >/dev/null 2>&1 || true   # the cache, for the warm runs
  hyperfine --warmup 0 --runs "${RUNS:-3}" --style basic --export-json "$site/history.json" \
    -i -n "git log --raw --no-renames" "git log --raw --no-renames >/dev/null" \
    -n "rubric trends (cold, --no-cache)" "$bin trends --no-cache >/dev/null" \
    -n "rubric trends (warm cache)" "$bin trends >/dev/null" \
    -n "rubric check (warm cache)" "$bin check >/dev/null" \
    -n "rubric render (warm cache)" "$bin render --out $site/site >/dev/null"
  python3 - "$site/history.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
base = r["git log --raw --no-renames"]
print()
print("| command | mean (s) | / git log |")
print("|---|---|---|")
for name, mean in r.items():
    print(f"| {name} | {mean:.2f} | {mean / base:.2f} |")
PY
fi
echo
echo "peak memory (one run each):"
t() { /usr/bin/time -f "$1: %e s, peak RSS %M KB" "${@:2}" >/dev/null 2>"$site/err" || true; tail -1 "$site/err"; }
t "git log --raw --no-renames" git log --raw --no-renames
t "rubric trends --no-cache" "$bin" trends --no-cache
rm -rf .git/rubric
t "rubric trends (cold, writing the cache)" "$bin" trends
t "rubric trends (warm)" "$bin" trends
t "rubric check (warm)" "$bin" check
t "rubric render (warm)" "$bin" render --out "$site/site"
