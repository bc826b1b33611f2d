//! `GET /api/v1/designations/divergence`: who designates an entity and who does not
//! (`?entity=NAME|ID`), or what one authority lists and another does not
//! (`?between=a,b`). With neither: every entity more than one list names.
//!
//! A local caller sees the designations of the collections its role may read (the
//! TAXII rule), from the store's index. A partner's envoy sees only what the release
//! decision lets its partner have: the newest version of every designation object in
//! the collections the envoy role reads goes through the partner's `Gate` (as a TAXII
//! read by an envoy does), each one released is recorded on the ledger
//! (`channel:designations`), and the view is built from the released objects alone.
//!
//! The grouping is `entente_core::designation::divergence`; this handler only picks
//! the rows, runs it on the blocking pool and renders.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::sync::release::Gate;
use crate::state::AppState;
use crate::taxii::released;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use entente_core::auth::Role;
use entente_core::designation::divergence::{self, Group, Link};
use entente_core::designation::stix::{DESIGNATION_TYPE, IndexRow, index_row};
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, VersionSelector};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Debug, Deserialize)]
pub(crate) struct DivergenceQuery {
    entity: Option<String>,
    between: Option<String>,
}

pub(crate) async fn divergence(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<DivergenceQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(query) =
        query.map_err(|rejection| ApiError::bad_request("invalid-request", format!("invalid query: {rejection}")))?;
    let between = query.between.as_deref().map(parse_between).transpose()?;
    if between.is_some() && query.entity.is_some() {
        return Err(ApiError::bad_request("invalid-request", "give entity or between, not both"));
    }
    let role = caller.role();
    let gate = released::gate_for(&state, &caller, crate::clock::now())?;
    let body = blocking(move || {
        let groups = divergence_groups(&state, gate.as_ref(), role)?;
        render(&groups, query.entity.as_deref(), between)
    })
    .await?;
    Ok(Json(body).into_response())
}

/// Every group of the divergence view this caller may see: the designations of the
/// collections `role` reads, or for a partner's envoy only what `gate` releases (and
/// records). The API above and the web interface's Designations page both use it.
/// Runs on the blocking pool.
pub(crate) fn divergence_groups(state: &AppState, gate: Option<&Gate>, role: Role) -> Result<Vec<Group>, ApiError> {
    let store = &state.store;
    let readable: Vec<String> = store
        .list_collections(None)?
        .into_iter()
        .filter(|collection| collection.can_read(role))
        .map(|collection| collection.id)
        .collect();
    let rows = match gate {
        None => store.designations_in(&readable)?,
        Some(gate) => released_rows(state, gate, &readable)?,
    };
    // Analysts' confirmed and rejected links are this node's own judgement, not
    // intelligence released under a treaty: an envoy sees automatic candidates only.
    let links: Vec<Link> = match gate {
        None => store.designation_links()?.into_iter().map(|record| record.link).collect(),
        Some(_) => Vec::new(),
    };
    Ok(divergence::group(&rows, &links))
}

/// The designations a partner's envoy may see: the newest version of each designation
/// object, judged by the partner's gate, recorded on the ledger when released.
fn released_rows(state: &AppState, gate: &Gate, collections: &[String]) -> Result<Vec<IndexRow>, ApiError> {
    let mut filter = Filter::everything();
    filter.types = vec![DESIGNATION_TYPE.to_owned()];
    filter.versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    let mut latest: HashMap<String, IndexRow> = HashMap::new();
    for collection in collections {
        let mut filter = filter.clone();
        loop {
            let page = state.store.query_full(collection, None, &filter, 1000)?;
            let next = page.next;
            let page = gate
                .release_page(&state.store, page, Some("designations"))
                .map_err(|error| ApiError::internal(error.to_string()))?;
            let released = page.rows.iter().filter_map(|row| StixObject::from_json(&row.json).ok());
            for row in released.filter_map(|object| index_row(&object)) {
                match latest.get(&row.designation_id) {
                    Some(held) if held.modified >= row.modified => {}
                    _ => {
                        latest.insert(row.designation_id.clone(), row);
                    }
                }
            }
            match next {
                Some(cursor) => filter.next = Some(cursor),
                None => break,
            }
        }
    }
    let mut rows: Vec<IndexRow> = latest.into_values().collect();
    rows.sort_by(|a, b| (&a.authority.key, &a.reference).cmp(&(&b.authority.key, &b.reference)));
    Ok(rows)
}

/// `a,b`: two authority keys.
fn parse_between(text: &str) -> Result<(String, String), ApiError> {
    match text.split(',').map(|key| key.trim().to_ascii_lowercase()).collect::<Vec<_>>().as_slice() {
        [a, b] if !a.is_empty() && !b.is_empty() && a != b => Ok((a.clone(), b.clone())),
        _ => Err(ApiError::bad_request("invalid-request", "between takes two different authority keys: between=ca,un")),
    }
}

fn render(groups: &[Group], entity: Option<&str>, between: Option<(String, String)>) -> Result<Value, ApiError> {
    if let Some((a, b)) = between {
        return serde_json::to_value(divergence::between(groups, &a, &b))
            .map_err(|error| ApiError::internal(error.to_string()));
    }
    let chosen: Vec<&Group> = match entity {
        Some(query) => {
            let found = divergence::find(groups, query);
            if found.is_empty() {
                return Err(ApiError::not_found(format!("a designated entity matching {query:?}")));
            }
            found
        }
        None => groups.iter().filter(|group| group.records.len() > 1).collect(),
    };
    Ok(json!({ "groups": chosen }))
}
