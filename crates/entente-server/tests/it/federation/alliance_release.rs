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
