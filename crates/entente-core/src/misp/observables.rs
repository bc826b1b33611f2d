//! Cyber-observable objects for MISP attributes that are not indicators (`to_ids`
//! unset), the way MISP's STIX 2.1 export writes them: the SCO ids reuse the
//! attribute's uuid, the first object is the root the observed data points at.
//!
//! The reverse, [`comparisons_of`], turns the root SCO back into the comparisons of
//! `attributes.rs`, so one reverse lookup serves indicators and observed data alike.

use super::attributes::{Comparison, comparisons};
use super::email::{email_comparisons, email_observables};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// The SCOs for one attribute (root first), or `None` when MISP writes this type as an
/// indicator only (a port, a user agent) or as something else entirely.
pub fn observables(kind: &str, value: &str, uuid: &str) -> Option<Vec<Value>> {
    let found = comparisons(kind, value)?;
    let root = found.first()?.path.split(':').next()?.to_owned();
    match root.as_str() {
        "domain-name"
        | "url"
        | "email-addr"
        | "mac-addr"
        | "mutex"
        | "autonomous-system"
        | "windows-registry-key"
        | "file"
        | "x509-certificate"
        | "user-account" => simple(&root, &found, uuid),
        "email-message" => email_observables(&found, uuid),
        "network-traffic" if kind.starts_with("ip-") => Some(traffic(&found, uuid)),
        _ => None,
    }
}

fn simple(root: &str, found: &[Comparison], uuid: &str) -> Option<Vec<Value>> {
    let mut object = Map::new();
    object.insert("type".into(), json!(root));
    object.insert("spec_version".into(), json!("2.1"));
    object.insert("id".into(), json!(format!("{root}--{uuid}")));
    let mut extra = Vec::new();
    for comparison in found {
        // `hostname|port`: the domain, and a connection to it on that port.
        if root == "domain-name" && comparison.path == "network-traffic:dst_port" {
            let port: u16 = comparison.value.parse().ok()?;
            extra.push(
                json!({"type": "network-traffic", "spec_version": "2.1", "id": format!("network-traffic--{uuid}"),
                "dst_ref": format!("domain-name--{uuid}"), "dst_port": port, "protocols": ["tcp"]}),
            );
            continue;
        }
        let (object_type, property) = comparison.path.split_once(':')?;
        if object_type != root {
            return None;
        }
        if let Some(hash) = property.strip_prefix("hashes.") {
            let hashes = object.entry("hashes").or_insert_with(|| json!({}));
            hashes[sco_hash_key(hash)] = json!(comparison.value);
        } else if property == "resolves_to_refs[*].value" {
            let family = if comparison.value.contains(':') { "ipv6-addr" } else { "ipv4-addr" };
            let address_id = format!("{family}--{uuid}");
            extra.push(json!({"type": family, "spec_version": "2.1", "id": address_id, "value": comparison.value}));
            object.insert("resolves_to_refs".into(), json!([address_id]));
        } else if property == "values.data" {
            object.insert("values".into(), json!([{ "data": comparison.value }]));
        } else if property == "number" || property == "size" {
            object.insert(property.into(), json!(comparison.value.parse::<u64>().ok()?));
        } else if property.contains(['.', '[']) {
            return None;
        } else {
            object.insert(property.into(), json!(comparison.value));
        }
    }
    // A file is named or hashed; a size alone is not an observable (MISP writes
    // `size-in-bytes` as an indicator only).
    if root == "file" && !object.contains_key("name") && !object.contains_key("hashes") {
        return None;
    }
    let mut out = vec![Value::Object(object)];
    out.extend(extra);
    Some(out)
}

/// The hash algorithm names of STIX's open vocabulary keep their dash in an SCO's
/// `hashes`; MISP writes the others without it (`SHA224`, `SHA3384`).
const VOCABULARY_HASHES: &[&str] = &["MD5", "SHA-1", "SHA-256", "SHA-512", "SHA3-256", "SHA3-512", "SSDEEP", "TLSH"];

fn sco_hash_key(pattern_name: &str) -> String {
    let bare = pattern_name.trim_matches('\'');
    if VOCABULARY_HASHES.contains(&bare) { bare.to_owned() } else { bare.replace('-', "") }
}

/// The pattern's name for a hash key of an SCO (the reverse of `sco_hash_key`).
fn pattern_hash_name(key: &str) -> String {
    let known = ["SHA-224", "SHA-384", "SHA3-224", "SHA3-384"].into_iter().find(|name| name.replace('-', "") == key);
    let name = known.unwrap_or(key);
    if name.contains('-') { format!("'{name}'") } else { name.to_owned() }
}

fn traffic(found: &[Comparison], uuid: &str) -> Vec<Value> {
    let mut traffic = Map::new();
    traffic.insert("type".into(), json!("network-traffic"));
    traffic.insert("spec_version".into(), json!("2.1"));
    traffic.insert("id".into(), json!(format!("network-traffic--{uuid}")));
    let mut extra = Vec::new();
    let mut family = "ipv4-addr".to_owned();
    for comparison in found {
        let property = comparison.path.trim_start_matches("network-traffic:");
        if property.ends_with("_ref.type") {
            family = comparison.value.clone();
        } else if let Some(side) = property.strip_suffix("_ref.value") {
            let address_id = format!("{family}--{uuid}");
            extra.push(json!({"type": family, "spec_version": "2.1", "id": address_id, "value": comparison.value}));
            traffic.insert(format!("{side}_ref"), json!(address_id));
        } else if let Ok(port) = comparison.value.parse::<u16>() {
            traffic.insert(property.to_owned(), json!(port));
        }
    }
    traffic.insert("protocols".into(), json!([family.trim_end_matches("-addr")]));
    let mut out = vec![Value::Object(traffic)];
    out.extend(extra);
    out
}

/// The comparisons a root SCO stands for, following its references into `objects`.
pub fn comparisons_of(root: &Value, objects: &HashMap<String, Value>) -> Vec<Comparison> {
    let mut out = Vec::new();
    let Some(root_type) = root.get("type").and_then(Value::as_str) else { return out };
    if root_type == "email-message" {
        return email_comparisons(root, objects);
    }
    let Some(map) = root.as_object() else { return out };
    for (property, value) in map {
        if matches!(property.as_str(), "type" | "id" | "spec_version" | "protocols" | "defanged" | "is_multipart") {
            continue;
        }
        let path = format!("{root_type}:{property}");
        match value {
            Value::String(text) => {
                if let Some(side) = property.strip_suffix("_ref")
                    && let Some(target) = objects.get(text)
                {
                    let family = target.get("type").and_then(Value::as_str).unwrap_or_default();
                    let address = target.get("value").and_then(Value::as_str).unwrap_or_default();
                    out.push(Comparison { path: format!("{root_type}:{side}_ref.type"), value: family.to_owned() });
                    out.push(Comparison { path: format!("{root_type}:{side}_ref.value"), value: address.to_owned() });
                } else {
                    out.push(Comparison { path, value: text.clone() });
                }
            }
            Value::Number(number) => out.push(Comparison { path, value: number.to_string() }),
            Value::Object(hashes) if property == "hashes" => {
                for (name, digest) in hashes {
                    let quoted = pattern_hash_name(name);
                    out.push(Comparison {
                        path: format!("{root_type}:hashes.{quoted}"),
                        value: digest.as_str().unwrap_or_default().to_owned(),
                    });
                }
            }
            Value::Array(items) if property == "resolves_to_refs" => {
                for target in items.iter().filter_map(Value::as_str).filter_map(|id| objects.get(id)) {
                    let address = target.get("value").and_then(Value::as_str).unwrap_or_default();
                    out.push(Comparison {
                        path: format!("{root_type}:resolves_to_refs[*].value"),
                        value: address.to_owned(),
                    });
                }
            }
            Value::Array(items) if property == "values" => {
                for data in items.iter().filter_map(|item| item.get("data")).filter_map(Value::as_str) {
                    out.push(Comparison { path: format!("{root_type}:values.data"), value: data.to_owned() });
                }
            }
            _ => {}
        }
    }
    // Names before hashes, references' type before value: the order `comparisons` writes.
    out.sort_by_key(|comparison| order(&comparison.path));
    out
}

fn order(path: &str) -> u8 {
    if path.ends_with(":name") || path.ends_with(":value") || path.ends_with(":key") || path.ends_with("_ref.type") {
        0
    } else if path.ends_with("_ref.value") {
        1
    } else {
        2
    }
}
