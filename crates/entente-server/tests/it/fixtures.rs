//! STIX test objects: small hand-written valid objects with deterministic ids, and
//! the real bundles under `/work/shared/data/stix-examples/`.

use serde_json::{Value, json};
use std::path::Path;

/// A valid identity with a deterministic id.
pub fn identity(number: u32) -> Value {
    json!({
        "type": "identity", "spec_version": "2.1",
        "id": format!("identity--{number:08x}-0000-4000-8000-000000000000"),
        "created": "2023-01-01T00:00:00.000Z", "modified": "2023-01-01T00:00:00.000Z",
        "name": format!("Identity {number}"), "identity_class": "organization"
    })
}

/// A valid indicator with a STIX pattern, at a given `modified`.
pub fn indicator(id: &str, modified: &str, ip: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": id,
        "created": "2020-01-01T00:00:00.000Z", "modified": modified,
        "name": format!("C2 at {ip}"), "indicator_types": ["malicious-activity"],
        "pattern": format!("[ipv4-addr:value = '{ip}']"), "pattern_type": "stix",
        "valid_from": "2020-01-01T00:00:00Z"
    })
}

pub fn malware(id: &str) -> Value {
    json!({
        "type": "malware", "spec_version": "2.1", "id": id,
        "created": "2021-06-01T12:00:00.000Z", "modified": "2021-06-01T12:00:00.000Z",
        "name": "Poison Ivy", "is_family": true, "malware_types": ["remote-access-trojan"]
    })
}

/// The objects of a bundle under `/work/shared/data/stix-examples/`.
pub fn example(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/stix-examples").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    let bundle: Value = serde_json::from_str(&text).expect("bundle JSON");
    bundle["objects"].as_array().expect("bundle objects").clone()
}
