//! The change feed behind the live stream: object versions added after a position.
//!
//! The position is `date_added`, strictly increasing across the store and assigned
//! inside the write transaction (writes are serialized), so a reader that has seen
//! position `p` will never later find a committed row at or below `p`: resuming
//! "after `p`" loses nothing and repeats nothing.

use crate::search::{COLUMNS, SearchHit};
use crate::{Store, StoreError};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

impl Store {
    /// Up to `count` object versions added after `after_micros` in these collections
    /// (optionally of these types), oldest first. Every version counts: a new version
    /// of an object is a change.
    pub fn changes_after(
        &self,
        after_micros: i64,
        collections: &[String],
        types: &[String],
        count: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        if collections.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = format!(
            "SELECT {COLUMNS} FROM objects o WHERE date_added > ? AND collection_id IN ({})",
            vec!["?"; collections.len()].join(",")
        );
        let mut parameters = vec![Value::from(after_micros)];
        parameters.extend(collections.iter().cloned().map(Value::from));
        if !types.is_empty() {
            sql.push_str(&format!(" AND type IN ({})", vec!["?"; types.len()].join(",")));
            parameters.extend(types.iter().cloned().map(Value::from));
        }
        sql.push_str(" ORDER BY date_added LIMIT ?");
        parameters.push(Value::from(i64::from(count)));
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map(params_from_iter(parameters.iter()), |row| SearchHit::read(row, 0.0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The newest position (`date_added`) in the store, 0 when it holds nothing: where
    /// a stream that asks for no history starts.
    pub fn latest_position(&self) -> Result<i64, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction.query_row("SELECT coalesce(max(date_added), 0) FROM objects", [], |row| row.get(0))?)
        })
    }
}
