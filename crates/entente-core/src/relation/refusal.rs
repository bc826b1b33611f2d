//! Why a move was refused: the state it met, what was wrong and what is allowed.
//!
//! An [`IllegalMove`] always carries the state and the moves the same side could have
//! made, so the operator (or the partner, in the reply note) learns what to do next.

use super::{Move, Side, State};
use crate::treaty::{TreatyHash, VersionError};
use crate::{StixId, Timestamp};
use std::fmt;

/// What was wrong with a move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("it is not a move of this state")]
    NotInState,
    #[error("only the {0} side may make it now")]
    OtherSide(Side),
    #[error("this side has already recognized the partner")]
    AlreadyRecognized,
    #[error("a termination is pending, effective {0}")]
    TerminationPending(Timestamp),
    #[error("the current draft has not been accepted yet")]
    NotAccepted,
    #[error("the current draft is already accepted and its text is fixed")]
    AlreadyAccepted,
    #[error("it names draft {named}, but the current draft is {current}")]
    WrongDraft { current: TreatyHash, named: TreatyHash },
    #[error("the new version does not answer the one before it: {0}")]
    Version(VersionError),
    #[error("proposed_by is {found}, but the move is made by {expected}")]
    ProposedBy { expected: StixId, found: StixId },
    #[error("the treaty's parties do not include {0}, a side of this relation")]
    MissingParty(StixId),
    #[error("the signatures are on {found}, not on the agreed text {agreed}")]
    NotAgreedText { agreed: TreatyHash, found: TreatyHash },
    #[error("{0} is not a party to the agreed text")]
    NotAParty(StixId),
    #[error("the signatures include none by {0}")]
    Unsigned(StixId),
}

/// A refused move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct IllegalMove {
    pub state: State,
    pub attempted: Move,
    pub by: Side,
    pub reason: Refusal,
    /// The moves `by` could make in this state.
    pub allowed: Vec<Move>,
}

impl fmt::Display for IllegalMove {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{} by the {} side refused in state {}: {}; allowed for the {} side: ",
            self.attempted, self.by, self.state, self.reason, self.by
        )?;
        if self.allowed.is_empty() {
            return formatter.write_str("nothing");
        }
        let names: Vec<&str> = self.allowed.iter().map(|allowed| allowed.as_str()).collect();
        formatter.write_str(&names.join(", "))
    }
}
