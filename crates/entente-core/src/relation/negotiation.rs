//! A negotiation in progress: the current draft, who wrote it, whether it was accepted
//! and the signatures collected on it.
//!
//! Invariants: the signatures are always on the current draft; no signature is kept
//! before the draft is accepted (a signature on a text not agreed is refused); a
//! counter-proposal must name the current draft's hash in `supersedes`.
//!
//! The checks here are on content; whether a move is allowed in the state at all is
//! the machine's question.

use super::{Refusal, Relation, Side};
use crate::StixId;
use crate::treaty::{SignedTreaty, Treaty, TreatyHash};

/// What is being negotiated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NegotiationKind {
    /// A first treaty; the relation is `negotiating`.
    Treaty,
    /// An amendment of the treaty in force, which stays in force meanwhile.
    Amendment,
}

/// The draft on the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiation {
    pub(super) kind: NegotiationKind,
    pub(super) draft: SignedTreaty,
    pub(super) author: Side,
    pub(super) accepted: bool,
}

impl Negotiation {
    pub(super) fn open(kind: NegotiationKind, draft: Treaty, author: Side) -> Negotiation {
        Negotiation { kind, draft: SignedTreaty::new(draft), author, accepted: false }
    }

    pub fn kind(&self) -> NegotiationKind {
        self.kind
    }

    /// The current draft (once accepted, the agreed text).
    pub fn draft(&self) -> &Treaty {
        self.draft.treaty()
    }

    /// The signatures collected on the agreed text.
    pub fn signatures(&self) -> &SignedTreaty {
        &self.draft
    }

    /// The side that wrote the current draft.
    pub fn author(&self) -> Side {
        self.author
    }

    pub fn is_accepted(&self) -> bool {
        self.accepted
    }

    pub(super) fn mirrored(&self) -> Negotiation {
        Negotiation { author: self.author.other(), ..self.clone() }
    }

    /// Replaces the draft with its answer.
    pub(super) fn counter(&mut self, answer: &Treaty, by: Side) -> Result<(), Refusal> {
        answer.answers(self.draft()).map_err(Refusal::Version)?;
        self.draft = SignedTreaty::new(answer.clone());
        self.author = by;
        Ok(())
    }

    /// Checks that a move names the current draft.
    pub(super) fn check_names(&self, named: &TreatyHash) -> Result<(), Refusal> {
        if named == self.draft.hash() {
            Ok(())
        } else {
            Err(Refusal::WrongDraft { current: self.draft.hash().clone(), named: named.clone() })
        }
    }

    /// Takes `signer`'s signature (and any other carried along) on the agreed text.
    pub(super) fn record_signatures(&mut self, signer: &StixId, signatures: &SignedTreaty) -> Result<(), Refusal> {
        if signatures.hash() != self.draft.hash() {
            return Err(Refusal::NotAgreedText { agreed: self.draft.hash().clone(), found: signatures.hash().clone() });
        }
        if !self.draft().is_party(signer) {
            return Err(Refusal::NotAParty(signer.clone()));
        }
        if signatures.signature_of(signer).is_none() {
            return Err(Refusal::Unsigned(signer.clone()));
        }
        // The hashes were compared above, so the merge cannot fail.
        self.draft.merge(signatures).map_err(|_| Refusal::Unsigned(signer.clone()))
    }
}

/// Whether a draft may name, in `proposed_by`, a party other than the side that puts
/// it on the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Authorship {
    /// Counter-proposals and amendments: the mover wrote the text.
    Mover,
    /// A first proposal: a text between more than two parties may be relayed, as
    /// written by another of its parties (B puts A's text to C), so that every pair of
    /// parties negotiates the same text, with the same hash.
    RelayMultilateral,
}

/// Checks a draft put forward by `by`: it must name the mover in `proposed_by` (unless
/// a multilateral text is relayed), and both sides of the relation must be parties.
pub(super) fn check_draft(
    relation: &Relation,
    draft: &Treaty,
    by: Side,
    authorship: Authorship,
) -> Result<(), Refusal> {
    let mover = relation.node(by);
    // `Treaty::parse` already made sure that `proposed_by` is one of the parties.
    let relayed = authorship == Authorship::RelayMultilateral && draft.parties().len() > 2;
    if draft.proposed_by() != mover && !relayed {
        return Err(Refusal::ProposedBy { expected: mover.clone(), found: draft.proposed_by().clone() });
    }
    for side in [Side::Local, Side::Remote] {
        let node = relation.node(side);
        if !draft.is_party(node) {
            return Err(Refusal::MissingParty(node.clone()));
        }
    }
    Ok(())
}
