//! Receipts: a recipient's signed acknowledgement that it holds an object version.
//!
//! The recipient signs the RFC 8785 canonical JSON of
//! `{"type": "entente-receipt", "object_hash", "recipient", "key_id"}`, so the
//! signature binds the exact version (by content hash), who received it and with
//! which key. The releasing node records the receipt in its ledger as
//! [`EntryKind::Receipt`](super::EntryKind::Receipt).
//!
//! Deliberately not done here: deciding which key is pinned for the recipient (the
//! caller passes the public key it trusts for that node).

use super::ContentHash;
use crate::StixId;
use crate::canonical::to_canonical_bytes;
use crate::keys::{KeyId, PublicKey, Signature};
use crate::node::NodeKey;
use serde_json::json;

/// A signed acknowledgement of receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub object_hash: ContentHash,
    pub recipient: StixId,
    pub key_id: KeyId,
    pub signature: Signature,
}

/// Why a receipt was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiptError {
    #[error("receipt names key {named}, but the key given to verify it is {given}")]
    WrongKey { named: KeyId, given: KeyId },
    #[error("receipt signature does not verify with key {0}")]
    BadSignature(KeyId),
    #[error("receipt has no canonical form: {0}")]
    Canonical(String),
}

fn signed_bytes(object_hash: &ContentHash, recipient: &StixId, key_id: &KeyId) -> Result<Vec<u8>, ReceiptError> {
    let statement = json!({
        "type": "entente-receipt",
        "object_hash": object_hash.as_str(),
        "recipient": recipient.as_str(),
        "key_id": key_id.as_str(),
    });
    to_canonical_bytes(&statement).map_err(|error| ReceiptError::Canonical(error.to_string()))
}

/// The recipient signs that it received the object version with `object_hash`.
pub fn sign_receipt(key: &NodeKey, object_hash: ContentHash, recipient: StixId) -> Receipt {
    let key_id = key.key_id();
    // A JSON object of strings always has a canonical form.
    let bytes = signed_bytes(&object_hash, &recipient, &key_id).expect("strings always canonicalise");
    let signature = key.sign(&bytes);
    Receipt { object_hash, recipient, key_id, signature }
}

/// Checks a receipt against the key pinned for its recipient.
pub fn verify_receipt(public_key: &PublicKey, receipt: &Receipt) -> Result<(), ReceiptError> {
    let given = public_key.key_id();
    if given != receipt.key_id {
        return Err(ReceiptError::WrongKey { named: receipt.key_id.clone(), given });
    }
    let bytes = signed_bytes(&receipt.object_hash, &receipt.recipient, &receipt.key_id)?;
    public_key.verify(&bytes, &receipt.signature).map_err(|_| ReceiptError::BadSignature(given))
}
