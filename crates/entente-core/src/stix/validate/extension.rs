//! The `extensions` property (STIX 2.1 sections 3.2 and 7.3) and the predefined object
//! extensions of section 6 (`archive-ext`, `windows-pebinary-ext`, `socket-ext`, …).
//!
//! Invariants: every extension value is a non-empty object; an `extension_type`, when
//! present, comes from extension-type-enum, and it MUST be present for an extension
//! keyed by an extension-definition id. A predefined extension is checked against its
//! table; other keys earn a warning (the specification says keys SHOULD be one of the
//! two forms) and are otherwise kept as they are.
//!
//! What it deliberately does not do: fetch the schema of an extension definition, or
//! require that a predefined extension sits on the object type it was designed for
//! (the specification names the type but attaches no MUST to it).

use super::Report;
use super::common::dictionary;
use super::shape::{
    Scope, Shape, Shape::*, Table, Targets, check_object, child, expect_object, expect_string, opt, req,
};
use crate::StixId;
use crate::stix::vocab::*;
use serde_json::{Map, Value};

/// The `extensions` dictionary of any object.
pub(super) fn check_extensions(scope: &mut Scope<'_>, path: &str, value: &Value) {
    let Some(map) = dictionary(scope.report, path, value) else {
        return;
    };
    for (name, content) in map {
        let content_path = child(path, name);
        let Some(content_map) = expect_object(scope.report, &content_path, content) else {
            continue;
        };
        if content_map.is_empty() {
            scope.report.error(&content_path, "an extension must have at least one property");
        }
        check_extension_type(scope.report, &content_path, content_map);
        if name.starts_with("extension-definition--") {
            defined_extension(scope.report, &content_path, name, content_map);
        } else if let Some(table) = predefined(name) {
            check_object(scope, &content_path, content, table);
        } else {
            let message = "extension keys should be an extension-definition id or a predefined extension name";
            scope.report.warning(&content_path, message);
        }
    }
}

fn check_extension_type(report: &mut Report, path: &str, content: &Map<String, Value>) {
    let Some(kind) = content.get("extension_type") else {
        return;
    };
    let kind_path = child(path, "extension_type");
    let Some(text) = expect_string(report, &kind_path, kind) else {
        return;
    };
    if !EXTENSION_TYPE.contains(text) {
        report.error(kind_path, format!("{text:?} is not a value of the extension-type-enum enumeration"));
    }
}

/// An extension defined by an extension-definition object MUST name its type (7.3).
fn defined_extension(report: &mut Report, path: &str, name: &str, content: &Map<String, Value>) {
    if let Err(error) = StixId::parse(name) {
        report.error(path, error.to_string());
    }
    if !content.contains_key("extension_type") {
        report.error(child(path, "extension_type"), "required property is missing");
    }
}

/// The table of a predefined extension, by its key in `extensions`.
fn predefined(name: &str) -> Option<&'static Table> {
    PREDEFINED.iter().find(|(known, _)| *known == name).map(|(_, table)| table)
}

const COUNT: Shape = Integer(0, i64::MAX);
const INTEGER: Shape = Integer(i64::MIN, i64::MAX);
const fn table(properties: &'static [super::shape::Property]) -> Table {
    Table { properties, rule: None }
}

// One extension per row, as section 6 lists them; rustfmt would give each property a
// line of its own and triple the length of the table.
#[rustfmt::skip]
static PREDEFINED: [(&str, Table); 12] = [
    ("archive-ext", table(&[req("contains_refs", References(Targets::Types(&["file", "directory"]))), opt("comment", Text)])),
    ("ntfs-ext", table(&[opt("sid", Text), opt("alternate_data_streams", Objects(&ALTERNATE_DATA_STREAM))])),
    ("pdf-ext", table(&[
        opt("version", Text), opt("is_optimized", Boolean), opt("document_info_dict", Dictionary),
        opt("pdfid0", Text), opt("pdfid1", Text),
    ])),
    ("raster-image-ext", table(&[
        opt("image_height", INTEGER), opt("image_width", INTEGER), opt("bits_per_pixel", INTEGER),
        opt("exif_tags", Dictionary),
    ])),
    ("windows-pebinary-ext", table(&[
        req("pe_type", Term(&WINDOWS_PEBINARY_TYPE)), opt("imphash", Text), opt("machine_hex", Hex),
        opt("number_of_sections", COUNT), opt("time_date_stamp", Timestamp), opt("pointer_to_symbol_table_hex", Hex),
        opt("number_of_symbols", COUNT), opt("size_of_optional_header", COUNT), opt("characteristics_hex", Hex),
        opt("file_header_hashes", Hashes), opt("optional_header", Object(&PE_OPTIONAL_HEADER)),
        opt("sections", Objects(&PE_SECTION)),
    ])),
    ("http-request-ext", table(&[
        req("request_method", Text), req("request_value", Text), opt("request_version", Text),
        opt("request_header", Dictionary), opt("message_body_length", COUNT),
        opt("message_body_data_ref", Reference(Targets::Types(&["artifact"]))),
    ])),
    ("icmp-ext", table(&[req("icmp_type_hex", Hex), req("icmp_code_hex", Hex)])),
    ("socket-ext", table(&[
        req("address_family", Term(&NETWORK_SOCKET_ADDRESS_FAMILY)), opt("is_blocking", Boolean),
        opt("is_listening", Boolean), opt("options", Dictionary), opt("socket_type", Term(&NETWORK_SOCKET_TYPE)),
        opt("socket_descriptor", COUNT), opt("socket_handle", INTEGER),
    ])),
    ("tcp-ext", table(&[opt("src_flags_hex", Hex), opt("dst_flags_hex", Hex)])),
    ("windows-process-ext", table(&[
        opt("aslr_enabled", Boolean), opt("dep_enabled", Boolean), opt("priority", Text), opt("owner_sid", Text),
        opt("window_title", Text), opt("startup_info", Dictionary), opt("integrity_level", Term(&WINDOWS_INTEGRITY_LEVEL)),
    ])),
    ("windows-service-ext", table(&[
        opt("service_name", Text), opt("descriptions", Strings), opt("display_name", Text), opt("group_name", Text),
        opt("start_type", Term(&WINDOWS_SERVICE_START_TYPE)), opt("service_dll_refs", References(Targets::Types(&["file"]))),
        opt("service_type", Term(&WINDOWS_SERVICE_TYPE)), opt("service_status", Term(&WINDOWS_SERVICE_STATUS)),
    ])),
    ("unix-account-ext", table(&[opt("gid", INTEGER), opt("groups", Strings), opt("home_dir", Text), opt("shell", Text)])),
];

#[rustfmt::skip]
static ALTERNATE_DATA_STREAM: Table = table(&[req("name", Text), opt("hashes", Hashes), opt("size", COUNT)]);

#[rustfmt::skip]
static PE_SECTION: Table =
    table(&[req("name", Text), opt("size", COUNT), opt("entropy", Float(f64::MIN, f64::MAX)), opt("hashes", Hashes)]);

#[rustfmt::skip]
static PE_OPTIONAL_HEADER: Table = Table {
    properties: &[
        opt("magic_hex", Hex), opt("major_linker_version", INTEGER), opt("minor_linker_version", INTEGER),
        opt("size_of_code", COUNT), opt("size_of_initialized_data", COUNT), opt("size_of_uninitialized_data", COUNT),
        opt("address_of_entry_point", INTEGER), opt("base_of_code", INTEGER), opt("base_of_data", INTEGER),
        opt("image_base", INTEGER), opt("section_alignment", INTEGER), opt("file_alignment", INTEGER),
        opt("major_os_version", INTEGER), opt("minor_os_version", INTEGER), opt("major_image_version", INTEGER),
        opt("minor_image_version", INTEGER), opt("major_subsystem_version", INTEGER),
        opt("minor_subsystem_version", INTEGER), opt("win32_version_value_hex", Hex), opt("size_of_image", COUNT),
        opt("size_of_headers", COUNT), opt("checksum_hex", Hex), opt("subsystem_hex", Hex),
        opt("dll_characteristics_hex", Hex), opt("size_of_stack_reserve", COUNT), opt("size_of_stack_commit", COUNT),
        opt("size_of_heap_reserve", INTEGER), opt("size_of_heap_commit", INTEGER), opt("loader_flags_hex", Hex),
        opt("number_of_rva_and_sizes", INTEGER), opt("hashes", Hashes),
    ],
    rule: Some(super::sco::not_empty),
};
