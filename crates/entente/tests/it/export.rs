//! `entente intel export`: the bundle holds exactly what was imported, byte-for-byte
//! as JSON values; `--type` filters; `--all-versions` widens from the latest version;
//! `--collection` picks the source.

use crate::support::{Node, indicator, objects_in, paths, stix_examples, write_lines};
use serde_json::Value;
use std::collections::BTreeMap;

/// Runs an export and checks the bundle's envelope; returns its objects.
fn export(node: &Node, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["intel", "export"];
    args.extend_from_slice(extra);
    let run = node.run(&args);
    run.assert_success();
    let bundle = run.json();
    assert_eq!(bundle["type"], "bundle");
    assert!(bundle["id"].as_str().unwrap().starts_with("bundle--"), "{}", bundle["id"]);
    bundle["objects"].as_array().expect("objects array").clone()
}

fn by_id(objects: &[Value]) -> BTreeMap<String, Value> {
    objects.iter().map(|object| (object["id"].as_str().unwrap().to_owned(), object.clone())).collect()
}

fn import_examples(node: &Node) -> BTreeMap<String, Value> {
    let files = stix_examples();
    let mut args = vec!["intel", "import"];
    args.extend(paths(&files));
    node.run(&args).assert_success();
    by_id(&files.iter().flat_map(|file| objects_in(file)).collect::<Vec<_>>())
}

#[test]
fn export_returns_exactly_the_imported_objects() {
    let node = Node::new();
    let imported = import_examples(&node);
    let objects = export(&node, &[]);
    let exported = by_id(&objects);
    assert_eq!(objects.len(), exported.len(), "an object was exported twice");

    let identity = node.created_str("identity_id");
    let node_identity = exported.get(&identity).expect("the node's own identity is in its collection");
    assert_eq!(node_identity["name"], "CERT-Test");
    let mut expected_ids: Vec<&String> = imported.keys().collect();
    expected_ids.push(&identity);
    expected_ids.sort();
    assert_eq!(exported.keys().collect::<Vec<_>>(), expected_ids);
    for (id, object) in &imported {
        assert_eq!(&exported[id], object, "{id} changed on its way through the store");
    }
}

#[test]
fn type_filter_keeps_only_the_named_types() {
    let node = Node::new();
    let imported = import_examples(&node);
    let of_type = |wanted: &[&str]| -> Vec<&String> {
        imported
            .iter()
            .filter(|(_, object)| wanted.contains(&object["type"].as_str().unwrap()))
            .map(|(id, _)| id)
            .collect()
    };

    let indicators = by_id(&export(&node, &["--type", "indicator"]));
    assert!(!indicators.is_empty());
    assert_eq!(indicators.keys().collect::<Vec<_>>(), of_type(&["indicator"]));

    let two = by_id(&export(&node, &["--type", "indicator", "--type", "malware"]));
    assert_eq!(two.keys().collect::<Vec<_>>(), of_type(&["indicator", "malware"]));
    assert!(two.values().any(|object| object["type"] == "malware"), "the examples hold malware");

    assert!(export(&node, &["--type", "x-nothing-of-this-type"]).is_empty());
}

#[test]
fn latest_version_by_default_every_version_on_request() {
    let node = Node::new();
    let old = indicator(9, "2024-01-01T00:00:00.000Z", "198.51.100.9");
    let new = indicator(9, "2024-06-01T00:00:00.000Z", "203.0.113.9");
    // The newer version first: the latest is decided by `modified`, not input order.
    let file = write_lines(node.scratch(), "versions.jsonl", &[new.clone(), old.clone()]);
    let import = node.run(&["intel", "import", "--json", file.to_str().unwrap()]);
    import.assert_success();
    assert_eq!(import.json()["added"], 2);

    assert_eq!(export(&node, &["--type", "indicator"]), vec![new.clone()]);
    let mut every = export(&node, &["--type", "indicator", "--all-versions"]);
    every.sort_by_key(|object| object["modified"].as_str().unwrap().to_owned());
    assert_eq!(every, vec![old, new]);
}

#[test]
fn collection_flag_selects_the_source() {
    let node = Node::new();
    node.run(&["api-root", "create", "shared", "--title", "Shared"]).assert_success();
    let created = node.json(&["collection", "create", "--api-root", "shared", "--title", "Partners", "--json"]);
    let collection = created["id"].as_str().unwrap();
    let object = indicator(11, "2024-01-01T00:00:00.000Z", "198.51.100.11");
    let file = write_lines(node.scratch(), "one.jsonl", std::slice::from_ref(&object));
    node.run(&["intel", "import", "--collection", collection, file.to_str().unwrap()]).assert_success();

    assert_eq!(export(&node, &["--collection", collection]), vec![object.clone()]);
    let default = by_id(&export(&node, &[]));
    assert!(!default.contains_key(object["id"].as_str().unwrap()), "the import leaked into the default collection");
    node.run(&["intel", "export", "--collection", "no-such-collection"])
        .assert_failure_mentioning("no-such-collection");
}
