//! Reading a JSON document member by member, collecting every problem with its path.
//!
//! A treaty is a legal text that people write by hand, so a parse reports all that is
//! wrong at once, each problem named by its path (`terms.tlp`, `parties[2]`), instead
//! of stopping at the first. Objects are opened with the list of members they may
//! have: any other member is a problem, because a signed treaty must not carry content
//! that no one reads.
//!
//! This module knows nothing about treaties; `document`, `scope`, `terms` and
//! `signatures` say which members exist and what they mean.

use serde_json::{Map, Value};
use std::fmt;

/// What is wrong at one path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProblemKind {
    #[error("is required")]
    Missing,
    #[error("is not a member of this document (a signed treaty must not carry content nobody reads)")]
    Unknown,
    #[error("must be {0}")]
    WrongType(&'static str),
    #[error("is {found:?}, expected one of: {allowed}")]
    NotOneOf { found: String, allowed: String },
    #[error("lists {0:?} more than once")]
    Duplicate(String),
    #[error("{0}")]
    Invalid(String),
}

/// One problem and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path from the document root, such as `scope.topics[1]`; empty for the root.
    pub path: String,
    pub kind: ProblemKind,
}

impl fmt::Display for Problem {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(formatter, "the document {}", self.kind)
        } else {
            write!(formatter, "`{}` {}", self.path, self.kind)
        }
    }
}

/// Why a treaty document (or a signature record) was refused: every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TreatyError {
    pub problems: Vec<Problem>,
}

impl TreatyError {
    pub(crate) fn single(path: &str, kind: ProblemKind) -> TreatyError {
        TreatyError { problems: vec![Problem { path: path.to_owned(), kind }] }
    }

    /// The paths of the problems, in the order they were found.
    pub fn paths(&self) -> Vec<&str> {
        self.problems.iter().map(|problem| problem.path.as_str()).collect()
    }
}

impl fmt::Display for TreatyError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("invalid treaty: ")?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                formatter.write_str("; ")?;
            }
            write!(formatter, "{problem}")?;
        }
        Ok(())
    }
}

/// The problems found so far.
#[derive(Debug, Default)]
pub(crate) struct Report {
    problems: Vec<Problem>,
}

impl Report {
    pub(crate) fn add(&mut self, path: &str, kind: ProblemKind) {
        self.problems.push(Problem { path: path.to_owned(), kind });
    }

    pub(crate) fn invalid(&mut self, path: &str, reason: impl Into<String>) {
        self.add(path, ProblemKind::Invalid(reason.into()));
    }

    /// The parsed value if nothing at all went wrong.
    pub(crate) fn finish<T>(self, value: Option<T>) -> Result<T, TreatyError> {
        match value {
            Some(value) if self.problems.is_empty() => Ok(value),
            _ if self.problems.is_empty() => Err(TreatyError::single("", ProblemKind::Invalid("is incomplete".into()))),
            _ => Err(TreatyError { problems: self.problems }),
        }
    }
}

pub(crate) fn child(path: &str, name: &str) -> String {
    match (path.is_empty(), name.is_empty()) {
        (true, _) => name.to_owned(),
        (false, true) => path.to_owned(),
        (false, false) if name.starts_with('[') => format!("{path}{name}"),
        (false, false) => format!("{path}.{name}"),
    }
}

/// The members of one JSON object, opened with the names it may have.
#[derive(Debug)]
pub(crate) struct Fields<'a> {
    object: &'a Map<String, Value>,
    path: String,
}

impl<'a> Fields<'a> {
    /// Opens `value` as an object; members not in `known` are reported as unknown.
    pub(crate) fn open(value: &'a Value, path: &str, known: &[&str], report: &mut Report) -> Option<Fields<'a>> {
        let Value::Object(object) = value else {
            report.add(path, ProblemKind::WrongType("an object"));
            return None;
        };
        for name in object.keys().filter(|name| !known.contains(&name.as_str())) {
            report.add(&child(path, name), ProblemKind::Unknown);
        }
        Some(Fields { object, path: path.to_owned() })
    }

    pub(crate) fn path_of(&self, name: &str) -> String {
        child(&self.path, name)
    }

    /// A member that must be present.
    pub(crate) fn required(&self, name: &str, report: &mut Report) -> Option<(&'a Value, String)> {
        let found = self.optional(name);
        if found.is_none() {
            report.add(&self.path_of(name), ProblemKind::Missing);
        }
        found
    }

    /// A member that may be absent.
    pub(crate) fn optional(&self, name: &str) -> Option<(&'a Value, String)> {
        self.object.get(name).map(|value| (value, self.path_of(name)))
    }
}

pub(crate) fn string<'v>(value: &'v Value, path: &str, report: &mut Report) -> Option<&'v str> {
    let text = value.as_str();
    if text.is_none() {
        report.add(path, ProblemKind::WrongType("a string"));
    }
    text
}

/// Human-written text: not blank, at most `max_chars` characters, no control
/// characters other than line breaks and tabs.
pub(crate) fn prose(value: &Value, path: &str, max_chars: usize, report: &mut Report) -> Option<String> {
    let text = string(value, path, report)?;
    if text.trim().is_empty() {
        report.invalid(path, "must not be blank");
        None
    } else if text.chars().count() > max_chars {
        report.invalid(path, format!("must be at most {max_chars} characters"));
        None
    } else if text.chars().any(|character| character.is_control() && !matches!(character, '\n' | '\t')) {
        report.invalid(path, "must not contain control characters");
        None
    } else {
        Some(text.to_owned())
    }
}

/// A whole number within `range`, described to the writer as `expected` (a JSON number
/// written with a fraction or an exponent is refused).
pub(crate) fn whole_number(
    value: &Value,
    path: &str,
    range: std::ops::RangeInclusive<u64>,
    expected: &'static str,
    report: &mut Report,
) -> Option<u64> {
    let number = value.as_u64().filter(|number| range.contains(number));
    if number.is_none() {
        report.add(path, ProblemKind::WrongType(expected));
    }
    number
}

/// A list whose items are parsed by `item` and must be distinct by `key`.
pub(crate) fn list<T>(
    value: &Value,
    path: &str,
    report: &mut Report,
    mut item: impl FnMut(&Value, &str, &mut Report) -> Option<T>,
    key: impl Fn(&T) -> String,
) -> Option<Vec<T>> {
    let Value::Array(values) = value else {
        report.add(path, ProblemKind::WrongType("an array"));
        return None;
    };
    let mut items = Vec::with_capacity(values.len());
    let mut complete = true;
    for (index, value) in values.iter().enumerate() {
        let item_path = format!("{path}[{index}]");
        match item(value, &item_path, report) {
            Some(parsed) if items.iter().any(|seen| key(seen) == key(&parsed)) => {
                report.add(&item_path, ProblemKind::Duplicate(key(&parsed)));
                complete = false;
            }
            Some(parsed) => items.push(parsed),
            None => complete = false,
        }
    }
    complete.then_some(items)
}

/// A closed set of words, such as the values of one IEP 2.0 statement.
pub(crate) trait Word: Copy + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
}

pub(crate) fn word<T: Word>(value: &Value, path: &str, report: &mut Report) -> Option<T> {
    let text = string(value, path, report)?;
    let found = T::ALL.iter().copied().find(|candidate| candidate.as_str() == text);
    if found.is_none() {
        let allowed = T::ALL.iter().map(|candidate| candidate.as_str()).collect::<Vec<_>>().join(", ");
        report.add(path, ProblemKind::NotOneOf { found: text.to_owned(), allowed });
    }
    found
}
