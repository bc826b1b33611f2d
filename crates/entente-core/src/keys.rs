//! Ed25519 keys, key ids and signatures as they appear on the wire.
//!
//! Wire forms: public keys and signatures are unpadded base64url of their raw bytes
//! (32 and 64 bytes); a key id is `ed25519:` followed by the first 16 lower-case hex
//! digits of the SHA-256 of the raw public key. Signatures are pure Ed25519 (RFC
//! 8032) over the exact bytes given, which for every Entente document are its RFC 8785
//! canonical form.
//!
//! Verification uses `verify_strict`, which refuses the malleable and small-order
//! encodings that plain Ed25519 verification lets through.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, VerifyingKey};
use sha2::{Digest, Sha256};
use std::fmt;

/// Why a key, key id or signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("public key is not 32 bytes of unpadded base64url Ed25519 key")]
    PublicKey,
    #[error("signature is not 64 bytes of unpadded base64url")]
    SignatureEncoding,
    #[error("signature does not verify with key {0}")]
    BadSignature(KeyId),
    #[error("key id {0:?} is not `ed25519:` followed by 16 lower-case hex digits")]
    KeyId(String),
}

/// Names a public key: `ed25519:` + 16 hex digits of its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    pub fn parse(text: &str) -> Result<KeyId, KeyError> {
        let hex_part = text.strip_prefix("ed25519:").ok_or_else(|| KeyError::KeyId(text.to_owned()))?;
        if hex_part.len() == 16 && hex_part.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(KeyId(text.to_owned()))
        } else {
            Err(KeyError::KeyId(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for KeyId {
    type Error = KeyError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        KeyId::parse(&text)
    }
}

impl From<KeyId> for String {
    fn from(id: KeyId) -> String {
        id.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// An Ed25519 public key.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PublicKey(VerifyingKey);

impl fmt::Debug for PublicKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "PublicKey({})", self.key_id())
    }
}

impl PublicKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> Result<PublicKey, KeyError> {
        VerifyingKey::from_bytes(bytes).map(PublicKey).map_err(|_| KeyError::PublicKey)
    }

    /// Parses the wire form (unpadded base64url of the 32 raw bytes).
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| KeyError::PublicKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| KeyError::PublicKey)?;
        PublicKey::from_bytes(&bytes)
    }

    pub fn to_bytes(&self) -> [u8; 32] {
        self.0.to_bytes()
    }

    /// The wire form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }

    pub fn key_id(&self) -> KeyId {
        let digest = Sha256::digest(self.0.to_bytes());
        KeyId(format!("ed25519:{}", hex::encode(&digest[..8])))
    }

    /// SHA-256 of the key as 32 colon-separated upper-case hex pairs, for reading
    /// aloud when operators confirm each other's key out of band.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.to_bytes());
        digest.iter().map(|byte| format!("{byte:02X}")).collect::<Vec<_>>().join(":")
    }

    /// Checks `signature` over exactly `message`.
    pub fn verify(&self, message: &[u8], signature: &Signature) -> Result<(), KeyError> {
        let signature = ed25519_dalek::Signature::from_bytes(&signature.0);
        self.0.verify_strict(message, &signature).map_err(|_| KeyError::BadSignature(self.key_id()))
    }
}

/// An Ed25519 signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Signature([u8; 64]);

impl fmt::Debug for Signature {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "Signature({})", self.encode())
    }
}

impl Signature {
    pub fn parse(text: &str) -> Result<Signature, KeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| KeyError::SignatureEncoding)?;
        bytes.try_into().map(Signature).map_err(|_| KeyError::SignatureEncoding)
    }

    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
}

impl crate::node::NodeKey {
    pub fn public(&self) -> PublicKey {
        PublicKey(self.verifying_key())
    }

    pub fn key_id(&self) -> KeyId {
        self.public().key_id()
    }

    /// Signs exactly `message` (callers pass canonical bytes).
    pub fn sign(&self, message: &[u8]) -> Signature {
        Signature(self.signing_key().sign(message).to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::NodeKey;

    #[test]
    fn signs_and_verifies_and_refuses_tampering() {
        let key = NodeKey::from_seed([9; 32]);
        let signature = key.sign(b"note");
        key.public().verify(b"note", &signature).unwrap();
        assert!(matches!(key.public().verify(b"nose", &signature), Err(KeyError::BadSignature(_))));
        let other = NodeKey::from_seed([10; 32]);
        assert!(other.public().verify(b"note", &signature).is_err());
        assert_eq!(Signature::parse(&signature.encode()).unwrap(), signature);
        assert_eq!(PublicKey::parse(&key.public().encode()).unwrap(), key.public());
        assert_eq!(KeyId::parse(key.key_id().as_str()).unwrap(), key.key_id());
        assert!(KeyId::parse("ed25519:XYZ").is_err());
        assert!(Signature::parse("short").is_err());
        assert_eq!(key.public().fingerprint(), key.fingerprint());
    }
}
