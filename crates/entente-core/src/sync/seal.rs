//! Object seals: the originator's signature on one object version.
//!
//! The originator signs the RFC 8785 bytes of the statement
//! `{"type": "entente-object", "object_hash", "originator", "key_id", "sealed"}`,
//! where `object_hash` is the [`ContentHash`] of the object's canonical JSON. The seal
//! travels with the object however many hops it takes; every receiver checks it
//! before storing, so a relayer can pass an object on but never change it.
//!
//! Invariant: the statement is written by hand (every member is an ASCII string this
//! module checked: ids, key ids, hashes, timestamps) and a test pins it to the
//! `serde_jcs` output, because sealing runs once per object version and synced
//! objects are counted in hundreds of thousands.

use crate::keys::{KeyError, KeyId, PublicKey, Signature};
use crate::ledger::ContentHash;
use crate::node::NodeKey;
use crate::{StixId, Timestamp};
use serde_json::{Value, json};

/// An originator's signature on one object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seal {
    /// The node that put the object into the federation.
    pub originator: StixId,
    pub key_id: KeyId,
    /// When the seal was made: the originator's key must be valid then.
    pub sealed: Timestamp,
    pub signature: Signature,
}

/// Why a seal was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error("the seal names key {named}, but the key of {originator} given to check it is {given}")]
    WrongKey { originator: StixId, named: KeyId, given: KeyId },
    #[error("the seal of {originator} does not verify with key {key_id}: the object was changed or forged")]
    BadSignature { originator: StixId, key_id: KeyId },
    #[error("the seal member `{member}` is invalid: {reason}")]
    Malformed { member: &'static str, reason: String },
}

/// The bytes the originator signs.
pub fn statement(object_hash: &ContentHash, originator: &StixId, key_id: &KeyId, sealed: Timestamp) -> Vec<u8> {
    // Members in RFC 8785 order (key_id < object_hash < originator < sealed < type);
    // no value needs escaping, as each is a checked ASCII form.
    format!(
        r#"{{"key_id":"{}","object_hash":"{}","originator":"{}","sealed":"{}","type":"entente-object"}}"#,
        key_id.as_str(),
        object_hash.as_str(),
        originator.as_str(),
        sealed
    )
    .into_bytes()
}

impl Seal {
    /// `originator` seals the object version whose canonical hash is `object_hash`.
    pub fn make(key: &NodeKey, originator: StixId, object_hash: &ContentHash, sealed: Timestamp) -> Seal {
        let key_id = key.key_id();
        let signature = key.sign(&statement(object_hash, &originator, &key_id, sealed));
        Seal { originator, key_id, sealed, signature }
    }

    /// Checks the seal against the originator's key (the caller chooses which key it
    /// trusts for the originator, and checks that it was valid at [`Seal::sealed`]).
    pub fn check(&self, public_key: &PublicKey, object_hash: &ContentHash) -> Result<(), SealError> {
        let given = public_key.key_id();
        if given != self.key_id {
            return Err(SealError::WrongKey { originator: self.originator.clone(), named: self.key_id.clone(), given });
        }
        let bytes = statement(object_hash, &self.originator, &self.key_id, self.sealed);
        public_key.verify(&bytes, &self.signature).map_err(|_: KeyError| SealError::BadSignature {
            originator: self.originator.clone(),
            key_id: self.key_id.clone(),
        })
    }

    /// The wire form: `{"originator", "key_id", "sealed", "signature"}`.
    pub fn to_value(&self) -> Value {
        json!({
            "originator": self.originator.as_str(),
            "key_id": self.key_id.as_str(),
            "sealed": self.sealed.to_string(),
            "signature": self.signature.encode(),
        })
    }

    /// Reads the wire form strictly: exactly the four members.
    pub fn from_value(value: &Value) -> Result<Seal, SealError> {
        let malformed = |member: &'static str, reason: &str| SealError::Malformed { member, reason: reason.to_owned() };
        let map = value.as_object().ok_or_else(|| malformed("seal", "not an object"))?;
        if let Some(unknown) =
            map.keys().find(|key| !["originator", "key_id", "sealed", "signature"].contains(&key.as_str()))
        {
            return Err(SealError::Malformed { member: "seal", reason: format!("unknown member {unknown:?}") });
        }
        let text = |member: &'static str| {
            map.get(member).and_then(Value::as_str).ok_or_else(|| malformed(member, "missing or not a string"))
        };
        let reason = |member: &'static str| move |error: &dyn std::fmt::Display| malformed(member, &error.to_string());
        Ok(Seal {
            originator: StixId::parse(text("originator")?).map_err(|e| reason("originator")(&e))?,
            key_id: KeyId::parse(text("key_id")?).map_err(|e| reason("key_id")(&e))?,
            sealed: Timestamp::parse(text("sealed")?).map_err(|e| reason("sealed")(&e))?,
            signature: Signature::parse(text("signature")?).map_err(|e| reason("signature")(&e))?,
        })
    }
}

/// The content hash of an object: `sha256:` of its canonical JSON. `None` only for a
/// value without canonical form, which no parsed JSON is.
pub fn object_hash(object: &Value) -> Option<ContentHash> {
    ContentHash::of(object).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_is_the_canonical_form() {
        let hash = ContentHash::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
        let originator = StixId::parse("identity--6f2c8a8e-4a42-4f0a-9d0e-7d1f6f1b2c3d").unwrap();
        let key = NodeKey::from_seed([7; 32]);
        let sealed = Timestamp::parse("2026-11-22T10:00:00.123Z").unwrap();
        let expected = crate::canonical::to_canonical_bytes(&json!({
            "type": "entente-object", "object_hash": hash.as_str(), "originator": originator.as_str(),
            "key_id": key.key_id().as_str(), "sealed": sealed.to_string(),
        }))
        .unwrap();
        assert_eq!(statement(&hash, &originator, &key.key_id(), sealed), expected);
    }
}
