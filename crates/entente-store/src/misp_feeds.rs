//! What `entente intel feed pull` already took from each MISP feed: event uuid → the
//! manifest timestamp of the version imported, so that the next pull fetches only new
//! or changed events.
//!
//! Kept in the `settings` table under `misp-feed:<source>` (one small JSON map per
//! feed) rather than in a table of its own: it is read once per pull and written once
//! per event, and needs no query. Recorded after the event's objects are stored, so an
//! interrupted pull fetches the event again rather than missing it.

use crate::{Store, StoreError};
use rusqlite::OptionalExtension;
use std::collections::BTreeMap;

fn key(source: &str) -> String {
    format!("misp-feed:{source}")
}

impl Store {
    /// The events already pulled from this feed, with their manifest timestamps.
    pub fn misp_feed_pulled(&self, source: &str) -> Result<BTreeMap<String, i64>, StoreError> {
        let text: Option<String> = self.pool.read(|transaction| {
            Ok(transaction
                .query_row("SELECT value FROM settings WHERE key = ?1", [key(source)], |row| row.get(0))
                .optional()?)
        })?;
        match text {
            None => Ok(BTreeMap::new()),
            Some(text) => {
                serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(format!("MISP feed state: {error}")))
            }
        }
    }

    /// Records that this event, at this manifest timestamp, was imported from the feed.
    pub fn record_misp_feed_event(&self, source: &str, event_uuid: &str, timestamp: i64) -> Result<(), StoreError> {
        let mut pulled = self.misp_feed_pulled(source)?;
        pulled.insert(event_uuid.to_owned(), timestamp);
        let text = serde_json::to_string(&pulled).map_err(|error| StoreError::Invalid(error.to_string()))?;
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key(source), &text),
            )?;
            Ok(())
        })
    }
}
