//! A browser's view of the web interface for tests: sign in with a token, keep the
//! session cookie, fetch pages, post forms with their CSRF token.

use crate::support::Node;
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};

/// A browser-like client that does not follow redirects (each one is asserted).
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().redirect(reqwest::redirect::Policy::none()).build().expect("client")
}

/// The value of cookie `name` among a response's `Set-Cookie` headers, with its attributes.
pub fn set_cookie(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|pair| pair.split_once('='))
        .map(|(_, value)| value.to_owned())
        .expect("a value")
}

/// The value of the first hidden input `name` in a page.
pub fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).map(|at| at + marker.len()).expect("the hidden field");
    html[start..].split('"').next().expect("its value").to_owned()
}

/// The sign-in form's CSRF value and the cookie that must come back with it.
pub async fn login_form(node: &Node) -> (String, String) {
    let response = browser().get(node.url("/ui/login")).send().await.expect("GET login");
    assert_eq!(response.status(), StatusCode::OK);
    let cookie = cookie_value(&set_cookie(&response, "entente_login").expect("the login cookie"));
    let html = response.text().await.expect("page");
    (hidden(&html, "csrf"), cookie)
}

/// `request` with a URL-encoded form body.
pub fn form<K: serde::Serialize, V: serde::Serialize>(
    request: reqwest::RequestBuilder,
    pairs: &[(K, V)],
) -> reqwest::RequestBuilder {
    let body = serde_urlencoded::to_string(pairs).expect("a form");
    request.header(CONTENT_TYPE, "application/x-www-form-urlencoded").body(body)
}

pub async fn sign_in_with(node: &Node, token: &str, next: &str) -> reqwest::Response {
    let (csrf, cookie) = login_form(node).await;
    let request = browser().post(node.url("/ui/login")).header(COOKIE, format!("entente_login={cookie}"));
    form(request, &[("csrf", csrf.as_str()), ("token", token), ("next", next)]).send().await.expect("POST login")
}

/// Signs in with `token`; the `Cookie` header value that carries the session.
pub async fn sign_in(node: &Node, token: &str) -> String {
    let response = sign_in_with(node, token, "/ui").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = set_cookie(&response, "entente_session").expect("a session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Strict"), "{session}");
    format!("entente_session={}", cookie_value(&session))
}

/// GETs a page with the session.
pub async fn page(node: &Node, path: &str, session: &str) -> reqwest::Response {
    browser().get(node.url(path)).header(COOKIE, session).send().await.expect("GET page")
}

/// GETs a page with the session, insisting on 200; its HTML.
pub async fn html(node: &Node, path: &str, session: &str) -> String {
    let response = page(node, path, session).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.text().await.expect("page")
}

/// POSTs a form with the session and the CSRF token of `csrf_from` (a page's HTML).
pub async fn post_form(
    node: &Node,
    path: &str,
    session: &str,
    csrf_from: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let csrf = hidden(csrf_from, "csrf");
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    pairs.extend_from_slice(fields);
    form(browser().post(node.url(path)).header(COOKIE, session), &pairs).send().await.expect("POST form")
}
