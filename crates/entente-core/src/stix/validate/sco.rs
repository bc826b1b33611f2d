//! The 18 STIX Cyber-observable Objects (section 6), their embedded types (MIME parts,
//! registry values, X.509 v3 extensions) and their cross-property rules.
//!
//! Invariant: every error is a MUST of section 6: one of `hashes` or `name` on a file,
//! `payload_bin` or `url` on an artifact, an address in CIDR form on an IP object, and
//! so on. The ID contributing properties listed here only steer the UUID-version
//! warning in `validate`.
//!
//! What it deliberately does not do: recompute deterministic UUIDv5 identifiers.

use super::common::{SCO, ordered};
use super::shape::{Property, Rule, Shape::*, Table, Targets, child, opt, req};
use super::{Kind, Report, TypeSpec};
use crate::stix::vocab::*;
use serde_json::{Map, Value};

const fn sco(
    name: &'static str,
    properties: &'static [Property],
    rule: Option<Rule>,
    ids: &'static [&'static str],
) -> TypeSpec {
    TypeSpec { name, kind: Kind::Sco, common: &SCO, table: Table { properties, rule }, id_properties: ids }
}

const fn types(names: &'static [&'static str]) -> Targets {
    Targets::Types(names)
}

const COUNT: super::shape::Shape = Integer(0, i64::MAX);
const INTEGER: super::shape::Shape = Integer(i64::MIN, i64::MAX);
const ARTIFACT: Targets = types(&["artifact"]);
const EMAIL_ADDR: Targets = types(&["email-addr"]);
const USER_ACCOUNT: Targets = types(&["user-account"]);
const NETWORK_TRAFFIC: Targets = types(&["network-traffic"]);
const ADDRESS: Targets = types(&["ipv4-addr", "ipv6-addr", "mac-addr", "domain-name"]);

// The tables are data: one object type or embedded type per paragraph, in the order
// of section 6. rustfmt would give every property a line of its own.
#[rustfmt::skip]
static ADDRESS_PROPERTIES: [Property; 3] = [
    req("value", Text), opt("resolves_to_refs", References(types(&["mac-addr"]))),
    opt("belongs_to_refs", References(types(&["autonomous-system"]))),
];

#[rustfmt::skip]
static PROCESS_PROPERTIES: [Property; 11] = [
    opt("is_hidden", Boolean), opt("pid", INTEGER), opt("created_time", Timestamp), opt("cwd", Text),
    opt("command_line", Text), opt("environment_variables", Dictionary),
    opt("opened_connection_refs", References(NETWORK_TRAFFIC)), opt("creator_user_ref", Reference(USER_ACCOUNT)),
    opt("image_ref", Reference(types(&["file"]))), opt("parent_ref", Reference(types(&["process"]))),
    opt("child_refs", References(types(&["process"]))),
];

#[rustfmt::skip]
static X509_PROPERTIES: [Property; 13] = [
    opt("is_self_signed", Boolean), opt("hashes", Hashes), opt("version", Text), opt("serial_number", Text),
    opt("signature_algorithm", Text), opt("issuer", Text), opt("validity_not_before", Timestamp),
    opt("validity_not_after", Timestamp), opt("subject", Text), opt("subject_public_key_algorithm", Text),
    opt("subject_public_key_modulus", Text), opt("subject_public_key_exponent", INTEGER),
    opt("x509_v3_extensions", Object(&X509_V3_EXTENSIONS)),
];

#[rustfmt::skip]
pub(super) static TYPES: &[TypeSpec] = &[
    sco("artifact", &[
        opt("mime_type", Text), opt("payload_bin", Binary), opt("url", Text), opt("hashes", Hashes),
        opt("encryption_algorithm", Term(&ENCRYPTION_ALGORITHM)), opt("decryption_key", Text),
    ], Some(artifact), &["hashes", "payload_bin"]),
    sco("autonomous-system", &[req("number", INTEGER), opt("name", Text), opt("rir", Text)], None, &["number"]),
    sco("directory", &[
        req("path", Text), opt("path_enc", Text), opt("ctime", Timestamp), opt("mtime", Timestamp),
        opt("atime", Timestamp), opt("contains_refs", References(types(&["file", "directory"]))),
    ], None, &["path"]),
    sco("domain-name", &[
        req("value", Text), opt("resolves_to_refs", References(types(&["ipv4-addr", "ipv6-addr", "domain-name"]))),
    ], None, &["value"]),
    sco("email-addr", &[
        req("value", Text), opt("display_name", Text), opt("belongs_to_ref", Reference(USER_ACCOUNT)),
    ], None, &["value"]),
    sco("email-message", &[
        req("is_multipart", Boolean), opt("date", Timestamp), opt("content_type", Text),
        opt("from_ref", Reference(EMAIL_ADDR)), opt("sender_ref", Reference(EMAIL_ADDR)),
        opt("to_refs", References(EMAIL_ADDR)), opt("cc_refs", References(EMAIL_ADDR)),
        opt("bcc_refs", References(EMAIL_ADDR)), opt("message_id", Text), opt("subject", Text),
        opt("received_lines", Strings), opt("additional_header_fields", Dictionary), opt("body", Text),
        opt("body_multipart", Objects(&MIME_PART)), opt("raw_email_ref", Reference(ARTIFACT)),
    ], Some(email_message), &["from_ref", "subject", "body"]),
    sco("file", &[
        opt("hashes", Hashes), opt("size", COUNT), opt("name", Text), opt("name_enc", Text),
        opt("magic_number_hex", Hex), opt("mime_type", Text), opt("ctime", Timestamp), opt("mtime", Timestamp),
        opt("atime", Timestamp), opt("parent_directory_ref", Reference(types(&["directory"]))),
        opt("contains_refs", References(Targets::Sco)), opt("content_ref", Reference(ARTIFACT)),
    ], Some(file), &["hashes", "name", "extensions"]),
    sco("ipv4-addr", &ADDRESS_PROPERTIES, Some(ipv4_address), &["value"]),
    sco("ipv6-addr", &ADDRESS_PROPERTIES, Some(ipv6_address), &["value"]),
    sco("mac-addr", &[req("value", Text)], Some(mac_address), &["value"]),
    sco("mutex", &[req("name", Text)], None, &["name"]),
    sco("network-traffic", &[
        opt("start", Timestamp), opt("end", Timestamp), opt("is_active", Boolean), opt("src_ref", Reference(ADDRESS)),
        opt("dst_ref", Reference(ADDRESS)), opt("src_port", Integer(0, 65535)), opt("dst_port", Integer(0, 65535)),
        req("protocols", Strings), opt("src_byte_count", COUNT), opt("dst_byte_count", COUNT),
        opt("src_packets", COUNT), opt("dst_packets", COUNT), opt("ipfix", Dictionary),
        opt("src_payload_ref", Reference(ARTIFACT)), opt("dst_payload_ref", Reference(ARTIFACT)),
        opt("encapsulates_refs", References(NETWORK_TRAFFIC)), opt("encapsulated_by_ref", Reference(NETWORK_TRAFFIC)),
    ], Some(network_traffic), &["start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"]),
    sco("process", &PROCESS_PROPERTIES, Some(process), &[]),
    sco("software", &[
        req("name", Text), opt("cpe", Text), opt("swid", Text), opt("languages", Strings), opt("vendor", Text),
        opt("version", Text),
    ], None, &["name", "cpe", "swid", "vendor", "version"]),
    sco("url", &[req("value", Text)], None, &["value"]),
    sco("user-account", &[
        opt("user_id", Text), opt("credential", Text), opt("account_login", Text),
        opt("account_type", Term(&ACCOUNT_TYPE)), opt("display_name", Text), opt("is_service_account", Boolean),
        opt("is_privileged", Boolean), opt("can_escalate_privs", Boolean), opt("is_disabled", Boolean),
        opt("account_created", Timestamp), opt("account_expires", Timestamp),
        opt("credential_last_changed", Timestamp), opt("account_first_login", Timestamp),
        opt("account_last_login", Timestamp),
    ], None, &["account_type", "user_id", "account_login"]),
    sco("windows-registry-key", &[
        opt("key", Text), opt("values", Objects(&REGISTRY_VALUE)), opt("modified_time", Timestamp),
        opt("creator_user_ref", Reference(USER_ACCOUNT)), opt("number_of_subkeys", COUNT),
    ], None, &["key", "values"]),
    sco("x509-certificate", &X509_PROPERTIES, Some(x509_certificate), &["hashes", "serial_number"]),
];

#[rustfmt::skip]
static MIME_PART: Table = Table {
    properties: &[
        opt("body", Text), opt("body_raw_ref", Reference(types(&["artifact", "file"]))), opt("content_type", Text),
        opt("content_disposition", Text),
    ],
    rule: Some(mime_part),
};

#[rustfmt::skip]
static REGISTRY_VALUE: Table = Table {
    properties: &[opt("name", Text), opt("data", Text), opt("data_type", Term(&WINDOWS_REGISTRY_DATATYPE))],
    rule: None,
};

#[rustfmt::skip]
static X509_V3_EXTENSIONS: Table = Table {
    properties: &[
        opt("basic_constraints", Text), opt("name_constraints", Text), opt("policy_constraints", Text),
        opt("key_usage", Text), opt("extended_key_usage", Text), opt("subject_key_identifier", Text),
        opt("authority_key_identifier", Text), opt("subject_alternative_name", Text),
        opt("issuer_alternative_name", Text), opt("subject_directory_attributes", Text),
        opt("crl_distribution_points", Text), opt("inhibit_any_policy", Text),
        opt("private_key_usage_period_not_before", Timestamp), opt("private_key_usage_period_not_after", Timestamp),
        opt("certificate_policies", Text), opt("policy_mappings", Text),
    ],
    rule: Some(not_empty),
};

fn artifact(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if map.contains_key("payload_bin") && map.contains_key("url") {
        report.error(child(path, "url"), "payload_bin and url must not both be present");
    }
    if map.contains_key("url") && !map.contains_key("hashes") {
        report.error(child(path, "hashes"), "required when url is present");
    }
    if map.contains_key("decryption_key") && !map.contains_key("encryption_algorithm") {
        report.error(child(path, "decryption_key"), "must not be present without encryption_algorithm");
    }
}

fn email_message(map: &Map<String, Value>, path: &str, report: &mut Report) {
    match map.get("is_multipart").and_then(Value::as_bool) {
        Some(true) if map.contains_key("body") => {
            report.error(child(path, "body"), "must not be used when is_multipart is true");
        }
        Some(false) if map.contains_key("body_multipart") => {
            report.error(child(path, "body_multipart"), "must not be used when is_multipart is false");
        }
        _ => {}
    }
}

fn mime_part(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("body") && !map.contains_key("body_raw_ref") {
        report.error(path, "a MIME part needs body or body_raw_ref");
    }
}

fn file(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("hashes") && !map.contains_key("name") {
        report.error(child(path, "name"), "a file needs hashes or name");
    }
}

/// IPv4 values are addresses or CIDR blocks (section 6.7).
fn ipv4_address(map: &Map<String, Value>, path: &str, report: &mut Report) {
    address(map, path, report, 32, |text| text.parse::<std::net::Ipv4Addr>().is_ok());
}

fn ipv6_address(map: &Map<String, Value>, path: &str, report: &mut Report) {
    address(map, path, report, 128, |text| text.parse::<std::net::Ipv6Addr>().is_ok());
}

fn address(map: &Map<String, Value>, path: &str, report: &mut Report, bits: u8, parses: fn(&str) -> bool) {
    let Some(value) = map.get("value").and_then(Value::as_str) else {
        return;
    };
    let (address, prefix) = value.split_once('/').map_or((value, None), |(address, prefix)| (address, Some(prefix)));
    let prefix_ok = prefix.is_none_or(|prefix| prefix.parse::<u8>().is_ok_and(|length| length <= bits));
    if !parses(address) || !prefix_ok {
        report.error(child(path, "value"), format!("{value:?} is not an address or CIDR block"));
    }
}

/// A single colon-delimited, lower-case MAC-48 address (section 6.9).
fn mac_address(map: &Map<String, Value>, path: &str, report: &mut Report) {
    let Some(value) = map.get("value").and_then(Value::as_str) else {
        return;
    };
    let groups: Vec<&str> = value.split(':').collect();
    let well_formed = groups.len() == 6
        && groups
            .iter()
            .all(|group| group.len() == 2 && group.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    if !well_formed {
        report.error(child(path, "value"), "must be a colon-delimited, lower-case MAC-48 address");
    }
}

fn network_traffic(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("src_ref") && !map.contains_key("dst_ref") {
        report.error(child(path, "src_ref"), "one of src_ref or dst_ref must be present");
    }
    ordered(map, path, report, "start", "end", false);
    if map.get("is_active") == Some(&Value::Bool(true)) && map.contains_key("end") {
        report.error(child(path, "end"), "must not be present when is_active is true");
    }
}

/// A process MUST carry at least one property of its own or an extension.
fn process(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !map.contains_key("extensions") && !PROCESS_PROPERTIES.iter().any(|property| map.contains_key(property.name)) {
        report.error(path, "a process needs at least one process property or extension");
    }
}

fn x509_certificate(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if !X509_PROPERTIES.iter().any(|property| map.contains_key(property.name)) {
        report.error(path, "an X.509 certificate needs at least one certificate property");
    }
}

/// Embedded types whose properties are all optional still need one of them.
pub(super) fn not_empty(map: &Map<String, Value>, path: &str, report: &mut Report) {
    if map.is_empty() {
        report.error(path, "must contain at least one property");
    }
}
