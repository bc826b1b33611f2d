//! Treaty endings in the store: a purge deletes exactly the versions received from the
//! partner that are not held otherwise, keeps first/last right, is recorded with its
//! ledger entries, happens once, and shuts the door on later pages from that partner.

use crate::story::{indicator, new_store};
use entente_core::StixId;
use entente_core::ledger::{ContentHash, Entry, EntryKind};
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, FilterScope};
use entente_core::treaty::{Disposition, TreatyHash};
use entente_store::{LedgerQuery, ReceivedObject, ReceivedPage, SealRecord, Store, TreatyEnding};

const ALPHA: &str = "identity--0000000a-1111-4111-8111-111111111111";
const CHARLIE: &str = "identity--0000000c-1111-4111-8111-111111111111";

fn treaty() -> TreatyHash {
    TreatyHash::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap()
}

fn received(object: &StixObject, from: &str) -> ReceivedObject {
    let value: serde_json::Value = serde_json::from_str(object.json()).unwrap();
    let object_hash = ContentHash::of(&value).unwrap();
    let seal = SealRecord {
        object_hash: object_hash.to_string(),
        originator: ALPHA.into(),
        key_id: "ed25519:0011223344556677".into(),
        sealed: "2026-01-01T00:00:00Z".into(),
        signature: "signature".into(),
        received_from: Some(from.into()),
        treaty: Some(treaty().to_string()),
        hops: "[]".into(),
    };
    ReceivedObject { object: object.clone(), object_hash, seal }
}

fn page(collection: &str, from: &str, objects: &[&StixObject]) -> ReceivedPage {
    ReceivedPage {
        partner: from.into(),
        collection: collection.into(),
        treaty: Some(treaty()),
        objects: objects.iter().map(|object| received(object, from)).collect(),
        cursor: None,
        manifest: None,
    }
}

fn versions(store: &Store, collection: &str, id: &str, selector: &str) -> Vec<String> {
    let pairs = vec![("match[version]".to_owned(), selector.to_owned())];
    let filter = Filter::parse(&pairs, FilterScope::Object).unwrap();
    store
        .query_objects(collection, Some(id), &filter, 100, false)
        .unwrap()
        .rows
        .into_iter()
        .map(|row| row.version)
        .collect()
}

fn ending(disposition: Disposition) -> TreatyEnding {
    TreatyEnding { partner: StixId::parse(ALPHA).unwrap(), treaty: treaty(), ending: "terminated".into(), disposition }
}

#[test]
fn a_purge_removes_only_what_is_not_held_otherwise_once_and_for_good() {
    let (_dir, store, collection) = new_store();
    let (old, own) = (indicator(1, "2021-01-01T00:00:00.000Z"), indicator(1, "2022-01-01T00:00:00.000Z"));
    let shared = indicator(2, "2021-01-01T00:00:00.000Z");
    store.store_received(&page(&collection, ALPHA, &[&old, &shared]), 10).unwrap();
    store.store_received(&page(&collection, CHARLIE, &[&shared]), 20).unwrap();
    store.add_objects(&collection, std::slice::from_ref(&own), 30).unwrap();

    // Charlie's copies still count: the shared version stays, the old one goes.
    let charlie_counts = |partner: &str| partner == CHARLIE;
    let done = store.settle_ending(&ending(Disposition::Purge), &charlie_counts, 40).unwrap().expect("carried out");
    assert_eq!((done.removed, done.retained, done.disposition.as_str()), (1, 1, "purge"));
    let id = own.id().as_str();
    assert_eq!(versions(&store, &collection, id, "all"), ["2022-01-01T00:00:00.000Z"], "the version made here stays");
    assert_eq!(versions(&store, &collection, id, "first"), ["2022-01-01T00:00:00.000Z"], "first/last refreshed");
    assert_eq!(versions(&store, &collection, shared.id().as_str(), "all").len(), 1);

    // Once: the second attempt does nothing and records nothing.
    assert!(store.settle_ending(&ending(Disposition::Purge), &charlie_counts, 50).unwrap().is_none());
    let kinds: Vec<EntryKind> = store
        .ledger_rows(&LedgerQuery {
            kinds: vec!["treaty-ended".into(), "purged".into()],
            limit: 10,
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|row| Entry::from_value(&serde_json::from_str(&row.entry).unwrap()).unwrap().kind)
        .collect();
    let alpha = StixId::parse(ALPHA).unwrap();
    assert_eq!(
        kinds,
        [
            EntryKind::TreatyEnded { treaty: treaty(), with: alpha.clone(), disposition: Disposition::Purge },
            EntryKind::Purged { treaty: treaty(), from: alpha, removed: 1, retained: 1 },
        ]
    );
    assert_eq!(store.treaty_endings().unwrap(), [done]);

    // Nothing more is stored from Alpha, even a page checked before the end.
    let late = indicator(3, "2021-01-01T00:00:00.000Z");
    assert!(store.store_received(&page(&collection, ALPHA, &[&late]), 60).is_err());
    assert!(versions(&store, &collection, late.id().as_str(), "all").is_empty());
}

#[test]
fn keep_removes_nothing_and_nobody_counting_purges_everything_received() {
    let (_dir, store, collection) = new_store();
    let shared = indicator(2, "2021-01-01T00:00:00.000Z");
    store.store_received(&page(&collection, ALPHA, &[&shared]), 10).unwrap();
    store.store_received(&page(&collection, CHARLIE, &[&shared]), 20).unwrap();
    let kept = store.settle_ending(&ending(Disposition::Keep), &|_| false, 30).unwrap().expect("carried out");
    assert_eq!((kept.removed, kept.retained), (0, 1));
    assert_eq!(versions(&store, &collection, shared.id().as_str(), "all").len(), 1);

    // Charlie's treaty ended with a purge too: its copy no longer counts.
    let (_dir, store, collection) = new_store();
    store.store_received(&page(&collection, ALPHA, &[&shared]), 10).unwrap();
    store.store_received(&page(&collection, CHARLIE, &[&shared]), 20).unwrap();
    let purged = store.settle_ending(&ending(Disposition::Purge), &|_| false, 30).unwrap().expect("carried out");
    assert_eq!((purged.removed, purged.retained), (1, 0));
    assert!(versions(&store, &collection, shared.id().as_str(), "all").is_empty());
    // The seal went with it: a copy received lawfully later carries its own provenance.
    store.store_received(&page(&collection, CHARLIE, &[&shared]), 40).unwrap();
    let row = store.feed_rows(None, 10, "").unwrap().into_iter().next().expect("stored again");
    assert_eq!(row.seal.expect("sealed").received_from.as_deref(), Some(CHARLIE));
}
