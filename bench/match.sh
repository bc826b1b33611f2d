#!/usr/bin/env bash
# Matching benchmark (issue 6). One command: `bash bench/match.sh`.
#
# Side by side, in one run, on the same corpus and the same machine:
#   - `grep -F -c -f exact-N.txt` and `rg -F -c -f exact-N.txt` (LC_ALL=C) on the
#     values a fixed string can express (every value but the CIDRs);
#   - `entente match --values values-N.txt --out none --json` on the full set, with
#     --threads 1 and --threads 2 (the file mapped), and --threads 1 --no-mmap (read;
#     its peak RSS is the process's own memory: a mapped file's pages count in RSS);
#     skipped with a message while the build has no `match` command;
#   - the engine alone (`cargo bench -p entente-match --bench scan`): build time,
#     engine memory, search with 1 and 2 threads over the corpus held in memory;
# for N = 10k and 1m indicator values. The corpus is ≥ SIZE_GB GiB of JSON lines made
# from the real Zeek logs (bench/match/corpus.py); the sets mix IPs, CIDRs, domains,
# URLs, e-mails and hashes with ~50 values planted from the logs
# (bench/match/indicators.py). Both live in MATCH_DIR, outside the repository, and
# the corpus is reused when its parameters are unchanged. The page cache is warmed
# first, so every tool reads from memory.
#
# Env knobs: SIZE_GB (default 1.0), TIMEOUT seconds per command (default 600),
# MATCH_DIR (default /tmp/entente-bench-match), SETS (default "10k 1m"), BENCH_RUNS
# (engine-only scans, best of; default 3), ENTENTE_BIN (a given binary instead of
# building the release one). Peak RSS comes from GNU time -v (Debian's
# `time`, installed if missing, as is ripgrep). The table goes to bench/out/match.txt.
# Targets (issue 6): ≥ 1 GB/s per core, faster than rg -F on the same exact strings,
# scaling across both cores, build of 1M indicators < 2 s, memory < 500 MB for 1M.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out="$root/bench/out"
mkdir -p "$out"
size=${SIZE_GB:-1.0}
limit=${TIMEOUT:-600}
data=${MATCH_DIR:-/tmp/entente-bench-match}
sets=${SETS:-10k 1m}

# Installs a Debian package when root with a working apt; false otherwise.
apt_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && { apt-get install -y -qq "$1" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$1" >/dev/null; }; }; }
[ -x /usr/bin/time ] || apt_install time || { echo "GNU time (/usr/bin/time) is needed for peak RSS" >&2; exit 1; }
command -v rg >/dev/null || apt_install ripgrep || cargo install ripgrep --locked

if [ -z "${ENTENTE_BIN:-}" ]; then
  cargo build --release --locked -p entente 2>&1 | tail -1
  ENTENTE_BIN="${CARGO_TARGET_DIR:-$root/target}/release/entente"
fi
bin=$ENTENTE_BIN
# The bench's executable, run directly so that `timeout` stops the bench itself.
scan=$(cargo bench --locked -p entente-match --bench scan --no-run --message-format=json | python3 -c '
import json, sys
print([m["executable"] for m in map(json.loads, sys.stdin) if m.get("target", {}).get("name") == "scan" and m.get("executable")][-1])')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 bench/match/corpus.py "$data" --size-gb "$size" --seed 1
python3 bench/match/indicators.py "$data" --seed 1
corpus="$data/corpus.jsonl"
bytes=$(stat -c %s "$corpus")
cat "$corpus" >/dev/null

has_match=1
if ! "$bin" match --help >/dev/null 2>&1; then
  has_match=0
  echo "note: this build has no \`entente match\` yet: its rows are skipped" >&2
fi

# run TOOL SET THREADS CMD…: runs CMD under timeout and GNU time, appends one row
# (tool, set, threads, exit status, wall seconds, peak RSS kB, stdout file, stderr file).
row=0
run() {
  local tool=$1 set=$2 threads=$3
  shift 3
  row=$((row + 1))
  echo "== $tool, $set, $threads thread(s): $*" >&2
  local start end status=0
  start=$(date +%s.%N)
  LC_ALL=C /usr/bin/time -v -o "$work/time.$row" timeout -k 10 "$limit" "$@" >"$work/out.$row" 2>"$work/err.$row" || status=$?
  end=$(date +%s.%N)
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$work/time.$row")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$set" "$threads" "$status" \
    "$(python3 -c "print(f'{$end - $start:.3f}')")" "${rss:-0}" "$work/out.$row" "$work/err.$row" >>"$work/rows.tsv"
}

for set in $sets; do
  exact="$data/exact-$set.txt"
  values="$data/values-$set.txt"
  run "grep -F" "$set" 1 grep -F -c -f "$exact" "$corpus"
  run "rg -F" "$set" 1 rg -F -c --no-filename -f "$exact" "$corpus"
  if [ "$has_match" = 1 ]; then
    for threads in 1 2; do
      run "entente match" "$set" "$threads" "$bin" match --values "$values" --out none --json --threads "$threads" "$corpus"
    done
    # Read instead of mapped: the copy out of the page cache, and a peak RSS that counts
    # only the process's own memory (a mapped file's pages count in the rows above).
    run "entente --no-mmap" "$set" 1 "$bin" match --values "$values" --out none --json --threads 1 --no-mmap "$corpus"
  fi
  run "engine (bench)" "$set" "1,2" "$scan" "$values" "$corpus" 2
done

python3 - "$work/rows.tsv" "$bytes" "$limit" "$corpus" <<'PY' | tee "$out/match.txt"
import json, re, sys

rows_path, corpus_bytes, limit, corpus = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
gb = corpus_bytes / 1e9


def summary(text):
    """The --json summary of `entente match` on stderr: the whole text or its last JSON line."""
    for candidate in [text] + text.strip().splitlines()[::-1]:
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(value, dict):
            return value
    return None


table = []
for line in open(rows_path):
    tool, set_name, threads, status, wall, rss_kb, out_path, err_path = line.rstrip("\n").split("\t")
    status, wall, rss_mb = int(status), float(wall), int(rss_kb) / 1024
    stdout, stderr = open(out_path).read(), open(err_path).read()
    seconds, found, note = wall, "", ""
    if status in (124, 137):  # timeout, then its KILL
        table.append((tool, set_name, threads, f">{limit}", "timeout", f"{rss_mb:.0f}", "", "killed at TIMEOUT"))
        continue
    failed = status != 0 and not (status == 1 and tool.split()[0] in ("grep", "rg"))
    if failed:  # grep and rg exit 1 when nothing matched
        last = stderr.strip().splitlines()[-1][:60] if stderr.strip() else ""
        table.append((tool, set_name, threads, f"{wall:.3f}", "failed", f"{rss_mb:.0f}", "", f"exit {status}: {last}"))
        continue
    if tool.startswith("engine"):
        result = dict(item.split("=", 1) for item in next(l for l in stdout.splitlines() if l.startswith("RESULT")).split()[1:])
        for count in ("1", "2"):
            seconds = float(result[f"t{count}_seconds"])
            table.append((tool, set_name, count, f"{seconds:.3f}", f"{gb / seconds:.3f}",
                          f"{float(result['peak_build_mb']):.0f}*", result[f"t{count}_matches"] + " matches",
                          f"build {float(result['build_seconds']):.3f} s, table_bytes {float(result['table_mb']):.0f} MB"
                          if count == "1" else f"find only (1 thread) {gb / float(result['find_seconds']):.3f} GB/s"))
        continue
    if tool.startswith("entente"):
        report = summary(stderr) or {}
        matches = report.get("matches", {})
        found = f"{matches.get('total', '?') if isinstance(matches, dict) else matches} matches"
        if report.get("seconds"):
            scan_gbps = report.get("bytes", corpus_bytes) / 1e9 / report["seconds"]
            note = (f"summary: {report['seconds']:.3f} s = {scan_gbps:.3f} GB/s, build {report.get('build_seconds', 0):.3f} s, "
                    f"load {report.get('load_seconds', 0):.3f} s, engine {report.get('engine_bytes', 0) / 1e6:.0f} MB")
    else:
        counted = sum(int(n) for n in re.findall(r"\d+", stdout))
        found = f"{counted} lines"
    table.append((tool, set_name, threads, f"{seconds:.3f}", f"{gb / seconds:.3f}", f"{rss_mb:.0f}", found, note))

print(f"corpus: {corpus}, {corpus_bytes / 2**30:.2f} GiB ({gb:.3f} GB); page cache warm; TIMEOUT {limit} s")
header = ("tool", "set", "threads", "seconds", "GB/s", "peak RSS MB", "matches/lines", "notes")
widths = [max(len(str(r[i])) for r in table + [header]) for i in range(len(header))]
for r in [header, tuple("-" * w for w in widths)] + table:
    print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
print("seconds and GB/s are wall clock of the whole command (reading, building, scanning), except the engine")
print("rows: search only, corpus in memory, best of BENCH_RUNS. * engine rows: peak RSS of the process after")
print("the build, before the corpus is read. `entente match` rows map the corpus, so their peak RSS counts its pages")
print("(page cache, shared); the --no-mmap row reads it and shows the process's own memory.")
print("grep/rg count matching lines, entente counts matches (a line can hold several).")
PY
