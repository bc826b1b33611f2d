//! The federation endpoints: `GET /.well-known/entente` (the signed node card, open
//! to anyone: it is how first contact happens) and `POST /federation/v1/notes`
//! (diplomatic notes; the note's signature authenticates it, so no token is asked).

use super::{AllianceRefusal, DiplomacyError};
use crate::blocking::blocking;
use crate::clock::now;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entente_core::note::MAX_NOTE_BYTES;
use serde_json::json;

fn federation_off() -> ApiError {
    ApiError::not_found("federation on this node").describe("the node was started without its signing key")
}

pub(crate) async fn card(State(state): State<AppState>) -> Result<Response, ApiError> {
    let diplomat = state.diplomat.as_ref().ok_or_else(federation_off)?;
    Ok(Json(diplomat.identity().card().to_json()).into_response())
}

/// Maps a refusal to an HTTP status: the sender's outbox retries on 5xx and 409,
/// and learns from the stable `error_code` what is wrong otherwise.
pub(crate) fn refusal(error: &DiplomacyError) -> ApiError {
    let status = match error {
        DiplomacyError::Note(note) if note.is_internal() => StatusCode::SERVICE_UNAVAILABLE,
        DiplomacyError::Note(note) => match note.code() {
            "bad-signature"
            | "unknown-key"
            | "unknown-sender"
            | "key-retired"
            | "key-not-yet-valid"
            | "bad-card"
            | "card-mismatch"
            | "bad-treaty-signature" => StatusCode::FORBIDDEN,
            "replayed-note" | "unknown-reference" => StatusCode::CONFLICT,
            "note-too-large" => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::BAD_REQUEST,
        },
        DiplomacyError::Illegal(_) => StatusCode::CONFLICT,
        DiplomacyError::UnknownPartner(_) => StatusCode::NOT_FOUND,
        DiplomacyError::Fingerprint { .. } | DiplomacyError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        DiplomacyError::Alliance(refusal) => match refusal {
            AllianceRefusal::UnrecognizedAuthor(_) | AllianceRefusal::BadActSignature { .. } => StatusCode::FORBIDDEN,
            AllianceRefusal::CharterConflict { .. } | AllianceRefusal::Fold(_) => StatusCode::CONFLICT,
            AllianceRefusal::UnknownAlliance(_) => StatusCode::NOT_FOUND,
            AllianceRefusal::BadAct(_) | AllianceRefusal::OtherCharter { .. } => StatusCode::BAD_REQUEST,
        },
        DiplomacyError::Store(store) => return ApiError::internal(store.to_string()),
    };
    ApiError::new(status, error.code(), error.to_string())
}

pub(crate) async fn notes(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let diplomat = state.diplomat.clone().ok_or_else(federation_off)?;
    let bytes = to_bytes(body, MAX_NOTE_BYTES + 1).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "note-too-large",
            format!("a note is at most {MAX_NOTE_BYTES} bytes"),
        )
    })?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("malformed-note", "a note is UTF-8 JSON text"))?;
    let id = blocking(move || diplomat.receive(&text, now()).map_err(|error| refusal(&error))).await?;
    Ok((StatusCode::OK, Json(json!({"received": id.to_string()}))).into_response())
}
