//! Signature forwarding: how a treaty between more than two parties comes into force
//! in every relation that negotiates it.
//!
//! Each pair of parties negotiates and signs the same text in its own relation, and a
//! relation is in force only when its own notes carry every party's signature (so its
//! state stays the replay of its own notes). A `sign` note therefore carries, besides
//! its sender's signature, every other party's signature the sender holds on that
//! text (`forwarded`). And when a signature arrives, this node passes the third
//! parties' signatures it just learned to every other party with whom the text is
//! accepted and already signed by us, in a new `sign` note (our signature again, and
//! the forwarded ones). Where that move is not possible yet (we have not signed
//! there), nothing is sent: our own `sign` will carry them.
//!
//! Every signature passed on was verified here, with our own keys or the keys we pinned
//! for its party; the receiver checks them again with its own.

use super::moves::Outgoing;
use super::records::signature_record;
use super::{Context, DiplomacyError, Diplomat, Replayed};
use entente_core::keys::{KeyId, Signature};
use entente_core::note::{NoteBody, PartySignature, carried_signatures};
use entente_core::relation::Action;
use entente_core::treaty::{SignedTreaty, TreatySignature, sign as sign_treaty};
use entente_core::{StixId, Timestamp};
use entente_store::{NoteChange, SignatureRecord};

impl Diplomat {
    /// The `sign` note for the text agreed with `partner`: our fresh signature and every
    /// other party's signature we hold on it.
    pub(super) fn signing(
        &self,
        context: &Context,
        partner: &StixId,
        replayed: &Replayed,
    ) -> Result<Outgoing, DiplomacyError> {
        let negotiation = replayed
            .relation
            .negotiation()
            .ok_or_else(|| DiplomacyError::Invalid("nothing to sign: no treaty under negotiation".into()))?;
        let own = sign_treaty(negotiation.draft(), context.identity.node_id(), context.identity.key())
            .map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        let held = self.held_signatures(context, negotiation.signatures())?;
        signature_note(context, negotiation.signatures(), &own, &held, partner)
    }

    /// Every signature on `known`'s text this node holds and can verify: those in
    /// `known`, and those recorded from any relation.
    fn held_signatures(&self, context: &Context, known: &SignedTreaty) -> Result<SignedTreaty, DiplomacyError> {
        let mut held = known.clone();
        for record in self.store.treaty_signatures(known.hash().as_str())? {
            let Some(carried) = stored_signature(&record) else { continue };
            let Some(key) = context.keys.key_of(&carried.party, &carried.key_id) else { continue };
            // A stored signature that no longer verifies (its party's keys changed) is
            // not passed on; the relations that hold it keep it.
            if let Err(error) = held.add_signature(carried.on(known.hash()), &key) {
                tracing::warn!(party = %carried.party, %error, "a stored treaty signature does not verify; not forwarded");
            }
        }
        Ok(held)
    }

    /// The `sign` notes that pass on third parties' signatures learned from `sender`
    /// (`learned`, verified) to the other parties of a multilateral text. Records
    /// nothing; the caller records them with the note that brought the signatures.
    pub(super) fn forwards(
        &self,
        context: &Context,
        sender: &StixId,
        learned: &SignedTreaty,
        now: Timestamp,
    ) -> Result<Vec<NoteChange>, DiplomacyError> {
        let treaty = learned.treaty();
        let us = context.identity.node_id();
        if treaty.parties().len() <= 2 {
            return Ok(Vec::new());
        }
        let held = self.held_signatures(context, learned)?;
        let mut changes = Vec::new();
        for party in treaty.parties().iter().filter(|party| *party != us && *party != sender) {
            if self.store.partner(party.as_str())?.is_none() {
                continue;
            }
            let replayed = context.replay(&self.store, party, now)?;
            let Some(negotiation) = replayed.relation.negotiation() else { continue };
            let agreed = negotiation.signatures();
            let Some(own) =
                agreed.signature_of(us).filter(|_| negotiation.is_accepted() && agreed.hash() == learned.hash())
            else {
                continue;
            };
            let lacking = held
                .signatures()
                .any(|held| held.party != *us && held.party != *party && agreed.signature_of(&held.party).is_none());
            if !lacking {
                continue;
            }
            let made = signature_note(context, agreed, own, &held, party)
                .and_then(|outgoing| self.prepare(context, party, &replayed, outgoing, now));
            // Only a failure to read our own records stops the reception; a move that is
            // not possible in that relation now waits for our own next `sign` there.
            match made {
                Ok((change, _)) => changes.push(change),
                Err(DiplomacyError::Store(error)) => return Err(DiplomacyError::Store(error)),
                Err(error) => {
                    tracing::info!(%party, %error, "treaty signatures not forwarded now; our next sign carries them")
                }
            }
        }
        Ok(changes)
    }
}

fn stored_signature(record: &SignatureRecord) -> Option<PartySignature> {
    Some(PartySignature {
        party: StixId::parse(&record.party).ok()?,
        key_id: KeyId::parse(&record.key_id).ok()?,
        signature: Signature::parse(&record.signature).ok()?,
    })
}

/// A `sign` note to `partner` on the text of `agreed` (the relation's signatures so
/// far): our signature `own` and, forwarded, every signature in `held` by a party other
/// than us and the partner. The move adds them all to the relation.
fn signature_note(
    context: &Context,
    agreed: &SignedTreaty,
    own: &TreatySignature,
    held: &SignedTreaty,
    partner: &StixId,
) -> Result<Outgoing, DiplomacyError> {
    let us = context.identity.node_id();
    let forwarded: Vec<PartySignature> = held
        .signatures()
        .filter(|signature| signature.party != *us && signature.party != *partner)
        .map(PartySignature::from)
        .collect();
    let signature = PartySignature::from(own);
    let key_of = |party: &StixId, key_id: &KeyId| context.keys.key_of(party, key_id);
    let signatures = carried_signatures(agreed, &signature, &forwarded, &key_of)?;
    let records = signatures.signatures().map(signature_record).collect();
    let body = NoteBody::Sign { treaty_hash: agreed.hash().clone(), signature, forwarded };
    Ok(Outgoing {
        extra: NoteChange { signatures: records, ..NoteChange::default() },
        ..Outgoing::new(Action::Sign { signer: us.clone(), signatures }, body)
    })
}
