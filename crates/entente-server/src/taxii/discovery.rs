//! `GET /taxii2/` (discovery) and `GET /{api_root}/` (API root information).

use super::{TaxiiPath, taxii_json, to_json};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use entente_core::taxii::{ApiRootInfo, Discovery, TAXII_MEDIA_TYPE};

pub(crate) async fn discovery(State(state): State<AppState>, _caller: Caller) -> Result<Response, ApiError> {
    let (roots, settings) = (state.store.list_api_roots()?, state.store.node_settings().ok());
    let url = |name: &str| format!("/{name}/");
    let body = Discovery {
        title: settings
            .as_ref()
            .map_or_else(|| state.config.title.clone(), |node| format!("Entente node {}", node.name)),
        description: state.config.description.clone(),
        contact: state.config.contact.clone(),
        default: settings.map(|node| url(&node.default_api_root)),
        api_roots: roots.iter().map(|root| url(&root.name)).collect(),
    };
    Ok(taxii_json(StatusCode::OK, to_json(&body)?))
}

pub(crate) async fn api_root(
    State(state): State<AppState>,
    _caller: Caller,
    TaxiiPath(name): TaxiiPath<String>,
) -> Result<Response, ApiError> {
    let root = state.store.api_root(&name)?.ok_or_else(|| ApiError::not_found(format!("API root {name:?}")))?;
    let body = ApiRootInfo {
        title: root.title,
        description: root.description,
        versions: vec![TAXII_MEDIA_TYPE.to_owned()],
        max_content_length: state.config.max_body_bytes as u64,
    };
    Ok(taxii_json(StatusCode::OK, to_json(&body)?))
}
