#!/usr/bin/env bash
# Runs every test Entente has, as CI does: formatting, lints, the Rust test suites
# (unit, property, integration with real servers on loopback), then the interop
# tests in which the real Python TAXII/STIX tools from PyPI drive a running node.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "== cargo test"
cargo test --workspace --locked
echo "== interop (taxii2-client, stix2, stix2-validator)"
cargo build -p entente --locked
ENTENTE_BIN="${CARGO_TARGET_DIR:-target}/debug/entente" bash tests/interop/run.sh
echo "== e2e (the web interface in headless Chromium)"
ENTENTE_BIN="$(cd "${CARGO_TARGET_DIR:-target}" && pwd)/debug/entente" bash e2e/run.sh
