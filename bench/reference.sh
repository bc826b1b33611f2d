#!/usr/bin/env bash
# Warning-list matching benchmark (issue 5, reference knowledge). One command:
#   bash bench/reference.sh
# Installs pymispwarninglists into a virtualenv (ENTENTE_VENV, default .venv-bench),
# then runs `cargo bench -p entente-core --bench warninglists` in release against its
# full set of lists: parse time of the lists, values per second checked by
# `warning_hits` over every value of the Zeek DNS log, and the hits found.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${ENTENTE_VENV:-.venv-bench}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pymispwarninglists==1.7.*"
lists=$("$venv/bin/python" -c 'import os, pymispwarninglists; print(os.path.join(pymispwarninglists.__path__[0], "data"))')
ENTENTE_WARNINGLISTS="$lists" cargo bench -p entente-core --bench warninglists --locked
