//! Partners, their keys, treaties and signatures — and the one transaction that
//! records a diplomatic note together with everything it changes.
//!
//! Invariant: a note and its consequences (the partner's card, pinned keys, treaty
//! texts and signatures, this node's own keys, the outbox row of a note to send) are
//! written in one transaction by [`Store::record_note`], so a crash leaves either all
//! or none. [`Store::record_notes`] does the same for several notes at once (a
//! received signature and the notes forwarding it, a key rotation announced to every
//! partner).

use crate::notes::{NoteRecord, enqueue, insert_note};
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

/// A partner node as last seen through its verified card.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerRecord {
    pub node_id: String,
    pub name: String,
    pub country: Option<String>,
    pub kind: String,
    /// The signed card, verbatim.
    pub card: String,
    pub federation_url: String,
}

/// A signing key: one of a partner's (only pinned keys verify its notes), or one of
/// this node's own, past or present ([`Store::node_keys`], where `pinned` is always
/// true: the node made them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRecord {
    pub key_id: String,
    pub public_key: String,
    pub valid_from: String,
    pub valid_until: Option<String>,
    pub pinned: bool,
}

/// A treaty text (one version), kept by hash.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TreatyRecord {
    pub hash: String,
    pub treaty_id: String,
    pub version: i64,
    pub supersedes: Option<String>,
    pub json: String,
}

/// One party's signature over a treaty text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignatureRecord {
    pub hash: String,
    pub party: String,
    pub key_id: String,
    pub signature: String,
}

/// A note and what it changes, recorded atomically.
#[derive(Debug, Clone, Default)]
pub struct NoteChange {
    /// The note itself (sent or received).
    pub note: Option<NoteRecord>,
    /// Deliver the note to this URL (notes we send).
    pub deliver_to: Option<String>,
    pub partner: Option<PartnerRecord>,
    /// Keys to add or update for `partner_keys_of`.
    pub keys: Vec<KeyRecord>,
    pub partner_keys_of: Option<String>,
    pub treaties: Vec<TreatyRecord>,
    pub signatures: Vec<SignatureRecord>,
    /// This node's own keys to add or update (a rotation).
    pub node_keys: Vec<KeyRecord>,
    /// How many notes with the note's partner the move was checked against. When the
    /// history has grown since (another process recorded a note meanwhile), nothing is
    /// written and [`Store::record_note`] answers `false`: the caller checks again.
    pub history_checked: Option<usize>,
}

fn upsert_partner(transaction: &Transaction<'_>, partner: &PartnerRecord, now: i64) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO partners (node_id, name, country, kind, card, federation_url, first_seen, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)
         ON CONFLICT(node_id) DO UPDATE SET name = excluded.name, country = excluded.country, kind = excluded.kind,
             card = excluded.card, federation_url = excluded.federation_url, updated_at = excluded.updated_at",
        (&partner.node_id, &partner.name, &partner.country, &partner.kind, &partner.card, &partner.federation_url, now),
    )?;
    Ok(())
}

fn upsert_key(transaction: &Transaction<'_>, node_id: &str, key: &KeyRecord) -> Result<(), StoreError> {
    // A key once pinned stays pinned: `pinned = max(old, new)`.
    transaction.execute(
        "INSERT INTO partner_keys (node_id, key_id, public_key, valid_from, valid_until, pinned)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(node_id, key_id) DO UPDATE SET valid_until = excluded.valid_until,
             pinned = max(partner_keys.pinned, excluded.pinned)",
        (node_id, &key.key_id, &key.public_key, &key.valid_from, &key.valid_until, key.pinned),
    )?;
    Ok(())
}

fn insert_treaty(transaction: &Transaction<'_>, treaty: &TreatyRecord, now: i64) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO treaties (hash, treaty_id, version, supersedes, json, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(hash) DO NOTHING",
        (&treaty.hash, &treaty.treaty_id, treaty.version, &treaty.supersedes, &treaty.json, now),
    )?;
    Ok(())
}

fn insert_signature(transaction: &Transaction<'_>, signature: &SignatureRecord) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO treaty_signatures (hash, party, key_id, signature) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(hash, party) DO NOTHING",
        (&signature.hash, &signature.party, &signature.key_id, &signature.signature),
    )?;
    Ok(())
}

fn upsert_node_key(transaction: &Transaction<'_>, key: &KeyRecord, now: i64) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO node_keys (key_id, public_key, valid_from, valid_until, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(key_id) DO UPDATE SET valid_until = excluded.valid_until",
        (&key.key_id, &key.public_key, &key.valid_from, &key.valid_until, now),
    )?;
    Ok(())
}

/// Whether the history with the note's partner still has the length the move was
/// checked against (see [`NoteChange::history_checked`]).
pub(crate) fn history_unchanged(transaction: &Transaction<'_>, change: &NoteChange) -> Result<bool, StoreError> {
    let (Some(note), Some(checked)) = (&change.note, change.history_checked) else { return Ok(true) };
    let recorded: i64 =
        transaction.query_row("SELECT count(*) FROM notes WHERE partner = ?1", [&note.partner], |row| row.get(0))?;
    Ok(usize::try_from(recorded).ok() == Some(checked))
}

pub(crate) fn write_change(
    transaction: &Transaction<'_>,
    change: &NoteChange,
    now_micros: i64,
) -> Result<(), StoreError> {
    if let Some(partner) = &change.partner {
        upsert_partner(transaction, partner, now_micros)?;
    }
    if let Some(node_id) = &change.partner_keys_of {
        for key in &change.keys {
            upsert_key(transaction, node_id, key)?;
        }
    }
    for key in &change.node_keys {
        upsert_node_key(transaction, key, now_micros)?;
    }
    for treaty in &change.treaties {
        insert_treaty(transaction, treaty, now_micros)?;
    }
    for signature in &change.signatures {
        insert_signature(transaction, signature)?;
    }
    if let Some(note) = &change.note {
        insert_note(transaction, note)?;
        if let Some(url) = &change.deliver_to {
            enqueue(transaction, &note.id, &note.partner, url, now_micros)?;
        }
        crate::ledger::append(transaction, [ledger_entry(note)?], now_micros)?;
    }
    Ok(())
}

/// The audit ledger's entry for a note sent or received: its id, the partner and the
/// content hash of the signed note.
fn ledger_entry(note: &crate::NoteRecord) -> Result<entente_core::ledger::EntryKind, StoreError> {
    use entente_core::ledger::{ContentHash, EntryKind};
    let invalid =
        |what: &str, error: &dyn std::fmt::Display| StoreError::Invalid(format!("note {}: {what}: {error}", note.id));
    let value: serde_json::Value = serde_json::from_str(&note.json).map_err(|error| invalid("JSON", &error))?;
    let note_hash = ContentHash::of(&value).map_err(|error| invalid("hash", &error))?;
    let id = entente_core::note::NoteId::parse(&note.id).map_err(|error| invalid("id", &error))?;
    let partner = entente_core::StixId::parse(&note.partner).map_err(|error| invalid("partner", &error))?;
    Ok(match note.direction {
        crate::Direction::Sent => EntryKind::NoteSent { note: id, to: partner, note_hash },
        crate::Direction::Received => EntryKind::NoteReceived { note: id, from: partner, note_hash },
    })
}

impl Store {
    /// Records a note and its consequences in one transaction; `false` (and nothing
    /// written) when the history moved since the check (see [`NoteChange::history_checked`]).
    pub fn record_note(&self, change: &NoteChange, now_micros: i64) -> Result<bool, StoreError> {
        self.record_notes(std::slice::from_ref(change), now_micros)
    }

    /// Records several notes and their consequences in one transaction: all of them, or
    /// none and `false` when the history with any of their partners moved since its
    /// check. Every history is counted before anything is written, so the changes must
    /// concern different partners.
    pub fn record_notes(&self, changes: &[NoteChange], now_micros: i64) -> Result<bool, StoreError> {
        self.pool.write(|transaction| {
            for change in changes {
                if !history_unchanged(transaction, change)? {
                    return Ok(false);
                }
            }
            for change in changes {
                write_change(transaction, change, now_micros)?;
            }
            Ok(true)
        })
    }

    /// This node's own keys, oldest first (empty until its first rotation).
    pub fn node_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT key_id, public_key, valid_from, valid_until FROM node_keys ORDER BY recorded_at, rowid",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(KeyRecord {
                    key_id: row.get(0)?,
                    public_key: row.get(1)?,
                    valid_from: row.get(2)?,
                    valid_until: row.get(3)?,
                    pinned: true,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Every partner's pinned keys, with the partner's node id: what verifies the
    /// treaty signatures of any party.
    pub fn pinned_keys(&self) -> Result<Vec<(String, KeyRecord)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT node_id, key_id, public_key, valid_from, valid_until FROM partner_keys WHERE pinned
                 ORDER BY node_id, valid_from",
            )?;
            let rows = statement.query_map([], |row| {
                let key = KeyRecord {
                    key_id: row.get(1)?,
                    public_key: row.get(2)?,
                    valid_from: row.get(3)?,
                    valid_until: row.get(4)?,
                    pinned: true,
                };
                Ok((row.get(0)?, key))
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn partner(&self, node_id: &str) -> Result<Option<PartnerRecord>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached(
                    "SELECT node_id, name, country, kind, card, federation_url FROM partners WHERE node_id = ?1",
                )?
                .query_row([node_id], partner_from_row)
                .optional()?)
        })
    }

    pub fn partners(&self) -> Result<Vec<PartnerRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT node_id, name, country, kind, card, federation_url FROM partners ORDER BY name, node_id",
            )?;
            let rows = statement.query_map([], partner_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn partner_keys(&self, node_id: &str) -> Result<Vec<KeyRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT key_id, public_key, valid_from, valid_until, pinned FROM partner_keys WHERE node_id = ?1 ORDER BY valid_from",
            )?;
            let rows = statement.query_map([node_id], |row| {
                Ok(KeyRecord {
                    key_id: row.get(0)?,
                    public_key: row.get(1)?,
                    valid_from: row.get(2)?,
                    valid_until: row.get(3)?,
                    pinned: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Whether a note with this id was received (the replay check).
    pub fn received_note(&self, id: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM notes WHERE id = ?1 AND direction = 'received')")?
                .query_row([id], |row| row.get(0))?)
        })
    }

    pub fn treaty(&self, hash: &str) -> Result<Option<TreatyRecord>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT hash, treaty_id, version, supersedes, json FROM treaties WHERE hash = ?1")?
                .query_row([hash], |row| {
                    Ok(TreatyRecord {
                        hash: row.get(0)?,
                        treaty_id: row.get(1)?,
                        version: row.get(2)?,
                        supersedes: row.get(3)?,
                        json: row.get(4)?,
                    })
                })
                .optional()?)
        })
    }

    pub fn treaty_signatures(&self, hash: &str) -> Result<Vec<SignatureRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT hash, party, key_id, signature FROM treaty_signatures WHERE hash = ?1 ORDER BY party",
            )?;
            let rows = statement.query_map([hash], |row| {
                Ok(SignatureRecord {
                    hash: row.get(0)?,
                    party: row.get(1)?,
                    key_id: row.get(2)?,
                    signature: row.get(3)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

fn partner_from_row(row: &rusqlite::Row<'_>) -> Result<PartnerRecord, rusqlite::Error> {
    Ok(PartnerRecord {
        node_id: row.get(0)?,
        name: row.get(1)?,
        country: row.get(2)?,
        kind: row.get(3)?,
        card: row.get(4)?,
        federation_url: row.get(5)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Direction;

    fn note(id: &str, partner: &str) -> NoteRecord {
        NoteRecord {
            id: id.into(),
            direction: Direction::Sent,
            partner: partner.into(),
            kind: "resume".into(),
            sender: "identity--a".into(),
            recipient: partner.into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            in_reply_to: None,
            recorded_at: 1,
            json: "{}".into(),
        }
    }

    fn key(id: &str, until: Option<&str>) -> KeyRecord {
        KeyRecord {
            key_id: id.into(),
            public_key: format!("public {id}"),
            valid_from: "1970-01-01T00:00:00.000000Z".into(),
            valid_until: until.map(str::to_owned),
            pinned: true,
        }
    }

    #[test]
    fn several_notes_are_recorded_all_or_none_with_the_node_keys() {
        // Real ids: every note recorded is also an entry of the audit ledger.
        const N1: &str = "note--11111111-1111-4111-8111-111111111111";
        const N2: &str = "note--22222222-2222-4222-8222-222222222222";
        const N3: &str = "note--33333333-3333-4333-8333-333333333333";
        const B: &str = "identity--bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
        const C: &str = "identity--cccccccc-cccc-4ccc-8ccc-cccccccccccc";
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::create(&dir.path().join("entente.db")).expect("store");
        let change = |id: &str, partner: &str, checked: usize| NoteChange {
            note: Some(note(id, partner)),
            history_checked: Some(checked),
            ..NoteChange::default()
        };
        let keys = NoteChange { node_keys: vec![key("old", None), key("new", None)], ..NoteChange::default() };
        assert!(store.record_notes(&[keys, change(N1, B, 0)], 1).expect("record"));
        let moved = NoteChange { node_keys: vec![key("old", Some("2026-01-08T00:00:00Z"))], ..NoteChange::default() };
        let stale = [moved, change(N2, C, 0), change(N3, B, 0)];
        assert!(!store.record_notes(&stale, 2).expect("record"), "B's history moved: nothing is written");
        assert!(!store.knows_note(N2).expect("lookup"));
        assert_eq!(store.node_keys().expect("keys"), [key("old", None), key("new", None)]);

        let retired = NoteChange { node_keys: vec![key("old", Some("2026-01-08T00:00:00Z"))], ..NoteChange::default() };
        assert!(store.record_notes(&[retired, change(N3, B, 1)], 3).expect("record"));
        assert_eq!(store.node_keys().expect("keys"), [key("old", Some("2026-01-08T00:00:00Z")), key("new", None)]);
        assert_eq!(store.notes_with(B).expect("notes").len(), 2);
        assert_eq!(store.ledger_head().expect("ledger").0, 2, "two notes recorded, two ledger entries");
    }
}
