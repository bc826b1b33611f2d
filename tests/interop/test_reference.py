"""Reference knowledge from the MISP Python packages, loaded into a real node.

`pymispwarninglists` and `pytaxonomies` ship their data inside the package
(`data/misp-warninglists/lists/*/list.json`, `data/misp-taxonomies/*/machinetag.json`):
nothing is fetched at runtime. The node loads those files with the CLI, then a known
false positive (Google's public resolver, a top domain) imported as an indicator must
be flagged, and the TLP, PAP and IEP tags must be explained.
"""

import json
from pathlib import Path

import pymispwarninglists
import pytaxonomies

from conftest import run_entente, run_json


def package_data(package, *parts) -> Path:
    path = Path(package.__path__[0]).joinpath("data", *parts)
    assert path.is_dir(), f"{package.__name__} ships no data at {path}"
    return path


def indicator(suffix: int, pattern: str) -> dict:
    return {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--00000000-0000-4000-8000-{suffix:012d}",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern": pattern,
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }


def test_known_false_positives_are_flagged_at_import(fresh_node_dir, tmp_path):
    directory, _ = fresh_node_dir
    lists = package_data(pymispwarninglists, "misp-warninglists", "lists")
    loaded = run_json("--dir", directory, "reference", "load", "warninglists", lists, "--json")
    assert loaded["lists"] >= 50, loaded

    indicators = [
        indicator(1, "[ipv4-addr:value = '8.8.8.8']"),
        indicator(2, "[domain-name:value = 'www.google.com']"),
        indicator(3, "[domain-name:value = 'qzx-unlisted-7731.example']"),
    ]
    source = tmp_path / "indicators.jsonl"
    source.write_text("\n".join(json.dumps(item) for item in indicators) + "\n")
    summary = run_json("--dir", directory, "intel", "import", source, "--json")
    assert summary["added"] == 3, summary
    flagged = {item["object"]: item["hits"] for item in summary["flagged_objects"]}
    assert set(flagged) == {indicators[0]["id"], indicators[1]["id"]}, summary
    assert any("DNS resolvers" in hit["list"] for hit in flagged[indicators[0]["id"]]), flagged

    shown = run_json("--dir", directory, "intel", "show", indicators[0]["id"], "--json")
    assert shown["flagged"] is True, shown
    clean = run_json("--dir", directory, "intel", "show", indicators[2]["id"], "--json")
    assert clean["flagged"] is False, clean


def test_tlp_pap_and_iep_tags_are_explained(fresh_node_dir):
    directory, _ = fresh_node_dir
    taxonomies = package_data(pytaxonomies, "misp-taxonomies")
    loaded = run_json("--dir", directory, "reference", "load", "taxonomy", taxonomies, "--json")
    namespaces = {taxonomy["namespace"] for taxonomy in loaded}
    assert {"tlp", "PAP", "iep"} <= namespaces, sorted(namespaces)

    pap = run_json("--dir", directory, "reference", "explain", "pap:AMBER", "--json")
    assert "PAP:AMBER" in pap["predicate"]["expanded"], pap
    tlp = run_json("--dir", directory, "reference", "explain", "tlp:amber", "--json")
    assert tlp["namespace"] == "tlp", tlp
    unknown = run_entente("--dir", directory, "reference", "explain", "pap:purple", check=False)
    assert unknown.returncode != 0 and "reference load taxonomy" in unknown.stderr
