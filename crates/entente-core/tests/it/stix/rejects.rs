//! Data-driven negative tests: each row takes the valid base object of a type, applies a
//! patch (a `null` removes a property) and names the finding that must appear: its
//! path and a fragment of its message. Errors refuse the object; warnings do not.
//! The tables keep one case per line (`rustfmt::skip`) so they read as tables.

use super::{EXTENSION, IDENTITY, INDICATOR, IPV4, MALWARE, TLP_GREEN, findings, merge, patched};
use entente_core::stix::{Issue, StixObject};
use serde_json::{Value, json};

const LATER: &str = "2017-01-01T00:00:00.000Z";
const EARLIER: &str = "2015-01-01T00:00:00.000Z";
const OTHER_SRO: &str = "relationship--6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f";
const OWN_MARKING: &str = "marking-definition--6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f";
const EXTENSION_PATH: &str = "extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e";
const TLP_2_AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
const TLP_2_EXTENSION: &str = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";

type Case = (&'static str, Value, &'static str, &'static str);

#[rustfmt::skip]
fn error_cases() -> Vec<Case> {
    vec![
        // The object's identity.
        ("indicator", json!({ "type": null }), "type", "required property is missing"),
        ("indicator", json!({ "type": "Indicator" }), "type", "type names are"),
        ("indicator", json!({ "id": MALWARE }), "id", "object's type is \"indicator\""),
        ("indicator", json!({ "id": "indicator--not-a-uuid" }), "id", "invalid STIX identifier"),
        ("indicator", json!({ "type": "bundle", "id": "bundle--6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f" }), "type", "not a STIX object"),
        // Property names.
        ("indicator", json!({ "x-bad-name": 1 }), "x-bad-name", "property names must be"),
        ("indicator", json!({ "ab": 1 }), "ab", "property names must be"),
        ("indicator", json!({ "severity": "high" }), "severity", "reserved"),
        ("indicator", json!({ "defanged": true }), "defanged", "Cyber-observable"),
        // Common properties.
        ("indicator", json!({ "spec_version": "2.0" }), "spec_version", "STIX 2.0 object"),
        ("indicator", json!({ "spec_version": null }), "spec_version", "required property is missing"),
        ("campaign", json!({ "created": "2016-04-06T20:03:48Z" }), "created", "millisecond"),
        ("campaign", json!({ "modified": EARLIER }), "modified", "must not be earlier than created"),
        ("campaign", json!({ "created": "2016-13-06T20:03:48.000Z" }), "created", "invalid timestamp"),
        ("campaign", json!({ "created_by_ref": MALWARE }), "created_by_ref", "of type identity"),
        ("campaign", json!({ "revoked": "yes" }), "revoked", "expected true or false"),
        ("campaign", json!({ "labels": "apt" }), "labels", "expected a list"),
        ("campaign", json!({ "labels": [] }), "labels", "at least one value"),
        ("campaign", json!({ "labels": ["a", 2] }), "labels[1]", "expected a string"),
        ("campaign", json!({ "confidence": 101 }), "confidence", "outside the allowed range"),
        ("campaign", json!({ "confidence": 1.5 }), "confidence", "expected an integer"),
        ("campaign", json!({ "lang": "not a tag" }), "lang", "RFC 5646"),
        ("campaign", json!({ "external_references": [{ "source_name": "a", "url": "u" }, { "url": "u" }] }), "external_references[1].source_name", "required property is missing"),
        ("campaign", json!({ "external_references": [{ "source_name": "a" }] }), "external_references[0]", "needs description"),
        ("campaign", json!({ "external_references": [{ "source_name": "a", "url": 5 }] }), "external_references[0].url", "expected a string"),
        ("campaign", json!({ "external_references": [{ "source_name": "a", "url": "u", "hashes": { "SHA-256": "abc" } }] }), "external_references[0].hashes.SHA-256", "64 hexadecimal digits"),
        ("campaign", json!({ "external_references": [{ "source_name": "a", "url": "u", "hashes": { "sha256x": "ab" } }] }), "external_references[0].hashes.sha256x", "hash-algorithm-ov"),
        ("campaign", json!({ "object_marking_refs": [IDENTITY] }), "object_marking_refs[0]", "marking-definition"),
        ("campaign", json!({ "object_marking_refs": ["tlp-green"] }), "object_marking_refs[0]", "invalid STIX identifier"),
        ("campaign", json!({ "granular_markings": [{ "marking_ref": TLP_GREEN, "selectors": [] }] }), "granular_markings[0].selectors", "at least one value"),
        ("campaign", json!({ "granular_markings": [{ "marking_ref": TLP_GREEN, "lang": "en", "selectors": ["name"] }] }), "granular_markings[0]", "not both"),
        ("campaign", json!({ "granular_markings": [{ "selectors": ["name"] }] }), "granular_markings[0]", "needs marking_ref or lang"),
        ("campaign", json!({ "granular_markings": [{ "marking_ref": TLP_GREEN, "selectors": ["name", "aliases.[3]"] }] }), "granular_markings[0].selectors[1]", "does not refer to content"),
        ("campaign", json!({ "extensions": { EXTENSION: "rank" } }), EXTENSION_PATH, "expected a JSON object"),
        ("campaign", json!({ "extensions": { EXTENSION: { "extension_type": "new-thing" } } }), "extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e.extension_type", "extension-type-enum"),
        ("campaign", json!({ "extensions": { EXTENSION: { "rank": 1 } } }), "extensions.extension-definition--d83fce45-ef58-4c6c-a3f4-1fbc32e98c6e.extension_type", "required property is missing"),
        ("campaign", json!({ "extensions": {} }), "extensions", "at least one key"),
        ("campaign", json!({ "first_seen": LATER, "last_seen": EARLIER }), "last_seen", "must not be earlier than first_seen"),
        // Domain objects.
        ("attack-pattern", json!({ "name": null }), "name", "required property is missing"),
        ("attack-pattern", json!({ "kill_chain_phases": [{ "kill_chain_name": "lm" }] }), "kill_chain_phases[0].phase_name", "required"),
        ("indicator", json!({ "pattern": null }), "pattern", "required property is missing"),
        ("indicator", json!({ "pattern_type": null }), "pattern_type", "required property is missing"),
        ("indicator", json!({ "valid_until": "2016-04-06T20:03:48.000Z" }), "valid_until", "must be later than valid_from"),
        ("indicator", json!({ "pattern": "[ipv4-addr:value = " }), "pattern", "invalid STIX pattern at character"),
        ("malware", json!({ "is_family": null }), "is_family", "required property is missing"),
        ("malware", json!({ "name": null }), "name", "malware family"),
        ("malware", json!({ "sample_refs": [INDICATOR] }), "sample_refs[0]", "file or artifact"),
        ("malware", json!({ "operating_system_refs": [IPV4] }), "operating_system_refs[0]", "of type software"),
        ("location", json!({ "region": null, "city": "Paris" }), "", "needs region, country, or latitude"),
        ("location", json!({ "latitude": 91.0, "longitude": 2.0 }), "latitude", "outside the allowed range"),
        ("location", json!({ "latitude": 48.8 }), "", "latitude and longitude must be present together"),
        ("location", json!({ "precision": 10.0 }), "precision", "requires latitude and longitude"),
        ("observed-data", json!({ "number_observed": 0 }), "number_observed", "outside the allowed range"),
        ("observed-data", json!({ "objects": { "0": { "type": "file" } } }), "objects", "must not both be present"),
        ("observed-data", json!({ "object_refs": null }), "object_refs", "one of object_refs or objects"),
        ("observed-data", json!({ "first_observed": LATER }), "last_observed", "must not be earlier"),
        ("observed-data", json!({ "object_refs": [INDICATOR] }), "object_refs[0]", "Cyber-observable or a relationship"),
        ("report", json!({ "published": null }), "published", "required property is missing"),
        ("report", json!({ "object_refs": [] }), "object_refs", "at least one value"),
        ("note", json!({ "content": null }), "content", "required property is missing"),
        ("opinion", json!({ "opinion": "maybe" }), "opinion", "opinion-enum"),
        ("grouping", json!({ "context": null }), "context", "required property is missing"),
        ("malware-analysis", json!({ "result": null }), "result", "one of result or analysis_sco_refs"),
        ("malware-analysis", json!({ "product": null }), "product", "required property is missing"),
        // Relationship objects.
        ("relationship", json!({ "relationship_type": null }), "relationship_type", "required property is missing"),
        ("relationship", json!({ "source_ref": "sighting--6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f" }), "source_ref", "Domain or Cyber-observable"),
        ("relationship", json!({ "target_ref": TLP_GREEN }), "target_ref", "Domain or Cyber-observable"),
        ("relationship", json!({ "start_time": LATER, "stop_time": LATER }), "stop_time", "must be later than start_time"),
        ("sighting", json!({ "count": -1 }), "count", "outside the allowed range"),
        ("sighting", json!({ "count": 1_000_000_000 }), "count", "outside the allowed range"),
        ("sighting", json!({ "first_seen": LATER, "last_seen": EARLIER }), "last_seen", "must not be earlier"),
        ("sighting", json!({ "sighting_of_ref": OTHER_SRO }), "sighting_of_ref", "Domain Object"),
        ("sighting", json!({ "where_sighted_refs": [MALWARE] }), "where_sighted_refs[0]", "identity or location"),
        ("sighting", json!({ "observed_data_refs": [INDICATOR] }), "observed_data_refs[0]", "observed-data"),
        // Meta objects and TLP.
        ("language-content", json!({ "contents": null }), "contents", "required property is missing"),
        ("language-content", json!({ "contents": { "de": "Anzeiger" } }), "contents.de", "expected a JSON object"),
        ("extension-definition", json!({ "created_by_ref": null }), "created_by_ref", "required property is missing"),
        ("extension-definition", json!({ "extension_types": ["new-thing"] }), "extension_types[0]", "extension-type-enum"),
        ("extension-definition", json!({ "schema": null }), "schema", "required property is missing"),
        ("marking-definition", json!({ "definition_type": null }), "definition_type", "required when extensions is absent"),
        ("marking-definition", json!({ "created": null }), "created", "required property is missing"),
        ("marking-definition", json!({ "definition_type": "tlp", "definition": { "tlp": "green" } }), "definition_type", "only the four"),
        ("marking-definition", json!({ "object_marking_refs": [OWN_MARKING] }), "object_marking_refs[0]", "must not mark itself"),
        ("marking-definition", tlp_1_green(&json!({ "definition": { "tlp": "amber" } })), "definition", "for the predefined TLP:GREEN"),
        ("marking-definition", tlp_1_green(&json!({ "name": "TLP:AMBER" })), "name", "\"TLP:GREEN\""),
        ("marking-definition", tlp_1_green(&json!({ "created": LATER })), "created", "2017-01-20T00:00:00.000Z"),
        ("marking-definition", tlp_2_amber("red"), "extensions.extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d", "for the published TLP:AMBER"),
        // Cyber-observable objects.
        ("ipv4-addr", json!({ "spec_version": "2.0" }), "spec_version", "STIX 2.0"),
        ("ipv4-addr", json!({ "value": "999.1.1.1" }), "value", "not an address or CIDR block"),
        ("ipv4-addr", json!({ "value": "10.0.0.0/33" }), "value", "not an address or CIDR block"),
        ("ipv6-addr", json!({ "value": "2001:db8::zz" }), "value", "not an address or CIDR block"),
        ("ipv4-addr", json!({ "resolves_to_refs": [IPV4] }), "resolves_to_refs[0]", "mac-addr"),
        ("ipv4-addr", json!({ "defanged": "yes" }), "defanged", "expected true or false"),
        ("mac-addr", json!({ "value": "D2:FB:49:24:37:18" }), "value", "MAC-48"),
        ("autonomous-system", json!({ "number": null }), "number", "required property is missing"),
        ("autonomous-system", json!({ "number": 1_152_921_504_606_846_976_i64 }), "number", "2^53-1"),
        ("directory", json!({ "path": null }), "path", "required property is missing"),
        ("domain-name", json!({ "value": null }), "value", "required property is missing"),
        ("url", json!({ "value": ["http://example.com"] }), "value", "expected a string"),
        ("mutex", json!({ "name": null }), "name", "required property is missing"),
        ("software", json!({ "name": null }), "name", "required property is missing"),
        ("email-message", json!({ "is_multipart": null }), "is_multipart", "required property is missing"),
        ("email-message", json!({ "is_multipart": true, "body": "hi" }), "body", "is_multipart is true"),
        ("email-message", json!({ "is_multipart": true, "body_multipart": [{ "content_type": "text/plain" }] }), "body_multipart[0]", "needs body or body_raw_ref"),
        ("email-message", json!({ "additional_header_fields": {} }), "additional_header_fields", "at least one key"),
        ("email-message", json!({ "to_refs": [IPV4] }), "to_refs[0]", "email-addr"),
        ("file", json!({ "name": null, "size": 1 }), "name", "hashes or name"),
        ("file", json!({ "hashes": { "MD5": "0123" } }), "hashes.MD5", "32 hexadecimal digits"),
        ("file", json!({ "size": -1 }), "size", "outside the allowed range"),
        ("file", json!({ "magic_number_hex": "5G" }), "magic_number_hex", "hexadecimal"),
        ("file", json!({ "extensions": { "archive-ext": { "contains_refs": [IPV4] } } }), "extensions.archive-ext.contains_refs[0]", "file or directory"),
        ("file", json!({ "extensions": { "windows-pebinary-ext": { "machine_hex": "014c" } } }), "extensions.windows-pebinary-ext.pe_type", "required"),
        ("network-traffic", json!({ "protocols": null }), "protocols", "required property is missing"),
        ("network-traffic", json!({ "dst_ref": null }), "src_ref", "one of src_ref or dst_ref"),
        ("network-traffic", json!({ "dst_port": 70000 }), "dst_port", "outside the allowed range"),
        ("network-traffic", json!({ "dst_ref": MALWARE }), "dst_ref", "ipv4-addr or ipv6-addr"),
        ("network-traffic", json!({ "is_active": true, "end": LATER }), "end", "is_active is true"),
        ("network-traffic", json!({ "extensions": { "socket-ext": { "address_family": "AF_MOON" } } }), "extensions.socket-ext.address_family", "enumeration"),
        ("network-traffic", json!({ "extensions": { "http-request-ext": { "request_value": "/" } } }), "extensions.http-request-ext.request_method", "required"),
        ("artifact", json!({ "url": "https://example.com/a" }), "url", "must not both be present"),
        ("artifact", json!({ "payload_bin": null, "url": "https://example.com/a" }), "hashes", "required when url is present"),
        ("artifact", json!({ "payload_bin": "not base64!" }), "payload_bin", "base64"),
        ("artifact", json!({ "encryption_algorithm": "ROT13" }), "encryption_algorithm", "encryption-algorithm-enum"),
        ("process", json!({ "pid": null }), "", "at least one process property"),
        ("x509-certificate", json!({ "serial_number": null }), "", "at least one certificate property"),
        ("windows-registry-key", json!({ "values": [{ "name": "v", "data_type": "REG_TEXT" }] }), "values[0].data_type", "enumeration"),
        ("user-account", json!({ "is_disabled": 0 }), "is_disabled", "expected true or false"),
    ]
}

#[rustfmt::skip]
fn warning_cases() -> Vec<Case> {
    vec![
        ("campaign", json!({ "id": "campaign--6a2d5f3e-1c4b-5e8a-9f0d-7b3c2a1e5d4f" }), "id", "version 4 UUID"),
        ("ipv4-addr", json!({ "id": "ipv4-addr--6a2d5f3e-1c4b-4e8a-9f0d-7b3c2a1e5d4f" }), "id", "version 5 UUID"),
        ("campaign", json!({ "acme_score": 3 }), "acme_score", "should start with \"x_\""),
        ("ipv4-addr", json!({ "created_by_ref": IDENTITY }), "created_by_ref", "not a property of ipv4-addr objects"),
        ("indicator", json!({ "indicator_types": ["weird"] }), "indicator_types[0]", "indicator-type-ov"),
        ("threat-actor", json!({ "sophistication": "godlike" }), "sophistication", "threat-actor-sophistication-ov"),
        ("attack-pattern", json!({ "external_references": [{ "source_name": "capec", "external_id": "163" }] }), "external_references[0].external_id", "CAPEC-"),
        ("file", json!({ "hashes": { "SHA256": "abcd" } }), "hashes.SHA256", "hash-algorithm-ov"),
        ("file", json!({ "magic_number_hex": "504B0304" }), "magic_number_hex", "lower case"),
        ("observed-data", json!({ "object_refs": null, "objects": { "0": { "type": "file" } } }), "objects", "deprecated"),
        ("location", json!({ "country": "France" }), "country", "ISO 3166-1"),
        ("campaign", json!({ "x_acme_source_ref": "" }), "x_acme_source_ref", "custom reference property"),
        ("campaign", json!({ "extensions": { "acme-ext": { "rank": 1 } } }), "extensions.acme-ext", "extension keys should be"),
        ("attack-pattern", json!({ "kill_chain_phases": [{ "kill_chain_name": "Lockheed Martin", "phase_name": "recon" }] }), "kill_chain_phases[0].kill_chain_name", "lower case"),
        ("user-account", json!({ "account_type": "mastodon" }), "account_type", "account-type-ov"),
    ]
}

/// The predefined TLP:GREEN (1.0) marking definition, patched.
fn tlp_1_green(patch: &Value) -> Value {
    let mut object = json!({
        "id": TLP_GREEN, "created": "2017-01-20T00:00:00.000Z", "name": "TLP:GREEN",
        "definition_type": "tlp", "definition": { "tlp": "green" }
    });
    merge(&mut object, patch);
    object
}

/// The published TLP:AMBER (2.0) marking definition with a given level.
fn tlp_2_amber(level: &str) -> Value {
    json!({
        "id": TLP_2_AMBER, "created": "2022-10-01T00:00:00.000Z", "name": "TLP:AMBER",
        "definition_type": null, "definition": null,
        "extensions": { TLP_2_EXTENSION: { "extension_type": "property-extension", "tlp_2_0": level } }
    })
}

/// Whether `issues` holds the expected finding; prints what was found when not.
fn has_finding(issues: &[Issue], path: &str, fragment: &str) -> bool {
    let found = issues.iter().any(|issue| issue.path == path && issue.message.contains(fragment));
    if !found {
        println!("missing {path:?} containing {fragment:?}; got {issues:#?}");
    }
    found
}

#[test]
fn broken_objects_are_refused_with_the_right_finding() {
    let cases = error_cases();
    let failed: Vec<String> = cases
        .iter()
        .filter(|(type_name, patch, path, fragment)| {
            let (errors, _) = findings(&patched(type_name, patch));
            !has_finding(&errors, path, fragment)
        })
        .map(|(type_name, patch, ..)| format!("{type_name} {patch}"))
        .collect();
    assert!(failed.is_empty(), "{} of {} cases lacked their error: {failed:#?}", failed.len(), cases.len());
}

#[test]
fn should_violations_are_warnings_and_the_object_is_kept() {
    let cases = warning_cases();
    let failed: Vec<String> = cases
        .iter()
        .filter(|(type_name, patch, path, fragment)| {
            let (errors, warnings) = findings(&patched(type_name, patch));
            !errors.is_empty() || !has_finding(&warnings, path, fragment)
        })
        .map(|(type_name, patch, ..)| format!("{type_name} {patch}"))
        .collect();
    assert!(failed.is_empty(), "{} of {} cases misbehaved: {failed:#?}", failed.len(), cases.len());
}

#[test]
fn non_objects_and_garbage_are_refused_without_panicking() {
    for text in ["[]", "42", "\"indicator\"", "{", "{}", r#"{"type": 5, "id": []}"#, r#"{"type": "x", "id": "x--1"}"#] {
        assert!(StixObject::from_json(text).is_err(), "{text} accepted");
    }
}
