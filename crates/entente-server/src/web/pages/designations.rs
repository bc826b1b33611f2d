//! Designations: the divergence matrix — designated entities (rows) by authorities
//! (columns), each cell whether that authority lists the entity, with its reference,
//! legal basis (programmes) and dates behind a `<details>`. The data is exactly that
//! of `GET /api/v1/designations/divergence` ([`divergence_groups`]: the same
//! collections by role, the same release decision for a partner's envoy).
//! Filterable by name, authority and divergence; paged.

use crate::api::designations::divergence_groups;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use crate::taxii::released;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use entente_core::auth::Role;
use entente_core::designation::divergence::{Group, Stance};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Rows per page.
const PAGE: usize = 50;

#[derive(Debug, Default, Deserialize, Serialize)]
pub(crate) struct MatrixParams {
    /// Part of a name or alias.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    q: String,
    /// Only entities some authority lists and another does not.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    divergent: String,
    /// Only entities this authority has a record of.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    authority: String,
    /// 1-based.
    #[serde(default, skip_serializing)]
    page: Option<usize>,
}

/// One cell: the records one authority has of the entity (none, one, or several
/// joined by an analyst).
#[derive(Debug)]
struct Cell {
    records: Vec<Stance>,
    /// `listed`, `delisted` or `none`.
    mark: &'static str,
}

#[derive(Debug)]
struct MatrixRow {
    name: String,
    kind: &'static str,
    grouping: &'static str,
    divergent: bool,
    cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "designations.html")]
struct DesignationsPage {
    chrome: Chrome,
    /// (key, name) of every authority, the columns.
    authorities: Vec<(String, String)>,
    rows: Vec<MatrixRow>,
    q: String,
    divergent: bool,
    authority: String,
    /// Entities matching the filters, across pages.
    matching: usize,
    total: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    params: Result<Query<MatrixParams>, QueryRejection>,
) -> Result<Response, PageError> {
    let Query(params) = params.map_err(|rejection| {
        ApiError::bad_request("invalid-request", format!("this filter cannot be read: {rejection}"))
            .describe("page takes a page number from 1; clear the filters and try again")
    })?;
    let caller = viewer.caller();
    let role = caller.role();
    let gate = released::gate_for(&state, &caller, crate::clock::now())?;
    let groups = match gate {
        // A partner's envoy: the release decision is taken afresh on every view.
        Some(gate) => Arc::new(blocking(move || divergence_groups(&state, Some(&gate), role)).await?),
        None => local_groups(&state, role).await?,
    };
    let mut authorities: BTreeMap<String, String> = BTreeMap::new();
    for record in groups.iter().flat_map(|group| &group.records) {
        authorities.entry(record.authority.clone()).or_insert_with(|| record.authority_name.clone());
    }
    let authority = params.authority.trim().to_ascii_lowercase();
    if !authority.is_empty() && !authorities.contains_key(&authority) {
        let known: Vec<&str> = authorities.keys().map(String::as_str).collect();
        return Err(PageError(
            ApiError::bad_request("unknown-authority", format!("no list of authority {authority:?} is held here"))
                .describe(if known.is_empty() {
                    "no designation list is loaded: import one with `entente designations import`".to_owned()
                } else {
                    format!("choose one of: {}", known.join(", "))
                }),
        ));
    }
    let divergent = !params.divergent.is_empty();
    let needle = params.q.trim().to_lowercase();
    let matching: Vec<&Group> = groups
        .iter()
        .filter(|group| !divergent || is_divergent(group))
        .filter(|group| authority.is_empty() || group.records.iter().any(|record| record.authority == authority))
        .filter(|group| needle.is_empty() || names(group).any(|name| name.to_lowercase().contains(&needle)))
        .collect();
    let pages = matching.len().div_ceil(PAGE).max(1);
    let page_number = params.page.unwrap_or(1);
    if page_number == 0 || page_number > pages {
        return Err(PageError(
            ApiError::not_found(format!("page {page_number} of the matrix"))
                .describe(format!("there are {pages} page(s) with these filters; go back to page 1")),
        ));
    }
    let columns: Vec<(String, String)> = authorities.into_iter().collect();
    let rows = matching.iter().skip((page_number - 1) * PAGE).take(PAGE).map(|group| row(group, &columns)).collect();
    let filters = serde_urlencoded::to_string(&params).unwrap_or_default();
    let link = |number: usize| {
        if filters.is_empty() { format!("?page={number}") } else { format!("?{filters}&page={number}") }
    };
    let template = DesignationsPage {
        chrome: Chrome::new(&viewer, "/ui/designations"),
        authorities: columns,
        rows,
        q: params.q.clone(),
        divergent,
        authority,
        matching: matching.len(),
        total: groups.len(),
        page: page_number,
        pages,
        previous: (page_number > 1).then(|| link(page_number - 1)),
        next: (page_number < pages).then(|| link(page_number + 1)),
    };
    Ok(page(&template))
}

/// The grouping of this node's own viewers, by database and role, with the version
/// of the designations it was made from and when.
type Grouped = (Version, Instant, Arc<Vec<Group>>);
type Version = (i64, String, i64, i64);
static GROUPED: LazyLock<Mutex<HashMap<(PathBuf, Role), Grouped>>> = LazyLock::new(Mutex::default);
/// A grouping is reused for this long at most, even when the designations look
/// unchanged: a designation object deleted from a collection leaves the index as it
/// was.
const REUSE_FOR: Duration = Duration::from_secs(30);

/// [`divergence_groups`] for a local viewer. Grouping every designation held takes
/// tens of milliseconds with the three real lists, so the grouping is reused while
/// the designations and links are unchanged (and for [`REUSE_FOR`] at most).
async fn local_groups(state: &AppState, role: Role) -> Result<Arc<Vec<Group>>, ApiError> {
    let key = (state.store.path().to_owned(), role);
    let version = state.store.designations_version()?;
    let reused = GROUPED.lock().ok().and_then(|grouped| {
        grouped
            .get(&key)
            .filter(|(made_from, at, _)| *made_from == version && at.elapsed() < REUSE_FOR)
            .map(|(_, _, groups)| groups.clone())
    });
    if let Some(groups) = reused {
        return Ok(groups);
    }
    let state = state.clone();
    let groups = Arc::new(blocking(move || divergence_groups(&state, None, role)).await?);
    if let Ok(mut grouped) = GROUPED.lock() {
        grouped.insert(key, (version, Instant::now(), groups.clone()));
    }
    Ok(groups)
}

/// Some authority lists it now and another known one does not.
fn is_divergent(group: &Group) -> bool {
    !group.listed_by.is_empty() && !group.not_listed_by.is_empty()
}

fn names(group: &Group) -> impl Iterator<Item = &String> {
    std::iter::once(&group.name)
        .chain(group.records.iter().map(|record| &record.name))
        .chain(group.records.iter().flat_map(|record| &record.aliases))
}

fn row(group: &Group, columns: &[(String, String)]) -> MatrixRow {
    let cells = columns
        .iter()
        .map(|(key, _)| {
            let records: Vec<Stance> =
                group.records.iter().filter(|record| &record.authority == key).cloned().collect();
            let mark = if group.listed_by(key) {
                "listed"
            } else if records.is_empty() {
                "none"
            } else {
                "delisted"
            };
            Cell { records, mark }
        })
        .collect();
    MatrixRow {
        name: group.name.clone(),
        kind: group.kind.as_str(),
        grouping: group.grouping.as_str(),
        divergent: is_divergent(group),
        cells,
    }
}
