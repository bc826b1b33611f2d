//! Signing in with an API token or a user account (name and password), and signing out.
//!
//! Passwords are checked against their Argon2id hash off the async workers; a name
//! with too many failures in a row is locked for a minute (`throttle.rs`). Wrong name
//! and wrong password get the same answer. The sign-in form is protected against login CSRF by a double-submitted value: a
//! short-lived cookie and a hidden field that must agree. A token that is unknown or
//! revoked gets the same answer as any other failure; a partner's envoy credential
//! signs in only while its relation is in force, and then sees what its treaties
//! release, like over TAXII.

use super::render::page_with;
use super::session::{
    Posted, SESSION_MICROS, cookie, cookie_attributes, cookie_name, cross_site, random_secret, same_secret, signed_in,
};
use crate::auth::check_envoy;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use entente_core::auth::{Role, TokenHash};
use entente_core::password::{PasswordHash, UserName};
use entente_store::{NewWebSession, Principal};
use serde::Deserialize;

const LOGIN_COOKIE: &str = "entente_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    next: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only a path of this interface may be where sign-in leads (no open redirect).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with("/ui") && !path.starts_with("//") && !path.contains('\\') => path.to_owned(),
        _ => "/ui".to_owned(),
    }
}

fn login_page(state: &AppState, next: String, error: Option<String>, status: StatusCode) -> Result<Response, ApiError> {
    let csrf = random_secret()?;
    let mut response = page_with(status, &LoginPage { csrf: csrf.clone(), next, error });
    let value = format!("{LOGIN_COOKIE}={csrf}; Max-Age=900; {}", cookie_attributes(state.secure_cookies));
    response.headers_mut().append(header::SET_COOKIE, header_value(&value)?);
    Ok(response)
}

fn header_value(text: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(text).map_err(|error| ApiError::internal(format!("header: {error}")))
}

pub(crate) async fn form(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, ApiError> {
    let next = safe_next(query.next.as_deref());
    if signed_in(&state, &headers).await.ok().flatten().is_some() {
        return Ok(Redirect::to(&next).into_response());
    }
    login_page(&state, next, None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignIn {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Who signs in: a token's principal, or a user account.
enum Who {
    Token(Principal),
    User(UserName, Role),
}

/// Checks a name and password; `Err` is the reason shown to the person.
async fn check_password(state: &AppState, name: &str, password: String) -> Result<Result<Who, String>, ApiError> {
    let wrong = || "this name and password do not match an active account".to_owned();
    let Ok(name) = UserName::parse(name) else { return Ok(Err(wrong())) };
    let now = crate::clock::now().unix_micros();
    if let Err(seconds) = state.sign_in_throttle.check(name.as_str(), now) {
        return Ok(Err(format!("too many failed sign-ins for this name: try again in {seconds} s")));
    }
    let store = state.store.clone();
    let lookup = name.clone();
    let matched = blocking(move || {
        let credentials = store.user_credentials(&lookup)?;
        // Unknown names cost a hash too, so timing does not tell which names exist.
        let (role, hash) = match credentials {
            Some((role, hash)) => (Some(role), hash),
            None => (None, decoy_hash()),
        };
        Ok(role.filter(|_| hash.verify(&password)))
    })
    .await?;
    Ok(match matched {
        Some(role) => {
            state.sign_in_throttle.succeeded(name.as_str());
            Ok(Who::User(name, role))
        }
        None => {
            state.sign_in_throttle.failed(name.as_str(), now);
            tracing::warn!(user = %name.as_str(), "web sign-in failed");
            Err(wrong())
        }
    })
}

/// A hash no password matches in practice, verified for unknown names.
fn decoy_hash() -> PasswordHash {
    static DECOY: std::sync::OnceLock<PasswordHash> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| PasswordHash::new("no account has this password", [42; 16]).expect("hashes")).clone()
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let form: SignIn = serde_urlencoded::from_bytes(&body)
        .map_err(|error| ApiError::bad_request("invalid-form", format!("the sign-in form is not readable: {error}")))?;
    let next = safe_next(form.next.as_deref());
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if cross_site(&headers) || expected.is_empty() || !same_secret(expected, &form.csrf) {
        let reason = "the sign-in form expired or came from another site: sign in again".to_owned();
        return login_page(&state, next, Some(reason), StatusCode::FORBIDDEN);
    }
    let refused = |reason: &str| login_page(&state, next.clone(), Some(reason.to_owned()), StatusCode::UNAUTHORIZED);
    let who = if !form.user.trim().is_empty() {
        match check_password(&state, &form.user, form.password).await? {
            Ok(who) => who,
            Err(reason) => return refused(&reason),
        }
    } else {
        let token = form.token.trim();
        if token.is_empty() {
            return refused(
                "give an API token (`entente token create --role analyst --name NAME` makes one) or a user name and password",
            );
        }
        let Some(principal) = state.store.authenticate(&TokenHash::of(token))? else {
            return refused("this token is unknown or revoked");
        };
        if let Some(partner) = &principal.partner
            && let Err(error) = check_envoy(&state, partner).await
        {
            return refused(&error.title);
        }
        Who::Token(principal)
    };
    let secret = random_secret()?;
    let csrf = random_secret()?;
    let now = crate::clock::now().unix_micros();
    let (token_id, user, name, role) = match &who {
        Who::Token(principal) => (Some(principal.token_id.as_str()), None, principal.name.as_str(), principal.role),
        Who::User(name, role) => (None, Some(name.as_str()), name.as_str(), *role),
    };
    state.store.create_web_session(&NewWebSession {
        hash: &TokenHash::of(&secret),
        token_id,
        user,
        csrf: &csrf,
        now_micros: now,
        expires_micros: now + SESSION_MICROS,
    })?;
    tracing::info!(principal = %name, role = %role.as_str(), "web sign-in");
    let mut response = Redirect::to(&next).into_response();
    let secure = state.secure_cookies;
    let session = format!(
        "{}={secret}; Max-Age={}; {}",
        cookie_name(secure),
        SESSION_MICROS / 1_000_000,
        cookie_attributes(secure)
    );
    response.headers_mut().append(header::SET_COOKIE, header_value(&session)?);
    let spent = format!("{LOGIN_COOKIE}=; Max-Age=0; {}", cookie_attributes(secure));
    response.headers_mut().append(header::SET_COOKIE, header_value(&spent)?);
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub(crate) struct SignOut {}

pub(crate) async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    posted: Posted<SignOut>,
) -> Result<Response, ApiError> {
    let secure = state.secure_cookies;
    if let Some(secret) = cookie(&headers, cookie_name(secure)) {
        state.store.end_web_session(&TokenHash::of(secret))?;
    }
    let SignOut {} = posted.form;
    tracing::info!(principal = %posted.viewer.principal.name, "web sign-out");
    let mut response = Redirect::to("/ui/login").into_response();
    let cleared = format!("{}=; Max-Age=0; {}", cookie_name(secure), cookie_attributes(secure));
    response.headers_mut().append(header::SET_COOKIE, header_value(&cleared)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn sign_in_leads_only_into_the_interface() {
        assert_eq!(safe_next(Some("/ui/intel?q=x")), "/ui/intel?q=x");
        assert_eq!(safe_next(Some("https://evil.example/ui")), "/ui");
        assert_eq!(safe_next(Some("//evil.example")), "/ui");
        assert_eq!(safe_next(Some("/ui\\@evil")), "/ui");
        assert_eq!(safe_next(None), "/ui");
    }
}
