//! The transition rules: which moves each side may make in each state, what they do,
//! and what the passing of time does.
//!
//! [`apply`] first brings the relation to `now` ([`tick`]), then checks and makes the
//! move, then brings it to `now` again, so that a move completing the signatures of a
//! treaty whose dates include `now` puts it in force at once, and a termination whose
//! notice has already run out takes effect at once.
//!
//! [`tick`] is the only rule driven by time: a fully signed text enters into force when
//! its start date comes; a treaty past its end date ends the relation (expiry); a
//! termination takes effect when its notice has run.

use super::negotiation::{Authorship, check_draft};
use super::{
    Action, Ending, Event, IllegalMove, Move, Negotiation, NegotiationKind, Refusal, Relation, Side, State, Termination,
};
use crate::Timestamp;
use crate::treaty::NotInForce;

const NANOS_PER_DAY: i128 = 86_400 * 1_000_000_000;

/// Applies one move made by `event.by` to `relation` at `now`, or says why not.
/// Deterministic and free of IO: the same inputs give the same result.
pub fn apply(relation: &Relation, event: &Event, now: Timestamp) -> Result<Relation, IllegalMove> {
    let current = tick(relation, now);
    let mut next = current.clone();
    match step(&mut next, event) {
        Ok(()) => Ok(tick(&next, now)),
        Err(reason) => Err(IllegalMove {
            state: current.state,
            attempted: event.action.kind(),
            by: event.by,
            reason,
            allowed: allowed(&current, event.by),
        }),
    }
}

/// Brings `relation` to `now`: entry into force of a fully signed text whose start date
/// has come, expiry of a treaty past its end date, termination whose notice has run.
pub fn tick(relation: &Relation, now: Timestamp) -> Relation {
    let mut next = relation.clone();
    enter_into_force(&mut next, now);
    end_if_due(&mut next, now);
    next
}

/// The moves `by` may make, in a fixed order.
pub(super) fn allowed(relation: &Relation, by: Side) -> Vec<Move> {
    let suspender = relation.suspended_by == Some(by);
    if relation.termination.is_some() {
        return match relation.state {
            State::InForce => vec![Move::Suspend],
            State::Suspended if suspender => vec![Move::Resume],
            _ => Vec::new(),
        };
    }
    let negotiating = relation.negotiation.as_ref().map(|negotiation| negotiation_moves(negotiation, by));
    match relation.state {
        State::Contact if relation.has_recognized(by) => Vec::new(),
        State::Contact => vec![Move::Recognize],
        State::Recognized => vec![Move::Propose],
        State::Negotiating => [negotiating.unwrap_or_default(), vec![Move::Terminate]].concat(),
        State::InForce => match negotiating {
            Some(moves) => [moves, vec![Move::Suspend, Move::Terminate]].concat(),
            None => vec![Move::Amend, Move::Suspend, Move::Terminate],
        },
        State::Suspended if suspender => vec![Move::Resume, Move::Terminate],
        State::Suspended => vec![Move::Terminate],
        State::Terminated => Vec::new(),
    }
}

fn negotiation_moves(negotiation: &Negotiation, by: Side) -> Vec<Move> {
    match (negotiation.author == by, negotiation.accepted) {
        (true, false) => vec![Move::Withdraw],
        (false, false) => vec![Move::Counter, Move::Accept, Move::Reject],
        (true, true) => vec![Move::Sign, Move::Withdraw],
        (false, true) => vec![Move::Sign, Move::Reject],
    }
}

/// The most useful reason a move that is not allowed was refused.
fn why_not(relation: &Relation, by: Side, attempted: Move) -> Refusal {
    let accepted = relation.negotiation.as_ref().map(|negotiation| negotiation.accepted);
    match (&relation.termination, attempted, accepted) {
        (Some(notice), _, _) if relation.state != State::Terminated => Refusal::TerminationPending(notice.effective_at),
        (_, Move::Recognize, _) if relation.state == State::Contact => Refusal::AlreadyRecognized,
        (_, Move::Sign, Some(false)) if relation.state != State::Suspended => Refusal::NotAccepted,
        (_, Move::Counter | Move::Accept, Some(true)) if relation.state != State::Suspended => Refusal::AlreadyAccepted,
        _ if allowed(relation, by.other()).contains(&attempted) => Refusal::OtherSide(by.other()),
        _ => Refusal::NotInState,
    }
}

/// Checks and makes one move; on error `relation` is left partly changed and must be
/// dropped (the caller works on a copy).
fn step(relation: &mut Relation, event: &Event) -> Result<(), Refusal> {
    let by = event.by;
    if !allowed(relation, by).contains(&event.action.kind()) {
        return Err(why_not(relation, by, event.action.kind()));
    }
    match &event.action {
        Action::Recognize => recognize(relation, by),
        Action::Propose(draft) => {
            check_draft(relation, draft, by, Authorship::RelayMultilateral)?;
            relation.negotiation = Some(Negotiation::open(NegotiationKind::Treaty, draft.clone(), by));
            relation.state = State::Negotiating;
        }
        Action::Amend(draft) => {
            check_draft(relation, draft, by, Authorship::Mover)?;
            let in_force = relation.treaty.as_ref().ok_or(Refusal::NotInState)?;
            draft.answers(in_force.treaty()).map_err(Refusal::Version)?;
            relation.negotiation = Some(Negotiation::open(NegotiationKind::Amendment, draft.clone(), by));
        }
        Action::Counter(draft) => {
            check_draft(relation, draft, by, Authorship::Mover)?;
            negotiation(relation)?.counter(draft, by)?;
        }
        Action::Accept(named) => {
            let negotiation = negotiation(relation)?;
            negotiation.check_names(named)?;
            negotiation.accepted = true;
        }
        Action::Reject(named) | Action::Withdraw(named) => {
            negotiation(relation)?.check_names(named)?;
            close_negotiation(relation);
        }
        Action::Sign { signer, signatures } => negotiation(relation)?.record_signatures(signer, signatures)?,
        Action::Suspend => {
            relation.state = State::Suspended;
            relation.suspended_by = Some(by);
        }
        Action::Resume => {
            relation.state = State::InForce;
            relation.suspended_by = None;
        }
        Action::Terminate => terminate(relation, event),
    }
    Ok(())
}

fn negotiation(relation: &mut Relation) -> Result<&mut Negotiation, Refusal> {
    relation.negotiation.as_mut().ok_or(Refusal::NotInState)
}

fn recognize(relation: &mut Relation, by: Side) {
    match by {
        Side::Local => relation.local_confirmed = true,
        Side::Remote => relation.remote_recognized = true,
    }
    if relation.local_confirmed && relation.remote_recognized {
        relation.state = State::Recognized;
    }
}

/// A rejected or withdrawn draft: back to `recognized`, or, for an amendment, to the
/// treaty that stayed in force.
fn close_negotiation(relation: &mut Relation) {
    if let Some(closed) = relation.negotiation.take()
        && closed.kind == NegotiationKind::Treaty
    {
        relation.state = State::Recognized;
    }
}

/// Without a treaty in force, the relation ends at once; with one, after the treaty's
/// notice period, counted from the note's time so that both sides agree on the day.
fn terminate(relation: &mut Relation, event: &Event) {
    relation.negotiation = None;
    let notice_days = relation.treaty.as_ref().map_or(0, |treaty| treaty.treaty().body().notice_period_days);
    if relation.state == State::Negotiating || notice_days == 0 {
        end(relation, Ending::Terminated { by: event.by });
        return;
    }
    let effective_at = Timestamp::from_unix_nanos(
        event.at.unix_nanos().saturating_add(i128::from(notice_days) * NANOS_PER_DAY),
        event.at.precision(),
    );
    relation.termination = Some(Termination { by: event.by, effective_at });
}

fn end(relation: &mut Relation, ending: Ending) {
    relation.state = State::Terminated;
    relation.negotiation = None;
    relation.suspended_by = None;
    relation.ending = Some(ending);
}

/// Puts a fully signed text in force once its dates include `now`: a first treaty
/// moves the relation to `in-force`; an amendment replaces the treaty in force.
fn enter_into_force(relation: &mut Relation, now: Timestamp) {
    let Some(negotiation) = &relation.negotiation else { return };
    if !negotiation.accepted || negotiation.draft.is_in_force(now).is_err() {
        return;
    }
    match (relation.state, negotiation.kind) {
        (State::Negotiating, NegotiationKind::Treaty) => relation.state = State::InForce,
        (State::InForce | State::Suspended, NegotiationKind::Amendment) => {}
        _ => return,
    }
    relation.treaty = relation.negotiation.take().map(|negotiation| negotiation.draft);
}

fn end_if_due(relation: &mut Relation, now: Timestamp) {
    if !matches!(relation.state, State::InForce | State::Suspended) {
        return;
    }
    if let Some(notice) = &relation.termination
        && now >= notice.effective_at
    {
        let by = notice.by;
        end(relation, Ending::Terminated { by });
        return;
    }
    let expired = relation.treaty.as_ref().map(|treaty| treaty.is_in_force(now));
    if let Some(Err(NotInForce::Ended { .. })) = expired {
        end(relation, Ending::Expired);
    }
}
