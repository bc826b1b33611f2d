//! The relation with one partner: a pure, deterministic state machine.
//!
//! ```text
//! contact ──recognize(both sides)──▶ recognized ──propose──▶ negotiating ──sign(all)──▶ in-force ◀──resume── suspended
//!                                        ▲      reject/withdraw  │  counter, accept          │  ──suspend──▶
//!                                        └───────────────────────┘                           │ amend: negotiation beside the treaty
//!                  terminate: negotiating → terminated at once; in-force|suspended → terminated after the notice period
//! ```
//!
//! Every change comes from an [`Event`]: a move carried by a verified diplomatic note,
//! made by this node ([`Side::Local`]) or by the partner ([`Side::Remote`]), or the
//! passing of time ([`tick`]). Recognition needs both sides: our operator confirmed the
//! partner's fingerprint (a local `recognize`) and the partner's `recognize` note
//! arrived. A draft's author may withdraw it; only the other side may counter, accept
//! or reject it. Accepting fixes the text; every party then signs that text, and the
//! relation is in force once every party's signature is present and the treaty's
//! dates include `now`. An amendment is negotiated the same way while the old treaty
//! stays in force, and replaces it once signed by all.
//!
//! Invariants: [`apply`] and [`tick`] do no IO, read no clock and are deterministic;
//! two sides that apply the same moves (each seeing the other's as `Remote`) hold
//! mirror-image relations ([`Relation::mirrored`]). No relation is `in-force` unless
//! its treaty [`SignedTreaty::is_in_force`] at the `now` it was last brought to.
//!
//! Multilateral treaties: each relation negotiates the text bilaterally. A first
//! proposal of a text between more than two parties may name another party in
//! `proposed_by` (B relays A's text to C), so every pair negotiates the very same text;
//! counter-proposals and amendments are always written by their mover. Signatures are
//! collected in a [`SignedTreaty`] keyed by the treaty hash, so a third party's
//! signature, forwarded by a `sign` note from whichever relation it arrived through,
//! counts in every relation that negotiates that text.
//!
//! Not here: verifying notes, keys and replay (the note layer), storing history (the
//! store keeps every note), or envoy credentials (the server asks
//! [`Relation::permits_exchange`]).

mod event;
mod machine;
mod negotiation;
mod refusal;

pub use event::{Action, Event};
pub use machine::{apply, tick};
pub use negotiation::{Negotiation, NegotiationKind};
pub use refusal::{IllegalMove, Refusal};

use crate::treaty::{InForce, SignedTreaty};
use crate::{StixId, Timestamp};
use std::fmt;

/// Which end of the relation made a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// This node.
    Local,
    /// The partner.
    Remote,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Local => Side::Remote,
            Side::Remote => Side::Local,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Local => "local",
            Side::Remote => "remote",
        }
    }
}

/// Where a relation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum State {
    Contact,
    Recognized,
    Negotiating,
    InForce,
    Suspended,
    Terminated,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Contact => "contact",
            State::Recognized => "recognized",
            State::Negotiating => "negotiating",
            State::InForce => "in-force",
            State::Suspended => "suspended",
            State::Terminated => "terminated",
        }
    }
}

/// The moves diplomatic notes make.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Move {
    Recognize,
    Propose,
    Counter,
    Accept,
    Reject,
    Withdraw,
    Sign,
    Amend,
    Suspend,
    Resume,
    Terminate,
}

impl Move {
    pub const ALL: [Move; 11] = [
        Move::Recognize,
        Move::Propose,
        Move::Counter,
        Move::Accept,
        Move::Reject,
        Move::Withdraw,
        Move::Sign,
        Move::Amend,
        Move::Suspend,
        Move::Resume,
        Move::Terminate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Move::Recognize => "recognize",
            Move::Propose => "propose",
            Move::Counter => "counter",
            Move::Accept => "accept",
            Move::Reject => "reject",
            Move::Withdraw => "withdraw",
            Move::Sign => "sign",
            Move::Amend => "amend",
            Move::Suspend => "suspend",
            Move::Resume => "resume",
            Move::Terminate => "terminate",
        }
    }
}

macro_rules! display_as_str {
    ($($name:ty),+) => {$(
        impl fmt::Display for $name {
            fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str(self.as_str())
            }
        }
    )+};
}
display_as_str!(Side, State, Move);

/// A notice of termination that has not yet taken effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Termination {
    pub by: Side,
    /// The note's time plus the treaty's notice period.
    pub effective_at: Timestamp,
}

/// How a relation ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// A side terminated it (effective at once during a negotiation, or after notice).
    Terminated { by: Side },
    /// The treaty reached its end date.
    Expired,
}

/// The relation with one partner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Relation {
    local: StixId,
    partner: StixId,
    state: State,
    local_confirmed: bool,
    remote_recognized: bool,
    /// The treaty in force (kept after the relation ends, for the record).
    treaty: Option<SignedTreaty>,
    /// A treaty or an amendment under negotiation.
    negotiation: Option<Negotiation>,
    suspended_by: Option<Side>,
    termination: Option<Termination>,
    ending: Option<Ending>,
}

impl Relation {
    /// A first contact: the partner's card was fetched, nothing is recognized yet.
    pub fn new(local: StixId, partner: StixId) -> Relation {
        Relation {
            local,
            partner,
            state: State::Contact,
            local_confirmed: false,
            remote_recognized: false,
            treaty: None,
            negotiation: None,
            suspended_by: None,
            termination: None,
            ending: None,
        }
    }

    /// Applies one move; see [`apply`].
    pub fn apply(&self, event: &Event, now: Timestamp) -> Result<Relation, IllegalMove> {
        apply(self, event, now)
    }

    /// Brings the relation to `now`; see [`tick`].
    pub fn tick(&self, now: Timestamp) -> Relation {
        tick(self, now)
    }

    /// The moves `by` may make now.
    pub fn allowed_moves(&self, by: Side) -> Vec<Move> {
        machine::allowed(self, by)
    }

    /// True only while the relation is in force and so is its treaty: the one question
    /// envoy credentials and exchanges ask.
    pub fn permits_exchange(&self, now: Timestamp) -> bool {
        self.in_force(now).is_some()
    }

    /// The proof that the treaty is in force, when the relation is in force.
    pub fn in_force(&self, now: Timestamp) -> Option<InForce<'_>> {
        let before_termination = self.termination.as_ref().is_none_or(|notice| now < notice.effective_at);
        if self.state != State::InForce || !before_termination {
            return None;
        }
        self.treaty.as_ref()?.is_in_force(now).ok()
    }

    /// The same relation seen from the partner's end.
    pub fn mirrored(&self) -> Relation {
        Relation {
            local: self.partner.clone(),
            partner: self.local.clone(),
            state: self.state,
            local_confirmed: self.remote_recognized,
            remote_recognized: self.local_confirmed,
            treaty: self.treaty.clone(),
            negotiation: self.negotiation.as_ref().map(Negotiation::mirrored),
            suspended_by: self.suspended_by.map(Side::other),
            termination: self.termination.as_ref().map(|t| Termination { by: t.by.other(), ..t.clone() }),
            ending: self.ending.as_ref().map(|ending| match ending {
                Ending::Terminated { by } => Ending::Terminated { by: by.other() },
                Ending::Expired => Ending::Expired,
            }),
        }
    }

    /// The node id of one side.
    pub fn node(&self, side: Side) -> &StixId {
        match side {
            Side::Local => &self.local,
            Side::Remote => &self.partner,
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    /// Whether `side` has recognized the other (our operator confirmed the partner's
    /// fingerprint, or the partner's `recognize` note arrived).
    pub fn has_recognized(&self, side: Side) -> bool {
        match side {
            Side::Local => self.local_confirmed,
            Side::Remote => self.remote_recognized,
        }
    }

    /// The treaty in force (or, once ended, the one that was).
    pub fn treaty(&self) -> Option<&SignedTreaty> {
        self.treaty.as_ref()
    }

    pub fn negotiation(&self) -> Option<&Negotiation> {
        self.negotiation.as_ref()
    }

    pub fn suspended_by(&self) -> Option<Side> {
        self.suspended_by
    }

    pub fn termination(&self) -> Option<&Termination> {
        self.termination.as_ref()
    }

    pub fn ending(&self) -> Option<&Ending> {
        self.ending.as_ref()
    }
}
