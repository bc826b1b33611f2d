//! The release decision's cost per object and recipient (issue #4: under 1 µs).
//!
//! `cargo bench -p entente-core --bench release` (release profile). Decides a million
//! times for each case over objects that look like real ones (TLP marking, labels, topics,
//! a granular marking) and a recipient holding two treaties, with a provenance of two
//! hops, and prints nanoseconds per decision. The object facts and the recipient are
//! prepared once, as the feed does (facts once per version, recipient once per page).

use entente_core::node::NodeKey;
use entente_core::release::{
    Decision, HopRule, MarkingCatalog, Memberships, ObjectFacts, Provenance, Recipient, ReleaseRequest, decide,
};
use entente_core::treaty::{PLACEHOLDER_PARTIES, Resharing, SignedTreaty, Treaty, parse_template, sign, template_text};
use entente_core::{StixId, Timestamp};
use serde_json::json;
use std::hint::black_box;
use std::time::Instant;

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

fn treaty(us: &StixId, them: &StixId, title: &str) -> SignedTreaty {
    let text =
        template_text().replace(PLACEHOLDER_PARTIES[0], us.as_str()).replace(PLACEHOLDER_PARTIES[1], them.as_str());
    let template = parse_template(&text).expect("the template parses");
    let mut body = template.body().clone();
    body.title = title.to_owned();
    let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("a time");
    let id = StixId::parse("treaty--11111111-1111-4111-8111-111111111111").expect("an id");
    let draft = Treaty::draft(&id, us, now, &body).expect("a treaty");
    let mut signed = SignedTreaty::new(draft.clone());
    for (party, seed) in [(us, 1u8), (them, 2u8)] {
        let key = NodeKey::from_seed([seed; 32]);
        let signature = sign(&draft, party, &key).expect("a signature");
        signed.add_signature(signature, &key.public()).expect("the party's key");
    }
    signed
}

fn facts(markings: &[&str]) -> ObjectFacts {
    ObjectFacts::from_value(&json!({
        "type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created_by_ref": "identity--33333333-3333-4333-8333-333333333333",
        "object_marking_refs": markings, "labels": ["cyber", "phishing", "benchmark"],
        "x_entente_topics": ["cyber"],
        "granular_markings": [{"marking_ref": GREEN, "selectors": ["description"]}],
    }))
    .expect("facts")
}

fn main() {
    let us = StixId::parse("identity--00000000-0000-4000-8000-000000000001").expect("an id");
    let them = StixId::parse("identity--00000000-0000-4000-8000-000000000002").expect("an id");
    let treaties = [treaty(&us, &them, "first"), treaty(&us, &them, "second")];
    let memberships = Memberships::new();
    let recipient = Recipient::new(&us, them.clone(), treaties.iter(), &memberships);
    let catalog = MarkingCatalog::new();
    let hop = HopRule { treaty: treaties[0].hash().clone(), resharing: Resharing::TreatyPartners };
    let relayed = Provenance::Received {
        from: StixId::parse("identity--00000000-0000-4000-8000-000000000003").expect("an id"),
        originator: StixId::parse("identity--00000000-0000-4000-8000-000000000004").expect("an id"),
        hops: vec![hop.clone(), hop],
    };
    let now = Timestamp::parse("2026-06-01T00:00:00Z").expect("a time");
    let rounds = 1_000_000u32;
    let cases = [
        ("allowed, originated here", facts(&[GREEN]), Provenance::Originated, true),
        ("allowed, relayed over two hops", facts(&[GREEN]), relayed.clone(), true),
        ("denied, TLP:RED", facts(&[RED]), relayed, false),
        (
            "denied, unknown marking",
            facts(&["marking-definition--00000000-0000-4000-8000-0000000000ff"]),
            Provenance::Originated,
            false,
        ),
    ];
    for (name, object, provenance, allowed) in &cases {
        let request = ReleaseRequest { object, provenance, catalog: &catalog, recipient: &recipient };
        assert_eq!(decide(&request, now).is_allowed(), *allowed, "{name}");
        let started = Instant::now();
        for _ in 0..rounds {
            let decision: Decision = decide(black_box(&request), black_box(now));
            black_box(decision);
        }
        let nanos = started.elapsed().as_nanos() as f64 / f64::from(rounds);
        println!("RESULT release_decision case=\"{name}\" ns_per_decision={nanos:.0}");
    }
}
