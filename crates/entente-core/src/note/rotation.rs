//! Key rotation: a node announces its new key in a `rotate-key` note signed by the
//! old one, and its partners pin the new key and retire the old one.
//!
//! Trust carries over from the old key to the new one: no out-of-band confirmation is
//! needed, because the old key was confirmed and vouches for its successor. The old
//! key stays valid until `old_key_valid_until` so notes already on their way still
//! verify; after that date [`verify`](super::verify) refuses anything it signs.
//!
//! Invariants: a rotation only ever shortens the old key's validity, never extends
//! it, and never changes a key that is already pinned, so a rotation cannot revive a
//! retired key. Pure: the caller stores the result.

use super::{Note, NoteBody, NoteKind, PinnedKey, Verified};
use crate::keys::KeyId;
use crate::{StixId, Timestamp};

/// What a verified `rotate-key` note asks its receiver to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The node whose keys change.
    pub node: StixId,
    /// The key that signed the announcement.
    pub old_key: KeyId,
    /// When the old key stops being valid.
    pub old_key_valid_until: Timestamp,
    /// The key to pin.
    pub new_key: PinnedKey,
}

/// Why a note does not describe a rotation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("a {0} note announces no key rotation")]
    NotARotation(NoteKind),
    #[error("a key rotation must be signed by a pinned key, not one introduced by a card")]
    Unpinned,
}

impl Rotation {
    /// Reads the rotation a verified note announces.
    pub fn from_note(note: &Verified<Note>) -> Result<Rotation, RotationError> {
        if note.introduced_key().is_some() {
            return Err(RotationError::Unpinned);
        }
        let NoteBody::RotateKey { new_key, old_key_valid_until } = note.body() else {
            return Err(RotationError::NotARotation(note.kind()));
        };
        Ok(Rotation {
            node: note.sender().clone(),
            old_key: note.key_id().clone(),
            old_key_valid_until: *old_key_valid_until,
            new_key: PinnedKey::from(new_key),
        })
    }

    /// The node's pinned keys after the rotation: the old key ends at the earlier of
    /// its pinned end and the announced one; the new key is added unless already pinned.
    pub fn apply(&self, pinned: &[PinnedKey]) -> Vec<PinnedKey> {
        let mut keys: Vec<PinnedKey> = pinned.to_vec();
        for key in keys.iter_mut().filter(|key| key.key_id() == self.old_key) {
            let announced = self.old_key_valid_until;
            key.valid_until = Some(key.valid_until.map_or(announced, |until| until.min(announced)));
        }
        if !keys.iter().any(|key| key.key == self.new_key.key) {
            keys.push(self.new_key.clone());
        }
        keys
    }
}
