//! The committed test vectors in `tests/vectors/`, for a second implementation to
//! check itself against.
//!
//! Each file gives the signer's seed (hex), the unsigned document, its exact RFC 8785
//! canonical bytes (as a UTF-8 string), the Ed25519 signature (base64url) and the
//! wire document, plus what the receiver knows and the verdict it must reach at a
//! fixed `now`. Ed25519 is deterministic, so every byte is reproducible. A `sign`
//! vector also gives `treaty_canonical`, the canonical bytes of the treaty its
//! signatures (the sender's and the forwarded ones) are over.
//!
//! `refusals.json` lists wire texts (one reformatted, the others altered) with the
//! receiver's records and the code each must produce.
//!
//! The test rebuilds every vector with the typed API and compares it with the file,
//! then checks the file on its own terms (canonicalise, sign, verify). To regenerate
//! after a deliberate protocol change: `ENTENTE_WRITE_VECTORS=1 cargo test -p
//! entente-core --test it notes::vectors::committed`, then review the diff.

use super::forwarding::{C_SEED, sign_body};
use super::*;
use entente_core::keys::Signature;
use entente_core::seal::EncryptionKey;

const DIRECTORY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors");

fn signer(seed: u8) -> Value {
    let node_key = key(seed);
    json!({
        "seed_hex": hex::encode(node_key.seed()),
        "public_key": node_key.public().encode(),
        "key_id": node_key.key_id().as_str(),
        "fingerprint": node_key.fingerprint(),
    })
}

fn canonical_text(value: &Value) -> String {
    String::from_utf8(to_canonical_bytes(value).expect("canonical bytes are UTF-8")).expect("canonical bytes are UTF-8")
}

fn card_vector() -> Value {
    let signed = card_of(NODE_A, "CERT A", &key(1));
    let card = signed.card.to_json();
    json!({
        "description": "Node card of node A, self-signed with its key (seed 01…01).",
        "signer": signer(1),
        "card": card,
        "canonical": canonical_text(&card),
        "signature": signed.signature.encode(),
        "wire": signed.to_json(),
    })
}

/// The same card with an encryption key (secret bytes 02…02): the member cards made
/// before it existed lack, signed with the rest.
fn card_with_encryption_key_vector() -> Value {
    let encryption = EncryptionKey::from_bytes([2; 32]);
    let mut card = card_of(NODE_A, "CERT A", &key(1)).card;
    card.encryption_key = Some(encryption.public_key());
    let signed = SignedCard::sign(card, &key(1));
    let card = signed.card.to_json();
    json!({
        "description": "Node card of node A with its HPKE encryption key, self-signed with its signing key (seed 01…01).",
        "signer": signer(1),
        "encryption_key": {
            "secret_hex": hex::encode(encryption.to_bytes()),
            "public_key": encryption.public_key().encode(),
            "key_id": encryption.public_key().key_id().as_str(),
        },
        "card": card,
        "canonical": canonical_text(&card),
        "signature": signed.signature.encode(),
        "wire": signed.to_json(),
    })
}

/// A note vector: `pinned` lists the (node, seed) pairs the receiver pinned, `known`
/// the note ids it knows, `expect` the verdict (`ok` or a refusal code).
struct NoteCase {
    file: &'static str,
    description: &'static str,
    seed: u8,
    note: UnsignedNote,
    pinned: Vec<(&'static str, u8)>,
    known: Vec<NoteId>,
}

fn minutes(count: i64) -> Timestamp {
    after(at(T0), count * 60)
}

fn note_cases() -> Vec<NoteCase> {
    let treaty_hash = treaty_hash();
    let recognize =
        NoteBody::Recognize { card: card_of(NODE_A, "CERT A", &key(1)).verify().expect("fixture card verifies") };
    let from_b = |n, minute, in_reply_to, body| UnsignedNote {
        id: note_id(n),
        sender: node(NODE_B),
        recipient: node(NODE_A),
        created: minutes(minute),
        in_reply_to,
        body,
    };
    let new_key = KeyEntry { key: key(3).public(), valid_from: minutes(3), valid_until: None };
    let terminate = NoteBody::Terminate {
        reason: Some(Reason::parse("Fin de l'accord.").expect("fixture values are valid")),
        effective: at("2025-06-01T00:00:00.000Z"),
    };
    vec![
        NoteCase {
            file: "note-1.json",
            description: "A introduces itself to B (first contact: B has pinned nothing; the card's key verifies).",
            seed: 1,
            note: from_a(1, recognize),
            pinned: vec![],
            known: vec![],
        },
        NoteCase {
            file: "note-2.json",
            description: "A proposes a treaty to B (the treaty document is opaque to notes).",
            seed: 1,
            note: UnsignedNote {
                created: minutes(1),
                in_reply_to: Some(note_id(1)),
                ..from_a(2, NoteBody::Propose { treaty: treaty() })
            },
            pinned: vec![(NODE_A, 1)],
            known: vec![note_id(1)],
        },
        NoteCase {
            file: "note-3.json",
            description: "B accepts A's proposal, naming it by the treaty's content hash.",
            seed: 2,
            note: from_b(3, 2, Some(note_id(2)), NoteBody::Accept { treaty_hash }),
            pinned: vec![(NODE_B, 2)],
            known: vec![note_id(2)],
        },
        NoteCase {
            file: "note-4.json",
            description: "A rotates its key: the new key (seed 03…03) is announced under the old one (seed 01…01).",
            seed: 1,
            note: UnsignedNote {
                created: minutes(3),
                ..from_a(4, NoteBody::RotateKey { new_key, old_key_valid_until: minutes(63) })
            },
            pinned: vec![(NODE_A, 1)],
            known: vec![],
        },
        NoteCase {
            file: "note-5.json",
            description: "B terminates the relation with a reason and an effective date.",
            seed: 2,
            note: from_b(5, 4, None, terminate),
            pinned: vec![(NODE_B, 2)],
            known: vec![],
        },
        NoteCase {
            file: "note-6.json",
            description: "B signs the agreed treaty and forwards C's signature (seed 04…04) on it, as for a \
                          treaty between A, B and C; A has pinned B's and C's keys. Both treaty signatures \
                          are over `treaty_canonical`.",
            seed: 2,
            note: from_b(6, 5, Some(note_id(3)), sign_body((NODE_B, 2), &[(NODE_C, C_SEED)])),
            pinned: vec![(NODE_B, 2), (NODE_C, C_SEED)],
            known: vec![note_id(3)],
        },
    ]
}

fn note_vector(case: &NoteCase) -> Value {
    let node_key = key(case.seed);
    let unsigned = case.note.to_json(&node_key.key_id());
    let signed = case.note.clone().sign(&node_key);
    let pinned: Vec<(&str, KeyEntry)> =
        case.pinned.iter().map(|(node_id, seed)| (*node_id, pinned_entry(*seed))).collect();
    let rules = Rules { pinned, known: case.known.clone(), ..Rules::new(&case.note, "ok") };
    let mut vector = json!({
        "description": case.description,
        "signer": signer(case.seed),
        "unsigned": unsigned,
        "canonical": canonical_text(&unsigned),
        "signature": signed.note().signature().encode(),
        "wire": signed.note().document(),
        "verification": rules.to_json(),
    });
    if case.note.body.kind() == NoteKind::Sign {
        vector["treaty_canonical"] = json!(canonical_text(&treaty()));
    }
    vector
}

fn pinned_entry(seed: u8) -> KeyEntry {
    KeyEntry { key: key(seed).public(), valid_from: at(KEYS_FROM), valid_until: None }
}

/// What the receiver knows and must conclude, as a vector writes it.
struct Rules {
    recipient: StixId,
    now: Timestamp,
    pinned: Vec<(&'static str, KeyEntry)>,
    known: Vec<NoteId>,
    received: Vec<NoteId>,
    expect: &'static str,
}

impl Rules {
    /// Receiving `note` ten seconds after it was created, with nothing on record.
    fn new(note: &UnsignedNote, expect: &'static str) -> Rules {
        let recipient = note.recipient.clone();
        Rules { recipient, now: after(note.created, 10), pinned: vec![], known: vec![], received: vec![], expect }
    }

    fn to_json(&self) -> Value {
        let ids = |ids: &[NoteId]| ids.iter().map(NoteId::as_str).map(str::to_owned).collect::<Vec<_>>();
        json!({
            "recipient": self.recipient.as_str(),
            "now": self.now.to_string(),
            "skew_seconds": 300,
            "pinned_keys": self.pinned.iter().map(|(node_id, entry)| json!({"node": node_id, "key": entry.to_json()})).collect::<Vec<_>>(),
            "known_notes": ids(&self.known),
            "received_notes": ids(&self.received),
            "expect": self.expect,
        })
    }
}

/// Runs a vector's `verification` rules against `text`, as a receiver would.
fn verify_with_rules(text: &str, rules: &Value) -> Result<Verified<Note>, NoteError> {
    let mut directory = MemoryDirectory::new();
    for pin in rules["pinned_keys"].as_array().expect("vector rules are well-formed") {
        let entry = KeyEntry::from_json(&pin["key"]).expect("vector pins are well-formed");
        directory.pin(&node(pin["node"].as_str().expect("vector pins are well-formed")), PinnedKey::from(&entry));
    }
    let note_ids = |member: &str| -> Vec<NoteId> {
        rules[member]
            .as_array()
            .expect("vector rules are well-formed")
            .iter()
            .map(|id| {
                NoteId::parse(id.as_str().expect("vector rules are well-formed")).expect("vector rules are well-formed")
            })
            .collect()
    };
    note_ids("known_notes").iter().for_each(|id| directory.record_sent(id));
    note_ids("received_notes").iter().for_each(|id| directory.record_received(id));
    let us = node(rules["recipient"].as_str().expect("vector rules are well-formed"));
    let context = VerifyContext::new(&us, &directory)
        .with_skew_seconds(rules["skew_seconds"].as_i64().expect("vector rules are well-formed"));
    verify(text, &context, at(rules["now"].as_str().expect("vector rules are well-formed")))
}

/// Altered or reformatted versions of note 2 (A proposes to B) and the verdicts.
fn refusal_cases() -> Vec<(&'static str, String, Rules)> {
    let proposal = note_cases().into_iter().find(|case| case.file == "note-2.json").expect("note-2 is a vector").note;
    let document = proposal.clone().sign(&key(1)).note().document().clone();
    let rules = |expect| Rules {
        pinned: vec![(NODE_A, pinned_entry(1))],
        known: vec![note_id(1)],
        ..Rules::new(&proposal, expect)
    };
    // Members in reverse order, indented, with `kind` spelled with a \u escape.
    let members: Vec<String> = document
        .as_object()
        .expect("a note is an object")
        .iter()
        .rev()
        .map(|(name, value)| {
            format!("  {}: {}", json!(name), serde_json::to_string_pretty(value).expect("JSON serialises"))
        })
        .collect();
    let reformatted = format!("{{\n{}\n}}\n", members.join(",\n")).replacen("\"propose\"", "\"\\u0070ropose\"", 1);
    let mut tampered = document.clone();
    tampered["body"]["treaty"]["terms"]["tlp"] = json!("clear");
    let stranger = UnsignedNote { id: note_id(12), ..proposal.clone() }.sign(&key(9)).to_json();
    let retiring = KeyEntry { valid_until: Some(after(proposal.created, 5)), ..pinned_entry(1) };
    vec![
        (
            "Reformatted: whitespace, member order and a \\u escape do not change the canonical form.",
            reformatted,
            rules("ok"),
        ),
        ("A member of the body changed after signing.", tampered.to_string(), rules("bad-signature")),
        (
            "Received 301 s after creation.",
            document.to_string(),
            Rules { now: after(proposal.created, 301), ..rules("stale-note") },
        ),
        (
            "Received 301 s before creation.",
            document.to_string(),
            Rules { now: after(proposal.created, -301), ..rules("stale-note") },
        ),
        (
            "Received by a node it is not addressed to.",
            document.to_string(),
            Rules { recipient: node(NODE_C), ..rules("misaddressed") },
        ),
        ("Signed by a key that is not pinned for the sender (seed 09…09).", stranger, rules("unknown-key")),
        (
            "Signed by a pinned key whose validity ended before now.",
            document.to_string(),
            Rules { pinned: vec![(NODE_A, retiring)], ..rules("key-retired") },
        ),
        ("Already received.", document.to_string(), Rules { received: vec![note_id(2)], ..rules("replayed-note") }),
        (
            "Answers a note the receiver does not know.",
            document.to_string(),
            Rules { known: vec![], ..rules("unknown-reference") },
        ),
        (
            "From a sender with no pinned key, and not a recognize note.",
            document.to_string(),
            Rules { pinned: vec![], ..rules("unknown-sender") },
        ),
    ]
}

fn refusals_vector() -> Value {
    let cases: Vec<Value> = refusal_cases()
        .iter()
        .map(|(description, text, rules)| json!({"description": description, "wire_text": text, "verification": rules.to_json()}))
        .collect();
    json!({
        "description": "Wire texts derived from note-2.json and the verdict a receiver must reach for each.",
        "cases": cases,
    })
}

fn expected_files() -> Vec<(String, Value)> {
    let mut files =
        vec![("card-1.json".to_owned(), card_vector()), ("card-2.json".to_owned(), card_with_encryption_key_vector())];
    files.extend(note_cases().iter().map(|case| (case.file.to_owned(), note_vector(case))));
    files.push(("refusals.json".to_owned(), refusals_vector()));
    files
}

#[test]
fn committed_vectors_are_what_the_implementation_produces() {
    let write = std::env::var_os("ENTENTE_WRITE_VECTORS").is_some();
    for (file, expected) in expected_files() {
        let path = format!("{DIRECTORY}/{file}");
        if write {
            std::fs::create_dir_all(DIRECTORY).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(&expected).unwrap() + "\n").unwrap();
        }
        let committed: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(committed, expected, "{file} differs from what the implementation produces");
    }
}

/// Checks a vector file using only its own contents and the primitives.
fn check_signed(vector: &Value, signed_member: &Value) {
    let seed: [u8; 32] = hex::decode(vector["signer"]["seed_hex"].as_str().expect("vector files are well-formed"))
        .expect("vector files are well-formed")
        .try_into()
        .expect("vector files are well-formed");
    let node_key = NodeKey::from_seed(seed);
    assert_eq!(node_key.public().encode(), vector["signer"]["public_key"]);
    assert_eq!(node_key.key_id().as_str(), vector["signer"]["key_id"]);
    let canonical = vector["canonical"].as_str().expect("vector files are well-formed");
    assert_eq!(canonical_text(signed_member), canonical);
    let signature = node_key.sign(canonical.as_bytes());
    assert_eq!(signature.encode(), vector["signature"]);
    node_key
        .public()
        .verify(canonical.as_bytes(), &Signature::parse(&signature.encode()).expect("our signature verifies"))
        .expect("our signature verifies");
}

#[test]
fn the_card_vectors_verify_on_their_own_terms() {
    for file in ["card-1.json", "card-2.json"] {
        let vector: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{DIRECTORY}/{file}")).unwrap()).unwrap();
        check_signed(&vector, &vector["card"]);
        assert_eq!(vector["wire"]["card"], vector["card"]);
        assert_eq!(vector["wire"]["signature"], vector["signature"]);
        let verified = SignedCard::parse(&vector["wire"].to_string()).unwrap();
        assert_eq!(verified.fingerprint(), vector["signer"]["fingerprint"]);
        let encryption = verified.card().encryption_key;
        assert_eq!(encryption.is_some(), file == "card-2.json", "{file}");
        if let Some(public) = encryption {
            let secret: [u8; 32] =
                hex::decode(vector["encryption_key"]["secret_hex"].as_str().unwrap()).unwrap().try_into().unwrap();
            assert_eq!(EncryptionKey::from_bytes(secret).public_key(), public);
            assert_eq!(public.encode(), vector["encryption_key"]["public_key"]);
            assert_eq!(public.key_id().as_str(), vector["encryption_key"]["key_id"]);
            assert_eq!(vector["card"]["encryption_key"]["key_id"], vector["encryption_key"]["key_id"]);
        }
    }
}

#[test]
fn the_note_vectors_verify_on_their_own_terms() {
    for case in note_cases() {
        let text = std::fs::read_to_string(format!("{DIRECTORY}/{}", case.file)).unwrap();
        let vector: Value = serde_json::from_str(&text).unwrap();
        check_signed(&vector, &vector["unsigned"]);
        let mut wire = vector["wire"].clone();
        assert_eq!(wire.as_object_mut().unwrap().remove("signature").unwrap(), vector["signature"]);
        assert_eq!(wire, vector["unsigned"]);

        let result = verify_with_rules(&vector["wire"].to_string(), &vector["verification"]);
        assert_eq!(code(&result), vector["verification"]["expect"], "{}", case.file);
        let verified = result.unwrap();
        assert_eq!(verified.introduced_key().is_some(), case.pinned.is_empty(), "{}", case.file);
        assert_eq!(verified.body(), &case.note.body);
        if verified.kind() == NoteKind::Sign {
            check_treaty_signatures(&vector);
        }
    }
}

/// A `sign` vector's treaty signatures (the sender's and the forwarded ones) verify
/// over `treaty_canonical` with the key the receiver pinned for each party.
fn check_treaty_signatures(vector: &Value) {
    let canonical = vector["treaty_canonical"].as_str().expect("a sign vector has the treaty's canonical text");
    let body = &vector["wire"]["body"];
    let forwarded = body["forwarded"].as_array().cloned().unwrap_or_default();
    assert!(!forwarded.is_empty(), "the sign vector forwards a signature");
    for signature in std::iter::once(&body["signature"]).chain(&forwarded) {
        let pin = vector["verification"]["pinned_keys"]
            .as_array()
            .expect("vector rules are well-formed")
            .iter()
            .find(|pin| pin["node"] == signature["party"])
            .expect("the receiver pinned a key of every signing party");
        assert_eq!(pin["key"]["key_id"], signature["key_id"]);
        let key = KeyEntry::from_json(&pin["key"]).expect("vector pins are well-formed").key;
        let bytes = Signature::parse(signature["signature"].as_str().expect("a signature")).expect("a signature");
        key.verify(canonical.as_bytes(), &bytes).expect("the treaty signature verifies");
    }
    let hash = content_hash(&serde_json::from_str::<Value>(canonical).expect("canonical JSON")).expect("a hash");
    assert_eq!(body["treaty_hash"], hash);
}

#[test]
fn the_refusal_vectors_reach_their_verdicts() {
    let vector: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DIRECTORY}/refusals.json")).unwrap()).unwrap();
    let cases = vector["cases"].as_array().unwrap();
    assert_eq!(cases.len(), refusal_cases().len());
    for case in cases {
        let result = verify_with_rules(case["wire_text"].as_str().unwrap(), &case["verification"]);
        assert_eq!(code(&result), case["verification"]["expect"], "{}", case["description"]);
    }
}
