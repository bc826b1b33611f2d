//! The overview: relations by state, treaties in force and those ending soon,
//! alliances, intelligence received and released per day (a server-drawn chart), the
//! sync health of each partner, the latest notes, and what this node holds.
//!
//! Relations, treaties, alliances, notes and the ledger are an envoy's business and
//! are shown to administrators only, as the API and `entente audit` decide; every
//! viewer sees the counts of what the node holds. Every query is indexed and bounded
//! ([`entente_store::Store::ledger_daily`], `recent_notes`, `outbox_health`), so the
//! page costs the same on a node holding 100,000 objects.

use super::overview_chart::{Chart, chart};
use crate::federation::inbound::refusal;
use crate::federation::{Diplomat, RelationView};
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use entente_core::Timestamp;
use entente_core::auth::Role;
use entente_core::treaty::Treaty;
use entente_store::Store;
use std::collections::{BTreeMap, HashMap};

/// Treaties ending within this many days are flagged.
const SOON_DAYS: i64 = 30;
const MICROS_PER_DAY: i64 = 86_400_000_000;
/// Notes listed.
const RECENT_NOTES: u32 = 10;

/// A relation in the overview's table.
#[derive(Debug)]
struct RelationRow {
    partner: String,
    node_id: String,
    country: String,
    state: String,
    treaty: bool,
}

/// A treaty in force with one partner.
#[derive(Debug)]
struct TreatyRow {
    partner: String,
    title: String,
    version: u32,
    hash: String,
    /// When it ends (its end date, or a notice of termination), if it does.
    ends: Option<String>,
    /// Why it ends within [`SOON_DAYS`], when it does.
    soon: Option<&'static str>,
}

#[derive(Debug)]
struct AllianceRow {
    name: String,
    in_force: bool,
    members: usize,
    open_polls: usize,
    pending_acts: usize,
}

/// Sync with one partner: their feed as pulled here, our notes to them.
#[derive(Debug)]
struct HealthRow {
    partner: String,
    last_sync: Option<String>,
    cursor: Option<String>,
    pages: i64,
    objects: i64,
    pending_notes: u64,
    attempts: i64,
    last_error: Option<String>,
}

#[derive(Debug)]
struct NoteRow {
    direction: String,
    partner: String,
    kind: String,
    created: String,
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
    treaties: Vec<TreatyRow>,
    alliance_rows: Vec<AllianceRow>,
    health: Vec<HealthRow>,
    notes: Vec<NoteRow>,
    chart: Option<Chart>,
    objects: Option<u64>,
    /// None for a partner's envoy: what this node holds is not a partner's to count.
    alliances: Option<usize>,
    ledger_entries: u64,
    ledger_head: String,
}

pub(crate) async fn show(State(state): State<AppState>, viewer: Viewer) -> Result<Response, PageError> {
    let caller = viewer.caller();
    let sees_relations = caller.require(Role::Admin).is_ok();
    let own_viewer = viewer.principal.partner.is_none();
    let now = crate::clock::now();
    let mut overview = Overview {
        chrome: Chrome::new(&viewer, "/ui"),
        federation: state.diplomat.is_some(),
        sees_relations,
        by_state: Vec::new(),
        relations: Vec::new(),
        treaties: Vec::new(),
        alliance_rows: Vec::new(),
        health: Vec::new(),
        notes: Vec::new(),
        chart: None,
        objects: own_viewer.then(|| readable_versions(&state.store, &caller)).transpose()?,
        alliances: own_viewer.then(|| state.store.alliance_charters().map(|c| c.len())).transpose()?,
        ledger_entries: 0,
        ledger_head: String::new(),
    };
    if sees_relations {
        let (entries, head) = state.store.ledger_head()?;
        overview.ledger_entries = entries;
        overview.ledger_head = head.unwrap_or_default();
        overview.chart = Some(chart(&state.store, now)?);
        if let Some(diplomat) = &state.diplomat {
            diplomacy(&mut overview, diplomat, &state.store, now)?;
        }
    }
    Ok(page(&overview))
}

/// The administrator's sections: relations, treaties, alliances, sync health, notes.
fn diplomacy(overview: &mut Overview, diplomat: &Diplomat, store: &Store, now: Timestamp) -> Result<(), PageError> {
    let views = diplomat.relations(now).map_err(|error| PageError(refusal(&error)))?;
    let names: HashMap<String, String> =
        views.iter().map(|view| (view.partner.node_id.clone(), view.partner.name.clone())).collect();
    let mut by_state: BTreeMap<String, usize> = BTreeMap::new();
    let outbox: HashMap<String, entente_store::OutboxHealth> =
        store.outbox_health()?.into_iter().map(|health| (health.partner.clone(), health)).collect();
    for view in &views {
        *by_state.entry(view.state.clone()).or_default() += 1;
        if let Some(treaty) = treaty_row(store, view, now)? {
            overview.treaties.push(treaty);
        }
        let cursor = store.sync_cursor(&view.partner.node_id)?;
        let delivery = outbox.get(&view.partner.node_id);
        overview.health.push(HealthRow {
            partner: view.partner.name.clone(),
            last_sync: cursor.as_ref().map(|cursor| Timestamp::from_unix_micros(cursor.updated_micros).to_string()),
            cursor: cursor.as_ref().and_then(|cursor| cursor.cursor.clone()),
            pages: cursor.as_ref().map_or(0, |cursor| cursor.pages),
            objects: cursor.as_ref().map_or(0, |cursor| cursor.objects),
            pending_notes: delivery.map_or(0, |delivery| delivery.pending),
            attempts: delivery.map_or(0, |delivery| delivery.attempts),
            last_error: delivery.and_then(|delivery| delivery.last_error.clone()),
        });
        overview.relations.push(RelationRow {
            partner: view.partner.name.clone(),
            node_id: view.partner.node_id.clone(),
            country: view.partner.country.clone().unwrap_or_default(),
            state: view.state.clone(),
            treaty: view.treaty_in_force.is_some(),
        });
    }
    overview.by_state = by_state.into_iter().collect();
    for alliance in diplomat.alliances(now).map_err(|error| PageError(refusal(&error)))? {
        overview.alliance_rows.push(AllianceRow {
            name: alliance.name,
            in_force: alliance.in_force,
            members: alliance.members.len(),
            open_polls: alliance.polls.len(),
            pending_acts: alliance.pending.len(),
        });
    }
    overview.notes = store
        .recent_notes(RECENT_NOTES)?
        .into_iter()
        .map(|note| NoteRow {
            direction: note.direction,
            partner: names.get(&note.partner).cloned().unwrap_or(note.partner),
            kind: note.kind,
            created: note.created,
        })
        .collect();
    Ok(())
}

/// The treaty in force in a relation, with when it ends and whether that is soon.
fn treaty_row(store: &Store, view: &RelationView, now: Timestamp) -> Result<Option<TreatyRow>, PageError> {
    let Some(hash) = &view.treaty_in_force else { return Ok(None) };
    let Some(record) = store.treaty(hash)? else { return Ok(None) };
    let value: serde_json::Value = serde_json::from_str(&record.json)
        .map_err(|error| crate::error::ApiError::internal(format!("stored treaty {hash}: {error}")))?;
    let treaty = Treaty::parse(&value)
        .map_err(|error| crate::error::ApiError::internal(format!("stored treaty {hash}: {error}")))?;
    let horizon = now.unix_micros() + SOON_DAYS * MICROS_PER_DAY;
    let notice = view.termination_effective.as_deref().and_then(|text| Timestamp::parse(text).ok());
    let end = treaty.body().terms.end_date.as_ref().map(|end| end.instant());
    let (ends, soon) = match (notice, end) {
        (Some(notice), _) => (Some(notice), Some("notice of termination given")),
        (None, Some(end)) => (Some(end), Some("its end date comes")),
        (None, None) => (None, None),
    };
    let soon = soon.filter(|_| ends.is_some_and(|ends| ends.unix_micros() <= horizon));
    Ok(Some(TreatyRow {
        partner: view.partner.name.clone(),
        title: treaty.body().title.clone(),
        version: treaty.version(),
        hash: hash.clone(),
        ends: ends.map(|ends| ends.to_string()),
        soon,
    }))
}

/// The object versions in the collections the viewer's role may read.
fn readable_versions(store: &entente_store::Store, caller: &crate::auth::Caller) -> Result<u64, PageError> {
    let mut total = 0;
    for collection in crate::api::search::readable(store, caller.role())? {
        total += store.count_objects(Some(&collection))?;
    }
    Ok(total)
}
