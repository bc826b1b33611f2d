//! One error type for every route, rendered as the TAXII error message resource.
//!
//! Each error carries a stable `error_code` (e.g. `invalid-filter`) that scripts can
//! rely on, and a description that tells a person what to do next. Internal errors
//! are logged with detail and shown without it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entente_core::taxii::{ErrorMessage, TAXII_MEDIA_TYPE};
use entente_store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub title: String,
    pub description: Option<String>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, title: impl Into<String>) -> ApiError {
        ApiError { status, code, title: title.into(), description: None }
    }

    pub fn describe(mut self, description: impl Into<String>) -> ApiError {
        self.description = Some(description.into());
        self
    }

    pub fn bad_request(code: &'static str, title: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, title)
    }

    pub fn not_found(what: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", format!("{} was not found", what.into()))
    }

    pub fn forbidden(title: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", title)
    }

    pub fn unauthorized(title: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", title)
            .describe("send `Authorization: Bearer TOKEN` (or HTTP Basic with the token as password); create tokens with `entente token create`")
    }

    pub fn internal(detail: impl Into<String>) -> ApiError {
        let detail = detail.into();
        tracing::error!(%detail, "internal error");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the node could not complete the request")
            .describe("the error was logged on the node; retry later or ask its operator")
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound(what) => ApiError::not_found(what),
            StoreError::AlreadyExists(what) => {
                ApiError::new(StatusCode::CONFLICT, "already-exists", format!("{what} already exists"))
            }
            StoreError::Invalid(reason) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", reason),
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorMessage {
            title: self.title,
            description: self.description,
            error_id: None,
            error_code: Some(self.code.to_owned()),
            http_status: Some(self.status.as_u16().to_string()),
            external_details: None,
            details: None,
        };
        let text = serde_json::to_string(&body).unwrap_or_else(|_| "{\"title\":\"error\"}".into());
        let mut response = (self.status, text).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(TAXII_MEDIA_TYPE));
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"entente\", Basic realm=\"entente\""),
            );
        }
        response
    }
}
