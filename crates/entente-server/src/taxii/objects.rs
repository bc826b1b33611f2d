//! Reading and deleting objects: `objects/`, `manifest/`, `objects/{id}/`,
//! `objects/{id}/versions/`.

use super::{Access, TaxiiPath, collection_for, parse_filter, released, taxii_json, to_json};
use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::{AppState, ServerConfig};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use entente_core::taxii::{ENVELOPE_OPEN, FilterScope, Manifest, ManifestRecord, Versions, close_envelope};
use entente_core::{StixId, Timestamp};
use entente_store::{ObjectRow, Page, PageInfo};

fn page_size(config: &ServerConfig, limit: Option<u32>) -> u32 {
    limit.unwrap_or(config.default_page_size).min(config.max_page_size)
}

fn date_added(micros: i64) -> String {
    Timestamp::from_unix_micros(micros).to_string()
}

/// Adds the `X-TAXII-Date-Added-First/Last` headers of a page.
fn with_date_headers(mut response: Response, first: Option<i64>, last: Option<i64>) -> Response {
    for (name, value) in [("x-taxii-date-added-first", first), ("x-taxii-date-added-last", last)] {
        if let Some(header) = value.map(date_added).and_then(|text| HeaderValue::from_str(&text).ok()) {
            response.headers_mut().insert(name, header);
        }
    }
    response
}

fn with_row_headers(response: Response, rows: &[ObjectRow]) -> Response {
    let first = rows.iter().map(|row| row.date_added_micros).min();
    let last = rows.iter().map(|row| row.date_added_micros).max();
    with_date_headers(response, first, last)
}

/// Runs one paged query on a readable collection and answers with the envelope,
/// written straight from the store's rows.
async fn envelope(
    state: &AppState,
    caller: Caller,
    (api_root, collection): (String, String),
    object: Option<StixId>,
    query: Option<String>,
    scope: FilterScope,
) -> Result<(PageInfo, Response), ApiError> {
    let filter = parse_filter(query.as_deref(), scope)?;
    let size = page_size(&state.config, filter.limit);
    let store = &state.store;
    let collection = collection_for(store, &api_root, &collection, &caller, Access::Read)?;
    if let Some(gate) = released::gate_for(state, &caller, crate::clock::now())? {
        let (state, object) = (state.clone(), object.as_ref().map(|id| id.as_str().to_owned()));
        return blocking(move || {
            let page = state.store.query_full(&collection.id, object.as_deref(), &filter, size)?;
            let page = released::filter(&state, &gate, page, true)?;
            let mut body = String::from(ENVELOPE_OPEN);
            body.push_str(&released::rows_json(&page.rows));
            let info = PageInfo {
                count: page.rows.len(),
                first_added_micros: page.rows.first().map(|row| row.date_added_micros),
                last_added_micros: page.rows.last().map(|row| row.date_added_micros),
                next: page.next,
            };
            Ok(closed_envelope(body, info))
        })
        .await;
    }
    let mut body = String::with_capacity(size as usize * 1024);
    body.push_str(ENVELOPE_OPEN);
    let info = store.write_objects(&collection.id, object.as_ref().map(StixId::as_str), &filter, size, &mut body)?;
    Ok(closed_envelope(body, info))
}

/// Closes an envelope body holding `info.count` objects and answers it with the page's
/// date headers.
fn closed_envelope(mut body: String, info: PageInfo) -> (PageInfo, Response) {
    let next = info.next.map(|cursor| cursor.encode());
    close_envelope(&mut body, info.count, next.as_deref());
    let response = with_date_headers(taxii_json(StatusCode::OK, body), info.first_added_micros, info.last_added_micros);
    (info, response)
}

fn object_id(text: &str) -> Result<StixId, ApiError> {
    StixId::parse(text).map_err(|error| ApiError::bad_request("invalid-object-id", error.to_string()))
}

/// Runs one paged metadata query (manifest, versions) on a readable collection.
async fn query(
    state: &AppState,
    caller: Caller,
    (api_root, collection): (String, String),
    object: Option<StixId>,
    query: Option<String>,
    scope: FilterScope,
) -> Result<Page, ApiError> {
    let filter = parse_filter(query.as_deref(), scope)?;
    let size = page_size(&state.config, filter.limit);
    let collection = collection_for(&state.store, &api_root, &collection, &caller, Access::Read)?;
    if let Some(gate) = released::gate_for(state, &caller, crate::clock::now())? {
        let (state, object) = (state.clone(), object.as_ref().map(|id| id.as_str().to_owned()));
        return blocking(move || {
            let page = state.store.query_full(&collection.id, object.as_deref(), &filter, size)?;
            released::filter(&state, &gate, page, false)
        })
        .await;
    }
    let object = object.as_ref().map(StixId::as_str);
    Ok(state.store.query_objects(&collection.id, object, &filter, size, false)?)
}

pub(crate) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(path): TaxiiPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Ok(envelope(&state, caller, path, None, raw, FilterScope::Objects).await?.1)
}

pub(crate) async fn manifest(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(path): TaxiiPath<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let page = query(&state, caller, path, None, raw, FilterScope::Objects).await?;
    let body = Manifest {
        more: page.next.is_some(),
        next: page.next.map(|cursor| cursor.encode()),
        objects: page
            .rows
            .iter()
            .map(|row| ManifestRecord {
                id: row.id.clone(),
                date_added: date_added(row.date_added_micros),
                version: row.version.clone(),
                media_type: format!("application/stix+json;version={}", row.spec_version),
            })
            .collect(),
    };
    Ok(with_row_headers(taxii_json(StatusCode::OK, to_json(&body)?), &page.rows))
}

pub(crate) async fn one(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, collection, object)): TaxiiPath<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = object_id(&object)?;
    let (info, response) = envelope(&state, caller, (api_root, collection), Some(id), raw, FilterScope::Object).await?;
    if info.count == 0 {
        return Err(ApiError::not_found(format!("object {object:?} (with the requested versions)")));
    }
    Ok(response)
}

pub(crate) async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, collection, object)): TaxiiPath<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = object_id(&object)?;
    let page = query(&state, caller, (api_root, collection), Some(id), raw, FilterScope::Versions).await?;
    if page.rows.is_empty() && page.next.is_none() {
        return Err(ApiError::not_found(format!("object {object:?}")));
    }
    let body = Versions {
        more: page.next.is_some(),
        next: page.next.map(|cursor| cursor.encode()),
        versions: page.rows.iter().map(|row| row.version.clone()).collect(),
    };
    Ok(with_row_headers(taxii_json(StatusCode::OK, to_json(&body)?), &page.rows))
}

pub(crate) async fn delete(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, collection, object)): TaxiiPath<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let id = object_id(&object)?;
    let filter = parse_filter(raw.as_deref(), FilterScope::ObjectDelete)?;
    let store = state.store.clone();
    let removed = blocking(move || {
        let collection = collection_for(&store, &api_root, &collection, &caller, Access::ReadWrite)?;
        Ok(store.delete_object(&collection.id, id.as_str(), &filter)?)
    })
    .await?;
    if removed == 0 {
        return Err(ApiError::not_found(format!("object {object:?} (with the requested versions)")));
    }
    Ok(taxii_json(StatusCode::OK, String::new()))
}
