#!/usr/bin/env python3
"""Indicator sets for the `entente match` benchmark (issue 6).

    python3 bench/match/indicators.py [OUT_DIR] [--seed 1] [--sizes 10000,1000000]

For every size N (named 10k, 1m, …) writes, in OUT_DIR (default
/tmp/entente-bench-match):

- `values-N.txt`: one value a line, the input of `entente match --values` (the kind
  is guessed from the value). A realistic mix: IPv4 addresses ~30 %, CIDRs ~1 %,
  domains ~30 %, URLs ~10 %, e-mail addresses ~5 %, md5/sha1/sha256 ~8 % each;
  random values plus the same PLANTED values in every set, drawn from the real Zeek
  logs (responder addresses, queried names, their parent domains, certificate
  fingerprints), so that matches are not zero and are known.
- `exact-N.txt`: the values `grep -F -f` and `rg -F -f` can express as fixed strings:
  everything but the CIDRs (a fixed string cannot say "inside this network").
- `planted.txt`: the planted values, for whoever checks the matches.

Random values come from a seeded generator, so the sets are the same for a seed.
Python 3.11 standard library only.
"""

import argparse
import gzip
import json
import os
import random
import string

ZEEK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../shared/data/zeek")
TLDS = ("com", "net", "org", "info", "io", "ru", "cn", "biz", "xyz", "top", "de", "co.uk", "online", "site")
LETTERS = string.ascii_lowercase
# The share of each kind, in per mille; hashes take the rest (~24 %).
SHARES = (("ipv4", 300), ("cidr", 10), ("domain", 300), ("url", 100), ("email", 50), ("md5", 80), ("sha1", 80))


def real_values(zeek):
    """Distinct values of the real logs, by what they are."""
    found = {"ip": set(), "query": set(), "fingerprint": set()}
    for name in ("dns", "ssl", "x509"):
        with gzip.open(os.path.join(zeek, f"{name}.json.gz"), "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if "id.resp_h" in record and ":" not in record["id.resp_h"]:
                    found["ip"].add(record["id.resp_h"])
                query = record.get("query", "")
                if "." in query and all(c.isalnum() or c in "-._" for c in query) and not query[-1].isdigit():
                    found["query"].add(query.lower().strip("."))
                for fingerprint in [record.get("fingerprint")] + record.get("cert_chain_fps", []):
                    if fingerprint:
                        found["fingerprint"].add(fingerprint.lower())
    return {kind: sorted(values) for kind, values in found.items()}


def planted(zeek, rng):
    """About 50 values that occur in the corpus (repetition 0 keeps every real value)."""
    real = real_values(zeek)
    chosen = rng.sample(real["ip"], 15) + rng.sample(real["query"], 15)
    parents = sorted({".".join(q.split(".")[-2:]) for q in real["query"] if q.count(".") >= 2})
    chosen += rng.sample(parents, 10)
    chosen += rng.sample(real["fingerprint"], 10)
    return list(dict.fromkeys(chosen))


def label(rng, low=4, high=12):
    return "".join(rng.choices(LETTERS, k=rng.randint(low, high)))


def domain(rng):
    labels = [label(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
    return ".".join(labels + [rng.choice(TLDS)])


def public_octet(rng):
    """A first octet outside the private, loopback and multicast ranges."""
    while True:
        octet = rng.randint(1, 223)
        if octet not in (10, 127, 172, 192):
            return octet


def random_value(kind, rng):
    if kind == "ipv4":
        return f"{public_octet(rng)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randint(1, 254)}"
    if kind == "cidr":
        length = rng.randint(16, 28)
        return f"{public_octet(rng)}.{rng.randrange(256)}.{rng.randrange(256)}.0/{length}"
    if kind == "domain":
        return domain(rng)
    if kind == "url":
        path = "/".join(label(rng, 3, 10) for _ in range(rng.randint(1, 3)))
        query = f"?id={rng.randrange(1 << 24)}" if rng.random() < 0.3 else ""
        return f"{rng.choice(('http', 'https'))}://{domain(rng)}/{path}{query}"
    if kind == "email":
        return f"{label(rng, 3, 10)}.{label(rng, 2, 8)}@{domain(rng)}"
    digits = {"md5": 32, "sha1": 40, "sha256": 64}[kind]
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


def indicator_set(size, plants, rng):
    """`size` distinct values: the plants plus random values in the shares above."""
    kinds = []
    for kind, share in SHARES:
        kinds += [kind] * (size * share // 1000)
    kinds += ["sha256"] * (size - len(plants) - len(kinds))
    values = dict.fromkeys(plants)
    for kind in kinds:
        value = random_value(kind, rng)
        while value in values:
            value = random_value(kind, rng)
        values[value] = None
    values = list(values)
    rng.shuffle(values)
    return values


def name(size):
    return f"{size // 1_000_000}m" if size % 1_000_000 == 0 else f"{size // 1000}k"


def write(path, values):
    with open(path + ".partial", "w") as handle:
        handle.write("\n".join(values) + "\n")
    os.replace(path + ".partial", path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default="/tmp/entente-bench-match")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sizes", default="10000,1000000", help="comma-separated set sizes")
    parser.add_argument("--zeek", default=ZEEK, help="directory of the real Zeek logs")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    plants = planted(args.zeek, random.Random(args.seed))
    write(os.path.join(args.out_dir, "planted.txt"), plants)
    for size in (int(text) for text in args.sizes.split(",")):
        values = indicator_set(size, plants, random.Random(f"{args.seed}/{size}"))
        write(os.path.join(args.out_dir, f"values-{name(size)}.txt"), values)
        # CIDRs are the only values here with a `/` that are not URLs.
        exact = [v for v in values if "/" not in v or "://" in v]
        write(os.path.join(args.out_dir, f"exact-{name(size)}.txt"), exact)
        print(f"indicators: values-{name(size)}.txt {len(values)}, exact-{name(size)}.txt {len(exact)}")


if __name__ == "__main__":
    main()
