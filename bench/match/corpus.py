#!/usr/bin/env python3
"""Benchmark corpus for `entente match` (issue 6): JSON lines of at least SIZE GiB.

    python3 bench/match/corpus.py [OUT_DIR] [--size-gb 1.0] [--seed 1]

Repeats the real Zeek records of ../shared/data/zeek ({dns,ssl,x509}.json.gz, merged
in time order) with variations, so the scanner sees many distinct values and not one
44 MB block over and over: each repetition moves the dates of `ts`/`_write_ts` by a
day, changes two characters of every `uid`, remaps the last octet of private
(10/8, 172.16/12, 192.168/16) addresses with a permutation drawn per repetition, and
prefixes about a quarter of the DNS query names with a label of its own. Repetition 0
is the logs as they are, so every value of the real logs is in the corpus (the
indicator sets plant some of them).

Writes OUT_DIR/corpus.jsonl (default OUT_DIR /tmp/entente-bench-match) and
OUT_DIR/corpus.params; a corpus whose params match the request is reused. Records are
never altered by parsing and dumping them again: each line becomes a %-template once,
so one repetition costs a string format per record (about 20 s per GiB).
Deterministic for a seed. Python 3.11 standard library only.
"""

import argparse
import datetime
import gzip
import json
import os
import random
import re
import sys

ZEEK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data/zeek")
LOGS = ("dns", "ssl", "x509")
VERSION = 1
DATE = re.compile(r'"(_write_ts|ts)":"(\d{4}-\d\d-\d\d)T')
UID = re.compile(r'"uid":"C(..)')
PRIVATE = re.compile(r'"(10\.\d{1,3}\.\d{1,3}|192\.168\.\d{1,3}|172\.(?:1[6-9]|2\d|3[01])\.\d{1,3})\.(\d{1,3})"')
QUERY = re.compile(r'"query":"')


def templates(lines):
    """Each line as (template, slots): `%s` where a repetition puts its own value.

    Slots are ('date', the real date), ('uid', None), ('octet', the real last octet) and
    ('label', None): a DNS query name's new first label, or nothing."""
    out = []
    for line in lines:
        line = line.replace("%", "%%")
        slots = []
        spans = []
        for match in DATE.finditer(line):
            spans.append((match.start(2), match.end(2), ("date", match.group(2))))
        for match in UID.finditer(line):
            spans.append((match.start(1), match.end(1), ("uid", None)))
        for match in PRIVATE.finditer(line):
            spans.append((match.start(2), match.end(2), ("octet", int(match.group(2)))))
        for match in QUERY.finditer(line):
            spans.append((match.end(), match.end(), ("label", None)))
        spans.sort()
        parts = []
        at = 0
        for start, end, slot in spans:
            parts.append(line[at:start])
            parts.append("%s")
            slots.append(slot)
            at = end
        parts.append(line[at:])
        out.append(("".join(parts) + "\n", tuple(slots)))
    return out


def load(zeek):
    """The real records of the three logs, merged by `ts` (so chunks mix log types)."""
    records = []
    for name in LOGS:
        with gzip.open(os.path.join(zeek, f"{name}.json.gz"), "rt", encoding="utf-8") as handle:
            for line in handle:
                line = line.rstrip("\n")
                if line:
                    records.append((json.loads(line).get("ts", ""), line))
    records.sort(key=lambda record: record[0])
    return [line for _, line in records]


def repetition(rows, index, rng):
    """The text of repetition `index` (index > 0; repetition 0 is the real lines)."""
    octets = list(range(256))
    rng.shuffle(octets)
    octet_text = [str(o) for o in octets]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    uid = alphabet[index % 62] + alphabet[(index // 62) % 62]
    shift = datetime.timedelta(days=index)
    dates = {}
    random_value = rng.random
    out = []
    for template, slots in rows:
        values = []
        for kind, arg in slots:
            if kind == "date":
                if arg not in dates:
                    dates[arg] = (datetime.date.fromisoformat(arg) + shift).isoformat()
                values.append(dates[arg])
            elif kind == "uid":
                values.append(uid)
            elif kind == "octet":
                values.append(octet_text[arg])
            elif random_value() < 0.25:
                values.append(f"r{index}-{rng.randrange(1 << 20):x}.")
            else:
                values.append("")
        out.append(template % tuple(values))
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default="/tmp/entente-bench-match")
    parser.add_argument("--size-gb", type=float, default=1.0, help="GiB of corpus to write at least")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--zeek", default=ZEEK, help="directory of the real Zeek logs")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    corpus = os.path.join(args.out_dir, "corpus.jsonl")
    params_path = os.path.join(args.out_dir, "corpus.params")
    params = {"version": VERSION, "size_gb": args.size_gb, "seed": args.seed}
    if os.path.exists(corpus) and os.path.exists(params_path):
        with open(params_path) as handle:
            if json.load(handle) == params:
                print(f"corpus: reusing {corpus} ({os.path.getsize(corpus) / 2**30:.2f} GiB)", file=sys.stderr)
                return
    real = load(args.zeek)
    rows = templates(real)
    target = int(args.size_gb * 2**30)
    rng = random.Random(args.seed)
    written = 0
    records = 0
    index = 0
    temporary = corpus + ".partial"
    with open(temporary, "wb") as handle:
        while written < target:
            text = repetition(rows, index, rng) if index else "".join(line + "\n" for line in real)
            data = text.encode("utf-8")
            if written + len(data) > target:
                # Cut the last repetition at a record boundary just past the target.
                cut = data.index(b"\n", target - written) + 1 if target - written < len(data) else len(data)
                data = data[:cut]
            handle.write(data)
            written += len(data)
            records += data.count(b"\n")
            index += 1
    os.replace(temporary, corpus)
    with open(params_path, "w") as handle:
        json.dump(params, handle)
    print(f"corpus: {corpus}: {written / 2**30:.2f} GiB, {records} records, {index} repetitions", file=sys.stderr)


if __name__ == "__main__":
    main()
