//! The release decision reads the alliances a node holds: an object received under a
//! treaty whose re-sharing is `alliance-parties` of alliance X goes on from a member of
//! X to another member (with a treaty in force between them), never to a non-member
//! (with a treaty in force all the same).

use super::alliances::{alliance_id, charter, converged, until};
use super::node::{FedNode, conclude, now, recognize_each_other};
use super::sync::{GREEN, add, held, indicator, sharing_treaty};
use entente_core::StixId;
use entente_core::treaty::{Resharing, Treaty};
use entente_store::LedgerQuery;
use serde_json::json;
use std::time::Duration;

/// A sharing treaty between `a` and `b` whose objects may go on to members of `alliance`.
fn alliance_treaty(a: &StixId, b: &StixId, alliance: &StixId) -> Treaty {
    let base = sharing_treaty(a, b);
    let mut body = base.body().clone();
    body.resharing =
        Resharing::from_value(&json!({"to": "alliance-parties", "alliances": [alliance.as_str()]})).expect("resharing");
    Treaty::draft(base.id(), a, now(), &body).expect("treaty")
}

#[tokio::test(flavor = "multi_thread")]
async fn alliance_parties_objects_go_to_members_only() {
    let origin = FedNode::start("Origin", 61).await;
    let member = FedNode::start("Member", 62).await;
    let fellow = FedNode::start("Fellow", 63).await;
    let outsider = FedNode::start("Outsider", 64).await;
    for other in [&origin, &fellow, &outsider] {
        recognize_each_other(&member, other).await;
    }
    // Both may check the originator's seal: only the release decision stands in the way.
    for other in [&fellow, &outsider] {
        recognize_each_other(&origin, other).await;
    }
    let text = charter(&[&member.id, &fellow.id], json!({"rule": "unanimity"}));
    let alliance = alliance_id(&text);
    member.diplomat.found_alliance(&text, now()).expect("found");
    until(&fellow, &alliance, "the charter arrives", |view| view.acts >= 1).await;
    fellow.diplomat.sign_alliance(&alliance, now()).expect("sign");
    converged(&[&member, &fellow], &alliance, 1, &[&member, &fellow]).await;

    conclude(&origin, &member, &alliance_treaty(&origin.id, &member.id, &alliance)).await;
    conclude(&member, &fellow, &sharing_treaty(&member.id, &fellow.id)).await;
    conclude(&member, &outsider, &sharing_treaty(&member.id, &outsider.id)).await;

    let object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().expect("present").to_owned();
    add(&origin, &[object]);
    let started = std::time::Instant::now();
    while !held(&fellow.store).contains(&id) {
        assert!(started.elapsed() < Duration::from_secs(40), "the object never reached the fellow member");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(held(&member.store).contains(&id));
    // Give the outsider's pulls time to run, then check nothing reached it.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(!held(&outsider.store).contains(&id), "a non-member received an alliance-parties object");
    let releases = member
        .store
        .ledger_rows(&LedgerQuery { kinds: vec!["release".into()], limit: 100, ..LedgerQuery::default() })
        .expect("ledger");
    let recipients: Vec<String> = releases
        .iter()
        .map(|row| {
            serde_json::from_str::<serde_json::Value>(&row.entry).expect("entry")["event"]["recipient"].to_string()
        })
        .collect();
    assert_eq!(recipients, [format!("{:?}", fellow.id.as_str())], "released to the fellow member only");
}

#[tokio::test(flavor = "multi_thread")]
async fn members_of_an_alliance_share_under_its_charter_without_a_treaty() {
    let north = FedNode::start("North", 71).await;
    let south = FedNode::start("South", 72).await;
    let stranger = FedNode::start("Stranger", 73).await;
    recognize_each_other(&north, &south).await;
    recognize_each_other(&north, &stranger).await;
    let mut text = charter(&[&north.id, &south.id], json!({"rule": "unanimity"}));
    // Sync does not yet encrypt end to end: the charter asks for encryption where it may.
    text["terms"]["encrypt_in_transit"] = json!("may");
    text["terms"]["attribution"] = json!("may");
    let alliance = alliance_id(&text);
    north.diplomat.found_alliance(&text, now()).expect("found");
    until(&south, &alliance, "the charter arrives", |view| view.acts >= 1).await;
    south.diplomat.sign_alliance(&alliance, now()).expect("sign");
    converged(&[&north, &south], &alliance, 1, &[&north, &south]).await;
    assert_eq!(north.relation(&south).state, "recognized", "no treaty between the two");

    let object = indicator(&[GREEN], &["cyber"]);
    let id = object["id"].as_str().expect("present").to_owned();
    add(&north, &[object]);
    let started = std::time::Instant::now();
    while !held(&south.store).contains(&id) {
        assert!(started.elapsed() < Duration::from_secs(40), "the member never received it under the charter");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The release names the charter; the recognized non-member gets nothing.
    let charter_hash = north.diplomat.alliance(&alliance, now()).expect("view").charter_hash;
    let releases = north
        .store
        .ledger_rows(&LedgerQuery { kinds: vec!["release".into()], limit: 10, ..LedgerQuery::default() })
        .expect("ledger");
    assert_eq!(releases.len(), 1);
    assert!(releases[0].entry.contains(&charter_hash), "released under the charter: {}", releases[0].entry);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert!(!held(&stranger.store).contains(&id), "a recognized non-member received it");
}
