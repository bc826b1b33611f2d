//! Objects sealed end to end to the recipient node: what a feed item carries instead of
//! `object` when the treaty it is released under says `encrypt_in_transit: must`.
//!
//! Wire form, in place of the item's `object`:
//!
//! ```json
//! "sealed_object": {"key_id": "x25519:…", "enc": "…", "ciphertext": "…"}
//! ```
//!
//! The plaintext is the object's JSON text exactly as it would have travelled in
//! `object`; it is sealed with HPKE ([`crate::seal`], RFC 9180 base mode) to the
//! encryption key the recipient's card publishes (`key_id` names it), with
//! `info` = [`OBJECT_INFO`] and `aad` = the RFC 8785 bytes of
//! `{"type": "entente-sealed-object", "sender", "recipient", "request", "treaty",
//! "key_id"}` ([`ItemContext::aad`]): a ciphertext opens only in the page that answers
//! that very request, from that sender to that recipient, in an item released under
//! that treaty. `enc` and `ciphertext` are unpadded base64url.
//!
//! The page signature covers the ciphertext *and* the plaintext: the digest of a
//! sealed item is the content hash of `{"object_hash", "sealed_object", "seal", "hops",
//! "treaty"}` with the hash of the plaintext object, so the receiver opens every sealed
//! item before it can check the page (see `page.rs`).
//!
//! Invariants: pure; the random bytes of each seal are a parameter and must never be
//! reused. What it deliberately does not do: decide which objects are sealed (the
//! treaty's terms, read by the sender's feed and the receiver's checks) or fetch keys.

use crate::StixId;
use crate::canonical::to_canonical_bytes;
use crate::seal::{EncryptionKey, EncryptionKeyId, EncryptionPublicKey, SealError, Sealed, open, seal};
use crate::treaty::TreatyHash;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};

/// HPKE `info` of a sealed object: the purpose, versioned.
pub const OBJECT_INFO: &[u8] = b"entente-object/1";

/// Where a sealed object travels: the page (sender, recipient, the request it
/// answers) and the treaty its item is released under. Both sides build it from the
/// page itself; the ciphertext opens only with the same context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemContext<'a> {
    pub sender: &'a StixId,
    pub recipient: &'a StixId,
    pub request: &'a str,
    pub treaty: &'a TreatyHash,
}

impl ItemContext<'_> {
    /// The HPKE `aad`: the canonical bytes of the context and the key sealed to.
    pub fn aad(&self, key_id: &EncryptionKeyId) -> Vec<u8> {
        let value = json!({
            "type": "entente-sealed-object",
            "sender": self.sender.as_str(),
            "recipient": self.recipient.as_str(),
            "request": self.request,
            "treaty": self.treaty.as_str(),
            "key_id": key_id.as_str(),
        });
        // An object of strings always has a canonical form.
        to_canonical_bytes(&value).unwrap_or_default()
    }
}

/// An object version sealed to one recipient's encryption key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedObject {
    /// The recipient's key it is sealed to (its card's `encryption_key`).
    pub key_id: EncryptionKeyId,
    pub sealed: Sealed,
}

/// Why a sealed object did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("the object is sealed end to end, but this node has no encryption key to open it")]
    NoKey,
    #[error("the object is sealed to key {sealed_to}, not to this node's key {ours} (the sender holds an old card?)")]
    OtherKey { sealed_to: EncryptionKeyId, ours: EncryptionKeyId },
    #[error("the sealed object does not open: altered in transit, or moved from another page or item")]
    DoesNotOpen,
    #[error("the sealed object opened, but is not a JSON object: {0}")]
    NotAnObject(String),
}

impl SealedObject {
    /// Seals `object_json` (the object's JSON text, as it would travel in the clear) to
    /// `recipient` for `context`. `randomness`: 32 fresh random bytes.
    pub fn seal(
        recipient: &EncryptionPublicKey,
        context: &ItemContext<'_>,
        object_json: &str,
        randomness: [u8; 32],
    ) -> Result<SealedObject, SealError> {
        let key_id = recipient.key_id();
        let sealed = seal(recipient, OBJECT_INFO, &context.aad(&key_id), object_json.as_bytes(), randomness)?;
        Ok(SealedObject { key_id, sealed })
    }

    /// Opens the object with this node's key, in the context of the page it came in.
    pub fn open(&self, key: &EncryptionKey, context: &ItemContext<'_>) -> Result<Value, OpenError> {
        let ours = key.public_key().key_id();
        if ours != self.key_id {
            return Err(OpenError::OtherKey { sealed_to: self.key_id.clone(), ours });
        }
        let plaintext =
            open(key, OBJECT_INFO, &context.aad(&self.key_id), &self.sealed).map_err(|_| OpenError::DoesNotOpen)?;
        let object: Value =
            serde_json::from_slice(&plaintext).map_err(|error| OpenError::NotAnObject(error.to_string()))?;
        if !object.is_object() {
            return Err(OpenError::NotAnObject("not a JSON object".into()));
        }
        Ok(object)
    }

    /// The wire form (the item's `sealed_object` member).
    pub fn to_value(&self) -> Value {
        json!({
            "key_id": self.key_id.as_str(),
            "enc": URL_SAFE_NO_PAD.encode(self.sealed.enc),
            "ciphertext": URL_SAFE_NO_PAD.encode(&self.sealed.ciphertext),
        })
    }

    /// Reads the wire form: exactly `key_id`, `enc` (32 bytes) and `ciphertext` (at
    /// least the 16-byte tag).
    pub fn from_value(value: &Value) -> Result<SealedObject, String> {
        let map: &Map<String, Value> = value.as_object().ok_or("`sealed_object` is not a JSON object")?;
        if map.len() != 3 {
            return Err("`sealed_object` has exactly key_id, enc and ciphertext".into());
        }
        let text = |member: &str| {
            map.get(member).and_then(Value::as_str).ok_or_else(|| format!("`sealed_object.{member}` is not a string"))
        };
        let key_id = EncryptionKeyId::parse(text("key_id")?).map_err(|error| error.to_string())?;
        let bytes = |member: &str| {
            URL_SAFE_NO_PAD.decode(text(member)?).map_err(|_| format!("`sealed_object.{member}` is not base64url"))
        };
        let enc: [u8; 32] = bytes("enc")?.try_into().map_err(|_| "`sealed_object.enc` is not 32 bytes")?;
        let ciphertext = bytes("ciphertext")?;
        if ciphertext.len() < 16 {
            return Err("`sealed_object.ciphertext` is shorter than its tag".into());
        }
        Ok(SealedObject { key_id, sealed: Sealed { enc, ciphertext } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(n: u8) -> StixId {
        StixId::parse(&format!("identity--00000000-0000-4000-8000-0000000000{n:02}")).unwrap()
    }

    fn treaty(byte: &str) -> TreatyHash {
        TreatyHash::parse(&format!("sha256:{}", byte.repeat(32))).unwrap()
    }

    const OBJECT: &str = r#"{"type":"indicator","id":"indicator--11111111-1111-4111-8111-111111111111"}"#;

    #[test]
    fn a_sealed_object_opens_only_in_its_own_context_with_the_recipient_key() {
        let key = EncryptionKey::from_bytes([5; 32]);
        let (alpha, bravo, charlie, ab) = (node(1), node(2), node(3), treaty("ab"));
        let context = ItemContext { sender: &alpha, recipient: &bravo, request: "r-1", treaty: &ab };
        let sealed = SealedObject::seal(&key.public_key(), &context, OBJECT, [7; 32]).unwrap();
        assert_eq!(sealed.key_id, key.public_key().key_id());
        let opened = sealed.open(&key, &context).unwrap();
        assert_eq!(opened, serde_json::from_str::<Value>(OBJECT).unwrap());
        assert!(!String::from_utf8_lossy(&sealed.sealed.ciphertext).contains("indicator"));
        assert_eq!(SealedObject::from_value(&sealed.to_value()).unwrap(), sealed);

        // Replayed into another page, another request, another item or to another node.
        let cd = treaty("cd");
        for (label, other) in [
            ("another request", ItemContext { request: "r-2", ..context }),
            ("another sender", ItemContext { sender: &charlie, ..context }),
            ("another recipient", ItemContext { recipient: &charlie, ..context }),
            ("another treaty", ItemContext { treaty: &cd, ..context }),
        ] {
            assert_eq!(sealed.open(&key, &other), Err(OpenError::DoesNotOpen), "{label}");
        }
        let stranger = EncryptionKey::from_bytes([6; 32]);
        assert!(matches!(sealed.open(&stranger, &context), Err(OpenError::OtherKey { .. })));
        // A key id rewritten to the stranger's still does not open.
        let relabelled = SealedObject { key_id: stranger.public_key().key_id(), ..sealed.clone() };
        assert_eq!(relabelled.open(&stranger, &context), Err(OpenError::DoesNotOpen));
    }

    #[test]
    fn any_altered_byte_fails_and_the_wire_form_is_strict() {
        let key = EncryptionKey::from_bytes([5; 32]);
        let (alpha, bravo, ab) = (node(1), node(2), treaty("ab"));
        let context = ItemContext { sender: &alpha, recipient: &bravo, request: "r-1", treaty: &ab };
        let sealed = SealedObject::seal(&key.public_key(), &context, OBJECT, [7; 32]).unwrap();
        for index in 0..sealed.sealed.ciphertext.len() {
            let mut altered = sealed.clone();
            altered.sealed.ciphertext[index] ^= 0x80;
            assert_eq!(altered.open(&key, &context), Err(OpenError::DoesNotOpen), "byte {index}");
        }
        let mut altered = sealed.clone();
        altered.sealed.enc[31] ^= 1;
        assert_eq!(altered.open(&key, &context), Err(OpenError::DoesNotOpen));
        let not_an_object = SealedObject::seal(&key.public_key(), &context, "[1]", [8; 32]).unwrap();
        assert!(matches!(not_an_object.open(&key, &context), Err(OpenError::NotAnObject(_))));

        let wire = sealed.to_value();
        let mut extra = wire.clone();
        extra["object"] = json!({});
        assert!(SealedObject::from_value(&extra).is_err());
        let mut short = wire.clone();
        short["enc"] = json!("AAAA");
        assert!(SealedObject::from_value(&short).is_err());
        let mut tagless = wire.clone();
        tagless["ciphertext"] = json!("AAAA");
        assert!(SealedObject::from_value(&tagless).is_err());
        let mut padded = wire;
        padded["ciphertext"] = json!(format!("{}=", padded["ciphertext"].as_str().unwrap()));
        assert!(SealedObject::from_value(&padded).is_err());
    }

    #[test]
    fn the_aad_is_the_canonical_context() {
        let (alpha, bravo, ab) = (node(1), node(2), treaty("ab"));
        let context = ItemContext { sender: &alpha, recipient: &bravo, request: "r-1", treaty: &ab };
        let key_id = EncryptionKeyId::parse("x25519:0123456789abcdef").unwrap();
        let expected = format!(
            r#"{{"key_id":"x25519:0123456789abcdef","recipient":"{bravo}","request":"r-1","sender":"{alpha}","treaty":"{ab}","type":"entente-sealed-object"}}"#
        );
        assert_eq!(String::from_utf8(context.aad(&key_id)).unwrap(), expected);
    }
}
