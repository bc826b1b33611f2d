//! The diplomatic note history (kept forever, both directions) and the outbox.
//!
//! Invariants: a note id is recorded once; a note to send is recorded and queued in
//! the same transaction as the relation change it announces (see
//! [`Store::record_note`]); the outbox only ever moves forward (attempts grow,
//! delivery is stamped once).

use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, Transaction};
use serde::Serialize;

/// Which way a note travelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Sent,
    Received,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Sent => "sent",
            Direction::Received => "received",
        }
    }

    fn parse(text: &str) -> Result<Direction, StoreError> {
        match text {
            "sent" => Ok(Direction::Sent),
            "received" => Ok(Direction::Received),
            other => Err(StoreError::Corrupt(format!("note direction {other:?}"))),
        }
    }
}

/// A note as recorded: the indexed fields and the verbatim signed JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NoteRecord {
    pub id: String,
    pub direction: Direction,
    pub partner: String,
    pub kind: String,
    pub sender: String,
    pub recipient: String,
    pub created: String,
    pub in_reply_to: Option<String>,
    pub recorded_at: i64,
    pub json: String,
}

/// A note waiting for delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub seq: i64,
    pub note_id: String,
    pub partner: String,
    pub url: String,
    pub attempts: i64,
    pub json: String,
}

/// Retry delays grow from one second to one hour, so a partner that is down for a
/// day receives its notes within the hour after it comes back.
pub fn backoff_micros(attempts: i64) -> i64 {
    let seconds = 1i64 << attempts.clamp(0, 12);
    seconds.min(3600) * 1_000_000
}

pub(crate) fn insert_note(transaction: &Transaction<'_>, note: &NoteRecord) -> Result<(), StoreError> {
    let exists: bool =
        transaction.query_row("SELECT EXISTS(SELECT 1 FROM notes WHERE id = ?1)", [&note.id], |row| row.get(0))?;
    if exists {
        return Err(StoreError::AlreadyExists(format!("note {}", note.id)));
    }
    transaction.execute(
        "INSERT INTO notes (id, direction, partner, kind, sender, recipient, created, in_reply_to, recorded_at, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        (
            &note.id,
            note.direction.as_str(),
            &note.partner,
            &note.kind,
            &note.sender,
            &note.recipient,
            &note.created,
            &note.in_reply_to,
            note.recorded_at,
            &note.json,
        ),
    )?;
    Ok(())
}

pub(crate) fn enqueue(
    transaction: &Transaction<'_>,
    note_id: &str,
    partner: &str,
    url: &str,
    now_micros: i64,
) -> Result<(), StoreError> {
    transaction.execute(
        "INSERT INTO outbox (note_id, partner, url, next_attempt_at) VALUES (?1, ?2, ?3, ?4)",
        (note_id, partner, url, now_micros),
    )?;
    Ok(())
}

fn note_from_row(row: &rusqlite::Row<'_>) -> Result<(NoteRecord, String), rusqlite::Error> {
    let direction: String = row.get(1)?;
    Ok((
        NoteRecord {
            id: row.get(0)?,
            direction: Direction::Sent,
            partner: row.get(2)?,
            kind: row.get(3)?,
            sender: row.get(4)?,
            recipient: row.get(5)?,
            created: row.get(6)?,
            in_reply_to: row.get(7)?,
            recorded_at: row.get(8)?,
            json: row.get(9)?,
        },
        direction,
    ))
}

impl Store {
    /// Whether a note id was ever recorded (sent or received): the replay check and
    /// the "answers something we know" check both use it.
    pub fn knows_note(&self, id: &str) -> Result<bool, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM notes WHERE id = ?1)")?
                .query_row([id], |row| row.get(0))?)
        })
    }

    /// The whole note history with one partner, in the order it was recorded. Replay
    /// depends on that order, so it is the insertion order (`rowid`), not a clock
    /// reading that two notes may share or that may step back.
    pub fn notes_with(&self, partner: &str) -> Result<Vec<NoteRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT id, direction, partner, kind, sender, recipient, created, in_reply_to, recorded_at, json
                 FROM notes WHERE partner = ?1 ORDER BY rowid",
            )?;
            let rows = statement.query_map([partner], note_from_row)?;
            let mut notes = Vec::new();
            for row in rows {
                let (mut note, direction) = row?;
                note.direction = Direction::parse(&direction)?;
                notes.push(note);
            }
            Ok(notes)
        })
    }

    pub fn note(&self, id: &str) -> Result<Option<NoteRecord>, StoreError> {
        let found = self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached(
                    "SELECT id, direction, partner, kind, sender, recipient, created, in_reply_to, recorded_at, json
                     FROM notes WHERE id = ?1",
                )?
                .query_row([id], note_from_row)
                .optional()?)
        })?;
        found
            .map(|(mut note, direction)| {
                note.direction = Direction::parse(&direction)?;
                Ok(note)
            })
            .transpose()
    }

    /// Notes due for (re)delivery now: for each partner only its oldest undelivered
    /// note, and only once its retry time has come. Notes reach a partner in the order
    /// they were made, because each may answer the one before.
    pub fn due_outbox(&self, now_micros: i64, limit: u32) -> Result<Vec<OutboxItem>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT outbox.seq, outbox.note_id, outbox.partner, outbox.url, outbox.attempts, notes.json
                 FROM outbox JOIN notes ON notes.id = outbox.note_id
                 WHERE outbox.delivered_at IS NULL AND outbox.next_attempt_at <= ?1
                   AND outbox.seq = (SELECT min(older.seq) FROM outbox AS older
                                     WHERE older.partner = outbox.partner AND older.delivered_at IS NULL)
                 ORDER BY outbox.seq LIMIT ?2",
            )?;
            let rows = statement.query_map((now_micros, limit), |row| {
                Ok(OutboxItem {
                    seq: row.get(0)?,
                    note_id: row.get(1)?,
                    partner: row.get(2)?,
                    url: row.get(3)?,
                    attempts: row.get(4)?,
                    json: row.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    pub fn mark_delivered(&self, seq: i64, now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            transaction.execute(
                "UPDATE outbox SET delivered_at = ?2 WHERE seq = ?1 AND delivered_at IS NULL",
                (seq, now_micros),
            )?;
            Ok(())
        })
    }

    /// Records a failed attempt and schedules the next one with exponential backoff.
    pub fn mark_failed(&self, seq: i64, error: &str, now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let attempts: i64 = transaction.query_row("SELECT attempts FROM outbox WHERE seq = ?1", [seq], |row| row.get(0))?;
            transaction.execute(
                "UPDATE outbox SET attempts = ?2, next_attempt_at = ?3, last_error = ?4 WHERE seq = ?1 AND delivered_at IS NULL",
                (seq, attempts + 1, now_micros + backoff_micros(attempts), error),
            )?;
            Ok(())
        })
    }

    /// How many notes still wait for delivery, per partner.
    pub fn pending_outbox(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT partner, count(*) FROM outbox WHERE delivered_at IS NULL GROUP BY partner ORDER BY partner",
            )?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::backoff_micros;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_micros(0), 1_000_000);
        assert_eq!(backoff_micros(3), 8_000_000);
        assert_eq!(backoff_micros(40), 3_600_000_000);
    }
}
