//! Rotating this node's own key.
//!
//! [`Diplomat::rotate_key`] announces the new key to every partner this node has
//! recognized (and not parted from) in a `rotate-key` note signed by the old key,
//! records the node's new key history, and from then on signs with the new key; the
//! card lists both keys until the old one retires. The notes, the history and the
//! switch happen together: in one transaction, then in memory.
//!
//! The private keys are the caller's: the binary keeps the key files. It writes the
//! new seed to a file of its own before calling this, and puts it in place of the
//! key file only after this returned, so a crash leaves either the old key current
//! (nothing recorded) or the new key recorded with its seed on disk. A server running
//! on the same store keeps its old key (valid until its end, and it says so once
//! retired) until it is restarted with the new key file.

use super::moves::Outgoing;
use super::records::key_record;
use super::{Context, DiplomacyError, Diplomat, RECORD_ATTEMPTS, history_moved};
use entente_core::Timestamp;
use entente_core::node::NodeKey;
use entente_core::note::NoteBody;
use entente_core::relation::{Side, State};
use entente_store::NoteChange;
use serde::Serialize;
use std::sync::{Arc, PoisonError};

/// What a rotation did.
#[derive(Debug, Clone, Serialize)]
pub struct KeyRotation {
    pub old_key_id: String,
    /// When the old key stops being valid: notes it signs are refused from then on.
    pub old_key_valid_until: String,
    pub new_key_id: String,
    /// The new key's fingerprint, for partners who will confirm it out of band.
    pub new_fingerprint: String,
    /// The partners told, each with the id of its `rotate-key` note.
    pub announced_to: Vec<Announcement>,
}

/// A `rotate-key` note queued for one partner.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub partner: String,
    pub note: String,
}

impl Diplomat {
    /// Rotates this node's key to `new_key`: the current key stays valid until
    /// `old_key_valid_until` (which must be after `now`, leaving time for the notes to
    /// arrive, a week say), then partners refuse what it signs (`key-retired`).
    pub fn rotate_key(
        &self,
        new_key: &NodeKey,
        old_key_valid_until: Timestamp,
        now: Timestamp,
    ) -> Result<KeyRotation, DiplomacyError> {
        let _turn = self.one_at_a_time();
        for _ in 0..RECORD_ATTEMPTS {
            let context = self.context()?;
            let rotated = context
                .identity
                .rotated(NodeKey::from_seed(new_key.seed()), old_key_valid_until, now)
                .map_err(DiplomacyError::Invalid)?;
            let old_key = context.identity.key().public();
            let ends = rotated.keys().iter().find(|entry| entry.key == old_key).and_then(|entry| entry.valid_until);
            let body = NoteBody::RotateKey {
                new_key: rotated.signing_entry().clone(),
                old_key_valid_until: ends.unwrap_or(old_key_valid_until),
            };
            let history =
                NoteChange { node_keys: rotated.keys().iter().map(key_record).collect(), ..NoteChange::default() };
            let (notes, announced_to) = self.announcements(&context, &body, now)?;
            if self.record([vec![history], notes].concat(), now)? {
                let report = KeyRotation {
                    old_key_id: old_key.key_id().to_string(),
                    old_key_valid_until: ends.unwrap_or(old_key_valid_until).to_string(),
                    new_key_id: new_key.key_id().to_string(),
                    new_fingerprint: new_key.fingerprint(),
                    announced_to,
                };
                *self.identity.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(rotated);
                return Ok(report);
            }
        }
        Err(history_moved(self.identity().node_id()))
    }

    /// The `rotate-key` notes, signed by the current key, to every partner we
    /// recognized whose relation has not ended.
    fn announcements(
        &self,
        context: &Context,
        body: &NoteBody,
        now: Timestamp,
    ) -> Result<(Vec<NoteChange>, Vec<Announcement>), DiplomacyError> {
        let mut notes = Vec::new();
        let mut announced_to = Vec::new();
        for record in self.store.partners()? {
            let partner = entente_core::StixId::parse(&record.node_id)
                .map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            let replayed = context.replay(&self.store, &partner, now)?;
            let relation = &replayed.relation;
            if !relation.has_recognized(Side::Local) || relation.state() == State::Terminated {
                continue;
            }
            let outgoing = Outgoing { action: None, body: body.clone(), extra: NoteChange::default() };
            let (change, id) = self.prepare(context, &partner, &replayed, outgoing, now)?;
            notes.push(change);
            announced_to.push(Announcement { partner: partner.to_string(), note: id.to_string() });
        }
        Ok((notes, announced_to))
    }
}
