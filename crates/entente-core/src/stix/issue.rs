//! Validation findings: each names the object, the property path and what is wrong.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A MUST of the specification is broken: the object is refused.
    Error,
    /// A SHOULD is not followed: the object is kept and the finding reported.
    Warning,
}

/// One finding about one object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// The object's `id` when it had a readable one.
    pub object_id: Option<String>,
    /// A JSON path into the object such as `external_references[2].url`; empty for the
    /// object as a whole.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.object_id.as_deref().unwrap_or("(object without id)");
        if self.path.is_empty() {
            write!(formatter, "{id}: {}", self.message)
        } else {
            write!(formatter, "{id}: {}: {}", self.path, self.message)
        }
    }
}

/// Collects findings while one object is validated.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub object_id: Option<String>,
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl Report {
    pub fn new(object_id: Option<String>) -> Report {
        Report { object_id, errors: Vec::new(), warnings: Vec::new() }
    }

    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let issue = self.issue(Severity::Error, path.into(), message.into());
        self.errors.push(issue);
    }

    pub fn warning(&mut self, path: impl Into<String>, message: impl Into<String>) {
        let issue = self.issue(Severity::Warning, path.into(), message.into());
        self.warnings.push(issue);
    }

    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    fn issue(&self, severity: Severity, path: String, message: String) -> Issue {
        Issue { severity, object_id: self.object_id.clone(), path, message }
    }
}
