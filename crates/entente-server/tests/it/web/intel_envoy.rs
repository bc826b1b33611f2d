//! An envoy's view of the Intelligence pages, between two real nodes with a treaty in
//! force: a partner's envoy signed in at Alpha sees exactly what the release decision
//! lets it have (each object shown recorded as released), never provenance; Bravo,
//! having received an object by sync, shows its originator, verified seal and path;
//! Alpha's administrator sees to whom it was released under which treaty.

use super::support::{browser, cookie_value, form, hidden, set_cookie};
use crate::federation::node::{FedNode, eventually, now};
use crate::federation::sync::{GREEN, RED, add, envoy_token, held, indicator, partners};
use entente_core::auth::{Role, TokenHash};
use entente_store::LedgerQuery;
use reqwest::StatusCode;
use reqwest::header::COOKIE;

/// Signs in at `node`'s web interface with `token`; the session's `Cookie` value.
async fn sign_in_at(node: &FedNode, token: &str) -> String {
    let response = browser().get(node.url("/ui/login")).send().await.expect("GET login");
    let login = cookie_value(&set_cookie(&response, "entente_login").expect("login cookie"));
    let csrf = hidden(&response.text().await.expect("page"), "csrf");
    let request = browser().post(node.url("/ui/login")).header(COOKIE, format!("entente_login={login}"));
    let response =
        form(request, &[("csrf", csrf.as_str()), ("token", token), ("next", "/ui")]).send().await.expect("POST login");
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "signed in");
    format!("entente_session={}", cookie_value(&set_cookie(&response, "entente_session").expect("session")))
}

async fn get(node: &FedNode, path: &str, session: &str) -> (StatusCode, String) {
    let response = browser().get(node.url(path)).header(COOKIE, session).send().await.expect("GET");
    (response.status(), response.text().await.expect("page"))
}

fn admin_token(node: &FedNode) -> String {
    let token = format!("ent_admin_{}", uuid::Uuid::new_v4().simple());
    let id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    node.store.create_token(&id, "web admin", Role::Admin, &TokenHash::of(&token), now().unix_micros()).expect("token");
    token
}

fn releases_of(node: &FedNode, object: &str) -> Vec<String> {
    let query = LedgerQuery {
        subject: Some(object.to_owned()),
        kinds: vec!["release".into()],
        limit: 100,
        ..LedgerQuery::default()
    };
    node.store.ledger_rows(&query).expect("ledger").into_iter().map(|row| row.entry).collect()
}

#[tokio::test]
async fn an_envoy_sees_only_what_is_released_and_a_receiver_sees_provenance() {
    let (a, b) = partners().await;
    let green = indicator(&[GREEN], &["cyber"]);
    let red = indicator(&[RED], &["cyber"]);
    add(&a, &[green.clone(), red.clone()]);
    let (green_id, red_id) = (green["id"].as_str().expect("id"), red["id"].as_str().expect("id"));

    // Bravo's envoy at Alpha.
    let envoy = sign_in_at(&a, &envoy_token(&a, &b)).await;
    let (status, list) = get(&a, "/ui/intel", &envoy).await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains(green_id), "the green indicator is released to Bravo");
    assert!(!list.contains(red_id), "the red one is not even listed");
    assert!(!list.contains("<th>Originator</th>"), "no provenance for an envoy");
    assert!(releases_of(&a, green_id).iter().any(|entry| entry.contains("channel:search")), "listing it is a release");
    let (status, _) = get(&a, &format!("/ui/intel/object/{red_id}"), &envoy).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "as TAXII: its existence does not leak");
    let (status, body) = get(&a, &format!("/ui/intel/object/{green_id}"), &envoy).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!body.contains("<h2>Provenance</h2>") && !body.contains("Released to"), "{body}");
    assert!(releases_of(&a, red_id).is_empty(), "nothing red was released");
    let (status, overview) = get(&a, "/ui", &envoy).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !overview.contains("object versions") && !overview.contains(">alliances<"),
        "no counts of what Alpha holds"
    );

    // Bravo receives the green indicator by sync and shows where it came from.
    eventually("Bravo holds the green indicator", || held(&b.store).contains(&green_id.to_owned()).then_some(())).await;
    let bravo = sign_in_at(&b, &admin_token(&b)).await;
    let (status, body) = get(&b, &format!("/ui/intel/object/{green_id}"), &bravo).await;
    assert_eq!(status, StatusCode::OK);
    let treaty = a.relation(&b).treaty_in_force.expect("treaty in force");
    for expected in [
        format!("Originator <code>{}</code>", a.id.as_str()),
        format!("received from <code>{}</code>", a.id.as_str()),
        format!("under treaty <code>{}</code>", treaty.as_str()),
        "Seal: verified with key".to_owned(),
        "Path travelled".to_owned(),
    ] {
        assert!(body.contains(&expected), "{expected:?} missing:\n{body}");
    }
    let (_, list) = get(&b, "/ui/intel", &bravo).await;
    assert!(list.contains(&format!(">{}<", a.id.as_str())), "the search names the originator");

    // Alpha's administrator sees the releases to Bravo, under the treaty.
    let alpha = sign_in_at(&a, &admin_token(&a)).await;
    let (_, body) = get(&a, &format!("/ui/intel/object/{green_id}"), &alpha).await;
    let released = body.split("<h2>Released to</h2>").nth(1).expect("the releases section");
    assert!(released.contains(b.id.as_str()) && released.contains(treaty.as_str()), "{released}");
    assert!(body.contains("Originated and sealed by this node"), "{body}");
}
