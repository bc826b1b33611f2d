//! The audit ledger's storage: entries are appended inside the transaction that makes
//! the event they record, so an event and its entry are written together or not at all.
//!
//! Invariant: the chain is extended only here, by reading the last entry in the same
//! write transaction: SQLite's single writer makes the sequence gap-free and the links
//! right whatever runs concurrently. Entries are never updated or deleted.

use crate::{Store, StoreError};
use entente_core::Timestamp;
use entente_core::ledger::{Entry, EntryHash, EntryKind};
use rusqlite::{OptionalExtension, Transaction};

/// A stored entry, as written: `entry` is the storage form of
/// [`Entry::to_value`], left unparsed so that a verifier sees exactly what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerRow {
    pub sequence: i64,
    pub entry: String,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerQuery {
    /// Only entries about this node (recipient, sender).
    pub counterpart: Option<String>,
    /// Only entries about this object, note or treaty (by its hash).
    pub subject: Option<String>,
    /// Only entries of these kinds (`release`, `receive`, `receipt`, `note-sent`…).
    pub kinds: Vec<String>,
    /// Only entries after this sequence.
    pub after: Option<i64>,
    pub limit: u32,
}

fn describe(kind: &EntryKind) -> (&'static str, String, String) {
    match kind {
        EntryKind::NoteSent { note, to, .. } => ("note-sent", note.as_str().to_owned(), to.to_string()),
        EntryKind::NoteReceived { note, from, .. } => ("note-received", note.as_str().to_owned(), from.to_string()),
        EntryKind::Release { object, recipient, .. } => ("release", object.to_string(), recipient.to_string()),
        EntryKind::Receipt(receipt) => ("receipt", receipt.object_hash.to_string(), receipt.recipient.to_string()),
        EntryKind::Receive { object, from, .. } => ("receive", object.to_string(), from.to_string()),
        EntryKind::Revoked { object, .. } => ("revoked", object.to_string(), String::new()),
        EntryKind::Recalled { object, from, .. } => ("recalled", object.to_string(), from.to_string()),
        EntryKind::Removed { object, from, .. } => ("removed", object.to_string(), from.to_string()),
        EntryKind::TreatyEnded { treaty, with, .. } => ("treaty-ended", treaty.to_string(), with.to_string()),
        EntryKind::Purged { treaty, from, .. } => ("purged", treaty.to_string(), from.to_string()),
    }
}

/// Appends entries at `now` (or the last entry's time, if the clock went back) and
/// returns the sequences of the first and last, or `None` when `kinds` is empty.
pub(crate) fn append(
    transaction: &Transaction<'_>,
    kinds: impl IntoIterator<Item = EntryKind>,
    now_micros: i64,
) -> Result<Option<(i64, i64)>, StoreError> {
    let last: Option<(i64, i64, String)> = transaction
        .prepare_cached("SELECT sequence, at, hash FROM ledger ORDER BY sequence DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let (mut sequence, at, mut previous) = match last {
        Some((sequence, at, hash)) => {
            let previous = EntryHash::parse(&hash).map_err(|error| StoreError::Corrupt(format!("ledger: {error}")))?;
            (sequence + 1, at.max(now_micros), previous)
        }
        None => (0, now_micros, EntryHash::genesis()),
    };
    let at = Timestamp::from_unix_micros(at);
    let first = sequence;
    let mut insert = transaction.prepare_cached(
        "INSERT INTO ledger (sequence, at, kind, subject, counterpart, entry, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for kind in kinds {
        let (name, subject, counterpart) = describe(&kind);
        let entry = Entry::seal(sequence as u64, at, kind, previous);
        insert.execute((
            sequence,
            at.unix_micros(),
            name,
            subject,
            counterpart,
            entry.to_value().to_string(),
            entry.hash.as_str(),
        ))?;
        previous = entry.hash;
        sequence += 1;
    }
    Ok((sequence > first).then_some((first, sequence - 1)))
}

impl Store {
    /// Appends entries in a transaction of their own.
    pub fn append_ledger(&self, kinds: Vec<EntryKind>, now_micros: i64) -> Result<Option<(i64, i64)>, StoreError> {
        self.pool.write(|transaction| append(transaction, kinds, now_micros))
    }

    /// Every entry in sequence order, for verification. `visit` sees each row; the
    /// whole ledger is never held in memory at once.
    pub fn for_each_ledger_row(&self, mut visit: impl FnMut(LedgerRow) -> bool) -> Result<(), StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare("SELECT sequence, entry FROM ledger ORDER BY sequence")?;
            let mut rows = statement.query([])?;
            while let Some(row) = rows.next()? {
                if !visit(LedgerRow { sequence: row.get(0)?, entry: row.get(1)? }) {
                    break;
                }
            }
            Ok(())
        })
    }

    /// The entries a query selects, oldest first.
    pub fn ledger_rows(&self, query: &LedgerQuery) -> Result<Vec<LedgerRow>, StoreError> {
        let mut sql = String::from("SELECT sequence, entry FROM ledger WHERE sequence > ?1");
        let mut parameters: Vec<rusqlite::types::Value> = vec![query.after.unwrap_or(-1).into()];
        if let Some(counterpart) = &query.counterpart {
            parameters.push(counterpart.clone().into());
            sql.push_str(&format!(" AND counterpart = ?{}", parameters.len()));
        }
        if let Some(subject) = &query.subject {
            parameters.push(subject.clone().into());
            sql.push_str(&format!(" AND subject = ?{}", parameters.len()));
        }
        if !query.kinds.is_empty() {
            let start = parameters.len() + 1;
            parameters.extend(query.kinds.iter().cloned().map(rusqlite::types::Value::from));
            let marks: Vec<String> = (start..=parameters.len()).map(|index| format!("?{index}")).collect();
            sql.push_str(&format!(" AND kind IN ({})", marks.join(",")));
        }
        parameters.push(i64::from(query.limit.max(1)).into());
        sql.push_str(&format!(" ORDER BY sequence LIMIT ?{}", parameters.len()));
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(parameters.iter()), |row| {
                Ok(LedgerRow { sequence: row.get(0)?, entry: row.get(1)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// How many entries of `kind` name `counterpart`.
    pub fn ledger_count(&self, counterpart: &str, kind: &str) -> Result<u64, StoreError> {
        self.pool.read(|transaction| {
            let count: i64 = transaction
                .prepare_cached("SELECT count(*) FROM ledger WHERE counterpart = ?1 AND kind = ?2")?
                .query_row((counterpart, kind), |row| row.get(0))?;
            Ok(count as u64)
        })
    }

    /// The number of entries and the hash of the last one.
    pub fn ledger_head(&self) -> Result<(u64, Option<String>), StoreError> {
        self.pool.read(|transaction| {
            let count: i64 = transaction.query_row("SELECT count(*) FROM ledger", [], |row| row.get(0))?;
            let hash = transaction
                .query_row("SELECT hash FROM ledger ORDER BY sequence DESC LIMIT 1", [], |row| row.get(0))
                .optional()?;
            Ok((count as u64, hash))
        })
    }
}

/// The result of verifying the whole stored chain ([`Store::verify_ledger`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerCheck {
    /// Entries read (all of them when the chain verifies; up to the unreadable one otherwise).
    pub entries: u64,
    /// The head's hash when the chain verifies, or what is wrong with it.
    pub outcome: Result<String, String>,
}

impl Store {
    /// Reads every entry back and verifies the hash chain with
    /// [`entente_core::ledger::verify`]: what `entente audit verify` and the web
    /// interface's Ledger page report. Entries that cannot be parsed break the chain.
    pub fn verify_ledger(&self) -> Result<LedgerCheck, StoreError> {
        let mut entries = Vec::new();
        let mut unreadable = None;
        self.for_each_ledger_row(|row| {
            let parsed = serde_json::from_str(&row.entry)
                .map_err(|error| error.to_string())
                .and_then(|value| Entry::from_value(&value).map_err(|error| error.to_string()));
            match parsed {
                Ok(entry) => {
                    entries.push(entry);
                    true
                }
                Err(error) => {
                    unreadable = Some(format!("entry {} cannot be read: {error}", row.sequence));
                    false
                }
            }
        })?;
        let outcome = match unreadable {
            Some(problem) => Err(problem),
            None => entente_core::ledger::verify(&entries)
                .map(|verified| verified.head().to_string())
                .map_err(|error| error.to_string()),
        };
        Ok(LedgerCheck { entries: entries.len() as u64, outcome })
    }
}

/// The kind, subject and counterpart the store indexes an entry under: what a search
/// by kind, subject (`?object=`) or partner matches.
pub fn ledger_columns(kind: &EntryKind) -> (&'static str, String, String) {
    describe(kind)
}
