//! Alliances between real nodes: acts travel in `alliance-act` notes, every node they
//! concern keeps them and folds them, and all converge on the same membership version
//! and hash — after a founding, an admission by qualified majority with the candidate's
//! accession, a withdrawal, and acts delivered late or out of order. Forged acts and
//! acts of unrecognized nodes are refused with their codes and leave nothing behind.

use super::node::{FedNode, now, recognize_each_other};
use super::treaty::draft;
use entente_core::StixId;
use entente_core::alliance::{Act, ActBody, AllianceHash, Ballot, ProposalAction};
use entente_core::node::NodeKey;
use entente_core::note::{NoteBody, NoteId, UnsignedNote};
use entente_core::treaty::TreatyTime;
use entente_server::federation::AllianceView;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Acts may cross several hops and queue behind each other: wait longer than for notes.
const PATIENCE: Duration = Duration::from_secs(40);

/// A charter founded by `founders` under `rule`, in force from yesterday for a year.
pub fn charter(founders: &[&StixId], rule: Value) -> Value {
    let treaty = draft(&[founders[0], founders[1]], founders[0], 0).to_value();
    let id = StixId::from_parts("identity", uuid::Uuid::new_v4()).expect("alliance id");
    json!({
        "entente": "1", "type": "alliance-charter", "id": id.as_str(),
        "name": "Sahel Cyber Alliance", "purpose": "To share intelligence on threats in the Sahel.",
        "founders": founders.iter().map(|founder| founder.as_str()).collect::<Vec<_>>(),
        "decision_rule": rule,
        "scope": treaty["scope"], "terms": treaty["terms"],
        "resharing": {"to": "alliance-parties", "alliances": [id.as_str()]},
        "created": now().to_string(),
    })
}

pub fn alliance_id(charter: &Value) -> StixId {
    StixId::parse(charter["id"].as_str().expect("id")).expect("alliance id")
}

fn two_thirds() -> Value {
    json!({"rule": "qualified-majority", "numerator": 2, "denominator": 3})
}

/// Starts nodes with seeds 51, 52… and has every pair recognize each other.
async fn nodes(names: &[&str]) -> Vec<FedNode> {
    let mut started = Vec::new();
    for (seed, name) in (51u8..).zip(names) {
        started.push(FedNode::start(name, seed).await);
    }
    for (index, x) in started.iter().enumerate() {
        for y in &started[index + 1..] {
            recognize_each_other(x, y).await;
        }
    }
    started
}

/// The alliance as `node` folds it, if it holds it.
pub fn view(node: &FedNode, alliance: &StixId) -> Option<AllianceView> {
    node.diplomat.alliances(now()).expect("alliances").into_iter().find(|view| view.id == alliance.as_str())
}

/// Polls until `check` holds for `node`'s view of `alliance`.
pub async fn until(node: &FedNode, alliance: &StixId, what: &str, check: impl Fn(&AllianceView) -> bool) {
    let started = Instant::now();
    loop {
        if view(node, alliance).is_some_and(|view| check(&view)) {
            return;
        }
        assert!(
            started.elapsed() < PATIENCE,
            "{} gave up waiting: {what}; holds {:#?}",
            node.name,
            view(node, alliance)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until every node folds `alliance` to `version` with `members`, and asserts
/// that they all hold the same membership hash.
pub async fn converged(nodes: &[&FedNode], alliance: &StixId, version: u32, members: &[&FedNode]) -> String {
    let mut expected: Vec<String> = members.iter().map(|member| member.id.to_string()).collect();
    expected.sort();
    for node in nodes {
        until(node, alliance, &format!("version {version}"), |view| {
            view.version == Some(version) && view.members == expected
        })
        .await;
    }
    let hashes: Vec<Option<String>> =
        nodes.iter().map(|node| view(node, alliance).expect("present").membership_hash).collect();
    assert!(hashes.iter().all(|hash| hash == &hashes[0] && hash.is_some()), "membership hashes differ: {hashes:?}");
    hashes[0].clone().expect("present")
}

/// The one open proposal of `alliance` as `node` holds it.
fn open_proposal(node: &FedNode, alliance: &StixId) -> AllianceHash {
    let view = view(node, alliance).expect("alliance held");
    let open: Vec<_> = view.polls.iter().filter(|poll| poll.outcome == "open").collect();
    assert_eq!(open.len(), 1, "{view:#?}");
    AllianceHash::parse(&open[0].proposal).expect("hash")
}

#[tokio::test(flavor = "multi_thread")]
async fn three_founders_sign_and_hold_the_same_membership() {
    let all = nodes(&["Dakar", "Bamako", "Niamey"]).await;
    let [a, b, c] = [&all[0], &all[1], &all[2]];
    let text = charter(&[&a.id, &b.id, &c.id], two_thirds());
    let alliance = alliance_id(&text);
    a.diplomat.found_alliance(&text, now()).expect("A founds");
    for founder in [b, c] {
        until(founder, &alliance, "the charter arrives", |view| view.acts >= 1).await;
        founder.diplomat.sign_alliance(&alliance, now()).expect("sign");
    }
    converged(&[a, b, c], &alliance, 1, &[a, b, c]).await;
    let shown = view(a, &alliance).expect("present");
    assert!(shown.founded && shown.in_force && shown.missing_founders.is_empty() && shown.pending.is_empty());
    // A founder signs once; the fold's code says why.
    let error = b.diplomat.sign_alliance(&alliance, now()).expect_err("refused");
    assert_eq!(error.code(), "already-founded");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fourth_node_is_admitted_by_vote_and_a_member_withdraws() {
    let all = nodes(&["Dakar", "Bamako", "Niamey", "Ouagadougou"]).await;
    let [a, b, c, d] = [&all[0], &all[1], &all[2], &all[3]];
    let text = charter(&[&a.id, &b.id, &c.id], two_thirds());
    let alliance = alliance_id(&text);
    a.diplomat.found_alliance(&text, now()).expect("A founds");
    for founder in [b, c] {
        until(founder, &alliance, "the charter arrives", |view| view.acts >= 1).await;
        founder.diplomat.sign_alliance(&alliance, now()).expect("sign");
    }
    let founding = converged(&[a, b, c], &alliance, 1, &[a, b, c]).await;

    // A proposes D; the candidate receives the whole history with the proposal.
    assert_eq!(
        d.diplomat.propose_in_alliance(&alliance, ProposalAction::Admit, &d.id, now()).expect_err("refused").code(),
        "unknown-alliance"
    );
    a.diplomat.propose_in_alliance(&alliance, ProposalAction::Admit, &d.id, now()).expect("propose");
    until(d, &alliance, "D learns its candidacy", |view| view.polls.len() == 1).await;
    let proposal = open_proposal(d, &alliance);
    assert_eq!(view(d, &alliance).expect("present").membership_hash.as_deref(), Some(founding.as_str()));
    let refused = d.diplomat.vote_in_alliance(&alliance, &proposal, Ballot::Yes, now()).expect_err("refused");
    assert_eq!(refused.code(), "not-a-member");

    // Two yes votes of three meet 2/3; the admission waits for D's accession.
    until(b, &alliance, "B holds the proposal", |view| view.polls.len() == 1).await;
    a.diplomat.vote_in_alliance(&alliance, &proposal, Ballot::Yes, now()).expect("A votes");
    b.diplomat.vote_in_alliance(&alliance, &proposal, Ballot::Yes, now()).expect("B votes");
    until(d, &alliance, "D holds both votes", |view| view.polls[0].yes == 2).await;
    assert_eq!(view(a, &alliance).expect("present").version, Some(1), "no member without its accession");
    d.diplomat.accede_to_alliance(&alliance, &proposal, now()).expect("D accedes");
    converged(&[a, b, c, d], &alliance, 2, &[a, b, c, d]).await;

    // C leaves, at once and without a vote.
    c.diplomat.withdraw_from_alliance(&alliance, now()).expect("C withdraws");
    converged(&[a, b, c, d], &alliance, 3, &[a, b, d]).await;
    assert!(view(c, &alliance).expect("present").pending.is_empty());
}

/// A note from `from` to `to` carrying `act` with `charter`.
fn act_note(from: &FedNode, to: &FedNode, charter: &Value, act: Value) -> String {
    UnsignedNote {
        id: NoteId::from_random_bytes(uuid::Uuid::new_v4().into_bytes()),
        sender: from.id.clone(),
        recipient: to.id.clone(),
        created: now(),
        in_reply_to: None,
        body: NoteBody::AllianceAct { charter: charter.clone(), act },
    }
    .sign(&from.key())
    .to_json()
}

/// A founder's signature act on `charter` by `by`, signed with `key`.
fn signature_act(charter: &Value, by: &StixId, key: &NodeKey) -> Value {
    let parsed = entente_core::alliance::Charter::parse(charter).expect("charter");
    let act = Act {
        alliance: parsed.id().clone(),
        charter: parsed.hash().clone(),
        by: by.clone(),
        created: TreatyTime::from(now()),
        body: ActBody::Signature,
    };
    act.sign(key).expect("sign").to_value()
}

async fn assert_refused(response: reqwest::Response, status: u16, code: &str) {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.expect("error body");
    assert_eq!(body["error_code"], code, "{body}");
}

#[tokio::test(flavor = "multi_thread")]
async fn forged_and_unrecognized_acts_are_refused_and_leave_nothing() {
    let all = nodes(&["Dakar", "Bamako"]).await;
    let [a, b] = [&all[0], &all[1]];
    let stranger = StixId::from_parts("identity", uuid::Uuid::new_v4()).expect("present");
    let text = charter(&[&a.id, &b.id, &stranger], two_thirds());

    // B's act, signed with another key than B's: forged.
    let forged = signature_act(&text, &b.id, &NodeKey::from_seed([99; 32]));
    assert_refused(a.post_note(&act_note(b, a, &text, forged)).await, 403, "bad-act-signature").await;
    let mut tampered = signature_act(&text, &b.id, &b.key());
    tampered["created"] = json!("2026-01-01T00:00:00Z");
    assert_refused(a.post_note(&act_note(b, a, &text, tampered)).await, 403, "bad-act-signature").await;
    // A founder A never recognized, its act relayed by B.
    let unknown = signature_act(&text, &stranger, &NodeKey::from_seed([98; 32]));
    assert_refused(a.post_note(&act_note(b, a, &text, unknown)).await, 403, "unrecognized-act-author").await;
    // An act on another charter than the one it travels with; a malformed act.
    let other = charter(&[&a.id, &b.id], two_thirds());
    let misfiled = signature_act(&other, &b.id, &b.key());
    assert_refused(a.post_note(&act_note(b, a, &text, misfiled)).await, 400, "other-charter").await;
    assert_refused(a.post_note(&act_note(b, a, &text, json!({"type": "alliance-vote"}))).await, 400, "bad-act").await;
    assert!(a.store.alliance_charters().expect("present").is_empty(), "nothing stored");
    assert!(a.diplomat.alliances(now()).expect("present").is_empty());

    // The genuine act is kept (pending the other founders); a second copy changes nothing.
    let genuine = signature_act(&text, &b.id, &b.key());
    assert_eq!(a.post_note(&act_note(b, a, &text, genuine.clone())).await.status(), 200);
    assert_eq!(a.post_note(&act_note(b, a, &text, genuine)).await.status(), 200);
    let held = view(a, &alliance_id(&text)).expect("held");
    assert_eq!((held.acts, held.founded, held.missing_founders.len()), (1, false, 2));
    // Another text under the same alliance id is refused.
    let mut rival = text.clone();
    rival["name"] = json!("Another alliance");
    let act = signature_act(&rival, &b.id, &b.key());
    assert_refused(a.post_note(&act_note(b, a, &rival, act)).await, 409, "charter-conflict").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn acts_delivered_late_and_out_of_order_converge() {
    let mut all = nodes(&["Dakar", "Bamako", "Niamey", "Observer"]).await;
    let observer = all.pop().expect("present");
    let mut c = all.pop().expect("present");
    let [a, b] = [&all[0], &all[1]];
    let text = charter(&[&a.id, &b.id], json!({"rule": "unanimity"}));
    let alliance = alliance_id(&text);

    // C is down while the alliance is founded and votes to admit it.
    c.stop().await;
    a.diplomat.found_alliance(&text, now()).expect("A founds");
    until(b, &alliance, "the charter arrives", |view| view.acts >= 1).await;
    b.diplomat.sign_alliance(&alliance, now()).expect("B signs");
    converged(&[a, b], &alliance, 1, &[a, b]).await;
    a.diplomat.propose_in_alliance(&alliance, ProposalAction::Admit, &c.id, now()).expect("propose");
    until(b, &alliance, "B holds the proposal", |view| view.polls.len() == 1).await;
    let proposal = open_proposal(b, &alliance);
    a.diplomat.vote_in_alliance(&alliance, &proposal, Ballot::Yes, now()).expect("A votes");
    b.diplomat.vote_in_alliance(&alliance, &proposal, Ballot::Yes, now()).expect("B votes");
    until(a, &alliance, "both votes", |view| view.polls[0].yes == 2).await;

    // Back, C receives the history from both, in whatever order, and accedes.
    let c = c.restart().await;
    until(&c, &alliance, "C holds both votes", |view| view.polls.first().is_some_and(|poll| poll.yes == 2)).await;
    c.diplomat.accede_to_alliance(&alliance, &proposal, now()).expect("C accedes");
    let hash = converged(&[a, b, &c], &alliance, 2, &[a, b, &c]).await;

    // The observer, concerned by nothing, is handed every act newest first: the acts
    // that cannot apply yet wait, and the fold converges all the same.
    let mut acts = a.store.alliance_acts(alliance.as_str()).expect("present");
    acts.reverse();
    for act in acts {
        let value: Value = serde_json::from_str(&act.json).expect("present");
        assert_eq!(observer.post_note(&act_note(a, &observer, &text, value)).await.status(), 200);
    }
    let seen = view(&observer, &alliance).expect("held");
    assert_eq!((seen.version, seen.membership_hash.as_deref()), (Some(2), Some(hash.as_str())));
    assert!(seen.pending.is_empty(), "{seen:#?}");
}
