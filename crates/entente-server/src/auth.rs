//! Authentication as a request extractor.
//!
//! A handler that takes a [`Caller`] argument cannot run for an unauthenticated
//! request. Tokens arrive as `Authorization: Bearer TOKEN`, or as HTTP Basic with any
//! user name and the token as password, which is what stock TAXII clients send.
//! The token is hashed and looked up; the secret itself is never logged or kept.

use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use entente_core::auth::{Role, TokenHash};
use entente_store::Principal;

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller(pub Principal);

impl Caller {
    pub fn role(&self) -> Role {
        self.0.role
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.0.role == role { Ok(()) } else { Err(ApiError::forbidden(format!("this needs the {role} role"))) }
    }
}

/// Pulls the presented token out of an `Authorization` header value.
fn presented_token(header: &str) -> Option<String> {
    let (scheme, rest) = header.trim().split_once(' ')?;
    let rest = rest.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        return Some(rest.to_owned());
    }
    if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(rest).ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (_user, password) = text.split_once(':')?;
        return Some(password.to_owned());
    }
    None
}

/// An envoy's credential works only while its relation is in force.
pub(crate) async fn check_envoy(state: &AppState, partner: &str) -> Result<(), ApiError> {
    let suspended = || {
        ApiError::new(
            axum::http::StatusCode::FORBIDDEN,
            "relation-not-in-force",
            format!("the relation with {partner} is not in force: its envoy credentials do not work now"),
        )
    };
    let diplomat = state.diplomat.clone().ok_or_else(suspended)?;
    let partner_id = entente_core::StixId::parse(partner).map_err(|_| suspended())?;
    let now = crate::clock::now();
    let permitted = blocking(move || {
        diplomat.envoy_permitted(&partner_id, now).map_err(|error| ApiError::internal(error.to_string()))
    })
    .await?;
    if permitted { Ok(()) } else { Err(suspended()) }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(AUTHORIZATION)
            .ok_or_else(|| ApiError::unauthorized("authentication required"))?
            .to_str()
            .map_err(|_| ApiError::unauthorized("the Authorization header is not readable text"))?;
        let token = presented_token(header)
            .ok_or_else(|| ApiError::unauthorized("the Authorization header must be Bearer or Basic"))?;
        let hash = TokenHash::of(&token);
        let principal = state.store.authenticate(&hash)?;
        let principal = principal.ok_or_else(|| ApiError::unauthorized("the token is unknown or revoked"))?;
        if let Some(partner) = &principal.partner {
            check_envoy(state, partner).await?;
        }
        Ok(Caller(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::presented_token;

    #[test]
    fn reads_bearer_and_basic() {
        assert_eq!(presented_token("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(presented_token("bearer   abc ").as_deref(), Some("abc"));
        // "user:ent_x" in base64
        assert_eq!(presented_token("Basic dXNlcjplbnRfeA==").as_deref(), Some("ent_x"));
        assert_eq!(presented_token("Basic !!!"), None);
        assert_eq!(presented_token("Digest abc"), None);
        assert_eq!(presented_token("Bearer"), None);
    }
}
