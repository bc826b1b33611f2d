#!/usr/bin/env bash
# End-to-end tests of the web interface in a real headless Chromium: Debian's
# `chromium` driven by playwright-core (npm), against `entente demo` (five real
# nodes on loopback). Installs what it needs when it can (apt-get chromium as root,
# npm ci).
#   bash e2e/run.sh                 run the tests (screenshots into e2e/out)
#   bash e2e/run.sh --screenshots   also refresh the committed docs/screenshots/*.png
# ENTENTE_BIN: the binary to test (default: target/debug/entente, built if missing).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)

if ! command -v "${CHROMIUM_PATH:-chromium}" >/dev/null 2>&1; then
  as_root=""
  [ "$(id -u)" = 0 ] || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && as_root="sudo -n"; }
  if { [ "$(id -u)" = 0 ] || [ -n "$as_root" ]; } && command -v apt-get >/dev/null; then
    echo "== installing chromium (apt-get)"
    $as_root apt-get install -y -qq chromium >/dev/null 2>&1 ||
      { $as_root apt-get update -qq && $as_root apt-get install -y -qq chromium >/dev/null; }
  else
    echo "e2e: Debian's chromium is needed (apt-get install chromium), or set CHROMIUM_PATH" >&2
    exit 1
  fi
fi
export CHROMIUM_PATH="${CHROMIUM_PATH:-$(command -v chromium)}"
[ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund --silent

if [ -z "${ENTENTE_BIN:-}" ]; then
  (cd "$root" && cargo build -p entente --locked -q)
  ENTENTE_BIN="${CARGO_TARGET_DIR:-$root/target}/debug/entente"
  case "$ENTENTE_BIN" in /*) ;; *) ENTENTE_BIN="$root/$ENTENTE_BIN" ;; esac
fi
export ENTENTE_BIN
if [ "${1:-}" = "--screenshots" ]; then
  export E2E_SCREENSHOTS="$root/docs/screenshots"
fi
node --test --test-concurrency=1 tests/
