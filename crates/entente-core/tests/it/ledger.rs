//! Integration tests for the audit ledger: append and verify, each class of tampering
//! detected with the right error and sequence, the strict storage form, receipts, and
//! a property test that any single mutation of a random chain is detected.

use entente_core::ledger::{
    ContentHash, Entry, EntryError, EntryHash, EntryKind, Ledger, LedgerError, ReceiptError, sign_receipt, verify,
    verify_receipt,
};
use entente_core::node::NodeKey;
use entente_core::note::NoteId;
use entente_core::treaty::{Disposition, TreatyHash};
use entente_core::{StixId, Timestamp};
use proptest::prelude::*;
use serde_json::json;

fn node(number: u8) -> StixId {
    StixId::parse(&format!("identity--{number:08x}-1111-4111-8111-111111111111")).expect("fixtures are valid")
}

fn content(number: u64) -> ContentHash {
    ContentHash::of(&json!({"object": number})).expect("fixtures canonicalise")
}

fn treaty() -> TreatyHash {
    TreatyHash::parse(&format!("sha256:{}", "ab".repeat(32))).expect("fixtures are valid")
}

fn time(seconds: i64) -> Timestamp {
    Timestamp::from_unix_nanos(1_780_000_000_000_000_000 + i128::from(seconds) * 1_000_000_000, 3)
}

/// One event of each kind, chosen by `number`.
fn kind(number: u64) -> EntryKind {
    let object = StixId::parse("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").expect("fixtures are valid");
    let note = NoteId::from_random_bytes([number as u8; 16]);
    match number % 7 {
        0 => EntryKind::NoteSent { note, to: node(1), note_hash: content(number) },
        1 => EntryKind::NoteReceived { note, from: node(2), note_hash: content(number) },
        2 => EntryKind::Release {
            object,
            version: time(-5),
            object_hash: content(number),
            recipient: node(3),
            treaty: treaty(),
            obligations: vec!["strip-attribution".into()],
        },
        3 => EntryKind::Receipt(sign_receipt(&NodeKey::from_seed([3; 32]), content(number), node(3))),
        4 => EntryKind::Receive {
            object,
            version: time(-9),
            object_hash: content(number),
            from: node(4),
            treaty: treaty(),
        },
        5 => EntryKind::TreatyEnded { treaty: treaty(), with: node(5), disposition: Disposition::Purge },
        _ => EntryKind::Purged { treaty: treaty(), from: node(5), removed: number, retained: 1 },
    }
}

fn chain(length: u64) -> Vec<Entry> {
    let mut ledger = Ledger::new();
    for number in 0..length {
        ledger.append(kind(number), time(number as i64)).expect("times increase");
    }
    ledger.entries().to_vec()
}

#[test]
fn appended_entries_verify_and_heads_agree() {
    let mut ledger = Ledger::new();
    assert_eq!(ledger.head(), EntryHash::genesis());
    for number in 0..10 {
        let entry = ledger.append(kind(number), time(number as i64)).expect("times increase");
        assert_eq!(entry.sequence, number);
    }
    let verified = verify(ledger.entries()).expect("an appended chain verifies");
    assert_eq!(verified.len(), 10);
    assert_eq!(verified.head(), &ledger.head());
    let (resumed, _) = Ledger::from_entries(ledger.entries().to_vec()).expect("it verifies");
    assert_eq!(resumed.head(), ledger.head());
    assert!(verify(&[]).expect("empty verifies").is_empty());
}

#[test]
fn append_refuses_time_going_backwards() {
    let mut ledger = Ledger::new();
    ledger.append(kind(0), time(10)).expect("first entry");
    ledger.append(kind(1), time(10)).expect("the same instant is fine");
    let error = ledger.append(kind(2), time(9)).expect_err("earlier time");
    assert!(matches!(error, LedgerError::TimeWentBackwards { sequence: 2, .. }));
    assert_eq!(ledger.len(), 2);
}

#[test]
fn a_changed_field_is_a_hash_mismatch_at_its_sequence() {
    let mut entries = chain(6);
    if let EntryKind::Release { obligations, .. } = &mut entries[2].kind {
        obligations.clear();
    }
    assert_eq!(verify(&entries), Err(LedgerError::HashMismatch { sequence: 2 }));
    let mut entries = chain(6);
    entries[4].at = time(100);
    assert_eq!(verify(&entries), Err(LedgerError::HashMismatch { sequence: 4 }));
}

#[test]
fn a_changed_and_resealed_entry_breaks_the_next_link() {
    let mut entries = chain(6);
    let old = entries[2].clone();
    entries[2] = Entry::seal(old.sequence, old.at, kind(7), old.previous);
    assert_eq!(verify(&entries), Err(LedgerError::BrokenLink { sequence: 3 }));
}

#[test]
fn a_dropped_entry_is_missing() {
    let mut entries = chain(6);
    entries.remove(3);
    assert_eq!(verify(&entries), Err(LedgerError::Missing { sequence: 3, found: 4 }));
    let mut entries = chain(6);
    entries.remove(0);
    assert_eq!(verify(&entries), Err(LedgerError::Missing { sequence: 0, found: 1 }));
}

#[test]
fn a_cut_tail_verifies_but_the_head_differs() {
    let entries = chain(6);
    let full = verify(&entries).expect("verifies");
    let cut = verify(&entries[..5]).expect("a shorter chain is still a chain");
    assert_ne!(full.head(), cut.head());
}

#[test]
fn swapped_entries_are_reordered() {
    let mut entries = chain(6);
    entries.swap(2, 3);
    assert_eq!(verify(&entries), Err(LedgerError::Reordered { sequence: 3, position: 2 }));
}

#[test]
fn a_changed_genesis_is_detected() {
    let mut entries = chain(3);
    let other = EntryHash::parse(&format!("sha256:{}", "1".repeat(64))).expect("valid");
    entries[0] = Entry::seal(0, entries[0].at, entries[0].kind.clone(), other.clone());
    assert_eq!(verify(&entries), Err(LedgerError::GenesisChanged));
    let mut entries = chain(3);
    entries[0].previous = other;
    assert_eq!(verify(&entries), Err(LedgerError::HashMismatch { sequence: 0 }));
}

#[test]
fn time_going_backwards_is_detected() {
    let first = Entry::seal(0, time(10), kind(0), EntryHash::genesis());
    let second = Entry::seal(1, time(11), kind(1), first.hash.clone());
    let third = Entry::seal(2, time(5), kind(2), second.hash.clone());
    let error = verify(&[first, second, third]).expect_err("time went backwards");
    assert_eq!(error, LedgerError::TimeWentBackwards { sequence: 2, at: time(5), previous_at: time(11) });
}

#[test]
fn storage_form_round_trips_for_every_kind() {
    let entries = chain(10);
    let read: Vec<Entry> = entries
        .iter()
        .map(|entry| {
            let text = serde_json::to_string(&entry.to_value()).expect("serialises");
            Entry::from_value(&serde_json::from_str(&text).expect("parses")).expect("reads back")
        })
        .collect();
    assert_eq!(read, entries);
    assert_eq!(verify(&read).expect("verifies").head(), verify(&entries).expect("verifies").head());
}

#[test]
fn storage_form_is_strict() {
    let value = chain(3)[2].to_value();
    let edit = |change: &dyn Fn(&mut serde_json::Value)| {
        let mut edited = value.clone();
        change(&mut edited);
        Entry::from_value(&edited).expect_err("refused")
    };
    assert_eq!(edit(&|v| v["extra"] = json!(1)), EntryError::Unknown("extra".into()));
    assert_eq!(edit(&|v| v["event"]["extra"] = json!(1)), EntryError::Unknown("event.extra".into()));
    assert_eq!(
        edit(&|v| drop(v["event"].as_object_mut().map(|event| event.remove("treaty")))),
        EntryError::Missing("event.treaty".into())
    );
    assert_eq!(
        edit(&|v| v["sequence"] = json!(-1)),
        EntryError::WrongType { member: "sequence".into(), expected: "an unsigned integer" }
    );
    assert_eq!(
        edit(&|v| v["event"]["obligations"] = json!([1])),
        EntryError::WrongType { member: "event.obligations".into(), expected: "an array of strings" }
    );
    assert!(
        matches!(edit(&|v| v["hash"] = json!("sha256:XYZ")), EntryError::Invalid { member, .. } if member == "hash")
    );
    assert!(matches!(edit(&|v| v["at"] = json!("yesterday")), EntryError::Invalid { member, .. } if member == "at"));
    assert_eq!(edit(&|v| v["event"]["type"] = json!("gift")), EntryError::UnknownEventType("gift".into()));
    assert_eq!(Entry::from_value(&json!([])), Err(EntryError::NotAnObject("entry".into())));
}

#[test]
fn receipts_verify_and_tampered_receipts_do_not() {
    let key = NodeKey::from_seed([7; 32]);
    let receipt = sign_receipt(&key, content(1), node(5));
    assert_eq!(verify_receipt(&key.public(), &receipt), Ok(()));

    let mut tampered = receipt.clone();
    tampered.object_hash = content(2);
    assert_eq!(verify_receipt(&key.public(), &tampered), Err(ReceiptError::BadSignature(key.key_id())));
    let mut tampered = receipt.clone();
    tampered.recipient = node(6);
    assert_eq!(verify_receipt(&key.public(), &tampered), Err(ReceiptError::BadSignature(key.key_id())));

    let other = NodeKey::from_seed([8; 32]);
    assert!(matches!(verify_receipt(&other.public(), &receipt), Err(ReceiptError::WrongKey { .. })));
    let mut forged = receipt.clone();
    forged.signature = sign_receipt(&other, content(1), node(5)).signature;
    assert_eq!(verify_receipt(&key.public(), &forged), Err(ReceiptError::BadSignature(key.key_id())));
}

/// One single mutation of a chain.
#[derive(Debug, Clone)]
enum Mutation {
    ChangeTime(usize),
    ChangeKind(usize),
    ChangeSequence(usize),
    ChangePrevious(usize),
    Delete(usize),
    Swap(usize),
}

fn apply(entries: &mut Vec<Entry>, mutation: &Mutation) {
    let length = entries.len();
    match *mutation {
        Mutation::ChangeTime(index) => entries[index % length].at = time(1_000_000),
        Mutation::ChangeKind(index) => {
            let entry = &mut entries[index % length];
            entry.kind = kind(if entry.kind == kind(0) { 1 } else { 0 });
        }
        Mutation::ChangeSequence(index) => entries[index % length].sequence += 1,
        Mutation::ChangePrevious(index) => {
            entries[index % length].previous = EntryHash::parse(&format!("sha256:{}", "1".repeat(64))).expect("valid");
        }
        // Removing the last entry leaves a valid shorter chain (heads tell that apart).
        Mutation::Delete(index) => drop(entries.remove(index % (length - 1))),
        Mutation::Swap(index) => entries.swap(index % (length - 1), index % (length - 1) + 1),
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::ChangeTime),
        any::<usize>().prop_map(Mutation::ChangeKind),
        any::<usize>().prop_map(Mutation::ChangeSequence),
        any::<usize>().prop_map(Mutation::ChangePrevious),
        any::<usize>().prop_map(Mutation::Delete),
        any::<usize>().prop_map(Mutation::Swap),
    ]
}

proptest! {
    #[test]
    fn any_single_mutation_is_detected(
        events in prop::collection::vec((0u64..5, 0i64..3), 2..20),
        mutation in mutation(),
    ) {
        let mut ledger = Ledger::new();
        let mut seconds = 0;
        for (number, step) in events {
            seconds += step;
            ledger.append(kind(number), time(seconds)).expect("times never decrease");
        }
        let mut entries = ledger.entries().to_vec();
        prop_assert!(verify(&entries).is_ok());
        apply(&mut entries, &mutation);
        prop_assert!(verify(&entries).is_err(), "{mutation:?} was not detected");
    }
}
