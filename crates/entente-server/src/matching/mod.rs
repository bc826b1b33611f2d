//! `entente match` on the node's side: which indicators become matching rules, and
//! what a match leaves behind (STIX sightings).
//!
//! - [`rules`]: an indicator object → an `entente_match::Rule`, or the reason it cannot
//!   be one (`entente_core::pattern::terms` does the pattern; this module knows kinds).
//! - [`indicators`]: every indicator the node holds, minus the expired, decayed and
//!   warning-listed ones, each exclusion counted.
//! - [`sightings`]: what was matched → STIX 2.1 `sighting` objects, validated.
//!
//! Invariant: nothing is skipped silently. Every indicator left out is counted under
//! the reason it was left out, so the command's summary accounts for all of them.
//!
//! What it does not do: read logs or scan (the binary and `entente-match` do), or
//! send anything: recorded sightings are ordinary objects of this node, and only the
//! federation feed, through the release decision, lets them out.

pub mod indicators;
pub mod rules;
pub mod sightings;

pub use indicators::{Exclusions, Keep, NodeIndicators, Unsupported, node_indicators};
pub use rules::{kind_of, rule_of};
pub use sightings::{Sighted, sighting};
