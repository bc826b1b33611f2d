//! The treaty document: its members, its one spelling, its hash and its versions.
//!
//! Invariants: a [`Treaty`] exists only through [`Treaty::parse`] (the builders
//! [`Treaty::draft`], [`Treaty::counter`] and [`Treaty::amend`] assemble JSON and parse
//! it), so every treaty has passed the same checks. Parsing is strict: unknown members
//! are refused, and [`Treaty::to_value`] gives back exactly the value that was parsed,
//! so the hash of the canonical (RFC 8785) form names the text that was written, whatever
//! whitespace or member order it travelled with.
//!
//! Versions: the `id` stays the same across versions; version 1 supersedes nothing,
//! and each later version names the hash of the version it answers (a counter-proposal)
//! or amends. [`Treaty::answers`] checks that naming.
//!
//! Not here: signatures (`signatures`), and who may propose what when (the relation
//! state machine).

use super::fields::{Fields, ProblemKind, Report, TreatyError, list, prose, string, whole_number};
use super::scope::{Resharing, Scope};
use super::terms::Terms;
use crate::canonical::to_canonical_bytes;
use crate::{StixId, Timestamp};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;

/// `sha256:` and 64 lower-case hex digits: the SHA-256 of a treaty's canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreatyHash(String);

/// Why a treaty hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("treaty hash {0:?} is not `sha256:` followed by 64 lower-case hex digits")]
pub struct TreatyHashError(pub String);

impl TreatyHash {
    pub fn parse(text: &str) -> Result<TreatyHash, TreatyHashError> {
        let digits = text.strip_prefix("sha256:").unwrap_or_default();
        if digits.len() == 64 && digits.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)) {
            Ok(TreatyHash(text.to_owned()))
        } else {
            Err(TreatyHashError(text.to_owned()))
        }
    }

    fn of_canonical_bytes(bytes: &[u8]) -> TreatyHash {
        TreatyHash(format!("sha256:{}", hex::encode(Sha256::digest(bytes))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TreatyHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An instant as the treaty writes it. The text is kept because it is what was signed:
/// `…:00Z` and `…:00.000Z` are the same instant but not the same text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatyTime {
    text: String,
    instant: Timestamp,
}

impl TreatyTime {
    pub fn parse(text: &str) -> Result<TreatyTime, crate::timestamp::TimestampError> {
        Timestamp::parse(text).map(|instant| TreatyTime { text: text.to_owned(), instant })
    }

    pub(crate) fn read(value: &Value, path: &str, report: &mut Report) -> Option<TreatyTime> {
        let text = string(value, path, report)?;
        TreatyTime::parse(text).map_err(|error| report.invalid(path, error.to_string())).ok()
    }

    pub fn instant(&self) -> Timestamp {
        self.instant
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<Timestamp> for TreatyTime {
    fn from(instant: Timestamp) -> TreatyTime {
        TreatyTime { text: instant.to_string(), instant }
    }
}

/// What the parties negotiate: everything but the identity and version bookkeeping.
/// The fields are public for building the next version; they are checked when the
/// version is built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatyBody {
    pub title: String,
    pub purpose: String,
    /// Node ids (`identity--<uuid>`): at least two, each once.
    pub parties: Vec<StixId>,
    pub scope: Scope,
    pub terms: Terms,
    pub resharing: Resharing,
    /// Days between a notice of termination and the end of the treaty.
    pub notice_period_days: u32,
}

/// One version of a treaty, checked and with its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Treaty {
    id: StixId,
    version: u32,
    supersedes: Option<TreatyHash>,
    proposed_by: StixId,
    created: TreatyTime,
    body: TreatyBody,
    canonical: Vec<u8>,
    hash: TreatyHash,
}

/// Why a version does not answer the version it should.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("it is treaty {found}, not {expected}")]
    OtherTreaty { expected: StixId, found: StixId },
    #[error("it is version {found}, but the answer to version {previous} is version {}", previous + 1)]
    Number { previous: u32, found: u32 },
    #[error("it supersedes {found}, but the version it answers is {expected}")]
    Supersedes { expected: TreatyHash, found: String },
}

const MEMBERS: &[&str] = &[
    "entente",
    "type",
    "id",
    "version",
    "supersedes",
    "title",
    "purpose",
    "parties",
    "proposed_by",
    "scope",
    "terms",
    "resharing",
    "notice_period_days",
    "created",
];

/// The largest notice period: a century is longer than any treaty needs.
const MAX_NOTICE_DAYS: u64 = 36_500;

impl Treaty {
    /// Parses and checks a treaty document, reporting every problem with its path.
    pub fn parse(value: &Value) -> Result<Treaty, TreatyError> {
        let mut report = Report::default();
        let treaty = read(value, &mut report);
        let mut treaty = report.finish(treaty)?;
        treaty.canonical = to_canonical_bytes(&treaty.to_value())
            .map_err(|error| TreatyError::single("", ProblemKind::Invalid(error.to_string())))?;
        treaty.hash = TreatyHash::of_canonical_bytes(&treaty.canonical);
        Ok(treaty)
    }

    /// Version 1 of a new treaty.
    pub fn draft(
        id: &StixId,
        proposed_by: &StixId,
        created: Timestamp,
        body: &TreatyBody,
    ) -> Result<Treaty, TreatyError> {
        Treaty::parse(&assemble(id, 1, None, proposed_by, &TreatyTime::from(created), body))
    }

    /// The next version, answering this one: a counter-proposal.
    pub fn counter(&self, proposed_by: &StixId, created: Timestamp, body: &TreatyBody) -> Result<Treaty, TreatyError> {
        let version = self.version.saturating_add(1);
        let created = TreatyTime::from(created);
        Treaty::parse(&assemble(&self.id, version, Some(&self.hash), proposed_by, &created, body))
    }

    /// The next version, amending this one while it is in force. The document is built
    /// exactly as a counter-proposal is; what makes it an amendment is the state of the
    /// relation it is proposed in.
    pub fn amend(&self, proposed_by: &StixId, created: Timestamp, body: &TreatyBody) -> Result<Treaty, TreatyError> {
        self.counter(proposed_by, created, body)
    }

    /// Checks that this version correctly names `previous` as the one it answers.
    pub fn answers(&self, previous: &Treaty) -> Result<(), VersionError> {
        if self.id != previous.id {
            return Err(VersionError::OtherTreaty { expected: previous.id.clone(), found: self.id.clone() });
        }
        if Some(self.version) != previous.version.checked_add(1) {
            return Err(VersionError::Number { previous: previous.version, found: self.version });
        }
        match &self.supersedes {
            Some(named) if *named == previous.hash => Ok(()),
            named => Err(VersionError::Supersedes {
                expected: previous.hash.clone(),
                found: named.as_ref().map_or_else(|| "nothing".to_owned(), ToString::to_string),
            }),
        }
    }

    /// The document as JSON, exactly as it was parsed.
    pub fn to_value(&self) -> Value {
        assemble(&self.id, self.version, self.supersedes.as_ref(), &self.proposed_by, &self.created, &self.body)
    }

    /// The RFC 8785 bytes every party signs.
    pub fn canonical_bytes(&self) -> &[u8] {
        &self.canonical
    }

    /// The SHA-256 of the canonical bytes: the treaty's identity everywhere.
    pub fn hash(&self) -> &TreatyHash {
        &self.hash
    }

    pub fn id(&self) -> &StixId {
        &self.id
    }

    pub fn version(&self) -> u32 {
        self.version
    }

    pub fn supersedes(&self) -> Option<&TreatyHash> {
        self.supersedes.as_ref()
    }

    pub fn proposed_by(&self) -> &StixId {
        &self.proposed_by
    }

    pub fn created(&self) -> &TreatyTime {
        &self.created
    }

    pub fn body(&self) -> &TreatyBody {
        &self.body
    }

    pub fn parties(&self) -> &[StixId] {
        &self.body.parties
    }

    pub fn is_party(&self, node: &StixId) -> bool {
        self.body.parties.contains(node)
    }
}

fn assemble(
    id: &StixId,
    version: u32,
    supersedes: Option<&TreatyHash>,
    proposed_by: &StixId,
    created: &TreatyTime,
    body: &TreatyBody,
) -> Value {
    let mut members = Map::new();
    let mut put = |name: &str, value: Value| members.insert(name.to_owned(), value);
    put("entente", "1".into());
    put("type", "treaty".into());
    put("id", id.as_str().into());
    put("version", version.into());
    if let Some(hash) = supersedes {
        put("supersedes", hash.as_str().into());
    }
    put("title", body.title.as_str().into());
    put("purpose", body.purpose.as_str().into());
    put("parties", body.parties.iter().map(|party| Value::from(party.as_str())).collect());
    put("proposed_by", proposed_by.as_str().into());
    put("scope", body.scope.to_value());
    put("terms", body.terms.to_value());
    put("resharing", body.resharing.to_value());
    put("notice_period_days", body.notice_period_days.into());
    put("created", created.as_str().into());
    Value::Object(members)
}

fn read(value: &Value, report: &mut Report) -> Option<Treaty> {
    let fields = Fields::open(value, "", MEMBERS, report)?;
    expect_word(&fields, "entente", "1", report);
    expect_word(&fields, "type", "treaty", report);
    let id = fields.required("id", report).and_then(|(v, p)| read_id(v, &p, "treaty", report));
    let version = fields
        .required("version", report)
        .and_then(|(v, p)| whole_number(v, &p, 1..=u64::from(u32::MAX), "a whole number of at least 1", report));
    let supersedes = read_supersedes(&fields, version, report);
    let title = fields.required("title", report).and_then(|(v, p)| prose(v, &p, 300, report));
    let purpose = fields.required("purpose", report).and_then(|(v, p)| prose(v, &p, 20_000, report));
    let parties = fields.required("parties", report).and_then(|(value, path)| {
        let parties = list(value, &path, report, |v, p, r| read_id(v, p, "identity", r), ToString::to_string)?;
        if parties.len() < 2 {
            report.invalid(&path, "must name at least two parties");
            return None;
        }
        Some(parties)
    });
    let proposed_by = fields.required("proposed_by", report).and_then(|(v, p)| read_id(v, &p, "identity", report));
    if let (Some(parties), Some(proposer)) = (&parties, &proposed_by)
        && !parties.contains(proposer)
    {
        report.invalid(&fields.path_of("proposed_by"), format!("{proposer} is not one of the parties"));
    }
    let scope = fields.required("scope", report).and_then(|(v, p)| Scope::read(v, &p, report));
    let terms = fields.required("terms", report).and_then(|(v, p)| Terms::read(v, &p, report));
    let resharing = fields.required("resharing", report).and_then(|(v, p)| Resharing::read(v, &p, report));
    let notice_period_days = fields
        .required("notice_period_days", report)
        .and_then(|(v, p)| whole_number(v, &p, 0..=MAX_NOTICE_DAYS, "a whole number of days from 0 to 36500", report));
    let created = fields.required("created", report).and_then(|(v, p)| TreatyTime::read(v, &p, report));
    let body = TreatyBody {
        title: title?,
        purpose: purpose?,
        parties: parties?,
        scope: scope?,
        terms: terms?,
        resharing: resharing?,
        notice_period_days: u32::try_from(notice_period_days?).ok()?,
    };
    Some(Treaty {
        id: id?,
        version: u32::try_from(version?).ok()?,
        supersedes: supersedes?,
        proposed_by: proposed_by?,
        created: created?,
        body,
        canonical: Vec::new(),
        hash: TreatyHash(String::new()),
    })
}

fn expect_word(fields: &Fields<'_>, name: &str, expected: &str, report: &mut Report) {
    if let Some((value, path)) = fields.required(name, report)
        && value.as_str() != Some(expected)
    {
        report.invalid(&path, format!("must be {expected:?}"));
    }
}

fn read_id(value: &Value, path: &str, object_type: &str, report: &mut Report) -> Option<StixId> {
    let text = string(value, path, report)?;
    match StixId::parse(text) {
        Ok(id) if id.object_type() == object_type => Some(id),
        Ok(_) => {
            report.invalid(path, format!("{text:?} must be an id of the form {object_type}--<uuid>"));
            None
        }
        Err(error) => {
            report.invalid(path, error.to_string());
            None
        }
    }
}

/// `supersedes` is absent exactly for version 1.
fn read_supersedes(fields: &Fields<'_>, version: Option<u64>, report: &mut Report) -> Option<Option<TreatyHash>> {
    let path = fields.path_of("supersedes");
    match (fields.optional("supersedes"), version) {
        (None, Some(1) | None) => Some(None),
        (None, Some(_)) => {
            report.invalid(&path, "is required after version 1: the hash of the version this one answers");
            None
        }
        (Some(_), Some(1)) => {
            report.invalid(&path, "must be absent in version 1, which answers nothing");
            None
        }
        (Some((value, path)), _) => {
            let text = string(value, &path, report)?;
            TreatyHash::parse(text).map(Some).map_err(|error| report.invalid(&path, error.to_string())).ok()
        }
    }
}
