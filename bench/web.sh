#!/usr/bin/env bash
# The web interface's page benchmark (issue 7). One command: `bash bench/web.sh`.
#
# Builds release `entente`, makes a node holding 100,000 indicators (the generator of
# bench/run.sh), the three real designation lists and a 100,000-entry ledger (two busy
# relations' worth, bench/web/ledger_rows.py), serves it, signs in through the login
# form and times each page: median and p99 of N requests after a warm-up, one
# keep-alive connection (bench/web/measure.py). Pages over 100 ms are flagged; pages
# this checkout does not have (404) are skipped. Documented in bench/web.md; the table
# is printed and written to bench/out/web.txt.
#
# Knobs: BENCH_OBJECTS (100000), BENCH_LEDGER (100000), BENCH_RUNS (N, 100),
# BENCH_DESIGNATIONS (1: load the lists; 0: do not), DESIGNATIONS_DATA (where the lists are).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/out"
mkdir -p "$out"
objects=${BENCH_OBJECTS:-100000}
ledger=${BENCH_LEDGER:-100000}
runs=${BENCH_RUNS:-100}

cargo build --release -p entente --locked 2>&1 | tail -1
bin="${CARGO_TARGET_DIR:-$root/target}/release/entente"
. bench/node.sh

echo "== a node with $objects indicators, the designation lists and $ledger ledger entries"
python3 bench/gen_indicators.py "$objects" > "$work/indicators.jsonl"
"$bin" init --dir "$work/node" --name Bench --json > "$work/node.json"
"$bin" --dir "$work/node" intel import "$work/indicators.jsonl" >/dev/null
if [ "${BENCH_DESIGNATIONS:-1}" = 1 ]; then
  data="${DESIGNATIONS_DATA:-$root/../shared/data/designations}"
  "$bin" --dir "$work/node" designations import \
    "$data/un-consolidated.xml" "$data/ofac-sdn.csv" "$data/canada-listed-terrorist-entities.json" >/dev/null
fi
python3 bench/web/ledger_rows.py "$work/node/entente.db" "$ledger"
token=$(python3 -c "import json;print(json.load(open('$work/node.json'))['token'])")
# An object to open, and a word of its name to search for.
object=$(python3 -c "
import sqlite3;c=sqlite3.connect('file:$work/node/entente.db?mode=ro',uri=True)
print(c.execute(\"select stix_id from objects where stix_id like 'indicator--%' order by rowid desc limit 1\").fetchone()[0])")
# An object and a partner the ledger names.
read -r subject counterpart < <(python3 -c "
import sqlite3;c=sqlite3.connect('file:$work/node/entente.db?mode=ro',uri=True)
print(*c.execute('select subject, counterpart from ledger where sequence = 500').fetchone())")

serve_node "$work/node"

paths=(
  /ui
  /ui/ledger
  "/ui/ledger?kind=receive"
  "/ui/ledger?before=50000"
  "/ui/ledger?subject=$subject"
  "/ui/ledger?partner=$counterpart&kind=release"
  /ui/designations
  "/ui/designations?divergent=1"
  /ui/intel
  "/ui/intel?q=phishing"
  "/ui/intel?q=Benchmark+indicator+99"
  "/ui/intel/object/$object"
  /ui/partners
  /ui/alliances
)
# An authority filter exists only when the lists are loaded (else it is a 400, rightly).
[ "${BENCH_DESIGNATIONS:-1}" = 1 ] && paths+=("/ui/designations?q=al&authority=un")
# The Ledger page verifies a long ledger in the background: let the first finish.
curl -s -o /dev/null "http://127.0.0.1:$port/ui/login"
{
  echo "web pages: $objects objects, $ledger ledger entries, designations ${BENCH_DESIGNATIONS:-1}; $runs requests each ($(nproc) cores, $(date -u +%F))"
  python3 bench/web/measure.py "http://127.0.0.1:$port" "$token" "$runs" "${paths[@]}"
} | tee "$out/web.txt"
