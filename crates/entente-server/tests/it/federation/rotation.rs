//! Key rotation: A announces a new key in a `rotate-key` note signed by its old key;
//! B pins the new key, accepts notes it signs, and refuses the old key once retired.
//! A rotation can only shorten the old key's life, never extend it or revive it.
//!
//! The first test rotates through A's own `Diplomat`, end to end; the second writes
//! A's notes itself to try what a partner's `Diplomat` would never send.

use super::node::{FedNode, conclude, now, recognize_each_other, seconds_from_now, settle};
use super::refusals::{assert_received, assert_refused, last_note, note};
use super::treaty::{draft, json};
use entente_core::Timestamp;
use entente_core::card::KeyEntry;
use entente_core::node::NodeKey;
use entente_core::note::NoteBody;
use std::time::Duration;

fn rotation(new_key: &NodeKey, old_key_valid_until: Timestamp) -> NoteBody {
    let new_key = KeyEntry { key: new_key.public(), valid_from: seconds_from_now(-1), valid_until: None };
    NoteBody::RotateKey { new_key, old_key_valid_until }
}

fn stored_key(b: &FedNode, a: &FedNode, key: &NodeKey) -> entente_store::KeyRecord {
    let keys = b.store.partner_keys(a.id.as_str()).expect("keys");
    keys.into_iter().find(|record| record.key_id == key.key_id().as_str()).expect("the key is stored")
}

/// Waits until `until` has passed.
async fn sleep_past(until: Timestamp) {
    let wait = until.unix_micros() - now().unix_micros() + 50_000;
    tokio::time::sleep(Duration::from_micros(u64::try_from(wait).unwrap_or(0))).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_rotates_its_own_key_and_keeps_its_treaty() {
    let mut a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let c = FedNode::start("CERT-C", 3).await;
    recognize_each_other(&a, &b).await;
    let treaty = draft(&[&a.id, &b.id], &a.id, 0);
    assert_eq!(conclude(&a, &b, &treaty).await.treaty_in_force.as_deref(), Some(treaty.hash().as_str()));
    // C only made contact: it is not told.
    a.diplomat.contact(&c.fetch_card().await, now()).expect("contact");

    let (old, new) = (a.key(), NodeKey::from_seed([101; 32]));
    let invalid = a.diplomat.rotate_key(&new, now(), now()).expect_err("the old key must outlive the rotation");
    assert_eq!(invalid.code(), "invalid");
    let invalid = a.diplomat.rotate_key(&old, seconds_from_now(60), now()).expect_err("rotating to the same key");
    assert_eq!(invalid.code(), "invalid");
    let retires = seconds_from_now(4);
    let rotation = a.diplomat.rotate_key(&new, retires, now()).expect("rotate");
    assert_eq!(
        (rotation.old_key_id.as_str(), rotation.new_key_id.as_str()),
        (old.key_id().as_str(), new.key_id().as_str())
    );
    assert_eq!(rotation.new_fingerprint, new.fingerprint());
    let told: Vec<&str> = rotation.announced_to.iter().map(|announcement| announcement.partner.as_str()).collect();
    assert_eq!(told, [b.id.as_str()]);
    a.replace_key_file(101);

    // B pins the new key on the old key's word; the treaty stays in force.
    let view = settle(&a, &b).await;
    assert_eq!(view.treaty_in_force.as_deref(), Some(treaty.hash().as_str()));
    assert!(stored_key(&b, &a, &new).pinned);
    assert_eq!(stored_key(&b, &a, &old).valid_until, Some(retires.to_string()));
    // The card lists both keys, the old one with its end, and the new one signs it.
    let card: serde_json::Value = serde_json::from_str(&a.fetch_card().await).expect("card JSON");
    assert_eq!(card["key_id"], new.key_id().as_str());
    let keys = card["card"]["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2, "{card}");
    assert_eq!(keys[0]["key_id"], old.key_id().as_str());
    assert_eq!(keys[0]["valid_until"], retires.to_string());

    // Later notes are signed with the new key, and B accepts them.
    a.diplomat.suspend(&b.id, None, now()).expect("suspend");
    assert_eq!(settle(&a, &b).await.state, "suspended");
    let notes = b.store.notes_with(a.id.as_str()).expect("notes");
    let suspension: serde_json::Value = serde_json::from_str(&notes.last().expect("a note").json).expect("note");
    assert_eq!(suspension["key_id"], new.key_id().as_str());
    a.diplomat.resume(&b.id, now()).expect("resume");
    assert_eq!(settle(&a, &b).await.state, "in-force");

    // After a restart with the new key file, and in a second process, A's history
    // (signed partly with the old key) replays the same.
    let a = a.restart().await;
    assert_eq!(settle(&a, &b).await.treaty_in_force.as_deref(), Some(treaty.hash().as_str()));
    let second = a.second_process();
    assert_eq!(second.relation(&b.id, now()).expect("view").treaty_in_force.as_deref(), Some(treaty.hash().as_str()));
    assert_eq!(second.identity().keys().len(), 2);

    // Once the old key's end has passed, what it signs is refused; the treaty it
    // signed stays in force on both sides.
    sleep_past(retires).await;
    let by_old = note(&a.id, &b.id, &old, now(), last_note(&b, &a), NoteBody::Suspend { reason: None });
    assert_refused(&b, &a.id, &by_old, 403, "key-retired").await;
    let view = settle(&a, &b).await;
    assert_eq!((view.state.as_str(), view.treaty_in_force.as_deref()), ("in-force", Some(treaty.hash().as_str())));
    a.diplomat.suspend(&b.id, None, now()).expect("the new key still signs");
    assert_eq!(settle(&a, &b).await.state, "suspended");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotated_key_is_pinned_and_the_old_one_retires_for_good() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let (old, new, newer) = (a.key(), NodeKey::from_seed([101; 32]), NodeKey::from_seed([102; 32]));
    let retires = seconds_from_now(2);

    let announce = note(&a.id, &b.id, &old, now(), last_note(&b, &a), rotation(&new, retires));
    assert_received(&b, &announce).await;
    assert!(stored_key(&b, &a, &new).pinned, "the new key is pinned on the old key's word");
    assert_eq!(stored_key(&b, &a, &old).valid_until, Some(retires.to_string()));
    assert_eq!(b.relation(&a).state, "recognized", "a rotation moves no relation");

    // The old key, still valid, cannot push its own end further out.
    let extend = note(&a.id, &b.id, &old, now(), last_note(&b, &a), rotation(&newer, seconds_from_now(3600)));
    assert_received(&b, &extend).await;
    assert_eq!(stored_key(&b, &a, &old).valid_until, Some(retires.to_string()), "a rotation never extends");

    // The new key signs a proposal.
    let proposal = NoteBody::Propose { treaty: json(&draft(&[&a.id, &b.id], &a.id, 0)) };
    let propose = note(&a.id, &b.id, &new, now(), last_note(&b, &a), proposal);
    assert_received(&b, &propose).await;
    let view = b.relation(&a);
    assert_eq!(view.state, "negotiating");
    let hash = entente_core::treaty::TreatyHash::parse(view.draft.as_deref().expect("draft")).expect("hash");

    sleep_past(retires).await;
    let withdraw = NoteBody::Withdraw { treaty_hash: hash };
    let by_old = note(&a.id, &b.id, &old, now(), last_note(&b, &a), withdraw.clone());
    let body = assert_refused(&b, &a.id, &by_old, 403, "key-retired").await;
    assert!(body["title"].as_str().unwrap_or_default().contains(old.key_id().as_str()), "{body}");

    // The new key announces the old one as "new": a retired key is never revived.
    let revive = note(&a.id, &b.id, &new, now(), last_note(&b, &a), rotation(&old, seconds_from_now(3600)));
    assert_received(&b, &revive).await;
    assert_eq!(stored_key(&b, &a, &old).valid_until, Some(retires.to_string()), "still retired");
    let again = note(&a.id, &b.id, &old, now(), last_note(&b, &a), withdraw.clone());
    assert_refused(&b, &a.id, &again, 403, "key-retired").await;

    let by_new = note(&a.id, &b.id, &new, now(), last_note(&b, &a), withdraw);
    assert_received(&b, &by_new).await;
    assert_eq!(b.relation(&a).state, "recognized", "the draft was withdrawn");
}
