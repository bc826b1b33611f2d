//! `entente intel export --for PARTNER`: an operator's export for a partner is one more
//! way out of the node, and goes through the same release decision as sync and envoys.

use super::{TLP_RED, conclude, import, indicator};
use crate::peer::Peer;
use serde_json::{Value, json};

#[test]
fn an_export_for_a_partner_holds_only_what_the_treaty_allows_and_is_on_the_ledger() {
    let alpha = Peer::start("CERT-Alpha");
    let bravo = Peer::start("CERT-Bravo");
    conclude(&alpha, &bravo, "nobody");
    let green = indicator(7, 1);
    let mut red = indicator(7, 2);
    red["object_marking_refs"] = json!([TLP_RED]);
    import(&alpha, "export.jsonl", &[green.clone(), red]);

    let everything = alpha.run(&["intel", "export"]);
    everything.assert_success();
    let all: Value = serde_json::from_str(&everything.stdout).unwrap();
    assert!(all["objects"].as_array().unwrap().len() >= 2, "the operator's own export holds everything");

    let exported = alpha.run(&["intel", "export", "--for", &bravo.id()]);
    exported.assert_success();
    let bundle: Value = serde_json::from_str(&exported.stdout).unwrap();
    let ids: Vec<&str> = bundle["objects"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&green["id"].as_str().unwrap()), "{ids:?}");
    assert!(!ids.iter().any(|id| *id == indicator(7, 2)["id"].as_str().unwrap()), "a RED object never leaves: {ids:?}");

    let releases = alpha.json(&["audit", "show", "--kind", "release", "--json"]);
    let by_export = releases
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["obligations"].as_array().is_some_and(|o| o.iter().any(|o| o == "channel:export")))
        .count();
    assert_eq!(by_export, ids.len(), "every object exported for Bravo is a release on the ledger");

    alpha
        .run(&["intel", "export", "--for", "identity--99999999-9999-4999-8999-999999999999"])
        .assert_failure_mentioning("in force");
}
