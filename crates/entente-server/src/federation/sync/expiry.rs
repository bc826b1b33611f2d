//! Expiry: an indicator this node originated is revoked once its `valid_until` has
//! passed — every version deleted here and a signed tombstone (`revoked`, with the
//! expiry as reason) sent to every partner that received it, by the same machinery
//! as `entente intel revoke`.
//!
//! Originator only: an indicator another node originated (sealed by it) is never
//! revoked here — this node cannot revoke for everyone what it did not write. It
//! stays held, and reads treat it as expired (`entente_core::score`: score 0,
//! `expired`, left out of exports by default).
//!
//! Runs with the sync machinery (a revocation needs the signing key), at the
//! treaty-ending check's pace; one indexed query per tick when nothing expired.

use super::Syncer;
use crate::clock::now;
use entente_core::{StixId, Timestamp};

/// Indicators revoked per tick, so one tick stays short.
const BATCH: u32 = 200;

pub(super) async fn revoke_forever(syncer: Syncer) {
    let mut ticker = tokio::time::interval(syncer.config().ending_check);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let worker = syncer.clone();
        match tokio::task::spawn_blocking(move || revoke_expired(&worker, now())).await {
            Ok(Ok(0)) | Err(_) => {}
            Ok(Ok(revoked)) => tracing::info!(revoked, "revoked this node's indicators past their valid_until"),
            Ok(Err(error)) => tracing::warn!(%error, "revoking expired indicators failed; retrying next tick"),
        }
    }
}

/// Revokes up to [`BATCH`] of this node's indicators expired at `now`; how many.
pub(crate) fn revoke_expired(syncer: &Syncer, now: Timestamp) -> Result<usize, String> {
    let diplomat = syncer.diplomat();
    let store = diplomat.store();
    let identity = diplomat.identity();
    let us = identity.node_id();
    let candidates = store.expired_own_indicators(&now.to_string(), us.as_str(), BATCH).map_err(|e| e.to_string())?;
    let mut revoked = 0;
    for (id, valid_until) in candidates {
        // The store compared text; compare the times.
        let expired = Timestamp::parse(&valid_until).is_ok_and(|until| until <= now);
        let Ok(object) = StixId::parse(&id) else { continue };
        if !expired {
            continue;
        }
        let reason = format!("expired: valid_until {valid_until} has passed");
        store.revoke_own(identity.key(), us, &object, &reason, now).map_err(|error| error.to_string())?;
        revoked += 1;
    }
    Ok(revoked)
}
