#!/usr/bin/env bash
# Builds Entente and runs a node on its embedded SQLite storage, no other server
# needed. The first run creates the node in ./entente-data (or $ENTENTE_DIR) and
# prints its admin token once; later runs serve the same node.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p entente --locked
bin="${CARGO_TARGET_DIR:-target}/release/entente"
dir="${ENTENTE_DIR:-./entente-data}"
if [ ! -e "$dir/entente.db" ]; then
  "$bin" init --dir "$dir" --name "${ENTENTE_NAME:-Entente node}" --kind "${ENTENTE_KIND:-agency}"
fi
exec "$bin" serve --dir "$dir" "$@"
