#!/usr/bin/env bash
# Validates rubric's SARIF output with Microsoft's SARIF multitool (npm @microsoft/sarif-multitool).
# Usage: scripts/validate-sarif.sh RUBRIC_BINARY QA_REPO_DIR
# Fails if the validator reports any error-level result.
set -euo pipefail
# The multitool is a .NET program; without libicu on the machine it needs invariant globalization.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
bin=$(realpath "$1"); repo=$(realpath "$2")
tools="${SARIF_TOOLS_DIR:-$PWD/target/sarif-tools}"
mkdir -p "$tools"
if [ ! -x "$tools/node_modules/.bin/sarif-multitool" ]; then
  (cd "$tools" && [ -f package.json ] || (cd "$tools" && npm init -y >/dev/null))
  (cd "$tools" && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5 >/dev/null)
fi
# npm may skip the package's postinstall that marks the native binary executable.
find "$tools/node_modules/@microsoft" -name 'Sarif.Multitool' -type f -exec chmod u+x {} +
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# A repository with problems of several kinds, plus the clean example.
mkdir -p "$work/qa/rubrics" "$work/qa/reviews/2026"
cp "$repo"/rubrics/*.yaml "$work/qa/rubrics/"
printf 'rubric: support@2\nagent: alice\nreviewer: alice\nreviewd_at: 2026-11-20\nconversation: {id: "1"}\nratings:\n  solution: 9\n  tone: na\n' > "$work/qa/reviews/2026/bad review.yaml"
printf 'a: [1, 2\n' > "$work/qa/reviews/2026/broken.yaml"
status=0
for target in "$repo" "$work/qa"; do
  out="$work/out-$(basename "$target").sarif"
  "$bin" -C "$target" check --format sarif > "$out" || true
  "$tools/node_modules/.bin/sarif-multitool" validate "$out" -o "$out.report" >/dev/null
  python3 - "$out" "$out.report" <<'PY' || status=1
import json, sys
src, report = sys.argv[1], sys.argv[2]
results = json.load(open(report))["runs"][0].get("results", [])
errors = [r for r in results if r.get("level") == "error"]
n = len(json.load(open(src))["runs"][0]["results"])
for r in results:
    print(f"  {r.get('level', 'warning')}: {r['ruleId']}: {r['message'].get('text', '')[:160]}")
print(f"sarif-multitool: {src}: {n} results, {len(errors)} validation errors")
sys.exit(1 if errors else 0)
PY
done
exit $status
