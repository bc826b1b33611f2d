//! The designation index and analysts' links (issue 5).
//!
//! Every designation object stored as the newest version of its object, by any path
//! (this import, a TAXII POST, a partner's sync), updates the index from its own
//! JSON ([`index_latest`]), so partners' designations appear in the divergence view.
//! An import writes its STIX objects (through the same `add_one` as every other
//! import, so versions, `date_added` and the TAXII view behave alike) and the index
//! rows of the designations it touched, in one transaction: the index never says
//! what the objects do not.
//!
//! Invariants: index rows are upserted, never deleted (a delisting is a status);
//! links are stored with `a < b`, and the latest verdict on a pair wins.
//!
//! What it deliberately does not do: decide anything. Planning an import and grouping
//! records are pure functions of `entente_core::designation`.

use crate::objects::{AddOutcome, Clock, add_one};
use crate::{Store, StoreError};
use entente_core::designation::divergence::{Link, Verdict};
use entente_core::designation::stix::IndexRow;
use entente_core::designation::{Authority, EntityKind, Status};
use entente_core::stix::StixObject;
use rusqlite::{Row, Transaction, params, params_from_iter};

/// What one import stored.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DesignationImport {
    pub added: usize,
    pub already_present: usize,
    /// Objects refused by the store, each with its reason.
    pub conflicts: Vec<String>,
}

/// A stored link with who decided it and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub link: Link,
    pub decided_by: String,
    pub note: Option<String>,
    pub decided_at_micros: i64,
}

const COLUMNS: &str = "designation_id, entity_id, authority, authority_name, reference, kind, name, aliases, \
                       programmes, listed_on, status, delisted_on, created, modified, entity_hash, designation_hash";

fn corrupt(what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(StoreError::Corrupt(format!("designation index: {what}"))),
    )
}

fn strings(text: &str) -> Result<Vec<String>, rusqlite::Error> {
    serde_json::from_str(text).map_err(|_| corrupt("a list column is not a JSON array of strings"))
}

fn row_from(row: &Row<'_>) -> Result<IndexRow, rusqlite::Error> {
    let kind = match row.get_ref(5)?.as_str()? {
        "individual" => EntityKind::Individual,
        "organization" => EntityKind::Organization,
        "other" => EntityKind::Other,
        _ => return Err(corrupt("unknown entity kind")),
    };
    Ok(IndexRow {
        designation_id: row.get(0)?,
        entity_id: row.get(1)?,
        authority: Authority { key: row.get(2)?, name: row.get(3)? },
        reference: row.get(4)?,
        kind,
        name: row.get(6)?,
        aliases: strings(row.get_ref(7)?.as_str()?)?,
        programmes: strings(row.get_ref(8)?.as_str()?)?,
        listed_on: row.get(9)?,
        status: Status::parse(row.get_ref(10)?.as_str()?).ok_or_else(|| corrupt("unknown status"))?,
        delisted_on: row.get(11)?,
        created: row.get(12)?,
        modified: row.get(13)?,
        entity_hash: row.get(14)?,
        designation_hash: row.get(15)?,
    })
}

fn upsert(transaction: &Transaction<'_>, collection_id: &str, row: &IndexRow) -> Result<(), StoreError> {
    let mut statement = transaction.prepare_cached(&format!(
        "INSERT OR REPLACE INTO designations (collection_id, {COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
    ))?;
    let json = |list: &Vec<String>| serde_json::Value::from(list.clone()).to_string();
    statement.execute(params![
        collection_id,
        row.designation_id,
        row.entity_id,
        row.authority.key,
        row.authority.name,
        row.reference,
        row.kind.as_str(),
        row.name,
        json(&row.aliases),
        json(&row.programmes),
        row.listed_on,
        row.status.as_str(),
        row.delisted_on,
        row.created,
        row.modified,
        row.entity_hash,
        row.designation_hash,
    ])?;
    Ok(())
}

/// Called by `add_one` for the newest version of every object it adds.
pub(crate) fn index_latest(
    transaction: &Transaction<'_>,
    collection_id: &str,
    object: &StixObject,
) -> Result<(), StoreError> {
    if let Some(row) = entente_core::designation::stix::index_row(object) {
        upsert(transaction, collection_id, &row)?;
    }
    Ok(())
}

impl Store {
    /// Stores an import's objects and index rows in one transaction.
    pub fn import_designations(
        &self,
        collection_id: &str,
        objects: &[StixObject],
        rows: &[IndexRow],
        now_micros: i64,
    ) -> Result<DesignationImport, StoreError> {
        self.pool.write(|transaction| {
            let mut clock = Clock::start(transaction, now_micros)?;
            let mut outcome = DesignationImport::default();
            for object in objects {
                match add_one(transaction, collection_id, object, &mut clock)? {
                    AddOutcome::Added { .. } => outcome.added += 1,
                    AddOutcome::AlreadyPresent { .. } => outcome.already_present += 1,
                    AddOutcome::Conflict { reason, .. } => outcome.conflicts.push(format!("{}: {reason}", object.id())),
                }
            }
            for row in rows {
                upsert(transaction, collection_id, row)?;
            }
            Ok(outcome)
        })
    }

    /// The index rows of one authority in one collection: what a re-import compares with.
    pub fn authority_designations(&self, collection_id: &str, authority: &str) -> Result<Vec<IndexRow>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM designations WHERE collection_id = ?1 AND authority = ?2"
            ))?;
            let rows = statement.query_map(params![collection_id, authority], row_from)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Every designation held in the given collections, each once (its latest state
    /// when several collections hold it), ordered by authority and reference.
    pub fn designations_in(&self, collection_ids: &[String]) -> Result<Vec<IndexRow>, StoreError> {
        if collection_ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; collection_ids.len()].join(", ");
        // SQLite returns the bare columns of the row that holds max(modified). A row
        // whose object was deleted from its collection (TAXII DELETE, revocation) is
        // left out: the index never shows what the collection no longer holds.
        let sql = format!(
            "SELECT {COLUMNS}, max(modified) FROM designations d WHERE collection_id IN ({marks}) \
             AND EXISTS (SELECT 1 FROM objects o WHERE o.collection_id = d.collection_id \
                         AND o.stix_id = d.designation_id) \
             GROUP BY designation_id ORDER BY authority, reference"
        );
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare(&sql)?;
            let rows = statement.query_map(params_from_iter(collection_ids.iter()), row_from)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Whether any collection holds an entity record with this id in the index.
    pub fn designated_entity_exists(&self, entity_id: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            let found = transaction
                .prepare_cached("SELECT 1 FROM designations WHERE entity_id = ?1 LIMIT 1")?
                .exists(params![entity_id])?;
            Ok(found)
        })
    }

    /// Records an analyst's verdict on two entity records; replaces an earlier one.
    pub fn set_designation_link(
        &self,
        first: &str,
        second: &str,
        verdict: Verdict,
        decided_by: &str,
        note: Option<&str>,
        now_micros: i64,
    ) -> Result<(), StoreError> {
        if first == second {
            return Err(StoreError::Invalid("a link needs two different records".into()));
        }
        let (a, b) = if first < second { (first, second) } else { (second, first) };
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT OR REPLACE INTO designation_links (a, b, verdict, decided_by, note, decided_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![a, b, verdict.as_str(), decided_by, note, now_micros],
            )?;
            Ok(())
        })
    }

    /// Every link, oldest decision first.
    pub fn designation_links(&self) -> Result<Vec<LinkRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT a, b, verdict, decided_by, note, decided_at FROM designation_links ORDER BY decided_at, a, b",
            )?;
            let rows = statement.query_map([], |row| {
                let verdict =
                    Verdict::parse(row.get_ref(2)?.as_str()?).ok_or_else(|| corrupt("unknown link verdict"))?;
                Ok(LinkRecord {
                    link: Link { a: row.get(0)?, b: row.get(1)?, verdict },
                    decided_by: row.get(3)?,
                    note: row.get(4)?,
                    decided_at_micros: row.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}
