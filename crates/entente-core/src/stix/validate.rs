//! Per-object STIX 2.1 validation: one JSON object in, every finding out.
//!
//! Errors are broken MUSTs of the specification and make the object refused; warnings
//! are SHOULDs and travel with the accepted object. The rules are tables: each spec type
//! has a [`TypeSpec`] (in `sdo`, `sco` and `meta`) naming its properties, their shapes
//! and a cross-property rule; `common` holds the common properties; `shape` checks a
//! value against a shape.
//!
//! Invariants: validation never panics on any JSON; every finding names a property path;
//! unknown properties and custom object types are accepted (with at most a warning) and
//! left untouched, so custom content survives.
//!
//! What it deliberately does not do: resolve references to other objects (only the
//! type a reference points at is checked), or rewrite anything.

mod common;
mod extension;
mod meta;
mod sco;
mod sdo;
mod shape;

use super::Report;
use crate::StixId;
use serde_json::{Map, Value};
use shape::{Scope, Table};

/// The families of spec-defined objects; custom types have none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sdo,
    Sro,
    Sco,
    /// Marking definitions, language content and extension definitions.
    Meta,
}

/// Everything the validator knows about one spec-defined type.
#[derive(Debug)]
struct TypeSpec {
    name: &'static str,
    kind: Kind,
    /// The common properties this type uses.
    common: &'static Table,
    table: Table,
    /// SCO "ID Contributing Properties" (section 3.4); empty for other kinds.
    id_properties: &'static [&'static str],
}

/// Property names that no STIX 2.1 content may use (section 3.8).
const RESERVED: [&str; 4] = ["severity", "username", "phone_number", "action"];

fn spec_of(type_name: &str) -> Option<&'static TypeSpec> {
    sdo::TYPES.iter().chain(sco::TYPES).chain(meta::TYPES).find(|spec| spec.name == type_name)
}

fn kind_of(type_name: &str) -> Option<Kind> {
    spec_of(type_name).map(|spec| spec.kind)
}

/// Validates one object and returns every finding.
pub fn validate(object: &Map<String, Value>) -> Report {
    let object_id = object.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut report = Report::new(object_id);
    let (type_name, id) = check_type_and_id(object, &mut report);
    let Some(type_name) = type_name else {
        return report;
    };
    if type_name == "bundle" {
        report.error("type", "a bundle is not a STIX object; submit the objects it contains instead");
        return report;
    }
    let spec = spec_of(type_name);
    if let Some(id) = id {
        check_uuid_version(object, spec, &id, &mut report);
    }
    let common = spec.map_or(&common::CUSTOM, |spec| spec.common);
    let mut scope = Scope { root: object, report: &mut report };
    shape::check_table(&mut scope, "", object, common);
    if let Some(spec) = spec {
        shape::check_table(&mut scope, "", object, &spec.table);
    }
    check_custom_properties(object, spec, common, &mut report);
    report
}

/// `type` must be a valid type name and the type part of `id` must equal it.
fn check_type_and_id<'o>(object: &'o Map<String, Value>, report: &mut Report) -> (Option<&'o str>, Option<StixId>) {
    let type_name = match object.get("type") {
        None => {
            report.error("type", "required property is missing");
            None
        }
        Some(Value::String(name)) if crate::id::is_valid_type_name(name) => Some(name.as_str()),
        Some(Value::String(_)) => {
            report.error("type", "type names are 3 to 250 characters of a-z, 0-9 and single hyphens");
            None
        }
        Some(_) => {
            report.error("type", "expected a string");
            None
        }
    };
    let id = match object.get("id").map(Value::as_str) {
        None => {
            report.error("id", "required property is missing");
            None
        }
        Some(None) => {
            report.error("id", "expected a string");
            None
        }
        Some(Some(text)) => StixId::parse(text).map_err(|error| report.error("id", error.to_string())).ok(),
    };
    if let (Some(name), Some(id)) = (type_name, &id)
        && id.object_type() != name
    {
        report.error("id", format!("the id is for type {:?} but the object's type is {name:?}", id.object_type()));
    }
    (type_name, id)
}

/// SDOs, SROs and meta objects SHOULD use UUIDv4, SCOs UUIDv5 when they carry an ID
/// contributing property (section 2.9). Both are SHOULDs: warnings only.
fn check_uuid_version(object: &Map<String, Value>, spec: Option<&TypeSpec>, id: &StixId, report: &mut Report) {
    let Some(spec) = spec else { return };
    let Ok(uuid) = uuid::Uuid::try_parse(id.uuid_text()) else {
        return;
    };
    let version = uuid.get_version_num();
    let expected = match spec.kind {
        Kind::Sco if spec.id_properties.iter().any(|name| object.contains_key(*name)) => 5,
        Kind::Sco => 4,
        Kind::Sdo | Kind::Sro | Kind::Meta => 4,
    };
    if version != expected && !uuid.is_nil() {
        report.warning(
            "id",
            format!("{} identifiers should use a version {expected} UUID, not version {version}", spec.name),
        );
    }
}

/// The properties that neither the common table nor the type's table names. On spec
/// types they SHOULD be prefixed `x_`, unless the object declares a top-level property
/// extension, whose properties legitimately sit unprefixed at the top level (7.3).
fn check_custom_properties(object: &Map<String, Value>, spec: Option<&TypeSpec>, common: &Table, report: &mut Report) {
    let toplevel_extension = object.get("extensions").and_then(Value::as_object).is_some_and(|extensions| {
        extensions.values().any(|extension| {
            extension.get("extension_type").and_then(Value::as_str) == Some("toplevel-property-extension")
        })
    });
    let prefix_expected_on = spec.filter(|_| !toplevel_extension);
    for (name, value) in object {
        let named = |table: &Table| table.find(name).is_some();
        let known =
            ["type", "id"].contains(&name.as_str()) || named(common) || spec.is_some_and(|spec| named(&spec.table));
        if !known {
            check_custom_property(name, value, prefix_expected_on, report);
        }
    }
}

/// One custom property; `spec` is the type whose custom properties want an `x_` prefix.
fn check_custom_property(name: &str, value: &Value, spec: Option<&TypeSpec>, report: &mut Report) {
    if RESERVED.contains(&name) {
        return report.error(name, "is a reserved property name and must not be used");
    }
    if name == "defanged" {
        return report.error(name, "defanged may only be used on Cyber-observable Objects");
    }
    if !is_custom_property_name(name) {
        let message = "property names must be 3 to 250 ASCII letters, digits or underscores, \
                       starting with a letter";
        return report.error(name, message);
    }
    if let Some(spec) = spec
        && !name.starts_with("x_")
    {
        let message =
            format!("not a property of {} objects; custom property names should start with \"x_\"", spec.name);
        report.warning(name, message);
    }
    if name.ends_with("_ref") || name.ends_with("_refs") {
        common::check_custom_reference(report, name, value);
    }
}

/// Section 11.1 (custom properties) and 3.1 (names begin with a letter).
fn is_custom_property_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name.starts_with(|first: char| first.is_ascii_alphabetic())
        && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}
