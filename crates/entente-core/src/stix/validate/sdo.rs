//! The 19 STIX Domain Objects and 2 Relationship Objects (sections 4 and 5): their
//! properties, and the rules that tie several properties together.
//!
//! Invariant: every error here is a MUST of the specification, such as `valid_until`
//! after `valid_from`, a name for malware families, or coordinates in range. Warnings
//! come only from open vocabularies and SHOULDs.
//!
//! What it deliberately does not do: check relationship types against the
//! specification's relationship tables. Those are suggestions; user-defined relationship
//! types are legal.

use super::common::{CORE, KILL_CHAIN_PHASES, ordered};
use super::shape::{Shape::*, Table, Targets, child, opt, req};
use super::{Kind, Report, TypeSpec};
use crate::stix::vocab::*;
use serde_json::{Map, Value};

const SOFTWARE: Targets = Targets::Types(&["software"]);

const fn sdo(
    name: &'static str,
    properties: &'static [super::shape::Property],
    rule: Option<super::shape::Rule>,
) -> TypeSpec {
    TypeSpec { name, kind: Kind::Sdo, common: &CORE, table: Table { properties, rule }, id_properties: &[] }
}

const fn sro(
    name: &'static str,
    properties: &'static [super::shape::Property],
    rule: Option<super::shape::Rule>,
) -> TypeSpec {
    TypeSpec { name, kind: Kind::Sro, common: &CORE, table: Table { properties, rule }, id_properties: &[] }
}

// One object type per paragraph, in the order of sections 4 and 5; rustfmt would give
// every property a line of its own.
#[rustfmt::skip]
pub(super) static TYPES: &[TypeSpec] = &[
    sdo("attack-pattern", &[
        req("name", Text), opt("description", Text), opt("aliases", Strings), opt("kill_chain_phases", KILL_CHAIN_PHASES),
    ], None),
    sdo("campaign", &[
        req("name", Text), opt("description", Text), opt("aliases", Strings), opt("first_seen", Timestamp),
        opt("last_seen", Timestamp), opt("objective", Text),
    ], Some(seen_in_order)),
    sdo("course-of-action", &[req("name", Text), opt("description", Text)], None),
    sdo("grouping", &[
        opt("name", Text), opt("description", Text), req("context", Term(&GROUPING_CONTEXT)),
        req("object_refs", References(Targets::Any)),
    ], None),
    sdo("identity", &[
        req("name", Text), opt("description", Text), opt("roles", Strings), opt("identity_class", Term(&IDENTITY_CLASS)),
        opt("sectors", Terms(&INDUSTRY_SECTOR)), opt("contact_information", Text),
    ], None),
    sdo("incident", &[req("name", Text), opt("description", Text), opt("kill_chain_phases", KILL_CHAIN_PHASES)], None),
    sdo("indicator", &[
        opt("name", Text), opt("description", Text), opt("indicator_types", Terms(&INDICATOR_TYPE)),
        req("pattern", Text), req("pattern_type", Term(&PATTERN_TYPE)), opt("pattern_version", Text),
        req("valid_from", Timestamp), opt("valid_until", Timestamp), opt("kill_chain_phases", KILL_CHAIN_PHASES),
    ], Some(indicator)),
    sdo("infrastructure", &[
        req("name", Text), opt("description", Text), opt("infrastructure_types", Terms(&INFRASTRUCTURE_TYPE)),
        opt("aliases", Strings), opt("kill_chain_phases", KILL_CHAIN_PHASES), opt("first_seen", Timestamp),
        opt("last_seen", Timestamp),
    ], Some(seen_in_order)),
    sdo("intrusion-set", &[
        req("name", Text), opt("description", Text), opt("aliases", Strings), opt("first_seen", Timestamp),
        opt("last_seen", Timestamp), opt("goals", Strings), opt("resource_level", Term(&ATTACK_RESOURCE_LEVEL)),
        opt("primary_motivation", Term(&ATTACK_MOTIVATION)), opt("secondary_motivations", Terms(&ATTACK_MOTIVATION)),
    ], Some(seen_in_order)),
    sdo("location", &[
        opt("name", Text), opt("description", Text), opt("latitude", Float(-90.0, 90.0)),
        opt("longitude", Float(-180.0, 180.0)), opt("precision", Float(0.0, f64::MAX)), opt("region", Term(&REGION)),
        opt("country", Text), opt("administrative_area", Text), opt("city", Text), opt("street_address", Text),
        opt("postal_code", Text),
    ], Some(location)),
    sdo("malware", &[
        opt("name", Text), opt("description", Text), opt("malware_types", Terms(&MALWARE_TYPE)),
        req("is_family", Boolean), opt("aliases", Strings), opt("kill_chain_phases", KILL_CHAIN_PHASES),
        opt("first_seen", Timestamp), opt("last_seen", Timestamp), opt("operating_system_refs", References(SOFTWARE)),
        opt("architecture_execution_envs", Terms(&PROCESSOR_ARCHITECTURE)),
        opt("implementation_languages", Terms(&IMPLEMENTATION_LANGUAGE)), opt("capabilities", Terms(&MALWARE_CAPABILITIES)),
        opt("sample_refs", References(Targets::Types(&["file", "artifact"]))),
    ], Some(malware)),
    sdo("malware-analysis", &[
        req("product", Text), opt("version", Text), opt("host_vm_ref", Reference(SOFTWARE)),
        opt("operating_system_ref", Reference(SOFTWARE)), opt("installed_software_refs", References(SOFTWARE)),
        opt("configuration_version", Text), opt("modules", Strings), opt("analysis_engine_version", Text),
        opt("analysis_definition_version", Text), opt("submitted", Timestamp), opt("analysis_started", Timestamp),
        opt("analysis_ended", Timestamp), opt("result_name", Text), opt("result", Term(&MALWARE_RESULT)),
        opt("analysis_sco_refs", References(Targets::Sco)), opt("sample_ref", Reference(Targets::Sco)),
    ], Some(malware_analysis)),
    sdo("note", &[
        opt("abstract", Text), req("content", Text), opt("authors", Strings), req("object_refs", References(Targets::Any)),
    ], None),
    sdo("observed-data", &[
        req("first_observed", Timestamp), req("last_observed", Timestamp), req("number_observed", Integer(1, 999_999_999)),
        opt("objects", Any), opt("object_refs", References(Targets::ScoOrSro)),
    ], Some(observed_data)),
    sdo("opinion", &[
        opt("explanation", Text), opt("authors", Strings), req("opinion", Term(&OPINION)),
        req("object_refs", References(Targets::Any)),
    ], None),
    sdo("report", &[
        req("name", Text), opt("description", Text), opt("report_types", Terms(&REPORT_TYPE)),
        req("published", Timestamp), req("object_refs", References(Targets::Any)),
    ], None),
    sdo("threat-actor", &[
        req("name", Text), opt("description", Text), opt("threat_actor_types", Terms(&THREAT_ACTOR_TYPE)),
        opt("aliases", Strings), opt("first_seen", Timestamp), opt("last_seen", Timestamp),
        opt("roles", Terms(&THREAT_ACTOR_ROLE)), opt("goals", Strings),
        opt("sophistication", Term(&THREAT_ACTOR_SOPHISTICATION)), opt("resource_level", Term(&ATTACK_RESOURCE_LEVEL)),
        opt("primary_motivation", Term(&ATTACK_MOTIVATION)), opt("secondary_motivations", Terms(&ATTACK_MOTIVATION)),
        opt("personal_motivations", Terms(&ATTACK_MOTIVATION)),
    ], Some(seen_in_order)),
    sdo("tool", &[
        req("name", Text), opt("description", Text), opt("tool_types", Terms(&TOOL_TYPE)), opt("aliases", Strings),
        opt("kill_chain_phases", KILL_CHAIN_PHASES), opt("tool_version", Text),
    ], None),
    sdo("vulnerability", &[req("name", Text), opt("description", Text)], None),
    sro("relationship", &[
        req("relationship_type", Text), opt("description", Text), req("source_ref", Reference(Targets::SdoOrSco)),
        req("target_ref", Reference(Targets::SdoOrSco)), opt("start_time", Timestamp), opt("stop_time", Timestamp),
    ], Some(relationship)),
    sro("sighting", &[
        opt("description", Text), opt("first_seen", Timestamp), opt("last_seen", Timestamp),
        opt("count", Integer(0, 999_999_999)), req("sighting_of_ref", Reference(Targets::Sdo)),
        opt("observed_data_refs", References(Targets::Types(&["observed-data"]))),
        opt("where_sighted_refs", References(Targets::Types(&["identity", "location"]))), opt("summary", Boolean),
    ], Some(seen_in_order)),
];

fn seen_in_order(map: &Map<String, Value>, path: &str, report: &mut Report) {
    ordered(map, path, report, "first_seen", "last_seen", false);
}

fn indicator(map: &Map<String, Value>, path: &str, report: &mut Report) {
    ordered(map, path, report, "valid_from", "valid_until", true);
    let is_stix = map.get("pattern_type").and_then(Value::as_str) == Some("stix");
    if let (true, Some(pattern)) = (is_stix, map.get("pattern").and_then(Value::as_str)) {
        check_stix_pattern(pattern, &child(path, "pattern"), report);
    }
}

/// The single call into the STIX pattern parser.
fn check_stix_pattern(pattern: &str, path: &str, report: &mut Report) {
    if let Err(error) = crate::pattern::parse(pattern) {
        report.error(path, error.to_string());
    }
}

fn malware(map: &Map<String, Value>, path: &str, report: &mut Report) {
    seen_in_order(map, path, report);
    if map.get("is_family") == Some(&Value::Bool(true)) && !map.contains_key("name") {
        report.error(child(path, "name"), "required for a malware family (is_family is true)");
    }
}

fn malware_analysis(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("result") && !map.contains_key("analysis_sco_refs") {
        report.error(child(path, "result"), "one of result or analysis_sco_refs must be present");
    }
}

fn observed_data(map: &Map<String, Value>, path: &str, report: &mut Report) {
    ordered(map, path, report, "first_observed", "last_observed", false);
    match (map.get("objects"), map.contains_key("object_refs")) {
        (Some(_), true) => report.error(child(path, "objects"), "objects and object_refs must not both be present"),
        (None, false) => report.error(child(path, "object_refs"), "one of object_refs or objects must be present"),
        (Some(objects), false) => observable_container(objects, &child(path, "objects"), report),
        (None, true) => {}
    }
}

/// The deprecated Cyber Observable Container (section 2.13): a dictionary of objects
/// that each have a `type`. Its contents are STIX 2.0 shaped and not checked further.
fn observable_container(objects: &Value, path: &str, report: &mut Report) {
    report.warning(path, "the objects property is deprecated; use object_refs");
    let Some(container) = super::common::dictionary(report, path, objects) else {
        return;
    };
    for (key, observable) in container {
        if !observable.get("type").is_some_and(Value::is_string) {
            report.error(child(path, key), "each observable in the container needs a type");
        }
    }
}

fn location(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let (latitude, longitude) = (map.contains_key("latitude"), map.contains_key("longitude"));
    if latitude != longitude {
        report.error(path, "latitude and longitude must be present together");
    }
    if map.contains_key("precision") && !(latitude && longitude) {
        report.error(child(path, "precision"), "precision requires latitude and longitude");
    }
    let placed = map.contains_key("region") || map.contains_key("country") || (latitude && longitude);
    if !placed {
        report.error(path, "a location needs region, country, or latitude and longitude");
    }
    if let Some(country) = map.get("country").and_then(Value::as_str)
        && !(country.len() == 2 && country.bytes().all(|b| b.is_ascii_uppercase()))
    {
        report.warning(child(path, "country"), "should be an ISO 3166-1 alpha-2 code");
    }
}

fn relationship(map: &Map<String, Value>, path: &str, report: &mut Report) {
    ordered(map, path, report, "start_time", "stop_time", true);
}
