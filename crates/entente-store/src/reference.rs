//! Reference knowledge: the ATT&CK catalogue, taxonomies, warning lists, the score
//! model, and the lookups that relate them to held objects (relationships from an
//! object, sightings of it).
//!
//! Taxonomies and warning lists are kept as the JSON they were loaded from and parsed
//! by `entente-core` when used, so the core's parser stays the only judge of the format.

use crate::{Store, StoreError};
use entente_core::reference::{AttackEntry, AttackId};
use rusqlite::OptionalExtension;
use serde::Serialize;

const SCORE_MODEL_KEY: &str = "score_model";

/// How much reference knowledge the node holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ReferenceCounts {
    pub attack_entries: u64,
    pub attack_techniques: u64,
    pub taxonomies: u64,
    pub warninglists: u64,
}

/// A stored warning list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningListRecord {
    pub name: String,
    pub kind: String,
    pub entries: u64,
    pub json: String,
}

/// A `reference_attack` row as read: stix_id, attack_id, kind, name, tactics, url, deprecated.
type EntryRow = (String, String, String, String, String, Option<String>, bool);

fn entry_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<EntryRow> {
    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?, row.get(4)?, row.get(5)?, row.get(6)?))
}

fn to_entry((stix_id, attack_id, kind, name, tactics, url, deprecated): EntryRow) -> Result<AttackEntry, StoreError> {
    let attack_id =
        AttackId::parse(&attack_id).ok_or_else(|| StoreError::Corrupt(format!("ATT&CK id {attack_id:?}")))?;
    let tactics = serde_json::from_str(&tactics).map_err(|error| StoreError::Corrupt(format!("tactics: {error}")))?;
    Ok(AttackEntry { attack_id, stix_id, kind, name, tactics, url, deprecated })
}

const ENTRY_COLUMNS: &str = "stix_id, attack_id, kind, name, tactics, url, deprecated";

impl Store {
    /// Loads ATT&CK catalogue entries in one transaction; an entry already held (same
    /// STIX id) is replaced, so loading a newer release updates names and tactics.
    pub fn load_attack(&self, entries: &[AttackEntry], source: &str, now_micros: i64) -> Result<u64, StoreError> {
        self.pool.write(|transaction| {
            let mut insert = transaction.prepare_cached(
                "INSERT OR REPLACE INTO reference_attack
                 (stix_id, attack_id, kind, name, tactics, url, deprecated, source, loaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            for entry in entries {
                let tactics =
                    serde_json::to_string(&entry.tactics).map_err(|error| StoreError::Invalid(error.to_string()))?;
                insert.execute(rusqlite::params![
                    entry.stix_id,
                    entry.attack_id.as_str(),
                    entry.kind,
                    entry.name,
                    tactics,
                    entry.url,
                    entry.deprecated,
                    source,
                    now_micros
                ])?;
            }
            Ok(entries.len() as u64)
        })
    }

    /// The catalogue entries with these ATT&CK ids (current entries before deprecated
    /// ones when an id occurs in several bundles).
    pub fn attack_by_ids(&self, ids: &[AttackId]) -> Result<Vec<AttackEntry>, StoreError> {
        self.attack_lookup("attack_id", ids.iter().map(AttackId::as_str))
    }

    /// The catalogue entries with these STIX ids.
    pub fn attack_by_stix_ids(&self, ids: &[String]) -> Result<Vec<AttackEntry>, StoreError> {
        self.attack_lookup("stix_id", ids.iter().map(String::as_str))
    }

    /// The ATT&CK tactics with these short names (`initial-access`).
    pub fn attack_tactics(&self, shortnames: &[String]) -> Result<Vec<AttackEntry>, StoreError> {
        let keys: Vec<String> = shortnames
            .iter()
            .map(|name| serde_json::to_string(&[name]).map_err(|error| StoreError::Invalid(error.to_string())))
            .collect::<Result<_, _>>()?;
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM reference_attack WHERE kind = 'x-mitre-tactic' AND tactics = ?1
             ORDER BY deprecated, loaded_at DESC"
        );
        let rows = self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let mut rows = Vec::new();
            for key in &keys {
                rows.extend(statement.query_map([key], entry_from_row)?.collect::<Result<Vec<_>, _>>()?);
            }
            Ok(rows)
        })?;
        rows.into_iter().map(to_entry).collect()
    }

    fn attack_lookup<'a>(
        &self,
        column: &str,
        keys: impl Iterator<Item = &'a str>,
    ) -> Result<Vec<AttackEntry>, StoreError> {
        let sql = format!(
            "SELECT {ENTRY_COLUMNS} FROM reference_attack WHERE {column} = ?1 ORDER BY deprecated, loaded_at DESC LIMIT 1"
        );
        let rows = self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let mut rows = Vec::new();
            for key in keys {
                rows.extend(statement.query_row([key], entry_from_row).optional()?);
            }
            Ok(rows)
        })?;
        rows.into_iter().map(to_entry).collect()
    }

    pub fn reference_counts(&self) -> Result<ReferenceCounts, StoreError> {
        self.pool.read(|transaction| {
            let count = |sql: &str| transaction.query_row(sql, [], |row| row.get::<_, i64>(0)).map(|n| n as u64);
            Ok(ReferenceCounts {
                attack_entries: count("SELECT COUNT(*) FROM reference_attack")?,
                attack_techniques: count(
                    "SELECT COUNT(DISTINCT attack_id) FROM reference_attack WHERE kind = 'attack-pattern'",
                )?,
                taxonomies: count("SELECT COUNT(*) FROM reference_taxonomies")?,
                warninglists: count("SELECT COUNT(*) FROM reference_warninglists")?,
            })
        })
    }

    /// A value that changes whenever taxonomies, warning lists or the score model
    /// change, so a process can keep them parsed and reload only when needed.
    pub fn reference_stamp(&self) -> Result<String, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction.query_row(
                "SELECT (SELECT COUNT(*) || ':' || IFNULL(MAX(loaded_at), 0) FROM reference_taxonomies) || '/' ||
                        (SELECT COUNT(*) || ':' || IFNULL(MAX(loaded_at), 0) FROM reference_warninglists) || '/' ||
                        IFNULL((SELECT value FROM settings WHERE key = ?1), '')",
                [SCORE_MODEL_KEY],
                |row| row.get(0),
            )?)
        })
    }

    /// Stores (or replaces) a taxonomy by namespace.
    pub fn put_taxonomy(&self, namespace: &str, json: &str, now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT OR REPLACE INTO reference_taxonomies (namespace, json, loaded_at) VALUES (?1, ?2, ?3)",
                (namespace, json, now_micros),
            )?;
            Ok(())
        })
    }

    /// Every taxonomy's JSON, by namespace.
    pub fn taxonomies(&self) -> Result<Vec<String>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement =
                transaction.prepare_cached("SELECT json FROM reference_taxonomies ORDER BY namespace")?;
            let rows = statement.query_map([], |row| row.get(0))?.collect::<Result<Vec<String>, _>>()?;
            Ok(rows)
        })
    }

    /// Stores (or replaces) warning lists by name, in one transaction.
    pub fn put_warninglists(&self, lists: &[WarningListRecord], now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let mut insert = transaction.prepare_cached(
                "INSERT OR REPLACE INTO reference_warninglists (name, kind, entries, json, loaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for list in lists {
                insert.execute(rusqlite::params![list.name, list.kind, list.entries as i64, list.json, now_micros])?;
            }
            Ok(())
        })
    }

    pub fn warninglists(&self) -> Result<Vec<WarningListRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction
                .prepare_cached("SELECT name, kind, entries, json FROM reference_warninglists ORDER BY name")?;
            let rows = statement
                .query_map([], |row| {
                    Ok(WarningListRecord {
                        name: row.get(0)?,
                        kind: row.get(1)?,
                        entries: row.get::<_, i64>(2)? as u64,
                        json: row.get(3)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// The latest version of every relationship whose `source_ref` is `stix_id`, in
    /// the given collections only (the ones the caller may read).
    pub fn relationships_from(&self, stix_id: &str, collections: &[String]) -> Result<Vec<String>, StoreError> {
        self.pointing_at("relationship", "$.source_ref", stix_id, collections)
    }

    /// The latest version of every sighting of `stix_id`, in the given collections.
    pub fn sightings_of(&self, stix_id: &str, collections: &[String]) -> Result<Vec<String>, StoreError> {
        self.pointing_at("sighting", "$.sighting_of_ref", stix_id, collections)
    }

    fn pointing_at(
        &self,
        kind: &str,
        path: &str,
        stix_id: &str,
        collections: &[String],
    ) -> Result<Vec<String>, StoreError> {
        // The expression and the type must be written as in the partial index for
        // SQLite to use it.
        let sql = format!(
            "SELECT collection_id, json FROM objects WHERE json_extract(json, '{path}') = ?1 AND type = '{kind}' AND is_last = 1"
        );
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement
                .query_map([stix_id], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows
                .into_iter()
                .filter(|(collection, _)| collections.contains(collection))
                .map(|(_, json)| json)
                .collect())
        })
    }

    /// Indicators whose latest version has a `valid_until` at or before `now_text`
    /// (compared as text, so the caller checks the time again) and that no other node
    /// originated (no seal by another originator): what this node may revoke on
    /// expiry. At most `limit`, oldest expiry first: `(stix_id, valid_until)`.
    pub fn expired_own_indicators(
        &self,
        now_text: &str,
        us: &str,
        limit: u32,
    ) -> Result<Vec<(String, String)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT o.stix_id, json_extract(o.json, '$.valid_until') FROM objects o
                 WHERE o.type = 'indicator' AND o.is_last = 1 AND json_extract(o.json, '$.valid_until') <= ?1
                   AND NOT EXISTS (SELECT 1 FROM seals s WHERE s.stix_id = o.stix_id AND s.originator != ?2)
                 ORDER BY json_extract(o.json, '$.valid_until') LIMIT ?3",
            )?;
            let rows = statement
                .query_map(rusqlite::params![now_text, us, limit], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// The node's score model as JSON, if one was set (`entente score model set`).
    pub fn score_model(&self) -> Result<Option<String>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .query_row("SELECT value FROM settings WHERE key = ?1", [SCORE_MODEL_KEY], |row| row.get(0))
                .optional()?)
        })
    }

    /// Sets the score model; the caller has checked it with `ScoreModel::parse`.
    pub fn set_score_model(&self, json: &str) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (SCORE_MODEL_KEY, json),
            )?;
            Ok(())
        })
    }
}
