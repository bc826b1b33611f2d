"""What `entente intel export` writes is STIX 2.1 that the OASIS validator accepts.

Inputs are the shared example bundles (shared/ sits beside the repository: from the
repo root, ../shared/data/). Each test works on its own fresh, unserved node.
"""

import gzip
import json
import time

import pytest
from stix2validator import ValidationOptions, validate_instance, validate_string

from conftest import SHARED_DATA, run_entente

EXAMPLES = SHARED_DATA / "stix-examples"
ICS_ATTACK = SHARED_DATA / "attack" / "ics-attack-18.1.json.gz"
OPTIONS = ValidationOptions(version="2.1")


def read_objects(text: str) -> list:
    """The objects of a bundle, or a lone object."""
    document = json.loads(text)
    if document.get("type") == "bundle" or "objects" in document:
        return list(document.get("objects", []))
    return [document]


def import_files(directory, *files) -> dict:
    proc = run_entente("--dir", directory, "intel", "import", "--json", *files, check=False)
    summary = json.loads(proc.stdout) if proc.stdout.strip() else {}
    assert proc.returncode == 0 and summary.get("rejected", 0) == 0, (
        f"`entente intel import` exited {proc.returncode}; rejected {summary.get('rejected')}:\n"
        + "\n".join(summary.get("rejections", []))
        + f"\n--- stderr\n{proc.stderr[-4000:]}"
    )
    return summary


def export(directory, *args) -> str:
    return run_entente("--dir", directory, "intel", "export", *args).stdout


def describe(results) -> str:
    lines = [f"{len(results.errors)} validation error(s):"]
    lines += [f"  {error}" for error in results.errors[:50]]
    return "\n".join(lines)


def assert_valid(results):
    if not results.is_valid:
        print(describe(results))
    assert results.is_valid, describe(results)


def latest_versions(objects) -> dict:
    """id -> the object's latest version (by modified, else created)."""
    latest = {}
    for obj in objects:
        key = obj.get("modified", obj.get("created", ""))
        current = latest.get(obj["id"])
        if current is None or key > current.get("modified", current.get("created", "")):
            latest[obj["id"]] = obj
    return latest


@pytest.fixture(scope="module")
def example_files():
    if not EXAMPLES.is_dir():
        pytest.skip(f"shared example data not found at {EXAMPLES}")
    files = sorted(EXAMPLES.glob("*.json"))
    assert files
    return files


def test_export_of_stix_examples_validates(fresh_node_dir, example_files):
    directory, created = fresh_node_dir
    inputs = [obj for path in example_files for obj in read_objects(path.read_text(encoding="utf-8"))]
    summary = import_files(directory, *example_files)
    assert summary["added"] + summary["already_present"] == len(inputs), summary

    text = export(directory)
    bundle = json.loads(text)
    assert bundle["type"] == "bundle" and bundle["id"].startswith("bundle--")

    # Every example object comes back unchanged (latest version of each id), plus the
    # node's own identity.
    exported = {obj["id"]: obj for obj in bundle["objects"]}
    for oid, original in latest_versions(inputs).items():
        assert oid in exported, f"{oid} was imported but not exported"
        assert exported[oid] == original, f"{oid} changed on the way through:\n{original}\n{exported[oid]}"
    assert created["collection_id"]
    assert any(obj["type"] == "identity" and obj["id"] not in {o["id"] for o in inputs} for obj in bundle["objects"])

    assert_valid(validate_string(text, OPTIONS))


def test_type_filtered_export_validates(fresh_node_dir, example_files):
    directory, _ = fresh_node_dir
    import_files(directory, *example_files)
    text = export(directory, "--type", "indicator", "--type", "malware")
    objects = json.loads(text)["objects"]
    assert objects and {obj["type"] for obj in objects} == {"indicator", "malware"}
    assert_valid(validate_string(text, OPTIONS))


def test_export_of_attack_ics_validates(fresh_node_dir):
    if not ICS_ATTACK.is_file():
        pytest.skip(f"ATT&CK ICS bundle not found at {ICS_ATTACK}")
    directory, _ = fresh_node_dir
    with gzip.open(ICS_ATTACK, "rt", encoding="utf-8") as handle:
        inputs = read_objects(handle.read())
    summary = import_files(directory, ICS_ATTACK)  # .gz is read directly
    assert summary["added"] + summary["already_present"] == len(inputs), summary

    text = export(directory)
    bundle = json.loads(text)
    exported = {obj["id"] for obj in bundle["objects"]}
    missing = set(latest_versions(inputs)) - exported
    assert not missing, f"{len(missing)} ATT&CK objects not exported, e.g. {sorted(missing)[:5]}"

    # The whole export (~1,800 objects) validates in about 6-12 s on a 2-core machine,
    # well under a minute, so it is validated in full rather than type-filtered.
    started = time.monotonic()
    results = validate_instance(bundle, OPTIONS)
    print(f"validated {len(bundle['objects'])} exported ATT&CK ICS objects in {time.monotonic() - started:.1f} s")
    assert_valid(results)
