//! The members a node card is made of: key entries, the encryption key and endpoints.
//!
//! A key entry is also what a `rotate-key` note announces, so it parses on its own.
//! Its `key_id` is redundant with its public key and must match it: a receiver never
//! trusts a claimed id, it recomputes it. The same holds for the encryption key.
//!
//! Endpoint URLs are checked for form only (scheme, host, no whitespace); whether the
//! node answers there is the server's business.

use super::CardError;
use crate::Timestamp;
use crate::keys::{KeyId, PublicKey};
use crate::seal::{ENCRYPTION_ALGORITHM, EncryptionKeyId, EncryptionPublicKey};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use std::fmt;

/// Reads an optional member that may be absent but never `null`: used with
/// `#[serde(default, deserialize_with = "non_null")]`.
pub(crate) fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// One public signing key of a node and the time it is valid for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyEntry {
    pub key: PublicKey,
    pub valid_from: Timestamp,
    /// The end of validity, exclusive; `None` while the key is current.
    pub valid_until: Option<Timestamp>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyWire {
    key_id: String,
    algorithm: String,
    public_key: String,
    valid_from: String,
    #[serde(default, deserialize_with = "non_null")]
    valid_until: Option<String>,
}

impl KeyEntry {
    pub fn key_id(&self) -> KeyId {
        self.key.key_id()
    }

    /// True when `at` falls within `[valid_from, valid_until)`.
    pub fn is_valid_at(&self, at: Timestamp) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|until| at < until)
    }

    pub fn to_json(&self) -> Value {
        let mut entry = json!({
            "key_id": self.key_id().as_str(),
            "algorithm": "ed25519",
            "public_key": self.key.encode(),
            "valid_from": self.valid_from.to_string(),
        });
        if let Some(until) = self.valid_until {
            entry["valid_until"] = json!(until.to_string());
        }
        entry
    }

    pub fn from_json(value: &Value) -> Result<KeyEntry, CardError> {
        let wire = KeyWire::deserialize(value).map_err(|error| CardError::invalid("keys", &error))?;
        if wire.algorithm != "ed25519" {
            return Err(CardError::invalid("keys", &format!("algorithm {:?} is not ed25519", wire.algorithm)));
        }
        let key = PublicKey::parse(&wire.public_key).map_err(|error| CardError::invalid("keys", &error))?;
        let claimed = KeyId::parse(&wire.key_id).map_err(|error| CardError::invalid("keys", &error))?;
        if claimed != key.key_id() {
            let reason = format!("key_id {claimed} does not name public key {}", key.key_id());
            return Err(CardError::invalid("keys", &reason));
        }
        let valid_from = Timestamp::parse(&wire.valid_from).map_err(|error| CardError::invalid("keys", &error))?;
        let valid_until = match wire.valid_until {
            Some(text) => Some(Timestamp::parse(&text).map_err(|error| CardError::invalid("keys", &error))?),
            None => None,
        };
        if valid_until.is_some_and(|until| until <= valid_from) {
            return Err(CardError::invalid("keys", &format!("key {claimed} ends before it starts")));
        }
        Ok(KeyEntry { key, valid_from, valid_until })
    }
}

/// The card's `encryption_key` member: `{"key_id": "x25519:…", "algorithm":
/// "hpke-x25519-hkdf-sha256-chacha20poly1305", "public_key": "…"}`.
pub fn encryption_key_to_json(key: &EncryptionPublicKey) -> Value {
    json!({"key_id": key.key_id().as_str(), "algorithm": ENCRYPTION_ALGORITHM, "public_key": key.encode()})
}

/// Reads the `encryption_key` member, checking its algorithm and that its id names its key.
pub fn encryption_key_from_json(value: &Value) -> Result<EncryptionPublicKey, CardError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct EncryptionKeyWire {
        key_id: String,
        algorithm: String,
        public_key: String,
    }
    let invalid = |reason: &dyn ToString| CardError::invalid("encryption_key", &reason.to_string());
    let wire = EncryptionKeyWire::deserialize(value).map_err(|error| invalid(&error))?;
    if wire.algorithm != ENCRYPTION_ALGORITHM {
        return Err(invalid(&format!("algorithm {:?} is not {ENCRYPTION_ALGORITHM}", wire.algorithm)));
    }
    let key = EncryptionPublicKey::parse(&wire.public_key).map_err(|error| invalid(&error))?;
    let claimed = EncryptionKeyId::parse(&wire.key_id).map_err(|error| invalid(&error))?;
    if claimed != key.key_id() {
        return Err(invalid(&format!("key_id {claimed} does not name public key {}", key.key_id())));
    }
    Ok(key)
}

/// An absolute `http` or `https` URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EndpointUrl(String);

impl EndpointUrl {
    pub fn parse(text: &str) -> Result<EndpointUrl, CardError> {
        let invalid = |reason: &str| CardError::invalid("endpoints", &format!("{text:?} {reason}"));
        if text.len() > 2048 {
            return Err(invalid("is longer than 2048 bytes"));
        }
        let rest = text
            .strip_prefix("https://")
            .or_else(|| text.strip_prefix("http://"))
            .ok_or_else(|| invalid("is not an http or https URL"))?;
        let host = rest.split(['/', '?', '#']).next().unwrap_or("");
        if host.is_empty() || host.starts_with(':') || host.contains('@') {
            return Err(invalid("has no host (or carries credentials)"));
        }
        if text.chars().any(|character| character.is_whitespace() || character.is_control()) {
            return Err(invalid("contains whitespace or control characters"));
        }
        Ok(EndpointUrl(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EndpointUrl {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// Where a node answers: the federation endpoint notes are posted to, and its TAXII
/// 2.1 discovery URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub federation: EndpointUrl,
    pub taxii: EndpointUrl,
}

impl Endpoints {
    pub fn to_json(&self) -> Value {
        json!({"federation": self.federation.as_str(), "taxii": self.taxii.as_str()})
    }

    pub fn from_json(value: &Value) -> Result<Endpoints, CardError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct EndpointsWire {
            federation: String,
            taxii: String,
        }
        let wire = EndpointsWire::deserialize(value).map_err(|error| CardError::invalid("endpoints", &error))?;
        Ok(Endpoints { federation: EndpointUrl::parse(&wire.federation)?, taxii: EndpointUrl::parse(&wire.taxii)? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeKey;

    #[test]
    fn key_entries_round_trip_and_check_their_id() {
        let key = NodeKey::from_seed([4; 32]);
        let entry = KeyEntry {
            key: key.public(),
            valid_from: Timestamp::parse("2025-01-01T00:00:00Z").unwrap(),
            valid_until: Some(Timestamp::parse("2026-01-01T00:00:00Z").unwrap()),
        };
        assert_eq!(KeyEntry::from_json(&entry.to_json()).unwrap(), entry);
        assert!(entry.is_valid_at(entry.valid_from));
        assert!(!entry.is_valid_at(entry.valid_until.unwrap()));
        let mut wrong_id = entry.to_json();
        wrong_id["key_id"] = json!(NodeKey::from_seed([5; 32]).key_id().as_str());
        assert!(KeyEntry::from_json(&wrong_id).is_err());
        let mut backwards = entry.to_json();
        backwards["valid_until"] = json!("2024-01-01T00:00:00Z");
        assert!(KeyEntry::from_json(&backwards).is_err());
        let mut other_algorithm = entry.to_json();
        other_algorithm["algorithm"] = json!("rsa");
        assert!(KeyEntry::from_json(&other_algorithm).is_err());
    }

    #[test]
    fn encryption_keys_round_trip_and_check_their_id() {
        let key = crate::seal::EncryptionKey::from_bytes([6; 32]).public_key();
        let entry = encryption_key_to_json(&key);
        assert_eq!(encryption_key_from_json(&entry).unwrap(), key);
        let other = crate::seal::EncryptionKey::from_bytes([7; 32]).public_key();
        let mut wrong_id = entry.clone();
        wrong_id["key_id"] = json!(other.key_id().as_str());
        assert!(encryption_key_from_json(&wrong_id).is_err());
        let mut other_algorithm = entry.clone();
        other_algorithm["algorithm"] = json!("x25519");
        assert!(encryption_key_from_json(&other_algorithm).is_err());
        let mut extra = entry;
        extra["valid_from"] = json!("2025-01-01T00:00:00Z");
        assert!(encryption_key_from_json(&extra).is_err());
    }

    #[test]
    fn endpoint_urls() {
        assert!(EndpointUrl::parse("https://cert.example:8443/federation").is_ok());
        assert!(EndpointUrl::parse("http://127.0.0.1:4000/taxii2/").is_ok());
        for bad in ["ftp://x", "https://", "https:///path", "https://a b", "https://user@host/", "cert.example"] {
            assert!(EndpointUrl::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
