//! One ledger entry, its hash, and its storage form.
//!
//! The storage form is the JSON object
//! `{"sequence", "at", "event": {"type", …}, "previous", "hash"}`; the entry's hash is
//! the `sha256:` content hash of that object without `hash`. [`Entry::from_value`] is
//! strict: a missing, mistyped, malformed or unknown member is refused and named, so a
//! stored row that was edited by hand cannot slip through as a different event.
//!
//! Deliberately not done here: checking that the hash is right or that the entry fits
//! its chain; [`verify`](super::verify) does that, and names the sequence.

use super::receipt::Receipt;
use super::{ContentHash, EntryHash};
use crate::canonical::content_hash;
use crate::keys::{KeyId, Signature};
use crate::note::NoteId;
use crate::treaty::{Disposition, TreatyHash};
use crate::{StixId, Timestamp};
use serde_json::{Map, Value, json};

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryKind {
    /// This node sent a diplomatic note.
    NoteSent { note: NoteId, to: StixId, note_hash: ContentHash },
    /// This node received a diplomatic note.
    NoteReceived { note: NoteId, from: StixId, note_hash: ContentHash },
    /// This node released an object version to a recipient under a treaty.
    Release {
        object: StixId,
        version: Timestamp,
        object_hash: ContentHash,
        recipient: StixId,
        treaty: TreatyHash,
        obligations: Vec<String>,
    },
    /// A recipient acknowledged, signed, that it holds an object version.
    Receipt(Receipt),
    /// This node received an object version from a node under a treaty.
    Receive { object: StixId, version: Timestamp, object_hash: ContentHash, from: StixId, treaty: TreatyHash },
    /// This node, the object's originator, revoked it: every version is deleted here and
    /// a tombstone goes to every node that received it.
    Revoked { object: StixId, reason: String },
    /// This node recalled an object from a node it had released it to.
    Recalled { object: StixId, from: StixId, reason: String },
    /// A tombstone signed by `issuer`, received from `from`, removed `removed` stored
    /// versions of the object here.
    Removed { object: StixId, issuer: StixId, from: StixId, removed: u64 },
    /// The treaty with `with` ended (terminated after notice, or expired) and each side
    /// is bound to do `disposition` with what it received under it. Written by both
    /// sides: for what this node released, it records what the partner must do.
    TreatyEnded { treaty: TreatyHash, with: StixId, disposition: Disposition },
    /// This node carried out a `purge` ending: it deleted `removed` object versions it
    /// had received from `from` under the treaty, and kept `retained` that it also
    /// holds under a treaty not ended by a purge, or originated.
    Purged { treaty: TreatyHash, from: StixId, removed: u64, retained: u64 },
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 0-based and contiguous.
    pub sequence: u64,
    pub at: Timestamp,
    pub kind: EntryKind,
    /// The hash of the entry before, or [`EntryHash::genesis`] for entry 0.
    pub previous: EntryHash,
    pub hash: EntryHash,
}

/// Why a stored entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("{0} is not a JSON object")]
    NotAnObject(String),
    #[error("member {0:?} is missing")]
    Missing(String),
    #[error("member {member:?} should be {expected}")]
    WrongType { member: String, expected: &'static str },
    #[error("member {0:?} is not part of a ledger entry")]
    Unknown(String),
    #[error("member {member:?} is invalid: {reason}")]
    Invalid { member: String, reason: String },
    #[error("event type {0:?} is not known")]
    UnknownEventType(String),
}

impl EntryKind {
    fn to_value(&self) -> Value {
        match self {
            EntryKind::NoteSent { note, to, note_hash } => {
                json!({"type": "note-sent", "note": note.as_str(), "to": to.as_str(), "note_hash": note_hash.as_str()})
            }
            EntryKind::NoteReceived { note, from, note_hash } => json!({
                "type": "note-received", "note": note.as_str(), "from": from.as_str(), "note_hash": note_hash.as_str()
            }),
            EntryKind::Release { object, version, object_hash, recipient, treaty, obligations } => json!({
                "type": "release", "object": object.as_str(), "version": version.to_string(),
                "object_hash": object_hash.as_str(), "recipient": recipient.as_str(), "treaty": treaty.as_str(),
                "obligations": obligations,
            }),
            EntryKind::Receipt(receipt) => json!({
                "type": "receipt", "object_hash": receipt.object_hash.as_str(),
                "recipient": receipt.recipient.as_str(), "key_id": receipt.key_id.as_str(),
                "signature": receipt.signature.encode(),
            }),
            EntryKind::Receive { object, version, object_hash, from, treaty } => json!({
                "type": "receive", "object": object.as_str(), "version": version.to_string(),
                "object_hash": object_hash.as_str(), "from": from.as_str(), "treaty": treaty.as_str(),
            }),
            EntryKind::Revoked { object, reason } => {
                json!({"type": "revoked", "object": object.as_str(), "reason": reason})
            }
            EntryKind::Recalled { object, from, reason } => {
                json!({"type": "recalled", "object": object.as_str(), "from": from.as_str(), "reason": reason})
            }
            EntryKind::Removed { object, issuer, from, removed } => json!({
                "type": "removed", "object": object.as_str(), "issuer": issuer.as_str(), "from": from.as_str(),
                "removed": removed.to_string(),
            }),
            EntryKind::TreatyEnded { treaty, with, disposition } => json!({
                "type": "treaty-ended", "treaty": treaty.as_str(), "with": with.as_str(),
                "disposition": disposition.as_str(),
            }),
            EntryKind::Purged { treaty, from, removed, retained } => json!({
                "type": "purged", "treaty": treaty.as_str(), "from": from.as_str(),
                "removed": removed.to_string(), "retained": retained.to_string(),
            }),
        }
    }

    fn from_value(value: &Value) -> Result<EntryKind, EntryError> {
        let mut members = Members::new(value, "event")?;
        let kind = match members.text("type")? {
            "note-sent" => EntryKind::NoteSent {
                note: members.parse("note", NoteId::parse)?,
                to: members.parse("to", StixId::parse)?,
                note_hash: members.parse("note_hash", ContentHash::parse)?,
            },
            "note-received" => EntryKind::NoteReceived {
                note: members.parse("note", NoteId::parse)?,
                from: members.parse("from", StixId::parse)?,
                note_hash: members.parse("note_hash", ContentHash::parse)?,
            },
            "release" => EntryKind::Release {
                object: members.parse("object", StixId::parse)?,
                version: members.parse("version", Timestamp::parse)?,
                object_hash: members.parse("object_hash", ContentHash::parse)?,
                recipient: members.parse("recipient", StixId::parse)?,
                treaty: members.parse("treaty", TreatyHash::parse)?,
                obligations: members.strings("obligations")?,
            },
            "receipt" => EntryKind::Receipt(Receipt {
                object_hash: members.parse("object_hash", ContentHash::parse)?,
                recipient: members.parse("recipient", StixId::parse)?,
                key_id: members.parse("key_id", KeyId::parse)?,
                signature: members.parse("signature", Signature::parse)?,
            }),
            "receive" => EntryKind::Receive {
                object: members.parse("object", StixId::parse)?,
                version: members.parse("version", Timestamp::parse)?,
                object_hash: members.parse("object_hash", ContentHash::parse)?,
                from: members.parse("from", StixId::parse)?,
                treaty: members.parse("treaty", TreatyHash::parse)?,
            },
            "revoked" => EntryKind::Revoked {
                object: members.parse("object", StixId::parse)?,
                reason: members.text("reason")?.to_owned(),
            },
            "recalled" => EntryKind::Recalled {
                object: members.parse("object", StixId::parse)?,
                from: members.parse("from", StixId::parse)?,
                reason: members.text("reason")?.to_owned(),
            },
            "removed" => EntryKind::Removed {
                object: members.parse("object", StixId::parse)?,
                issuer: members.parse("issuer", StixId::parse)?,
                from: members.parse("from", StixId::parse)?,
                removed: members.parse("removed", str::parse::<u64>)?,
            },
            "treaty-ended" => EntryKind::TreatyEnded {
                treaty: members.parse("treaty", TreatyHash::parse)?,
                with: members.parse("with", StixId::parse)?,
                disposition: members.parse("disposition", parse_disposition)?,
            },
            "purged" => EntryKind::Purged {
                treaty: members.parse("treaty", TreatyHash::parse)?,
                from: members.parse("from", StixId::parse)?,
                removed: members.parse("removed", str::parse::<u64>)?,
                retained: members.parse("retained", str::parse::<u64>)?,
            },
            other => return Err(EntryError::UnknownEventType(other.to_owned())),
        };
        members.finish()?;
        Ok(kind)
    }
}

fn parse_disposition(text: &str) -> Result<Disposition, String> {
    Disposition::ALL
        .iter()
        .copied()
        .find(|disposition| disposition.as_str() == text)
        .ok_or_else(|| format!("{text:?} is not one of: purge, keep"))
}

impl Entry {
    /// Builds an entry and computes its hash. [`Ledger::append`](super::Ledger::append)
    /// is the normal way in; this is for callers that rebuild a chain.
    pub fn seal(sequence: u64, at: Timestamp, kind: EntryKind, previous: EntryHash) -> Entry {
        let mut entry = Entry { sequence, at, kind, previous, hash: EntryHash::genesis() };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The hash this entry should carry: over every member except `hash` itself.
    pub fn compute_hash(&self) -> EntryHash {
        let mut value = self.to_value();
        if let Value::Object(members) = &mut value {
            members.remove("hash");
        }
        // Strings, integers and arrays of strings always have a canonical form.
        EntryHash(content_hash(&value).expect("a ledger entry always canonicalises"))
    }

    /// The storage form.
    pub fn to_value(&self) -> Value {
        json!({
            "sequence": self.sequence,
            "at": self.at.to_string(),
            "event": self.kind.to_value(),
            "previous": self.previous.as_str(),
            "hash": self.hash.as_str(),
        })
    }

    /// Reads the storage form strictly. The hash is read, not checked.
    pub fn from_value(value: &Value) -> Result<Entry, EntryError> {
        let mut members = Members::new(value, "entry")?;
        let sequence = members.take("sequence")?;
        let sequence = sequence
            .as_u64()
            .ok_or(EntryError::WrongType { member: "sequence".into(), expected: "an unsigned integer" })?;
        let entry = Entry {
            sequence,
            at: members.parse("at", Timestamp::parse)?,
            kind: EntryKind::from_value(members.take("event")?)?,
            previous: members.parse("previous", EntryHash::parse)?,
            hash: members.parse("hash", EntryHash::parse)?,
        };
        members.finish()?;
        Ok(entry)
    }
}

/// The members of one JSON object, taken one by one, so that whatever is left at the
/// end is an unknown member.
struct Members<'a> {
    map: Map<String, Value>,
    source: &'a Map<String, Value>,
    path: &'static str,
}

impl<'a> Members<'a> {
    fn new(value: &'a Value, path: &'static str) -> Result<Members<'a>, EntryError> {
        let source = value.as_object().ok_or_else(|| EntryError::NotAnObject(path.to_owned()))?;
        Ok(Members { map: source.clone(), source, path })
    }

    fn name(&self, member: &str) -> String {
        if self.path == "entry" { member.to_owned() } else { format!("{}.{member}", self.path) }
    }

    fn take(&mut self, member: &str) -> Result<&'a Value, EntryError> {
        self.map.remove(member);
        self.source.get(member).ok_or_else(|| EntryError::Missing(self.name(member)))
    }

    fn text(&mut self, member: &str) -> Result<&'a str, EntryError> {
        let value = self.take(member)?;
        value.as_str().ok_or_else(|| EntryError::WrongType { member: self.name(member), expected: "a string" })
    }

    fn parse<T, E: std::fmt::Display>(
        &mut self,
        member: &str,
        parser: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, EntryError> {
        let text = self.text(member)?;
        parser(text).map_err(|error| EntryError::Invalid { member: self.name(member), reason: error.to_string() })
    }

    fn strings(&mut self, member: &str) -> Result<Vec<String>, EntryError> {
        let name = self.name(member);
        let wrong = || EntryError::WrongType { member: name.clone(), expected: "an array of strings" };
        let items = self.take(member)?.as_array().ok_or_else(wrong)?;
        items.iter().map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong)).collect()
    }

    fn finish(self) -> Result<(), EntryError> {
        match self.map.keys().next() {
            Some(member) => Err(EntryError::Unknown(self.name(member))),
            None => Ok(()),
        }
    }
}
