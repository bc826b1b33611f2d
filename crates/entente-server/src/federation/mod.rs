//! Federation: this node's identity card, diplomatic notes in and out, and the
//! relations they move.
//!
//! Data flow of an inbound note: `inbound.rs` takes the bytes, [`Diplomat::receive`]
//! verifies them with `entente_core::note::verify` (the only maker of a
//! `Verified<Note>`), derives the relation by replaying the recorded notes, applies
//! the pure state machine, and records the note with everything it changes in one
//! transaction, including the `sign` notes that forward the treaty signatures it
//! brought to the other parties of a multilateral treaty. Outbound: an operator's
//! action is checked against the same machine, signed, and recorded together with its
//! outbox row; `worker.rs` delivers.
//!
//! Keys: `identity.rs` holds this node's signing key and the history of its keys
//! (rotated with [`Diplomat::rotate_key`]); `keybook.rs` finds the key of any party,
//! ours or a partner's pinned one, to check treaty signatures and our own past notes.
//!
//! Invariant: no relation state is stored. It is always the replay of the signed
//! notes, so no state exists that a signature does not back: a relation of a
//! multilateral treaty is in force only once its own notes carry every signature.

mod diplomat;
mod directory;
mod envoy;
mod error;
mod identity;
pub(crate) mod inbound;
mod keybook;
mod replay;
pub mod sync;
pub mod worker;

pub use diplomat::{
    AllianceView, Announcement, Diplomat, KeyRotation, PartnerView, PendingView, PollView, RelationView, VoteView,
};
pub use error::{AllianceRefusal, DiplomacyError};
pub use identity::NodeIdentity;
pub use sync::{PageReport, PartnerRelease, PullReport, SyncConfig, Syncer};
