//! Forwarded treaty signatures in `sign` notes: who may be named, whose keys the
//! receiver checks them with, and the check on the agreed text (`carried_signatures`).

use super::*;
use crate::treaty::{key as party_key, node as party, treaty_among};
use entente_core::keys::{KeyId, PublicKey};
use entente_core::note::carried_signatures;
use entente_core::treaty::{SignedTreaty, sign};

/// C's key in these tests and in the `sign` vector (seed 4; seed 7, C's key
/// elsewhere, stays unknown to B).
pub const C_SEED: u8 = 4;

/// A `sign` body on the fixture treaty by `signer` (node, seed), forwarding the
/// signatures of `forwarded`.
pub fn sign_body(signer: (&str, u8), forwarded: &[(&str, u8)]) -> NoteBody {
    let canonical = to_canonical_bytes(&treaty()).expect("JSON has a canonical form");
    let on_treaty = |(node_id, seed): (&str, u8)| PartySignature {
        party: node(node_id),
        key_id: key(seed).key_id(),
        signature: key(seed).sign(&canonical),
    };
    NoteBody::Sign {
        treaty_hash: treaty_hash(),
        signature: on_treaty(signer),
        forwarded: forwarded.iter().copied().map(on_treaty).collect(),
    }
}

/// A's signature on the fixture treaty, forwarding the signatures of `forwarded`.
fn sign_note(n: u8, forwarded: &[(&str, u8)]) -> UnsignedNote {
    from_a(n, sign_body((NODE_A, 1), forwarded))
}

/// B's records with C's key pinned too: B has a relation with every party.
fn b_knowing_c() -> MemoryDirectory {
    let mut directory = b_directory();
    directory.pin(&node(NODE_C), pinned(&key(C_SEED)));
    directory
}

#[test]
fn forwarded_signatures_verify_with_the_receivers_keys_for_their_party() {
    let note = sign_note(1, &[(NODE_C, C_SEED)]);
    let text = note.clone().sign(&key(1)).to_json();
    let wire: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(wire["body"]["forwarded"][0]["party"], NODE_C);
    let verified = check(&text, &b_knowing_c(), at(T0)).expect("verifies");
    assert_eq!(verified.body(), &note.body);

    // No key of C pinned, or not the one named: the signature cannot be checked here.
    let refused = check(&text, &b_directory(), at(T0));
    assert_eq!(code(&refused), "bad-treaty-signature");
    assert!(refused.unwrap_err().to_string().contains(NODE_C));
    let by_other_key = sign_note(2, &[(NODE_C, 7)]).sign(&key(1)).to_json();
    assert_eq!(code(&check(&by_other_key, &b_knowing_c(), at(T0))), "bad-treaty-signature");

    // Without forwarded signatures, the member is absent.
    let plain = sign_note(3, &[]).sign(&key(1)).to_json();
    let wire: Value = serde_json::from_str(&plain).unwrap();
    assert!(wire["body"].get("forwarded").is_none(), "{wire}");
    assert_eq!(code(&check(&plain, &b_directory(), at(T0))), "ok");
}

#[test]
fn forwarded_signatures_come_from_other_parties_each_once() {
    let directory = b_knowing_c();
    for forwarded in [vec![(NODE_A, 1)], vec![(NODE_B, 2)], vec![(NODE_C, C_SEED), (NODE_C, C_SEED)]] {
        let text = sign_note(1, &forwarded).sign(&key(1)).to_json();
        let refused = check(&text, &directory, at(T0));
        assert_eq!(code(&refused), "bad-body", "{forwarded:?}");
        assert!(refused.unwrap_err().to_string().contains("`forwarded`"));
    }
}

fn keys_of(party_id: &StixId, key_id: &KeyId) -> Option<PublicKey> {
    (1..=3)
        .find(|number| party(*number) == *party_id)
        .map(|number| party_key(number).public())
        .filter(|key| key.key_id() == *key_id)
}

#[test]
fn carried_signatures_are_checked_on_the_agreed_text() {
    let text = treaty_among(&[1, 2, 3]);
    let agreed = SignedTreaty::new(text.clone());
    let by = |number: u8| PartySignature::from(&sign(&text, &party(number), &party_key(number)).unwrap());

    let signed = carried_signatures(&agreed, &by(2), &[by(3)], &keys_of).expect("both verify");
    assert!(signed.signature_of(&party(2)).is_some() && signed.signature_of(&party(3)).is_some());
    assert_eq!(signed.missing_parties(), vec![party(1)]);

    // A forwarded signature made on another text, or with another key, refuses it all.
    let other = treaty_among(&[1, 3, 2]);
    let elsewhere = PartySignature::from(&sign(&other, &party(3), &party_key(3)).unwrap());
    let forged = PartySignature { signature: party_key(1).sign(text.canonical_bytes()), ..by(3) };
    for bad in [elsewhere, forged] {
        let error = carried_signatures(&agreed, &by(2), &[bad], &keys_of).unwrap_err();
        assert_eq!(error.code(), "bad-treaty-signature");
        assert!(error.to_string().contains(party(3).as_str()), "{error}");
    }
    // A party whose key is unknown here.
    let stranger = PartySignature { party: party(9), ..by(3) };
    assert_eq!(carried_signatures(&agreed, &by(2), &[stranger], &keys_of).unwrap_err().code(), "bad-treaty-signature");
}
