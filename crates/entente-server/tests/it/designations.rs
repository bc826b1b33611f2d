//! `GET /api/v1/designations/divergence`: authenticated, limited to the collections
//! the caller's role may read, stable error codes on bad input.

use crate::support::{INTELLIGENCE, Node, VAULT, assert_error};
use entente_core::Timestamp;
use entente_core::designation::{parse, stix::plan};
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/designations");

/// Imports one real list into a collection, as the CLI does (also used by the web tests).
pub(crate) fn import(node: &Node, collection: &str, file: &str) {
    let list = parse(&std::fs::read(format!("{DATA}/{file}")).expect("shared data"), None).expect("list parses");
    let now = Timestamp::parse("2026-01-01T00:00:00Z").expect("timestamp");
    let planned = plan(&list, &[], now).expect("valid STIX");
    let stored = node.store.import_designations(collection, &planned.objects, &planned.rows, now.unix_micros());
    assert!(stored.expect("stored").conflicts.is_empty());
}

async fn view(node: &Node, query: &str, token: &str) -> Value {
    let response = node.get(&format!("/api/v1/designations/divergence{query}"), token).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn callers_see_only_the_collections_their_role_reads() {
    let node = Node::start().await;
    // Canada's list where every role reads; the UN's in the admin-only vault.
    import(&node, INTELLIGENCE, "canada-listed-terrorist-entities.json");
    import(&node, VAULT, "un-consolidated.xml");

    let admin = view(&node, "?entity=Asbat%20al-Ansar", &node.tokens.admin).await;
    assert_eq!(admin["groups"][0]["listed_by"], serde_json::json!(["ca", "un"]));
    let reader = view(&node, "?entity=Asbat%20al-Ansar", &node.tokens.reader).await;
    assert_eq!(reader["groups"][0]["listed_by"], serde_json::json!(["ca"]));
    assert_eq!(reader["groups"][0]["records"].as_array().map(Vec::len), Some(1), "the vault's UN record stays hidden");

    let between = view(&node, "?between=ca,un", &node.tokens.admin).await;
    assert_eq!(between["both"], 28);
    assert_eq!(between["only_a"].as_array().map(Vec::len), Some(62));
    let hidden = view(&node, "?between=ca,un", &node.tokens.reader).await;
    assert_eq!(hidden["both"], 0);
}

#[tokio::test]
async fn bad_requests_have_stable_codes() {
    let node = Node::start().await;
    import(&node, INTELLIGENCE, "canada-listed-terrorist-entities.json");
    let path = "/api/v1/designations/divergence";
    let unauthenticated = node.raw(reqwest::Method::GET, path, &[]).await;
    assert_eq!(unauthenticated.status(), 401);
    assert_error(node.get(&format!("{path}?between=ca"), &node.tokens.reader).await, 400, "invalid-request").await;
    assert_error(
        node.get(&format!("{path}?between=ca,un&entity=x"), &node.tokens.reader).await,
        400,
        "invalid-request",
    )
    .await;
    let missing = node.get(&format!("{path}?entity=nothing%20of%20the%20kind"), &node.tokens.reader).await;
    assert_eq!(missing.status(), 404);
    let everything = view(&node, "", &node.tokens.reader).await;
    assert_eq!(everything["groups"], serde_json::json!([]), "one list alone names no entity twice");
}
