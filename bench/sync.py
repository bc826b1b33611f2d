#!/usr/bin/env python3
"""Sync benchmark (issue #4): two real nodes on loopback, a treaty between them.

1. Alpha holds N indicators (bench/gen_indicators.py, TLP:GREEN, covered by the
   treaty). Bravo is stopped while Alpha imports, so that nothing syncs early.
2. Timed: `entente sync now` on Bravo pulls Alpha's whole feed (signed requests,
   release decision per object, originator seals checked, STIX validated, ledger
   entries and receipts on both sides) until Bravo holds all N.
3. Incremental: one new object on Alpha, then `entente sync now` again: the number of
   feed requests it takes (it must not grow with N).

Usage: python3 bench/sync.py BINARY [N] [--encrypt]
(--encrypt: the treaty says encrypt_in_transit: must, so every object travels
HPKE-sealed to Bravo's key.)
"""
import json
import os
import sqlite3
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from federation import Node, conclude  # noqa: E402


def main() -> None:
    binary = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 and sys.argv[2].isdigit() else 100_000
    encrypt = "--encrypt" in sys.argv
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as work:
        alpha, bravo = Node(binary, work, "Alpha"), Node(binary, work, "Bravo")
        alpha.serve()
        bravo.serve()
        try:
            def permissive(treaty):
                treaty["terms"]["encrypt_in_transit"] = "must" if encrypt else "may"
                treaty["terms"]["attribution"] = "may"
            conclude(alpha, bravo, work, permissive)
            bravo.stop()
            data = os.path.join(work, "indicators.jsonl")
            with open(data, "w") as out:
                import subprocess
                subprocess.run([sys.executable, os.path.join(here, "gen_indicators.py"), str(count)], stdout=out, check=True)
            imported = time.perf_counter()
            alpha.run("intel", "import", data)
            # Alpha's server seals what it originates as it arrives (in the background);
            # wait for that, then time the sync itself.
            db = sqlite3.connect(f"file:{os.path.join(alpha.dir, 'entente.db')}?mode=ro", uri=True)
            while db.execute("SELECT count(*) FROM seals").fetchone()[0] < count:
                time.sleep(0.05)
            print(f"RESULT import_and_seal_seconds={time.perf_counter() - imported:.2f}")
            started = time.perf_counter()
            pulled = bravo.json("sync", "now")
            seconds = time.perf_counter() - started
            report = pulled["partners"][0]
            assert report["added"] == count, f"Bravo stored {report['added']} of {count}: {report}"
            print(f"RESULT sync_objects={count} encrypted={encrypt} seconds={seconds:.2f} requests={report['requests']} "
                  f"objects_per_second={count / seconds:.0f}")

            one = os.path.join(work, "one.jsonl")
            with open(one, "w") as out:
                import subprocess
                subprocess.run([sys.executable, os.path.join(here, "gen_indicators.py"), "1"], stdout=out, check=True)
            # A new version of the first indicator: same id, later `modified`.
            with open(one) as source:
                first = json.loads(source.readline())
            first["modified"] = "2027-01-01T00:00:00.000Z"
            with open(one, "w") as out:
                out.write(json.dumps(first) + "\n")
            alpha.run("intel", "import", one)
            started = time.perf_counter()
            again = bravo.json("sync", "now")["partners"][0]
            incremental = time.perf_counter() - started
            assert again["added"] == 1, again
            print(f"RESULT incremental_requests={again['requests']} incremental_seconds={incremental:.3f} "
                  f"stored_before={count}")
            status = bravo.json("sync", "status")
            audit = bravo.json("audit", "verify")
            assert audit["verified"], audit
            print(f"RESULT bravo_ledger_entries={audit['entries']} bravo_objects_received={status[0]['objects_received']}")
        finally:
            alpha.stop()
            bravo.stop()


if __name__ == "__main__":
    main()
