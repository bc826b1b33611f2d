//! What the operator sees of partners and relations: plain values for the CLI and
//! the JSON API, derived from the store and the replayed relation.

use super::{DiplomacyError, Diplomat};
use entente_core::card::SignedCard;
use entente_core::relation::{Relation, Side, State};
use entente_core::{StixId, Timestamp};
use serde::Serialize;

/// A partner as the operator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PartnerView {
    pub node_id: String,
    pub name: String,
    pub country: Option<String>,
    pub kind: String,
    pub fingerprint: String,
    pub federation_url: String,
}

/// A relation as the operator sees it.
#[derive(Debug, Clone, Serialize)]
pub struct RelationView {
    pub partner: PartnerView,
    pub state: String,
    pub recognized_by_us: bool,
    pub recognized_by_partner: bool,
    pub treaty_in_force: Option<String>,
    pub draft: Option<String>,
    pub draft_accepted: bool,
    /// When a notice of termination takes effect, while it runs.
    pub termination_effective: Option<String>,
    pub allowed_moves: Vec<String>,
    pub notes: usize,
}

impl Diplomat {
    pub fn view_partner(&self, partner: &StixId) -> Result<PartnerView, DiplomacyError> {
        let record = self.partner(partner)?;
        let card = SignedCard::parse(&record.card).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
        Ok(PartnerView {
            node_id: record.node_id,
            name: record.name,
            country: record.country,
            kind: record.kind,
            fingerprint: card.fingerprint(),
            federation_url: record.federation_url,
        })
    }

    pub fn relation(&self, partner: &StixId, now: Timestamp) -> Result<RelationView, DiplomacyError> {
        let replayed = self.replay(partner, now)?;
        Ok(relation_view(self.view_partner(partner)?, &replayed.relation, replayed.note_count, now))
    }

    pub fn relations(&self, now: Timestamp) -> Result<Vec<RelationView>, DiplomacyError> {
        let mut views = Vec::new();
        for record in self.store.partners()? {
            let id = StixId::parse(&record.node_id).map_err(|error| DiplomacyError::Invalid(error.to_string()))?;
            views.push(self.relation(&id, now)?);
        }
        Ok(views)
    }
}

fn relation_view(partner: PartnerView, relation: &Relation, notes: usize, now: Timestamp) -> RelationView {
    RelationView {
        partner,
        state: relation.state().as_str().to_owned(),
        recognized_by_us: relation.has_recognized(Side::Local),
        recognized_by_partner: relation.has_recognized(Side::Remote),
        treaty_in_force: relation.in_force(now).map(|in_force| in_force.treaty().hash().to_string()),
        draft: relation.negotiation().map(|negotiation| negotiation.draft().hash().to_string()),
        draft_accepted: relation.negotiation().is_some_and(|negotiation| negotiation.is_accepted()),
        termination_effective: relation
            .termination()
            .filter(|_| !matches!(relation.state(), State::Terminated))
            .map(|termination| termination.effective_at.to_string()),
        allowed_moves: relation.allowed_moves(Side::Local).iter().map(|step| step.as_str().to_owned()).collect(),
        notes,
    }
}
