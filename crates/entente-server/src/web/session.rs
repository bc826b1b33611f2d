//! Sessions of the web interface: who is signed in, and proof that a form came from
//! one of this node's own pages.
//!
//! A session is 32 random bytes in an HttpOnly, SameSite=Strict cookie (Secure, with
//! the `__Host-` prefix, when the node serves HTTPS); the store keeps only its SHA-256
//! and ends it with its token or user account. Each session has a CSRF token that
//! every form sends back; [`Posted`] compares it in constant time and refuses a
//! request whose `Origin` is another site.

use crate::auth::{Caller, check_envoy};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use entente_core::auth::TokenHash;
use entente_store::Principal;
use serde::de::DeserializeOwned;

/// How long a session lasts from sign-in (a working day).
pub(crate) const SESSION_MICROS: i64 = 12 * 3600 * 1_000_000;

/// Largest form body accepted (forms are small; imports have their own route).
const FORM_LIMIT: usize = 256 * 1024;

/// The session cookie's name: `__Host-` binds it to this origin over HTTPS.
pub(crate) fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-entente_session" } else { "entente_session" }
}

/// The attributes of every cookie set here.
pub(crate) fn cookie_attributes(secure: bool) -> &'static str {
    if secure { "Path=/; HttpOnly; SameSite=Strict; Secure" } else { "Path=/; HttpOnly; SameSite=Strict" }
}

/// 32 random bytes, base64url: a session secret or a CSRF token.
pub(crate) fn random_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// The value of cookie `name` in a request's headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

/// Equal strings, compared without stopping at the first difference.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed-in viewer of a page.
#[derive(Debug, Clone)]
pub(crate) struct Viewer {
    pub(crate) principal: Principal,
    /// The session's CSRF token, put in every form of the page.
    pub(crate) csrf: String,
}

impl Viewer {
    /// The viewer as the API's caller: pages call what the API calls, with the same checks.
    pub(crate) fn caller(&self) -> Caller {
        Caller(self.principal.clone())
    }
}

/// Why a request has no viewer: pages send a browser to sign in, other requests are refused.
#[derive(Debug)]
pub(crate) enum NoViewer {
    SignIn(String),
    Refused(ApiError),
}

impl IntoResponse for NoViewer {
    fn into_response(self) -> Response {
        match self {
            NoViewer::SignIn(next) => {
                Redirect::to(&format!("/ui/login?next={}", percent_encode(&next))).into_response()
            }
            NoViewer::Refused(error) => super::render::error_page(&error),
        }
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = NoViewer;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sign_in = || {
            if parts.method == axum::http::Method::GET {
                let next = parts.uri.path_and_query().map_or("/ui", |p| p.as_str()).to_owned();
                NoViewer::SignIn(next)
            } else {
                NoViewer::Refused(ApiError::unauthorized("your session has ended: sign in again"))
            }
        };
        match signed_in(state, &parts.headers).await {
            Ok(Some(viewer)) => Ok(viewer),
            Ok(None) => Err(sign_in()),
            Err(error) => Err(NoViewer::Refused(error)),
        }
    }
}

/// The viewer whose live session cookie `headers` carry, if any.
pub(crate) async fn signed_in(state: &AppState, headers: &HeaderMap) -> Result<Option<Viewer>, ApiError> {
    let Some(secret) = cookie(headers, cookie_name(state.secure_cookies)) else { return Ok(None) };
    let now = crate::clock::now().unix_micros();
    let Some(session) = state.store.web_session(&TokenHash::of(secret), now)? else { return Ok(None) };
    if let Some(partner) = &session.principal.partner {
        check_envoy(state, partner).await?;
    }
    Ok(Some(Viewer { principal: session.principal, csrf: session.csrf }))
}

/// A form posted by one of this node's pages: the viewer, and the form's fields as
/// `T`. Refused (403, nothing done) when the CSRF token is missing or wrong or the
/// request comes from another site.
#[derive(Debug)]
pub(crate) struct Posted<T> {
    pub(crate) viewer: Viewer,
    pub(crate) form: T,
}

/// Whether the browser says the request came from another site.
pub(crate) fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, rest)| rest) != Some(host),
        _ => false,
    }
}

fn forbidden(title: &str) -> NoViewer {
    NoViewer::Refused(
        ApiError::new(StatusCode::FORBIDDEN, "csrf", title.to_owned())
            .describe("reload the page and send the form again; nothing was changed"),
    )
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for Posted<T> {
    type Rejection = NoViewer;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let viewer = Viewer::from_request_parts(&mut parts, state).await?;
        if cross_site(&parts.headers) {
            return Err(forbidden("this form was sent from another site"));
        }
        let bytes = axum::body::to_bytes(body, FORM_LIMIT).await.map_err(|_| {
            NoViewer::Refused(ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too-large", "the form is too large"))
        })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| NoViewer::Refused(ApiError::bad_request("invalid-form", error.to_string())))?;
        let presented = fields.iter().find(|(key, _)| key == "csrf").map(|(_, value)| value.as_str());
        if !presented.is_some_and(|token| same_secret(token, &viewer.csrf)) {
            return Err(forbidden("this form's security token is missing or stale"));
        }
        let form = serde_urlencoded::from_bytes(&bytes)
            .map_err(|error| NoViewer::Refused(ApiError::bad_request("invalid-form", error.to_string())))?;
        Ok(Posted { viewer, form })
    }
}

/// Checks a script's request (the import's upload, a JSON body that [`Posted`] cannot
/// read): the session's CSRF token must come in the `x-csrf-token` header, compared in
/// constant time, and the request must come from this site. Refused with 403 otherwise.
pub(crate) fn check_csrf_header(viewer: &Viewer, headers: &HeaderMap) -> Result<(), NoViewer> {
    if cross_site(headers) {
        return Err(forbidden("this request was sent from another site"));
    }
    let presented = headers.get("x-csrf-token").and_then(|value| value.to_str().ok());
    if !presented.is_some_and(|token| same_secret(token, &viewer.csrf)) {
        return Err(forbidden("this request's security token is missing or stale"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn reads_cookies_and_compares_secrets() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; entente_session=xyz; b=2"));
        assert_eq!(cookie(&headers, "entente_session"), Some("xyz"));
        assert_eq!(cookie(&headers, "entente"), None);
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }

    #[test]
    fn tells_cross_site_requests() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut headers = HeaderMap::new();
            for (name, value) in pairs {
                headers.insert(*name, HeaderValue::from_static(value));
            }
            cross_site(&headers)
        };
        assert!(!with(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]));
        assert!(with(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")]));
        assert!(with(&[("host", "127.0.0.1:8080"), ("origin", "null")]));
        assert!(with(&[("sec-fetch-site", "cross-site")]));
        assert!(!with(&[("sec-fetch-site", "same-origin")]));
        assert!(!with(&[("host", "127.0.0.1:8080")]));
    }

    #[test]
    fn sign_in_keeps_where_the_viewer_was_going() {
        assert_eq!(percent_encode("/ui/intel?q=a b&x=<"), "/ui/intel%3Fq%3Da%20b%26x%3D%3C");
    }
}
