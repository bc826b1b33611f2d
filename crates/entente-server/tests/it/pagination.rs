//! Paging through a collection with `limit` and `next`: every object exactly once,
//! `more` false at the end, the `X-TAXII-Date-Added-First/Last` headers agreeing with
//! `added_after`, page sizes clamped, and a cursor that outlives the server process
//! that issued it.

use crate::fixtures::identity;
use crate::support::{INTELLIGENCE, Node, ids, objects_path, taxii_body};
use entente_core::Timestamp;
use entente_server::ServerConfig;
use std::collections::HashSet;

const TOTAL: u32 = 260;

async fn node_with_objects() -> Node {
    let config = ServerConfig { max_page_size: 100, default_page_size: 20, ..ServerConfig::default() };
    let node = Node::start_with(config).await;
    // Several POSTs, so the pages cross transaction boundaries.
    for batch in 0..4 {
        let objects: Vec<_> = (batch * TOTAL / 4..(batch + 1) * TOTAL / 4).map(identity).collect();
        let status = node.add(&objects).await;
        assert_eq!(status["success_count"].as_u64(), Some(u64::from(TOTAL / 4)));
    }
    assert_eq!(node.count(), u64::from(TOTAL));
    node
}

/// One page: its ids, `next`, and the date-added headers.
struct PageSeen {
    ids: Vec<String>,
    next: Option<String>,
    first: Timestamp,
    last: Timestamp,
}

async fn page(node: &Node, query: &str) -> PageSeen {
    let response = node.get(&format!("{}?{query}", objects_path(INTELLIGENCE)), &node.tokens.reader).await;
    assert_eq!(response.status(), 200, "{query}");
    let header = |name: &str| {
        let text = response.headers()[name].to_str().expect("header text").to_owned();
        Timestamp::parse(&text).unwrap_or_else(|error| panic!("{name}: {error}"))
    };
    let (first, last) = (header("x-taxii-date-added-first"), header("x-taxii-date-added-last"));
    let body = taxii_body(response).await;
    let next = body["next"].as_str().map(str::to_owned);
    assert_eq!(body["more"].as_bool(), Some(next.is_some()), "more is true exactly when next is given");
    PageSeen { ids: ids(&body), next, first, last }
}

/// Follows `next` from `start` to the end; returns every id seen.
async fn follow(node: &Node, mut next: Option<String>, limit: u32, seen: &mut Vec<String>) {
    while let Some(cursor) = next {
        let current = page(node, &format!("limit={limit}&next={cursor}")).await;
        assert!(current.ids.len() <= limit as usize);
        seen.extend(current.ids);
        next = current.next;
    }
}

#[tokio::test]
async fn limit_and_next_visit_every_object_once_with_consistent_date_headers() {
    let node = node_with_objects().await;
    let limit = 37;
    let mut pages = vec![page(&node, &format!("limit={limit}")).await];
    while let Some(cursor) = pages.last().and_then(|last| last.next.clone()) {
        pages.push(page(&node, &format!("limit={limit}&next={cursor}")).await);
        assert!(pages.len() <= 20, "pagination does not end");
    }
    assert_eq!(pages.len(), TOTAL.div_ceil(limit) as usize);
    let seen: Vec<String> = pages.iter().flat_map(|page| page.ids.clone()).collect();
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (TOTAL as usize, TOTAL as usize));
    let expected: Vec<String> =
        (0..TOTAL).map(|number| identity(number)["id"].as_str().expect("id").to_owned()).collect();
    assert_eq!(seen, expected, "pages follow the order objects were added");
    for pair in pages.windows(2) {
        assert!(pair[0].first < pair[0].last);
        assert!(pair[0].last < pair[1].first, "pages do not overlap in date_added");
    }
    // `added_after` the last date of a page starts exactly where `next` does.
    for (index, current) in pages.iter().enumerate().take(pages.len() - 1) {
        let after = page(&node, &format!("limit={limit}&added_after={}", current.last)).await;
        assert_eq!(after.ids, pages[index + 1].ids, "added_after={}", current.last);
        assert_eq!(after.first, pages[index + 1].first);
    }
    let after_everything = node
        .get(
            &format!("{}?added_after={}", objects_path(INTELLIGENCE), pages[pages.len() - 1].last),
            &node.tokens.reader,
        )
        .await;
    let body = taxii_body(after_everything).await;
    assert_eq!((body["more"].as_bool(), ids(&body).len()), (Some(false), 0));
}

#[tokio::test]
async fn page_sizes_are_clamped_and_defaulted() {
    let node = node_with_objects().await;
    let default = page(&node, "").await;
    assert_eq!(default.ids.len(), 20);
    assert!(default.next.is_some());
    let clamped = page(&node, "limit=100000").await;
    assert_eq!(clamped.ids.len(), 100);
    let mut seen = clamped.ids.clone();
    follow(&node, clamped.next, 100_000, &mut seen).await;
    assert_eq!(seen.len(), TOTAL as usize);
    let manifest =
        node.get(&format!("/intel/collections/{INTELLIGENCE}/manifest/?limit=100000"), &node.tokens.reader).await;
    let manifest = taxii_body(manifest).await;
    assert_eq!((manifest["more"].as_bool(), ids(&manifest).len()), (Some(true), 100));
}

#[tokio::test]
async fn a_cursor_still_works_after_the_server_restarts() {
    let node = node_with_objects().await;
    let first = page(&node, "limit=50").await;
    let cursor = first.next.clone().expect("a second page");
    let old_base = node.base.clone();
    let node = node.restart().await;
    assert_ne!(node.base, old_base, "a new server instance on a new port");
    // Objects added after the cursor was issued appear on a later page.
    let late: Vec<_> = (TOTAL..TOTAL + 5).map(identity).collect();
    node.add(&late).await;
    let mut seen = first.ids.clone();
    follow(&node, Some(cursor), 50, &mut seen).await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (TOTAL as usize + 5, TOTAL as usize + 5));
    assert_eq!(seen.last().map(String::as_str), late[4]["id"].as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reader_paging_during_concurrent_writes_misses_nothing() {
    let node = std::sync::Arc::new(node_with_objects().await);
    let first = page(&node, "limit=30").await;
    let writers: Vec<_> = (0..6)
        .map(|writer| {
            let node = node.clone();
            tokio::spawn(async move {
                let start = 1000 + writer * 20;
                let objects: Vec<_> = (start..start + 20).map(identity).collect();
                node.add(&objects).await["success_count"].as_u64()
            })
        })
        .collect();
    let mut seen = first.ids.clone();
    let mut next = first.next.clone();
    // Page while the writers run, then drain what they added.
    for _ in 0..3 {
        let Some(cursor) = next else { break };
        let current = page(&node, &format!("limit=30&next={cursor}")).await;
        seen.extend(current.ids);
        next = current.next;
    }
    for writer in writers {
        assert_eq!(writer.await.expect("writer task"), Some(20));
    }
    follow(&node, next, 30, &mut seen).await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!((seen.len(), unique.len()), (TOTAL as usize + 120, TOTAL as usize + 120));
}
