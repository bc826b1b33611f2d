//! `entente demo`: five real nodes in one process, treaties through the real protocol,
//! sync through the release decision. The test reads the demo's JSON summary, then
//! checks every node's ledger with the real `audit verify` on the directories the
//! demo kept.

use crate::support::{entente, run};
use serde_json::Value;
use std::collections::BTreeSet;

fn party<'a>(summary: &'a Value, handle: &str) -> &'a Value {
    summary["parties"].as_array().unwrap().iter().find(|party| party["handle"] == handle).unwrap()
}

fn received(summary: &Value, handle: &str) -> Vec<Value> {
    party(summary, handle)["received"].as_array().unwrap().clone()
}

fn topics(object: &Value) -> BTreeSet<String> {
    object["topics"].as_array().unwrap().iter().map(|topic| topic.as_str().unwrap().to_owned()).collect()
}

#[test]
fn the_demo_federation_shares_exactly_what_its_treaties_allow() {
    let scratch = tempfile::tempdir().unwrap();
    let root = scratch.path().join("federation");
    let mut command = entente();
    command.env("RUST_LOG", "warn").arg("demo").arg("--once").arg("--json").arg("--keep-dir").arg(&root);
    let output = run(command, b"");
    output.assert_success();
    let summary = output.json();

    let handles: Vec<&str> =
        summary["parties"].as_array().unwrap().iter().map(|party| party["handle"].as_str().unwrap()).collect();
    assert_eq!(handles, ["northland", "southland", "eastland", "farland", "civiccert"]);
    for party in summary["parties"].as_array().unwrap() {
        assert!(party["url"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{party}");
        assert!(party["admin_token"].as_str().unwrap().len() > 20);
        assert!(party["node_id"].as_str().unwrap().starts_with("identity--"));
    }

    let treaties: BTreeSet<(String, String)> = summary["treaties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|treaty| {
            assert_eq!(treaty["state"], serde_json::json!(["in-force", "in-force"]), "{treaty}");
            (treaty["parties"][0].as_str().unwrap().to_owned(), treaty["parties"][1].as_str().unwrap().to_owned())
        })
        .collect();
    let expected: BTreeSet<(String, String)> = [
        ("northland", "southland"),
        ("northland", "eastland"),
        ("southland", "eastland"),
        ("northland", "farland"),
        ("southland", "civiccert"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(treaties, expected);

    // The three neighbours founded their regional alliance by signed acts, and each
    // holds the same membership.
    let alliance = &summary["alliance"];
    let members: BTreeSet<&str> = alliance["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
    assert_eq!(members, BTreeSet::from(["northland", "southland", "eastland"]), "{alliance}");
    assert_eq!(alliance["version"], 1);
    assert_eq!(alliance["in_force"], true);
    assert_eq!(alliance["agreed_by_all_members"], true, "{alliance}");

    // No party received anything RED or AMBER+STRICT.
    for handle in handles.iter().copied() {
        for object in received(&summary, handle) {
            assert!(!matches!(object["tlp"].as_str(), Some("red" | "amber+strict")), "{handle} received {object}");
        }
    }
    // The neighbours received one another's intelligence.
    assert!(received(&summary, "eastland").iter().any(|object| object["originator"] == "southland"));
    assert!(received(&summary, "northland").iter().any(|object| object["type"] == "attack-pattern"));

    // CivicCERT: only cyber indicators up to GREEN, with their author stripped.
    let civic = received(&summary, "civiccert");
    assert!(!civic.is_empty());
    for object in &civic {
        assert_eq!(object["type"], "indicator", "{object}");
        assert!(matches!(object["tlp"].as_str(), Some("green" | "clear")), "{object}");
        assert!(object.get("created_by_ref").is_none_or(Value::is_null), "{object}");
        assert!(topics(object).contains("cyber"), "{object}");
    }
    // Including Northland's, passed on by Southland under its own seal.
    assert!(civic.iter().any(|object| object["name"] == "Fake ministry login page"));

    // Farland: counter-terrorism only, nothing cyber-only, no attribution.
    let farland = received(&summary, "farland");
    assert!(!farland.is_empty());
    for object in &farland {
        assert!(topics(object).contains("counter-terrorism"), "Farland received {object}");
        assert!(object.get("created_by_ref").is_none_or(Value::is_null), "{object}");
    }
    // What Farland and CivicCERT sent may go nowhere further.
    for handle in ["southland", "eastland"] {
        assert!(!received(&summary, handle).iter().any(|object| object["originator"] == "farland"), "{handle}");
    }
    assert!(!received(&summary, "northland").iter().any(|object| object["originator"] == "civiccert"));

    // The denials name their reasons.
    let reasons: BTreeSet<String> = summary["flows"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|flow| flow["denied"].as_object().unwrap().keys().cloned().collect::<Vec<_>>())
        .collect();
    for reason in ["never-shared", "resharing-forbidden", "out-of-scope:topic", "above-tlp-ceiling"] {
        assert!(reasons.contains(reason), "no {reason} denial in {reasons:?}");
    }

    // Every node's ledger verifies, read by the real CLI from the kept directories.
    for party in summary["parties"].as_array().unwrap() {
        let dir = party["dir"].as_str().unwrap();
        assert!(dir.starts_with(root.to_str().unwrap()), "{dir}");
        let mut verify = entente();
        verify.args(["--dir", dir, "audit", "verify", "--json"]);
        let verdict = run(verify, b"");
        verdict.assert_success();
        assert_eq!(verdict.json()["verified"], true, "{dir}");
        assert!(verdict.json()["entries"].as_u64().unwrap() > 0);
    }

    // Under the Northland–Farland treaty (`encrypt_in_transit: must`) every release was
    // sealed to Farland's encryption key; under the regional one (`may`), none.
    let northland = party(&summary, "northland")["dir"].as_str().unwrap().to_owned();
    let releases_to = |handle: &str| {
        let mut show = entente();
        let partner = party(&summary, handle)["node_id"].as_str().unwrap().to_owned();
        show.args(["--dir", &northland, "audit", "show", "--kind", "release", "--partner", &partner, "--json"]);
        let output = run(show, b"");
        output.assert_success();
        output.json().as_array().unwrap().clone()
    };
    let sealed = |entry: &Value| {
        entry["obligations"].as_array().unwrap().iter().any(|o| o.as_str().unwrap().starts_with("sealed-to:x25519:"))
    };
    let to_farland = releases_to("farland");
    assert!(!to_farland.is_empty() && to_farland.iter().all(sealed), "{to_farland:?}");
    let to_southland = releases_to("southland");
    assert!(!to_southland.is_empty() && !to_southland.iter().any(sealed), "{to_southland:?}");
}

#[test]
fn the_demo_refuses_a_directory_that_is_not_empty() {
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("something"), "x").unwrap();
    let mut command = entente();
    command.arg("demo").arg("--once").arg("--keep-dir").arg(scratch.path());
    run(command, b"").assert_failure_mentioning("is not empty");
}

#[test]
fn demo_help_teaches_what_it_shows() {
    let mut command = entente();
    command.args(["demo", "--help"]);
    let output = run(command, b"");
    output.assert_success();
    for expected in ["Five fictional parties", "TLP:GREEN", "--keep-dir", "--once", "--json", "--base-port", "Ctrl-C"] {
        assert!(output.stdout.contains(expected), "`demo --help` lacks {expected:?}:\n{}", output.stdout);
    }
}
