//! The sealer: seals the object versions this node originates as they arrive (a TAXII
//! add, an import by the CLI), in the background, so that a partner's pull finds them
//! sealed. It runs only while the node has a partner to release to. The feed seals any version still unsealed when it is released, so the
//! sealer only moves that work off the partner's wait.

use super::Syncer;
use super::feed::record_of;
use crate::clock::now;
use entente_core::sync::{Seal, object_hash};
use entente_core::taxii::Cursor;
use serde_json::Value;

/// Versions sealed per transaction.
const BATCH: u32 = 1000;

pub(super) async fn seal_forever(syncer: Syncer) {
    let mut ticker = tokio::time::interval(syncer.config().publish_check);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut after: Option<Cursor> = None;
    loop {
        ticker.tick().await;
        // Only when something is left to seal (one indexed row: cheap) and a partner
        // could be released to (a replay of the relations: not every tick): a node with
        // no partner seals nothing, and the feed seals whatever is still unsealed when a
        // partner first pulls.
        let diplomat = syncer.diplomat().clone();
        let from = after;
        let due = tokio::task::spawn_blocking(move || {
            let pending = !diplomat.store().unsealed_rows(from, 1).map_err(|error| error.to_string())?.is_empty();
            Ok::<_, String>(
                pending && !diplomat.partners_in_force(now()).map_err(|error| error.to_string())?.is_empty(),
            )
        })
        .await;
        if !matches!(due, Ok(Ok(true))) {
            continue;
        }
        loop {
            let worker = syncer.clone();
            let from = after;
            match tokio::task::spawn_blocking(move || seal_batch(&worker, from)).await {
                Ok(Ok(Some(last))) => after = Some(last),
                Ok(Ok(None)) => break,
                Ok(Err(error)) => {
                    tracing::warn!(%error, "sealing new objects failed; the feed will seal them when released");
                    break;
                }
                Err(_) => break,
            }
        }
    }
}

/// Seals one batch after `after`; the position reached, or `None` when nothing was left.
fn seal_batch(syncer: &Syncer, after: Option<Cursor>) -> Result<Option<Cursor>, String> {
    let diplomat = syncer.diplomat();
    let store = diplomat.store();
    let rows = store.unsealed_rows(after, BATCH).map_err(|error| error.to_string())?;
    let Some(last) = rows.last().map(|row| row.cursor) else { return Ok(None) };
    let identity = diplomat.identity();
    let (key, us, at) = (identity.key(), identity.node_id(), now());
    let mut seals = Vec::with_capacity(rows.len());
    for row in rows {
        let Ok(object) = serde_json::from_str::<Value>(&row.json) else { continue };
        let Some(hash) = object_hash(&object) else { continue };
        let seal = Seal::make(key, us.clone(), &hash, at);
        seals.push((row.stix_id, row.content_hash, record_of(&seal, &hash)));
    }
    store.store_seals(&seals).map_err(|error| error.to_string())?;
    tracing::debug!(sealed = seals.len(), "sealed new object versions");
    Ok(Some(last))
}
