//! Bad notes POSTed to `/federation/v1/notes` are refused with a precise status and
//! `error_code`, and change nothing on the receiver: not the relation, not the note
//! history, not the pinned keys.

use super::node::{FedNode, conclude, now, recognize_each_other, seconds_from_now, settle};
use super::treaty::{draft, json};
use entente_core::node::NodeKey;
use entente_core::note::{NoteBody, NoteId, UnsignedNote};
use entente_core::treaty::{TreatyHash, TreatyTime};
use entente_core::{StixId, Timestamp};
use serde_json::Value;

/// A note in `from`'s name to `to`, signed with `key`.
pub fn note(
    from: &StixId,
    to: &StixId,
    key: &NodeKey,
    created: Timestamp,
    in_reply_to: Option<NoteId>,
    body: NoteBody,
) -> String {
    let id = NoteId::from_random_bytes(uuid::Uuid::new_v4().into_bytes());
    UnsignedNote { id, sender: from.clone(), recipient: to.clone(), created, in_reply_to, body }.sign(key).to_json()
}

/// The last note `node` holds with `partner`: the one a new note answers.
pub fn last_note(node: &FedNode, partner: &FedNode) -> Option<NoteId> {
    let notes = node.store.notes_with(partner.id.as_str()).expect("notes");
    notes.last().map(|record| NoteId::parse(&record.id).expect("note id"))
}

/// Everything `receiver` knows about `sender`: the relation view, the history and the keys.
fn snapshot(receiver: &FedNode, sender: &StixId) -> (Value, usize, Value) {
    let view = receiver.diplomat.relation(sender, now()).expect("relation");
    let notes = receiver.store.notes_with(sender.as_str()).expect("notes").len();
    let keys = serde_json::to_value(receiver.store.partner_keys(sender.as_str()).expect("keys")).expect("keys JSON");
    (serde_json::to_value(view).expect("view JSON"), notes, keys)
}

/// POSTs `text` to `receiver`, expects the refusal `status`/`code`, and checks that
/// nothing changed about `sender`. Returns the error body.
pub async fn assert_refused(receiver: &FedNode, sender: &StixId, text: &str, status: u16, code: &str) -> Value {
    let before = snapshot(receiver, sender);
    let response = receiver.post_note(text).await;
    assert_eq!(response.status(), status, "status of a note refused as {code}");
    let body: Value = response.json().await.expect("error body");
    assert_eq!(body["error_code"], code, "{body}");
    assert_eq!(body["http_status"], status.to_string(), "{body}");
    assert!(body["title"].as_str().is_some_and(|title| !title.is_empty()), "{body}");
    assert_eq!(snapshot(receiver, sender), before, "a refused {code} note changed nothing");
    body
}

/// POSTs `text` and expects it to be received.
pub async fn assert_received(receiver: &FedNode, text: &str) {
    let response = receiver.post_note(text).await;
    let status = response.status();
    let body: Value = response.json().await.expect("answer body");
    assert_eq!(status, 200, "{body}");
    let sent: Value = serde_json::from_str(text).expect("note JSON");
    assert_eq!(body["received"], sent["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_notes_are_refused_over_http_and_change_nothing() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let c = FedNode::start("CERT-C", 3).await;
    recognize_each_other(&a, &b).await;
    let (a_id, b_id) = (&a.id, &b.id);
    let reply = last_note(&b, &a);
    let proposal = NoteBody::Propose { treaty: json(&draft(&[a_id, b_id], a_id, 0)) };
    let good = note(a_id, b_id, &a.key(), now(), reply.clone(), proposal.clone());

    // A body member changed after signing.
    let mut tampered: Value = serde_json::from_str(&good).expect("note JSON");
    tampered["body"]["treaty"]["terms"]["tlp"] = "clear".into();
    assert_refused(&b, a_id, &tampered.to_string(), 403, "bad-signature").await;
    let mut unsigned: Value = serde_json::from_str(&good).expect("note JSON");
    unsigned.as_object_mut().expect("object").remove("signature");
    assert_refused(&b, a_id, &unsigned.to_string(), 400, "malformed-note").await;

    // Addressed to C, delivered to B.
    let misaddressed = note(a_id, &c.id, &a.key(), now(), reply.clone(), proposal.clone());
    assert_refused(&b, a_id, &misaddressed, 400, "misaddressed").await;

    // A key B never pinned, in A's name; and a sender B never recognized.
    let impostor = note(a_id, b_id, &NodeKey::from_seed([77; 32]), now(), reply.clone(), proposal.clone());
    assert_refused(&b, a_id, &impostor, 403, "unknown-key").await;
    let stranger = note(&c.id, b_id, &c.key(), now(), None, NoteBody::Resume);
    assert_refused(&b, a_id, &stranger, 403, "unknown-sender").await;
    assert!(b.diplomat.relation(&c.id, now()).is_err(), "B learned nothing of C");

    // Outside the 300 s skew window, either way.
    for created in [seconds_from_now(-301), seconds_from_now(301)] {
        let stale = note(a_id, b_id, &a.key(), created, reply.clone(), proposal.clone());
        assert_refused(&b, a_id, &stale, 400, "stale-note").await;
    }

    // Answers a note B never saw; an accept that answers nothing.
    let unknown = NoteId::from_random_bytes([9; 16]);
    let dangling = note(a_id, b_id, &a.key(), now(), Some(unknown), proposal.clone());
    assert_refused(&b, a_id, &dangling, 409, "unknown-reference").await;
    let nothing = TreatyHash::parse(&format!("sha256:{}", "0".repeat(64))).expect("hash");
    let unanswering = note(a_id, b_id, &a.key(), now(), None, NoteBody::Accept { treaty_hash: nothing.clone() });
    assert_refused(&b, a_id, &unanswering, 400, "missing-reference").await;

    // A legal note with an illegal move: accept while nothing is proposed.
    let accept = note(a_id, b_id, &a.key(), now(), reply.clone(), NoteBody::Accept { treaty_hash: nothing });
    let body = assert_refused(&b, a_id, &accept, 409, "illegal-move").await;
    let title = body["title"].as_str().unwrap_or_default();
    assert!(title.contains("recognized") && title.contains("propose"), "says the state and what is allowed: {title}");

    // The untampered note is received once; the same note again is a replay.
    assert_received(&b, &good).await;
    let after = b.relation(&a);
    assert_eq!((after.state.as_str(), after.notes), ("negotiating", 3));
    assert_refused(&b, a_id, &good, 409, "replayed-note").await;
    assert_eq!(b.relation(&a).notes, 3);
}

/// A note is judged at its own creation time, the time replay will apply it at: a
/// note dated after the treaty's end (yet within the skew window) cannot move a
/// relation that replay will find expired, so a partner cannot corrupt our records.
#[tokio::test(flavor = "multi_thread")]
async fn a_note_dated_after_the_treaty_ended_is_refused() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let ends = seconds_from_now(60);
    let template = draft(&[&a.id, &b.id], &a.id, 0);
    let mut body = template.body().clone();
    body.terms.end_date = Some(TreatyTime::from(ends));
    let treaty = entente_core::treaty::Treaty::draft(template.id(), &a.id, now(), &body).expect("treaty");
    assert_eq!(conclude(&a, &b, &treaty).await.state, "in-force");

    let late =
        note(&a.id, &b.id, &a.key(), seconds_from_now(120), last_note(&b, &a), NoteBody::Suspend { reason: None });
    assert_refused(&b, &a.id, &late, 409, "illegal-move").await;
    assert_eq!(b.relation(&a).state, "in-force");
    assert_eq!(b.diplomat.relation(&a.id, ends).expect("view at the end").state, "terminated");
    settle(&a, &b).await;
}
