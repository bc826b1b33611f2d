"""Entente's TAXII 2.1 server driven by the stock OASIS clients: taxii2-client and stix2.

Every request here goes through taxii2-client's public API (Server, ApiRoot,
Collection, as_pages); objects are made with stix2. Where taxii2-client hides
something (response headers), a requests response hook on its session reads it.
"""

import datetime as dt
import itertools
import json

import pytest
import requests
import stix2
from stix2.utils import parse_into_datetime
from taxii2client.exceptions import AccessError
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

TAXII_21 = "application/taxii+json;version=2.1"
STIX_21 = "application/stix+json;version=2.1"
USER = "interop"  # any user name: the token is the password

_ip_counter = itertools.count(1)


# --- helpers -----------------------------------------------------------------


class BearerAuth(requests.auth.AuthBase):
    def __init__(self, token):
        self.token = token

    def __call__(self, request):
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request


def server_for(node, token=None) -> Server:
    return Server(node.discovery_url, user=USER, password=token or node.token)


def api_root_for(node, token=None) -> ApiRoot:
    return ApiRoot(node.api_root_url, user=USER, password=token or node.token)


def collection_for(node, collection_id=None, token=None) -> Collection:
    root = api_root_for(node, token)
    wanted = collection_id or node.collection_id
    for collection in root.collections:
        if collection.id == wanted:
            return collection
    raise AssertionError(f"collection {wanted} not listed in {[c.id for c in root.collections]}")


def record_responses(collection) -> list:
    """Returns a list that receives every requests.Response the collection's session gets."""
    seen = []
    collection._conn.session.hooks["response"].append(lambda response, *args, **kwargs: seen.append(response))
    return seen


def ts(value) -> dt.datetime:
    """A STIX/TAXII timestamp as an aware datetime (precision-insensitive comparison)."""
    return parse_into_datetime(value)


def new_ip() -> str:
    n = next(_ip_counter)
    return f"198.51.{100 + n // 250}.{n % 250 + 1}"


def make_indicator(**extra) -> stix2.Indicator:
    ip = new_ip()
    return stix2.Indicator(
        name=f"C2 address {ip}",
        pattern=f"[ipv4-addr:value = '{ip}']",
        pattern_type="stix",
        valid_from="2024-01-01T00:00:00Z",
        indicator_types=["malicious-activity"],
        **extra,
    )


def all_objects(collection, per_request=50, **filters) -> list:
    objects = []
    for page in as_pages(collection.get_objects, per_request=per_request, **filters):
        objects.extend(page.get("objects", []))
    return objects


def add(collection, *objects):
    status = collection.add_objects(stix2.Bundle(*objects, allow_custom=True).serialize())
    assert status.status == "complete", status._raw
    return status


# --- discovery and collections -------------------------------------------------


def test_discovery_lists_the_api_root_and_its_default(node):
    server = server_for(node)
    assert server.title, "discovery must have a title"
    urls = [root.url for root in server.api_roots]
    assert node.api_root_url in urls, urls
    assert server.default is not None, f"discovery has no usable 'default': {server._raw}"
    assert server.default.url == node.api_root_url

    root = server.default
    assert root.title
    assert TAXII_21 in root.versions
    assert isinstance(root.max_content_length, int) and root.max_content_length > 0


def test_collections_list_and_access_flags(node):
    root = server_for(node).default
    by_id = {collection.id: collection for collection in root.collections}
    assert node.collection_id in by_id and node.paging_collection_id in by_id, list(by_id)
    intel = by_id[node.collection_id]
    assert intel.title
    assert intel.can_read is True and intel.can_write is True  # admin
    assert STIX_21 in intel.media_types

    # GET of the collection itself agrees with the listing.
    direct = Collection(intel.url, user=USER, password=node.token)
    direct.refresh()
    assert (direct.id, direct.title, direct.can_read, direct.can_write) == (intel.id, intel.title, True, True)


def test_bearer_auth_works_and_no_auth_is_401(node):
    server = Server(node.discovery_url, auth=BearerAuth(node.token))
    assert node.api_root_url in [root.url for root in server.api_roots]

    with pytest.raises(requests.exceptions.HTTPError) as info:
        Server(node.discovery_url).refresh()
    assert info.value.response.status_code == 401

    with pytest.raises(requests.exceptions.HTTPError) as info:
        Server(node.discovery_url, user=USER, password="ent_not-a-real-token").refresh()
    assert info.value.response.status_code == 401


# --- adding objects and status ------------------------------------------------


def test_add_bundle_made_with_stix2_and_read_its_status(node):
    collection = collection_for(node)
    indicator = make_indicator()
    malware = stix2.Malware(name="Interop RAT", is_family=True, malware_types=["remote-access-trojan"])
    relationship = stix2.Relationship(indicator, "indicates", malware)
    bundle = stix2.Bundle(indicator, malware, relationship)

    status = collection.add_objects(bundle.serialize())
    assert status.status == "complete"
    assert (status.total_count, status.success_count, status.failure_count, status.pending_count) == (3, 3, 0, 0)
    assert {detail["id"] for detail in status.successes} == {indicator.id, malware.id, relationship.id}
    for detail in status.successes:
        assert "version" in detail, detail

    # Get Status through the API root.
    fetched = api_root_for(node).get_status(status.id)
    assert fetched.id == status.id
    assert (fetched.total_count, fetched.success_count, fetched.failure_count, fetched.pending_count) == (3, 3, 0, 0)
    fetched.refresh()
    assert fetched.status == "complete" and fetched.success_count == 3

    # Everything we added can be read back, byte-for-byte equal as JSON.
    for original in (indicator, malware, relationship):
        envelope = collection.get_object(original.id)
        assert len(envelope["objects"]) == 1
        assert envelope["objects"][0] == json.loads(original.serialize())

    # Adding the same bundle again is harmless: each object is reported as a success.
    again = collection.add_objects(bundle.serialize())
    assert (again.total_count, again.success_count, again.failure_count) == (3, 3, 0)


def test_status_returned_by_add_objects_can_be_refreshed(node):
    """taxii2-client polls the Status it got from add_objects at the URL it derives
    from the collection's (`collections/<id>/../../status/<status-id>`, to which the
    client appends the trailing '/')."""
    collection = collection_for(node)
    status = collection.add_objects(stix2.Bundle(make_indicator()).serialize())
    status.refresh()
    assert status.status == "complete" and status.success_count == 1


def test_add_reports_invalid_objects_one_by_one(node):
    collection = collection_for(node)
    good = make_indicator()
    bad = {  # an indicator without its required pattern
        "type": "indicator",
        "spec_version": "2.1",
        "id": "indicator--6b1d3a6e-52c7-4a4c-9d0d-3f0c2a0e1111",
        "created": "2024-01-01T00:00:00.000Z",
        "modified": "2024-01-01T00:00:00.000Z",
        "pattern_type": "stix",
        "valid_from": "2024-01-01T00:00:00Z",
    }
    envelope = {"objects": [json.loads(good.serialize()), bad]}
    status = collection.add_objects(envelope)
    assert (status.total_count, status.success_count, status.failure_count, status.pending_count) == (2, 1, 1, 0)
    assert [detail["id"] for detail in status.failures] == [bad["id"]]
    assert status.failures[0].get("message"), "a failure should say why"
    assert collection.get_object(good.id)["objects"][0]["id"] == good.id
    with pytest.raises(requests.exceptions.HTTPError) as info:
        collection.get_object(bad["id"])
    assert info.value.response.status_code == 404


# --- paging -------------------------------------------------------------------


def test_paging_delivers_every_object_exactly_once_and_added_after_resumes(node):
    collection = collection_for(node, node.paging_collection_id)
    responses = record_responses(collection)

    # Three POSTs of 45 objects each.
    batches = [[make_indicator() for _ in range(45)] for _ in range(3)]
    for batch in batches:
        status = add(collection, *batch)
        assert status.success_count == len(batch)
    expected = {obj.id for batch in batches for obj in batch}
    assert len(expected) == 135

    # Page through everything, 20 at a time.
    per_request = 20
    responses.clear()
    pages = list(as_pages(collection.get_objects, per_request=per_request))
    seen = [obj["id"] for page in pages for obj in page.get("objects", [])]
    assert len(seen) == len(set(seen)), "an object arrived twice"
    assert set(seen) == expected
    assert len(pages) == -(-135 // per_request), [len(page.get("objects", [])) for page in pages]
    assert all(len(page.get("objects", [])) <= per_request for page in pages)
    assert all(page.get("more") for page in pages[:-1]) and not pages[-1].get("more", False)
    gets = [response for response in responses if response.request.method == "GET"]
    assert len(gets) == len(pages)
    for response in gets:
        assert response.headers.get("X-TAXII-Date-Added-First"), response.headers
        assert response.headers.get("X-TAXII-Date-Added-Last"), response.headers

    # Objects come in date_added order (spec: sorted by date_added, oldest first), and
    # the manifest agrees with the objects.
    manifest = [record for page in as_pages(collection.get_manifest, per_request=per_request) for record in page.get("objects", [])]
    assert [record["id"] for record in manifest] == seen, "objects and manifest disagree on order"
    added = [ts(record["date_added"]) for record in manifest]
    assert added == sorted(added), "manifest records are not in date_added order"
    date_added = {record["id"]: ts(record["date_added"]) for record in manifest}
    # Objects of an earlier POST were added before those of a later one.
    for earlier, later in zip(batches, batches[1:]):
        assert max(date_added[o.id] for o in earlier) < min(date_added[o.id] for o in later)

    # The headers agree with the manifest's date_added of the objects on each page.
    for response, page in zip(gets, pages):
        stamps = [date_added[obj["id"]] for obj in page["objects"]]
        assert ts(response.headers["X-TAXII-Date-Added-First"]) == min(stamps)
        assert ts(response.headers["X-TAXII-Date-Added-Last"]) == max(stamps)

    # added_after = the first page's X-TAXII-Date-Added-Last: only strictly newer objects,
    # each once: here, everything after the first page.
    first_last = gets[0].headers["X-TAXII-Date-Added-Last"]
    newer = all_objects(collection, per_request=per_request, added_after=first_last)
    newer_ids = [obj["id"] for obj in newer]
    assert len(newer_ids) == len(set(newer_ids)), "an object arrived twice"
    assert set(newer_ids) == {i for i, when in date_added.items() if when > ts(first_last)}
    assert set(newer_ids) == set(seen) - {obj["id"] for obj in pages[0]["objects"]}

    # A poller's next round: remember the last page's X-TAXII-Date-Added-Last, new
    # objects arrive, and added_after returns exactly those.
    high_water = gets[-1].headers["X-TAXII-Date-Added-Last"]
    fresh = [make_indicator() for _ in range(10)]
    add(collection, *fresh)
    responses.clear()
    delta = all_objects(collection, per_request=4, added_after=high_water)
    assert sorted(obj["id"] for obj in delta) == sorted(obj.id for obj in fresh)
    last_header = [r for r in responses if r.request.method == "GET"][-1].headers["X-TAXII-Date-Added-Last"]
    assert ts(last_header) > ts(high_water)
    assert all_objects(collection, added_after=last_header) == []


# --- versions, manifest, delete -----------------------------------------------


@pytest.fixture(scope="module")
def versioned(node):
    """One indicator posted in three versions (three separate POSTs)."""
    collection = collection_for(node)
    first = make_indicator(created="2024-03-01T10:00:00.000Z", modified="2024-03-01T10:00:00.000Z")
    second = first.new_version(modified="2024-03-02T10:00:00.000Z", name=first.name + " (v2)")
    third = second.new_version(modified="2024-03-03T10:00:00.000Z", name=first.name + " (v3)", confidence=80)
    for version in (first, second, third):
        status = add(collection, version)
        assert status.success_count == 1
    return collection, [first, second, third]


def _modified(envelope):
    return sorted(ts(obj["modified"]) for obj in envelope.get("objects", []))


def test_object_versions_lists_all_three(versioned):
    collection, versions = versioned
    listed = collection.object_versions(versions[0].id)
    assert [ts(v) for v in listed["versions"]] == [ts(v.modified) for v in versions]
    assert not listed.get("more", False)


def test_get_object_version_selection(versioned):
    collection, (first, second, third) = versioned
    oid = first.id
    assert _modified(collection.get_object(oid)) == [ts(third.modified)], "default is the latest version"
    assert _modified(collection.get_object(oid, version="last")) == [ts(third.modified)]
    assert _modified(collection.get_object(oid, version="first")) == [ts(first.modified)]
    assert _modified(collection.get_object(oid, version="all")) == [ts(v.modified) for v in (first, second, third)]
    assert _modified(collection.get_object(oid, version=second.modified)) == [ts(second.modified)]
    assert _modified(collection.get_object(oid, version=["first", "last"])) == [ts(first.modified), ts(third.modified)]
    # The same through Get Objects with match[id].
    assert _modified(collection.get_objects(id=oid, version="all")) == [ts(v.modified) for v in (first, second, third)]
    assert _modified(collection.get_objects(id=oid)) == [ts(third.modified)]
    # Every version parses with stix2 and carries its own content.
    for obj in collection.get_object(oid, version="all")["objects"]:
        parsed = stix2.parse(obj, allow_custom=True)
        assert parsed.id == oid
    latest = stix2.parse(collection.get_object(oid)["objects"][0])
    assert latest.name.endswith("(v3)") and latest.confidence == 80


def test_manifest(versioned):
    collection, (first, second, third) = versioned
    latest = collection.get_manifest(id=first.id)["objects"]
    assert len(latest) == 1
    record = latest[0]
    assert record["id"] == first.id
    assert ts(record["version"]) == ts(third.modified)
    assert record["media_type"] == STIX_21
    assert record["date_added"]
    every = collection.get_manifest(id=first.id, version="all")["objects"]
    assert sorted(ts(r["version"]) for r in every) == [ts(v.modified) for v in (first, second, third)]
    by_type = collection.get_manifest(type="indicator", version="all")["objects"]
    assert sum(1 for r in by_type if r["id"] == first.id) == 3


def test_delete_object_then_404(node):
    collection = collection_for(node)
    malware = stix2.Malware(name="Short-lived", is_family=False)
    v2 = malware.new_version(description="second version")
    add(collection, malware)
    add(collection, v2)
    assert _modified(collection.get_object(malware.id, version="all")) == [ts(malware.modified), ts(v2.modified)]

    # Delete one version, then the rest.
    collection.delete_object(malware.id, version="first")
    assert _modified(collection.get_object(malware.id, version="all")) == [ts(v2.modified)]
    collection.delete_object(malware.id)
    for call in (
        lambda: collection.get_object(malware.id),
        lambda: collection.object_versions(malware.id),
        lambda: collection.delete_object(malware.id),
    ):
        with pytest.raises(requests.exceptions.HTTPError) as info:
            call()
        assert info.value.response.status_code == 404
    assert malware.id not in {r["id"] for r in collection.get_manifest(id=malware.id).get("objects", [])}


# --- roles --------------------------------------------------------------------


def test_reader_can_read_but_not_write(node):
    reader_root = server_for(node, node.reader_token).default
    collection = next(c for c in reader_root.collections if c.id == node.collection_id)
    assert collection.can_read is True
    assert collection.can_write is False
    assert collection.get_objects(limit=5)["objects"], "the reader should see the node's objects"
    assert collection.get_manifest(limit=5)["objects"]

    bundle = stix2.Bundle(make_indicator()).serialize()
    # taxii2-client refuses on its own, from can_write...
    with pytest.raises(AccessError):
        collection.add_objects(bundle)

    # ...and the server refuses too when a client POSTs anyway.
    forced = Collection(
        collection.url,
        user=USER,
        password=node.reader_token,
        collection_info=dict(collection._raw, can_write=True),
    )
    with pytest.raises(requests.exceptions.HTTPError) as info:
        forced.add_objects(bundle)
    assert info.value.response.status_code == 403

    some_id = collection.get_objects(limit=1)["objects"][0]["id"]
    with pytest.raises(requests.exceptions.HTTPError) as info:
        forced.delete_object(some_id)
    assert info.value.response.status_code == 403
    assert collection.get_object(some_id)["objects"], "a refused delete must not delete"


def test_analyst_can_write(node):
    collection = collection_for(node, token=node.analyst_token)
    assert collection.can_read and collection.can_write
    indicator = make_indicator()
    status = add(collection, indicator)
    assert status.success_count == 1
    assert collection.get_object(indicator.id)["objects"][0]["id"] == indicator.id


# --- what the server returns is STIX that stix2 accepts -----------------------


def test_every_served_object_parses_with_stix2(node):
    for collection_id in (node.collection_id, node.paging_collection_id):
        collection = collection_for(node, collection_id)
        objects = all_objects(collection, per_request=100, version="all")
        assert objects
        types = set()
        for obj in objects:
            parsed = stix2.parse(obj, allow_custom=True)
            assert parsed.id == obj["id"]
            types.add(parsed.type)
        if collection_id == node.collection_id:
            assert "identity" in types, "init puts the node's identity in its collection"
