//! Entente's pure core: the vocabulary every other crate speaks.
//!
//! Invariants: nothing in this crate does IO, reads a clock or draws randomness.
//! Callers pass `now` and random bytes in. Everything that comes from outside the
//! node is parsed here into a newtype that carries its checks, so the rest of the
//! code never validates twice.
//!
//! What it deliberately does not do: storage (see `entente-store`) and HTTP (see
//! `entente-server`).

pub mod alliance;
pub mod auth;
pub mod canonical;
pub mod card;
pub mod correlate;
pub mod id;
pub mod json;
pub mod keys;
pub mod ledger;
pub mod misp;
pub mod node;
pub mod note;
pub mod password;
pub mod pattern;
pub mod reference;
pub mod relation;
pub mod release;
pub mod score;
pub mod seal;
pub mod search;
pub mod stix;
pub mod sync;
pub mod taxii;
pub mod timestamp;
pub mod treaty;
// Issue 5: designations and their divergence.
pub mod designation;

pub use id::StixId;
pub use timestamp::Timestamp;
