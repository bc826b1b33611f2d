//! Alliances: the ones this node holds, and one alliance's charter (in plain
//! language), members, polls with the votes cast, and acts held that do not apply
//! yet; with forms for what an envoy does day to day — propose to admit or expel a
//! node, vote, accede, sign a charter as a founder — calling the diplomat's alliance
//! methods, as `entente alliance …` does.

use super::partners::terms::{Names, Term, exchange_terms, resharing_term, scope_terms};
use super::partners::{envoy_diplomat, names};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::inbound::refusal;
use crate::federation::{AllianceView, Diplomat};
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::{Posted, Viewer};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use entente_core::StixId;
use entente_core::alliance::{AllianceHash, Ballot, Charter, DecisionRule, ProposalAction};
use entente_core::treaty::Resharing;
use serde::Deserialize;

#[derive(Template)]
#[template(path = "alliances.html")]
struct Alliances {
    chrome: Chrome,
    alliances: Vec<AllianceView>,
}

pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let alliances = blocking(move || diplomat.alliances(crate::clock::now()).map_err(|error| refusal(&error))).await?;
    Ok(page(&Alliances { chrome: Chrome::new(&viewer, "/ui/alliances"), alliances }))
}

/// A member or founder, by name where this node knows it.
#[derive(Debug, Clone)]
struct Party {
    id: String,
    name: String,
}

#[derive(Template)]
#[template(path = "alliance.html")]
struct AlliancePage {
    chrome: Chrome,
    alliance: AllianceView,
    purpose: String,
    region: String,
    rule: String,
    charter: Vec<Term>,
    members: Vec<Party>,
    founders: Vec<Party>,
    /// Partners that are not members: whom a proposal to admit can name.
    candidates: Vec<Party>,
    us: String,
    names: Names,
    /// Treaties in force whose re-sharing rule names this alliance: what flows on to
    /// its members from bilateral relations.
    shared: Vec<Shared>,
}

/// A treaty in force that lets what it brings go on to the alliance's members.
#[derive(Debug, Clone)]
struct Shared {
    partner: String,
    node_id: String,
    title: String,
    hash: String,
}

impl AlliancePage {
    fn is_member(&self) -> bool {
        self.alliance.members.contains(&self.us)
    }

    /// Whether this node may still vote on `poll`: a member, the poll open, no vote of
    /// ours cast yet, and not the node an expulsion names.
    fn may_vote(&self, poll: &crate::federation::PollView) -> bool {
        self.is_member()
            && poll.outcome == "open"
            && !poll.votes.iter().any(|vote| vote.voter == self.us)
            && !(poll.action == "expel" && poll.subject == self.us)
    }

    fn must_sign(&self) -> bool {
        self.alliance.missing_founders.contains(&self.us)
    }

    fn name_of(&self, id: &str) -> String {
        self.names.of(id)
    }
}

/// The decision rule in words.
fn rule_plain(rule: DecisionRule) -> String {
    match rule {
        DecisionRule::Unanimity => "unanimity: every member in force must vote yes".to_owned(),
        DecisionRule::QualifiedMajority { numerator, denominator } => {
            format!("a qualified majority: at least {numerator}/{denominator} of the members in force vote yes")
        }
    }
}

fn alliance_id(text: &str) -> Result<StixId, PageError> {
    StixId::parse(text).ok().filter(|id| id.object_type() == "identity").ok_or_else(|| {
        PageError(ApiError::bad_request(
            "invalid-alliance-id",
            format!("{text:?} is not an alliance id (identity--<uuid>)"),
        ))
    })
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let alliance = alliance_id(&id)?;
    let names = names(&state, &diplomat)?;
    let us = diplomat.identity().node_id().to_string();
    let partners = state.store.partners()?;
    let record = state
        .store
        .alliance_charter(alliance.as_str())?
        .ok_or_else(|| ApiError::not_found(format!("alliance {id:?}")).describe("pick one from the alliances page"))?;
    let charter = serde_json::from_str(&record.json)
        .ok()
        .and_then(|value| Charter::parse(&value).ok())
        .ok_or_else(|| ApiError::internal(format!("stored charter of {id}")))?;
    let (view, shared) = blocking(move || {
        let now = crate::clock::now();
        let view = diplomat.alliance(&alliance, now).map_err(|error| refusal(&error))?;
        Ok((view, shared_with(&diplomat, &alliance, now)?))
    })
    .await?;
    let body = charter.body();
    let mut terms = scope_terms(&body.scope);
    terms.extend(exchange_terms(&body.terms));
    terms.push(resharing_term(&body.resharing, &names));
    let party = |id: &String| Party { id: id.clone(), name: names.of(id) };
    let region = body.region.as_ref().map_or_else(String::new, |region| {
        let countries = region.countries.as_ref().map(|codes| codes.join(", ")).unwrap_or_default();
        match (&region.name, countries.is_empty()) {
            (Some(name), true) => name.clone(),
            (Some(name), false) => format!("{name} ({countries})"),
            (None, _) => countries,
        }
    });
    let template = AlliancePage {
        chrome: Chrome::new(&viewer, "/ui/alliances"),
        purpose: body.purpose.clone(),
        region,
        rule: rule_plain(body.decision_rule),
        charter: terms,
        members: view.members.iter().map(party).collect(),
        founders: view.founders.iter().map(party).collect(),
        candidates: partners
            .into_iter()
            .filter(|partner| !view.members.contains(&partner.node_id))
            .map(|partner| Party { id: partner.node_id, name: partner.name })
            .collect(),
        alliance: view,
        us,
        names,
        shared,
    };
    Ok(page(&template))
}

/// The treaties in force whose re-sharing rule is `alliance-parties` naming `alliance`.
fn shared_with(diplomat: &Diplomat, alliance: &StixId, now: entente_core::Timestamp) -> Result<Vec<Shared>, ApiError> {
    let mut shared = Vec::new();
    for relation in diplomat.relations(now).map_err(|error| refusal(&error))? {
        let Some(hash) = relation.treaty_in_force else { continue };
        let treaty = super::partners::stored_treaty(diplomat, &hash)?;
        if let Resharing::AllianceParties(alliances) = &treaty.body().resharing
            && alliances.contains(alliance)
        {
            shared.push(Shared {
                partner: relation.partner.name,
                node_id: relation.partner.node_id,
                title: treaty.body().title.clone(),
                hash,
            });
        }
    }
    Ok(shared)
}

/// An alliance act posted from the alliance's page.
#[derive(Deserialize)]
pub(crate) struct ActForm {
    /// `sign`, `propose`, `vote` or `accede`.
    act: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    ballot: String,
}

fn invalid(what: &str, given: &str) -> ApiError {
    ApiError::new(axum::http::StatusCode::UNPROCESSABLE_ENTITY, "invalid-form", format!("{what}: {given:?}"))
        .describe("go back to the alliance's page and choose from its forms; nothing was done")
}

/// Makes one act; the diplomat checks it against the alliance as this node folds it.
fn act(diplomat: &Diplomat, alliance: &StixId, form: &ActForm) -> Result<AllianceHash, ApiError> {
    let now = crate::clock::now();
    let proposal =
        || AllianceHash::parse(form.proposal.trim()).map_err(|_| invalid("no such proposal", &form.proposal));
    let done = match form.act.as_str() {
        "sign" => diplomat.sign_alliance(alliance, now),
        "propose" => {
            let action = match form.action.as_str() {
                "admit" => ProposalAction::Admit,
                "expel" => ProposalAction::Expel,
                other => return Err(invalid("a proposal admits or expels, not", other)),
            };
            let subject = StixId::parse(form.subject.trim())
                .ok()
                .filter(|id| id.object_type() == "identity")
                .ok_or_else(|| invalid("not a node id", &form.subject))?;
            diplomat.propose_in_alliance(alliance, action, &subject, now)
        }
        "vote" => {
            let ballot = match form.ballot.as_str() {
                "yes" => Ballot::Yes,
                "no" => Ballot::No,
                other => return Err(invalid("a ballot is yes or no, not", other)),
            };
            diplomat.vote_in_alliance(alliance, &proposal()?, ballot, now)
        }
        "accede" => diplomat.accede_to_alliance(alliance, &proposal()?, now),
        other => return Err(ApiError::not_found(format!("the alliance act {other:?}"))),
    };
    done.map_err(|error| refusal(&error))
}

pub(crate) async fn post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted { viewer, form }: Posted<ActForm>,
) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let alliance = alliance_id(&id)?;
    blocking(move || act(&diplomat, &alliance, &form)).await?;
    Ok(Redirect::to(&format!("/ui/alliances/{id}")).into_response())
}
