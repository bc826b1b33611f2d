//! Per-object STIX 2.1 validation. (Being written; see the module plan in stix/mod.rs.)

use super::Report;
use serde_json::{Map, Value};

/// Validates one object and returns every finding.
pub fn validate(object: &Map<String, Value>) -> Report {
    let object_id = object.get("id").and_then(Value::as_str).map(str::to_owned);
    let mut report = Report::new(object_id);
    match object.get("id").and_then(Value::as_str) {
        Some(text) => {
            if let Err(error) = crate::StixId::parse(text) {
                report.error("id", error.to_string());
            }
        }
        None => report.error("id", "required property is missing"),
    }
    report
}
