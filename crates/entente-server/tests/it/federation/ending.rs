//! What happens to received material when a treaty ends, between real nodes: with
//! `on_termination: purge` each side deletes what it received from the other under the
//! treaty (but not what it originated, nor what a partner still in force sent it too)
//! and both ledgers record it; with `keep` the material stays and the ending is
//! recorded; suspension and a notice still running end nothing.

use super::node::{FedNode, conclude, eventually, now, recognize_each_other, seconds_from_now, settle};
use super::sync::{GREEN, add, held, indicator, ledger, sharing_treaty};
use entente_core::StixId;
use entente_core::ledger::EntryKind;
use entente_core::treaty::{Disposition, Resharing, Treaty, TreatyBody, TreatyTime};
use entente_server::federation::Syncer;
use entente_store::Store;

/// `base` with its body changed by `change` (a fresh version 1 of the same id).
fn with(base: &Treaty, change: impl FnOnce(&mut TreatyBody)) -> Treaty {
    let mut body = base.body().clone();
    change(&mut body);
    Treaty::draft(base.id(), base.proposed_by(), now(), &body).expect("treaty")
}

/// A sharing treaty (no notice period) that says what happens to received material.
fn ending_with(a: &StixId, b: &StixId, disposition: Option<Disposition>) -> Treaty {
    with(&sharing_treaty(a, b), |body| body.terms.on_termination = disposition)
}

/// A sharing treaty whose recipients may pass on what they receive to their own
/// treaty partners, covering only objects labelled `labels` (any object when empty).
fn relaying(a: &StixId, b: &StixId, labels: &[&str]) -> Treaty {
    with(&sharing_treaty(a, b), |body| {
        body.resharing = Resharing::TreatyPartners;
        body.scope.labels = labels.iter().map(|label| (*label).to_owned()).collect();
    })
}

fn syncer(node: &FedNode) -> Syncer {
    Syncer::new(node.diplomat.clone(), Default::default())
}

/// Runs pulls on every node until nothing moves.
async fn pull_everywhere(nodes: &[&FedNode]) {
    for _ in 0..3 {
        for node in nodes {
            syncer(node).pull_now(&Default::default(), None, &|_, _| {}).await.expect("pull");
        }
    }
}

fn holds(store: &Store, id: &str) -> bool {
    held(store).iter().any(|held| held == id)
}

/// Whether `store` records receiving this version from `partner` (its feed for that
/// partner marks it as an echo).
fn received_from(store: &Store, id: &str, partner: &FedNode) -> bool {
    store.feed_rows(None, 10_000, partner.id.as_str()).expect("feed").iter().any(|row| row.stix_id == id && row.echo)
}

/// A node's `treaty-ended` entries (with whom, what disposition) and `purged` entries
/// (from whom, how many versions removed and retained).
type Endings = (Vec<(StixId, Disposition)>, Vec<(StixId, u64, u64)>);

fn endings(store: &Store) -> Endings {
    let (mut ended, mut purged) = (Vec::new(), Vec::new());
    for entry in ledger(store) {
        match entry.kind {
            EntryKind::TreatyEnded { with, disposition, .. } => ended.push((with, disposition)),
            EntryKind::Purged { from, removed, retained, .. } => purged.push((from, removed, retained)),
            _ => {}
        }
    }
    (ended, purged)
}

fn id_of(object: &serde_json::Value) -> String {
    object["id"].as_str().expect("an id").to_owned()
}

#[tokio::test]
async fn a_purge_deletes_what_each_side_received_but_not_what_it_also_holds_otherwise() {
    let a = FedNode::start("Alpha", 71).await;
    let b = FedNode::start("Bravo", 72).await;
    let c = FedNode::start("Charlie", 73).await;
    for (x, y) in [(&a, &b), (&a, &c), (&c, &b)] {
        recognize_each_other(x, y).await;
    }
    let treaty = ending_with(&a.id, &b.id, Some(Disposition::Purge));
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");
    // Alpha shares with Charlie only what is labelled "shared"; Charlie relays to Bravo.
    assert_eq!(conclude(&a, &c, &relaying(&a.id, &c.id, &["shared"])).await.state, "in-force");
    assert_eq!(conclude(&c, &b, &relaying(&c.id, &b.id, &[])).await.state, "in-force");

    let only_from_alpha = indicator(&[GREEN], &["cyber"]);
    let also_via_charlie = indicator(&[GREEN], &["cyber", "shared"]);
    let bravos_own = indicator(&[GREEN], &["cyber"]);
    add(&a, &[only_from_alpha.clone(), also_via_charlie.clone()]);
    add(&b, std::slice::from_ref(&bravos_own));
    let (only, shared, own) = (id_of(&only_from_alpha), id_of(&also_via_charlie), id_of(&bravos_own));
    pull_everywhere(&[&a, &b, &c]).await;
    assert!(holds(&b.store, &only) && received_from(&b.store, &only, &a));
    assert!(received_from(&b.store, &shared, &a) && received_from(&b.store, &shared, &c), "Bravo got it twice");
    assert!(holds(&a.store, &own) && received_from(&a.store, &own, &b), "Alpha received Bravo's own indicator");

    // Terminated with no notice: it takes effect at once, on both sides.
    a.diplomat.terminate(&b.id, Some("the cooperation ends"), now()).expect("terminate");
    assert_eq!(settle(&a, &b).await.state, "terminated");
    eventually("both sides carry the ending out", || {
        (endings(&a.store).1.len() == 1 && endings(&b.store).1.len() == 1).then_some(())
    })
    .await;

    // Bravo: what only Alpha sent is gone; what Charlie (still in force) sent too stays,
    // and so does what Bravo originated. Alpha: what Bravo sent is gone, its own stays.
    assert!(!holds(&b.store, &only), "Bravo purged what it received from Alpha only");
    assert!(holds(&b.store, &shared), "Bravo keeps what Charlie, still in force, sent too");
    assert!(holds(&b.store, &own), "Bravo keeps what it originated");
    assert!(!holds(&a.store, &own), "Alpha purged what it received from Bravo");
    assert!(holds(&a.store, &only) && holds(&a.store, &shared), "Alpha keeps what it originated");
    assert!(holds(&c.store, &shared) && holds(&c.store, &own), "Charlie's treaties did not end");

    // Recorded on both sides: the ending (for what each released, what the other must
    // do) and the purge of what each received.
    assert_eq!(endings(&a.store), (vec![(b.id.clone(), Disposition::Purge)], vec![(b.id.clone(), 1, 0)]));
    assert_eq!(endings(&b.store), (vec![(a.id.clone(), Disposition::Purge)], vec![(a.id.clone(), 1, 1)]));
    let row = &b.store.treaty_endings().expect("endings")[0];
    assert_eq!(
        (row.treaty.as_str(), row.ending.as_str(), row.removed, row.retained),
        (treaty.hash().as_str(), "terminated", 1, 1)
    );

    // Once: checking again (as `entente sync settle` does) carries out nothing more.
    for node in [&a, &b] {
        assert!(syncer(node).settle_endings(now()).expect("settle").is_empty());
        assert_eq!(endings(&node.store).0.len(), 1);
    }
}

#[tokio::test]
async fn with_keep_the_material_stays_and_the_ending_is_recorded_on_both_sides() {
    for written in [Some(Disposition::Keep), None] {
        let a = FedNode::start("Alpha", 74).await;
        let b = FedNode::start("Bravo", 75).await;
        recognize_each_other(&a, &b).await;
        assert_eq!(conclude(&a, &b, &ending_with(&a.id, &b.id, written)).await.state, "in-force");
        let object = indicator(&[GREEN], &["cyber"]);
        add(&a, std::slice::from_ref(&object));
        pull_everywhere(&[&a, &b]).await;
        assert!(holds(&b.store, &id_of(&object)));

        b.diplomat.terminate(&a.id, None, now()).expect("terminate");
        assert_eq!(settle(&a, &b).await.state, "terminated");
        eventually("both sides record the ending", || {
            (!endings(&a.store).0.is_empty() && !endings(&b.store).0.is_empty()).then_some(())
        })
        .await;
        assert!(holds(&b.store, &id_of(&object)), "kept ({written:?})");
        assert_eq!(endings(&a.store), (vec![(b.id.clone(), Disposition::Keep)], vec![]));
        assert_eq!(endings(&b.store), (vec![(a.id.clone(), Disposition::Keep)], vec![]));
        let row = &b.store.treaty_endings().expect("endings")[0];
        assert_eq!((row.disposition.as_str(), row.removed, row.retained), ("keep", 0, 1));
    }
}

#[tokio::test]
async fn suspension_and_a_running_notice_end_nothing() {
    let a = FedNode::start("Alpha", 76).await;
    let b = FedNode::start("Bravo", 77).await;
    recognize_each_other(&a, &b).await;
    let treaty = with(&ending_with(&a.id, &b.id, Some(Disposition::Purge)), |body| body.notice_period_days = 30);
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");
    let object = indicator(&[GREEN], &["cyber"]);
    add(&a, std::slice::from_ref(&object));
    pull_everywhere(&[&a, &b]).await;
    assert!(holds(&b.store, &id_of(&object)));

    let nothing_ended = |stage: &str| {
        for node in [&a, &b] {
            assert!(syncer(node).settle_endings(now()).expect("settle").is_empty(), "{stage}: {}", node.name);
            assert_eq!(endings(&node.store), (vec![], vec![]), "{stage}: {}", node.name);
            assert!(node.store.treaty_endings().expect("endings").is_empty());
        }
        assert!(holds(&b.store, &id_of(&object)), "{stage}: Bravo still holds the indicator");
    };
    a.diplomat.suspend(&b.id, Some("an inquiry"), now()).expect("suspend");
    assert_eq!(settle(&a, &b).await.state, "suspended");
    // Let the background check run at least once.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    nothing_ended("suspended");

    a.diplomat.terminate(&b.id, Some("the inquiry failed"), now()).expect("terminate");
    let view = settle(&a, &b).await;
    assert!(view.termination_effective.is_some(), "the notice runs: {view:?}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    nothing_ended("notice running");
}

#[tokio::test]
async fn a_treaty_that_expires_is_carried_out_like_a_termination() {
    let a = FedNode::start("Alpha", 78).await;
    let b = FedNode::start("Bravo", 79).await;
    recognize_each_other(&a, &b).await;
    let ends_at = seconds_from_now(6);
    let treaty = with(&ending_with(&a.id, &b.id, Some(Disposition::Purge)), |body| {
        body.terms.end_date = Some(TreatyTime::from(ends_at));
    });
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");
    let object = indicator(&[GREEN], &["cyber"]);
    add(&a, std::slice::from_ref(&object));
    pull_everywhere(&[&a, &b]).await;
    assert!(holds(&b.store, &id_of(&object)));
    assert!(syncer(&b).settle_endings(now()).expect("settle").is_empty(), "in force until its end date");

    eventually("the treaty expires and Bravo purges", || (!holds(&b.store, &id_of(&object))).then_some(())).await;
    assert!(now() >= ends_at);
    assert_eq!(endings(&b.store), (vec![(a.id.clone(), Disposition::Purge)], vec![(a.id.clone(), 1, 0)]));
    assert_eq!(b.store.treaty_endings().expect("endings")[0].ending, "expired");
    eventually("Alpha records the ending too", || (!endings(&a.store).0.is_empty()).then_some(())).await;
    assert_eq!(endings(&a.store), (vec![(b.id.clone(), Disposition::Purge)], vec![(b.id.clone(), 0, 0)]));
}
