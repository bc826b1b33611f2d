//! Tombstones in the store: revoking what this node originated, recalling what it
//! released, applying a tombstone received, and the tombstones each partner's feed
//! carries.
//!
//! Invariants: removing an object and recording why (the tombstone and its ledger
//! entry) happen in one transaction; a final tombstone (by the originator) keeps the
//! object from ever being stored again by sync.

use crate::ledger::append;
use crate::{Store, StoreError};
use entente_core::ledger::EntryKind;
use rusqlite::{OptionalExtension, Transaction};

/// A tombstone to record with what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TombstoneRecord {
    pub stix_id: String,
    pub issuer: String,
    /// Issued by the object's originator: the object is gone for good.
    pub is_final: bool,
    /// The wire form.
    pub json: String,
    /// The partner it came from (`None` when this node issued it).
    pub received_from: Option<String>,
    /// Only for this partner (a recall); `None`: every partner that received the object.
    pub target: Option<String>,
}

fn insert(transaction: &Transaction<'_>, record: &TombstoneRecord, now_micros: i64) -> Result<(), StoreError> {
    transaction
        .prepare_cached(
            "INSERT INTO tombstones (stix_id, issuer, final, json, received_from, target, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            &record.stix_id,
            &record.issuer,
            record.is_final,
            &record.json,
            &record.received_from,
            &record.target,
            now_micros,
        ))?;
    Ok(())
}

fn remove_versions(transaction: &Transaction<'_>, stix_id: &str) -> Result<u64, StoreError> {
    Ok(transaction.execute("DELETE FROM objects WHERE stix_id = ?1", [stix_id])? as u64)
}

impl Store {
    /// Revokes an object this node (`us`) originated: signs a final `revoked`
    /// tombstone, deletes every version here and records the revocation on the ledger,
    /// in one transaction. The tombstone then travels in every partner's feed. Returns
    /// the versions deleted and the tombstone.
    pub fn revoke_own(
        &self,
        key: &entente_core::node::NodeKey,
        us: &entente_core::StixId,
        object: &entente_core::StixId,
        reason: &str,
        now: entente_core::Timestamp,
    ) -> Result<(u64, entente_core::sync::Tombstone), StoreError> {
        use entente_core::sync::{Tombstone, TombstoneKind};
        let tombstone = Tombstone::make(key, TombstoneKind::Revoked, us.clone(), object.clone(), reason, now);
        let record = TombstoneRecord {
            stix_id: object.to_string(),
            issuer: us.to_string(),
            is_final: true,
            json: tombstone.to_value().to_string(),
            received_from: None,
            target: None,
        };
        let entry = EntryKind::Revoked { object: object.clone(), reason: tombstone.reason.clone() };
        let removed = self.remove_with_tombstone(&record, entry, now.unix_micros())?;
        Ok((removed, tombstone))
    }

    /// Removes every version of an object this node holds and records `tombstone` to
    /// be passed on, with `entry` in the ledger; returns how many versions went.
    pub fn remove_with_tombstone(
        &self,
        tombstone: &TombstoneRecord,
        entry: EntryKind,
        now_micros: i64,
    ) -> Result<u64, StoreError> {
        self.pool.write(|transaction| {
            let removed = remove_versions(transaction, &tombstone.stix_id)?;
            // A tombstone received twice at once (two pulls of the same partner) is
            // applied by the first: the second finds nothing left and records nothing.
            if removed == 0 && tombstone.received_from.is_some() {
                return Ok(0);
            }
            insert(transaction, tombstone, now_micros)?;
            let entry = match entry {
                EntryKind::Removed { object, issuer, from, .. } => EntryKind::Removed { object, issuer, from, removed },
                other => other,
            };
            append(transaction, [entry], now_micros)?;
            Ok(removed)
        })
    }

    /// Records a recall of an object from one partner (nothing is removed here).
    /// `false` when this node already recalled it from that partner.
    pub fn record_recall(
        &self,
        tombstone: &TombstoneRecord,
        entry: EntryKind,
        now_micros: i64,
    ) -> Result<bool, StoreError> {
        self.pool.write(|transaction| {
            let known: Option<i64> = transaction
                .prepare_cached(
                    "SELECT seq FROM tombstones WHERE stix_id = ?1 AND target = ?2 AND received_from IS NULL LIMIT 1",
                )?
                .query_row((&tombstone.stix_id, &tombstone.target), |row| row.get(0))
                .optional()?;
            if known.is_some() {
                return Ok(false);
            }
            insert(transaction, tombstone, now_micros)?;
            append(transaction, [entry], now_micros)?;
            Ok(true)
        })
    }

    /// Whether the object is gone for good (its originator's tombstone is here).
    pub fn is_tombstoned(&self, stix_id: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| is_final(transaction, stix_id))
    }

    /// Whether this node released any version of the object to `partner`.
    pub fn released_to(&self, stix_id: &str, partner: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached(
                    "SELECT EXISTS(SELECT 1 FROM ledger WHERE subject = ?1 AND counterpart = ?2 AND kind = 'release')",
                )?
                .query_row((stix_id, partner), |row| row.get(0))?)
        })
    }

    /// The tombstones `partner`'s feed carries after `after`: those for objects this
    /// node released to it (or recalls aimed at it), never one it sent or issued.
    pub fn tombstones_for(&self, partner: &str, after: i64, limit: u32) -> Result<Vec<(i64, String)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT t.seq, t.json FROM tombstones t
                 WHERE t.seq > ?1 AND t.issuer != ?2 AND (t.received_from IS NULL OR t.received_from != ?2)
                   AND (t.target = ?2 OR (t.target IS NULL AND EXISTS(
                        SELECT 1 FROM ledger l WHERE l.subject = t.stix_id AND l.counterpart = ?2 AND l.kind = 'release')))
                 ORDER BY t.seq LIMIT ?3",
            )?;
            let rows = statement.query_map((after, partner, i64::from(limit)), |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The originator of the copy of an object this node holds (`None` when it holds
    /// none, or holds only versions it originated and has not sealed yet).
    pub fn held_originator(&self, stix_id: &str) -> Result<Option<String>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached(
                    "SELECT s.originator FROM objects o
                     JOIN seals s ON s.stix_id = o.stix_id AND s.content_hash = o.content_hash
                     WHERE o.stix_id = ?1 LIMIT 1",
                )?
                .query_row([stix_id], |row| row.get(0))
                .optional()?)
        })
    }

    /// Whether this node holds any version of the object.
    pub fn holds(&self, stix_id: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM objects WHERE stix_id = ?1)")?
                .query_row([stix_id], |row| row.get(0))?)
        })
    }

    /// The card of a node this node knows only through a partner's word, and who
    /// vouched for it.
    pub fn vouched_card(&self, node_id: &str) -> Result<Option<(String, String)>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT card, vouched_by FROM vouched_cards WHERE node_id = ?1")?
                .query_row([node_id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })
    }

    /// Keeps the card a partner vouched for (the first voucher stands).
    pub fn record_vouched_card(
        &self,
        node_id: &str,
        card: &str,
        vouched_by: &str,
        now_micros: i64,
    ) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO vouched_cards (node_id, card, vouched_by, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute((node_id, card, vouched_by, now_micros))?;
            Ok(())
        })
    }

    /// The newest tombstone position (for the feed cursor).
    pub fn tombstone_head(&self) -> Result<i64, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction.query_row("SELECT coalesce(max(seq), 0) FROM tombstones", [], |row| row.get(0))?)
        })
    }
}

pub(crate) fn is_final(transaction: &Transaction<'_>, stix_id: &str) -> Result<bool, StoreError> {
    Ok(transaction
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM tombstones WHERE stix_id = ?1 AND final = 1)")?
        .query_row([stix_id], |row| row.get(0))?)
}
