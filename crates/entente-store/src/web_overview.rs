//! Queries of the web interface's Overview and Ledger pages (issue 7): every one reads
//! an index and returns a bounded answer, so that the pages stay fast on a node with
//! a long ledger and many notes.

use crate::ledger::LedgerRow;
use crate::{Store, StoreError};

/// One page of the ledger, newest first: the filters of [`crate::LedgerQuery`], and
/// a window on the sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerWindow {
    pub counterpart: Option<String>,
    pub subject: Option<String>,
    pub kinds: Vec<String>,
    /// Only entries before this sequence (the next, older page).
    pub before: Option<i64>,
    /// Only entries after this sequence (the previous, newer page). Wins over `before`.
    pub after: Option<i64>,
    pub limit: u32,
}

/// How many entries of one kind were written on one UTC day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyCount {
    /// Days since 1970-01-01 (UTC).
    pub day: i64,
    pub kind: String,
    pub count: u64,
}

/// The delivery of notes to one partner: what waits in the outbox and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxHealth {
    pub partner: String,
    /// Notes not yet delivered.
    pub pending: u64,
    /// Failed attempts at the oldest undelivered note.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// When the last note to this partner was delivered.
    pub last_delivered_micros: Option<i64>,
}

/// A recent note, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentNote {
    pub id: String,
    /// `sent` or `received`.
    pub direction: String,
    pub partner: String,
    pub kind: String,
    pub created: String,
}

const MICROS_PER_DAY: i64 = 86_400_000_000;

impl Store {
    /// A page of the ledger, newest first. Paging is by sequence (keyset), never by
    /// offset, so the thousandth page costs what the first does.
    pub fn ledger_window(&self, window: &LedgerWindow) -> Result<Vec<LedgerRow>, StoreError> {
        let mut conditions = Vec::new();
        let mut parameters: Vec<rusqlite::types::Value> = Vec::new();
        let bind = |value: rusqlite::types::Value, parameters: &mut Vec<rusqlite::types::Value>| {
            parameters.push(value);
            format!("?{}", parameters.len())
        };
        if let Some(counterpart) = &window.counterpart {
            conditions.push(format!("counterpart = {}", bind(counterpart.clone().into(), &mut parameters)));
        }
        if let Some(subject) = &window.subject {
            conditions.push(format!("subject = {}", bind(subject.clone().into(), &mut parameters)));
        }
        if !window.kinds.is_empty() {
            let marks: Vec<String> =
                window.kinds.iter().map(|kind| bind(kind.clone().into(), &mut parameters)).collect();
            conditions.push(format!("kind IN ({})", marks.join(",")));
        }
        // By kind alone, the `(kind, at)` index is read in order: `at` never decreases
        // along `sequence`, so (at, sequence) is sequence order, and the window's
        // bound on the sequence becomes a bound on `at` that starts the index range.
        let by_kind = !window.kinds.is_empty() && window.counterpart.is_none() && window.subject.is_none();
        // Newer entries are read upwards from `after` and turned round.
        let ascending = window.after.is_some();
        let bound = window
            .after
            .map(|after| (after, ">", ">=", "ASC"))
            .or(window.before.map(|before| (before, "<", "<=", "DESC")));
        if let Some((sequence, strict, loose, nearest)) = bound {
            let mark = bind(sequence.into(), &mut parameters);
            conditions.push(format!("sequence {strict} {mark}"));
            if by_kind {
                // The time of the nearest entry on the wanted side bounds them all.
                conditions.push(format!(
                    "at {loose} (SELECT at FROM ledger WHERE sequence {strict} {mark} ORDER BY sequence {nearest} LIMIT 1)"
                ));
            }
        }
        let limit = bind(i64::from(window.limit.clamp(1, 1000)).into(), &mut parameters);
        let filter = if conditions.is_empty() { String::new() } else { format!(" WHERE {}", conditions.join(" AND ")) };
        let direction = if ascending { "ASC" } else { "DESC" };
        let order =
            if by_kind { format!("at {direction}, sequence {direction}") } else { format!("sequence {direction}") };
        let sql = format!("SELECT sequence, entry FROM ledger{filter} ORDER BY {order} LIMIT {limit}");
        let mut rows = self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(&sql)?;
            let rows = statement.query_map(rusqlite::params_from_iter(parameters.iter()), |row| {
                Ok(LedgerRow { sequence: row.get(0)?, entry: row.get(1)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        if ascending {
            rows.reverse();
        }
        Ok(rows)
    }

    /// Entries of `kinds` per UTC day since `since_micros`, from the `(kind, at)` index.
    pub fn ledger_daily(&self, kinds: &[&str], since_micros: i64) -> Result<Vec<DailyCount>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT at / ?3 AS day, count(*) FROM ledger WHERE kind = ?1 AND at >= ?2 GROUP BY day ORDER BY day",
            )?;
            let mut counts = Vec::new();
            for kind in kinds {
                let rows = statement.query_map((kind, since_micros, MICROS_PER_DAY), |row| {
                    Ok(DailyCount { day: row.get(0)?, kind: (*kind).to_owned(), count: row.get::<_, i64>(1)? as u64 })
                })?;
                counts.extend(rows.collect::<Result<Vec<_>, _>>()?);
            }
            Ok(counts)
        })
    }

    /// Note delivery per partner that was ever sent a note.
    pub fn outbox_health(&self) -> Result<Vec<OutboxHealth>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT partner,
                        sum(delivered_at IS NULL),
                        (SELECT o.attempts FROM outbox o WHERE o.partner = outbox.partner AND o.delivered_at IS NULL
                         ORDER BY o.seq LIMIT 1),
                        (SELECT o.last_error FROM outbox o WHERE o.partner = outbox.partner AND o.delivered_at IS NULL
                         ORDER BY o.seq LIMIT 1),
                        max(delivered_at)
                 FROM outbox GROUP BY partner ORDER BY partner",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(OutboxHealth {
                    partner: row.get(0)?,
                    pending: row.get::<_, i64>(1)? as u64,
                    attempts: row.get::<_, Option<i64>>(2)?.unwrap_or(0),
                    last_error: row.get(3)?,
                    last_delivered_micros: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The `limit` notes recorded last, sent or received, newest first (insertion order).
    pub fn recent_notes(&self, limit: u32) -> Result<Vec<RecentNote>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT id, direction, partner, kind, created FROM notes ORDER BY rowid DESC LIMIT ?1",
            )?;
            let rows = statement.query_map([limit], |row| {
                Ok(RecentNote {
                    id: row.get(0)?,
                    direction: row.get(1)?,
                    partner: row.get(2)?,
                    kind: row.get(3)?,
                    created: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

impl Store {
    /// What changes when designations or an analyst's links between them change: the
    /// Designations page reuses its grouping while this stays the same.
    pub fn designations_version(&self) -> Result<(i64, String, i64, i64), StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction.prepare_cached(
                "SELECT (SELECT count(*) FROM designations), (SELECT coalesce(max(modified), '') FROM designations),
                        (SELECT count(*) FROM designation_links), (SELECT coalesce(max(decided_at), 0) FROM designation_links)",
            )?
            .query_row([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)))?)
        })
    }
}
