//! A partner's envoy asks what the node knows about an object
//! (`GET /api/v1/objects/{id}/…`): it gets an answer only for objects the release
//! decision lets its partner have, and each such answer is a release on the ledger.

use super::node::{FedNode, eventually, now};
use super::sync::{GREEN, RED, add, indicator, ledger, partners};
use entente_core::ledger::EntryKind;

fn envoy_token(node: &FedNode, partner: &FedNode) -> String {
    let token = format!("ent_envoy_{}", uuid::Uuid::new_v4().simple());
    let treaty = node.relation(partner).treaty_in_force.expect("treaty in force");
    let hash = entente_core::auth::TokenHash::of(&token);
    let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    node.store
        .create_envoy_token(&id, "envoy", &hash, partner.id.as_str(), &treaty, now().unix_micros())
        .expect("envoy token");
    token
}

#[tokio::test]
async fn an_envoy_learns_about_released_objects_only_and_the_read_is_recorded() {
    let (a, b) = partners().await;
    let mut green = indicator(&[GREEN], &["cyber"]);
    green["labels"] = serde_json::json!(["cyber", "misp-galaxy:mitre-attack-pattern=\"Phishing - T1566\""]);
    let red = indicator(&[RED], &["cyber"]);
    add(&a, &[green.clone(), red.clone()]);
    let token = envoy_token(&a, &b);
    let get = |id: &str| {
        let request = a.client.get(a.url(&format!("/api/v1/objects/{id}/techniques"))).bearer_auth(&token);
        async move { request.send().await.expect("GET") }
    };

    let released = get(green["id"].as_str().expect("id")).await;
    assert_eq!(released.status(), 200);
    let body: serde_json::Value = released.json().await.expect("JSON");
    assert_eq!(body["techniques"][0]["attack_id"], "T1566", "{body}");
    assert_eq!(get(red["id"].as_str().expect("id")).await.status(), 404, "a RED object does not exist for the envoy");

    let recorded: Vec<String> = ledger(&a.store)
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Release { object, recipient, obligations, .. }
                if recipient == b.id && obligations.iter().any(|o| o == "channel:api") =>
            {
                Some(object.to_string())
            }
            _ => None,
        })
        .collect();
    assert_eq!(recorded, vec![green["id"].as_str().expect("id").to_owned()]);
}

#[tokio::test]
async fn indicators_this_node_originated_are_revoked_once_expired_and_others_kept() {
    let a = FedNode::start("Alpha", 71).await;
    let other = FedNode::start("Other", 72).await;
    let mut expired = indicator(&[GREEN], &["cyber"]);
    expired["valid_until"] = serde_json::json!("2026-11-01T12:00:00Z");
    let mut live = indicator(&[GREEN], &["cyber"]);
    live["valid_until"] = serde_json::json!("2999-01-01T00:00:00Z");
    let mut foreign = indicator(&[GREEN], &["cyber"]);
    foreign["valid_until"] = serde_json::json!("2026-11-01T12:00:00Z");
    add(&a, &[expired.clone(), live.clone(), foreign.clone()]);
    // The foreign indicator is sealed by another node: this node did not originate it.
    let foreign_id = foreign["id"].as_str().expect("id").to_owned();
    let collection = a.store.node_settings().expect("settings").default_collection;
    let everything = entente_core::taxii::Filter::everything();
    let page = a.store.query_full(&collection, Some(&foreign_id), &everything, 10).expect("query");
    let hash = page.rows[0].content_hash.clone();
    let seal = entente_store::SealRecord {
        object_hash: "sha256:00".into(),
        originator: other.id.to_string(),
        key_id: "key".into(),
        sealed: now().to_string(),
        signature: "00".into(),
        received_from: Some(other.id.to_string()),
        treaty: None,
        hops: "[]".into(),
    };
    a.store.store_seals(&[(foreign_id.clone(), hash, seal)]).expect("seal");

    let expired_id = expired["id"].as_str().expect("id").to_owned();
    eventually("the expired indicator revoked", || (!a.store.holds(&expired_id).expect("holds")).then_some(())).await;
    assert!(a.store.holds(live["id"].as_str().expect("id")).expect("holds"), "not yet expired: kept");
    assert!(a.store.holds(&foreign_id).expect("holds"), "another node's indicator is never revoked here");
    let reasons: Vec<String> = ledger(&a.store)
        .into_iter()
        .filter_map(|entry| match entry.kind {
            EntryKind::Revoked { object, reason } => Some(format!("{object} {reason}")),
            _ => None,
        })
        .collect();
    assert_eq!(reasons, vec![format!("{expired_id} expired: valid_until 2026-11-01T12:00:00Z has passed")]);
}
