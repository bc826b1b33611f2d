//! Deriving a relation from its signed note history.
//!
//! The relation with a partner is the pure state machine folded over every note
//! recorded with that partner, in the order they were recorded, each applied at its
//! own creation time. Notes are recorded only after they passed the same machine, so
//! replay cannot fail on a consistent store; if it does, the store is corrupt and
//! the error says which note.
//!
//! Treaty signatures in `sign` notes (the sender's own and forwarded ones) are checked
//! again with the [`KeyBook`]: our own with the key of ours they name (a rotation
//! leaves earlier signatures valid), anyone else's with the key we pinned for them.

use super::DiplomacyError;
use super::keybook::KeyBook;
use entente_core::note::{Note, NoteBody, NoteId, carried_signatures, read_recorded};
use entente_core::relation::{Action, Event, Relation, Side};
use entente_core::treaty::Treaty;
use entente_core::{StixId, Timestamp};
use entente_store::{Direction, Store, StoreError};

/// A relation and what replay learned about its history.
pub(crate) struct Replayed {
    /// The relation brought to `now`.
    pub relation: Relation,
    /// The relation right after its last note, not brought to `now`: a received note
    /// is checked against this at its own creation time, exactly as replay will
    /// apply it later, so a note that passed can never fail replay.
    pub folded: Relation,
    /// The last note of the history that we sent or that a confirmed key of the
    /// partner signed: new notes answer it.
    pub last_note: Option<NoteId>,
    pub note_count: usize,
}

fn corrupt(note: &str, reason: impl std::fmt::Display) -> DiplomacyError {
    DiplomacyError::Store(StoreError::Corrupt(format!("note {note}: {reason}")))
}

/// Replays the notes with `partner`, then brings the relation up to `now`.
pub(crate) fn replay(
    store: &Store,
    us: &StixId,
    keys: &KeyBook,
    partner: &StixId,
    now: Timestamp,
) -> Result<Replayed, DiplomacyError> {
    let mut relation = Relation::new(us.clone(), partner.clone());
    let mut last_note = None;
    let records = store.notes_with(partner.as_str())?;
    for record in &records {
        let note = read_recorded(&record.json).map_err(|error| corrupt(&record.id, error))?;
        let side = if record.direction == Direction::Sent { Side::Local } else { Side::Remote };
        if let Some(action) = action_of(&note, &relation, keys).map_err(|error| corrupt(&record.id, error))? {
            let event = Event::new(side, note.created(), action);
            relation = relation.apply(&event, note.created()).map_err(|error| corrupt(&record.id, error))?;
        }
        // A note signed by a key we never confirmed (a stranger's `recognize` in the
        // partner's name) is kept but not answered: the partner may not know it. Nor
        // is an alliance act's note: it travels beside the relation, not in it.
        let answerable = !matches!(note.body(), NoteBody::AllianceAct { .. });
        if answerable && (side == Side::Local || keys.key_of(note.sender(), note.key_id()).is_some()) {
            last_note = Some(note.id().clone());
        }
    }
    Ok(Replayed { relation: relation.tick(now), folded: relation, last_note, note_count: records.len() })
}

/// The relation move a note makes, if any. Key rotation moves none, and neither does
/// a partner's `recognize` signed by a key we have not pinned: until our operator
/// confirmed that key, anyone could have sent it in the partner's name.
///
/// A `sign` note's signatures, its sender's and the forwarded ones, must all verify
/// on the text under negotiation (`bad-treaty-signature` otherwise); on the text
/// already in force, they move nothing.
pub(crate) fn action_of(note: &Note, relation: &Relation, keys: &KeyBook) -> Result<Option<Action>, DiplomacyError> {
    let treaty =
        |value: &serde_json::Value| Treaty::parse(value).map_err(|error| DiplomacyError::Invalid(error.to_string()));
    Ok(Some(match note.body() {
        NoteBody::Recognize { .. } if keys.key_of(note.sender(), note.key_id()).is_none() => return Ok(None),
        NoteBody::Recognize { .. } => Action::Recognize,
        NoteBody::Propose { treaty: text } => Action::Propose(treaty(text)?),
        NoteBody::Counter { treaty: text } => Action::Counter(treaty(text)?),
        NoteBody::Amend { treaty: text } => Action::Amend(treaty(text)?),
        NoteBody::Accept { treaty_hash } => Action::Accept(treaty_hash.clone()),
        NoteBody::Reject { treaty_hash, .. } => Action::Reject(treaty_hash.clone()),
        NoteBody::Withdraw { treaty_hash } => Action::Withdraw(treaty_hash.clone()),
        NoteBody::Sign { treaty_hash, signature, forwarded } => {
            let key_of = |party: &StixId, key_id: &entente_core::keys::KeyId| keys.key_of(party, key_id);
            let agreed = relation.negotiation().map(|negotiation| negotiation.signatures());
            if let Some(agreed) = agreed.filter(|agreed| agreed.hash() == treaty_hash) {
                let signatures = carried_signatures(agreed, signature, forwarded, &key_of)?;
                return Ok(Some(Action::Sign { signer: note.sender().clone(), signatures }));
            }
            // A signature on the text already in force crossed, on its way, the one
            // that completed it (two sides forwarding at once): checked, kept, and
            // it moves nothing, on both sides alike.
            if let Some(in_force) = relation.treaty().filter(|treaty| treaty.hash() == treaty_hash) {
                carried_signatures(in_force, signature, forwarded, &key_of)?;
                return Ok(None);
            }
            return Err(DiplomacyError::Invalid(match agreed {
                Some(_) => format!("the signature is on {treaty_hash}, not on the text under negotiation"),
                None => "a signature arrived with no treaty under negotiation".into(),
            }));
        }
        NoteBody::Suspend { .. } => Action::Suspend,
        NoteBody::Resume => Action::Resume,
        NoteBody::Terminate { .. } => Action::Terminate,
        NoteBody::RotateKey { .. } | NoteBody::AllianceAct { .. } => return Ok(None),
    }))
}
