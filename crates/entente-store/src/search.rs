//! Full-text and structured search over the objects the store holds.
//!
//! The index is the FTS5 table `search_text` (migration 0010): contentless, one row per
//! object version with `rowid = objects.seq`, written by [`index`] from `add_one` in
//! the transaction that stores the version (so it is never stale and never lost) and
//! emptied by a trigger when a version is deleted. Queries join back to `objects` and
//! keep the latest version of each object (`is_last`).
//!
//! What it deliberately does not do: decide who may see a result. The caller passes the
//! collections the caller may read; a partner's envoy is filtered afterwards by the
//! release `Gate` in the server, which asks for further batches as it needs them.

use crate::objects::ObjectRow;
use crate::{Store, StoreError};
use entente_core::search::{Document, Query};
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Transaction, params_from_iter};

/// Which collections a search may return objects from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    /// Only these collections (a local token: those its role may read).
    Collections(Vec<String>),
    /// Every collection (an envoy: the release decision filters afterwards).
    All,
}

/// One search result: the object version (every column of [`ObjectRow`] filled), where
/// it is, and its relevance (bm25, lower is better; 0 for an unranked search).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub row: ObjectRow,
    pub collection_id: String,
    pub object_type: String,
    pub score: f64,
}

/// Adds one stored object version to the index (called from `add_one`).
pub(crate) fn index(transaction: &Transaction<'_>, seq: i64, json: &str) -> Result<(), StoreError> {
    let document = Document::from_json(json);
    transaction
        .prepare_cached(
            "INSERT INTO search_text (rowid, name, description, aliases, labels, patterns, markings)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            seq,
            &document.name,
            &document.description,
            &document.aliases,
            &document.labels,
            &document.patterns,
            &document.markings,
        ))?;
    Ok(())
}

/// Indexes the objects stored before the index existed, once (migration 0010 leaves a
/// mark in `settings` that this removes).
pub(crate) fn backfill(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    let pending: Option<String> = transaction
        .query_row("SELECT value FROM settings WHERE key = 'search_backfill'", [], |row| row.get(0))
        .optional()?;
    if pending.is_none() {
        return Ok(());
    }
    let mut statement = transaction.prepare("SELECT seq, json FROM objects ORDER BY seq")?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        index(transaction, row.get(0)?, row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?)?;
    }
    transaction.execute("DELETE FROM settings WHERE key = 'search_backfill'", [])?;
    Ok(())
}

/// What [`SearchHit::read`] reads: the object version, its collection and type.
pub(crate) const COLUMNS: &str =
    "o.seq, o.date_added, o.json, o.stix_id, o.version, o.spec_version, o.content_hash, o.collection_id, o.type";

impl SearchHit {
    /// Reads [`COLUMNS`]: the object version in [`ObjectRow::read_full`]'s order first.
    pub(crate) fn read(row: &rusqlite::Row<'_>, score: f64) -> rusqlite::Result<SearchHit> {
        Ok(SearchHit {
            row: ObjectRow::read_full(row, 0)?,
            collection_id: row.get(7)?,
            object_type: row.get(8)?,
            score,
        })
    }
}

fn placeholders(count: usize) -> String {
    vec!["?"; count].join(",")
}

/// How many of the newest matching objects a ranked search ranks. Computing bm25 is
/// work per match, so a word found in every object would cost a scan of the whole
/// index; instead the ranking considers the `RANK_WINDOW` newest matches that pass the
/// filters (in index order, which stops early) and orders those by relevance. A query
/// that matches more than this is too broad to read anyway; more words or filters
/// narrow it.
pub const RANK_WINDOW: u32 = 2_000;

/// The SQL of one batch: `count` candidates from `offset` in the query's order.
fn build(query: &Query, scope: &SearchScope, offset: u64, count: u32) -> (String, Vec<Value>) {
    let mut parameters = Vec::new();
    let expression = query.match_expression();
    // CROSS JOIN keeps the index as the outer loop: driven from `objects`, SQLite would
    // run the whole MATCH once per object row.
    let mut sql = match (&expression, query.is_ranked()) {
        (Some(expression), true) => {
            parameters.push(Value::from(expression.clone()));
            "SELECT o.seq AS seq, search_text.rank AS score FROM search_text
             CROSS JOIN objects o ON o.seq = search_text.rowid WHERE search_text MATCH ? AND o.is_last = 1"
                .to_owned()
        }
        (Some(expression), false) => {
            parameters.push(Value::from(expression.clone()));
            format!(
                "SELECT {COLUMNS}, 0.0 FROM search_text CROSS JOIN objects o ON o.seq = search_text.rowid
                 WHERE search_text MATCH ? AND o.is_last = 1"
            )
        }
        // Newest first by walking the table backwards: it stops at the page. Without
        // statistics SQLite would read every latest version of the collections through
        // their date index and sort them (≈170 ms at 100,000 objects); the walk costs that
        // much only when almost nothing matches.
        (None, _) => format!("SELECT {COLUMNS}, 0.0 FROM objects o NOT INDEXED WHERE o.is_last = 1"),
    };
    if let SearchScope::Collections(collections) = scope {
        sql.push_str(&format!(" AND o.collection_id IN ({})", placeholders(collections.len())));
        parameters.extend(collections.iter().cloned().map(Value::from));
    }
    if !query.types.is_empty() {
        sql.push_str(&format!(" AND o.type IN ({})", placeholders(query.types.len())));
        parameters.extend(query.types.iter().cloned().map(Value::from));
    }
    if let Some(since) = query.since {
        sql.push_str(" AND o.version_key >= ?");
        parameters.push(Value::from(since.key()));
    }
    if let Some(until) = query.until {
        sql.push_str(" AND o.version_key <= ?");
        parameters.push(Value::from(until.key()));
    }
    push_sources(&mut sql, &mut parameters, &query.sources);
    match (&expression, query.is_ranked()) {
        (Some(_), true) => {
            sql = format!(
                "SELECT {COLUMNS}, w.score FROM ({sql} ORDER BY search_text.rowid DESC LIMIT {RANK_WINDOW}) w
                 CROSS JOIN objects o ON o.seq = w.seq ORDER BY w.score, w.seq"
            );
        }
        // Newest first; the index's own rowid order lets SQLite stop at the page.
        (Some(_), false) => sql.push_str(" ORDER BY search_text.rowid DESC"),
        (None, _) => sql.push_str(" ORDER BY o.seq DESC"),
    }
    sql.push_str(" LIMIT ? OFFSET ?");
    parameters.push(Value::from(i64::from(count)));
    parameters.push(Value::from(i64::try_from(offset).unwrap_or(i64::MAX)));
    (sql, parameters)
}

/// `source` filters: `local` is what no partner sent (no seal with `received_from`);
/// a node id matches the originator or the partner a version came from.
fn push_sources(sql: &mut String, parameters: &mut Vec<Value>, sources: &[String]) {
    if sources.is_empty() {
        return;
    }
    let nodes: Vec<&String> = sources.iter().filter(|source| source.as_str() != "local").collect();
    let mut alternatives = Vec::new();
    if sources.iter().any(|source| source == "local") {
        alternatives.push(
            "NOT EXISTS (SELECT 1 FROM seals se WHERE se.stix_id = o.stix_id AND se.content_hash = o.content_hash
                         AND se.received_from IS NOT NULL)"
                .to_owned(),
        );
    }
    if !nodes.is_empty() {
        let list = placeholders(nodes.len());
        alternatives.push(format!(
            "EXISTS (SELECT 1 FROM seals se WHERE se.stix_id = o.stix_id AND se.content_hash = o.content_hash
                     AND (se.originator IN ({list}) OR se.received_from IN ({list})))"
        ));
        for _ in 0..2 {
            parameters.extend(nodes.iter().map(|node| Value::from((*node).clone())));
        }
    }
    sql.push_str(&format!(" AND ({})", alternatives.join(" OR ")));
}

impl Store {
    /// One batch of search candidates: at most `count` hits starting `offset` hits into
    /// the query's order (relevance for free text, else newest first). Fewer than
    /// `count` means the results end here.
    pub fn search(
        &self,
        query: &Query,
        scope: &SearchScope,
        offset: u64,
        count: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        if matches!(scope, SearchScope::Collections(collections) if collections.is_empty()) {
            return Ok(Vec::new());
        }
        let (sql, parameters) = build(query, scope, offset, count);
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map(params_from_iter(parameters.iter()), |row| {
                let score = row.get(9)?;
                SearchHit::read(row, score)
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The size of the search index in bytes (its shadow tables), for the benchmark.
    pub fn search_index_bytes(&self) -> Result<u64, StoreError> {
        self.pool.read(|transaction| {
            let bytes: Option<i64> = transaction
                .query_row("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_text%'", [], |row| row.get(0))
                .optional()?
                .flatten();
            Ok(bytes.unwrap_or(0) as u64)
        })
    }
}
