//! Tombstones: a signed statement that an object is gone, carried by the feed to every
//! node that received it, however many hops away.
//!
//! Two issuers are accepted by a receiver: the object's **originator** (it deleted or
//! revoked the object: the tombstone travels unchanged, hop after hop), and the node
//! that **released** the object to the receiver (a recall: a later version was marked
//! more strictly, or its release is otherwise no longer allowed). A node that applies
//! a recall issues its own recall to the nodes it passed the object on to.
//!
//! The two are told apart by `kind` (`revoked`: only the originator may say so;
//! `recalled`: only the sender). The issuer signs the canonical bytes of
//! `{"type": "entente-tombstone", "kind", "object", "issuer", "key_id", "issued", "reason"}`.

use super::seal::SealError;
use crate::canonical::to_canonical_bytes;
use crate::keys::{KeyId, PublicKey, Signature};
use crate::node::NodeKey;
use crate::{StixId, Timestamp};
use serde_json::{Value, json};

/// The longest reason accepted.
pub const MAX_REASON_CHARS: usize = 500;

/// Why an object is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TombstoneKind {
    /// Its originator revoked it: gone for everyone, for good.
    Revoked,
    /// The node that released it withdraws it from the recipient (and onward).
    Recalled,
}

impl TombstoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TombstoneKind::Revoked => "revoked",
            TombstoneKind::Recalled => "recalled",
        }
    }

    fn parse(text: &str) -> Result<TombstoneKind, String> {
        match text {
            "revoked" => Ok(TombstoneKind::Revoked),
            "recalled" => Ok(TombstoneKind::Recalled),
            other => Err(format!("`kind` {other:?} is not revoked or recalled")),
        }
    }
}

/// A signed tombstone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub kind: TombstoneKind,
    pub object: StixId,
    pub issuer: StixId,
    pub key_id: KeyId,
    pub issued: Timestamp,
    pub reason: String,
    pub signature: Signature,
}

fn statement(
    kind: TombstoneKind,
    object: &StixId,
    issuer: &StixId,
    key_id: &KeyId,
    issued: Timestamp,
    reason: &str,
) -> Vec<u8> {
    let value = json!({
        "type": "entente-tombstone", "kind": kind.as_str(), "object": object.as_str(), "issuer": issuer.as_str(),
        "key_id": key_id.as_str(), "issued": issued.to_string(), "reason": reason,
    });
    // Strings always canonicalise.
    to_canonical_bytes(&value).unwrap_or_default()
}

/// Keeps a reason short and free of control characters.
pub fn clean_reason(reason: &str) -> String {
    reason.chars().filter(|character| !character.is_control()).take(MAX_REASON_CHARS).collect()
}

impl Tombstone {
    /// `issuer` declares `object` gone, for `reason`.
    pub fn make(
        key: &NodeKey,
        kind: TombstoneKind,
        issuer: StixId,
        object: StixId,
        reason: &str,
        issued: Timestamp,
    ) -> Tombstone {
        let key_id = key.key_id();
        let reason = clean_reason(reason);
        let signature = key.sign(&statement(kind, &object, &issuer, &key_id, issued, &reason));
        Tombstone { kind, object, issuer, key_id, issued, reason, signature }
    }

    /// Checks the signature with the key the receiver trusts for the issuer.
    pub fn check(&self, public_key: &PublicKey) -> Result<(), SealError> {
        let bytes = statement(self.kind, &self.object, &self.issuer, &self.key_id, self.issued, &self.reason);
        if public_key.key_id() != self.key_id {
            return Err(SealError::WrongKey {
                originator: self.issuer.clone(),
                named: self.key_id.clone(),
                given: public_key.key_id(),
            });
        }
        public_key
            .verify(&bytes, &self.signature)
            .map_err(|_| SealError::BadSignature { originator: self.issuer.clone(), key_id: self.key_id.clone() })
    }

    pub fn to_value(&self) -> Value {
        json!({
            "kind": self.kind.as_str(), "object": self.object.as_str(), "issuer": self.issuer.as_str(), "key_id": self.key_id.as_str(),
            "issued": self.issued.to_string(), "reason": self.reason, "signature": self.signature.encode(),
        })
    }

    /// Reads the wire form strictly.
    pub fn from_value(value: &Value) -> Result<Tombstone, String> {
        const MEMBERS: &[&str] = &["kind", "object", "issuer", "key_id", "issued", "reason", "signature"];
        let map = value.as_object().ok_or("a tombstone is not an object")?;
        if map.len() != MEMBERS.len() || !MEMBERS.iter().all(|member| map.contains_key(*member)) {
            return Err(format!("a tombstone has exactly {}", MEMBERS.join(", ")));
        }
        let text = |member: &str| map.get(member).and_then(Value::as_str).ok_or(format!("`{member}` is not a string"));
        let reason = text("reason")?;
        if reason != clean_reason(reason) {
            return Err(format!("`reason` has control characters or more than {MAX_REASON_CHARS} characters"));
        }
        Ok(Tombstone {
            kind: TombstoneKind::parse(text("kind")?)?,
            object: StixId::parse(text("object")?).map_err(|error| error.to_string())?,
            issuer: StixId::parse(text("issuer")?).map_err(|error| error.to_string())?,
            key_id: KeyId::parse(text("key_id")?).map_err(|error| error.to_string())?,
            issued: Timestamp::parse(text("issued")?).map_err(|error| error.to_string())?,
            reason: reason.to_owned(),
            signature: Signature::parse(text("signature")?).map_err(|error| error.to_string())?,
        })
    }
}
