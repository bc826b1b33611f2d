//! `/ui/intel`: search with filters, one page of results at a time.
//!
//! The filters become the parameters of `/api/v1/search` and go through the API's own
//! parser and [`api::search::hits`]: the same limits, the same order (relevance for
//! words, else newest first, which the index answers without reading every object),
//! and for an envoy the same release decision, with each result recorded as a release.
//! `collection` narrows the collections the viewer may read to one.

use super::shown::{Marking, MarkingNames, text, title};
use crate::api::search::{self as api, readable};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::state::AppState;
use crate::taxii::released;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use entente_core::search::SearchCursor;
use entente_store::{SearchHit, SearchScope, Store};
use serde::Deserialize;

/// Results per page.
const PAGE_SIZE: &str = "50";

/// The search form's fields, as the page's URL carries them.
#[derive(Debug, Default, Deserialize)]
struct Filters {
    #[serde(default)]
    q: String,
    #[serde(default, rename = "type")]
    object_type: String,
    #[serde(default)]
    collection: String,
    #[serde(default)]
    since: String,
    #[serde(default)]
    until: String,
    /// Where this page starts: the `next` of the page before.
    #[serde(default)]
    page: String,
}

impl Filters {
    /// The API's parameters for these filters; dates from the form's date fields
    /// (`2026-01-31`) cover whole days.
    fn api_parameters(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("limit", PAGE_SIZE.to_owned())];
        let mut push = |name: &'static str, value: &str| {
            if !value.trim().is_empty() {
                pairs.push((name, value.trim().to_owned()));
            }
        };
        push("q", &self.q);
        push("type", &self.object_type);
        push("since", &day(&self.since, "T00:00:00Z"));
        push("until", &day(&self.until, "T23:59:59.999Z"));
        push("next", &self.page);
        pairs
    }

    /// The query string of the page that starts at `next`, with the same filters.
    fn link(&self, next: Option<&str>) -> String {
        let mut pairs: Vec<(&str, &str)> = [
            ("q", self.q.as_str()),
            ("type", self.object_type.as_str()),
            ("collection", self.collection.as_str()),
            ("since", self.since.as_str()),
            ("until", self.until.as_str()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        if let Some(next) = next {
            pairs.push(("page", next));
        }
        format!("/ui/intel?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }
}

/// A date alone (`YYYY-MM-DD`) completed with `time`; anything else as given.
fn day(value: &str, time: &str) -> String {
    let value = value.trim();
    let is_date = value.len() == 10
        && value.bytes().enumerate().all(|(at, byte)| match at {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if is_date { format!("{value}{time}") } else { value.to_owned() }
}

/// One result as listed.
#[derive(Debug)]
struct Row {
    id: String,
    object_type: String,
    title: String,
    created: String,
    modified: String,
    markings: Vec<Marking>,
    collection: String,
    /// Who put it into the federation, `local` when it never came from a partner;
    /// empty for an envoy (provenance is this node's business).
    originator: String,
}

impl Row {
    /// The day of a timestamp, for the list (the full time is in the cell's title).
    fn date(timestamp: &str) -> &str {
        timestamp.get(..10).unwrap_or(timestamp)
    }
}

#[derive(Template)]
#[template(path = "intel_search.html")]
struct SearchPage {
    chrome: Chrome,
    filters: Filters,
    collections: Vec<(String, String)>,
    rows: Vec<Row>,
    envoy: bool,
    may_import: bool,
    first_page: bool,
    first_link: String,
    next_link: Option<String>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let filters: Filters = serde_urlencoded::from_str(raw.as_deref().unwrap_or("")).map_err(|error| {
        ApiError::bad_request("invalid-search", format!("the search cannot be read: {error}"))
            .describe("use the search form to choose the filters")
    })?;
    let caller = viewer.caller();
    let role = caller.role();
    let collections: Vec<(String, String)> = state
        .store
        .list_collections(None)?
        .into_iter()
        .filter(|collection| collection.can_read(role))
        .map(|collection| (collection.id, collection.title))
        .collect();
    let may_import = state.store.list_collections(None)?.iter().any(|collection| collection.can_write(role));
    let mut scope = readable(&state.store, role)?;
    if !filters.collection.is_empty() {
        if !scope.contains(&filters.collection) {
            return Err(PageError(
                ApiError::not_found(format!("collection {:?} among those you may read", filters.collection))
                    .describe("choose one of the collections the search form lists"),
            ));
        }
        scope = vec![filters.collection.clone()];
    }
    let query_string = serde_urlencoded::to_string(filters.api_parameters()).unwrap_or_default();
    let query = api::parse(Some(&query_string))?;
    let gate = released::gate_for(&state, &caller, crate::clock::now())?;
    let envoy = gate.is_some();
    let names_from = if envoy { Vec::new() } else { scope.clone() };
    let worker = state.clone();
    let (rows, next) = blocking(move || {
        let (hits, next) = api::hits(&worker, gate.as_ref(), &query, &SearchScope::Collections(scope))?;
        let mut names = MarkingNames::new(&worker.store, &names_from);
        let rows = hits.into_iter().map(|hit| row(&worker.store, hit, &mut names, envoy)).collect();
        Ok((rows, next))
    })
    .await?;
    let next_link = next.map(|offset| filters.link(Some(&SearchCursor { offset }.encode())));
    // Collections by title, as the filter names them.
    let mut rows: Vec<Row> = rows;
    for row in &mut rows {
        if let Some((_, title)) = collections.iter().find(|(id, _)| *id == row.collection) {
            row.collection.clone_from(title);
        }
    }
    let search = SearchPage {
        chrome: Chrome::new(&viewer, "/ui/intel"),
        first_page: filters.page.is_empty(),
        first_link: filters.link(None),
        filters,
        collections,
        rows,
        envoy,
        may_import,
        next_link,
    };
    Ok(page(&search))
}

fn row(store: &Store, hit: SearchHit, names: &mut MarkingNames<'_>, envoy: bool) -> Row {
    let object: serde_json::Value = serde_json::from_str(&hit.row.json).unwrap_or_default();
    let originator = if envoy {
        String::new()
    } else {
        match store.seal(&hit.row.id, &hit.row.content_hash) {
            Ok(Some(seal)) if seal.received_from.is_some() => seal.originator,
            Ok(_) => "local".to_owned(),
            Err(_) => "unknown".to_owned(),
        }
    };
    Row {
        title: title(&object),
        created: text(&object, "created"),
        modified: text(&object, "modified"),
        markings: names.of(&object),
        id: hit.row.id,
        object_type: hit.object_type,
        collection: hit.collection_id,
        originator,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cover_whole_days_and_links_keep_filters() {
        assert_eq!(day("2026-01-31", "T00:00:00Z"), "2026-01-31T00:00:00Z");
        assert_eq!(day("2026-01-31T10:00:00Z", "T00:00:00Z"), "2026-01-31T10:00:00Z");
        assert_eq!(day("", "T00:00:00Z"), "");
        let filters = Filters { q: "a&b".into(), object_type: "indicator".into(), ..Filters::default() };
        assert_eq!(filters.link(Some("s1.X")), "/ui/intel?q=a%26b&type=indicator&page=s1.X");
        assert_eq!(filters.link(None), "/ui/intel?q=a%26b&type=indicator");
    }
}
