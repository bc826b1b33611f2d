#!/usr/bin/env bash
# Builds Entente and runs `entente demo`: five fictional parties (three neighbouring
# states, a distant state, a non-governmental CERT), each a real node on 127.0.0.1
# with its own SQLite store in a temporary directory, that recognize each other, sign
# treaties and exchange the intelligence built into the binary exactly as the
# treaties allow. Prints where to look, then serves until Ctrl-C (which removes the
# temporary directory). Extra arguments go to `entente demo` (see `--help`), e.g.
#   bash scripts/demo.sh --base-port 9100
#   bash scripts/demo.sh --keep-dir ./demo --once
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p entente --locked
exec "${CARGO_TARGET_DIR:-target}/release/entente" demo "$@"
