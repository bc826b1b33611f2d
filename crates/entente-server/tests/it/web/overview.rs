//! The overview: what every viewer sees, and for an administrator of a federated node
//! in relation with a partner the treaty in force (flagged when it ends soon), the
//! chart of intelligence received and released, sync health and the latest notes.

use super::support::{browser, cookie_value, form, hidden, html, set_cookie, sign_in};
use crate::federation::node::{FedNode, PATIENCE, conclude, eventually, now, recognize_each_other, seconds_from_now};
use crate::federation::sync::{GREEN, add, held, indicator, sharing_treaty};
use crate::support::Node;
use entente_core::auth::{ApiToken, Role};
use entente_core::treaty::{Treaty, TreatyTime};
use reqwest::StatusCode;
use reqwest::header::COOKIE;

#[tokio::test]
async fn without_federation_administrators_see_the_chart_and_others_the_counts() {
    let node = Node::start().await;
    let admin = sign_in(&node, &node.tokens.admin).await;
    let page = html(&node, "/ui", &admin).await;
    assert!(page.contains("<h1>Overview</h1>"));
    assert!(page.contains("<svg") && page.contains("received: 0") && page.contains("released: 0"), "{page}");
    assert_eq!(page.matches("<rect class=\"bar-receive\"").count(), 14, "one bar a day for 14 days");
    assert!(page.contains("Federation is off"));

    let analyst = sign_in(&node, &node.tokens.analyst).await;
    let page = html(&node, "/ui", &analyst).await;
    assert!(page.contains("object versions you may read") && page.contains("shown to administrators"), "{page}");
    assert!(!page.contains("<svg") && !page.contains("ledger entries"));
}

/// Signs in at a federated node with a new admin token.
async fn admin_session(node: &FedNode) -> String {
    let token = ApiToken::from_random([9; 32]);
    node.store.create_token("webadmin", "web admin", Role::Admin, &token.hash(), now().unix_micros()).expect("token");
    let client = browser();
    let response = client.get(node.url("/ui/login")).send().await.expect("login form");
    let login = cookie_value(&set_cookie(&response, "entente_login").expect("login cookie"));
    let csrf = hidden(&response.text().await.expect("page"), "csrf");
    let request = client.post(node.url("/ui/login")).header(COOKIE, format!("entente_login={login}"));
    let response = form(request, &[("csrf", csrf.as_str()), ("token", token.secret()), ("next", "/ui")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    format!("entente_session={}", cookie_value(&set_cookie(&response, "entente_session").expect("session")))
}

async fn overview(node: &FedNode, session: &str) -> String {
    let response = browser().get(node.url("/ui")).header(COOKIE, session).send().await.expect("GET /ui");
    assert_eq!(response.status(), StatusCode::OK);
    response.text().await.expect("page")
}

#[tokio::test]
async fn a_partner_with_a_treaty_ending_soon_its_intelligence_and_notes() {
    let a = FedNode::start("Alpha", 61).await;
    let b = FedNode::start("Bravo", 62).await;
    recognize_each_other(&a, &b).await;
    // In force for ten more days only.
    let base = sharing_treaty(&a.id, &b.id);
    let mut body = base.body().clone();
    body.title = "Sahel <b>exchange</b>".into();
    body.terms.end_date = Some(TreatyTime::from(seconds_from_now(10 * 86_400)));
    let treaty = Treaty::draft(base.id(), &a.id, now(), &body).expect("treaty");
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");

    let object = indicator(&[GREEN], &["cyber"]);
    add(&a, std::slice::from_ref(&object));
    let id = object["id"].as_str().expect("id").to_owned();
    eventually("the indicator reaches Bravo", || held(&b.store).contains(&id).then_some(())).await;

    let session = admin_session(&a).await;
    let page = overview(&a, &session).await;
    assert!(page.contains("treaties in force"));
    assert!(
        page.contains("Sahel &#60;b&#62;exchange&#60;/b&#62;") || page.contains("Sahel &lt;b&gt;exchange&lt;/b&gt;"),
        "{page}"
    );
    assert!(!page.contains("<b>exchange"), "a title is escaped");
    assert!(page.contains("ends within 30 days: its end date comes"), "{page}");
    assert!(page.contains("released: 1"), "Alpha released the indicator to Bravo: {page}");
    assert!(page.contains("Sync health") && page.contains("Bravo"));
    assert!(page.contains("Latest notes") && page.contains("sent"), "{page}");

    let session = admin_session(&b).await;
    let deadline = std::time::Instant::now() + PATIENCE;
    let mut page = overview(&b, &session).await;
    while !page.contains("received: 1") && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        page = overview(&b, &session).await;
    }
    assert!(page.contains("received: 1"), "Bravo received it: {page}");
    assert!(page.contains("objects in"), "Bravo pulled Alpha's feed: {page}");
    assert!(!page.contains("never"), "a sync with Alpha is on record: {page}");
}
