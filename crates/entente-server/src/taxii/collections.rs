//! `GET /{api_root}/collections/` and `GET /{api_root}/collections/{id}/`.

use super::{Access, TaxiiPath, collection_for, taxii_json, to_json};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use entente_core::auth::Role;
use entente_core::taxii::{CollectionInfo, Collections, STIX_MEDIA_TYPE};
use entente_store::Collection;

fn info(collection: Collection, role: Role) -> CollectionInfo {
    CollectionInfo {
        can_read: collection.can_read(role),
        can_write: collection.can_write(role),
        id: collection.id,
        title: collection.title,
        description: collection.description,
        alias: collection.alias,
        media_types: vec![STIX_MEDIA_TYPE.to_owned()],
    }
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(api_root): TaxiiPath<String>,
) -> Result<Response, ApiError> {
    let role = caller.role();
    if state.store.api_root(&api_root)?.is_none() {
        return Err(ApiError::not_found(format!("API root {api_root:?}")));
    }
    let collections = state.store.list_collections(Some(&api_root))?;
    let visible = collections
        .into_iter()
        .filter(|collection| collection.can_read(role) || collection.can_write(role))
        .map(|collection| info(collection, role))
        .collect();
    Ok(taxii_json(StatusCode::OK, to_json(&Collections { collections: visible })?))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, id)): TaxiiPath<(String, String)>,
) -> Result<Response, ApiError> {
    let store = &state.store;
    let role = caller.role();
    // Listing a collection's description needs any access at all, not read specifically.
    let collection = collection_for(store, &api_root, &id, &caller, Access::Read).or_else(|error| {
        if error.status == StatusCode::FORBIDDEN {
            collection_for(store, &api_root, &id, &caller, Access::Write)
        } else {
            Err(error)
        }
    })?;
    Ok(taxii_json(StatusCode::OK, to_json(&info(collection, role))?))
}
