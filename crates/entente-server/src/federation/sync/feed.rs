//! `POST /federation/v1/feed`: a partner pulls the next page of its feed.
//!
//! The feed is every object version this node holds, in `date_added` order, filtered
//! by the release decision for the asking partner. A page holds at most `limit` items
//! and scans at most [`SCAN_FACTOR`] × `limit` versions, so a partner entitled to little
//! still gets an answer quickly and a cursor past what it may not have. Objects the
//! partner sent us or originated are not echoed back.
//!
//! Before the page leaves, the release is recorded: seals made for versions this node
//! originated (once, then stored), one ledger `release` entry per item, and the page's
//! manifest, which the partner's next request acknowledges with a signed receipt.
//!
//! An item released under a treaty that says `encrypt_in_transit: must` travels as a
//! `sealed_object`: sealed end to end (HPKE) to the encryption key on the partner's
//! card this node holds, bound to this page and item, with fresh random bytes each.
//! It never travels in the clear: when the partner's card has no encryption key, the
//! item is denied (`no-encryption-key`) until it publishes one.

use super::Syncer;
use super::release::{Gate, deny_label, hops};
use crate::blocking::blocking;
use crate::clock::now;
use crate::error::ApiError;
use crate::state::AppState;
use axum::body::{Body, to_bytes};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use entente_core::ledger::{ContentHash, EntryKind};
use entente_core::release::{Decision, HopRule, Obligations};
use entente_core::seal::EncryptionPublicKey;
use entente_core::sync::{
    ItemContext, MAX_REQUEST_BYTES, OutItem, OutObject, PageHeader, RequestKind, Seal, SealedObject, Tombstone,
    TombstoneKind, object_hash, write_page,
};
use entente_core::taxii::Cursor;
use entente_core::treaty::TreatyHash;
use entente_core::{StixId, Timestamp};
use entente_store::{FeedRow, ReleaseRecord, SealRecord, TombstoneRecord};
use serde_json::Value;

/// A page scans at most this many object versions per item it may hold.
const SCAN_FACTOR: usize = 8;

pub(crate) fn sync_off() -> ApiError {
    ApiError::not_found("federation on this node").describe("the node was started without its signing key")
}

pub(crate) async fn feed(State(state): State<AppState>, body: Body) -> Result<Response, ApiError> {
    let syncer = state.syncer.clone().ok_or_else(sync_off)?;
    let bytes = to_bytes(body, MAX_REQUEST_BYTES + 1).await.map_err(|_| {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request-too-large", "a sync request is at most 16 KiB")
    })?;
    let metrics = state.metrics.clone();
    let (page, stats) = blocking(move || serve_page(&syncer, &bytes, now())).await?;
    metrics.record(|| {
        metrics::counter!("entente_sync_released_total").increment(stats.released as u64);
        for (label, count) in &stats.denied {
            metrics::counter!("entente_sync_denied_total", "reason" => *label).increment(*count);
        }
    });
    Ok(([(header::CONTENT_TYPE, "application/json")], page).into_response())
}

/// What a page did, for the metrics.
#[derive(Default)]
struct Stats {
    released: usize,
    denied: Vec<(&'static str, u64)>,
}

impl Stats {
    fn deny(&mut self, label: &'static str) {
        match self.denied.iter_mut().find(|(known, _)| *known == label) {
            Some((_, count)) => *count += 1,
            None => self.denied.push((label, 1)),
        }
    }
}

/// One item on its way out.
struct Outgoing {
    row: FeedRow,
    json: String,
    object_hash: ContentHash,
    seal: Seal,
    hops: Vec<HopRule>,
    treaty: TreatyHash,
    obligations: Obligations,
    /// The object sealed to the partner, when the treaty says `encrypt_in_transit: must`.
    sealed: Option<SealedObject>,
}

/// Why an object under a must-encrypt treaty is held back: the partner's card (as
/// this node holds it) publishes no encryption key to seal it to.
const NO_ENCRYPTION_KEY: &str = "no-encryption-key";

fn serve_page(syncer: &Syncer, bytes: &[u8], now: Timestamp) -> Result<(String, Stats), ApiError> {
    let started = std::time::Instant::now();
    let request = syncer.accept(bytes, now)?;
    let RequestKind::Feed { after, limit, receipt } = request.kind else {
        return Err(ApiError::bad_request(
            "not-a-feed-request",
            "this endpoint answers feed requests; pokes go to /poke",
        ));
    };
    let diplomat = syncer.diplomat();
    let store = diplomat.store();
    if let Some(receipt) = receipt
        && !store.record_receipt(&receipt, now.unix_micros()).map_err(internal)?
    {
        tracing::debug!(partner = %request.sender, page = %receipt.object_hash, "receipt for no page awaiting one");
    }
    let gate = Gate::new(diplomat, &request.sender, now).map_err(|error| ApiError::internal(error.to_string()))?;
    if !gate.has_treaty() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "relation-not-in-force",
            format!(
                "no treaty or shared alliance between this node and {} is in force: nothing may be released",
                request.sender
            ),
        ));
    }
    let (after, after_tombstone) = split_cursor(after.as_deref())?;
    let sealing_key = diplomat.partner_encryption_key(&request.sender).map_err(internal)?;
    let mut stats = Stats::default();
    let (chosen, next, more) = select(syncer, &gate, sealing_key.as_ref(), after, limit as usize, &mut stats)?;
    if let Some((_, held_back)) = stats.denied.iter().find(|(label, _)| *label == NO_ENCRYPTION_KEY) {
        tracing::warn!(partner = %request.sender, held_back,
            "objects under a treaty that says encrypt_in_transit: must are held back: the partner's card \
             has no encryption key to seal them to (it gets one when `entente serve` starts; make contact again)");
    }
    let tombstone_rows = store.tombstones_for(request.sender.as_str(), after_tombstone, limit).map_err(internal)?;
    let last_tombstone = tombstone_rows.last().map_or(after_tombstone, |(seq, _)| *seq);
    let more = more || tombstone_rows.len() == limit as usize;
    let tombstones: Vec<Tombstone> = tombstone_rows
        .iter()
        .filter_map(|(seq, json)| {
            let parsed = serde_json::from_str(json)
                .map_err(|error| error.to_string())
                .and_then(|value| Tombstone::from_value(&value));
            parsed.map_err(|error| tracing::warn!(seq, %error, "a stored tombstone is unreadable; skipped")).ok()
        })
        .collect();
    let identity = diplomat.identity();
    let key = identity.key();
    let mut new_seals = Vec::new();
    let mut outgoing = Vec::with_capacity(chosen.len());
    for (row, object, treaty, obligations) in chosen {
        outgoing.push(prepare(row, object, treaty, obligations, &gate, key, now, &mut new_seals)?);
    }
    let header = PageHeader {
        sender: gate.us.clone(),
        recipient: request.sender.clone(),
        request: request.id.clone(),
        next: Some(format!("{}~{last_tombstone}", next.map(Cursor::encode).unwrap_or_default())),
        more,
    };
    seal_to_partner(&mut outgoing, sealing_key.as_ref(), &header)?;
    let items: Vec<OutItem<'_>> = outgoing
        .iter()
        .map(|item| OutItem {
            object: match &item.sealed {
                Some(sealed) => OutObject::Sealed(sealed),
                None => OutObject::Clear(&item.json),
            },
            object_hash: &item.object_hash,
            seal: &item.seal,
            hops: &item.hops,
            treaty: &item.treaty,
        })
        .collect();
    let cards = originator_cards(store, &outgoing, &gate)?;
    let (page, manifest) = write_page(&header, &items, &tombstones, &cards, key);
    let entries = outgoing.iter().map(|item| release_entry(item, &request.sender)).collect::<Result<Vec<_>, _>>()?;
    stats.released = entries.len();
    let record =
        ReleaseRecord { partner: request.sender.to_string(), manifest: manifest.to_string(), new_seals, entries };
    let built = started.elapsed();
    store.record_release(&record, now.unix_micros()).map_err(internal)?;
    tracing::debug!(partner = %request.sender, items = stats.released, built_ms = built.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64, "served a feed page");
    Ok((page, stats))
}

/// Seals every item whose treaty says `encrypt_in_transit: must` to the partner's
/// key, bound to this page (`header`) and the item's treaty. Without a key there is
/// no such item (`judge` held them back); were there one, the page fails rather than
/// carry it in the clear.
fn seal_to_partner(
    outgoing: &mut [Outgoing],
    key: Option<&EncryptionPublicKey>,
    header: &PageHeader,
) -> Result<(), ApiError> {
    for item in outgoing.iter_mut().filter(|item| item.obligations.encrypt_in_transit) {
        let key = key.ok_or_else(|| internal("an object to seal, but no partner key to seal it to"))?;
        let context = ItemContext {
            sender: &header.sender,
            recipient: &header.recipient,
            request: &header.request,
            treaty: &item.treaty,
        };
        let mut randomness = [0u8; 32];
        getrandom::fill(&mut randomness).map_err(|error| internal(format!("no randomness to seal with: {error}")))?;
        let sealed = SealedObject::seal(key, &context, &item.json, randomness)
            .map_err(|error| internal(format!("sealing to {}: {error}", key.key_id())))?;
        item.sealed = Some(sealed);
    }
    Ok(())
}

fn internal(error: impl std::fmt::Display) -> ApiError {
    ApiError::internal(error.to_string())
}

type Chosen = (FeedRow, Value, TreatyHash, Obligations);

/// Scans the feed after `after` and keeps what the gate allows.
fn select(
    syncer: &Syncer,
    gate: &Gate,
    sealing_key: Option<&EncryptionPublicKey>,
    mut after: Option<Cursor>,
    limit: usize,
    stats: &mut Stats,
) -> Result<(Vec<Chosen>, Option<Cursor>, bool), ApiError> {
    let store = syncer.diplomat().store();
    let mut chosen = Vec::new();
    let mut scanned = 0;
    let budget = limit.saturating_mul(SCAN_FACTOR);
    let chunk = (limit * 2).clamp(64, 2000) as u32;
    loop {
        let rows = store.feed_rows(after, chunk, gate.recipient.as_str()).map_err(internal)?;
        let exhausted = rows.len() < chunk as usize;
        for row in rows {
            scanned += 1;
            after = Some(row.cursor);
            if !gate.offers(&row) {
                continue;
            }
            match judge(gate, &row, sealing_key.is_some()) {
                Ok((object, treaty, obligations)) => chosen.push((row, object, treaty, obligations)),
                Err(label) => {
                    stats.deny(label);
                    recall_if_released(syncer, gate, &row, label)?;
                }
            }
            if chosen.len() == limit || scanned == budget {
                return Ok((chosen, after, true));
            }
        }
        if exhausted {
            return Ok((chosen, after, false));
        }
    }
}

/// The release decision on one version; `can_seal`: the partner's card has an
/// encryption key, without which a must-encrypt object is held back, never sent in the
/// clear.
fn judge(gate: &Gate, row: &FeedRow, can_seal: bool) -> Result<(Value, TreatyHash, Obligations), &'static str> {
    let object: Value = serde_json::from_str(&row.json).map_err(|_| super::release::UNREADABLE)?;
    match gate.decide(&object, row.seal.as_ref())? {
        Decision::Allowed { obligations, .. } if obligations.encrypt_in_transit && !can_seal => Err(NO_ENCRYPTION_KEY),
        Decision::Allowed { treaty, obligations } => Ok((object, treaty, obligations)),
        Decision::Denied(reason) => Err(deny_label(&reason)),
    }
}

/// Seals (or reuses the seal of) one chosen version, applying its obligations.
#[allow(clippy::too_many_arguments)]
fn prepare(
    row: FeedRow,
    mut object: Value,
    treaty: TreatyHash,
    obligations: Obligations,
    gate: &Gate,
    key: &entente_core::node::NodeKey,
    now: Timestamp,
    new_seals: &mut Vec<(String, String, SealRecord)>,
) -> Result<Outgoing, ApiError> {
    let stored_hops = match &row.seal {
        Some(seal) => hops(&seal.hops).map_err(internal)?,
        None => Vec::new(),
    };
    let stripped = obligations.strip_attribution && object.get("created_by_ref").is_some();
    let (json, object_hash, seal) = if stripped {
        // The provider's attribution must not travel: this node vouches for the
        // stripped version under its own seal, and is all the recipient learns.
        if let Value::Object(map) = &mut object {
            obligations.apply(map);
        }
        let hash = object_hash(&object).ok_or_else(|| internal("object has no canonical form"))?;
        let seal = Seal::make(key, gate.us.clone(), &hash, now);
        (object.to_string(), hash, seal)
    } else if let Some(record) = &row.seal {
        (row.json.clone(), ContentHash::parse(&record.object_hash).map_err(internal)?, seal_of(record)?)
    } else {
        let hash = object_hash(&object).ok_or_else(|| internal("object has no canonical form"))?;
        let seal = Seal::make(key, gate.us.clone(), &hash, now);
        new_seals.push((row.stix_id.clone(), row.content_hash.clone(), record_of(&seal, &hash)));
        (row.json.clone(), hash, seal)
    };
    Ok(Outgoing { row, json, object_hash, seal, hops: stored_hops, treaty, obligations, sealed: None })
}

fn seal_of(record: &SealRecord) -> Result<Seal, ApiError> {
    let value = serde_json::json!({
        "originator": record.originator, "key_id": record.key_id, "sealed": record.sealed, "signature": record.signature,
    });
    Seal::from_value(&value).map_err(internal)
}

/// The stored form of a seal this node made for a version it originated.
pub(crate) fn record_of(seal: &Seal, hash: &ContentHash) -> SealRecord {
    SealRecord {
        object_hash: hash.to_string(),
        originator: seal.originator.to_string(),
        key_id: seal.key_id.to_string(),
        sealed: seal.sealed.to_string(),
        signature: seal.signature.encode(),
        received_from: None,
        treaty: None,
        hops: "[]".into(),
    }
}

fn release_entry(item: &Outgoing, recipient: &StixId) -> Result<EntryKind, ApiError> {
    let object = StixId::parse(&item.row.stix_id).map_err(internal)?;
    let version = Timestamp::parse(&item.row.version).map_err(internal)?;
    let mut obligations = Vec::new();
    if item.obligations.strip_attribution {
        obligations.push("strip-attribution".to_owned());
    }
    obligations.push(format!("resharing:{}", item.obligations.resharing.as_str()));
    if let Some(sealed) = &item.sealed {
        obligations.push(format!("sealed-to:{}", sealed.key_id));
    }
    Ok(EntryKind::Release {
        object,
        version,
        object_hash: item.object_hash.clone(),
        recipient: recipient.clone(),
        treaty: item.treaty.clone(),
        obligations,
    })
}

/// Reads a feed cursor: `<objects cursor>~<last tombstone sent>` (either part may be
/// empty or absent at the start).
fn split_cursor(after: Option<&str>) -> Result<(Option<Cursor>, i64), ApiError> {
    let invalid = |reason: String| ApiError::bad_request("invalid-cursor", reason);
    let Some(text) = after else { return Ok((None, 0)) };
    let (objects, tombstones) = text.split_once('~').unwrap_or((text, "0"));
    let objects = (!objects.is_empty())
        .then(|| Cursor::decode(objects))
        .transpose()
        .map_err(|error| invalid(error.to_string()))?;
    let tombstones = tombstones.parse::<i64>().map_err(|_| invalid(format!("{tombstones:?} is not a position")))?;
    Ok((objects, tombstones))
}

/// When a version is denied to a partner that received an earlier version of the same
/// object (its markings were tightened, or the treaty narrowed), the partner is no
/// longer entitled to the object: this node recalls it, once.
fn recall_if_released(syncer: &Syncer, gate: &Gate, row: &FeedRow, label: &'static str) -> Result<(), ApiError> {
    // Held back for want of a key is not a denial of the partner's entitlement.
    if label == NO_ENCRYPTION_KEY || label == super::release::UNREADABLE {
        return Ok(());
    }
    let store = syncer.diplomat().store();
    let partner = gate.recipient.as_str();
    if !store.released_to(&row.stix_id, partner).map_err(internal)? {
        return Ok(());
    }
    let identity = syncer.diplomat().identity();
    let object = StixId::parse(&row.stix_id).map_err(internal)?;
    let reason = format!("a later version may not be released to this node ({label})");
    let tombstone =
        Tombstone::make(identity.key(), TombstoneKind::Recalled, gate.us.clone(), object.clone(), &reason, gate.now);
    let record = TombstoneRecord {
        stix_id: row.stix_id.clone(),
        issuer: gate.us.to_string(),
        is_final: false,
        json: tombstone.to_value().to_string(),
        received_from: None,
        target: Some(partner.to_owned()),
    };
    let entry = EntryKind::Recalled { object, from: gate.recipient.clone(), reason };
    if store.record_recall(&record, entry, gate.now.unix_micros()).map_err(internal)? {
        tracing::info!(partner, object = %row.stix_id, reason = label, "recalled an object the partner may no longer hold");
    }
    Ok(())
}

/// The signed cards of the originators (other than this node and the recipient) of the
/// items released, so the recipient can check seals of nodes it never recognized: the
/// card this node holds for a partner, or the one a partner vouched for to it.
fn originator_cards(store: &entente_store::Store, outgoing: &[Outgoing], gate: &Gate) -> Result<Vec<Value>, ApiError> {
    let mut originators: Vec<&StixId> = outgoing
        .iter()
        .map(|item| &item.seal.originator)
        .filter(|originator| **originator != gate.us && **originator != gate.recipient)
        .collect();
    originators.sort();
    originators.dedup();
    let mut cards = Vec::new();
    for originator in originators {
        let held = match store.partner(originator.as_str()).map_err(internal)? {
            Some(partner) => Some(partner.card),
            None => store.vouched_card(originator.as_str()).map_err(internal)?.map(|(card, _)| card),
        };
        if let Some(card) = held.and_then(|text| serde_json::from_str::<Value>(&text).ok()) {
            cards.push(card);
        }
    }
    Ok(cards)
}
