//! The storage story: one node's life against the real database, start to finish —
//! create, configure, add intelligence, page through it, revoke, reopen.

use entente_core::auth::{ApiToken, Role, TokenHash};
use entente_core::stix::StixObject;
use entente_core::taxii::{Filter, FilterScope};
use entente_store::{AddOutcome, ApiRoot, Collection, Store, StoreError};

pub fn indicator(number: u32, modified: &str) -> StixObject {
    let text = format!(
        r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{number:08x}-0000-4000-8000-000000000000",
           "created":"2020-01-01T00:00:00.000Z","modified":"{modified}","pattern":"[ipv4-addr:value = '10.0.0.{}']",
           "pattern_type":"stix","valid_from":"2020-01-01T00:00:00Z"}}"#,
        number % 250
    );
    StixObject::from_json(&text).expect("test indicator is valid")
}

pub fn new_store() -> (tempfile::TempDir, Store, String) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::create(&dir.path().join("entente.db")).unwrap();
    store.create_api_root(&ApiRoot { name: "intel".into(), title: "Intel".into(), description: None }, 1).unwrap();
    let collection = store
        .create_collection(
            &Collection {
                id: "1c5a0e57-5e88-4c6b-9d3f-000000000001".into(),
                api_root: "intel".into(),
                title: "Intelligence".into(),
                description: None,
                alias: None,
                read_roles: vec![Role::Reader, Role::Analyst],
                write_roles: vec![Role::Analyst],
            },
            1,
        )
        .unwrap();
    (dir, store, collection.id)
}

fn query(pairs: &[(&str, &str)]) -> Filter {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    Filter::parse(&pairs, FilterScope::Objects).unwrap()
}

#[test]
fn a_node_from_creation_to_reopening() {
    let (dir, store, collection) = new_store();

    // Creating twice is refused, and so is a collection in a missing API root.
    assert!(matches!(Store::create(&dir.path().join("entente.db")), Err(StoreError::AlreadyExists(_))));
    let mut orphan = Collection {
        id: "1c5a0e57-5e88-4c6b-9d3f-000000000002".into(),
        api_root: "nowhere".into(),
        title: "x".into(),
        description: None,
        alias: None,
        read_roles: vec![],
        write_roles: vec![],
    };
    assert!(matches!(store.create_collection(&orphan, 2), Err(StoreError::NotFound(_))));
    orphan.api_root = "intel".into();
    orphan.id = "not-a-uuid".into();
    assert!(matches!(store.create_collection(&orphan, 2), Err(StoreError::Invalid(_))));

    // Tokens: stored hashed, found by hash, gone once revoked.
    let token = ApiToken::from_random([3; 32]);
    store.create_token("tok_1", "siem", Role::Reader, &token.hash(), 5).unwrap();
    assert_eq!(store.authenticate(&TokenHash::of(token.secret())).unwrap().unwrap().role, Role::Reader);
    assert!(store.authenticate(&TokenHash::of("ent_wrong")).unwrap().is_none());

    // 250 objects, added in three batches with a stalled clock.
    let objects: Vec<StixObject> = (0..250).map(|n| indicator(n, "2020-01-01T00:00:00.000Z")).collect();
    for chunk in objects.chunks(100) {
        let outcomes = store.add_objects(&collection, chunk, 1_000).unwrap();
        assert!(outcomes.iter().all(|outcome| matches!(outcome, AddOutcome::Added { .. })));
    }
    let again = store.add_objects(&collection, &objects[..3], 1_000).unwrap();
    assert!(again.iter().all(|outcome| matches!(outcome, AddOutcome::AlreadyPresent { .. })));
    assert_eq!(store.count_objects(Some(&collection)).unwrap(), 250);

    // Paging with a cursor visits every object once, in date_added order.
    let mut filter = query(&[]);
    let mut seen = Vec::new();
    let mut last_added = i64::MIN;
    loop {
        let page = store.query_objects(&collection, None, &filter, 40, true).unwrap();
        for row in &page.rows {
            assert!(row.date_added_micros > last_added, "date_added must strictly increase");
            last_added = row.date_added_micros;
            seen.push(row.json.clone());
        }
        match page.next {
            Some(cursor) => filter.next = Some(cursor),
            None => break,
        }
    }
    assert_eq!(seen.len(), 250);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 250);

    // Revocation is immediate; reopening keeps everything, and an old cursor still works.
    store.revoke_token("tok_1", 9).unwrap();
    assert!(store.authenticate(&token.hash()).unwrap().is_none());
    assert!(store.revoke_token("tok_1", 9).is_err(), "revoking twice says so");
    let first_page = store.query_objects(&collection, None, &query(&[]), 10, true).unwrap();
    drop(store);
    let reopened = Store::open(&dir.path().join("entente.db")).unwrap();
    let mut resumed = query(&[]);
    resumed.next = first_page.next;
    let second_page = reopened.query_objects(&collection, None, &resumed, 10, true).unwrap();
    assert_eq!(second_page.rows.len(), 10);
    assert!(second_page.rows[0].date_added_micros > first_page.rows[9].date_added_micros);
    assert_eq!(reopened.count_objects(None).unwrap(), 250);
}

#[test]
fn filters_by_type_id_and_added_after() {
    let (_dir, store, collection) = new_store();
    let objects: Vec<StixObject> = (0..5).map(|n| indicator(n, "2020-01-01T00:00:00.000Z")).collect();
    store.add_objects(&collection, &objects, 1_000_000).unwrap();
    let all = store.query_objects(&collection, None, &query(&[]), 100, false).unwrap();
    assert_eq!(all.rows.len(), 5);
    let after = entente_core::Timestamp::from_unix_micros(all.rows[1].date_added_micros).to_string();
    let newer = store.query_objects(&collection, None, &query(&[("added_after", &after)]), 100, false).unwrap();
    assert_eq!(newer.rows.len(), 3);
    let one_id = objects[4].id().to_string();
    let by_id = store.query_objects(&collection, None, &query(&[("match[id]", &one_id)]), 100, false).unwrap();
    assert_eq!(by_id.rows.iter().map(|row| row.id.as_str()).collect::<Vec<_>>(), vec![one_id.as_str()]);
    let by_type =
        store.query_objects(&collection, None, &query(&[("match[type]", "malware,tool")]), 100, false).unwrap();
    assert!(by_type.rows.is_empty());
}

#[test]
fn envoy_credentials_carry_their_partner() {
    let (_dir, store, _collection) = new_store();
    let envoy = ApiToken::from_random([4; 32]);
    let partner = "identity--0f8fad5b-d9cb-469f-a165-70867728950e";
    store.create_envoy_token("tok_e", "envoy of B", &envoy.hash(), partner, "sha256:00", 7).unwrap();
    store.create_token("tok_r", "reader", Role::Reader, &ApiToken::from_random([5; 32]).hash(), 8).unwrap();
    let principal = store.authenticate(&envoy.hash()).unwrap().unwrap();
    assert_eq!((principal.role, principal.partner.as_deref()), (Role::Envoy, Some(partner)));
    let listed = store.list_tokens().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].partner.as_deref(), Some(partner));
    assert_eq!(listed[0].treaty.as_deref(), Some("sha256:00"));
    assert_eq!(listed[1].partner, None);
}
