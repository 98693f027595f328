#!/usr/bin/env bash
# Browser test of a rendered site: axe-core, console errors, network requests and screenshots
# in Debian's Chromium through playwright-core (no browser download).
#
# usage: scripts/browser-test.sh SITE_DIR SHOTS_DIR [AGENT_PAGE]
#   e.g. rubric render --out /tmp/site && scripts/browser-test.sh /tmp/site /tmp/shots
#        scripts/browser-test.sh --private SITE_DIR SHOTS_DIR KEYS_JSON   (a private site:
#        scripts/browser-test-private.mjs, with the output of rubric keys --format json)
#
# Installs what it needs when missing: the chromium package (apt-get, as root or with sudo) and
# the npm packages playwright-core and @axe-core/playwright into target/browser-tools.
set -euo pipefail

test_script=browser-test.mjs
if [ "${1:-}" = "--private" ]; then
  test_script=browser-test-private.mjs
  shift
fi
if [ $# -lt 2 ]; then
  echo "usage: $0 SITE_DIR SHOTS_DIR [AGENT_PAGE]" >&2
  exit 2
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/target/browser-tools"
chromium=${CHROMIUM:-/usr/bin/chromium}
# Pinned so that a new release cannot change the verdict on an unchanged site.
playwright_core=playwright-core@1.65.1
axe_playwright=@axe-core/playwright@4.13.0

if [ ! -x "$chromium" ]; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo=sudo; fi
  echo "installing chromium (apt-get)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "node and npm are needed (Node 18 or newer)" >&2
  exit 2
fi

want="${playwright_core##*@} ${axe_playwright##*@}"
have=""
if [ -f "$tools/node_modules/playwright-core/package.json" ] && [ -f "$tools/node_modules/@axe-core/playwright/package.json" ]; then
  have="$(node -p "require('$tools/node_modules/playwright-core/package.json').version") $(node -p "require('$tools/node_modules/@axe-core/playwright/package.json').version")"
fi
if [ "$have" != "$want" ]; then
  echo "installing $playwright_core $axe_playwright into $tools (npm)" >&2
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"private": true}' >"$tools/package.json"
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error "$playwright_core" "$axe_playwright")
fi

BROWSER_TOOLS="$tools" CHROMIUM="$chromium" exec node "$root/scripts/$test_script" "$@"
