//! The release decision: for one object version and one recipient node, allowed or
//! denied, with the reason, and the obligations to apply.
//!
//! Every way an object can leave a node (TAXII reads by an envoy, push and pull sync,
//! streams, exports for a partner) must call [`decide`]; nothing else may let an
//! object out. The pieces:
//!
//! - [`ObjectFacts`] (`facts`): what the decision reads from the object, extracted once
//!   per object version (type, id, markings, granular markings, creator, topics, labels).
//! - [`MarkingCatalog`] (`markings`): the marking definitions this node understands.
//!   Any marking, object-level or granular, that is not in the catalog denies.
//! - [`Provenance`] and [`Recipient`] (`provenance`): where the object came from, with
//!   the re-sharing rule of every hop it took, and the recipient with the treaties and
//!   alliance memberships it holds, prepared once per recipient.
//! - [`decide`] (`decision`): the rules, in a fixed order, returning a [`Decision`].
//!
//! Architecture invariant: pure and deterministic. No IO, no clock (`now` is a
//! parameter), no randomness; the same request at the same `now` gives the same
//! decision, whatever order the treaties were handed over in. When in doubt, deny.
//!
//! What this module does not do: apply the obligations to the object's bytes (beyond
//! the small [`Obligations::apply`] helper), encrypt, record the release in the audit
//! ledger, or decide alliance membership (the caller passes members in force).

mod decision;
mod facts;
mod markings;
mod provenance;

pub use decision::{Decision, DenyReason, Obligations, ScopeMiss, charter_hash, decide};
pub use facts::{FactsError, ObjectFacts};
pub use markings::{IepPolicy, KnownMarking, MarkingCatalog};
pub use provenance::{HopRule, Memberships, Provenance, Recipient};

/// Everything one decision reads. Build the facts once per object version and the
/// recipient once per recipient; a request is then only references.
#[derive(Clone, Copy, Debug)]
pub struct ReleaseRequest<'a> {
    pub object: &'a ObjectFacts,
    pub provenance: &'a Provenance,
    pub catalog: &'a MarkingCatalog,
    pub recipient: &'a Recipient<'a>,
}
