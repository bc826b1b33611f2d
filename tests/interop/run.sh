#!/usr/bin/env bash
# Interop tests: drive a real `entente serve` with stock Python STIX/TAXII tools
# (taxii2-client, stix2, stix2-validator).
#
#   ENTENTE_BIN   path of the entente binary (default: target/debug/entente)
#   ENTENTE_VENV  virtualenv to use/create (default: .venv at the repo root)
#
# Extra arguments are passed to pytest. Exits with pytest's status.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

venv="${ENTENTE_VENV:-.venv}"
python="${PYTHON:-python3}"
stamp="$venv/.interop-requirements"

if [ ! -x "$venv/bin/python" ]; then
    echo "interop: creating virtualenv $venv" >&2
    "$python" -m venv "$venv"
fi
# (Re)install when the requirements changed since the last install.
if ! cmp -s "$here/requirements.txt" "$stamp"; then
    echo "interop: installing $here/requirements.txt" >&2
    start=$SECONDS
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$stamp"
    echo "interop: pip install took $((SECONDS - start)) s" >&2
fi

export ENTENTE_BIN="${ENTENTE_BIN:-target/debug/entente}"
case "$ENTENTE_BIN" in
    /*) ;;
    *) ENTENTE_BIN="$root/$ENTENTE_BIN" ;;
esac
if [ ! -x "$ENTENTE_BIN" ]; then
    echo "interop: no entente binary at $ENTENTE_BIN (build it first, or set ENTENTE_BIN)" >&2
    exit 2
fi

set +e
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$here" "$@"
status=$?
set -e
exit $status
