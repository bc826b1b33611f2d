//! The Ledger page: entries newest first in plain language, searches, paging by
//! sequence, the verification status (and its turning to "broken" when a stored
//! entry is changed behind the node's back), administrators only.

use super::support::{html, page, post_form, sign_in};
use crate::support::{Node, now_micros};
use entente_core::StixId;
use entente_core::ledger::{ContentHash, EntryKind};
use entente_core::treaty::TreatyHash;
use reqwest::StatusCode;

fn id(kind: &str) -> StixId {
    StixId::from_parts(kind, uuid::Uuid::new_v4()).expect("id")
}

fn hash(byte: char) -> String {
    format!("sha256:{}", byte.to_string().repeat(64))
}

fn version() -> entente_core::Timestamp {
    entente_core::Timestamp::parse("2026-11-01T00:00:00Z").expect("time")
}

/// Releases to `partner` of `count` fresh objects, then as many receptions from it:
/// entries 0..count are releases, count..2*count receptions. Returns the object ids.
fn fill(node: &Node, partner: &StixId, count: usize) -> Vec<StixId> {
    let objects: Vec<StixId> = (0..count).map(|_| id("indicator")).collect();
    let treaty = TreatyHash::parse(&hash('7')).expect("treaty hash");
    let version = version();
    let mut kinds = Vec::new();
    for object in &objects {
        kinds.push(EntryKind::Release {
            object: object.clone(),
            version,
            object_hash: ContentHash::parse(&hash('a')).expect("hash"),
            recipient: partner.clone(),
            treaty: treaty.clone(),
            obligations: vec!["attribute".into()],
        });
    }
    for object in &objects {
        kinds.push(EntryKind::Receive {
            object: object.clone(),
            version,
            object_hash: ContentHash::parse(&hash('b')).expect("hash"),
            from: partner.clone(),
            treaty: treaty.clone(),
        });
    }
    node.store.append_ledger(kinds, now_micros()).expect("ledger");
    objects
}

/// The sequence numbers of the entries a ledger page lists, in page order.
fn sequences(html: &str) -> Vec<i64> {
    html.split("<tr>\n  <td>")
        .skip(1)
        .map(|rest| rest.split('<').next().expect("cell").parse().expect("a sequence"))
        .collect()
}

/// The href of the link with `rel`, unescaped.
fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.replace("&amp;", "&").replace("&#38;", "&"))
}

#[tokio::test]
async fn entries_are_shown_newest_first_described_and_paged() {
    let node = Node::start().await;
    let partner = id("identity");
    let objects = fill(&node, &partner, 40);
    let session = sign_in(&node, &node.tokens.admin).await;

    let first = html(&node, "/ui/ledger", &session).await;
    assert_eq!(sequences(&first), (30..80).rev().collect::<Vec<_>>(), "the newest 50");
    // The wording of `entente audit show`.
    let last = &objects[39];
    assert!(first.contains(&format!("received {last} (version {}) from {partner} under {}", version(), hash('7'))));
    assert!(link(&first, "prev").is_none(), "nothing is newer than the first page");

    let older = link(&first, "next").expect("an older page");
    let second = html(&node, &older, &session).await;
    assert_eq!(sequences(&second), (0..30).rev().collect::<Vec<_>>());
    assert!(second.contains(&format!("released {} (version {}) to {partner}", objects[0], version())));
    assert!(second.contains("[attribute]"), "obligations are spelled out");
    assert!(link(&second, "next").is_none(), "entry 0 is the oldest");
    let newer = link(&second, "prev").expect("back to newer entries");
    let back = html(&node, &newer, &session).await;
    assert_eq!(sequences(&back), (30..80).rev().collect::<Vec<_>>());
}

#[tokio::test]
async fn searches_narrow_by_kind_subject_and_partner() {
    let node = Node::start().await;
    let partner = id("identity");
    let other = id("identity");
    let objects = fill(&node, &partner, 5);
    fill(&node, &other, 3);
    let session = sign_in(&node, &node.tokens.admin).await;

    let receptions = html(&node, "/ui/ledger?kind=receive", &session).await;
    assert_eq!(sequences(&receptions), vec![15, 14, 13, 9, 8, 7, 6, 5]);
    let about = html(&node, &format!("/ui/ledger?subject={}", objects[2]), &session).await;
    assert_eq!(sequences(&about), vec![7, 2], "its release and its reception");
    let with_other = html(&node, &format!("/ui/ledger?partner={other}&kind=release"), &session).await;
    assert_eq!(sequences(&with_other), vec![12, 11, 10]);
    let nothing = html(&node, "/ui/ledger?subject=indicator--00000000-0000-4000-8000-000000000000", &session).await;
    assert!(sequences(&nothing).is_empty() && nothing.contains("No entries match"), "{nothing}");

    // Bad searches are refused with what to do, never a server error.
    for (path, status, says) in [
        ("/ui/ledger?kind=gift", StatusCode::BAD_REQUEST, "choose one of"),
        ("/ui/ledger?partner=Atlantis", StatusCode::BAD_REQUEST, "choose a partner"),
        ("/ui/ledger?before=yesterday", StatusCode::BAD_REQUEST, "sequence number"),
        ("/ui/ledger?before=-4", StatusCode::BAD_REQUEST, "start at 0"),
    ] {
        let response = page(&node, path, &session).await;
        assert_eq!(response.status(), status, "{path}");
        assert!(response.text().await.expect("page").contains(says), "{path}");
    }
}

#[tokio::test]
async fn a_changed_entry_breaks_the_verification() {
    let node = Node::start().await;
    let partner = id("identity");
    fill(&node, &partner, 3);
    let session = sign_in(&node, &node.tokens.admin).await;
    let before = html(&node, "/ui/ledger", &session).await;
    assert!(before.contains("<strong>Verified</strong>: 6 entries"), "{before}");
    let (_, head) = node.store.ledger_head().expect("head");
    assert!(before.contains(&head.expect("a head")));

    // An intruder with the database file rewrites entry 1's recipient.
    let database = rusqlite::Connection::open(node.store.path()).expect("database");
    let changed = database
        .execute(
            "UPDATE ledger SET entry = replace(entry, ?1, ?2) WHERE sequence = 1",
            (partner.as_str(), id("identity").as_str()),
        )
        .expect("tamper");
    assert_eq!(changed, 1);
    let after = html(&node, "/ui/ledger", &session).await;
    assert!(after.contains("<strong>Broken</strong>"), "{after}");
    assert!(after.contains("entry 1 was changed"), "{after}");
    assert!(!after.contains("<strong>Verified</strong>"));

    // "Verify now" gives the same verdict, and says so on the page it leads back to.
    let response = post_form(&node, "/ui/ledger/verify", &session, &after, &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(html(&node, "/ui/ledger", &session).await.contains("entry 1 was changed"));
}

#[tokio::test]
async fn only_administrators_read_the_ledger() {
    let node = Node::start().await;
    fill(&node, &id("identity"), 2);
    let admin = sign_in(&node, &node.tokens.admin).await;
    let admin_page = html(&node, "/ui/ledger", &admin).await;
    for token in [&node.tokens.reader, &node.tokens.analyst] {
        let session = sign_in(&node, token).await;
        let response = page(&node, "/ui/ledger", &session).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let text = response.text().await.expect("page");
        assert!(text.contains("shown to administrators") && !text.contains("released indicator--"), "{text}");
        // Posting the form with this session's own token is refused too.
        let own = html(&node, "/ui", &session).await;
        let response = post_form(&node, "/ui/ledger/verify", &session, &own, &[]).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
    }
    assert!(admin_page.contains("released indicator--"));
}

#[tokio::test]
async fn a_search_by_kind_pages_too() {
    let node = Node::start().await;
    let partner = id("identity");
    // Entries of one batch share their time: the pages must still follow the sequence.
    fill(&node, &partner, 60);
    fill(&node, &partner, 10);
    let session = sign_in(&node, &node.tokens.admin).await;
    let first = html(&node, "/ui/ledger?kind=receive", &session).await;
    let mut expected: Vec<i64> = (130..140).rev().chain((60..120).rev()).collect();
    assert_eq!(sequences(&first), expected[..50].to_vec());
    let older = link(&first, "next").expect("older receptions");
    assert!(older.contains("kind=receive"), "{older}");
    let second = html(&node, &older, &session).await;
    assert_eq!(sequences(&second), expected.split_off(50));
    let back = html(&node, &link(&second, "prev").expect("newer receptions"), &session).await;
    assert_eq!(sequences(&back), sequences(&first));
}
