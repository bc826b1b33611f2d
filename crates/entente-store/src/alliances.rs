//! Alliance charters and acts (kept forever, like notes), and which nodes hold each
//! act, so that an act is forwarded to a node once.
//!
//! Invariants: an act, its charter, the notes that carry it and the notes that forward
//! it are written in one transaction ([`Store::record_alliance`]), so a crash leaves all
//! or none. One charter per alliance id: a second, different text for the same id is
//! refused ([`StoreError::Invalid`]) and nothing is written. Membership is not stored:
//! the caller folds the acts (see `migrations/0006_alliances.sql`).

use crate::federation::{NoteChange, history_unchanged, write_change};
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

/// A charter as kept: the alliance id, its hash and its JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CharterRecord {
    pub alliance_id: String,
    pub hash: String,
    pub json: String,
}

/// A signed act as kept, verbatim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActRecord {
    pub hash: String,
    pub alliance_id: String,
    pub kind: String,
    pub by_node: String,
    pub created: String,
    pub json: String,
}

/// What one alliance event writes, with the notes that carry or forward it.
#[derive(Debug, Clone, Default)]
pub struct AllianceChange {
    /// Written unless already held (the same text); refused if another text holds the id.
    pub charter: Option<CharterRecord>,
    /// Written unless already held.
    pub acts: Vec<ActRecord>,
    /// (act hash, node id) pairs: nodes known to hold the act.
    pub holders: Vec<(String, String)>,
    /// The note received, and the notes that forward acts (each with its outbox row).
    pub notes: Vec<NoteChange>,
}

fn insert_charter(transaction: &Transaction<'_>, charter: &CharterRecord, now: i64) -> Result<(), StoreError> {
    let held: Option<String> = transaction
        .query_row("SELECT hash FROM alliance_charters WHERE alliance_id = ?1", [&charter.alliance_id], |row| {
            row.get(0)
        })
        .optional()?;
    match held {
        Some(hash) if hash == charter.hash => Ok(()),
        Some(hash) => Err(StoreError::Invalid(format!(
            "alliance {} already has charter {hash}, not {}",
            charter.alliance_id, charter.hash
        ))),
        None => {
            transaction.execute(
                "INSERT INTO alliance_charters (alliance_id, hash, json, recorded_at) VALUES (?1, ?2, ?3, ?4)",
                (&charter.alliance_id, &charter.hash, &charter.json, now),
            )?;
            Ok(())
        }
    }
}

fn insert_act(transaction: &Transaction<'_>, act: &ActRecord, now: i64) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO alliance_acts (hash, alliance_id, kind, by_node, created, json, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(hash) DO NOTHING",
        (&act.hash, &act.alliance_id, &act.kind, &act.by_node, &act.created, &act.json, now),
    )?;
    Ok(())
}

fn act_from_row(row: &rusqlite::Row<'_>) -> Result<ActRecord, rusqlite::Error> {
    Ok(ActRecord {
        hash: row.get(0)?,
        alliance_id: row.get(1)?,
        kind: row.get(2)?,
        by_node: row.get(3)?,
        created: row.get(4)?,
        json: row.get(5)?,
    })
}

impl Store {
    /// Records an alliance event in one transaction; `false` (nothing written) when the
    /// history with a note's partner moved since it was checked, as for
    /// [`Store::record_notes`].
    pub fn record_alliance(&self, change: &AllianceChange, now_micros: i64) -> Result<bool, StoreError> {
        self.pool.write(|transaction| {
            for note in &change.notes {
                if !history_unchanged(transaction, note)? {
                    return Ok(false);
                }
            }
            if let Some(charter) = &change.charter {
                insert_charter(transaction, charter, now_micros)?;
            }
            for act in &change.acts {
                insert_act(transaction, act, now_micros)?;
            }
            for (hash, node) in &change.holders {
                transaction.execute(
                    "INSERT INTO alliance_act_holders (hash, node_id) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
                    (hash, node),
                )?;
            }
            for note in &change.notes {
                write_change(transaction, note, now_micros)?;
            }
            Ok(true)
        })
    }

    /// Every charter this node holds, in the order they were recorded.
    pub fn alliance_charters(&self) -> Result<Vec<CharterRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT alliance_id, hash, json FROM alliance_charters ORDER BY recorded_at, alliance_id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(CharterRecord { alliance_id: row.get(0)?, hash: row.get(1)?, json: row.get(2)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn alliance_charter(&self, alliance_id: &str) -> Result<Option<CharterRecord>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT alliance_id, hash, json FROM alliance_charters WHERE alliance_id = ?1")?
                .query_row([alliance_id], |row| {
                    Ok(CharterRecord { alliance_id: row.get(0)?, hash: row.get(1)?, json: row.get(2)? })
                })
                .optional()?)
        })
    }

    /// Every act held for an alliance, in the order they were recorded.
    pub fn alliance_acts(&self, alliance_id: &str) -> Result<Vec<ActRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT hash, alliance_id, kind, by_node, created, json FROM alliance_acts
                 WHERE alliance_id = ?1 ORDER BY recorded_at, rowid",
            )?;
            let rows = statement.query_map([alliance_id], act_from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Whether the act `hash` is held.
    pub fn holds_alliance_act(&self, hash: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM alliance_acts WHERE hash = ?1)")?
                .query_row([hash], |row| row.get(0))?)
        })
    }

    /// (act hash, node id) for every act of the alliance and every node known to hold it.
    pub fn alliance_act_holders(&self, alliance_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT holders.hash, holders.node_id FROM alliance_act_holders AS holders
                 JOIN alliance_acts AS acts ON acts.hash = holders.hash WHERE acts.alliance_id = ?1",
            )?;
            let rows = statement.query_map([alliance_id], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}
