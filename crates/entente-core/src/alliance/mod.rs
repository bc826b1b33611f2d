//! Alliances: a multilateral charter, its members, and admission, expulsion and
//! withdrawal by signed acts.
//!
//! The pieces:
//!
//! - [`Charter`] (`charter`): the founding text — name, purpose, optional region,
//!   founders, the [`DecisionRule`] (unanimity or a qualified majority), and a treaty's
//!   scope, IEP terms and re-sharing rule. Its `id` is the alliance id.
//! - [`SignedAct`] (`act`): the five signed acts — a founder's signature, a proposal to
//!   admit or expel, a vote, a candidate's accession to the charter, a withdrawal —
//!   each naming the alliance, the charter hash and, where it matters, the membership
//!   version it applies to.
//! - [`Membership`] (`membership`): one version of the member list, hash-chained to the
//!   previous one, with the hashes of the acts that justify the change.
//! - [`Alliance`] (`fold`, with `poll` and `refusal`): the pure fold
//!   [`Alliance::apply`], and [`memberships_in_force`] for the release decision.
//! - [`Settled`] (`settle`): [`Alliance::settle`] folds a *set* of acts, whatever order
//!   they arrived in, so that nodes holding the same acts hold the same alliance.
//!
//! Invariants: no IO, no clock, no randomness. Every member that folds the same acts in
//! the same order holds the same membership versions with the same hashes. Membership
//! version n+1 exists only if the charter's rule was met by verified acts of members in
//! force at version n (and, for an admission, the candidate's own accession); a
//! refused act changes nothing. Documents are parsed strictly (unknown members refused,
//! optional members absent rather than `null`), so each meaning has one spelling and one
//! hash.
//!
//! What this module deliberately does not do: carry acts between nodes (the server's
//! `alliance-act` notes do), store them, pick which key was valid when (the
//! caller's key lookup does), amend a charter, or decide a release (it only fills
//! [`crate::release::Memberships`]).

mod act;
mod charter;
mod fold;
mod membership;
mod poll;
mod refusal;
mod settle;
mod wire;

pub use act::{Act, ActBody, Ballot, ProposalAction, SignedAct, VersionRef};
pub use charter::{Charter, CharterBody, DecisionRule, Region};
pub use fold::{Alliance, memberships_in_force};
pub use membership::{Change, Membership};
pub use poll::{CountedVote, Outcome, Poll};
pub use refusal::AllianceError;
pub use settle::Settled;
pub use wire::{AllianceDocumentError, AllianceHash, AllianceHashError};
