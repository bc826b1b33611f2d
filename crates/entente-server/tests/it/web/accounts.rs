//! Signing in with a user account: name and password, the lock after repeated
//! failures, and accounts disabled or re-passworded ending their sessions.

use super::support::{browser, form, login_form, page, set_cookie};
use crate::support::{Node, now_micros};
use entente_core::auth::Role;
use entente_core::password::{PasswordHash, UserName};
use reqwest::StatusCode;
use reqwest::header::COOKIE;

const PASSWORD: &str = "the right passphrase";

fn add_user(node: &Node, name: &str, role: Role) -> UserName {
    let name = UserName::parse(name).expect("a name");
    let hash = PasswordHash::new(PASSWORD, [3; 16]).expect("hashes");
    node.store.create_user(&name, role, &hash, now_micros()).expect("adds the user");
    name
}

async fn sign_in_as(node: &Node, user: &str, password: &str) -> reqwest::Response {
    let (csrf, cookie) = login_form(node).await;
    let request = browser().post(node.url("/ui/login")).header(COOKIE, format!("entente_login={cookie}"));
    form(request, &[("csrf", csrf.as_str()), ("user", user), ("password", password), ("next", "/ui")])
        .send()
        .await
        .expect("POST login")
}

fn session_of(response: &reqwest::Response) -> String {
    let cookie = set_cookie(response, "entente_session").expect("a session cookie");
    format!("entente_session={}", super::support::cookie_value(&cookie))
}

#[tokio::test]
async fn a_user_signs_in_with_name_and_password_and_sees_their_role() {
    let node = Node::start().await;
    add_user(&node, "maria.k", Role::Admin);
    let response = sign_in_as(&node, "maria.k", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let session = session_of(&response);
    let html = page(&node, "/ui", &session).await.text().await.expect("page");
    assert!(html.contains("maria.k · admin"), "{html}");

    for (user, password) in [("maria.k", "the wrong passphrase"), ("nobody", PASSWORD), ("Not A Name", PASSWORD)] {
        let response = sign_in_as(&node, user, password).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{user}");
        assert!(set_cookie(&response, "entente_session").is_none());
        let text = response.text().await.expect("page");
        assert!(text.contains("do not match an active account"), "{user}: the same answer for every failure");
    }
}

#[tokio::test]
async fn repeated_failures_lock_the_name_for_a_while() {
    let node = Node::start().await;
    add_user(&node, "soc-1", Role::Analyst);
    for _ in 0..5 {
        assert_eq!(sign_in_as(&node, "soc-1", "guess guess guess").await.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = sign_in_as(&node, "soc-1", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::UNAUTHORIZED);
    assert!(locked.text().await.expect("page").contains("too many failed sign-ins"));
    // Other names are not locked.
    add_user(&node, "soc-2", Role::Analyst);
    assert_eq!(sign_in_as(&node, "soc-2", PASSWORD).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn disabling_an_account_or_changing_its_password_ends_its_sessions() {
    let node = Node::start().await;
    let name = add_user(&node, "reader-1", Role::Reader);
    let session = session_of(&sign_in_as(&node, "reader-1", PASSWORD).await);
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::OK);
    let hash = PasswordHash::new("a different passphrase", [4; 16]).expect("hashes");
    node.store.set_user_password(&name, &hash).expect("sets the password");
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(sign_in_as(&node, "reader-1", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);

    let session = session_of(&sign_in_as(&node, "reader-1", "a different passphrase").await);
    node.store.disable_user(&name, now_micros()).expect("disables");
    assert_eq!(page(&node, "/ui", &session).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(sign_in_as(&node, "reader-1", "a different passphrase").await.status(), StatusCode::UNAUTHORIZED);
}
