//! This node as partners see it: its key, its node id and its signed card.

use entente_core::StixId;
use entente_core::Timestamp;
use entente_core::card::{EndpointUrl, Endpoints, KeyEntry, NodeCard, SignedCard};
use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName};
use entente_store::NodeSettings;
use std::fmt;

/// The node's identity, loaded once at start.
pub struct NodeIdentity {
    key: NodeKey,
    node_id: StixId,
    card: SignedCard,
}

impl fmt::Debug for NodeIdentity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "NodeIdentity({}, {})", self.node_id, self.key.key_id())
    }
}

impl NodeIdentity {
    /// Builds the identity from the stored settings, the key seed and the public base
    /// URL partners reach this node at (e.g. `https://cert.example.org`).
    pub fn new(
        settings: &NodeSettings,
        key: NodeKey,
        public_url: &str,
        issued: Timestamp,
    ) -> Result<NodeIdentity, String> {
        let node_id = StixId::parse(&settings.identity_id).map_err(|error| error.to_string())?;
        let base = public_url.trim_end_matches('/');
        let endpoint = |path: &str| EndpointUrl::parse(&format!("{base}{path}")).map_err(|error| error.to_string());
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
            keys: vec![KeyEntry { key: key.public(), valid_from: key_epoch(), valid_until: None }],
            endpoints: Endpoints { federation: endpoint("/federation/v1/notes")?, taxii: endpoint("/taxii2/")? },
            issued,
        };
        let card = SignedCard::sign(card, &key);
        Ok(NodeIdentity { key, node_id, card })
    }

    pub fn key(&self) -> &NodeKey {
        &self.key
    }

    pub fn node_id(&self) -> &StixId {
        &self.node_id
    }

    pub fn card(&self) -> &SignedCard {
        &self.card
    }
}

/// Keys made by `entente init` are valid from the Unix epoch: the card states when the
/// key may sign, and an operator-made key has no earlier notes to fear.
fn key_epoch() -> Timestamp {
    Timestamp::from_unix_micros(0)
}
