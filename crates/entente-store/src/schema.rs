//! Append-only migrations, tracked with SQLite's `user_version`.

use crate::StoreError;
use rusqlite::Transaction;

const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_federation.sql"),
    include_str!("../migrations/0003_envoys.sql"),
    include_str!("../migrations/0004_node_keys.sql"),
    include_str!("../migrations/0005_sync.sql"),
    include_str!("../migrations/0006_alliances.sql"),
    include_str!("../migrations/0007_treaty_endings.sql"),
    include_str!("../migrations/0008_designations.sql"),
    include_str!("../migrations/0009_correlation.sql"),
    include_str!("../migrations/0010_search.sql"),
    include_str!("../migrations/0011_reference.sql"),
    include_str!("../migrations/0012_web.sql"),
    include_str!("../migrations/0013_web_ledger.sql"),
];

pub(crate) fn migrate(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    let current: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::SchemaTooNew { found: current, known });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        transaction.execute_batch(sql)?;
        transaction.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    Ok(())
}
