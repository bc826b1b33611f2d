//! What a MISP feed pull remembers: per feed, per event, the manifest timestamp taken;
//! it survives reopening the store and feeds do not see each other's events.

use crate::story::new_store;
use entente_store::Store;

#[test]
fn pulled_events_are_remembered_per_feed_and_survive_a_reopen() {
    let (_dir, store, _collection) = new_store();
    let feed = "https://feed.example/misp/";
    assert!(store.misp_feed_pulled(feed).unwrap().is_empty());
    store.record_misp_feed_event(feed, "5a3c2fcd-8328-42bb-a95e-4f4402de0b81", 1_513_948_642).unwrap();
    store.record_misp_feed_event(feed, "6b4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f", 10).unwrap();
    // A changed event is recorded at its new timestamp.
    store.record_misp_feed_event(feed, "6b4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f", 20).unwrap();
    let pulled = store.misp_feed_pulled(feed).unwrap();
    assert_eq!(pulled.len(), 2);
    assert_eq!(pulled["6b4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f"], 20);
    assert!(store.misp_feed_pulled("/srv/other-feed").unwrap().is_empty(), "another feed starts empty");

    let path = store.path().to_owned();
    drop(store);
    let reopened = Store::open(&path).unwrap();
    assert_eq!(reopened.misp_feed_pulled(feed).unwrap(), pulled);
}
