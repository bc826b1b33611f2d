//! `GET /{api_root}/status/{id}/`: the outcome of an earlier POST.

use super::{TaxiiPath, taxii_json, to_json};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use entente_core::auth::Role;

/// Only the token that made the request, or an admin, may read its status: it lists
/// object ids the caller might not otherwise be allowed to know about.
pub(crate) async fn status(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, id)): TaxiiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let found = state.store.status(&api_root, &id)?;
    let not_found = || ApiError::not_found(format!("status {id:?} in API root {api_root:?}"));
    let (owner, status) = found.ok_or_else(not_found)?;
    if owner != caller.0.token_id && caller.role() != Role::Admin {
        return Err(not_found());
    }
    Ok(taxii_json(StatusCode::OK, to_json(&status)?))
}
