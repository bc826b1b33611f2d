//! The marking definitions a node understands.
//!
//! The TLP 1.0 and TLP 2.0 marking definitions are always known (through
//! [`tlp_level`]). Anything else, such as a copyright statement or an IEP policy
//! marking, must be registered by the caller, as a statement (it restricts nothing the
//! release decision enforces) or as a TLP level (a node-local alias of a TLP level).
//!
//! Invariant: [`MarkingCatalog::lookup`] answers `None` for any id it was not told
//! about, and the release decision denies on `None`: an unknown marking may carry a
//! restriction this node cannot honour, so the object does not leave.

use crate::StixId;
use crate::stix::vocab::{TlpLevel, tlp_level};
use std::collections::HashMap;

/// What the node knows a marking definition to mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownMarking {
    /// A TLP marking of this level.
    Tlp(TlpLevel),
    /// A statement (copyright, terms of use…): carried along, restricts nothing here.
    Statement,
}

/// The marking definitions this node knows, beyond the predefined TLP ones.
#[derive(Clone, Debug, Default)]
pub struct MarkingCatalog {
    registered: HashMap<String, KnownMarking>,
}

impl MarkingCatalog {
    /// A catalog that knows only the predefined TLP 1.0 and 2.0 markings.
    pub fn new() -> MarkingCatalog {
        MarkingCatalog::default()
    }

    /// Registers a marking definition. A predefined TLP id keeps its published level
    /// whatever is registered for it, so that no node can relabel TLP:RED.
    pub fn register(&mut self, id: &StixId, meaning: KnownMarking) {
        self.registered.insert(id.as_str().to_owned(), meaning);
    }

    /// What `marking_id` means here, or `None` when it is unknown.
    pub fn lookup(&self, marking_id: &str) -> Option<KnownMarking> {
        match tlp_level(marking_id) {
            Some(level) => Some(KnownMarking::Tlp(level)),
            None => self.registered.get(marking_id).copied(),
        }
    }
}
