//! Integration tests for the relation state machine.
//!
//! `every_transition_follows_the_table` tries every move by both sides in every
//! situation of the lifecycle and checks it against a table of the legal ones; the
//! scenario tests below it check content (drafts, hashes, signatures) and time
//! (entry into force, expiry, notice). `multilateral` covers treaties between more
//! than two parties; `properties` holds the property tests over random sequences of
//! moves.

mod multilateral;
mod properties;

use crate::treaty::{START, TREATY_ID, at, days_after, key, node, treaty_among};
use entente_core::relation::{Action, Ending, Event, IllegalMove, Move, Refusal, Relation, Side, State, apply};
use entente_core::treaty::{SignedTreaty, Treaty, sign};
use entente_core::{StixId, Timestamp};

/// The instant the table's moves are made at.
pub fn now() -> Timestamp {
    at("2026-03-01T12:00:00.000Z")
}

/// Node 1 is the local side, node 2 the partner.
pub fn node_of(side: Side) -> (StixId, u8) {
    match side {
        Side::Local => (node(1), 1),
        Side::Remote => (node(2), 2),
    }
}

/// The text a move about "the current draft" is about: the draft under negotiation,
/// else the treaty in force, else a fresh first draft.
fn current_text(relation: &Relation) -> Treaty {
    if let Some(negotiation) = relation.negotiation() {
        negotiation.draft().clone()
    } else if let Some(treaty) = relation.treaty() {
        treaty.treaty().clone()
    } else {
        treaty_among(&[1, 2])
    }
}

/// The signatures of `party` on `text`, verified as the note layer would.
pub fn signed_by(text: &Treaty, party: u8) -> SignedTreaty {
    let mut signed = SignedTreaty::new(text.clone());
    signed
        .add_signature(sign(text, &node(party), &key(party)).expect("fixtures are valid"), &key(party).public())
        .expect("fixtures are valid");
    signed
}

/// A move by `by` whose content is right for the current situation, so that only the
/// state machine's rules can refuse it.
fn well_formed(relation: &Relation, by: Side, attempted: Move) -> Event {
    let (mover, number) = node_of(by);
    let text = current_text(relation);
    let mut body = text.body().clone();
    body.title = format!("{} (revised by {by})", body.title);
    let action = match attempted {
        Move::Recognize => Action::Recognize,
        Move::Propose => {
            let id = StixId::parse(TREATY_ID).expect("fixtures are valid");
            Action::Propose(Treaty::draft(&id, &mover, now(), text.body()).expect("fixtures are valid"))
        }
        Move::Counter => Action::Counter(text.counter(&mover, now(), &body).expect("fixtures are valid")),
        Move::Amend => Action::Amend(text.amend(&mover, now(), &body).expect("fixtures are valid")),
        Move::Accept => Action::Accept(text.hash().clone()),
        Move::Reject => Action::Reject(text.hash().clone()),
        Move::Withdraw => Action::Withdraw(text.hash().clone()),
        Move::Sign => Action::Sign { signer: mover, signatures: signed_by(&text, number) },
        Move::Suspend => Action::Suspend,
        Move::Resume => Action::Resume,
        Move::Terminate => Action::Terminate,
    };
    Event::new(by, now(), action)
}

fn parse_side(text: &str) -> Side {
    match text {
        "L" => Side::Local,
        "R" => Side::Remote,
        other => panic!("unknown side {other}"),
    }
}

fn parse_move(text: &str) -> Move {
    *Move::ALL.iter().find(|candidate| candidate.as_str() == text).unwrap_or_else(|| panic!("unknown move {text}"))
}

fn parse_state(text: &str) -> State {
    let all =
        [State::Contact, State::Recognized, State::Negotiating, State::InForce, State::Suspended, State::Terminated];
    *all.iter().find(|state| state.as_str() == text).unwrap_or_else(|| panic!("unknown state {text}"))
}

/// Plays a script such as `"L recognize, R recognize, L propose"` from first contact.
pub fn play(script: &str) -> Relation {
    let mut relation = Relation::new(node(1), node(2));
    for step in script.split(',').map(str::trim).filter(|step| !step.is_empty()) {
        let (side, attempted) = step.split_once(' ').expect("fixtures are valid");
        let event = well_formed(&relation, parse_side(side), parse_move(attempted));
        relation = apply(&relation, &event, now()).unwrap_or_else(|error| panic!("{script}: {step}: {error}"));
    }
    relation
}

pub const RECOGNIZED: &str = "L recognize, R recognize";
const IN_FORCE: &str = "L recognize, R recognize, L propose, R accept, L sign, R sign";

/// Situations (as scripts) and every legal move from each: `side move -> state`.
/// Every move not listed must be refused, naming the moves listed for that side.
#[rustfmt::skip]
fn table() -> Vec<(String, &'static str)> {
    let after = |base: &str, more: &str| format!("{base}, {more}");
    vec![
        (String::new(), "L recognize -> contact, R recognize -> contact"),
        ("L recognize".into(), "R recognize -> recognized"),
        ("R recognize".into(), "L recognize -> recognized"),
        (RECOGNIZED.into(), "L propose -> negotiating, R propose -> negotiating"),
        (after(RECOGNIZED, "L propose"),
            "L withdraw -> recognized, L terminate -> terminated, \
             R counter -> negotiating, R accept -> negotiating, R reject -> recognized, R terminate -> terminated"),
        (after(RECOGNIZED, "L propose, R counter"),
            "R withdraw -> recognized, R terminate -> terminated, \
             L counter -> negotiating, L accept -> negotiating, L reject -> recognized, L terminate -> terminated"),
        (after(RECOGNIZED, "L propose, R accept"),
            "L sign -> negotiating, L withdraw -> recognized, L terminate -> terminated, \
             R sign -> negotiating, R reject -> recognized, R terminate -> terminated"),
        (after(RECOGNIZED, "L propose, R accept, L sign"),
            "L sign -> negotiating, L withdraw -> recognized, L terminate -> terminated, \
             R sign -> in-force, R reject -> recognized, R terminate -> terminated"),
        (IN_FORCE.into(),
            "L amend -> in-force, L suspend -> suspended, L terminate -> in-force, \
             R amend -> in-force, R suspend -> suspended, R terminate -> in-force"),
        (after(IN_FORCE, "R amend"),
            "R withdraw -> in-force, R suspend -> suspended, R terminate -> in-force, \
             L counter -> in-force, L accept -> in-force, L reject -> in-force, \
             L suspend -> suspended, L terminate -> in-force"),
        (after(IN_FORCE, "R amend, L accept"),
            "R sign -> in-force, R withdraw -> in-force, R suspend -> suspended, R terminate -> in-force, \
             L sign -> in-force, L reject -> in-force, L suspend -> suspended, L terminate -> in-force"),
        (after(IN_FORCE, "L suspend"), "L resume -> in-force, L terminate -> suspended, R terminate -> suspended"),
        (after(IN_FORCE, "R terminate"), "L suspend -> suspended, R suspend -> suspended"),
        (after(IN_FORCE, "R terminate, L suspend"), "L resume -> in-force"),
        (after(RECOGNIZED, "L propose, R terminate"), ""),
    ]
}

#[test]
fn every_transition_follows_the_table() {
    let mut checked = 0;
    for (script, legal) in table() {
        let relation = play(&script);
        let legal: Vec<(Side, Move, State)> = legal
            .split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                let (side_move, state) = entry.split_once(" -> ").unwrap();
                let (side, attempted) = side_move.split_once(' ').unwrap();
                (parse_side(side), parse_move(attempted), parse_state(state))
            })
            .collect();
        for by in [Side::Local, Side::Remote] {
            let mut allowed: Vec<Move> = legal.iter().filter(|entry| entry.0 == by).map(|entry| entry.1).collect();
            allowed.sort_unstable();
            let mut machine_allowed = relation.allowed_moves(by);
            machine_allowed.sort_unstable();
            assert_eq!(machine_allowed, allowed, "[{script}] allowed moves for {by}");
            for attempted in Move::ALL {
                let event = well_formed(&relation, by, attempted);
                let result = apply(&relation, &event, now());
                match legal.iter().find(|entry| entry.0 == by && entry.1 == attempted) {
                    Some((_, _, expected)) => {
                        let next = result.unwrap_or_else(|error| panic!("[{script}] {by} {attempted}: {error}"));
                        assert_eq!(next.state(), *expected, "[{script}] {by} {attempted}");
                    }
                    None => {
                        let error = result.expect_err(&format!("[{script}] {by} {attempted} should be refused"));
                        let mut refused_allowed = error.allowed.clone();
                        refused_allowed.sort_unstable();
                        assert_eq!((error.state, error.attempted, error.by), (relation.state(), attempted, by));
                        assert_eq!(refused_allowed, allowed, "[{script}] {by} {attempted}");
                        assert!(error.to_string().contains(relation.state().as_str()), "{error}");
                    }
                }
                checked += 1;
            }
        }
    }
    assert_eq!(checked, table().len() * 2 * Move::ALL.len());
}

pub fn refusal(relation: &Relation, event: &Event) -> IllegalMove {
    apply(relation, event, now()).expect_err("the move should be refused")
}

#[test]
fn refusals_say_the_state_the_reason_and_what_is_allowed() {
    let proposed = play(&format!("{RECOGNIZED}, L propose"));
    let error = refusal(&proposed, &well_formed(&proposed, Side::Local, Move::Accept));
    assert_eq!(error.reason, Refusal::OtherSide(Side::Remote));
    assert_eq!(
        error.to_string(),
        "accept by the local side refused in state negotiating: only the remote side may make it now; \
         allowed for the local side: withdraw, terminate"
    );
    let error = refusal(&proposed, &well_formed(&proposed, Side::Remote, Move::Sign));
    assert_eq!(error.reason, Refusal::NotAccepted);
    let accepted = play(&format!("{RECOGNIZED}, L propose, R accept"));
    assert_eq!(
        refusal(&accepted, &well_formed(&accepted, Side::Remote, Move::Counter)).reason,
        Refusal::AlreadyAccepted
    );
    let contact = play("L recognize");
    assert_eq!(
        refusal(&contact, &well_formed(&contact, Side::Local, Move::Recognize)).reason,
        Refusal::AlreadyRecognized
    );
    let ended = play(&format!("{RECOGNIZED}, L propose, R terminate"));
    let error = refusal(&ended, &well_formed(&ended, Side::Local, Move::Propose));
    assert!(error.to_string().ends_with("allowed for the local side: nothing"), "{error}");
    assert_eq!(ended.ending(), Some(&Ending::Terminated { by: Side::Remote }));
    let suspended = play(&format!("{IN_FORCE}, L suspend"));
    assert_eq!(
        refusal(&suspended, &well_formed(&suspended, Side::Remote, Move::Resume)).reason,
        Refusal::OtherSide(Side::Local)
    );
}

#[test]
fn drafts_must_answer_the_current_draft_and_name_their_author() {
    let proposed = play(&format!("{RECOGNIZED}, L propose"));
    let first = proposed.negotiation().unwrap().draft().clone();
    let second = first.counter(&node(2), now(), first.body()).unwrap();
    let countered = apply(&proposed, &Event::new(Side::Remote, now(), Action::Counter(second.clone())), now()).unwrap();
    assert_eq!(countered.negotiation().unwrap().author(), Side::Remote);

    // Answering version 1 again, once version 2 is on the table, is refused.
    let stale = first.counter(&node(1), now(), first.body()).unwrap();
    let error = refusal(&countered, &Event::new(Side::Local, now(), Action::Counter(stale)));
    assert!(matches!(error.reason, Refusal::Version(_)), "{error}");
    // proposed_by must be the side that moves.
    let impostor = second.counter(&node(2), now(), second.body()).unwrap();
    let error = refusal(&countered, &Event::new(Side::Local, now(), Action::Counter(impostor)));
    assert!(matches!(error.reason, Refusal::ProposedBy { .. }), "{error}");
    // Both sides of the relation must be parties.
    let elsewhere = Treaty::draft(first.id(), &node(1), now(), treaty_among(&[1, 3]).body()).unwrap();
    let recognized = play(RECOGNIZED);
    let error = refusal(&recognized, &Event::new(Side::Local, now(), Action::Propose(elsewhere)));
    assert_eq!(error.reason, Refusal::MissingParty(node(2)));
    // Accepting, rejecting and withdrawing name the current draft.
    for action in [Action::Accept(first.hash().clone()), Action::Reject(first.hash().clone())] {
        let error = refusal(&countered, &Event::new(Side::Local, now(), action));
        assert!(matches!(error.reason, Refusal::WrongDraft { .. }), "{error}");
    }
}

#[test]
fn only_signatures_on_the_agreed_text_count() {
    let accepted = play(&format!("{RECOGNIZED}, L propose, R counter, L accept"));
    let agreed = accepted.negotiation().unwrap().draft().clone();
    assert_eq!(agreed.version(), 2);
    let first = Treaty::draft(agreed.id(), &node(1), now(), agreed.body()).unwrap();
    let sign_on = |text: &Treaty, party: u8| Action::Sign { signer: node(party), signatures: signed_by(text, party) };

    let error = refusal(&accepted, &Event::new(Side::Local, now(), sign_on(&first, 1)));
    assert!(matches!(error.reason, Refusal::NotAgreedText { .. }), "{error}");
    let by_outsider = Action::Sign { signer: node(3), signatures: signed_by(&agreed, 1) };
    assert_eq!(refusal(&accepted, &Event::new(Side::Remote, now(), by_outsider)).reason, Refusal::NotAParty(node(3)));
    let without_signer = Action::Sign { signer: node(2), signatures: signed_by(&agreed, 1) };
    assert_eq!(refusal(&accepted, &Event::new(Side::Remote, now(), without_signer)).reason, Refusal::Unsigned(node(2)));

    let half = apply(&accepted, &Event::new(Side::Local, now(), sign_on(&agreed, 1)), now()).unwrap();
    assert_eq!(half.state(), State::Negotiating);
    assert!(!half.permits_exchange(now()));
    let whole = apply(&half, &Event::new(Side::Remote, now(), sign_on(&agreed, 2)), now()).unwrap();
    assert_eq!(whole.state(), State::InForce);
    assert_eq!(whole.treaty().unwrap().hash(), agreed.hash());
    assert!(whole.permits_exchange(now()));
    assert!(whole.in_force(now()).is_some());
}

/// Plays a two-party treaty whose dates are `start..end` up to both signatures.
fn fully_signed(start: &str, end: Option<&str>, notice_days: u32) -> (Relation, Treaty) {
    let mut body = treaty_among(&[1, 2]).body().clone();
    body.terms.start_date = entente_core::treaty::TreatyTime::parse(start).expect("fixtures are valid");
    body.terms.end_date = end.map(|end| entente_core::treaty::TreatyTime::parse(end).expect("fixtures are valid"));
    body.notice_period_days = notice_days;
    let draft = Treaty::draft(&StixId::parse(TREATY_ID).expect("fixtures are valid"), &node(2), now(), &body)
        .expect("fixtures are valid");
    let mut relation = play(RECOGNIZED);
    for event in [
        Event::new(Side::Remote, now(), Action::Propose(draft.clone())),
        Event::new(Side::Local, now(), Action::Accept(draft.hash().clone())),
        Event::new(Side::Local, now(), Action::Sign { signer: node(1), signatures: signed_by(&draft, 1) }),
        Event::new(Side::Remote, now(), Action::Sign { signer: node(2), signatures: signed_by(&draft, 2) }),
    ] {
        relation = apply(&relation, &event, now()).expect("fixtures are valid");
    }
    (relation, draft)
}

#[test]
fn a_signed_treaty_enters_into_force_on_its_start_date_and_expires_by_itself() {
    let (relation, _) = fully_signed("2026-04-01T00:00:00Z", Some("2026-05-01T00:00:00Z"), 10);
    assert_eq!(relation.state(), State::Negotiating);
    let start = at("2026-04-01T00:00:00Z");
    let just_before = Timestamp::from_unix_nanos(start.unix_nanos() - 1, 9);
    assert_eq!(relation.tick(just_before).state(), State::Negotiating);
    let in_force = relation.tick(start);
    assert_eq!(in_force.state(), State::InForce);
    let end = at("2026-05-01T00:00:00Z");
    assert!(in_force.permits_exchange(Timestamp::from_unix_nanos(end.unix_nanos() - 1, 9)));
    assert!(!in_force.permits_exchange(end), "expiry ends the treaty before any tick");
    let expired = in_force.tick(end);
    assert_eq!((expired.state(), expired.ending()), (State::Terminated, Some(&Ending::Expired)));
    // A move after the end date meets the expired relation.
    let error = apply(&in_force, &Event::new(Side::Local, end, Action::Suspend), end).unwrap_err();
    assert_eq!(error.state, State::Terminated);
}

#[test]
fn termination_takes_effect_after_the_notice_period() {
    let (relation, _) = fully_signed(START, None, 30);
    assert_eq!(relation.state(), State::InForce);
    let noted = at("2026-03-10T08:00:00.000Z");
    let terminating = apply(&relation, &Event::new(Side::Local, noted, Action::Terminate), noted).unwrap();
    let effective = days_after(noted, 30);
    assert_eq!(terminating.termination().unwrap().effective_at, effective);
    assert_eq!(terminating.state(), State::InForce);
    assert!(terminating.permits_exchange(days_after(noted, 29)));
    let just_before = Timestamp::from_unix_nanos(effective.unix_nanos() - 1, 9);
    assert_eq!(terminating.tick(just_before).state(), State::InForce);
    let ended = terminating.tick(effective);
    assert_eq!((ended.state(), ended.ending()), (State::Terminated, Some(&Ending::Terminated { by: Side::Local })));
    assert!(!terminating.permits_exchange(effective));
    // Suspension still works during the notice period, and ends with it.
    let suspended = apply(&terminating, &Event::new(Side::Remote, noted, Action::Suspend), noted).unwrap();
    assert_eq!(suspended.tick(effective).state(), State::Terminated);

    let (immediate, _) = fully_signed(START, None, 0);
    let ended = apply(&immediate, &Event::new(Side::Remote, noted, Action::Terminate), noted).unwrap();
    assert_eq!(ended.state(), State::Terminated);
}

#[test]
fn an_amendment_supersedes_the_treaty_only_once_signed_by_all() {
    let (relation, first) = fully_signed(START, None, 30);
    let mut body = first.body().clone();
    body.notice_period_days = 60;
    let amendment = first.amend(&node(1), now(), &body).unwrap();
    let mut relation =
        apply(&relation, &Event::new(Side::Local, now(), Action::Amend(amendment.clone())), now()).unwrap();
    for event in [
        Event::new(Side::Remote, now(), Action::Accept(amendment.hash().clone())),
        Event::new(Side::Remote, now(), Action::Sign { signer: node(2), signatures: signed_by(&amendment, 2) }),
    ] {
        relation = apply(&relation, &event, now()).unwrap();
        assert_eq!(relation.treaty().unwrap().hash(), first.hash(), "the old treaty stays in force meanwhile");
        assert!(relation.permits_exchange(now()));
    }
    let sign = Event::new(Side::Local, now(), Action::Sign { signer: node(1), signatures: signed_by(&amendment, 1) });
    let amended = apply(&relation, &sign, now()).unwrap();
    assert_eq!((amended.state(), amended.treaty().unwrap().hash()), (State::InForce, amendment.hash()));
    assert!(amended.negotiation().is_none());
    assert_eq!(amended.treaty().unwrap().treaty().supersedes(), Some(first.hash()));

    // An amendment must answer the treaty in force.
    let stray = amendment.amend(&node(2), now(), &body).unwrap();
    let (fresh, _) = fully_signed(START, None, 30);
    let error = refusal(&fresh, &Event::new(Side::Remote, now(), Action::Amend(stray)));
    assert!(matches!(error.reason, Refusal::Version(_)), "{error}");
    // A rejected amendment leaves the treaty in force.
    let rejected = apply(&fresh, &Event::new(Side::Local, now(), Action::Amend(amendment.clone())), now())
        .and_then(|r| apply(&r, &Event::new(Side::Remote, now(), Action::Reject(amendment.hash().clone())), now()))
        .unwrap();
    assert_eq!((rejected.state(), rejected.treaty().unwrap().hash()), (State::InForce, first.hash()));
}

#[test]
fn signing_keys_are_checked_before_a_signature_reaches_the_machine() {
    // The machine only sees signatures that verified; a forged one cannot be added.
    let draft = treaty_among(&[1, 2]);
    let mut signed = SignedTreaty::new(draft.clone());
    let forged = sign(&draft, &node(2), &key(1)).unwrap();
    assert!(signed.add_signature(forged, &key(2).public()).is_err());
    assert!(signed.signature_of(&node(2)).is_none());
}
