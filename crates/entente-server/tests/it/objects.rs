//! Adding objects (`POST …/objects/`) and reading back the status resource: counts,
//! per-object messages, idempotent re-adds, version conflicts, mixed envelopes, and
//! who may read a status.

use crate::fixtures::{example, identity, indicator, malware};
use crate::support::{INTELLIGENCE, Node, assert_error, ids, objects_path, taxii_body};
use serde_json::{Value, json};

fn messages(status: &Value, list: &str) -> Vec<(String, String, String)> {
    status[list]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|detail| {
            let text = |name: &str| detail[name].as_str().unwrap_or("").to_owned();
            (text("id"), text("version"), text("message"))
        })
        .collect()
}

#[tokio::test]
async fn a_bundle_of_real_objects_is_added_and_reported() {
    let node = Node::start().await;
    let objects = example("indicator-to-campaign-relationship.json");
    let response = node.post_objects(INTELLIGENCE, &node.tokens.analyst, &objects).await;
    assert_eq!(response.status(), 202);
    let status = taxii_body(response).await;
    assert_eq!(status["status"], "complete");
    assert_eq!((status["total_count"].as_u64(), status["success_count"].as_u64()), (Some(3), Some(3)));
    assert_eq!((status["failure_count"].as_u64(), status["pending_count"].as_u64()), (Some(0), Some(0)));
    let successes = messages(&status, "successes");
    let expected: Vec<String> = objects.iter().map(|object| object["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(successes.iter().map(|(id, _, _)| id.clone()).collect::<Vec<_>>(), expected);
    for (_, version, message) in &successes {
        assert_eq!(version, "2014-09-09T19:58:39.609Z");
        assert_eq!(message, "added");
    }
    assert_eq!(node.count(), 3);
    let stored = taxii_body(node.get(&objects_path(INTELLIGENCE), &node.tokens.reader).await).await;
    assert_eq!(ids(&stored), expected);
    assert_eq!(stored["objects"][0]["name"], "Operation Omega");
}

#[tokio::test]
async fn invalid_objects_are_reported_by_id_and_property_path() {
    let node = Node::start().await;
    let mut bad_flag = malware("malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
    bad_flag["is_family"] = json!("yes");
    let mut bad_reference = identity(7);
    bad_reference["external_references"] = json!([{"source_name": "x", "url": 5}]);
    let status = node.add(&[bad_flag, bad_reference]).await;
    assert_eq!(
        (status["total_count"].as_u64(), status["success_count"].as_u64(), status["failure_count"].as_u64()),
        (Some(2), Some(0), Some(2))
    );
    let failures = messages(&status, "failures");
    assert_eq!(failures[0].0, "malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061");
    assert_eq!(failures[0].1, "2021-06-01T12:00:00.000Z");
    assert!(
        failures[0].2.contains("malware--0c7b5b88-8ff7-4a4d-aa9d-feb398cd0061") && failures[0].2.contains("is_family"),
        "{failures:?}"
    );
    assert_eq!(failures[1].0, "identity--00000007-0000-4000-8000-000000000000");
    assert!(failures[1].2.contains("external_references[0].url"), "{failures:?}");
    assert_eq!(node.count(), 0);
}

#[tokio::test]
async fn the_status_can_be_fetched_by_its_owner_and_an_admin_only() {
    let node = Node::start().await;
    let posted = node.add(&example("indicator-for-c2-ip-address.json")).await;
    let id = posted["id"].as_str().expect("status id");
    let path = format!("/intel/status/{id}/");
    let fetched = taxii_body(node.get(&path, &node.tokens.analyst).await).await;
    assert_eq!(fetched, posted);
    assert_eq!(taxii_body(node.get(&path, &node.tokens.admin).await).await, posted);
    assert_error(node.get(&path, &node.tokens.other_analyst).await, 404, "not-found").await;
    assert_error(node.get(&path, &node.tokens.reader).await, 404, "not-found").await;
    // A status belongs to the API root it was made in.
    assert_error(node.get(&format!("/spare/status/{id}/"), &node.tokens.admin).await, 404, "not-found").await;
    let unknown = "/intel/status/00000000-0000-4000-8000-000000000000/";
    assert_error(node.get(unknown, &node.tokens.admin).await, 404, "not-found").await;
}

#[tokio::test]
async fn posting_the_same_objects_again_reports_them_as_already_present() {
    let node = Node::start().await;
    let objects = example("indicators-for-C2-with-COA.json");
    let first = node.add(&objects).await;
    assert_eq!(first["success_count"].as_u64(), Some(objects.len() as u64), "{first}");
    let count = node.count();
    assert_eq!(count, objects.len() as u64);
    let again = node.add(&objects).await;
    assert_eq!(again["success_count"].as_u64(), Some(objects.len() as u64));
    assert_eq!(again["failure_count"].as_u64(), Some(0));
    for (_, _, message) in messages(&again, "successes") {
        assert_eq!(message, "already present");
    }
    assert_eq!(node.count(), count, "a re-add stores no duplicates");
    let everything =
        taxii_body(node.get(&format!("{}?match[version]=all", objects_path(INTELLIGENCE)), &node.tokens.reader).await)
            .await;
    assert_eq!(ids(&everything).len(), objects.len());
}

#[tokio::test]
async fn different_content_under_the_same_version_is_refused_and_the_original_kept() {
    let node = Node::start().await;
    let id = "indicator--5c6a8f1e-2d1b-4e4f-9c11-0b1f5a2b3c4d";
    node.add(&[indicator(id, "2022-02-02T00:00:00.000Z", "192.0.2.1")]).await;
    let status = node.add(&[indicator(id, "2022-02-02T00:00:00.000Z", "192.0.2.99")]).await;
    assert_eq!((status["success_count"].as_u64(), status["failure_count"].as_u64()), (Some(0), Some(1)));
    let failures = messages(&status, "failures");
    assert_eq!((failures[0].0.as_str(), failures[0].1.as_str()), (id, "2022-02-02T00:00:00.000Z"));
    assert!(failures[0].2.contains("modified"), "{failures:?}");
    assert_eq!(node.count(), 1);
    let stored = taxii_body(node.get(&format!("{}{id}/", objects_path(INTELLIGENCE)), &node.tokens.reader).await).await;
    assert_eq!(stored["objects"][0]["pattern"], "[ipv4-addr:value = '192.0.2.1']");
}

#[tokio::test]
async fn a_mixed_envelope_stores_the_valid_objects_only() {
    let node = Node::start().await;
    let good = [identity(1), malware("malware--1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9"), identity(2)];
    let mut bad_pattern = indicator("indicator--9d8c7b6a-5f4e-4d3c-8b2a-190817263544", "2022-01-01T00:00:00Z", "x");
    bad_pattern["pattern"] = json!("[ipv4-addr:value = ");
    let not_stix = json!({"hello": "world"});
    let envelope = vec![good[0].clone(), bad_pattern, good[1].clone(), not_stix, good[2].clone()];
    let status = node.add(&envelope).await;
    assert_eq!(
        (status["total_count"].as_u64(), status["success_count"].as_u64(), status["failure_count"].as_u64()),
        (Some(5), Some(3), Some(2))
    );
    let failures = messages(&status, "failures");
    assert_eq!(failures[0].0, "indicator--9d8c7b6a-5f4e-4d3c-8b2a-190817263544");
    assert!(failures[0].2.contains("pattern"), "{failures:?}");
    assert!(!failures[1].2.is_empty());
    assert_eq!(node.count(), 3);
    let stored = taxii_body(node.get(&objects_path(INTELLIGENCE), &node.tokens.reader).await).await;
    let expected: Vec<String> = good.iter().map(|object| object["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(ids(&stored), expected);
}

#[tokio::test]
async fn repeats_inside_one_envelope_are_stored_once() {
    let node = Node::start().await;
    let id = "indicator--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    let original = indicator(id, "2023-03-03T00:00:00.000Z", "203.0.113.7");
    let clash = indicator(id, "2023-03-03T00:00:00.000Z", "203.0.113.8");
    let status = node.add(&[original.clone(), original, clash]).await;
    let successes: Vec<String> = messages(&status, "successes").into_iter().map(|(_, _, message)| message).collect();
    assert_eq!(successes, vec!["added", "already present"]);
    assert_eq!(status["failure_count"].as_u64(), Some(1));
    assert_eq!(node.count(), 1);
}

#[tokio::test]
async fn objects_without_a_version_are_deduplicated_by_content() {
    let node = Node::start().await;
    let id = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd";
    let address = json!({"type": "ipv4-addr", "spec_version": "2.1", "id": id, "value": "198.51.100.3"});
    let first = node.add(std::slice::from_ref(&address)).await;
    let (_, version, message) = messages(&first, "successes").remove(0);
    assert_eq!(message, "added");
    assert!(
        entente_core::Timestamp::parse(&version).is_ok(),
        "the time it was added stands in for a version: {version}"
    );
    let again = node.add(std::slice::from_ref(&address)).await;
    assert_eq!(messages(&again, "successes"), vec![(id.to_owned(), version, "already present".to_owned())]);
    assert_eq!(node.count(), 1);
}

#[tokio::test]
async fn large_real_bundles_are_accepted_whole() {
    let node = Node::start_with(entente_server::ServerConfig::default()).await;
    for name in ["apt1.json", "poisonivy.json", "infrastructure.json", "malicious-email-indicator-with-attachment.json"]
    {
        let objects = example(name);
        let status = node.add(&objects).await;
        assert_eq!(status["failure_count"].as_u64(), Some(0), "{name}: {}", status["failures"]);
        assert_eq!(status["success_count"].as_u64(), Some(objects.len() as u64), "{name}");
    }
}
