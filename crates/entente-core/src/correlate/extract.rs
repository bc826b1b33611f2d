//! The observables one STIX object carries.
//!
//! - An indicator with a STIX pattern: every comparison `=` (not negated) or `IN`
//!   whose path names a value (`ipv4-addr:value`, `domain-name:value`, `url:value`,
//!   `email-addr:value`, `file:hashes.'SHA-256'`, `x509-certificate:hashes.*`,
//!   `network-traffic:dst_ref.value`/`src_ref.value`). A pattern that does not parse
//!   yields nothing: correlation is best effort and never refuses an object.
//! - A cyber-observable: `value` of the address, domain, URL and e-mail types; the
//!   `hashes` of a file or an X.509 certificate.
//!
//! A URL also yields its host (domain or address) and an e-mail address its domain, so
//! that asking about a domain finds the URLs and mailboxes on it.
//!
//! Values are deduplicated and capped at [`MAX_OBSERVABLES_PER_OBJECT`], so one
//! object with a huge pattern cannot make the index grow without bound.

use super::observable::{Kind, Observable, hash};
use crate::pattern::{self, Constant, Operator, PathStep};
use serde_json::Value;
use std::collections::BTreeSet;

/// The object types that can carry a value; the others are never read. (Migration
/// 0009's delete trigger names the same list.)
pub const CARRIER_TYPES: [&str; 8] =
    ["indicator", "ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file", "x509-certificate"];

/// At most this many values are indexed per object.
pub const MAX_OBSERVABLES_PER_OBJECT: usize = 1000;

/// The observables in an object's JSON text (empty if it is not JSON).
pub fn extract_json(json: &str) -> Vec<Observable> {
    serde_json::from_str::<Value>(json).map(|object| extract(&object)).unwrap_or_default()
}

/// The observables in an object, deduplicated, in a stable order.
pub fn extract(object: &Value) -> Vec<Observable> {
    let mut found = BTreeSet::new();
    let object_type = object.get("type").and_then(Value::as_str).unwrap_or_default();
    let text = |name: &str| object.get(name).and_then(Value::as_str);
    match object_type {
        "indicator" if text("pattern_type").is_none_or(|kind| kind == "stix") => {
            if let Some(parsed) = text("pattern").and_then(|pattern| pattern::parse(pattern).ok()) {
                from_pattern(&parsed, &mut found);
            }
        }
        "ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr" => {
            if let Some(value) = text("value") {
                found.extend(value_of(object_type, value));
            }
        }
        "file" | "x509-certificate" => {
            let kind = if object_type == "file" { Kind::FileHash } else { Kind::CertificateHash };
            if let Some(hashes) = object.get("hashes").and_then(Value::as_object) {
                let each = hashes.iter().filter_map(|(algorithm, digest)| hash(kind, algorithm, digest.as_str()?));
                found.extend(each);
            }
        }
        _ => {}
    }
    let hosts: Vec<Observable> = found.iter().filter_map(Observable::host).collect();
    found.extend(hosts);
    found.into_iter().take(MAX_OBSERVABLES_PER_OBJECT).collect()
}

/// A value of an SCO type (or of a pattern path naming one).
fn value_of(object_type: &str, text: &str) -> Option<Observable> {
    match object_type {
        "ipv4-addr" => Observable::parse(Kind::Ipv4, text),
        "ipv6-addr" => Observable::parse(Kind::Ipv6, text),
        "domain-name" => Observable::parse(Kind::Domain, text),
        "url" => Observable::parse(Kind::Url, text),
        "email-addr" => Observable::parse(Kind::Email, text),
        // A reference's value in network traffic may be either family.
        "address" => Observable::parse(Kind::Ipv4, text).or_else(|| Observable::parse(Kind::Ipv6, text)),
        _ => None,
    }
}

fn from_pattern(parsed: &pattern::Pattern, found: &mut BTreeSet<Observable>) {
    for comparison in parsed.comparisons() {
        if comparison.negated || !matches!(comparison.operator, Operator::Equal | Operator::In) {
            continue;
        }
        let steps: Vec<&str> = comparison
            .path
            .steps
            .iter()
            .map(|step| match step {
                PathStep::Property(name) => name.as_str(),
                PathStep::Index(_) | PathStep::AnyIndex => "[]",
            })
            .collect();
        let object_type = comparison.path.object_type.as_str();
        let target = match (object_type, steps.as_slice()) {
            ("file", ["hashes", algorithm]) => Target::Hash(Kind::FileHash, algorithm),
            ("x509-certificate", ["hashes", algorithm]) => Target::Hash(Kind::CertificateHash, algorithm),
            ("network-traffic", ["src_ref" | "dst_ref", "value"]) => Target::Value("address"),
            (_, ["value"]) => Target::Value(object_type),
            _ => continue,
        };
        let constants: Vec<&Constant> = match &comparison.value {
            Constant::Set(members) => members.iter().collect(),
            single => vec![single],
        };
        for constant in constants {
            if let Constant::String(text) = constant {
                found.extend(target.read(text));
            }
        }
    }
}

/// What a comparison's path names: a hash of some algorithm, or a typed value.
enum Target<'a> {
    Hash(Kind, &'a str),
    Value(&'a str),
}

impl Target<'_> {
    fn read(&self, text: &str) -> Option<Observable> {
        match self {
            Target::Hash(kind, algorithm) => hash(*kind, algorithm, text),
            Target::Value(object_type) => value_of(object_type, text),
        }
    }
}
