//! The alliance as a pure fold over signed acts.
//!
//! [`Alliance::new`] starts from a charter; [`Alliance::apply`] takes one act and either
//! returns the next alliance or refuses the act with an [`AllianceError`], changing
//! nothing. Every member that folds the same acts in the same order holds the same
//! alliance: the same membership versions with the same hashes.
//!
//! Checks, in this order (the first that fails names the refusal): the act is for this
//! alliance and charter; founders' signatures only before the founding and everything
//! else only after; the membership version the act names is the one in force (older:
//! stale; newer: out of order; same number, other hash: another history); the author is
//! a founder (signature), a member in force (proposal, vote, withdrawal) or the
//! candidate (accession); its signature verifies with the key the caller vouches for;
//! then what the act means (duplicates, subjects, proposals open, eligibility).
//!
//! A new membership version is recorded only by the act that completes a change: the
//! last founder's signature, the vote or accession that makes a proposal pass, or a
//! withdrawal. Then every other open proposal lapses, because its count was over the
//! previous membership.
//!
//! Not here: time. Membership is a function of the acts alone; whether the charter's
//! dates include `now` is asked separately ([`Alliance::is_in_force`]).

use super::act::{ActBody, Ballot, ProposalAction, SignedAct, VersionRef};
use super::charter::Charter;
use super::membership::{Change, Membership};
use super::poll::{CountedVote, Outcome, Poll};
use super::refusal::AllianceError;
use super::wire::AllianceHash;
use crate::keys::{KeyId, PublicKey};
use crate::release::Memberships;
use crate::{StixId, Timestamp};
use std::collections::BTreeMap;

/// An alliance: its charter, the founders' signatures, every membership version and
/// every proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alliance {
    charter: Charter,
    /// Founder → the hash of its `alliance-signature` act.
    signatures: BTreeMap<StixId, AllianceHash>,
    /// Version 1 first; empty until every founder has signed.
    history: Vec<Membership>,
    polls: BTreeMap<AllianceHash, Poll>,
}

impl Alliance {
    /// An alliance whose charter nobody has signed yet.
    pub fn new(charter: Charter) -> Alliance {
        Alliance { charter, signatures: BTreeMap::new(), history: Vec::new(), polls: BTreeMap::new() }
    }

    /// Folds every act in order, stopping at the first refusal.
    pub fn fold<'a>(
        charter: Charter,
        acts: impl IntoIterator<Item = &'a SignedAct>,
        keys: impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<Alliance, AllianceError> {
        acts.into_iter().try_fold(Alliance::new(charter), |alliance, act| alliance.apply(act, &keys))
    }

    /// Applies one act, verifying its signature with `keys(author, key_id)`.
    pub fn apply(
        &self,
        act: &SignedAct,
        keys: impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<Alliance, AllianceError> {
        self.check_addressed(act)?;
        if !matches!(act.body(), ActBody::Signature) {
            let current = self.membership().ok_or(AllianceError::NotFounded)?;
            if let Some(named) = act.body().version_ref() {
                check_version(named, current)?;
            }
        }
        let mut next = self.clone();
        match act.body() {
            ActBody::Signature => next.add_founder_signature(act, &keys)?,
            ActBody::Proposal { action, subject, .. } => next.propose(act, *action, subject, &keys)?,
            ActBody::Vote { proposal, ballot, .. } => next.vote(act, proposal, *ballot, &keys)?,
            ActBody::Accession { proposal } => next.accede(act, proposal, &keys)?,
            ActBody::Withdrawal { .. } => next.withdraw(act, &keys)?,
        }
        Ok(next)
    }

    fn check_addressed(&self, act: &SignedAct) -> Result<(), AllianceError> {
        let named = &act.act().alliance;
        if named != self.charter.id() {
            return Err(AllianceError::OtherAlliance { expected: self.charter.id().clone(), found: named.clone() });
        }
        let charter = &act.act().charter;
        if charter != self.charter.hash() {
            return Err(AllianceError::OtherCharter { expected: self.charter.hash().clone(), found: charter.clone() });
        }
        Ok(())
    }

    fn add_founder_signature(
        &mut self,
        act: &SignedAct,
        keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<(), AllianceError> {
        if self.is_founded() {
            return Err(AllianceError::AlreadyFounded);
        }
        let founder = act.by();
        if !self.charter.is_founder(founder) {
            return Err(AllianceError::NotAFounder(founder.clone()));
        }
        if self.signatures.contains_key(founder) {
            return Err(AllianceError::DuplicateSignature(founder.clone()));
        }
        verify(act, keys)?;
        self.signatures.insert(founder.clone(), act.hash().clone());
        if self.charter.founders().iter().all(|founder| self.signatures.contains_key(founder)) {
            let mut signatures: Vec<AllianceHash> = self.signatures.values().cloned().collect();
            signatures.sort();
            self.record(self.charter.founders().to_vec(), Change::Founding { signatures })?;
        }
        Ok(())
    }

    fn propose(
        &mut self,
        act: &SignedAct,
        action: ProposalAction,
        subject: &StixId,
        keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<(), AllianceError> {
        let current = self.current()?;
        let version = current.version();
        let proposer = act.by();
        if !current.is_member(proposer) {
            return Err(AllianceError::NotAMember(proposer.clone()));
        }
        verify(act, keys)?;
        if subject == self.charter.id() {
            return Err(AllianceError::SubjectIsAlliance(subject.clone()));
        }
        match action {
            ProposalAction::Admit if current.is_member(subject) => {
                return Err(AllianceError::AlreadyMember(subject.clone()));
            }
            ProposalAction::Expel if !current.is_member(subject) => {
                return Err(AllianceError::SubjectNotMember(subject.clone()));
            }
            ProposalAction::Expel if subject == proposer => {
                return Err(AllianceError::SelfExpulsion(subject.clone()));
            }
            _ => {}
        }
        if self.polls.contains_key(act.hash()) {
            return Err(AllianceError::DuplicateProposal(act.hash().clone()));
        }
        let poll = Poll {
            proposal: act.hash().clone(),
            proposed_by: proposer.clone(),
            action,
            subject: subject.clone(),
            version,
            votes: BTreeMap::new(),
            accession: None,
            outcome: Outcome::Open,
        };
        self.polls.insert(act.hash().clone(), poll);
        Ok(())
    }

    fn vote(
        &mut self,
        act: &SignedAct,
        proposal: &AllianceHash,
        ballot: Ballot,
        keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<(), AllianceError> {
        let current = self.current()?.clone();
        let voter = act.by();
        if !current.is_member(voter) {
            return Err(AllianceError::NotAMember(voter.clone()));
        }
        verify(act, keys)?;
        let poll = self.open_poll(proposal, current.version())?;
        if !poll.is_eligible(voter, &current) {
            return Err(AllianceError::NotEligible { voter: voter.clone() });
        }
        if poll.votes.contains_key(voter) {
            return Err(AllianceError::DuplicateVote { voter: voter.clone(), proposal: proposal.clone() });
        }
        poll.votes.insert(voter.clone(), CountedVote { ballot, act: act.hash().clone() });
        self.conclude(proposal)
    }

    fn accede(
        &mut self,
        act: &SignedAct,
        proposal: &AllianceHash,
        keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<(), AllianceError> {
        let version = self.current()?.version();
        let candidate = act.by();
        let poll = self.polls.get(proposal).ok_or_else(|| AllianceError::UnknownProposal(proposal.clone()))?;
        if poll.action != ProposalAction::Admit {
            return Err(AllianceError::NotAnAdmission(proposal.clone()));
        }
        if poll.subject != *candidate {
            return Err(AllianceError::NotTheCandidate { candidate: poll.subject.clone(), by: candidate.clone() });
        }
        verify(act, keys)?;
        let poll = self.open_poll(proposal, version)?;
        if poll.accession.is_some() {
            return Err(AllianceError::DuplicateAccession(candidate.clone()));
        }
        poll.accession = Some(act.hash().clone());
        self.conclude(proposal)
    }

    fn withdraw(
        &mut self,
        act: &SignedAct,
        keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>,
    ) -> Result<(), AllianceError> {
        let current = self.current()?;
        let member = act.by().clone();
        if !current.is_member(&member) {
            return Err(AllianceError::NotAMember(member));
        }
        verify(act, keys)?;
        let members = current.members().iter().filter(|node| **node != member).cloned().collect();
        self.record(members, Change::Withdraw { subject: member, withdrawal: act.hash().clone() })
    }

    /// The open proposal `hash`, made at `version` (the version in force).
    fn open_poll(&mut self, hash: &AllianceHash, version: u32) -> Result<&mut Poll, AllianceError> {
        let poll = self.polls.get_mut(hash).ok_or_else(|| AllianceError::UnknownProposal(hash.clone()))?;
        match poll.outcome {
            Outcome::Open => Ok(poll),
            Outcome::Lapsed => Err(AllianceError::StaleVersion { named: poll.version, current: version }),
            outcome => Err(AllianceError::ProposalClosed { proposal: hash.clone(), outcome }),
        }
    }

    /// Passes or defeats proposal `hash` if its votes now decide it.
    fn conclude(&mut self, hash: &AllianceHash) -> Result<(), AllianceError> {
        let current = self.current()?.clone();
        let Some(poll) = self.polls.get_mut(hash) else {
            return Err(AllianceError::UnknownProposal(hash.clone()));
        };
        poll.outcome = poll.evaluate(self.charter.decision_rule(), &current);
        if poll.outcome != Outcome::Passed {
            return Ok(());
        }
        let (subject, proposal, votes) = (poll.subject.clone(), hash.clone(), poll.vote_hashes());
        let (members, change) = match (poll.action, poll.accession.clone()) {
            (ProposalAction::Admit, Some(accession)) => {
                let mut members = current.members().to_vec();
                members.push(subject.clone());
                (members, Change::Admit { subject, proposal, votes, accession })
            }
            (ProposalAction::Admit, None) => {
                return Err(AllianceError::Record("an admission without accession".into()));
            }
            (ProposalAction::Expel, _) => {
                let members = current.members().iter().filter(|node| **node != subject).cloned().collect();
                (members, Change::Expel { subject, proposal, votes })
            }
        };
        self.record(members, change)
    }

    /// Records the next membership version; every proposal still open lapses.
    fn record(&mut self, members: Vec<StixId>, change: Change) -> Result<(), AllianceError> {
        let (version, previous) = match self.history.last() {
            Some(last) => {
                let next =
                    last.version().checked_add(1).ok_or_else(|| AllianceError::Record("no versions left".into()))?;
                (next, Some(last.hash().clone()))
            }
            None => (1, None),
        };
        let alliance = self.charter.id().clone();
        let charter = self.charter.hash().clone();
        let membership = Membership::new(alliance, charter, version, members, previous, change)
            .map_err(|error| AllianceError::Record(error.to_string()))?;
        self.history.push(membership);
        for poll in self.polls.values_mut().filter(|poll| poll.outcome == Outcome::Open) {
            poll.outcome = Outcome::Lapsed;
        }
        Ok(())
    }

    fn current(&self) -> Result<&Membership, AllianceError> {
        self.history.last().ok_or(AllianceError::NotFounded)
    }

    pub fn charter(&self) -> &Charter {
        &self.charter
    }

    /// The alliance id (the charter's `id`).
    pub fn id(&self) -> &StixId {
        self.charter.id()
    }

    /// Whether every founder has signed the charter.
    pub fn is_founded(&self) -> bool {
        !self.history.is_empty()
    }

    /// The founders who have not signed yet, in the charter's order.
    pub fn missing_founders(&self) -> Vec<StixId> {
        self.charter.founders().iter().filter(|founder| !self.signatures.contains_key(*founder)).cloned().collect()
    }

    /// The membership in force: the latest version, once founded.
    pub fn membership(&self) -> Option<&Membership> {
        self.history.last()
    }

    /// Every membership version, version 1 first.
    pub fn history(&self) -> &[Membership] {
        &self.history
    }

    /// The members in force, sorted; empty before the founding.
    pub fn members(&self) -> &[StixId] {
        self.membership().map_or(&[], Membership::members)
    }

    /// The version and hash an act made now must name; `None` before the founding.
    pub fn version_ref(&self) -> Option<VersionRef> {
        self.membership()
            .map(|membership| VersionRef { version: membership.version(), membership: membership.hash().clone() })
    }

    /// Every proposal ever made, by hash.
    pub fn polls(&self) -> &BTreeMap<AllianceHash, Poll> {
        &self.polls
    }

    pub fn poll(&self, proposal: &AllianceHash) -> Option<&Poll> {
        self.polls.get(proposal)
    }

    /// Founded, and `start_date <= now < end_date` of the charter's terms: the members
    /// then count for the release decision.
    pub fn is_in_force(&self, now: Timestamp) -> bool {
        let terms = &self.charter.body().terms;
        self.is_founded()
            && terms.start_date.instant() <= now
            && terms.end_date.as_ref().is_none_or(|end| now < end.instant())
    }

    /// Writes this alliance's members into `memberships` when it is in force at `now`.
    pub fn record_in(&self, memberships: &mut Memberships, now: Timestamp) {
        if self.is_in_force(now) {
            memberships.set_members(self.id().clone(), self.members().iter().cloned());
        }
    }
}

/// The memberships the release decision reads: the members of every alliance in force
/// at `now`.
pub fn memberships_in_force(alliances: &[Alliance], now: Timestamp) -> Memberships {
    let mut memberships = Memberships::new();
    for alliance in alliances {
        alliance.record_in(&mut memberships, now);
    }
    memberships
}

fn check_version(named: &VersionRef, current: &Membership) -> Result<(), AllianceError> {
    let version = current.version();
    if named.version < version {
        Err(AllianceError::StaleVersion { named: named.version, current: version })
    } else if named.version > version {
        Err(AllianceError::VersionAhead { named: named.version, current: version })
    } else if named.membership != *current.hash() {
        Err(AllianceError::WrongMembership {
            version,
            named: named.membership.clone(),
            current: current.hash().clone(),
        })
    } else {
        Ok(())
    }
}

fn verify(act: &SignedAct, keys: &impl Fn(&StixId, &KeyId) -> Option<PublicKey>) -> Result<(), AllianceError> {
    let node = act.by();
    let key = keys(node, act.key_id())
        .ok_or_else(|| AllianceError::UnknownKey { node: node.clone(), key_id: act.key_id().clone() })?;
    act.verify(&key).map_err(|error| AllianceError::BadSignature { node: node.clone(), error })
}
