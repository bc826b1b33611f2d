#!/usr/bin/env bash
# Entente's committed benchmark (issue #2). One command: `bash bench/run.sh`.
#
# Measures, in release, on this machine:
#   1. importing ATT&CK Enterprise (24,771 objects, validated and indexed), best of 5;
#   2. TAXII GET of 100-object pages at random points of a 100,000-object collection,
#      with wrk (2 threads, 4 connections, loopback): requests/s and p99 latency;
#   3. the server's resident memory after a 30 s warm-up at full load (allocator
#      arenas grow to their working size first), then during and after the
#      measured load: flat means it no longer grows.
# Figures are printed and written to bench/out/results.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/out"
mkdir -p "$out"
duration=${BENCH_SECONDS:-40}

need() { command -v "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$2" >/dev/null; }; }
need wrk wrk
need hyperfine hyperfine

cargo build --release -p entente --locked 2>&1 | tail -1
bin="${CARGO_TARGET_DIR:-$root/target}/release/entente"
. bench/node.sh

attack="$root/../shared/data/attack/enterprise-attack.json.gz"
echo "== import: ATT&CK Enterprise ($(basename "$attack"))"
hyperfine --warmup 1 --runs 5 --export-json "$out/import.json" \
  --prepare "rm -rf $work/import && $bin init --dir $work/import --name Bench --json >/dev/null" \
  "$bin --dir $work/import intel import $attack" | tee "$out/import.txt"
import_best=$(python3 -c "import json;r=json.load(open('$out/import.json'))['results'][0];print(f\"{min(r['times']):.3f}\")")

echo "== TAXII: 100-object pages from a 100,000-object collection"
python3 bench/gen_indicators.py 100000 > "$work/indicators.jsonl"
"$bin" init --dir "$work/taxii" --name Bench --json > "$work/node.json"
"$bin" --dir "$work/taxii" intel import "$work/indicators.jsonl" >/dev/null
token=$(python3 -c "import json;print(json.load(open('$work/node.json'))['token'])")
collection=$(python3 -c "import json;print(json.load(open('$work/node.json'))['collection_id'])")
read -r first last < <(python3 -c "
import sqlite3;c=sqlite3.connect('file:$work/taxii/entente.db?mode=ro',uri=True)
print(*c.execute('select min(date_added),max(date_added) from objects').fetchone())")
serve_node "$work/taxii"
rss() { awk '/VmRSS/{print $2}' "/proc/$server_pid/status"; }
path="/intel/collections/$collection/objects/"
wrk -t2 -c4 -d"${BENCH_WARMUP:-30}s" -s bench/random_pages.lua "http://127.0.0.1:$port$path" -- "$path" "$first" "$last" "$token" >/dev/null
rss_before=$(rss)
( for _ in $(seq $((duration / 5))); do sleep 5; rss; done > "$work/rss_series" ) &
wrk -t2 -c4 -d"${duration}s" --latency -s bench/random_pages.lua "http://127.0.0.1:$port$path" -- "$path" "$first" "$last" "$token" | tee "$out/taxii.txt"
rss_after=$(rss)
rss_series=$(tr '\n' ' ' < "$work/rss_series")
result=$(grep RESULT "$out/taxii.txt")

{
  echo "date: $(date -u +%FT%TZ)  machine: $(nproc) cores"
  echo "import enterprise-attack (24,771 objects): best ${import_best}s of 5 (target < 1 s)"
  echo "taxii 100-object pages, 100,000 objects, wrk 2 threads 4 connections ${duration}s: $result (target >= 10000 req/s, p99 < 10 ms)"
  echo "server RSS kB: after warm-up $rss_before; every 5 s under load: $rss_series; after load $rss_after"
} | tee "$out/results.txt"
