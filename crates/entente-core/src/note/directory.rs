//! What a receiver must know to verify a note: the keys it pinned for each partner
//! and the notes it has already sent or received.
//!
//! [`NoteDirectory`] is the only way [`verify`](super::verify) learns about the
//! world, so verification stays a pure function of the note, the directory and `now`.
//! The store implements it over its tables; [`MemoryDirectory`] implements it over
//! plain collections for tests and for callers that prefetch.
//!
//! Lookups may fail (the store is a database); such a failure refuses the note with
//! the internal code `directory-unavailable` rather than guessing.

use super::NoteId;
use crate::card::KeyEntry;
use crate::keys::{KeyId, PublicKey};
use crate::{StixId, Timestamp};
use std::collections::{HashMap, HashSet};

/// A partner's key that this node trusts, with the time it is trusted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedKey {
    pub key: PublicKey,
    pub valid_from: Timestamp,
    /// The end of validity, exclusive; `None` while the key is current.
    pub valid_until: Option<Timestamp>,
}

impl PinnedKey {
    pub fn key_id(&self) -> KeyId {
        self.key.key_id()
    }

    /// True when `at` falls within `[valid_from, valid_until)`.
    pub fn is_valid_at(&self, at: Timestamp) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|until| at < until)
    }
}

impl From<&KeyEntry> for PinnedKey {
    /// Pins a key exactly as a card or a rotation announced it.
    fn from(entry: &KeyEntry) -> PinnedKey {
        PinnedKey { key: entry.key, valid_from: entry.valid_from, valid_until: entry.valid_until }
    }
}

/// A failed lookup in the receiver's own records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DirectoryError(pub String);

/// The receiver's records, as verification needs them.
pub trait NoteDirectory {
    /// The keys pinned for `node`; empty when the node is unknown or not yet recognised.
    fn pinned_keys(&self, node: &StixId) -> Result<Vec<PinnedKey>, DirectoryError>;

    /// True when a note with this id was already received (a replay).
    fn has_seen(&self, note: &NoteId) -> Result<bool, DirectoryError>;

    /// True when this node sent or received a note with this id.
    fn knows_note(&self, note: &NoteId) -> Result<bool, DirectoryError>;
}

/// A directory held in memory.
#[derive(Debug, Clone, Default)]
pub struct MemoryDirectory {
    pinned: HashMap<StixId, Vec<PinnedKey>>,
    received: HashSet<NoteId>,
    sent: HashSet<NoteId>,
}

impl MemoryDirectory {
    pub fn new() -> MemoryDirectory {
        MemoryDirectory::default()
    }

    /// Pins `key` for `node`, replacing an earlier pin of the same key.
    pub fn pin(&mut self, node: &StixId, key: PinnedKey) {
        let keys = self.pinned.entry(node.clone()).or_default();
        keys.retain(|known| known.key != key.key);
        keys.push(key);
    }

    /// Replaces every key pinned for `node`.
    pub fn set_keys(&mut self, node: &StixId, keys: Vec<PinnedKey>) {
        self.pinned.insert(node.clone(), keys);
    }

    /// Records a note that verified (call only after `verify` returned `Ok`).
    pub fn record_received(&mut self, note: &NoteId) {
        self.received.insert(note.clone());
    }

    /// Records a note this node sent.
    pub fn record_sent(&mut self, note: &NoteId) {
        self.sent.insert(note.clone());
    }
}

impl NoteDirectory for MemoryDirectory {
    fn pinned_keys(&self, node: &StixId) -> Result<Vec<PinnedKey>, DirectoryError> {
        Ok(self.pinned.get(node).cloned().unwrap_or_default())
    }

    fn has_seen(&self, note: &NoteId) -> Result<bool, DirectoryError> {
        Ok(self.received.contains(note))
    }

    fn knows_note(&self, note: &NoteId) -> Result<bool, DirectoryError> {
        Ok(self.received.contains(note) || self.sent.contains(note))
    }
}
