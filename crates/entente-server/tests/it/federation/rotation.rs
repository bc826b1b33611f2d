//! Key rotation: A announces a new key in a `rotate-key` note signed by its old key;
//! B pins the new key, accepts notes it signs, and refuses the old key once retired.
//! A rotation can only shorten the old key's life, never extend it or revive it.
//!
//! A's own `Diplomat` has no way to rotate its key yet (its identity holds one key),
//! so the test writes A's notes itself and checks only B's side.

use super::node::{FedNode, now, recognize_each_other, seconds_from_now};
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

    let wait = retires.unix_micros() - now().unix_micros() + 50_000;
    tokio::time::sleep(Duration::from_micros(u64::try_from(wait).unwrap_or(0))).await;
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
