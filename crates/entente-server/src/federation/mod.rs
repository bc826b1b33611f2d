//! Federation: this node's identity card, diplomatic notes in and out, and the
//! relations they move.
//!
//! Data flow of an inbound note: `inbound.rs` takes the bytes, [`Diplomat::receive`]
//! verifies them with `entente_core::note::verify` (the only maker of a
//! `Verified<Note>`), derives the relation by replaying the recorded notes, applies
//! the pure state machine, and records the note with everything it changes in one
//! transaction. Outbound: an operator's action is checked against the same machine,
//! signed, and recorded together with its outbox row; `worker.rs` delivers.
//!
//! Invariant: no relation state is stored. It is always the replay of the signed
//! notes, so no state exists that a signature does not back.

mod diplomat;
mod directory;
mod envoy;
mod error;
mod identity;
pub(crate) mod inbound;
mod replay;
pub mod worker;

pub use diplomat::{Diplomat, PartnerView, RelationView};
pub use error::DiplomacyError;
pub use identity::NodeIdentity;
