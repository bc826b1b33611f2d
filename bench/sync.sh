#!/usr/bin/env bash
# Entente's sync benchmark (issue #4). One command: `bash bench/sync.sh [N]`.
#
# Measures, in release, on this machine:
#   1. syncing N (default 100,000) indicators between two real nodes on loopback
#      (signed feed requests, the release decision per object, originator seals
#      checked, STIX validated, ledger entries and receipts on both sides);
#   2. the incremental sync after one object changed: how many feed requests it takes
#      with N objects stored (it must not grow with N);
#   3. the same sync under a treaty that says encrypt_in_transit: must (every object
#      HPKE-sealed to the recipient's key);
#   4. the release decision alone: nanoseconds per object and recipient.
# Figures are printed and written to bench/out/sync.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p bench/out
cargo build --release -p entente --locked 2>&1 | tail -1
bin="${CARGO_TARGET_DIR:-$root/target}/release/entente"
{
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores"
  python3 bench/sync.py "$bin" "${1:-100000}"
  python3 bench/sync.py "$bin" "${1:-100000}" --encrypt | grep 'sync_objects'
  cargo bench -p entente-core --bench release --locked 2>/dev/null | grep RESULT
} | tee bench/out/sync.txt
