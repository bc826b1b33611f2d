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
use entente_core::ledger::{ContentHash, EntryKind};
use entente_core::release::Decision;
use entente_core::{StixId, Timestamp};
use entente_store::{ObjectRow, Page};
use serde_json::Value;

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
    let store = &state.store;
    let mut kept = Vec::with_capacity(page.rows.len());
    let mut entries = Vec::new();
    for mut row in page.rows {
        let seal = store.seal(&row.id, &row.content_hash)?;
        let Ok(mut object) = serde_json::from_str::<Value>(&row.json) else { continue };
        let Ok(Decision::Allowed { treaty, obligations }) = gate.decide(&object, seal.as_ref()) else { continue };
        if obligations.encrypt_in_transit {
            continue;
        }
        if obligations.strip_attribution && object.get("created_by_ref").is_some() {
            if let Value::Object(map) = &mut object {
                obligations.apply(map);
            }
            row.json = object.to_string();
        }
        if record {
            let hash = ContentHash::of(&object).map_err(|error| ApiError::internal(error.to_string()))?;
            let (Ok(id), Ok(version)) = (StixId::parse(&row.id), Timestamp::parse(&row.version)) else { continue };
            let mut applied = Vec::new();
            if obligations.strip_attribution {
                applied.push("strip-attribution".to_owned());
            }
            applied.push(format!("resharing:{}", obligations.resharing.as_str()));
            applied.push("channel:taxii".to_owned());
            entries.push(EntryKind::Release {
                object: id,
                version,
                object_hash: hash,
                recipient: gate.recipient.clone(),
                treaty,
                obligations: applied,
            });
        }
        kept.push(row);
    }
    if !entries.is_empty() {
        store.append_ledger(entries, gate.now.unix_micros())?;
    }
    Ok(Page { rows: kept, next: page.next })
}

/// The rows of one object read, as an envelope body.
pub(crate) fn rows_json(rows: &[ObjectRow]) -> String {
    rows.iter().map(|row| row.json.as_str()).collect::<Vec<_>>().join(",")
}
