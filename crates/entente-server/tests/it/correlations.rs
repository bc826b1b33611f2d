//! "Who else knows this?" for the node's own users: the collections a role may read
//! bound what it is shown, like TAXII; bad input gets a 400 with a stable code.

use crate::support::{INTELLIGENCE, Node, VAULT, assert_error, now_micros};
use entente_core::stix::StixObject;
use serde_json::{Value, json};

fn indicator(number: u32, pattern: &str) -> StixObject {
    let object = json!({
        "type": "indicator", "spec_version": "2.1", "id": format!("indicator--{number:08x}-0000-4000-8000-000000000000"),
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "pattern": pattern, "pattern_type": "stix", "valid_from": "2026-01-01T00:00:00Z",
    });
    StixObject::from_json(&object.to_string()).expect("valid indicator")
}

fn holders(answer: &Value) -> Vec<(String, String, String)> {
    let mut found = Vec::new();
    for value in answer["correlations"].as_array().into_iter().flatten() {
        for object in value["objects"].as_array().into_iter().flatten() {
            let text = |field: &str| object[field].as_str().unwrap_or_default().to_owned();
            found.push((value["link"].as_str().unwrap_or_default().to_owned(), text("id"), text("collection")));
        }
    }
    found
}

#[tokio::test]
async fn a_reader_sees_correlations_only_in_collections_it_may_read() {
    let node = Node::start().await;
    let open = indicator(1, "[domain-name:value = 'evil.example.com']");
    let parent = indicator(2, "[domain-name:value = 'example.com']");
    let secret = indicator(3, "[domain-name:value = 'evil.example.com']");
    node.store.add_objects(INTELLIGENCE, &[open.clone(), parent.clone()], now_micros()).expect("add");
    node.store.add_objects(VAULT, std::slice::from_ref(&secret), now_micros()).expect("add");

    // An older version of the object held another value: only the newest one counts.
    let older = json!({
        "type": "indicator", "spec_version": "2.1", "id": open.id().as_str(),
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'old.example.org']", "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
    });
    let older = StixObject::from_json(&older.to_string()).expect("valid indicator");
    node.store.add_objects(INTELLIGENCE, &[older], now_micros()).expect("add");

    let path = format!("/api/v1/objects/{}/correlations", open.id());
    let as_reader: Value = node.get(&path, &node.tokens.reader).await.json().await.expect("json");
    assert_eq!(as_reader["values"].as_array().map(Vec::len), Some(1), "{as_reader}");
    assert_eq!(as_reader["values"][0]["value"], "evil.example.com");
    assert_eq!(
        holders(&as_reader["values"][0]),
        [("parent-domain".to_owned(), parent.id().to_string(), INTELLIGENCE.to_owned())],
        "the vault's copy is hidden from a reader: {as_reader}"
    );
    let as_admin: Value = node.get(&path, &node.tokens.admin).await.json().await.expect("json");
    let seen: Vec<String> = holders(&as_admin["values"][0]).into_iter().map(|(_, id, _)| id).collect();
    assert!(seen.contains(&secret.id().to_string()), "the admin reads the vault: {as_admin}");
    assert_eq!(as_admin["values"][0]["correlations"][0]["objects"][0]["received_from"], Value::Null);
    assert_eq!(as_admin["values"][0]["correlations"][0]["more"], false);
    assert_eq!(as_admin["values"][0]["correlations"][0]["sources"], json!(["local"]));

    // An object the caller may not read does not exist for it.
    let hidden = node.get(&format!("/api/v1/objects/{}/correlations", secret.id()), &node.tokens.reader).await;
    assert_error(hidden, 404, "not-found").await;

    let by_value: Value =
        node.get("/api/v1/correlations?value=Example.COM.", &node.tokens.reader).await.json().await.expect("json");
    assert_eq!(by_value["value"]["value"], "example.com");
    let links: Vec<String> = holders(&by_value).into_iter().map(|(link, _, _)| link).collect();
    assert_eq!(links, ["same", "subdomain"], "{by_value}");
}

#[tokio::test]
async fn bad_lookups_are_refused_with_a_code() {
    let node = Node::start().await;
    let token = &node.tokens.reader;
    assert_error(node.get("/api/v1/correlations?value=not%20a%20value", token).await, 400, "invalid-value").await;
    assert_error(node.get("/api/v1/correlations", token).await, 400, "invalid-query").await;
    assert_error(node.get("/api/v1/objects/nonsense/correlations", token).await, 400, "invalid-object-id").await;
    let anonymous = node.raw(reqwest::Method::GET, "/api/v1/correlations?value=1.2.3.4", &[]).await;
    assert_eq!(anonymous.status(), 401);
}
