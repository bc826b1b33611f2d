//! MISP event → STIX 2.1 objects, following MISP's own STIX 2.1 export
//! (`misp/mapping-*.json`): the event is a `report`; an attribute with `to_ids` is an
//! `indicator`, otherwise `observed-data` with its SCOs; campaign names and
//! vulnerabilities are their SDOs; MISP objects become one indicator (or observed data)
//! with the object carried whole in `x_misp_object`; galaxy clusters become threat
//! actors, intrusion sets, malware, attack patterns…; sightings become `sighting`s.
//!
//! Invariants: ids are the MISP uuids (as MISP does), or a UUIDv5 of the event uuid
//! and the item's place where MISP gave none, so importing the same event twice
//! yields the same objects. Times come from the MISP timestamps, never from a clock.
//! The event's markings apply to every object of the event (an attribute of a
//! `tlp:red` event is TLP:RED even when it has no tag of its own).
//! Types this converter does not map are carried as `x-misp-attribute` objects.

use super::attributes::{comparisons, pattern_of};
use super::galaxies::{Frame, cluster_object, stix_type};
use super::objects::object_observations;
use super::observables::observables;
use super::tags::{TagMeaning, read_tag};
use super::{Attribute, Event, Galaxy, MispError, Object, Sighting, Tag};
use crate::Timestamp;
use crate::stix::vocab::TLP_2_0;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The namespace of the UUIDv5 ids made for MISP items that carry no uuid.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c0b_5e4f_3f2a_4d8e_9a51_7e2f_1c3d_a001);

/// Attribute types whose value is itself a rule in another pattern language.
const RULE_TYPES: &[&str] = &["yara", "sigma", "snort", "suricata"];

/// Converts one event. Fails only on a tag that implies a marking STIX cannot carry
/// here (see `tags.rs`).
pub fn event_to_stix(event: &Event) -> Result<Vec<Value>, MispError> {
    let mut builder = Builder::new(event)?;
    for (index, attribute) in event.attributes.iter().enumerate() {
        builder.attribute(attribute, &format!("attribute/{index}"))?;
    }
    for (index, object) in event.objects.iter().enumerate() {
        builder.object(object, &format!("object/{index}"))?;
    }
    for galaxy in &event.galaxies {
        builder.galaxy(galaxy, &builder.markings.clone());
    }
    for (index, sighting) in event.sightings.iter().enumerate() {
        let target =
            sighting.attribute_uuid.as_deref().and_then(|uuid| builder.targets.iter().find(|(key, _)| key == uuid));
        if let Some((_, target)) = target.cloned() {
            builder.sighting(sighting, &target, &format!("sighting/{index}"));
        }
    }
    builder.report()?;
    Ok(builder.out)
}

struct Builder<'a> {
    event: &'a Event,
    event_uuid: String,
    /// The event's time, the fallback for items without a timestamp.
    event_time: String,
    markings: Vec<String>,
    creator: Option<String>,
    out: Vec<Value>,
    /// Ids the report refers to.
    refs: Vec<String>,
    /// MISP attribute uuid → the STIX object a sighting of it points at.
    targets: Vec<(String, String)>,
    /// Galaxy tags whose cluster was converted (so the tag is not also a label).
    converted_galaxy_tags: BTreeSet<String>,
    /// Cluster uuid → its value, to tell apart clusters that share a uuid.
    cluster_values: BTreeMap<String, String>,
}

impl<'a> Builder<'a> {
    fn new(event: &'a Event) -> Result<Builder<'a>, MispError> {
        let event_uuid = match uuid::Uuid::parse_str(&event.uuid) {
            Ok(parsed) => parsed.to_string(),
            Err(_) => {
                uuid::Uuid::new_v5(&NAMESPACE, format!("event/{}/{}", event.info, event.uuid).as_bytes()).to_string()
            }
        };
        let seconds = event.timestamp.or_else(|| event.date.as_deref().and_then(date_seconds)).unwrap_or(0);
        let (mut markings, _) = split_tags(&event.tags)?;
        restrict(&mut markings, event.distribution.as_deref());
        let mut builder = Builder {
            event,
            event_uuid,
            event_time: stix_time(seconds),
            markings,
            creator: None,
            out: Vec::new(),
            refs: Vec::new(),
            targets: Vec::new(),
            converted_galaxy_tags: BTreeSet::new(),
            cluster_values: BTreeMap::new(),
        };
        builder.identity();
        Ok(builder)
    }

    fn uuid_for(&self, given: Option<&str>, place: &str) -> String {
        match given.map(uuid::Uuid::parse_str) {
            Some(Ok(parsed)) => parsed.to_string(),
            _ => uuid::Uuid::new_v5(
                &NAMESPACE,
                format!("{}/{place}/{}", self.event_uuid, given.unwrap_or("")).as_bytes(),
            )
            .to_string(),
        }
    }

    fn time(&self, seconds: Option<i64>) -> String {
        seconds.map(stix_time).unwrap_or_else(|| self.event_time.clone())
    }

    /// The creating organisation as an `identity`, referenced by every object made.
    fn identity(&mut self) {
        let Some(org) = &self.event.orgc else { return };
        if org.name.is_empty() {
            return;
        }
        let uuid = self.uuid_for(org.uuid.as_deref(), &format!("org/{}", org.name));
        let id = format!("identity--{uuid}");
        let mut object = self.common("identity", &id, &self.event_time.clone(), &self.markings.clone());
        object.insert("name".into(), json!(org.name));
        object.insert("identity_class".into(), json!("organization"));
        object.remove("created_by_ref");
        self.out.push(Value::Object(object));
        self.creator = Some(id);
    }

    fn common(&self, kind: &str, id: &str, time: &str, markings: &[String]) -> Map<String, Value> {
        let mut object = Map::new();
        object.insert("type".into(), json!(kind));
        object.insert("spec_version".into(), json!("2.1"));
        object.insert("id".into(), json!(id));
        if let Some(creator) = &self.creator {
            object.insert("created_by_ref".into(), json!(creator));
        }
        object.insert("created".into(), json!(time));
        object.insert("modified".into(), json!(time));
        if !markings.is_empty() {
            object.insert("object_marking_refs".into(), json!(markings));
        }
        object
    }

    /// The markings and labels of an item: the event's markings plus its own tags.
    fn marked(
        &mut self,
        tags: &[Tag],
        distributions: &[Option<String>],
        labels: &mut Vec<String>,
    ) -> Result<Vec<String>, MispError> {
        let (own, tag_labels) = split_tags(tags)?;
        let mut markings = self.markings.clone();
        for marking in own {
            if !markings.contains(&marking) {
                markings.push(marking);
            }
        }
        for distribution in distributions {
            restrict(&mut markings, distribution.as_deref());
        }
        labels.extend(tag_labels);
        Ok(markings)
    }

    fn attribute(&mut self, attribute: &Attribute, place: &str) -> Result<(), MispError> {
        let uuid = self.uuid_for(attribute.uuid.as_deref(), place);
        let time = self.time(attribute.timestamp);
        let mut labels =
            vec![format!("misp:type=\"{}\"", attribute.kind), format!("misp:category=\"{}\"", attribute.category)];
        let markings = self.marked(&attribute.tags, std::slice::from_ref(&attribute.distribution), &mut labels)?;
        let found = comparisons(&attribute.kind, &attribute.value);
        let scos = if attribute.to_ids { None } else { observables(&attribute.kind, &attribute.value, &uuid) };
        let mut object;
        let id;
        if attribute.kind == "campaign-name" || attribute.kind == "vulnerability" {
            let kind = if attribute.kind == "campaign-name" { "campaign" } else { "vulnerability" };
            id = format!("{kind}--{uuid}");
            object = self.common(kind, &id, &time, &markings);
            object.insert("name".into(), json!(attribute.value));
            if kind == "vulnerability" {
                object.insert(
                    "external_references".into(),
                    json!([{"source_name": "cve", "external_id": attribute.value}]),
                );
            }
        } else if let Some(scos) = scos {
            id = format!("observed-data--{uuid}");
            object = self.common("observed-data", &id, &time, &markings);
            object.insert("first_observed".into(), json!(time));
            object.insert("last_observed".into(), json!(time));
            object.insert("number_observed".into(), json!(1));
            let sco_ids: Vec<Value> = scos.iter().filter_map(|sco| sco.get("id").cloned()).collect();
            object.insert("object_refs".into(), json!(sco_ids));
            for mut sco in scos {
                if !markings.is_empty() {
                    sco["object_marking_refs"] = json!(markings);
                }
                self.out.push(sco);
            }
        } else if let Some(found) = found {
            id = format!("indicator--{uuid}");
            object = self.indicator(&id, &time, &markings, &pattern_of(&found), "stix", &attribute.category);
            if !attribute.to_ids {
                // MISP writes these types (a port, a user agent) as indicators only;
                // the flag keeps "not for detection" from being lost.
                object.insert("x_misp_to_ids".into(), json!(false));
            }
        } else if attribute.to_ids && RULE_TYPES.contains(&attribute.kind.as_str()) {
            id = format!("indicator--{uuid}");
            object = self.indicator(&id, &time, &markings, &attribute.value, &attribute.kind, &attribute.category);
        } else {
            id = format!("x-misp-attribute--{uuid}");
            object = self.common("x-misp-attribute", &id, &time, &markings);
            object.insert("x_misp_type".into(), json!(attribute.kind));
            object.insert("x_misp_value".into(), json!(attribute.value));
            object.insert("x_misp_category".into(), json!(attribute.category));
            object.insert("x_misp_to_ids".into(), json!(attribute.to_ids));
        }
        if let Some(comment) = attribute.comment.as_deref().filter(|comment| !comment.is_empty()) {
            object.insert("description".into(), json!(comment));
        }
        self.finish(object, labels, &id, &attribute.galaxies, &markings);
        if let Some(misp_uuid) = &attribute.uuid {
            self.targets.push((misp_uuid.clone(), id.clone()));
        }
        for (index, sighting) in attribute.sightings.iter().enumerate() {
            self.sighting(sighting, &id, &format!("{place}/sighting/{index}"));
        }
        Ok(())
    }

    fn indicator(
        &self,
        id: &str,
        time: &str,
        markings: &[String],
        pattern: &str,
        kind: &str,
        phase: &str,
    ) -> Map<String, Value> {
        let mut object = self.common("indicator", id, time, markings);
        object.insert("pattern".into(), json!(pattern));
        object.insert("pattern_type".into(), json!(kind));
        if kind == "stix" {
            object.insert("pattern_version".into(), json!("2.1"));
        }
        object.insert("valid_from".into(), json!(time));
        if !phase.is_empty() {
            object
                .insert("kill_chain_phases".into(), json!([{"kill_chain_name": "misp-category", "phase_name": phase}]));
        }
        object
    }

    /// Adds the labels, the attached galaxies, and the object itself to the output.
    fn finish(
        &mut self,
        mut object: Map<String, Value>,
        mut labels: Vec<String>,
        id: &str,
        galaxies: &[Galaxy],
        markings: &[String],
    ) {
        labels.retain(|label| !label.is_empty());
        labels.dedup();
        object.insert("labels".into(), json!(labels));
        self.out.push(Value::Object(object));
        self.refs.push(id.to_owned());
        for galaxy in galaxies {
            self.galaxy(galaxy, markings);
        }
    }

    fn object(&mut self, misp_object: &Object, place: &str) -> Result<(), MispError> {
        let uuid = self.uuid_for(misp_object.uuid.as_deref(), place);
        let time = self.time(misp_object.timestamp);
        let mut labels = vec![
            format!("misp:name=\"{}\"", misp_object.name),
            format!("misp:meta-category=\"{}\"", misp_object.meta_category),
        ];
        let all_tags: Vec<Tag> = misp_object.attributes.iter().flat_map(|attribute| attribute.tags.clone()).collect();
        let distributions: Vec<Option<String>> = std::iter::once(misp_object.distribution.clone())
            .chain(misp_object.attributes.iter().map(|attribute| attribute.distribution.clone()))
            .collect();
        let markings = self.marked(&all_tags, &distributions, &mut labels)?;
        let detect = misp_object.attributes.iter().any(|attribute| attribute.to_ids);
        let observations = object_observations(misp_object);
        let mut object = if detect && !observations.is_empty() {
            let pattern: Vec<String> = observations.iter().map(|list| pattern_of(list)).collect();
            let id = format!("indicator--{uuid}");
            self.indicator(&id, &time, &markings, &pattern.join(" AND "), "stix", &misp_object.meta_category)
        } else {
            self.common("x-misp-object", &format!("x-misp-object--{uuid}"), &time, &markings)
        };
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        // The object whole, so that an export gives MISP back the same object.
        object.insert("x_misp_object".into(), serde_json::to_value(misp_object).unwrap_or(Value::Null));
        if let Some(comment) = misp_object.comment.as_deref().filter(|comment| !comment.is_empty()) {
            object.insert("description".into(), json!(comment));
        }
        self.finish(object, labels, &id, &[], &markings);
        for attribute in &misp_object.attributes {
            if let Some(misp_uuid) = &attribute.uuid {
                self.targets.push((misp_uuid.clone(), id.clone()));
            }
        }
        Ok(())
    }

    fn galaxy(&mut self, galaxy: &Galaxy, markings: &[String]) {
        for (index, cluster) in galaxy.clusters.iter().enumerate() {
            let kind = if cluster.kind.is_empty() { &galaxy.kind } else { &cluster.kind };
            let Some(stix) = stix_type(kind) else { continue };
            let mut uuid = self.uuid_for(cluster.uuid.as_deref(), &format!("galaxy/{}/{index}", galaxy.kind));
            // Some MISP instances repeat one uuid across the clusters of a galaxy; the
            // value then tells them apart, still deterministically.
            if self.cluster_values.get(&uuid).is_some_and(|value| *value != cluster.value) {
                uuid =
                    uuid::Uuid::new_v5(&NAMESPACE, format!("cluster/{uuid}/{}", cluster.value).as_bytes()).to_string();
            }
            self.cluster_values.insert(uuid.clone(), cluster.value.clone());
            let id = format!("{stix}--{uuid}");
            if let Some(tag) = &cluster.tag_name {
                self.converted_galaxy_tags.insert(tag.clone());
            }
            if self.refs.contains(&id) {
                continue;
            }
            let frame = Frame { id: id.clone(), timestamp: &self.event_time, galaxy_name: &galaxy.name };
            let mut object = cluster_object(stix, cluster, &frame);
            if let Some(creator) = &self.creator {
                object.insert("created_by_ref".into(), json!(creator));
            }
            if !markings.is_empty() {
                object.insert("object_marking_refs".into(), json!(markings));
            }
            self.out.push(Value::Object(object));
            self.refs.push(id);
        }
    }

    fn sighting(&mut self, sighting: &Sighting, target: &str, place: &str) {
        let uuid = self.uuid_for(sighting.uuid.as_deref(), place);
        let id = format!("sighting--{uuid}");
        let time = self.time(sighting.timestamp);
        let markings = self.markings.clone();
        let mut object = self.common("sighting", &id, &time, &markings);
        object.insert("sighting_of_ref".into(), json!(target));
        object.insert("first_seen".into(), json!(time));
        object.insert("last_seen".into(), json!(time));
        object.insert("count".into(), json!(1));
        let kind = match sighting.kind.as_deref() {
            Some("1") => "false-positive",
            Some("2") => "expiration",
            _ => "sighting",
        };
        object.insert("labels".into(), json!([format!("misp:sighting-type=\"{kind}\"")]));
        if let Some(source) = sighting.source.as_deref().filter(|source| !source.is_empty()) {
            object.insert("x_misp_source".into(), json!(source));
        }
        self.out.push(Value::Object(object));
        self.refs.push(id);
    }

    fn report(&mut self) -> Result<(), MispError> {
        let (_, tag_labels) = split_tags(&self.event.tags)?;
        let mut labels: Vec<String> = tag_labels;
        // Galaxy tags whose cluster has no STIX type here stay, as labels.
        for tag in &self.event.tags {
            if tag.name.starts_with("misp-galaxy:") && !self.converted_galaxy_tags.contains(&tag.name) {
                labels.push(tag.name.clone());
            }
        }
        if self.refs.is_empty() {
            match &self.creator {
                Some(creator) => self.refs.push(creator.clone()),
                None => return Err(MispError::Empty(self.event.info.clone())),
            }
        }
        let id = format!("report--{}", self.event_uuid);
        let markings = self.markings.clone();
        let mut report = self.common("report", &id, &self.event_time.clone(), &markings);
        report.insert("name".into(), json!(if self.event.info.is_empty() { "MISP event" } else { &self.event.info }));
        let published = self.event.publish_timestamp.filter(|seconds| *seconds > 0).map(stix_time);
        report.insert("published".into(), json!(published.unwrap_or_else(|| self.event_time.clone())));
        report.insert("report_types".into(), json!(["threat-report"]));
        report.insert("object_refs".into(), json!(self.refs));
        if !labels.is_empty() {
            report.insert("labels".into(), json!(labels));
        }
        for (key, value) in [
            ("x_misp_threat_level_id", &self.event.threat_level_id),
            ("x_misp_analysis", &self.event.analysis),
            ("x_misp_date", &self.event.date),
        ] {
            if let Some(value) = value {
                report.insert(key.into(), json!(value));
            }
        }
        report.insert("x_misp_published".into(), json!(self.event.published));
        self.out.push(Value::Object(report));
        Ok(())
    }
}

/// Splits tags into marking ids and labels; galaxy tags are neither (the report keeps
/// those whose cluster was not converted).
fn split_tags(tags: &[Tag]) -> Result<(Vec<String>, Vec<String>), MispError> {
    let mut markings = Vec::new();
    let mut labels = Vec::new();
    for tag in tags {
        match read_tag(&tag.name)? {
            TagMeaning::Marking(id) if !markings.contains(&id) => markings.push(id),
            TagMeaning::Marking(_) | TagMeaning::Galaxy(_) => {}
            TagMeaning::Label(label) => labels.push(label),
        }
    }
    Ok((markings, labels))
}

/// MISP's distribution levels 0 (this organisation only) and 4 (a sharing group) say
/// who may see an item, which no STIX marking says; they become TLP:RED, which never
/// leaves this node, rather than being dropped (and the item shared with partners).
fn restrict(markings: &mut Vec<String>, distribution: Option<&str>) {
    let red = TLP_2_0[4].id.to_owned();
    if matches!(distribution.map(str::trim), Some("0" | "4")) && !markings.contains(&red) {
        markings.push(red);
    }
}

/// A STIX timestamp with millisecond precision, as MISP writes them.
fn stix_time(seconds: i64) -> String {
    Timestamp::from_unix_nanos(i128::from(seconds) * 1_000_000_000, 3).to_string()
}

/// Seconds at midnight UTC of a `YYYY-MM-DD` date.
fn date_seconds(date: &str) -> Option<i64> {
    Timestamp::parse(&format!("{date}T00:00:00Z")).ok().map(|time| time.unix_micros() / 1_000_000)
}
