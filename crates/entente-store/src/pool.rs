//! Connections: one writer behind a mutex, readers taken from a small free list.
//!
//! Why not a pool crate: the needs are two functions long, and SQLite connections
//! are cheap to open when the list runs dry.

use crate::StoreError;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// How many idle reader connections are kept.
const IDLE_READERS: usize = 16;

/// Page cache of the writer connection, in KiB (negative: SQLite's unit for KiB).
const WRITER_CACHE_KIB: i64 = -64 * 1024;

#[derive(Debug)]
pub(crate) struct Pool {
    path: PathBuf,
    // Field order is drop order: readers close first, so the writer is the last
    // connection and can checkpoint and remove the WAL file on exit.
    readers: Mutex<Vec<Connection>>,
    writer: Mutex<Connection>,
}

fn configure(connection: &Connection) -> Result<(), rusqlite::Error> {
    connection.busy_timeout(Duration::from_secs(10))?;
    connection.pragma_update(None, "foreign_keys", "ON")?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.set_prepared_statement_cache_capacity(64);
    crate::correlation::register(connection)?;
    Ok(())
}

impl Pool {
    pub(crate) fn open(path: &Path, create: bool) -> Result<Pool, StoreError> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let writer = Connection::open_with_flags(path, flags)?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        configure(&writer)?;
        // Inserts land at random places of the id index; with SQLite's default 2 MB
        // page cache a large import spent its time re-reading index pages.
        writer.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
        // Checkpoint every ~16 MB of WAL rather than 4 MB: a page rewritten by several
        // transactions in between (index pages during a sync or an import) is copied
        // into the database once.
        writer.pragma_update(None, "wal_autocheckpoint", 4000)?;
        Ok(Pool { path: path.to_owned(), writer: Mutex::new(writer), readers: Mutex::new(Vec::new()) })
    }

    /// Runs `work` in an immediate (write-locking) transaction, committed on `Ok`.
    pub(crate) fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.writer.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Runs `work` on a reader connection inside one read transaction, so that
    /// multi-statement reads see one snapshot.
    pub(crate) fn read<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut connection = self.take_reader()?;
        let result = (|| {
            let transaction = connection.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let value = work(&transaction)?;
            transaction.finish()?;
            Ok(value)
        })();
        let mut idle = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if idle.len() < IDLE_READERS {
            idle.push(connection);
        }
        result
    }

    fn take_reader(&self) -> Result<Connection, StoreError> {
        let idle = self.readers.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        if let Some(connection) = idle {
            return Ok(connection);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let connection = Connection::open_with_flags(&self.path, flags)?;
        configure(&connection)?;
        Ok(connection)
    }
}
