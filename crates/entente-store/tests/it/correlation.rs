//! Correlation: index rows written with each stored version, gone with it, capped per
//! value; CIDR containment and subdomains found by range.

use crate::story::new_store;
use entente_core::correlate::Observable;
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, FilterScope};
use entente_store::{CorrelatedValue, Link, Store};

fn indicator(number: u32, modified: &str, pattern: &str) -> StixObject {
    let text = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{number:08x}-0000-4000-8000-000000000000",
           "created":"2020-01-01T00:00:00.000Z","modified":"{modified}","pattern":"{pattern}",
           "pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}}"#
    );
    StixObject::from_json(&text).expect("test indicator is valid")
}

fn sco(object_type: &str, number: u32, value: &str) -> StixObject {
    let text = format!(
        r#"{{"type":"{object_type}","spec_version":"2.1","id":"{object_type}--{number:08x}-0000-5000-8000-000000000000","value":"{value}"}}"#
    );
    StixObject::from_json(&text).expect("test observable is valid")
}

fn holders(store: &Store, value: &str, exclude: Option<&str>) -> Vec<(String, &'static str, Vec<String>)> {
    let observable = Observable::guess(value).expect("a value");
    let found: Vec<CorrelatedValue> = store.correlate(&observable, exclude).expect("correlate");
    found
        .into_iter()
        .map(|value| {
            let ids = value.objects.iter().map(|object| object.row.id.clone()).collect();
            (value.observable.value().to_owned(), value.link.name(), ids)
        })
        .collect()
}

#[test]
fn objects_sharing_a_value_find_each_other_until_deleted() {
    let (_dir, store, collection) = new_store();
    let first = indicator(1, "2021-01-01T00:00:00.000Z", "[ipv4-addr:value = '198.51.100.7']");
    let second =
        indicator(2, "2021-01-01T00:00:00.000Z", "[ipv4-addr:value = '198.51.100.7' OR url:value = 'http://x.org']");
    let observed = sco("ipv4-addr", 3, "198.51.100.7");
    store.add_objects(&collection, &[first.clone(), second.clone(), observed.clone()], 10).unwrap();

    let values = store.correlation_values_of(first.id().as_str()).unwrap();
    assert_eq!(values.iter().map(Observable::value).collect::<Vec<_>>(), ["198.51.100.7"]);
    let found = holders(&store, "198.51.100.7", Some(first.id().as_str()));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, "same");
    assert_eq!(found[0].2, [second.id().to_string(), observed.id().to_string()]);

    // A delete takes the version's index rows with it (the trigger), whatever path deletes.
    let everything = Filter::parse(&[], FilterScope::ObjectDelete).unwrap();
    store.delete_object(&collection, second.id().as_str(), &everything).unwrap();
    assert_eq!(holders(&store, "198.51.100.7", Some(first.id().as_str()))[0].2, [observed.id().to_string()]);
    assert!(holders(&store, "http://x.org/", None).is_empty(), "the URL only the deleted object held is gone");
}

#[test]
fn only_the_newest_version_of_an_object_correlates() {
    let (_dir, store, collection) = new_store();
    store
        .add_objects(
            &collection,
            &[indicator(1, "2021-01-01T00:00:00.000Z", "[domain-name:value = 'old.example']")],
            10,
        )
        .unwrap();
    store
        .add_objects(
            &collection,
            &[indicator(1, "2022-01-01T00:00:00.000Z", "[domain-name:value = 'new.example']")],
            20,
        )
        .unwrap();
    assert!(holders(&store, "old.example", None).is_empty());
    assert_eq!(holders(&store, "new.example", None).len(), 1);
}

#[test]
fn a_value_over_the_cap_stops_correlating_and_says_so() {
    let (_dir, store, collection) = new_store();
    store.set_correlation_cap(2).unwrap();
    let many: Vec<StixObject> = (1..=4)
        .map(|number| indicator(number, "2021-01-01T00:00:00.000Z", "[domain-name:value = 'common.example']"))
        .collect();
    store.add_objects(&collection, &many, 10).unwrap();
    let observable = Observable::guess("common.example").unwrap();
    let found = store.correlate(&observable, None).unwrap();
    assert_eq!(found.len(), 1);
    assert!(found[0].over_correlated);
    assert!(found[0].objects.is_empty());
    assert_eq!(found[0].indexed, 2, "postings stop at the cap");
    assert!(store.set_correlation_cap(-1).is_err());

    // A cap of 0 turns indexing off for what is stored from then on.
    store.set_correlation_cap(0).unwrap();
    store
        .add_objects(
            &collection,
            &[indicator(9, "2021-01-01T00:00:00.000Z", "[domain-name:value = 'quiet.example']")],
            20,
        )
        .unwrap();
    assert!(store.correlate(&Observable::guess("quiet.example").unwrap(), None).unwrap().is_empty());
}

#[test]
fn addresses_and_networks_correlate_by_containment() {
    let (_dir, store, collection) = new_store();
    let network = indicator(1, "2021-01-01T00:00:00.000Z", "[ipv4-addr:value = '10.1.0.0/16']");
    let address = sco("ipv4-addr", 2, "10.1.2.3");
    let outside = sco("ipv4-addr", 3, "10.2.0.1");
    store.add_objects(&collection, &[network.clone(), address.clone(), outside], 10).unwrap();

    let from_address = holders(&store, "10.1.2.3", Some(address.id().as_str()));
    assert_eq!(from_address, [("10.1.0.0/16".to_owned(), "containing-network", vec![network.id().to_string()])]);
    let from_network = holders(&store, "10.1.0.0/16", Some(network.id().as_str()));
    assert_eq!(from_network, [("10.1.2.3".to_owned(), "contained", vec![address.id().to_string()])]);
    assert_eq!(holders(&store, "10.0.0.0/8", None).len(), 3, "a wider query finds all three inside it");
}

#[test]
fn domains_correlate_with_their_parents_and_subdomains() {
    let (_dir, store, collection) = new_store();
    let parent = sco("domain-name", 1, "example.com");
    let child = sco("domain-name", 2, "mail.Example.com.");
    let other = sco("domain-name", 3, "example.community");
    store.add_objects(&collection, &[parent.clone(), child.clone(), other], 10).unwrap();
    let from_child = holders(&store, "mail.example.com", Some(child.id().as_str()));
    assert_eq!(from_child, [("example.com".to_owned(), "parent-domain", vec![parent.id().to_string()])]);
    let from_parent = holders(&store, "example.com", Some(parent.id().as_str()));
    assert_eq!(from_parent, [("mail.example.com".to_owned(), "subdomain", vec![child.id().to_string()])]);
    assert_eq!(Link::Subdomain.name(), "subdomain");
}

#[test]
fn reindex_fills_the_index_for_versions_stored_without_it() {
    let (_dir, store, collection) = new_store();
    store.add_objects(&collection, &[sco("url", 1, "HTTP://Example.org/a")], 10).unwrap();
    assert_eq!(store.reindex_correlations().unwrap(), 1, "every version that may carry a value is read");
    let found = store.correlate(&Observable::guess("http://example.org/a").unwrap(), None).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].indexed, 1, "indexing twice neither duplicates nor double-counts");
}

#[test]
fn objects_stored_before_the_index_are_indexed_when_the_store_opens() {
    let (dir, store, collection) = new_store();
    let held = indicator(1, "2021-01-01T00:00:00.000Z", "[ipv4-addr:value = '198.51.100.9']");
    let id = held.id().to_string();
    store.add_objects(&collection, &[held, sco("ipv4-addr", 2, "198.51.100.9")], 1).expect("add");
    drop(store);
    let path = dir.path().join("entente.db");
    {
        // A database from before migration 0009: objects, and an empty index.
        let connection = rusqlite::Connection::open(&path).expect("open the file");
        connection.execute("DELETE FROM correlation_postings", []).expect("empty the postings");
        connection.execute("DELETE FROM correlation_values", []).expect("empty the values");
        connection
            .execute("INSERT INTO settings (key, value) VALUES ('correlation_backfill', 'pending')", [])
            .expect("mark");
    }
    let store = Store::open(&path).expect("reopen");
    let found = holders(&store, "198.51.100.9", None);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains(&id), "{found:?}");
    assert_eq!(found[0].2.len(), 2, "both holders, once each: {found:?}");
    // The mark is gone: a second open indexes nothing twice.
    drop(store);
    let store = Store::open(&path).expect("reopen again");
    assert_eq!(holders(&store, "198.51.100.9", None)[0].2.len(), 2);
}
