//! The audit ledger: an append-only, hash-chained record of every note sent and
//! received, every release, every receipt and every object received.
//!
//! Each [`Entry`] names the hash of the entry before it (a fixed [`EntryHash::genesis`]
//! for entry 0), and its own hash is the SHA-256 of the RFC 8785 canonical JSON of the
//! entry without that hash. [`verify`] walks a chain and names the first sequence
//! where it breaks: a changed field, a removed or reordered entry, a changed genesis
//! or time running backwards. Two parties compare [`Ledger::head`] to detect a chain
//! cut at its tail, which no chain can detect on its own.
//!
//! Invariants: pure and in memory; `at` is passed in; a [`Verified`] can only be made
//! by [`verify`]. Deliberately not done here: persistence (the store keeps entries as
//! [`Entry::to_value`] and reads them back with [`Entry::from_value`]).

mod chain;
mod describe;
mod entry;
mod receipt;

pub use chain::{Ledger, LedgerError, Verified, verify};
pub use describe::describe;
pub use entry::{Entry, EntryError, EntryKind};
pub use receipt::{Receipt, ReceiptError, sign_receipt, verify_receipt};

use std::fmt;

/// Why a `sha256:` hash was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("hash {0:?} is not `sha256:` followed by 64 lower-case hex digits")]
pub struct HashError(pub String);

fn check_sha256(text: &str) -> Result<(), HashError> {
    let digits = text.strip_prefix("sha256:").unwrap_or_default();
    if digits.len() == 64 && digits.bytes().all(|byte| byte.is_ascii_digit() || (b'a'..=b'f').contains(&byte)) {
        Ok(())
    } else {
        Err(HashError(text.to_owned()))
    }
}

/// The hash of one ledger entry, `sha256:<hex>`; chains entries together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryHash(String);

impl EntryHash {
    pub fn parse(text: &str) -> Result<EntryHash, HashError> {
        check_sha256(text).map(|()| EntryHash(text.to_owned()))
    }

    /// The `previous` of entry 0: all zeros, which no entry hashes to in practice.
    pub fn genesis() -> EntryHash {
        EntryHash(format!("sha256:{}", "0".repeat(64)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EntryHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// The content hash of an object version or a note (`sha256:` of its canonical JSON,
/// as [`crate::canonical::content_hash`] computes it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(String);

impl ContentHash {
    pub fn parse(text: &str) -> Result<ContentHash, HashError> {
        check_sha256(text).map(|()| ContentHash(text.to_owned()))
    }

    /// The content hash of a JSON value.
    pub fn of(value: &serde_json::Value) -> Result<ContentHash, crate::canonical::CanonicalError> {
        crate::canonical::content_hash(value).map(ContentHash)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}
