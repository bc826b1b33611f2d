//! The STIX Meta Objects (section 7): marking definitions, language content and
//! extension definitions, including the rules that pin the predefined TLP markings.
//!
//! Invariants: the four TLP 1.0 marking definitions exist only with the content the
//! specification gives them (section 7.2.1.4: "Other instances of tlp-marking MUST NOT
//! be used or created"), and the five TLP 2.0 ones only with the content OASIS
//! publishes for extension `60a3c5c5-…`, whose schema fixes id, name and level
//! together. A marking that merely *references* a TLP id is not checked here.
//!
//! What it deliberately does not do: decide what a marking permits; see
//! [`crate::stix::vocab::tlp_level`] and the release decision.

use super::common::{IDENTITY, MARKING, dictionary, is_language_tag, versioning};
use super::shape::{Shape::*, Table, Targets, child, item, opt, req};
use super::{Kind, Report, TypeSpec};
use crate::stix::vocab::{EXTENSION_TYPE, MARKING_DEFINITION_TYPE, TLP_1_0, TLP_2_0, TLP_2_0_EXTENSION_ID, TlpMarking};
use serde_json::{Map, Value};

static MARKING_COMMON: Table = Table {
    properties: &[
        req("spec_version", SpecVersion),
        req("created", Timestamp),
        opt("created_by_ref", Reference(IDENTITY)),
        opt("external_references", Objects(&super::common::EXTERNAL_REFERENCE)),
        opt("object_marking_refs", References(MARKING)),
        opt("granular_markings", GranularMarkings),
        opt("extensions", Extensions),
    ],
    rule: Some(versioning),
};

static LANGUAGE_COMMON: Table = Table {
    properties: &[
        req("spec_version", SpecVersion),
        req("created", Timestamp),
        req("modified", Timestamp),
        opt("created_by_ref", Reference(IDENTITY)),
        opt("revoked", Boolean),
        opt("labels", Strings),
        opt("confidence", Integer(0, 100)),
        opt("external_references", Objects(&super::common::EXTERNAL_REFERENCE)),
        opt("object_marking_refs", References(MARKING)),
        opt("granular_markings", GranularMarkings),
        opt("extensions", Extensions),
    ],
    rule: Some(versioning),
};

static EXTENSION_DEFINITION_COMMON: Table = Table {
    properties: &[
        req("spec_version", SpecVersion),
        req("created", Timestamp),
        req("modified", Timestamp),
        req("created_by_ref", Reference(IDENTITY)),
        opt("revoked", Boolean),
        opt("labels", Strings),
        opt("external_references", Objects(&super::common::EXTERNAL_REFERENCE)),
        opt("object_marking_refs", References(MARKING)),
        opt("granular_markings", GranularMarkings),
    ],
    rule: Some(versioning),
};

pub(super) static TYPES: &[TypeSpec] = &[
    TypeSpec {
        name: "marking-definition",
        kind: Kind::Meta,
        common: &MARKING_COMMON,
        table: Table {
            properties: &[
                opt("name", Text),
                opt("definition_type", Term(&MARKING_DEFINITION_TYPE)),
                opt("definition", Any),
            ],
            rule: Some(marking_definition),
        },
        id_properties: &[],
    },
    TypeSpec {
        name: "language-content",
        kind: Kind::Meta,
        common: &LANGUAGE_COMMON,
        table: Table {
            properties: &[
                req("object_ref", Reference(Targets::Any)),
                opt("object_modified", Timestamp),
                req("contents", Any),
            ],
            rule: Some(language_content),
        },
        id_properties: &[],
    },
    TypeSpec {
        name: "extension-definition",
        kind: Kind::Meta,
        common: &EXTENSION_DEFINITION_COMMON,
        table: Table {
            properties: &[
                req("name", Text),
                opt("description", Text),
                req("schema", Text),
                req("version", Text),
                req("extension_types", Terms(&EXTENSION_TYPE)),
                opt("extension_properties", Strings),
            ],
            rule: None,
        },
        id_properties: &[],
    },
];

fn marking_definition(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("extensions") {
        for name in ["definition_type", "definition"] {
            if !map.contains_key(name) {
                report.error(child(path, name), "required when extensions is absent");
            }
        }
    }
    check_definition(map, path, report);
    check_not_self_marked(map, path, report);
    check_tlp_1_0(map, path, report);
    check_tlp_2_0(map, path, report);
}

/// The `definition` of the two marking types the specification defines.
fn check_definition(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let Some(definition) = map.get("definition") else {
        return;
    };
    let definition_path = child(path, "definition");
    let Some(definition) = super::shape::expect_object(report, &definition_path, definition) else {
        return;
    };
    let field = match map.get("definition_type").and_then(Value::as_str) {
        Some("tlp") => "tlp",
        Some("statement") => "statement",
        _ => return,
    };
    if !definition.get(field).is_some_and(Value::is_string) {
        report.error(child(&definition_path, field), "required string is missing");
    }
}

/// A marking definition must not mark itself (section 3.2, no circular references).
fn check_not_self_marked(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let Some(id) = map.get("id").and_then(Value::as_str) else {
        return;
    };
    let refs = map.get("object_marking_refs").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (index, reference) in refs.iter().enumerate() {
        if reference.as_str() == Some(id) {
            report.error(item(&child(path, "object_marking_refs"), index), "a marking definition must not mark itself");
        }
    }
    let granular = map.get("granular_markings").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    for (index, marking) in granular.iter().enumerate() {
        if marking.get("marking_ref").and_then(Value::as_str) == Some(id) {
            let reference_path = child(&item(&child(path, "granular_markings"), index), "marking_ref");
            report.error(reference_path, "a marking definition must not mark itself");
        }
    }
}

fn check_tlp_1_0(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let definition_type = map.get("definition_type").and_then(Value::as_str);
    let Some(marking) = TLP_1_0.iter().find(|marking| marking.id == id) else {
        if definition_type == Some("tlp") {
            let message =
                "only the four TLP marking definitions predefined by STIX 2.1 may have definition_type \"tlp\"";
            report.error(child(path, "definition_type"), message);
        }
        return;
    };
    if definition_type != Some("tlp") {
        report.error(child(path, "definition_type"), format!("must be \"tlp\" for the predefined {}", marking.name));
    }
    if map.get("definition") != Some(&serde_json::json!({ "tlp": marking.value })) {
        let message = format!("must be {{\"tlp\": {:?}}} for the predefined {}", marking.value, marking.name);
        report.error(child(path, "definition"), message);
    }
    check_name_and_created(map, path, marking, report);
}

fn check_tlp_2_0(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let id = map.get("id").and_then(Value::as_str).unwrap_or_default();
    let extension_path = child(&child(path, "extensions"), TLP_2_0_EXTENSION_ID);
    let extension = map.get("extensions").and_then(|extensions| extensions.get(TLP_2_0_EXTENSION_ID));
    let Some(marking) = TLP_2_0.iter().find(|marking| marking.id == id) else {
        if extension.is_some() {
            let message = "only the five published TLP 2.0 marking definitions may use the TLP 2.0 extension";
            report.error(extension_path, message);
        }
        return;
    };
    let expected = serde_json::json!({ "extension_type": "property-extension", "tlp_2_0": marking.value });
    if extension != Some(&expected) {
        let message = format!("must be {expected} for the published {}", marking.name);
        report.error(extension_path, message);
    }
    check_name_and_created(map, path, marking, report);
}

fn check_name_and_created(map: &Map<String, Value>, path: &str, marking: &TlpMarking, report: &mut Report) {
    if map.get("name").and_then(Value::as_str) != Some(marking.name) {
        report.error(child(path, "name"), format!("must be {:?} for this predefined TLP marking", marking.name));
    }
    let created = map.get("created").and_then(Value::as_str).and_then(|text| crate::Timestamp::parse(text).ok());
    if created != crate::Timestamp::parse(marking.created).ok() {
        report
            .error(child(path, "created"), format!("must be {} for the predefined {}", marking.created, marking.name));
    }
}

/// `contents` maps RFC 5646 language tags to objects mirroring the target object.
fn language_content(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let Some(contents) = map.get("contents") else {
        return;
    };
    let contents_path = child(path, "contents");
    let Some(contents) = dictionary(report, &contents_path, contents) else {
        return;
    };
    for (language, translation) in contents {
        let translation_path = child(&contents_path, language);
        if !is_language_tag(language) {
            report.error(&translation_path, format!("{language:?} is not an RFC 5646 language tag"));
        }
        if !translation.is_object() {
            report.error(translation_path, "expected a JSON object mirroring the translated object's properties");
        }
    }
}
