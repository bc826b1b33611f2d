//! [`ObjectFacts`]: what the release decision reads from one object version,
//! extracted once so that deciding for many recipients does not re-parse the JSON.
//!
//! Topics: the object's `x_entente_topics` (a list of topic words) plus those of its
//! `labels` that are standard topic names ([`STANDARD_TOPICS`]), because producers
//! that do not know Entente's property still label objects `cyber` or
//! `counter-terrorism`. A custom topic must be written in `x_entente_topics`.
//!
//! Invariant: anything malformed in the fields read here (a marking reference that is
//! not a string, a topic that is not a topic word) is an error, never skipped: a
//! skipped marking would be a marking not enforced.

use crate::StixId;
use crate::stix::StixObject;
use crate::treaty::{STANDARD_TOPICS, Topic};
use serde_json::Value;

/// The facts of one object version that the release decision reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectFacts {
    pub id: StixId,
    pub object_type: String,
    /// `object_marking_refs`, as written.
    pub markings: Vec<String>,
    /// Every `marking_ref` of `granular_markings` (entries with `lang` have none).
    pub granular_markings: Vec<String>,
    pub created_by: Option<StixId>,
    /// Sorted, each once.
    pub topics: Vec<Topic>,
    pub labels: Vec<String>,
}

/// Why the facts could not be read; the caller must treat this as a denial.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("the object is not valid JSON: {0}")]
    NotJson(String),
    #[error("the object is not a JSON object")]
    NotAnObject,
    #[error("the object has no valid id")]
    NoId,
    #[error("the object's {field} is malformed: {problem}")]
    Malformed { field: &'static str, problem: String },
}

impl ObjectFacts {
    /// Reads the facts of a validated STIX object.
    pub fn from_object(object: &StixObject) -> Result<ObjectFacts, FactsError> {
        let value: Value =
            serde_json::from_str(object.json()).map_err(|error| FactsError::NotJson(error.to_string()))?;
        ObjectFacts::from_value(&value)
    }

    /// Reads the facts from an object's JSON.
    pub fn from_value(value: &Value) -> Result<ObjectFacts, FactsError> {
        let Value::Object(map) = value else { return Err(FactsError::NotAnObject) };
        let id =
            map.get("id").and_then(Value::as_str).and_then(|text| StixId::parse(text).ok()).ok_or(FactsError::NoId)?;
        let markings = strings(map.get("object_marking_refs"), "object_marking_refs")?;
        let granular_markings = granular(map.get("granular_markings"))?;
        let created_by = match map.get("created_by_ref") {
            None => None,
            Some(reference) => Some(
                reference
                    .as_str()
                    .and_then(|text| StixId::parse(text).ok())
                    .ok_or_else(|| malformed("created_by_ref", "not an identity id"))?,
            ),
        };
        let labels = strings(map.get("labels"), "labels")?;
        let mut topics = Vec::new();
        for text in strings(map.get("x_entente_topics"), "x_entente_topics")? {
            topics.push(Topic::parse(&text).map_err(|error| malformed("x_entente_topics", &error.to_string()))?);
        }
        for label in labels.iter().filter(|label| STANDARD_TOPICS.contains(&label.as_str())) {
            topics.extend(Topic::parse(label).ok());
        }
        topics.sort();
        topics.dedup();
        Ok(ObjectFacts {
            object_type: id.object_type().to_owned(),
            id,
            markings,
            granular_markings,
            created_by,
            topics,
            labels,
        })
    }
}

fn malformed(field: &'static str, problem: &str) -> FactsError {
    FactsError::Malformed { field, problem: problem.to_owned() }
}

fn strings(value: Option<&Value>, field: &'static str) -> Result<Vec<String>, FactsError> {
    let Some(value) = value else { return Ok(Vec::new()) };
    let items = value.as_array().ok_or_else(|| malformed(field, "not a list"))?;
    items
        .iter()
        .map(|item| item.as_str().map(str::to_owned).ok_or_else(|| malformed(field, "an item is not a string")))
        .collect()
}

fn granular(value: Option<&Value>) -> Result<Vec<String>, FactsError> {
    const FIELD: &str = "granular_markings";
    let Some(value) = value else { return Ok(Vec::new()) };
    let entries = value.as_array().ok_or_else(|| malformed(FIELD, "not a list"))?;
    let mut references = Vec::new();
    for entry in entries {
        let entry = entry.as_object().ok_or_else(|| malformed(FIELD, "an entry is not an object"))?;
        match entry.get("marking_ref") {
            Some(reference) => references
                .push(reference.as_str().ok_or_else(|| malformed(FIELD, "a marking_ref is not a string"))?.to_owned()),
            // A language marking restricts nothing; an entry with neither is malformed.
            None if entry.contains_key("lang") => {}
            None => return Err(malformed(FIELD, "an entry has neither marking_ref nor lang")),
        }
    }
    Ok(references)
}
