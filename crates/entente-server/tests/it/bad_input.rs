//! Requests a client should not send: each gets the right status, a TAXII error body
//! with a stable `error_code`, and leaves the store exactly as it was.

use crate::fixtures::{example, identity};
use crate::support::{INTELLIGENCE, Node, assert_error, objects_path, taxii_body};
use reqwest::Method;
use serde_json::json;

/// A node holding one real bundle, so "unchanged" means something.
async fn seeded() -> (Node, u64) {
    let node = Node::start().await;
    node.add(&example("indicator-to-campaign-relationship.json")).await;
    let count = node.count();
    assert_eq!(count, 3);
    (node, count)
}

#[tokio::test]
async fn malformed_json_is_a_bad_request() {
    let (node, count) = seeded().await;
    for body in ["{\"objects\": [", "not json at all", "{\"objects\": [{\"type\": \"identity\",}]}", ""] {
        let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, body).await;
        assert_error(response, 400, "malformed-json").await;
    }
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn json_that_is_not_an_envelope_is_unprocessable() {
    let (node, count) = seeded().await;
    let identity = identity(1).to_string();
    for body in ["[1, 2, 3]", "{}", "{\"objects\": \"identity\"}", "{\"objects\": null}", "42", identity.as_str()] {
        let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, body.to_owned()).await;
        assert_eq!(response.status(), 422, "{body}");
        assert_error(response, 422, "not-an-envelope").await;
    }
    assert_eq!(node.count(), count);
}

/// An envelope is a JSON object; an array holding the objects array is not one, even
/// though serde would read a struct from a sequence of its fields.
#[tokio::test]
async fn an_array_wrapping_objects_is_not_an_envelope() {
    let (node, count) = seeded().await;
    let wrapped = format!("[[{}]]", identity(1));
    let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, wrapped).await;
    assert_error(response, 422, "not-an-envelope").await;
    assert_eq!(node.count(), count, "nothing from a non-envelope is stored");
}

#[tokio::test]
async fn a_post_must_be_labelled_as_taxii() {
    let (node, count) = seeded().await;
    let body = json!({"objects": [identity(1)]}).to_string();
    let token = format!("Bearer {}", node.tokens.analyst);
    for content_type in
        ["application/json", "application/taxii+json;version=2.0", "text/plain", "application/stix+json;version=2.1"]
    {
        let response = node
            .client
            .post(node.url(&objects_path(INTELLIGENCE)))
            .header("authorization", &token)
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .expect("POST");
        assert_error(response, 415, "unsupported-media-type").await;
    }
    let unlabelled = node.client.post(node.url(&objects_path(INTELLIGENCE))).header("authorization", &token).body(body);
    assert_error(unlabelled.send().await.expect("POST"), 415, "unsupported-media-type").await;
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn a_body_over_the_limit_is_too_large() {
    let (node, count) = seeded().await;
    let objects: Vec<_> = (0..100).map(identity).collect();
    let body = json!({ "objects": objects }).to_string();
    assert!(body.len() > 10_000);
    assert_error(node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, body).await, 413, "too-large")
        .await;
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn an_unsupported_accept_header_is_not_acceptable() {
    let (node, count) = seeded().await;
    let token = format!("Bearer {}", node.tokens.analyst);
    for accept in ["application/taxii+json;version=2.0", "text/html", "application/taxii+json;version=2.1;q=0"] {
        let response = node.raw(Method::GET, "/taxii2/", &[("authorization", &token), ("accept", accept)]).await;
        assert_error(response, 406, "not-acceptable").await;
    }
    let headers = [
        ("authorization", token.as_str()),
        ("accept", "text/html"),
        ("content-type", "application/taxii+json;version=2.1"),
    ];
    let mut request = reqwest::Client::new().post(node.url(&objects_path(INTELLIGENCE)));
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.body(json!({"objects": [identity(1)]}).to_string()).send().await.expect("POST");
    assert_error(response, 406, "not-acceptable").await;
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn unknown_roots_collections_and_objects_are_not_found() {
    let (node, count) = seeded().await;
    let token = &node.tokens.admin;
    let unknown_collection = "99999999-9999-4999-8999-999999999999";
    for path in [
        "/nowhere/".to_owned(),
        "/nowhere/collections/".to_owned(),
        format!("/nowhere/collections/{INTELLIGENCE}/objects/"),
        format!("/intel/collections/{unknown_collection}/"),
        format!("/intel/collections/{unknown_collection}/objects/"),
        format!("/intel/collections/{unknown_collection}/manifest/"),
        format!("/spare/collections/{INTELLIGENCE}/objects/"),
        format!("{}indicator--00000000-0000-4000-8000-000000000000/", objects_path(INTELLIGENCE)),
        format!("{}indicator--00000000-0000-4000-8000-000000000000/versions/", objects_path(INTELLIGENCE)),
        "/intel/collections/not-a-uuid/objects/".to_owned(),
        "/no/such/route/at/all/".to_owned(),
    ] {
        assert_error(node.get(&path, token).await, 404, "not-found").await;
    }
    let post = node.post_objects(unknown_collection, &node.tokens.admin, &[identity(1)]).await;
    assert_error(post, 404, "not-found").await;
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn invalid_filters_are_bad_requests() {
    let (node, count) = seeded().await;
    let objects = objects_path(INTELLIGENCE);
    let object = format!("{objects}indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9/");
    for query in [
        format!("{objects}?limit=0"),
        format!("{objects}?limit=-5"),
        format!("{objects}?added_after=yesterday"),
        format!("{objects}?match[version]=newest"),
        format!("{objects}?next=bogus"),
        format!("{objects}?next=e1.AAAA"),
        format!("{objects}?match[type]=Not%20A%20Type"),
        format!("{objects}?match[id]=indicator--x"),
        format!("{objects}?match[spec_version]=3.0"),
        format!("/intel/collections/{INTELLIGENCE}/manifest/?limit=zero"),
        format!("{object}?match[version]=newest"),
        format!("{object}versions/?next=bogus"),
    ] {
        let body = assert_error(node.get(&query, &node.tokens.reader).await, 400, "invalid-filter").await;
        assert!(body["title"].as_str().is_some_and(|title| title.contains('`')), "names the parameter: {body}");
    }
    let delete = node.delete(&format!("{object}?match[version]=newest"), &node.tokens.analyst).await;
    assert_error(delete, 400, "invalid-filter").await;
    assert_eq!(node.count(), count);
}

#[tokio::test]
async fn path_tricks_get_client_errors_never_server_errors() {
    let (node, count) = seeded().await;
    let long_id = format!("indicator--{}", "a".repeat(20_000));
    let longer_id = "b".repeat(60_000);
    for path in [
        "/intel/collections/..%2F..%2Fetc/objects/".to_owned(),
        "/intel/collections/..%2F..%2Fetc%2Fpasswd/".to_owned(),
        "/..%2F..%2Fetc/collections/".to_owned(),
        format!("{}{long_id}/", objects_path(INTELLIGENCE)),
        format!("{}{longer_id}/versions/", objects_path(INTELLIGENCE)),
        format!("/intel/collections/{}/objects/", "c".repeat(20_000)),
        format!("{}indicator--c43a0a05-e8d2-4f64-ae37-3f3fb153f8d9%00/", objects_path(INTELLIGENCE)),
        "/intel%00/collections/".to_owned(),
        format!("/intel/collections/{INTELLIGENCE}%00/objects/"),
        format!("{}%FF%FE/", objects_path(INTELLIGENCE)),
        format!("{}?match[type]=%00", objects_path(INTELLIGENCE)),
    ] {
        let response = node.get(&path, &node.tokens.admin).await;
        let status = response.status();
        assert!(status.is_client_error(), "{status} for {}", &path[..path.len().min(120)]);
    }
    let delete = node.delete(&format!("{}..%2F..%2Fetc/", objects_path(INTELLIGENCE)), &node.tokens.admin).await;
    assert!(delete.status().is_client_error(), "{}", delete.status());
    assert_eq!(node.count(), count);
    assert_eq!(node.raw(Method::GET, "/healthz", &[]).await.status(), 200);
}

#[tokio::test]
async fn a_five_megabyte_property_under_the_limit_is_stored() {
    let node = Node::start_with(entente_server::ServerConfig::default()).await;
    let mut big = identity(5);
    big["description"] = json!("x".repeat(5 * 1024 * 1024));
    let status = node.add(std::slice::from_ref(&big)).await;
    assert_eq!(status["success_count"].as_u64(), Some(1), "{}", status["failures"]);
    let path = format!("{}{}/", objects_path(INTELLIGENCE), big["id"].as_str().expect("id"));
    let stored = taxii_body(node.get(&path, &node.tokens.reader).await).await;
    assert_eq!(stored["objects"][0]["description"].as_str().map(str::len), Some(5 * 1024 * 1024));
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_harm() {
    let node = Node::start_with(entente_server::ServerConfig::default()).await;
    let depth = 10_000;
    let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let inside = format!("{{\"objects\": {nested}}}");
    let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, inside).await;
    assert_refused_or_failed(response).await;
    let mut object = identity(9).to_string();
    object.insert_str(1, &format!("\"x_deep\": {nested},"));
    let in_object = format!("{{\"objects\": [{object}]}}");
    let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, in_object).await;
    assert_refused_or_failed(response).await;
    // Bare nesting is not an envelope at all.
    let response = node.post_bytes(&objects_path(INTELLIGENCE), &node.tokens.analyst, nested).await;
    assert!(response.status().is_client_error(), "a bare array got {}", response.status());
    assert_eq!(node.count(), 0);
    assert_eq!(node.raw(Method::GET, "/healthz", &[]).await.status(), 200);
}

/// An envelope whose only object is unusable may be refused whole (4xx) or accepted
/// with that object reported as a failure; either way nothing is stored.
async fn assert_refused_or_failed(response: reqwest::Response) {
    let status = response.status();
    assert!(status.is_client_error() || status == 202, "{status}");
    if status == 202 {
        let body = taxii_body(response).await;
        assert_eq!((body["success_count"].as_u64(), body["failure_count"].as_u64()), (Some(0), Some(1)), "{body}");
    }
}

/// The error body of any 4xx from a TAXII URL, whatever produced it: the TAXII media
/// type, a title and the matching `http_status`.
async fn assert_taxii_error(response: reqwest::Response, status: u16) {
    assert_eq!(response.status(), status);
    let body = taxii_body(response).await;
    assert_eq!(body["http_status"], status.to_string(), "{body}");
    assert!(body["error_code"].as_str().is_some_and(|code| !code.is_empty()), "{body}");
}

#[tokio::test]
async fn errors_raised_before_the_handler_are_taxii_errors_too() {
    let (node, count) = seeded().await;
    let objects = objects_path(INTELLIGENCE);
    // Path segments that do not decode to UTF-8.
    assert_taxii_error(node.get(&format!("{objects}%FF%FE/"), &node.tokens.admin).await, 400).await;
    assert_taxii_error(node.get("/intel%FF/collections/", &node.tokens.admin).await, 400).await;
    // Methods a TAXII URL does not support.
    let put = node.client.put(node.url(&objects)).bearer_auth(&node.tokens.admin).body("{}").send().await.expect("PUT");
    assert_taxii_error(put, 405).await;
    let post = node.client.post(node.url("/taxii2/")).bearer_auth(&node.tokens.admin).send().await.expect("POST");
    assert_taxii_error(post, 405).await;
    assert_eq!(node.count(), count);
}
