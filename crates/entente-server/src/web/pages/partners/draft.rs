//! Drafting a treaty in a form, with the JSON it makes shown beside it:
//! `/ui/partners/{node}/draft`. "Show the JSON" posts the form back and renders the
//! text (and the treaty checks' complaints) without sending anything; "Send" makes the
//! move the relation allows — a proposal, a counter-proposal to the text under
//! negotiation, or an amendment of the treaty in force — through
//! `api::relations::make_move`, as `POST /api/v1/relations/{node}/{move}` does.

use super::envoy_diplomat;
use super::show::{partner_of, stored_treaty};
use crate::api::relations::{MoveRequest, make_move};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::inbound::refusal;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page, page_with};
use crate::web::session::{Posted, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use entente_core::StixId;
use entente_core::stix::vocab::TlpLevel;
use entente_core::treaty::{
    AffectedPartyNotifications, Attribution, EncryptInTransit, PLACEHOLDER_PARTIES, PermittedActions, Resharing,
    Treaty, UnmodifiedResale, parse_template, template_text, tlp_word,
};
use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The fields of the draft form, as posted (lists are comma-separated).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DraftForm {
    title: String,
    purpose: String,
    topics: String,
    object_types: String,
    labels: String,
    tlp: String,
    encrypt_in_transit: String,
    permitted_actions: String,
    affected_party_notifications: String,
    attribution: String,
    unmodified_resale: String,
    on_termination: String,
    start_date: String,
    end_date: String,
    resharing: String,
    resharing_alliances: String,
    notice_period_days: String,
    /// `preview` or `send`.
    action: String,
}

/// An option of a select, and whether the form has it chosen.
#[derive(Debug, Clone)]
pub(crate) struct Choice {
    pub(crate) value: &'static str,
    pub(crate) selected: bool,
}

fn choices(values: &[&'static str], chosen: &str) -> Vec<Choice> {
    values.iter().map(|&value| Choice { value, selected: value == chosen }).collect()
}

fn words<T: Copy>(all: &[T], word: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|&value| word(value)).collect()
}

#[derive(Template)]
#[template(path = "partners_draft.html")]
struct DraftPage {
    chrome: Chrome,
    node_id: String,
    partner: String,
    /// The move "Send" makes: propose, counter or amend.
    step: String,
    /// The hash of the text a counter-proposal or amendment answers.
    answers: Option<String>,
    form: DraftForm,
    tlp: Vec<Choice>,
    encrypt_in_transit: Vec<Choice>,
    permitted_actions: Vec<Choice>,
    affected_party_notifications: Vec<Choice>,
    attribution: Vec<Choice>,
    unmodified_resale: Vec<Choice>,
    on_termination: Vec<Choice>,
    resharing: Vec<Choice>,
    json: String,
    problems: String,
}

/// What the draft builds on: the move, the text it answers, and the treaty id,
/// version and parties the new text takes.
struct Basis {
    partner_name: String,
    step: String,
    previous: Option<Treaty>,
    us: StixId,
    partner: StixId,
}

fn basis(state: &AppState, viewer: &Viewer, node: &str) -> Result<(crate::federation::Diplomat, StixId), PageError> {
    Ok((envoy_diplomat(state, viewer)?, partner_of(node)?))
}

async fn load_basis(diplomat: crate::federation::Diplomat, partner: StixId) -> Result<Basis, PageError> {
    Ok(blocking(move || {
        let relation = diplomat.relation(&partner, crate::clock::now()).map_err(|error| refusal(&error))?;
        let allows = |step: &str| relation.allowed_moves.iter().any(|allowed| allowed == step);
        let (step, previous) = if allows("counter") && relation.draft.is_some() {
            ("counter", relation.draft.as_deref())
        } else if allows("amend") && relation.treaty_in_force.is_some() {
            ("amend", relation.treaty_in_force.as_deref())
        } else if allows("propose") {
            ("propose", None)
        } else {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "illegal-move",
                format!("a relation in state {} allows no treaty text to be put forward now", relation.state),
            )
            .describe("answer the text under negotiation from the partner's page, or wait for the partner's move"));
        };
        let previous = previous.map(|hash| stored_treaty(&diplomat, hash)).transpose()?;
        Ok(Basis {
            partner_name: relation.partner.name,
            step: step.to_owned(),
            previous,
            us: diplomat.identity().node_id().clone(),
            partner,
        })
    })
    .await?)
}

/// The form filled from the text answered, or from the commented template.
fn prefill(basis: &Basis) -> Result<DraftForm, ApiError> {
    let treaty = match &basis.previous {
        Some(previous) => previous.clone(),
        None => {
            let text = template_text()
                .replace(PLACEHOLDER_PARTIES[0], basis.us.as_str())
                .replace(PLACEHOLDER_PARTIES[1], basis.partner.as_str());
            parse_template(&text).map_err(|error| ApiError::internal(format!("the treaty template: {error}")))?
        }
    };
    let body = treaty.body();
    let terms = &body.terms;
    let now = crate::clock::now();
    let start = if basis.previous.is_some() { terms.start_date.as_str().to_owned() } else { now.to_string() };
    let end = match (&basis.previous, &terms.end_date) {
        (Some(_), end) => end.as_ref().map(|end| end.as_str().to_owned()).unwrap_or_default(),
        (None, _) => {
            entente_core::Timestamp::from_unix_micros(now.unix_micros() + 365 * 86_400 * 1_000_000).to_string()
        }
    };
    Ok(DraftForm {
        title: body.title.clone(),
        purpose: body.purpose.clone(),
        topics: body.scope.topics.iter().map(|topic| topic.as_str()).collect::<Vec<_>>().join(", "),
        object_types: body.scope.object_types.join(", "),
        labels: body.scope.labels.join(", "),
        tlp: tlp_word(terms.tlp).to_owned(),
        encrypt_in_transit: terms.encrypt_in_transit.as_str().to_owned(),
        permitted_actions: terms.permitted_actions.as_str().to_owned(),
        affected_party_notifications: terms.affected_party_notifications.as_str().to_owned(),
        attribution: terms.attribution.as_str().to_owned(),
        unmodified_resale: terms.unmodified_resale.as_str().to_owned(),
        on_termination: terms.on_termination.map(|disposition| disposition.as_str().to_owned()).unwrap_or_default(),
        start_date: start,
        end_date: end,
        resharing: body.resharing.as_str().to_owned(),
        resharing_alliances: match &body.resharing {
            Resharing::AllianceParties(alliances) => {
                alliances.iter().map(StixId::as_str).collect::<Vec<_>>().join(", ")
            }
            _ => String::new(),
        },
        notice_period_days: body.notice_period_days.to_string(),
        action: String::new(),
    })
}

fn list(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|item| !item.is_empty()).map(str::to_owned).collect()
}

/// The treaty document the form describes, as it will be signed: the parties and
/// treaty id of the text answered (new ones for a first proposal), the next version.
fn document(form: &DraftForm, basis: &Basis) -> Result<Value, ApiError> {
    let (id, version, parties, supersedes) = match &basis.previous {
        Some(previous) => (
            previous.id().to_string(),
            previous.version().saturating_add(1),
            previous.parties().iter().map(StixId::to_string).collect::<Vec<_>>(),
            Some(previous.hash().to_string()),
        ),
        None => {
            let mut bytes = [0u8; 16];
            getrandom::fill(&mut bytes).map_err(|error| ApiError::internal(format!("no randomness: {error}")))?;
            let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
            let id = StixId::from_parts("treaty", uuid).map_err(|error| ApiError::internal(error.to_string()))?;
            (id.to_string(), 1, vec![basis.us.to_string(), basis.partner.to_string()], None)
        }
    };
    let mut terms = Map::new();
    terms.insert("iep_version".into(), json!("2.0"));
    for (member, value) in [
        ("encrypt_in_transit", &form.encrypt_in_transit),
        ("permitted_actions", &form.permitted_actions),
        ("affected_party_notifications", &form.affected_party_notifications),
        ("tlp", &form.tlp),
        ("attribution", &form.attribution),
        ("unmodified_resale", &form.unmodified_resale),
        ("start_date", &form.start_date),
    ] {
        terms.insert(member.into(), json!(value.trim()));
    }
    if !form.end_date.trim().is_empty() {
        terms.insert("end_date".into(), json!(form.end_date.trim()));
    }
    if !form.on_termination.trim().is_empty() {
        terms.insert("on_termination".into(), json!(form.on_termination.trim()));
    }
    let mut resharing = json!({ "to": form.resharing.trim() });
    if form.resharing.trim() == "alliance-parties" {
        resharing["alliances"] = json!(list(&form.resharing_alliances));
    }
    let notice = form.notice_period_days.trim();
    let mut treaty = json!({
        "entente": "1",
        "type": "treaty",
        "id": id,
        "version": version,
        "title": form.title.trim(),
        "purpose": form.purpose.trim(),
        "parties": parties,
        "proposed_by": basis.us.as_str(),
        "scope": {"topics": list(&form.topics), "object_types": list(&form.object_types), "labels": list(&form.labels)},
        "terms": terms,
        "resharing": resharing,
        // A number when it reads as one; otherwise the text, for the checks to name.
        "notice_period_days": notice.parse::<u64>().map_or_else(|_| json!(notice), |days| json!(days)),
        "created": crate::clock::now().to_string(),
    });
    if let Some(supersedes) = supersedes {
        treaty["supersedes"] = json!(supersedes);
    }
    Ok(treaty)
}

fn render(viewer: &Viewer, node: String, basis: &Basis, form: DraftForm, json: &Value, problems: String) -> DraftPage {
    let tlp_levels = [TlpLevel::Clear, TlpLevel::Green, TlpLevel::Amber, TlpLevel::AmberStrict, TlpLevel::Red];
    DraftPage {
        chrome: Chrome::new(viewer, "/ui/partners"),
        node_id: node,
        partner: basis.partner_name.clone(),
        step: basis.step.clone(),
        answers: basis.previous.as_ref().map(|previous| previous.hash().to_string()),
        tlp: choices(&words(&tlp_levels, tlp_word), &form.tlp),
        encrypt_in_transit: choices(&words(EncryptInTransit::ALL, EncryptInTransit::as_str), &form.encrypt_in_transit),
        permitted_actions: choices(&words(PermittedActions::ALL, PermittedActions::as_str), &form.permitted_actions),
        affected_party_notifications: choices(
            &words(AffectedPartyNotifications::ALL, AffectedPartyNotifications::as_str),
            &form.affected_party_notifications,
        ),
        attribution: choices(&words(Attribution::ALL, Attribution::as_str), &form.attribution),
        unmodified_resale: choices(&words(UnmodifiedResale::ALL, UnmodifiedResale::as_str), &form.unmodified_resale),
        on_termination: choices(&["", "keep", "purge"], &form.on_termination),
        resharing: choices(&["nobody", "treaty-partners", "alliance-parties"], &form.resharing),
        json: serde_json::to_string_pretty(json).unwrap_or_default(),
        problems,
        form,
    }
}

pub(crate) async fn draft_form(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(node): Path<String>,
) -> Result<Response, PageError> {
    let (diplomat, partner) = basis(&state, &viewer, &node)?;
    let basis = load_basis(diplomat, partner).await?;
    let form = prefill(&basis)?;
    let json = document(&form, &basis)?;
    Ok(page(&render(&viewer, node, &basis, form, &json, String::new())))
}

pub(crate) async fn draft_post(
    State(state): State<AppState>,
    Path(node): Path<String>,
    Posted { viewer, form }: Posted<DraftForm>,
) -> Result<Response, PageError> {
    let (diplomat, partner) = basis(&state, &viewer, &node)?;
    let basis = load_basis(diplomat.clone(), partner.clone()).await?;
    let json = document(&form, &basis)?;
    let problems = Treaty::parse(&json).err().map(|error| error.to_string()).unwrap_or_default();
    if form.action != "send" || !problems.is_empty() {
        let status = if problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        return Ok(page_with(status, &render(&viewer, node, &basis, form, &json, problems)));
    }
    let request = MoveRequest { fingerprint: None, treaty: Some(json), reason: None };
    make_move(diplomat, partner, basis.step, request).await?;
    Ok(Redirect::to(&format!("/ui/partners/{node}")).into_response())
}
