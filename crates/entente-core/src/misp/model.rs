//! MISP JSON as MISP and PyMISP write it: events with their attributes, objects, tags,
//! galaxies and sightings.
//!
//! MISP is loose about scalar types (a timestamp may be `"1513948642"` or
//! `1513948642`, `to_ids` may be `true` or `"1"`), so scalars go through lenient
//! deserialisers here and nowhere else. Unknown fields are ignored on input and not
//! written on output. Documents come in three shapes, all accepted by [`parse_events`]:
//! `{"Event": {...}}`, a bare event, and `{"response": [{"Event": {...}}, ...]}` (or a
//! plain list of the first two).

use super::MispError;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// One MISP event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Event {
    #[serde(default, deserialize_with = "lenient_string")]
    pub uuid: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub info: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_i64", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_i64", skip_serializing_if = "Option::is_none")]
    pub publish_timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub published: bool,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub threat_level_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub analysis: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(rename = "Orgc", default, skip_serializing_if = "Option::is_none")]
    pub orgc: Option<Organisation>,
    #[serde(rename = "Attribute", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
    #[serde(rename = "Object", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub objects: Vec<Object>,
    #[serde(rename = "Tag", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(rename = "Galaxy", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub galaxies: Vec<Galaxy>,
    #[serde(rename = "Sighting", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub sightings: Vec<Sighting>,
}

/// The organisation that created an event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

/// One MISP attribute: a typed value, an indicator when `to_ids` is set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub category: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub value: String,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub to_ids: bool,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_i64", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub object_relation: Option<String>,
    /// MISP's sharing level: 0 organisation, 1 community, 2 connected, 3 all, 4 sharing
    /// group, 5 as the event.
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(rename = "Tag", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    #[serde(rename = "Galaxy", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub galaxies: Vec<Galaxy>,
    #[serde(rename = "Sighting", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub sightings: Vec<Sighting>,
}

/// A MISP object: a named template grouping attributes (a file, a URL, a domain-ip).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Object {
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(rename = "meta-category", default, deserialize_with = "lenient_string")]
    pub meta_category: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub distribution: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_i64", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(rename = "Attribute", default, deserialize_with = "lenient_list", skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// A tag: `tlp:amber`, `osint:source-type="blog-post"`, `misp-galaxy:…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tag {
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
}

/// A galaxy (a family of clusters, such as "Threat Actor") with the clusters attached.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Galaxy {
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub name: String,
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(rename = "GalaxyCluster", default, deserialize_with = "lenient_list")]
    pub clusters: Vec<GalaxyCluster>,
}

/// One cluster: a named threat actor, malware, technique…
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GalaxyCluster {
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(rename = "type", default, deserialize_with = "lenient_string")]
    pub kind: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub value: String,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub tag_name: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty", deserialize_with = "lenient_map")]
    pub meta: serde_json::Map<String, Value>,
}

/// A sighting: someone saw an attribute (type 0), reported a false positive (1) or an
/// expiration (2).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Sighting {
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    #[serde(
        rename = "type",
        default,
        deserialize_with = "lenient_opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_i64", skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "lenient_opt_string", skip_serializing_if = "Option::is_none")]
    pub attribute_uuid: Option<String>,
    #[serde(rename = "Organisation", default, skip_serializing_if = "Option::is_none")]
    pub organisation: Option<Organisation>,
}

/// The events of a MISP JSON document, in any of the shapes MISP and PyMISP write.
pub fn parse_events(text: &str) -> Result<Vec<Event>, MispError> {
    let document: Value = serde_json::from_str(text).map_err(|error| MispError::Json(error.to_string()))?;
    let mut events = Vec::new();
    collect(document, &mut events)?;
    Ok(events)
}

/// Whether the first bytes of an input are MISP JSON rather than STIX: MISP's keys
/// (`Event`, `response`, `Attribute`) appear and STIX's `spec_version` does not. Reads
/// only a prefix, so a streaming STIX import is not held up by the check.
pub fn looks_like_misp(head: &[u8]) -> bool {
    let contains = |needle: &[u8]| head.windows(needle.len()).any(|window| window == needle);
    let misp = contains(b"\"Event\"") || contains(b"\"response\"") || contains(b"\"Attribute\"");
    misp && !contains(b"\"spec_version\"")
}

fn collect(document: Value, events: &mut Vec<Event>) -> Result<(), MispError> {
    match document {
        Value::Array(items) => items.into_iter().try_for_each(|item| collect(item, events)),
        Value::Object(mut map) => {
            if let Some(inner) = map.remove("Event") {
                return collect(inner, events);
            }
            if let Some(Value::Array(items)) = map.remove("response") {
                return items.into_iter().try_for_each(|item| collect(item, events));
            }
            let event: Event =
                serde_json::from_value(Value::Object(map)).map_err(|error| MispError::Json(error.to_string()))?;
            events.push(event);
            Ok(())
        }
        _ => Err(MispError::Json("a MISP document is an object or a list of events".into())),
    }
}

fn scalar_text(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(scalar_text(Value::deserialize(deserializer)?).unwrap_or_default())
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(scalar_text(Value::deserialize(deserializer)?))
}

fn lenient_opt_i64<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    })
}

fn lenient_bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Bool(flag) => flag,
        Value::Number(number) => number.as_i64().is_some_and(|number| number != 0),
        Value::String(text) => matches!(text.trim(), "1" | "true" | "True"),
        _ => false,
    })
}

fn lenient_map<'de, D: Deserializer<'de>>(deserializer: D) -> Result<serde_json::Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(map) => map,
        _ => serde_json::Map::new(),
    })
}

/// A list whose items may each be wrapped (`[{"Tag": {...}}]`), or a single item, or
/// null; items that do not parse are an error, not silently skipped.
fn lenient_list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let items = match Value::deserialize(deserializer)? {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        single => vec![single],
    };
    items
        .into_iter()
        .map(|item| {
            let item = match item {
                Value::Object(mut map)
                    if map.len() == 1 && map.keys().all(|key| key.chars().next().is_some_and(char::is_uppercase)) =>
                {
                    map.values_mut().next().map(Value::take).unwrap_or(Value::Null)
                }
                other => other,
            };
            serde_json::from_value(item).map_err(serde::de::Error::custom)
        })
        .collect()
}
