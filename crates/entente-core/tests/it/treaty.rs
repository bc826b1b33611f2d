//! Integration tests for treaty documents: parse errors with paths (a table), one
//! spelling and a stable hash, versions that name what they answer, signatures and
//! tampering, and the in-force date boundaries. The fixtures here are shared with the
//! relation tests.

use entente_core::keys::KeyError;
use entente_core::node::NodeKey;
use entente_core::treaty::{
    Disposition, NotInForce, Resharing, SignatureError, SignedTreaty, SignedTreatyError, Treaty, TreatyBody,
    TreatySignature, VersionError, parse_template, sign, template_text, verify_signature,
};
use entente_core::{StixId, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

pub const TREATY_ID: &str = "treaty--5b1f7c0e-3f44-4c1e-9a57-0d4c8f1e2a10";
pub const START: &str = "2026-01-01T00:00:00Z";
pub const END: &str = "2028-01-01T00:00:00Z";

pub fn node(number: u8) -> StixId {
    StixId::parse(&format!("identity--{number:08x}-1111-4111-8111-111111111111")).expect("fixtures are valid")
}

pub fn key(number: u8) -> NodeKey {
    NodeKey::from_seed([number; 32])
}

pub fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("fixtures are valid")
}

/// `base` moved by `days` (negative for earlier).
pub fn days_after(base: Timestamp, days: i64) -> Timestamp {
    Timestamp::from_unix_nanos(base.unix_nanos() + i128::from(days) * 86_400_000_000_000, 3)
}

/// A valid version-1 treaty between nodes 1 and 2, proposed by node 1.
pub fn document() -> Value {
    json!({
        "entente": "1",
        "type": "treaty",
        "id": TREATY_ID,
        "version": 1,
        "title": "Counter-terrorism intelligence sharing",
        "purpose": "To share intelligence on terrorist threats.",
        "parties": [node(1).as_str(), node(2).as_str()],
        "proposed_by": node(1).as_str(),
        "scope": { "topics": ["counter-terrorism", "maritime-security"], "object_types": ["indicator"], "labels": [] },
        "terms": {
            "iep_version": "2.0",
            "encrypt_in_transit": "must",
            "permitted_actions": "internally-visible-actions",
            "affected_party_notifications": "may",
            "tlp": "amber+strict",
            "attribution": "must-not",
            "unmodified_resale": "must-not",
            "start_date": START,
            "end_date": END
        },
        "resharing": { "to": "nobody" },
        "notice_period_days": 30,
        "created": "2025-12-01T09:30:00Z"
    })
}

/// A version-1 treaty among `parties`, proposed by the first.
pub fn treaty_among(parties: &[u8]) -> Treaty {
    let mut value = document();
    value["parties"] = parties.iter().map(|party| Value::from(node(*party).as_str())).collect();
    value["proposed_by"] = node(parties[0]).as_str().into();
    Treaty::parse(&value).expect("fixtures are valid")
}

/// Sets (or, with `None`, removes) the member at a dotted path.
fn edit(mut value: Value, path: &str, new: Option<Value>) -> Value {
    let (parent, last) = path.rsplit_once('.').map_or(("", path), |(parent, last)| (parent, last));
    let mut target = &mut value;
    for step in parent.split('.').filter(|step| !step.is_empty()) {
        target = &mut target[step];
    }
    match new {
        Some(new) => target[last] = new,
        None => {
            target.as_object_mut().expect("fixtures are valid").remove(last);
        }
    }
    value
}

#[test]
fn parse_errors_name_their_paths() {
    let indicator = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
    let alliance = "identity--7d3c9a1e-0000-4000-8000-00000000a111";
    #[rustfmt::skip]
    let table: Vec<(&str, Option<Value>, &[&str])> = vec![
        ("title", None, &["title"]),
        ("title", Some(json!("  ")), &["title"]),
        ("entente", Some(json!("2")), &["entente"]),
        ("type", Some(json!("alliance")), &["type"]),
        ("id", Some(json!(indicator)), &["id"]),
        ("version", Some(json!(0)), &["version"]),
        ("version", Some(json!(1.5)), &["version"]),
        ("version", Some(json!(2)), &["supersedes"]),
        ("supersedes", Some(json!(format!("sha256:{}", "0".repeat(64)))), &["supersedes"]),
        ("parties", Some(json!([node(1).as_str()])), &["parties"]),
        ("parties", Some(json!([node(1).as_str(), node(1).as_str()])), &["parties[1]"]),
        ("parties", Some(json!([node(1).as_str(), indicator])), &["parties[1]"]),
        ("proposed_by", Some(json!(node(3).as_str())), &["proposed_by"]),
        ("scope.topics", Some(json!([])), &["scope.topics"]),
        ("scope.topics", Some(json!(["Counter Terrorism"])), &["scope.topics[0]"]),
        ("scope.topics", Some(json!(["cyber", "cyber"])), &["scope.topics[1]"]),
        ("scope.object_types", Some(json!(["indicator", "X"])), &["scope.object_types[1]"]),
        ("scope.labels", Some(json!("apt")), &["scope.labels"]),
        ("scope.colour", Some(json!("blue")), &["scope.colour"]),
        ("terms.iep_version", Some(json!("1.0")), &["terms.iep_version"]),
        ("terms.iep_version", None, &["terms.iep_version"]),
        ("terms.encrypt_in_transit", Some(json!("should")), &["terms.encrypt_in_transit"]),
        ("terms.permitted_actions", Some(json!("all")), &["terms.permitted_actions"]),
        ("terms.affected_party_notifications", Some(json!("must")), &["terms.affected_party_notifications"]),
        ("terms.tlp", Some(json!("white")), &["terms.tlp"]),
        ("terms.tlp", Some(json!("AMBER")), &["terms.tlp"]),
        ("terms.attribution", Some(json!("never")), &["terms.attribution"]),
        ("terms.unmodified_resale", Some(json!("must")), &["terms.unmodified_resale"]),
        ("terms.start_date", Some(json!("2026-01-01")), &["terms.start_date"]),
        ("terms.end_date", Some(json!(null)), &["terms.end_date"]),
        ("terms.end_date", Some(json!(START)), &["terms.end_date"]),
        ("terms.commercial_use", Some(json!("may")), &["terms.commercial_use"]),
        ("terms.on_termination", Some(json!("delete")), &["terms.on_termination"]),
        ("terms.on_termination", Some(json!("Purge")), &["terms.on_termination"]),
        ("terms.on_termination", Some(json!(null)), &["terms.on_termination"]),
        ("resharing.to", Some(json!("everyone")), &["resharing.to"]),
        ("resharing.to", Some(json!("alliance-parties")), &["resharing.alliances"]),
        ("resharing.alliances", Some(json!([alliance])), &["resharing.alliances"]),
        ("resharing", Some(json!({"to": "alliance-parties", "alliances": []})), &["resharing.alliances"]),
        ("notice_period_days", Some(json!(-1)), &["notice_period_days"]),
        ("notice_period_days", Some(json!(40_000)), &["notice_period_days"]),
        ("created", Some(json!("yesterday")), &["created"]),
        ("signatures", Some(json!([])), &["signatures"]),
    ];
    for (path, new, expected) in table {
        let value = edit(document(), path, new.clone());
        let error = Treaty::parse(&value).expect_err(&format!("{path} = {new:?} should be refused"));
        assert_eq!(error.paths(), expected, "{path} = {new:?}: {error}");
        let message = error.to_string();
        assert!(message.contains(&format!("`{}`", expected[0])), "{message}");
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let value = edit(edit(edit(document(), "title", None), "terms.tlp", Some(json!("white"))), "x", Some(json!(1)));
    let error = Treaty::parse(&value).unwrap_err();
    let mut paths = error.paths();
    paths.sort_unstable();
    assert_eq!(paths, ["terms.tlp", "title", "x"]);
    assert!(error.to_string().contains("TLP 1.0"), "{error}");
    assert_eq!(Treaty::parse(&json!([1])).unwrap_err().paths(), [""]);
}

#[test]
fn valid_variants_round_trip_exactly() {
    let alliance = "identity--7d3c9a1e-0000-4000-8000-00000000a111";
    let variants = [
        document(),
        edit(document(), "terms.end_date", None),
        edit(document(), "resharing", Some(json!({"to": "alliance-parties", "alliances": [alliance]}))),
        edit(document(), "resharing", Some(json!({"to": "treaty-partners"}))),
        edit(document(), "terms.tlp", Some(json!("clear"))),
        edit(document(), "terms.on_termination", Some(json!("purge"))),
        edit(document(), "terms.on_termination", Some(json!("keep"))),
    ];
    for value in variants {
        let treaty = Treaty::parse(&value).unwrap();
        assert_eq!(treaty.to_value(), value);
    }
    let alliance_treaty = Treaty::parse(&variants_resharing(alliance)).unwrap();
    assert_eq!(alliance_treaty.body().resharing, Resharing::AllianceParties(vec![StixId::parse(alliance).unwrap()]));
    assert!(Treaty::parse(&document()).unwrap().body().scope.topics.iter().any(|topic| !topic.is_standard()));
}

fn variants_resharing(alliance: &str) -> Value {
    edit(document(), "resharing", Some(json!({"to": "alliance-parties", "alliances": [alliance]})))
}

/// Writes `value` with each object's members rotated by `seed` and `indent` spaces.
fn render(value: &Value, seed: usize, indent: usize) -> String {
    let gap = format!("\n{}", " ".repeat(indent));
    match value {
        Value::Object(members) => {
            let mut entries: Vec<String> =
                members.iter().map(|(name, member)| format!("{name:?}:{}", render(member, seed, indent))).collect();
            let len = entries.len().max(1);
            entries.rotate_left(seed % len);
            format!("{{{gap}{}{gap}}}", entries.join(&format!(",{gap}")))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(|item| render(item, seed, indent)).collect();
            format!("[{}]", items.join(&format!(",{gap}")))
        }
        other => other.to_string(),
    }
}

proptest! {
    /// The same treaty written with other member orders and whitespace has the same hash,
    /// and that hash is the SHA-256 of what a second RFC 8785 implementation produces.
    #[test]
    fn hash_ignores_member_order_and_whitespace(seed in 0usize..64, indent in 0usize..6) {
        let original = Treaty::parse(&document()).unwrap();
        let text = render(&document(), seed, indent);
        let reread = Treaty::parse(&serde_json::from_str(&text).unwrap()).unwrap();
        prop_assert_eq!(reread.hash(), original.hash());
        let theirs = serde_json_canonicalizer::to_vec(&serde_json::from_str::<Value>(&text).unwrap()).unwrap();
        prop_assert_eq!(reread.canonical_bytes(), theirs.as_slice());
    }

    /// Every edit to the title gives another hash.
    #[test]
    fn any_change_changes_the_hash(title in "[A-Za-z][A-Za-z ]{0,30}") {
        let original = Treaty::parse(&document()).unwrap();
        let edited = Treaty::parse(&edit(document(), "title", Some(json!(title.clone())))).unwrap();
        prop_assert_eq!(original.hash() == edited.hash(), title == "Counter-terrorism intelligence sharing");
    }
}

#[test]
fn hash_is_pinned_and_timestamps_keep_their_spelling() {
    let treaty = parse_template(template_text()).unwrap();
    assert_eq!(treaty.hash().as_str(), PINNED_TEMPLATE_HASH);
    assert_eq!(treaty.to_value()["created"], json!("2026-01-01T00:00:00Z"));
    let signature = sign(&treaty, &treaty.parties()[0], &key(1)).unwrap();
    assert_eq!(signature.signature.encode(), PINNED_TEMPLATE_SIGNATURE);
    // The same instant spelled with milliseconds is another text, with another hash.
    let mut value = treaty.to_value();
    value["created"] = json!("2026-01-01T00:00:00.000Z");
    assert_ne!(Treaty::parse(&value).unwrap().hash(), treaty.hash());
}

/// `on_termination` is optional: a text without it (every treaty written before it
/// existed) keeps its members, its hash and its meaning (`keep`); a text with it is
/// another text, with another hash.
#[test]
fn on_termination_is_optional_and_absent_means_keep() {
    let without = Treaty::parse(&document()).unwrap();
    assert_eq!(without.body().terms.on_termination, None);
    assert_eq!(without.body().terms.disposition(), Disposition::Keep);
    assert!(without.to_value()["terms"].get("on_termination").is_none(), "never written when absent");
    let purge = Treaty::parse(&edit(document(), "terms.on_termination", Some(json!("purge")))).unwrap();
    let keep = Treaty::parse(&edit(document(), "terms.on_termination", Some(json!("keep")))).unwrap();
    assert_eq!(purge.body().terms.disposition(), Disposition::Purge);
    assert_eq!(keep.body().terms.disposition(), Disposition::Keep);
    assert_eq!(keep.body().terms.on_termination, Some(Disposition::Keep), "kept as written");
    let hashes = [without.hash(), purge.hash(), keep.hash()];
    assert!(hashes[0] != hashes[1] && hashes[0] != hashes[2] && hashes[1] != hashes[2], "{hashes:?}");
    // Built from a body, the term is written only when set.
    let mut body = without.body().clone();
    body.terms.on_termination = Some(Disposition::Purge);
    let drafted = Treaty::draft(without.id(), without.proposed_by(), at(START), &body).unwrap();
    assert_eq!(drafted.to_value()["terms"]["on_termination"], json!("purge"));
    // The template explains the term in a comment line; removing its `//` asks for a purge.
    let template = parse_template(template_text()).unwrap();
    assert_eq!(template.body().terms.on_termination, None);
    let uncommented = template_text().replace("// \"on_termination\"", "\"on_termination\"");
    assert_eq!(parse_template(&uncommented).unwrap().body().terms.disposition(), Disposition::Purge);
}

const PINNED_TEMPLATE_HASH: &str = "sha256:ccbf990361b59dac7d2ca6ccefd29db5cd1407cde10c1dafa6174ff11b08d77d";
const PINNED_TEMPLATE_SIGNATURE: &str =
    "e2BgCck_VX-8VQMULvqP56alfirseKCbv0joTCAd1ufEc29kpn2xhDbRYt3ZRgpo2Hm1-VGG9eBlPDiLQFBtCg";

#[test]
fn counter_proposals_name_the_version_they_answer() {
    let first = treaty_among(&[1, 2]);
    let mut body: TreatyBody = first.body().clone();
    body.notice_period_days = 60;
    let second = first.counter(&node(2), at("2025-12-02T00:00:00Z"), &body).unwrap();
    assert_eq!((second.version(), second.supersedes()), (2, Some(first.hash())));
    assert_eq!(second.id(), first.id());
    second.answers(&first).unwrap();
    body.title = "Counter-terrorism and cyber intelligence sharing".into();
    let third = second.counter(&node(1), at("2025-12-03T00:00:00Z"), &body).unwrap();
    third.answers(&second).unwrap();
    assert!(matches!(third.answers(&first), Err(VersionError::Number { previous: 1, found: 3 })));
    assert!(matches!(first.answers(&first), Err(VersionError::Number { .. })));

    // A version 2 that names some other text does not answer version 1.
    let mut forged = second.to_value();
    forged["supersedes"] = json!(third.hash().as_str());
    let forged = Treaty::parse(&forged).unwrap();
    assert!(matches!(forged.answers(&first), Err(VersionError::Supersedes { .. })));
    let mut other = first.to_value();
    other["id"] = json!("treaty--0c7e1a55-8b2d-4f3a-9e61-1d2c3b4a5f60");
    let other = Treaty::parse(&other).unwrap();
    assert!(matches!(second.answers(&other), Err(VersionError::OtherTreaty { .. })));
    // A proposer who is not a party is refused when the version is built.
    assert_eq!(first.counter(&node(9), at(START), &body).unwrap_err().paths(), ["proposed_by"]);
}

#[test]
fn signatures_verify_and_tampering_is_detected() {
    let treaty = treaty_among(&[1, 2]);
    let signature = sign(&treaty, &node(1), &key(1)).unwrap();
    verify_signature(&treaty, &signature, &key(1).public()).unwrap();
    assert_eq!(TreatySignature::parse(&signature.to_value()).unwrap(), signature);

    let mut tampered = treaty.body().clone();
    tampered.terms.tlp = entente_core::stix::vocab::TlpLevel::Clear;
    let tampered = Treaty::draft(treaty.id(), &node(1), treaty.created().instant(), &tampered).unwrap();
    let refused = verify_signature(&tampered, &signature, &key(1).public());
    assert!(matches!(refused, Err(SignatureError::OtherTreaty { .. })));
    // Even when the record is relabelled with the tampered text's hash, the bytes differ.
    let relabelled = TreatySignature { treaty: tampered.hash().clone(), ..signature.clone() };
    let refused = verify_signature(&tampered, &relabelled, &key(1).public());
    assert!(matches!(refused, Err(SignatureError::Key(KeyError::BadSignature(_)))));

    let refused = verify_signature(&treaty, &signature, &key(2).public());
    assert!(matches!(refused, Err(SignatureError::OtherKey { .. })));
    assert!(matches!(sign(&treaty, &node(3), &key(3)), Err(SignatureError::NotAParty(_))));
    let outsider = TreatySignature { party: node(3), ..signature.clone() };
    assert!(matches!(verify_signature(&treaty, &outsider, &key(1).public()), Err(SignatureError::NotAParty(_))));
    assert!(TreatySignature::parse(&json!({"treaty": "sha256:x", "party": 1})).is_err());
}

#[test]
fn in_force_needs_every_signature_and_holds_from_start_to_before_end() {
    let treaty = treaty_among(&[1, 2, 3]);
    let mut signed = SignedTreaty::new(treaty.clone());
    for party in [1, 2] {
        signed.add_signature(sign(&treaty, &node(party), &key(party)).unwrap(), &key(party).public()).unwrap();
    }
    let unsigned = signed.is_in_force(at("2026-06-01T00:00:00Z")).unwrap_err();
    assert_eq!(unsigned, NotInForce::Unsigned { missing: vec![node(3)] });
    assert!(unsigned.to_string().contains(node(3).as_str()));
    let third = sign(&treaty, &node(3), &key(3)).unwrap();
    assert!(signed.add_signature(third.clone(), &key(1).public()).is_err());
    signed.add_signature(third, &key(3).public()).unwrap();

    let start = at(START);
    let end = at(END);
    let nanosecond_before = |instant: Timestamp| Timestamp::from_unix_nanos(instant.unix_nanos() - 1, 9);
    assert!(matches!(signed.is_in_force(nanosecond_before(start)), Err(NotInForce::NotStarted { .. })));
    let proof = signed.is_in_force(start).unwrap();
    assert_eq!((proof.checked_at(), proof.treaty().hash()), (start, treaty.hash()));
    assert!(signed.is_in_force(nanosecond_before(end)).is_ok());
    assert_eq!(signed.is_in_force(end).unwrap_err(), NotInForce::Ended { end });

    let endless = Treaty::parse(&edit(document(), "terms.end_date", None)).unwrap();
    let mut signed_endless = SignedTreaty::new(endless.clone());
    for party in [1, 2] {
        signed_endless.add_signature(sign(&endless, &node(party), &key(party)).unwrap(), &key(party).public()).unwrap();
    }
    assert!(signed_endless.is_in_force(at("2999-01-01T00:00:00Z")).is_ok());
}

#[test]
fn signed_treaties_merge_in_any_order_and_read_back() {
    let treaty = treaty_among(&[1, 2, 3]);
    let signed_by = |parties: &[u8]| {
        let mut signed = SignedTreaty::new(treaty.clone());
        for &party in parties {
            signed.add_signature(sign(&treaty, &node(party), &key(party)).unwrap(), &key(party).public()).unwrap();
        }
        signed
    };
    let (mut left, mut right) = (signed_by(&[1]), signed_by(&[2, 3]));
    left.merge(&signed_by(&[2, 3])).unwrap();
    right.merge(&signed_by(&[1])).unwrap();
    assert_eq!(left, right);
    assert!(left.merge(&SignedTreaty::new(treaty_among(&[1, 3]))).is_err());

    let keys = |party: &StixId, _: &_| (1..=3).find(|n| node(*n) == *party).map(|n| key(n).public());
    assert_eq!(SignedTreaty::from_value(&left.to_value(), keys).unwrap(), left);
    let unknown = SignedTreaty::from_value(&left.to_value(), |_, _| None);
    assert!(matches!(unknown, Err(SignedTreatyError::UnknownKey { .. })));
    let mut broken = left.to_value();
    broken["treaty"]["terms"]["tlp"] = json!("white");
    let refused = SignedTreaty::from_value(&broken, keys).unwrap_err();
    assert!(refused.to_string().contains("`treaty.terms.tlp`"), "{refused}");
}
