//! The common properties (STIX 2.1 section 3.2) and the structured data types every
//! object may carry: external references, kill-chain phases, granular markings, hashes
//! and dictionaries (section 2). The `extensions` property lives in `extension`.
//!
//! Invariants: `created` and `modified` must carry at least millisecond precision. The
//! specification says so in section 3.2 ("The minimum precision MUST be milliseconds
//! (three digits after the decimal place in seconds), but MAY be more precise"), so a
//! shorter form is an error, not a warning; other timestamps only need to parse.
//! Granular-marking selectors must resolve inside the object (section 7.2.3).
//!
//! What it deliberately does not do: look at other objects. Whether a referenced
//! marking definition exists is the store's business, not the validator's.

use super::Report;
use super::shape::{
    Scope, Shape, Table, Targets, check_object, check_reference, child, expect_list, expect_object, expect_string,
    item, opt, req,
};
use crate::stix::vocab::HASHING_ALGORITHM;
use serde_json::{Map, Value};

pub(super) const IDENTITY: Targets = Targets::Types(&["identity"]);
pub(super) const MARKING: Targets = Targets::Types(&["marking-definition"]);

/// Common properties of SDOs and SROs.
pub(super) static CORE: Table = Table {
    properties: &[
        req("spec_version", Shape::SpecVersion),
        req("created", Shape::Timestamp),
        req("modified", Shape::Timestamp),
        opt("created_by_ref", Shape::Reference(IDENTITY)),
        opt("revoked", Shape::Boolean),
        opt("labels", Shape::Strings),
        opt("confidence", Shape::Integer(0, 100)),
        opt("lang", Shape::Language),
        opt("external_references", Shape::Objects(&EXTERNAL_REFERENCE)),
        opt("object_marking_refs", Shape::References(MARKING)),
        opt("granular_markings", Shape::GranularMarkings),
        opt("extensions", Shape::Extensions),
    ],
    rule: Some(versioning),
};

/// Common properties of SCOs, which are not versioned.
pub(super) static SCO: Table = Table {
    properties: &[
        opt("spec_version", Shape::SpecVersion),
        opt("object_marking_refs", Shape::References(MARKING)),
        opt("granular_markings", Shape::GranularMarkings),
        opt("defanged", Shape::Boolean),
        opt("extensions", Shape::Extensions),
    ],
    rule: None,
};

/// Custom object types may be SDO-like or SCO-like: every common property is allowed
/// and checked when present, none is required.
pub(super) static CUSTOM: Table = Table {
    properties: &[
        opt("spec_version", Shape::SpecVersion),
        opt("created", Shape::Timestamp),
        opt("modified", Shape::Timestamp),
        opt("created_by_ref", Shape::Reference(IDENTITY)),
        opt("revoked", Shape::Boolean),
        opt("labels", Shape::Strings),
        opt("confidence", Shape::Integer(0, 100)),
        opt("lang", Shape::Language),
        opt("external_references", Shape::Objects(&EXTERNAL_REFERENCE)),
        opt("object_marking_refs", Shape::References(MARKING)),
        opt("granular_markings", Shape::GranularMarkings),
        opt("defanged", Shape::Boolean),
        opt("extensions", Shape::Extensions),
    ],
    rule: Some(versioning),
};

pub(super) const KILL_CHAIN_PHASES: Shape = Shape::Objects(&KILL_CHAIN_PHASE);

static KILL_CHAIN_PHASE: Table = Table {
    properties: &[req("kill_chain_name", Shape::Text), req("phase_name", Shape::Text)],
    rule: Some(kill_chain_phase_names),
};

pub(super) static EXTERNAL_REFERENCE: Table = Table {
    properties: &[
        req("source_name", Shape::Text),
        opt("description", Shape::Text),
        opt("url", Shape::Text),
        opt("hashes", Shape::Any),
        opt("external_id", Shape::Text),
    ],
    rule: Some(external_reference),
};

static GRANULAR_MARKING: Table = Table {
    properties: &[
        opt("lang", Shape::Language),
        opt("marking_ref", Shape::Reference(MARKING)),
        req("selectors", Shape::Strings),
    ],
    rule: Some(marking_or_language),
};

/// `created` and `modified`: millisecond precision, and no version before its object.
pub(super) fn versioning(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let created = precise_timestamp(map, path, "created", report);
    let modified = precise_timestamp(map, path, "modified", report);
    if let (Some(created), Some(modified)) = (created, modified)
        && modified < created
    {
        report.error(child(path, "modified"), "modified must not be earlier than created");
    }
}

fn precise_timestamp(
    map: &Map<String, Value>,
    path: &str,
    name: &str,
    report: &mut Report,
) -> Option<crate::Timestamp> {
    let timestamp = crate::Timestamp::parse(map.get(name)?.as_str()?).ok()?;
    if timestamp.precision() < 3 {
        let message = format!("{name} must be precise to at least the millisecond (three fractional digits)");
        report.error(child(path, name), message);
    }
    Some(timestamp)
}

/// Checks `later` against `earlier` when both parse; `strict` forbids equality.
pub(super) fn ordered(
    map: &Map<String, Value>,
    path: &str,
    report: &mut Report,
    earlier: &str,
    later: &str,
    strict: bool,
) {
    let parse = |name: &str| map.get(name)?.as_str().and_then(|text| crate::Timestamp::parse(text).ok());
    let (Some(first), Some(last)) = (parse(earlier), parse(later)) else {
        return;
    };
    if strict && last <= first {
        report.error(child(path, later), format!("{later} must be later than {earlier}"));
    } else if last < first {
        report.error(child(path, later), format!("{later} must not be earlier than {earlier}"));
    }
}

pub(super) fn check_spec_version(report: &mut Report, path: &str, value: &Value) {
    match expect_string(report, path, value) {
        Some("2.1") | None => {}
        Some("2.0") => {
            report.error(path, "spec_version is \"2.0\": this is a STIX 2.0 object, only STIX 2.1 is accepted");
        }
        Some(other) => report.error(path, format!("spec_version must be \"2.1\", not {other:?}")),
    }
}

/// RFC 5646, checked for its shape rather than against the language registry.
pub(super) fn check_language(report: &mut Report, path: &str, value: &Value) {
    let Some(tag) = expect_string(report, path, value) else {
        return;
    };
    if !is_language_tag(tag) {
        report.error(path, format!("{tag:?} is not an RFC 5646 language tag"));
    }
}

pub(super) fn is_language_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let first = subtags.next().unwrap_or_default();
    let private = first.eq_ignore_ascii_case("x") || first.eq_ignore_ascii_case("i");
    let first_ok = private || ((2..=8).contains(&first.len()) && first.bytes().all(|b| b.is_ascii_alphabetic()));
    first_ok && subtags.all(|sub| (1..=8).contains(&sub.len()) && sub.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A dictionary (section 2.3): a non-empty object with ASCII keys of at most 250
/// characters drawn from letters, digits, hyphen and underscore.
pub(super) fn dictionary<'v>(report: &mut Report, path: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
    let map = expect_object(report, path, value)?;
    if map.is_empty() {
        report.error(path, "a dictionary must have at least one key");
    }
    for key in map.keys() {
        if key.len() > 250 || !key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
            report.error(child(path, key), "dictionary keys must be at most 250 ASCII letters, digits, '-' or '_'");
        }
    }
    Some(map)
}

/// Hashes (section 2.7). Keys from the hash-algorithm vocabulary must carry values of the
/// algorithm's form; other keys are allowed with a warning, except in external
/// references, whose hashes MUST use the vocabulary (section 2.5.1).
pub(super) fn check_hashes(report: &mut Report, path: &str, value: &Value, vocabulary_only: bool) {
    let Some(map) = expect_object(report, path, value) else {
        return;
    };
    if map.is_empty() {
        report.error(path, "a hashes dictionary must have at least one key");
    }
    for (algorithm, digest) in map {
        let digest_path = child(path, algorithm);
        let Some(digest) = expect_string(report, &digest_path, digest) else {
            continue;
        };
        if !(3..=250).contains(&algorithm.len())
            || !algorithm.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            report.error(&digest_path, "hash names must be 3 to 250 ASCII letters, digits, '-' or '_'");
        } else if let Some(length) = hex_digest_length(algorithm) {
            if digest.len() != length || !digest.bytes().all(|b| b.is_ascii_hexdigit()) {
                report.error(&digest_path, format!("a {algorithm} digest is {length} hexadecimal digits"));
            }
        } else if !HASHING_ALGORITHM.contains(algorithm) {
            let message = format!("{algorithm:?} is not in the hash-algorithm-ov vocabulary");
            if vocabulary_only {
                report.error(&digest_path, message);
            } else {
                report.warning(&digest_path, message);
            }
        }
    }
}

fn hex_digest_length(algorithm: &str) -> Option<usize> {
    match algorithm {
        "MD5" => Some(32),
        "SHA-1" => Some(40),
        "SHA-256" | "SHA3-256" => Some(64),
        "SHA-512" | "SHA3-512" => Some(128),
        _ => None,
    }
}

fn kill_chain_phase_names(map: &Map<String, Value>, path: &str, report: &mut Report) {
    for name in ["kill_chain_name", "phase_name"] {
        let Some(text) = map.get(name).and_then(Value::as_str) else {
            continue;
        };
        if text.bytes().any(|b| b.is_ascii_uppercase() || b == b' ' || b == b'_') {
            report.warning(child(path, name), "should be lower case with hyphens between words");
        }
    }
}

fn external_reference(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !["description", "url", "external_id"].iter().any(|name| map.contains_key(*name)) {
        report.error(path, "an external reference needs description, url or external_id besides source_name");
    }
    if let Some(hashes) = map.get("hashes") {
        check_hashes(report, &child(path, "hashes"), hashes, true);
    }
    let source = map.get("source_name").and_then(Value::as_str).unwrap_or_default();
    let Some(external_id) = map.get("external_id").and_then(Value::as_str) else {
        return;
    };
    let prefix = match source {
        "capec" => "CAPEC-",
        "cve" => "CVE-",
        _ => return,
    };
    let number = external_id.strip_prefix(prefix).unwrap_or_default();
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        report.warning(child(path, "external_id"), format!("a {source} external_id should look like {prefix}<number>"));
    }
}

fn marking_or_language(map: &Map<String, Value>, path: &str, report: &mut Report) {
    match (map.contains_key("marking_ref"), map.contains_key("lang")) {
        (true, true) => report.error(path, "a granular marking has either marking_ref or lang, not both"),
        (false, false) => report.error(path, "a granular marking needs marking_ref or lang"),
        _ => {}
    }
}

pub(super) fn check_granular_markings(scope: &mut Scope<'_>, path: &str, value: &Value) {
    let Some(list) = expect_list(scope.report, path, value) else {
        return;
    };
    for (index, marking) in list.iter().enumerate() {
        let marking_path = item(path, index);
        check_object(scope, &marking_path, marking, &GRANULAR_MARKING);
        let selectors = marking.get("selectors").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for (position, selector) in selectors.iter().enumerate() {
            let Some(selector) = selector.as_str() else {
                continue;
            };
            if !selects(scope.root, selector) {
                let message = format!("selector {selector:?} does not refer to content present in the object");
                scope.report.error(item(&child(&marking_path, "selectors"), position), message);
            }
        }
    }
}

/// Follows a selector such as `external_references.[0].source_name` from the root.
fn selects(root: &Map<String, Value>, selector: &str) -> bool {
    let mut components = selector.split('.');
    let Some(mut current) = components.next().and_then(|first| root.get(first)) else {
        return false;
    };
    for component in components {
        let next = match component.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) {
            Some(index) => index.parse::<usize>().ok().and_then(|index| current.as_array()?.get(index)),
            None => current.as_object().and_then(|map| map.get(component)),
        };
        let Some(next) = next else { return false };
        current = next;
    }
    true
}

/// Custom `_ref`/`_refs` properties should hold identifiers. The specification only
/// requires the converse (a property holding an identifier must be named `_ref`), so a
/// mismatch is a warning.
pub(super) fn check_custom_reference(report: &mut Report, path: &str, value: &Value) {
    let mut probe = Report::new(None);
    match value {
        Value::Array(list) if path.ends_with("_refs") => {
            for (index, entry) in list.iter().enumerate() {
                check_reference(&mut probe, &item(path, index), entry, Targets::Any);
            }
        }
        _ if path.ends_with("_refs") => probe.error(path, "expected a list of identifiers"),
        _ => check_reference(&mut probe, path, value, Targets::Any),
    }
    for issue in probe.errors {
        report.warning(issue.path, format!("custom reference property: {}", issue.message));
    }
}
