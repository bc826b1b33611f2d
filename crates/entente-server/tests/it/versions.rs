//! One object at a time: the manifest, `GET …/objects/{id}/`, the versions endpoint
//! and `DELETE`, whole or one version (after which `last` falls back to the previous
//! version).

use crate::filters::{MALWARE, MIDDLE, NEW, OLD, VERSIONED, populate};
use crate::support::{API_ROOT, INTELLIGENCE, Node, assert_error, ids, objects_path, taxii_body};
use entente_core::Timestamp;
use serde_json::Value;

fn object_path(id: &str) -> String {
    format!("{}{id}/", objects_path(INTELLIGENCE))
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().cloned().unwrap_or_default().iter().filter_map(|item| item.as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn the_manifest_describes_each_version_without_content() {
    let node = Node::start().await;
    populate(&node).await;
    let path = format!("/{API_ROOT}/collections/{INTELLIGENCE}/manifest/?match[version]=all");
    let response = node.get(&path, &node.tokens.reader).await;
    let first_header = response.headers()["x-taxii-date-added-first"].to_str().expect("header").to_owned();
    let manifest = taxii_body(response).await;
    assert_eq!(manifest["more"], false);
    let records = manifest["objects"].as_array().expect("records").clone();
    assert_eq!(records.len(), 6);
    let versions: Vec<&str> = records
        .iter()
        .filter(|record| record["id"] == VERSIONED)
        .filter_map(|record| record["version"].as_str())
        .collect();
    assert_eq!(versions, vec![MIDDLE, NEW, OLD], "in the order they were added");
    let mut previous = None;
    for record in &records {
        assert_eq!(record["media_type"], "application/stix+json;version=2.1");
        assert!(record.get("pattern").is_none() && record.get("name").is_none(), "no content: {record}");
        let added =
            Timestamp::parse(record["date_added"].as_str().expect("date_added")).expect("date_added is a timestamp");
        assert!(previous.is_none_or(|before| before < added), "date_added strictly increases");
        previous = Some(added);
    }
    assert_eq!(records[0]["date_added"], first_header);
    let latest =
        taxii_body(node.get(&format!("/{API_ROOT}/collections/{INTELLIGENCE}/manifest/"), &node.tokens.reader).await)
            .await;
    assert_eq!(ids(&latest).len(), 4);
}

#[tokio::test]
async fn an_object_is_read_by_id_latest_version_first() {
    let node = Node::start().await;
    populate(&node).await;
    let latest = taxii_body(node.get(&object_path(VERSIONED), &node.tokens.reader).await).await;
    assert_eq!(ids(&latest), vec![VERSIONED]);
    assert_eq!(latest["objects"][0]["modified"], NEW);
    assert_eq!(latest["objects"][0]["pattern"], "[ipv4-addr:value = '198.51.100.3']");
    let all =
        taxii_body(node.get(&format!("{}?match[version]=all", object_path(VERSIONED)), &node.tokens.reader).await)
            .await;
    assert_eq!(ids(&all).len(), 3);
    let old =
        taxii_body(node.get(&format!("{}?match[version]={OLD}", object_path(VERSIONED)), &node.tokens.reader).await)
            .await;
    assert_eq!(old["objects"][0]["modified"], OLD);
    let missing = format!("{}?match[version]=1999-01-01T00:00:00Z", object_path(VERSIONED));
    assert_error(node.get(&missing, &node.tokens.reader).await, 404, "not-found").await;
    let malware = taxii_body(node.get(&object_path(MALWARE), &node.tokens.reader).await).await;
    assert_eq!(malware["objects"][0]["is_family"], true);
}

#[tokio::test]
async fn the_versions_endpoint_lists_every_version() {
    let node = Node::start().await;
    populate(&node).await;
    let response = node.get(&format!("{}versions/", object_path(VERSIONED)), &node.tokens.reader).await;
    assert!(response.headers().contains_key("x-taxii-date-added-first"));
    let body = taxii_body(response).await;
    assert_eq!(body["more"], false);
    let mut versions = strings(&body["versions"]);
    versions.sort();
    assert_eq!(versions, vec![OLD, MIDDLE, NEW]);
    let paged =
        taxii_body(node.get(&format!("{}versions/?limit=2", object_path(VERSIONED)), &node.tokens.reader).await).await;
    assert_eq!(paged["more"], true);
    assert_eq!(strings(&paged["versions"]).len(), 2);
    let next = paged["next"].as_str().expect("next");
    let rest = taxii_body(
        node.get(&format!("{}versions/?limit=2&next={next}", object_path(VERSIONED)), &node.tokens.reader).await,
    )
    .await;
    assert_eq!((rest["more"].as_bool(), strings(&rest["versions"]).len()), (Some(false), 1));
    let unknown = "indicator--00000000-0000-4000-8000-000000000001";
    assert_error(node.get(&format!("{}versions/", object_path(unknown)), &node.tokens.reader).await, 404, "not-found")
        .await;
}

#[tokio::test]
async fn deleting_one_version_makes_the_previous_one_last() {
    let node = Node::start().await;
    populate(&node).await;
    let response = node.delete(&format!("{}?match[version]={NEW}", object_path(VERSIONED)), &node.tokens.analyst).await;
    assert_eq!(response.status(), 200);
    assert_eq!(node.count(), 5);
    let latest = taxii_body(node.get(&object_path(VERSIONED), &node.tokens.reader).await).await;
    assert_eq!(latest["objects"][0]["modified"], MIDDLE);
    let default_view = taxii_body(node.get(&objects_path(INTELLIGENCE), &node.tokens.reader).await).await;
    let shown: Vec<&Value> = default_view["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .filter(|object| object["id"] == VERSIONED)
        .collect();
    assert_eq!(shown.len(), 1);
    assert_eq!(shown[0]["modified"], MIDDLE);
    let versions =
        taxii_body(node.get(&format!("{}versions/", object_path(VERSIONED)), &node.tokens.reader).await).await;
    assert_eq!(strings(&versions["versions"]).len(), 2);
    // Deleting the same version again finds nothing to delete.
    let again = node.delete(&format!("{}?match[version]={NEW}", object_path(VERSIONED)), &node.tokens.analyst).await;
    assert_error(again, 404, "not-found").await;
    // Deleting the first version keeps `first` right too.
    assert_eq!(
        node.delete(&format!("{}?match[version]=first", object_path(VERSIONED)), &node.tokens.admin).await.status(),
        200
    );
    let first =
        taxii_body(node.get(&format!("{}?match[version]=first", object_path(VERSIONED)), &node.tokens.reader).await)
            .await;
    assert_eq!(first["objects"][0]["modified"], MIDDLE);
    assert_eq!(node.count(), 4);
}

#[tokio::test]
async fn deleting_an_object_removes_every_version() {
    let node = Node::start().await;
    populate(&node).await;
    assert_error(node.delete(&object_path(VERSIONED), &node.tokens.reader).await, 403, "forbidden").await;
    assert_eq!(node.count(), 6);
    assert_eq!(node.delete(&object_path(VERSIONED), &node.tokens.analyst).await.status(), 200);
    assert_eq!(node.count(), 3);
    assert_error(node.get(&object_path(VERSIONED), &node.tokens.reader).await, 404, "not-found").await;
    let all = format!("{}?match[version]=all", object_path(VERSIONED));
    assert_error(node.get(&all, &node.tokens.reader).await, 404, "not-found").await;
    assert_error(node.delete(&object_path(VERSIONED), &node.tokens.analyst).await, 404, "not-found").await;
    let remaining = taxii_body(node.get(&objects_path(INTELLIGENCE), &node.tokens.reader).await).await;
    assert_eq!(ids(&remaining).len(), 3);
    assert!(!ids(&remaining).contains(&VERSIONED.to_owned()));
}
