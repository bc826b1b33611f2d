//! A three-party treaty between A, B and C, as far as the protocol carries it today.
//!
//! Each relation negotiates the text bilaterally and collects signatures per relation.
//! What works: A negotiates the same text with B and with C, both accept, and every
//! party's signature reaches A, verified. What does not exist yet: a way to bring C's
//! signature into the A–B relation (a `sign` note carries only its sender's own
//! signature) or to negotiate A's text in the B–C relation (a draft must be proposed by
//! the side that sends it). So no relation reaches `in-force`; the test pins exactly that.

use super::node::{FedNode, now, recognize_each_other, settle};
use super::refusals::{assert_refused, last_note, note};
use super::treaty::{draft, json};
use entente_core::note::{NoteBody, PartySignature};
use entente_core::treaty::sign;

#[tokio::test(flavor = "multi_thread")]
async fn a_three_party_treaty_is_agreed_pairwise_but_cannot_enter_into_force() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let c = FedNode::start("CERT-C", 3).await;
    recognize_each_other(&a, &b).await;
    recognize_each_other(&a, &c).await;
    recognize_each_other(&b, &c).await;
    let treaty = draft(&[&a.id, &b.id, &c.id], &a.id, 0);
    let hash = treaty.hash().as_str();

    for partner in [&b, &c] {
        a.diplomat.propose(&partner.id, &json(&treaty), now()).expect("propose");
        settle(&a, partner).await;
        partner.diplomat.accept(&a.id, now()).expect("accept");
        settle(&a, partner).await;
        a.diplomat.sign(&partner.id, now()).expect("sign by A");
        partner.diplomat.sign(&a.id, now()).expect("sign by the partner");
        let view = settle(&a, partner).await;
        assert_eq!(view.state, "negotiating", "A and {} have signed; the third party has not, here", partner.name);
        assert_eq!(view.draft.as_deref(), Some(hash));
        assert!(view.draft_accepted);
        assert_eq!(view.treaty_in_force, None);
    }
    let parties = |node: &FedNode| -> Vec<String> {
        let signatures = node.store.treaty_signatures(hash).expect("signatures");
        signatures.into_iter().map(|signature| signature.party).collect()
    };
    let mut all = vec![a.id.to_string(), b.id.to_string(), c.id.to_string()];
    all.sort();
    assert_eq!(parties(&a), all, "A holds every party's verified signature");
    assert_eq!(parties(&b).len(), 2, "B saw only A's signature and its own");

    // B cannot put A's text on the table with C: a draft is proposed by its sender.
    let error = b.diplomat.propose(&c.id, &json(&treaty), now()).expect_err("B proposes A's text");
    assert_eq!(error.code(), "illegal-move");
    assert!(error.to_string().contains("proposed_by"), "{error}");

    // A cannot forward C's signature to B: a `sign` note carries its sender's own.
    let c_signature = sign(&treaty, &c.id, &c.key()).expect("C's signature");
    let forwarded = NoteBody::Sign {
        treaty_hash: treaty.hash().clone(),
        signature: PartySignature { party: c.id.clone(), key_id: c_signature.key_id, signature: c_signature.signature },
    };
    let text = note(&a.id, &b.id, &a.key(), now(), last_note(&b, &a), forwarded);
    assert_refused(&b, &a.id, &text, 400, "bad-body").await;
    assert_eq!(b.relation(&a).treaty_in_force, None);
}
