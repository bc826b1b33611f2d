//! End-to-end encryption of synced objects: under a treaty that says
//! `encrypt_in_transit: must`, an object travels sealed to the recipient node's
//! encryption key (never in the clear on the wire), arrives and is stored; a sender
//! that puts such an object in the clear, or seals it to another key, is refused.

use super::node::{FedNode, bind, conclude, now, recognize_each_other};
use super::sync::{GREEN, add, feed_request, held, indicator, ledger, post, sharing_treaty};
use axum::body::Bytes;
use entente_core::StixId;
use entente_core::ledger::EntryKind;
use entente_core::seal::EncryptionKey;
use entente_core::sync::{
    ItemContext, OutItem, OutObject, PageHeader, Seal, SealedObject, object_hash, read_page, write_page,
};
use entente_core::treaty::{EncryptInTransit, Treaty, TreatyHash};
use entente_server::federation::{PullReport, Syncer};
use serde_json::Value;

/// The sharing treaty of `sync.rs`, with `encrypt_in_transit: must`.
fn encrypting_treaty(a: &StixId, b: &StixId) -> Treaty {
    let base = sharing_treaty(a, b);
    let mut body = base.body().clone();
    body.terms.encrypt_in_transit = EncryptInTransit::Must;
    Treaty::draft(base.id(), a, now(), &body).expect("treaty")
}

async fn encrypting_partners(seed: u8) -> (FedNode, FedNode) {
    let a = FedNode::start("Alpha", seed).await;
    let b = FedNode::start("Bravo", seed + 1).await;
    recognize_each_other(&a, &b).await;
    assert_eq!(conclude(&a, &b, &encrypting_treaty(&a.id, &b.id)).await.state, "in-force");
    (a, b)
}

/// A shareable indicator whose pattern names `domain`, a string to look for on the wire.
fn secret_indicator(domain: &str) -> Value {
    let mut object = indicator(&[GREEN], &["cyber"]);
    object["pattern"] = Value::from(format!("[domain-name:value = '{domain}']"));
    object
}

#[tokio::test]
async fn an_object_under_a_must_encrypt_treaty_travels_sealed_to_the_recipient_and_is_stored() {
    let (a, b) = encrypting_partners(71).await;
    const SECRET: &str = "rendezvous-7f3a.example";
    let object = secret_indicator(SECRET);
    let id = object["id"].as_str().unwrap().to_owned();
    add(&a, std::slice::from_ref(&object));
    super::node::eventually("the sealed indicator reaches Bravo", || held(&b.store).contains(&id).then_some(())).await;
    let row = b.store.feed_rows(None, 10, "").unwrap().into_iter().find(|row| row.stix_id == id).unwrap();
    assert!(row.json.contains(SECRET), "Bravo stored the opened object: {}", row.json);
    assert_eq!(row.seal.expect("a seal").originator, a.id.as_str(), "Alpha's seal checked after opening");

    // Alpha's ledger says to which key the release was sealed.
    let sealed_to = format!("sealed-to:{}", b.encryption_key().public_key().key_id());
    let release = ledger(&a.store).into_iter().find_map(|entry| match entry.kind {
        EntryKind::Release { object, obligations, .. } if object.as_str() == id => Some(obligations),
        _ => None,
    });
    assert!(release.expect("a release").contains(&sealed_to));

    // A page fetched as Bravo: the object is not on the wire, only its sealed form.
    let request = feed_request(&b.id, &a.id, &b.key());
    let response = post(&a, "/federation/v1/feed", request.sign(&b.key())).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains("\"sealed_object\""), "{page}");
    assert!(!page.contains(SECRET) && !page.contains(&id), "the plaintext travels nowhere in the page: {page}");
    let pinned = a.key().public();
    let key_of = |key_id: &entente_core::keys::KeyId| (*key_id == pinned.key_id()).then_some(pinned);
    let opener = b.encryption_key();
    let read = read_page(page.as_bytes(), &b.id, &a.id, &request.id, &key_of, Some(&opener)).expect("the page");
    let item = read.items.iter().find(|item| item.object["id"] == id.as_str()).expect("the item");
    assert!(item.encrypted);
    assert_eq!(item.object, object);
    // Without Bravo's key the page cannot even be checked.
    let stranger = EncryptionKey::from_bytes([9; 32]);
    let refused = read_page(page.as_bytes(), &b.id, &a.id, &request.id, &key_of, Some(&stranger)).unwrap_err();
    assert_eq!(refused.code(), "bad-ciphertext");
}

/// How the impostor standing in for Alpha sends its one object.
#[derive(Debug, Clone, Copy)]
enum Sending {
    /// In the clear, though the treaty says it must be sealed.
    InTheClear,
    /// Sealed, but to a key that is not Bravo's.
    ToAnotherKey,
}

/// Stops Alpha and serves, at its address and with its signing key, a feed that
/// answers every request with one page holding `object` sent as `sending` under
/// `treaty`, correctly signed and sealed by Alpha: only the encryption is wrong.
async fn impostor(mut a: FedNode, b: &FedNode, treaty: TreatyHash, object: Value, sending: Sending) -> FedNode {
    a.stop().await;
    let listener = bind(&a.address.to_string()).await;
    let (seed, sender, recipient) = (a.key().seed(), a.id.clone(), b.id.clone());
    let answer = move |body: Bytes| {
        let key = entente_core::node::NodeKey::from_seed(seed);
        let request: Value = serde_json::from_slice(&body).expect("a feed request");
        let header = PageHeader {
            sender: sender.clone(),
            recipient: recipient.clone(),
            request: request["id"].as_str().expect("request id").to_owned(),
            next: Some("~0".into()),
            more: false,
        };
        let text = object.to_string();
        let hash = object_hash(&object).expect("hash");
        let seal = Seal::make(&key, sender.clone(), &hash, now());
        let context = ItemContext {
            sender: &header.sender,
            recipient: &header.recipient,
            request: &header.request,
            treaty: &treaty,
        };
        let other = EncryptionKey::from_bytes([9; 32]).public_key();
        let sealed = SealedObject::seal(&other, &context, &text, [1; 32]).expect("seal");
        let object = match sending {
            Sending::InTheClear => OutObject::Clear(&text),
            Sending::ToAnotherKey => OutObject::Sealed(&sealed),
        };
        let items = [OutItem { object, object_hash: &hash, seal: &seal, hops: &[], treaty: &treaty }];
        let page = write_page(&header, &items, &[], &[], &key).0;
        async move { page }
    };
    let router = axum::Router::new().route("/federation/v1/feed", axum::routing::post(answer));
    tokio::spawn(async move { axum::serve(listener, router).await });
    a
}

async fn pull(b: &FedNode, a: &StixId) -> PullReport {
    let syncer = Syncer::new(b.diplomat.clone(), Default::default());
    let mut reports = syncer.pull_now(&Default::default(), Some(a), &|_, _| {}).await.expect("pull");
    reports.pop().expect("one report")
}

#[tokio::test]
async fn a_cleartext_object_under_a_must_encrypt_treaty_is_refused() {
    let (a, b) = encrypting_partners(73).await;
    let treaty = TreatyHash::parse(&b.relation(&a).treaty_in_force.expect("treaty")).unwrap();
    let object = secret_indicator("cleartext.example");
    let a = impostor(a, &b, treaty, object.clone(), Sending::InTheClear).await;
    let report = pull(&b, &a.id).await;
    assert_eq!((report.items, report.refused, report.added), (1, 1, 0), "{report:?}");
    assert_eq!(report.error, None);
    assert!(!held(&b.store).contains(&object["id"].as_str().unwrap().to_owned()), "not stored");
}

#[tokio::test]
async fn an_object_sealed_to_another_key_refuses_the_page() {
    let (a, b) = encrypting_partners(75).await;
    let treaty = TreatyHash::parse(&b.relation(&a).treaty_in_force.expect("treaty")).unwrap();
    let object = secret_indicator("elsewhere.example");
    let a = impostor(a, &b, treaty, object.clone(), Sending::ToAnotherKey).await;
    let report = pull(&b, &a.id).await;
    let error = report.error.expect("the page is refused");
    assert!(error.contains("bad-ciphertext"), "{error}");
    assert_eq!(report.added, 0);
    assert!(!held(&b.store).contains(&object["id"].as_str().unwrap().to_owned()), "not stored");
}

#[tokio::test]
async fn nothing_under_a_must_encrypt_treaty_goes_to_a_partner_whose_card_has_no_encryption_key() {
    let (a, b) = encrypting_partners(77).await;
    // Alpha holds a card of Bravo's made before Bravo had an encryption key: the same
    // node and signing key, without `encryption_key`.
    let settings = b.store.node_settings().unwrap();
    let old_card = entente_server::federation::NodeIdentity::new(&settings, b.key(), &b.url(""), now()).unwrap();
    assert!(old_card.card().card.encryption_key.is_none());
    a.diplomat.contact(&old_card.card().to_json().to_string(), now()).expect("contact again with the old card");

    let object = secret_indicator("held-back.example");
    add(&a, std::slice::from_ref(&object));
    let report = pull(&b, &a.id).await;
    assert_eq!((report.items, report.error.as_deref()), (0, None), "{report:?}");
    assert!(!held(&b.store).contains(&object["id"].as_str().unwrap().to_owned()));
    let released = ledger(&a.store).into_iter().any(|entry| matches!(entry.kind, EntryKind::Release { .. }));
    assert!(!released, "nothing was released, in the clear or otherwise");
}
