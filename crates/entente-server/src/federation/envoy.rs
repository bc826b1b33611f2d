//! Envoys: credentials this node issues to a partner's envoy under a relation in
//! force. The credential (an API token with the partner's node id) is checked on every
//! request against the current relation, so suspension or termination stops it at
//! once, with nothing to revoke by hand.

use super::{DiplomacyError, Diplomat};
use entente_core::{StixId, Timestamp};

impl Diplomat {
    /// Whether the partner's envoys may act now: the relation is in force under a
    /// treaty in force.
    pub fn envoy_permitted(&self, partner: &StixId, now: Timestamp) -> Result<bool, DiplomacyError> {
        let view = self.relation(partner, now)?;
        Ok(view.state == "in-force" && view.treaty_in_force.is_some())
    }

    /// Checks that an envoy of `partner` may be accredited now and returns the hash of
    /// the treaty in force, which the credential records.
    pub fn accreditation(&self, partner: &StixId, now: Timestamp) -> Result<String, DiplomacyError> {
        let view = self.relation(partner, now)?;
        match (&view.treaty_in_force, view.state.as_str()) {
            (Some(hash), "in-force") => Ok(hash.clone()),
            _ => Err(DiplomacyError::Invalid(format!(
                "envoys are accredited only under a treaty in force; the relation with {} is {}",
                view.partner.name, view.state
            ))),
        }
    }
}
