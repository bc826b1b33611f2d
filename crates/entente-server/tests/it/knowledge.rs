//! `GET /api/v1/objects/{id}/techniques|warnings|score`: what the node knows about an
//! object, shown only to callers who may read it.

use crate::fixtures::{indicator, malware};
use crate::support::{Node, VAULT, assert_error, now_micros};
use entente_core::reference::{AttackEntry, AttackId};
use entente_core::stix::StixObject;
use entente_store::WarningListRecord;
use serde_json::{Value, json};

const SEEN: &str = "indicator--00000000-0000-4000-8000-00000000a001";
const RESOLVER: &str = "indicator--00000000-0000-4000-8000-00000000a002";
const HIDDEN: &str = "indicator--00000000-0000-4000-8000-00000000a003";
const MALWARE: &str = "malware--00000000-0000-4000-8000-00000000a004";

async fn node() -> Node {
    let node = Node::start().await;
    let mut cites = indicator(SEEN, "2024-01-01T00:00:00.000Z", "192.0.2.1");
    cites["labels"] = json!(["misp-galaxy:mitre-attack-pattern=\"Phishing - T1566\""]);
    node.add(&[cites, indicator(RESOLVER, "2024-01-01T00:00:00.000Z", "8.8.8.8"), malware(MALWARE)]).await;
    let hidden = StixObject::from_json(&indicator(HIDDEN, "2024-01-01T00:00:00.000Z", "192.0.2.3").to_string())
        .expect("a valid indicator");
    node.store.add_objects(VAULT, &[hidden], now_micros()).expect("stored in the vault");
    let phishing = AttackEntry {
        attack_id: AttackId::parse("T1566").expect("id"),
        stix_id: "attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b".into(),
        kind: "attack-pattern".into(),
        name: "Phishing".into(),
        tactics: vec!["initial-access".into()],
        url: Some("https://attack.mitre.org/techniques/T1566".into()),
        deprecated: false,
    };
    node.store.load_attack(&[phishing], "test", now_micros()).expect("catalogue");
    let resolvers = json!({"name": "Public DNS", "type": "cidr", "list": ["8.8.8.8/32"], "matching_attributes": []});
    let record =
        WarningListRecord { name: "Public DNS".into(), kind: "cidr".into(), entries: 1, json: resolvers.to_string() };
    node.store.put_warninglists(&[record], now_micros()).expect("warning list");
    node
}

async fn get_json(node: &Node, path: &str, token: &str) -> Value {
    let response = node.get(path, token).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.expect("JSON")
}

#[tokio::test]
async fn techniques_are_shown_by_attack_id_and_name() {
    let node = node().await;
    let body = get_json(&node, &format!("/api/v1/objects/{SEEN}/techniques"), &node.tokens.reader).await;
    assert_eq!(body["techniques"][0]["attack_id"], "T1566", "{body}");
    assert_eq!(body["techniques"][0]["name"], "Phishing", "{body}");
    assert_eq!(body["techniques"][0]["tactics"], json!(["initial-access"]), "{body}");
    assert_eq!(body["techniques"][0]["cited_by"], json!(["galaxy-label"]), "{body}");
}

#[tokio::test]
async fn warning_listed_values_are_flagged() {
    let node = node().await;
    let flagged = get_json(&node, &format!("/api/v1/objects/{RESOLVER}/warnings"), &node.tokens.reader).await;
    assert_eq!(flagged["flagged"], true, "{flagged}");
    assert_eq!(flagged["warnings"][0]["value"], "8.8.8.8", "{flagged}");
    let clean = get_json(&node, &format!("/api/v1/objects/{SEEN}/warnings"), &node.tokens.reader).await;
    assert_eq!(clean["flagged"], false, "{clean}");

    // A list loaded while the server runs (by the CLI, say) is used from the next request.
    let documentation = json!({"name": "TEST-NET-1", "type": "cidr", "list": ["192.0.2.0/24"]});
    let record = WarningListRecord {
        name: "TEST-NET-1".into(),
        kind: "cidr".into(),
        entries: 1,
        json: documentation.to_string(),
    };
    node.store.put_warninglists(&[record], now_micros() + 1).expect("warning list");
    let now_flagged = get_json(&node, &format!("/api/v1/objects/{SEEN}/warnings"), &node.tokens.reader).await;
    assert_eq!(now_flagged["warnings"][0]["entry"], "192.0.2.0/24", "{now_flagged}");
}

#[tokio::test]
async fn indicators_are_scored_and_other_objects_refused() {
    let node = node().await;
    let body = get_json(&node, &format!("/api/v1/objects/{SEEN}/score"), &node.tokens.analyst).await;
    // valid_from 2020: long past the default 30-day lifetime.
    assert_eq!((body["score"]["score"].as_f64(), body["score"]["decayed"].as_bool()), (Some(0.0), Some(true)));
    assert_eq!(body["score"]["model"], "default");
    let refused = node.get(&format!("/api/v1/objects/{MALWARE}/score"), &node.tokens.analyst).await;
    assert_error(refused, 400, "not-an-indicator").await;
}

#[tokio::test]
async fn objects_the_caller_may_not_read_are_not_found_and_bad_input_is_a_4xx() {
    let node = node().await;
    for what in ["techniques", "warnings", "score"] {
        let path = format!("/api/v1/objects/{HIDDEN}/{what}");
        assert_error(node.get(&path, &node.tokens.reader).await, 404, "not-found").await;
        assert_eq!(node.get(&path, &node.tokens.admin).await.status(), 200, "the admin reads the vault");
        let unauthenticated = node.raw(reqwest::Method::GET, &path, &[]).await;
        assert_eq!(unauthenticated.status(), 401);
        let bad = node.get(&format!("/api/v1/objects/not-an-id/{what}"), &node.tokens.admin).await;
        assert_error(bad, 400, "invalid-object-id").await;
    }
    let absent = node.get("/api/v1/objects/indicator--00000000-0000-4000-8000-0000000000ff/score", &node.tokens.admin);
    assert_error(absent.await, 404, "not-found").await;
}
