//! Discovery, API root information and collections as each role sees them, plus the
//! operational endpoints `/healthz` and `/metrics`.

use crate::support::{API_ROOT, DROP_BOX, INTELLIGENCE, Node, VAULT, assert_error, taxii_body};
use serde_json::Value;

#[tokio::test]
async fn discovery_names_the_node_and_its_api_roots() {
    let node = Node::start().await;
    let body = taxii_body(node.get("/taxii2/", &node.tokens.reader).await).await;
    assert_eq!(body["title"], "Entente node test-node");
    assert_eq!(body["default"], "/intel/");
    assert_eq!(body["api_roots"], serde_json::json!(["/intel/", "/spare/"]));
}

#[tokio::test]
async fn api_root_information_lists_taxii_21_and_the_body_limit() {
    let node = Node::start().await;
    let body = taxii_body(node.get("/intel/", &node.tokens.reader).await).await;
    assert_eq!(body["title"], "intel root");
    let versions: Vec<&str> = body["versions"].as_array().expect("versions").iter().filter_map(Value::as_str).collect();
    assert!(versions.contains(&"application/taxii+json;version=2.1"), "{versions:?}");
    assert_eq!(body["max_content_length"], 10_000);
}

/// `(id, can_read, can_write)` of every collection a token is shown.
async fn visible(node: &Node, token: &str) -> Vec<(String, bool, bool)> {
    let body = taxii_body(node.get(&format!("/{API_ROOT}/collections/"), token).await).await;
    let list = body["collections"].as_array().cloned().unwrap_or_default();
    for collection in &list {
        assert_eq!(collection["media_types"], serde_json::json!(["application/stix+json;version=2.1"]));
    }
    list.iter()
        .map(|collection| {
            let flag = |name: &str| collection[name].as_bool().expect("boolean flag");
            (collection["id"].as_str().expect("id").to_owned(), flag("can_read"), flag("can_write"))
        })
        .collect()
}

#[tokio::test]
async fn collections_are_listed_with_the_flags_of_each_role() {
    let node = Node::start().await;
    let entry = |id: &str, read, write| (id.to_owned(), read, write);
    assert_eq!(
        visible(&node, &node.tokens.reader).await,
        vec![entry(INTELLIGENCE, true, false), entry(DROP_BOX, false, true)]
    );
    assert_eq!(
        visible(&node, &node.tokens.analyst).await,
        vec![entry(INTELLIGENCE, true, true), entry(DROP_BOX, false, true)]
    );
    assert_eq!(
        visible(&node, &node.tokens.envoy).await,
        vec![entry(INTELLIGENCE, true, false), entry(DROP_BOX, false, true)]
    );
    assert_eq!(
        visible(&node, &node.tokens.admin).await,
        vec![entry(INTELLIGENCE, true, true), entry(DROP_BOX, true, true), entry(VAULT, true, true)]
    );
    let spare = taxii_body(node.get("/spare/collections/", &node.tokens.admin).await).await;
    assert!(spare.get("collections").is_none_or(|list| list.as_array().is_some_and(Vec::is_empty)), "{spare}");
}

#[tokio::test]
async fn a_single_collection_shows_its_description_and_hides_what_the_role_cannot_use() {
    let node = Node::start().await;
    let body =
        taxii_body(node.get(&format!("/{API_ROOT}/collections/{INTELLIGENCE}/"), &node.tokens.reader).await).await;
    assert_eq!(body["id"], INTELLIGENCE);
    assert_eq!(body["title"], "Intelligence");
    assert_eq!(body["alias"], "intelligence");
    assert_eq!((body["can_read"].as_bool(), body["can_write"].as_bool()), (Some(true), Some(false)));
    // A write-only collection can still be described to a writer.
    let drop_box =
        taxii_body(node.get(&format!("/{API_ROOT}/collections/{DROP_BOX}/"), &node.tokens.reader).await).await;
    assert_eq!((drop_box["can_read"].as_bool(), drop_box["can_write"].as_bool()), (Some(false), Some(true)));
    // The vault does not exist as far as the reader can tell.
    let vault = node.get(&format!("/{API_ROOT}/collections/{VAULT}/"), &node.tokens.reader).await;
    assert_error(vault, 404, "not-found").await;
    let vault = taxii_body(node.get(&format!("/{API_ROOT}/collections/{VAULT}/"), &node.tokens.admin).await).await;
    assert_eq!(vault["id"], VAULT);
}

#[tokio::test]
async fn healthz_needs_no_token() {
    let node = Node::start().await;
    let response = node.raw(reqwest::Method::GET, "/healthz", &[]).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn metrics_need_a_token_and_count_requests() {
    let node = Node::start().await;
    assert_eq!(node.get("/taxii2/", &node.tokens.reader).await.status(), 200);
    let anonymous = node.raw(reqwest::Method::GET, "/metrics", &[]).await;
    assert!(anonymous.headers().contains_key("www-authenticate"));
    assert_error(anonymous, 401, "unauthorized").await;
    let response = node.get("/metrics", &node.tokens.reader).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("metrics text");
    assert!(text.contains("entente_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/taxii2\""), "{text}");
    assert!(text.contains("entente_objects_stored 0"), "{text}");
}
