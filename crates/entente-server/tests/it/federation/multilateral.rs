//! A three-party treaty between A, B and C comes into force in all three relations.
//!
//! Every pair negotiates the same text: A proposes it to B and to C, and B relays A's
//! text to C. Every party signs in each of its relations; a `sign` note forwards the
//! other parties' signatures its sender holds, and a node that learns a third party's
//! signature passes it on where it has signed already. Each relation's state stays the
//! replay of its own notes, and the two sides of each agree.

use super::node::{FedNode, PATIENCE, conclude, eventually, now, recognize_each_other, settle};
use super::refusals::{assert_refused, last_note, note};
use super::treaty::{draft, json};
use entente_core::node::NodeKey;
use entente_core::note::{NoteBody, PartySignature};
use entente_core::treaty::{Treaty, sign};
use std::time::Instant;

/// The pairs of the three nodes, each once.
fn pairs<'a>(nodes: &'a [&'a FedNode; 3]) -> [(&'a FedNode, &'a FedNode); 3] {
    [(nodes[0], nodes[1]), (nodes[0], nodes[2]), (nodes[1], nodes[2])]
}

/// The parties who signed `treaty`, as `node` recorded them.
fn signers(node: &FedNode, treaty: &Treaty) -> Vec<String> {
    let signatures = node.store.treaty_signatures(treaty.hash().as_str()).expect("signatures");
    signatures.into_iter().map(|signature| signature.party).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_three_party_treaty_enters_into_force_in_every_relation() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let c = FedNode::start("CERT-C", 3).await;
    let nodes = [&a, &b, &c];
    for (x, y) in pairs(&nodes) {
        recognize_each_other(x, y).await;
    }
    let treaty = draft(&[&a.id, &b.id, &c.id], &a.id, 0);
    let hash = treaty.hash().as_str();

    // A puts its text to B and to C; B relays A's text to C.
    a.diplomat.propose(&b.id, &json(&treaty), now()).expect("A proposes to B");
    a.diplomat.propose(&c.id, &json(&treaty), now()).expect("A proposes to C");
    b.diplomat.propose(&c.id, &json(&treaty), now()).expect("B relays A's text to C");
    for (x, y) in pairs(&nodes) {
        let view = settle(x, y).await;
        assert_eq!((view.state.as_str(), view.draft.as_deref()), ("negotiating", Some(hash)));
    }
    b.diplomat.accept(&a.id, now()).expect("B accepts");
    c.diplomat.accept(&a.id, now()).expect("C accepts A's proposal");
    c.diplomat.accept(&b.id, now()).expect("C accepts B's relay");
    for (x, y) in pairs(&nodes) {
        assert!(settle(x, y).await.draft_accepted);
    }

    // Every party signs in each of its relations, without waiting for the notes.
    let started = Instant::now();
    for (x, y) in pairs(&nodes) {
        x.diplomat.sign(&y.id, now()).expect("sign");
        y.diplomat.sign(&x.id, now()).expect("sign");
    }
    eventually("all three relations in force on all three nodes", || {
        pairs(&nodes)
            .iter()
            .flat_map(|(x, y)| [(*x, *y), (*y, *x)])
            .all(|(x, y)| {
                let view = x.relation(y);
                view.state == "in-force" && view.treaty_in_force.as_deref() == Some(hash)
            })
            .then_some(())
    })
    .await;
    assert!(started.elapsed() <= PATIENCE);
    for (x, y) in pairs(&nodes) {
        let view = settle(x, y).await;
        assert_eq!((view.state.as_str(), view.treaty_in_force.as_deref(), view.draft), ("in-force", Some(hash), None));
    }
    let mut all = vec![a.id.to_string(), b.id.to_string(), c.id.to_string()];
    all.sort();
    for node in nodes {
        assert_eq!(signers(node, &treaty), all, "{} holds every party's signature", node.name);
    }
    // A restart replays the same histories, forwarded signatures included.
    let b = b.restart().await;
    assert_eq!(b.relation(&a).treaty_in_force.as_deref(), Some(hash));
    assert_eq!(b.relation(&c).treaty_in_force.as_deref(), Some(hash));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_forwarded_signature_that_does_not_verify_is_refused_and_changes_nothing() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let c = FedNode::start("CERT-C", 3).await;
    recognize_each_other(&a, &b).await;
    recognize_each_other(&b, &c).await;
    let treaty = draft(&[&a.id, &b.id, &c.id], &a.id, 0);
    a.diplomat.propose(&b.id, &json(&treaty), now()).expect("propose");
    settle(&a, &b).await;
    b.diplomat.accept(&a.id, now()).expect("accept");
    settle(&a, &b).await;

    let own = PartySignature::from(&sign(&treaty, &a.id, &a.key()).expect("A's signature"));
    let by_c = PartySignature::from(&sign(&treaty, &c.id, &c.key()).expect("C's signature"));
    let sign_note = |forwarded: Vec<PartySignature>| {
        let body = NoteBody::Sign { treaty_hash: treaty.hash().clone(), signature: own.clone(), forwarded };
        note(&a.id, &b.id, &a.key(), now(), last_note(&b, &a), body)
    };
    let held = signers(&b, &treaty);

    // C's signature on another text, and one made with a key that is not C's.
    let other = draft(&[&a.id, &b.id, &c.id], &a.id, 0);
    let elsewhere = PartySignature::from(&sign(&other, &c.id, &c.key()).expect("C's signature elsewhere"));
    let forged = PartySignature { signature: a.key().sign(treaty.canonical_bytes()), ..by_c.clone() };
    for tampered in [elsewhere, forged] {
        let body = assert_refused(&b, &a.id, &sign_note(vec![tampered]), 403, "bad-treaty-signature").await;
        assert!(body["title"].as_str().unwrap_or_default().contains(c.id.as_str()), "{body}");
    }
    // A key B never pinned for C; and B itself named as a forwarded party.
    let unknown = PartySignature {
        key_id: NodeKey::from_seed([99; 32]).key_id(),
        signature: NodeKey::from_seed([99; 32]).sign(treaty.canonical_bytes()),
        ..by_c.clone()
    };
    assert_refused(&b, &a.id, &sign_note(vec![unknown]), 403, "bad-treaty-signature").await;
    let by_b = PartySignature::from(&sign(&treaty, &b.id, &b.key()).expect("B's signature"));
    assert_refused(&b, &a.id, &sign_note(vec![by_b]), 400, "bad-body").await;
    assert_eq!(signers(&b, &treaty), held, "no signature was kept");
    assert_eq!(b.pending_for(&c), 0, "nothing was forwarded");

    // The genuine signature is taken.
    let genuine = sign_note(vec![by_c]);
    super::refusals::assert_received(&b, &genuine).await;
    let mut expected = vec![a.id.to_string(), c.id.to_string()];
    expected.sort();
    assert_eq!(signers(&b, &treaty), expected);
}

/// Two parties may forward the last missing signature to each other at once; the one
/// that arrives second finds the text in force. It is checked and kept, and moves
/// nothing, on both sides alike (replay does the same), so neither outbox is stuck.
#[tokio::test(flavor = "multi_thread")]
async fn a_signature_arriving_after_the_text_is_in_force_moves_nothing() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let treaty = draft(&[&a.id, &b.id], &a.id, 0);
    let hash = Some(treaty.hash().to_string());
    assert_eq!(conclude(&a, &b, &treaty).await.treaty_in_force, hash);

    let own = PartySignature::from(&sign(&treaty, &a.id, &a.key()).expect("A's signature"));
    let late = |signature: PartySignature| {
        let body = NoteBody::Sign { treaty_hash: treaty.hash().clone(), signature, forwarded: Vec::new() };
        note(&a.id, &b.id, &a.key(), now(), last_note(&b, &a), body)
    };
    let forged = PartySignature { signature: b.key().sign(treaty.canonical_bytes()), ..own.clone() };
    assert_refused(&b, &a.id, &late(forged), 403, "bad-treaty-signature").await;
    let before = b.relation(&a);
    super::refusals::assert_received(&b, &late(own)).await;
    let after = b.relation(&a);
    assert_eq!((after.state.as_str(), &after.treaty_in_force), ("in-force", &hash));
    assert_eq!((after.notes, after.allowed_moves), (before.notes + 1, before.allowed_moves));
    let b = b.restart().await;
    assert_eq!(b.relation(&a).treaty_in_force, hash, "replay takes it the same way");
}
