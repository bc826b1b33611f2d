#!/usr/bin/env bash
# Search benchmark (issue 5): p99 of `Store::search` — the call behind
# `GET /api/v1/search` — on a store of 1,000,000 generated indicators.
#
#   bash bench/search.sh [OBJECTS] [QUERIES]        (defaults: 1000000 2000)
#
# Builds crates/entente-store/examples/search_bench.rs in release, generates the
# indicators (deterministic: varied names, descriptions, labels, TLP markings and
# IP/domain/hash/URL patterns), imports them through `Store::add_objects` (validated,
# stored and indexed as `entente intel import` does), then runs a fixed mix of
# queries (free text, phrases, prefixes, exact pattern values, filters, combinations,
# and 2% of a word present in every object) and prints p50/p95/p99 per kind and
# overall, the import time and the index size. The store is kept in
# $SEARCH_BENCH_DIR (default /tmp/entente-search-bench) and reused by later runs.
# Target: p99 < 50 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1000000}
queries=${2:-2000}
dir=${SEARCH_BENCH_DIR:-/tmp/entente-search-bench}
cargo build --release --locked -p entente-store --example search_bench
target=${CARGO_TARGET_DIR:-target}
"$target/release/examples/search_bench" "$objects" "$queries" "$dir"
