//! What a treaty covers (its scope) and where shared objects may travel next (its
//! re-sharing rule).
//!
//! Scope: `topics` (at least one; the four standard ones or custom lower-case hyphenated
//! words), `object_types` (STIX type names; an empty list covers every type) and
//! `labels` (free words an object must carry one of; empty covers every object). Lists
//! are sets: an item listed twice is refused, and the written order is kept so that
//! the document has one spelling.
//!
//! Re-sharing: `{"to": "nobody"}`, `{"to": "treaty-partners"}` (any partner with a
//! treaty in force), or `{"to": "alliance-parties", "alliances": [...]}` (the parties of
//! the named alliances; the list is required exactly for this choice).
//!
//! This module does not decide any release: the release-decision function reads these.

use super::fields::{Fields, ProblemKind, Report, list, prose, string};
use crate::StixId;
use crate::id::is_valid_type_name;
use serde_json::{Value, json};
use std::fmt;

/// The topics every node knows; others are custom and allowed.
pub const STANDARD_TOPICS: [&str; 4] = ["counter-terrorism", "cyber", "defence", "regional-security"];

/// A topic: one or more groups of `a-z` and `0-9` joined by single hyphens.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Topic(String);

/// Why a topic was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("topic {0:?} must be lower-case words of a-z and 0-9 joined by single hyphens, such as \"counter-terrorism\"")]
pub struct TopicError(pub String);

impl Topic {
    pub fn parse(text: &str) -> Result<Topic, TopicError> {
        let well_formed = (1..=64).contains(&text.len())
            && text.split('-').all(|part| {
                !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit())
            });
        if well_formed { Ok(Topic(text.to_owned())) } else { Err(TopicError(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_standard(&self) -> bool {
        STANDARD_TOPICS.contains(&self.0.as_str())
    }
}

impl fmt::Display for Topic {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// What a treaty covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scope {
    pub topics: Vec<Topic>,
    /// STIX type names; empty means every type.
    pub object_types: Vec<String>,
    /// Labels; empty means any object.
    pub labels: Vec<String>,
}

impl Scope {
    pub(crate) fn read(value: &Value, path: &str, report: &mut Report) -> Option<Scope> {
        let fields = Fields::open(value, path, &["topics", "object_types", "labels"], report)?;
        let topics = fields.required("topics", report).and_then(|(value, topics_path)| {
            let topics = list(value, &topics_path, report, read_topic, |topic| topic.0.clone())?;
            if topics.is_empty() {
                report.invalid(&topics_path, "must name at least one topic");
                return None;
            }
            Some(topics)
        });
        let object_types = fields
            .required("object_types", report)
            .and_then(|(value, types_path)| list(value, &types_path, report, read_object_type, Clone::clone));
        let labels = fields
            .required("labels", report)
            .and_then(|(value, labels_path)| list(value, &labels_path, report, read_label, Clone::clone));
        Some(Scope { topics: topics?, object_types: object_types?, labels: labels? })
    }

    pub(crate) fn to_value(&self) -> Value {
        json!({
            "topics": self.topics.iter().map(Topic::as_str).collect::<Vec<_>>(),
            "object_types": self.object_types,
            "labels": self.labels,
        })
    }
}

fn read_topic(value: &Value, path: &str, report: &mut Report) -> Option<Topic> {
    let text = string(value, path, report)?;
    Topic::parse(text).map_err(|error| report.invalid(path, error.to_string())).ok()
}

fn read_object_type(value: &Value, path: &str, report: &mut Report) -> Option<String> {
    let text = string(value, path, report)?;
    if is_valid_type_name(text) {
        Some(text.to_owned())
    } else {
        report
            .invalid(path, format!("{text:?} is not a STIX type name (3-250 characters of a-z, 0-9, single hyphens)"));
        None
    }
}

fn read_label(value: &Value, path: &str, report: &mut Report) -> Option<String> {
    prose(value, path, 250, report)
}

/// To whom a recipient may pass on what it received under the treaty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resharing {
    Nobody,
    /// To the parties of these alliances (at least one, each named once).
    AllianceParties(Vec<StixId>),
    /// To any partner the recipient has a treaty in force with.
    TreatyPartners,
}

impl Resharing {
    pub fn as_str(&self) -> &'static str {
        match self {
            Resharing::Nobody => "nobody",
            Resharing::AllianceParties(_) => "alliance-parties",
            Resharing::TreatyPartners => "treaty-partners",
        }
    }

    pub(crate) fn read(value: &Value, path: &str, report: &mut Report) -> Option<Resharing> {
        let fields = Fields::open(value, path, &["to", "alliances"], report)?;
        let (to, to_path) = fields.required("to", report)?;
        let alliances = fields.optional("alliances");
        let choice = match string(to, &to_path, report)? {
            "nobody" => Resharing::Nobody,
            "treaty-partners" => Resharing::TreatyPartners,
            "alliance-parties" => {
                let Some((value, alliances_path)) = alliances else {
                    report.add(&fields.path_of("alliances"), ProblemKind::Missing);
                    return None;
                };
                let named = list(value, &alliances_path, report, read_alliance, ToString::to_string)?;
                if named.is_empty() {
                    report.invalid(&alliances_path, "must name at least one alliance");
                    return None;
                }
                return Some(Resharing::AllianceParties(named));
            }
            other => {
                let allowed = "nobody, alliance-parties, treaty-partners".to_owned();
                report.add(&to_path, ProblemKind::NotOneOf { found: other.to_owned(), allowed });
                return None;
            }
        };
        if let Some((_, alliances_path)) = alliances {
            report.invalid(&alliances_path, "is only allowed when `to` is \"alliance-parties\"");
            return None;
        }
        Some(choice)
    }

    /// Reads a re-sharing rule on its own (as it travels with a synced object).
    pub fn from_value(value: &Value) -> Result<Resharing, super::TreatyError> {
        let mut report = Report::default();
        let read = Resharing::read(value, "resharing", &mut report);
        report.finish(read)
    }

    /// The wire form, as in a treaty's `resharing` member.
    pub fn to_value(&self) -> Value {
        match self {
            Resharing::AllianceParties(alliances) => json!({
                "to": self.as_str(),
                "alliances": alliances.iter().map(StixId::as_str).collect::<Vec<_>>(),
            }),
            _ => json!({ "to": self.as_str() }),
        }
    }
}

fn read_alliance(value: &Value, path: &str, report: &mut Report) -> Option<StixId> {
    let text = string(value, path, report)?;
    StixId::parse(text).map_err(|error| report.invalid(path, error.to_string())).ok()
}
