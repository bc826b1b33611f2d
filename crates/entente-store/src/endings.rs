//! Treaty endings: carrying out, once, what an ended treaty says about the material
//! received under it (its `on_termination`: purge or keep), and remembering that it
//! was done.
//!
//! Invariants:
//! - an ending is carried out in one transaction: the purge, the `treaty_endings` row
//!   and the ledger entries (`treaty-ended`, and `purged` for a purge) are written
//!   together or not at all, and a second attempt finds the row and does nothing;
//! - a purge deletes only versions received from the partner that this node neither
//!   originated nor also received from a partner whose copies still count (the caller
//!   says which: those whose treaty has not ended, or ended with `keep`);
//! - once a partner has an ending here, no page from it is stored again
//!   (`sync::store_received` asks [`has_ended`]), so nothing slips in after a purge.
//!
//! Not here: deciding that a treaty ended or what it says (the relation replay and the
//! treaty text, in the server), or telling the partner (each side carries its own
//! ending out from the same signed notes).

use crate::ledger::append;
use crate::objects::refresh_first_last;
use crate::{Store, StoreError};
use entente_core::StixId;
use entente_core::ledger::EntryKind;
use entente_core::treaty::{Disposition, TreatyHash};
use rusqlite::{OptionalExtension, Transaction};

/// An ended treaty with one partner, to carry out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreatyEnding {
    pub partner: StixId,
    /// The treaty that ended (the last version in force).
    pub treaty: TreatyHash,
    /// `terminated` or `expired`.
    pub ending: String,
    pub disposition: Disposition,
}

/// An ending as carried out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SettledEnding {
    pub partner: String,
    pub treaty: String,
    pub ending: String,
    pub disposition: String,
    /// Object versions received from the partner and deleted.
    pub removed: u64,
    /// Object versions received from the partner and still held afterwards: all of
    /// them for `keep`; for `purge`, those also held under another treaty or originated.
    pub retained: u64,
    pub settled_micros: i64,
}

/// Whether an ending with `partner` was carried out.
pub(crate) fn has_ended(transaction: &Transaction<'_>, partner: &str) -> Result<bool, StoreError> {
    Ok(transaction
        .prepare_cached("SELECT EXISTS(SELECT 1 FROM treaty_endings WHERE partner = ?1)")?
        .query_row([partner], |row| row.get(0))?)
}

/// The object versions received from `partner` that this node still holds.
fn held_from(transaction: &Transaction<'_>, partner: &str) -> Result<Vec<(String, String)>, StoreError> {
    let mut statement = transaction.prepare_cached(
        "SELECT r.stix_id, r.content_hash FROM received_copies r
         WHERE r.partner = ?1
           AND EXISTS(SELECT 1 FROM objects o WHERE o.stix_id = r.stix_id AND o.content_hash = r.content_hash)",
    )?;
    let rows = statement.query_map([partner], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

/// Whether this node may keep a version although `partner`'s copy no longer counts:
/// it originated it, or another partner whose copies still count sent it too.
fn held_otherwise(
    transaction: &Transaction<'_>,
    (stix_id, content_hash): (&str, &str),
    partner: &str,
    still_counts: &dyn Fn(&str) -> bool,
) -> Result<bool, StoreError> {
    let originated: bool = transaction
        .prepare_cached(
            "SELECT NOT EXISTS(SELECT 1 FROM seals WHERE stix_id = ?1 AND content_hash = ?2)
                 OR EXISTS(SELECT 1 FROM seals WHERE stix_id = ?1 AND content_hash = ?2 AND received_from IS NULL)",
        )?
        .query_row((stix_id, content_hash), |row| row.get(0))?;
    if originated {
        return Ok(true);
    }
    let mut statement = transaction.prepare_cached(
        "SELECT partner FROM received_copies WHERE stix_id = ?1 AND content_hash = ?2 AND partner != ?3",
    )?;
    let others = statement.query_map((stix_id, content_hash, partner), |row| row.get::<_, String>(0))?;
    for other in others {
        if still_counts(&other?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Deletes one version from every collection holding it, with its seal and the record
/// of who sent it (so that a lawful copy arriving later is stored afresh).
fn delete_version(transaction: &Transaction<'_>, stix_id: &str, content_hash: &str) -> Result<(), StoreError> {
    let collections: Vec<String> = transaction
        .prepare_cached("SELECT DISTINCT collection_id FROM objects WHERE stix_id = ?1 AND content_hash = ?2")?
        .query_map((stix_id, content_hash), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    transaction
        .prepare_cached("DELETE FROM objects WHERE stix_id = ?1 AND content_hash = ?2")?
        .execute((stix_id, content_hash))?;
    for collection in &collections {
        refresh_first_last(transaction, collection, stix_id)?;
    }
    transaction
        .prepare_cached("DELETE FROM seals WHERE stix_id = ?1 AND content_hash = ?2")?
        .execute((stix_id, content_hash))?;
    transaction
        .prepare_cached("DELETE FROM received_copies WHERE stix_id = ?1 AND content_hash = ?2")?
        .execute((stix_id, content_hash))?;
    Ok(())
}

/// Carries out `ending`'s disposition; returns (removed, retained).
fn carry_out(
    transaction: &Transaction<'_>,
    ending: &TreatyEnding,
    still_counts: &dyn Fn(&str) -> bool,
) -> Result<(u64, u64), StoreError> {
    let partner = ending.partner.as_str();
    let held = held_from(transaction, partner)?;
    if ending.disposition == Disposition::Keep {
        return Ok((0, held.len() as u64));
    }
    let (mut removed, mut retained) = (0, 0);
    for (stix_id, content_hash) in &held {
        if held_otherwise(transaction, (stix_id, content_hash), partner, still_counts)? {
            retained += 1;
        } else {
            delete_version(transaction, stix_id, content_hash)?;
            removed += 1;
        }
    }
    Ok((removed, retained))
}

impl Store {
    /// Carries out an ended treaty once: for `purge`, deletes every object version
    /// received from the partner unless this node originated it or `still_counts` says
    /// of another partner that sent it too that its copy still counts; records the
    /// ending and the ledger entries in the same transaction. `None` when this ending
    /// was already carried out.
    pub fn settle_ending(
        &self,
        ending: &TreatyEnding,
        still_counts: &dyn Fn(&str) -> bool,
        now_micros: i64,
    ) -> Result<Option<SettledEnding>, StoreError> {
        self.pool.write(|transaction| {
            let done: Option<i64> = transaction
                .prepare_cached("SELECT 1 FROM treaty_endings WHERE partner = ?1 AND treaty = ?2")?
                .query_row((ending.partner.as_str(), ending.treaty.as_str()), |row| row.get(0))
                .optional()?;
            if done.is_some() {
                return Ok(None);
            }
            let (removed, retained) = carry_out(transaction, ending, still_counts)?;
            transaction
                .prepare_cached(
                    "INSERT INTO treaty_endings (partner, treaty, ending, disposition, removed, retained, settled_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute((
                    ending.partner.as_str(),
                    ending.treaty.as_str(),
                    &ending.ending,
                    ending.disposition.as_str(),
                    removed as i64,
                    retained as i64,
                    now_micros,
                ))?;
            let mut entries = vec![EntryKind::TreatyEnded {
                treaty: ending.treaty.clone(),
                with: ending.partner.clone(),
                disposition: ending.disposition,
            }];
            if ending.disposition == Disposition::Purge {
                entries.push(EntryKind::Purged {
                    treaty: ending.treaty.clone(),
                    from: ending.partner.clone(),
                    removed,
                    retained,
                });
            }
            append(transaction, entries, now_micros)?;
            Ok(Some(SettledEnding {
                partner: ending.partner.to_string(),
                treaty: ending.treaty.to_string(),
                ending: ending.ending.clone(),
                disposition: ending.disposition.as_str().to_owned(),
                removed,
                retained,
                settled_micros: now_micros,
            }))
        })
    }

    /// Every ending carried out, oldest first.
    pub fn treaty_endings(&self) -> Result<Vec<SettledEnding>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT partner, treaty, ending, disposition, removed, retained, settled_at FROM treaty_endings
                 ORDER BY settled_at, partner",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(SettledEnding {
                    partner: row.get(0)?,
                    treaty: row.get(1)?,
                    ending: row.get(2)?,
                    disposition: row.get(3)?,
                    removed: row.get::<_, i64>(4)? as u64,
                    retained: row.get::<_, i64>(5)? as u64,
                    settled_micros: row.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}
