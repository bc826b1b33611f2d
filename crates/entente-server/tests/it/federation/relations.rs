//! Bilateral relations end to end: recognition, a negotiation with a counter-proposal,
//! signature by both, suspension, resumption, amendment and termination with and
//! without a notice period.

use super::node::{FedNode, eventually, now, recognize_each_other, settle};
use super::treaty::{counter, draft, json};
use entente_core::treaty::Treaty;

/// Negotiates `v1` (proposed by `a`) through a counter-proposal by `b`, accepted by
/// `a` and signed by both; returns the text in force.
async fn negotiate_and_sign(a: &FedNode, b: &FedNode, v1: &Treaty) -> Treaty {
    a.diplomat.propose(&b.id, &json(v1), now()).expect("propose");
    let view = settle(a, b).await;
    assert_eq!(view.state, "negotiating");
    assert_eq!(view.draft.as_deref(), Some(v1.hash().as_str()));
    assert_eq!(b.relation(a).allowed_moves, ["counter", "accept", "reject", "terminate"]);

    let v2 = counter(v1, &b.id, "Counter-terrorism and cyber intelligence sharing (counter-proposal)");
    assert_eq!(v2.version(), 2);
    assert_eq!(v2.supersedes(), Some(v1.hash()));
    b.diplomat.counter(&a.id, &json(&v2), now()).expect("counter");
    let view = settle(a, b).await;
    assert_eq!(view.draft.as_deref(), Some(v2.hash().as_str()));
    assert!(!view.draft_accepted);

    a.diplomat.accept(&b.id, now()).expect("accept");
    let view = settle(a, b).await;
    assert!(view.draft_accepted);
    assert_eq!(view.state, "negotiating");

    a.diplomat.sign(&b.id, now()).expect("sign by a");
    let view = settle(a, b).await;
    assert_eq!(view.state, "negotiating", "one signature of two is not enough");
    assert_eq!(view.treaty_in_force, None);

    b.diplomat.sign(&a.id, now()).expect("sign by b");
    let view = settle(a, b).await;
    assert_eq!(view.state, "in-force");
    assert_eq!(view.treaty_in_force.as_deref(), Some(v2.hash().as_str()));
    assert_eq!(view.draft, None);
    for node in [a, b] {
        let signatures = node.store.treaty_signatures(v2.hash().as_str()).expect("signatures");
        let parties: Vec<&str> = signatures.iter().map(|signature| signature.party.as_str()).collect();
        let mut expected = vec![a.id.as_str(), b.id.as_str()];
        expected.sort();
        assert_eq!(parties, expected, "{} keeps both signatures", node.name);
        assert!(node.store.treaty(v1.hash().as_str()).expect("treaty").is_some(), "{} keeps version 1", node.name);
    }
    v2
}

#[tokio::test(flavor = "multi_thread")]
async fn nodes_fetch_cards_and_recognize_each_other() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;

    let card = b.fetch_card().await;
    let contact = a.diplomat.contact(&card, now()).expect("contact");
    assert_eq!(contact.fingerprint, b.key().fingerprint());
    assert_eq!(a.relation(&b).state, "contact");
    assert_eq!(a.relation(&b).allowed_moves, ["recognize"]);
    let wrong = a.key().fingerprint();
    let error = a.diplomat.recognize(&b.id, &wrong, now()).expect_err("a wrong fingerprint pins nothing");
    assert_eq!(error.code(), "fingerprint-mismatch");
    assert_eq!(a.relation(&b).notes, 0);
    assert!(a.diplomat.contact(&a.fetch_card().await, now()).is_err(), "a node does not contact itself");

    // Fingerprints are compared as people read them aloud: case and separators aside.
    let spoken = contact.fingerprint.replace(':', " ").to_lowercase();
    a.diplomat.recognize(&b.id, &spoken, now()).expect("recognize");
    let ours = a.relation(&b);
    assert_eq!((ours.state.as_str(), ours.recognized_by_us, ours.recognized_by_partner), ("contact", true, false));

    // B hears of A first through A's note, which carries A's card. It counts as A's
    // recognition only once B's operator has confirmed the key that signed it.
    let theirs = eventually("A's recognize note reaches B", || {
        b.diplomat.relation(&a.id, now()).ok().filter(|view| view.notes == 1)
    })
    .await;
    assert_eq!(theirs.state, "contact");
    assert!(!theirs.recognized_by_us && !theirs.recognized_by_partner, "{theirs:?}");
    assert_eq!(theirs.partner.fingerprint, a.key().fingerprint(), "the card came with the note");
    assert_eq!(a.pending_for(&b), 0);

    let card = a.fetch_card().await;
    let contact = b.diplomat.contact(&card, now()).expect("contact");
    assert_eq!(contact.fingerprint, a.key().fingerprint());
    b.diplomat.recognize(&a.id, &contact.fingerprint, now()).expect("recognize");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "recognized");
    assert_eq!(view.notes, 2);
    assert_eq!(view.allowed_moves, ["propose"]);
    let error = a.diplomat.recognize(&b.id, &b.key().fingerprint(), now()).expect_err("recognize twice");
    assert_eq!(error.code(), "illegal-move", "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bilateral_treaty_is_negotiated_signed_suspended_resumed_and_terminated() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let v1 = draft(&[&a.id, &b.id], &a.id, 0);
    let in_force = negotiate_and_sign(&a, &b, &v1).await;

    a.diplomat.suspend(&b.id, Some("Investigating a leak."), now()).expect("suspend");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "suspended");
    assert_eq!(view.treaty_in_force, None, "nothing is in force while suspended");
    assert_eq!(a.relation(&b).allowed_moves, ["resume", "terminate"]);
    assert_eq!(b.relation(&a).allowed_moves, ["terminate"], "only the suspending side resumes");
    assert_eq!(b.diplomat.resume(&a.id, now()).expect_err("B did not suspend").code(), "illegal-move");

    a.diplomat.resume(&b.id, now()).expect("resume");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "in-force");
    assert_eq!(view.treaty_in_force.as_deref(), Some(in_force.hash().as_str()));

    b.diplomat.terminate(&a.id, Some("The partnership has run its course."), now()).expect("terminate");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "terminated", "a notice period of 0 days ends the relation at once");
    assert_eq!(view.treaty_in_force, None);
    assert!(view.allowed_moves.is_empty());
    assert_eq!(view.notes, 2 + 5 + 3);
    assert_eq!(a.diplomat.suspend(&b.id, None, now()).expect_err("nothing left").code(), "illegal-move");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_amendment_in_force_supersedes_the_earlier_version() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let v2 = negotiate_and_sign(&a, &b, &draft(&[&a.id, &b.id], &a.id, 0)).await;

    let v3 = counter(&v2, &a.id, "Amended: adds defence cooperation");
    a.diplomat.amend(&b.id, &json(&v3), now()).expect("amend");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "in-force");
    assert_eq!(view.treaty_in_force.as_deref(), Some(v2.hash().as_str()), "the old text stays in force meanwhile");
    assert_eq!(view.draft.as_deref(), Some(v3.hash().as_str()));

    b.diplomat.accept(&a.id, now()).expect("accept the amendment");
    settle(&a, &b).await;
    b.diplomat.sign(&a.id, now()).expect("sign by b");
    a.diplomat.sign(&b.id, now()).expect("sign by a");
    let view = settle(&a, &b).await;
    assert_eq!(view.treaty_in_force.as_deref(), Some(v3.hash().as_str()));
    assert_eq!(view.draft, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_termination_with_notice_takes_effect_only_when_the_notice_has_run() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    let treaty = negotiate_and_sign(&a, &b, &draft(&[&a.id, &b.id], &a.id, 30)).await;

    let noticed = now();
    b.diplomat.terminate(&a.id, None, noticed).expect("terminate");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "in-force", "the treaty stays in force during the notice period");
    assert_eq!(view.treaty_in_force.as_deref(), Some(treaty.hash().as_str()));
    let effective = view.termination_effective.clone().expect("a pending termination is shown");
    let due = entente_core::Timestamp::parse(&effective).expect("effective date");
    assert_eq!(due.unix_micros() - noticed.unix_micros(), 30 * 86_400 * 1_000_000);
    assert_eq!(view.allowed_moves, ["suspend"], "a pending termination leaves only suspension");
    assert_eq!(a.diplomat.amend(&b.id, &json(&treaty), now()).expect_err("no amendment now").code(), "illegal-move");

    // Suspension during the notice period is still possible; the end comes all the same.
    a.diplomat.suspend(&b.id, None, now()).expect("suspend during the notice");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "suspended");
    assert_eq!(view.termination_effective.as_deref(), Some(effective.as_str()));

    let just_before = entente_core::Timestamp::from_unix_micros(due.unix_micros() - 1);
    for (us, them) in [(&a, &b), (&b, &a)] {
        let before = us.diplomat.relation(&them.id, just_before).expect("view before the end");
        assert_eq!(before.state, "suspended", "{} one microsecond before the end", us.name);
        let after = us.diplomat.relation(&them.id, due).expect("view at the end");
        assert_eq!(after.state, "terminated", "{} once the notice has run", us.name);
        assert_eq!(after.treaty_in_force, None);
    }
    assert_eq!(a.relation(&b).state, "suspended", "today the notice is still running");
}

/// The history is replayed in the order it was recorded, even when the clock that
/// dated the notes stepped back between two of them.
#[tokio::test(flavor = "multi_thread")]
async fn a_clock_stepping_back_does_not_reorder_the_history() {
    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    recognize_each_other(&a, &b).await;
    a.diplomat.propose(&b.id, &json(&draft(&[&a.id, &b.id], &a.id, 0)), now()).expect("propose");
    let stepped_back = super::node::seconds_from_now(-2);
    a.diplomat.withdraw(&b.id, stepped_back).expect("withdraw");
    let view = settle(&a, &b).await;
    assert_eq!(view.state, "recognized", "the draft was withdrawn");
    assert_eq!(view.notes, 4);
}

/// Before its key is pinned anybody can send a `recognize` note in a partner's name:
/// it records a contact, but only a note signed by the key our operator confirmed
/// counts as the partner's recognition.
#[tokio::test(flavor = "multi_thread")]
async fn a_recognize_note_from_an_impostor_recognizes_nothing() {
    use entente_core::card::{EndpointUrl, Endpoints, KeyEntry, NodeCard, SignedCard};
    use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName};
    use entente_core::note::NoteBody;

    let a = FedNode::start("CERT-A", 1).await;
    let b = FedNode::start("CERT-B", 2).await;
    let impostor = NodeKey::from_seed([66; 32]);
    let url = |path: &str| EndpointUrl::parse(&format!("http://127.0.0.1:9{path}")).expect("URL");
    let card = NodeCard {
        node_id: a.id.clone(),
        name: NodeName::parse("CERT-A").expect("name"),
        country: Some(CountryCode::parse("FR").expect("country")),
        kind: NodeKind::parse("agency").expect("kind"),
        keys: vec![KeyEntry {
            key: impostor.public(),
            valid_from: super::node::seconds_from_now(-60),
            valid_until: None,
        }],
        encryption_key: None,
        endpoints: Endpoints { federation: url("/federation/v1/notes"), taxii: url("/taxii2/") },
        issued: now(),
    };
    let card = SignedCard::sign(card, &impostor).verify().expect("a well-formed card");
    let text = super::refusals::note(&a.id, &b.id, &impostor, now(), None, NoteBody::Recognize { card });
    super::refusals::assert_received(&b, &text).await;
    let view = b.relation(&a);
    assert_eq!((view.state.as_str(), view.recognized_by_partner, view.notes), ("contact", false, 1));

    let card = a.fetch_card().await;
    let contact = b.diplomat.contact(&card, now()).expect("contact");
    b.diplomat.recognize(&a.id, &contact.fingerprint, now()).expect("recognize the real A");
    assert_eq!(b.relation(&a).state, "contact", "the real A has not recognized B yet");
    assert_eq!(b.pending_for(&a), 1);

    let card = b.fetch_card().await;
    let contact = a.diplomat.contact(&card, now()).expect("contact");
    a.diplomat.recognize(&b.id, &contact.fingerprint, now()).expect("recognize");
    eventually("both recognize notes delivered", || (a.pending_for(&b) == 0 && b.pending_for(&a) == 0).then_some(()))
        .await;
    assert_eq!(a.relation(&b).state, "recognized");
    let view = b.relation(&a);
    assert_eq!((view.state.as_str(), view.recognized_by_partner, view.notes), ("recognized", true, 3));
}
