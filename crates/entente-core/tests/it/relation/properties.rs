//! Property tests over random sequences of moves.
//!
//! 1. Two simulated sides: each move is made by one side (refused moves are never
//!    sent, as a node refuses its own illegal note), delivered in order to the other,
//!    which must accept it; afterwards the two relations are mirror images.
//! 2. Whatever the sequence, including moves a partner should never send, a relation is
//!    `in-force` (or `suspended`) only with a treaty that every party signed, whose text
//!    was accepted, and whose dates include `now`.
//! 3. No sequence of events, at any instants, panics.

use super::signed_by;
use crate::treaty::{START, TREATY_ID, days_after, key, node, treaty_among};
use entente_core::relation::{Action, Event, Move, Relation, Side, State, apply, tick};
use entente_core::treaty::{SignedTreaty, Treaty, TreatyBody, TreatyHash, TreatyTime};
use entente_core::{StixId, Timestamp};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// What one side tries to do; turned into an event from that side's view.
#[derive(Clone, Debug)]
enum Intent {
    Recognize,
    Propose(u8),
    Counter(u8),
    Amend(u8),
    Accept {
        stale: bool,
    },
    Reject {
        stale: bool,
    },
    Withdraw {
        stale: bool,
    },
    Sign {
        wrong_text: bool,
    },
    ForwardThirdSignature,
    Suspend,
    Resume,
    Terminate,
    Wait {
        hours: u16,
    },
    /// One of the moves the sender may make now (the `n`th, wrapping), with content
    /// chosen by `variant`: keeps random runs moving through the whole lifecycle.
    Allowed {
        n: u8,
        variant: u8,
    },
}

/// Weighted so that random runs often get through recognition, negotiation and
/// signature to a treaty in force, and then amend, suspend or end it.
fn intent() -> impl Strategy<Value = Intent> {
    prop_oneof![
        6 => Just(Intent::Recognize),
        6 => any::<u8>().prop_map(Intent::Propose),
        4 => any::<u8>().prop_map(Intent::Counter),
        4 => any::<u8>().prop_map(Intent::Amend),
        12 => stale().prop_map(|stale| Intent::Accept { stale }),
        2 => stale().prop_map(|stale| Intent::Reject { stale }),
        2 => stale().prop_map(|stale| Intent::Withdraw { stale }),
        18 => any::<u8>().prop_map(|n| Intent::Sign { wrong_text: n < 32 }),
        6 => Just(Intent::ForwardThirdSignature),
        3 => Just(Intent::Suspend),
        4 => Just(Intent::Resume),
        1 => Just(Intent::Terminate),
        4 => prop_oneof![3 => 0u16..100, 1 => 100u16..1500].prop_map(|hours| Intent::Wait { hours }),
        60 => (any::<u8>(), any::<u8>()).prop_map(|(n, variant)| Intent::Allowed { n, variant }),
    ]
}

/// Mostly the current draft, sometimes a hash that names something else.
fn stale() -> impl Strategy<Value = bool> {
    prop_oneof![4 => Just(false), 1 => Just(true)]
}

fn start() -> Timestamp {
    crate::treaty::at("2026-03-01T00:00:00.000Z")
}

/// A body chosen by `variant`: two or three parties, a start date in the past or the
/// near future, an end date within weeks or none, a notice period of 0 or 2 days.
fn body(variant: u8) -> TreatyBody {
    let parties: &[u8] = if variant.is_multiple_of(4) { &[1, 2, 3] } else { &[1, 2] };
    let mut body = treaty_among(parties).body().clone();
    body.title = format!("Treaty variant {variant}");
    let starts = if variant.is_multiple_of(3) { days_after(start(), 3) } else { crate::treaty::at(START) };
    body.terms.start_date = TreatyTime::from(starts);
    body.terms.end_date =
        (!variant.is_multiple_of(5)).then(|| TreatyTime::from(days_after(start(), 5 + i64::from(variant % 40))));
    body.notice_period_days = u32::from(variant % 2) * 2;
    body
}

/// The text moves about "the current draft" refer to.
fn current_text(relation: &Relation) -> Option<Treaty> {
    relation
        .negotiation()
        .map(|negotiation| negotiation.draft().clone())
        .or_else(|| relation.treaty().map(|treaty| treaty.treaty().clone()))
}

fn unrelated_hash() -> TreatyHash {
    treaty_among(&[2, 1]).hash().clone()
}

/// The intent to make the `n`th allowed move of the local side (terminating rarely).
fn allowed_intent(relation: &Relation, n: u8, variant: u8) -> Option<Intent> {
    let allowed: Vec<Move> = relation
        .allowed_moves(Side::Local)
        .into_iter()
        .filter(|candidate| *candidate != Move::Terminate || variant < 16)
        .collect();
    // Mostly move forward (sign, accept), so that runs reach a treaty in force.
    let forward = [Move::Sign, Move::Accept].into_iter().find(|wanted| variant < 160 && allowed.contains(wanted));
    let chosen = forward.or_else(|| allowed.get(usize::from(n) % allowed.len().max(1)).copied())?;
    Some(match chosen {
        Move::Recognize => Intent::Recognize,
        Move::Propose => Intent::Propose(variant),
        Move::Counter => Intent::Counter(variant),
        Move::Amend => Intent::Amend(variant),
        Move::Accept => Intent::Accept { stale: false },
        Move::Reject => Intent::Reject { stale: false },
        Move::Withdraw => Intent::Withdraw { stale: false },
        Move::Sign if variant.is_multiple_of(2) => Intent::ForwardThirdSignature,
        Move::Sign => Intent::Sign { wrong_text: false },
        Move::Suspend => Intent::Suspend,
        Move::Resume => Intent::Resume,
        Move::Terminate => Intent::Terminate,
    })
}

/// The event `intent` becomes when made by the local side of `relation`, the side
/// that is node `number`. `None` for waiting.
fn materialise(relation: &Relation, number: u8, intent: &Intent, now: Timestamp) -> Option<Event> {
    if let Intent::Allowed { n, variant } = intent {
        return materialise(relation, number, &allowed_intent(relation, *n, *variant)?, now);
    }
    let me = node(number);
    let text = current_text(relation).unwrap_or_else(|| treaty_among(&[1, 2]));
    let hash = |stale: bool| if stale { unrelated_hash() } else { text.hash().clone() };
    let action = match intent {
        Intent::Recognize => Action::Recognize,
        Intent::Propose(variant) => {
            Action::Propose(Treaty::draft(&StixId::parse(TREATY_ID).ok()?, &me, now, &body(*variant)).ok()?)
        }
        Intent::Counter(variant) => Action::Counter(text.counter(&me, now, &body(*variant)).ok()?),
        Intent::Amend(variant) => Action::Amend(text.amend(&me, now, &body(*variant)).ok()?),
        Intent::Accept { stale } => Action::Accept(hash(*stale)),
        Intent::Reject { stale } => Action::Reject(hash(*stale)),
        Intent::Withdraw { stale } => Action::Withdraw(hash(*stale)),
        Intent::Sign { wrong_text } => {
            let signed = if *wrong_text { treaty_among(&[1, 2, 3]) } else { text };
            Action::Sign { signer: me, signatures: signed_by(&signed, number) }
        }
        Intent::ForwardThirdSignature if text.is_party(&node(3)) => {
            Action::Sign { signer: node(3), signatures: signed_by(&text, 3) }
        }
        Intent::ForwardThirdSignature => Action::Sign { signer: node(3), signatures: SignedTreaty::new(text) },
        Intent::Suspend => Action::Suspend,
        Intent::Resume => Action::Resume,
        Intent::Terminate => Action::Terminate,
        Intent::Wait { .. } | Intent::Allowed { .. } => return None,
    };
    Some(Event::new(Side::Local, now, action))
}

/// The event as the receiving node builds it from the verified note: the move is the
/// partner's, and the signatures are verified again with the receiver's pinned keys.
fn receive(event: &Event) -> Event {
    let action = match &event.action {
        Action::Sign { signer, signatures } => {
            let mut verified = SignedTreaty::new(signatures.treaty().clone());
            for signature in signatures.signatures() {
                let number = (1..=3).find(|n| node(*n) == signature.party).unwrap_or(0);
                let _ = verified.add_signature(signature.clone(), &key(number).public());
            }
            Action::Sign { signer: signer.clone(), signatures: verified }
        }
        other => other.clone(),
    };
    Event::new(Side::Remote, event.at, action)
}

/// Checks property 2 on one relation brought to `now`.
fn check_in_force(relation: &Relation, accepted: &BTreeSet<TreatyHash>, now: Timestamp) -> Result<(), TestCaseError> {
    if matches!(relation.state(), State::InForce | State::Suspended) {
        let treaty = relation.treaty().expect("a relation in force has a treaty");
        prop_assert!(treaty.missing_parties().is_empty());
        prop_assert!(treaty.is_in_force(now).is_ok(), "in force outside its dates");
        prop_assert!(accepted.contains(treaty.hash()), "in force with a text nobody accepted");
    }
    if relation.permits_exchange(now) {
        prop_assert_eq!(relation.state(), State::InForce);
    }
    Ok(())
}

fn moves() -> impl Strategy<Value = Vec<(bool, Intent)>> {
    prop::collection::vec((any::<bool>(), intent()), 0..80)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    /// Property 1 (and 2 along the way): both sides agree after every exchange.
    #[test]
    fn both_sides_agree(moves in moves()) {
        let mut now = start();
        let mut sides = [Relation::new(node(1), node(2)), Relation::new(node(2), node(1))];
        let mut accepted = BTreeSet::new();
        for (from_second, intent) in moves {
            let (sender, receiver) = if from_second { (1, 0) } else { (0, 1) };
            if let Intent::Wait { hours } = intent {
                now = Timestamp::from_unix_nanos(now.unix_nanos() + i128::from(hours) * 3_600_000_000_000, 3);
                sides = [tick(&sides[0], now), tick(&sides[1], now)];
            } else if let Some(event) = materialise(&sides[sender], sender as u8 + 1, &intent, now) {
                let Ok(sent) = apply(&sides[sender], &event, now) else { continue };
                if let Action::Accept(hash) = &event.action {
                    accepted.insert(hash.clone());
                }
                let delivered = apply(&sides[receiver], &receive(&event), now);
                prop_assert!(delivered.is_ok(), "the receiver refused {:?}: {:?}", event.action.kind(), delivered.err());
                sides[sender] = sent;
                sides[receiver] = delivered.expect("checked above");
            }
            prop_assert_eq!(&sides[0], &sides[1].mirrored());
            check_in_force(&sides[0], &accepted, now)?;
        }
    }

    /// Property 2: one relation fed moves from both sides, unfiltered.
    #[test]
    fn nothing_is_in_force_without_every_signature_and_its_dates(moves in moves()) {
        let mut now = start();
        let mut relation = Relation::new(node(1), node(2));
        let mut accepted = BTreeSet::new();
        for (remote, intent) in moves {
            if let Intent::Wait { hours } = intent {
                now = Timestamp::from_unix_nanos(now.unix_nanos() + i128::from(hours) * 3_600_000_000_000, 3);
                relation = tick(&relation, now);
                check_in_force(&relation, &accepted, now)?;
                continue;
            }
            let view = if remote { relation.mirrored() } else { relation.clone() };
            if let Some(event) = materialise(&view, if remote { 2 } else { 1 }, &intent, now) {
                let event = if remote { receive(&event) } else { event };
                if let Ok(next) = apply(&relation, &event, now) {
                    if let Action::Accept(hash) = &event.action {
                        accepted.insert(hash.clone());
                    }
                    relation = next;
                }
            }
            check_in_force(&relation, &accepted, now)?;
        }
    }

    /// Property 3: any events at any instants, in any order, never panic.
    #[test]
    fn no_sequence_panics(moves in prop::collection::vec((any::<bool>(), intent(), any::<i64>()), 0..40)) {
        let mut relation = Relation::new(node(1), node(2));
        for (remote, intent, nanos) in moves {
            let now = Timestamp::from_unix_nanos(i128::from(nanos) * 1_000, 3);
            if let Some(mut event) = materialise(&relation, 1, &intent, now) {
                event.by = if remote { Side::Remote } else { Side::Local };
                event.at = Timestamp::from_unix_nanos(i128::from(nanos.wrapping_mul(7)), 9);
                match apply(&relation, &event, now) {
                    Ok(next) => relation = next,
                    Err(error) => prop_assert!(!error.to_string().is_empty()),
                }
            }
            relation = tick(&relation, now);
            let _ = relation.permits_exchange(now);
        }
    }
}
