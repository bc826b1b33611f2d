//! STIX 2.1 objects → MISP events: each `report` is an event holding what it refers
//! to; objects no report refers to go into one more event. Indicator patterns and
//! observed data go back to attributes through the table of `attributes.rs` (the
//! `misp:type` label, when present, says which of the types sharing a pattern it was);
//! objects made from MISP objects carry them whole (`x_misp_object`); threat actors,
//! intrusion sets, malware, attack patterns, tools and courses of action become
//! galaxy clusters; sightings become MISP sightings.
//!
//! Markings become tags (`tags.rs`): TLP markings their `tlp:` tag, any other marking
//! the carrier tag `entente:marking="<id>"`, so no marking is dropped. Labels become
//! tags. An indicator whose pattern maps to no attribute type is kept as a
//! `stix2-pattern` attribute, MISP's own type for that.

use super::attributes::{attribute_of, parse_pattern};
use super::galaxies::cluster_of;
use super::observables::comparisons_of;
use super::tags::{is_structural_label, marking_tag, structural_value};
use super::{Attribute, Event, Galaxy, Object, Organisation, Sighting, Tag};
use crate::Timestamp;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const UNREPORTED: uuid::Uuid = uuid::Uuid::from_u128(0x6c0b_5e4f_3f2a_4d8e_9a51_7e2f_1c3d_a002);

/// The events for a set of STIX objects (one version of each).
pub fn stix_to_events(objects: &[Value]) -> Vec<Event> {
    let by_id: HashMap<String, Value> =
        objects.iter().filter_map(|object| Some((text(object, "id")?.to_owned(), object.clone()))).collect();
    let mut events = Vec::new();
    let mut reported: HashSet<String> = HashSet::new();
    for report in objects.iter().filter(|object| text(object, "type") == Some("report")) {
        let refs: Vec<&Value> = strings(report, "object_refs").into_iter().filter_map(|id| by_id.get(id)).collect();
        reported.extend(refs.iter().filter_map(|object| text(object, "id").map(str::to_owned)));
        let mut event = event_shell(report, &by_id);
        fill(&mut event, &refs, &by_id);
        events.push(event);
    }
    let consumed: HashSet<&str> = objects
        .iter()
        .filter(|object| text(object, "type") == Some("observed-data"))
        .flat_map(|object| strings(object, "object_refs"))
        .collect();
    let rest: Vec<&Value> = objects
        .iter()
        .filter(|object| {
            let id = text(object, "id").unwrap_or_default();
            !reported.contains(id) && !consumed.contains(id) && text(object, "type") != Some("report")
        })
        .collect();
    if !rest.is_empty() {
        let mut event = Event {
            uuid: uuid::Uuid::new_v5(&UNREPORTED, b"entente-export").to_string(),
            info: "Entente export: objects outside any report".into(),
            ..Event::default()
        };
        fill(&mut event, &rest, &by_id);
        event.timestamp = latest(&rest);
        // Identities and relationships alone make no event.
        let holds_something = !(event.attributes.is_empty()
            && event.objects.is_empty()
            && event.galaxies.is_empty()
            && event.sightings.is_empty());
        if holds_something {
            events.push(event);
        }
    }
    events
}

fn event_shell(report: &Value, by_id: &HashMap<String, Value>) -> Event {
    let published = text(report, "published").and_then(seconds);
    let date = text(report, "x_misp_date")
        .map(str::to_owned)
        .or_else(|| text(report, "published").map(|time| time.chars().take(10).collect()));
    Event {
        uuid: uuid_of(report),
        info: text(report, "name").unwrap_or_default().to_owned(),
        date,
        timestamp: text(report, "modified").and_then(seconds),
        publish_timestamp: published,
        published: report.get("x_misp_published").and_then(Value::as_bool).unwrap_or(false),
        threat_level_id: text(report, "x_misp_threat_level_id").map(str::to_owned),
        analysis: text(report, "x_misp_analysis").map(str::to_owned),
        orgc: text(report, "created_by_ref").and_then(|id| by_id.get(id)).map(|identity| Organisation {
            name: text(identity, "name").unwrap_or_default().to_owned(),
            uuid: Some(uuid_of(identity)),
        }),
        tags: tags_of(report),
        ..Event::default()
    }
}

fn fill(event: &mut Event, members: &[&Value], by_id: &HashMap<String, Value>) {
    let mut sightings = Vec::new();
    for object in members {
        match text(object, "type").unwrap_or_default() {
            "indicator" | "observed-data" | "x-misp-object" if object.get("x_misp_object").is_some() => {
                if let Some(misp_object) = misp_object(object) {
                    event.objects.push(misp_object);
                }
            }
            "indicator" => event.attributes.extend(indicator(object)),
            "observed-data" => event.attributes.extend(observed(object, by_id)),
            "x-misp-attribute" => event.attributes.push(carried(object)),
            "campaign" => event.attributes.push(named(object, "campaign-name", "Attribution")),
            "vulnerability" if labels_of(object).iter().any(|label| label == "misp:type=\"vulnerability\"") => {
                event.attributes.push(named(object, "vulnerability", "External analysis"));
            }
            "sighting" => sightings.push(*object),
            "identity" | "relationship" | "report" | "marking-definition" => {}
            _ => {
                if let Some((galaxy_name, cluster)) = cluster_of(object) {
                    add_cluster(event, galaxy_name, cluster);
                } else if let Some(attribute) = bare_sco(object, by_id) {
                    event.attributes.push(attribute);
                }
                // Anything else (infrastructure, notes, custom objects) has no MISP form.
            }
        }
    }
    for object in sightings {
        let target = text(object, "sighting_of_ref").map(|id| id.split_once("--").map_or(id, |(_, uuid)| uuid));
        let kind = match structural_value(&labels_of(object), "misp:sighting-type") {
            Some("false-positive") => "1",
            Some("expiration") => "2",
            _ => "0",
        };
        event.sightings.push(Sighting {
            uuid: Some(uuid_of(object)),
            kind: Some(kind.into()),
            timestamp: text(object, "last_seen").or_else(|| text(object, "modified")).and_then(seconds),
            source: text(object, "x_misp_source").map(str::to_owned),
            attribute_uuid: target.map(str::to_owned),
            organisation: None,
        });
    }
}

fn add_cluster(event: &mut Event, galaxy_name: String, cluster: super::GalaxyCluster) {
    match event.galaxies.iter_mut().find(|galaxy| galaxy.kind == cluster.kind) {
        Some(galaxy) => galaxy.clusters.push(cluster),
        None => event.galaxies.push(Galaxy {
            uuid: None,
            name: galaxy_name,
            kind: cluster.kind.clone(),
            description: None,
            clusters: vec![cluster],
        }),
    }
    if let Some(tag) =
        event.galaxies.last().and_then(|galaxy| galaxy.clusters.last()).and_then(|cluster| cluster.tag_name.clone())
        && !event.tags.iter().any(|existing| existing.name == tag)
    {
        event.tags.push(Tag { name: tag });
    }
}

fn base_attribute(object: &Value, kind: String, value: String, category: Option<String>) -> Attribute {
    let labels = labels_of(object);
    let category =
        structural_value(&labels, "misp:category").map(str::to_owned).or(category).unwrap_or_else(|| "Other".into());
    Attribute {
        uuid: Some(uuid_of(object)),
        kind,
        category,
        value,
        to_ids: false,
        comment: text(object, "description").map(str::to_owned),
        timestamp: text(object, "modified").and_then(seconds),
        tags: tags_of(object),
        ..Attribute::default()
    }
}

fn indicator(object: &Value) -> Option<Attribute> {
    let pattern = text(object, "pattern")?;
    let pattern_type = text(object, "pattern_type").unwrap_or("stix");
    let labels = labels_of(object);
    let hint = structural_value(&labels, "misp:type");
    let (kind, value) = if pattern_type == "stix" {
        parse_pattern(pattern)
            .and_then(|found| attribute_of(&found, hint))
            .unwrap_or(("stix2-pattern".into(), pattern.into()))
    } else {
        (pattern_type.to_owned(), pattern.to_owned())
    };
    let phase = object
        .get("kill_chain_phases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|phase| phase.get("kill_chain_name").and_then(Value::as_str) == Some("misp-category"))
        .and_then(|phase| phase.get("phase_name")?.as_str().map(str::to_owned));
    let fallback = if kind.starts_with("filename") || kind.starts_with("sha") || kind == "md5" {
        "Payload delivery"
    } else {
        "Network activity"
    };
    let mut attribute = base_attribute(object, kind, value, phase.or_else(|| Some(fallback.into())));
    attribute.to_ids = object.get("x_misp_to_ids").and_then(Value::as_bool).unwrap_or(true);
    Some(attribute)
}

fn observed(object: &Value, by_id: &HashMap<String, Value>) -> Option<Attribute> {
    let root = strings(object, "object_refs").first().and_then(|id| by_id.get(*id))?;
    let labels = labels_of(object);
    let mut found = comparisons_of(root, by_id);
    // A connection to the root (MISP's `hostname|port`) adds its port.
    let root_id = root.get("id");
    for other in strings(object, "object_refs").into_iter().skip(1).filter_map(|id| by_id.get(id)) {
        if text(other, "type") == Some("network-traffic")
            && other.get("dst_ref") == root_id
            && let Some(port) = other.get("dst_port").and_then(Value::as_u64)
        {
            found.push(super::attributes::Comparison {
                path: "network-traffic:dst_port".into(),
                value: port.to_string(),
            });
        }
    }
    let (kind, value) = attribute_of(&found, structural_value(&labels, "misp:type"))?;
    Some(base_attribute(object, kind, value, None))
}

/// An SCO that no observed data wraps (a plain STIX import) as an attribute.
fn bare_sco(object: &Value, by_id: &HashMap<String, Value>) -> Option<Attribute> {
    let (kind, value) = attribute_of(&comparisons_of(object, by_id), None)?;
    Some(base_attribute(object, kind, value, None))
}

fn carried(object: &Value) -> Attribute {
    let mut attribute = base_attribute(
        object,
        text(object, "x_misp_type").unwrap_or("text").to_owned(),
        text(object, "x_misp_value").unwrap_or_default().to_owned(),
        text(object, "x_misp_category").map(str::to_owned),
    );
    attribute.to_ids = object.get("x_misp_to_ids").and_then(Value::as_bool).unwrap_or(false);
    attribute
}

fn named(object: &Value, kind: &str, category: &str) -> Attribute {
    base_attribute(object, kind.to_owned(), text(object, "name").unwrap_or_default().to_owned(), Some(category.into()))
}

fn misp_object(object: &Value) -> Option<Object> {
    let mut misp_object: Object = serde_json::from_value(object.get("x_misp_object")?.clone()).ok()?;
    // Markings and labels the STIX object carries now (they may have been tightened
    // since) go on every attribute, replacing what the carried copy said.
    let tags = tags_of(object);
    for attribute in &mut misp_object.attributes {
        attribute.tags = tags.clone();
    }
    Some(misp_object)
}

fn tags_of(object: &Value) -> Vec<Tag> {
    // MISP has no granular markings: one that marks part of an object marks the whole
    // attribute, the stricter reading, rather than being lost.
    let granular = object
        .get("granular_markings")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|marking| marking.get("marking_ref").and_then(Value::as_str));
    let mut tags: Vec<Tag> = Vec::new();
    for id in strings(object, "object_marking_refs").into_iter().chain(granular) {
        let tag = Tag { name: marking_tag(id) };
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    for label in labels_of(object) {
        if !is_structural_label(&label) && !label.starts_with("misp:sighting-type=") {
            tags.push(Tag { name: label });
        }
    }
    tags
}

fn labels_of(object: &Value) -> Vec<String> {
    strings(object, "labels").into_iter().map(str::to_owned).collect()
}

fn strings<'a>(object: &'a Value, key: &str) -> Vec<&'a str> {
    object.get(key).and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str).collect()
}

fn text<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn uuid_of(object: &Value) -> String {
    text(object, "id").and_then(|id| id.split_once("--")).map(|(_, uuid)| uuid.to_owned()).unwrap_or_default()
}

fn seconds(time: &str) -> Option<i64> {
    Timestamp::parse(time).ok().map(|time| time.unix_micros().div_euclid(1_000_000))
}

fn latest(objects: &[&Value]) -> Option<i64> {
    objects.iter().filter_map(|object| text(object, "modified").and_then(seconds)).max()
}
