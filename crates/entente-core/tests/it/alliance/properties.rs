//! Property tests over random sequences of alliance acts: honest proposals, votes,
//! accessions and withdrawals by members and non-members, replays, tampered and stale
//! acts. Every sequence is folded by three members (one directly, one from re-parsed
//! wire text, one from the accepted acts only), which must agree; and an independent
//! checker walks the membership chain and demands, for every version, enough verified
//! acts of members in force at the version before. Parsers meet arbitrary JSON.

use super::{ALLIANCE_ID, alliance_id, charter, charter_value, created, keys, two_thirds, unanimity};
use crate::treaty::{key, node};
use entente_core::StixId;
use entente_core::alliance::{
    Act, ActBody, Alliance, AllianceHash, Ballot, Change, Charter, DecisionRule, Membership, ProposalAction, SignedAct,
    VersionRef,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// One step of a random history; `pick` chooses a proposal (small values: the latest).
#[derive(Clone, Debug)]
enum Step {
    Propose { by: u8, action: ProposalAction, subject: u8 },
    Vote { by: u8, pick: u8, ballot: Ballot },
    Accede { by: Option<u8>, pick: u8 },
    Withdraw { by: u8 },
    Replay { pick: u8 },
    Tamper { by: u8, pick: u8 },
    Stale { by: u8, pick: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    let by = 1..=6u8;
    let pick = 0..12u8;
    prop_oneof![
        3 => (by.clone(), prop_oneof![3 => Just(ProposalAction::Admit), 1 => Just(ProposalAction::Expel)], 1..=6u8)
            .prop_map(|(by, action, subject)| Step::Propose { by, action, subject }),
        8 => (by.clone(), pick.clone(), prop_oneof![4 => Just(Ballot::Yes), 1 => Just(Ballot::No)])
            .prop_map(|(by, pick, ballot)| Step::Vote { by, pick, ballot }),
        3 => (prop::option::weighted(0.2, by.clone()), pick.clone()).prop_map(|(by, pick)| Step::Accede { by, pick }),
        1 => by.clone().prop_map(|by| Step::Withdraw { by }),
        1 => (0..255u8).prop_map(|pick| Step::Replay { pick }),
        1 => (by.clone(), pick.clone()).prop_map(|(by, pick)| Step::Tamper { by, pick }),
        1 => (by, pick).prop_map(|(by, pick)| Step::Stale { by, pick }),
    ]
}

fn rule() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(unanimity()),
        Just(two_thirds()),
        Just(json!({"rule": "qualified-majority", "numerator": 3, "denominator": 5})),
        Just(json!({"rule": "qualified-majority", "numerator": 3, "denominator": 4})),
    ]
}

/// What one random history produced.
struct Run {
    alliance: Alliance,
    /// Every act offered, in order, with the refusal code when it was refused.
    offered: Vec<(SignedAct, Option<&'static str>)>,
}

fn signed(alliance: &Alliance, by: u8, second: u32, body: ActBody) -> SignedAct {
    let act = Act {
        alliance: alliance_id(),
        charter: alliance.charter().hash().clone(),
        by: node(by),
        created: created(second),
        body,
    };
    act.sign(&key(by)).expect("acts have canonical bytes")
}

fn picked(proposals: &[SignedAct], pick: u8) -> Option<&SignedAct> {
    match proposals.len() {
        0 => None,
        len if pick < 4 => proposals.get(len - 1),
        len => proposals.get(usize::from(pick) % len),
    }
}

/// Turns a step into an act against the current state (`None` when it cannot apply).
fn materialise(
    alliance: &Alliance,
    step: &Step,
    second: u32,
    proposals: &[SignedAct],
    offered: &[SignedAct],
) -> Option<SignedAct> {
    let at = alliance.version_ref()?;
    let vote_on = |proposal: &SignedAct, by: u8, ballot: Ballot, at: VersionRef| {
        signed(alliance, by, second, ActBody::Vote { proposal: proposal.hash().clone(), ballot, at })
    };
    Some(match step {
        Step::Propose { by, action, subject } => {
            signed(alliance, *by, second, ActBody::Proposal { action: *action, subject: node(*subject), at })
        }
        Step::Vote { by, pick, ballot } => vote_on(picked(proposals, *pick)?, *by, *ballot, at),
        Step::Accede { by, pick } => {
            let proposal = picked(proposals, *pick)?;
            let ActBody::Proposal { subject, .. } = proposal.body() else { return None };
            let candidate = by.unwrap_or_else(|| (1..=6).find(|n| node(*n) == *subject).unwrap_or(1));
            signed(alliance, candidate, second, ActBody::Accession { proposal: proposal.hash().clone() })
        }
        Step::Withdraw { by } => signed(alliance, *by, second, ActBody::Withdrawal { at }),
        Step::Replay { pick } => offered.get(usize::from(*pick) % offered.len().max(1))?.clone(),
        Step::Tamper { by, pick } => {
            let mut value = vote_on(picked(proposals, *pick)?, *by, Ballot::No, at).to_value();
            value["vote"] = "yes".into();
            SignedAct::parse(&value).expect("the tampered act is well formed")
        }
        Step::Stale { by, pick } => {
            let history = alliance.history();
            let before = history.len().checked_sub(2).map(|index| &history[index])?;
            let stale = VersionRef { version: before.version(), membership: before.hash().clone() };
            vote_on(picked(proposals, *pick)?, *by, Ballot::Yes, stale)
        }
    })
}

fn run(rule: Value, steps: &[Step]) -> Run {
    let mut alliance = Alliance::new(charter(rule));
    let mut offered = Vec::new();
    let mut acts: Vec<SignedAct> = (1..=3).map(|founder| signed(&alliance, founder, 0, ActBody::Signature)).collect();
    acts.insert(2, acts[0].clone());
    let mut proposals = Vec::new();
    let offer =
        |alliance: &mut Alliance, act: SignedAct, offered: &mut Vec<(SignedAct, Option<&'static str>)>| match alliance
            .apply(&act, keys)
        {
            Ok(next) => {
                *alliance = next;
                offered.push((act, None));
            }
            Err(error) => offered.push((act, Some(error.code()))),
        };
    for act in acts {
        offer(&mut alliance, act, &mut offered);
    }
    for (index, step) in steps.iter().enumerate() {
        let second = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let issued: Vec<SignedAct> = offered.iter().map(|(act, _)| act.clone()).collect();
        let Some(act) = materialise(&alliance, step, second, &proposals, &issued) else { continue };
        if matches!(act.body(), ActBody::Proposal { .. }) {
            proposals.push(act.clone());
        }
        offer(&mut alliance, act, &mut offered);
    }
    Run { alliance, offered }
}

fn independently_carried(rule: DecisionRule, yes: usize, eligible: usize) -> bool {
    match rule {
        DecisionRule::Unanimity => eligible > 0 && yes == eligible,
        DecisionRule::QualifiedMajority { numerator, denominator } => {
            eligible > 0 && yes as u64 * u64::from(denominator) >= u64::from(numerator) * eligible as u64
        }
    }
}

/// The act `hash` names, checked to verify with its author's key and to be addressed to
/// this alliance's charter.
fn verified<'a>(
    acts: &'a BTreeMap<AllianceHash, SignedAct>,
    charter: &Charter,
    hash: &AllianceHash,
) -> Result<&'a SignedAct, TestCaseError> {
    let act = acts.get(hash).ok_or_else(|| TestCaseError::fail(format!("{hash} names no act that was offered")))?;
    let key = keys(act.by(), act.key_id()).ok_or_else(|| TestCaseError::fail("an act signed with an unknown key"))?;
    prop_assert!(act.verify(&key).is_ok(), "{hash} does not verify");
    prop_assert_eq!(&act.act().alliance, charter.id());
    prop_assert_eq!(&act.act().charter, charter.hash());
    Ok(act)
}

/// Counts the yes votes among `votes` cast on `proposal` at `before` by eligible members,
/// refusing any vote that is not one of them.
fn counted_yes(
    acts: &BTreeMap<AllianceHash, SignedAct>,
    charter: &Charter,
    votes: &[AllianceHash],
    proposal: &AllianceHash,
    before: &Membership,
    excluded: Option<&StixId>,
) -> Result<usize, TestCaseError> {
    let at = VersionRef { version: before.version(), membership: before.hash().clone() };
    let mut voters = BTreeSet::new();
    let mut yes = 0;
    for hash in votes {
        let vote = verified(acts, charter, hash)?;
        let ActBody::Vote { proposal: named, ballot, at: named_at } = vote.body() else {
            return Err(TestCaseError::fail(format!("{hash} is not a vote")));
        };
        prop_assert_eq!(named, proposal);
        prop_assert_eq!(named_at, &at);
        prop_assert!(
            before.is_member(vote.by()),
            "a vote by {}, not a member at version {}",
            vote.by(),
            before.version()
        );
        prop_assert!(Some(vote.by()) != excluded, "the subject voted on its own expulsion");
        prop_assert!(voters.insert(vote.by().clone()), "{} voted twice", vote.by());
        yes += usize::from(*ballot == Ballot::Yes);
    }
    Ok(yes)
}

/// Walks the membership chain: every version is justified by verified acts of the
/// members in force at the version before, under the charter's rule.
fn check_backed(alliance: &Alliance, acts: &BTreeMap<AllianceHash, SignedAct>) -> Result<(), TestCaseError> {
    let charter = alliance.charter();
    let history = alliance.history();
    for (index, membership) in history.iter().enumerate() {
        prop_assert_eq!(membership.version() as usize, index + 1);
        prop_assert_eq!(&Membership::parse(&membership.to_value()).expect("memberships parse"), membership);
        let Some(before) = index.checked_sub(1).map(|previous| &history[previous]) else {
            let Change::Founding { signatures } = membership.change() else {
                return Err(TestCaseError::fail("version 1 is not a founding"));
            };
            let signers: BTreeSet<StixId> = signatures
                .iter()
                .map(|hash| verified(acts, charter, hash).map(|act| act.by().clone()))
                .collect::<Result<_, _>>()?;
            prop_assert_eq!(signatures.len(), charter.founders().len());
            prop_assert_eq!(signers, charter.founders().iter().cloned().collect::<BTreeSet<_>>());
            prop_assert_eq!(membership.members().to_vec(), super::nodes(&[1, 2, 3]));
            continue;
        };
        prop_assert_eq!(membership.previous(), Some(before.hash()));
        let at = VersionRef { version: before.version(), membership: before.hash().clone() };
        let mut expected: BTreeSet<StixId> = before.members().iter().cloned().collect();
        match membership.change() {
            Change::Founding { .. } => return Err(TestCaseError::fail("a founding after version 1")),
            Change::Admit { subject, proposal, votes, accession } => {
                let proposed = verified(acts, charter, proposal)?;
                let wanted = ActBody::Proposal { action: ProposalAction::Admit, subject: subject.clone(), at };
                prop_assert_eq!(proposed.body(), &wanted);
                prop_assert!(before.is_member(proposed.by()) && !before.is_member(subject));
                let yes = counted_yes(acts, charter, votes, proposal, before, None)?;
                prop_assert!(independently_carried(charter.decision_rule(), yes, before.members().len()));
                let acceded = verified(acts, charter, accession)?;
                prop_assert_eq!(acceded.body(), &ActBody::Accession { proposal: proposal.clone() });
                prop_assert_eq!(acceded.by(), subject, "the accession is the candidate's own");
                expected.insert(subject.clone());
            }
            Change::Expel { subject, proposal, votes } => {
                let proposed = verified(acts, charter, proposal)?;
                let wanted = ActBody::Proposal { action: ProposalAction::Expel, subject: subject.clone(), at };
                prop_assert_eq!(proposed.body(), &wanted);
                prop_assert!(before.is_member(proposed.by()) && before.is_member(subject));
                let yes = counted_yes(acts, charter, votes, proposal, before, Some(subject))?;
                prop_assert!(independently_carried(charter.decision_rule(), yes, before.members().len() - 1));
                expected.remove(subject);
            }
            Change::Withdraw { subject, withdrawal } => {
                let withdrawn = verified(acts, charter, withdrawal)?;
                prop_assert_eq!(withdrawn.body(), &ActBody::Withdrawal { at });
                prop_assert_eq!(withdrawn.by(), subject);
                prop_assert!(before.is_member(subject));
                expected.remove(subject);
            }
        }
        prop_assert_eq!(membership.members().to_vec(), expected.into_iter().collect::<Vec<_>>());
    }
    Ok(())
}

/// Another member's copy: every act re-read from pretty-printed wire text.
fn through_the_wire(act: &SignedAct) -> SignedAct {
    let text = serde_json::to_string_pretty(&act.to_value()).expect("values print");
    SignedAct::parse(&serde_json::from_str(&text).expect("printed JSON parses")).expect("wire acts parse")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(160))]

    /// (a) Members folding the same acts in the same order agree on every membership
    /// version and hash, whether they read the acts from the wire or were only handed
    /// the acts that were accepted.
    #[test]
    fn members_folding_the_same_acts_agree(rule in rule(), steps in prop::collection::vec(step(), 0..80)) {
        let first = run(rule.clone(), &steps);
        let charter_text = serde_json::to_string_pretty(&charter_value(rule)).expect("values print");
        let charter_copy = Charter::parse(&serde_json::from_str(&charter_text).expect("parses")).expect("valid");
        let mut second = Alliance::new(charter_copy.clone());
        for (act, refusal) in &first.offered {
            let result = second.apply(&through_the_wire(act), keys);
            prop_assert_eq!(result.as_ref().err().map(|error| error.code()), *refusal);
            if let Ok(next) = result {
                second = next;
            }
        }
        prop_assert_eq!(second.history(), first.alliance.history());
        prop_assert_eq!(second.polls(), first.alliance.polls());
        let accepted = first.offered.iter().filter(|(_, refusal)| refusal.is_none()).map(|(act, _)| act);
        let third = Alliance::fold(charter_copy, accepted, keys).expect("accepted acts are accepted again");
        prop_assert_eq!(third.history(), first.alliance.history());
        let hashes = |alliance: &Alliance| alliance.history().iter().map(|m| m.hash().clone()).collect::<Vec<_>>();
        prop_assert_eq!(hashes(&third), hashes(&first.alliance));
    }

    /// (b) No membership version exists without enough verified acts of the members in
    /// force at the version before it.
    #[test]
    fn every_membership_change_is_backed_by_enough_valid_votes(rule in rule(), steps in prop::collection::vec(step(), 0..80)) {
        let run = run(rule, &steps);
        let acts: BTreeMap<AllianceHash, SignedAct> =
            run.offered.iter().map(|(act, _)| (act.hash().clone(), act.clone())).collect();
        check_backed(&run.alliance, &acts)?;
    }

    /// (c) Parsers never panic on arbitrary JSON, and what they accept round-trips.
    #[test]
    fn parsers_never_panic_on_arbitrary_json(value in arbitrary_json()) {
        parse_all(&value)?;
    }

    /// (c) Nor on valid documents with one member replaced or removed.
    #[test]
    fn parsers_never_panic_on_damaged_documents(which in 0..4usize, member in 0..16usize, new in prop::option::of(arbitrary_json())) {
        let mut value = valid_documents().swap_remove(which);
        let names: Vec<String> = value.as_object().expect("documents are objects").keys().cloned().collect();
        let name = &names[member % names.len()];
        match new {
            Some(new) => value[name.as_str()] = new,
            None => {
                value.as_object_mut().expect("documents are objects").remove(name);
            }
        }
        parse_all(&value)?;
    }
}

fn parse_all(value: &Value) -> Result<(), TestCaseError> {
    if let Ok(charter) = Charter::parse(value) {
        let again = Charter::parse(&charter.to_value());
        prop_assert_eq!(again.as_ref(), Ok(&charter));
    }
    if let Ok(act) = SignedAct::parse(value) {
        let again = SignedAct::parse(&act.to_value());
        prop_assert_eq!(again.as_ref(), Ok(&act));
    }
    if let Ok(membership) = Membership::parse(value) {
        let again = Membership::parse(&membership.to_value());
        prop_assert_eq!(again.as_ref(), Ok(&membership));
    }
    Ok(())
}

/// A charter, a proposal, a vote and a membership, all valid.
fn valid_documents() -> Vec<Value> {
    let alliance = super::founded(unanimity());
    let proposal = super::proposal(&alliance, 1, ProposalAction::Admit, 4);
    let vote = super::vote(&alliance, 2, &proposal, Ballot::Yes);
    vec![
        charter_value(two_thirds()),
        proposal.to_value(),
        vote.to_value(),
        alliance.membership().expect("founded").to_value(),
    ]
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
        Just(Value::from(ALLIANCE_ID)),
        Just(Value::from(format!("sha256:{}", "0".repeat(64)))),
        Just(Value::from("alliance-vote")),
    ];
    leaf.prop_recursive(4, 48, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![".{0,8}", Just("type".to_owned()), Just("rule".to_owned()), Just("kind".to_owned())],
                inner,
                0..8
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The random histories are not vacuous: across a fixed sample, admissions,
/// expulsions and withdrawals all happen, and refusals of every common kind occur.
#[test]
fn random_histories_reach_every_kind_of_change() {
    let mut runner = TestRunner::deterministic();
    let strategy = (rule(), prop::collection::vec(step(), 40..80));
    let mut kinds = BTreeSet::new();
    let mut refusals = BTreeSet::new();
    for _ in 0..64 {
        let (rule, steps) = strategy.new_tree(&mut runner).expect("values generate").current();
        let run = run(rule, &steps);
        kinds.extend(run.alliance.history().iter().map(|membership| membership.change().kind()));
        refusals.extend(run.offered.iter().filter_map(|(_, refusal)| *refusal));
    }
    assert_eq!(kinds, BTreeSet::from(["admit", "expel", "founding", "withdraw"]));
    for code in ["bad-signature", "duplicate-vote", "not-a-member", "stale-version", "duplicate-signature"] {
        assert!(refusals.contains(code), "{code} never happened: {refusals:?}");
    }
}
