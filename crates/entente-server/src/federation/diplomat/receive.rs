//! Receiving a partner's note: verify it, judge its move on the relation as its last
//! note left it, and record it with everything it changes, including the `sign` notes
//! that forward the treaty signatures it brought (`forwarding.rs`), in one transaction.

use super::records::{key_records, note_record, partner_record, rotated_keys, signature_record, treaty_record};
use super::{DiplomacyError, Diplomat, RECORD_ATTEMPTS, history_moved};
use crate::federation::directory::StoreDirectory;
use crate::federation::replay::action_of;
use entente_core::note::{NoteBody, NoteId, Rotation, VerifyContext, verify};
use entente_core::relation::{Action, Event, Side};
use entente_core::{StixId, Timestamp};
use entente_store::{Direction, NoteChange};

impl Diplomat {
    /// Verifies a note from a partner, applies it, and records it with its effects.
    pub fn receive(&self, text: &str, now: Timestamp) -> Result<NoteId, DiplomacyError> {
        let _turn = self.one_at_a_time();
        let mut sender = None;
        for _ in 0..RECORD_ATTEMPTS {
            match self.try_receive(text, now)? {
                (Some(id), _) => return Ok(id),
                (None, partner) => sender = Some(partner),
            }
        }
        Err(history_moved(sender.as_ref().unwrap_or(self.identity().node_id())))
    }

    /// One attempt of [`Diplomat::receive`]: the note's id once recorded, or `None`
    /// when the history with the sender (or with a partner a signature is forwarded
    /// to) moved meanwhile; with the sender.
    fn try_receive(&self, text: &str, now: Timestamp) -> Result<(Option<NoteId>, StixId), DiplomacyError> {
        let context = self.context()?;
        let directory = StoreDirectory { store: &self.store };
        let verifying = VerifyContext::new(context.identity.node_id(), &directory).with_skew_seconds(self.skew_seconds);
        let verified = verify(text, &verifying, now)?;
        let note = verified.get();
        let partner = note.sender().clone();
        if let NoteBody::AllianceAct { charter, act } = note.body() {
            let record = note_record(note, Direction::Received, &partner, text, now);
            let change = NoteChange { note: Some(record), ..NoteChange::default() };
            let recorded = self.receive_act(&context, &partner, (charter, act), change, now)?;
            return Ok((recorded.then(|| note.id().clone()), partner));
        }
        let mut change = NoteChange::default();
        if let NoteBody::Recognize { card } = note.body() {
            change.partner = Some(partner_record(card));
            change.partner_keys_of = Some(partner.to_string());
            // Keys already pinned stay pinned; new ones wait for our operator.
            change.keys = key_records(card, None);
        }
        if let NoteBody::RotateKey { .. } = note.body() {
            let rotation =
                Rotation::from_note(&verified).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            change.partner_keys_of = Some(partner.to_string());
            change.keys = rotated_keys(&self.store.partner_keys(partner.as_str())?, &rotation);
        }
        let replayed = context.replay(&self.store, &partner, now)?;
        let mut forwards = Vec::new();
        // Judged at the note's own time, on the relation as its last note left it:
        // exactly what replay will do, so a note accepted now never breaks replay later.
        if let Some(action) = action_of(note, &replayed.folded, &context.keys)? {
            treaty_effects(&action, &mut change);
            replayed.folded.apply(&Event::new(Side::Remote, note.created(), action.clone()), note.created())?;
            if let Action::Sign { signatures, .. } = &action {
                forwards = self.forwards(&context, &partner, signatures, now)?;
            }
        }
        change.note = Some(note_record(note, Direction::Received, &partner, text, now));
        change.history_checked = Some(replayed.note_count);
        let recorded = self.record([vec![change], forwards].concat(), now)?;
        Ok((recorded.then(|| note.id().clone()), partner))
    }
}

/// Keeps the treaty texts and signatures a received note carries.
fn treaty_effects(action: &Action, change: &mut NoteChange) {
    match action {
        Action::Propose(treaty) | Action::Counter(treaty) | Action::Amend(treaty) => {
            change.treaties.push(treaty_record(treaty))
        }
        Action::Sign { signatures, .. } => change.signatures.extend(signatures.signatures().map(signature_record)),
        _ => {}
    }
}
