//! Correlation across sources: the inverted index from observable values to object
//! versions, kept in the transaction that stores each version, and the lookups that
//! answer "who else knows this?".
//!
//! Invariants:
//! - a stored version and its index rows commit together ([`index_object`] is called
//!   by `add_one`, which every insert path uses, local adds and received pages alike);
//!   removing a version removes its rows (a trigger of migration 0009), whatever path
//!   removed it;
//! - one posting per (value, version): storage grows with the values, not with the
//!   pairs of objects sharing one (MISP's pair table reached 60× the data);
//! - a value stops collecting postings at the cap (settings `correlation_cap`, default
//!   [`DEFAULT_CORRELATION_CAP`]) and is marked over-correlated: answers say so
//!   instead of listing it.
//!
//! What it deliberately does not do: decide who may see what. It lists every holder;
//! the server keeps what the caller's role may read, or what the release decision
//! allows for a partner's envoy.

use crate::{Store, StoreError};
use entente_core::correlate::observable::reverse_labels;
use entente_core::correlate::{CARRIER_TYPES, Kind, Observable, extract_json};
use entente_core::stix::StixObject;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Transaction};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// A value held by more object versions than this stops correlating.
pub const DEFAULT_CORRELATION_CAP: i64 = 1000;
const CAP_KEY: &str = "correlation_cap";
/// At most this many values inside a queried network or under a queried domain.
const NEARBY_LIMIT: i64 = 100;

/// How a listed value relates to the value asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    Same,
    /// A parent domain of the queried domain.
    ParentDomain,
    Subdomain,
    /// An IPv4 network holding the queried address or network.
    ContainingNetwork,
    /// An address or smaller network inside the queried network.
    Contained,
}

impl Link {
    pub fn name(self) -> &'static str {
        match self {
            Link::Same => "same",
            Link::ParentDomain => "parent-domain",
            Link::Subdomain => "subdomain",
            Link::ContainingNetwork => "containing-network",
            Link::Contained => "contained",
        }
    }
}

/// One object version (its newest) holding a correlated value.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CorrelatedObject {
    pub collection_id: String,
    pub object_type: String,
    /// `id`, `version`, `spec_version`, `json`, `content_hash` filled: ready for the
    /// release decision.
    pub row: crate::ObjectRow,
    /// The node that made it (from its seal); `None` for objects never sealed.
    pub originator: Option<String>,
    /// The partner this node received it from; `None` when it was added here.
    pub received_from: Option<String>,
}

/// A value sharing the queried one (or a parent, child or containing network).
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelatedValue {
    pub observable: Observable,
    pub link: Link,
    /// The value reached the cap: its holders are not listed.
    pub over_correlated: bool,
    /// Versions indexed under the value (the cap once over-correlated).
    pub indexed: i64,
    pub objects: Vec<CorrelatedObject>,
}

/// Hash algorithms stored as a byte and the raw digest (half the hex text).
const BINARY_HASHES: [(u8, &str); 6] =
    [(1, "md5"), (2, "sha1"), (3, "sha256"), (4, "sha512"), (5, "sha3-256"), (6, "sha3-512")];

/// The compact form kept in `correlation_values.value` (see migration 0009).
fn stored_value(observable: &Observable) -> Value {
    let text = observable.value();
    match observable.kind() {
        Kind::Ipv4 => Value::Integer(text.split_once('/').and_then(|(_, prefix)| prefix.parse().ok()).unwrap_or(32)),
        Kind::Domain => Value::Text(reverse_labels(text)),
        Kind::FileHash | Kind::CertificateHash => {
            let binary = text.split_once(':').and_then(|(algorithm, digest)| {
                let (code, _) = BINARY_HASHES.iter().find(|(_, name)| *name == algorithm)?;
                let mut bytes = vec![*code];
                bytes.extend(hex::decode(digest).ok()?);
                Some(bytes)
            });
            binary.map_or_else(|| Value::Text(text.to_owned()), Value::Blob)
        }
        _ => Value::Text(text.to_owned()),
    }
}

/// The observable back from its compact form.
fn observable_from(kind: i64, value: Value, low: Option<i64>) -> Option<Observable> {
    let kind = Kind::from_code(kind)?;
    let text = match (kind, value) {
        (Kind::Ipv4, Value::Integer(prefix)) => format!("{}/{prefix}", Ipv4Addr::from(u32::try_from(low?).ok()?)),
        (Kind::Domain, Value::Text(reversed)) => reverse_labels(&reversed),
        (_, Value::Blob(bytes)) => {
            let (code, digest) = bytes.split_first()?;
            let (_, name) = BINARY_HASHES.iter().find(|(known, _)| known == code)?;
            format!("{name}:{}", hex::encode(digest))
        }
        (_, Value::Text(text)) => text,
        _ => return None,
    };
    Observable::parse(kind, &text)
}

/// Registers `correlation_keys(json)`, the keys of the observables in an object's JSON
/// as a JSON array: the delete trigger of migration 0009 calls it, so every connection
/// that may delete objects needs it.
pub(crate) fn register(connection: &Connection) -> Result<(), rusqlite::Error> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    connection.create_scalar_function("correlation_keys", 1, flags, |context| {
        let json: Option<String> = context.get(0)?;
        let keys: Vec<String> =
            extract_json(json.as_deref().unwrap_or("")).iter().map(|found| found.key().to_string()).collect();
        Ok(format!("[{}]", keys.join(",")))
    })
}

/// Indexes the version just inserted as `seq` (called by `add_one`).
pub(crate) fn index_object(transaction: &Transaction<'_>, seq: i64, object: &StixObject) -> Result<(), StoreError> {
    // Types that cannot carry a value are not even parsed.
    if !CARRIER_TYPES.contains(&object.object_type()) {
        return Ok(());
    }
    let cap = cap(transaction)?;
    // A cap of 0 turns correlation off: nothing is extracted or written.
    if cap == 0 {
        return Ok(());
    }
    let observables = extract_json(object.json());
    index_observables(transaction, seq, &observables, cap)
}

/// Indexes the objects stored before the index existed, once, when the store opens
/// (migration 0009 leaves a mark in `settings` that this removes), so an upgraded node
/// answers "who else knows this?" for what it already held.
pub(crate) fn backfill(transaction: &Transaction<'_>) -> Result<(), StoreError> {
    let pending: Option<String> = transaction
        .query_row("SELECT value FROM settings WHERE key = 'correlation_backfill'", [], |row| row.get(0))
        .optional()?;
    if pending.is_none() {
        return Ok(());
    }
    let cap = cap(transaction)?;
    if cap > 0 {
        let types = CARRIER_TYPES.iter().map(|kind| format!("'{kind}'")).collect::<Vec<_>>().join(",");
        let mut statement = transaction.prepare(&format!("SELECT seq, json FROM objects WHERE type IN ({types})"))?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let json = row.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
            index_observables(transaction, row.get(0)?, &extract_json(json), cap)?;
        }
    }
    transaction.execute("DELETE FROM settings WHERE key = 'correlation_backfill'", [])?;
    Ok(())
}

fn cap(transaction: &Transaction<'_>) -> Result<i64, StoreError> {
    let text: Option<String> = transaction
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([CAP_KEY], |row| row.get(0))
        .optional()?;
    Ok(text.and_then(|text| text.parse().ok()).unwrap_or(DEFAULT_CORRELATION_CAP))
}

fn index_observables(
    transaction: &Transaction<'_>,
    seq: i64,
    observables: &[Observable],
    cap: i64,
) -> Result<(), StoreError> {
    for observable in observables {
        let key = observable.key();
        let stored = stored_value(observable);
        let low = observable.range().map(|(start, _)| i64::from(start));
        // The common path is two statements: add the value or count one more holder
        // (unless it is capped, at the cap, or another value holds its 64-bit key),
        // then the posting.
        let counted: Option<i64> = transaction
            .prepare_cached(
                "INSERT INTO correlation_values (id, kind, value, objects, low) VALUES (?1, ?2, ?3, 1, ?4)
                 ON CONFLICT(id) DO UPDATE SET objects = objects + 1
                 WHERE value = excluded.value AND capped = 0 AND objects < ?5
                 RETURNING objects",
            )?
            .query_row((key, observable.kind().code(), &stored, low, cap), |row| row.get(0))
            .optional()?;
        if counted.is_none() {
            // At the cap: the value is over-correlated from now on. (A collision, where
            // the text differs, leaves the newcomer uncorrelated and changes nothing.)
            transaction
                .prepare_cached("UPDATE correlation_values SET capped = 1 WHERE id = ?1 AND value = ?2 AND capped = 0")?
                .execute((key, &stored))?;
            continue;
        }
        let added = transaction
            .prepare_cached("INSERT OR IGNORE INTO correlation_postings (value_id, seq) VALUES (?1, ?2)")?
            .execute((key, seq))?;
        if added == 0 {
            // Indexed before (a reindex): the holder was already counted.
            transaction
                .prepare_cached("UPDATE correlation_values SET objects = objects - 1 WHERE id = ?1")?
                .execute([key])?;
        }
    }
    Ok(())
}

impl Store {
    /// Sets how many object versions a value may correlate before it is marked
    /// over-correlated (applies to values indexed from now on); 0 stops indexing
    /// objects stored from now on (`reindex_correlations` catches up later).
    pub fn set_correlation_cap(&self, cap: i64) -> Result<(), StoreError> {
        if cap < 0 {
            return Err(StoreError::Invalid("the correlation cap cannot be negative (0 turns correlation off)".into()));
        }
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (CAP_KEY, cap.to_string()),
            )?;
            Ok(())
        })
    }

    /// Indexes observables for object versions already stored, in one transaction:
    /// `(seq, values)` pairs. For rebuilding the index and for the benchmark, which
    /// measures the index alone.
    pub fn index_correlations(&self, batch: &[(i64, Vec<Observable>)]) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let cap = cap(transaction)?;
            if cap == 0 {
                return Ok(());
            }
            batch.iter().try_for_each(|(seq, observables)| index_observables(transaction, *seq, observables, cap))
        })
    }

    /// Indexes every stored version that can carry a value (a database made before
    /// correlation existed); returns how many versions were read. Idempotent: a
    /// posting already there is not added twice nor counted twice.
    pub fn reindex_correlations(&self) -> Result<usize, StoreError> {
        let mut after = 0i64;
        let mut read = 0;
        loop {
            let rows: Vec<(i64, String)> = self.pool.read(|transaction| {
                let mut statement = transaction.prepare_cached(
                    "SELECT seq, json FROM objects WHERE seq > ?1 AND type IN
                     ('indicator','ipv4-addr','ipv6-addr','domain-name','url','email-addr','file','x509-certificate')
                     ORDER BY seq LIMIT 1000",
                )?;
                let rows = statement.query_map([after], |row| Ok((row.get(0)?, row.get(1)?)))?;
                Ok(rows.collect::<Result<Vec<_>, _>>()?)
            })?;
            let Some((last, _)) = rows.last() else { return Ok(read) };
            after = *last;
            read += rows.len();
            let batch: Vec<(i64, Vec<Observable>)> =
                rows.iter().map(|(seq, json)| (*seq, extract_json(json))).collect();
            self.index_correlations(&batch)?;
        }
    }

    /// The values of the newest versions of an object, in any collection (read again
    /// from their JSON: the index has no entry by object, see migration 0009).
    pub fn correlation_values_of(&self, stix_id: &str) -> Result<Vec<Observable>, StoreError> {
        let texts: Vec<String> = self.pool.read(|transaction| {
            let mut statement =
                transaction.prepare_cached("SELECT json FROM objects WHERE stix_id = ?1 AND is_last = 1")?;
            let rows = statement.query_map([stix_id], |row| row.get(0))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })?;
        let found: BTreeSet<Observable> = texts.iter().flat_map(|json| extract_json(json)).collect();
        Ok(found.into_iter().collect())
    }

    /// Every value related to `observable` (the same value, parent domains and
    /// subdomains, containing and contained IPv4 networks) with the newest versions
    /// holding it, leaving out the object `exclude`. Values nobody else holds are left out.
    pub fn correlate(
        &self,
        observable: &Observable,
        exclude: Option<&str>,
    ) -> Result<Vec<CorrelatedValue>, StoreError> {
        self.pool.read(|transaction| {
            let mut related: Vec<(Observable, Link)> = vec![(observable.clone(), Link::Same)];
            related.extend(observable.parent_domains().into_iter().map(|parent| (parent, Link::ParentDomain)));
            related
                .extend(observable.containing_networks().into_iter().map(|network| (network, Link::ContainingNetwork)));
            related.extend(nearby(transaction, observable)?);
            let mut answers = Vec::new();
            for (candidate, link) in related {
                if let Some(answer) = holders(transaction, candidate, link, exclude)? {
                    answers.push(answer);
                }
            }
            Ok(answers)
        })
    }
}

/// Subdomains of a domain, addresses and networks inside an IPv4 network: range scans.
fn nearby(transaction: &Transaction<'_>, observable: &Observable) -> Result<Vec<(Observable, Link)>, StoreError> {
    let (sql, low, high, link): (&str, rusqlite::types::Value, rusqlite::types::Value, Link) = if let Some(reversed) =
        observable.reversed_domain()
    {
        (
            "SELECT kind, value, low FROM correlation_values WHERE kind = 3 AND value > ?1 AND value < ?2 LIMIT ?3",
            format!("{reversed}.").into(),
            format!("{reversed}/").into(),
            Link::Subdomain,
        )
    } else if let Some((start, end)) = observable.range().filter(|(start, end)| start != end) {
        (
            "SELECT kind, value, low FROM correlation_values WHERE low IS NOT NULL AND low >= ?1 AND low <= ?2 LIMIT ?3",
            i64::from(start).into(),
            i64::from(end).into(),
            Link::Contained,
        )
    } else {
        return Ok(Vec::new());
    };
    let mut statement = transaction.prepare_cached(sql)?;
    let rows = statement.query_map((low, high, NEARBY_LIMIT + 1), |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
    let mut found = Vec::new();
    for row in rows {
        let (kind, value, low) = row?;
        let Some(inner) = observable_from(kind, value, low) else { continue };
        // A network starting inside the queried one may still reach past its end.
        let inside = match (inner.range(), observable.range()) {
            (Some((_, inner_end)), Some((_, end))) => inner_end <= end,
            _ => true,
        };
        if inside && inner != *observable {
            found.push((inner, link));
        }
    }
    found.truncate(NEARBY_LIMIT as usize);
    Ok(found)
}

fn holders(
    transaction: &Transaction<'_>,
    observable: Observable,
    link: Link,
    exclude: Option<&str>,
) -> Result<Option<CorrelatedValue>, StoreError> {
    let key = observable.key();
    let found: Option<(Value, i64, bool)> = transaction
        .prepare_cached("SELECT value, objects, capped FROM correlation_values WHERE id = ?1")?
        .query_row([key], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?;
    let Some((held, indexed, capped)) = found else { return Ok(None) };
    if held != stored_value(&observable) {
        return Ok(None);
    }
    if capped {
        return Ok(Some(CorrelatedValue { observable, link, over_correlated: true, indexed, objects: Vec::new() }));
    }
    let mut statement = transaction.prepare_cached(
        "SELECT o.collection_id, o.type, o.seq, o.date_added, o.json, o.stix_id, o.version, o.spec_version,
                o.content_hash, s.originator, s.received_from
         FROM correlation_postings p
         JOIN objects o ON o.seq = p.seq
         LEFT JOIN seals s ON s.stix_id = o.stix_id AND s.content_hash = o.content_hash
         WHERE p.value_id = ?1 AND o.is_last = 1 AND o.stix_id IS NOT ?2
         ORDER BY o.seq",
    )?;
    let rows = statement.query_map((key, exclude), |row| {
        Ok(CorrelatedObject {
            collection_id: row.get(0)?,
            object_type: row.get(1)?,
            // Columns 2 to 8 are the object version, in `read_full`'s order.
            row: crate::ObjectRow::read_full(row, 2)?,
            originator: row.get(9)?,
            received_from: row.get(10)?,
        })
    })?;
    let objects = rows.collect::<Result<Vec<_>, _>>()?;
    Ok((!objects.is_empty()).then_some(CorrelatedValue { observable, link, over_correlated: false, indexed, objects }))
}

impl Store {
    /// Distinct values, postings and over-correlated values held.
    pub fn correlation_summary(&self) -> Result<(i64, i64, i64), StoreError> {
        self.pool.read(|transaction| {
            Ok(transaction.query_row(
                "SELECT count(*), coalesce(sum(objects), 0), coalesce(sum(capped), 0) FROM correlation_values",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )?)
        })
    }

    /// Bytes on disk of each correlation table and index (SQLite's `dbstat`): what the
    /// benchmark reports against the size of the values indexed.
    pub fn correlation_storage(&self) -> Result<Vec<(String, i64)>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare(
                "SELECT name, sum(pgsize) FROM dbstat WHERE name LIKE 'correlation%' GROUP BY name ORDER BY name",
            )?;
            let rows = statement.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{observable_from, stored_value};
    use entente_core::correlate::{Kind, Observable};
    use proptest::prelude::*;

    proptest! {
        /// The compact form gives back the observable it was made from, for every kind.
        #[test]
        fn compact_forms_round_trip(
            address in any::<u32>(), prefix in 0u32..=32, digest in proptest::collection::vec(any::<u8>(), 32),
            labels in proptest::collection::vec("[a-z][a-z0-9-]{0,8}", 2..5), fuzzy in "[0-9A-Za-z:+/]{8,40}",
        ) {
            let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
            let cases = [
                (Kind::Ipv4, format!("{}/{prefix}", std::net::Ipv4Addr::from(address))),
                (Kind::Domain, labels.join(".")),
                (Kind::Url, format!("https://{}/x?y", labels.join("."))),
                (Kind::FileHash, format!("sha256:{hex}")),
                (Kind::CertificateHash, format!("md5:{}", &hex[..32])),
                (Kind::FileHash, format!("ssdeep:{fuzzy}")),
            ];
            for (kind, text) in cases {
                let observable = Observable::parse(kind, &text).expect("a valid value");
                let low = observable.range().map(|(start, _)| i64::from(start));
                let back = observable_from(kind.code(), stored_value(&observable), low);
                prop_assert_eq!(back.as_ref(), Some(&observable));
            }
        }
    }
}
