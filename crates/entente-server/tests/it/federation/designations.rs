//! The divergence view read by a partner's envoy: only what the release decision lets
//! the partner have, each designation released recorded on the ledger.

use super::node::{FedNode, conclude, now, recognize_each_other};
use super::sync::{envoy_token, ledger, partners, sharing_treaty};
use entente_core::Timestamp;
use entente_core::designation::{parse, stix::plan};
use entente_core::ledger::EntryKind;
use serde_json::Value;

const CANADA: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/designations/canada-listed-terrorist-entities.json");

fn import_canada(node: &FedNode) {
    let list = parse(&std::fs::read(CANADA).expect("shared data"), None).expect("list parses");
    let now = Timestamp::parse("2026-01-01T00:00:00Z").expect("timestamp");
    let planned = plan(&list, &[], now).expect("valid STIX");
    let collection = node.store.node_settings().expect("settings").default_collection;
    let stored = node.store.import_designations(&collection, &planned.objects, &planned.rows, now.unix_micros());
    assert!(stored.expect("stored").conflicts.is_empty());
}

async fn get(node: &FedNode, path: &str, token: &str) -> (u16, Value) {
    let response = node.client.get(node.url(path)).bearer_auth(token).send().await.expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn releases_on(node: &FedNode, channel: &str) -> usize {
    let channel = format!("channel:{channel}");
    ledger(&node.store)
        .into_iter()
        .filter(|entry| matches!(&entry.kind, EntryKind::Release { obligations, .. } if obligations.contains(&channel)))
        .count()
}

/// Alpha and Bravo under a treaty whose scope names designations among its types.
async fn designation_partners() -> (FedNode, FedNode) {
    let a = FedNode::start("Alpha", 71).await;
    let b = FedNode::start("Bravo", 72).await;
    recognize_each_other(&a, &b).await;
    let base = sharing_treaty(&a.id, &b.id);
    let mut body = base.body().clone();
    body.scope.object_types.push("x-entente-designation".to_owned());
    let treaty = entente_core::treaty::Treaty::draft(base.id(), &a.id, now(), &body).expect("treaty");
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");
    (a, b)
}

#[tokio::test]
async fn a_treaty_that_does_not_cover_designations_shows_the_envoy_none() {
    let (a, b) = partners().await;
    import_canada(&a);
    let token = envoy_token(&a, &b);
    let (status, view) = get(&a, "/api/v1/designations/divergence?between=ca,un", &token).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["only_a"], serde_json::json!([]), "x-entente-designation is not in the treaty's scope");
    assert_eq!(releases_on(&a, "designations"), 0);
    let (status, _) = get(&a, "/api/v1/designations/divergence?entity=Proud%20Boys", &token).await;
    assert_eq!(status, 404, "an entity the envoy may not see does not exist for it");
}

#[tokio::test]
async fn an_envoy_sees_released_designations_and_each_release_is_recorded() {
    let (a, b) = designation_partners().await;
    import_canada(&a);
    let token = envoy_token(&a, &b);
    let (status, view) = get(&a, "/api/v1/designations/divergence?between=ca,un", &token).await;
    assert_eq!(status, 200, "{view}");
    let seen = view["only_a"].as_array().expect("only_a").len();
    assert_eq!(seen, 90, "the lists are TLP:CLEAR and the treaty covers them: {view}");
    assert_eq!(releases_on(&a, "designations"), 90, "one ledger release per designation shown");
    let (status, proud_boys) = get(&a, "/api/v1/designations/divergence?entity=Proud%20Boys", &token).await;
    assert_eq!(status, 200);
    assert_eq!(proud_boys["groups"][0]["records"][0]["authority"], "ca");
}

#[tokio::test]
async fn designations_synced_from_a_partner_join_its_divergence_view() {
    let (a, b) = designation_partners().await;
    import_canada(&a);
    // Bravo pulls Alpha's feed: the designations travel sealed and judged like any object.
    let syncer = entente_server::federation::Syncer::new(b.diplomat.clone(), Default::default());
    syncer.pull_now(&Default::default(), None, &|_, _| {}).await.expect("pull");
    let collections: Vec<String> =
        b.store.list_collections(None).expect("collections").into_iter().map(|collection| collection.id).collect();
    let rows = b.store.designations_in(&collections).expect("index");
    assert_eq!(rows.len(), 90, "every Canadian designation, indexed on arrival");
    assert!(rows.iter().all(|row| row.authority.key == "ca" && row.authority.name == "Public Safety Canada"));
    let proud_boys = rows.iter().find(|row| row.name == "Proud Boys").expect("Proud Boys");
    assert_eq!(proud_boys.listed_on.as_deref(), Some("2021-02-03"));
}

#[tokio::test]
async fn an_envoy_never_sees_this_nodes_analysts_links() {
    let (a, b) = designation_partners().await;
    import_canada(&a);
    let collections: Vec<String> =
        a.store.list_collections(None).expect("collections").into_iter().map(|collection| collection.id).collect();
    let rows = a.store.designations_in(&collections).expect("index");
    let entity = |name: &str| rows.iter().find(|row| row.name == name).expect(name).entity_id.clone();
    let (first, second) = (entity("Proud Boys"), entity("Atomwaffen Division"));
    let verdict = entente_core::designation::divergence::Verdict::Confirmed;
    a.store.set_designation_link(&first, &second, verdict, "analyst", None, 1).expect("link");
    let grouping = |view: &Value| view["groups"][0]["grouping"].as_str().map(str::to_owned);

    let admin = format!("ent_admin_{}", uuid::Uuid::new_v4().simple());
    let hash = entente_core::auth::TokenHash::of(&admin);
    a.store.create_token("links-admin", "admin", entente_core::auth::Role::Admin, &hash, 1).expect("token");
    let (status, local) = get(&a, "/api/v1/designations/divergence?entity=Proud%20Boys", &admin).await;
    assert_eq!(status, 200, "{local}");
    assert_eq!(grouping(&local).as_deref(), Some("confirmed"), "the node's own analysts see their link: {local}");
    let token = envoy_token(&a, &b);
    let (status, envoy) = get(&a, "/api/v1/designations/divergence?entity=Proud%20Boys", &token).await;
    assert_eq!(status, 200, "{envoy}");
    assert_eq!(grouping(&envoy).as_deref(), Some("single"), "the partner sees no link: {envoy}");
}
