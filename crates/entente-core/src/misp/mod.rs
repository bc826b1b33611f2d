//! MISP JSON ↔ STIX 2.1, so that MISP communities can exchange intelligence with a
//! node. Pure: the CLI reads files and feeds, validates the STIX made here through
//! `StixObject::from_json` and stores it like any import; exports go through the same
//! release decision as STIX exports before they are converted.
//!
//! The mapping follows MISP's own published STIX 2.1 mapping
//! (`shared/data/misp/mapping-*.json`); the integration tests loop over it and
//! assert how many of its pairs this module reproduces. What is carried how:
//! `model.rs` (MISP JSON), `attributes.rs` and `observables.rs` (attribute types ↔
//! patterns and SCOs), `tags.rs` (tags ↔ markings and labels; unknown TLP tags are
//! refused, markings without a tag travel as `entente:marking="<id>"`), `galaxies.rs`
//! (clusters ↔ SDOs), `to_stix.rs` and `from_stix.rs` (whole events).

pub mod attributes;
mod email;
mod from_stix;
pub mod galaxies;
mod model;
pub mod objects;
pub mod observables;
pub mod tags;
mod to_stix;

pub use from_stix::stix_to_events;
pub use model::{
    Attribute, Event, Galaxy, GalaxyCluster, Object, Organisation, Sighting, Tag, looks_like_misp, parse_events,
};
pub use to_stix::event_to_stix;

/// Why MISP input could not be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MispError {
    #[error("not MISP JSON: {0}")]
    Json(String),
    #[error(
        "tag {0:?} implies a marking this node cannot represent; refusing the event rather than storing it \
         unmarked (replace the tag with a TLP 2.0 tag such as tlp:amber, or remove it in MISP)"
    )]
    UnknownMarking(String),
    #[error("event {0:?} has nothing to convert: no attributes, objects, galaxies or creator")]
    Empty(String),
}

/// One event as validated STIX: the objects that pass `StixObject::from_json`, and a
/// reason (naming the event) for each that does not; `Err` with the reason when the
/// event itself cannot be converted. What every import of MISP (file, feed, browser)
/// stores and reports.
pub fn event_to_valid_stix(event: &Event) -> Result<(Vec<crate::stix::StixObject>, Vec<String>), String> {
    let objects =
        event_to_stix(event).map_err(|error| format!("MISP event {} ({:?}): {error}", event.uuid, event.info))?;
    let mut valid = Vec::with_capacity(objects.len());
    let mut rejected = Vec::new();
    for object in objects {
        match crate::stix::StixObject::from_json(&object.to_string()) {
            Ok(object) => valid.push(object),
            Err(rejection) => rejected.push(format!("MISP event {}: {rejection}", event.uuid)),
        }
    }
    Ok((valid, rejected))
}

/// The MISP JSON document for one event, in the `{"Event": {...}}` form MISP feeds
/// and PyMISP read.
pub fn event_document(event: &Event) -> serde_json::Value {
    serde_json::json!({ "Event": event })
}
