//! Diplomatic notes: the signed messages nodes exchange to move a relation or a treaty.
//!
//! Wire form (protocol version `"1"`), one JSON object:
//!
//! ```json
//! {"entente": "1", "id": "note--<uuid>", "kind": "propose",
//!  "sender": "identity--…", "recipient": "identity--…", "key_id": "ed25519:…",
//!  "created": "2025-01-01T00:00:00.000Z", "in_reply_to": "note--…",
//!  "body": {…}, "signature": "<base64url>"}
//! ```
//!
//! The canonical form is the note object without its `signature` member, in RFC 8785
//! bytes; the signature is Ed25519 over those bytes by the sender's key `key_id`.
//! `in_reply_to` is absent when the note answers nothing. Bodies are described in
//! [`NoteBody`].
//!
//! Invariants: a [`Note`] is either one this node signed ([`UnsignedNote::sign`]) or
//! one that passed [`verify`], which alone makes a [`Verified<Note>`]. A note keeps
//! its JSON exactly as signed, so it can be stored and re-sent without re-encoding.
//!
//! What it deliberately does not do: decide what a note means for a relation or a
//! treaty (the relation and treaty modules do), or record anything: the caller
//! records a note as seen only after `verify` returned `Ok`.

mod body;
mod directory;
mod error;
mod kind;
mod rotation;
mod signatures;
mod verify;
mod wire;

pub use body::{BodyError, NoteBody, PartySignature, Reason};
pub use directory::{DirectoryError, MemoryDirectory, NoteDirectory, PinnedKey};
pub use error::NoteError;
pub use kind::{KindError, NoteKind};
pub use rotation::{Rotation, RotationError};
pub use signatures::carried_signatures;
pub use verify::{DEFAULT_SKEW_SECONDS, Verified, VerifyContext, read_recorded, verify};

use crate::canonical::to_canonical_bytes;
use crate::id::IdError;
use crate::keys::{KeyId, Signature};
use crate::node::NodeKey;
use crate::{StixId, Timestamp};
use serde_json::{Value, json};
use std::fmt;

/// The protocol version every Entente document carries in its `entente` member.
pub const PROTOCOL_VERSION: &str = "1";

/// The largest note accepted, in bytes of JSON text.
pub const MAX_NOTE_BYTES: usize = 1024 * 1024;

/// A note's id: `note--<uuid>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NoteId(StixId);

impl NoteId {
    pub fn parse(text: &str) -> Result<NoteId, IdError> {
        let id = StixId::parse(text)?;
        if id.object_type() != "note" {
            return Err(IdError { text: text.to_owned(), reason: "a note id has the form note--<uuid>" });
        }
        Ok(NoteId(id))
    }

    /// A note id from a UUID the caller made (the core draws no randomness).
    pub fn from_uuid(uuid: uuid::Uuid) -> Result<NoteId, IdError> {
        StixId::from_parts("note", uuid).map(NoteId)
    }

    /// A random (version 4) note id from 16 random bytes the caller drew.
    pub fn from_random_bytes(bytes: [u8; 16]) -> NoteId {
        let uuid = uuid::Builder::from_random_bytes(bytes).into_uuid();
        NoteId(StixId::from_parts("note", uuid).expect("a version 4 UUID always makes a valid STIX id"))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl fmt::Display for NoteId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A note this node is about to send.
#[derive(Debug, Clone, PartialEq)]
pub struct UnsignedNote {
    pub id: NoteId,
    pub sender: StixId,
    pub recipient: StixId,
    pub created: Timestamp,
    pub in_reply_to: Option<NoteId>,
    /// The body, which also gives the note's kind.
    pub body: NoteBody,
}

impl UnsignedNote {
    /// The note object as it will be signed by `key_id`: everything but `signature`.
    pub fn to_json(&self, key_id: &KeyId) -> Value {
        let mut note = json!({
            "entente": PROTOCOL_VERSION,
            "id": self.id.as_str(),
            "kind": self.body.kind().as_str(),
            "sender": self.sender.as_str(),
            "recipient": self.recipient.as_str(),
            "key_id": key_id.as_str(),
            "created": self.created.to_string(),
            "body": self.body.to_json(),
        });
        if let Some(answered) = &self.in_reply_to {
            note["in_reply_to"] = json!(answered.as_str());
        }
        note
    }

    /// Signs the note with `key` (for `rotate-key`, the old key).
    pub fn sign(self, key: &NodeKey) -> SignedNote {
        let key_id = key.key_id();
        let mut document = self.to_json(&key_id);
        let bytes = to_canonical_bytes(&document).expect("a JSON value always has a canonical form");
        let signature = key.sign(&bytes);
        document["signature"] = json!(signature.encode());
        SignedNote(Note {
            id: self.id,
            sender: self.sender,
            recipient: self.recipient,
            key_id,
            created: self.created,
            in_reply_to: self.in_reply_to,
            body: self.body,
            signature,
            document,
        })
    }
}

/// A note this node signed, ready to record and send.
#[derive(Debug, Clone, PartialEq)]
pub struct SignedNote(Note);

impl SignedNote {
    /// The wire text.
    pub fn to_json(&self) -> String {
        self.0.to_json()
    }

    pub fn note(&self) -> &Note {
        &self.0
    }

    pub fn into_note(self) -> Note {
        self.0
    }
}

/// A diplomatic note with its typed body and its signed JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    id: NoteId,
    sender: StixId,
    recipient: StixId,
    key_id: KeyId,
    created: Timestamp,
    in_reply_to: Option<NoteId>,
    body: NoteBody,
    signature: Signature,
    document: Value,
}

impl Note {
    pub fn id(&self) -> &NoteId {
        &self.id
    }

    pub fn kind(&self) -> NoteKind {
        self.body.kind()
    }

    pub fn sender(&self) -> &StixId {
        &self.sender
    }

    pub fn recipient(&self) -> &StixId {
        &self.recipient
    }

    /// The id of the key that signed the note.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    pub fn created(&self) -> Timestamp {
        self.created
    }

    pub fn in_reply_to(&self) -> Option<&NoteId> {
        self.in_reply_to.as_ref()
    }

    pub fn body(&self) -> &NoteBody {
        &self.body
    }

    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The signed note as a JSON value, exactly as signed.
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// The wire text (compact; member order is irrelevant to the signature).
    pub fn to_json(&self) -> String {
        self.document.to_string()
    }
}
