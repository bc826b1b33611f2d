#!/usr/bin/env bash
# Correlation benchmark (issue 5). One command: `bash bench/correlation.sh [N]`.
#
# Indexes N observable values (default 1,000,000: one per object, a third drawn from
# the Zeek logs in ../shared/data/zeek, the rest generated, every kind) through the
# real insert path, then prints: time, peak RSS (VmHWM), the size of every correlation
# table and index (SQLite dbstat) against the bytes of the values indexed (target
# under 2x), and correlation lookup latency. Source: crates/entente-store/examples/correlation_bench.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/out
cargo run --release --locked -p entente-store --example correlation_bench -- "${1:-1000000}" | tee bench/out/correlation.txt
