//! The native JSON API (`/api/v1/…`): the operations of diplomacy for scripts and
//! the web interface, described by the OpenAPI document served at
//! `/api/v1/openapi.json`.
//!
//! Every handler is thin: authenticate (admin role), parse, one `Diplomat` call on
//! the blocking pool, render. Errors are the same `ApiError` bodies as TAXII, with
//! the diplomacy error codes (`illegal-move`, `fingerprint-mismatch`, …).

pub(crate) mod correlations;
pub(crate) mod objects;
pub(crate) mod relations;
// Issue 5: designations and their divergence.
pub(crate) mod designations;
pub(crate) mod search;
pub(crate) mod stream;

use crate::error::ApiError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

/// The OpenAPI 3.1 document of this API.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");

pub(crate) async fn openapi() -> Response {
    let mut response = OPENAPI.into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Reads a JSON request body; an empty body reads as `T::default()`, so moves that
/// need no content can be posted bare. Refusals carry the API's error codes.
pub(crate) fn read_body<T: DeserializeOwned + Default>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes).map_err(|error| {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid-request", format!("the request body does not fit: {error}"))
    })
}

pub(crate) fn federation_off() -> ApiError {
    ApiError::not_found("federation on this node").describe("the node was started without its signing key")
}

#[cfg(test)]
mod tests {
    use super::OPENAPI;

    /// Every non-TAXII route in the routing table is described in the OpenAPI
    /// document, and the document describes no route that does not exist.
    #[test]
    fn openapi_matches_the_routing_table() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let documented: Vec<&str> = document["paths"].as_object().unwrap().keys().map(String::as_str).collect();
        let table = include_str!("../routes.rs");
        let routed: Vec<&str> = table
            .split(".route(\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .filter(|path| !path.starts_with("/taxii2") && !path.starts_with("/{api_root}"))
            .collect();
        for path in &routed {
            assert!(documented.contains(path), "{path} is routed but not in openapi.json");
        }
        for path in &documented {
            assert!(routed.contains(path), "{path} is in openapi.json but not routed");
        }
    }
}
