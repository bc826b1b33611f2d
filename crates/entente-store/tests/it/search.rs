//! Search: the index follows adds, new versions and deletes; filters and ranking;
//! scope by collection; any user text is a valid query; real ATT&CK data is findable.

use crate::story::new_store;
use entente_core::search::Query;
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, FilterScope};
use entente_store::{SearchHit, SearchScope, Store};
use proptest::prelude::*;

fn query(pairs: &[(&str, &str)]) -> Query {
    Query::parse(&pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect::<Vec<_>>()).unwrap()
}

fn object(kind: &str, number: u32, modified: &str, fields: &str) -> StixObject {
    let text = format!(
        r#"{{"type":"{kind}","spec_version":"2.1","id":"{kind}--{number:08x}-0000-4000-8000-000000000000",
           "created":"2020-01-01T00:00:00.000Z","modified":"{modified}"{fields}}}"#
    );
    StixObject::from_json(&text).unwrap_or_else(|error| panic!("{text}: {error:?}"))
}

fn indicator(number: u32, modified: &str, name: &str, value: &str) -> StixObject {
    object(
        "indicator",
        number,
        modified,
        &format!(
            r#","name":"{name}","pattern":"[domain-name:value = '{value}']","pattern_type":"stix",
               "valid_from":"2020-01-01T00:00:00Z","labels":["phishing"],
               "object_marking_refs":["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]"#
        ),
    )
}

fn ids(hits: &[SearchHit]) -> Vec<String> {
    hits.iter().map(|hit| hit.row.id.clone()).collect()
}

fn everywhere(store: &Store, pairs: &[(&str, &str)]) -> Vec<SearchHit> {
    store.search(&query(pairs), &SearchScope::All, 0, 50).unwrap()
}

#[test]
fn free_text_finds_names_and_pattern_values_of_the_latest_version_only() {
    let (_dir, store, collection) = new_store();
    let first = indicator(1, "2021-01-01T00:00:00.000Z", "Emotet loader", "evil.example.com");
    let id = first.id().to_string();
    store
        .add_objects(&collection, &[first, indicator(2, "2021-01-01T00:00:00.000Z", "Qakbot", "other.example.net")], 1)
        .unwrap();
    assert_eq!(ids(&everywhere(&store, &[("q", "emotet")])), [id.as_str()]);
    assert_eq!(ids(&everywhere(&store, &[("q", "evil.example.com")])), [id.as_str()]);
    assert_eq!(ids(&everywhere(&store, &[("q", "emo*")])), [id.as_str()]);
    assert_eq!(everywhere(&store, &[("q", "example")]).len(), 2);

    // A new version renamed: the old name no longer finds it, the new one does, once.
    store
        .add_objects(&collection, &[indicator(1, "2022-01-01T00:00:00.000Z", "Heodo loader", "evil.example.com")], 2)
        .unwrap();
    assert!(everywhere(&store, &[("q", "emotet")]).is_empty());
    let hits = everywhere(&store, &[("q", "heodo")]);
    assert_eq!(ids(&hits), [id.as_str()]);
    assert_eq!(hits[0].row.version, "2022-01-01T00:00:00.000Z");

    // Deleting every version empties the index for it.
    store.delete_object(&collection, &id, &Filter::parse(&[], FilterScope::ObjectDelete).unwrap()).unwrap();
    assert!(everywhere(&store, &[("q", "loader")]).is_empty());
    assert_eq!(everywhere(&store, &[("q", "example")]).len(), 1);
}

#[test]
fn names_rank_above_descriptions() {
    let (_dir, store, collection) = new_store();
    let in_description = object(
        "malware",
        1,
        "2021-01-01T00:00:00.000Z",
        r#","name":"Loader","is_family":true,"description":"Drops cobalt strike""#,
    );
    let in_name = object("tool", 2, "2021-01-01T00:00:00.000Z", r#","name":"Cobalt Strike""#);
    store.add_objects(&collection, &[in_description, in_name.clone()], 1).unwrap();
    let hits = everywhere(&store, &[("q", "cobalt strike")]);
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].row.id, in_name.id().to_string());
    assert!(hits[0].score < hits[1].score, "bm25: lower is better");
}

#[test]
fn filters_by_type_marking_time_and_scope() {
    let (_dir, store, collection) = new_store();
    let amber = indicator(1, "2021-06-01T00:00:00.000Z", "Amber one", "a.example");
    let malware = object("malware", 2, "2023-01-01T00:00:00.000Z", r#","name":"Amber two","is_family":false"#);
    store.add_objects(&collection, &[amber.clone(), malware.clone()], 1).unwrap();
    assert_eq!(ids(&everywhere(&store, &[("q", "amber"), ("type", "malware")])), [malware.id().to_string()]);
    assert_eq!(ids(&everywhere(&store, &[("marking", "TLP:AMBER")])), [amber.id().to_string()]);
    assert!(everywhere(&store, &[("marking", "TLP:RED")]).is_empty());
    assert_eq!(ids(&everywhere(&store, &[("since", "2022-01-01T00:00:00Z")])), [malware.id().to_string()]);
    assert_eq!(ids(&everywhere(&store, &[("until", "2022-01-01T00:00:00Z")])), [amber.id().to_string()]);
    // Without free text, newest first.
    assert_eq!(ids(&everywhere(&store, &[])), [malware.id().to_string(), amber.id().to_string()]);
    assert_eq!(everywhere(&store, &[("source", "local")]).len(), 2);
    assert!(everywhere(&store, &[("source", "identity--00000000-0000-4000-8000-000000000001")]).is_empty());

    let elsewhere = SearchScope::Collections(vec!["another".into()]);
    assert!(store.search(&query(&[("q", "amber")]), &elsewhere, 0, 10).unwrap().is_empty());
    let here = SearchScope::Collections(vec![collection]);
    assert_eq!(store.search(&query(&[("q", "amber")]), &here, 0, 10).unwrap().len(), 2);
    assert!(store.search(&query(&[("q", "amber")]), &SearchScope::Collections(vec![]), 0, 10).unwrap().is_empty());
}

#[test]
fn batches_page_through_every_result_once() {
    let (_dir, store, collection) = new_store();
    let objects: Vec<StixObject> = (0..25)
        .map(|number| indicator(number, "2021-01-01T00:00:00.000Z", &format!("Campaign {number}"), "x.example"))
        .collect();
    store.add_objects(&collection, &objects, 1).unwrap();
    let wanted = query(&[("q", "campaign")]);
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let batch = store.search(&wanted, &SearchScope::All, offset, 10).unwrap();
        offset += batch.len() as u64;
        seen.extend(ids(&batch));
        if batch.len() < 10 {
            break;
        }
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25);
}

#[test]
fn objects_stored_before_the_index_are_backfilled_on_open() {
    let (dir, store, collection) = new_store();
    store.add_objects(&collection, &[indicator(1, "2021-01-01T00:00:00.000Z", "Backfilled", "b.example")], 1).unwrap();
    drop(store);
    let path = dir.path().join("entente.db");
    {
        // Simulate a database from before migration 0010's index had these rows.
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection.execute("DELETE FROM search_text", []).unwrap();
        connection.execute("INSERT INTO settings (key, value) VALUES ('search_backfill', 'pending')", []).unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(everywhere(&store, &[("q", "backfilled")]).len(), 1);
}

#[test]
fn attack_enterprise_is_findable_by_technique_id_and_name() {
    use std::io::Read;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/attack/enterprise-attack.json.gz");
    let file = std::fs::File::open(path).unwrap_or_else(|error| panic!("{path}: {error} (the shared corpus)"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file).read_to_string(&mut text).unwrap();
    let bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let objects: Vec<StixObject> = bundle["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|value| value["type"] == "attack-pattern")
        .take(400)
        .filter_map(|value| StixObject::from_json(&value.to_string()).ok())
        .collect();
    assert!(objects.len() > 300);
    let (_dir, store, collection) = new_store();
    store.add_objects(&collection, &objects, 1).unwrap();
    let hits = everywhere(&store, &[("q", "T1566"), ("type", "attack-pattern")]);
    assert!(!hits.is_empty(), "T1566 (Phishing) is in the first 400 techniques?");
    assert!(hits[0].row.json.contains("T1566"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_user_text_is_a_valid_query(text in "\\PC{0,40}") {
        let (_dir, store, collection) = new_store();
        store.add_objects(&collection, &[indicator(1, "2021-01-01T00:00:00.000Z", "Any", "a.example")], 1).unwrap();
        let pairs = vec![("q".to_owned(), text)];
        if let Ok(parsed) = Query::parse(&pairs) {
            prop_assert!(store.search(&parsed, &SearchScope::All, 0, 10).is_ok());
        }
    }
}

#[test]
fn changes_after_a_position_are_every_later_version_in_order_and_in_scope() {
    let (_dir, store, collection) = new_store();
    let start = store.latest_position().unwrap();
    assert_eq!(start, 0);
    store.add_objects(&collection, &[indicator(1, "2021-01-01T00:00:00.000Z", "One", "a.example")], 10).unwrap();
    let middle = store.latest_position().unwrap();
    store
        .add_objects(
            &collection,
            &[
                indicator(1, "2022-01-01T00:00:00.000Z", "One renamed", "a.example"),
                object("malware", 2, "2021-01-01T00:00:00.000Z", r#","name":"Two","is_family":true"#),
            ],
            20,
        )
        .unwrap();
    let scope = [collection.clone()];
    let all = store.changes_after(start, &scope, &[], 10).unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.windows(2).all(|pair| pair[0].row.date_added_micros < pair[1].row.date_added_micros));
    let later = store.changes_after(middle, &scope, &[], 10).unwrap();
    assert_eq!(later.len(), 2);
    assert_eq!(later[0].row.version, "2022-01-01T00:00:00.000Z");
    assert_eq!(store.changes_after(middle, &scope, &["malware".into()], 10).unwrap().len(), 1);
    assert_eq!(store.changes_after(start, &scope, &[], 2).unwrap().len(), 2);
    assert!(store.changes_after(start, &["elsewhere".into()], &[], 10).unwrap().is_empty());
    assert!(store.changes_after(store.latest_position().unwrap(), &scope, &[], 10).unwrap().is_empty());
}
