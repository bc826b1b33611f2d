//! Intelligence sync between two real nodes on loopback: what the treaty allows
//! travels (with its originator's seal, a ledger entry on both sides and a signed
//! receipt), what it does not allow never does, and signed requests are checked.

use super::node::{FedNode, conclude, eventually, now, recognize_each_other};
use super::treaty::draft;
use entente_core::StixId;
use entente_core::ledger::{Entry, EntryKind, verify};
use entente_core::node::NodeKey;
use entente_core::sync::{RequestKind, SyncRequest};
use entente_core::treaty::{Attribution, EncryptInTransit, Treaty};
use entente_store::{LedgerQuery, Store};
use serde_json::{Value, json};

pub const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
pub const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
pub const AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";

/// A treaty between `a` and `b` under which sync can run: the template's scope
/// (counter-terrorism and cyber; indicators, actors, malware, reports, sightings), TLP
/// up to AMBER, attribution allowed, no end-to-end encryption required.
pub fn sharing_treaty(a: &StixId, b: &StixId) -> Treaty {
    let base = draft(&[a, b], a, 0);
    let mut body = base.body().clone();
    body.terms.encrypt_in_transit = EncryptInTransit::May;
    body.terms.attribution = Attribution::May;
    Treaty::draft(base.id(), a, now(), &body).expect("treaty")
}

/// Two nodes with a sharing treaty in force.
pub async fn partners() -> (FedNode, FedNode) {
    let a = FedNode::start("Alpha", 41).await;
    let b = FedNode::start("Bravo", 42).await;
    recognize_each_other(&a, &b).await;
    let view = conclude(&a, &b, &sharing_treaty(&a.id, &b.id)).await;
    assert_eq!(view.state, "in-force");
    (a, b)
}

/// A valid indicator with these markings and labels.
pub fn indicator(markings: &[&str], labels: &[&str]) -> Value {
    let id = format!("indicator--{}", uuid::Uuid::new_v4());
    let mut object = json!({
        "type": "indicator", "spec_version": "2.1", "id": id,
        "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
        "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
    });
    if !markings.is_empty() {
        object["object_marking_refs"] = json!(markings);
    }
    if !labels.is_empty() {
        object["labels"] = json!(labels);
    }
    object
}

/// Stores objects in a node's default collection, as an import would.
pub fn add(node: &FedNode, objects: &[Value]) {
    let settings = node.store.node_settings().expect("settings");
    let parsed: Vec<_> = objects
        .iter()
        .map(|object| entente_core::stix::StixObject::from_json(&object.to_string()).expect("valid STIX"))
        .collect();
    node.store.add_objects(&settings.default_collection, &parsed, now().unix_micros()).expect("add");
}

/// Every object id a node holds, in any collection.
pub fn held(store: &Store) -> Vec<String> {
    store.feed_rows(None, 1_000_000, "").expect("feed").into_iter().map(|row| row.stix_id).collect()
}

/// The ledger, read back and verified.
pub fn ledger(store: &Store) -> Vec<Entry> {
    let mut entries = Vec::new();
    store
        .for_each_ledger_row(|row| {
            entries.push(Entry::from_value(&serde_json::from_str(&row.entry).expect("entry JSON")).expect("entry"));
            true
        })
        .expect("ledger");
    verify(&entries).expect("the ledger verifies");
    entries
}

#[tokio::test]
async fn only_what_the_treaty_allows_travels_sealed_and_recorded() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    let unmarked = indicator(&[], &["counter-terrorism"]);
    let red = indicator(&[RED], &["cyber"]);
    let strict = indicator(&[AMBER_STRICT], &["cyber"]);
    let unknown = indicator(&["marking-definition--00000000-0000-4000-8000-000000000000"], &["cyber"]);
    let off_topic = {
        let mut object = indicator(&[GREEN], &[]);
        object["x_entente_topics"] = json!(["finance"]);
        object
    };
    let identity = json!({"type": "identity", "spec_version": "2.1", "id": format!("identity--{}", uuid::Uuid::new_v4()),
        "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z", "name": "Not in scope",
        "object_marking_refs": [GREEN]});
    add(&a, &[green.clone(), unmarked.clone(), red.clone(), strict.clone(), unknown.clone(), off_topic, identity]);

    let expected = |store: &Store| {
        let held = held(store);
        held.contains(&green["id"].as_str().unwrap().to_owned())
            && held.contains(&unmarked["id"].as_str().unwrap().to_owned())
    };
    eventually("the releasable objects reach Bravo", || expected(&b.store).then_some(())).await;
    // Give a straggler page time to arrive, then check nothing else did.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    let mut got = held(&b.store);
    got.sort();
    let mut want = vec![green["id"].as_str().unwrap().to_owned(), unmarked["id"].as_str().unwrap().to_owned()];
    want.sort();
    assert_eq!(got, want, "exactly the green and the unmarked (AMBER) indicators");

    // Bravo stored them with Alpha's seal, received from Alpha under the treaty.
    let row = b.store.feed_rows(None, 10, "").unwrap().into_iter().find(|row| row.stix_id == green["id"]).unwrap();
    let seal = row.seal.expect("a seal");
    assert_eq!(seal.originator, a.id.as_str());
    assert_eq!(seal.received_from.as_deref(), Some(a.id.as_str()));
    let treaty = a.relation(&b).treaty_in_force.expect("treaty");
    assert_eq!(seal.treaty.as_deref(), Some(treaty.as_str()));
    assert!(seal.hops.contains("nobody"), "the hop records the treaty's re-sharing rule: {}", seal.hops);

    // Both ledgers verify; Alpha's names two releases to Bravo, Bravo's two receptions.
    let released: Vec<_> = ledger(&a.store)
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Release { object, recipient, .. } => Some((object.to_string(), recipient)),
            _ => None,
        })
        .collect();
    assert_eq!(released.len(), 2, "{released:?}");
    assert!(released.iter().all(|(_, recipient)| recipient == &b.id));
    let received = ledger(&b.store).into_iter().filter(|entry| matches!(entry.kind, EntryKind::Receive { .. })).count();
    assert_eq!(received, 2);
    // Every diplomatic note is on the ledger too: each note Alpha sent, Bravo received.
    let notes = |store: &Store, sent: bool| -> Vec<String> {
        let mut ids: Vec<String> = ledger(store)
            .into_iter()
            .filter_map(|entry| match entry.kind {
                EntryKind::NoteSent { note, .. } if sent => Some(note.to_string()),
                EntryKind::NoteReceived { note, .. } if !sent => Some(note.to_string()),
                _ => None,
            })
            .collect();
        ids.sort();
        ids
    };
    let sent_by_alpha = notes(&a.store, true);
    assert!(sent_by_alpha.len() >= 3, "recognize, propose, sign: {sent_by_alpha:?}");
    assert_eq!(sent_by_alpha, notes(&b.store, false));

    // The next pull carries Bravo's signed receipt for the page; Alpha records it.
    add(&a, &[indicator(&[GREEN], &["cyber"])]);
    eventually("Alpha records Bravo's receipt", || {
        let rows = a
            .store
            .ledger_rows(&LedgerQuery { kinds: vec!["receipt".into()], limit: 10, ..LedgerQuery::default() })
            .unwrap();
        (!rows.is_empty()).then_some(())
    })
    .await;
    ledger(&a.store);
}

/// POSTs a sync request signed with `key` to `node`'s `path`.
pub async fn post(node: &FedNode, path: &str, body: String) -> reqwest::Response {
    node.client
        .post(node.url(path))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("POST sync request")
}

pub fn feed_request(from: &StixId, to: &StixId, key: &NodeKey) -> SyncRequest {
    SyncRequest {
        id: uuid::Uuid::new_v4().to_string(),
        kind: RequestKind::Feed { after: None, limit: 10, receipt: None },
        sender: from.clone(),
        recipient: to.clone(),
        key_id: key.key_id(),
        created: now(),
    }
}

async fn assert_refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error body");
    assert_eq!(body["error_code"], code, "{body}");
}

#[tokio::test]
async fn bad_sync_requests_are_refused_with_their_code() {
    let (a, b) = partners().await;
    let good = feed_request(&b.id, &a.id, &b.key());
    let text = good.sign(&b.key());
    assert_eq!(post(&a, "/federation/v1/feed", text.clone()).await.status(), 200);
    assert_refused(post(&a, "/federation/v1/feed", text).await, 409, "replayed-request").await;

    let stranger = NodeKey::from_seed([99; 32]);
    let forged = feed_request(&b.id, &a.id, &stranger).sign(&stranger);
    assert_refused(post(&a, "/federation/v1/feed", forged).await, 403, "unknown-key").await;

    let mut tampered: Value = serde_json::from_str(&feed_request(&b.id, &a.id, &b.key()).sign(&b.key())).unwrap();
    tampered["limit"] = json!(5000);
    assert_refused(post(&a, "/federation/v1/feed", tampered.to_string()).await, 403, "bad-signature").await;

    let mut stale = feed_request(&b.id, &a.id, &b.key());
    stale.created = super::node::seconds_from_now(-3600);
    assert_refused(post(&a, "/federation/v1/feed", stale.sign(&b.key())).await, 400, "stale-request").await;

    let unknown = StixId::from_parts("identity", uuid::Uuid::new_v4()).unwrap();
    let from_unknown = feed_request(&unknown, &a.id, &stranger).sign(&stranger);
    assert_refused(post(&a, "/federation/v1/feed", from_unknown).await, 403, "unknown-sender").await;

    let misaddressed = feed_request(&b.id, &b.id, &b.key()).sign(&b.key());
    assert_refused(post(&a, "/federation/v1/feed", misaddressed).await, 400, "misaddressed").await;

    assert_refused(post(&a, "/federation/v1/feed", "{not json".into()).await, 400, "malformed-request").await;
    assert_refused(post(&a, "/federation/v1/feed", "x".repeat(20_000)).await, 413, "request-too-large").await;

    let mut poke = feed_request(&b.id, &a.id, &b.key());
    poke.kind = RequestKind::Poke;
    assert_refused(post(&a, "/federation/v1/feed", poke.sign(&b.key())).await, 400, "not-a-feed-request").await;
    let mut poke = feed_request(&b.id, &a.id, &b.key());
    poke.kind = RequestKind::Poke;
    assert_eq!(post(&a, "/federation/v1/poke", poke.sign(&b.key())).await.status(), 202);

    // Suspension stops the flow at once: feed and pokes are refused.
    a.diplomat.suspend(&b.id, None, now()).expect("suspend");
    let request = feed_request(&b.id, &a.id, &b.key()).sign(&b.key());
    assert_refused(post(&a, "/federation/v1/feed", request).await, 403, "relation-not-in-force").await;
    // Nothing refused above left a trace in Alpha's ledger.
    assert!(ledger(&a.store).iter().all(|entry| !matches!(entry.kind, EntryKind::Release { .. })));
}

/// A sharing treaty whose recipients may pass what they receive on to their own
/// treaty partners.
fn relaying_treaty(a: &StixId, b: &StixId) -> Treaty {
    let base = sharing_treaty(a, b);
    let mut body = base.body().clone();
    body.resharing = entente_core::treaty::Resharing::TreatyPartners;
    Treaty::draft(base.id(), a, now(), &body).expect("treaty")
}

/// How many stored rows hold this object id, in any collection.
fn copies(store: &Store, id: &str) -> usize {
    held(store).iter().filter(|held| *held == id).count()
}

#[tokio::test]
async fn a_version_reaching_a_node_twice_is_stored_once_and_never_echoed() {
    let a = FedNode::start("Alpha", 51).await;
    let b = FedNode::start("Bravo", 52).await;
    let c = FedNode::start("Charlie", 53).await;
    for (x, y) in [(&a, &b), (&b, &c), (&a, &c)] {
        recognize_each_other(x, y).await;
        assert_eq!(conclude(x, y, &relaying_treaty(&x.id, &y.id)).await.state, "in-force");
    }
    let object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().unwrap().to_owned();
    add(&a, &[object]);
    eventually("the indicator reaches Bravo and Charlie", || {
        (copies(&b.store, &id) == 1 && copies(&c.store, &id) == 1).then_some(())
    })
    .await;
    // Let every poke and pull run out: Bravo and Charlie offer it to each other.
    for node in [&a, &b, &c] {
        let syncer = entente_server::federation::Syncer::new(node.diplomat.clone(), Default::default());
        syncer.pull_now(&Default::default(), None, &|_, _| {}).await.expect("pull");
    }
    for node in [&a, &b, &c] {
        assert_eq!(copies(&node.store, &id), 1, "{} holds one copy", node.name);
        let receptions = ledger(&node.store)
            .into_iter()
            .filter(|entry| matches!(&entry.kind, EntryKind::Receive { object, .. } if object.as_str() == id))
            .count();
        assert_eq!(receptions, usize::from(node.id != a.id), "{} records one reception", node.name);
    }
    // Nothing went back to Alpha, its originator.
    let to_alpha = ledger(&b.store)
        .into_iter()
        .chain(ledger(&c.store))
        .filter(|entry| matches!(&entry.kind, EntryKind::Release { recipient, .. } if recipient == &a.id))
        .count();
    assert_eq!(to_alpha, 0);
}

/// Accredits an envoy of `partner` at `node` and returns its token.
pub fn envoy_token(node: &FedNode, partner: &FedNode) -> String {
    let token = format!("ent_envoy_{}", uuid::Uuid::new_v4().simple());
    let treaty = node.relation(partner).treaty_in_force.expect("treaty in force");
    let hash = entente_core::auth::TokenHash::of(&token);
    node.store
        .create_envoy_token(
            &uuid::Uuid::new_v4().simple().to_string()[..8],
            "envoy",
            &hash,
            partner.id.as_str(),
            &treaty,
            now().unix_micros(),
        )
        .expect("envoy token");
    token
}

async fn taxii_get(node: &FedNode, path: &str, token: &str) -> Value {
    let response = node
        .client
        .get(node.url(path))
        .bearer_auth(token)
        .header("accept", "application/taxii+json;version=2.1")
        .send()
        .await
        .expect("TAXII GET");
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.expect("TAXII body")
}

#[tokio::test]
async fn an_envoy_reads_over_taxii_only_what_the_release_decision_allows() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    let red = indicator(&[RED], &["cyber"]);
    let unknown = indicator(&["marking-definition--00000000-0000-4000-8000-000000000000"], &["cyber"]);
    add(&a, &[green.clone(), red.clone(), unknown.clone()]);
    let collection = a.store.node_settings().unwrap().default_collection;
    let token = envoy_token(&a, &b);

    let objects = taxii_get(&a, &format!("/intel/collections/{collection}/objects/"), &token).await;
    let ids: Vec<&str> = objects["objects"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [green["id"].as_str().unwrap()], "only the green indicator: {objects}");
    let manifest = taxii_get(&a, &format!("/intel/collections/{collection}/manifest/"), &token).await;
    assert_eq!(manifest["objects"].as_array().unwrap().len(), 1, "the manifest hides the rest: {manifest}");
    let response = a
        .client
        .get(a.url(&format!("/intel/collections/{collection}/objects/{}/", red["id"].as_str().unwrap())))
        .bearer_auth(&token)
        .header("accept", "application/taxii+json;version=2.1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404, "a RED object does not exist for the envoy");

    // The read is a release, on the ledger.
    let released: Vec<_> = ledger(&a.store)
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Release { object, recipient, obligations, .. } if recipient == b.id => {
                Some((object.to_string(), obligations))
            }
            _ => None,
        })
        .filter(|(_, obligations)| obligations.iter().any(|o| o == "channel:taxii"))
        .collect();
    assert_eq!(released.len(), 1, "{released:?}");
    assert_eq!(released[0].0, green["id"].as_str().unwrap());
}

/// Alpha, Bravo and Charlie: Alpha–Bravo and Bravo–Charlie have relaying treaties;
/// Alpha and Charlie only recognized each other (Charlie can check Alpha's seals), so
/// what Alpha shares reaches Charlie through Bravo only.
async fn chain() -> (FedNode, FedNode, FedNode) {
    let a = FedNode::start("Alpha", 61).await;
    let b = FedNode::start("Bravo", 62).await;
    let c = FedNode::start("Charlie", 63).await;
    for (x, y) in [(&a, &b), (&b, &c)] {
        recognize_each_other(x, y).await;
        assert_eq!(conclude(x, y, &relaying_treaty(&x.id, &y.id)).await.state, "in-force");
    }
    recognize_each_other(&a, &c).await;
    (a, b, c)
}

/// Revokes an object `node` originated, as `entente intel revoke` does; returns how
/// many versions it deleted there.
fn revoke(node: &FedNode, id: &str, reason: &str) -> u64 {
    let object = StixId::parse(id).expect("an object id");
    let kind = entente_core::sync::TombstoneKind::Revoked;
    let tombstone =
        entente_core::sync::Tombstone::make(&node.key(), kind, node.id.clone(), object.clone(), reason, now());
    let record = entente_store::TombstoneRecord {
        stix_id: id.to_owned(),
        issuer: node.id.to_string(),
        is_final: true,
        json: tombstone.to_value().to_string(),
        received_from: None,
        target: None,
    };
    let entry = EntryKind::Revoked { object, reason: reason.to_owned() };
    node.store.remove_with_tombstone(&record, entry, now().unix_micros()).expect("revoked")
}

/// Runs pulls on every node until nothing moves.
async fn pull_everywhere(nodes: &[&FedNode]) {
    for _ in 0..3 {
        for node in nodes {
            let syncer = entente_server::federation::Syncer::new(node.diplomat.clone(), Default::default());
            syncer.pull_now(&Default::default(), None, &|_, _| {}).await.expect("pull");
        }
    }
}

fn removed_entries(store: &Store, id: &str) -> usize {
    ledger(store)
        .into_iter()
        .filter(|entry| matches!(&entry.kind, EntryKind::Removed { object, .. } if object.as_str() == id))
        .count()
}

#[tokio::test]
async fn a_revocation_reaches_every_holder_two_hops_away_and_the_object_never_returns() {
    let (a, b, c) = chain().await;
    let object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().unwrap().to_owned();
    add(&a, &[object]);
    pull_everywhere(&[&a, &b, &c]).await;
    assert_eq!((copies(&b.store, &id), copies(&c.store, &id)), (1, 1), "shared two hops away");

    // Alpha revokes it, as `entente intel revoke` does.
    assert_eq!(revoke(&a, &id, "false positive"), 1);
    pull_everywhere(&[&a, &b, &c]).await;
    for node in [&b, &c] {
        assert_eq!(copies(&node.store, &id), 0, "{} deleted it", node.name);
        assert_eq!(removed_entries(&node.store, &id), 1, "{} recorded the removal", node.name);
    }

    // A stale copy offered again is refused: Bravo's operator imports it anew (Bravo
    // seals it as its own) and Charlie, holding Alpha's tombstone, does not take it.
    assert!(c.store.is_tombstoned(&id).unwrap(), "Charlie keeps the originator's tombstone");
    let mut again = indicator(&[GREEN], &["cyber"]);
    again["id"] = json!(id);
    add(&b, &[again]);
    pull_everywhere(&[&a, &b, &c]).await;
    assert_eq!(copies(&b.store, &id), 1, "Bravo's own copy");
    assert_eq!(copies(&c.store, &id), 0, "Charlie refuses what its originator revoked");
}

#[tokio::test]
async fn tightening_the_markings_recalls_the_object_from_every_holder() {
    let (a, b, c) = chain().await;
    let mut object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().unwrap().to_owned();
    add(&a, std::slice::from_ref(&object));
    pull_everywhere(&[&a, &b, &c]).await;
    assert_eq!((copies(&b.store, &id), copies(&c.store, &id)), (1, 1));

    // A new version marked RED: no partner may hold the object any more.
    object["modified"] = json!("2026-11-02T00:00:00.000Z");
    object["object_marking_refs"] = json!([RED]);
    add(&a, &[object]);
    pull_everywhere(&[&a, &b, &c]).await;
    for node in [&b, &c] {
        assert_eq!(copies(&node.store, &id), 0, "{} no longer holds any version", node.name);
        assert_eq!(removed_entries(&node.store, &id), 1, "{} recorded the recall", node.name);
    }
    let recalls = ledger(&a.store)
        .into_iter()
        .filter(|entry| matches!(&entry.kind, EntryKind::Recalled { from, .. } if from == &b.id))
        .count();
    assert_eq!(recalls, 1, "Alpha recorded one recall from Bravo");
    assert!(!c.store.is_tombstoned(&id).unwrap(), "a recall is not a revocation: a later release may bring it back");
}

#[tokio::test]
async fn a_relay_vouches_for_an_originator_the_recipient_never_met() {
    // Alpha–Bravo and Bravo–Charlie only: Charlie never recognized Alpha.
    let a = FedNode::start("Alpha", 81).await;
    let b = FedNode::start("Bravo", 82).await;
    let c = FedNode::start("Charlie", 83).await;
    for (x, y) in [(&a, &b), (&b, &c)] {
        recognize_each_other(x, y).await;
        assert_eq!(conclude(x, y, &relaying_treaty(&x.id, &y.id)).await.state, "in-force");
    }
    let object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().unwrap().to_owned();
    add(&a, &[object]);
    pull_everywhere(&[&a, &b, &c]).await;
    assert_eq!(copies(&c.store, &id), 1, "Charlie checked Alpha's seal with the card Bravo vouched for");
    let row = c.store.feed_rows(None, 10, "").unwrap().into_iter().find(|row| row.stix_id == id).unwrap();
    assert_eq!(row.seal.unwrap().originator, a.id.as_str(), "the originator's seal travelled unchanged");
    let (_, vouched_by) = c.store.vouched_card(a.id.as_str()).unwrap().expect("the vouched card is kept");
    assert_eq!(vouched_by, b.id.as_str());

    // Alpha's revocation reaches Charlie too, checked with that key.
    revoke(&a, &id, "withdrawn");
    pull_everywhere(&[&a, &b, &c]).await;
    assert_eq!(copies(&c.store, &id), 0, "the revocation reached the node that knows Alpha only by Bravo's word");
}

#[tokio::test]
async fn an_export_for_a_partner_goes_through_the_release_decision() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    add(&a, &[green.clone(), indicator(&[RED], &["cyber"]), indicator(&[AMBER_STRICT], &["cyber"])]);
    let collection = a.store.node_settings().unwrap().default_collection;
    let export = entente_server::federation::PartnerRelease::new(&a.diplomat, &b.id, now()).expect("a treaty in force");
    let page = a.store.query_full(&collection, None, &entente_core::taxii::Filter::everything(), 100).unwrap();
    assert_eq!(page.rows.len(), 3);
    let released = export.release(&a.store, page).unwrap();
    let ids: Vec<&str> = released.rows.iter().map(|row| row.id.as_str()).collect();
    assert_eq!(ids, [green["id"].as_str().unwrap()]);
    let exported = ledger(&a.store)
        .into_iter()
        .filter(|entry| matches!(&entry.kind, EntryKind::Release { obligations, .. } if obligations.iter().any(|o| o == "channel:export")))
        .count();
    assert_eq!(exported, 1, "the export is a release on the ledger");
    // Nothing binds Alpha to a stranger: no export for it at all.
    let stranger = StixId::parse("identity--99999999-9999-4999-8999-999999999999").unwrap();
    assert!(entente_server::federation::PartnerRelease::new(&a.diplomat, &stranger, now()).is_err());
}

/// "Who else knows this?" for a partner's envoy: only the objects the release decision
/// lets it have, the same judgement as its TAXII reads; the node's own admin sees all.
#[tokio::test]
async fn an_envoy_sees_only_correlations_to_objects_it_may_have() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    let other_green = indicator(&[GREEN], &["cyber"]);
    let red = indicator(&[RED], &["cyber"]);
    add(&a, &[green.clone(), other_green.clone(), red.clone()]);
    let token = envoy_token(&a, &b);
    let id = |object: &Value| object["id"].as_str().expect("id").to_owned();
    let listed = |answer: &Value| -> Vec<String> {
        let correlations = answer["correlations"].as_array().cloned().unwrap_or_default();
        let mut ids: Vec<String> = correlations
            .iter()
            .flat_map(|value| value["objects"].as_array().cloned().unwrap_or_default())
            .map(|object| object["id"].as_str().expect("id").to_owned())
            .collect();
        ids.sort();
        ids
    };
    let get = |path: String, token: String| {
        let request = a.client.get(a.url(&path)).bearer_auth(token);
        async move { request.send().await.expect("GET") }
    };

    let by_value = get("/api/v1/correlations?value=198.51.100.7".into(), token.clone()).await;
    assert_eq!(by_value.status(), 200);
    let by_value: Value = by_value.json().await.expect("json");
    let mut greens = vec![id(&green), id(&other_green)];
    greens.sort();
    assert_eq!(listed(&by_value), greens, "the red indicator is hidden: {by_value}");
    assert!(!by_value.to_string().contains("originator"), "an envoy is not told sources");
    assert!(!by_value.to_string().contains("sources"), "an envoy is not told sources");

    let of_green: Value =
        get(format!("/api/v1/objects/{}/correlations", id(&green)), token.clone()).await.json().await.expect("json");
    assert_eq!(listed(&of_green["values"][0]), [id(&other_green)], "{of_green}");
    let of_red = get(format!("/api/v1/objects/{}/correlations", id(&red)), token.clone()).await;
    assert_eq!(of_red.status(), 404, "a red object does not exist for the envoy");

    // The node's own users see every holder in the collections they may read.
    let admin_token = format!("ent_admin_{}", uuid::Uuid::new_v4().simple());
    let hash = entente_core::auth::TokenHash::of(&admin_token);
    a.store
        .create_token("corr-admin", "admin", entente_core::auth::Role::Admin, &hash, now().unix_micros())
        .expect("token");
    let everything: Value =
        get("/api/v1/correlations?value=198.51.100.7".into(), admin_token).await.json().await.expect("json");
    assert_eq!(listed(&everything).len(), 3, "{everything}");
}

/// Objects received by sync are indexed in the page's transaction, with the partner
/// they came from; a revocation's tombstone takes the copy and its index rows away.
#[tokio::test]
async fn received_objects_correlate_with_their_source_until_revoked() {
    let (a, b) = partners().await;
    let shared = indicator(&[GREEN], &["cyber"]);
    let own = indicator(&[GREEN], &["cyber"]);
    add(&a, std::slice::from_ref(&shared));
    add(&b, std::slice::from_ref(&own));
    pull_everywhere(&[&b]).await;
    let shared_id = shared["id"].as_str().expect("id");
    let value = entente_core::correlate::Observable::guess("198.51.100.7").expect("an address");
    let holders = |store: &Store| -> Vec<(String, Option<String>, Option<String>)> {
        let found = store.correlate(&value, own["id"].as_str()).expect("correlate");
        found
            .into_iter()
            .flat_map(|value| value.objects)
            .map(|object| (object.row.id, object.originator, object.received_from))
            .collect()
    };
    assert_eq!(holders(&b.store), [(shared_id.to_owned(), Some(a.id.to_string()), Some(a.id.to_string()))]);

    revoke(&a, shared_id, "withdrawn");
    pull_everywhere(&[&b]).await;
    assert!(holders(&b.store).is_empty(), "the revoked copy no longer correlates");
}
