//! The operator's alliance moves — found, sign, propose, vote, accede, withdraw — and
//! what the operator sees of the alliances this node holds.
//!
//! Every move makes one act signed by this node, checked against the alliance as this
//! node folds it *now* (the fold's refusal code otherwise: `not-a-member`,
//! `already-member`, `duplicate-vote`…), then kept and forwarded like a received one
//! (`alliance_transport.rs`). Nothing is stored about an alliance but its charter and
//! its acts: the members, versions and polls shown are the fold of the acts held.

use super::alliance_transport::corrupt;
use super::{Context, DiplomacyError, Diplomat};
use crate::federation::AllianceRefusal;
use entente_core::alliance::{
    Act, ActBody, Alliance, AllianceError, AllianceHash, Ballot, Charter, ProposalAction, Settled, SignedAct,
    memberships_in_force,
};
use entente_core::release::Memberships;
use entente_core::treaty::TreatyTime;
use entente_core::{StixId, Timestamp};
use serde::Serialize;
use serde_json::Value;

/// An alliance as this node holds it.
#[derive(Debug, Clone, Serialize)]
pub struct AllianceView {
    pub id: String,
    pub name: String,
    pub charter_hash: String,
    pub founders: Vec<String>,
    pub decision_rule: Value,
    pub founded: bool,
    /// Founders who have not signed yet.
    pub missing_founders: Vec<String>,
    /// Founded and within the charter's dates: members count for the release decision.
    pub in_force: bool,
    pub version: Option<u32>,
    pub membership_hash: Option<String>,
    pub members: Vec<String>,
    pub polls: Vec<PollView>,
    /// Acts held that do not apply (yet), with the fold's refusal code.
    pub pending: Vec<PendingView>,
    pub acts: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct PollView {
    pub proposal: String,
    pub proposed_by: String,
    pub action: &'static str,
    pub subject: String,
    pub version: u32,
    pub outcome: &'static str,
    pub yes: usize,
    pub no: usize,
    pub votes: Vec<VoteView>,
    pub acceded: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct VoteView {
    pub voter: String,
    pub vote: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct PendingView {
    pub act: String,
    pub code: &'static str,
    pub reason: String,
}

impl Diplomat {
    /// Proposes `charter` to its founders and signs it: this node must be a founder.
    pub fn found_alliance(&self, charter: &Value, now: Timestamp) -> Result<AllianceHash, DiplomacyError> {
        let charter = Charter::parse(charter).map_err(|error| AllianceRefusal::BadAct(error.to_string()))?;
        let us = self.identity().node_id().clone();
        if !charter.is_founder(&us) {
            return Err(DiplomacyError::Invalid(format!(
                "this node ({us}) is not among the charter's founders: add it to `founders`, or let a founder found it"
            )));
        }
        self.check_charter(&charter)?;
        self.make_act(charter, now, |_| Ok(ActBody::Signature))
    }

    /// Signs the charter of `alliance` as a founder.
    pub fn sign_alliance(&self, alliance: &StixId, now: Timestamp) -> Result<AllianceHash, DiplomacyError> {
        self.make_act(self.charter(alliance)?, now, |_| Ok(ActBody::Signature))
    }

    /// Proposes to admit or expel `subject`, at the membership version in force.
    pub fn propose_in_alliance(
        &self,
        alliance: &StixId,
        action: ProposalAction,
        subject: &StixId,
        now: Timestamp,
    ) -> Result<AllianceHash, DiplomacyError> {
        self.make_act(self.charter(alliance)?, now, |settled| {
            Ok(ActBody::Proposal { action, subject: subject.clone(), at: version_in_force(settled)? })
        })
    }

    pub fn vote_in_alliance(
        &self,
        alliance: &StixId,
        proposal: &AllianceHash,
        ballot: Ballot,
        now: Timestamp,
    ) -> Result<AllianceHash, DiplomacyError> {
        self.make_act(self.charter(alliance)?, now, |settled| {
            Ok(ActBody::Vote { proposal: proposal.clone(), ballot, at: version_in_force(settled)? })
        })
    }

    /// Accedes to the charter for the admission `proposal` that names this node.
    pub fn accede_to_alliance(
        &self,
        alliance: &StixId,
        proposal: &AllianceHash,
        now: Timestamp,
    ) -> Result<AllianceHash, DiplomacyError> {
        self.make_act(self.charter(alliance)?, now, |_| Ok(ActBody::Accession { proposal: proposal.clone() }))
    }

    pub fn withdraw_from_alliance(&self, alliance: &StixId, now: Timestamp) -> Result<AllianceHash, DiplomacyError> {
        self.make_act(self.charter(alliance)?, now, |settled| {
            Ok(ActBody::Withdrawal { at: version_in_force(settled)? })
        })
    }

    /// Every alliance this node holds, folded; `in_force` as of `now`.
    pub fn alliances(&self, now: Timestamp) -> Result<Vec<AllianceView>, DiplomacyError> {
        let context = self.context()?;
        let mut views = Vec::new();
        for record in self.store.alliance_charters()? {
            let charter = charter_of(&record.json, &record.alliance_id)?;
            let acts = self.held_acts(charter.id())?;
            views.push(view(&settle(&context, charter, &acts), acts.len(), now));
        }
        Ok(views)
    }

    /// One alliance this node holds, folded.
    pub fn alliance(&self, alliance: &StixId, now: Timestamp) -> Result<AllianceView, DiplomacyError> {
        let context = self.context()?;
        let charter = self.charter(alliance)?;
        let acts = self.held_acts(alliance)?;
        Ok(view(&settle(&context, charter, &acts), acts.len(), now))
    }

    /// The members of every alliance in force at `now`, as the release decision reads them.
    pub(crate) fn memberships(&self, now: Timestamp) -> Result<Memberships, DiplomacyError> {
        let context = self.context()?;
        let mut alliances = Vec::new();
        for record in self.store.alliance_charters()? {
            let charter = charter_of(&record.json, &record.alliance_id)?;
            let acts = self.held_acts(charter.id())?;
            alliances.push(settle(&context, charter, &acts).alliance);
        }
        Ok(memberships_in_force(&alliances, now))
    }

    /// The alliances in force at `now` of which this node and `partner` are both
    /// members: their charters are sharing agreements between the two, like treaties.
    pub(crate) fn shared_alliances(
        &self,
        partner: &StixId,
        now: Timestamp,
    ) -> Result<Vec<entente_core::alliance::Alliance>, DiplomacyError> {
        let context = self.context()?;
        let us = context.identity.node_id().clone();
        let mut shared = Vec::new();
        for record in self.store.alliance_charters()? {
            let charter = charter_of(&record.json, &record.alliance_id)?;
            let acts = self.held_acts(charter.id())?;
            let alliance = settle(&context, charter, &acts).alliance;
            if alliance.is_in_force(now) && alliance.members().contains(&us) && alliance.members().contains(partner) {
                shared.push(alliance);
            }
        }
        Ok(shared)
    }

    fn charter(&self, alliance: &StixId) -> Result<Charter, DiplomacyError> {
        let record = self
            .store
            .alliance_charter(alliance.as_str())?
            .ok_or_else(|| AllianceRefusal::UnknownAlliance(alliance.to_string()))?;
        charter_of(&record.json, &record.alliance_id)
    }

    /// Makes, checks, keeps and forwards one act of this node.
    fn make_act(
        &self,
        charter: Charter,
        now: Timestamp,
        body: impl FnOnce(&Settled) -> Result<ActBody, DiplomacyError>,
    ) -> Result<AllianceHash, DiplomacyError> {
        let _turn = self.one_at_a_time();
        let context = self.context()?;
        let settled = settle(&context, charter.clone(), &self.held_acts(charter.id())?);
        let act = Act {
            alliance: charter.id().clone(),
            charter: charter.hash().clone(),
            by: context.identity.node_id().clone(),
            created: TreatyTime::from(now),
            body: body(&settled)?,
        }
        .sign(context.identity.key())
        .map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        let key_of = |party: &StixId, key_id: &entente_core::keys::KeyId| context.keys.key_of(party, key_id);
        settled.alliance.apply(&act, key_of).map_err(AllianceRefusal::Fold)?;
        self.commit_act(&context, &charter, &act, None, now)?;
        Ok(act.hash().clone())
    }
}

fn settle(context: &Context, charter: Charter, acts: &[SignedAct]) -> Settled {
    Alliance::settle(charter, acts, |party, key_id| context.keys.key_of(party, key_id))
}

fn version_in_force(settled: &Settled) -> Result<entente_core::alliance::VersionRef, DiplomacyError> {
    settled.alliance.version_ref().ok_or(DiplomacyError::Alliance(AllianceRefusal::Fold(AllianceError::NotFounded)))
}

fn charter_of(json: &str, what: &str) -> Result<Charter, DiplomacyError> {
    let value: Value = serde_json::from_str(json).map_err(|error| corrupt(what, &error))?;
    Charter::parse(&value).map_err(|error| corrupt(what, &error))
}

fn view(settled: &Settled, acts: usize, now: Timestamp) -> AllianceView {
    let alliance = &settled.alliance;
    let charter = alliance.charter();
    let strings = |nodes: &[StixId]| nodes.iter().map(ToString::to_string).collect::<Vec<_>>();
    let polls = alliance
        .polls()
        .values()
        .map(|poll| PollView {
            proposal: poll.proposal().to_string(),
            proposed_by: poll.proposed_by().to_string(),
            action: poll.action().as_str(),
            subject: poll.subject().to_string(),
            version: poll.version(),
            outcome: match poll.outcome() {
                entente_core::alliance::Outcome::Lapsed => "lapsed",
                outcome => outcome.as_str(),
            },
            yes: poll.yes_count(),
            no: poll.no_count(),
            votes: poll
                .votes()
                .iter()
                .map(|(voter, vote)| VoteView { voter: voter.to_string(), vote: vote.ballot.as_str() })
                .collect(),
            acceded: poll.accession().is_some(),
        })
        .collect();
    AllianceView {
        id: charter.id().to_string(),
        name: charter.body().name.clone(),
        charter_hash: charter.hash().to_string(),
        founders: strings(charter.founders()),
        decision_rule: charter.decision_rule().to_value(),
        founded: alliance.is_founded(),
        missing_founders: strings(&alliance.missing_founders()),
        in_force: alliance.is_in_force(now),
        version: alliance.membership().map(|membership| membership.version()),
        membership_hash: alliance.membership().map(|membership| membership.hash().to_string()),
        members: strings(alliance.members()),
        polls,
        pending: settled
            .pending
            .iter()
            .map(|(hash, error)| PendingView { act: hash.to_string(), code: error.code(), reason: error.to_string() })
            .collect(),
        acts,
    }
}
