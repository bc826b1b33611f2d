//! The events that move a relation: one per verified diplomatic note.
//!
//! An [`Event`] says who made the move (`by`), when the note carrying it was written
//! (`at`, the note's own creation time, so that both sides compute the same deadlines
//! from it) and what the move is, with the content it needs: the draft for a proposal,
//! counter-proposal or amendment, the hash of the draft for an acceptance, rejection or
//! withdrawal, the signatures for a signing.
//!
//! Events carry checked values only (a parsed [`Treaty`], verified signatures in a
//! [`SignedTreaty`]); the note layer builds them after verifying the note.

use super::{Move, Side};
use crate::treaty::{SignedTreaty, Treaty, TreatyHash};
use crate::{StixId, Timestamp};

/// One move, as a verified note carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub by: Side,
    /// The creation time of the note that carries the move.
    pub at: Timestamp,
    pub action: Action,
}

/// What the move is, with its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// A local `recognize` records that our operator confirmed the partner's
    /// fingerprint; a remote one that the partner did the same for us.
    Recognize,
    /// A treaty draft, opening a negotiation.
    Propose(Treaty),
    /// The next version of the current draft.
    Counter(Treaty),
    /// Accepts the current draft, named by its hash; its text becomes the agreed text.
    Accept(TreatyHash),
    /// Refuses the current draft (by the side that did not write it).
    Reject(TreatyHash),
    /// Takes back the current draft (by the side that wrote it).
    Withdraw(TreatyHash),
    /// Signatures on the agreed text: `signer`'s signature is among `signatures`, which
    /// may carry others (a third party's, forwarded from another relation).
    Sign {
        signer: StixId,
        signatures: SignedTreaty,
    },
    /// The next version of the treaty in force.
    Amend(Treaty),
    Suspend,
    Resume,
    Terminate,
}

impl Action {
    /// The move this action makes.
    pub fn kind(&self) -> Move {
        match self {
            Action::Recognize => Move::Recognize,
            Action::Propose(_) => Move::Propose,
            Action::Counter(_) => Move::Counter,
            Action::Accept(_) => Move::Accept,
            Action::Reject(_) => Move::Reject,
            Action::Withdraw(_) => Move::Withdraw,
            Action::Sign { .. } => Move::Sign,
            Action::Amend(_) => Move::Amend,
            Action::Suspend => Move::Suspend,
            Action::Resume => Move::Resume,
            Action::Terminate => Move::Terminate,
        }
    }
}

impl Event {
    pub fn new(by: Side, at: Timestamp, action: Action) -> Event {
        Event { by, at, action }
    }
}
