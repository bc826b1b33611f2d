//! One proposal and the votes cast on it, counted under the charter's rule.
//!
//! The voters eligible on a proposal are the members in force at the version it names,
//! except the subject of an expulsion. A proposal *passes* when the yes votes meet the
//! rule and, for an admission, the candidate has acceded to the charter; it is
//! *defeated* as soon as the no votes make that impossible; it *lapses* when the
//! membership moves to another version before either, because its count was over a
//! membership that is no longer in force.

use super::act::{Ballot, ProposalAction};
use super::charter::DecisionRule;
use super::membership::Membership;
use super::wire::AllianceHash;
use crate::StixId;
use std::collections::BTreeMap;
use std::fmt;

/// Where a proposal stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Open,
    Passed,
    Defeated,
    Lapsed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Open => "open",
            Outcome::Passed => "passed",
            Outcome::Defeated => "defeated",
            Outcome::Lapsed => "lapsed (the membership changed before it passed)",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A vote as counted: the ballot and the hash of the act that cast it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CountedVote {
    pub ballot: Ballot,
    pub act: AllianceHash,
}

/// A proposal, its votes and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Poll {
    pub(crate) proposal: AllianceHash,
    pub(crate) proposed_by: StixId,
    pub(crate) action: ProposalAction,
    pub(crate) subject: StixId,
    pub(crate) version: u32,
    pub(crate) votes: BTreeMap<StixId, CountedVote>,
    pub(crate) accession: Option<AllianceHash>,
    pub(crate) outcome: Outcome,
}

impl Poll {
    pub fn proposal(&self) -> &AllianceHash {
        &self.proposal
    }

    pub fn proposed_by(&self) -> &StixId {
        &self.proposed_by
    }

    pub fn action(&self) -> ProposalAction {
        self.action
    }

    pub fn subject(&self) -> &StixId {
        &self.subject
    }

    /// The membership version the proposal was made at.
    pub fn version(&self) -> u32 {
        self.version
    }

    /// The votes cast, by voter.
    pub fn votes(&self) -> &BTreeMap<StixId, CountedVote> {
        &self.votes
    }

    /// The candidate's accession, for an admission.
    pub fn accession(&self) -> Option<&AllianceHash> {
        self.accession.as_ref()
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// Whether `node` may vote on this proposal at `membership` (its version).
    pub fn is_eligible(&self, node: &StixId, membership: &Membership) -> bool {
        membership.is_member(node) && !(self.action == ProposalAction::Expel && *node == self.subject)
    }

    /// How many members may vote.
    pub fn eligible_count(&self, membership: &Membership) -> usize {
        membership.members().iter().filter(|member| self.is_eligible(member, membership)).count()
    }

    pub fn yes_count(&self) -> usize {
        self.votes.values().filter(|vote| vote.ballot == Ballot::Yes).count()
    }

    pub fn no_count(&self) -> usize {
        self.votes.values().filter(|vote| vote.ballot == Ballot::No).count()
    }

    /// The hashes of the votes cast, sorted: what a membership change records.
    pub fn vote_hashes(&self) -> Vec<AllianceHash> {
        let mut hashes: Vec<AllianceHash> = self.votes.values().map(|vote| vote.act.clone()).collect();
        hashes.sort();
        hashes
    }

    /// The outcome after the latest vote or accession, while the proposal is open.
    pub(crate) fn evaluate(&self, rule: DecisionRule, membership: &Membership) -> Outcome {
        let eligible = self.eligible_count(membership);
        let carried = rule.is_met(self.yes_count(), eligible);
        let acceded = self.action == ProposalAction::Expel || self.accession.is_some();
        if carried && acceded {
            Outcome::Passed
        } else if !rule.is_met(eligible.saturating_sub(self.no_count()), eligible) {
            Outcome::Defeated
        } else {
            Outcome::Open
        }
    }
}
