//! A partner's envoy asks what the node knows about an object
//! (`GET /api/v1/objects/{id}/…`): it gets an answer only for objects the release
//! decision lets its partner have, and each such answer is a release on the ledger.

use super::node::{FedNode, now};
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
