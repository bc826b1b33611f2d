//! The treaty signatures a `sign` note carries, checked on the text they sign.
//!
//! A `sign` note names the treaty by its hash only, so its signatures can be checked
//! once the receiver has the agreed text (the draft of the negotiation it signs).
//! [`carried_signatures`] does that for the sender's own signature and for every
//! forwarded one, with the key the caller trusts for each party: for a partner, a
//! pinned key; for this node, one of its own keys.
//!
//! Invariant: the result holds only signatures that verified, so the relation machine
//! can count them. A single signature that does not verify refuses the whole note
//! (`bad-treaty-signature`): a sender that forwards what it did not check is wrong,
//! and taking part of a note would make the two sides' histories mean different things.

use super::{NoteError, PartySignature};
use crate::StixId;
use crate::keys::{KeyId, PublicKey};
use crate::treaty::SignedTreaty;

/// `agreed` with the sender's `signature` and the `forwarded` ones added, each checked
/// with the key `key_of(party, key_id)` returns.
pub fn carried_signatures(
    agreed: &SignedTreaty,
    signature: &PartySignature,
    forwarded: &[PartySignature],
    key_of: &dyn Fn(&StixId, &KeyId) -> Option<PublicKey>,
) -> Result<SignedTreaty, NoteError> {
    let mut signatures = agreed.clone();
    for carried in std::iter::once(signature).chain(forwarded) {
        let refused = |reason: String| NoteError::BadTreatySignature { party: carried.party.clone(), reason };
        let key = key_of(&carried.party, &carried.key_id)
            .ok_or_else(|| refused(format!("no key {} of that party is trusted here", carried.key_id)))?;
        signatures.add_signature(carried.on(agreed.hash()), &key).map_err(|error| refused(error.to_string()))?;
    }
    Ok(signatures)
}
