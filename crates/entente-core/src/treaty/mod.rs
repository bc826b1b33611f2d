//! Treaties: versioned agreements between two or more parties, signed by every one.
//!
//! A treaty names its parties, purpose, scope, IEP 2.0 terms, re-sharing rule and
//! notice period (`document`, `scope`, `terms`). Its hash (SHA-256 of the RFC 8785
//! canonical form) identifies it everywhere. Every party signs those canonical bytes
//! (`signatures`); the treaty is in force only while every signature is present and
//! `start_date <= now < end_date`, which only [`SignedTreaty::is_in_force`] can attest.
//!
//! Architecture invariant: no IO and no clock; `now` is always a parameter.
//!
//! What this module does not do: decide who may propose, counter, accept or sign
//! when (see [`crate::relation`]), or decide a release (the release-decision function
//! reads the scope and terms).

mod document;
pub(crate) mod fields;
mod scope;
mod signatures;
mod template;
mod terms;

pub use document::{Treaty, TreatyBody, TreatyHash, TreatyHashError, TreatyTime, VersionError};
pub use fields::{Problem, ProblemKind, TreatyError};
pub use scope::{Resharing, STANDARD_TOPICS, Scope, Topic, TopicError};
pub use signatures::{
    InForce, NotInForce, SignatureError, SignedTreaty, SignedTreatyError, TreatySignature, sign, verify_signature,
};
pub use template::{
    PLACEHOLDER_PARTIES, PLACEHOLDER_TREATY_ID, TemplateError, parse_template, strip_comment_lines, template_text,
};
pub use terms::{
    AffectedPartyNotifications, Attribution, Disposition, EncryptInTransit, PermittedActions, Terms, UnmodifiedResale,
    tlp_word,
};
