//! Object versions in collections: add, query with TAXII filters, delete.
//!
//! Invariants:
//! - every version of an object is kept, keyed by `(collection, id, version)`, where
//!   the version is `modified`, else `created`; objects with neither (most SCOs) are
//!   deduplicated by content and versioned by the time they were added;
//! - a version is never overwritten: re-adding identical content is "already
//!   present", different content under the same version is refused;
//! - `date_added` is strictly increasing across the whole store, even when the clock
//!   stalls or steps back, so `(date_added)` orders pages without ties;
//! - `is_first`/`is_last` mark each object's oldest and newest version, so the default
//!   TAXII view (`match[version]=last`) is one indexed range scan.

use crate::{Store, StoreError};
use entente_core::Timestamp;
use entente_core::stix::StixObject;
use entente_core::taxii::{Cursor, Filter, VersionSelector};
use rusqlite::types::Value;
use rusqlite::{Transaction, params_from_iter};
use sha2::{Digest, Sha256};

/// What happened to one object of an add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AddOutcome {
    Added { version: String, date_added_micros: i64 },
    AlreadyPresent { version: String },
    Conflict { version: String, reason: String },
}

/// One stored object version as a query returns it. A query returns either the JSON
/// (`with_json`) or the metadata (`id`, `version`, `spec_version`), never both; the
/// other fields are left empty.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectRow {
    pub sequence: i64,
    pub id: String,
    pub version: String,
    pub spec_version: String,
    pub date_added_micros: i64,
    pub json: String,
    /// Filled by [`Store::query_full`] only: the store's hash of `json`.
    pub content_hash: String,
}

impl ObjectRow {
    /// Reads an object version whole from seven columns, `first` on, in this order:
    /// `seq, date_added, json, stix_id, version, spec_version, content_hash`.
    pub(crate) fn read_full(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<ObjectRow> {
        Ok(ObjectRow {
            sequence: row.get(first)?,
            date_added_micros: row.get(first + 1)?,
            json: row.get(first + 2)?,
            id: row.get(first + 3)?,
            version: row.get(first + 4)?,
            spec_version: row.get(first + 5)?,
            content_hash: row.get(first + 6)?,
        })
    }
}

/// A page of results and where the next one starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<ObjectRow>,
    pub next: Option<Cursor>,
}

/// What [`Store::write_objects`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageInfo {
    pub count: usize,
    pub first_added_micros: Option<i64>,
    pub last_added_micros: Option<i64>,
    /// Where the next page starts, when there is one.
    pub next: Option<Cursor>,
}

/// One existing version of an object (internal bookkeeping during adds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub version_key: String,
    pub content_hash: String,
}

pub(crate) fn content_hash(json: &str) -> String {
    hex::encode(Sha256::digest(json.as_bytes()))
}

/// Hands out strictly increasing `date_added` values inside one write transaction.
pub(crate) struct Clock {
    last: i64,
}

impl Clock {
    pub(crate) fn start(transaction: &Transaction<'_>, now_micros: i64) -> Result<Clock, StoreError> {
        let stored: Option<i64> = transaction.query_row("SELECT max(date_added) FROM objects", [], |row| row.get(0))?;
        Ok(Clock { last: stored.unwrap_or(i64::MIN).max(now_micros - 1) })
    }

    fn tick(&mut self) -> i64 {
        self.last += 1;
        self.last
    }
}

impl Store {
    /// Adds objects to a collection in one transaction and reports each outcome in order.
    pub fn add_objects(
        &self,
        collection_id: &str,
        objects: &[StixObject],
        now_micros: i64,
    ) -> Result<Vec<AddOutcome>, StoreError> {
        self.pool.write(|transaction| {
            let mut clock = Clock::start(transaction, now_micros)?;
            objects.iter().map(|object| add_one(transaction, collection_id, object, &mut clock)).collect()
        })
    }

    /// Runs a TAXII query and returns one page, at most `page_size` rows.
    pub fn query_objects(
        &self,
        collection_id: &str,
        object_id: Option<&str>,
        filter: &Filter,
        page_size: u32,
        with_json: bool,
    ) -> Result<Page, StoreError> {
        let (sql, parameters) = build_query(collection_id, object_id, filter, page_size, with_json);
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            // Only the columns the caller needs are read: an envelope needs the JSON,
            // a manifest needs the metadata, and every skipped String is an allocation
            // saved per row on the hottest path of the server.
            let rows = statement.query_map(params_from_iter(parameters.iter()), |row| {
                let (sequence, date_added_micros) = (row.get(0)?, row.get(1)?);
                Ok(if with_json {
                    ObjectRow { sequence, date_added_micros, json: row.get(2)?, ..ObjectRow::default() }
                } else {
                    ObjectRow {
                        sequence,
                        date_added_micros,
                        id: row.get(2)?,
                        version: row.get(3)?,
                        spec_version: row.get(4)?,
                        ..ObjectRow::default()
                    }
                })
            })?;
            Ok(into_page(rows.collect::<Result<Vec<_>, _>>()?, page_size))
        })
    }

    /// Runs a TAXII query returning every column of each row (JSON, metadata and
    /// content hash): the path of reads that the release decision filters row by row.
    pub fn query_full(
        &self,
        collection_id: &str,
        object_id: Option<&str>,
        filter: &Filter,
        page_size: u32,
    ) -> Result<Page, StoreError> {
        let (sql, parameters) = build_query(collection_id, object_id, filter, page_size, true);
        let sql = sql.replacen(
            "SELECT seq, date_added, json",
            "SELECT seq, date_added, json, stix_id, version, spec_version, content_hash",
            1,
        );
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map(params_from_iter(parameters.iter()), |row| ObjectRow::read_full(row, 0))?;
            Ok(into_page(rows.collect::<Result<Vec<_>, _>>()?, page_size))
        })
    }

    /// Runs a TAXII query and appends the page's objects to `out` as JSON texts
    /// separated by commas, without an allocation per object: the hot path of TAXII
    /// `GET …/objects/`. Returns what the envelope and its headers need.
    pub fn write_objects(
        &self,
        collection_id: &str,
        object_id: Option<&str>,
        filter: &Filter,
        page_size: u32,
        out: &mut String,
    ) -> Result<PageInfo, StoreError> {
        let (sql, parameters) = build_query(collection_id, object_id, filter, page_size, true);
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let mut rows = statement.query(params_from_iter(parameters.iter()))?;
            let mut info = PageInfo::default();
            let mut last = None;
            while let Some(row) = rows.next()? {
                if info.count == page_size as usize {
                    info.next = last;
                    break;
                }
                let (sequence, date_added_micros): (i64, i64) = (row.get(0)?, row.get(1)?);
                if info.count > 0 {
                    out.push(',');
                }
                out.push_str(row.get_ref(2)?.as_str().map_err(rusqlite::Error::from)?);
                info.count += 1;
                info.first_added_micros.get_or_insert(date_added_micros);
                info.last_added_micros = Some(date_added_micros);
                last = Some(Cursor { date_added_micros, sequence });
            }
            Ok(info)
        })
    }

    /// Deletes the selected versions of one object; returns how many were removed.
    pub fn delete_object(&self, collection_id: &str, object_id: &str, filter: &Filter) -> Result<usize, StoreError> {
        let mut sql = String::from("DELETE FROM objects WHERE collection_id = ?1 AND stix_id = ?2");
        let mut parameters = vec![Value::from(collection_id.to_owned()), Value::from(object_id.to_owned())];
        push_version_and_spec(&mut sql, &mut parameters, filter);
        self.pool.write(|transaction| {
            let removed = transaction.execute(&sql, params_from_iter(parameters.iter()))?;
            if removed > 0 {
                refresh_first_last(transaction, collection_id, object_id)?;
            }
            Ok(removed)
        })
    }

    /// Counts stored versions in a collection (all of them when `collection_id` is `None`).
    pub fn count_objects(&self, collection_id: Option<&str>) -> Result<u64, StoreError> {
        self.pool.read(|transaction| {
            let count: i64 = transaction.query_row(
                "SELECT count(*) FROM objects WHERE ?1 IS NULL OR collection_id = ?1",
                [collection_id],
                |row| row.get(0),
            )?;
            Ok(count as u64)
        })
    }
}

/// A page of at most `page_size` rows from a query that read one more, to know
/// whether there is a next page.
fn into_page(mut rows: Vec<ObjectRow>, page_size: u32) -> Page {
    let more = rows.len() > page_size as usize;
    rows.truncate(page_size as usize);
    let next = if more {
        rows.last().map(|row| Cursor { date_added_micros: row.date_added_micros, sequence: row.sequence })
    } else {
        None
    };
    Page { rows, next }
}

pub(crate) fn add_one(
    transaction: &Transaction<'_>,
    collection_id: &str,
    object: &StixObject,
    clock: &mut Clock,
) -> Result<AddOutcome, StoreError> {
    let hash = content_hash(object.json());
    let existing = existing_versions(transaction, collection_id, object.id().as_str())?;
    let (version_key, version) = match object.version() {
        Some(version) => {
            let key = version.key();
            if let Some(found) = existing.iter().find(|stored| stored.version_key == key) {
                let shown = version.to_string();
                return Ok(if found.content_hash == hash {
                    AddOutcome::AlreadyPresent { version: shown }
                } else {
                    AddOutcome::Conflict {
                        version: shown,
                        reason: "a different object with the same id and modified time is already stored; \
                                 a new version needs a later `modified`"
                            .into(),
                    }
                });
            }
            (key, version.to_string())
        }
        None => {
            if existing.iter().any(|stored| stored.content_hash == hash) {
                let version = existing_unversioned(transaction, collection_id, object.id().as_str(), &hash)?;
                return Ok(AddOutcome::AlreadyPresent { version });
            }
            // Unversioned objects take the moment they were added as their version.
            let stamp = Timestamp::from_unix_micros(clock.last + 1);
            (stamp.key(), stamp.to_string())
        }
    };
    let date_added = clock.tick();
    let is_first = existing.iter().all(|stored| stored.version_key > version_key);
    let is_last = existing.iter().all(|stored| stored.version_key < version_key);
    // A brand-new object has no older rows whose flags need clearing.
    if is_first && !existing.is_empty() {
        transaction
            .prepare_cached(
                "UPDATE objects SET is_first = 0 WHERE collection_id = ?1 AND stix_id = ?2 AND is_first = 1",
            )?
            .execute((collection_id, object.id().as_str()))?;
    }
    if is_last && !existing.is_empty() {
        transaction
            .prepare_cached("UPDATE objects SET is_last = 0 WHERE collection_id = ?1 AND stix_id = ?2 AND is_last = 1")?
            .execute((collection_id, object.id().as_str()))?;
    }
    transaction
        .prepare_cached(
            "INSERT INTO objects (collection_id, stix_id, type, spec_version, version_key, version, date_added,
                                  is_first, is_last, content_hash, json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute((
            collection_id,
            object.id().as_str(),
            object.object_type(),
            object.spec_version(),
            &version_key,
            &version,
            date_added,
            is_first,
            is_last,
            &hash,
            object.json(),
        ))?;
    // Taken at once: each index below inserts rows of its own, which moves it.
    let sequence = transaction.last_insert_rowid();
    // The indexes are kept in the object's transaction, whatever path brought it
    // (import, TAXII, sync): search, correlation, and designations (newest version).
    crate::search::index(transaction, sequence, object.json())?;
    crate::correlation::index_object(transaction, sequence, object)?;
    if is_last {
        crate::designations::index_latest(transaction, collection_id, object)?;
    }
    Ok(AddOutcome::Added { version, date_added_micros: date_added })
}

fn existing_versions(
    transaction: &Transaction<'_>,
    collection_id: &str,
    stix_id: &str,
) -> Result<Vec<StoredVersion>, StoreError> {
    let mut statement = transaction
        .prepare_cached("SELECT version_key, content_hash FROM objects WHERE collection_id = ?1 AND stix_id = ?2")?;
    let rows = statement.query_map((collection_id, stix_id), |row| {
        Ok(StoredVersion { version_key: row.get(0)?, content_hash: row.get(1)? })
    })?;
    Ok(rows.collect::<Result<Vec<_>, _>>()?)
}

fn existing_unversioned(
    transaction: &Transaction<'_>,
    collection_id: &str,
    stix_id: &str,
    hash: &str,
) -> Result<String, StoreError> {
    Ok(transaction.query_row(
        "SELECT version FROM objects WHERE collection_id = ?1 AND stix_id = ?2 AND content_hash = ?3",
        (collection_id, stix_id, hash),
        |row| row.get(0),
    )?)
}

pub(crate) fn refresh_first_last(
    transaction: &Transaction<'_>,
    collection_id: &str,
    stix_id: &str,
) -> Result<(), StoreError> {
    transaction.execute(
        "UPDATE objects SET
            is_first = (version_key = (SELECT min(version_key) FROM objects WHERE collection_id = ?1 AND stix_id = ?2)),
            is_last  = (version_key = (SELECT max(version_key) FROM objects WHERE collection_id = ?1 AND stix_id = ?2))
         WHERE collection_id = ?1 AND stix_id = ?2",
        (collection_id, stix_id),
    )?;
    Ok(())
}

fn placeholders(count: usize) -> String {
    vec!["?"; count].join(",")
}

fn push_version_and_spec(sql: &mut String, parameters: &mut Vec<Value>, filter: &Filter) {
    push_versions(sql, parameters, &filter.versions);
    if !filter.spec_versions.is_empty() {
        sql.push_str(&format!(" AND spec_version IN ({})", placeholders(filter.spec_versions.len())));
        parameters.extend(filter.spec_versions.iter().cloned().map(Value::from));
    }
}

fn push_versions(sql: &mut String, parameters: &mut Vec<Value>, selector: &VersionSelector) {
    if selector.all {
        return;
    }
    let mut alternatives = Vec::new();
    if selector.last {
        alternatives.push("is_last = 1".to_owned());
    }
    if selector.first {
        alternatives.push("is_first = 1".to_owned());
    }
    if !selector.exact.is_empty() {
        alternatives.push(format!("version_key IN ({})", placeholders(selector.exact.len())));
        parameters.extend(selector.exact.iter().map(|stamp| Value::from(stamp.key())));
    }
    // `is_last = 1` alone is written bare so SQLite can use the partial index.
    sql.push_str(" AND ");
    if alternatives.len() == 1 {
        sql.push_str(&alternatives[0]);
    } else {
        sql.push('(');
        sql.push_str(&alternatives.join(" OR "));
        sql.push(')');
    }
}

fn build_query(
    collection_id: &str,
    object_id: Option<&str>,
    filter: &Filter,
    page_size: u32,
    with_json: bool,
) -> (String, Vec<Value>) {
    let columns = if with_json { "seq, date_added, json" } else { "seq, date_added, stix_id, version, spec_version" };
    // One object's versions come from its key index. Without statistics SQLite would
    // rather walk the collection in `date_added` order to skip sorting a few rows: a
    // scan of the whole collection (tens of ms at 100,000 objects) for one object.
    let table = if object_id.is_some() { "objects INDEXED BY objects_by_version" } else { "objects" };
    let mut sql = format!("SELECT {columns} FROM {table} WHERE collection_id = ?");
    let mut parameters = vec![Value::from(collection_id.to_owned())];
    if let Some(object_id) = object_id {
        sql.push_str(" AND stix_id = ?");
        parameters.push(Value::from(object_id.to_owned()));
    }
    if let Some(after) = filter.added_after {
        // `date_added` has microsecond resolution: anything in the same microsecond or
        // earlier is not "after".
        sql.push_str(" AND date_added > ?");
        parameters.push(Value::from(after.unix_nanos().div_euclid(1000) as i64));
    }
    if let Some(cursor) = filter.next {
        sql.push_str(" AND (date_added > ? OR (date_added = ? AND seq > ?))");
        parameters.extend([cursor.date_added_micros, cursor.date_added_micros, cursor.sequence].map(Value::from));
    }
    if !filter.ids.is_empty() {
        sql.push_str(&format!(" AND stix_id IN ({})", placeholders(filter.ids.len())));
        parameters.extend(filter.ids.iter().map(|id| Value::from(id.as_str().to_owned())));
    }
    if !filter.types.is_empty() {
        sql.push_str(&format!(" AND type IN ({})", placeholders(filter.types.len())));
        parameters.extend(filter.types.iter().cloned().map(Value::from));
    }
    push_version_and_spec(&mut sql, &mut parameters, filter);
    sql.push_str(" ORDER BY date_added, seq LIMIT ?");
    parameters.push(Value::from(i64::from(page_size) + 1));
    (sql, parameters)
}
