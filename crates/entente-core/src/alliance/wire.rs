//! The pieces every alliance document shares: the `sha256:` hash that names a document,
//! the error that reports a refused document, and small readers for ids, hashes and
//! version numbers.
//!
//! Parsing reuses the treaty reader (`treaty::fields`): every problem is reported with
//! its path, unknown members are refused, and optional members are absent, never `null`.
//!
//! Not here: what any document means (`charter`, `act`, `membership`).

use crate::StixId;
use crate::canonical::{CanonicalError, to_canonical_bytes};
use crate::treaty::fields::{Fields, Problem, ProblemKind, Report, TreatyError, string, whole_number};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fmt;

/// `sha256:` and 64 lower-case hex digits: the SHA-256 of a document's canonical bytes.
/// It names charters, acts and membership versions.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AllianceHash(String);

/// Why an alliance hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not `sha256:` followed by 64 lower-case hex digits")]
pub struct AllianceHashError(pub String);

impl AllianceHash {
    pub fn parse(text: &str) -> Result<AllianceHash, AllianceHashError> {
        let digits = text.strip_prefix("sha256:").unwrap_or_default();
        if digits.len() == 64 && digits.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)) {
            Ok(AllianceHash(text.to_owned()))
        } else {
            Err(AllianceHashError(text.to_owned()))
        }
    }

    pub(crate) fn of_canonical_bytes(bytes: &[u8]) -> AllianceHash {
        AllianceHash(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AllianceHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Why an alliance document (a charter, an act or a membership) was refused: every
/// problem found, each with its path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct AllianceDocumentError {
    /// What was being read: `alliance charter`, `alliance act`, `alliance membership`.
    pub document: &'static str,
    pub problems: Vec<Problem>,
}

impl AllianceDocumentError {
    pub(crate) fn single(document: &'static str, path: &str, kind: ProblemKind) -> AllianceDocumentError {
        AllianceDocumentError { document, problems: vec![Problem { path: path.to_owned(), kind }] }
    }

    pub(crate) fn from_report(document: &'static str, error: TreatyError) -> AllianceDocumentError {
        AllianceDocumentError { document, problems: error.problems }
    }

    pub(crate) fn canonical(document: &'static str, error: &CanonicalError) -> AllianceDocumentError {
        AllianceDocumentError::single(document, "", ProblemKind::Invalid(error.to_string()))
    }

    /// The paths of the problems, in the order they were found.
    pub fn paths(&self) -> Vec<&str> {
        self.problems.iter().map(|problem| problem.path.as_str()).collect()
    }
}

impl fmt::Display for AllianceDocumentError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "invalid {}: ", self.document)?;
        for (index, problem) in self.problems.iter().enumerate() {
            if index > 0 {
                formatter.write_str("; ")?;
            }
            write!(formatter, "{problem}")?;
        }
        Ok(())
    }
}

/// Canonical bytes and hash of a document value.
pub(crate) fn seal(document: &'static str, value: &Value) -> Result<(Vec<u8>, AllianceHash), AllianceDocumentError> {
    let bytes = to_canonical_bytes(value).map_err(|error| AllianceDocumentError::canonical(document, &error))?;
    let hash = AllianceHash::of_canonical_bytes(&bytes);
    Ok((bytes, hash))
}

/// A member that must hold exactly `expected` (`entente`, `type`).
pub(crate) fn expect_word(fields: &Fields<'_>, name: &str, expected: &str, report: &mut Report) {
    if let Some((value, path)) = fields.required(name, report)
        && value.as_str() != Some(expected)
    {
        report.invalid(&path, format!("must be {expected:?}"));
    }
}

/// A node id: `identity--<uuid>`.
pub(crate) fn node_id(value: &Value, path: &str, report: &mut Report) -> Option<StixId> {
    let text = string(value, path, report)?;
    match StixId::parse(text) {
        Ok(id) if id.object_type() == "identity" => Some(id),
        Ok(_) => {
            report.invalid(path, format!("{text:?} must be a node id of the form identity--<uuid>"));
            None
        }
        Err(error) => {
            report.invalid(path, error.to_string());
            None
        }
    }
}

pub(crate) fn hash(value: &Value, path: &str, report: &mut Report) -> Option<AllianceHash> {
    let text = string(value, path, report)?;
    AllianceHash::parse(text).map_err(|error| report.invalid(path, error.to_string())).ok()
}

/// A membership version number: 1 or more.
pub(crate) fn version(value: &Value, path: &str, report: &mut Report) -> Option<u32> {
    let number = whole_number(value, path, 1..=u64::from(u32::MAX), "a whole number of at least 1", report)?;
    u32::try_from(number).ok()
}

/// A required member read by `read`.
pub(crate) fn required<T>(
    fields: &Fields<'_>,
    name: &str,
    report: &mut Report,
    read: impl FnOnce(&Value, &str, &mut Report) -> Option<T>,
) -> Option<T> {
    let (value, path) = fields.required(name, report)?;
    read(value, &path, report)
}
