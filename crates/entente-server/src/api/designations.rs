//! `GET /api/v1/designations/divergence`: who designates an entity and who does not
//! (`?entity=NAME|ID`), or what one authority lists and another does not
//! (`?between=a,b`). With neither: every entity more than one list names.
//!
//! A local caller sees the designations of the collections its role may read (the
//! TAXII rule). A partner's envoy is refused: the view is computed over many objects
//! at once, and partners receive designations object by object through sync, where
//! the release decision judges and the ledger records each one.
//!
//! The grouping is `entente_core::designation::divergence`; this handler only picks
//! the rows, runs it on the blocking pool and renders.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entente_core::designation::divergence::{self, Group, Link};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Debug, Deserialize)]
pub(crate) struct DivergenceQuery {
    entity: Option<String>,
    between: Option<String>,
}

pub(crate) async fn divergence(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<DivergenceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    if caller.0.partner.is_some() {
        let title = "the divergence view is for this node's own users; partners receive designations by sync";
        return Err(ApiError::new(StatusCode::FORBIDDEN, "designations-local-only", title));
    }
    let Query(query) =
        query.map_err(|rejection| ApiError::bad_request("invalid-request", format!("invalid query: {rejection}")))?;
    let between = query.between.as_deref().map(parse_between).transpose()?;
    if between.is_some() && query.entity.is_some() {
        return Err(ApiError::bad_request("invalid-request", "give entity or between, not both"));
    }
    let role = caller.role();
    let store = state.store.clone();
    let body = blocking(move || {
        let readable: Vec<String> = store
            .list_collections(None)?
            .into_iter()
            .filter(|collection| collection.can_read(role))
            .map(|collection| collection.id)
            .collect();
        let rows = store.designations_in(&readable)?;
        let links: Vec<Link> = store.designation_links()?.into_iter().map(|record| record.link).collect();
        let groups = divergence::group(&rows, &links);
        render(&groups, query.entity.as_deref(), between)
    })
    .await?;
    Ok(Json(body).into_response())
}

/// `a,b`: two authority keys.
fn parse_between(text: &str) -> Result<(String, String), ApiError> {
    match text.split(',').map(|key| key.trim().to_ascii_lowercase()).collect::<Vec<_>>().as_slice() {
        [a, b] if !a.is_empty() && !b.is_empty() && a != b => Ok((a.clone(), b.clone())),
        _ => Err(ApiError::bad_request("invalid-request", "between takes two different authority keys: between=ca,un")),
    }
}

fn render(groups: &[Group], entity: Option<&str>, between: Option<(String, String)>) -> Result<Value, ApiError> {
    if let Some((a, b)) = between {
        return serde_json::to_value(divergence::between(groups, &a, &b))
            .map_err(|error| ApiError::internal(error.to_string()));
    }
    let chosen: Vec<&Group> = match entity {
        Some(query) => {
            let found = divergence::find(groups, query);
            if found.is_empty() {
                return Err(ApiError::not_found(format!("a designated entity matching {query:?}")));
            }
            found
        }
        None => groups.iter().filter(|group| group.records.len() > 1).collect(),
    };
    Ok(json!({ "groups": chosen }))
}
