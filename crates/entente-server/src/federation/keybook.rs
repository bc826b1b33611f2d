//! The keys that check treaty signatures and this node's own notes: the node's keys,
//! past and present, and every partner's pinned keys.
//!
//! A treaty between more than two parties carries signatures that reach us through
//! other relations, so checking a `sign` note may need the key of any party, not only
//! the note's sender. Keys are looked up by id whatever their validity today: a
//! signature made while a key was valid stays valid after the key retires, and replay
//! must reach the same verdict years later.

use super::directory::pinned;
use super::{DiplomacyError, NodeIdentity};
use entente_core::StixId;
use entente_core::keys::{KeyId, PublicKey};
use entente_store::Store;
use std::collections::HashMap;

pub(crate) struct KeyBook {
    us: StixId,
    ours: Vec<PublicKey>,
    /// Pinned keys by partner node id.
    partners: HashMap<String, Vec<PublicKey>>,
}

impl KeyBook {
    pub fn load(store: &Store, identity: &NodeIdentity) -> Result<KeyBook, DiplomacyError> {
        let mut records: HashMap<String, Vec<entente_store::KeyRecord>> = HashMap::new();
        for (node, record) in store.pinned_keys()? {
            records.entry(node).or_default().push(record);
        }
        let partners = records
            .into_iter()
            .map(|(node, keys)| (node, pinned(&keys).into_iter().map(|key| key.key).collect()))
            .collect();
        Ok(KeyBook {
            us: identity.node_id().clone(),
            ours: identity.keys().iter().map(|entry| entry.key).collect(),
            partners,
        })
    }

    /// Whether `party` is this node, or a partner with at least one pinned key.
    pub fn knows(&self, party: &StixId) -> bool {
        *party == self.us || self.partners.get(party.as_str()).is_some_and(|keys| !keys.is_empty())
    }

    /// The key `key_id` of `party`: one of ours, or one we pinned for a partner.
    pub fn key_of(&self, party: &StixId, key_id: &KeyId) -> Option<PublicKey> {
        let keys = if *party == self.us { Some(&self.ours) } else { self.partners.get(party.as_str()) };
        keys?.iter().copied().find(|key| key.key_id() == *key_id)
    }
}
