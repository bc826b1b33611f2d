//! [`StixObject`]: the proof that a piece of JSON is a valid STIX 2.1 object.
//!
//! Invariant: a `StixObject` can only be built by [`StixObject::from_json`], after
//! [`validate`](super::validate::validate) found no error. The original JSON is kept
//! byte-for-meaning (whitespace removed, nothing else touched), so custom properties,
//! extensions and number spellings survive storage and re-export.

use super::{Issue, Report, validate};
use crate::{StixId, Timestamp, json};
use serde_json::{Map, Value};

/// A validated STIX object.
#[derive(Clone, Debug)]
pub struct StixObject {
    id: StixId,
    spec_version: Option<String>,
    version: Option<Timestamp>,
    json: String,
    warnings: Vec<Issue>,
}

/// Why an object was refused: every error found, plus any warnings.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", summary(.issues))]
pub struct Rejection {
    pub object_id: Option<String>,
    pub issues: Vec<Issue>,
}

fn summary(issues: &[Issue]) -> String {
    issues.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

impl Rejection {
    fn single(object_id: Option<String>, message: String) -> Rejection {
        let mut report = Report::new(object_id.clone());
        report.error("", message);
        Rejection { object_id, issues: report.errors }
    }
}

impl StixObject {
    /// Parses and validates one object from its JSON text.
    pub fn from_json(text: &str) -> Result<StixObject, Rejection> {
        let value: Value =
            serde_json::from_str(text).map_err(|error| Rejection::single(None, format!("not valid JSON: {error}")))?;
        let Value::Object(map) = value else {
            return Err(Rejection::single(None, "a STIX object must be a JSON object".into()));
        };
        StixObject::from_map(&map, json::minify(text))
    }

    fn from_map(map: &Map<String, Value>, json: String) -> Result<StixObject, Rejection> {
        let object_id = map.get("id").and_then(Value::as_str).map(str::to_owned);
        let report = validate::validate(map);
        if !report.is_ok() {
            let mut issues = report.errors;
            issues.extend(report.warnings);
            return Err(Rejection { object_id, issues });
        }
        // The validator has checked these fields; failing here would be a validator bug,
        // reported as a rejection rather than a panic.
        let id = object_id
            .as_deref()
            .and_then(|text| StixId::parse(text).ok())
            .ok_or_else(|| Rejection::single(object_id.clone(), "id is missing or invalid".into()))?;
        let timestamp = |name: &str| map.get(name).and_then(Value::as_str).and_then(|text| Timestamp::parse(text).ok());
        Ok(StixObject {
            version: timestamp("modified").or_else(|| timestamp("created")),
            spec_version: map.get("spec_version").and_then(Value::as_str).map(str::to_owned),
            id,
            json,
            warnings: report.warnings,
        })
    }

    pub fn id(&self) -> &StixId {
        &self.id
    }

    pub fn object_type(&self) -> &str {
        self.id.object_type()
    }

    /// `spec_version` as written; SCOs may omit it, in which case it is 2.1.
    pub fn spec_version(&self) -> &str {
        self.spec_version.as_deref().unwrap_or(super::SPEC_VERSION)
    }

    /// The object's version: `modified`, else `created`, else none (most SCOs).
    pub fn version(&self) -> Option<Timestamp> {
        self.version
    }

    /// The object's JSON without insignificant whitespace.
    pub fn json(&self) -> &str {
        &self.json
    }

    pub fn warnings(&self) -> &[Issue] {
        &self.warnings
    }
}
