//! Who may do what: missing, malformed, unknown and revoked tokens (401 with a
//! challenge), HTTP Basic with the token as password, roles without write access
//! (403), write-only collections, and collections a role must not even see (404).

use crate::fixtures::{example, identity};
use crate::support::{DROP_BOX, INTELLIGENCE, Node, VAULT, assert_error, objects_path, taxii_body};
use reqwest::Method;

async fn assert_unauthorized(response: reqwest::Response) {
    let challenge =
        response.headers().get("www-authenticate").and_then(|value| value.to_str().ok()).unwrap_or("").to_owned();
    assert!(challenge.contains("Bearer"), "WWW-Authenticate: {challenge:?}");
    assert_error(response, 401, "unauthorized").await;
}

#[tokio::test]
async fn requests_without_a_usable_token_are_unauthorized() {
    let node = Node::start().await;
    node.add(&example("indicator-for-c2-ip-address.json")).await;
    let path = objects_path(INTELLIGENCE);
    assert_unauthorized(node.raw(Method::GET, &path, &[]).await).await;
    assert_unauthorized(node.raw(Method::GET, "/taxii2/", &[]).await).await;
    for header in ["Bearer", "Bearer ", "Token abc", "Basic !!!", "Basic dXNlcg==", "ent_abc"] {
        assert_unauthorized(node.raw(Method::GET, &path, &[("authorization", header)]).await).await;
    }
    let unknown = entente_core::auth::ApiToken::from_random([99; 32]);
    assert_unauthorized(node.get(&path, unknown.secret()).await).await;
    assert_unauthorized(node.get(&path, &node.tokens.revoked).await).await;
    assert_unauthorized(node.post_objects(INTELLIGENCE, &node.tokens.revoked, &[identity(1)]).await).await;
    assert_unauthorized(node.raw(Method::POST, &path, &[("content-type", "application/taxii+json;version=2.1")]).await)
        .await;
    assert_eq!(node.count(), 1);
}

#[tokio::test]
async fn a_token_revoked_while_the_server_runs_stops_working_at_once() {
    let node = Node::start().await;
    assert_eq!(node.get("/taxii2/", &node.tokens.envoy).await.status(), 200);
    node.store.revoke_token("tok4", crate::support::now_micros()).expect("revoke");
    assert_unauthorized(node.get("/taxii2/", &node.tokens.envoy).await).await;
}

#[tokio::test]
async fn http_basic_carries_the_token_as_password() {
    let node = Node::start().await;
    let response = node
        .client
        .get(node.url("/taxii2/"))
        .basic_auth("any-user", Some(&node.tokens.reader))
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 200);
    let wrong = node
        .client
        .get(node.url("/taxii2/"))
        .basic_auth(&node.tokens.reader, Some("not-the-token"))
        .send()
        .await
        .expect("GET");
    assert_unauthorized(wrong).await;
}

#[tokio::test]
async fn a_reader_cannot_write_and_the_store_is_untouched() {
    let node = Node::start().await;
    node.add(&example("indicator-for-c2-ip-address.json")).await;
    let response = node.post_objects(INTELLIGENCE, &node.tokens.reader, &[identity(1)]).await;
    assert_error(response, 403, "forbidden").await;
    let response = node.post_objects(INTELLIGENCE, &node.tokens.envoy, &[identity(1)]).await;
    assert_error(response, 403, "forbidden").await;
    let object = format!("{}indicator--33fe3b22-0201-47cf-85d0-97c02164528d/", objects_path(INTELLIGENCE));
    assert_error(node.delete(&object, &node.tokens.reader).await, 403, "forbidden").await;
    assert_eq!(node.count(), 1);
    assert_eq!(node.get(&object, &node.tokens.reader).await.status(), 200);
}

#[tokio::test]
async fn a_write_only_collection_takes_objects_but_does_not_show_them() {
    let node = Node::start().await;
    let response = node.post_objects(DROP_BOX, &node.tokens.reader, &[identity(1), identity(2)]).await;
    assert_eq!(response.status(), 202);
    assert_eq!(taxii_body(response).await["success_count"].as_u64(), Some(2));
    assert_eq!(node.store.count_objects(Some(DROP_BOX)).expect("count"), 2);
    assert_error(node.get(&objects_path(DROP_BOX), &node.tokens.reader).await, 403, "forbidden").await;
    let manifest = format!("/intel/collections/{DROP_BOX}/manifest/");
    assert_error(node.get(&manifest, &node.tokens.analyst).await, 403, "forbidden").await;
    let seen = taxii_body(node.get(&objects_path(DROP_BOX), &node.tokens.admin).await).await;
    assert_eq!(crate::support::ids(&seen).len(), 2);
    // Objects in one collection are not visible through another.
    let intelligence = taxii_body(node.get(&objects_path(INTELLIGENCE), &node.tokens.admin).await).await;
    assert!(crate::support::ids(&intelligence).is_empty());
}

#[tokio::test]
async fn a_collection_a_role_cannot_use_does_not_exist_for_it() {
    let node = Node::start_with(entente_server::ServerConfig::default()).await;
    node.post_objects(VAULT, &node.tokens.admin, &example("apt1.json")).await;
    let stored = node.count();
    assert!(stored > 0);
    for token in [&node.tokens.reader, &node.tokens.analyst, &node.tokens.envoy] {
        assert_error(node.get(&objects_path(VAULT), token).await, 404, "not-found").await;
        assert_error(node.get(&format!("/intel/collections/{VAULT}/manifest/"), token).await, 404, "not-found").await;
        assert_error(node.post_objects(VAULT, token, &[identity(3)]).await, 404, "not-found").await;
    }
    assert_eq!(node.count(), stored);
}
