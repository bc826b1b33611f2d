//! `POST /federation/v1/poke`: a partner tells this node its feed has news. The poke
//! carries no data, only a signed wake-up: this node then pulls the partner's feed.

use super::feed::sync_off;
use crate::blocking::blocking;
use crate::clock::now;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entente_core::sync::{MAX_REQUEST_BYTES, RequestKind};
use serde_json::json;

pub(crate) async fn poke(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let syncer = state.syncer.clone().ok_or_else(sync_off)?;
    let bytes = to_bytes(body, MAX_REQUEST_BYTES + 1).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request-too-large", "a sync request is at most 16 KiB")
    })?;
    let checker = syncer.clone();
    let sender = blocking(move || {
        let now = now();
        let request = checker.accept(&bytes, now)?;
        if request.kind != RequestKind::Poke {
            return Err(ApiError::bad_request("not-a-poke", "this endpoint answers pokes; feed requests go to /feed"));
        }
        let may = checker
            .diplomat()
            .may_exchange(&request.sender, now)
            .map_err(|error| ApiError::internal(error.to_string()))?;
        if !may {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "relation-not-in-force",
                format!("no treaty or shared alliance between this node and {} is in force", request.sender),
            ));
        }
        Ok(request.sender)
    })
    .await?;
    syncer.mark_dirty(sender);
    Ok((StatusCode::ACCEPTED, Json(json!({"accepted": true}))).into_response())
}
