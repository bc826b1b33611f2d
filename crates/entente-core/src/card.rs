//! Node cards: the signed self-description a node serves at `/.well-known/entente`.
//!
//! Wire form (protocol version `"1"`):
//!
//! ```json
//! {"card": {"entente": "1", "node_id": "identity--…", "name": "…", "country": "FR",
//!           "kind": "agency",
//!           "keys": [{"key_id": "ed25519:…", "algorithm": "ed25519", "public_key": "…",
//!                     "valid_from": "…Z", "valid_until": "…Z"}],
//!           "encryption_key": {"key_id": "x25519:…",
//!                              "algorithm": "hpke-x25519-hkdf-sha256-chacha20poly1305",
//!                              "public_key": "…"},
//!           "endpoints": {"federation": "https://…", "taxii": "https://…"},
//!           "issued": "…Z"},
//!  "key_id": "ed25519:…", "signature": "…"}
//! ```
//!
//! The signature is Ed25519 over the RFC 8785 bytes of the `card` member, by the key
//! named `key_id`, which must be one of the card's own keys and valid at `issued`.
//! `encryption_key` (optional: cards made before it existed lack it) is the X25519 key
//! partners seal to (`crate::seal`); the signature covers it like every member.
//!
//! Invariants: a [`VerifiedCard`] is only made by [`SignedCard::parse`] (or its
//! siblings) after the structure and the self-signature were checked, and it keeps
//! the signed JSON exactly as received, so it can be stored and embedded again without
//! breaking the signature. Optional members are absent, never `null`; unknown members
//! are refused (a new member needs a new protocol version).
//!
//! What it deliberately does not do: decide whether to trust the card. A card only
//! proves that whoever holds its key wrote it; operators confirm the fingerprint out
//! of band before the key is pinned.

use crate::canonical::to_canonical_bytes;
use crate::keys::{KeyId, PublicKey, Signature};
use crate::node::{CountryCode, NodeKey, NodeKind, NodeName};
use crate::note::PROTOCOL_VERSION;
use crate::seal::EncryptionPublicKey;
use crate::{StixId, Timestamp};
use serde::Deserialize;
use serde_json::{Value, json};

mod members;

pub(crate) use members::non_null;
pub use members::{EndpointUrl, Endpoints, KeyEntry, encryption_key_from_json, encryption_key_to_json};

/// The largest card text accepted: a card is a few hundred bytes.
pub const MAX_CARD_BYTES: usize = 64 * 1024;

/// The most keys one card may list: the current key and a few being rotated out.
pub const MAX_CARD_KEYS: usize = 16;

/// Why a node card was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("node card is larger than {MAX_CARD_BYTES} bytes")]
    TooLarge,
    #[error("node card is not JSON of the expected shape: {0}")]
    Shape(String),
    #[error("node card speaks protocol version {0:?}; this node speaks \"1\"")]
    UnsupportedVersion(String),
    #[error("node card member `{member}` is invalid: {reason}")]
    Invalid { member: &'static str, reason: String },
    #[error("node card is signed by {0}, which is not one of its own keys")]
    SignerNotInCard(KeyId),
    #[error("node card is signed by {0}, which is not valid at the card's issue time")]
    SignerNotValid(KeyId),
    #[error("node card's self-signature does not verify")]
    BadSignature,
}

impl CardError {
    pub(crate) fn invalid(member: &'static str, reason: &impl ToString) -> CardError {
        CardError::Invalid { member, reason: reason.to_string() }
    }
}

/// What a node says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCard {
    /// The node's STIX identity id (`identity--<uuid>`), which is its node id.
    pub node_id: StixId,
    pub name: NodeName,
    pub country: Option<CountryCode>,
    pub kind: NodeKind,
    pub keys: Vec<KeyEntry>,
    /// The key partners seal to; absent on cards of nodes that have none.
    pub encryption_key: Option<EncryptionPublicKey>,
    pub endpoints: Endpoints,
    pub issued: Timestamp,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CardWire {
    #[serde(rename = "entente")]
    _version: String,
    node_id: String,
    name: String,
    #[serde(default, deserialize_with = "non_null")]
    country: Option<String>,
    kind: String,
    keys: Vec<Value>,
    #[serde(default, deserialize_with = "non_null")]
    encryption_key: Option<Value>,
    endpoints: Value,
    issued: String,
}

impl NodeCard {
    /// The `card` member: what the signature covers.
    pub fn to_json(&self) -> Value {
        let mut card = json!({
            "entente": PROTOCOL_VERSION,
            "node_id": self.node_id.as_str(),
            "name": self.name.as_str(),
            "kind": self.kind.as_str(),
            "keys": self.keys.iter().map(KeyEntry::to_json).collect::<Vec<_>>(),
            "endpoints": self.endpoints.to_json(),
            "issued": self.issued.to_string(),
        });
        if let Some(country) = &self.country {
            card["country"] = json!(country.as_str());
        }
        if let Some(key) = &self.encryption_key {
            card["encryption_key"] = encryption_key_to_json(key);
        }
        card
    }

    /// Reads the `card` member, checking every field but not the signature.
    fn from_json(value: &Value) -> Result<NodeCard, CardError> {
        let version = value.get("entente").and_then(Value::as_str);
        if let Some(version) = version.filter(|version| *version != PROTOCOL_VERSION) {
            return Err(CardError::UnsupportedVersion(version.to_owned()));
        }
        let wire = CardWire::deserialize(value).map_err(|error| CardError::Shape(error.to_string()))?;
        let node_id = StixId::parse(&wire.node_id).map_err(|error| CardError::invalid("node_id", &error))?;
        if node_id.object_type() != "identity" {
            return Err(CardError::invalid("node_id", &"a node id is a STIX identity id (identity--<uuid>)"));
        }
        let name = NodeName::parse(&wire.name).map_err(|error| CardError::invalid("name", &error))?;
        if name.as_str() != wire.name {
            return Err(CardError::invalid("name", &"surrounding whitespace is not allowed"));
        }
        let country = match wire.country {
            Some(text) => Some(parse_country(&text)?),
            None => None,
        };
        let kind = NodeKind::parse(&wire.kind).map_err(|error| CardError::invalid("kind", &error))?;
        let keys = parse_keys(&wire.keys)?;
        let encryption_key = wire.encryption_key.as_ref().map(encryption_key_from_json).transpose()?;
        let endpoints = Endpoints::from_json(&wire.endpoints)?;
        let issued = Timestamp::parse(&wire.issued).map_err(|error| CardError::invalid("issued", &error))?;
        Ok(NodeCard { node_id, name, country, kind, keys, encryption_key, endpoints, issued })
    }

    /// The card's key named `key_id`, if it lists one.
    pub fn key(&self, key_id: &KeyId) -> Option<&KeyEntry> {
        self.keys.iter().find(|entry| &entry.key_id() == key_id)
    }
}

fn parse_country(text: &str) -> Result<CountryCode, CardError> {
    let country = CountryCode::parse(text).map_err(|error| CardError::invalid("country", &error))?;
    if country.as_str() != text {
        return Err(CardError::invalid("country", &"must be two upper-case letters"));
    }
    Ok(country)
}

fn parse_keys(values: &[Value]) -> Result<Vec<KeyEntry>, CardError> {
    if values.is_empty() || values.len() > MAX_CARD_KEYS {
        return Err(CardError::invalid("keys", &format!("a card lists 1 to {MAX_CARD_KEYS} keys")));
    }
    let mut keys: Vec<KeyEntry> = Vec::with_capacity(values.len());
    for value in values {
        let entry = KeyEntry::from_json(value)?;
        if keys.iter().any(|known| known.key == entry.key) {
            return Err(CardError::invalid("keys", &format!("key {} is listed twice", entry.key_id())));
        }
        keys.push(entry);
    }
    Ok(keys)
}

/// A node card and its self-signature, as a node publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCard {
    pub card: NodeCard,
    pub key_id: KeyId,
    pub signature: Signature,
}

impl SignedCard {
    /// Signs `card` with `key`. The key should be one of the card's own keys, valid
    /// at `issued`; otherwise every receiver (and [`SignedCard::verify`]) refuses it.
    pub fn sign(card: NodeCard, key: &NodeKey) -> SignedCard {
        let bytes = to_canonical_bytes(&card.to_json()).expect("a JSON value always has a canonical form");
        SignedCard { signature: key.sign(&bytes), key_id: key.key_id(), card }
    }

    /// The wire document.
    pub fn to_json(&self) -> Value {
        json!({"card": self.card.to_json(), "key_id": self.key_id.as_str(), "signature": self.signature.encode()})
    }

    /// Checks our own signed card the way a partner will.
    pub fn verify(&self) -> Result<VerifiedCard, CardError> {
        SignedCard::parse_value(&self.to_json())
    }

    /// Parses a card served by a node and checks its structure and self-signature.
    pub fn parse(text: &str) -> Result<VerifiedCard, CardError> {
        if text.len() > MAX_CARD_BYTES {
            return Err(CardError::TooLarge);
        }
        let value: Value = serde_json::from_str(text).map_err(|error| CardError::Shape(error.to_string()))?;
        SignedCard::parse_value(&value)
    }

    /// Like [`SignedCard::parse`], for a card that arrived inside another document
    /// (a `recognize` note).
    pub fn parse_value(value: &Value) -> Result<VerifiedCard, CardError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct SignedWire {
            card: Value,
            key_id: String,
            signature: String,
        }
        let wire = SignedWire::deserialize(value).map_err(|error| CardError::Shape(error.to_string()))?;
        let card = NodeCard::from_json(&wire.card)?;
        let key_id = KeyId::parse(&wire.key_id).map_err(|error| CardError::invalid("key_id", &error))?;
        let signature = Signature::parse(&wire.signature).map_err(|error| CardError::invalid("signature", &error))?;
        let entry = card.key(&key_id).ok_or_else(|| CardError::SignerNotInCard(key_id.clone()))?;
        if !entry.is_valid_at(card.issued) {
            return Err(CardError::SignerNotValid(key_id));
        }
        let bytes = to_canonical_bytes(&wire.card).map_err(|error| CardError::Shape(error.to_string()))?;
        entry.key.verify(&bytes, &signature).map_err(|_| CardError::BadSignature)?;
        let signing_key = entry.key;
        Ok(VerifiedCard { card, key_id, signing_key, document: value.clone() })
    }
}

/// A node card whose structure and self-signature were checked.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedCard {
    card: NodeCard,
    key_id: KeyId,
    signing_key: PublicKey,
    document: Value,
}

impl VerifiedCard {
    pub fn card(&self) -> &NodeCard {
        &self.card
    }

    pub fn node_id(&self) -> &StixId {
        &self.card.node_id
    }

    /// The id of the key that signed the card.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The key that signed the card.
    pub fn signing_key(&self) -> &PublicKey {
        &self.signing_key
    }

    /// The signing key's fingerprint, for operators to compare out of band.
    pub fn fingerprint(&self) -> String {
        self.signing_key.fingerprint()
    }

    /// The signed card exactly as received (same canonical bytes, same signature).
    pub fn to_json(&self) -> &Value {
        &self.document
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_card(key: &NodeKey) -> NodeCard {
        let issued = Timestamp::parse("2025-01-01T00:00:00.000Z").unwrap();
        NodeCard {
            node_id: StixId::parse("identity--6ba7b810-9dad-41d1-80b4-00c04fd430c8").unwrap(),
            name: NodeName::parse("CERT Testland").unwrap(),
            country: Some(CountryCode::parse("FR").unwrap()),
            kind: NodeKind::Agency,
            keys: vec![KeyEntry { key: key.public(), valid_from: issued, valid_until: None }],
            encryption_key: None,
            endpoints: Endpoints {
                federation: EndpointUrl::parse("https://a.example/federation").unwrap(),
                taxii: EndpointUrl::parse("https://a.example/taxii2/").unwrap(),
            },
            issued,
        }
    }

    #[test]
    fn signs_and_verifies() {
        let key = NodeKey::from_seed([1; 32]);
        let signed = SignedCard::sign(sample_card(&key), &key);
        let text = serde_json::to_string_pretty(&signed.to_json()).unwrap();
        let verified = SignedCard::parse(&text).unwrap();
        assert_eq!(verified.card(), &signed.card);
        assert_eq!(verified.fingerprint(), key.fingerprint());
        assert_eq!(verified.to_json(), &signed.to_json());
    }

    #[test]
    fn the_encryption_key_is_optional_and_signed() {
        let key = NodeKey::from_seed([1; 32]);
        let encryption = crate::seal::EncryptionKey::from_bytes([3; 32]).public_key();
        let card = NodeCard { encryption_key: Some(encryption), ..sample_card(&key) };
        let document = SignedCard::sign(card, &key).to_json();
        let verified = SignedCard::parse_value(&document).unwrap();
        assert_eq!(verified.card().encryption_key, Some(encryption));
        let mut swapped = document.clone();
        let other = crate::seal::EncryptionKey::from_bytes([4; 32]).public_key();
        swapped["card"]["encryption_key"] = encryption_key_to_json(&other);
        assert_eq!(SignedCard::parse_value(&swapped), Err(CardError::BadSignature));
        let mut null = document.clone();
        null["card"]["encryption_key"] = json!(null);
        assert!(matches!(SignedCard::parse_value(&null), Err(CardError::Invalid { member: "encryption_key", .. })));
        let plain = SignedCard::sign(sample_card(&key), &key).to_json();
        assert!(plain["card"].get("encryption_key").is_none(), "absent, not null");
        assert_eq!(SignedCard::parse_value(&plain).unwrap().card().encryption_key, None);
    }

    #[test]
    fn refuses_tampering_foreign_signers_and_bad_members() {
        let key = NodeKey::from_seed([1; 32]);
        let document = SignedCard::sign(sample_card(&key), &key).to_json();
        let mutate = |change: &dyn Fn(&mut Value)| {
            let mut copy = document.clone();
            change(&mut copy);
            SignedCard::parse_value(&copy)
        };
        assert_eq!(mutate(&|card| card["card"]["name"] = json!("Other")), Err(CardError::BadSignature));
        assert!(matches!(mutate(&|card| card["card"]["entente"] = json!("2")), Err(CardError::UnsupportedVersion(_))));
        assert!(matches!(mutate(&|card| card["card"]["country"] = json!(null)), Err(CardError::Shape(_))));
        assert!(matches!(mutate(&|card| card["card"]["extra"] = json!(1)), Err(CardError::Shape(_))));
        assert!(matches!(mutate(&|card| card["card"]["name"] = json!(" x ")), Err(CardError::Invalid { .. })));
        assert!(matches!(mutate(&|card| card["card"]["keys"] = json!([])), Err(CardError::Invalid { .. })));
        let other = NodeKey::from_seed([2; 32]);
        let foreign = SignedCard::sign(sample_card(&key), &other);
        assert!(matches!(foreign.verify(), Err(CardError::SignerNotInCard(_))));
        let mut early = sample_card(&key);
        early.issued = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        assert!(matches!(SignedCard::sign(early, &key).verify(), Err(CardError::SignerNotValid(_))));
        assert!(matches!(SignedCard::parse("[1,"), Err(CardError::Shape(_))));
        assert_eq!(SignedCard::parse(&" ".repeat(MAX_CARD_BYTES + 1)), Err(CardError::TooLarge));
    }
}
