//! The node's own description: name, country, kind, signing key and STIX identity.
//!
//! The signing key is made from 32 bytes the caller supplies; storing it (with file
//! mode 0600) is the binary's job.

use crate::{StixId, Timestamp};
use ed25519_dalek::SigningKey;
use sha2::{Digest, Sha256};
use std::fmt;

/// What kind of party runs the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NodeKind {
    State,
    Agency,
    Alliance,
    Ngo,
    Company,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    #[error("unknown node kind {0:?}: expected state, agency, alliance, ngo or company")]
    Kind(String),
    #[error("country {0:?} is not an ISO 3166-1 alpha-2 code (two letters, such as FR or KE)")]
    Country(String),
    #[error("node name must be 1 to 200 characters without control characters")]
    Name,
}

impl NodeKind {
    pub fn parse(text: &str) -> Result<NodeKind, NodeError> {
        match text {
            "state" => Ok(NodeKind::State),
            "agency" => Ok(NodeKind::Agency),
            "alliance" => Ok(NodeKind::Alliance),
            "ngo" => Ok(NodeKind::Ngo),
            "company" => Ok(NodeKind::Company),
            other => Err(NodeError::Kind(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::State => "state",
            NodeKind::Agency => "agency",
            NodeKind::Alliance => "alliance",
            NodeKind::Ngo => "ngo",
            NodeKind::Company => "company",
        }
    }

    /// The STIX industry sector that best describes this kind of party.
    fn sector(self) -> Option<&'static str> {
        match self {
            NodeKind::State | NodeKind::Agency | NodeKind::Alliance => Some("government"),
            NodeKind::Ngo => Some("non-profit"),
            NodeKind::Company => None,
        }
    }
}

/// An ISO 3166-1 alpha-2 code, upper case. Only the form is checked: the list of
/// codes changes, and an unknown but well-formed code harms no one.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(text: &str) -> Result<CountryCode, NodeError> {
        let upper = text.trim().to_ascii_uppercase();
        if upper.len() == 2 && upper.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(CountryCode(upper))
        } else {
            Err(NodeError::Country(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A node's display name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NodeName(String);

impl NodeName {
    pub fn parse(text: &str) -> Result<NodeName, NodeError> {
        let trimmed = text.trim();
        if trimmed.is_empty() || trimmed.chars().count() > 200 || trimmed.chars().any(char::is_control) {
            return Err(NodeError::Name);
        }
        Ok(NodeName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The node's Ed25519 signing key.
pub struct NodeKey(SigningKey);

impl fmt::Debug for NodeKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "NodeKey({})", self.fingerprint())
    }
}

impl NodeKey {
    pub fn from_seed(seed: [u8; 32]) -> NodeKey {
        NodeKey(SigningKey::from_bytes(&seed))
    }

    pub fn seed(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.0.verifying_key().to_bytes()
    }

    pub(crate) fn verifying_key(&self) -> ed25519_dalek::VerifyingKey {
        self.0.verifying_key()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.0
    }

    /// SHA-256 of the public key in colon-separated hex pairs, for reading aloud when
    /// partners confirm each other's key out of band.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.public_key());
        digest.iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":")
    }
}

/// Builds the node's STIX `identity` object.
pub fn identity_object(
    id: &StixId,
    name: &NodeName,
    kind: NodeKind,
    country: Option<&CountryCode>,
    now: Timestamp,
) -> serde_json::Value {
    let mut identity = serde_json::json!({
        "type": "identity",
        "spec_version": "2.1",
        "id": id.as_str(),
        "created": now.to_string(),
        "modified": now.to_string(),
        "name": name.as_str(),
        "identity_class": "organization",
        "x_entente_kind": kind.as_str(),
    });
    if let Some(sector) = kind.sector() {
        identity["sectors"] = serde_json::json!([sector]);
    }
    if let Some(country) = country {
        identity["x_entente_country"] = serde_json::json!(country.as_str());
    }
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_inputs() {
        assert_eq!(CountryCode::parse("fr").unwrap().as_str(), "FR");
        assert!(CountryCode::parse("FRA").is_err());
        assert!(NodeName::parse("  ").is_err());
        assert!(NodeName::parse("CERT\u{7}").is_err());
        assert!(NodeKind::parse("empire").is_err());
    }

    #[test]
    fn key_fingerprint_is_stable() {
        let key = NodeKey::from_seed([1; 32]);
        assert_eq!(key.fingerprint(), NodeKey::from_seed(key.seed()).fingerprint());
        assert_eq!(key.fingerprint().len(), 32 * 3 - 1);
    }
}
