//! Feed pages: what a node answers to a `feed` request, signed as a whole.
//!
//! Wire form:
//!
//! ```json
//! {"entente": "1", "type": "feed-page", "sender": "identity--A", "recipient": "identity--B",
//!  "request": "<uuid of the feed request>",
//!  "items": [{"object": {…STIX…}, "seal": {…}, "hops": [{"treaty": "sha256:…",
//!             "resharing": {"to": "…"}}], "treaty": "sha256:…"},
//!            {"sealed_object": {"key_id": "x25519:…", "enc": "…", "ciphertext": "…"},
//!             "seal": {…}, "hops": […], "treaty": "sha256:…"}],
//!  "next": "<cursor>", "more": true, "key_id": "ed25519:…", "signature": "…"}
//! ```
//!
//! `treaty` is the treaty the sender released the item under; `hops` are the re-sharing
//! rules of the hops the object took *before* the sender (empty when the sender
//! originated it). The receiver adds its own hop from its own copy of `treaty`, never
//! from what the sender says of it.
//!
//! The signature is over the canonical bytes of the **manifest**
//! `{"type": "entente-feed-page", "sender", "recipient", "request", "items": [digest…],
//! "tombstones"?, "cards"?, "next"?, "more"}` (`tombstones` and `cards` only when there
//! are some, each the content hash of the tombstone or of the signed card) where each item digest is the content hash of the item with `object`
//! replaced by `object_hash` (the object's content hash). An item sealed end to end
//! (`sealed_object`, see `sealed_object.rs`) keeps its `sealed_object` in the digest
//! *and* gains the `object_hash` of its plaintext: the signature covers the ciphertext
//! (it cannot be swapped) and the object (the seal is checked, and the receipt
//! acknowledges, the object itself). So the reader opens every sealed item, with this
//! node's encryption key, before it can check the signature; one that does not open
//! refuses the page (`bad-ciphertext`). The manifest's own content hash names the
//! page: the receiver's receipt signs it.

use super::seal::{Seal, SealError};
use super::sealed_object::{ItemContext, OpenError, SealedObject};
use super::tombstone::Tombstone;
use crate::StixId;
use crate::canonical::{content_hash, to_canonical_bytes};
use crate::keys::{KeyId, PublicKey, Signature};
use crate::ledger::ContentHash;
use crate::node::NodeKey;
use crate::release::HopRule;
use crate::seal::EncryptionKey;
use crate::treaty::{Resharing, TreatyHash};
use serde_json::{Map, Value, json};

/// The largest page body a receiver reads.
pub const MAX_PAGE_BYTES: usize = 256 * 1024 * 1024;

/// How an object travels in a page.
#[derive(Debug, Clone, Copy)]
pub enum OutObject<'a> {
    /// The object's JSON text, exactly as released (after obligations): `object`.
    Clear(&'a str),
    /// That text sealed to the recipient's encryption key: `sealed_object`.
    Sealed(&'a SealedObject),
}

/// One object version as it leaves the sender.
#[derive(Debug, Clone)]
pub struct OutItem<'a> {
    pub object: OutObject<'a>,
    /// The content hash of the object (of the plaintext, when sealed).
    pub object_hash: &'a ContentHash,
    pub seal: &'a Seal,
    pub hops: &'a [HopRule],
    pub treaty: &'a TreatyHash,
}

/// Who sends a page to whom, answering which request, and where the feed goes on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageHeader {
    pub sender: StixId,
    pub recipient: StixId,
    pub request: String,
    pub next: Option<String>,
    pub more: bool,
}

/// One object version as the receiver read it: the page signature covered it, the seal
/// is still to be checked with the originator's key.
#[derive(Debug, Clone)]
pub struct InItem {
    pub object: Value,
    pub object_hash: ContentHash,
    /// Whether the object came sealed end to end to this node's key (and opened).
    pub encrypted: bool,
    pub seal: Seal,
    pub hops: Vec<HopRule>,
    pub treaty: TreatyHash,
}

impl InItem {
    pub fn check_seal(&self, originator_key: &PublicKey) -> Result<(), SealError> {
        self.seal.check(originator_key, &self.object_hash)
    }
}

/// A verified page.
#[derive(Debug, Clone)]
pub struct InPage {
    pub header: PageHeader,
    pub items: Vec<InItem>,
    /// Objects declared gone (their signatures are still to be checked).
    pub tombstones: Vec<Tombstone>,
    /// Signed cards of originators the sender vouches for (self-signatures checked).
    pub cards: Vec<crate::card::VerifiedCard>,
    /// The content hash of the manifest: what a receipt acknowledges.
    pub manifest: ContentHash,
}

/// Why a page was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    #[error("the page is not JSON of the expected shape: {0}")]
    Malformed(String),
    #[error("the page comes from {found}, not from {expected}")]
    WrongSender { expected: StixId, found: StixId },
    #[error("the page is addressed to {0}, not to this node")]
    Misaddressed(StixId),
    #[error("the page answers request {found}, not {expected}")]
    WrongRequest { expected: String, found: String },
    #[error("the page is signed with key {0}, which is not pinned for its sender")]
    UnknownKey(KeyId),
    #[error("the page's signature does not verify with key {0}: it was changed on the way")]
    BadSignature(KeyId),
    #[error("items[{index}]: {error}; the page cannot be checked without it")]
    BadCiphertext { index: usize, error: OpenError },
}

impl PageError {
    pub fn code(&self) -> &'static str {
        match self {
            PageError::Malformed(_) => "malformed-page",
            PageError::WrongSender { .. } => "wrong-sender",
            PageError::Misaddressed(_) => "misaddressed",
            PageError::WrongRequest { .. } => "wrong-request",
            PageError::UnknownKey(_) => "unknown-key",
            PageError::BadSignature(_) => "bad-signature",
            PageError::BadCiphertext { .. } => "bad-ciphertext",
        }
    }
}

fn hops_value(hops: &[HopRule]) -> Value {
    Value::Array(
        hops.iter().map(|hop| json!({"treaty": hop.treaty.as_str(), "resharing": hop.resharing.to_value()})).collect(),
    )
}

fn item_digest(
    object_hash: &ContentHash,
    sealed: Option<&SealedObject>,
    seal: &Seal,
    hops: &[HopRule],
    treaty: &TreatyHash,
) -> String {
    let mut value = json!({
        "object_hash": object_hash.as_str(), "seal": seal.to_value(), "hops": hops_value(hops), "treaty": treaty.as_str(),
    });
    if let Some(sealed) = sealed {
        value["sealed_object"] = sealed.to_value();
    }
    // Strings and arrays of strings always canonicalise.
    content_hash(&value).unwrap_or_default()
}

fn tombstone_digest(tombstone: &Tombstone) -> String {
    content_hash(&tombstone.to_value()).unwrap_or_default()
}

fn manifest_bytes(header: &PageHeader, digests: Vec<String>, tombstones: Vec<String>, cards: Vec<String>) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("type".into(), json!("entente-feed-page"));
    map.insert("sender".into(), json!(header.sender.as_str()));
    map.insert("recipient".into(), json!(header.recipient.as_str()));
    map.insert("request".into(), json!(header.request));
    map.insert("items".into(), json!(digests));
    if !tombstones.is_empty() {
        map.insert("tombstones".into(), json!(tombstones));
    }
    if !cards.is_empty() {
        map.insert("cards".into(), json!(cards));
    }
    if let Some(next) = &header.next {
        map.insert("next".into(), json!(next));
    }
    map.insert("more".into(), json!(header.more));
    to_canonical_bytes(&Value::Object(map)).unwrap_or_default()
}

fn hash_of_bytes(bytes: &[u8]) -> ContentHash {
    use sha2::{Digest, Sha256};
    // A `sha256:` and 64 hex digits always parse.
    ContentHash::parse(&format!("sha256:{}", hex::encode(Sha256::digest(bytes)))).expect("a hex digest is a hash")
}

/// Writes and signs a page; returns the JSON text and the manifest hash.
pub fn write_page(
    header: &PageHeader,
    items: &[OutItem<'_>],
    tombstones: &[Tombstone],
    cards: &[Value],
    key: &NodeKey,
) -> (String, ContentHash) {
    let digests = items
        .iter()
        .map(|item| {
            let sealed = match item.object {
                OutObject::Clear(_) => None,
                OutObject::Sealed(sealed) => Some(sealed),
            };
            item_digest(item.object_hash, sealed, item.seal, item.hops, item.treaty)
        })
        .collect();
    let card_digests = cards.iter().map(|card| content_hash(card).unwrap_or_default()).collect();
    let manifest = manifest_bytes(header, digests, tombstones.iter().map(tombstone_digest).collect(), card_digests);
    let signature = key.sign(&manifest);
    let size = |item: &OutItem<'_>| match item.object {
        OutObject::Clear(json) => json.len() + 400,
        OutObject::Sealed(sealed) => sealed.sealed.ciphertext.len() * 4 / 3 + 500,
    };
    let mut out = String::with_capacity(items.iter().map(size).sum::<usize>() + 512);
    out.push_str(r#"{"entente":"1","type":"feed-page","sender":"#);
    out.push_str(&json!(header.sender.as_str()).to_string());
    out.push_str(r#","recipient":"#);
    out.push_str(&json!(header.recipient.as_str()).to_string());
    out.push_str(r#","request":"#);
    out.push_str(&json!(header.request).to_string());
    out.push_str(r#","items":["#);
    for (index, item) in items.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        match item.object {
            OutObject::Clear(json) => {
                out.push_str(r#"{"object":"#);
                out.push_str(json);
            }
            OutObject::Sealed(sealed) => {
                out.push_str(r#"{"sealed_object":"#);
                out.push_str(&sealed.to_value().to_string());
            }
        }
        out.push_str(r#","seal":"#);
        out.push_str(&item.seal.to_value().to_string());
        out.push_str(r#","hops":"#);
        out.push_str(&hops_value(item.hops).to_string());
        out.push_str(r#","treaty":"#);
        out.push_str(&json!(item.treaty.as_str()).to_string());
        out.push('}');
    }
    out.push(']');
    if !tombstones.is_empty() {
        let values: Vec<Value> = tombstones.iter().map(Tombstone::to_value).collect();
        out.push_str(r#","tombstones":"#);
        out.push_str(&Value::Array(values).to_string());
    }
    if !cards.is_empty() {
        out.push_str(r#","cards":"#);
        out.push_str(&Value::Array(cards.to_vec()).to_string());
    }
    if let Some(next) = &header.next {
        out.push_str(r#","next":"#);
        out.push_str(&json!(next).to_string());
    }
    out.push_str(&format!(
        r#","more":{},"key_id":"{}","signature":"{}"}}"#,
        header.more,
        key.key_id().as_str(),
        signature.encode()
    ));
    (out, hash_of_bytes(&manifest))
}

fn malformed(reason: impl Into<String>) -> PageError {
    PageError::Malformed(reason.into())
}

/// Reads and verifies a page that `us` asked `sender` for with request `request`.
/// `sender_key` finds the sender's pinned key by id; `encryption_key` (this node's, if
/// it has one) opens the items sealed end to end. Seals are left to the caller.
pub fn read_page(
    bytes: &[u8],
    us: &StixId,
    sender: &StixId,
    request: &str,
    sender_key: &dyn Fn(&KeyId) -> Option<PublicKey>,
    encryption_key: Option<&EncryptionKey>,
) -> Result<InPage, PageError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|error| malformed(error.to_string()))?;
    let Value::Object(mut map) = value else { return Err(malformed("not a JSON object")) };
    const MEMBERS: &[&str] = &[
        "entente",
        "type",
        "sender",
        "recipient",
        "request",
        "items",
        "tombstones",
        "cards",
        "next",
        "more",
        "key_id",
        "signature",
    ];
    if let Some(unknown) = map.keys().find(|key| !MEMBERS.contains(&key.as_str())) {
        return Err(malformed(format!("unknown member {unknown:?}")));
    }
    let text = |map: &Map<String, Value>, member: &str| {
        map.get(member)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| malformed(format!("`{member}` is missing or not a string")))
    };
    if text(&map, "entente")? != "1" || text(&map, "type")? != "feed-page" {
        return Err(malformed("not an Entente version 1 feed page"));
    }
    let id = |member: &str, map: &Map<String, Value>| {
        StixId::parse(&text(map, member)?).map_err(|error| malformed(format!("`{member}`: {error}")))
    };
    let found_sender = id("sender", &map)?;
    if &found_sender != sender {
        return Err(PageError::WrongSender { expected: sender.clone(), found: found_sender });
    }
    let recipient = id("recipient", &map)?;
    if &recipient != us {
        return Err(PageError::Misaddressed(recipient));
    }
    let found_request = text(&map, "request")?;
    if found_request != request {
        return Err(PageError::WrongRequest { expected: request.to_owned(), found: found_request });
    }
    let next = match map.get("next") {
        None => None,
        Some(Value::String(next)) => Some(next.clone()),
        Some(_) => return Err(malformed("`next` is not a string")),
    };
    let more = map.get("more").and_then(Value::as_bool).ok_or_else(|| malformed("`more` is not a boolean"))?;
    let key_id = KeyId::parse(&text(&map, "key_id")?).map_err(|error| malformed(error.to_string()))?;
    let signature = Signature::parse(&text(&map, "signature")?).map_err(|error| malformed(error.to_string()))?;
    let Some(Value::Array(raw_items)) = map.remove("items") else { return Err(malformed("`items` is not a list")) };
    let mut items = Vec::with_capacity(raw_items.len());
    let mut digests = Vec::with_capacity(raw_items.len());
    for (index, raw) in raw_items.into_iter().enumerate() {
        let raw = read_item(raw).map_err(|reason| malformed(format!("items[{index}]: {reason}")))?;
        let (item, digest) = finish_item(raw, (sender, us, request), encryption_key).map_err(|error| match error {
            ItemError::Malformed(reason) => malformed(format!("items[{index}]: {reason}")),
            ItemError::Open(error) => PageError::BadCiphertext { index, error },
        })?;
        digests.push(digest);
        items.push(item);
    }
    let tombstones = match map.remove("tombstones") {
        None => Vec::new(),
        Some(Value::Array(values)) if !values.is_empty() => values
            .iter()
            .enumerate()
            .map(|(index, value)| {
                Tombstone::from_value(value).map_err(|reason| malformed(format!("tombstones[{index}]: {reason}")))
            })
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err(malformed("`tombstones` is absent or a non-empty list")),
    };
    let (cards, card_digests) = match map.remove("cards") {
        None => (Vec::new(), Vec::new()),
        Some(Value::Array(values)) if !values.is_empty() => {
            let mut cards = Vec::with_capacity(values.len());
            let mut digests = Vec::with_capacity(values.len());
            for (index, value) in values.iter().enumerate() {
                let card = crate::card::SignedCard::parse_value(value)
                    .map_err(|error| malformed(format!("cards[{index}]: {error}")))?;
                digests.push(content_hash(value).map_err(|error| malformed(error.to_string()))?);
                cards.push(card);
            }
            (cards, digests)
        }
        Some(_) => return Err(malformed("`cards` is absent or a non-empty list")),
    };
    let header = PageHeader { sender: found_sender, recipient, request: found_request, next, more };
    let manifest = manifest_bytes(&header, digests, tombstones.iter().map(tombstone_digest).collect(), card_digests);
    let key = sender_key(&key_id).ok_or_else(|| PageError::UnknownKey(key_id.clone()))?;
    key.verify(&manifest, &signature).map_err(|_| PageError::BadSignature(key_id.clone()))?;
    Ok(InPage { header, items, tombstones, cards, manifest: hash_of_bytes(&manifest) })
}

/// An item as read from the page, before a sealed object is opened.
struct RawItem {
    object: RawObject,
    seal: Seal,
    hops: Vec<HopRule>,
    treaty: TreatyHash,
}

enum RawObject {
    Clear(Value),
    Sealed(SealedObject),
}

fn read_item(raw: Value) -> Result<RawItem, String> {
    const SHAPE: &str = "an item has exactly object (or sealed_object), seal, hops and treaty";
    let Value::Object(mut map) = raw else { return Err("not an object".into()) };
    if map.len() != 4 {
        return Err(SHAPE.into());
    }
    let object = match (map.remove("object"), map.remove("sealed_object")) {
        (Some(object), None) if object.is_object() => RawObject::Clear(object),
        (Some(_), None) => return Err("`object` is not a JSON object".into()),
        (None, Some(sealed)) => RawObject::Sealed(SealedObject::from_value(&sealed)?),
        _ => return Err(SHAPE.into()),
    };
    let seal = Seal::from_value(map.get("seal").ok_or("`seal` is missing")?).map_err(|error| error.to_string())?;
    let treaty = map
        .get("treaty")
        .and_then(Value::as_str)
        .ok_or("`treaty` is missing or not a string")
        .and_then(|text| TreatyHash::parse(text).map_err(|_| "`treaty` is not a treaty hash"))?;
    let hops = map.get("hops").and_then(Value::as_array).ok_or("`hops` is missing or not a list")?;
    let hops = hops.iter().map(read_hop).collect::<Result<Vec<_>, _>>()?;
    Ok(RawItem { object, seal, hops, treaty })
}

/// Makes an item of what was read: hashes a clear object; opens a sealed one with
/// this node's key, in the context of its page (sender, recipient, request) and item,
/// and hashes the plaintext. Returns the item and its digest.
fn finish_item(
    raw: RawItem,
    (sender, recipient, request): (&StixId, &StixId, &str),
    key: Option<&EncryptionKey>,
) -> Result<(InItem, String), ItemError> {
    let RawItem { object, seal, hops, treaty } = raw;
    let (object, sealed) = match object {
        RawObject::Clear(object) => (object, None),
        RawObject::Sealed(sealed) => {
            let context = ItemContext { sender, recipient, request, treaty: &treaty };
            (sealed.open(key.ok_or(OpenError::NoKey)?, &context).map_err(ItemError::Open)?, Some(sealed))
        }
    };
    let object_hash =
        super::seal::object_hash(&object).ok_or(ItemError::Malformed("the object has no canonical form"))?;
    let digest = item_digest(&object_hash, sealed.as_ref(), &seal, &hops, &treaty);
    Ok((InItem { object, object_hash, encrypted: sealed.is_some(), seal, hops, treaty }, digest))
}

enum ItemError {
    Malformed(&'static str),
    Open(OpenError),
}

impl From<OpenError> for ItemError {
    fn from(error: OpenError) -> ItemError {
        ItemError::Open(error)
    }
}

fn read_hop(value: &Value) -> Result<HopRule, String> {
    let map = value.as_object().filter(|map| map.len() == 2).ok_or("a hop has exactly treaty and resharing")?;
    let treaty = map
        .get("treaty")
        .and_then(Value::as_str)
        .and_then(|text| TreatyHash::parse(text).ok())
        .ok_or("a hop's treaty is not a treaty hash")?;
    let resharing = Resharing::from_value(map.get("resharing").ok_or("a hop has no resharing")?)
        .map_err(|error| format!("a hop's resharing is invalid: {error}"))?;
    Ok(HopRule { treaty, resharing })
}
