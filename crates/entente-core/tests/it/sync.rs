//! Sync wire forms: seals, signed requests (with receipts), signed pages, tombstones.
//! Every tampering a relay or a man in the middle could try is refused.

#![allow(clippy::unwrap_used)]

use entente_core::keys::KeyId;
use entente_core::ledger::{ContentHash, sign_receipt};
use entente_core::node::NodeKey;
use entente_core::note::PinnedKey;
use entente_core::release::HopRule;
use entente_core::seal::EncryptionKey;
use entente_core::sync::{
    ItemContext, OutItem, OutObject, PageError, PageHeader, RequestKind, Seal, SealedObject, SyncRequest, Tombstone,
    TombstoneKind, object_hash, read_page, verify_request, write_page,
};
use entente_core::treaty::{Resharing, TreatyHash};
use entente_core::{StixId, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

fn node(n: u8) -> StixId {
    StixId::parse(&format!("identity--00000000-0000-4000-8000-0000000000{n:02}")).unwrap()
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

fn treaty() -> TreatyHash {
    TreatyHash::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap()
}

fn indicator() -> Value {
    json!({"type": "indicator", "spec_version": "2.1", "id": "indicator--11111111-1111-4111-8111-111111111111",
           "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
           "pattern": "[ipv4-addr:value = '198.51.100.7']", "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z"})
}

#[test]
fn a_seal_binds_the_exact_object_and_its_originator() {
    let key = NodeKey::from_seed([1; 32]);
    let object = indicator();
    let hash = object_hash(&object).unwrap();
    let seal = Seal::make(&key, node(1), &hash, at("2026-11-22T10:00:00.000Z"));
    assert!(seal.check(&key.public(), &hash).is_ok());
    // Key order and whitespace do not matter: the hash is over canonical JSON.
    let reordered: Value = serde_json::from_str(&serde_json::to_string_pretty(&object).unwrap()).unwrap();
    assert_eq!(object_hash(&reordered).unwrap(), hash);
    // One changed character does.
    let mut changed = object.clone();
    changed["pattern"] = json!("[ipv4-addr:value = '198.51.100.8']");
    assert!(seal.check(&key.public(), &object_hash(&changed).unwrap()).is_err());
    // Another originator's name, or another key, does not verify.
    let forged = Seal { originator: node(2), ..seal.clone() };
    assert!(forged.check(&key.public(), &hash).is_err());
    assert!(seal.check(&NodeKey::from_seed([2; 32]).public(), &hash).is_err());
    assert_eq!(Seal::from_value(&seal.to_value()).unwrap(), seal);
    let mut extra = seal.to_value();
    extra["x"] = json!(1);
    assert!(Seal::from_value(&extra).is_err(), "unknown members are refused");
}

fn pinned(key: &NodeKey) -> PinnedKey {
    PinnedKey { key: key.public(), valid_from: at("2026-01-01T00:00:00Z"), valid_until: None }
}

fn request(kind: RequestKind, key: &NodeKey, created: Timestamp) -> SyncRequest {
    SyncRequest {
        id: "6f2c8a8e-4a42-4f0a-9d0e-7d1f6f1b2c3d".into(),
        kind,
        sender: node(2),
        recipient: node(1),
        key_id: key.key_id(),
        created,
    }
}

#[test]
fn requests_are_checked_in_order_with_stable_codes() {
    let bravo = NodeKey::from_seed([2; 32]);
    let now = at("2026-11-22T10:00:00.000Z");
    let keys = |id: &StixId| if *id == node(2) { vec![pinned(&bravo)] } else { Vec::new() };
    let receipt = sign_receipt(&bravo, ContentHash::parse(&format!("sha256:{}", "cd".repeat(32))).unwrap(), node(2));
    let feed = RequestKind::Feed { after: Some("c~1".into()), limit: 500, receipt: Some(receipt.clone()) };
    let good = request(feed.clone(), &bravo, now);
    let verified = verify_request(good.sign(&bravo).as_bytes(), &node(1), &keys, now, 300).unwrap();
    assert_eq!(verified, good);

    let code =
        |text: String, now: Timestamp| verify_request(text.as_bytes(), &node(1), &keys, now, 300).unwrap_err().code();
    assert_eq!(code(good.sign(&bravo), at("2026-11-22T10:10:00.000Z")), "stale-request");
    assert_eq!(code(good.sign(&NodeKey::from_seed([9; 32])), now), "bad-signature");
    let stranger = NodeKey::from_seed([9; 32]);
    assert_eq!(code(request(feed.clone(), &stranger, now).sign(&stranger), now), "unknown-key");
    let mut misaddressed = good.clone();
    misaddressed.recipient = node(3);
    assert_eq!(code(misaddressed.sign(&bravo), now), "misaddressed");
    let mut unknown = good.clone();
    unknown.sender = node(4);
    assert_eq!(code(unknown.sign(&bravo), now), "unknown-sender");
    let mut forged_receipt = receipt.clone();
    forged_receipt.object_hash = ContentHash::parse(&format!("sha256:{}", "ee".repeat(32))).unwrap();
    let forged = request(RequestKind::Feed { after: None, limit: 10, receipt: Some(forged_receipt) }, &bravo, now);
    assert_eq!(code(forged.sign(&bravo), now), "bad-receipt");
    let mut tampered: Value = serde_json::from_str(&good.sign(&bravo)).unwrap();
    tampered["limit"] = json!(5000);
    assert_eq!(code(tampered.to_string(), now), "bad-signature");
    tampered["limit"] = json!(0);
    assert_eq!(code(tampered.to_string(), now), "malformed-request");
    assert_eq!(code("x".repeat(20_000), now), "request-too-large");
    let poke = request(RequestKind::Poke, &bravo, now);
    let mut with_limit: Value = serde_json::from_str(&poke.sign(&bravo)).unwrap();
    with_limit["limit"] = json!(1);
    assert_eq!(code(with_limit.to_string(), now), "malformed-request");
}

fn page_text(key: &NodeKey, tombstones: &[Tombstone]) -> (String, ContentHash) {
    let object = indicator();
    let text = object.to_string();
    let hash = object_hash(&object).unwrap();
    let seal = Seal::make(&NodeKey::from_seed([3; 32]), node(3), &hash, at("2026-11-22T09:00:00.000Z"));
    let hops = vec![HopRule { treaty: treaty(), resharing: Resharing::TreatyPartners }];
    let items =
        [OutItem { object: OutObject::Clear(&text), object_hash: &hash, seal: &seal, hops: &hops, treaty: &treaty() }];
    let header = PageHeader {
        sender: node(1),
        recipient: node(2),
        request: "r-1".into(),
        next: Some("c~3".into()),
        more: false,
    };
    write_page(&header, &items, tombstones, &[], key)
}

#[test]
fn a_page_verifies_and_any_change_to_it_is_refused() {
    let alpha = NodeKey::from_seed([1; 32]);
    let tombstone = Tombstone::make(
        &alpha,
        TombstoneKind::Recalled,
        node(1),
        StixId::parse("indicator--22222222-2222-4222-8222-222222222222").unwrap(),
        "downgraded",
        at("2026-11-22T10:00:00.000Z"),
    );
    let (text, manifest) = page_text(&alpha, std::slice::from_ref(&tombstone));
    let key_of = |id: &KeyId| (*id == alpha.key_id()).then(|| alpha.public());
    let page = read_page(text.as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap();
    assert_eq!(page.manifest, manifest);
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.tombstones, std::slice::from_ref(&tombstone));
    assert!(page.items[0].check_seal(&NodeKey::from_seed([3; 32]).public()).is_ok());

    let refuse =
        |value: &Value| read_page(value.to_string().as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap_err();
    let original: Value = serde_json::from_str(&text).unwrap();
    let mut object = original.clone();
    object["items"][0]["object"]["pattern"] = json!("[ipv4-addr:value = '203.0.113.1']");
    assert!(matches!(refuse(&object), PageError::BadSignature(_)), "a changed object");
    let mut hops = original.clone();
    hops["items"][0]["hops"][0]["resharing"] = json!({"to": "nobody"});
    assert!(matches!(refuse(&hops), PageError::BadSignature(_)), "a changed re-sharing history");
    let mut dropped = original.clone();
    dropped["tombstones"] = json!([]);
    assert!(matches!(refuse(&dropped), PageError::Malformed(_)), "an empty tombstone list is not the same page");
    dropped.as_object_mut().unwrap().remove("tombstones");
    assert!(matches!(refuse(&dropped), PageError::BadSignature(_)), "a dropped tombstone");
    let mut more = original.clone();
    more["more"] = json!(true);
    assert!(matches!(refuse(&more), PageError::BadSignature(_)), "a changed `more`");
    let wrong_request = read_page(text.as_bytes(), &node(2), &node(1), "r-2", &key_of, None).unwrap_err();
    assert_eq!(wrong_request.code(), "wrong-request");
    let wrong_sender = read_page(text.as_bytes(), &node(2), &node(3), "r-1", &key_of, None).unwrap_err();
    assert_eq!(wrong_sender.code(), "wrong-sender");
    let (resigned, _) = page_text(&NodeKey::from_seed([7; 32]), &[]);
    assert_eq!(
        read_page(resigned.as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap_err().code(),
        "unknown-key"
    );
}

/// A page from Alpha (node 1) to Bravo (node 2) answering `request`, with a clear
/// indicator and a second one sealed to `recipient` (sealed for `sealed_for`).
fn sealed_page(
    alpha: &NodeKey,
    recipient: &EncryptionKey,
    request: &str,
    sealed_for: &str,
    secret: &Value,
) -> (String, ContentHash) {
    let clear = indicator();
    let clear_text = clear.to_string();
    let clear_hash = object_hash(&clear).unwrap();
    let secret_text = secret.to_string();
    let secret_hash = object_hash(secret).unwrap();
    let seal_of = |hash: &ContentHash| Seal::make(alpha, node(1), hash, at("2026-11-22T09:00:00.000Z"));
    let (clear_seal, secret_seal) = (seal_of(&clear_hash), seal_of(&secret_hash));
    let (sender, bravo, treaty) = (node(1), node(2), treaty());
    let context = ItemContext { sender: &sender, recipient: &bravo, request: sealed_for, treaty: &treaty };
    let sealed = SealedObject::seal(&recipient.public_key(), &context, &secret_text, [42; 32]).unwrap();
    let items = [
        OutItem {
            object: OutObject::Clear(&clear_text),
            object_hash: &clear_hash,
            seal: &clear_seal,
            hops: &[],
            treaty: &treaty,
        },
        OutItem {
            object: OutObject::Sealed(&sealed),
            object_hash: &secret_hash,
            seal: &secret_seal,
            hops: &[],
            treaty: &treaty,
        },
    ];
    let header = PageHeader { sender, recipient: bravo, request: request.into(), next: None, more: false };
    write_page(&header, &items, &[], &[], alpha)
}

fn secret_indicator(address: &str) -> Value {
    let mut object = indicator();
    object["id"] = json!("indicator--33333333-3333-4333-8333-333333333333");
    object["pattern"] = json!(format!("[ipv4-addr:value = '{address}']"));
    object
}

#[test]
fn a_sealed_item_travels_encrypted_opens_for_its_recipient_and_is_bound_to_its_page() {
    let alpha = NodeKey::from_seed([1; 32]);
    let bravo_key = EncryptionKey::from_bytes([2; 32]);
    let secret = secret_indicator("203.0.113.99");
    let (text, manifest) = sealed_page(&alpha, &bravo_key, "r-1", "r-1", &secret);
    assert!(!text.contains("203.0.113.99") && !text.contains("33333333-3333"), "the plaintext is not on the wire");
    let key_of = |id: &KeyId| (*id == alpha.key_id()).then(|| alpha.public());
    let read =
        |text: &str, key: Option<&EncryptionKey>| read_page(text.as_bytes(), &node(2), &node(1), "r-1", &key_of, key);

    let page = read(&text, Some(&bravo_key)).unwrap();
    assert_eq!(page.manifest, manifest);
    assert_eq!((page.items[0].encrypted, page.items[1].encrypted), (false, true));
    assert_eq!(page.items[1].object, secret);
    assert_eq!(page.items[1].object_hash, object_hash(&secret).unwrap());
    assert!(page.items[1].check_seal(&alpha.public()).is_ok(), "the originator's seal checks after opening");

    // No key, or another node's key: the page cannot be checked.
    assert_eq!(read(&text, None).unwrap_err().code(), "bad-ciphertext");
    let charlie_key = EncryptionKey::from_bytes([3; 32]);
    assert_eq!(read(&text, Some(&charlie_key)).unwrap_err().code(), "bad-ciphertext");

    // A ciphertext sealed for another request (a replay from another page) does not open.
    let (replayed, _) = sealed_page(&alpha, &bravo_key, "r-1", "r-0", &secret);
    let error = read(&replayed, Some(&bravo_key)).unwrap_err();
    assert!(matches!(error, PageError::BadCiphertext { index: 1, .. }), "{error}");

    let original: Value = serde_json::from_str(&text).unwrap();
    // Anyone can seal to Bravo's public key: a ciphertext swapped in by a man in the
    // middle, made for this very page, opens, but the page signature refuses it.
    let (forged, _) = sealed_page(&alpha, &bravo_key, "r-1", "r-1", &secret_indicator("192.0.2.1"));
    let forged: Value = serde_json::from_str(&forged).unwrap();
    let mut swapped = original.clone();
    swapped["items"][1]["sealed_object"] = forged["items"][1]["sealed_object"].clone();
    assert_eq!(read(&swapped.to_string(), Some(&bravo_key)).unwrap_err().code(), "bad-signature");
    // Even a fresh sealing of the same object is another ciphertext, not the one signed.
    let (sender, bravo, treaty) = (node(1), node(2), treaty());
    let context = ItemContext { sender: &sender, recipient: &bravo, request: "r-1", treaty: &treaty };
    let again = SealedObject::seal(&bravo_key.public_key(), &context, &secret.to_string(), [43; 32]).unwrap();
    let mut resealed_page = original.clone();
    resealed_page["items"][1]["sealed_object"] = again.to_value();
    assert_eq!(read(&resealed_page.to_string(), Some(&bravo_key)).unwrap_err().code(), "bad-signature");
    // Downgraded to the clear: the signed digest named a ciphertext.
    let mut downgraded = original.clone();
    let item = downgraded["items"][1].as_object_mut().unwrap();
    item.remove("sealed_object");
    item.insert("object".into(), secret.clone());
    assert_eq!(read(&downgraded.to_string(), Some(&bravo_key)).unwrap_err().code(), "bad-signature");
    // Both forms at once, or a malformed box, are malformed.
    let mut both = original.clone();
    both["items"][1]["object"] = secret.clone();
    assert_eq!(read(&both.to_string(), Some(&bravo_key)).unwrap_err().code(), "malformed-page");
    let mut truncated = original;
    truncated["items"][1]["sealed_object"]["ciphertext"] = json!("AAAA");
    assert_eq!(read(&truncated.to_string(), Some(&bravo_key)).unwrap_err().code(), "malformed-page");
}

#[test]
fn tombstones_bind_their_kind_object_and_reason() {
    let alpha = NodeKey::from_seed([1; 32]);
    let object = StixId::parse("indicator--22222222-2222-4222-8222-222222222222").unwrap();
    let tombstone = Tombstone::make(
        &alpha,
        TombstoneKind::Revoked,
        node(1),
        object,
        "false\u{0}positive",
        at("2026-11-22T10:00:00Z"),
    );
    assert_eq!(tombstone.reason, "falsepositive", "control characters are dropped");
    assert!(tombstone.check(&alpha.public()).is_ok());
    assert_eq!(Tombstone::from_value(&tombstone.to_value()).unwrap(), tombstone);
    let recall = Tombstone { kind: TombstoneKind::Recalled, ..tombstone.clone() };
    assert!(recall.check(&alpha.public()).is_err(), "a revocation cannot be turned into a recall");
    let other = Tombstone { reason: "other".into(), ..tombstone.clone() };
    assert!(other.check(&alpha.public()).is_err());
    let mut bad = tombstone.to_value();
    bad["kind"] = json!("deleted");
    assert!(Tombstone::from_value(&bad).is_err());
}

proptest! {
    #[test]
    fn parsers_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in ".{0,300}") {
        let keys = |_: &StixId| Vec::new();
        let now = at("2026-11-22T10:00:00Z");
        let _ = verify_request(&bytes, &node(1), &keys, now, 300);
        let _ = verify_request(text.as_bytes(), &node(1), &keys, now, 300);
        let _ = read_page(&bytes, &node(2), &node(1), "r", &|_| None, None);
        let _ = read_page(text.as_bytes(), &node(2), &node(1), "r", &|_| None, None);
        if let Ok(value) = serde_json::from_str::<Value>(&text) {
            let _ = Tombstone::from_value(&value);
            let _ = Seal::from_value(&value);
        }
    }
}

#[test]
fn vouched_cards_are_covered_by_the_page_signature_and_checked() {
    let vector: Value = serde_json::from_str(include_str!("../vectors/card-1.json")).unwrap();
    let card: Value = match &vector["wire"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    };
    let alpha = NodeKey::from_seed([1; 32]);
    let object = indicator();
    let text = object.to_string();
    let hash = object_hash(&object).unwrap();
    let seal = Seal::make(&NodeKey::from_seed([3; 32]), node(3), &hash, at("2026-11-22T09:00:00.000Z"));
    let items =
        [OutItem { object: OutObject::Clear(&text), object_hash: &hash, seal: &seal, hops: &[], treaty: &treaty() }];
    let header = PageHeader { sender: node(1), recipient: node(2), request: "r-1".into(), next: None, more: false };
    let (page, _) = write_page(&header, &items, &[], std::slice::from_ref(&card), &alpha);
    let key_of = |id: &KeyId| (*id == alpha.key_id()).then(|| alpha.public());
    let read = read_page(page.as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap();
    assert_eq!(read.cards.len(), 1);
    assert_eq!(read.cards[0].to_json(), &card);

    let original: Value = serde_json::from_str(&page).unwrap();
    let mut dropped = original.clone();
    dropped.as_object_mut().unwrap().remove("cards");
    let refused = read_page(dropped.to_string().as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap_err();
    assert_eq!(refused.code(), "bad-signature", "a card removed on the way");
    let mut forged = original;
    forged["cards"][0]["card"]["name"] = json!("Someone Else");
    let refused = read_page(forged.to_string().as_bytes(), &node(2), &node(1), "r-1", &key_of, None).unwrap_err();
    assert_eq!(refused.code(), "malformed-page", "a card whose self-signature fails");
}
