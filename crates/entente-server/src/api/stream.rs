//! `GET /api/v1/stream`: a live stream (Server-Sent Events) of the object versions
//! added that the caller may see.
//!
//! Each event is `event: object`, `id:` the version's `date_added` position (strictly
//! increasing across the store) and `data:` the object's JSON. A client that
//! reconnects with `Last-Event-ID` (or `?last_event_id=`) gets exactly what was added
//! after that event; without one the stream starts at the present, and
//! `last_event_id=0` replays everything. `type=` keeps some object types only.
//!
//! A local token sees the collections its role may read. For a partner's envoy every
//! event first goes through the partner's release `Gate` (rebuilt for each batch, so a
//! suspended treaty stops the flow at once), and each object sent is recorded on the
//! ledger as a release (`channel:stream`) before it is sent, as TAXII reads are.
//!
//! Backpressure: the stream reads at most one batch from the store at a time and
//! only when the client has taken the previous one; wake-ups come from the hub
//! (`streams.rs`) and a slow poll. Comment lines every 15 s keep proxies from closing
//! an idle stream. Streams end when the server shuts down.

use super::search::readable;
use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use crate::streams::POLL;
use crate::taxii::released;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use entente_core::search::Query;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, watch};

/// Object versions read from the store per batch.
const BATCH: u32 = 100;
const HEARTBEAT: Duration = Duration::from_secs(15);

/// Where a stream starts and what it keeps, from the request.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    after: Option<i64>,
    types: Vec<String>,
}

fn invalid(title: String) -> ApiError {
    ApiError::bad_request("invalid-stream", title)
        .describe("parameters: type (STIX types), last_event_id (an event id, or 0 for everything)")
}

fn position(text: &str) -> Result<i64, ApiError> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|value| *value >= 0)
        .ok_or_else(|| invalid(format!("`{text}` is not an event id this stream sent")))
}

fn options(headers: &HeaderMap, raw: Option<&str>) -> Result<Options, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw.unwrap_or(""))
        .map_err(|error| invalid(format!("the query string cannot be decoded: {error}")))?;
    let mut after = None;
    let mut types = Vec::new();
    for (key, value) in &pairs {
        match key.as_str() {
            "last_event_id" => after = Some(position(value)?),
            "type" => {
                let query = Query::parse(&[("type".to_owned(), value.clone())]).map_err(|error| invalid(error.0))?;
                types.extend(query.types);
            }
            other => return Err(invalid(format!("unknown parameter `{other}`"))),
        }
    }
    // The header a reconnecting EventSource sends wins over the query parameter.
    if let Some(header) = headers.get("last-event-id") {
        let text = header.to_str().map_err(|_| invalid("Last-Event-ID is not text".into()))?;
        after = Some(position(text)?);
    }
    Ok(Options { after, types })
}

/// One open stream: where it is, what it may show, and what is read but not yet sent.
struct Subscription {
    state: AppState,
    caller: Caller,
    position: i64,
    collections: Vec<String>,
    types: Vec<String>,
    pending: VecDeque<Event>,
    added: watch::Receiver<u64>,
    closed: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
}

pub(crate) async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let options = options(&headers, raw.as_deref())?;
    let collections = readable(&state.store, caller.role())?;
    // Refuse an envoy up front when the node cannot judge its releases at all.
    released::gate_for(&state, &caller, crate::clock::now())?;
    let slot = state.streams.admit().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "too-many-streams",
            "this node has as many streams open as it serves",
        )
        .describe("retry in a while; the EventSource `retry` does this by itself")
    })?;
    let position = match options.after {
        Some(after) => after,
        None => state.store.latest_position()?,
    };
    let subscription = Subscription {
        added: state.streams.added(),
        closed: state.streams.closed(),
        state,
        caller,
        position,
        collections,
        types: options.types,
        pending: VecDeque::new(),
        _slot: slot,
    };
    let events = futures_util::stream::unfold(subscription, next_event);
    let mut response = Sse::new(events).keep_alive(KeepAlive::new().interval(HEARTBEAT)).into_response();
    // Ask buffering proxies (nginx) to pass events on as they come.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The next event of a stream; `None` ends it (shutdown, or a store failure).
async fn next_event(mut subscription: Subscription) -> Option<(Result<Event, Infallible>, Subscription)> {
    loop {
        if let Some(event) = subscription.pending.pop_front() {
            return Some((Ok(event), subscription));
        }
        if *subscription.closed.borrow() {
            return None;
        }
        // Mark the wake-ups seen before reading, so one arriving during the read is kept.
        subscription.added.borrow_and_update();
        match read_batch(&subscription).await {
            Ok((events, position)) => {
                let read_something = position != subscription.position;
                subscription.position = position;
                subscription.pending = events;
                if read_something {
                    continue;
                }
            }
            Err(error) => {
                tracing::warn!(code = error.code, title = %error.title, "a live stream ends on an error");
                return None;
            }
        }
        tokio::select! {
            _ = subscription.added.changed() => {}
            _ = subscription.closed.changed() => {}
            _ = tokio::time::sleep(POLL) => {}
        }
    }
}

/// Reads the next batch after the stream's position: the events to send and the new
/// position (past what the gate denied too, so it is not judged again).
async fn read_batch(subscription: &Subscription) -> Result<(VecDeque<Event>, i64), ApiError> {
    let (state, caller) = (subscription.state.clone(), subscription.caller.clone());
    let (after, collections, types) =
        (subscription.position, subscription.collections.clone(), subscription.types.clone());
    blocking(move || {
        let hits = state.store.changes_after(after, &collections, &types, BATCH)?;
        let position = hits.last().map_or(after, |hit| hit.row.date_added_micros);
        let rows = entente_store::Page { rows: hits.into_iter().map(|hit| hit.row).collect(), next: None };
        let rows = match released::gate_for(&state, &caller, crate::clock::now())? {
            None => rows.rows,
            Some(gate) => {
                gate.release_page(&state.store, rows, Some("stream"))
                    .map_err(|error| ApiError::internal(error.to_string()))?
                    .rows
            }
        };
        let events = rows
            .into_iter()
            .map(|row| Event::default().event("object").id(row.date_added_micros.to_string()).data(row.json))
            .collect();
        Ok((events, position))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_wins_and_bad_ids_are_refused() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            options(&headers, Some("type=indicator&last_event_id=5")).ok(),
            Some(Options { after: Some(5), types: vec!["indicator".into()] })
        );
        headers.insert("last-event-id", HeaderValue::from_static("9"));
        assert_eq!(options(&headers, Some("last_event_id=5")).ok().and_then(|o| o.after), Some(9));
        for bad in ["last_event_id=-1", "last_event_id=x", "type=Bad", "colour=red"] {
            assert_eq!(options(&HeaderMap::new(), Some(bad)).err().map(|e| e.code), Some("invalid-stream"), "{bad}");
        }
    }
}
