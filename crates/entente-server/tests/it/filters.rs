//! `GET …/objects/` with TAXII filters: the default latest-version view,
//! `match[version]`, `match[type]`, `match[id]`, `match[spec_version]` and
//! `added_after`.
//!
//! The three-version object is added out of order (2021, 2022, then 2020) so that
//! `first` and `last` must follow `modified`, not the order of arrival.

use crate::fixtures::{identity, indicator, malware};
use crate::support::{INTELLIGENCE, Node, ids, objects_path, taxii_body};
use serde_json::Value;

pub const VERSIONED: &str = "indicator--7e3b3f0a-4a4c-4c1f-9d3e-2b8d7c6f5a41";
pub const MALWARE: &str = "malware--2f3a4b5c-6d7e-4f80-9a1b-2c3d4e5f6a7b";
pub const OLD: &str = "2020-05-05T05:05:05.000Z";
pub const MIDDLE: &str = "2021-05-05T05:05:05.000Z";
pub const NEW: &str = "2022-05-05T05:05:05.000Z";

/// Adds the three versions of [`VERSIONED`], a malware and two identities.
pub async fn populate(node: &Node) {
    let objects = [
        indicator(VERSIONED, MIDDLE, "198.51.100.2"),
        identity(1),
        indicator(VERSIONED, NEW, "198.51.100.3"),
        malware(MALWARE),
        indicator(VERSIONED, OLD, "198.51.100.1"),
        identity(2),
    ];
    let status = node.add(&objects).await;
    assert_eq!(status["success_count"].as_u64(), Some(6), "{status}");
}

/// GETs `intelligence` objects as the reader with a query string.
async fn query(node: &Node, query: &str) -> Value {
    let response = node.get(&format!("{}?{query}", objects_path(INTELLIGENCE)), &node.tokens.reader).await;
    assert_eq!(response.status(), 200, "GET with {query}");
    taxii_body(response).await
}

/// The `modified` of every returned version of [`VERSIONED`], in order.
fn versions_of_indicator(envelope: &Value) -> Vec<String> {
    envelope["objects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter(|object| object["id"] == VERSIONED)
        .map(|object| object["modified"].as_str().unwrap_or("").to_owned())
        .collect()
}

#[tokio::test]
async fn the_default_view_holds_the_latest_version_of_each_object() {
    let node = Node::start().await;
    populate(&node).await;
    let envelope = query(&node, "").await;
    assert_eq!(envelope["more"], false);
    assert_eq!(ids(&envelope).len(), 4, "{envelope}");
    assert_eq!(versions_of_indicator(&envelope), vec![NEW]);
    assert_eq!(versions_of_indicator(&query(&node, "match[version]=last").await), vec![NEW]);
}

#[tokio::test]
async fn match_version_selects_all_first_last_or_exact_versions() {
    let node = Node::start().await;
    populate(&node).await;
    let all = sorted(versions_of_indicator(&query(&node, "match[version]=all").await));
    assert_eq!(all, vec![OLD, MIDDLE, NEW]);
    assert_eq!(ids(&query(&node, "match[version]=all").await).len(), 6);
    assert_eq!(versions_of_indicator(&query(&node, "match[version]=first").await), vec![OLD]);
    let ends = sorted(versions_of_indicator(&query(&node, "match[version]=first,last").await));
    assert_eq!(ends, vec![OLD, NEW]);
    assert_eq!(versions_of_indicator(&query(&node, &format!("match[version]={MIDDLE}")).await), vec![MIDDLE]);
    // The same instant written with another precision is the same version.
    assert_eq!(versions_of_indicator(&query(&node, "match[version]=2021-05-05T05:05:05Z").await), vec![MIDDLE]);
    // A timestamp no object has selects nothing.
    assert!(ids(&query(&node, "match[version]=1999-01-01T00:00:00Z").await).is_empty());
}

#[tokio::test]
async fn match_type_and_match_id_take_comma_separated_lists() {
    let node = Node::start().await;
    populate(&node).await;
    let malware_only = query(&node, "match[type]=malware").await;
    assert_eq!(ids(&malware_only), vec![MALWARE]);
    let mixed = sorted(ids(&query(&node, "match[type]=malware,indicator").await));
    assert_eq!(mixed, sorted(vec![VERSIONED.to_owned(), MALWARE.to_owned()]));
    let first = identity(1)["id"].as_str().expect("id").to_owned();
    let by_id = sorted(ids(&query(&node, &format!("match[id]={first},{MALWARE}")).await));
    assert_eq!(by_id, sorted(vec![first.clone(), MALWARE.to_owned()]));
    assert_eq!(ids(&query(&node, &format!("match[id]={first}&match[type]=malware")).await), Vec::<String>::new());
    assert!(ids(&query(&node, "match[type]=campaign").await).is_empty());
    let all_versions = query(&node, &format!("match[id]={VERSIONED}&match[version]=all")).await;
    assert_eq!(ids(&all_versions).len(), 3);
}

#[tokio::test]
async fn match_spec_version_filters_on_the_stix_version() {
    let node = Node::start().await;
    populate(&node).await;
    assert_eq!(ids(&query(&node, "match[spec_version]=2.1").await).len(), 4);
    assert!(ids(&query(&node, "match[spec_version]=2.0").await).is_empty());
    assert_eq!(ids(&query(&node, "match[spec_version]=2.0,2.1&match[version]=all").await).len(), 6);
}

#[tokio::test]
async fn added_after_returns_only_later_additions() {
    let node = Node::start().await;
    node.add(&[identity(10), identity(11)]).await;
    let first_batch = node.get(&objects_path(INTELLIGENCE), &node.tokens.reader).await;
    let last_added = first_batch.headers()["x-taxii-date-added-last"].to_str().expect("header").to_owned();
    node.add(&[identity(12), malware(MALWARE)]).await;
    let later = query(&node, &format!("added_after={last_added}")).await;
    assert_eq!(ids(&later), vec![identity(12)["id"].as_str().expect("id").to_owned(), MALWARE.to_owned()]);
    let nothing = query(&node, "added_after=2999-01-01T00:00:00Z").await;
    assert!(ids(&nothing).is_empty());
    assert_eq!(nothing["more"], false);
    assert_eq!(ids(&query(&node, "added_after=2000-01-01T00:00:00Z").await).len(), 4);
}

fn sorted(mut list: Vec<String>) -> Vec<String> {
    list.sort();
    list
}
