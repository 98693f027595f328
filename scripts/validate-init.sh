#!/usr/bin/env bash
# Checks what `rubric init` writes: the scaffold passes `rubric check` at once, and its CI files
# match the JSON Schemas that check-jsonschema ships (GitHub workflows, GitLab CI).
# Usage: scripts/validate-init.sh RUBRIC_BINARY   (check-jsonschema must be on PATH)
set -euo pipefail
bin=$(realpath "$1")
command -v check-jsonschema >/dev/null || { echo "check-jsonschema is not on PATH" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" init "$work/github" >/dev/null
"$bin" -C "$work/github" check
check-jsonschema --builtin-schema vendor.github-workflows "$work/github/.github/workflows/qa.yml"

"$bin" init --ci gitlab "$work/gitlab" >/dev/null
"$bin" -C "$work/gitlab" check
if check-jsonschema --help | grep -q 'vendor.gitlab-ci'; then
  check-jsonschema --builtin-schema vendor.gitlab-ci "$work/gitlab/.gitlab-ci.yml"
else
  echo "this check-jsonschema has no vendor.gitlab-ci schema: .gitlab-ci.yml not validated"
fi

# The hook file this project publishes parses, and the scaffold uses its hook id.
python3 - .pre-commit-hooks.yaml "$work/github/.pre-commit-config.yaml" <<'PY'
import sys
try:
    import yaml
except ImportError:
    print("PyYAML is not installed: .pre-commit-hooks.yaml shape left to cargo test")
    sys.exit(0)
hooks = yaml.safe_load(open(sys.argv[1]))
assert isinstance(hooks, list) and hooks, "a list of hooks"
for h in hooks:
    for key in ("id", "name", "entry", "language"):
        assert isinstance(h.get(key), str) and h[key], f"hook {h} has a {key}"
config = yaml.safe_load(open(sys.argv[2]))
used = {h["id"] for r in config["repos"] for h in r["hooks"]}
assert used <= {h["id"] for h in hooks}, used
print(f"pre-commit: {len(hooks)} hook(s) published, scaffold uses {sorted(used)}")
PY
