//! Integration tests for alliances: the charter (parse errors with paths, one spelling,
//! pinned hashes), founding by three states, admission by unanimity and by a 2/3
//! majority, expulsion, withdrawal, every refusal of the fold with its own code, and the
//! memberships handed to the release decision. `properties` holds the property tests
//! over random sequences of acts and arbitrary JSON.

mod properties;

use crate::treaty::{at, document as treaty_document, key, node};
use entente_core::alliance::{
    Act, ActBody, Alliance, AllianceError, AllianceHash, Ballot, Change, Charter, DecisionRule, Membership, Outcome,
    ProposalAction, SignedAct, VersionRef, memberships_in_force,
};
use entente_core::keys::{KeyId, PublicKey, Signature};
use entente_core::treaty::TreatyTime;
use entente_core::{StixId, Timestamp};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::LazyLock;

pub const ALLIANCE_ID: &str = "identity--a111a111-0000-4000-8000-00000000a111";

pub fn alliance_id() -> StixId {
    StixId::parse(ALLIANCE_ID).expect("fixtures are valid")
}

/// The nodes 1 to 9 and their public keys.
static KEYS: LazyLock<Vec<(StixId, PublicKey)>> =
    LazyLock::new(|| (1..=9).map(|n| (node(n), key(n).public())).collect());

/// The key lookup every member uses: node n holds the key made from seed n.
pub fn keys(node_id: &StixId, key_id: &KeyId) -> Option<PublicKey> {
    KEYS.iter().find(|(id, public)| id == node_id && public.key_id() == *key_id).map(|(_, public)| *public)
}

/// A charter founded by nodes 1, 2 and 3 under `rule`.
pub fn charter_value(rule: Value) -> Value {
    json!({
        "entente": "1",
        "type": "alliance-charter",
        "id": ALLIANCE_ID,
        "name": "Sahel Cyber Alliance",
        "purpose": "To share intelligence on terrorist and cyber threats in the Sahel.",
        "region": {"name": "Sahel", "countries": ["SN", "ML", "NE"]},
        "founders": [node(1).as_str(), node(2).as_str(), node(3).as_str()],
        "decision_rule": rule,
        "scope": {"topics": ["counter-terrorism", "cyber"], "object_types": [], "labels": []},
        "terms": treaty_document()["terms"].clone(),
        "resharing": {"to": "alliance-parties", "alliances": [ALLIANCE_ID]},
        "created": "2025-12-01T09:30:00Z"
    })
}

pub fn unanimity() -> Value {
    json!({"rule": "unanimity"})
}

pub fn two_thirds() -> Value {
    json!({"rule": "qualified-majority", "numerator": 2, "denominator": 3})
}

pub fn charter(rule: Value) -> Charter {
    Charter::parse(&charter_value(rule)).expect("fixtures are valid")
}

/// The creation time of acts; `second` keeps otherwise identical acts apart.
pub fn created(second: u32) -> TreatyTime {
    TreatyTime::from(Timestamp::from_unix_nanos(
        at("2026-02-01T10:00:00.000Z").unix_nanos() + i128::from(second) * 1_000_000_000,
        3,
    ))
}

/// An act by node `by` on `alliance`'s charter, signed with node `signer`'s key.
pub fn act_signed_by(alliance: &Alliance, by: u8, signer: u8, body: ActBody) -> SignedAct {
    let act = Act {
        alliance: alliance.id().clone(),
        charter: alliance.charter().hash().clone(),
        by: node(by),
        created: created(0),
        body,
    };
    act.sign(&key(signer)).expect("acts have canonical bytes")
}

pub fn act(alliance: &Alliance, by: u8, body: ActBody) -> SignedAct {
    act_signed_by(alliance, by, by, body)
}

pub fn now_at(alliance: &Alliance) -> VersionRef {
    alliance.version_ref().expect("the alliance is founded")
}

pub fn proposal(alliance: &Alliance, by: u8, action: ProposalAction, subject: u8) -> SignedAct {
    act(alliance, by, ActBody::Proposal { action, subject: node(subject), at: now_at(alliance) })
}

pub fn vote(alliance: &Alliance, by: u8, proposal: &SignedAct, ballot: Ballot) -> SignedAct {
    act(alliance, by, ActBody::Vote { proposal: proposal.hash().clone(), ballot, at: now_at(alliance) })
}

pub fn accession(alliance: &Alliance, by: u8, proposal: &SignedAct) -> SignedAct {
    act(alliance, by, ActBody::Accession { proposal: proposal.hash().clone() })
}

pub fn withdrawal(alliance: &Alliance, by: u8) -> SignedAct {
    act(alliance, by, ActBody::Withdrawal { at: now_at(alliance) })
}

pub fn apply(alliance: &Alliance, act: &SignedAct) -> Alliance {
    alliance.apply(act, keys).unwrap_or_else(|error| panic!("{} refused: {error}", act.to_value()))
}

fn refuse(alliance: &Alliance, act: &SignedAct) -> AllianceError {
    alliance.apply(act, keys).expect_err("the act should be refused")
}

/// Nodes 1, 2 and 3 have signed the charter.
pub fn founded(rule: Value) -> Alliance {
    let alliance = Alliance::new(charter(rule));
    (1..=3).fold(alliance, |alliance, founder| apply(&alliance, &act(&alliance, founder, ActBody::Signature)))
}

/// Admits `candidate`: proposed by the first member, every member votes yes, the
/// candidate accedes.
fn admit(alliance: &Alliance, candidate: u8) -> Alliance {
    let proposed = proposal(alliance, member_numbers(alliance)[0], ProposalAction::Admit, candidate);
    let mut next = apply(alliance, &proposed);
    next = apply(&next, &accession(&next, candidate, &proposed));
    for member in member_numbers(alliance) {
        if next.history().len() == alliance.history().len() {
            next = apply(&next, &vote(&next, member, &proposed, Ballot::Yes));
        }
    }
    next
}

fn member_numbers(alliance: &Alliance) -> Vec<u8> {
    (1..=9).filter(|n| alliance.members().contains(&node(*n))).collect()
}

fn nodes(numbers: &[u8]) -> Vec<StixId> {
    let mut nodes: Vec<StixId> = numbers.iter().map(|n| node(*n)).collect();
    nodes.sort();
    nodes
}

#[test]
fn three_states_found_an_alliance_when_all_have_signed() {
    let mut alliance = Alliance::new(charter(unanimity()));
    let mut signatures = Vec::new();
    for founder in [3, 1, 2] {
        assert!(!alliance.is_founded());
        assert!(alliance.members().is_empty());
        let signature = act(&alliance, founder, ActBody::Signature);
        alliance = apply(&alliance, &signature);
        signatures.push(signature.hash().clone());
    }
    assert!(alliance.is_founded());
    assert!(alliance.missing_founders().is_empty());
    let membership = alliance.membership().unwrap();
    assert_eq!(membership.version(), 1);
    assert_eq!(membership.members(), nodes(&[1, 2, 3]));
    assert_eq!(membership.previous(), None);
    assert_eq!(membership.alliance(), &alliance_id());
    assert_eq!(membership.charter(), alliance.charter().hash());
    signatures.sort();
    assert_eq!(membership.change(), &Change::Founding { signatures });
    assert_eq!(Membership::parse(&membership.to_value()).unwrap(), *membership);
}

#[test]
fn an_alliance_is_not_founded_while_a_founder_has_not_signed() {
    let alliance = Alliance::new(charter(unanimity()));
    let alliance = apply(&alliance, &act(&alliance, 1, ActBody::Signature));
    let alliance = apply(&alliance, &act(&alliance, 2, ActBody::Signature));
    assert!(!alliance.is_founded());
    assert_eq!(alliance.missing_founders(), [node(3)]);
    assert_eq!(alliance.version_ref(), None);
    let early = act(
        &alliance,
        1,
        ActBody::Proposal {
            action: ProposalAction::Admit,
            subject: node(4),
            at: VersionRef {
                version: 1,
                membership: AllianceHash::parse(&format!("sha256:{}", "0".repeat(64))).unwrap(),
            },
        },
    );
    assert_eq!(refuse(&alliance, &early).code(), "not-founded");
}

#[test]
fn admission_by_unanimity_needs_every_member_and_the_candidate() {
    let alliance = founded(unanimity());
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &proposed);
    let mut votes = Vec::new();
    for voter in [1, 2] {
        let cast = vote(&next, voter, &proposed, Ballot::Yes);
        votes.push(cast.hash().clone());
        next = apply(&next, &cast);
    }
    assert_eq!(next.membership().unwrap().version(), 1, "two of three is not unanimity");
    let acceded = accession(&next, 4, &proposed);
    next = apply(&next, &acceded);
    assert_eq!(next.membership().unwrap().version(), 1, "the third member has not voted");
    let last = vote(&next, 3, &proposed, Ballot::Yes);
    votes.push(last.hash().clone());
    next = apply(&next, &last);

    let membership = next.membership().unwrap();
    assert_eq!(membership.version(), 2);
    assert_eq!(membership.members(), nodes(&[1, 2, 3, 4]));
    assert_eq!(membership.previous(), Some(alliance.membership().unwrap().hash()));
    votes.sort();
    let expected =
        Change::Admit { subject: node(4), proposal: proposed.hash().clone(), votes, accession: acceded.hash().clone() };
    assert_eq!(membership.change(), &expected);
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Passed);
}

#[test]
fn one_no_vote_defeats_a_proposal_under_unanimity() {
    let alliance = founded(unanimity());
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &proposed);
    next = apply(&next, &vote(&next, 1, &proposed, Ballot::Yes));
    next = apply(&next, &vote(&next, 2, &proposed, Ballot::No));
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Defeated);
    let error = refuse(&next, &vote(&next, 3, &proposed, Ballot::Yes));
    assert!(matches!(error, AllianceError::ProposalClosed { outcome: Outcome::Defeated, .. }), "{error}");
    assert_eq!(next.members(), nodes(&[1, 2, 3]));
}

#[test]
fn admission_by_two_thirds_passes_without_the_last_vote() {
    let alliance = founded(two_thirds());
    let proposed = proposal(&alliance, 2, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &proposed);
    next = apply(&next, &accession(&next, 4, &proposed));
    next = apply(&next, &vote(&next, 3, &proposed, Ballot::Yes));
    assert_eq!(next.members(), nodes(&[1, 2, 3]), "1 × 3 < 2 × 3");
    next = apply(&next, &vote(&next, 1, &proposed, Ballot::Yes));
    assert_eq!(next.members(), nodes(&[1, 2, 3, 4]), "2 × 3 ≥ 2 × 3");
    let Change::Admit { votes, .. } = next.membership().unwrap().change() else { panic!("an admission") };
    assert_eq!(votes.len(), 2);

    // Four members: 2 × 3 < 2 × 4, so two yes votes no longer carry; three do.
    let proposed = proposal(&next, 1, ProposalAction::Admit, 5);
    let mut later = apply(&next, &proposed);
    later = apply(&later, &vote(&later, 1, &proposed, Ballot::Yes));
    later = apply(&later, &vote(&later, 2, &proposed, Ballot::Yes));
    later = apply(&later, &accession(&later, 5, &proposed));
    assert_eq!(later.membership().unwrap().version(), 2);
    later = apply(&later, &vote(&later, 4, &proposed, Ballot::Yes));
    assert_eq!(later.membership().unwrap().version(), 3);
    assert_eq!(later.members(), nodes(&[1, 2, 3, 4, 5]));
}

#[test]
fn two_no_votes_of_four_defeat_a_two_thirds_proposal() {
    let alliance = admit(&founded(two_thirds()), 4);
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 5);
    let mut next = apply(&alliance, &proposed);
    next = apply(&next, &vote(&next, 2, &proposed, Ballot::No));
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Open, "3 of 4 may still say yes");
    next = apply(&next, &vote(&next, 3, &proposed, Ballot::No));
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Defeated, "2 × 3 < 2 × 4");
}

#[test]
fn a_candidate_who_has_not_acceded_is_not_admitted() {
    let alliance = founded(unanimity());
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &proposed);
    for voter in 1..=3 {
        next = apply(&next, &vote(&next, voter, &proposed, Ballot::Yes));
    }
    assert_eq!(next.members(), nodes(&[1, 2, 3]), "every vote is yes, but node 4 has not signed the charter");
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Open);
    let by_another = accession(&next, 5, &proposed);
    assert_eq!(refuse(&next, &by_another).code(), "not-the-candidate");
    let forged = act_signed_by(&next, 4, 5, ActBody::Accession { proposal: proposed.hash().clone() });
    assert_eq!(refuse(&next, &forged).code(), "unknown-key");
    let next = apply(&next, &accession(&next, 4, &proposed));
    assert_eq!(next.members(), nodes(&[1, 2, 3, 4]), "the accession completes the admission");
}

#[test]
fn expulsion_is_decided_without_the_subject() {
    let alliance = admit(&founded(unanimity()), 4);
    assert_eq!(alliance.members(), nodes(&[1, 2, 3, 4]));
    let proposed = proposal(&alliance, 1, ProposalAction::Expel, 3);
    let mut next = apply(&alliance, &proposed);
    assert_eq!(refuse(&next, &vote(&next, 3, &proposed, Ballot::No)).code(), "not-eligible");
    for voter in [1, 2] {
        next = apply(&next, &vote(&next, voter, &proposed, Ballot::Yes));
    }
    assert_eq!(next.members(), nodes(&[1, 2, 3, 4]));
    next = apply(&next, &vote(&next, 4, &proposed, Ballot::Yes));
    let membership = next.membership().unwrap();
    assert_eq!(membership.members(), nodes(&[1, 2, 4]));
    assert!(
        matches!(membership.change(), Change::Expel { subject, votes, .. } if *subject == node(3) && votes.len() == 3)
    );
    let after = proposal(&next, 3, ProposalAction::Admit, 5);
    assert_eq!(refuse(&next, &after).code(), "not-a-member");
}

#[test]
fn a_member_withdraws_alone_and_open_proposals_lapse() {
    let alliance = founded(two_thirds());
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &proposed);
    next = apply(&next, &vote(&next, 1, &proposed, Ballot::Yes));
    let leaving = withdrawal(&next, 2);
    next = apply(&next, &leaving);
    let membership = next.membership().unwrap();
    assert_eq!(membership.version(), 2);
    assert_eq!(membership.members(), nodes(&[1, 3]));
    assert_eq!(membership.change(), &Change::Withdraw { subject: node(2), withdrawal: leaving.hash().clone() });
    assert_eq!(next.poll(proposed.hash()).unwrap().outcome(), Outcome::Lapsed);
    // A vote cast for version 2 on the lapsed proposal is still refused as stale.
    let late = vote(&next, 3, &proposed, Ballot::Yes);
    assert!(matches!(refuse(&next, &late), AllianceError::StaleVersion { named: 1, current: 2 }));
    assert_eq!(refuse(&next, &leaving).code(), "stale-version");
    assert_eq!(refuse(&next, &withdrawal(&next, 2)).code(), "not-a-member");
}

/// Replaces the signature of `act` with `signature` (a forgery over the same bytes).
fn with_signature(act: &SignedAct, signature: Signature) -> SignedAct {
    let mut value = act.to_value();
    value["signature"] = signature.encode().into();
    SignedAct::parse(&value).expect("the edited act is well formed")
}

/// Edits the wire form of `act` and parses it again, keeping the old signature.
fn tampered(act: &SignedAct, name: &str, new: Value) -> SignedAct {
    let mut value = act.to_value();
    value[name] = new;
    SignedAct::parse(&value).expect("the edited act is well formed")
}

#[test]
fn every_refusal_has_its_own_code() {
    let alliance = admit(&founded(unanimity()), 4);
    let v2 = alliance.version_ref().unwrap();
    let v1 = VersionRef { version: 1, membership: alliance.history()[0].hash().clone() };
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 5);
    let open = apply(&alliance, &proposed);
    let voted = apply(&open, &vote(&open, 2, &proposed, Ballot::Yes));
    let other_hash = AllianceHash::parse(&format!("sha256:{}", "ab".repeat(32))).unwrap();
    let honest = vote(&open, 2, &proposed, Ballot::No);
    let vote_at = |by: u8, at: VersionRef| {
        act(&open, by, ActBody::Vote { proposal: proposed.hash().clone(), ballot: Ballot::Yes, at })
    };
    let expel = proposal(&open, 1, ProposalAction::Expel, 4);
    let expelling = apply(&open, &expel);
    let other_alliance = {
        let mut value = honest.to_value();
        value["alliance"] = node(9).as_str().into();
        SignedAct::parse(&value).expect("the edited act is well formed")
    };
    #[rustfmt::skip]
    let table: Vec<(&str, &Alliance, SignedAct)> = vec![
        ("other-alliance", &open, other_alliance),
        ("other-charter", &open, tampered(&honest, "charter", other_hash.as_str().into())),
        ("already-founded", &open, act(&open, 1, ActBody::Signature)),
        ("stale-version", &open, vote_at(2, v1)),
        ("version-ahead", &open, vote_at(2, VersionRef { version: 3, ..v2.clone() })),
        ("wrong-membership", &open, vote_at(2, VersionRef { version: 2, membership: other_hash.clone() })),
        ("not-a-member", &open, vote(&open, 6, &proposed, Ballot::Yes)),
        ("unknown-key", &open, act_signed_by(&open, 2, 7, honest.body().clone())),
        ("bad-signature", &open, with_signature(&honest, key(2).sign(b"something else"))),
        ("bad-signature", &open, tampered(&honest, "vote", "yes".into())),
        ("already-member", &open, proposal(&open, 1, ProposalAction::Admit, 4)),
        ("subject-not-member", &open, proposal(&open, 1, ProposalAction::Expel, 6)),
        ("self-expulsion", &open, proposal(&open, 1, ProposalAction::Expel, 1)),
        ("subject-is-alliance", &open, act(&open, 1, ActBody::Proposal { action: ProposalAction::Admit, subject: alliance_id(), at: v2.clone() })),
        ("duplicate-proposal", &open, proposed.clone()),
        ("unknown-proposal", &open, act(&open, 2, ActBody::Vote { proposal: other_hash.clone(), ballot: Ballot::Yes, at: v2.clone() })),
        ("duplicate-vote", &voted, vote(&voted, 2, &proposed, Ballot::Yes)),
        ("duplicate-vote", &voted, vote(&voted, 2, &proposed, Ballot::No)),
        ("not-an-admission", &expelling, accession(&expelling, 4, &expel)),
        ("not-the-candidate", &open, accession(&open, 6, &proposed)),
    ];
    for (code, state, act) in &table {
        let error = state.apply(act, keys).expect_err(&format!("{code}: {} should be refused", act.to_value()));
        assert_eq!(error.code(), *code, "{error}");
    }

    // Refusals that need another state: founders' signatures, accessions, closed polls.
    let unfounded = Alliance::new(charter(unanimity()));
    let signed = apply(&unfounded, &act(&unfounded, 1, ActBody::Signature));
    assert_eq!(refuse(&signed, &act(&signed, 1, ActBody::Signature)).code(), "duplicate-signature");
    assert_eq!(refuse(&signed, &act(&signed, 4, ActBody::Signature)).code(), "not-a-founder");
    let acceded = apply(&open, &accession(&open, 5, &proposed));
    assert_eq!(refuse(&acceded, &accession(&acceded, 5, &proposed)).code(), "duplicate-accession");
    let defeated = apply(&expelling, &vote(&expelling, 3, &expel, Ballot::No));
    assert_eq!(refuse(&defeated, &vote(&defeated, 2, &expel, Ballot::Yes)).code(), "proposal-closed");

    let codes: BTreeSet<&str> = table.iter().map(|(code, _, _)| *code).collect();
    assert_eq!(codes.len(), 18, "{codes:?}");
}

#[test]
fn a_vote_cannot_be_replayed_on_a_later_version() {
    let alliance = founded(unanimity());
    let first = proposal(&alliance, 1, ProposalAction::Admit, 4);
    let mut next = apply(&alliance, &first);
    let yes_from_3 = vote(&next, 3, &first, Ballot::Yes);
    next = apply(&next, &yes_from_3);
    let second = proposal(&next, 1, ProposalAction::Admit, 5);
    next = apply(&next, &second);
    for voter in [1, 2] {
        next = apply(&next, &vote(&next, voter, &first, Ballot::Yes));
    }
    next = apply(&next, &accession(&next, 4, &first));
    assert_eq!(next.membership().unwrap().version(), 2);
    assert_eq!(next.poll(second.hash()).unwrap().outcome(), Outcome::Lapsed);
    // Node 3's vote (version 1) replayed, and a proposal made at version 1, are stale.
    assert_eq!(refuse(&next, &yes_from_3).code(), "stale-version");
    assert_eq!(refuse(&next, &accession(&next, 5, &second)).code(), "stale-version");
    assert_eq!(refuse(&next, &second).code(), "stale-version");
}

#[test]
fn charter_errors_name_their_paths() {
    let founders = |ids: &[&str]| json!(ids);
    let (one, two) = (node(1).to_string(), node(2).to_string());
    #[rustfmt::skip]
    let table: Vec<(&str, Option<Value>, &[&str])> = vec![
        ("type", Some(json!("treaty")), &["type"]),
        ("entente", Some(json!(1)), &["entente"]),
        ("id", Some(json!("alliance--a111a111-0000-4000-8000-00000000a111")), &["id"]),
        ("name", None, &["name"]),
        ("name", Some(json!(" ")), &["name"]),
        ("region", Some(json!(null)), &["region"]),
        ("region", Some(json!({})), &["region"]),
        ("region", Some(json!({"countries": []})), &["region.countries"]),
        ("region", Some(json!({"countries": ["sn"]})), &["region.countries[0]"]),
        ("region", Some(json!({"countries": ["SN", "SN"]})), &["region.countries[1]"]),
        ("region", Some(json!({"name": "Sahel", "capital": "Niamey"})), &["region.capital"]),
        ("founders", Some(founders(&[&one])), &["founders"]),
        ("founders", Some(founders(&[&one, &one])), &["founders[1]"]),
        ("founders", Some(founders(&[&one, ALLIANCE_ID])), &["founders"]),
        ("founders", Some(founders(&[&one, "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"])), &["founders[1]"]),
        ("decision_rule", Some(json!({"rule": "majority"})), &["decision_rule.rule"]),
        ("decision_rule", Some(json!({"rule": "unanimity", "numerator": 1})), &["decision_rule.numerator"]),
        ("decision_rule", Some(json!({"rule": "qualified-majority", "numerator": 4, "denominator": 6})), &["decision_rule"]),
        ("decision_rule", Some(json!({"rule": "qualified-majority", "numerator": 1, "denominator": 2})), &["decision_rule"]),
        ("decision_rule", Some(json!({"rule": "qualified-majority", "numerator": 3, "denominator": 3})), &["decision_rule"]),
        ("decision_rule", Some(json!({"rule": "qualified-majority", "numerator": 2})), &["decision_rule.denominator"]),
        ("decision_rule", Some(json!({"rule": "qualified-majority", "numerator": 0, "denominator": 3})), &["decision_rule.numerator"]),
        ("scope", Some(json!({"topics": []})), &["scope.object_types", "scope.labels", "scope.topics"]),
        ("terms", Some(json!({})), &["terms.iep_version", "terms.encrypt_in_transit", "terms.permitted_actions", "terms.affected_party_notifications", "terms.tlp", "terms.attribution", "terms.unmodified_resale", "terms.start_date"]),
        ("resharing", Some(json!({"to": "everyone"})), &["resharing.to"]),
        ("created", Some(json!("2025-12-01")), &["created"]),
        ("parties", Some(founders(&[&one, &two])), &["parties"]),
    ];
    for (member, new, expected) in table {
        let mut value = charter_value(unanimity());
        match &new {
            Some(new) => value[member] = new.clone(),
            None => {
                value.as_object_mut().unwrap().remove(member);
            }
        }
        let error = Charter::parse(&value).expect_err(&format!("{member} = {new:?} should be refused"));
        let mut paths = error.paths();
        let mut expected = expected.to_vec();
        paths.sort_unstable();
        expected.sort_unstable();
        assert_eq!(paths, expected, "{member} = {new:?}: {error}");
        assert!(error.to_string().starts_with("invalid alliance charter: `"), "{error}");
    }
}

#[test]
fn charters_and_acts_round_trip_and_keep_their_hashes() {
    let variants = [
        charter_value(unanimity()),
        charter_value(two_thirds()),
        charter_value(json!({"rule": "qualified-majority", "numerator": 3, "denominator": 5})),
        {
            let mut value = charter_value(unanimity());
            value.as_object_mut().unwrap().remove("region");
            value
        },
        {
            let mut value = charter_value(unanimity());
            value["region"] = json!({"countries": ["FR"]});
            value
        },
    ];
    let mut hashes = BTreeSet::new();
    for value in variants {
        let charter = Charter::parse(&value).unwrap();
        assert_eq!(charter.to_value(), value);
        let drafted = Charter::draft(charter.id(), charter.created().instant(), charter.body()).unwrap();
        assert!(drafted.body() == charter.body() && drafted.created().instant() == charter.created().instant());
        let theirs = serde_json_canonicalizer::to_vec(&value).unwrap();
        assert_eq!(charter.canonical_bytes(), theirs.as_slice());
        hashes.insert(charter.hash().clone());
    }
    assert_eq!(hashes.len(), 5, "different texts have different hashes");
    assert_eq!(charter(two_thirds()).decision_rule(), DecisionRule::QualifiedMajority { numerator: 2, denominator: 3 });

    let alliance = admit(&founded(unanimity()), 4);
    let proposed = proposal(&alliance, 2, ProposalAction::Expel, 4);
    for signed in [
        act(&alliance, 1, ActBody::Signature),
        proposed.clone(),
        vote(&alliance, 1, &proposed, Ballot::No),
        accession(&alliance, 5, &proposed),
        withdrawal(&alliance, 3),
    ] {
        let text = serde_json::to_string_pretty(&signed.to_value()).unwrap();
        let reparsed = SignedAct::parse(&serde_json::from_str(&text).unwrap()).unwrap();
        assert_eq!(reparsed, signed);
        reparsed.verify(&keys(reparsed.by(), reparsed.key_id()).unwrap()).unwrap();
        let unsigned = {
            let mut value = signed.to_value();
            value.as_object_mut().unwrap().remove("signature");
            value
        };
        assert_eq!(reparsed.signed_bytes(), serde_json_canonicalizer::to_vec(&unsigned).unwrap().as_slice());
    }
    for membership in alliance.history() {
        assert_eq!(Membership::parse(&membership.to_value()).unwrap(), *membership);
    }
}

/// `sha256:` + hex SHA-256 of the RFC 8785 bytes, computed with a second canonicaliser.
fn independent_hash(value: &Value) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json_canonicalizer::to_vec(value).expect("values canonicalise");
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Fixed vectors: a second implementation must find these hashes and this signature
/// (keys are made from the seed `[n; 32]` for node n).
#[test]
fn charter_act_and_membership_hashes_are_pinned() {
    let alliance = founded(unanimity());
    let charter_hash = "sha256:8bbdb57dbbb135b9dfbafc7a67f53fee995f223c9a163690e5c8454907855035";
    assert_eq!(alliance.charter().hash().as_str(), charter_hash);
    assert_eq!(independent_hash(&charter_value(unanimity())), charter_hash);

    let signature = act(&Alliance::new(charter(unanimity())), 1, ActBody::Signature);
    let act_hash = "sha256:2a84c6aafcd9a6844b5cdfa93fc6accbc624c640a313439d21c80b83db4a5052";
    assert_eq!(signature.hash().as_str(), act_hash);
    let mut unsigned = signature.to_value();
    let signature_text = unsigned.as_object_mut().unwrap().remove("signature").unwrap();
    assert_eq!(independent_hash(&unsigned), act_hash);
    assert_eq!(
        signature_text,
        "RMYCfXrGNwZQ-hrIMImJsYtzqQtw3uqyxhHI8A6q-gBOMgNtoQTx9DQNcWhQpB8Xg3vKc1ui7eHlwPZP7HbNDw"
    );
    let bytes = serde_json_canonicalizer::to_vec(&unsigned).unwrap();
    key(1).public().verify(&bytes, &Signature::parse(signature_text.as_str().unwrap()).unwrap()).unwrap();

    let membership = alliance.membership().unwrap();
    let membership_hash = "sha256:d39d3532a66d27b17bd38443034e7b8eb62d0589bafe6d0f1d86448af9bb9ce5";
    assert_eq!(membership.hash().as_str(), membership_hash);
    assert_eq!(independent_hash(&membership.to_value()), membership_hash);
}

#[test]
fn memberships_in_force_fill_the_release_decision() {
    let sahel = admit(&founded(unanimity()), 4);
    let unfounded = Alliance::new(charter(two_thirds()));
    let during = at("2026-06-01T00:00:00Z");
    let memberships = memberships_in_force(&[sahel.clone(), unfounded], during);
    for member in 1..=4 {
        assert!(memberships.is_member(&alliance_id(), &node(member)), "node {member}");
    }
    assert!(!memberships.is_member(&alliance_id(), &node(5)));
    assert!(sahel.is_in_force(during));
    let before = at("2025-06-01T00:00:00Z");
    let after = at("2028-06-01T00:00:00Z");
    for outside in [before, after] {
        assert!(!sahel.is_in_force(outside));
        assert!(!memberships_in_force(std::slice::from_ref(&sahel), outside).is_member(&alliance_id(), &node(1)));
    }
}

#[test]
fn settling_a_set_of_acts_gives_the_same_alliance_in_any_arrival_order() {
    // A history: the founding, an admission by two thirds, a withdrawal.
    let mut acts = Vec::new();
    let mut alliance = Alliance::new(charter(two_thirds()));
    let mut record = |alliance: &mut Alliance, act: SignedAct| {
        *alliance = apply(alliance, &act);
        acts.push(act);
    };
    for founder in 1..=3 {
        let signature = act(&alliance, founder, ActBody::Signature);
        record(&mut alliance, signature);
    }
    let proposed = proposal(&alliance, 1, ProposalAction::Admit, 4);
    record(&mut alliance, proposed.clone());
    let accession = accession(&alliance, 4, &proposed);
    record(&mut alliance, accession);
    for voter in [1, 2] {
        let ballot = vote(&alliance, voter, &proposed, Ballot::Yes);
        record(&mut alliance, ballot);
    }
    let leaving = withdrawal(&alliance, 2);
    record(&mut alliance, leaving);
    assert_eq!(member_numbers(&alliance), [1, 3, 4]);
    let expected = alliance.membership().expect("founded").hash().clone();

    let mut orders = vec![acts.clone(), acts.iter().rev().cloned().collect::<Vec<_>>()];
    for shift in 1..acts.len() {
        let mut rotated = acts.clone();
        rotated.rotate_left(shift);
        orders.push(rotated);
    }
    for order in orders {
        let mut doubled = order.clone();
        doubled.extend(order.iter().take(2).cloned());
        let settled = Alliance::settle(charter(two_thirds()), &doubled, keys);
        assert_eq!(settled.alliance.membership().map(|membership| membership.hash()), Some(&expected));
        assert!(settled.pending.is_empty(), "{:?}", settled.pending);
        assert_eq!(settled.applied.len(), acts.len(), "duplicates count once");
    }

    // Without the accession nothing after the founding can be admitted; the vote and
    // withdrawal made on version 2 stay pending with their codes.
    let missing: Vec<SignedAct> =
        acts.iter().filter(|act| !matches!(act.body(), ActBody::Accession { .. })).cloned().collect();
    let settled = Alliance::settle(charter(two_thirds()), &missing, keys);
    assert_eq!(settled.alliance.membership().map(|membership| membership.version()), Some(1));
    let codes: Vec<&str> = settled.pending.iter().map(|(_, error)| error.code()).collect();
    assert_eq!(codes, ["version-ahead"]);
}
