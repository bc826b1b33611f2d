//! This node as partners see it: its node id, the key it signs with, the keys it had
//! before, and its signed card.
//!
//! Key history: an identity holds one private key, the one it signs with, and the
//! public half of every key the node has had, with their validity, so that the notes
//! and treaty signatures made before a rotation are checked with the key that was
//! current then. The `Diplomat` keeps the history in the store (`node_keys`) and gives
//! it back with [`NodeIdentity::with_history`]; the private keys stay in key files,
//! which only the binary handles.
//!
//! The card lists the keys partners may still meet: every key not yet retired when
//! the card was issued (at most [`MAX_CARD_KEYS`], the newest), and it is signed by
//! the current key.
//!
//! The identity also holds the node's encryption key (X25519, §10), when it has one:
//! its public half is the card's `encryption_key`, and sync opens with it the objects
//! partners seal to this node. A rotation of the signing key keeps it.
//!
//! Invariant: the signing key is always one of the history's keys.

use entente_core::StixId;
use entente_core::Timestamp;
use entente_core::card::{EndpointUrl, Endpoints, KeyEntry, MAX_CARD_KEYS, NodeCard, SignedCard};
use entente_core::keys::{KeyId, PublicKey};
use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName};
use entente_core::seal::EncryptionKey;
use entente_store::NodeSettings;
use std::fmt;

/// The node's identity: loaded at start, replaced as a whole by a rotation.
pub struct NodeIdentity {
    key: NodeKey,
    node_id: StixId,
    /// Every key the node has had, oldest first; the signing key is among them.
    keys: Vec<KeyEntry>,
    card: SignedCard,
    /// The key partners seal objects to; its public half is on the card.
    encryption: Option<EncryptionKey>,
}

impl fmt::Debug for NodeIdentity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "NodeIdentity({}, {})", self.node_id, self.key.key_id())
    }
}

impl NodeIdentity {
    /// Builds the identity from the stored settings, the key seed and the public base
    /// URL partners reach this node at (e.g. `https://cert.example.org`). The key is
    /// taken as the node's only key until [`NodeIdentity::with_history`] says more.
    pub fn new(
        settings: &NodeSettings,
        key: NodeKey,
        public_url: &str,
        issued: Timestamp,
    ) -> Result<NodeIdentity, String> {
        let node_id = StixId::parse(&settings.identity_id).map_err(|error| error.to_string())?;
        let base = public_url.trim_end_matches('/');
        let endpoint = |path: &str| EndpointUrl::parse(&format!("{base}{path}")).map_err(|error| error.to_string());
        let keys = vec![KeyEntry { key: key.public(), valid_from: key_epoch(), valid_until: None }];
        let card = NodeCard {
            node_id: node_id.clone(),
            name: NodeName::parse(&settings.name).map_err(|error| error.to_string())?,
            country: settings
                .country
                .as_deref()
                .map(CountryCode::parse)
                .transpose()
                .map_err(|error| error.to_string())?,
            kind: NodeKind::parse(&settings.kind).map_err(|error| error.to_string())?,
            keys: keys.clone(),
            encryption_key: None,
            endpoints: Endpoints { federation: endpoint("/federation/v1/notes")?, taxii: endpoint("/taxii2/")? },
            issued,
        };
        Ok(NodeIdentity::assemble(key, node_id, keys, card, None))
    }

    /// Signs a card listing the keys still in use at `card.issued`.
    fn assemble(
        key: NodeKey,
        node_id: StixId,
        keys: Vec<KeyEntry>,
        mut card: NodeCard,
        encryption: Option<EncryptionKey>,
    ) -> NodeIdentity {
        let signer = key.key_id();
        let listed: Vec<KeyEntry> = keys
            .iter()
            .filter(|entry| entry.key_id() == signer || entry.valid_until.is_none_or(|until| until > card.issued))
            .cloned()
            .collect();
        card.keys = listed[listed.len().saturating_sub(MAX_CARD_KEYS)..].to_vec();
        card.encryption_key = encryption.as_ref().map(EncryptionKey::public_key);
        let card = SignedCard::sign(card, &key);
        NodeIdentity { key, node_id, keys, card, encryption }
    }

    /// The same node holding `key`, the key partners seal to: its public half goes on
    /// the card (signed again). Rotations and the key history keep it.
    pub fn with_encryption_key(self, key: EncryptionKey) -> NodeIdentity {
        let card = self.card.card.clone();
        NodeIdentity::assemble(self.key, self.node_id, self.keys, card, Some(key))
    }

    /// The same node with the key history the store holds (oldest first). An empty
    /// history means the node never rotated: the identity is kept as it is.
    pub fn with_history(&self, history: Vec<KeyEntry>) -> Result<NodeIdentity, String> {
        if history.is_empty() {
            return Ok(self.duplicate());
        }
        if !history.iter().any(|entry| entry.key == self.key.public()) {
            let known: Vec<String> = history.iter().map(|entry| entry.key_id().to_string()).collect();
            return Err(format!(
                "this node signs with key {}, which is not one of its keys ({}); start it with its current key file",
                self.key.key_id(),
                known.join(", ")
            ));
        }
        let key = NodeKey::from_seed(self.key.seed());
        Ok(NodeIdentity::assemble(key, self.node_id.clone(), history, self.card.card.clone(), self.encryption.clone()))
    }

    /// The node after a rotation at `at` to `new_key`: the current key ends at
    /// `old_key_valid_until` (or earlier, if it already ended earlier), the new key is
    /// valid from `at`, and the card, issued at `at`, is signed by the new key.
    pub fn rotated(
        &self,
        new_key: NodeKey,
        old_key_valid_until: Timestamp,
        at: Timestamp,
    ) -> Result<NodeIdentity, String> {
        if self.keys.iter().any(|entry| entry.key == new_key.public()) {
            return Err(format!("key {} was already a key of this node; rotate to a fresh key", new_key.key_id()));
        }
        if old_key_valid_until <= at {
            return Err(format!(
                "the old key must stay valid after the rotation (until {old_key_valid_until}, which is not after {at}), \
                 so that the notes announcing the new key can still be verified"
            ));
        }
        let old = self.key.public();
        let mut keys = self.keys.clone();
        for entry in keys.iter_mut().filter(|entry| entry.key == old) {
            entry.valid_until = Some(entry.valid_until.map_or(old_key_valid_until, |end| end.min(old_key_valid_until)));
        }
        keys.push(KeyEntry { key: new_key.public(), valid_from: at, valid_until: None });
        let card = NodeCard { issued: at, ..self.card.card.clone() };
        Ok(NodeIdentity::assemble(new_key, self.node_id.clone(), keys, card, self.encryption.clone()))
    }

    fn duplicate(&self) -> NodeIdentity {
        let key = NodeKey::from_seed(self.key.seed());
        NodeIdentity {
            key,
            node_id: self.node_id.clone(),
            keys: self.keys.clone(),
            card: self.card.clone(),
            encryption: self.encryption.clone(),
        }
    }

    /// The key this node signs with now.
    pub fn key(&self) -> &NodeKey {
        &self.key
    }

    /// The signing key's entry: when it became valid, and when it ends, if it does.
    pub fn signing_entry(&self) -> &KeyEntry {
        let current = self.key.public();
        self.keys.iter().find(|entry| entry.key == current).expect("the signing key is always in the history")
    }

    /// Every key the node has had, oldest first.
    pub fn keys(&self) -> &[KeyEntry] {
        &self.keys
    }

    /// One of the node's keys, past or present, by id.
    pub fn public_key(&self, key_id: &KeyId) -> Option<PublicKey> {
        self.keys.iter().map(|entry| entry.key).find(|key| key.key_id() == *key_id)
    }

    pub fn node_id(&self) -> &StixId {
        &self.node_id
    }

    pub fn card(&self) -> &SignedCard {
        &self.card
    }

    /// The key partners seal objects to, when the node has one.
    pub fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.encryption.as_ref()
    }
}

/// Keys made by `entente init` are valid from the Unix epoch: the card states when the
/// key may sign, and an operator-made key has no earlier notes to fear.
fn key_epoch() -> Timestamp {
    Timestamp::from_unix_micros(0)
}
