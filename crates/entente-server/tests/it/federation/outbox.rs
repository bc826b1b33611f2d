//! The outbox: a note sent while its partner is down waits, is retried with backoff,
//! and is applied exactly once when the partner is back on the same address, even
//! when an acknowledgement was lost.

use super::node::{FedNode, conclude, eventually, now, recognize_each_other, seconds_from_now, settle};
use super::treaty::{draft, json};
use entente_core::treaty::{Treaty, TreatyTime};
use entente_store::OutboxItem;
use std::time::Duration;

/// The undelivered outbox rows of `node` for `partner`, whether due or not.
fn undelivered(node: &FedNode, partner: &FedNode) -> Vec<OutboxItem> {
    let items = node.store.due_outbox(i64::MAX, 64).expect("outbox");
    items.into_iter().filter(|item| item.partner == partner.id.as_str()).collect()
}

/// Waits until `node`'s outbox has failed to deliver to `partner` `attempts` times.
async fn failed_attempts(node: &FedNode, partner: &FedNode, attempts: i64) -> OutboxItem {
    eventually(&format!("{attempts} failed deliveries to {}", partner.name), || {
        undelivered(node, partner).into_iter().next().filter(|item| item.attempts >= attempts)
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_sent_while_the_partner_is_down_arrives_once_after_its_restart() {
    let a = FedNode::start("CERT-A", 1).await;
    let mut b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    b.stop().await;

    let treaty = draft(&[&a.id, &b.id], &a.id, 0);
    let sent = a.diplomat.propose(&b.id, &json(&treaty), now()).expect("propose while B is down");
    assert_eq!(a.store.pending_outbox().expect("outbox"), vec![(b.id.to_string(), 1)]);
    let waiting = failed_attempts(&a, &b, 1).await;
    assert_eq!(waiting.note_id, sent.as_str());
    assert_eq!(a.relation(&b).state, "negotiating");
    assert_eq!(b.relation(&a).state, "recognized", "B has not heard yet");

    let b = b.restart().await;
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "negotiating");
    assert_eq!(view.draft.as_deref(), Some(treaty.hash().as_str()));
    assert_eq!(view.notes, 3, "applied exactly once");
    assert!(a.store.pending_outbox().expect("outbox").is_empty());
    let received = b.store.note(sent.as_str()).expect("note").expect("B recorded the note");
    assert_eq!(received.direction, entente_store::Direction::Received);

    // The acknowledgement of that delivery is lost and the note comes again.
    let text = a.store.note(sent.as_str()).expect("note").expect("A keeps its note").json;
    let response = b.post_note(&text).await;
    assert_eq!(response.status(), 409);
    let body: serde_json::Value = response.json().await.expect("error body");
    assert_eq!(body["error_code"], "replayed-note");
    assert_eq!(settle(&a, &b).await.notes, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_redelivery_after_a_lost_acknowledgement_counts_as_delivered() {
    let a = FedNode::start("CERT-A", 1).await;
    let mut b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    b.stop().await;

    let sent = a.diplomat.propose(&b.id, &json(&draft(&[&a.id, &b.id], &a.id, 0)), now()).expect("propose");
    // After two failures the next attempt is two seconds away: time enough to deliver
    // the note by hand first, as an attempt whose answer never came back would have.
    failed_attempts(&a, &b, 2).await;
    let b = b.restart().await;
    let text = a.store.note(sent.as_str()).expect("note").expect("A keeps its note").json;
    let response = b.post_note(&text).await;
    assert_eq!(response.status(), 200, "the first delivery");
    assert_eq!(undelivered(&a, &b).len(), 1, "A never heard that it arrived");

    let view = settle(&a, &b).await;
    assert_eq!(view.notes, 3, "applied exactly once");
    assert_eq!(view.state, "negotiating");
    assert!(undelivered(&a, &b).is_empty(), "the replayed-note answer counts as delivered");
}

/// A note written before the treaty's end but delivered after it is applied at its
/// own date, as its sender applied it, so both sides still agree.
#[tokio::test(flavor = "multi_thread")]
async fn a_note_delayed_past_the_treaty_end_is_applied_as_its_sender_applied_it() {
    let a = FedNode::start("CERT-A", 1).await;
    let mut b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let ends = seconds_from_now(3);
    let template = draft(&[&a.id, &b.id], &a.id, 0);
    let mut body = template.body().clone();
    body.terms.end_date = Some(TreatyTime::from(ends));
    let treaty = Treaty::draft(template.id(), &a.id, now(), &body).expect("a treaty of three seconds");
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force", "signed before the end");

    b.stop().await;
    a.diplomat.suspend(&b.id, None, now()).expect("suspend before the end");
    let wait = ends.unix_micros() - now().unix_micros() + 100_000;
    tokio::time::sleep(Duration::from_micros(u64::try_from(wait).unwrap_or(0))).await;
    let b = b.restart().await;
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "terminated", "the treaty expired");
    assert_eq!(view.notes, 2 + 4 + 1);
}
