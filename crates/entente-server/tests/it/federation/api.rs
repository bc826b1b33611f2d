//! The native JSON API over HTTP: the OpenAPI document, authentication and roles,
//! first contact by URL, recognition with the fingerprint check, refusals with the
//! diplomacy error codes, and the relation with its note history.

use super::node::{FedNode, now};
use entente_core::auth::{ApiToken, Role};
use entente_core::card::SignedCard;
use serde_json::{Value, json};

fn token(node: &FedNode, role: Role, seed: u8) -> String {
    let token = ApiToken::from_random([seed; 32]);
    let micros = now().unix_micros();
    node.store.create_token(&format!("tok_{seed}"), "api test", role, &token.hash(), micros).expect("token");
    token.secret().to_owned()
}

async fn call(
    node: &FedNode,
    method: reqwest::Method,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, Value) {
    let mut request = node.client.request(method, node.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_owned());
    }
    let response = request.send().await.expect("request");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

#[tokio::test]
async fn the_api_conducts_first_contact_and_refuses_with_codes() {
    let a = FedNode::start("CERT-A", 41).await;
    let b = FedNode::start("CERT-B", 42).await;
    let admin = token(&a, Role::Admin, 1);
    let reader = token(&a, Role::Reader, 2);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    let (status, document) = call(&a, get.clone(), "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, 200);
    assert!(document["paths"]["/api/v1/relations/{node}/{move}"].is_object(), "{document}");

    assert_eq!(call(&a, get.clone(), "/api/v1/relations", None, None).await.0, 401);
    assert_eq!(call(&a, get.clone(), "/api/v1/relations", Some(&reader), None).await.0, 403);
    let (status, listed) = call(&a, get.clone(), "/api/v1/relations", Some(&admin), None).await;
    assert_eq!((status, listed["relations"].as_array().map(Vec::len)), (200, Some(0)), "{listed}");

    // First contact by URL shows the fingerprint the card was signed with.
    let contact = json!({"url": format!("http://{}", b.address)}).to_string();
    let (status, created) = call(&a, post.clone(), "/api/v1/relations/contact", Some(&admin), Some(&contact)).await;
    assert_eq!(status, 201, "{created}");
    let card = SignedCard::parse(&b.fetch_card().await).expect("B's card");
    assert_eq!(created["partner"]["fingerprint"], card.fingerprint());
    let partner = b.id.to_string();

    // Refusals carry the diplomacy codes and change nothing.
    let recognize = format!("/api/v1/relations/{partner}/recognize");
    let wrong = json!({"fingerprint": "00:11"}).to_string();
    let (status, refused) = call(&a, post.clone(), &recognize, Some(&admin), Some(&wrong)).await;
    assert_eq!((status, refused["error_code"].as_str()), (422, Some("fingerprint-mismatch")), "{refused}");
    let (status, refused) = call(&a, post.clone(), &recognize, Some(&admin), Some("{not json")).await;
    assert_eq!((status, refused["error_code"].as_str()), (400, Some("invalid-request")), "{refused}");
    let suspend = format!("/api/v1/relations/{partner}/suspend");
    let (status, refused) = call(&a, post.clone(), &suspend, Some(&admin), None).await;
    assert_eq!((status, refused["error_code"].as_str()), (409, Some("illegal-move")), "{refused}");
    assert!(refused["title"].as_str().is_some_and(|title| title.contains("contact")), "names the state: {refused}");
    let accept = format!("/api/v1/relations/{partner}/accept");
    let (status, refused) = call(&a, post.clone(), &accept, Some(&admin), None).await;
    assert_eq!(status, 422, "nothing to accept: {refused}");
    assert!(
        refused["title"].as_str().is_some_and(|title| title.contains("no treaty is under negotiation")),
        "{refused}"
    );
    let (status, _) = call(&a, post.clone(), &format!("/api/v1/relations/{partner}/curtsy"), Some(&admin), None).await;
    assert_eq!(status, 404);

    // The right fingerprint sends a recognition: one note in the history.
    let right = json!({"fingerprint": card.fingerprint()}).to_string();
    let (status, queued) = call(&a, post.clone(), &recognize, Some(&admin), Some(&right)).await;
    assert_eq!(status, 202, "{queued}");
    assert!(queued["note"].as_str().is_some_and(|id| id.starts_with("note--")), "{queued}");
    let (status, shown) = call(&a, get.clone(), &format!("/api/v1/relations/{partner}"), Some(&admin), None).await;
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["relation"]["recognized_by_us"], true, "{shown}");
    assert_eq!(shown["notes"].as_array().map(Vec::len), Some(1), "{shown}");
    assert_eq!(shown["notes"][0]["kind"], "recognize");

    let (status, _) = call(&a, get.clone(), "/api/v1/relations/identity--not-a-node", Some(&admin), None).await;
    assert_eq!(status, 400);
    let missing = format!("/api/v1/treaties/sha256:{}", "0".repeat(64));
    assert_eq!(call(&a, get, &missing, Some(&admin), None).await.0, 404);
}
