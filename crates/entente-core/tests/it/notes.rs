//! Integration tests for node cards and diplomatic notes.
//!
//! This file holds the fixtures (three nodes A, B, C with keys from fixed seeds,
//! B's directory with A's key pinned) and the acceptance tests; `refusals` has one
//! test per rejection class, `first_contact` and `rotation` the two special paths,
//! `vectors` the committed test vectors and `mutations` the property tests.
//!
//! Every refusal test also relies on the contract that `verify` records nothing: the
//! directory is only borrowed, and the caller records a note as received after `Ok`.

mod first_contact;
mod forwarding;
mod mutations;
mod refusals;
mod rotation;
mod vectors;

use entente_core::canonical::{content_hash, to_canonical_bytes};
use entente_core::card::{EndpointUrl, Endpoints, KeyEntry, NodeCard, SignedCard};
use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName};
use entente_core::note::{
    MemoryDirectory, Note, NoteBody, NoteError, NoteId, NoteKind, PartySignature, PinnedKey, Reason, UnsignedNote,
    Verified, VerifyContext, verify,
};
use entente_core::treaty::TreatyHash;
use entente_core::{StixId, Timestamp};
use serde_json::{Value, json};

pub const NODE_A: &str = "identity--7f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
pub const NODE_B: &str = "identity--1b2c3d4e-5f60-4a7b-9c8d-e0f1a2b3c4d5";
pub const NODE_C: &str = "identity--c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b";
/// When every fixture note is created.
pub const T0: &str = "2025-03-01T12:00:00.000Z";
/// When every pinned fixture key starts.
pub const KEYS_FROM: &str = "2025-01-01T00:00:00.000Z";

pub fn node(text: &str) -> StixId {
    StixId::parse(text).expect("fixture values are valid")
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("fixture values are valid")
}

/// `base` moved by `seconds`, written with milliseconds.
pub fn after(base: Timestamp, seconds: i64) -> Timestamp {
    Timestamp::from_unix_nanos(base.unix_nanos() + i128::from(seconds) * 1_000_000_000, 3)
}

pub fn key(seed: u8) -> NodeKey {
    NodeKey::from_seed([seed; 32])
}

pub fn note_id(n: u8) -> NoteId {
    NoteId::from_random_bytes([n; 16])
}

pub fn pinned(node_key: &NodeKey) -> PinnedKey {
    PinnedKey { key: node_key.public(), valid_from: at(KEYS_FROM), valid_until: None }
}

/// B's records: A's key (seed 1) pinned, nothing received yet.
pub fn b_directory() -> MemoryDirectory {
    let mut directory = MemoryDirectory::new();
    directory.pin(&node(NODE_A), pinned(&key(1)));
    directory
}

/// Verifies `text` as node B would at `now`.
pub fn check(text: &str, directory: &MemoryDirectory, now: Timestamp) -> Result<Verified<Note>, NoteError> {
    verify(text, &VerifyContext::new(&node(NODE_B), directory), now)
}

/// The refusal code, or `"ok"`.
pub fn code(result: &Result<Verified<Note>, NoteError>) -> &'static str {
    result.as_ref().map_or_else(NoteError::code, |_| "ok")
}

pub fn card_of(node_id: &str, name: &str, node_key: &NodeKey) -> SignedCard {
    let card = NodeCard {
        node_id: node(node_id),
        name: NodeName::parse(name).expect("fixture values are valid"),
        country: Some(CountryCode::parse("FR").expect("fixture values are valid")),
        kind: NodeKind::Agency,
        keys: vec![KeyEntry { key: node_key.public(), valid_from: at(KEYS_FROM), valid_until: None }],
        encryption_key: None,
        endpoints: Endpoints {
            federation: EndpointUrl::parse("https://a.example/federation").expect("fixture values are valid"),
            taxii: EndpointUrl::parse("https://a.example/taxii2/").expect("fixture values are valid"),
        },
        issued: at("2025-02-01T09:30:00.000Z"),
    };
    SignedCard::sign(card, node_key)
}

/// A treaty document, opaque to notes: non-ASCII text and numbers exercise RFC 8785.
pub fn treaty() -> Value {
    json!({
        "type": "treaty",
        "id": "treaty--5d0c9a3b-2f4e-4a1b-9c8d-7e6f5a4b3c2d",
        "version": 1,
        "title": "Accord de coopération — CERT A / CERT B",
        "purpose": "Échange de renseignements sur les menaces \"cyber\"",
        "scope": {"topics": ["counter-terrorism", "cyber"], "object_types": ["indicator", "malware"]},
        "terms": {"tlp": "amber", "notice_period_days": 30, "weight": 1.5},
    })
}

/// The content hash of [`treaty`].
pub fn treaty_hash() -> TreatyHash {
    TreatyHash::parse(&content_hash(&treaty()).expect("a treaty has a canonical form")).expect("a content hash")
}

/// A note from A to B created at [`T0`].
pub fn from_a(n: u8, body: NoteBody) -> UnsignedNote {
    UnsignedNote {
        id: note_id(n),
        sender: node(NODE_A),
        recipient: node(NODE_B),
        created: at(T0),
        in_reply_to: None,
        body,
    }
}

/// Re-signs an arbitrary note document, to test checks that come after the signature.
pub fn resign(mut document: Value, node_key: &NodeKey) -> String {
    let members = document.as_object_mut().expect("a note is an object");
    members.remove("signature");
    members.insert("key_id".into(), json!(node_key.key_id().as_str()));
    let signature = node_key.sign(&to_canonical_bytes(&document).expect("JSON has a canonical form"));
    document["signature"] = json!(signature.encode());
    document.to_string()
}

/// A sample body of every kind.
pub fn every_body() -> Vec<NoteBody> {
    let treaty_hash = treaty_hash();
    let reason = Some(Reason::parse("Breach of article 4.\nSee annex.").expect("fixture values are valid"));
    let party_signature = PartySignature {
        party: node(NODE_A),
        key_id: key(1).key_id(),
        signature: key(1).sign(&to_canonical_bytes(&treaty()).expect("JSON has a canonical form")),
    };
    let new_key = KeyEntry { key: key(3).public(), valid_from: at(T0), valid_until: None };
    vec![
        NoteBody::Recognize { card: card_of(NODE_A, "CERT A", &key(1)).verify().expect("fixture card verifies") },
        NoteBody::Propose { treaty: treaty() },
        NoteBody::Counter { treaty: treaty() },
        NoteBody::Accept { treaty_hash: treaty_hash.clone() },
        NoteBody::Reject { treaty_hash: treaty_hash.clone(), reason: reason.clone() },
        NoteBody::Reject { treaty_hash: treaty_hash.clone(), reason: None },
        NoteBody::Withdraw { treaty_hash: treaty_hash.clone() },
        NoteBody::Sign { treaty_hash, signature: party_signature, forwarded: vec![] },
        NoteBody::Amend { treaty: treaty() },
        NoteBody::Suspend { reason: reason.clone() },
        NoteBody::Suspend { reason: None },
        NoteBody::Resume,
        NoteBody::Terminate { reason, effective: at("2025-06-01T00:00:00Z") },
        NoteBody::RotateKey { new_key, old_key_valid_until: after(at(T0), 3600) },
        NoteBody::AllianceAct {
            charter: json!({"type": "alliance-charter"}),
            act: json!({"type": "alliance-signature"}),
        },
    ]
}

#[test]
fn every_kind_signs_verifies_and_keeps_its_body() {
    let mut directory = b_directory();
    directory.record_sent(&note_id(200));
    let bodies = every_body();
    let kinds: std::collections::BTreeSet<NoteKind> = bodies.iter().map(NoteBody::kind).collect();
    assert_eq!(kinds.len(), NoteKind::ALL.len(), "every kind has a sample body");
    for (n, body) in (1u8..).zip(bodies) {
        let mut unsigned = from_a(n, body.clone());
        unsigned.in_reply_to = body.kind().requires_reference().then(|| note_id(200));
        let signed = unsigned.sign(&key(1));
        let verified = check(&signed.to_json(), &directory, after(at(T0), 5))
            .unwrap_or_else(|error| panic!("{} refused: {error}", body.kind()));
        assert_eq!(verified.body(), &body);
        assert_eq!(verified.kind(), body.kind());
        assert_eq!(verified.id(), &note_id(n));
        assert_eq!(verified.get(), signed.note());
        assert!(verified.introduced_key().is_none());
        assert_eq!(NoteBody::parse(body.kind(), &body.to_json()).unwrap(), body);
    }
}

#[test]
fn pretty_printed_and_reordered_notes_verify() {
    let signed = from_a(1, NoteBody::Propose { treaty: treaty() }).sign(&key(1));
    let pretty = serde_json::to_string_pretty(signed.note().document()).unwrap();
    assert_eq!(code(&check(&pretty, &b_directory(), at(T0))), "ok");
    let document = signed.note().document().as_object().unwrap();
    let reversed: Vec<String> =
        document.iter().rev().map(|(name, value)| format!("{}: {}", json!(name), value)).collect();
    let reordered = format!("{{ {} }}", reversed.join(",\n  "));
    assert_eq!(code(&check(&reordered, &b_directory(), at(T0))), "ok");
}

#[test]
fn a_verified_note_is_recorded_by_the_caller_and_then_refused_as_a_replay() {
    let mut directory = b_directory();
    let text = from_a(1, NoteBody::Resume).sign(&key(1)).to_json();
    for _ in 0..2 {
        // Verifying twice without recording is fine: verification changes nothing.
        assert_eq!(code(&check(&text, &directory, at(T0))), "ok");
    }
    let verified = check(&text, &directory, at(T0)).unwrap();
    directory.record_received(verified.id());
    assert_eq!(code(&check(&text, &directory, at(T0))), "replayed-note");
}
