//! Signed sync requests: a partner asks for the next page of its feed, or tells this
//! node that its own feed has something new (a poke).
//!
//! Wire form (`POST /federation/v1/feed` and `POST /federation/v1/poke`):
//!
//! ```json
//! {"entente": "1", "type": "feed", "id": "<uuid>", "sender": "identity--B",
//!  "recipient": "identity--A", "key_id": "ed25519:…", "created": "…",
//!  "after": "<cursor>", "limit": 1000,
//!  "receipt": {"page": "sha256:…", "key_id": "ed25519:…", "signature": "…"},
//!  "signature": "…"}
//! ```
//!
//! `after` (absent: from the start), `limit` and `receipt` belong to `feed` only; a
//! `poke` has none of them. The signature covers the canonical bytes of the request
//! without `signature`, by a key pinned for the sender. `receipt` acknowledges the
//! page the previous request fetched (see [`super::page`]).
//!
//! [`verify_request`] checks, in order: size, shape, version, recipient, key, signature,
//! skew window. Remembering request ids against replays within the window is the
//! caller's job: the core keeps no state.

use crate::canonical::to_canonical_bytes;
use crate::keys::{KeyId, Signature};
use crate::ledger::{ContentHash, Receipt};
use crate::node::NodeKey;
use crate::note::PinnedKey;
use crate::{StixId, Timestamp};
use serde_json::{Map, Value, json};

/// The largest request accepted: requests are a few hundred bytes.
pub const MAX_REQUEST_BYTES: usize = 16 * 1024;

/// The largest page a feed request may ask for.
pub const MAX_PAGE_ITEMS: u32 = 5000;

/// The longest cursor accepted (cursors are opaque to the asker).
const MAX_CURSOR_LEN: usize = 256;

/// What the request asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// The next page of the sender's feed at this node.
    Feed { after: Option<String>, limit: u32, receipt: Option<Receipt> },
    /// The sender's feed for this node has news: pull it.
    Poke,
}

/// A sync request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRequest {
    pub id: String,
    pub kind: RequestKind,
    pub sender: StixId,
    pub recipient: StixId,
    pub key_id: KeyId,
    pub created: Timestamp,
}

/// Why a request was refused; [`RequestError::code`] is the stable error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("the request is larger than {MAX_REQUEST_BYTES} bytes")]
    TooLarge,
    #[error("malformed request: {0}")]
    Malformed(String),
    #[error("the request speaks protocol version {0:?}; this node speaks \"1\"")]
    UnsupportedVersion(String),
    #[error("the request is addressed to {0}, not to this node")]
    Misaddressed(StixId),
    #[error("no key is pinned for {0}: only recognized partners may sync")]
    UnknownSender(StixId),
    #[error("key {0} is not pinned for the sender, or is not valid at the request's time")]
    UnknownKey(KeyId),
    #[error("the request's signature does not verify with key {0}")]
    BadSignature(KeyId),
    #[error("the request was created at {created}, outside the {skew_seconds} s window around {now}")]
    Stale { created: Timestamp, now: Timestamp, skew_seconds: i64 },
    #[error("the receipt does not verify: {0}")]
    BadReceipt(String),
}

impl RequestError {
    pub fn code(&self) -> &'static str {
        match self {
            RequestError::TooLarge => "request-too-large",
            RequestError::Malformed(_) => "malformed-request",
            RequestError::UnsupportedVersion(_) => "unsupported-version",
            RequestError::Misaddressed(_) => "misaddressed",
            RequestError::UnknownSender(_) => "unknown-sender",
            RequestError::UnknownKey(_) => "unknown-key",
            RequestError::BadSignature(_) => "bad-signature",
            RequestError::Stale { .. } => "stale-request",
            RequestError::BadReceipt(_) => "bad-receipt",
        }
    }
}

impl SyncRequest {
    /// The request without its signature: what is signed.
    fn unsigned_value(&self) -> Value {
        let mut map = Map::new();
        map.insert("entente".into(), json!("1"));
        map.insert("id".into(), json!(self.id));
        map.insert("sender".into(), json!(self.sender.as_str()));
        map.insert("recipient".into(), json!(self.recipient.as_str()));
        map.insert("key_id".into(), json!(self.key_id.as_str()));
        map.insert("created".into(), json!(self.created.to_string()));
        match &self.kind {
            RequestKind::Poke => {
                map.insert("type".into(), json!("poke"));
            }
            RequestKind::Feed { after, limit, receipt } => {
                map.insert("type".into(), json!("feed"));
                if let Some(after) = after {
                    map.insert("after".into(), json!(after));
                }
                map.insert("limit".into(), json!(limit));
                if let Some(receipt) = receipt {
                    map.insert(
                        "receipt".into(),
                        json!({"page": receipt.object_hash.as_str(), "key_id": receipt.key_id.as_str(),
                               "signature": receipt.signature.encode()}),
                    );
                }
            }
        }
        Value::Object(map)
    }

    /// Signs the request with this node's key: the JSON text to send.
    pub fn sign(&self, key: &NodeKey) -> String {
        let mut value = self.unsigned_value();
        // Strings and small integers always canonicalise.
        let bytes = to_canonical_bytes(&value).unwrap_or_default();
        let signature = key.sign(&bytes);
        if let Value::Object(map) = &mut value {
            map.insert("signature".into(), json!(signature.encode()));
        }
        value.to_string()
    }
}

fn malformed(reason: impl Into<String>) -> RequestError {
    RequestError::Malformed(reason.into())
}

/// Verifies a request received by `us` at `now`. `pinned` gives the keys this node
/// pinned for a node (empty when it has none).
pub fn verify_request(
    bytes: &[u8],
    us: &StixId,
    pinned: &dyn Fn(&StixId) -> Vec<PinnedKey>,
    now: Timestamp,
    skew_seconds: i64,
) -> Result<SyncRequest, RequestError> {
    if bytes.len() > MAX_REQUEST_BYTES {
        return Err(RequestError::TooLarge);
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|error| malformed(error.to_string()))?;
    let (request, signature) = read(&value)?;
    if &request.recipient != us {
        return Err(RequestError::Misaddressed(request.recipient));
    }
    let keys = pinned(&request.sender);
    if keys.is_empty() {
        return Err(RequestError::UnknownSender(request.sender));
    }
    let key = keys
        .iter()
        .find(|key| key.key_id() == request.key_id && key.is_valid_at(request.created) && key.is_valid_at(now))
        .ok_or_else(|| RequestError::UnknownKey(request.key_id.clone()))?;
    let unsigned = to_canonical_bytes(&request.unsigned_value()).map_err(|error| malformed(error.to_string()))?;
    key.key.verify(&unsigned, &signature).map_err(|_| RequestError::BadSignature(request.key_id.clone()))?;
    let skew = i128::from(skew_seconds.max(0)) * 1_000_000_000;
    if (now.unix_nanos() - request.created.unix_nanos()).abs() > skew {
        return Err(RequestError::Stale { created: request.created, now, skew_seconds });
    }
    if let RequestKind::Feed { receipt: Some(receipt), .. } = &request.kind {
        let key = keys
            .iter()
            .find(|key| key.key_id() == receipt.key_id && key.is_valid_at(now))
            .ok_or_else(|| RequestError::BadReceipt(format!("key {} is not pinned for the sender", receipt.key_id)))?;
        crate::ledger::verify_receipt(&key.key, receipt)
            .map_err(|error| RequestError::BadReceipt(error.to_string()))?;
    }
    Ok(request)
}

const MEMBERS: &[&str] =
    &["entente", "type", "id", "sender", "recipient", "key_id", "created", "after", "limit", "receipt", "signature"];

fn read(value: &Value) -> Result<(SyncRequest, Signature), RequestError> {
    let map = value.as_object().ok_or_else(|| malformed("not a JSON object"))?;
    if let Some(unknown) = map.keys().find(|key| !MEMBERS.contains(&key.as_str())) {
        return Err(malformed(format!("unknown member {unknown:?}")));
    }
    let text = |member: &str| {
        map.get(member)
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(format!("`{member}` is missing or not a string")))
    };
    let version = text("entente")?;
    if version != "1" {
        return Err(RequestError::UnsupportedVersion(version.to_owned()));
    }
    let invalid = |member: &str, error: &dyn std::fmt::Display| malformed(format!("`{member}` is invalid: {error}"));
    let id = text("id")?;
    uuid::Uuid::try_parse(id).map_err(|error| invalid("id", &error))?;
    let sender = StixId::parse(text("sender")?).map_err(|error| invalid("sender", &error))?;
    let kind = match text("type")? {
        "poke" => {
            if let Some(member) = ["after", "limit", "receipt"].iter().find(|member| map.contains_key(**member)) {
                return Err(malformed(format!("a poke has no `{member}`")));
            }
            RequestKind::Poke
        }
        "feed" => {
            let after = match map.get("after") {
                None => None,
                Some(Value::String(cursor)) if !cursor.is_empty() && cursor.len() <= MAX_CURSOR_LEN => {
                    Some(cursor.clone())
                }
                Some(_) => {
                    return Err(malformed(format!("`after` must be a cursor of 1 to {MAX_CURSOR_LEN} characters")));
                }
            };
            let limit = map
                .get("limit")
                .and_then(Value::as_u64)
                .filter(|limit| (1..=u64::from(MAX_PAGE_ITEMS)).contains(limit))
                .ok_or_else(|| malformed(format!("`limit` must be an integer from 1 to {MAX_PAGE_ITEMS}")))?;
            let receipt = map.get("receipt").map(|value| read_receipt(value, &sender)).transpose()?;
            RequestKind::Feed { after, limit: limit as u32, receipt }
        }
        other => return Err(malformed(format!("`type` {other:?} is not feed or poke"))),
    };
    let request = SyncRequest {
        id: id.to_owned(),
        kind,
        recipient: StixId::parse(text("recipient")?).map_err(|error| invalid("recipient", &error))?,
        sender,
        key_id: KeyId::parse(text("key_id")?).map_err(|error| invalid("key_id", &error))?,
        created: Timestamp::parse(text("created")?).map_err(|error| invalid("created", &error))?,
    };
    let signature = Signature::parse(text("signature")?).map_err(|error| invalid("signature", &error))?;
    Ok((request, signature))
}

fn read_receipt(value: &Value, sender: &StixId) -> Result<Receipt, RequestError> {
    let map = value.as_object().ok_or_else(|| malformed("`receipt` is not an object"))?;
    if map.len() != 3 {
        return Err(malformed("`receipt` has exactly page, key_id and signature"));
    }
    let text = |member: &str| {
        map.get(member)
            .and_then(Value::as_str)
            .ok_or_else(|| malformed(format!("`receipt.{member}` is missing or not a string")))
    };
    let invalid =
        |member: &str, error: &dyn std::fmt::Display| malformed(format!("`receipt.{member}` is invalid: {error}"));
    Ok(Receipt {
        object_hash: ContentHash::parse(text("page")?).map_err(|error| invalid("page", &error))?,
        recipient: sender.clone(),
        key_id: KeyId::parse(text("key_id")?).map_err(|error| invalid("key_id", &error))?,
        signature: Signature::parse(text("signature")?).map_err(|error| invalid("signature", &error))?,
    })
}
