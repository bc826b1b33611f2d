//! `POST /{api_root}/collections/{id}/objects/`: add an envelope of objects.
//!
//! Processing is object by object: each object is validated on its own, valid ones
//! are stored in one transaction, and the status resource lists every success and
//! every failure with its reason. A failing object leaves the others and the store
//! untouched. The answer is `202 Accepted` with a status whose state is already
//! `complete`: nothing is left pending.

use super::{Access, TaxiiPath, collection_for, taxii_json, to_json};
use crate::auth::Caller;
use crate::blocking::blocking;
use crate::clock::now_micros;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use entente_core::Timestamp;
use entente_core::stix::{Rejection, StixObject};
use entente_core::taxii::{Status, StatusDetail, StatusState, is_taxii_content_type};
use entente_store::{AddOutcome, Store};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Envelope {
    objects: Vec<Box<RawValue>>,
}

fn check_content_type(headers: &HeaderMap) -> Result<(), ApiError> {
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("");
    if is_taxii_content_type(content_type) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported-media-type",
        format!("cannot read a body of type {content_type:?}"),
    )
    .describe("send the envelope with `Content-Type: application/taxii+json;version=2.1`"))
}

async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, ApiError> {
    to_bytes(body, limit).await.map(|bytes| bytes.to_vec()).map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("the body exceeds this API root's max_content_length of {limit} bytes"),
        )
        .describe("split the envelope into smaller POSTs")
    })
}

fn parse_envelope(bytes: &[u8]) -> Result<Envelope, ApiError> {
    let value: &RawValue = serde_json::from_slice(bytes)
        .map_err(|error| ApiError::bad_request("malformed-json", format!("the body is not valid JSON: {error}")))?;
    // serde would also read a struct from an array of its fields; an envelope is an object.
    if !value.get().trim_start().starts_with('{') {
        return Err(not_an_envelope("expected a JSON object"));
    }
    serde_json::from_str(value.get()).map_err(|error| not_an_envelope(&error.to_string()))
}

fn not_an_envelope(reason: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "not-an-envelope",
        format!("the body is not a TAXII envelope: {reason}"),
    )
    .describe("POST a JSON object of the form {\"objects\": [ …STIX objects… ]}")
}

fn claimed_version(raw: &RawValue) -> (String, String) {
    let value: serde_json::Value = serde_json::from_str(raw.get()).unwrap_or_default();
    let text = |name: &str| value.get(name).and_then(|field| field.as_str()).unwrap_or("").to_owned();
    let version = if value.get("modified").is_some() { text("modified") } else { text("created") };
    (text("id"), version)
}

fn rejection_detail(raw: &RawValue, rejection: &Rejection) -> StatusDetail {
    let (id, version) = claimed_version(raw);
    StatusDetail { id: rejection.object_id.clone().unwrap_or(id), version, message: Some(rejection.to_string()) }
}

/// A success message that also reports the SHOULDs the object does not follow.
fn with_warnings(outcome: &str, object: &StixObject) -> String {
    if object.warnings().is_empty() {
        return outcome.to_owned();
    }
    let warnings: Vec<String> =
        object.warnings().iter().map(|issue| format!("{}: {}", issue.path, issue.message)).collect();
    format!("{outcome}; warnings: {}", warnings.join("; "))
}

/// Validates and stores an envelope; returns the status in input order.
fn process(store: &Store, collection_id: &str, envelope: &Envelope, status_id: String) -> Result<Status, ApiError> {
    let now = now_micros();
    let parsed: Vec<Result<StixObject, Rejection>> =
        envelope.objects.iter().map(|raw| StixObject::from_json(raw.get())).collect();
    let valid: Vec<StixObject> = parsed.iter().filter_map(|result| result.as_ref().ok().cloned()).collect();
    let outcomes = store.add_objects(collection_id, &valid, now)?;
    let mut outcomes = outcomes.into_iter();
    let (mut successes, mut failures) = (Vec::new(), Vec::new());
    for (raw, result) in envelope.objects.iter().zip(&parsed) {
        let object = match result {
            Ok(object) => object,
            Err(rejection) => {
                failures.push(rejection_detail(raw, rejection));
                continue;
            }
        };
        let id = object.id().to_string();
        match outcomes.next() {
            Some(AddOutcome::Added { version, .. }) => {
                successes.push(StatusDetail { id, version, message: Some(with_warnings("added", object)) })
            }
            Some(AddOutcome::AlreadyPresent { version }) => {
                successes.push(StatusDetail { id, version, message: Some(with_warnings("already present", object)) });
            }
            Some(AddOutcome::Conflict { version, reason }) => {
                failures.push(StatusDetail { id, version, message: Some(reason) })
            }
            None => return Err(ApiError::internal("the store returned fewer outcomes than objects")),
        }
    }
    Ok(Status {
        id: status_id,
        status: StatusState::Complete,
        request_timestamp: Some(Timestamp::from_unix_micros(now).to_string()),
        total_count: envelope.objects.len() as u64,
        success_count: successes.len() as u64,
        successes,
        failure_count: failures.len() as u64,
        failures,
        pending_count: 0,
        pendings: Vec::new(),
    })
}

pub(crate) async fn add(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath((api_root, collection)): TaxiiPath<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let collection = collection_for(&state.store, &api_root, &collection, &caller, Access::Write)?;
    check_content_type(&headers)?;
    let bytes = read_body(body, state.config.max_body_bytes).await?;
    let store = state.store.clone();
    let status = blocking(move || {
        let envelope = parse_envelope(&bytes)?;
        let status = process(&store, &collection.id, &envelope, uuid::Uuid::new_v4().to_string())?;
        store.save_status(&api_root, &caller.0.token_id, &status, now_micros())?;
        Ok(status)
    })
    .await?;
    state.streams.wake();
    Ok(taxii_json(StatusCode::ACCEPTED, to_json(&status)?))
}
