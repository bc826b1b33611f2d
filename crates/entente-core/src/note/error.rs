//! Why a diplomatic note was refused.
//!
//! Each variant is one check of [`verify`](super::verify), in the order they run, and
//! has a stable [`NoteError::code`]: the federation endpoint returns it to the sender
//! and operators grep logs for it, so codes never change meaning once published.

use super::{BodyError, NoteId};
use crate::card::CardError;
use crate::keys::KeyId;
use crate::{StixId, Timestamp};

/// A refused note, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("note is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("malformed note: {0}")]
    Malformed(String),
    #[error("note speaks protocol version {0:?}; this node speaks \"1\"")]
    UnsupportedVersion(String),
    #[error("note is addressed to {recipient}, not to this node")]
    Misaddressed { recipient: StixId },
    #[error("no key is pinned for sender {0}, and the note is not a recognize note")]
    UnknownSender(StixId),
    #[error("key {0} is not pinned for the sender")]
    UnknownKey(KeyId),
    #[error("key {key_id} is only valid from {valid_from}, after the note was created")]
    KeyNotYetValid { key_id: KeyId, valid_from: Timestamp },
    #[error("key {key_id} was retired at {valid_until}")]
    KeyRetired { key_id: KeyId, valid_until: Timestamp },
    #[error("the node card introducing the sender is invalid: {0}")]
    BadCard(CardError),
    #[error("the node card describes {card}, but the note comes from {sender}")]
    CardMismatch { card: StixId, sender: StixId },
    #[error("signature does not verify with key {0}")]
    BadSignature(KeyId),
    #[error("note was created at {created}, outside the {skew_seconds} s window around {now}")]
    Stale { created: Timestamp, now: Timestamp, skew_seconds: i64 },
    #[error("note {0} was already received")]
    Replayed(NoteId),
    #[error("note answers {0}, which this node does not know")]
    UnknownReference(NoteId),
    #[error("a {0} note must name the note it answers in `in_reply_to`")]
    MissingReference(super::NoteKind),
    #[error("bad body: {0}")]
    BadBody(BodyError),
    /// A treaty signature the note carries (the sender's or a forwarded one) names a
    /// key this node has not pinned for that party, or does not verify.
    #[error("the treaty signature of {party} cannot be accepted: {reason}")]
    BadTreatySignature { party: StixId, reason: String },
    /// The receiver could not consult its own records; not the sender's fault.
    #[error("cannot check the note against this node's records: {0}")]
    Directory(String),
}

impl NoteError {
    /// The stable, machine-readable name of the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            NoteError::TooLarge { .. } => "note-too-large",
            NoteError::Malformed(_) => "malformed-note",
            NoteError::UnsupportedVersion(_) => "unsupported-version",
            NoteError::Misaddressed { .. } => "misaddressed",
            NoteError::UnknownSender(_) => "unknown-sender",
            NoteError::UnknownKey(_) => "unknown-key",
            NoteError::KeyNotYetValid { .. } => "key-not-yet-valid",
            NoteError::KeyRetired { .. } => "key-retired",
            NoteError::BadCard(_) => "bad-card",
            NoteError::CardMismatch { .. } => "card-mismatch",
            NoteError::BadSignature(_) => "bad-signature",
            NoteError::Stale { .. } => "stale-note",
            NoteError::Replayed(_) => "replayed-note",
            NoteError::UnknownReference(_) => "unknown-reference",
            NoteError::MissingReference(_) => "missing-reference",
            NoteError::BadBody(_) => "bad-body",
            NoteError::BadTreatySignature { .. } => "bad-treaty-signature",
            NoteError::Directory(_) => "directory-unavailable",
        }
    }

    /// True when the receiver, not the sender, is at fault (answer 503, not 4xx).
    pub fn is_internal(&self) -> bool {
        matches!(self, NoteError::Directory(_))
    }
}
