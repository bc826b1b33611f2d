//! Signed acts: the only events that change an alliance.
//!
//! Five kinds, one envelope. Every act names the alliance and the charter hash, the
//! node that makes it (`by`), its creation time, the key that signs it and the
//! signature; the rest depends on the kind:
//!
//! - `alliance-signature`: a founder signs the charter;
//! - `alliance-proposal`: a member proposes to `admit` or `expel` a node, at a
//!   membership version;
//! - `alliance-vote`: a member votes `yes` or `no` on a proposal, at a membership version;
//! - `alliance-accession`: a candidate accepts the charter for the admission proposal
//!   that names it (no one becomes a member without signing the charter);
//! - `alliance-withdrawal`: a member leaves, at a membership version.
//!
//! Invariants: the signature covers the canonical (RFC 8785) bytes of the act without
//! its `signature` member, and the act's hash is the SHA-256 of exactly those bytes, so
//! an act is named by what its author signed. A [`SignedAct`] exists only through
//! [`SignedAct::parse`] or [`Act::sign`]; that it *verifies* is checked separately,
//! with the key the caller vouches for ([`SignedAct::verify`]).
//!
//! Not here: whether an act is allowed now (`fold`).

use super::wire::{AllianceDocumentError, AllianceHash, expect_word, hash, node_id, required, seal, version};
use crate::StixId;
use crate::canonical::CanonicalError;
use crate::keys::{KeyError, KeyId, PublicKey, Signature};
use crate::node::NodeKey;
use crate::treaty::TreatyTime;
use crate::treaty::fields::{Fields, ProblemKind, Report, Word, string, word};
use serde_json::{Map, Value};

const DOCUMENT: &str = "alliance act";

/// A membership version an act applies to: its number and its hash, so that an act
/// made for one version cannot be replayed on another.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VersionRef {
    pub version: u32,
    pub membership: AllianceHash,
}

/// What a proposal would do to its subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProposalAction {
    Admit,
    Expel,
}

/// A vote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ballot {
    Yes,
    No,
}

impl Word for ProposalAction {
    const ALL: &'static [ProposalAction] = &[ProposalAction::Admit, ProposalAction::Expel];
    fn as_str(self) -> &'static str {
        match self {
            ProposalAction::Admit => "admit",
            ProposalAction::Expel => "expel",
        }
    }
}

impl Word for Ballot {
    const ALL: &'static [Ballot] = &[Ballot::Yes, Ballot::No];
    fn as_str(self) -> &'static str {
        match self {
            Ballot::Yes => "yes",
            Ballot::No => "no",
        }
    }
}

impl ProposalAction {
    pub fn as_str(self) -> &'static str {
        Word::as_str(self)
    }
}

impl Ballot {
    pub fn as_str(self) -> &'static str {
        Word::as_str(self)
    }
}

/// What an act does, with the members only that kind has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActBody {
    /// `alliance-signature`: a founder signs the charter.
    Signature,
    /// `alliance-proposal`.
    Proposal { action: ProposalAction, subject: StixId, at: VersionRef },
    /// `alliance-vote`.
    Vote { proposal: AllianceHash, ballot: Ballot, at: VersionRef },
    /// `alliance-accession`: the candidate of `proposal` accepts the charter.
    Accession { proposal: AllianceHash },
    /// `alliance-withdrawal`.
    Withdrawal { at: VersionRef },
}

impl ActBody {
    /// The wire `type`.
    pub fn type_name(&self) -> &'static str {
        match self {
            ActBody::Signature => "alliance-signature",
            ActBody::Proposal { .. } => "alliance-proposal",
            ActBody::Vote { .. } => "alliance-vote",
            ActBody::Accession { .. } => "alliance-accession",
            ActBody::Withdrawal { .. } => "alliance-withdrawal",
        }
    }

    /// The membership version the act names, for the kinds that name one.
    pub fn version_ref(&self) -> Option<&VersionRef> {
        match self {
            ActBody::Proposal { at, .. } | ActBody::Vote { at, .. } | ActBody::Withdrawal { at } => Some(at),
            ActBody::Signature | ActBody::Accession { .. } => None,
        }
    }
}

/// An act before it is signed. The fields are plain data: the fold checks them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Act {
    pub alliance: StixId,
    pub charter: AllianceHash,
    /// The node that makes the act and signs it.
    pub by: StixId,
    pub created: TreatyTime,
    pub body: ActBody,
}

/// An act with its signature, its signed bytes and its hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedAct {
    act: Act,
    key_id: KeyId,
    signature: Signature,
    signed_bytes: Vec<u8>,
    hash: AllianceHash,
}

impl Act {
    /// Signs the act with `key` (the key of `by`).
    pub fn sign(self, key: &NodeKey) -> Result<SignedAct, CanonicalError> {
        let key_id = key.key_id();
        let signed_bytes = crate::canonical::to_canonical_bytes(&unsigned_value(&self, &key_id))?;
        let hash = AllianceHash::of_canonical_bytes(&signed_bytes);
        let signature = key.sign(&signed_bytes);
        Ok(SignedAct { act: self, key_id, signature, signed_bytes, hash })
    }
}

impl SignedAct {
    /// Parses the wire form; the signature is checked by [`SignedAct::verify`].
    pub fn parse(value: &Value) -> Result<SignedAct, AllianceDocumentError> {
        let mut report = Report::default();
        let parsed = read(value, &mut report);
        let (act, key_id, signature) =
            report.finish(parsed).map_err(|error| AllianceDocumentError::from_report(DOCUMENT, error))?;
        let (signed_bytes, hash) = seal(DOCUMENT, &unsigned_value(&act, &key_id))?;
        Ok(SignedAct { act, key_id, signature, signed_bytes, hash })
    }

    /// Checks the signature with `key`, the key the caller holds for `by`.
    pub fn verify(&self, key: &PublicKey) -> Result<(), KeyError> {
        if key.key_id() != self.key_id {
            return Err(KeyError::BadSignature(key.key_id()));
        }
        key.verify(&self.signed_bytes, &self.signature)
    }

    /// The wire form, signature included.
    pub fn to_value(&self) -> Value {
        let mut value = unsigned_value(&self.act, &self.key_id);
        if let Value::Object(members) = &mut value {
            members.insert("signature".into(), self.signature.encode().into());
        }
        value
    }

    pub fn act(&self) -> &Act {
        &self.act
    }

    pub fn by(&self) -> &StixId {
        &self.act.by
    }

    pub fn body(&self) -> &ActBody {
        &self.act.body
    }

    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The SHA-256 of the signed bytes: the act's name in votes and memberships.
    pub fn hash(&self) -> &AllianceHash {
        &self.hash
    }

    /// The canonical bytes the signature covers.
    pub fn signed_bytes(&self) -> &[u8] {
        &self.signed_bytes
    }
}

fn unsigned_value(act: &Act, key_id: &KeyId) -> Value {
    let mut members = Map::new();
    let mut put = |name: &str, value: Value| members.insert(name.to_owned(), value);
    put("entente", "1".into());
    put("type", act.body.type_name().into());
    put("alliance", act.alliance.as_str().into());
    put("charter", act.charter.as_str().into());
    put("by", act.by.as_str().into());
    match &act.body {
        ActBody::Signature => {}
        ActBody::Proposal { action, subject, at } => {
            put("action", action.as_str().into());
            put("subject", subject.as_str().into());
            put_version(&mut put, at);
        }
        ActBody::Vote { proposal, ballot, at } => {
            put("proposal", proposal.as_str().into());
            put("vote", ballot.as_str().into());
            put_version(&mut put, at);
        }
        ActBody::Accession { proposal } => {
            put("proposal", proposal.as_str().into());
        }
        ActBody::Withdrawal { at } => put_version(&mut put, at),
    }
    put("created", act.created.as_str().into());
    put("key_id", key_id.as_str().into());
    Value::Object(members)
}

fn put_version(put: &mut impl FnMut(&str, Value) -> Option<Value>, at: &VersionRef) {
    put("version", at.version.into());
    put("membership", at.membership.as_str().into());
}

const COMMON: &[&str] = &["entente", "type", "alliance", "charter", "by", "created", "key_id", "signature"];

/// The members each kind adds to the common ones.
fn kind_members(type_name: &str) -> Option<&'static [&'static str]> {
    Some(match type_name {
        "alliance-signature" => &[],
        "alliance-proposal" => &["action", "subject", "version", "membership"],
        "alliance-vote" => &["proposal", "vote", "version", "membership"],
        "alliance-accession" => &["proposal"],
        "alliance-withdrawal" => &["version", "membership"],
        _ => return None,
    })
}

const TYPES: &str = "alliance-signature, alliance-proposal, alliance-vote, alliance-accession, alliance-withdrawal";

fn read(value: &Value, report: &mut Report) -> Option<(Act, KeyId, Signature)> {
    if !value.is_object() {
        report.add("", ProblemKind::WrongType("an object"));
        return None;
    }
    let type_name = match value.get("type") {
        None => {
            report.add("type", ProblemKind::Missing);
            return None;
        }
        Some(type_value) => string(type_value, "type", report)?,
    };
    let Some(extra) = kind_members(type_name) else {
        report.add("type", ProblemKind::NotOneOf { found: type_name.to_owned(), allowed: TYPES.to_owned() });
        return None;
    };
    let known: Vec<&str> = COMMON.iter().chain(extra).copied().collect();
    let fields = Fields::open(value, "", &known, report)?;
    expect_word(&fields, "entente", "1", report);
    let alliance = required(&fields, "alliance", report, node_id);
    let charter = required(&fields, "charter", report, hash);
    let by = required(&fields, "by", report, node_id);
    let created = required(&fields, "created", report, TreatyTime::read);
    let key_id = required(&fields, "key_id", report, |v, p, r| {
        KeyId::parse(string(v, p, r)?).map_err(|error| r.invalid(p, error.to_string())).ok()
    });
    let signature = required(&fields, "signature", report, |v, p, r| {
        Signature::parse(string(v, p, r)?).map_err(|error| r.invalid(p, error.to_string())).ok()
    });
    let body = read_body(type_name, &fields, report);
    let act = Act { alliance: alliance?, charter: charter?, by: by?, created: created?, body: body? };
    Some((act, key_id?, signature?))
}

fn read_body(type_name: &str, fields: &Fields<'_>, report: &mut Report) -> Option<ActBody> {
    let at = |report: &mut Report| {
        let version = required(fields, "version", report, version);
        let membership = required(fields, "membership", report, hash);
        Some(VersionRef { version: version?, membership: membership? })
    };
    match type_name {
        "alliance-proposal" => {
            let action = required(fields, "action", report, word);
            let subject = required(fields, "subject", report, node_id);
            let at = at(report);
            Some(ActBody::Proposal { action: action?, subject: subject?, at: at? })
        }
        "alliance-vote" => {
            let proposal = required(fields, "proposal", report, hash);
            let ballot = required(fields, "vote", report, word);
            let at = at(report);
            Some(ActBody::Vote { proposal: proposal?, ballot: ballot?, at: at? })
        }
        "alliance-accession" => Some(ActBody::Accession { proposal: required(fields, "proposal", report, hash)? }),
        "alliance-withdrawal" => Some(ActBody::Withdrawal { at: at(report)? }),
        _ => Some(ActBody::Signature),
    }
}
