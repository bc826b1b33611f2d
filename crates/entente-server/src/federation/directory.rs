//! The store seen as the note verifier's directory of pinned keys and known notes.

use entente_core::StixId;
use entente_core::Timestamp;
use entente_core::keys::PublicKey;
use entente_core::note::{DirectoryError, NoteDirectory, NoteId, PinnedKey};
use entente_store::{KeyRecord, Store};

pub(crate) struct StoreDirectory<'a> {
    pub store: &'a Store,
}

/// Turns stored key rows into verifier keys; unreadable rows are skipped (they can
/// verify nothing) rather than failing every note from that partner.
pub(crate) fn pinned(records: &[KeyRecord]) -> Vec<PinnedKey> {
    records
        .iter()
        .filter(|record| record.pinned)
        .filter_map(|record| {
            Some(PinnedKey {
                key: PublicKey::parse(&record.public_key).ok()?,
                valid_from: Timestamp::parse(&record.valid_from).ok()?,
                valid_until: record.valid_until.as_deref().map(Timestamp::parse).transpose().ok()?,
            })
        })
        .collect()
}

fn unavailable(error: entente_store::StoreError) -> DirectoryError {
    DirectoryError(error.to_string())
}

impl NoteDirectory for StoreDirectory<'_> {
    fn pinned_keys(&self, node: &StixId) -> Result<Vec<PinnedKey>, DirectoryError> {
        Ok(pinned(&self.store.partner_keys(node.as_str()).map_err(unavailable)?))
    }

    fn has_seen(&self, note: &NoteId) -> Result<bool, DirectoryError> {
        self.store.received_note(note.as_str()).map_err(unavailable)
    }

    fn knows_note(&self, note: &NoteId) -> Result<bool, DirectoryError> {
        self.store.knows_note(note.as_str()).map_err(unavailable)
    }
}
