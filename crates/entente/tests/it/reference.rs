//! `entente reference load …`, `reference explain`, `intel show`, the import report's
//! warning-list flags, scores and `intel export --exclude-decayed`.

use crate::support::{Node, indicator, shared_data, write_lines};
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixtures(relative: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reference").join(relative);
    path.to_str().expect("UTF-8 path").to_owned()
}

fn exported_ids(node: &Node, flags: &[&str]) -> Vec<String> {
    let mut args = vec!["intel", "export"];
    args.extend(flags);
    let run = node.run(&args);
    run.assert_success();
    run.json()["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| o["id"].as_str().expect("id").to_owned())
        .collect()
}

#[test]
fn warning_listed_indicators_are_flagged_at_import_and_in_show() {
    let node = Node::new();
    let loaded = node.json(&["reference", "load", "warninglists", &fixtures("warninglists"), "--json"]);
    assert_eq!(loaded["lists"], 3, "{loaded}");
    assert_eq!(loaded["not_matched"], json!(["Loopback (regex)"]), "{loaded}");

    let mut on_domain = indicator(3, "2024-01-01T00:00:00.000Z", "192.0.2.3");
    on_domain["pattern"] = json!("[domain-name:value = 'mail.google.com'] OR [domain-name:value = 'evil.example']");
    let lines = [
        indicator(1, "2024-01-01T00:00:00.000Z", "8.8.8.8"),
        indicator(2, "2024-01-01T00:00:00.000Z", "198.51.100.2"),
        on_domain,
        indicator(4, "2024-01-01T00:00:00.000Z", "208.67.222.222"),
    ];
    let file = write_lines(node.scratch(), "indicators.jsonl", &lines);
    let summary = node.json(&["intel", "import", "--json", file.to_str().expect("path")]);
    assert_eq!(summary["added"], 4, "{summary}");
    assert_eq!(summary["flagged"], 3, "{summary}");
    let flagged: Vec<&str> = summary["flagged_objects"]
        .as_array()
        .expect("list")
        .iter()
        .map(|f| f["object"].as_str().expect("id"))
        .collect();
    assert!(!flagged.contains(&"indicator--00000000-0000-4000-8000-000000000002"), "{summary}");
    let domain_hit = &summary["flagged_objects"][1]["hits"][0];
    assert_eq!(domain_hit["value"], "mail.google.com", "{summary}");
    assert_eq!(domain_hit["entry"], "google.com", "{summary}");

    let text = node.run(&["intel", "import", file.to_str().expect("path")]);
    assert!(
        text.stdout.contains("flagged: indicator--00000000-0000-4000-8000-000000000001 ipv4-addr:value = \"8.8.8.8\""),
        "{}",
        text.stdout
    );

    let shown = node.json(&["intel", "show", "indicator--00000000-0000-4000-8000-000000000001", "--json"]);
    assert_eq!(shown["flagged"], true, "{shown}");
    assert_eq!(shown["warnings"][0]["list"], "List of known IPv4 public DNS resolvers", "{shown}");
    let clean = node.json(&["intel", "show", "indicator--00000000-0000-4000-8000-000000000002", "--json"]);
    assert_eq!(clean["flagged"], false, "{clean}");
}

#[test]
fn taxonomies_explain_labels_and_unknown_tags_say_what_to_do() {
    let node = Node::new();
    let loaded = node.json(&["reference", "load", "taxonomy", &fixtures("taxonomies"), "--json"]);
    let namespaces: Vec<&str> =
        loaded.as_array().expect("list").iter().map(|t| t["namespace"].as_str().expect("ns")).collect();
    assert_eq!(namespaces, vec!["PAP", "tlp"]);
    let explained = node.json(&["reference", "explain", "pap:amber", "--json"]);
    assert!(explained["predicate"]["expanded"].as_str().expect("text").starts_with("(PAP:AMBER) Passive cross check"));
    node.run(&["reference", "explain", "pap:purple"]).assert_failure_mentioning("entente reference load taxonomy");

    let mut labelled = indicator(1, "2024-01-01T00:00:00.000Z", "192.0.2.1");
    labelled["labels"] = json!(["PAP:AMBER", "something-else", "pap:purple"]);
    let file = write_lines(node.scratch(), "labelled.jsonl", &[labelled]);
    let summary = node.json(&["intel", "import", "--json", file.to_str().expect("path")]);
    assert_eq!(summary["unknown_tags"], json!(["indicator--00000000-0000-4000-8000-000000000001: pap:purple"]));
    let shown = node.json(&["intel", "show", "indicator--00000000-0000-4000-8000-000000000001", "--json"]);
    assert_eq!(shown["tags"][0]["known"], true, "{shown}");
    assert_eq!(shown["tags"][1]["known"], false, "{shown}");
}

#[test]
fn attack_techniques_are_shown_by_id_and_name() {
    let node = Node::new();
    let bundle = shared_data("attack/ics-attack-18.1.json.gz");
    let loaded = node.json(&["reference", "load", "attack", bundle.to_str().expect("path"), "--json"]);
    assert_eq!(loaded[0]["techniques"], 95, "{loaded}");
    let status = node.json(&["reference", "status", "--json"]);
    assert!(status["attack_entries"].as_u64().expect("count") > 95, "{status}");

    // Cites T0865 by a galaxy label, T0817 by a relationship to the catalogue's
    // attack-pattern, and T9999 (unknown) by an external reference.
    let mut citing = indicator(1, "2024-01-01T00:00:00.000Z", "192.0.2.1");
    citing["labels"] = json!(["misp-galaxy:mitre-ics-techniques=\"Spearphishing Attachment - T0865\""]);
    citing["external_references"] = json!([{"source_name": "mitre-attack", "external_id": "T9999"}]);
    citing["kill_chain_phases"] = json!([{"kill_chain_name": "mitre-ics-attack", "phase_name": "initial-access"}]);
    let drive_by = node.json(&["reference", "explain", "T0817", "--json"]);
    let relationship = json!({
        "type": "relationship", "spec_version": "2.1",
        "id": "relationship--00000000-0000-4000-8000-000000000001",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "relationship_type": "indicates", "source_ref": citing["id"], "target_ref": drive_by["stix_id"],
    });
    let file = write_lines(node.scratch(), "citing.jsonl", &[citing, relationship]);
    node.json(&["intel", "import", "--json", file.to_str().expect("path")]);

    let shown = node.json(&["intel", "show", "indicator--00000000-0000-4000-8000-000000000001", "--json"]);
    let techniques: Vec<(&str, Option<&str>)> = shown["techniques"]
        .as_array()
        .expect("list")
        .iter()
        .map(|t| (t["attack_id"].as_str().expect("id"), t["name"].as_str()))
        .collect();
    assert_eq!(
        techniques,
        vec![
            ("T0817", Some("Drive-by Compromise")),
            ("T0865", Some("Spearphishing Attachment")),
            ("T9999", None),
            ("TA0108", Some("Initial Access")),
        ],
        "{shown}"
    );
    assert_eq!(shown["techniques"][0]["cited_by"], json!(["relationship"]), "{shown}");
    let text = node.run(&["intel", "show", "indicator--00000000-0000-4000-8000-000000000001"]);
    assert!(text.stdout.contains("technique T0865 Spearphishing Attachment [initial-access]"), "{}", text.stdout);
    // The catalogue is reference knowledge, not intelligence: exports do not carry it.
    assert!(exported_ids(&node, &[]).iter().all(|id| !id.starts_with("attack-pattern--")));
}

#[test]
fn expired_and_decayed_indicators_are_left_out_of_exports() {
    let node = Node::new();
    let now = time::OffsetDateTime::now_utc();
    let day = time::Duration::days(1);
    let stamp = |at: time::OffsetDateTime| at.format(&time::format_description::well_known::Rfc3339).expect("format");
    let mut fresh = indicator(1, "2024-01-01T00:00:00.000Z", "192.0.2.1");
    fresh["valid_from"] = json!(stamp(now - day));
    let mut old = indicator(2, "2024-01-01T00:00:00.000Z", "192.0.2.2");
    old["valid_from"] = json!(stamp(now - day * 29));
    let mut expired = indicator(3, "2024-01-01T00:00:00.000Z", "192.0.2.3");
    expired["valid_from"] = json!(stamp(now - day * 2));
    expired["valid_until"] = json!(stamp(now - day));
    let mut old_but_seen = indicator(4, "2024-01-01T00:00:00.000Z", "192.0.2.4");
    old_but_seen["valid_from"] = json!(stamp(now - day * 29));
    let sighting = json!({
        "type": "sighting", "spec_version": "2.1", "id": "sighting--00000000-0000-4000-8000-000000000001",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "sighting_of_ref": old_but_seen["id"], "last_seen": stamp(now - day),
    });
    let file = write_lines(node.scratch(), "aged.jsonl", &[fresh, old, expired, old_but_seen, sighting]);
    node.json(&["intel", "import", "--json", file.to_str().expect("path")]);

    let id = |suffix: u32| format!("indicator--00000000-0000-4000-8000-{suffix:012}");
    let default = exported_ids(&node, &[]);
    assert!(default.contains(&id(2)) && !default.contains(&id(3)), "expired left out by default: {default:?}");
    assert!(exported_ids(&node, &["--include-expired"]).contains(&id(3)));
    let fresh_only = exported_ids(&node, &["--exclude-decayed"]);
    assert!(fresh_only.contains(&id(1)) && !fresh_only.contains(&id(2)), "{fresh_only:?}");
    assert!(fresh_only.contains(&id(4)), "a recent sighting resets the decay clock: {fresh_only:?}");
    assert!(fresh_only.iter().any(|id| id.starts_with("sighting--")), "other objects are kept");
    assert!(exported_ids(&node, &["--exclude-decayed", "--threshold", "0"]).contains(&id(2)));

    let shown: Value = node.json(&["intel", "show", &id(3), "--json"]);
    assert_eq!((shown["score"]["expired"].as_bool(), shown["score"]["score"].as_f64()), (Some(true), Some(0.0)));
}

#[test]
fn the_score_model_is_checked_shown_and_set() {
    let node = Node::new();
    let shown = node.json(&["score", "model", "show", "--json"]);
    assert_eq!(shown["default"]["lifetime_days"], 30.0, "MISP's default until one is set: {shown}");
    let bad = write_lines(
        node.scratch(),
        "bad.json",
        &[json!({"default": {"lifetime_days": -1, "decay_speed": 1,
        "threshold": 1, "base_score": 1}})],
    );
    node.run(&["score", "model", "set", bad.to_str().expect("path")]).assert_failure_mentioning("lifetime_days");
    let good = write_lines(
        node.scratch(),
        "good.json",
        &[json!({"by_type": {"ipv4-addr": {"lifetime_days": 365,
        "decay_speed": 1, "threshold": 10, "base_score": 50}}})],
    );
    node.run(&["score", "model", "set", good.to_str().expect("path")]).assert_success();
    let shown = node.json(&["score", "model", "show", "--json"]);
    assert_eq!(shown["by_type"]["ipv4-addr"]["lifetime_days"], 365.0, "{shown}");
}
