//! TAXII reads by a partner's envoy go through the release decision.
//!
//! An envoy's token is bound to its partner. Every row an envoy's query selects is
//! judged by the partner's [`Gate`] (the same decision the sync feed makes): rows it
//! may not have are left out of the page (the `next` cursor still moves past them,
//! so paging works), the treaty's obligations are applied to what it may have
//! (attribution stripped), and each object released is recorded in the audit
//! ledger. Manifests and version lists are filtered the same way, so an envoy never
//! even learns the ids of what it may not see. Objects whose treaty requires
//! end-to-end encryption (`encrypt_in_transit: must`) are not served over TAXII at
//! all: TAXII 2.1 has no way to carry an object sealed to the partner's key (TLS
//! protects one hop, not the object), so such objects reach a partner by sync alone,
//! sealed to its node's encryption key (`docs/federation.md` §11).

use crate::auth::Caller;
use crate::error::ApiError;
use crate::federation::sync::release::Gate;
use crate::state::AppState;
use entente_core::{StixId, Timestamp};
use entente_store::{ObjectRow, Page};

/// The gate for an envoy caller, or `None` for the node's own users.
pub(crate) fn gate_for(state: &AppState, caller: &Caller, now: Timestamp) -> Result<Option<Gate>, ApiError> {
    let Some(partner) = &caller.0.partner else { return Ok(None) };
    let diplomat = state
        .diplomat
        .as_ref()
        .ok_or_else(|| ApiError::forbidden("envoys are served only by a node with federation on"))?;
    let partner = StixId::parse(partner).map_err(|error| ApiError::internal(error.to_string()))?;
    Gate::new(diplomat, &partner, now).map(Some).map_err(|error| ApiError::internal(error.to_string()))
}

/// Keeps the rows `gate` allows, with obligations applied to their JSON; records a
/// ledger `release` for each when `record` (object reads, not metadata).
pub(crate) fn filter(state: &AppState, gate: &Gate, page: Page, record: bool) -> Result<Page, ApiError> {
    let channel = record.then_some("taxii");
    gate.release_page(&state.store, page, channel).map_err(|error| ApiError::internal(error.to_string()))
}

/// The rows of one object read, as an envelope body.
pub(crate) fn rows_json(rows: &[ObjectRow]) -> String {
    rows.iter().map(|row| row.json.as_str()).collect::<Vec<_>>().join(",")
}
