#!/usr/bin/env python3
"""Writes N synthetic but valid STIX 2.1 indicators as JSON lines to stdout.

Deterministic (seeded) so every benchmark run serves the same bytes. Each indicator
carries a realistic pattern, labels, a TLP marking and a kill-chain phase, about
700 bytes, close to what CERT feeds publish.
"""
import json
import random
import sys
import uuid

TLP_GREEN = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"


def pattern(rng: random.Random) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return f"[ipv4-addr:value = '{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}']"
    if kind == 1:
        return f"[domain-name:value = 'host{rng.randrange(10**9)}.example-{rng.randrange(1000)}.net']"
    if kind == 2:
        return f"[file:hashes.'SHA-256' = '{rng.randbytes(32).hex()}']"
    return f"[url:value = 'http://bad{rng.randrange(10**6)}.example.org/path/{rng.randrange(10**6)}']"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    rng = random.Random(8470)
    out = sys.stdout
    for index in range(count):
        stamp = f"2026-{1 + index % 12:02d}-{1 + index % 28:02d}T{index % 24:02d}:{index % 60:02d}:{(index // 60) % 60:02d}.{index % 1000:03d}Z"
        indicator = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.UUID(int=rng.getrandbits(128), version=4)}",
            "created": stamp,
            "modified": stamp,
            "name": f"Benchmark indicator {index}",
            "description": "Synthetic indicator for the TAXII benchmark; observed in phishing infrastructure.",
            "indicator_types": ["malicious-activity"],
            "pattern": pattern(rng),
            "pattern_type": "stix",
            "valid_from": stamp,
            "labels": ["benchmark", f"batch-{index % 50}"],
            "kill_chain_phases": [{"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"}],
            "object_marking_refs": [TLP_GREEN],
        }
        out.write(json.dumps(indicator, separators=(",", ":")))
        out.write("\n")


if __name__ == "__main__":
    main()
