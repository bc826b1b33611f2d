//! Correlation keys: the observable values an object carries, normalised so that the
//! same value written two ways is one key.
//!
//! An indicator's STIX pattern (its `=` and `IN` comparisons on value paths) and a
//! cyber-observable's own properties yield [`Observable`]s: IPv4 addresses and CIDR
//! networks (as an integer range, so containment is arithmetic), IPv6 addresses,
//! domain names, URLs, e-mail addresses, file hashes and certificate fingerprints.
//! The store indexes one row per (key, object) — an inverted index that grows with
//! the values, never with the pairs of objects sharing one — and answers "who else
//! knows this?" by looking the keys up again.
//!
//! The normalisation rules (each documented on its parser in [`observable`]) are
//! idempotent: normalising a normal form gives it back (property-tested).
//!
//! What it deliberately does not do: decide who may see a correlation (the store
//! lists, the server filters by the caller's collections and the release decision),
//! or evaluate patterns (`!=`, `LIKE`, `MATCHES` say nothing about one value).

mod extract;
pub mod observable;
#[cfg(test)]
mod tests;

pub use extract::{CARRIER_TYPES, MAX_OBSERVABLES_PER_OBJECT, extract, extract_json};
pub use observable::{Kind, Observable};
