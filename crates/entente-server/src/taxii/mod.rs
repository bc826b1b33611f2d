//! TAXII 2.1 handlers and what they share: negotiation, filters, collection access
//! and responses with the TAXII media type.

pub(crate) mod add;
pub(crate) mod collections;
pub(crate) mod discovery;
pub(crate) mod objects;
pub(crate) mod released;
pub(crate) mod status;

use crate::auth::Caller;
use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use entente_core::taxii::{Filter, FilterScope, TAXII_MEDIA_TYPE, accepts_taxii};
use entente_store::{Collection, Store};

/// Middleware: refuses requests whose `Accept` excludes TAXII 2.1 (406).
pub(crate) async fn negotiate(request: Request, next: Next) -> Response {
    let accept = request.headers().get(header::ACCEPT).map(|value| value.to_str().unwrap_or("\u{0}"));
    if !accepts_taxii(accept) {
        return ApiError::new(
            StatusCode::NOT_ACCEPTABLE,
            "not-acceptable",
            "this server answers only application/taxii+json;version=2.1",
        )
        .describe("send `Accept: application/taxii+json;version=2.1`")
        .into_response();
    }
    next.run(request).await
}

/// Path parameters, with malformed paths (bad percent-encoding, invalid UTF-8)
/// answered as TAXII errors instead of axum's plain-text rejection.
pub(crate) struct TaxiiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for TaxiiPath<T>
where
    T: serde::de::DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(TaxiiPath(value)),
            Err(rejection) => Err(ApiError::bad_request("invalid-path", rejection.body_text())),
        }
    }
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "this resource does not support that method")
        .describe("TAXII resources are read with GET; objects are added with POST and removed with DELETE")
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::not_found("this resource").describe("start from /taxii2/ to discover the API roots")
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("a request handler panicked").into_response()
}

/// A JSON body with the TAXII media type.
pub(crate) fn taxii_json(status: StatusCode, body: String) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA_TYPE));
    response
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|error| ApiError::internal(error.to_string()))
}

/// Parses the query string into a TAXII filter for one endpoint.
pub(crate) fn parse_filter(query: Option<&str>, scope: FilterScope) -> Result<Filter, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or("")).map_err(|error| {
        ApiError::bad_request("invalid-query", format!("the query string cannot be decoded: {error}"))
    })?;
    Filter::parse(&pairs, scope).map_err(|error| {
        ApiError::bad_request("invalid-filter", error.to_string()).describe(
            "filters are added_after (timestamp), limit (positive integer), next (from a previous page), \
             match[id], match[type], match[version] (first, last, all or timestamps) and match[spec_version]",
        )
    })
}

/// What a caller wants to do with a collection.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    Write,
    ReadWrite,
}

/// Finds a collection in an API root and checks the caller's access. A collection
/// the caller can neither read nor write is reported as not found, so its existence
/// does not leak.
pub(crate) fn collection_for(
    store: &Store,
    api_root: &str,
    id: &str,
    caller: &Caller,
    access: Access,
) -> Result<Collection, ApiError> {
    let collection = store
        .api_root_collection(api_root, id)?
        .ok_or_else(|| ApiError::not_found(format!("API root {api_root:?}")))?
        .filter(|collection| collection.can_read(caller.role()) || collection.can_write(caller.role()))
        .ok_or_else(|| ApiError::not_found(format!("collection {id:?} in API root {api_root:?}")))?;
    let role = caller.role();
    let allowed = match access {
        Access::Read => collection.can_read(role),
        Access::Write => collection.can_write(role),
        Access::ReadWrite => collection.can_read(role) && collection.can_write(role),
    };
    if !allowed {
        let needed = match access {
            Access::Read => "read",
            Access::Write => "write",
            Access::ReadWrite => "read and write",
        };
        return Err(ApiError::forbidden(format!("the {role} role may not {needed} collection {id}")));
    }
    Ok(collection)
}
