//! The designation index against a real database and the real UN list: a re-import
//! adds nothing, a shortened list delists (a new version, nothing deleted), links
//! are kept with the latest verdict.

use crate::story::new_store;
use entente_core::Timestamp;
use entente_core::designation::divergence::Verdict;
use entente_core::designation::stix::plan;
use entente_core::designation::{ParsedList, Status, parse};
use entente_core::taxii::{Filter, FilterScope};
use entente_store::Store;

const UN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/designations/un-consolidated.xml");

fn un_list() -> ParsedList {
    parse(&std::fs::read(UN).unwrap(), None).unwrap()
}

fn import(store: &Store, collection: &str, list: &ParsedList, now: &str) -> (usize, usize) {
    let now = Timestamp::parse(now).unwrap();
    let known = store.authority_designations(collection, &list.authority.key).unwrap();
    let planned = plan(list, &known, now).unwrap();
    let stored = store.import_designations(collection, &planned.objects, &planned.rows, now.unix_micros()).unwrap();
    assert!(stored.conflicts.is_empty(), "{:?}", stored.conflicts);
    (stored.added, planned.delisted)
}

#[test]
fn reimport_adds_nothing_and_a_shortened_list_delists() {
    let (_dir, store, collection) = new_store();
    let list = un_list();
    // The authority, and an entity and a designation per record.
    assert_eq!(import(&store, &collection, &list, "2026-01-01T00:00:00Z"), (1 + 2 * 1003, 0));
    assert_eq!(import(&store, &collection, &list, "2026-01-02T00:00:00Z"), (0, 0));

    let mut shorter = list.clone();
    let removed = shorter.records.iter().position(|record| record.reference == "QDe.007").unwrap();
    let gone = shorter.records.remove(removed);
    assert_eq!(import(&store, &collection, &shorter, "2026-02-01T00:00:00Z"), (1, 1));
    let rows = store.authority_designations(&collection, "un").unwrap();
    assert_eq!(rows.len(), 1003, "the delisted record is kept");
    let delisted: Vec<_> = rows.iter().filter(|row| row.status == Status::Delisted).collect();
    assert_eq!(delisted.len(), 1);
    assert_eq!(delisted[0].reference, gone.reference);
    assert_eq!(delisted[0].delisted_on.as_deref(), Some("2026-02-01"));

    // Both versions of the designation are in the store, the last one delisted.
    let all = Filter::parse(&[("match[version]".to_owned(), "all".to_owned())], FilterScope::Object).unwrap();
    let versions = store.query_objects(&collection, Some(&delisted[0].designation_id), &all, 10, true).unwrap();
    assert_eq!(versions.rows.len(), 2);
    assert!(versions.rows.iter().any(|row| row.json.contains("\"status\":\"delisted\"")));

    // The same shortened list again changes nothing; the full list relists.
    assert_eq!(import(&store, &collection, &shorter, "2026-02-02T00:00:00Z"), (0, 0));
    assert_eq!(import(&store, &collection, &list, "2026-03-01T00:00:00Z"), (1, 0));
    let everything = store.designations_in(std::slice::from_ref(&collection)).unwrap();
    assert!(everything.iter().all(|row| row.status == Status::Listed));
    assert!(store.designations_in(&[]).unwrap().is_empty());
}

#[test]
fn links_keep_the_latest_verdict() {
    let (_dir, store, _collection) = new_store();
    store.set_designation_link("threat-actor--b", "threat-actor--a", Verdict::Confirmed, "alice", None, 1).unwrap();
    store
        .set_designation_link("threat-actor--a", "threat-actor--b", Verdict::Rejected, "bob", Some("two groups"), 2)
        .unwrap();
    let links = store.designation_links().unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!((links[0].link.a.as_str(), links[0].link.verdict), ("threat-actor--a", Verdict::Rejected));
    assert_eq!(links[0].decided_by, "bob");
    assert!(store.set_designation_link("x", "x", Verdict::Confirmed, "alice", None, 3).is_err());
}

#[test]
fn a_designation_added_by_any_path_is_indexed() {
    let (_dir, store, collection) = new_store();
    let list = un_list();
    let planned = plan(&list, &[], Timestamp::parse("2026-01-01T00:00:00Z").unwrap()).unwrap();
    // The objects alone, as a partner's sync or a TAXII POST would bring them.
    store.add_objects(&collection, &planned.objects, 1).unwrap();
    let rows = store.designations_in(std::slice::from_ref(&collection)).unwrap();
    assert_eq!(rows.len(), 1003);
    let held = rows.iter().find(|row| row.reference == "QDe.007").unwrap();
    let planned_row = planned.rows.iter().find(|row| row.reference == "QDe.007").unwrap();
    assert_eq!((&held.name, &held.aliases, held.kind), (&planned_row.name, &planned_row.aliases, planned_row.kind));
    assert_eq!(held.entity_hash, "", "the entity's hash is only known to a local import");

    // A designation deleted from the collection leaves the view.
    let everything = Filter::parse(&[], FilterScope::ObjectDelete).unwrap();
    assert_eq!(store.delete_object(&collection, &held.designation_id, &everything).unwrap(), 1);
    assert_eq!(store.designations_in(std::slice::from_ref(&collection)).unwrap().len(), 1002);
}
