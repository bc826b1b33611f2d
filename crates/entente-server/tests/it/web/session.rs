//! Sign-in, sessions, CSRF protection and headers, over real HTTP.

use super::support::{browser, form, hidden, html, login_form, page, post_form, set_cookie, sign_in, sign_in_with};
use crate::support::Node;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, COOKIE, LOCATION};

#[tokio::test]
async fn pages_need_a_session_and_sign_in_leads_back() {
    let node = Node::start().await;
    let response = browser().get(node.url("/ui?days=5")).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/ui/login?next=/ui%3Fdays%3D5");

    let response = sign_in_with(&node, &node.tokens.analyst, "/ui?days=5").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()[LOCATION], "/ui?days=5");
    // Never to another site.
    let response = sign_in_with(&node, &node.tokens.analyst, "https://evil.example/ui").await;
    assert_eq!(response.headers()[LOCATION], "/ui");

    let session = sign_in(&node, &node.tokens.analyst).await;
    let response = page(&node, "/ui", &session).await;
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    let csp = headers[CONTENT_SECURITY_POLICY].to_str().expect("CSP");
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["cache-control"], "no-store");
    let html = response.text().await.expect("page");
    assert!(html.contains("<h1>Overview</h1>") && html.contains("analyst 2"), "{html}");
}

#[tokio::test]
async fn bad_sign_ins_are_refused_and_say_why() {
    let node = Node::start().await;
    for (token, reason) in [
        ("", "give an API token"),
        ("ent_not-a-token", "unknown or revoked"),
        (node.tokens.revoked.as_str(), "unknown or revoked"),
    ] {
        let response = sign_in_with(&node, token, "/ui").await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{token:?}");
        assert!(set_cookie(&response, "entente_session").is_none());
        assert!(response.text().await.expect("page").contains(reason), "{token:?}");
    }
    // The form's value without its cookie (login CSRF), or a wrong one.
    let (csrf, cookie) = login_form(&node).await;
    for cookie in ["".to_owned(), format!("entente_login={cookie}x")] {
        let request = browser().post(node.url("/ui/login")).header(COOKIE, cookie);
        let response = form(request, &[("csrf", csrf.as_str()), ("token", node.tokens.admin.as_str())])
            .send()
            .await
            .expect("POST login");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert!(set_cookie(&response, "entente_session").is_none());
    }
    // Not a form at all.
    let response = browser()
        .post(node.url("/ui/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("csrf=%zz&&=")
        .send()
        .await
        .expect("POST login");
    assert!(response.status().is_client_error(), "{}", response.status());
}

#[tokio::test]
async fn forms_need_the_session_token_and_this_site() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.admin).await;
    let overview = html(&node, "/ui", &session).await;
    let csrf = hidden(&overview, "csrf");
    let sign_out = |fields: Vec<(&'static str, String)>, origin: Option<&'static str>| {
        let mut request = form(browser().post(node.url("/ui/logout")).header(COOKIE, session.clone()), &fields);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    for (form, origin) in [
        (vec![], None),
        (vec![("csrf", "wrong".to_owned())], None),
        (vec![("csrf", csrf.clone())], Some("http://evil.example")),
    ] {
        let response = sign_out(form, origin).await.expect("POST logout");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        // Nothing happened: the session still works.
        assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::OK);
    }
    let response = post_form(&node, "/ui/logout", &session, &overview, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::SEE_OTHER, "signed out");
}

#[tokio::test]
async fn revoking_the_token_ends_its_sessions() {
    let node = Node::start().await;
    let session = sign_in(&node, &node.tokens.reader).await;
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::OK);
    node.store.revoke_token("tok1", crate::support::now_micros()).expect("revoke");
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::SEE_OTHER);
    // A made-up session is no session.
    assert_eq!(page(&node, "/ui", "entente_session=forged").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn assets_are_served_from_the_binary() {
    let node = Node::start().await;
    let response = browser().get(node.url("/ui/assets/app.css")).send().await.expect("GET css");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()[CONTENT_TYPE], "text/css; charset=utf-8");
    let response = browser().get(node.url("/ui/assets/../Cargo.toml")).send().await.expect("GET");
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let response = browser().get(node.url("/")).send().await.expect("GET /");
    assert_eq!(response.headers()[LOCATION], "/ui");
}
