//! Reading a note's envelope from untrusted text: size, JSON, version and shape.
//!
//! The envelope is every member but the body, parsed into newtypes; the body stays a
//! JSON value until the last check of [`verify`](super::verify) gives it its type.
//! The JSON document is kept as received so the canonical bytes are those of the
//! members the sender signed, whatever whitespace or member order travelled.

use super::{MAX_NOTE_BYTES, NoteBody, NoteError, NoteId, NoteKind, PROTOCOL_VERSION};
use crate::canonical::to_canonical_bytes;
use crate::card::non_null;
use crate::keys::{KeyId, Signature};
use crate::{StixId, Timestamp};
use serde::Deserialize;
use serde_json::Value;

/// A note whose envelope was parsed but whose signature and body are unchecked.
#[derive(Debug)]
pub(super) struct Envelope {
    pub id: NoteId,
    pub kind: NoteKind,
    pub sender: StixId,
    pub recipient: StixId,
    pub key_id: KeyId,
    pub created: Timestamp,
    pub in_reply_to: Option<NoteId>,
    pub body: Value,
    pub signature: Signature,
    pub document: Value,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteWire {
    #[serde(rename = "entente")]
    _version: String,
    id: String,
    kind: String,
    sender: String,
    recipient: String,
    key_id: String,
    created: String,
    #[serde(default, deserialize_with = "non_null")]
    in_reply_to: Option<String>,
    body: Value,
    signature: String,
}

fn malformed(member: &str, error: &impl ToString) -> NoteError {
    NoteError::Malformed(format!("`{member}`: {}", error.to_string()))
}

fn node_id(member: &str, text: &str) -> Result<StixId, NoteError> {
    let id = StixId::parse(text).map_err(|error| malformed(member, &error))?;
    if id.object_type() != "identity" {
        return Err(malformed(member, &"a node id has the form identity--<uuid>"));
    }
    Ok(id)
}

/// Checks size, JSON, protocol version and envelope shape, in that order.
pub(super) fn read_envelope(text: &str) -> Result<Envelope, NoteError> {
    if text.len() > MAX_NOTE_BYTES {
        return Err(NoteError::TooLarge { limit: MAX_NOTE_BYTES });
    }
    let document: Value =
        serde_json::from_str(text).map_err(|error| NoteError::Malformed(format!("not JSON: {error}")))?;
    if !document.is_object() {
        return Err(NoteError::Malformed("a note is a JSON object".into()));
    }
    match document.get("entente") {
        Some(Value::String(version)) if version == PROTOCOL_VERSION => {}
        Some(Value::String(version)) => return Err(NoteError::UnsupportedVersion(version.clone())),
        Some(_) | None => return Err(malformed("entente", &"missing, or not a version string")),
    }
    let wire = NoteWire::deserialize(&document).map_err(|error| NoteError::Malformed(error.to_string()))?;
    Ok(Envelope {
        id: NoteId::parse(&wire.id).map_err(|error| malformed("id", &error))?,
        kind: NoteKind::parse(&wire.kind).map_err(|error| malformed("kind", &error))?,
        sender: node_id("sender", &wire.sender)?,
        recipient: node_id("recipient", &wire.recipient)?,
        key_id: KeyId::parse(&wire.key_id).map_err(|error| malformed("key_id", &error))?,
        created: Timestamp::parse(&wire.created).map_err(|error| malformed("created", &error))?,
        in_reply_to: match wire.in_reply_to {
            Some(text) => Some(NoteId::parse(&text).map_err(|error| malformed("in_reply_to", &error))?),
            None => None,
        },
        body: wire.body,
        signature: Signature::parse(&wire.signature).map_err(|error| malformed("signature", &error))?,
        document,
    })
}

impl Envelope {
    /// The RFC 8785 bytes of the note without its signature: what the sender signed.
    pub fn canonical_bytes(&self) -> Result<Vec<u8>, NoteError> {
        let mut unsigned = self.document.clone();
        if let Some(members) = unsigned.as_object_mut() {
            members.remove("signature");
        }
        to_canonical_bytes(&unsigned).map_err(|error| NoteError::Malformed(error.to_string()))
    }

    /// The note, once every check passed and the body has its type.
    pub fn into_note(self, body: NoteBody) -> super::Note {
        super::Note {
            id: self.id,
            sender: self.sender,
            recipient: self.recipient,
            key_id: self.key_id,
            created: self.created,
            in_reply_to: self.in_reply_to,
            body,
            signature: self.signature,
            document: self.document,
        }
    }
}
