//! The kinds of diplomatic note, as they are spelled on the wire.
//!
//! Kinds are lower-case and hyphenated (`rotate-key`). An unknown kind is refused:
//! a new kind needs a new protocol version, because a receiver that ignored it would
//! disagree with its sender about the state of the relation.

use std::fmt;

/// What a note does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NoteKind {
    /// First contact and re-introduction: carries the sender's signed node card.
    Recognize,
    /// A treaty draft.
    Propose,
    /// A new version of a draft, answering the proposal it counters.
    Counter,
    Accept,
    Reject,
    Withdraw,
    /// A party's signature over a treaty's canonical form.
    Sign,
    /// A new version of a treaty in force.
    Amend,
    Suspend,
    Resume,
    Terminate,
    /// A new signing key, announced under the old one.
    RotateKey,
    /// One signed alliance act with its charter, carried between the nodes an
    /// alliance concerns. It moves no relation.
    AllianceAct,
}

/// Why a kind was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown note kind {0:?}")]
pub struct KindError(pub String);

impl NoteKind {
    pub const ALL: [NoteKind; 13] = [
        NoteKind::Recognize,
        NoteKind::Propose,
        NoteKind::Counter,
        NoteKind::Accept,
        NoteKind::Reject,
        NoteKind::Withdraw,
        NoteKind::Sign,
        NoteKind::Amend,
        NoteKind::Suspend,
        NoteKind::Resume,
        NoteKind::Terminate,
        NoteKind::RotateKey,
        NoteKind::AllianceAct,
    ];

    pub fn parse(text: &str) -> Result<NoteKind, KindError> {
        NoteKind::ALL.into_iter().find(|kind| kind.as_str() == text).ok_or_else(|| KindError(text.to_owned()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Recognize => "recognize",
            NoteKind::Propose => "propose",
            NoteKind::Counter => "counter",
            NoteKind::Accept => "accept",
            NoteKind::Reject => "reject",
            NoteKind::Withdraw => "withdraw",
            NoteKind::Sign => "sign",
            NoteKind::Amend => "amend",
            NoteKind::Suspend => "suspend",
            NoteKind::Resume => "resume",
            NoteKind::Terminate => "terminate",
            NoteKind::RotateKey => "rotate-key",
            NoteKind::AllianceAct => "alliance-act",
        }
    }

    /// Kinds that only make sense as an answer: they must name the note they answer
    /// in `in_reply_to`.
    pub fn requires_reference(self) -> bool {
        matches!(self, NoteKind::Counter | NoteKind::Accept | NoteKind::Reject | NoteKind::Withdraw)
    }
}

impl fmt::Display for NoteKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        for kind in NoteKind::ALL {
            assert_eq!(NoteKind::parse(kind.as_str()), Ok(kind));
        }
        assert!(NoteKind::parse("rotate_key").is_err());
        assert!(NoteKind::parse("Propose").is_err());
        assert!(NoteKind::Counter.requires_reference());
        assert!(!NoteKind::Propose.requires_reference());
    }
}
