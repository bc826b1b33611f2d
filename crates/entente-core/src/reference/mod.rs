//! Reference knowledge: what the node knows *about* intelligence rather than
//! intelligence itself — the MITRE ATT&CK catalogue, MISP taxonomies (TLP, PAP, IEP…)
//! and MISP warning lists of known false positives.
//!
//! Invariants: everything here is parsed from its published format into types that
//! carry their checks ([`AttackId`], [`Taxonomy`], [`WarningList`]); matching is pure
//! and deterministic.
//!
//! What it deliberately does not do: store or release anything. Reference knowledge is
//! kept by the store in tables of its own, never in a collection, so neither the TAXII
//! routes nor the sync feed can ever offer it to a partner as this node's intelligence.

pub mod attack;
pub mod cites;
pub mod taxonomy;
pub mod values;
pub mod warninglist;

pub use attack::{AttackEntry, AttackId, attack_entry};
pub use cites::{Citation, CitedBy, cited_techniques};
pub use taxonomy::{TagExplanation, Taxonomy, TaxonomyError};
pub use values::{PatternValue, object_values, pattern_values};
pub use warninglist::{Hit, ListKind, WarningList, WarningListError, warning_hits};
