//! What can go wrong in diplomacy, each with a stable code for the API and CLI.

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
    Store(#[from] StoreError),
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
            DiplomacyError::Store(_) => "internal",
        }
    }
}
