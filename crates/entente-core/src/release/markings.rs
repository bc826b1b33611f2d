//! The marking definitions a node understands.
//!
//! The TLP 1.0 and TLP 2.0 marking definitions are always known (through
//! [`tlp_level`]). Anything else must be registered by the caller: a statement
//! (copyright, terms of use: it restricts nothing the release decision enforces), a TLP
//! level (a node-local alias), or an IEP 2.0 policy ([`IepPolicy::from_marking`]).
//!
//! Invariant: [`MarkingCatalog::lookup`] answers `None` for any id it was not told
//! about, and the release decision denies on `None`: an unknown marking may carry a
//! restriction this node cannot honour, so the object does not leave.

use crate::StixId;
use crate::stix::vocab::{TlpLevel, tlp_level};
use crate::treaty::{AffectedPartyNotifications, Attribution, EncryptInTransit, PermittedActions, UnmodifiedResale};
use serde_json::Value;
use std::collections::HashMap;

/// What the node knows a marking definition to mean.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KnownMarking {
    /// A TLP marking of this level.
    Tlp(TlpLevel),
    /// A statement (copyright, terms of use…): carried along, restricts nothing here.
    Statement,
    /// A FIRST IEP 2.0 policy: its TLP counts like a TLP marking, and its handling
    /// terms tighten the obligations of any release (the stricter of the object's and
    /// the treaty's).
    Iep(IepPolicy),
}

/// The terms of an IEP 2.0 policy marking, each optional (a policy states only what it
/// restricts).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IepPolicy {
    pub tlp: Option<TlpLevel>,
    pub encrypt_in_transit: Option<EncryptInTransit>,
    pub permitted_actions: Option<PermittedActions>,
    pub affected_party_notifications: Option<AffectedPartyNotifications>,
    pub attribution: Option<Attribution>,
    pub unmodified_resale: Option<UnmodifiedResale>,
}

fn word<T: Copy>(all: &[T], name: fn(T) -> &'static str, value: Option<&Value>) -> Result<Option<T>, ()> {
    match value {
        None => Ok(None),
        Some(Value::String(text)) => all.iter().copied().find(|item| name(*item) == text).map(Some).ok_or(()),
        Some(_) => Err(()),
    }
}

impl IepPolicy {
    /// Reads a marking definition of `definition_type` `"iep"` whose `definition` holds
    /// IEP 2.0 terms with the words of the MISP `iep2-policy` taxonomy (`tlp` in TLP 2.0
    /// words). `None` for anything else, or for a term this node cannot read: such a
    /// marking stays unknown, and unknown markings deny.
    pub fn from_marking(value: &Value) -> Option<IepPolicy> {
        if value.get("definition_type").and_then(Value::as_str) != Some("iep") {
            return None;
        }
        let definition = value.get("definition")?.as_object()?;
        const TERMS: &[&str] = &[
            "iep_version",
            "tlp",
            "encrypt_in_transit",
            "permitted_actions",
            "affected_party_notifications",
            "attribution",
            "unmodified_resale",
            "name",
            "reference",
            "start_date",
            "end_date",
            "id",
        ];
        if definition.keys().any(|key| !TERMS.contains(&key.as_str())) {
            return None;
        }
        let tlp = match definition.get("tlp") {
            None => None,
            Some(Value::String(text)) => Some(
                [TlpLevel::Clear, TlpLevel::Green, TlpLevel::Amber, TlpLevel::AmberStrict, TlpLevel::Red]
                    .into_iter()
                    .find(|level| crate::treaty::tlp_word(*level) == text)?,
            ),
            Some(_) => return None,
        };
        Some(IepPolicy {
            tlp,
            encrypt_in_transit: word(
                EncryptInTransit::ALL,
                EncryptInTransit::as_str,
                definition.get("encrypt_in_transit"),
            )
            .ok()?,
            permitted_actions: word(
                PermittedActions::ALL,
                PermittedActions::as_str,
                definition.get("permitted_actions"),
            )
            .ok()?,
            affected_party_notifications: word(
                AffectedPartyNotifications::ALL,
                AffectedPartyNotifications::as_str,
                definition.get("affected_party_notifications"),
            )
            .ok()?,
            attribution: word(Attribution::ALL, Attribution::as_str, definition.get("attribution")).ok()?,
            unmodified_resale: word(
                UnmodifiedResale::ALL,
                UnmodifiedResale::as_str,
                definition.get("unmodified_resale"),
            )
            .ok()?,
        })
    }
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
