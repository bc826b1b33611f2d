//! Entente's storage: the only crate that knows SQL.
//!
//! One [`Store`] handle per process owns one writer connection and a small pool of
//! reader connections to an SQLite database in WAL mode, so readers never wait for
//! the writer. Every method is synchronous and short; async callers run them on a
//! blocking thread. Several processes (the server and a CLI import, say) may use the
//! same database at once: writes take SQLite's write lock for their whole
//! transaction.
//!
//! Migrations in `migrations/` are append-only and applied at open.

mod alliances;
mod changes;
mod collections;
mod correlation;
mod endings;
mod error;
mod federation;
mod ledger;
mod misp_feeds;
mod notes;
mod objects;
mod pool;
mod reference;
mod schema;
mod search;
mod settings;
mod status;
mod sync;
mod tokens;
mod tombstones;
mod users;
mod web;
// Issue 7: the web interface's Overview and Ledger pages.
mod web_overview;
// Issue 5: designations and their divergence.
mod designations;

pub use alliances::{ActRecord, AllianceChange, CharterRecord};
pub use collections::{ApiRoot, Collection, is_valid_api_root_name};
pub use correlation::{CorrelatedObject, CorrelatedValue, DEFAULT_CORRELATION_CAP, Link};
pub use designations::{DesignationImport, LinkRecord};
pub use endings::{SettledEnding, TreatyEnding};
pub use error::StoreError;
pub use federation::{KeyRecord, NoteChange, PartnerRecord, SignatureRecord, TreatyRecord};
pub use ledger::{LedgerCheck, LedgerQuery, LedgerRow, ledger_columns};
pub use notes::{Direction, NoteRecord, OutboxItem, backoff_micros};
pub use objects::{AddOutcome, ObjectRow, Page, PageInfo, StoredVersion};
pub use reference::{ReferenceCounts, WarningListRecord};
pub use search::{SearchHit, SearchScope};
pub use settings::NodeSettings;
pub use sync::{FeedRow, ReceivedObject, ReceivedPage, ReleaseRecord, SealRecord, SyncCursor};
pub use tokens::{Principal, TokenRecord};
pub use tombstones::TombstoneRecord;
pub use users::UserRecord;
pub use web::{NewWebSession, WebSession};
pub use web_overview::{DailyCount, LedgerWindow, OutboxHealth, RecentNote};

use pool::Pool;
use std::path::{Path, PathBuf};

/// A handle on one node's database. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    pool: Pool,
}

impl Store {
    /// Creates a new database at `path`; refuses if one exists there.
    pub fn create(path: &Path) -> Result<Store, StoreError> {
        if path.exists() {
            return Err(StoreError::AlreadyExists(format!("a database at {}", path.display())));
        }
        Store::open_inner(path, true)
    }

    /// Opens an existing database, applying any migrations it lacks.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NotFound(format!("a database at {}", path.display())));
        }
        Store::open_inner(path, false)
    }

    fn open_inner(path: &Path, create: bool) -> Result<Store, StoreError> {
        let pool = Pool::open(path, create)?;
        pool.write(|transaction| {
            schema::migrate(transaction)?;
            correlation::backfill(transaction)?;
            search::backfill(transaction)
        })?;
        Ok(Store { path: path.to_owned(), pool })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
