//! Integration tests for STIX 2.1 object validation.
//!
//! `corpus` runs every object of the real ATT&CK and OASIS example bundles through
//! [`StixObject::from_json`]; `rejects` is the data-driven table of broken objects and
//! the finding each must produce; this file holds the valid base object of every spec
//! type, the custom-content and TLP tests, and the helpers the others share.

mod corpus;
mod rejects;

use entente_core::stix::vocab::{TLP_1_0, TLP_2_0, TLP_2_0_EXTENSION_ID, TlpLevel, tlp_level};
use entente_core::stix::{Issue, StixObject};
use proptest::prelude::*;
use serde_json::{Value, json};

pub const IDENTITY: &str = "identity--311b2d2d-f010-4473-83ec-1edf84858f4c";
pub const INDICATOR: &str = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
pub const MALWARE: &str = "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b";
pub const IPV4: &str = "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd";
pub const TLP_GREEN: &str = "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da";
pub const EXTENSION: &str = "extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
const CREATED: &str = "2016-04-06T20:03:48.000Z";

/// A valid object of `type_name`, with no warnings either.
pub fn base(type_name: &str) -> Value {
    let uuid = match type_name {
        "artifact"
        | "autonomous-system"
        | "directory"
        | "domain-name"
        | "email-addr"
        | "email-message"
        | "file"
        | "ipv4-addr"
        | "ipv6-addr"
        | "mac-addr"
        | "mutex"
        | "network-traffic"
        | "software"
        | "url"
        | "user-account"
        | "windows-registry-key"
        | "x509-certificate" => "4c5f0ac2-7d0a-5b3a-8c1e-2f6a9d1e0b7c",
        _ => "6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f",
    };
    let mut object = json!({ "type": type_name, "id": format!("{type_name}--{uuid}") });
    let common = json!({ "spec_version": "2.1", "created": CREATED, "modified": CREATED });
    let specific = specific_properties(type_name);
    let is_sco = uuid.as_bytes()[14] == b'5' || type_name == "process";
    if !is_sco {
        merge(&mut object, &common);
    }
    merge(&mut object, &specific);
    object
}

fn specific_properties(type_name: &str) -> Value {
    match type_name {
        "indicator" => json!({
            "pattern": "[ipv4-addr:value = '198.51.100.1']", "pattern_type": "stix", "valid_from": CREATED
        }),
        "malware" => json!({ "name": "Poison Ivy", "is_family": true }),
        "location" => json!({ "region": "europe" }),
        "observed-data" => json!({
            "first_observed": CREATED, "last_observed": CREATED, "number_observed": 1, "object_refs": [IPV4]
        }),
        "sighting" => json!({ "sighting_of_ref": INDICATOR }),
        "report" => json!({ "name": "r", "published": CREATED, "object_refs": [INDICATOR] }),
        "note" => json!({ "content": "c", "object_refs": [INDICATOR] }),
        "opinion" => json!({ "opinion": "agree", "object_refs": [INDICATOR] }),
        "grouping" => json!({ "context": "suspicious-activity", "object_refs": [INDICATOR] }),
        "malware-analysis" => json!({ "product": "av", "result": "malicious" }),
        "relationship" => {
            json!({ "relationship_type": "indicates", "source_ref": INDICATOR, "target_ref": MALWARE })
        }
        "language-content" => {
            json!({ "object_ref": INDICATOR, "contents": { "de": { "name": "Anzeiger" } } })
        }
        "extension-definition" => json!({
            "created_by_ref": IDENTITY, "name": "x", "schema": "https://example.com/schema.json",
            "version": "1.0.0", "extension_types": ["property-extension"]
        }),
        "marking-definition" => json!({
            "modified": null, "definition_type": "statement", "definition": { "statement": "Copyright 2024" }
        }),
        "artifact" => json!({ "payload_bin": "aGVsbG8=" }),
        "autonomous-system" => json!({ "number": 15139 }),
        "directory" => json!({ "path": "C:\\Windows" }),
        "email-message" => json!({ "is_multipart": false, "subject": "hello" }),
        "file" | "mutex" | "software" => json!({ "name": "thing" }),
        "ipv6-addr" => json!({ "value": "2001:db8::/32" }),
        "mac-addr" => json!({ "value": "d2:fb:49:24:37:18" }),
        "network-traffic" => json!({ "protocols": ["ipv4", "tcp"], "dst_ref": IPV4 }),
        "process" => json!({ "id": "process--0f6b2a3e-5d1c-4f8a-9b7e-3c2d1a0e9f8b", "pid": 1221 }),
        "user-account" => json!({ "user_id": "1001" }),
        "windows-registry-key" => json!({ "key": "HKEY_LOCAL_MACHINE\\System" }),
        "x509-certificate" => json!({ "serial_number": "36:f7:d4:32" }),
        "ipv4-addr" => json!({ "value": "198.51.100.3" }),
        "domain-name" | "email-addr" | "url" => json!({ "value": "example.com" }),
        _ => json!({ "name": "named" }),
    }
}

/// Sets every key of `patch` on `object`; a `null` in the patch removes the key.
pub fn merge(object: &mut Value, patch: &Value) {
    let (Some(target), Some(patch)) = (object.as_object_mut(), patch.as_object()) else {
        return;
    };
    for (key, value) in patch {
        if value.is_null() {
            target.remove(key);
        } else {
            target.insert(key.clone(), value.clone());
        }
    }
}

pub fn patched(type_name: &str, patch: &Value) -> Value {
    let mut object = base(type_name);
    merge(&mut object, patch);
    object
}

/// Every finding, errors first, for an object given as JSON.
pub fn findings(object: &Value) -> (Vec<Issue>, Vec<Issue>) {
    match StixObject::from_json(&object.to_string()) {
        Ok(accepted) => (Vec::new(), accepted.warnings().to_vec()),
        Err(rejection) => {
            rejection.issues.into_iter().partition(|issue| issue.severity == entente_core::stix::Severity::Error)
        }
    }
}

pub const SPEC_TYPES: [&str; 42] = [
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
    "marking-definition",
    "language-content",
    "extension-definition",
];

#[test]
fn every_base_object_is_valid_without_warnings() {
    for type_name in SPEC_TYPES {
        let (errors, warnings) = findings(&base(type_name));
        assert!(errors.is_empty() && warnings.is_empty(), "{type_name}: {errors:?} {warnings:?}");
    }
}

#[test]
fn custom_types_properties_and_extensions_are_accepted_and_preserved() {
    let pretty = r#"{
        "type": "x-acme-widget", "id": "x-acme-widget--0b6d3f2a-1c4e-4d5a-8f7b-9e0c1d2a3b4c",
        "spec_version": "2.1", "created": "2024-01-02T03:04:05.678Z", "modified": "2024-01-02T03:04:05.678Z",
        "gear_count": 1.50, "ratio": 1e3, "label": "caf\u00e9 \"quoted\"",
        "nested": { "deep": [ 1, { "x": null } ] }
    }"#;
    let compact = concat!(
        r#"{"type":"x-acme-widget","id":"x-acme-widget--0b6d3f2a-1c4e-4d5a-8f7b-9e0c1d2a3b4c","#,
        r#""spec_version":"2.1","created":"2024-01-02T03:04:05.678Z","modified":"2024-01-02T03:04:05.678Z","#,
        r#""gear_count":1.50,"ratio":1e3,"label":"caf\u00e9 \"quoted\"","nested":{"deep":[1,{"x":null}]}}"#
    );
    let object = StixObject::from_json(pretty).expect("custom object accepted");
    assert_eq!(object.json(), compact);
    assert!(object.warnings().is_empty(), "{:?}", object.warnings());

    let extended = patched(
        "indicator",
        &json!({
            "x_acme_score": 7,
            "extensions": {
                EXTENSION: { "extension_type": "property-extension", "rank": 3 },
                "x-acme-old-style": { "anything": true }
            }
        }),
    );
    let text = serde_json::to_string_pretty(&extended).expect("serialises");
    let object = StixObject::from_json(&text).expect("extended indicator accepted");
    assert_eq!(object.json(), entente_core::json::minify(&text));
    let warned: Vec<&str> = object.warnings().iter().map(|issue| issue.path.as_str()).collect();
    assert_eq!(warned, ["extensions.x-acme-old-style"], "{:?}", object.warnings());
}

#[test]
fn top_level_property_extensions_need_no_prefix() {
    let extension = json!({ "extension_type": "toplevel-property-extension" });
    let object = patched("campaign", &json!({ "rank": 3, "extensions": { EXTENSION: extension } }));
    assert_eq!(findings(&object), (vec![], vec![]));
}

/// Any JSON value, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e20f64..1e20).prop_map(Value::from),
        "[a-zA-Z0-9:._\\[\\]-]{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Properties whose checks go deep: structured common types and embedded objects.
const PROBED: [&str; 24] = [
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "labels",
    "external_references",
    "granular_markings",
    "extensions",
    "object_marking_refs",
    "hashes",
    "objects",
    "object_refs",
    "contents",
    "definition",
    "values",
    "body_multipart",
    "x509_v3_extensions",
    "kill_chain_phases",
    "latitude",
    "number",
    "pattern",
    "name",
    "selectors",
];

proptest! {
    #[test]
    fn any_value_in_any_property_is_judged_without_panicking(
        type_index in 0..SPEC_TYPES.len(),
        name in prop::sample::select(&PROBED[..]),
        value in json_value(),
    ) {
        let mut object = base(SPEC_TYPES[type_index]);
        object[name] = value;
        let _ = findings(&object);
    }
}

#[test]
fn predefined_tlp_markings_validate_and_map_to_levels() {
    for marking in TLP_1_0 {
        let object = json!({
            "type": "marking-definition", "spec_version": "2.1", "id": marking.id, "created": marking.created,
            "definition_type": "tlp", "name": marking.name, "definition": { "tlp": marking.value }
        });
        assert_eq!(findings(&object), (vec![], vec![]), "{}", marking.name);
    }
    for marking in TLP_2_0 {
        let extension = json!({ "extension_type": "property-extension", "tlp_2_0": marking.value });
        let object = json!({
            "type": "marking-definition", "spec_version": "2.1", "id": marking.id, "created": marking.created,
            "name": marking.name, "extensions": { TLP_2_0_EXTENSION_ID: extension }
        });
        assert_eq!(findings(&object), (vec![], vec![]), "{}", marking.name);
    }
    assert_eq!(tlp_level("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"), Some(TlpLevel::Clear));
    assert_eq!(tlp_level("marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"), Some(TlpLevel::AmberStrict));
    assert_eq!(tlp_level("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"), Some(TlpLevel::Red));
    assert_eq!(tlp_level("marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"), None);
    assert!(TlpLevel::Clear < TlpLevel::Green && TlpLevel::Amber < TlpLevel::AmberStrict);
}
