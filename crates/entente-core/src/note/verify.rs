//! Verifying a received note: the only way to make a [`Verified<Note>`].
//!
//! [`verify`] is pure: the note text, what the receiver knows ([`VerifyContext`]) and
//! `now` go in; a verified note or the first failed check comes out. The checks run
//! in this order, each with its own [`NoteError`] code:
//!
//! 1. size (1 MiB) — `note-too-large`;
//! 2. JSON object — `malformed-note`;
//! 3. protocol version — `unsupported-version`;
//! 4. envelope shape (members, ids, timestamps, encodings) — `malformed-note`;
//! 5. recipient is this node — `misaddressed`;
//! 6. key: a pinned key of the sender (`unknown-sender`, `unknown-key`) valid at
//!    `created` (`key-not-yet-valid`, `key-retired`) and not retired by `now`
//!    (`key-retired`);
//! 7. signature over the canonical bytes — `bad-signature`;
//! 8. `|now - created|` within the skew window — `stale-note`;
//! 9. not already received — `replayed-note`;
//! 10. `in_reply_to` names a known note (`unknown-reference`), and is present for
//!     counter, accept, reject and withdraw (`missing-reference`);
//! 11. the body fits the kind — `bad-body` (and `card-mismatch` when a recognize
//!     note carries another node's card; in a `sign` note, the signature is the
//!     sender's and forwarded ones come from other parties, each once);
//! 12. each forwarded treaty signature names a key this node pinned for its party —
//!     `bad-treaty-signature`. Whether the signatures verify needs the treaty text,
//!     which the note does not carry: the caller checks them on the text under
//!     negotiation with [`carried_signatures`](super::carried_signatures), under
//!     the same code.
//!
//! First contact: a `recognize` note from a sender with no pinned key is checked with
//! the keys of the card it carries, after the card's own signature (`bad-card`) and
//! its node id (`card-mismatch`). The result says so in
//! [`Verified::introduced_key`]: the caller records a contact, and pins nothing until
//! an operator confirmed the fingerprint out of band.
//!
//! Invariant: verification changes nothing. The caller records the note as received
//! only after `Ok`, so a refused note never counts as seen.

use super::directory::{NoteDirectory, PinnedKey};
use super::wire::{Envelope, read_envelope};
use super::{BodyError, Note, NoteBody, NoteError, NoteKind};
use crate::card::VerifiedCard;
use crate::{StixId, Timestamp};
use std::ops::Deref;

/// The default tolerance between the sender's clock and ours.
pub const DEFAULT_SKEW_SECONDS: i64 = 300;

/// What the receiver knows when it verifies a note.
#[derive(Clone, Copy)]
pub struct VerifyContext<'a> {
    us: &'a StixId,
    directory: &'a dyn NoteDirectory,
    skew_seconds: i64,
}

impl std::fmt::Debug for VerifyContext<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("VerifyContext").field("us", self.us).field("skew_seconds", &self.skew_seconds).finish()
    }
}

impl<'a> VerifyContext<'a> {
    /// `us` is this node's id; the skew window is [`DEFAULT_SKEW_SECONDS`].
    pub fn new(us: &'a StixId, directory: &'a dyn NoteDirectory) -> VerifyContext<'a> {
        VerifyContext { us, directory, skew_seconds: DEFAULT_SKEW_SECONDS }
    }

    /// Sets the skew window (negative values count as zero).
    pub fn with_skew_seconds(self, seconds: i64) -> VerifyContext<'a> {
        VerifyContext { skew_seconds: seconds.max(0), ..self }
    }
}

/// A value that passed verification. Only this module makes one.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified<T> {
    value: T,
    introduced_key: Option<VerifiedCard>,
}

impl<T> Verified<T> {
    pub fn get(&self) -> &T {
        &self.value
    }

    pub fn into_inner(self) -> T {
        self.value
    }

    /// `Some(card)` when the note was verified with the key of the card it carried
    /// (first contact), not with a pinned key: the sender is a contact, not yet trusted.
    pub fn introduced_key(&self) -> Option<&VerifiedCard> {
        self.introduced_key.as_ref()
    }
}

impl<T> Deref for Verified<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

fn directory_error(error: super::DirectoryError) -> NoteError {
    NoteError::Directory(error.0)
}

/// Verifies a received note. See the module documentation for the checks.
pub fn verify(note_text: &str, context: &VerifyContext<'_>, now: Timestamp) -> Result<Verified<Note>, NoteError> {
    let envelope = read_envelope(note_text)?;
    if envelope.recipient != *context.us {
        return Err(NoteError::Misaddressed { recipient: envelope.recipient });
    }
    let (key, introduced_key) = signing_key(&envelope, context, now)?;
    let bytes = envelope.canonical_bytes()?;
    key.key.verify(&bytes, &envelope.signature).map_err(|_| NoteError::BadSignature(envelope.key_id.clone()))?;
    let skew_nanos = i128::from(context.skew_seconds) * 1_000_000_000;
    if (now.unix_nanos() - envelope.created.unix_nanos()).abs() > skew_nanos {
        return Err(NoteError::Stale { created: envelope.created, now, skew_seconds: context.skew_seconds });
    }
    if context.directory.has_seen(&envelope.id).map_err(directory_error)? {
        return Err(NoteError::Replayed(envelope.id));
    }
    match &envelope.in_reply_to {
        Some(answered) if !context.directory.knows_note(answered).map_err(directory_error)? => {
            return Err(NoteError::UnknownReference(answered.clone()));
        }
        None if envelope.kind.requires_reference() => return Err(NoteError::MissingReference(envelope.kind)),
        _ => {}
    }
    let body = match &introduced_key {
        Some(card) => NoteBody::Recognize { card: card.clone() },
        None => NoteBody::parse(envelope.kind, &envelope.body).map_err(NoteError::BadBody)?,
    };
    check_body_against_envelope(&envelope, &body)?;
    check_forwarded_keys(&body, context)?;
    Ok(Verified { value: envelope.into_note(body), introduced_key })
}

/// Reads back a note this node recorded earlier: one it made and signed itself, or
/// one that passed [`verify`] when it arrived. Shape and body are checked again;
/// signature, freshness and replay are not, because only notes that were verified
/// or self-made are ever recorded, and a replay check would refuse every one of them.
pub fn read_recorded(note_text: &str) -> Result<Note, NoteError> {
    let envelope = read_envelope(note_text)?;
    let body = NoteBody::parse(envelope.kind, &envelope.body).map_err(NoteError::BadBody)?;
    check_body_against_envelope(&envelope, &body)?;
    Ok(envelope.into_note(body))
}

/// Finds the key the note must verify with: a pinned key of the sender or, for a
/// first-contact `recognize`, a key of the card it carries.
fn signing_key(
    envelope: &Envelope,
    context: &VerifyContext<'_>,
    now: Timestamp,
) -> Result<(PinnedKey, Option<VerifiedCard>), NoteError> {
    let pinned = context.directory.pinned_keys(&envelope.sender).map_err(directory_error)?;
    if !pinned.is_empty() {
        return Ok((select_key(envelope, &pinned, now)?, None));
    }
    if envelope.kind != NoteKind::Recognize {
        return Err(NoteError::UnknownSender(envelope.sender.clone()));
    }
    let card = match NoteBody::parse(NoteKind::Recognize, &envelope.body) {
        Ok(NoteBody::Recognize { card }) => card,
        Err(BodyError::Card(error)) => return Err(NoteError::BadCard(error)),
        Err(error) => return Err(NoteError::BadBody(error)),
        Ok(_) => return Err(NoteError::Malformed("a recognize note must carry a card".into())),
    };
    if card.node_id() != &envelope.sender {
        return Err(NoteError::CardMismatch { card: card.node_id().clone(), sender: envelope.sender.clone() });
    }
    let card_keys: Vec<PinnedKey> = card.card().keys.iter().map(PinnedKey::from).collect();
    Ok((select_key(envelope, &card_keys, now)?, Some(card)))
}

/// Picks the key named by the note among `keys` and checks its validity: at the
/// note's creation time, and still at `now` (a retired key signs nothing new after
/// its end date, whatever `created` claims).
fn select_key(envelope: &Envelope, keys: &[PinnedKey], now: Timestamp) -> Result<PinnedKey, NoteError> {
    let mut first_error = None;
    for key in keys.iter().filter(|key| key.key_id() == envelope.key_id) {
        let outcome = if envelope.created < key.valid_from {
            Err(NoteError::KeyNotYetValid { key_id: envelope.key_id.clone(), valid_from: key.valid_from })
        } else {
            match key.valid_until {
                Some(until) if envelope.created >= until || now >= until => {
                    Err(NoteError::KeyRetired { key_id: envelope.key_id.clone(), valid_until: until })
                }
                _ => Ok(key.clone()),
            }
        };
        match outcome {
            Ok(key) => return Ok(key),
            Err(error) => first_error = first_error.or(Some(error)),
        }
    }
    Err(first_error.unwrap_or_else(|| NoteError::UnknownKey(envelope.key_id.clone())))
}

/// Checks that only make sense with the envelope at hand: a card is the sender's own,
/// a treaty signature is the sender's, a rotation announces a different key.
fn check_body_against_envelope(envelope: &Envelope, body: &NoteBody) -> Result<(), NoteError> {
    let member_error = |member, reason: &str| {
        NoteError::BadBody(BodyError::Member { kind: envelope.kind, member, reason: reason.to_owned() })
    };
    match body {
        NoteBody::Recognize { card } if card.node_id() != &envelope.sender => {
            Err(NoteError::CardMismatch { card: card.node_id().clone(), sender: envelope.sender.clone() })
        }
        NoteBody::Sign { signature, .. } if signature.party != envelope.sender => {
            Err(member_error("signature", "party must be the sender of the note"))
        }
        NoteBody::Sign { forwarded, .. } => {
            let mut parties = std::collections::BTreeSet::new();
            for party in forwarded.iter().map(|forwarded| &forwarded.party) {
                if *party == envelope.sender || *party == envelope.recipient {
                    return Err(member_error("forwarded", "forwards only parties other than sender and recipient"));
                }
                if !parties.insert(party) {
                    return Err(member_error("forwarded", "names a party twice"));
                }
            }
            Ok(())
        }
        NoteBody::RotateKey { new_key, .. } if new_key.key_id() == envelope.key_id => {
            Err(member_error("new_key", "the new key must differ from the key signing the note"))
        }
        _ => Ok(()),
    }
}

/// A forwarded treaty signature can only be checked with a key this node trusts for
/// its party (a partner it recognized); one it cannot check refuses the whole note.
fn check_forwarded_keys(body: &NoteBody, context: &VerifyContext<'_>) -> Result<(), NoteError> {
    let NoteBody::Sign { forwarded, .. } = body else { return Ok(()) };
    for signature in forwarded {
        let pinned = context.directory.pinned_keys(&signature.party).map_err(directory_error)?;
        if !pinned.iter().any(|key| key.key_id() == signature.key_id) {
            return Err(NoteError::BadTreatySignature {
                party: signature.party.clone(),
                reason: format!("this node has pinned no key {} of that party", signature.key_id),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeKey;
    use crate::note::{DirectoryError, NoteId, PinnedKey, UnsignedNote};

    /// A directory whose database is down.
    struct Unavailable;

    impl NoteDirectory for Unavailable {
        fn pinned_keys(&self, _: &StixId) -> Result<Vec<PinnedKey>, DirectoryError> {
            Err(DirectoryError("database is locked".into()))
        }
        fn has_seen(&self, _: &NoteId) -> Result<bool, DirectoryError> {
            Err(DirectoryError("database is locked".into()))
        }
        fn knows_note(&self, _: &NoteId) -> Result<bool, DirectoryError> {
            Err(DirectoryError("database is locked".into()))
        }
    }

    #[test]
    fn a_failing_directory_refuses_with_an_internal_error() {
        let us = StixId::parse("identity--1b2c3d4e-5f60-4a7b-9c8d-e0f1a2b3c4d5").unwrap();
        let created = Timestamp::parse("2025-03-01T12:00:00Z").unwrap();
        let note = UnsignedNote {
            id: NoteId::from_random_bytes([1; 16]),
            sender: StixId::parse("identity--7f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f").unwrap(),
            recipient: us.clone(),
            created,
            in_reply_to: None,
            body: NoteBody::Resume,
        }
        .sign(&NodeKey::from_seed([1; 32]));
        let error = verify(&note.to_json(), &VerifyContext::new(&us, &Unavailable), created).unwrap_err();
        assert_eq!(error.code(), "directory-unavailable");
        assert!(error.is_internal());
    }
}
