//! Partners: the relations of this node (a table, a map by country, a graph of
//! relations and alliances), a partner's page, and negotiation through forms.
//!
//! Relations are an envoy's business: every page here needs the Admin role, as the
//! API's `/api/v1/relations…` does, and calls the same diplomat operations
//! (`api::relations::{diplomat, make_move, contact_node}`).

mod diff;
mod draft;
mod map;
mod moves;
mod show;
pub(crate) mod terms;

pub(crate) use diff::diff;
pub(crate) use draft::{draft_form, draft_post};
pub(crate) use moves::{contact, make};
pub(crate) use show::{show, stored_treaty};

use crate::api::relations::diplomat;
use crate::blocking::blocking;
use crate::federation::inbound::refusal;
use crate::federation::{Diplomat, RelationView};
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use terms::Names;

/// The viewer's diplomat: Admin only, and only on a node with federation on.
pub(crate) fn envoy_diplomat(state: &AppState, viewer: &Viewer) -> Result<Diplomat, PageError> {
    Ok(diplomat(state, &viewer.caller())?)
}

/// Names of this node, its partners and the alliances it holds, by id.
pub(crate) fn names(state: &AppState, diplomat: &Diplomat) -> Result<Names, PageError> {
    let mut names = Names::default();
    for partner in state.store.partners()? {
        names.0.insert(partner.node_id, partner.name);
    }
    for charter in state.store.alliance_charters()? {
        if let Ok(value) = serde_json::from_str::<Value>(&charter.json)
            && let Some(name) = value.get("name").and_then(Value::as_str)
        {
            names.0.insert(charter.alliance_id, name.to_owned());
        }
    }
    let settings = state.store.node_settings()?;
    names.0.insert(diplomat.identity().node_id().to_string(), format!("{} (this node)", settings.name));
    Ok(names)
}

/// Every relation, off the async workers (each one replays its note history).
async fn relations(diplomat: Diplomat) -> Result<Vec<RelationView>, PageError> {
    Ok(blocking(move || diplomat.relations(crate::clock::now()).map_err(|error| refusal(&error))).await?)
}

#[derive(Template)]
#[template(path = "partners.html")]
struct Partners {
    chrome: Chrome,
    relations: Vec<RelationView>,
    countries: Vec<map::Country>,
    view_box: &'static str,
    /// Relations with partners whose card names no country on the map.
    unplaced: usize,
}

pub(crate) async fn list(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let relations = relations(diplomat).await?;
    let located = relations
        .iter()
        .filter_map(|r| Some((r.partner.country.as_deref()?, r.partner.name.as_str(), r.state.as_str())));
    let countries = map::countries(located);
    let unplaced = relations.iter().filter(|r| !r.partner.country.as_deref().is_some_and(map::on_the_map)).count();
    let page_data = Partners {
        chrome: Chrome::new(&viewer, "/ui/partners"),
        relations,
        countries,
        view_box: map::VIEW_BOX,
        unplaced,
    };
    Ok(page(&page_data))
}

/// The graph of relations and alliances, for `assets/partners-graph.js`: this node,
/// its partners (edges coloured by the relation's state), and the alliances it holds
/// with an edge to each member.
pub(crate) async fn graph(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let diplomat = envoy_diplomat(&state, &viewer)?;
    let us = diplomat.identity().node_id().to_string();
    let relations = relations(diplomat.clone()).await?;
    let alliances = blocking(move || diplomat.alliances(crate::clock::now()).map_err(|error| refusal(&error))).await?;
    let settings = state.store.node_settings()?;
    let mut elements = vec![json!({"data": {"id": us, "label": settings.name, "kind": "self"}})];
    let mut placed: std::collections::HashSet<String> = relations.iter().map(|r| r.partner.node_id.clone()).collect();
    placed.insert(us.clone());
    for relation in &relations {
        let partner = &relation.partner;
        elements.push(json!({"data": {"id": partner.node_id, "label": partner.name, "kind": "partner",
            "state": relation.state, "href": format!("/ui/partners/{}", partner.node_id)}}));
        elements.push(json!({"data": {"id": format!("relation:{}", partner.node_id), "source": us,
            "target": partner.node_id, "kind": "relation", "state": relation.state}}));
    }
    for alliance in &alliances {
        let state_word = if alliance.in_force { "in-force" } else { "pending" };
        elements.push(json!({"data": {"id": alliance.id, "label": alliance.name, "kind": "alliance",
            "state": state_word, "href": format!("/ui/alliances/{}", alliance.id)}}));
        // Before its founding an alliance has no members: its founders are shown instead.
        let (parties, kind) = if alliance.members.is_empty() {
            (&alliance.founders, "founder")
        } else {
            (&alliance.members, "membership")
        };
        for member in parties {
            if placed.insert(member.clone()) {
                elements.push(json!({"data": {"id": member, "label": member, "kind": "stranger"}}));
            }
            elements.push(json!({"data": {"id": format!("{kind}:{}:{member}", alliance.id), "source": alliance.id,
                "target": member, "kind": kind, "state": state_word}}));
        }
    }
    Ok(Json(json!({ "elements": elements })).into_response())
}
