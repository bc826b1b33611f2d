"""PyMISP reads what `entente intel export --format misp` writes, and Entente imports
what PyMISP builds.

The node is offline (`fresh_node_dir`): import and export are CLI paths. The events
come from PyMISP's own test data in shared/data/misp/.
"""

import json
from pathlib import Path

import pytest
from pymisp import MISPEvent, MISPObject

from conftest import SHARED_DATA, run_json, run_entente

MISP_DATA = SHARED_DATA / "misp"
SEDNIT_UUID = "5a3c2fcd-8328-42bb-a95e-4f4402de0b81"


def attribute_keys(event: MISPEvent):
    """(type, value, to_ids) of every attribute, in the event and in its objects."""
    keys = {(a.type, a.value, bool(a.to_ids)) for a in event.attributes}
    for misp_object in event.objects:
        keys |= {(a.type, a.value, bool(a.to_ids)) for a in misp_object.attributes}
    return keys


def tag_names(event: MISPEvent):
    return {tag.name for tag in event.tags}


@pytest.fixture
def exported_feed(fresh_node_dir, tmp_path):
    directory, _ = fresh_node_dir
    for name in ("pymisp-existing_event.json", "pymisp-event_obj_attr_tag.json"):
        summary = run_json("--dir", directory, "intel", "import", "--json", MISP_DATA / name)
        assert summary["rejected"] == 0, summary
    feed = tmp_path / "feed"
    run_entente("--dir", directory, "intel", "export", "--format", "misp", "--out-dir", feed)
    return directory, feed


def test_every_exported_event_loads_in_pymisp(exported_feed):
    _, feed = exported_feed
    manifest = json.loads((feed / "manifest.json").read_text())
    assert SEDNIT_UUID in manifest
    for uuid in manifest:
        event = MISPEvent()
        event.load_file(str(feed / f"{uuid}.json"))
        assert event.uuid == uuid
        assert event.info == manifest[uuid]["info"]


def test_attributes_and_tags_survive_the_round_trip(exported_feed):
    _, feed = exported_feed
    original = MISPEvent()
    original.load_file(str(MISP_DATA / "pymisp-existing_event.json"))
    exported = MISPEvent()
    exported.load_file(str(feed / f"{SEDNIT_UUID}.json"))
    assert attribute_keys(exported) == attribute_keys(original)
    assert len(exported.attributes) == len(original.attributes)
    assert len(exported.objects) == len(original.objects)
    # Every tag of the original comes back (galaxy tags included), tlp:white first among them.
    assert tag_names(original) <= tag_names(exported), tag_names(original) - tag_names(exported)
    assert {cluster.value for galaxy in exported.galaxies for cluster in galaxy.clusters} >= {"Sofacy", "XTunnel"}


def test_the_stdout_export_is_a_response_list_pymisp_reads(fresh_node_dir):
    directory, _ = fresh_node_dir
    run_entente("--dir", directory, "intel", "import", MISP_DATA / "pymisp-existing_event.json")
    response = json.loads(run_entente("--dir", directory, "intel", "export", "--format", "misp").stdout)["response"]
    assert response
    for item in response:
        event = MISPEvent()
        event.load(item)
        assert event.attributes or event.objects or event.galaxies


def test_a_pymisp_built_event_imports_with_its_marking(fresh_node_dir, tmp_path):
    directory, _ = fresh_node_dir
    event = MISPEvent()
    event.info = "Built with PyMISP"
    event.add_tag("tlp:amber")
    event.add_tag('admiralty-scale:source-reliability="b"')
    event.add_attribute("ip-dst", "198.51.100.23", to_ids=True, category="Network activity")
    event.add_attribute("domain", "pymisp-built.example", to_ids=False)
    file_object = MISPObject("file")
    file_object.add_attribute("filename", value="dropper.exe", to_ids=True)
    file_object.add_attribute("md5", value="b2a5abfeef9e36964281a31e17b57c97", to_ids=True)
    event.add_object(file_object)
    path = tmp_path / "pymisp-built.json"
    path.write_text(event.to_json())

    summary = run_json("--dir", directory, "intel", "import", "--json", path)
    assert summary["rejected"] == 0, summary
    assert summary["added"] >= 4, summary

    bundle = json.loads(run_entente("--dir", directory, "intel", "export").stdout)
    amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    indicators = [o for o in bundle["objects"] if o["type"] == "indicator"]
    patterns = {o["pattern"] for o in indicators}
    assert "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '198.51.100.23']" in patterns
    assert "[file:name = 'dropper.exe' AND file:hashes.MD5 = 'b2a5abfeef9e36964281a31e17b57c97']" in patterns
    assert all(amber in o["object_marking_refs"] for o in indicators)
    report = next(o for o in bundle["objects"] if o["type"] == "report")
    assert 'admiralty-scale:source-reliability="b"' in report["labels"]

    # And back: PyMISP reads the export with the tags it was given.
    response = json.loads(run_entente("--dir", directory, "intel", "export", "--format", "misp").stdout)["response"]
    again = MISPEvent()
    again.load(response[0])
    assert {"tlp:amber", 'admiralty-scale:source-reliability="b"'} <= tag_names(again)
    assert ("ip-dst", "198.51.100.23", True) in attribute_keys(again)
    assert ("domain", "pymisp-built.example", False) in attribute_keys(again)


def test_stix_from_other_producers_exports_to_events_pymisp_reads(fresh_node_dir, tmp_path):
    directory, _ = fresh_node_dir
    examples = sorted((SHARED_DATA / "stix-examples").glob("*.json"))
    run_entente("--dir", directory, "intel", "import", *examples)
    feed = tmp_path / "stix-feed"
    run_entente("--dir", directory, "intel", "export", "--format", "misp", "--out-dir", feed)
    manifest = json.loads((feed / "manifest.json").read_text())
    infos = set()
    for uuid in manifest:
        event = MISPEvent()
        event.load_file(str(feed / f"{uuid}.json"))
        infos.add(event.info)
        assert event.attributes or event.objects or event.galaxies
    assert any(info.startswith("APT1") for info in infos), infos
