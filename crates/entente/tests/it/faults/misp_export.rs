//! `entente intel export --format misp --for PARTNER`: a MISP export for a partner is
//! the STIX export's release decision, converted afterwards; a TLP:RED attribute never
//! appears in it, and what does appear is on the ledger as released.

use crate::peer::Peer;
use serde_json::{Value, json};

#[test]
fn a_misp_export_for_a_partner_holds_only_what_the_release_decision_allows() {
    let alpha = Peer::start("CERT-Alpha");
    let bravo = Peer::start("CERT-Bravo");
    super::conclude(&alpha, &bravo, "nobody");
    let event = json!({"Event": {"uuid": "3e1f2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b", "info": "two indicators", "timestamp": "1767225600",
    "Attribute": [
        {"uuid": "3e1f2a4b-5c6d-4e7f-8a9b-000000000001", "type": "domain", "category": "Network activity",
         "value": "green.example", "to_ids": true, "timestamp": "1767225600", "Tag": [{"name": "tlp:green"}]},
        {"uuid": "3e1f2a4b-5c6d-4e7f-8a9b-000000000002", "type": "domain", "category": "Network activity",
         "value": "red.example", "to_ids": true, "timestamp": "1767225600", "Tag": [{"name": "tlp:red"}]}
    ]}});
    let file = alpha.file("event.json", &event.to_string());
    alpha.run(&["intel", "import", crate::peer::path_str(&file)]).assert_success();

    let own = alpha.run(&["intel", "export", "--format", "misp"]);
    own.assert_success();
    assert!(own.stdout.contains("red.example"), "the operator's own export holds everything");

    let exported = alpha.run(&["intel", "export", "--format", "misp", "--for", &bravo.id()]);
    exported.assert_success();
    assert!(exported.stdout.contains("green.example"), "{}", exported.stdout);
    assert!(!exported.stdout.contains("red.example"), "a RED attribute never leaves: {}", exported.stdout);
    let response: Value = serde_json::from_str(&exported.stdout).expect("MISP JSON");
    assert!(response["response"].is_array());

    let releases = alpha.json(&["audit", "show", "--kind", "release", "--json"]);
    let by_export = releases
        .as_array()
        .expect("entries")
        .iter()
        .filter(|entry| entry["obligations"].as_array().is_some_and(|o| o.iter().any(|o| o == "channel:export")))
        .count();
    assert!(by_export >= 1, "the MISP export's releases are on the ledger: {releases}");
}
