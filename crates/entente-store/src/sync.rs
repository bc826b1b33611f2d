//! Sync bookkeeping: object seals and provenance, the feed read by partners, the
//! pages served and acknowledged, and storing a received page.
//!
//! Invariants:
//! - a received page is stored in one transaction with its objects, their seals, the
//!   ledger's `receive` entries and the partner's cursor: after a crash the cursor
//!   names exactly the last page stored, so nothing is lost or stored twice;
//! - nothing is stored from a partner whose treaty ending was carried out (`endings`);
//! - a release is recorded (seals made on the way, `release` entries, the page served)
//!   in one transaction before the page leaves.

use crate::ledger::append;
use crate::objects::{Clock, add_one, content_hash};
use crate::{AddOutcome, Collection, Store, StoreError};
use entente_core::Timestamp;
use entente_core::ledger::{ContentHash, EntryKind, Receipt};
use entente_core::stix::StixObject;
use entente_core::taxii::Cursor;
use entente_core::treaty::TreatyHash;
use rusqlite::OptionalExtension;

/// An object version's seal and where this node's copy came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealRecord {
    pub object_hash: String,
    pub originator: String,
    pub key_id: String,
    pub sealed: String,
    pub signature: String,
    /// `None` when this node originated the object.
    pub received_from: Option<String>,
    pub treaty: Option<String>,
    /// JSON list of `{treaty, resharing}`, every hop to this node included.
    pub hops: String,
}

/// One object version of the feed, in `date_added` order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedRow {
    pub cursor: Cursor,
    pub stix_id: String,
    pub version: String,
    /// The store's hash of `json`, which keys the seal.
    pub content_hash: String,
    pub json: String,
    pub seal: Option<SealRecord>,
    /// The recipient the feed is read for sent this version to us.
    pub echo: bool,
    /// The same version (id and content) is held earlier in another collection: the
    /// feed carries it once.
    pub duplicate: bool,
}

/// A release about to leave: what to record before the page is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseRecord {
    pub partner: String,
    pub manifest: String,
    /// Seals made for this page: `(stix_id, content_hash, seal)`.
    pub new_seals: Vec<(String, String, SealRecord)>,
    pub entries: Vec<EntryKind>,
}

/// How far this node has read a partner's feed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncCursor {
    pub cursor: Option<String>,
    /// The manifest of the last page stored: acknowledged with the next request.
    pub last_page: Option<String>,
    pub pages: i64,
    pub objects: i64,
    pub updated_micros: i64,
}

/// One received object version, checked and validated.
#[derive(Debug, Clone)]
pub struct ReceivedObject {
    pub object: StixObject,
    pub object_hash: ContentHash,
    pub seal: SealRecord,
}

/// A received page, ready to store.
#[derive(Debug, Clone)]
pub struct ReceivedPage {
    pub partner: String,
    pub collection: String,
    pub treaty: Option<TreatyHash>,
    pub objects: Vec<ReceivedObject>,
    pub cursor: Option<String>,
    /// The page's manifest, to acknowledge with the next request; `None` for a page
    /// with nothing in it, which needs no receipt.
    pub manifest: Option<String>,
}

const SEAL_COLUMNS: &str = "object_hash, originator, key_id, sealed, signature, received_from, treaty, hops";

fn seal_from(row: &rusqlite::Row<'_>, start: usize) -> Result<Option<SealRecord>, rusqlite::Error> {
    let object_hash: Option<String> = row.get(start)?;
    let Some(object_hash) = object_hash else { return Ok(None) };
    Ok(Some(SealRecord {
        object_hash,
        originator: row.get(start + 1)?,
        key_id: row.get(start + 2)?,
        sealed: row.get(start + 3)?,
        signature: row.get(start + 4)?,
        received_from: row.get(start + 5)?,
        treaty: row.get(start + 6)?,
        hops: row.get(start + 7)?,
    }))
}

/// The first six columns of a feed query (`seq, date_added, stix_id, version,
/// content_hash, json`), without seal.
fn feed_row(row: &rusqlite::Row<'_>) -> Result<FeedRow, rusqlite::Error> {
    Ok(FeedRow {
        cursor: Cursor { sequence: row.get(0)?, date_added_micros: row.get(1)? },
        stix_id: row.get(2)?,
        version: row.get(3)?,
        content_hash: row.get(4)?,
        json: row.get(5)?,
        seal: None,
        echo: false,
        duplicate: false,
    })
}

fn insert_seal(
    transaction: &rusqlite::Transaction<'_>,
    stix_id: &str,
    content_hash: &str,
    seal: &SealRecord,
) -> Result<(), StoreError> {
    transaction
        .prepare_cached(&format!(
            "INSERT OR IGNORE INTO seals (stix_id, content_hash, {SEAL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
        ))?
        .execute((
            stix_id,
            content_hash,
            &seal.object_hash,
            &seal.originator,
            &seal.key_id,
            &seal.sealed,
            &seal.signature,
            &seal.received_from,
            &seal.treaty,
            &seal.hops,
        ))?;
    Ok(())
}

impl Store {
    /// Up to `limit` object versions after `after`, across every collection, with
    /// their seals when they have one, as the feed for `recipient` reads them.
    pub fn feed_rows(&self, after: Option<Cursor>, limit: u32, recipient: &str) -> Result<Vec<FeedRow>, StoreError> {
        let (date, sequence) = after.map_or((i64::MIN, i64::MIN), |cursor| (cursor.date_added_micros, cursor.sequence));
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT o.seq, o.date_added, o.stix_id, o.version, o.content_hash, o.json,
                        s.object_hash, s.originator, s.key_id, s.sealed, s.signature, s.received_from, s.treaty, s.hops,
                        EXISTS(SELECT 1 FROM received_copies r
                               WHERE r.stix_id = o.stix_id AND r.content_hash = o.content_hash AND r.partner = ?4),
                        EXISTS(SELECT 1 FROM objects d
                               WHERE d.stix_id = o.stix_id AND d.content_hash = o.content_hash
                                 AND d.date_added < o.date_added)
                 FROM objects o LEFT JOIN seals s ON s.stix_id = o.stix_id AND s.content_hash = o.content_hash
                 WHERE o.date_added > ?1 OR (o.date_added = ?1 AND o.seq > ?2)
                 ORDER BY o.date_added, o.seq LIMIT ?3",
            )?;
            let rows = statement.query_map((date, sequence, i64::from(limit), recipient), |row| {
                Ok(FeedRow { seal: seal_from(row, 6)?, echo: row.get(14)?, duplicate: row.get(15)?, ..feed_row(row)? })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Up to `limit` object versions after `after` that have no seal yet (versions this
    /// node originated: received ones are stored with their seal).
    pub fn unsealed_rows(&self, after: Option<Cursor>, limit: u32) -> Result<Vec<FeedRow>, StoreError> {
        let (date, sequence) = after.map_or((i64::MIN, i64::MIN), |cursor| (cursor.date_added_micros, cursor.sequence));
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare_cached(
                "SELECT o.seq, o.date_added, o.stix_id, o.version, o.content_hash, o.json FROM objects o
                 WHERE (o.date_added > ?1 OR (o.date_added = ?1 AND o.seq > ?2))
                   AND NOT EXISTS (SELECT 1 FROM seals s WHERE s.stix_id = o.stix_id AND s.content_hash = o.content_hash)
                 ORDER BY o.date_added, o.seq LIMIT ?3",
            )?;
            let rows = statement.query_map((date, sequence, i64::from(limit)), feed_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// Stores seals this node made for versions it originated (a version that has one
    /// keeps it).
    pub fn store_seals(&self, seals: &[(String, String, SealRecord)]) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            for (stix_id, content_hash, seal) in seals {
                insert_seal(transaction, stix_id, content_hash, seal)?;
            }
            Ok(())
        })
    }

    /// The newest position of the feed: changes when anything is stored.
    pub fn feed_head(&self) -> Result<Option<i64>, StoreError> {
        self.pool
            .read(|transaction| Ok(transaction.query_row("SELECT max(date_added) FROM objects", [], |row| row.get(0))?))
    }

    /// The JSON of the newest version of every marking definition stored.
    pub fn marking_definitions(&self) -> Result<Vec<String>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction
                .prepare_cached("SELECT json FROM objects WHERE type = 'marking-definition' AND is_last = 1")?;
            let rows = statement.query_map([], |row| row.get(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }

    /// The seal and provenance of an object version, by its id and stored JSON hash.
    pub fn seal(&self, stix_id: &str, content_hash: &str) -> Result<Option<SealRecord>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .query_row(
                    &format!("SELECT {SEAL_COLUMNS} FROM seals WHERE stix_id = ?1 AND content_hash = ?2"),
                    (stix_id, content_hash),
                    |row| seal_from(row, 0),
                )
                .optional()?
                .flatten())
        })
    }

    /// Records a release before its page is sent: new seals, `release` entries, the page.
    pub fn record_release(&self, release: &ReleaseRecord, now_micros: i64) -> Result<(), StoreError> {
        if release.entries.is_empty() && release.new_seals.is_empty() {
            return Ok(());
        }
        self.pool.write(|transaction| {
            for (stix_id, content_hash, seal) in &release.new_seals {
                insert_seal(transaction, stix_id, content_hash, seal)?;
            }
            let range = append(transaction, release.entries.iter().cloned(), now_micros)?;
            transaction
                .prepare_cached(
                    "INSERT OR IGNORE INTO feed_pages (manifest, partner, first_entry, last_entry, served_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute((
                    &release.manifest,
                    &release.partner,
                    range.map(|(first, _)| first),
                    range.map(|(_, last)| last),
                    now_micros,
                ))?;
            Ok(())
        })
    }

    /// Records a partner's signed receipt for a page this node served it. `false` when
    /// no such page was served to that partner, or it was already acknowledged.
    pub fn record_receipt(&self, receipt: &Receipt, now_micros: i64) -> Result<bool, StoreError> {
        self.pool.write(|transaction| {
            let served: Option<Option<i64>> = transaction
                .query_row(
                    "SELECT receipt_entry FROM feed_pages WHERE manifest = ?1 AND partner = ?2",
                    (receipt.object_hash.as_str(), receipt.recipient.as_str()),
                    |row| row.get(0),
                )
                .optional()?;
            if served != Some(None) {
                return Ok(false);
            }
            let range = append(transaction, [EntryKind::Receipt(receipt.clone())], now_micros)?;
            transaction.execute(
                "UPDATE feed_pages SET receipt_entry = ?1 WHERE manifest = ?2",
                (range.map(|(first, _)| first), receipt.object_hash.as_str()),
            )?;
            Ok(true)
        })
    }

    /// Where this node stands in a partner's feed.
    pub fn sync_cursor(&self, partner: &str) -> Result<Option<SyncCursor>, StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction
                .query_row(
                    "SELECT cursor, last_page, pages, objects, updated_at FROM sync_cursors WHERE partner = ?1",
                    [partner],
                    |row| {
                        Ok(SyncCursor {
                            cursor: row.get(0)?,
                            last_page: row.get(1)?,
                            pages: row.get(2)?,
                            objects: row.get(3)?,
                            updated_micros: row.get(4)?,
                        })
                    },
                )
                .optional()?)
        })
    }

    /// Makes sure the collection that receives a partner's intelligence exists.
    pub fn ensure_collection(&self, spec: &Collection, now_micros: i64) -> Result<Collection, StoreError> {
        if let Some(found) = self.collection(None, &spec.id)? {
            return Ok(found);
        }
        match self.create_collection(spec, now_micros) {
            Err(StoreError::AlreadyExists(_)) => {
                self.collection(None, &spec.id)?.ok_or_else(|| StoreError::NotFound(spec.id.clone()))
            }
            other => other,
        }
    }

    /// Stores a received page: its objects with their seals, a `receive` entry for each
    /// version that was new, and the cursor, in one transaction.
    pub fn store_received(&self, page: &ReceivedPage, now_micros: i64) -> Result<Vec<AddOutcome>, StoreError> {
        self.pool.write(|transaction| {
            // An ended treaty was carried out (perhaps purged) already: a page checked
            // just before the end must not bring material back after the purge.
            if crate::endings::has_ended(transaction, &page.partner)? {
                return Err(StoreError::Invalid(format!(
                    "the treaty with {} has ended: nothing more is stored from it",
                    page.partner
                )));
            }
            let mut clock = Clock::start(transaction, now_micros)?;
            let mut outcomes = Vec::with_capacity(page.objects.len());
            let mut entries = Vec::new();
            for received in &page.objects {
                let id = received.object.id().as_str();
                let hash = content_hash(received.object.json());
                let held: Option<String> = transaction
                    .prepare_cached("SELECT version FROM objects WHERE stix_id = ?1 AND content_hash = ?2 LIMIT 1")?
                    .query_row((id, &hash), |row| row.get(0))
                    .optional()?;
                let outcome = match held {
                    // Already held, from another partner or another collection: one copy.
                    Some(version) => AddOutcome::AlreadyPresent { version },
                    // Its originator declared it gone: a late relay does not bring it back.
                    None if crate::tombstones::is_final(transaction, id)? => AddOutcome::Conflict {
                        version: String::new(),
                        reason: "its originator revoked it (tombstone)".into(),
                    },
                    None => add_one(transaction, &page.collection, &received.object, &mut clock)?,
                };
                if let AddOutcome::Added { version, .. } | AddOutcome::AlreadyPresent { version } = &outcome {
                    transaction
                        .prepare_cached(
                            "INSERT OR IGNORE INTO received_copies (stix_id, content_hash, partner, received_at)
                             VALUES (?1, ?2, ?3, ?4)",
                        )?
                        .execute((id, &hash, &page.partner, now_micros))?;
                    insert_seal(transaction, id, &hash, &received.seal)?;
                    // The agreement the version came under: its seal record says which.
                    let treaty = received
                        .seal
                        .treaty
                        .as_deref()
                        .and_then(|text| TreatyHash::parse(text).ok())
                        .or_else(|| page.treaty.clone());
                    if let (AddOutcome::Added { .. }, Some(treaty)) = (&outcome, treaty) {
                        let version =
                            Timestamp::parse(version).map_err(|error| StoreError::Invalid(error.to_string()))?;
                        let from = entente_core::StixId::parse(&page.partner)
                            .map_err(|error| StoreError::Invalid(error.to_string()))?;
                        entries.push(EntryKind::Receive {
                            object: received.object.id().clone(),
                            version,
                            object_hash: received.object_hash.clone(),
                            from,
                            treaty,
                        });
                    }
                }
                outcomes.push(outcome);
            }
            append(transaction, entries, now_micros)?;
            let added = outcomes.iter().filter(|outcome| matches!(outcome, AddOutcome::Added { .. })).count() as i64;
            transaction
                .prepare_cached(
                    "INSERT INTO sync_cursors (partner, cursor, last_page, pages, objects, updated_at)
                     VALUES (?1, ?2, ?3, 1, ?4, ?5)
                     ON CONFLICT(partner) DO UPDATE SET cursor = coalesce(excluded.cursor, cursor),
                        last_page = excluded.last_page, pages = pages + 1, objects = objects + excluded.objects,
                        updated_at = excluded.updated_at",
                )?
                .execute((&page.partner, &page.cursor, &page.manifest, added, now_micros))?;
            Ok(outcomes)
        })
    }
}
