//! `entente api-root …` and `entente collection …`: creation, listing, and the names,
//! ids and roles that must be refused.

use crate::support::{Node, indicator, write_lines};
use serde_json::{Value, json};

fn sorted_field(list: &Value, field: &str) -> Vec<String> {
    let mut values: Vec<String> =
        list.as_array().unwrap().iter().map(|item| item[field].as_str().unwrap().to_owned()).collect();
    values.sort();
    values
}

#[test]
fn api_roots_are_created_listed_and_validated() {
    let node = Node::new();
    let created =
        node.json(&["api-root", "create", "shared", "--title", "Shared", "--description", "With partners", "--json"]);
    assert_eq!(created, json!({"name": "shared", "title": "Shared", "description": "With partners"}));

    let text = node.run(&["api-root", "create", "second", "--title", "Second"]);
    text.assert_success();
    assert!(text.stdout.contains("/second/"), "{}", text.stdout);

    for bad in ["taxii2", "healthz", "Bad Name", "", "_leading"] {
        node.run(&["api-root", "create", bad, "--title", "T"]).assert_failure_mentioning("API root name");
    }
    node.run(&["api-root", "create", "shared", "--title", "Again"]).assert_failure_mentioning("already exists");

    let roots = node.json(&["api-root", "list", "--json"]);
    assert_eq!(sorted_field(&roots, "name"), ["intel", "second", "shared"]);
    let shared = roots.as_array().unwrap().iter().find(|root| root["name"] == "shared").unwrap();
    assert_eq!(shared["title"], "Shared", "a refused duplicate changed the title");
}

#[test]
fn collections_are_created_with_roles_and_listed() {
    let node = Node::new();
    node.run(&["api-root", "create", "shared", "--title", "Shared"]).assert_success();
    let created = node.json(&[
        "collection",
        "create",
        "--api-root",
        "shared",
        "--title",
        "Partners",
        "--read-roles",
        "reader",
        "--write-roles",
        "analyst",
        "--json",
    ]);
    assert_eq!(created["api_root"], "shared");
    assert_eq!(created["title"], "Partners");
    assert_eq!(created["read_roles"], json!(["reader"]));
    assert_eq!(created["write_roles"], json!(["analyst"]));
    let id = created["id"].as_str().unwrap();
    assert_eq!(id.len(), 36, "a random collection id is a hyphenated UUID: {id}");

    let chosen = "6d9c7d1a-8c6b-4c1e-9d3e-2f1a0b9c8d7e";
    let explicit =
        node.json(&["collection", "create", "--api-root", "shared", "--title", "Mine", "--id", chosen, "--json"]);
    assert_eq!(explicit["id"], chosen);
    assert_eq!(explicit["read_roles"], json!(["reader", "analyst", "envoy", "admin"]), "default read roles");
    assert_eq!(explicit["write_roles"], json!(["analyst", "admin"]), "default write roles");
    let duplicate = ["collection", "create", "--api-root", "shared", "--title", "Again", "--id", chosen];
    node.run(&duplicate).assert_failure_mentioning("already exists");

    let all = node.json(&["collection", "list", "--json"]);
    let mut expected = vec![id.to_owned(), chosen.to_owned(), node.created_str("collection_id")];
    expected.sort();
    assert_eq!(sorted_field(&all, "id"), expected);
    let shared = node.json(&["collection", "list", "--api-root", "shared", "--json"]);
    assert_eq!(shared.as_array().unwrap().len(), 2, "{shared}");
    let partners = shared.as_array().unwrap().iter().find(|collection| collection["id"] == id).unwrap();
    assert_eq!(partners["read_roles"], json!(["reader"]));
    assert_eq!(partners["write_roles"], json!(["analyst"]));
    let text = node.run(&["collection", "list"]);
    text.assert_success();
    assert!(text.stdout.contains(id) && text.stdout.contains("read: reader"), "{}", text.stdout);
}

#[test]
fn invalid_collections_are_refused() {
    let node = Node::new();
    let base = ["collection", "create", "--api-root", "intel", "--title", "T"];
    let with = |extra: &[&'static str]| [base.as_slice(), extra].concat();
    node.run(&with(&["--id", "not-a-uuid"])).assert_failure_mentioning("not a UUID");
    node.run(&with(&["--read-roles", "reader,root"])).assert_failure_mentioning("root");
    node.run(&["collection", "create", "--api-root", "nowhere", "--title", "T"]).assert_failure_mentioning("nowhere");
    node.run(&["collection", "create", "--api-root", "intel", "--title", "  "]).assert_failure_mentioning("title");
    let collections = node.json(&["collection", "list", "--json"]);
    assert_eq!(collections.as_array().unwrap().len(), 1, "a refused command created a collection: {collections}");
}

/// A collection created with an upper-case `--id` is stored under the lower-case form;
/// the id the operator typed must still find it.
#[test]
fn collection_is_found_by_the_id_it_was_created_with() {
    let node = Node::new();
    let typed = "0F8FAD5B-D9CB-469F-A165-70867728950E";
    let created =
        node.json(&["collection", "create", "--api-root", "intel", "--title", "Upper", "--id", typed, "--json"]);
    assert_eq!(created["id"], typed.to_ascii_lowercase());
    let file = write_lines(node.scratch(), "one.jsonl", &[indicator(1, "2024-01-01T00:00:00.000Z", "198.51.100.1")]);
    let import = node.run(&["intel", "import", "--collection", typed, "--json", file.to_str().unwrap()]);
    import.assert_success();
    assert_eq!(import.json()["added"], 1);
}
