#!/usr/bin/env bash
# Designations benchmark (issue 5). One command: `bash bench/designations.sh`.
#
# Measures, in release, on this machine: importing the three real designation lists
# together (UN Consolidated List XML, OFAC SDN CSV, Canada's MISP galaxy cluster;
# ../shared/data/designations/) into a fresh node, one `entente designations import`
# of all three files: parsing, planning, STIX validation of every object and the
# store transactions. Target: under 2 s. Then the same import again (nothing
# changed: a re-import writes nothing) and the full divergence view over them.
# Best and mean of 10 runs each; figures are printed and written to
# bench/out/designations.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/out"
mkdir -p "$out"
runs=${BENCH_RUNS:-10}

cargo build --release -p entente --locked 2>&1 | tail -1
bin="${CARGO_TARGET_DIR:-$root/target}/release/entente"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$root/../shared/data/designations"
lists=("$data/un-consolidated.xml" "$data/ofac-sdn.csv" "$data/canada-listed-terrorist-entities.json")

# Wall-clock seconds of one command, from Python so no extra tool is needed.
timed() { python3 -c 'import subprocess,sys,time;t=time.perf_counter();subprocess.run(sys.argv[1:],check=True,stdout=subprocess.DEVNULL);print(f"{time.perf_counter()-t:.4f}")' "$@"; }
summary() { python3 -c 'import sys;v=[float(x) for x in sys.argv[2:]];print(f"{sys.argv[1]}: best {min(v):.3f} s, mean {sum(v)/len(v):.3f} s, worst {max(v):.3f} s over {len(v)} runs")' "$@"; }

fresh=(); again=(); view=()
for run in $(seq "$runs"); do
  rm -rf "$work/node"
  "$bin" init --dir "$work/node" --name Bench --json >/dev/null
  fresh+=("$(timed "$bin" --dir "$work/node" designations import "${lists[@]}")")
  again+=("$(timed "$bin" --dir "$work/node" designations import "${lists[@]}")")
  view+=("$(timed "$bin" --dir "$work/node" designations divergence --json)")
done
objects=$("$bin" --dir "$work/node" designations list --json | python3 -c 'import json,sys;print(len(json.load(sys.stdin)))')
{
  echo "designations: the three real lists, $objects designations ($(du -ch "${lists[@]}" | tail -1 | cut -f1) of input)"
  summary "import into a fresh node (target < 2 s)" "${fresh[@]}"
  summary "re-import, nothing changed" "${again[@]}"
  summary "divergence view of all groups (--json)" "${view[@]}"
} | tee "$out/designations.txt"
