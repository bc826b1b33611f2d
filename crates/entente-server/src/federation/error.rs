//! What can go wrong in diplomacy, each with a stable code for the API and CLI.

use entente_core::alliance::AllianceError;
use entente_core::note::NoteError;
use entente_core::relation::IllegalMove;
use entente_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum DiplomacyError {
    #[error(transparent)]
    Note(#[from] NoteError),
    #[error("{0}")]
    Illegal(Box<IllegalMove>),
    #[error("no partner {0}; make contact first with `entente relations contact URL`")]
    UnknownPartner(String),
    #[error("the fingerprint {given} matches none of {partner}'s keys; compare it again out of band")]
    Fingerprint { partner: String, given: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Alliance(#[from] AllianceRefusal),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Why an alliance act (received in an `alliance-act` note, or made by our operator)
/// was refused. A refused act changes nothing.
#[derive(Debug, thiserror::Error)]
pub enum AllianceRefusal {
    /// The charter or the act does not parse.
    #[error("{0}")]
    BadAct(String),
    /// The act names another alliance or another charter than the one it travels with.
    #[error("the act names alliance {alliance} with charter {charter}, not the charter it travels with")]
    OtherCharter { alliance: String, charter: String },
    /// This node already holds another charter text for the same alliance id.
    #[error("this node holds charter {held} for alliance {alliance}, not {found}")]
    CharterConflict { alliance: String, held: String, found: String },
    /// The act's author is a node this node has not recognized (no pinned key).
    #[error(
        "the act is by {0}, a node this node has not recognized: its operator must confirm that node's \
         fingerprint (`entente relations recognize`) before its acts are accepted"
    )]
    UnrecognizedAuthor(String),
    /// The key is not one pinned for the author, or the signature does not verify.
    #[error("the act of {node} does not verify with key {key_id}: {reason}")]
    BadActSignature { node: String, key_id: String, reason: String },
    #[error("this node holds no alliance {0}; see `entente alliance list`")]
    UnknownAlliance(String),
    /// The fold refuses an act this node's operator wanted to make.
    #[error("{0}")]
    Fold(AllianceError),
}

impl AllianceRefusal {
    pub fn code(&self) -> &'static str {
        match self {
            AllianceRefusal::BadAct(_) => "bad-act",
            AllianceRefusal::OtherCharter { .. } => "other-charter",
            AllianceRefusal::CharterConflict { .. } => "charter-conflict",
            AllianceRefusal::UnrecognizedAuthor(_) => "unrecognized-act-author",
            AllianceRefusal::BadActSignature { .. } => "bad-act-signature",
            AllianceRefusal::UnknownAlliance(_) => "unknown-alliance",
            AllianceRefusal::Fold(error) => error.code(),
        }
    }
}

impl From<IllegalMove> for DiplomacyError {
    fn from(error: IllegalMove) -> Self {
        DiplomacyError::Illegal(Box::new(error))
    }
}

impl DiplomacyError {
    pub fn code(&self) -> &'static str {
        match self {
            DiplomacyError::Note(error) => error.code(),
            DiplomacyError::Illegal(_) => "illegal-move",
            DiplomacyError::UnknownPartner(_) => "unknown-partner",
            DiplomacyError::Fingerprint { .. } => "fingerprint-mismatch",
            DiplomacyError::Invalid(_) => "invalid",
            DiplomacyError::Alliance(refusal) => refusal.code(),
            DiplomacyError::Store(_) => "internal",
        }
    }
}
