//! Integration tests for the release decision: a table of cases (each rule, allowed and
//! denied), granular markings, the deterministic choice among treaties, obligations,
//! and property tests over random nodes, treaties, alliances and markings that follow
//! objects hop by hop and check that none reaches a node not entitled to it.

use crate::treaty::{END, at, document, key, node};
use entente_core::release::{
    Decision, DenyReason, KnownMarking, MarkingCatalog, Memberships, ObjectFacts, Provenance, Recipient,
    ReleaseRequest, decide,
};
use entente_core::stix::vocab::{TLP_1_0, TLP_2_0, TlpLevel};
use entente_core::treaty::{Resharing, SignedTreaty, Treaty, sign};
use entente_core::{StixId, Timestamp};
use proptest::prelude::*;
use serde_json::{Value, json};

const NOW: &str = "2026-06-01T00:00:00Z";
const STATEMENT: &str = "marking-definition--a1b2c3d4-0000-4000-8000-000000000001";
const UNKNOWN: &str = "marking-definition--a1b2c3d4-0000-4000-8000-0000000000ff";

fn tlp(level: TlpLevel) -> &'static str {
    TLP_2_0.iter().find(|marking| marking.level == level).expect("every level has a TLP 2.0 marking").id
}

fn alliance(number: u8) -> StixId {
    StixId::parse(&format!("identity--{number:08x}-2222-4222-8222-222222222222")).expect("fixtures are valid")
}

fn catalog() -> MarkingCatalog {
    let mut catalog = MarkingCatalog::new();
    catalog.register(&StixId::parse(STATEMENT).expect("fixtures are valid"), KnownMarking::Statement);
    catalog
}

/// What a test treaty says; everything else comes from the shared fixture.
#[derive(Clone, Debug)]
struct Spec {
    parties: Vec<u8>,
    topics: Vec<&'static str>,
    types: Vec<&'static str>,
    labels: Vec<&'static str>,
    tlp: &'static str,
    resharing: Value,
    attribution: &'static str,
    encrypt: &'static str,
    /// Whether every party signs (otherwise the last one does not).
    signed: bool,
    end: &'static str,
}

fn spec(parties: &[u8]) -> Spec {
    Spec {
        parties: parties.to_vec(),
        topics: vec!["cyber"],
        types: vec![],
        labels: vec![],
        tlp: "amber",
        resharing: json!({"to": "treaty-partners"}),
        attribution: "may",
        encrypt: "must",
        signed: true,
        end: END,
    }
}

fn build(spec: &Spec) -> SignedTreaty {
    let mut value = document();
    value["parties"] = spec.parties.iter().map(|party| Value::from(node(*party).as_str())).collect();
    value["proposed_by"] = node(spec.parties[0]).as_str().into();
    value["scope"] = json!({"topics": spec.topics, "object_types": spec.types, "labels": spec.labels});
    value["terms"]["tlp"] = spec.tlp.into();
    value["terms"]["attribution"] = spec.attribution.into();
    value["terms"]["encrypt_in_transit"] = spec.encrypt.into();
    value["terms"]["end_date"] = spec.end.into();
    value["resharing"] = spec.resharing.clone();
    let treaty = Treaty::parse(&value).expect("test treaties are valid");
    let mut signed = SignedTreaty::new(treaty.clone());
    let signers = if spec.signed { spec.parties.len() } else { spec.parties.len() - 1 };
    for party in &spec.parties[..signers] {
        let signature = sign(&treaty, &node(*party), &key(*party)).expect("parties can sign");
        signed.add_signature(signature, &key(*party).public()).expect("the key is the party's");
    }
    signed
}

fn facts(extra: Value) -> ObjectFacts {
    let mut value = json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"});
    if let (Value::Object(object), Value::Object(extra)) = (&mut value, extra) {
        object.extend(extra);
    }
    ObjectFacts::from_value(&value).expect("test objects are well formed")
}

/// Decides for node 1 releasing to `recipient`.
fn decide_for(object: &ObjectFacts, provenance: &Provenance, treaties: &[SignedTreaty], recipient: u8) -> Decision {
    let mut memberships = Memberships::new();
    memberships.set_members(alliance(1), [node(1), node(2)]);
    let catalog = catalog();
    let recipient = Recipient::new(&node(1), node(recipient), treaties, &memberships);
    decide(&ReleaseRequest { object, provenance, catalog: &catalog, recipient: &recipient }, at(NOW))
}

fn kind(decision: &Decision) -> &'static str {
    match decision {
        Decision::Allowed { .. } => "allowed",
        Decision::Denied(DenyReason::UnknownMarking(_)) => "unknown-marking",
        Decision::Denied(DenyReason::NeverShared(_)) => "never-shared",
        Decision::Denied(DenyReason::ResharingForbidden { .. }) => "resharing-forbidden",
        Decision::Denied(DenyReason::NotAnAllianceMember { .. }) => "not-an-alliance-member",
        Decision::Denied(DenyReason::NoTreatyInForce { .. }) => "no-treaty-in-force",
        Decision::Denied(DenyReason::OutOfScope { .. }) => "out-of-scope",
        Decision::Denied(DenyReason::AboveTlpCeiling { .. }) => "above-tlp-ceiling",
    }
}

/// Received by node 1 from node 3 (the originator) under a treaty with this rule.
fn received(resharing: Value) -> Provenance {
    let treaty = build(&Spec { resharing, ..spec(&[1, 3]) });
    Provenance::Originated.after_release(&node(3), &treaty)
}

/// Name, object members, treaties, provenance, recipient, expected kind of decision.
type Case = (&'static str, Value, Vec<Spec>, Provenance, u8, &'static str);

#[test]
fn each_rule_allows_and_denies_as_the_table_says() {
    let green = json!({"object_marking_refs": [tlp(TlpLevel::Green)]});
    let cyber_green = json!({"object_marking_refs": [tlp(TlpLevel::Green)], "x_entente_topics": ["cyber"]});
    let mine = Provenance::Originated;
    #[rustfmt::skip]
    let cases: Vec<Case> = vec![
        ("a covering treaty in force allows", green.clone(), vec![spec(&[1, 2])], mine.clone(), 2, "allowed"),
        ("no treaty with the recipient", green.clone(), vec![spec(&[1, 3])], mine.clone(), 2, "no-treaty-in-force"),
        ("an unsigned treaty is not in force", green.clone(), vec![Spec { signed: false, ..spec(&[1, 2]) }], mine.clone(), 2, "no-treaty-in-force"),
        ("an ended treaty is not in force", green.clone(), vec![Spec { end: "2026-05-01T00:00:00Z", ..spec(&[1, 2]) }], mine.clone(), 2, "no-treaty-in-force"),
        ("type not listed", green.clone(), vec![Spec { types: vec!["malware"], ..spec(&[1, 2]) }], mine.clone(), 2, "out-of-scope"),
        ("type listed", green.clone(), vec![Spec { types: vec!["malware", "indicator"], ..spec(&[1, 2]) }], mine.clone(), 2, "allowed"),
        ("label required and missing", green.clone(), vec![Spec { labels: vec!["shareable"], ..spec(&[1, 2]) }], mine.clone(), 2, "out-of-scope"),
        ("label required and carried", json!({"labels": ["shareable"], "object_marking_refs": [tlp(TlpLevel::Green)]}), vec![Spec { labels: vec!["shareable"], ..spec(&[1, 2]) }], mine.clone(), 2, "allowed"),
        ("topic shared", cyber_green.clone(), vec![spec(&[1, 2])], mine.clone(), 2, "allowed"),
        ("topic not shared", cyber_green.clone(), vec![Spec { topics: vec!["counter-terrorism"], ..spec(&[1, 2]) }], mine.clone(), 2, "out-of-scope"),
        ("a standard-topic label is a topic", json!({"labels": ["defence"], "object_marking_refs": [tlp(TlpLevel::Green)]}), vec![spec(&[1, 2])], mine.clone(), 2, "out-of-scope"),
        ("an object without topics is covered by any treaty", green.clone(), vec![Spec { topics: vec!["counter-terrorism"], ..spec(&[1, 2]) }], mine.clone(), 2, "allowed"),
        ("TLP at the ceiling", json!({"object_marking_refs": [tlp(TlpLevel::Amber)]}), vec![spec(&[1, 2])], mine.clone(), 2, "allowed"),
        ("TLP above the ceiling", json!({"object_marking_refs": [tlp(TlpLevel::Amber)]}), vec![Spec { tlp: "green", ..spec(&[1, 2]) }], mine.clone(), 2, "above-tlp-ceiling"),
        ("TLP 1.0 marking read", json!({"object_marking_refs": [TLP_1_0[2].id]}), vec![Spec { tlp: "green", ..spec(&[1, 2]) }], mine.clone(), 2, "above-tlp-ceiling"),
        ("unmarked counts as amber", json!({}), vec![Spec { tlp: "green", ..spec(&[1, 2]) }], mine.clone(), 2, "above-tlp-ceiling"),
        ("unmarked under an amber ceiling", json!({"object_marking_refs": [STATEMENT]}), vec![spec(&[1, 2])], mine.clone(), 2, "allowed"),
        ("TLP:RED never leaves", json!({"object_marking_refs": [tlp(TlpLevel::Red)]}), vec![Spec { tlp: "red", ..spec(&[1, 2]) }], mine.clone(), 2, "never-shared"),
        ("TLP:AMBER+STRICT never leaves", json!({"object_marking_refs": [tlp(TlpLevel::AmberStrict)]}), vec![Spec { tlp: "red", ..spec(&[1, 2]) }], mine.clone(), 2, "never-shared"),
        ("granular TLP counts", json!({"object_marking_refs": [tlp(TlpLevel::Clear)], "granular_markings": [{"marking_ref": tlp(TlpLevel::Red), "selectors": ["pattern"]}]}), vec![spec(&[1, 2])], mine.clone(), 2, "never-shared"),
        ("unknown object marking", json!({"object_marking_refs": [UNKNOWN]}), vec![spec(&[1, 2])], mine.clone(), 2, "unknown-marking"),
        ("unknown granular marking", json!({"object_marking_refs": [tlp(TlpLevel::Clear)], "granular_markings": [{"lang": "fr", "selectors": ["name"]}, {"marking_ref": UNKNOWN, "selectors": ["name"]}]}), vec![spec(&[1, 2])], mine.clone(), 2, "unknown-marking"),
        ("received under nobody", green.clone(), vec![spec(&[1, 2])], received(json!({"to": "nobody"})), 2, "resharing-forbidden"),
        ("received under nobody, back to its originator", green.clone(), vec![spec(&[1, 3])], received(json!({"to": "nobody"})), 3, "allowed"),
        ("received under treaty-partners", green.clone(), vec![spec(&[1, 2])], received(json!({"to": "treaty-partners"})), 2, "allowed"),
        ("received for alliance 1, recipient a member", green.clone(), vec![spec(&[1, 2])], received(json!({"to": "alliance-parties", "alliances": [alliance(1).as_str()]})), 2, "allowed"),
        ("received for alliance 2, recipient not a member", green.clone(), vec![spec(&[1, 2])], received(json!({"to": "alliance-parties", "alliances": [alliance(2).as_str()]})), 2, "not-an-alliance-member"),
    ];
    for (name, object, specs, provenance, recipient, expected) in cases {
        let treaties: Vec<SignedTreaty> = specs.iter().map(build).collect();
        let decision = decide_for(&facts(object), &provenance, &treaties, recipient);
        assert_eq!(kind(&decision), expected, "{name}: {decision:?}");
        if let Decision::Denied(reason) = decision {
            assert!(
                reason.to_string().ends_with(|last: char| last.is_alphanumeric() || last == '"'),
                "{name}: {reason}"
            );
        }
    }
}

#[test]
fn reasons_read_as_sentences() {
    let unmarked =
        decide_for(&facts(json!({})), &Provenance::Originated, &[build(&Spec { tlp: "green", ..spec(&[1, 2]) })], 2);
    let Decision::Denied(reason) = unmarked else { panic!("denied") };
    assert!(reason.to_string().contains("no TLP marking, which counts as AMBER"), "{reason}");
    let red = decide_for(&facts(json!({"object_marking_refs": [tlp(TlpLevel::Red)]})), &Provenance::Originated, &[], 2);
    assert_eq!(red, Decision::Denied(DenyReason::NeverShared(TlpLevel::Red)));
    let Decision::Denied(reason) = red else { unreachable!() };
    assert!(reason.to_string().contains("TLP:RED"));
    let unknown = decide_for(
        &facts(json!({"granular_markings": [{"marking_ref": UNKNOWN, "selectors": ["name"]}]})),
        &Provenance::Originated,
        &[],
        2,
    );
    assert_eq!(unknown, Decision::Denied(DenyReason::UnknownMarking(UNKNOWN.into())));
}

#[test]
fn the_most_restrictive_resharing_wins_then_the_smallest_hash_whatever_the_order() {
    let partners = build(&spec(&[1, 2]));
    let nobody = build(&Spec { resharing: json!({"to": "nobody"}), attribution: "must-not", ..spec(&[1, 2]) });
    let nobody_too = build(&Spec {
        resharing: json!({"to": "nobody"}),
        labels: vec![],
        topics: vec!["cyber", "defence"],
        ..spec(&[1, 2])
    });
    let object = facts(json!({"object_marking_refs": [tlp(TlpLevel::Green)]}));
    let expected = [&nobody, &nobody_too].into_iter().map(SignedTreaty::hash).min().unwrap().clone();
    for order in [
        vec![&partners, &nobody, &nobody_too],
        vec![&nobody_too, &partners, &nobody],
        vec![&nobody, &nobody_too, &partners],
    ] {
        let treaties: Vec<SignedTreaty> = order.into_iter().cloned().collect();
        let Decision::Allowed { treaty, obligations } = decide_for(&object, &Provenance::Originated, &treaties, 2)
        else {
            panic!("allowed")
        };
        assert_eq!(treaty, expected);
        assert_eq!(obligations.resharing, Resharing::Nobody);
    }
}

#[test]
fn obligations_come_from_the_chosen_treaty_and_strip_attribution() {
    let treaty = build(&Spec { attribution: "must-not", ..spec(&[1, 2]) });
    let mut object = json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created_by_ref": node(1).as_str(), "object_marking_refs": [tlp(TlpLevel::Clear)]});
    let Decision::Allowed { obligations, .. } =
        decide_for(&ObjectFacts::from_value(&object).unwrap(), &Provenance::Originated, &[treaty], 2)
    else {
        panic!("allowed")
    };
    assert!(obligations.strip_attribution && obligations.encrypt_in_transit);
    obligations.apply(object.as_object_mut().unwrap());
    assert!(object.get("created_by_ref").is_none());
}

#[test]
fn malformed_facts_are_errors_not_skipped() {
    let base = json!({"type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"});
    for (field, bad) in [
        ("object_marking_refs", json!([1])),
        ("granular_markings", json!([{"selectors": ["name"]}])),
        ("granular_markings", json!([{"marking_ref": 3}])),
        ("x_entente_topics", json!(["Not A Topic"])),
        ("created_by_ref", json!("nobody")),
    ] {
        let mut value = base.clone();
        value[field] = bad;
        assert!(ObjectFacts::from_value(&value).is_err(), "{field}");
    }
    assert!(ObjectFacts::from_value(&json!([])).is_err());
}

// ---- Property tests: random worlds, objects followed hop by hop. ----

const NODES: u8 = 4;
const TOPICS: [&str; 3] = ["cyber", "counter-terrorism", "defence"];
const TYPES: [&str; 2] = ["indicator", "malware"];
const LEVELS: [&str; 5] = ["clear", "green", "amber", "amber+strict", "red"];

fn spec_strategy() -> impl Strategy<Value = Spec> {
    (
        (1..=NODES, 1..=NODES).prop_filter("two parties", |(left, right)| left != right),
        proptest::sample::subsequence(TOPICS.to_vec(), 1..=3),
        proptest::sample::subsequence(TYPES.to_vec(), 0..=2),
        any::<bool>(),
        0..LEVELS.len(),
        prop_oneof![Just(0usize), Just(1), Just(1), Just(2), Just(3)],
        (any::<bool>(), prop::bool::weighted(0.85), prop::bool::weighted(0.9)),
    )
        .prop_map(|((left, right), topics, types, labelled, level, resharing, (strip, signed, current))| Spec {
            parties: vec![left, right],
            topics,
            types,
            labels: if labelled { vec!["shareable"] } else { vec![] },
            tlp: LEVELS[level],
            resharing: match resharing {
                0 => json!({"to": "nobody"}),
                1 => json!({"to": "treaty-partners"}),
                2 => json!({"to": "alliance-parties", "alliances": [alliance(1).as_str()]}),
                _ => json!({"to": "alliance-parties", "alliances": [alliance(2).as_str(), alliance(1).as_str()]}),
            },
            attribution: if strip { "must-not" } else { "may" },
            encrypt: "must",
            signed,
            end: if current { END } else { "2026-03-01T00:00:00Z" },
        })
}

/// The TLP markings that may leave a node (CLEAR, GREEN, AMBER; 1.0 and 2.0).
fn shareable_tlp() -> Vec<&'static str> {
    TLP_2_0
        .iter()
        .chain(TLP_1_0.iter())
        .filter(|marking| marking.level <= TlpLevel::Amber)
        .map(|marking| marking.id)
        .collect()
}

fn marking_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => proptest::sample::select(shareable_tlp()).prop_map(str::to_owned),
        1 => proptest::sample::select(TLP_2_0.iter().chain(TLP_1_0.iter()).map(|marking| marking.id).collect::<Vec<_>>()).prop_map(str::to_owned),
        2 => Just(STATEMENT.to_owned()),
        1 => Just(UNKNOWN.to_owned()),
    ]
}

fn object_strategy() -> impl Strategy<Value = Value> {
    (
        proptest::sample::select(TYPES.to_vec()),
        proptest::sample::subsequence(TOPICS.to_vec(), 0..=2),
        any::<bool>(),
        proptest::collection::vec(marking_strategy(), 0..3),
        proptest::collection::vec(marking_strategy(), 0..2),
        // (labels and granular markings above)
    )
        .prop_map(|(kind, topics, labelled, markings, granular)| {
            let granular: Vec<Value> =
                granular.iter().map(|marking| json!({"marking_ref": marking, "selectors": ["name"]})).collect();
            json!({
                "type": kind,
                "id": format!("{kind}--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                "x_entente_topics": topics,
                "labels": if labelled { vec!["shareable"] } else { vec![] },
                "object_marking_refs": markings,
                "granular_markings": granular,
            })
        })
}

struct World {
    treaties: Vec<SignedTreaty>,
    memberships: Memberships,
    catalog: MarkingCatalog,
    now: Timestamp,
}

impl World {
    fn recipient(&self, local: u8, to: u8) -> Recipient<'_> {
        Recipient::new(&node(local), node(to), &self.treaties, &self.memberships)
    }
}

fn words(list: &Value) -> Vec<&str> {
    list.as_array().expect("generated as a list").iter().map(|v| v.as_str().expect("generated as strings")).collect()
}

/// The oracle, written independently of the implementation: the strictest TLP level,
/// unmarked counting as AMBER, or `None` when a marking is unknown.
fn oracle_level(object: &Value) -> Option<TlpLevel> {
    let mut refs = words(&object["object_marking_refs"]);
    let granular = object["granular_markings"].as_array().expect("generated as a list");
    refs.extend(granular.iter().map(|entry| entry["marking_ref"].as_str().expect("generated as a string")));
    let mut level: Option<TlpLevel> = None;
    for reference in refs {
        if reference == STATEMENT {
            continue;
        }
        let marking = TLP_2_0.iter().chain(TLP_1_0.iter()).find(|marking| marking.id == reference)?;
        level = level.max(Some(marking.level));
    }
    Some(level.unwrap_or(TlpLevel::Amber))
}

fn oracle_covers(treaty: &SignedTreaty, object: &Value) -> bool {
    let scope = &treaty.treaty().body().scope;
    let kind = object["type"].as_str().expect("generated as a string");
    let topics = words(&object["x_entente_topics"]);
    let labelled = !words(&object["labels"]).is_empty();
    (scope.object_types.is_empty() || scope.object_types.iter().any(|t| t == kind))
        && (scope.labels.is_empty() || labelled)
        && (topics.is_empty() || scope.topics.iter().any(|topic| topics.contains(&topic.as_str())))
}

fn entitled_by(resharing: &Resharing, recipient: u8, memberships: &Memberships) -> bool {
    match resharing {
        Resharing::Nobody => false,
        Resharing::TreatyPartners => true,
        Resharing::AllianceParties(alliances) => alliances.iter().any(|a| memberships.is_member(a, &node(recipient))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_object_reaches_a_node_not_entitled_at_any_hop(
        specs in proptest::collection::vec(spec_strategy(), 3..14),
        members in proptest::collection::vec((1u8..=2, 1..=NODES), 0..8),
        object in object_strategy(),
        path in proptest::collection::vec(0..NODES as usize, 1..8),
    ) {
        let mut memberships = Memberships::new();
        for number in 1..=2u8 {
            memberships.set_members(alliance(number), members.iter().filter(|(a, _)| *a == number).map(|(_, n)| node(*n)));
        }
        let world = World { treaties: specs.iter().map(build).collect(), memberships, catalog: catalog(), now: at(NOW) };
        let facts = ObjectFacts::from_value(&object).unwrap();
        let level = oracle_level(&object);
        // Follow the object from node 1 along `path`, recording the rules of each hop.
        let (mut holder, mut provenance, mut rules) = (1u8, Provenance::Originated, Vec::<Resharing>::new());
        for choice in path {
            let to = (choice as u8 % NODES) + 1;
            if to == holder { continue; }
            let recipient = world.recipient(holder, to);
            let request = ReleaseRequest { object: &facts, provenance: &provenance, catalog: &world.catalog, recipient: &recipient };
            let decision = decide(&request, world.now);
            // (5) Deterministic, and independent of the order treaties are given in.
            prop_assert_eq!(&decide(&request, world.now), &decision);
            let reversed: Vec<&SignedTreaty> = world.treaties.iter().rev().collect();
            let recipient_reversed = Recipient::new(&node(holder), node(to), reversed, &world.memberships);
            prop_assert_eq!(&decide(&ReleaseRequest { recipient: &recipient_reversed, ..request }, world.now), &decision);
            let Decision::Allowed { treaty, .. } = &decision else {
                continue;
            };
            // (3) Unknown markings always deny.
            let level = level.expect("an object with an unknown marking was allowed");
            let chosen = world.treaties.iter().find(|signed| signed.hash() == treaty).unwrap();
            // (1) A treaty between the two, in force at `now`, covering the object.
            prop_assert!(chosen.treaty().is_party(&node(holder)) && chosen.treaty().is_party(&node(to)));
            prop_assert!(chosen.is_in_force(world.now).is_ok());
            prop_assert!(oracle_covers(chosen, &object));
            // (2) Never above the ceiling, and never RED or AMBER+STRICT.
            prop_assert!(level <= chosen.treaty().body().terms.tlp && level < TlpLevel::AmberStrict);
            // (4) Entitled under the re-sharing rule of every earlier hop, unless it is
            // going back to its originator.
            if to != 1 {
                prop_assert!(rules.iter().all(|rule| entitled_by(rule, to, &world.memberships)), "{:?} to {}", rules, to);
            }
            provenance = provenance.after_release(&node(holder), chosen);
            rules.push(chosen.treaty().body().resharing.clone());
            holder = to;
        }
    }

    #[test]
    fn unknown_markings_always_deny(specs in proptest::collection::vec(spec_strategy(), 0..6), object in object_strategy(), granular in any::<bool>()) {
        let mut object = object;
        let field = if granular { "granular_markings" } else { "object_marking_refs" };
        let unknown = if granular { json!({"marking_ref": UNKNOWN, "selectors": ["name"]}) } else { json!(UNKNOWN) };
        object[field].as_array_mut().unwrap().push(unknown);
        let world = World { treaties: specs.iter().map(build).collect(), memberships: Memberships::new(), catalog: catalog(), now: at(NOW) };
        let facts = ObjectFacts::from_value(&object).unwrap();
        for to in 2..=NODES {
            let recipient = world.recipient(1, to);
            let request = ReleaseRequest { object: &facts, provenance: &Provenance::Originated, catalog: &world.catalog, recipient: &recipient };
            prop_assert_eq!(decide(&request, world.now), Decision::Denied(DenyReason::UnknownMarking(UNKNOWN.into())));
        }
    }
}

#[test]
fn a_first_hop_alliance_rule_binds_every_later_hop() {
    // 1 → 2 under "alliance-parties: alliance 1"; 2 → 3 and 2 → 4 under treaty-partners
    // treaties. Alliance 1 is {1, 2, 4}: 4 may receive it, 3 may not, and 4 may not
    // pass it to 3 either, although its own treaty with 3 says treaty-partners.
    let first = build(&Spec {
        resharing: json!({"to": "alliance-parties", "alliances": [alliance(1).as_str()]}),
        ..spec(&[1, 2])
    });
    let (two_three, two_four, four_three) = (build(&spec(&[2, 3])), build(&spec(&[2, 4])), build(&spec(&[4, 3])));
    let treaties = [first.clone(), two_three, two_four.clone(), four_three];
    let mut memberships = Memberships::new();
    memberships.set_members(alliance(1), [node(1), node(2), node(4)]);
    let catalog = catalog();
    let object = facts(json!({"object_marking_refs": [tlp(TlpLevel::Green)]}));
    let release = |provenance: &Provenance, from: u8, to: u8| {
        let recipient = Recipient::new(&node(from), node(to), &treaties, &memberships);
        decide(&ReleaseRequest { object: &object, provenance, catalog: &catalog, recipient: &recipient }, at(NOW))
    };
    assert!(release(&Provenance::Originated, 1, 2).is_allowed());
    let at_two = Provenance::Originated.after_release(&node(1), &first);
    assert_eq!(kind(&release(&at_two, 2, 3)), "not-an-alliance-member");
    assert!(release(&at_two, 2, 4).is_allowed());
    let at_four = at_two.after_release(&node(2), &two_four);
    assert_eq!(kind(&release(&at_four, 4, 3)), "not-an-alliance-member");
    assert_eq!(at_four.originator(), Some(&node(1)));
}

#[test]
fn an_alliance_charter_is_an_agreement_between_its_members_in_force_only() {
    use entente_core::alliance::memberships_in_force;
    use entente_core::release::charter_hash;
    let alliance = crate::alliance::founded(crate::alliance::unanimity());
    let now = at(NOW);
    assert!(alliance.is_in_force(now), "the fixture alliance is in force at {NOW}");
    let memberships = memberships_in_force(std::slice::from_ref(&alliance), now);
    let object = facts(json!({"object_marking_refs": [tlp(TlpLevel::Green)], "labels": ["cyber"]}));
    let catalog = catalog();
    let decision = |recipient: &Recipient<'_>, at: Timestamp| {
        decide(
            &ReleaseRequest { object: &object, provenance: &Provenance::Originated, catalog: &catalog, recipient },
            at,
        )
    };
    // Nodes 1 and 2 are founders; no treaty binds them, the charter does.
    let member = Recipient::new(&node(1), node(2), [], &memberships).with_charters(&node(1), [&alliance]);
    match decision(&member, now) {
        Decision::Allowed { treaty, .. } => assert_eq!(treaty, charter_hash(&alliance)),
        denied => panic!("a member is entitled under the charter: {denied:?}"),
    }
    // Node 5 is no member: the charter binds it to nothing.
    let outsider = Recipient::new(&node(1), node(5), [], &memberships).with_charters(&node(1), [&alliance]);
    assert!(matches!(decision(&outsider, now), Decision::Denied(DenyReason::NoTreatyInForce { .. })));
    // Nor does it bind a member to anyone once the charter's term has ended.
    assert!(matches!(decision(&member, at(END)), Decision::Denied(DenyReason::NoTreatyInForce { .. })));
}

const IEP: &str = "marking-definition--a1b2c3d4-0000-4000-8000-0000000000e1";

fn iep_marking(definition: Value) -> Value {
    json!({"type": "marking-definition", "spec_version": "2.1", "id": IEP, "created": "2026-01-01T00:00:00.000Z",
           "definition_type": "iep", "definition": definition})
}

#[test]
fn an_iep_policy_marking_counts_its_tlp_and_tightens_the_obligations() {
    use entente_core::release::IepPolicy;
    use entente_core::treaty::{Attribution, PermittedActions};
    let treaty = build(&Spec { encrypt: "may", ..spec(&[1, 2]) });
    let memberships = Memberships::new();
    let recipient = Recipient::new(&node(1), node(2), [&treaty], &memberships);
    let object = facts(json!({"object_marking_refs": [IEP], "labels": ["cyber"]}));
    let plain = decide(
        &ReleaseRequest {
            object: &facts(json!({"labels": ["cyber"]})),
            provenance: &Provenance::Originated,
            catalog: &catalog(),
            recipient: &recipient,
        },
        at(NOW),
    );
    let Decision::Allowed { obligations: treaty_only, .. } = plain else { panic!("{plain:?}") };
    assert!(!treaty_only.encrypt_in_transit && !treaty_only.strip_attribution, "the treaty alone asks for neither");
    let with = |definition: Value| {
        let mut catalog = catalog();
        let policy = IepPolicy::from_marking(&iep_marking(definition));
        if let Some(policy) = policy {
            catalog.register(&StixId::parse(IEP).unwrap(), KnownMarking::Iep(policy));
        }
        decide(
            &ReleaseRequest {
                object: &object,
                provenance: &Provenance::Originated,
                catalog: &catalog,
                recipient: &recipient,
            },
            at(NOW),
        )
    };
    let strict = with(json!({"iep_version": "2.0", "tlp": "green", "encrypt_in_transit": "must",
                             "attribution": "must-not", "permitted_actions": "contact-for-instruction"}));
    let Decision::Allowed { obligations, .. } = strict else {
        panic!("a GREEN policy fits an AMBER treaty: {strict:?}")
    };
    assert!(obligations.encrypt_in_transit, "the object's policy asks for encryption though the treaty may not");
    assert!(obligations.strip_attribution);
    assert_eq!(obligations.attribution, Attribution::MustNot);
    assert_eq!(obligations.permitted_actions, PermittedActions::ContactForInstruction, "the stricter of the two");
    // The policy's TLP counts like a TLP marking.
    assert!(matches!(with(json!({"tlp": "red"})), Decision::Denied(DenyReason::NeverShared(TlpLevel::Red))));
    // A policy this node cannot read stays an unknown marking, and denies.
    assert!(matches!(
        with(json!({"tlp": "green", "permitted_actions": "whatever"})),
        Decision::Denied(DenyReason::UnknownMarking(_))
    ));
    assert!(matches!(
        with(json!({"tlp": "green", "unheard_of": "x"})),
        Decision::Denied(DenyReason::UnknownMarking(_))
    ));
}
