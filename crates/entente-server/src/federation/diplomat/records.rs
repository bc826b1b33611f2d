//! Conversions between the protocol's values and the store's rows, and the two rules
//! that decide which key rows a change may write.

use super::DiplomacyError;
use entente_core::card::{KeyEntry, VerifiedCard};
use entente_core::keys::PublicKey;
use entente_core::note::{Note, Rotation};
use entente_core::treaty::{Treaty, TreatySignature};
use entente_core::{StixId, Timestamp};
use entente_store::{Direction, KeyRecord, NoteRecord, PartnerRecord, SignatureRecord, StoreError, TreatyRecord};

pub(super) fn partner_record(card: &VerifiedCard) -> PartnerRecord {
    let body = card.card();
    PartnerRecord {
        node_id: body.node_id.to_string(),
        name: body.name.as_str().to_owned(),
        country: body.country.as_ref().map(|code| code.as_str().to_owned()),
        kind: body.kind.as_str().to_owned(),
        card: card.to_json().to_string(),
        federation_url: body.endpoints.federation.as_str().to_owned(),
    }
}

/// The key rows of a card; a key is pinned when its fingerprint is `pin`.
pub(super) fn key_records(card: &VerifiedCard, pin: Option<&str>) -> Vec<KeyRecord> {
    card.card()
        .keys
        .iter()
        .map(|entry| KeyRecord {
            pinned: pin.is_some_and(|fingerprint| normalise(&entry.key.fingerprint()) == fingerprint),
            ..key_record(entry)
        })
        .collect()
}

pub(super) fn key_record(entry: &KeyEntry) -> KeyRecord {
    KeyRecord {
        key_id: entry.key_id().to_string(),
        public_key: entry.key.encode(),
        valid_from: entry.valid_from.to_string(),
        valid_until: entry.valid_until.map(|until| until.to_string()),
        pinned: true,
    }
}

/// This node's key history as the store keeps it, back to card entries.
pub(super) fn key_entries(records: &[KeyRecord]) -> Result<Vec<KeyEntry>, DiplomacyError> {
    let corrupt = |record: &KeyRecord, error: &dyn std::fmt::Display| {
        DiplomacyError::Store(StoreError::Corrupt(format!("this node's key {}: {error}", record.key_id)))
    };
    records
        .iter()
        .map(|record| {
            Ok(KeyEntry {
                key: PublicKey::parse(&record.public_key).map_err(|error| corrupt(record, &error))?,
                valid_from: Timestamp::parse(&record.valid_from).map_err(|error| corrupt(record, &error))?,
                valid_until: match &record.valid_until {
                    Some(text) => Some(Timestamp::parse(text).map_err(|error| corrupt(record, &error))?),
                    None => None,
                },
            })
        })
        .collect()
}

/// Fingerprints are compared without separators or case, as people read them aloud.
pub(super) fn normalise(fingerprint: &str) -> String {
    fingerprint.chars().filter(char::is_ascii_hexdigit).map(|c| c.to_ascii_uppercase()).collect()
}

pub(super) fn treaty_record(treaty: &Treaty) -> TreatyRecord {
    TreatyRecord {
        hash: treaty.hash().to_string(),
        treaty_id: treaty.id().to_string(),
        version: i64::from(treaty.version()),
        supersedes: treaty.supersedes().map(ToString::to_string),
        json: treaty.to_value().to_string(),
    }
}

pub(super) fn signature_record(signature: &TreatySignature) -> SignatureRecord {
    SignatureRecord {
        hash: signature.treaty.to_string(),
        party: signature.party.to_string(),
        key_id: signature.key_id.to_string(),
        signature: signature.signature.encode(),
    }
}

pub(super) fn note_record(
    note: &Note,
    direction: Direction,
    partner: &StixId,
    json: &str,
    now: Timestamp,
) -> NoteRecord {
    NoteRecord {
        id: note.id().to_string(),
        direction,
        partner: partner.to_string(),
        kind: note.kind().to_string(),
        sender: note.sender().to_string(),
        recipient: note.recipient().to_string(),
        created: note.created().to_string(),
        in_reply_to: note.in_reply_to().map(ToString::to_string),
        recorded_at: now.unix_micros(),
        json: json.to_owned(),
    }
}

/// The key rows a partner's rotation writes: the old key ends when announced (never
/// later than it already did: see [`keep_retirements`]), and the new key is pinned
/// unless it already is, so a rotation cannot revive or extend a key (as
/// `Rotation::apply`).
pub(super) fn rotated_keys(stored: &[KeyRecord], rotation: &Rotation) -> Vec<KeyRecord> {
    let mut keys: Vec<KeyRecord> = stored
        .iter()
        .filter(|key| key.key_id == rotation.old_key.as_str())
        .map(|key| KeyRecord { valid_until: Some(rotation.old_key_valid_until.to_string()), ..key.clone() })
        .collect();
    let new_key = rotation.new_key.key.encode();
    if !stored.iter().any(|key| key.pinned && key.public_key == new_key) {
        keys.push(KeyRecord {
            key_id: rotation.new_key.key_id().to_string(),
            public_key: new_key,
            valid_from: rotation.new_key.valid_from.to_string(),
            valid_until: rotation.new_key.valid_until.map(|until| until.to_string()),
            pinned: true,
        });
    }
    keys
}

/// Key rows about to be written keep the end a pinned key already has when it is
/// earlier: a card, a re-introduction or a rotation may shorten a trusted key's life,
/// never extend it or revive a retired key.
pub(super) fn keep_retirements(stored: &[KeyRecord], mut incoming: Vec<KeyRecord>) -> Vec<KeyRecord> {
    let end = |text: &str| Timestamp::parse(text).ok();
    for key in &mut incoming {
        let held = stored.iter().find(|held| held.pinned && held.key_id == key.key_id);
        let Some(held_until) = held.and_then(|held| held.valid_until.clone()) else { continue };
        let offered = key.valid_until.as_deref().and_then(end);
        if offered.is_none_or(|offered| end(&held_until).is_none_or(|held| held <= offered)) {
            key.valid_until = Some(held_until);
        }
    }
    incoming
}
