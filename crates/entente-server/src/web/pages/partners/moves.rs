//! The moves of a relation posted from the partner's page, and first contact.
//!
//! Each form calls `api::relations::make_move`, the dispatch behind
//! `POST /api/v1/relations/{node}/{move}`: the diplomat checks the move against the
//! relation machine before anything is signed, so an illegal move changes nothing and
//! comes back as a 409 page. Suspending, resuming and terminating first show what will
//! happen, and act only when the confirmation form comes back.

use super::show::{partner_of, stored_treaty};
use super::terms::disposition_plain;
use super::{envoy_diplomat, names};
use crate::api::relations::{ContactRequest, MoveRequest, contact_node, make_move};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::inbound::refusal;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Posted;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

/// A move form: which move, and what some moves carry.
#[derive(Deserialize)]
pub(crate) struct MoveForm {
    #[serde(rename = "move")]
    step: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    fingerprint: String,
    /// Present when the confirmation page sent the form.
    #[serde(default)]
    confirmed: String,
}

/// The moves whose consequences are shown before they are made.
const CONFIRMED: &[&str] = &["suspend", "resume", "terminate"];

#[derive(Template)]
#[template(path = "partners_confirm.html")]
struct Confirm {
    chrome: Chrome,
    node_id: String,
    partner: String,
    step: String,
    reason: String,
    consequences: Vec<String>,
}

fn none_if_empty(text: String) -> Option<String> {
    let text = text.trim().to_owned();
    (!text.is_empty()).then_some(text)
}

pub(crate) async fn make(
    State(state): State<AppState>,
    Path(node): Path<String>,
    Posted { viewer, form }: Posted<MoveForm>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let partner = partner_of(&node)?;
    // A node this one never contacted: 404, before any move is considered.
    diplomat.view_partner(&partner).map_err(|error| refusal(&error))?;
    if CONFIRMED.contains(&form.step.as_str()) && form.confirmed != "yes" {
        let names = names(&state, &diplomat)?;
        let (step, lookup) = (form.step.clone(), partner.clone());
        let (name, consequences) = blocking(move || {
            let relation = diplomat.relation(&lookup, crate::clock::now()).map_err(|error| refusal(&error))?;
            if !relation.allowed_moves.contains(&step) {
                return Err(illegal(&step, &relation.state));
            }
            let treaty = relation.treaty_in_force.as_deref().map(|hash| stored_treaty(&diplomat, hash)).transpose()?;
            Ok((relation.partner.name, consequences(&step, treaty.as_ref(), &names)))
        })
        .await?;
        let template = Confirm {
            chrome: Chrome::new(&viewer, "/ui/partners"),
            node_id: node,
            partner: name,
            step: form.step,
            reason: form.reason,
            consequences,
        };
        return Ok(page(&template));
    }
    let request =
        MoveRequest { fingerprint: none_if_empty(form.fingerprint), treaty: None, reason: none_if_empty(form.reason) };
    make_move(diplomat, partner, form.step, request).await?;
    Ok(Redirect::to(&format!("/ui/partners/{node}")).into_response())
}

/// A move the relation does not allow now.
fn illegal(step: &str, state: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, "illegal-move", format!("a relation in state {state} does not allow {step:?}"))
        .describe("go back to the partner's page: it offers only the moves the relation allows now")
}

/// What a move will do, in plain words, given the treaty in force.
fn consequences(step: &str, treaty: Option<&entente_core::treaty::Treaty>, names: &super::terms::Names) -> Vec<String> {
    let title = treaty.map(|treaty| format!("“{}”", treaty.body().title)).unwrap_or_else(|| "the treaty".to_owned());
    match step {
        "suspend" => vec![
            format!(
                "Sharing under {title} stops at once, both ways: no intelligence is released to the partner or pulled from it, and its envoys' credentials stop working."
            ),
            "The treaty stays signed; either side may resume it later, and nothing received so far is deleted."
                .to_owned(),
            "The partner receives a signed suspension note with your reason.".to_owned(),
        ],
        "resume" => vec![
            format!("Sharing under {title} starts again, as its terms allow."),
            "The partner receives a signed note saying so.".to_owned(),
        ],
        _ => {
            let mut lines = vec![
                "The partner receives a signed notice of termination with your reason; this cannot be undone."
                    .to_owned(),
            ];
            if let Some(treaty) = treaty {
                let body = treaty.body();
                lines.push(match body.notice_period_days {
                    0 => format!("{title} ends at once."),
                    days => format!("{title} ends {days} days after the notice; until then its terms still apply."),
                });
                lines.push(format!("Then, by its terms: {}.", disposition_plain(body.terms.disposition())));
                lines.push(format!(
                    "Parties: {}.",
                    body.parties.iter().map(|party| names.of(party.as_str())).collect::<Vec<_>>().join(", ")
                ));
            } else {
                lines.push(
                    "No treaty is in force: the relation ends, and no intelligence was shared under it.".to_owned(),
                );
            }
            lines
        }
    }
}

/// First contact: a node's URL or its card, pasted.
#[derive(Deserialize)]
pub(crate) struct ContactForm {
    #[serde(default)]
    url: String,
    #[serde(default)]
    card: String,
}

pub(crate) async fn contact(
    State(state): State<AppState>,
    Posted { viewer, form }: Posted<ContactForm>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let card = match none_if_empty(form.card) {
        Some(text) => Some(serde_json::from_str(&text).map_err(|error| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-card", format!("the card is not JSON: {error}"))
                .describe("paste the whole card, as /.well-known/entente serves it, or give the node's URL instead")
        })?),
        None => None,
    };
    let request = ContactRequest { url: none_if_empty(form.url), card };
    let partner = contact_node(&state, diplomat, request).await?;
    Ok(Redirect::to(&format!("/ui/partners/{}", partner.node_id)).into_response())
}
