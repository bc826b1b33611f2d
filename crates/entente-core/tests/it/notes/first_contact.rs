//! First contact: a `recognize` note from a node with no pinned key is verified with
//! the key of the card it carries, and only if that card is the sender's own.

use super::*;
use entente_core::note::NoteDirectory;

/// A recognize note from C (seed 7) to B carrying `card`, signed by `signer`.
fn recognize_from_c(card: &SignedCard, signer: &NodeKey) -> String {
    let body = NoteBody::Recognize { card: card.verify().expect("fixture card verifies") };
    UnsignedNote { sender: node(NODE_C), ..from_a(1, body) }.sign(signer).to_json()
}

#[test]
fn a_stranger_with_its_own_card_is_introduced_not_pinned() {
    let card = card_of(NODE_C, "CERT C", &key(7));
    let directory = b_directory();
    let verified = check(&recognize_from_c(&card, &key(7)), &directory, at(T0)).unwrap();
    let introduced = verified.introduced_key().expect("first contact is flagged");
    assert_eq!(introduced.node_id(), &node(NODE_C));
    assert_eq!(introduced.fingerprint(), key(7).fingerprint());
    assert_eq!(introduced.to_json(), &card.to_json());
    let NoteBody::Recognize { card: carried } = verified.body() else { panic!("not a recognize body") };
    assert_eq!(carried, introduced);
    assert!(directory.pinned_keys(&node(NODE_C)).unwrap().is_empty(), "verification pins nothing");
}

#[test]
fn a_pinned_partner_re_introducing_itself_is_not_flagged() {
    let card = card_of(NODE_A, "CERT A", &key(1));
    let body = NoteBody::Recognize { card: card.verify().unwrap() };
    let verified = check(&from_a(1, body).sign(&key(1)).to_json(), &b_directory(), at(T0)).unwrap();
    assert!(verified.introduced_key().is_none());
    // A pinned partner cannot pass off another node's card either.
    let foreign = NoteBody::Recognize { card: card_of(NODE_C, "CERT C", &key(7)).verify().unwrap() };
    let text = from_a(2, foreign).sign(&key(1)).to_json();
    assert_eq!(code(&check(&text, &b_directory(), at(T0))), "card-mismatch");
}

#[test]
fn someone_elses_card_is_refused() {
    // C presents A's genuine card, signing with A's key it does not have: refused on
    // the card, before any signature is checked.
    let card = card_of(NODE_A, "CERT A", &key(1));
    assert_eq!(code(&check(&recognize_from_c(&card, &key(7)), &MemoryDirectory::new(), at(T0))), "card-mismatch");
}

#[test]
fn a_broken_card_is_refused() {
    let card = card_of(NODE_C, "CERT C", &key(7));
    let mut document: Value = serde_json::from_str(&recognize_from_c(&card, &key(7))).unwrap();
    document["body"]["card"]["card"]["name"] = json!("CERT Impostor");
    assert_eq!(code(&check(&resign(document.clone(), &key(7)), &b_directory(), at(T0))), "bad-card");
    document["body"] = json!({"card": "not a card"});
    assert_eq!(code(&check(&resign(document.clone(), &key(7)), &b_directory(), at(T0))), "bad-card");
    document["body"] = json!({"letter": "hello"});
    assert_eq!(code(&check(&resign(document, &key(7)), &b_directory(), at(T0))), "bad-body");
}

#[test]
fn the_note_must_be_signed_by_a_key_of_the_card() {
    let card = card_of(NODE_C, "CERT C", &key(7));
    // Signed and named by a key the card does not list.
    assert_eq!(code(&check(&recognize_from_c(&card, &key(8)), &b_directory(), at(T0))), "unknown-key");
    // Named as the card's key, signed by another.
    let mut document: Value = serde_json::from_str(&recognize_from_c(&card, &key(7))).unwrap();
    document["signature"] = json!(key(8).sign(b"note").encode());
    assert_eq!(code(&check(&document.to_string(), &b_directory(), at(T0))), "bad-signature");
}

#[test]
fn a_card_key_that_ended_cannot_introduce() {
    let mut card = card_of(NODE_C, "CERT C", &key(7)).card;
    card.keys[0].valid_until = Some(after(at(T0), -60));
    let signed = SignedCard::sign(card, &key(7));
    assert_eq!(code(&check(&recognize_from_c(&signed, &key(7)), &b_directory(), at(T0))), "key-retired");
}

#[test]
fn strangers_may_only_introduce_themselves() {
    for body in every_body().into_iter().filter(|body| body.kind() != NoteKind::Recognize) {
        let text = UnsignedNote { sender: node(NODE_C), ..from_a(1, body) }.sign(&key(7)).to_json();
        assert_eq!(code(&check(&text, &b_directory(), at(T0))), "unknown-sender");
    }
}
