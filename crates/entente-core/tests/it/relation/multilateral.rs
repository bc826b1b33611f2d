//! Treaties between more than two parties, seen from one relation (node 1 local,
//! node 2 the partner, node 3 a third party): the same text is negotiated in every
//! pair, relayed by a party that did not write it, and in force only once every
//! party's signature reached this relation.

use super::{RECOGNIZED, now, play, refusal, signed_by};
use crate::treaty::{node, treaty_among};
use entente_core::relation::{Action, Event, Refusal, Side, State, apply};
use entente_core::treaty::{SignedTreaty, Treaty};

/// Plays `events` from `recognized` onwards, each at `now`.
fn after(events: &[(Side, Action)]) -> entente_core::relation::Relation {
    let mut relation = play(RECOGNIZED);
    for (side, action) in events {
        relation = apply(&relation, &Event::new(*side, now(), action.clone()), now()).expect("a legal move");
    }
    relation
}

/// `text` as proposed by `proposer` (version 1).
fn written_by(text: &Treaty, proposer: u8) -> Treaty {
    Treaty::draft(text.id(), &node(proposer), now(), text.body()).expect("fixtures are valid")
}

#[test]
fn a_three_party_treaty_needs_the_third_signature_whatever_relation_brings_it() {
    let draft = treaty_among(&[1, 2, 3]);
    let relation = after(&[
        (Side::Local, Action::Propose(draft.clone())),
        (Side::Remote, Action::Accept(draft.hash().clone())),
        (Side::Local, Action::Sign { signer: node(1), signatures: signed_by(&draft, 1) }),
        (Side::Remote, Action::Sign { signer: node(2), signatures: signed_by(&draft, 2) }),
    ]);
    assert_eq!(relation.state(), State::Negotiating);
    // Node 3's signature, forwarded by node 2 with its own: a `sign` note may carry both.
    let mut forwarded = signed_by(&draft, 2);
    forwarded.merge(&signed_by(&draft, 3)).unwrap();
    let third = Event::new(Side::Remote, now(), Action::Sign { signer: node(2), signatures: forwarded });
    let relation = apply(&relation, &third, now()).unwrap();
    assert_eq!(relation.state(), State::InForce);
    assert!(relation.treaty().unwrap().missing_parties().is_empty());
}

#[test]
fn a_multilateral_text_may_be_relayed_by_a_party_that_did_not_write_it() {
    let by_three = written_by(&treaty_among(&[1, 2, 3]), 3);
    // We put node 3's text to node 2; node 2 relays it to us the same way.
    for side in [Side::Local, Side::Remote] {
        let relation = after(&[(side, Action::Propose(by_three.clone()))]);
        let negotiation = relation.negotiation().unwrap();
        assert_eq!((negotiation.author(), negotiation.draft().hash()), (side, by_three.hash()));
        let accepted =
            apply(&relation, &Event::new(side.other(), now(), Action::Accept(by_three.hash().clone())), now()).unwrap();
        assert!(accepted.negotiation().unwrap().is_accepted());
    }
}

#[test]
fn bilateral_texts_counters_and_amendments_are_written_by_their_mover() {
    // A two-party text proposed in the partner's name.
    let by_partner = written_by(&treaty_among(&[1, 2]), 2);
    let error = refusal(&play(RECOGNIZED), &Event::new(Side::Local, now(), Action::Propose(by_partner)));
    assert!(matches!(error.reason, Refusal::ProposedBy { .. }), "{error}");

    // A counter-proposal of a multilateral text in a third party's name.
    let draft = treaty_among(&[1, 2, 3]);
    let proposed = after(&[(Side::Remote, Action::Propose(written_by(&draft, 2)))]);
    let current = proposed.negotiation().unwrap().draft().clone();
    let countered = current.counter(&node(3), now(), current.body()).unwrap();
    let error = refusal(&proposed, &Event::new(Side::Local, now(), Action::Counter(countered)));
    assert!(matches!(error.reason, Refusal::ProposedBy { .. }), "{error}");

    // An amendment of a multilateral treaty in force, in a third party's name.
    let in_force = after(&[
        (Side::Local, Action::Propose(draft.clone())),
        (Side::Remote, Action::Accept(draft.hash().clone())),
        (Side::Local, Action::Sign { signer: node(1), signatures: all_signatures(&draft) }),
    ]);
    assert_eq!(in_force.state(), State::InForce);
    let amendment = draft.amend(&node(3), now(), draft.body()).unwrap();
    let error = refusal(&in_force, &Event::new(Side::Local, now(), Action::Amend(amendment)));
    assert!(matches!(error.reason, Refusal::ProposedBy { .. }), "{error}");
}

fn all_signatures(text: &Treaty) -> SignedTreaty {
    let mut signed = signed_by(text, 1);
    for party in [2, 3] {
        signed.merge(&signed_by(text, party)).expect("the same text");
    }
    signed
}
