//! Parties' signatures on a treaty, and the one check that says a treaty is in force.
//!
//! A [`TreatySignature`] is an Ed25519 signature by one party over the treaty's
//! canonical bytes; it names the treaty's hash, the party and the key, so it can travel
//! on its own (in a `sign` note, or forwarded by another party) and be checked anywhere.
//!
//! Invariants: a [`SignedTreaty`] holds only signatures that verified against the key
//! its caller vouched for when they were added, so counting them is enough later.
//! [`InForce`] is a proof: only [`SignedTreaty::is_in_force`] makes one, after checking
//! that every party has signed and that `now` is within the treaty's dates
//! (`start_date <= now < end_date`). Expiry needs no act: past `end_date` the check
//! fails by itself.
//!
//! Not here: which key belongs to which party (the caller looks up the pinned key of
//! the signing party) and the relation each signature arrived through.

use super::document::{Treaty, TreatyHash};
use super::fields::{Fields, ProblemKind, Report, TreatyError, child, string};
use crate::keys::{KeyError, KeyId, PublicKey, Signature};
use crate::node::NodeKey;
use crate::{StixId, Timestamp};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One party's signature over one treaty version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreatySignature {
    pub treaty: TreatyHash,
    pub party: StixId,
    pub key_id: KeyId,
    pub signature: Signature,
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("{0} is not a party to the treaty")]
    NotAParty(StixId),
    #[error("the signature is for treaty {found}, not {expected}")]
    OtherTreaty { expected: TreatyHash, found: TreatyHash },
    #[error("the signature names key {named}, but the key given is {given}")]
    OtherKey { named: KeyId, given: KeyId },
    #[error(transparent)]
    Key(#[from] KeyError),
}

impl TreatySignature {
    pub fn to_value(&self) -> Value {
        json!({
            "treaty": self.treaty.as_str(),
            "party": self.party.as_str(),
            "key_id": self.key_id.as_str(),
            "signature": self.signature.encode(),
        })
    }

    /// Parses the wire form; whether the signature verifies is checked separately.
    pub fn parse(value: &Value) -> Result<TreatySignature, TreatyError> {
        let mut report = Report::default();
        let signature = read_signature(value, "", &mut report);
        report.finish(signature)
    }
}

fn read_signature(value: &Value, path: &str, report: &mut Report) -> Option<TreatySignature> {
    let fields = Fields::open(value, path, &["treaty", "party", "key_id", "signature"], report)?;
    let text = |name: &str, report: &mut Report| {
        let (value, path) = fields.required(name, report)?;
        Some((string(value, &path, report)?.to_owned(), path))
    };
    let invalid = |report: &mut Report, path: &str, error: String| report.invalid(path, error);
    let treaty = text("treaty", report)
        .and_then(|(t, p)| TreatyHash::parse(&t).map_err(|e| invalid(report, &p, e.to_string())).ok());
    let party =
        text("party", report).and_then(|(t, p)| StixId::parse(&t).map_err(|e| invalid(report, &p, e.to_string())).ok());
    let key_id =
        text("key_id", report).and_then(|(t, p)| KeyId::parse(&t).map_err(|e| invalid(report, &p, e.to_string())).ok());
    let signature = text("signature", report)
        .and_then(|(t, p)| Signature::parse(&t).map_err(|e| invalid(report, &p, e.to_string())).ok());
    Some(TreatySignature { treaty: treaty?, party: party?, key_id: key_id?, signature: signature? })
}

/// Signs `treaty` as `party` with the node's key.
pub fn sign(treaty: &Treaty, party: &StixId, key: &NodeKey) -> Result<TreatySignature, SignatureError> {
    if !treaty.is_party(party) {
        return Err(SignatureError::NotAParty(party.clone()));
    }
    Ok(TreatySignature {
        treaty: treaty.hash().clone(),
        party: party.clone(),
        key_id: key.key_id(),
        signature: key.sign(treaty.canonical_bytes()),
    })
}

/// Checks `signature` on `treaty` with `key`, the key pinned for the signing party.
pub fn verify_signature(treaty: &Treaty, signature: &TreatySignature, key: &PublicKey) -> Result<(), SignatureError> {
    if signature.treaty != *treaty.hash() {
        return Err(SignatureError::OtherTreaty { expected: treaty.hash().clone(), found: signature.treaty.clone() });
    }
    if !treaty.is_party(&signature.party) {
        return Err(SignatureError::NotAParty(signature.party.clone()));
    }
    if signature.key_id != key.key_id() {
        return Err(SignatureError::OtherKey { named: signature.key_id.clone(), given: key.key_id() });
    }
    Ok(key.verify(treaty.canonical_bytes(), &signature.signature)?)
}

/// A treaty version and the verified signatures collected on it so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTreaty {
    treaty: Treaty,
    signatures: BTreeMap<StixId, TreatySignature>,
}

/// Why a treaty is not in force at a given instant.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotInForce {
    #[error("not signed yet by {}", list(missing))]
    Unsigned { missing: Vec<StixId> },
    #[error("its start date {start} has not come")]
    NotStarted { start: Timestamp },
    #[error("it ended on {end}")]
    Ended { end: Timestamp },
}

fn list(parties: &[StixId]) -> String {
    parties.iter().map(StixId::as_str).collect::<Vec<_>>().join(", ")
}

/// Proof that a treaty was in force when checked; made only by [`SignedTreaty::is_in_force`].
#[derive(Clone, Copy, Debug)]
pub struct InForce<'a> {
    treaty: &'a SignedTreaty,
    checked_at: Timestamp,
}

impl<'a> InForce<'a> {
    pub fn treaty(&self) -> &'a SignedTreaty {
        self.treaty
    }

    pub fn checked_at(&self) -> Timestamp {
        self.checked_at
    }
}

impl SignedTreaty {
    /// A treaty with no signatures yet.
    pub fn new(treaty: Treaty) -> SignedTreaty {
        SignedTreaty { treaty, signatures: BTreeMap::new() }
    }

    pub fn treaty(&self) -> &Treaty {
        &self.treaty
    }

    pub fn hash(&self) -> &TreatyHash {
        self.treaty.hash()
    }

    /// The signatures, ordered by party.
    pub fn signatures(&self) -> impl Iterator<Item = &TreatySignature> {
        self.signatures.values()
    }

    pub fn signature_of(&self, party: &StixId) -> Option<&TreatySignature> {
        self.signatures.get(party)
    }

    /// Verifies `signature` with `key` (the signing party's pinned key) and keeps it.
    pub fn add_signature(&mut self, signature: TreatySignature, key: &PublicKey) -> Result<(), SignatureError> {
        verify_signature(&self.treaty, &signature, key)?;
        self.keep(signature);
        Ok(())
    }

    /// Takes the signatures `other` holds on the same text (they were verified when
    /// added there). Merging in any order gives the same result.
    pub fn merge(&mut self, other: &SignedTreaty) -> Result<(), SignatureError> {
        if other.hash() != self.hash() {
            return Err(SignatureError::OtherTreaty { expected: self.hash().clone(), found: other.hash().clone() });
        }
        for signature in other.signatures.values() {
            self.keep(signature.clone());
        }
        Ok(())
    }

    /// Keeps one signature per party. When a party signed twice (with two keys, say),
    /// the smaller encoding wins, so that both sides of a relation keep the same one
    /// whatever order the signatures arrived in.
    fn keep(&mut self, signature: TreatySignature) {
        let replace = match self.signatures.get(&signature.party) {
            Some(held) => signature.signature.encode() < held.signature.encode(),
            None => true,
        };
        if replace {
            self.signatures.insert(signature.party.clone(), signature);
        }
    }

    /// The parties whose signature is still missing, in the treaty's order.
    pub fn missing_parties(&self) -> Vec<StixId> {
        self.treaty.parties().iter().filter(|party| !self.signatures.contains_key(*party)).cloned().collect()
    }

    /// In force: every party has signed and `start_date <= now < end_date`.
    pub fn is_in_force(&self, now: Timestamp) -> Result<InForce<'_>, NotInForce> {
        let missing = self.missing_parties();
        if !missing.is_empty() {
            return Err(NotInForce::Unsigned { missing });
        }
        let terms = &self.treaty.body().terms;
        if now < terms.start_date.instant() {
            return Err(NotInForce::NotStarted { start: terms.start_date.instant() });
        }
        if let Some(end) = &terms.end_date
            && now >= end.instant()
        {
            return Err(NotInForce::Ended { end: end.instant() });
        }
        Ok(InForce { treaty: self, checked_at: now })
    }

    /// `{"treaty": …, "signatures": [...]}`, the form `entente treaty show|verify` read.
    pub fn to_value(&self) -> Value {
        json!({
            "treaty": self.treaty.to_value(),
            "signatures": self.signatures.values().map(TreatySignature::to_value).collect::<Vec<_>>(),
        })
    }

    /// Reads the form [`SignedTreaty::to_value`] writes, verifying each signature with
    /// the key `key_of(party, key_id)` returns; a signature whose key is unknown is an
    /// error, never silently dropped.
    pub fn from_value(
        value: &Value,
        key_of: impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<SignedTreaty, SignedTreatyError> {
        let mut report = Report::default();
        let fields = Fields::open(value, "", &["treaty", "signatures"], &mut report);
        let treaty = fields.as_ref().and_then(|f| f.required("treaty", &mut report));
        let signatures = fields.as_ref().and_then(|f| f.required("signatures", &mut report)).and_then(|(v, p)| {
            let items = v.as_array().or_else(|| {
                report.add(&p, ProblemKind::WrongType("an array"));
                None
            })?;
            let read: Vec<_> = items
                .iter()
                .enumerate()
                .map(|(i, item)| read_signature(item, &format!("{p}[{i}]"), &mut report))
                .collect();
            read.into_iter().collect::<Option<Vec<_>>>()
        });
        let ((treaty, treaty_path), signatures) = report.finish(treaty.zip(signatures))?;
        let treaty = Treaty::parse(treaty).map_err(|mut error| {
            for problem in &mut error.problems {
                problem.path = child(&treaty_path, &problem.path);
            }
            error
        })?;
        let mut signed = SignedTreaty::new(treaty);
        for signature in signatures {
            let key = key_of(&signature.party, &signature.key_id).ok_or_else(|| SignedTreatyError::UnknownKey {
                party: signature.party.clone(),
                key_id: signature.key_id.clone(),
            })?;
            let party = signature.party.clone();
            signed.add_signature(signature, &key).map_err(|error| SignedTreatyError::Signature { party, error })?;
        }
        Ok(signed)
    }
}

/// Why a signed treaty file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedTreatyError {
    #[error(transparent)]
    Document(#[from] TreatyError),
    #[error("no key {key_id} is known for {party}")]
    UnknownKey { party: StixId, key_id: KeyId },
    #[error("the signature of {party} is refused: {error}")]
    Signature { party: StixId, error: SignatureError },
}
