//! What the node knows about one object: `GET /api/v1/objects/{id}/techniques`,
//! `…/warnings` and `…/score` (see `crate::knowledge`).
//!
//! Visibility is the TAXII rule: a local token sees an object only in the collections
//! its role may read; a partner's envoy sees it only if the release decision (the
//! `Gate`, as for envoy TAXII reads) lets it have the latest version, and that read is
//! a ledger `release` (`channel:api`) like any other. For an envoy only the object as
//! released is consulted — relationships and sightings held here are not, since they
//! were not judged for it — so an envoy's score counts no sightings.
//! An object the caller may not see is reported as not found, so its existence does
//! not leak.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::knowledge::techniques;
use crate::state::AppState;
use crate::taxii::released;
use axum::Json;
use axum::extract::{Path, State};
use entente_core::StixId;
use entente_core::taxii::{Filter, VersionSelector};
use serde_json::{Value, json};

/// The latest version of an object the caller may see, and the collections whose
/// relationships and sightings may be consulted for it.
pub(crate) struct Visible {
    pub(crate) object: Value,
    pub(crate) collections: Vec<String>,
    /// The version as stored (as released, for an envoy) and the collection it is in.
    pub(crate) row: entente_store::ObjectRow,
    pub(crate) collection: String,
}

/// The object `id` as `caller` may see it (the web's object page uses it too).
pub(crate) fn find(state: &AppState, caller: &Caller, id: &StixId) -> Result<Visible, ApiError> {
    let now = crate::clock::now();
    let gate = released::gate_for(state, caller, now)?;
    let readable: Vec<String> = state
        .store
        .list_collections(None)?
        .into_iter()
        .filter(|collection| collection.can_read(caller.role()))
        .map(|collection| collection.id)
        .collect();
    let versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    let filter = Filter { versions, ..Filter::everything() };
    for collection in &readable {
        let page = state.store.query_full(collection, Some(id.as_str()), &filter, 1)?;
        let page = match &gate {
            Some(gate) => gate.release_page(&state.store, page, Some("api"))?,
            None => page,
        };
        if let Some(row) = page.rows.first() {
            let object = serde_json::from_str(&row.json).map_err(|error| ApiError::internal(error.to_string()))?;
            let collections = if gate.is_some() { Vec::new() } else { readable.clone() };
            return Ok(Visible { object, collections, row: row.clone(), collection: collection.clone() });
        }
    }
    Err(ApiError::not_found(format!("object {id}")))
}

fn object_id(text: &str) -> Result<StixId, ApiError> {
    StixId::parse(text).map_err(|error| ApiError::bad_request("invalid-object-id", error.to_string()))
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(error.to_string())
}

pub(crate) async fn techniques_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = object_id(&id)?;
    blocking(move || {
        let visible = find(&state, &caller, &id)?;
        let found = techniques(&state.store, &visible.object, &visible.collections).map_err(internal)?;
        Ok(Json(json!({"object": id.as_str(), "techniques": found})))
    })
    .await
}

pub(crate) async fn warnings_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = object_id(&id)?;
    blocking(move || {
        let visible = find(&state, &caller, &id)?;
        let knowledge = state.knowledge.get(&state.store).map_err(internal)?;
        let hits = knowledge.warnings(&visible.object);
        let tags = knowledge.tags(&visible.object);
        Ok(Json(json!({"object": id.as_str(), "flagged": !hits.is_empty(), "warnings": hits, "tags": tags})))
    })
    .await
}

pub(crate) async fn score_of(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = object_id(&id)?;
    blocking(move || {
        let visible = find(&state, &caller, &id)?;
        let knowledge = state.knowledge.get(&state.store).map_err(internal)?;
        let score = knowledge
            .score(&state.store, &visible.object, &visible.collections, crate::clock::now())
            .map_err(internal)?
            .ok_or_else(|| {
                ApiError::bad_request(
                    "not-an-indicator",
                    format!("{id} is not an indicator; only indicators are scored"),
                )
            })?;
        Ok(Json(json!({"object": id.as_str(), "score": score})))
    })
    .await
}
