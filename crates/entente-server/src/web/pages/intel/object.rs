//! `/ui/intel/object/{id}`: everything the node knows about one object.
//!
//! The object is found by [`api::objects::find`], the API's own lookup: the latest
//! version in a collection the viewer's role may read and, for an envoy, only if the
//! release decision lets it have it (recorded as a release); otherwise 404, so its
//! existence does not leak. An envoy is shown the object as released and its
//! correlations, never its provenance, sightings held here or releases to others.

use super::shown::{Marking, MarkingNames, cut, text, title};
use crate::api::correlations::of_object_value;
use crate::api::objects::{Visible, find};
use crate::blocking::blocking;
use crate::error::ApiError;
use crate::knowledge::{TechniqueView, techniques};
use crate::state::AppState;
use crate::web::render::{Chrome, PageError, page};
use crate::web::session::Viewer;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use entente_core::StixId;
use entente_core::Timestamp;
use entente_core::auth::Role;
use entente_core::keys::{KeyId, Signature};
use entente_core::ledger::ContentHash;
use entente_core::reference::Hit;
use entente_core::score::Score;
use entente_core::sync::Seal;
use entente_store::LedgerQuery;
use serde_json::Value;

/// At most this many release entries are listed (the oldest first).
const RELEASES_SHOWN: u32 = 200;
/// At most this many sightings are listed.
const SIGHTINGS_SHOWN: usize = 100;

/// A key field of the object, in words.
#[derive(Debug)]
struct Fact {
    label: &'static str,
    value: String,
}

/// A reference outside the object; `link` only for http(s) URLs.
#[derive(Debug)]
struct Reference {
    source: String,
    external_id: String,
    url: String,
    link: bool,
}

/// Where this copy came from and whether its seal holds.
#[derive(Debug)]
struct Provenance {
    originated_here: bool,
    originator: String,
    received_from: String,
    treaty: String,
    sealed: String,
    key_id: String,
    verified: bool,
    verdict: String,
    hops: Vec<(String, String)>,
}

/// One related value and who else holds it.
#[derive(Debug)]
struct Correlation {
    kind: String,
    value: String,
    link: String,
    over_correlated: bool,
    more: bool,
    sources: String,
    holders: Vec<(String, String, String)>,
}

/// One value of the object, with its correlations.
#[derive(Debug)]
struct Observed {
    kind: String,
    value: String,
    correlations: Vec<Correlation>,
}

#[derive(Debug)]
struct Sighting {
    id: String,
    count: String,
    first_seen: String,
    last_seen: String,
    sighted_by: String,
}

#[derive(Debug)]
struct Release {
    sequence: i64,
    at: String,
    recipient: String,
    treaty: String,
    version: String,
    obligations: String,
}

#[derive(Template)]
#[template(path = "intel_object.html")]
struct ObjectPage {
    chrome: Chrome,
    id: String,
    object_type: String,
    title: String,
    version: String,
    collection: String,
    facts: Vec<Fact>,
    references: Vec<Reference>,
    json: String,
    markings: Vec<Marking>,
    envoy: bool,
    provenance: Option<Provenance>,
    observed: Vec<Observed>,
    sightings: Vec<Sighting>,
    sightings_total: usize,
    techniques: Vec<TechniqueView>,
    warnings: Vec<Hit>,
    score: Option<Score>,
    is_admin: bool,
    releases: Vec<Release>,
}

pub(crate) async fn show(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = StixId::parse(&id).map_err(|_| {
        ApiError::not_found(format!("object {id:?}"))
            .describe("an object id looks like indicator--<uuid>: search for the object instead")
    })?;
    let caller = viewer.caller();
    let chrome = Chrome::new(&viewer, "/ui/intel");
    let object_page = blocking(move || {
        let visible = find(&state, &caller, &id)
            .map_err(|error| error.describe("it may not exist, or not be visible to you: search for it instead"))?;
        let envoy = caller.0.partner.is_some();
        let is_admin = caller.role() == Role::Admin;
        let correlations = of_object_value(&state, &caller, &id)?;
        build(&state, chrome, &id, visible, envoy, is_admin, &correlations)
    })
    .await?;
    Ok(page(&object_page))
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(error.to_string())
}

fn build(
    state: &AppState,
    chrome: Chrome,
    id: &StixId,
    visible: Visible,
    envoy: bool,
    is_admin: bool,
    correlations: &Value,
) -> Result<ObjectPage, ApiError> {
    let object = &visible.object;
    let knowledge = state.knowledge.get(&state.store).map_err(internal)?;
    let sightings_held = if visible.collections.is_empty() {
        Vec::new()
    } else {
        state.store.sightings_of(id.as_str(), &visible.collections)?
    };
    let mut names = MarkingNames::new(&state.store, &visible.collections);
    Ok(ObjectPage {
        chrome,
        id: id.as_str().to_owned(),
        object_type: text(object, "type"),
        title: title(object),
        version: visible.row.version.clone(),
        collection: state.store.collection(None, &visible.collection)?.map_or(visible.collection.clone(), |c| c.title),
        facts: facts(object),
        references: references(object),
        json: serde_json::to_string_pretty(object).map_err(internal)?,
        markings: names.of(object),
        envoy,
        provenance: if envoy { None } else { provenance(state, &visible)? },
        observed: observed(correlations),
        sightings_total: sightings_held.len(),
        sightings: sightings_held.iter().take(SIGHTINGS_SHOWN).map(|json| sighting(json)).collect(),
        techniques: techniques(&state.store, object, &visible.collections).map_err(internal)?,
        warnings: knowledge.warnings(object),
        score: knowledge.score(&state.store, object, &visible.collections, crate::clock::now()).map_err(internal)?,
        is_admin,
        releases: if is_admin && !envoy { releases(state, id)? } else { Vec::new() },
    })
}

/// The fields an analyst reads first, in words; absent ones are left out.
fn facts(object: &Value) -> Vec<Fact> {
    const FIELDS: &[(&str, &str)] = &[
        ("name", "Name"),
        ("description", "Description"),
        ("value", "Value"),
        ("pattern", "Pattern"),
        ("pattern_type", "Pattern language"),
        ("indicator_types", "Indicator types"),
        ("malware_types", "Malware types"),
        ("is_family", "A family"),
        ("aliases", "Also known as"),
        ("labels", "Labels"),
        ("valid_from", "Valid from"),
        ("valid_until", "Valid until"),
        ("first_seen", "First seen"),
        ("last_seen", "Last seen"),
        ("relationship_type", "Relationship"),
        ("source_ref", "From"),
        ("target_ref", "To"),
        ("sighting_of_ref", "Sighting of"),
        ("confidence", "Confidence (0–100)"),
        ("created_by_ref", "Created by"),
        ("created", "Created"),
        ("modified", "Last modified"),
        ("revoked", "Revoked"),
    ];
    FIELDS
        .iter()
        .filter_map(|(field, label)| {
            let value = object.get(*field)?;
            let shown = match value {
                Value::String(text) => text.clone(),
                Value::Bool(yes) => if *yes { "yes" } else { "no" }.to_owned(),
                Value::Number(number) => number.to_string(),
                Value::Array(items) => items
                    .iter()
                    .map(|item| item.as_str().map_or_else(|| item.to_string(), str::to_owned))
                    .collect::<Vec<_>>()
                    .join(", "),
                other => other.to_string(),
            };
            Some(Fact { label, value: shown })
        })
        .collect()
}

fn references(object: &Value) -> Vec<Reference> {
    let items = object.get("external_references").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .map(|item| {
            let url = text(item, "url");
            let lower = url.trim_start().to_ascii_lowercase();
            let link = lower.starts_with("https://") || lower.starts_with("http://");
            Reference { source: text(item, "source_name"), external_id: text(item, "external_id"), url, link }
        })
        .collect()
}

/// The seal of the version shown, checked again now: the object must still hash to
/// what was sealed, and the signature must verify with the originator's key as this
/// node knows it (its own, or pinned for a partner).
fn provenance(state: &AppState, visible: &Visible) -> Result<Option<Provenance>, ApiError> {
    let Some(seal) = state.store.seal(&visible.row.id, &visible.row.content_hash)? else { return Ok(None) };
    let (verified, verdict) = check_seal(state, &visible.object, &seal);
    let hops: Vec<Value> = serde_json::from_str(&seal.hops).unwrap_or_default();
    let hops = hops
        .iter()
        .map(|hop| {
            let resharing = match hop.get("resharing") {
                Some(Value::String(rule)) => rule.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            };
            (text(hop, "treaty"), resharing)
        })
        .collect();
    Ok(Some(Provenance {
        originated_here: seal.received_from.is_none(),
        received_from: seal.received_from.clone().unwrap_or_default(),
        treaty: seal.treaty.clone().unwrap_or_default(),
        sealed: seal.sealed.clone(),
        key_id: seal.key_id.clone(),
        originator: seal.originator,
        verified,
        verdict,
        hops,
    }))
}

fn check_seal(state: &AppState, object: &Value, record: &entente_store::SealRecord) -> (bool, String) {
    let Ok(hash) = ContentHash::of(object) else { return (false, "the object has no canonical form".to_owned()) };
    if hash.as_str() != record.object_hash {
        return (false, "the object no longer matches what was sealed".to_owned());
    }
    let Some(diplomat) = &state.diplomat else {
        return (false, "not checked: federation is off on this node".to_owned());
    };
    let parsed = (|| {
        Some(Seal {
            originator: StixId::parse(&record.originator).ok()?,
            key_id: KeyId::parse(&record.key_id).ok()?,
            sealed: Timestamp::parse(&record.sealed).ok()?,
            signature: Signature::parse(&record.signature).ok()?,
        })
    })();
    let Some(seal) = parsed else { return (false, "the stored seal cannot be read".to_owned()) };
    let Ok(book) = diplomat.key_book() else { return (false, "not checked: the key book cannot be read".to_owned()) };
    let Some(key) = book.key_of(&seal.originator, &seal.key_id) else {
        return (false, format!("not checked now: key {} is not pinned here (it was checked on receipt)", seal.key_id));
    };
    match seal.check(&key, &hash) {
        Ok(()) => (true, format!("verified with key {}", seal.key_id)),
        Err(error) => (false, error.to_string()),
    }
}

/// The correlations value of the API, as rows.
fn observed(correlations: &Value) -> Vec<Observed> {
    let list = |value: &Value, field: &str| value.get(field).and_then(Value::as_array).cloned().unwrap_or_default();
    list(correlations, "values")
        .iter()
        .map(|value| Observed {
            kind: text(value, "kind"),
            value: text(value, "value"),
            correlations: list(value, "correlations")
                .iter()
                .map(|entry| Correlation {
                    kind: text(entry, "kind"),
                    value: text(entry, "value"),
                    link: text(entry, "link"),
                    over_correlated: entry.get("over_correlated").and_then(Value::as_bool).unwrap_or(false),
                    more: entry.get("more").and_then(Value::as_bool).unwrap_or(false),
                    sources: list(entry, "sources").iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
                    holders: list(entry, "objects")
                        .iter()
                        .map(|holder| (text(holder, "id"), text(holder, "type"), text(holder, "collection")))
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

fn sighting(json: &str) -> Sighting {
    let sighting: Value = serde_json::from_str(json).unwrap_or_default();
    let count = sighting.get("count").map(Value::to_string).unwrap_or_default();
    let sighted_by = sighting
        .get("where_sighted_refs")
        .and_then(Value::as_array)
        .map(|refs| refs.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| text(&sighting, "created_by_ref"));
    Sighting {
        id: text(&sighting, "id"),
        count,
        first_seen: text(&sighting, "first_seen"),
        last_seen: text(&sighting, "last_seen"),
        sighted_by: cut(&sighted_by, 300),
    }
}

/// The ledger's `release` entries for this object: to whom, under which treaty.
fn releases(state: &AppState, id: &StixId) -> Result<Vec<Release>, ApiError> {
    let query = LedgerQuery {
        subject: Some(id.as_str().to_owned()),
        kinds: vec!["release".to_owned()],
        limit: RELEASES_SHOWN,
        ..LedgerQuery::default()
    };
    Ok(state
        .store
        .ledger_rows(&query)?
        .into_iter()
        .map(|row| {
            let entry: Value = serde_json::from_str(&row.entry).unwrap_or_default();
            let body = entry.get("event").unwrap_or(&entry);
            let obligations = body
                .get("obligations")
                .and_then(Value::as_array)
                .map(|items| items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
                .unwrap_or_default();
            Release {
                sequence: row.sequence,
                at: text(&entry, "at"),
                recipient: text(body, "recipient"),
                treaty: text(body, "treaty"),
                version: text(body, "version"),
                obligations,
            }
        })
        .collect())
}
