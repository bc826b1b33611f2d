//! `/ui/intel/import`: bring a file of intelligence in from the browser.
//!
//! The page has a drop zone whose script (`assets/intel-import.js`) uploads the file
//! to `/ui/intel/import/upload` with a progress bar and shows the outcome; the
//! session's CSRF token travels in the `x-csrf-token` header (a file is not a form).
//! Without JavaScript the same page posts a pasted bundle as an ordinary form. Both
//! need a role that may write the chosen collection (analysts and administrators, as
//! for TAXII adds) and both import through [`super::ingest`].

use super::ingest::{Outcome, import};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page, page_with};
use crate::web::session::{NoViewer, Posted, Viewer, check_csrf_header};
use askama::Template;
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use entente_core::auth::Role;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "intel_import.html")]
struct ImportPage {
    chrome: Chrome,
    /// Collections the viewer may write: (id, title), the node's default first.
    collections: Vec<(String, String)>,
    max_bytes: usize,
    outcome: Option<Outcome>,
    pasted: String,
}

impl ImportPage {
    /// The body limit in words: `32 MiB`.
    fn max_size(&self) -> String {
        match self.max_bytes {
            bytes if bytes >= 1 << 20 => format!("{} MiB", bytes >> 20),
            bytes if bytes >= 1 << 10 => format!("{} KiB", bytes >> 10),
            bytes => format!("{bytes} bytes"),
        }
    }
}

/// The collections `viewer` may import into, or why it may not import at all.
fn writable(state: &AppState, viewer: &Viewer) -> Result<Vec<(String, String)>, ApiError> {
    let role = viewer.principal.role;
    if !matches!(role, Role::Analyst | Role::Admin) {
        return Err(ApiError::forbidden(format!("the {role} role may not import intelligence"))
            .describe("importing needs an analyst's or an administrator's sign-in"));
    }
    let default = state.store.node_settings()?.default_collection;
    let mut collections: Vec<(String, String)> = state
        .store
        .list_collections(None)?
        .into_iter()
        .filter(|collection| collection.can_write(role))
        .map(|collection| (collection.id, collection.title))
        .collect();
    collections.sort_by_key(|(id, _)| *id != default);
    if collections.is_empty() {
        return Err(ApiError::forbidden(format!("no collection may be written by the {role} role"))
            .describe("an administrator can create one with `entente collection create`"));
    }
    Ok(collections)
}

/// The chosen collection, if the viewer may write it; the first one when none is chosen.
fn target(collections: &[(String, String)], chosen: &str) -> Result<String, ApiError> {
    if chosen.is_empty() {
        return Ok(collections.first().map(|(id, _)| id.clone()).unwrap_or_default());
    }
    collections.iter().find(|(id, _)| id == chosen).map(|(id, _)| id.clone()).ok_or_else(|| {
        ApiError::not_found(format!("collection {chosen:?} among those you may write"))
            .describe("choose one of the collections the import page lists")
    })
}

pub(crate) async fn form(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let collections = writable(&state, &viewer)?;
    let import = ImportPage {
        chrome: Chrome::new(&viewer, "/ui/intel"),
        collections,
        max_bytes: state.config.max_body_bytes,
        outcome: None,
        pasted: String::new(),
    };
    Ok(page(&import))
}

/// The no-JavaScript form: a pasted file.
#[derive(Debug, Deserialize)]
pub(crate) struct Pasted {
    #[serde(default)]
    bundle: String,
    #[serde(default)]
    collection: String,
}

pub(crate) async fn submit(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<Pasted>,
) -> Result<Response, PageError> {
    let collections = writable(&state, &viewer)?;
    let collection = target(&collections, &form.collection)?;
    let store = state.store.clone();
    let bytes = form.bundle.clone().into_bytes();
    let outcome = blocking(move || import(&store, &collection, &bytes)).await?;
    state.streams.wake();
    let status = if outcome.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let import = ImportPage {
        chrome: Chrome::new(&viewer, "/ui/intel"),
        collections,
        max_bytes: state.config.max_body_bytes,
        pasted: if outcome.error.is_some() { form.bundle } else { String::new() },
        outcome: Some(outcome),
    };
    Ok(page_with(status, &import))
}

/// The script's upload: the file as the body, `?collection=` to choose where; answers
/// the outcome as JSON (422 when the file could not be read, nothing stored).
pub(crate) async fn upload(
    State(state): State<AppState>,
    viewer: Viewer,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Body,
) -> Result<Response, NoViewer> {
    check_csrf_header(&viewer, &headers)?;
    let refused = |error: ApiError| NoViewer::Refused(error);
    let collections = writable(&state, &viewer).map_err(refused)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.as_deref().unwrap_or(""))
        .map_err(|error| refused(ApiError::bad_request("invalid-query", error.to_string())))?;
    let chosen = pairs.iter().find(|(key, _)| key == "collection").map(|(_, value)| value.as_str()).unwrap_or("");
    let collection = target(&collections, chosen).map_err(refused)?;
    let limit = state.config.max_body_bytes;
    let bytes = to_bytes(body, limit).await.map_err(|_| {
        refused(
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                format!("the file is larger than this node accepts ({limit} bytes)"),
            )
            .describe("split it, or import it on the node with `entente intel import`"),
        )
    })?;
    let store = state.store.clone();
    let outcome = blocking(move || import(&store, &collection, &bytes)).await.map_err(refused)?;
    state.streams.wake();
    let status = if outcome.error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Json(outcome)).into_response())
}
