//! Search and the live stream for a partner's envoy go through the release decision:
//! what the gate denies never appears, and each object shown is a ledger release
//! (`channel:search`, `channel:stream`), as TAXII reads by envoys are.

use super::node::{FedNode, now};
use super::sync::{GREEN, RED, add, indicator, ledger, partners};
use crate::search::read_events;
use entente_core::ledger::EntryKind;
use serde_json::Value;
use std::time::Duration;

fn envoy_token(node: &FedNode, partner: &FedNode) -> String {
    let token = format!("ent_envoy_{}", uuid::Uuid::new_v4().simple());
    let treaty = node.relation(partner).treaty_in_force.expect("treaty in force");
    node.store
        .create_envoy_token(
            &uuid::Uuid::new_v4().simple().to_string()[..8],
            "envoy",
            &entente_core::auth::TokenHash::of(&token),
            partner.id.as_str(),
            &treaty,
            now().unix_micros(),
        )
        .expect("envoy token");
    token
}

/// The objects released to `recipient` on `channel`, from the ledger.
fn released_on(node: &FedNode, recipient: &FedNode, channel: &str) -> Vec<String> {
    ledger(&node.store)
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Release { object, recipient: to, obligations, .. }
                if to == recipient.id && obligations.iter().any(|o| o == &format!("channel:{channel}")) =>
            {
                Some(object.to_string())
            }
            _ => None,
        })
        .collect()
}

fn id(object: &Value) -> String {
    object["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn an_envoy_searches_and_streams_only_what_the_gate_allows_and_each_is_a_release() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    let reds: Vec<Value> = (0..60).map(|_| indicator(&[RED], &["cyber"])).collect();
    // The allowed object sits behind more denied candidates than one batch holds.
    add(&a, &reds);
    add(&a, std::slice::from_ref(&green));
    let token = envoy_token(&a, &b);

    let response = a.client.get(a.url("/api/v1/search?label=x")).bearer_auth(&token).send().await.expect("GET");
    assert_eq!(response.status(), 400);
    let response =
        a.client.get(a.url("/api/v1/search?marking=TLP:RED,TLP:GREEN&limit=5")).bearer_auth(&token).send().await;
    let page: Value = response.expect("GET").json().await.expect("JSON");
    let ids: Vec<&str> =
        page["results"].as_array().expect("results").iter().filter_map(|hit| hit["id"].as_str()).collect();
    assert_eq!(ids, [id(&green)], "only the green indicator: {page}");
    assert_eq!(released_on(&a, &b, "search"), [id(&green)]);

    let mut stream =
        a.client.get(a.url("/api/v1/stream?last_event_id=0")).bearer_auth(&token).send().await.expect("stream");
    assert_eq!(stream.status(), 200);
    let mut buffer = String::new();
    let events = read_events(&mut stream, &mut buffer, 1, Duration::from_secs(10)).await;
    assert_eq!(events.len(), 1);
    assert_eq!(id(&serde_json::from_str(&events[0].data).expect("JSON")), id(&green));
    let later_green = indicator(&[GREEN], &["cyber"]);
    add(&a, &[indicator(&[RED], &["cyber"]), later_green.clone()]);
    let events = read_events(&mut stream, &mut buffer, 1, Duration::from_secs(10)).await;
    assert_eq!(events.len(), 1, "the poll finds writes made outside the server");
    assert_eq!(id(&serde_json::from_str(&events[0].data).expect("JSON")), id(&later_green));
    assert!(read_events(&mut stream, &mut buffer, 1, Duration::from_millis(2500)).await.is_empty(), "no red");
    assert_eq!(released_on(&a, &b, "stream"), [id(&green), id(&later_green)]);
}
