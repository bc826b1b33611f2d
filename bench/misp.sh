#!/usr/bin/env bash
# MISP benchmark (issue 5, MISP part). One command: `bash bench/misp.sh`.
#
# Builds a MISP feed of N events (default 200: copies of PyMISP's Sednit event under
# new uuids and new attribute uuids; the galaxy clusters and the creating organisation
# are shared, so about 60 new STIX objects each) and measures, on this machine:
#   1. `entente intel feed pull DIR` into a fresh node: events and objects per second;
#   2. the second pull of the unchanged feed (reads the manifest only);
#   3. `entente intel export --format misp --out-dir` of everything pulled.
# ENTENTE_BIN=path uses a given binary instead of building the release one;
# BENCH_EVENTS=N changes the feed size. Figures go to bench/out/misp.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/out"
mkdir -p "$out"
events=${BENCH_EVENTS:-200}

if [ -z "${ENTENTE_BIN:-}" ]; then
    cargo build --release -p entente --locked 2>&1 | tail -1
    ENTENTE_BIN="${CARGO_TARGET_DIR:-$root/target}/release/entente"
fi
bin=$ENTENTE_BIN
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$root/../shared/data/misp/pymisp-existing_event.json" "$work/feed" "$events" <<'PY'
import json, sys, uuid
source, feed, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
import os
os.makedirs(feed)
event = json.load(open(source))
manifest = {}
for index in range(count):
    copy = json.loads(json.dumps(event))
    copy["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{index}"))
    copy["info"] = f"{event['info']} #{index}"
    # Fresh attribute and object uuids, so each event is new intelligence.
    for item in copy.get("Attribute", []) + copy.get("Object", []) + [a for o in copy.get("Object", []) for a in o.get("Attribute", [])]:
        if "uuid" in item:
            item["uuid"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench/{index}/{item['uuid']}"))
    json.dump({"Event": copy}, open(f"{feed}/{copy['uuid']}.json", "w"))
    manifest[copy["uuid"]] = {"info": copy["info"], "timestamp": copy["timestamp"]}
json.dump(manifest, open(f"{feed}/manifest.json", "w"))
PY

"$bin" --dir "$work/node" init --name Bench --json >/dev/null
seconds() { python3 -c 'import time; print(time.monotonic())'; }
start=$(seconds)
"$bin" --dir "$work/node" intel feed pull "$work/feed" --json >"$work/first.json"
end=$(seconds)
again_start=$(seconds)
"$bin" --dir "$work/node" intel feed pull "$work/feed" --json >"$work/second.json"
again_end=$(seconds)
export_start=$(seconds)
"$bin" --dir "$work/node" intel export --format misp --out-dir "$work/exported"
export_end=$(seconds)

python3 - "$work" "$start" "$end" "$again_start" "$again_end" "$export_start" "$export_end" "$bin" <<'PY' | tee "$out/misp.txt"
import json, os, sys
work = sys.argv[1]
start, end, again_start, again_end, export_start, export_end = map(float, sys.argv[2:8])
first = json.load(open(f"{work}/first.json"))
second = json.load(open(f"{work}/second.json"))
pulled = end - start
exported = len(os.listdir(f"{work}/exported")) - 1
print(f"binary: {sys.argv[8]}")
print(f"feed pull: {first['events_fetched']} events, {first['added']} STIX objects added, rejected {first['rejected']}, "
      f"{pulled:.2f} s ({first['events_fetched'] / pulled:.0f} events/s, {first['added'] / pulled:.0f} objects/s)")
print(f"second pull: {second['events_fetched']} events fetched, {second['added']} added, {again_end - again_start:.2f} s")
print(f"export --format misp --out-dir: {exported} events, {export_end - export_start:.2f} s")
PY
