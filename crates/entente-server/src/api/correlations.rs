//! "Who else knows this?": `GET /api/v1/objects/{id}/correlations` and
//! `GET /api/v1/correlations?value=…`.
//!
//! The store lists every holder of a value; this module keeps only what the caller
//! may see: objects in collections the caller's role may read (the TAXII rule), and
//! for a partner's envoy only what the release decision lets it have (the same `Gate`
//! as its TAXII reads, metadata only, like a manifest). An envoy is not told where an
//! object came from: provenance is this node's business. A value held by more objects
//! than the cap is reported as over-correlated, without its holders.

use crate::auth::Caller;
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::federation::sync::release::Gate;
use crate::state::AppState;
use crate::taxii::{TaxiiPath, released};
use axum::Json;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use entente_core::StixId;
use entente_core::correlate::{Observable, extract_json};
use entente_core::taxii::{Filter, FilterScope};
use entente_store::{CorrelatedObject, CorrelatedValue, Page};
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// At most this many holders are listed per value, the oldest first; `more` says
/// there are others the caller may see. Keeps an answer small when a network query
/// reaches a hundred related values held by up to the cap each.
const HOLDERS_LISTED: usize = 100;

/// What the caller may see: readable collections, and the gate for an envoy.
struct Sight {
    collections: BTreeSet<String>,
    gate: Option<Gate>,
    envoy: bool,
}

impl Sight {
    fn of(state: &AppState, caller: &Caller) -> Result<Sight, ApiError> {
        let role = caller.role();
        let collections =
            state.store.list_collections(None)?.into_iter().filter(|c| c.can_read(role)).map(|c| c.id).collect();
        let gate = released::gate_for(state, caller, crate::clock::now())?;
        Ok(Sight { collections, gate, envoy: caller.0.partner.is_some() })
    }

    /// The objects of `found` the caller may see, one per object id.
    fn keep(&self, state: &AppState, found: Vec<CorrelatedObject>) -> Result<Vec<CorrelatedObject>, ApiError> {
        let mut seen = BTreeSet::new();
        let readable: Vec<CorrelatedObject> = found
            .into_iter()
            .filter(|object| self.collections.contains(&object.collection_id))
            .filter(|object| seen.insert(object.row.id.clone()))
            .collect();
        let Some(gate) = &self.gate else { return Ok(readable) };
        let page = Page { rows: readable.iter().map(|object| object.row.clone()).collect(), next: None };
        let allowed: BTreeSet<String> =
            released::filter(state, gate, page, false)?.rows.into_iter().map(|row| row.id).collect();
        Ok(readable.into_iter().filter(|object| allowed.contains(&object.row.id)).collect())
    }

    /// Who knows the value, in one list: each holder's originator, or `local` for
    /// objects never sealed (added here). Not for envoys.
    fn sources(&self, objects: &[CorrelatedObject]) -> Option<BTreeSet<String>> {
        (!self.envoy).then(|| {
            objects.iter().map(|object| object.originator.clone().unwrap_or_else(|| "local".to_owned())).collect()
        })
    }

    fn render(&self, object: &CorrelatedObject) -> Value {
        let mut shown = json!({"id": object.row.id, "type": object.object_type, "collection": object.collection_id});
        if !self.envoy {
            shown["originator"] = json!(object.originator);
            shown["received_from"] = json!(object.received_from);
        }
        shown
    }
}

/// The visible part of the correlations of one value, rendered.
fn correlations(
    state: &AppState,
    sight: &Sight,
    observable: &Observable,
    exclude: Option<&str>,
) -> Result<Vec<Value>, ApiError> {
    let mut shown = Vec::new();
    for CorrelatedValue { observable: related, link, over_correlated, indexed, objects } in
        state.store.correlate(observable, exclude)?
    {
        let mut objects = sight.keep(state, objects)?;
        if objects.is_empty() && !over_correlated {
            continue;
        }
        let more = objects.len() > HOLDERS_LISTED;
        let sources = sight.sources(&objects);
        objects.truncate(HOLDERS_LISTED);
        let mut entry = json!({
            "kind": related.kind().name(), "value": related.value(), "link": link.name(),
            "over_correlated": over_correlated, "indexed": indexed, "more": more,
            "objects": objects.iter().map(|object| sight.render(object)).collect::<Vec<_>>(),
        });
        if let Some(sources) = sources {
            entry["sources"] = json!(sources);
        }
        shown.push(entry);
    }
    Ok(shown)
}

fn describe(observable: &Observable) -> Value {
    json!({"kind": observable.kind().name(), "value": observable.value()})
}

pub(crate) async fn of_object(
    State(state): State<AppState>,
    caller: Caller,
    TaxiiPath(id): TaxiiPath<String>,
) -> Result<Response, ApiError> {
    let id = StixId::parse(&id)
        .map_err(|_| ApiError::bad_request("invalid-object-id", format!("{id:?} is not a STIX id (type--uuid)")))?;
    let body = blocking(move || of_object_value(&state, &caller, &id)).await?;
    Ok(Json(body).into_response())
}

/// The correlations of object `id` that `caller` may see, as the API renders them
/// (the web's object page shows the same value).
pub(crate) fn of_object_value(state: &AppState, caller: &Caller, id: &StixId) -> Result<Value, ApiError> {
    let sight = Sight::of(state, caller)?;
    // The object itself must be visible to the caller, or its values would leak.
    // Its newest version in each collection, as the index correlates newest versions only.
    let newest = Filter::parse(&[], FilterScope::Object).map_err(|error| ApiError::internal(error.to_string()))?;
    let mut held = Vec::new();
    for collection in &sight.collections {
        held.extend(state.store.query_full(collection, Some(id.as_str()), &newest, 1000)?.rows);
    }
    if let Some(gate) = &sight.gate {
        held = released::filter(state, gate, Page { rows: held, next: None }, false)?.rows;
    }
    let latest: BTreeSet<Observable> = held.iter().flat_map(|row| extract_json(&row.json)).collect();
    if held.is_empty() {
        return Err(ApiError::not_found(format!("object {id} in a collection you may read")));
    }
    let mut values = Vec::new();
    for observable in &latest {
        let mut value = describe(observable);
        value["correlations"] = json!(correlations(state, &sight, observable, Some(id.as_str()))?);
        values.push(value);
    }
    Ok(json!({"object": id.as_str(), "values": values}))
}

pub(crate) async fn of_value(
    State(state): State<AppState>,
    caller: Caller,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|error| {
        ApiError::bad_request("invalid-query", format!("the query string cannot be decoded: {error}"))
    })?;
    let value = pairs
        .into_iter()
        .find_map(|(name, value)| (name == "value").then_some(value))
        .ok_or_else(|| ApiError::bad_request("invalid-query", "give the value to look up: ?value=…"))?;
    let observable = Observable::guess(&value).ok_or_else(|| {
        ApiError::bad_request(
            "invalid-value",
            format!("{value:?} is not an IP, CIDR, domain, URL, e-mail address or algorithm:hex hash"),
        )
    })?;
    let body = blocking(move || {
        let sight = Sight::of(&state, &caller)?;
        let found = correlations(&state, &sight, &observable, None)?;
        Ok(json!({"value": describe(&observable), "correlations": found}))
    })
    .await?;
    Ok(Json(body).into_response())
}
