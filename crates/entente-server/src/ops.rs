//! Operational endpoints: `/healthz` (no authentication, for probes) and `/metrics`
//! (authenticated, Prometheus text format).

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::json;

/// Liveness and readiness: answers 200 when the database can be read.
pub(crate) async fn healthz(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    state.store.list_api_roots()?;
    Ok(Json(json!({"status": "ok"})))
}

/// Prometheus metrics for any authenticated caller: they hold counts, never content.
pub(crate) async fn metrics(State(state): State<AppState>, _caller: Caller) -> Result<impl IntoResponse, ApiError> {
    // Counting scans the table: not a quick read, so it leaves the async workers.
    let store = state.store.clone();
    let stored = blocking(move || Ok(store.count_objects(None)?)).await?;
    let mut text = state.metrics.render();
    text.push_str("# HELP entente_objects_stored Object versions held in the store.\n");
    text.push_str("# TYPE entente_objects_stored gauge\n");
    text.push_str(&format!("entente_objects_stored {stored}\n"));
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text))
}
