//! A tampered object or receipt is refused and logged. Bravo reaches Alpha through a
//! proxy that changes what it carries:
//!
//! 1. the receipt in Bravo's feed request (the request's signature covers it: Alpha
//!    answers `bad-signature`), and a receipt forged inside a request Bravo's own key
//!    signed (`bad-receipt`); Alpha records neither, then records the genuine one;
//! 2. one object's pattern inside a feed page (the page signature covers every
//!    object's hash: Bravo refuses the page with `bad-signature`, stores nothing of it,
//!    and its cursor does not move);
//! 3. the same change, the page then signed again with a key Bravo pins for Alpha —
//!    what a relay holding a valid key could do: the object no longer matches its
//!    originator's seal (`bad-seal`) and only that object is refused.

use super::proxy::{Proxy, Tamper};
use super::{audit_verifies, conclude, copies, import, indicator, number, wait_until};
use crate::peer::Peer;
use entente_core::keys::PublicKey;
use entente_core::ledger::{ContentHash, sign_receipt};
use entente_core::node::NodeKey;
use entente_core::sync::{OutItem, OutObject, RequestKind, SyncRequest, object_hash, read_page, write_page};
use entente_core::{StixId, Timestamp};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

const DELIVERY: Duration = Duration::from_secs(30);

/// What the proxy writes in place of the pattern of the object it tampers with.
const SWAPPED: &str = "[ipv4-addr:value = '203.0.113.66']";

fn key_of(peer: &Peer) -> NodeKey {
    let text = std::fs::read_to_string(peer.dir().join("node.key")).expect("the node's key file");
    let seed: [u8; 32] = hex::decode(text.trim()).unwrap().try_into().unwrap();
    NodeKey::from_seed(seed)
}

fn stix_id(text: &str) -> StixId {
    StixId::parse(text).unwrap()
}

/// Changes the page a receipt in a feed request names.
fn change_receipts() -> Tamper {
    Arc::new(|path, body| {
        let Ok(mut request) = serde_json::from_slice::<Value>(&body) else { return body };
        let Some(page) = request.pointer("/receipt/page").and_then(Value::as_str) else { return body };
        if !path.ends_with("/feed") {
            return body;
        }
        let flipped = if page.ends_with('0') { "1" } else { "0" };
        request["receipt"]["page"] = json!(format!("{}{flipped}", &page[..page.len() - 1]));
        request.to_string().into_bytes()
    })
}

/// Swaps the pattern of `target` in every feed page, keeping the page valid JSON.
fn change_object(target: String) -> Tamper {
    Arc::new(move |path, body| {
        let Ok(mut page) = serde_json::from_slice::<Value>(&body) else { return body };
        let Some(items) = page.get_mut("items").and_then(Value::as_array_mut) else { return body };
        if !path.ends_with("/feed") {
            return body;
        }
        for item in items.iter_mut().filter(|item| item["object"]["id"] == target.as_str()) {
            item["object"]["pattern"] = json!(SWAPPED);
        }
        page.to_string().into_bytes()
    })
}

/// Swaps the pattern of `target` and signs the page again with `key`, as a sender
/// holding that key would; every other item, the seals and the tombstones are kept.
fn change_object_and_sign(target: String, key: NodeKey, sender: StixId, recipient: StixId) -> Tamper {
    Arc::new(move |path, body| {
        let request = match serde_json::from_slice::<Value>(&body) {
            Ok(page) if path.ends_with("/feed") && page["type"] == "feed-page" => page["request"].to_string(),
            _ => return body,
        };
        let public = PublicKey::from_bytes(&key.public_key()).unwrap();
        let request = request.trim_matches('"');
        let page = read_page(&body, &recipient, &sender, request, &|_| Some(public), None).expect("a genuine page");
        let objects: Vec<(String, ContentHash)> = page
            .items
            .iter()
            .map(|item| {
                let mut object = item.object.clone();
                if object["id"] == target.as_str() {
                    object["pattern"] = json!(SWAPPED);
                }
                let hash = object_hash(&object).unwrap();
                (object.to_string(), hash)
            })
            .collect();
        let items: Vec<OutItem<'_>> = page
            .items
            .iter()
            .zip(&objects)
            .map(|(item, (json, hash))| OutItem {
                object: OutObject::Clear(json),
                object_hash: hash,
                seal: &item.seal,
                hops: &item.hops,
                treaty: &item.treaty,
            })
            .collect();
        let cards: Vec<Value> = page.cards.iter().map(|card| card.to_json().clone()).collect();
        write_page(&page.header, &items, &page.tombstones, &cards, &key).0.into_bytes()
    })
}

/// A bare HTTP/1.1 POST of JSON: the status code and the body.
fn post(base: &str, path: &str, body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let authority = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(authority).expect("connecting to the node");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.split(' ').nth(1).and_then(|code| code.parse().ok()).unwrap_or(0);
    (status, response)
}

/// Alpha's receipt for `manifest`, if it recorded one.
fn receipt_entry(alpha: &Peer, manifest: &str) -> Option<i64> {
    super::database(alpha)
        .query_row("SELECT receipt_entry FROM feed_pages WHERE manifest = ?1", [manifest], |row| row.get(0))
        .expect("the page Alpha served")
}

fn receipts(alpha: &Peer) -> i64 {
    number(alpha, "SELECT count(*) FROM ledger WHERE kind = 'receipt'", [])
}

#[test]
fn a_tampered_receipt_page_or_object_is_refused_logged_and_never_stored() {
    let proxy = Proxy::start();
    let alpha = Peer::start_with("CERT-Alpha", Some(&proxy.url()));
    let bravo = Peer::start("CERT-Bravo");
    proxy.forward_to(&alpha.local_url());
    conclude(&alpha, &bravo, "nobody");
    let (alpha_id, bravo_id) = (stix_id(&alpha.id()), stix_id(&bravo.id()));

    // 1. Receipts. The first request of a pull carries none; every later one carries
    // the receipt of the last page stored, which the proxy changes from now on.
    proxy.tamper_requests(Some(change_receipts()));
    let first = indicator(4, 1);
    import(&alpha, "first.jsonl", std::slice::from_ref(&first));
    wait_until("the first indicator reaching Bravo", DELIVERY, || copies(&bravo, first["id"].as_str().unwrap()) == 1);
    let manifest: String = super::database(&bravo)
        .query_row("SELECT last_page FROM sync_cursors", [], |row| row.get(0))
        .expect("Bravo's cursor names the page it stored");
    let before = receipts(&alpha);
    let pulled = bravo.run(&["sync", "now", "--json"]);
    assert!(!pulled.status.success(), "a pull with a changed receipt succeeded: {}", pulled.stdout);
    let error = pulled.json()["partners"][0]["error"].as_str().unwrap().to_owned();
    assert!(error.contains("403") && error.contains("bad-signature"), "{error}");

    // A receipt whose signature does not verify, inside a request Bravo's key signed.
    let bravo_key = key_of(&bravo);
    let mut forged =
        sign_receipt(&NodeKey::from_seed([7; 32]), ContentHash::parse(&manifest).unwrap(), bravo_id.clone());
    forged.key_id = bravo_key.key_id();
    let request = SyncRequest {
        id: uuid::Uuid::new_v4().to_string(),
        kind: RequestKind::Feed { after: None, limit: 10, receipt: Some(forged) },
        sender: bravo_id.clone(),
        recipient: alpha_id.clone(),
        key_id: bravo_key.key_id(),
        created: Timestamp::from_unix_micros(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64,
        ),
    };
    let (status, answer) = post(&alpha.local_url(), "/federation/v1/feed", &request.sign(&bravo_key));
    assert_eq!(status, 403, "{answer}");
    assert!(answer.contains("bad-receipt"), "{answer}");
    assert_eq!(receipts(&alpha), before, "Alpha recorded a receipt it refused");
    assert_eq!(receipt_entry(&alpha, &manifest), None, "the page still awaits its receipt");

    // Untouched, the same receipt is recorded.
    proxy.tamper_requests(None);
    bravo.json(&["sync", "now", "--json"]);
    assert!(receipt_entry(&alpha, &manifest).is_some(), "the genuine receipt was recorded");
    assert_eq!(receipts(&alpha), before + 1);

    // 2. An object changed inside a page: the whole page is refused.
    let pages = || number(&bravo, "SELECT pages FROM sync_cursors", []);
    let pages_before = pages();
    let changed = indicator(4, 2);
    let changed_id = changed["id"].as_str().unwrap().to_owned();
    proxy.tamper_responses(Some(change_object(changed_id.clone())));
    let mark = bravo.log_mark();
    import(&alpha, "changed.jsonl", std::slice::from_ref(&changed));
    bravo.wait_for_log_since(mark, "refused the page (bad-signature)", DELIVERY);
    let pulled = bravo.run(&["sync", "now", "--json"]);
    assert!(!pulled.status.success(), "{}", pulled.stdout);
    assert!(pulled.json()["partners"][0]["error"].as_str().unwrap().contains("bad-signature"), "{}", pulled.stdout);
    assert_eq!(copies(&bravo, &changed_id), 0, "Bravo stored an object from a tampered page");
    assert_eq!(pages(), pages_before, "the cursor moved past a refused page");

    // 3. The same change in a page signed again with a key Bravo pins for Alpha: the
    // page verifies, the object does not match Alpha's seal; the rest is stored.
    let mark = bravo.log_mark();
    proxy.tamper_responses(Some(change_object_and_sign(changed_id.clone(), key_of(&alpha), alpha_id, bravo_id)));
    let after = indicator(4, 3);
    import(&alpha, "after.jsonl", std::slice::from_ref(&after));
    wait_until("the untouched indicator reaching Bravo", DELIVERY, || {
        copies(&bravo, after["id"].as_str().unwrap()) == 1
    });
    assert_eq!(copies(&bravo, &changed_id), 0, "Bravo stored an object that does not match its seal");
    bravo.wait_for_log_since(mark, "bad-seal", DELIVERY);
    assert_eq!(super::ledger_entries(&bravo, "receive", &changed_id), 0);

    proxy.tamper_responses(None);
    audit_verifies(&alpha);
    audit_verifies(&bravo);
}
