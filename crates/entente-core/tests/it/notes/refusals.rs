//! One test per rejection class of `verify`, each checking the stable code.
//!
//! After each refusal the untouched note still verifies against the same directory:
//! a refused note is never counted as seen.

use super::*;

/// The valid note most refusals start from: A proposes a treaty to B at T0.
fn proposal() -> Value {
    from_a(1, NoteBody::Propose { treaty: treaty() }).sign(&key(1)).note().document().clone()
}

fn changed(mut document: Value, member: &str, value: Value) -> String {
    document[member] = value;
    document.to_string()
}

fn assert_refused(text: &str, expected: &str) {
    let directory = b_directory();
    assert_eq!(code(&check(text, &directory, at(T0))), expected, "{text}");
    assert_eq!(code(&check(&proposal().to_string(), &directory, at(T0))), "ok");
}

#[test]
fn size_and_shape() {
    assert_refused(&" ".repeat(1024 * 1024 + 1), "note-too-large");
    let mut huge = proposal();
    huge["body"]["treaty"]["annex"] = json!("x".repeat(1024 * 1024));
    assert_refused(&resign(huge, &key(1)), "note-too-large");
    for text in ["", "not json", "[]", "\"note\"", "{\"entente\": 1}", "{}"] {
        assert_refused(text, "malformed-note");
    }
    let mut missing = proposal();
    missing.as_object_mut().unwrap().remove("created");
    assert_refused(&resign(missing, &key(1)), "malformed-note");
    let mut unsigned = proposal();
    unsigned.as_object_mut().unwrap().remove("signature");
    assert_refused(&unsigned.to_string(), "malformed-note");
    let mut extra = proposal();
    extra["extra"] = json!(1);
    assert_refused(&resign(extra, &key(1)), "malformed-note");
    for (member, value) in [
        ("in_reply_to", json!(null)),
        ("in_reply_to", json!("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")),
        ("id", json!("note-1")),
        ("kind", json!("declare-war")),
        ("sender", json!("note--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f")),
        ("created", json!("2025-03-01 12:00:00")),
        ("key_id", json!("rsa:1234")),
    ] {
        assert_refused(&changed(proposal(), member, value), "malformed-note");
    }
    assert_refused(&changed(proposal(), "signature", json!("c2hvcnQ")), "malformed-note");
}

#[test]
fn version_and_address() {
    assert_refused(&changed(proposal(), "entente", json!("2")), "unsupported-version");
    let to_c = UnsignedNote { recipient: node(NODE_C), ..from_a(1, NoteBody::Resume) }.sign(&key(1));
    assert_refused(&to_c.to_json(), "misaddressed");
}

#[test]
fn tampering_breaks_the_signature() {
    let mut body = proposal();
    body["body"]["treaty"]["terms"]["tlp"] = json!("clear");
    assert_refused(&body.to_string(), "bad-signature");
    assert_refused(&changed(proposal(), "kind", json!("amend")), "bad-signature");
    assert_refused(&changed(proposal(), "created", json!("2025-03-01T12:00:01.000Z")), "bad-signature");
    assert_refused(&changed(proposal(), "id", json!(note_id(99).as_str())), "bad-signature");
    // Addressed to C, then redirected to B.
    let to_c = UnsignedNote { recipient: node(NODE_C), ..from_a(1, NoteBody::Resume) }.sign(&key(1));
    assert_refused(&changed(to_c.note().document().clone(), "recipient", json!(NODE_B)), "bad-signature");
    // Signed by a stranger's key but claiming A's key id.
    let forged = changed(proposal(), "signature", json!(key(9).sign(b"anything").encode()));
    assert_refused(&forged, "bad-signature");
}

#[test]
fn unpinned_and_unknown_keys() {
    let by_stranger = from_a(1, NoteBody::Resume).sign(&key(9));
    assert_refused(&by_stranger.to_json(), "unknown-key");
    let from_c = UnsignedNote { sender: node(NODE_C), ..from_a(1, NoteBody::Resume) }.sign(&key(7));
    assert_refused(&from_c.to_json(), "unknown-sender");
}

#[test]
fn retired_and_not_yet_valid_keys() {
    let text = proposal().to_string();
    let mut directory = MemoryDirectory::new();
    let retiring = PinnedKey { valid_until: Some(after(at(T0), 60)), ..pinned(&key(1)) };
    directory.set_keys(&node(NODE_A), vec![retiring.clone()]);
    assert_eq!(code(&check(&text, &directory, after(at(T0), 30))), "ok");
    // Created while the key was valid, but received after its end date.
    assert_eq!(code(&check(&text, &directory, after(at(T0), 60))), "key-retired");
    // Created after the end date.
    let late = UnsignedNote { created: after(at(T0), 61), ..from_a(2, NoteBody::Resume) }.sign(&key(1));
    assert_eq!(code(&check(&late.to_json(), &directory, after(at(T0), 30))), "key-retired");
    let future = PinnedKey { valid_from: after(at(T0), 1), ..pinned(&key(1)) };
    directory.set_keys(&node(NODE_A), vec![future]);
    assert_eq!(code(&check(&text, &directory, at(T0))), "key-not-yet-valid");
    // A second, valid pin of the same key wins over the retired one.
    directory.set_keys(&node(NODE_A), vec![retiring, pinned(&key(1))]);
    assert_eq!(code(&check(&text, &directory, after(at(T0), 60))), "ok");
}

#[test]
fn clock_skew_in_both_directions() {
    let text = proposal().to_string();
    let directory = b_directory();
    assert_eq!(code(&check(&text, &directory, after(at(T0), 300))), "ok");
    assert_eq!(code(&check(&text, &directory, after(at(T0), -300))), "ok");
    assert_eq!(code(&check(&text, &directory, after(at(T0), 301))), "stale-note");
    assert_eq!(code(&check(&text, &directory, after(at(T0), -301))), "stale-note");
    let us = node(NODE_B);
    let strict = VerifyContext::new(&us, &directory).with_skew_seconds(10);
    assert_eq!(verify(&text, &strict, after(at(T0), 11)).map(|_| ()).unwrap_err().code(), "stale-note");
    assert!(verify(&text, &strict, after(at(T0), 10)).is_ok());
}

#[test]
fn replays() {
    let mut directory = b_directory();
    directory.record_received(&note_id(1));
    assert_eq!(code(&check(&proposal().to_string(), &directory, at(T0))), "replayed-note");
    // Knowing a note because we sent it is not a replay of a received one.
    let mut sent_only = b_directory();
    sent_only.record_sent(&note_id(1));
    assert_eq!(code(&check(&proposal().to_string(), &sent_only, at(T0))), "ok");
}

#[test]
fn references() {
    let mut directory = b_directory();
    let answering = |n, in_reply_to| {
        UnsignedNote { in_reply_to, ..from_a(n, NoteBody::Counter { treaty: treaty() }) }.sign(&key(1)).to_json()
    };
    assert_eq!(code(&check(&answering(1, Some(note_id(50))), &directory, at(T0))), "unknown-reference");
    assert_eq!(code(&check(&answering(1, None), &directory, at(T0))), "missing-reference");
    directory.record_sent(&note_id(50));
    assert_eq!(code(&check(&answering(1, Some(note_id(50))), &directory, at(T0))), "ok");
    let every_answer = every_body().into_iter().filter(|body| body.kind().requires_reference());
    let kinds: Vec<NoteKind> = every_answer.map(|body| body.kind()).collect();
    assert_eq!(kinds.len(), 5, "counter, accept, reject twice, withdraw: {kinds:?}");
}

#[test]
fn bodies_that_do_not_fit_their_kind() {
    let bad_bodies = [
        ("propose", json!({"treaty": "a treaty"})),
        ("propose", json!({"treaty": {}, "extra": 1})),
        ("propose", json!([])),
        ("suspend", json!({"reason": null})),
        ("suspend", json!({"reason": "\u{7}"})),
        ("resume", json!({"reason": "no"})),
        ("terminate", json!({"reason": "over"})),
        ("terminate", json!({"effective": "tomorrow"})),
        ("amend", json!({"treaty_hash": format!("sha256:{}", "0".repeat(64))})),
        ("sign", json!({"treaty_hash": format!("sha256:{}", "A".repeat(64)), "signature": {}})),
        ("rotate-key", json!({"new_key": {}, "old_key_valid_until": T0})),
        ("recognize", json!({"card": {"card": {}}})),
    ];
    for (kind, body) in bad_bodies {
        let mut document = proposal();
        document["kind"] = json!(kind);
        document["body"] = body;
        assert_refused(&resign(document, &key(1)), "bad-body");
    }
    // A treaty signature by someone other than the sender.
    let Some(NoteBody::Sign { treaty_hash, mut signature, forwarded }) =
        every_body().into_iter().find(|body| body.kind() == NoteKind::Sign)
    else {
        panic!("no sign body");
    };
    signature.party = node(NODE_C);
    assert_refused(
        &from_a(2, NoteBody::Sign { treaty_hash, signature, forwarded }).sign(&key(1)).to_json(),
        "bad-body",
    );
    // A rotation to the key that signs it.
    let same = KeyEntry { key: key(1).public(), valid_from: at(T0), valid_until: None };
    let rotation = NoteBody::RotateKey { new_key: same, old_key_valid_until: at(T0) };
    assert_refused(&from_a(3, rotation).sign(&key(1)).to_json(), "bad-body");
}

#[test]
fn codes_are_distinct() {
    let errors = [
        NoteError::TooLarge { limit: 1 },
        NoteError::Malformed(String::new()),
        NoteError::UnsupportedVersion(String::new()),
        NoteError::Misaddressed { recipient: node(NODE_C) },
        NoteError::UnknownSender(node(NODE_C)),
        NoteError::UnknownKey(key(1).key_id()),
        NoteError::KeyRetired { key_id: key(1).key_id(), valid_until: at(T0) },
        NoteError::KeyNotYetValid { key_id: key(1).key_id(), valid_from: at(T0) },
        NoteError::BadSignature(key(1).key_id()),
        NoteError::Stale { created: at(T0), now: at(T0), skew_seconds: 300 },
        NoteError::Replayed(note_id(1)),
        NoteError::UnknownReference(note_id(1)),
        NoteError::MissingReference(NoteKind::Accept),
        NoteError::CardMismatch { card: node(NODE_A), sender: node(NODE_C) },
        NoteError::BadTreatySignature { party: node(NODE_C), reason: String::new() },
        NoteError::Directory(String::new()),
    ];
    let codes: std::collections::BTreeSet<&str> = errors.iter().map(NoteError::code).collect();
    assert_eq!(codes.len(), errors.len());
    assert!(errors.iter().filter(|error| error.is_internal()).count() == 1);
}
