//! Versions: all kept, first/last tracked through out-of-order arrival and deletes,
//! conflicting content refused, unversioned objects deduplicated by content.

use crate::story::{indicator, new_store};
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, FilterScope};
use entente_store::AddOutcome;

fn versions_of(store: &entente_store::Store, collection: &str, id: &str, selector: &str) -> Vec<String> {
    let pairs = vec![("match[version]".to_owned(), selector.to_owned())];
    let filter = Filter::parse(&pairs, FilterScope::Object).unwrap();
    let page = store.query_objects(collection, Some(id), &filter, 100, false).unwrap();
    let mut versions: Vec<String> = page.rows.into_iter().map(|row| row.version).collect();
    versions.sort();
    versions
}

#[test]
fn every_version_is_kept_and_first_last_follow_arrival_out_of_order() {
    let (_dir, store, collection) = new_store();
    let middle = indicator(7, "2021-01-01T00:00:00.000Z");
    let id = middle.id().to_string();
    store.add_objects(&collection, &[middle], 10).unwrap();
    store.add_objects(&collection, &[indicator(7, "2022-01-01T00:00:00.000Z")], 20).unwrap();
    store.add_objects(&collection, &[indicator(7, "2020-06-01T00:00:00.000Z")], 30).unwrap();
    assert_eq!(versions_of(&store, &collection, &id, "all").len(), 3);
    assert_eq!(versions_of(&store, &collection, &id, "last"), vec!["2022-01-01T00:00:00.000Z"]);
    assert_eq!(versions_of(&store, &collection, &id, "first"), vec!["2020-06-01T00:00:00.000Z"]);
    assert_eq!(versions_of(&store, &collection, &id, "2021-01-01T00:00:00Z"), vec!["2021-01-01T00:00:00.000Z"]);

    // Deleting the newest version makes the middle one the last.
    let pairs = vec![("match[version]".to_owned(), "2022-01-01T00:00:00.000Z".to_owned())];
    let removed =
        store.delete_object(&collection, &id, &Filter::parse(&pairs, FilterScope::ObjectDelete).unwrap()).unwrap();
    assert_eq!(removed, 1);
    assert_eq!(versions_of(&store, &collection, &id, "last"), vec!["2021-01-01T00:00:00.000Z"]);
    let everything = Filter::parse(&[], FilterScope::ObjectDelete).unwrap();
    assert_eq!(store.delete_object(&collection, &id, &everything).unwrap(), 2);
    assert_eq!(store.delete_object(&collection, &id, &everything).unwrap(), 0);
}

#[test]
fn same_version_with_different_content_is_refused_and_original_kept() {
    let (_dir, store, collection) = new_store();
    let original = indicator(1, "2021-01-01T00:00:00.000Z");
    store.add_objects(&collection, std::slice::from_ref(&original), 10).unwrap();
    let forged = original.json().replace("10.0.0.1", "10.0.0.99");
    let forged = StixObject::from_json(&forged).unwrap();
    let outcome = store.add_objects(&collection, &[forged], 20).unwrap();
    assert!(matches!(&outcome[0], AddOutcome::Conflict { .. }), "{outcome:?}");
    let page = store.query_objects(&collection, None, &Filter::everything(), 10, true).unwrap();
    assert_eq!(page.rows.len(), 1);
    assert_eq!(page.rows[0].json, original.json());
}

#[test]
fn unversioned_objects_are_deduplicated_by_content() {
    let (_dir, store, collection) = new_store();
    let sco = StixObject::from_json(
        r#"{"type":"ipv4-addr","spec_version":"2.1","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}"#,
    )
    .unwrap();
    let first = store.add_objects(&collection, std::slice::from_ref(&sco), 10).unwrap();
    let second = store.add_objects(&collection, std::slice::from_ref(&sco), 20).unwrap();
    assert!(matches!(first[0], AddOutcome::Added { .. }));
    match (&first[0], &second[0]) {
        (AddOutcome::Added { version: added, .. }, AddOutcome::AlreadyPresent { version: present }) => {
            assert_eq!(added, present);
        }
        other => panic!("unexpected outcomes {other:?}"),
    }
    assert_eq!(store.count_objects(Some(&collection)).unwrap(), 1);
}
