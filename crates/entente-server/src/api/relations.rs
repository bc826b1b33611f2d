//! `/api/v1/relations…` and `/api/v1/treaties/{hash}`.

use super::{federation_off, read_body};
use crate::auth::Caller;
use crate::blocking::blocking;
use crate::clock::now;
use crate::error::ApiError;
use crate::federation::Diplomat;
use crate::federation::inbound::refusal;
use crate::state::AppState;
use crate::taxii::TaxiiPath;
use crate::tls::{TrustedRoots, http_client};
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entente_core::auth::Role;
use entente_core::{StixId, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) fn diplomat(state: &AppState, caller: &Caller) -> Result<Diplomat, ApiError> {
    caller.require(Role::Admin)?;
    state.diplomat.clone().ok_or_else(federation_off)
}

pub(crate) fn partner_id(text: &str) -> Result<StixId, ApiError> {
    StixId::parse(text).ok().filter(|id| id.object_type() == "identity").ok_or_else(|| {
        ApiError::bad_request("invalid-node-id", format!("{text:?} is not a node id (identity--<uuid>)"))
    })
}

/// Runs one diplomat call off the async workers and maps its refusal.
async fn act<T: Send + 'static>(
    diplomat: Diplomat,
    work: impl FnOnce(&Diplomat, Timestamp) -> Result<T, crate::federation::DiplomacyError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking(move || work(&diplomat, now()).map_err(|error| refusal(&error))).await
}

pub(crate) async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let diplomat = diplomat(&state, &caller)?;
    let views = act(diplomat, |diplomat, now| diplomat.relations(now)).await?;
    Ok(Json(json!({ "relations": views })).into_response())
}

pub(crate) async fn show(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(node): TaxiiPath<String>,
) -> Result<Response, ApiError> {
    let diplomat = diplomat(&state, &caller)?;
    let partner = partner_id(&node)?;
    let store = state.store.clone();
    let (view, notes) = act(diplomat, move |diplomat, now| {
        let view = diplomat.relation(&partner, now)?;
        Ok((view, store.notes_with(partner.as_str())?))
    })
    .await?;
    let history: Vec<Value> = notes
        .iter()
        .map(|note| {
            json!({"id": note.id, "direction": note.direction, "kind": note.kind, "created": note.created,
                   "in_reply_to": note.in_reply_to, "note": serde_json::from_str::<Value>(&note.json).unwrap_or(Value::Null)})
        })
        .collect();
    Ok(Json(json!({ "relation": view, "notes": history })).into_response())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct ContactRequest {
    pub(crate) url: Option<String>,
    pub(crate) card: Option<Value>,
}

/// Fetches a node card from a base URL or a full `/.well-known/entente` URL.
async fn fetch_card(url: &str, roots: &TrustedRoots) -> Result<String, ApiError> {
    let url = if url.contains("/.well-known/entente") {
        url.to_owned()
    } else {
        format!("{}/.well-known/entente", url.trim_end_matches('/'))
    };
    let failed =
        |error: String| ApiError::new(StatusCode::BAD_GATEWAY, "card-unreachable", format!("fetching {url}: {error}"));
    let client =
        http_client(roots).timeout(Duration::from_secs(10)).build().map_err(|error| failed(error.to_string()))?;
    let response = client.get(&url).send().await.map_err(|error| failed(error.to_string()))?;
    if !response.status().is_success() {
        return Err(failed(format!("the node answered {}", response.status())));
    }
    response.text().await.map_err(|error| failed(error.to_string()))
}

pub(crate) async fn contact(State(state): State<AppState>, caller: Caller, body: Bytes) -> Result<Response, ApiError> {
    let diplomat = diplomat(&state, &caller)?;
    let request: ContactRequest = read_body(&body)?;
    let partner = contact_node(&state, diplomat, request).await?;
    Ok((StatusCode::CREATED, Json(json!({ "partner": partner }))).into_response())
}

/// First contact with the node a URL or a card names: the one path the API and the
/// web pages share.
pub(crate) async fn contact_node(
    state: &AppState,
    diplomat: Diplomat,
    request: ContactRequest,
) -> Result<crate::federation::PartnerView, ApiError> {
    let card = match (request.url, request.card) {
        (Some(url), None) => fetch_card(&url, &state.trusted_roots).await?,
        (None, Some(card)) => card.to_string(),
        _ => return Err(ApiError::bad_request("invalid-request", "give exactly one of `url` and `card`")),
    };
    act(diplomat, move |diplomat, now| diplomat.contact(&card, now)).await
}

/// The body every move accepts; which members a move needs is checked per move.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveRequest {
    pub(crate) fingerprint: Option<String>,
    pub(crate) treaty: Option<Value>,
    pub(crate) reason: Option<String>,
}

fn needs<T>(value: Option<T>, member: &str, step: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::bad_request("invalid-request", format!("`{step}` needs `{member}` in the body")))
}

pub(crate) async fn step(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((node, step)): TaxiiPath<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let diplomat = diplomat(&state, &caller)?;
    let partner = partner_id(&node)?;
    let request: MoveRequest = read_body(&body)?;
    let note = make_move(diplomat, partner, step, request).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({ "note": note.to_string(), "status": "queued for delivery" })))
        .into_response())
}

/// Makes the move `step` (`propose`, `accept`, `sign`, `terminate`…) in the relation
/// with `partner`: the one dispatch the API and the web pages share. The diplomat
/// checks the move against the relation machine before anything is signed.
pub(crate) async fn make_move(
    diplomat: Diplomat,
    partner: StixId,
    step: String,
    request: MoveRequest,
) -> Result<entente_core::note::NoteId, ApiError> {
    Ok(match step.as_str() {
        "recognize" => {
            let fingerprint = needs(request.fingerprint, "fingerprint", &step)?;
            act(diplomat, move |d, now| d.recognize(&partner, &fingerprint, now)).await?
        }
        "propose" | "counter" | "amend" => {
            let treaty = needs(request.treaty, "treaty", &step)?;
            act(diplomat, move |d, now| match step.as_str() {
                "propose" => d.propose(&partner, &treaty, now),
                "counter" => d.counter(&partner, &treaty, now),
                _ => d.amend(&partner, &treaty, now),
            })
            .await?
        }
        "accept" => act(diplomat, move |d, now| d.accept(&partner, now)).await?,
        "sign" => act(diplomat, move |d, now| d.sign(&partner, now)).await?,
        "withdraw" => act(diplomat, move |d, now| d.withdraw(&partner, now)).await?,
        "resume" => act(diplomat, move |d, now| d.resume(&partner, now)).await?,
        "reject" | "suspend" | "terminate" => {
            let reason = request.reason;
            act(diplomat, move |d, now| match step.as_str() {
                "reject" => d.reject(&partner, reason.as_deref(), now),
                "suspend" => d.suspend(&partner, reason.as_deref(), now),
                _ => d.terminate(&partner, reason.as_deref(), now),
            })
            .await?
        }
        other => return Err(ApiError::not_found(format!("the move {other:?}"))),
    })
}

pub(crate) async fn treaty(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(hash): TaxiiPath<String>,
) -> Result<Response, ApiError> {
    caller.require(Role::Admin)?;
    let record = state.store.treaty(&hash)?.ok_or_else(|| ApiError::not_found(format!("treaty {hash:?}")))?;
    let signatures = state.store.treaty_signatures(&hash)?;
    let text: Value = serde_json::from_str(&record.json).map_err(|error| ApiError::internal(error.to_string()))?;
    Ok(Json(json!({ "hash": record.hash, "treaty": text, "signatures": signatures })).into_response())
}
