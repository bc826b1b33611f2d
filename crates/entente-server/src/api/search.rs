//! `GET /api/v1/search`: full-text and structured search over what the caller may see.
//!
//! A local token searches the collections its role may read (the TAXII rule). A
//! partner's envoy also searches the collections the envoy role may read, and every
//! candidate then goes through the partner's release `Gate`: what it denies is skipped
//! (the search fetches further batches until the page is full, a bounded number of
//! times), and each object returned is recorded on the ledger as a release
//! (`channel:search`), as TAXII reads by envoys are.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::sync::release::Gate;
use crate::state::AppState;
use crate::taxii::released;
use axum::Json;
use axum::extract::{RawQuery, State};
use entente_core::auth::Role;
use entente_core::search::{Document, Highlight, Query, SearchCursor, highlight};
use entente_store::{Page, SearchHit, SearchScope, Store};
use serde::Serialize;
use serde_json::value::RawValue;
use std::collections::HashSet;

/// How many batches an envoy's search reads before answering a short page (with a
/// `next`, so the client may go on): bounds the work one request can cause.
const MAX_BATCHES: usize = 5;

#[derive(Debug, Serialize)]
pub(crate) struct SearchResponse {
    results: Vec<SearchResult>,
    /// Pass back as `next` for the following page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

#[derive(Debug, Serialize)]
struct SearchResult {
    id: String,
    #[serde(rename = "type")]
    object_type: String,
    version: String,
    collection: String,
    /// bm25 relevance, lower is better (0 when there was no free text).
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlight: Option<Highlight>,
    object: Box<RawValue>,
}

/// Parses search parameters from a query string; refusals are `invalid-search` (400).
pub(crate) fn parse(raw: Option<&str>) -> Result<Query, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or("")).map_err(|error| {
        ApiError::bad_request("invalid-query", format!("the query string cannot be decoded: {error}"))
    })?;
    Query::parse(&pairs).map_err(|error| {
        ApiError::bad_request("invalid-search", error.0).describe(
            "parameters: q (words, \"phrases\", prefix*), type, source (local or a node id), \
             marking (an id or TLP:GREEN…), since, until (RFC 3339), limit (1-100), next",
        )
    })
}

/// The collections `role` may read.
pub(crate) fn readable(store: &Store, role: Role) -> Result<Vec<String>, ApiError> {
    Ok(store.list_collections(None)?.into_iter().filter(|collection| collection.can_read(role)).map(|c| c.id).collect())
}

pub(crate) async fn search(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let query = parse(raw.as_deref())?;
    let scope = SearchScope::Collections(readable(&state.store, caller.role())?);
    let gate = released::gate_for(&state, &caller, crate::clock::now())?;
    let response = blocking(move || {
        let (hits, next) = hits(&state, gate.as_ref(), &query, &scope)?;
        let words = query.highlight_words();
        let results = hits.into_iter().map(|hit| render(hit, &words)).collect::<Result<Vec<_>, _>>()?;
        Ok(SearchResponse { results, next: next.map(|offset| SearchCursor { offset }.encode()) })
    })
    .await?;
    Ok(Json(response))
}

/// One page of results and the offset of the next: what `/api/v1/search` and the web
/// interface's search both answer. A local caller's page comes straight from the
/// store; an envoy's (`gate`) is judged by the release decision and recorded.
pub(crate) fn hits(
    state: &AppState,
    gate: Option<&Gate>,
    query: &Query,
    scope: &SearchScope,
) -> Result<(Vec<SearchHit>, Option<u64>), ApiError> {
    match gate {
        None => local(&state.store, query, scope),
        Some(gate) => released_hits(state, gate, query, scope),
    }
}

fn render(hit: SearchHit, words: &[String]) -> Result<SearchResult, ApiError> {
    let highlight = highlight(&Document::from_json(&hit.row.json), words);
    let object = RawValue::from_string(hit.row.json).map_err(|error| ApiError::internal(error.to_string()))?;
    Ok(SearchResult {
        id: hit.row.id,
        object_type: hit.object_type,
        version: hit.row.version,
        collection: hit.collection_id,
        score: hit.score,
        highlight,
        object,
    })
}

/// One page for a local caller: the store already kept it to readable collections.
fn local(store: &Store, query: &Query, scope: &SearchScope) -> Result<(Vec<SearchHit>, Option<u64>), ApiError> {
    let offset = query.next.map_or(0, |cursor| cursor.offset);
    let mut hits = store.search(query, scope, offset, query.limit + 1)?;
    let more = hits.len() > query.limit as usize;
    hits.truncate(query.limit as usize);
    Ok((hits, more.then_some(offset + u64::from(query.limit))))
}

/// One page for an envoy: candidates judged by the gate, released ones on the ledger.
fn released_hits(
    state: &AppState,
    gate: &Gate,
    query: &Query,
    scope: &SearchScope,
) -> Result<(Vec<SearchHit>, Option<u64>), ApiError> {
    let want = query.limit as usize;
    let batch = (query.limit * 2).max(50);
    let mut offset = query.next.map_or(0, |cursor| cursor.offset);
    let mut chosen: Vec<SearchHit> = Vec::new();
    for _ in 0..MAX_BATCHES {
        let candidates = state.store.search(query, scope, offset, batch)?;
        let (count, ended) = (candidates.len(), candidates.len() < batch as usize);
        // First judge without recording, to know which candidates the page takes.
        let page = Page { rows: candidates.iter().map(|hit| hit.row.clone()).collect(), next: None };
        let allowed: HashSet<i64> = release(state, gate, page, None)?.rows.iter().map(|row| row.sequence).collect();
        let mut used = 0;
        for hit in candidates {
            used += 1;
            offset += 1;
            if allowed.contains(&hit.row.sequence) {
                chosen.push(hit);
                if chosen.len() == want {
                    break;
                }
            }
        }
        if ended && used == count {
            return Ok((record(state, gate, chosen)?, None));
        }
        if chosen.len() == want {
            return Ok((record(state, gate, chosen)?, Some(offset)));
        }
    }
    // Bounded work: answer what was found, and let the client continue from here.
    Ok((record(state, gate, chosen)?, Some(offset)))
}

fn release(state: &AppState, gate: &Gate, page: Page, channel: Option<&str>) -> Result<Page, ApiError> {
    gate.release_page(&state.store, page, channel).map_err(|error| ApiError::internal(error.to_string()))
}

/// Releases exactly the hits returned (the gate applies obligations, e.g. stripping
/// attribution) and records each on the ledger before the response is sent.
fn record(state: &AppState, gate: &Gate, hits: Vec<SearchHit>) -> Result<Vec<SearchHit>, ApiError> {
    let page = Page { rows: hits.iter().map(|hit| hit.row.clone()).collect(), next: None };
    let released = release(state, gate, page, Some("search"))?;
    let mut rows = released.rows.into_iter();
    let mut out = Vec::with_capacity(hits.len());
    for mut hit in hits {
        // The gate's decision is the same as a moment ago; a row it now drops is left out.
        let Some(row) = rows.as_slice().first().filter(|row| row.sequence == hit.row.sequence).cloned() else {
            continue;
        };
        rows.next();
        hit.row = row;
        out.push(hit);
    }
    Ok(out)
}
