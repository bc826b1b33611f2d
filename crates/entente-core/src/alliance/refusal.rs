//! Why an act was refused by the fold. Each refusal has its own variant and a stable
//! code ([`AllianceError::code`]) so that a peer or an operator learns exactly what was
//! wrong; a refused act changes nothing.

use super::poll::Outcome;
use super::wire::AllianceHash;
use crate::StixId;
use crate::keys::{KeyError, KeyId};

/// A refused act.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllianceError {
    #[error("the act is for alliance {found}, not {expected}")]
    OtherAlliance { expected: StixId, found: StixId },
    #[error("the act names charter {found}, not this alliance's charter {expected}")]
    OtherCharter { expected: AllianceHash, found: AllianceHash },
    #[error("the alliance is already founded: founders' signatures are closed")]
    AlreadyFounded,
    #[error("the alliance is not founded yet: only founders' signatures are accepted")]
    NotFounded,
    #[error("{0} is not a founder of the alliance")]
    NotAFounder(StixId),
    #[error("{0} has already signed the charter")]
    DuplicateSignature(StixId),
    #[error("the act names membership version {named}, but version {current} is in force: it is stale")]
    StaleVersion { named: u32, current: u32 },
    #[error("the act names membership version {named}, but only version {current} exists yet: it is out of order")]
    VersionAhead { named: u32, current: u32 },
    #[error("the act names membership {named} for version {version}, but that version is {current}")]
    WrongMembership { version: u32, named: AllianceHash, current: AllianceHash },
    #[error("{0} is not a member in force")]
    NotAMember(StixId),
    #[error("no key {key_id} is known for {node}")]
    UnknownKey { node: StixId, key_id: KeyId },
    #[error("the signature of {node} does not verify: {error}")]
    BadSignature { node: StixId, error: KeyError },
    #[error("{0} is already a member")]
    AlreadyMember(StixId),
    #[error("{0} is not a member, so it cannot be expelled")]
    SubjectNotMember(StixId),
    #[error("{0} cannot propose its own expulsion: a member leaves by withdrawal")]
    SelfExpulsion(StixId),
    #[error("the alliance {0} cannot be its own member")]
    SubjectIsAlliance(StixId),
    #[error("proposal {0} was already made")]
    DuplicateProposal(AllianceHash),
    #[error("no proposal {0} is known: it may not have arrived yet")]
    UnknownProposal(AllianceHash),
    #[error("proposal {proposal} is closed: {outcome}")]
    ProposalClosed { proposal: AllianceHash, outcome: Outcome },
    #[error("{voter} is the subject of the expulsion and does not vote on it")]
    NotEligible { voter: StixId },
    #[error("{voter} has already voted on proposal {proposal}")]
    DuplicateVote { voter: StixId, proposal: AllianceHash },
    #[error("proposal {0} is not an admission")]
    NotAnAdmission(AllianceHash),
    #[error("the accession is by {by}, but the candidate is {candidate}")]
    NotTheCandidate { candidate: StixId, by: StixId },
    #[error("{0} has already acceded for this proposal")]
    DuplicateAccession(StixId),
    #[error("the membership cannot be recorded: {0}")]
    Record(String),
}

impl AllianceError {
    /// A stable, lower-case, hyphenated code for the refusal.
    pub fn code(&self) -> &'static str {
        match self {
            AllianceError::OtherAlliance { .. } => "other-alliance",
            AllianceError::OtherCharter { .. } => "other-charter",
            AllianceError::AlreadyFounded => "already-founded",
            AllianceError::NotFounded => "not-founded",
            AllianceError::NotAFounder(_) => "not-a-founder",
            AllianceError::DuplicateSignature(_) => "duplicate-signature",
            AllianceError::StaleVersion { .. } => "stale-version",
            AllianceError::VersionAhead { .. } => "version-ahead",
            AllianceError::WrongMembership { .. } => "wrong-membership",
            AllianceError::NotAMember(_) => "not-a-member",
            AllianceError::UnknownKey { .. } => "unknown-key",
            AllianceError::BadSignature { .. } => "bad-signature",
            AllianceError::AlreadyMember(_) => "already-member",
            AllianceError::SubjectNotMember(_) => "subject-not-member",
            AllianceError::SelfExpulsion(_) => "self-expulsion",
            AllianceError::SubjectIsAlliance(_) => "subject-is-alliance",
            AllianceError::DuplicateProposal(_) => "duplicate-proposal",
            AllianceError::UnknownProposal(_) => "unknown-proposal",
            AllianceError::ProposalClosed { .. } => "proposal-closed",
            AllianceError::NotEligible { .. } => "not-eligible",
            AllianceError::DuplicateVote { .. } => "duplicate-vote",
            AllianceError::NotAnAdmission(_) => "not-an-admission",
            AllianceError::NotTheCandidate { .. } => "not-the-candidate",
            AllianceError::DuplicateAccession(_) => "duplicate-accession",
            AllianceError::Record(_) => "record",
        }
    }
}
