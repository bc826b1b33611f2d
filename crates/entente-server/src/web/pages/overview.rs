//! The overview: relations by state, what this node holds, the ledger's head.

use crate::federation::inbound::refusal;
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use entente_core::auth::Role;
use std::collections::BTreeMap;

/// A relation in the overview's table.
#[derive(Debug)]
struct RelationRow {
    partner: String,
    node_id: String,
    country: String,
    state: String,
    treaty: bool,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct Overview {
    chrome: Chrome,
    federation: bool,
    /// Relations are an envoy's business: shown to administrators only, as in the API.
    sees_relations: bool,
    by_state: Vec<(String, usize)>,
    relations: Vec<RelationRow>,
    objects: u64,
    alliances: usize,
    ledger_entries: u64,
    ledger_head: String,
}

pub(crate) async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let caller = viewer.caller();
    let sees_relations = caller.require(Role::Admin).is_ok();
    let now = crate::clock::now();
    let mut relations = Vec::new();
    if sees_relations && let Some(diplomat) = &state.diplomat {
        let views = diplomat.relations(now).map_err(|error| PageError(refusal(&error)))?;
        for view in views {
            relations.push(RelationRow {
                partner: view.partner.name,
                node_id: view.partner.node_id,
                country: view.partner.country.unwrap_or_default(),
                state: view.state,
                treaty: view.treaty_in_force.is_some(),
            });
        }
    }
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    for relation in &relations {
        *by_state.entry(relation.state.clone()).or_default() += 1;
    }
    let (ledger_entries, head) = state.store.ledger_head()?;
    let overview = Overview {
        chrome: Chrome::new(&viewer, "/ui"),
        federation: state.diplomat.is_some(),
        sees_relations,
        by_state: by_state.into_iter().collect(),
        relations,
        objects: state.store.count_objects(None)?,
        alliances: state.store.alliance_charters()?.len(),
        ledger_entries,
        ledger_head: head.unwrap_or_default(),
    };
    Ok(page(&overview))
}
