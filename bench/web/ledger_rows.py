#!/usr/bin/env python3
"""Appends N hash-chained ledger entries (releases to and receptions from two made-up
partners, spread over the last 14 days) to a node's database, for the page benchmark.

A single benchmark node has no partner, so its ledger would stay empty; this writes
what two busy relations would have left, in the storage form of
entente_core::ledger (hash = SHA-256 of the RFC 8785 form of the entry without its
hash; for these ASCII strings and integers that is json.dumps with sorted keys and no
spaces), so that the Ledger page verifies it like any other chain.

Usage: ledger_rows.py DATABASE N
"""
import hashlib
import json
import random
import sqlite3
import sys
import time
import uuid

GENESIS = "sha256:" + "0" * 64


def stamp(micros: int) -> str:
    seconds, fraction = divmod(micros, 1_000_000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{fraction:06d}Z"


def canonical_hash(value: dict) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def main() -> None:
    database, count = sys.argv[1], int(sys.argv[2])
    rng = random.Random(7)
    partners = [f"identity--{uuid.UUID(int=rng.getrandbits(128), version=4)}" for _ in range(2)]
    treaty = "sha256:" + hashlib.sha256(b"bench treaty").hexdigest()
    connection = sqlite3.connect(database)
    last = connection.execute("SELECT sequence, at, hash FROM ledger ORDER BY sequence DESC LIMIT 1").fetchone()
    sequence, previous = (last[0] + 1, last[2]) if last else (0, GENESIS)
    now = int(time.time() * 1_000_000)
    start = max(now - 14 * 86_400_000_000 + 60_000_000, last[1] if last else 0)
    step = max((now - start) // max(count, 1), 1)
    rows = []
    for index in range(count):
        at = start + index * step
        partner = partners[index % 2]
        obj = f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        object_hash = "sha256:" + hashlib.sha256(obj.encode()).hexdigest()
        version = "2026-11-01T00:00:00.000Z"
        if index % 3 == 0:
            kind, counterpart = "receive", partner
            event = {"type": "receive", "object": obj, "version": version, "object_hash": object_hash,
                     "from": partner, "treaty": treaty}
        else:
            kind, counterpart = "release", partner
            event = {"type": "release", "object": obj, "version": version, "object_hash": object_hash,
                     "recipient": partner, "treaty": treaty, "obligations": []}
        entry = {"sequence": sequence, "at": stamp(at), "event": event, "previous": previous}
        entry["hash"] = canonical_hash(entry)
        rows.append((sequence, at, kind, obj, counterpart, json.dumps(entry, separators=(",", ":")), entry["hash"]))
        previous = entry["hash"]
        sequence += 1
    connection.executemany(
        "INSERT INTO ledger (sequence, at, kind, subject, counterpart, entry, hash) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    connection.commit()
    print(f"{count} ledger entries appended, head {previous}")


if __name__ == "__main__":
    main()
