//! The chain: appending entries in memory, and verifying a chain read back.
//!
//! [`verify`] checks, entry by entry and in this order: the sequence is the entry's
//! position (else the entry is [`Missing`](LedgerError::Missing) or
//! [`Reordered`](LedgerError::Reordered)), its hash is the hash of its content, its
//! `previous` is the hash of the entry before (or the genesis value), and its time is
//! not before the previous entry's. The first failure is returned, naming the sequence.
//!
//! Deliberately not detected here: entries cut from the tail, which leave a valid
//! shorter chain; parties detect that by comparing [`Ledger::head`] or
//! [`Verified::head`] with what they saw before.

use super::{Entry, EntryHash, EntryKind};
use crate::Timestamp;

/// Why a chain does not verify, or why an entry cannot be appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("entry {sequence} is missing: found entry {found} in its place")]
    Missing { sequence: u64, found: u64 },
    #[error("entry {sequence} is out of order: found at position {position}")]
    Reordered { sequence: u64, position: u64 },
    #[error("entry {sequence} was changed: its hash does not match its content")]
    HashMismatch { sequence: u64 },
    #[error("entry 0 does not start from the genesis hash")]
    GenesisChanged,
    #[error("entry {sequence} does not follow the entry before it: its previous hash differs")]
    BrokenLink { sequence: u64 },
    #[error("entry {sequence} is dated {at}, before the entry before it ({previous_at})")]
    TimeWentBackwards { sequence: u64, at: Timestamp, previous_at: Timestamp },
}

/// Proof that a chain verified: only [`verify`] makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    head: EntryHash,
    length: u64,
}

impl Verified {
    /// The hash of the last entry (the genesis value for an empty chain).
    pub fn head(&self) -> &EntryHash {
        &self.head
    }

    /// How many entries verified.
    pub fn len(&self) -> u64 {
        self.length
    }

    pub fn is_empty(&self) -> bool {
        self.length == 0
    }
}

/// Verifies a whole chain from entry 0.
pub fn verify(entries: &[Entry]) -> Result<Verified, LedgerError> {
    let mut previous: Option<&Entry> = None;
    for (position, entry) in (0u64..).zip(entries) {
        check_sequence(entries, position, entry)?;
        if entry.compute_hash() != entry.hash {
            return Err(LedgerError::HashMismatch { sequence: entry.sequence });
        }
        match previous {
            None if entry.previous != EntryHash::genesis() => return Err(LedgerError::GenesisChanged),
            Some(before) if entry.previous != before.hash => {
                return Err(LedgerError::BrokenLink { sequence: entry.sequence });
            }
            Some(before) if entry.at < before.at => {
                return Err(LedgerError::TimeWentBackwards {
                    sequence: entry.sequence,
                    at: entry.at,
                    previous_at: before.at,
                });
            }
            _ => {}
        }
        previous = Some(entry);
    }
    let head = previous.map_or_else(EntryHash::genesis, |last| last.hash.clone());
    Ok(Verified { head, length: entries.len() as u64 })
}

/// An entry whose sequence is not its position was either moved (its own sequence
/// turns up elsewhere) or stands in for one that was removed.
fn check_sequence(entries: &[Entry], position: u64, entry: &Entry) -> Result<(), LedgerError> {
    if entry.sequence == position {
        return Ok(());
    }
    let expected_elsewhere = entries.iter().any(|other| other.sequence == position);
    if entry.sequence > position && !expected_elsewhere {
        Err(LedgerError::Missing { sequence: position, found: entry.sequence })
    } else {
        Err(LedgerError::Reordered { sequence: entry.sequence, position })
    }
}

/// An append-only chain in memory. The store persists its entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<Entry>,
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// Resumes a chain read back from storage, after verifying it.
    pub fn from_entries(entries: Vec<Entry>) -> Result<(Ledger, Verified), LedgerError> {
        let verified = verify(&entries)?;
        Ok((Ledger { entries }, verified))
    }

    /// Appends an event that happened at `at`. Refuses a time before the last entry's,
    /// because such a chain would not verify.
    pub fn append(&mut self, kind: EntryKind, at: Timestamp) -> Result<&Entry, LedgerError> {
        let sequence = self.entries.len() as u64;
        if let Some(last) = self.entries.last()
            && at < last.at
        {
            return Err(LedgerError::TimeWentBackwards { sequence, at, previous_at: last.at });
        }
        let entry = Entry::seal(sequence, at, kind, self.head());
        self.entries.push(entry);
        Ok(&self.entries[self.entries.len() - 1])
    }

    /// The hash of the last entry, or the genesis value when empty: what two parties
    /// compare to know they hold the same chain.
    pub fn head(&self) -> EntryHash {
        self.entries.last().map_or_else(EntryHash::genesis, |last| last.hash.clone())
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
