//! Designations as STIX: deterministic ids, objects, and the plan of an import.
//!
//! One record becomes two objects: the **entity** as its source names it (a
//! `threat-actor` for an organisation, an `identity` for an individual, vessel or
//! aircraft) and an **`x-entente-designation`** custom object carrying the legal act:
//! `authority_ref` (the authority's `identity`), `designated_ref` (the entity),
//! `authority`, `reference`, `programmes`, `listed_on`, `status` (`listed` or
//! `delisted`) and `delisted_on`. Both are ordinary STIX objects that pass the node's
//! validation, so they are stored, signed, released, synced and audited like any
//! other intelligence.
//!
//! Every object is marked TLP:CLEAR: the lists are public acts.
//!
//! Ids are UUIDv5 under a fixed namespace, from the authority key and the list's own
//! reference, so a re-import of the same list hits the same objects. The validator
//! warns that SDO ids should be UUIDv4: these are deliberately name-based.
//!
//! [`plan`] compares a parsed list with what the node already holds for that
//! authority (its [`IndexRow`]s) and yields only what changed: a new version (same
//! `created`, `modified` = now) when the content differs, nothing when it does not,
//! and a `delisted` version of every designation the new list no longer carries.
//! Nothing is ever deleted.

use super::{Authority, EntityKind, ParsedList, Record, Status};
use crate::Timestamp;
use crate::stix::{Rejection, StixObject};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// The custom object type of a designation.
pub const DESIGNATION_TYPE: &str = "x-entente-designation";

/// TLP 2.0 CLEAR: the lists are published by their authorities, so their objects may
/// go to any partner a treaty covers. (An unmarked object would count as AMBER.)
pub const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";

/// The `created`/`modified` of authority identities, fixed so that every node makes
/// the same object for the same authority.
const AUTHORITY_EPOCH: &str = "2020-01-01T00:00:00.000Z";

fn namespace() -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"https://entente.invalid/designations")
}

fn id(object_type: &str, name: &str) -> String {
    format!("{object_type}--{}", uuid::Uuid::new_v5(&namespace(), name.as_bytes()))
}

/// The `identity` id of an authority.
pub fn authority_id(authority: &Authority) -> String {
    id("identity", &format!("authority:{}", authority.key))
}

/// The STIX type an entity of this kind is written as.
pub fn entity_type(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Organization => "threat-actor",
        EntityKind::Individual | EntityKind::Other => "identity",
    }
}

pub fn entity_id(record: &Record) -> String {
    id(entity_type(record.kind), &format!("entity:{}:{}", record.authority.key, record.reference))
}

pub fn designation_id(authority: &Authority, reference: &str) -> String {
    id(DESIGNATION_TYPE, &format!("designation:{}:{reference}", authority.key))
}

/// What the store keeps of one designation, for re-imports and the divergence view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexRow {
    pub designation_id: String,
    pub entity_id: String,
    pub authority: Authority,
    pub reference: String,
    pub kind: EntityKind,
    pub name: String,
    pub aliases: Vec<String>,
    pub programmes: Vec<String>,
    pub listed_on: Option<String>,
    pub status: Status,
    pub delisted_on: Option<String>,
    /// `created` of the designation object (and of the entity object).
    pub created: String,
    pub modified: String,
    /// Content hashes (without `created`/`modified`) of the two objects.
    pub entity_hash: String,
    pub designation_hash: String,
}

/// The objects to store for one import, and the index rows they produce.
#[derive(Debug, Default)]
pub struct Plan {
    pub objects: Vec<StixObject>,
    pub rows: Vec<IndexRow>,
    pub unchanged: usize,
    pub new: usize,
    pub updated: usize,
    pub delisted: usize,
    /// Records whose reference appeared earlier in the same list (the first is kept).
    pub duplicates: usize,
}

fn hash(map: &Map<String, Value>) -> String {
    hex::encode(Sha256::digest(Value::Object(map.clone()).to_string().as_bytes()))
}

fn object(mut map: Map<String, Value>, created: &str, modified: &str) -> Result<StixObject, Rejection> {
    map.insert("created".into(), Value::String(created.to_owned()));
    map.insert("modified".into(), Value::String(modified.to_owned()));
    StixObject::from_json(&Value::Object(map).to_string())
}

fn as_map(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The authority's `identity` object.
pub fn authority_object(authority: &Authority) -> Result<StixObject, Rejection> {
    let map = as_map(json!({
        "type": "identity", "spec_version": "2.1", "id": authority_id(authority),
        "name": authority.name, "identity_class": "organization", "x_entente_authority": authority.key,
        "object_marking_refs": [TLP_CLEAR],
    }));
    object(map, AUTHORITY_EPOCH, AUTHORITY_EPOCH)
}

fn external_reference(authority: &Authority, reference: &str) -> Value {
    json!([{ "source_name": format!("designation-list:{}", authority.key), "external_id": reference }])
}

fn entity_map(record: &Record) -> Map<String, Value> {
    let mut map = as_map(json!({
        "type": entity_type(record.kind), "spec_version": "2.1", "id": entity_id(record), "name": record.name,
        "external_references": external_reference(&record.authority, &record.reference),
        "object_marking_refs": [TLP_CLEAR],
    }));
    let aliases = if record.kind == EntityKind::Organization { "aliases" } else { "x_aliases" };
    if !record.aliases.is_empty() {
        map.insert(aliases.into(), json!(record.aliases));
    }
    match record.kind {
        EntityKind::Organization => None,
        EntityKind::Individual => map.insert("identity_class".into(), json!("individual")),
        EntityKind::Other => map.insert("identity_class".into(), json!("unknown")),
    };
    map
}

fn designation_map(row: &IndexRow) -> Map<String, Value> {
    let mut map = as_map(json!({
        "type": DESIGNATION_TYPE, "spec_version": "2.1", "id": row.designation_id,
        "designated_ref": row.entity_id, "authority_ref": authority_id(&row.authority),
        "authority": row.authority.key, "authority_name": row.authority.name, "reference": row.reference,
        "name": row.name, "aliases": row.aliases, "entity_kind": row.kind.as_str(),
        "programmes": row.programmes, "status": row.status.as_str(),
        "external_references": external_reference(&row.authority, &row.reference),
        "object_marking_refs": [TLP_CLEAR],
    }));
    if let Some(date) = &row.listed_on {
        map.insert("listed_on".into(), json!(date));
    }
    if let Some(date) = &row.delisted_on {
        map.insert("delisted_on".into(), json!(date));
    }
    map
}

/// The index row of a designation object from anywhere (a partner's sync, a TAXII
/// POST), read from the object alone: `None` for other types or a designation that
/// lacks what the index needs. Its `entity_hash` is empty, since the entity object
/// may not be held; a local re-import of the same list then rewrites the entity.
pub fn index_row(object: &StixObject) -> Option<IndexRow> {
    if object.object_type() != DESIGNATION_TYPE {
        return None;
    }
    let value: Value = serde_json::from_str(object.json()).ok()?;
    let text = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    let list = |name: &str| -> Vec<String> {
        let items = value.get(name).and_then(Value::as_array);
        items.map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect()).unwrap_or_default()
    };
    let mut authority = Authority::parse(&text("authority")?).ok()?;
    if let Some(name) = text("authority_name") {
        authority.name = name;
    }
    let kind = match text("entity_kind").as_deref() {
        Some("individual") => EntityKind::Individual,
        Some("other") => EntityKind::Other,
        _ => EntityKind::Organization,
    };
    let version = object.version()?.to_string();
    Some(IndexRow {
        designation_id: object.id().to_string(),
        entity_id: text("designated_ref")?,
        authority,
        reference: text("reference")?,
        kind,
        name: text("name")?,
        aliases: list("aliases"),
        programmes: list("programmes"),
        listed_on: text("listed_on"),
        status: Status::parse(&text("status")?)?,
        delisted_on: text("delisted_on"),
        created: text("created").unwrap_or_else(|| version.clone()),
        modified: version,
        entity_hash: String::new(),
        designation_hash: hex::encode(Sha256::digest(object.json().as_bytes())),
    })
}

/// Compares a parsed list with the rows held for its authority and plans the import.
pub fn plan(list: &ParsedList, known: &[IndexRow], now: Timestamp) -> Result<Plan, Rejection> {
    let now_text = now.to_string();
    let today = now_text.get(..10).unwrap_or_default().to_owned();
    let known: HashMap<&str, &IndexRow> = known.iter().map(|row| (row.designation_id.as_str(), row)).collect();
    let mut plan = Plan::default();
    let mut seen = HashSet::new();
    plan.objects.push(authority_object(&list.authority)?);
    for record in &list.records {
        let designation_id = designation_id(&list.authority, &record.reference);
        if !seen.insert(designation_id.clone()) {
            plan.duplicates += 1;
            continue;
        }
        let entity = entity_map(record);
        let mut row = IndexRow {
            designation_id,
            entity_id: entity_id(record),
            authority: list.authority.clone(),
            reference: record.reference.clone(),
            kind: record.kind,
            name: record.name.clone(),
            aliases: record.aliases.clone(),
            programmes: record.programmes.clone(),
            listed_on: record.listed_on.clone(),
            status: Status::Listed,
            delisted_on: None,
            created: now_text.clone(),
            modified: now_text.clone(),
            entity_hash: hash(&entity),
            designation_hash: String::new(),
        };
        let designation = designation_map(&row);
        row.designation_hash = hash(&designation);
        let previous = known.get(row.designation_id.as_str()).filter(|old| old.entity_id == row.entity_id);
        let (entity_changed, designation_changed) = match previous {
            Some(old) if old.entity_hash == row.entity_hash && old.designation_hash == row.designation_hash => {
                plan.unchanged += 1;
                continue;
            }
            Some(old) => {
                plan.updated += 1;
                row.created = old.created.clone();
                if old.designation_hash == row.designation_hash {
                    row.modified = old.modified.clone();
                }
                (old.entity_hash != row.entity_hash, old.designation_hash != row.designation_hash)
            }
            None => {
                plan.new += 1;
                (true, true)
            }
        };
        if entity_changed {
            plan.objects.push(object(entity, &row.created, &now_text)?);
        }
        if designation_changed {
            plan.objects.push(object(designation, &row.created, &now_text)?);
        }
        plan.rows.push(row);
    }
    for old in known.values() {
        if old.status == Status::Delisted || seen.contains(&old.designation_id) {
            continue;
        }
        let mut row = (*old).clone();
        row.status = Status::Delisted;
        row.delisted_on = Some(today.clone());
        row.modified = now_text.clone();
        let designation = designation_map(&row);
        row.designation_hash = hash(&designation);
        plan.objects.push(object(designation, &row.created, &now_text)?);
        plan.rows.push(row);
        plan.delisted += 1;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::designation::Format;

    fn list(references: &[&str]) -> ParsedList {
        let records = references
            .iter()
            .map(|reference| Record {
                authority: Authority::un(),
                reference: (*reference).to_owned(),
                kind: EntityKind::Organization,
                name: format!("Group {reference}"),
                aliases: vec![format!("G{reference}")],
                programmes: vec!["Al-Qaida".into()],
                listed_on: Some("2001-10-06".into()),
            })
            .collect();
        ParsedList { authority: Authority::un(), format: Format::UnXml, records, rows_read: references.len() }
    }

    fn at(text: &str) -> Timestamp {
        Timestamp::parse(text).expect("test timestamp")
    }

    #[test]
    fn objects_validate_and_ids_are_stable() {
        let first = plan(&list(&["QDe.1", "QDe.2"]), &[], at("2026-01-01T00:00:00Z")).expect("valid objects");
        // The authority, then an entity and a designation per record.
        assert_eq!(first.objects.len(), 5);
        assert_eq!(first.new, 2);
        let again = plan(&list(&["QDe.1", "QDe.2"]), &[], at("2026-02-01T00:00:00Z")).expect("valid objects");
        let ids = |plan: &Plan| plan.objects.iter().map(|object| object.id().to_string()).collect::<Vec<_>>();
        assert_eq!(ids(&first), ids(&again));
        assert!(first.objects[2].json().contains("\"type\":\"x-entente-designation\""));
    }

    #[test]
    fn a_reimport_changes_nothing_and_a_missing_record_is_delisted() {
        let first = plan(&list(&["QDe.1", "QDe.2"]), &[], at("2026-01-01T00:00:00Z")).expect("plan");
        let same = plan(&list(&["QDe.1", "QDe.2"]), &first.rows, at("2026-02-01T00:00:00Z")).expect("plan");
        assert_eq!((same.unchanged, same.objects.len()), (2, 1), "only the authority object, already held");
        let shorter = plan(&list(&["QDe.1"]), &first.rows, at("2026-03-01T00:00:00Z")).expect("plan");
        assert_eq!(shorter.delisted, 1);
        let row = &shorter.rows[0];
        assert_eq!((row.status, row.delisted_on.as_deref()), (Status::Delisted, Some("2026-03-01")));
        assert_eq!(row.created, first.rows[1].created, "the same object, a new version");
        let json = shorter.objects.last().map(StixObject::json).unwrap_or_default();
        assert!(json.contains("\"status\":\"delisted\"") && json.contains("\"modified\":\"2026-03-01T00:00:00.000Z\""));
        // Delisted stays delisted when the list still lacks it.
        let later =
            plan(&list(&["QDe.1"]), &[shorter.rows[0].clone(), first.rows[0].clone()], at("2026-04-01T00:00:00Z"))
                .expect("plan");
        assert_eq!((later.delisted, later.unchanged), (0, 1));
    }

    #[test]
    fn a_designation_object_indexes_itself() {
        let planned = plan(&list(&["QDe.1"]), &[], at("2026-01-01T00:00:00Z")).expect("plan");
        let designation = planned.objects.iter().find(|object| object.object_type() == DESIGNATION_TYPE);
        let row = index_row(designation.expect("a designation")).expect("indexable");
        let expected = &planned.rows[0];
        assert_eq!(
            (&row.designation_id, &row.entity_id, &row.authority),
            (&expected.designation_id, &expected.entity_id, &expected.authority)
        );
        assert_eq!(
            (&row.name, &row.aliases, row.kind, row.status),
            (&expected.name, &expected.aliases, expected.kind, expected.status)
        );
        assert_eq!((&row.created, &row.modified), (&expected.created, &expected.modified));
        assert!(index_row(&planned.objects[0]).is_none(), "the authority identity is not a designation");
    }

    #[test]
    fn a_changed_record_is_a_new_version_of_the_same_objects() {
        let first = plan(&list(&["QDe.1"]), &[], at("2026-01-01T00:00:00Z")).expect("plan");
        let mut changed = list(&["QDe.1"]);
        changed.records[0].aliases.push("Another name".into());
        let second = plan(&changed, &first.rows, at("2026-02-01T00:00:00Z")).expect("plan");
        assert_eq!(second.updated, 1);
        // The authority (already held), and new versions of the entity and of the
        // designation, which repeats the names so that it can be indexed alone.
        assert_eq!(second.objects.len(), 3);
        assert_eq!(second.objects[1].id().to_string(), first.rows[0].entity_id);
        assert_eq!(second.objects[2].id().to_string(), first.rows[0].designation_id);
        assert_eq!(second.rows[0].created, first.rows[0].created);
        let reprogrammed = {
            let mut list = list(&["QDe.1"]);
            list.records[0].programmes = vec!["ISIL".into()];
            list
        };
        let third = plan(&reprogrammed, &first.rows, at("2026-03-01T00:00:00Z")).expect("plan");
        assert_eq!(third.objects.len(), 2, "the authority and the designation; the entity did not change");
    }
}
