//! The vocabulary of the property tables: what shape a property's value must have, and
//! the checker that compares one JSON value against one shape.
//!
//! Invariant: every finding names the JSON path of the offending value, built with
//! [`child`] and [`item`] (`external_references[2].url`, `hashes.SHA-256`). A value of
//! the wrong JSON type is always an error; it stops the checks below that value, so one
//! mistake yields one finding.
//!
//! What it deliberately does not do: know any object type. The tables live in `sdo`,
//! `sco` and `meta`; the structured common types (external references, markings,
//! extensions, hashes) live in `common`.

use super::{Kind, Report, common, extension, kind_of};
use crate::StixId;
use crate::stix::vocab::Vocabulary;
use base64::Engine as _;
use serde_json::{Map, Value};

/// What a property's value must look like.
#[derive(Clone, Copy, Debug)]
pub(super) enum Shape {
    /// A string.
    Text,
    Boolean,
    /// An integer within the bounds, both inclusive.
    Integer(i64, i64),
    /// A number within the bounds, both inclusive.
    Float(f64, f64),
    Timestamp,
    /// Base64 text (`_bin` properties).
    Binary,
    /// Hexadecimal text (`_hex` properties).
    Hex,
    /// One identifier of an object of the given kinds (`_ref` properties).
    Reference(Targets),
    /// A non-empty list of identifiers (`_refs` properties).
    References(Targets),
    Strings,
    /// A string from a vocabulary: open or closed as the vocabulary says.
    Term(&'static Vocabulary),
    Terms(&'static Vocabulary),
    Hashes,
    Dictionary,
    /// An RFC 5646 language tag.
    Language,
    GranularMarkings,
    Extensions,
    SpecVersion,
    /// An embedded object described by its own table.
    Object(&'static Table),
    /// A non-empty list of embedded objects described by one table.
    Objects(&'static Table),
    /// Anything; a rule of the enclosing table checks it.
    Any,
}

/// Which object types a reference may point at.
#[derive(Clone, Copy, Debug)]
pub(super) enum Targets {
    Any,
    Types(&'static [&'static str]),
    Sdo,
    Sco,
    ScoOrSro,
    /// The ends of a relationship: anything but SROs, meta objects and bundles.
    SdoOrSco,
}

/// One property of a table.
#[derive(Debug)]
pub(super) struct Property {
    pub name: &'static str,
    pub shape: Shape,
    pub required: bool,
}

pub(super) const fn req(name: &'static str, shape: Shape) -> Property {
    Property { name, shape, required: true }
}

pub(super) const fn opt(name: &'static str, shape: Shape) -> Property {
    Property { name, shape, required: false }
}

/// A cross-property check over one object: its map and the path to it.
pub(super) type Rule = fn(&Map<String, Value>, &str, &mut Report);

/// The properties of an object or embedded object, and the rule tying them together.
#[derive(Debug)]
pub(super) struct Table {
    pub properties: &'static [Property],
    pub rule: Option<Rule>,
}

impl Table {
    pub fn find(&self, name: &str) -> Option<&'static Property> {
        self.properties.iter().find(|property| property.name == name)
    }
}

/// `parent.key`, or `key` at the top.
pub(super) fn child(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

/// `parent[index]`.
pub(super) fn item(parent: &str, index: usize) -> String {
    format!("{parent}[{index}]")
}

/// The checks that need the whole object (granular-marking selectors).
pub(super) struct Scope<'a> {
    pub root: &'a Map<String, Value>,
    pub report: &'a mut Report,
}

/// Checks one value against one shape.
pub(super) fn check(scope: &mut Scope<'_>, path: &str, value: &Value, shape: Shape) {
    let report = &mut *scope.report;
    match shape {
        Shape::Text => {
            expect_string(report, path, value);
        }
        Shape::Boolean if !value.is_boolean() => report.error(path, "expected true or false"),
        Shape::Boolean | Shape::Any => {}
        Shape::Integer(min, max) => check_integer(report, path, value, min, max),
        Shape::Float(min, max) => check_float(report, path, value, min, max),
        Shape::Timestamp => {
            timestamp(report, path, value);
        }
        Shape::Binary => check_binary(report, path, value),
        Shape::Hex => check_hex(report, path, value),
        Shape::Reference(targets) => check_reference(report, path, value, targets),
        Shape::References(targets) => for_each_item(report, path, value, |report, path, value| {
            check_reference(report, path, value, targets);
        }),
        Shape::Strings => for_each_item(report, path, value, |report, path, value| {
            expect_string(report, path, value);
        }),
        Shape::Term(vocabulary) => check_term(report, path, value, vocabulary),
        Shape::Terms(vocabulary) => for_each_item(report, path, value, |report, path, value| {
            check_term(report, path, value, vocabulary);
        }),
        Shape::Hashes => common::check_hashes(report, path, value, false),
        Shape::Dictionary => {
            common::dictionary(report, path, value);
        }
        Shape::Language => common::check_language(report, path, value),
        Shape::GranularMarkings => common::check_granular_markings(scope, path, value),
        Shape::Extensions => extension::check_extensions(scope, path, value),
        Shape::SpecVersion => common::check_spec_version(report, path, value),
        Shape::Object(table) => check_object(scope, path, value, table),
        Shape::Objects(table) => check_objects(scope, path, value, table),
    }
}

/// Checks an embedded object: its shape, required properties and rule. Properties the
/// table does not name are left alone, as custom properties are.
pub(super) fn check_object(scope: &mut Scope<'_>, path: &str, value: &Value, table: &Table) {
    let Some(map) = expect_object(scope.report, path, value) else {
        return;
    };
    check_table(scope, path, map, table);
}

fn check_objects(scope: &mut Scope<'_>, path: &str, value: &Value, table: &Table) {
    let Some(list) = expect_list(scope.report, path, value) else {
        return;
    };
    for (index, entry) in list.iter().enumerate() {
        check_object(scope, &item(path, index), entry, table);
    }
}

/// Checks the properties of `map` that `table` names, then the table's rule.
pub(super) fn check_table(scope: &mut Scope<'_>, path: &str, map: &Map<String, Value>, table: &Table) {
    for property in table.properties {
        match map.get(property.name) {
            Some(value) => check(scope, &child(path, property.name), value, property.shape),
            None if property.required => scope.report.error(child(path, property.name), "required property is missing"),
            None => {}
        }
    }
    if let Some(rule) = table.rule {
        rule(map, path, scope.report);
    }
}

pub(super) fn expect_string<'v>(report: &mut Report, path: &str, value: &'v Value) -> Option<&'v str> {
    let text = value.as_str();
    if text.is_none() {
        report.error(path, "expected a string");
    }
    text
}

pub(super) fn expect_object<'v>(report: &mut Report, path: &str, value: &'v Value) -> Option<&'v Map<String, Value>> {
    let map = value.as_object();
    if map.is_none() {
        report.error(path, "expected a JSON object");
    }
    map
}

/// A list, which STIX never allows to be empty.
pub(super) fn expect_list<'v>(report: &mut Report, path: &str, value: &'v Value) -> Option<&'v [Value]> {
    match value.as_array() {
        None => report.error(path, "expected a list"),
        Some(list) if list.is_empty() => report.error(path, "a list must have at least one value"),
        Some(list) => return Some(list),
    }
    None
}

fn for_each_item(report: &mut Report, path: &str, value: &Value, mut each: impl FnMut(&mut Report, &str, &Value)) {
    let Some(list) = expect_list(report, path, value) else {
        return;
    };
    for (index, entry) in list.iter().enumerate() {
        each(report, &item(path, index), entry);
    }
}

/// Parses a timestamp value, reporting why it is not one.
pub(super) fn timestamp(report: &mut Report, path: &str, value: &Value) -> Option<crate::Timestamp> {
    let text = expect_string(report, path, value)?;
    crate::Timestamp::parse(text).map_err(|error| report.error(path, error.to_string())).ok()
}

/// The largest magnitude a STIX integer may have: 2^53 - 1 (section 2.10).
const INTEGER_LIMIT: i64 = (1 << 53) - 1;

fn check_integer(report: &mut Report, path: &str, value: &Value, min: i64, max: i64) {
    let Some(number) = value.as_i64().filter(|number| number.abs() <= INTEGER_LIMIT) else {
        let message = if value.is_number() { "expected an integer within ±(2^53-1)" } else { "expected an integer" };
        return report.error(path, message);
    };
    if number < min || number > max {
        report.error(path, format!("{number} is outside the allowed range {min}..={max}"));
    }
}

fn check_float(report: &mut Report, path: &str, value: &Value, min: f64, max: f64) {
    let Some(number) = value.as_f64() else {
        return report.error(path, "expected a number");
    };
    if number < min || number > max {
        report.error(path, format!("{number} is outside the allowed range {min}..={max}"));
    }
}

fn check_binary(report: &mut Report, path: &str, value: &Value) {
    let Some(text) = expect_string(report, path, value) else {
        return;
    };
    if base64::engine::general_purpose::STANDARD.decode(text).is_err() {
        report.error(path, "expected base64 (RFC 4648) text");
    }
}

/// Section 2.8 asks for lower-case digits, yet the specification's own examples use
/// upper case; only text that is not hexadecimal at all is an error.
fn check_hex(report: &mut Report, path: &str, value: &Value) {
    let Some(text) = expect_string(report, path, value) else {
        return;
    };
    if text.len() % 2 != 0 || !text.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        report.error(path, "expected an even number of hexadecimal digits");
    } else if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
        report.warning(path, "hexadecimal digits should be lower case");
    }
}

fn check_term(report: &mut Report, path: &str, value: &Value, vocabulary: &Vocabulary) {
    let Some(text) = expect_string(report, path, value) else {
        return;
    };
    if vocabulary.contains(text) {
        return;
    }
    if vocabulary.closed {
        report.error(path, format!("{text:?} is not a value of the {} enumeration", vocabulary.name));
    } else {
        report.warning(path, format!("{text:?} is not in the {} vocabulary", vocabulary.name));
    }
}

/// Checks that a value is an identifier of an object type that `targets` allows.
pub(super) fn check_reference(report: &mut Report, path: &str, value: &Value, targets: Targets) {
    let Some(text) = expect_string(report, path, value) else {
        return;
    };
    match StixId::parse(text) {
        Err(error) => report.error(path, error.to_string()),
        Ok(id) if !accepts(targets, id.object_type()) => {
            report.error(path, format!("must reference {}, not {}", describe(targets), id.object_type()));
        }
        Ok(_) => {}
    }
}

/// Whether a referenced type fits. A custom type might be any kind of object, so it
/// passes every kind-based restriction, but never an explicit list of types.
fn accepts(targets: Targets, object_type: &str) -> bool {
    let kind = kind_of(object_type);
    match targets {
        Targets::Any => true,
        Targets::Types(types) => types.contains(&object_type),
        _ if object_type == "bundle" => false,
        Targets::Sdo => matches!(kind, None | Some(Kind::Sdo)),
        Targets::Sco => matches!(kind, None | Some(Kind::Sco)),
        Targets::ScoOrSro => matches!(kind, None | Some(Kind::Sco | Kind::Sro)),
        Targets::SdoOrSco => matches!(kind, None | Some(Kind::Sdo | Kind::Sco)),
    }
}

fn describe(targets: Targets) -> String {
    match targets {
        Targets::Any => "any object".into(),
        Targets::Types(types) => format!("an object of type {}", types.join(" or ")),
        Targets::Sdo => "a STIX Domain Object".into(),
        Targets::Sco => "a STIX Cyber-observable Object".into(),
        Targets::ScoOrSro => "a Cyber-observable or a relationship object".into(),
        Targets::SdoOrSco => "a Domain or Cyber-observable Object".into(),
    }
}
