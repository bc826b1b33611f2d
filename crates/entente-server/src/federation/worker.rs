//! The outbox worker: delivers recorded notes to partners, in order per partner,
//! retrying with exponential backoff until the partner acknowledges.
//!
//! A note the partner already has (it answers `409 replayed-note`, as after a lost
//! acknowledgement) counts as delivered, so a note is applied exactly once on the
//! other side whatever the network does.

use crate::clock::now_micros;
use crate::tls::{TrustedRoots, http_client};
use entente_store::{OutboxItem, Store};
use std::sync::Arc;
use std::time::Duration;

/// How often the outbox is polled; notes are usually out within this delay.
const POLL: Duration = Duration::from_millis(250);
/// How long one delivery may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Delivers notes until `shutdown` resolves.
pub async fn deliver_forever(store: Arc<Store>, roots: TrustedRoots, shutdown: impl std::future::Future<Output = ()>) {
    let client = match http_client(&roots).timeout(TIMEOUT).build() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "cannot build the HTTP client: notes will not be delivered");
            return;
        }
    };
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(POLL) => {}
        }
        let due = {
            let store = store.clone();
            tokio::task::spawn_blocking(move || store.due_outbox(now_micros(), 64)).await
        };
        match due {
            Ok(Ok(items)) => {
                for item in items {
                    deliver(&store, &client, item).await;
                }
            }
            Ok(Err(error)) => tracing::warn!(%error, "reading the outbox failed"),
            Err(error) => tracing::warn!(%error, "outbox task failed"),
        }
    }
}

async fn deliver(store: &Arc<Store>, client: &reqwest::Client, item: OutboxItem) {
    let outcome =
        client.post(&item.url).header("content-type", "application/json").body(item.json.clone()).send().await;
    let result = match outcome {
        Ok(response) if response.status().is_success() => Ok(()),
        Ok(response) => {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            let code = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|body| body.get("error_code").and_then(|code| code.as_str()).map(str::to_owned))
                .unwrap_or_default();
            if code == "replayed-note" { Ok(()) } else { Err(format!("{status} {code}: {text}")) }
        }
        Err(error) => Err(format!("unreachable: {error}")),
    };
    let store = store.clone();
    let seq = item.seq;
    let recorded = tokio::task::spawn_blocking(move || match &result {
        Ok(()) => store.mark_delivered(seq, now_micros()),
        Err(reason) => {
            tracing::info!(note = %item.note_id, partner = %item.partner, attempts = item.attempts + 1, %reason, "note not delivered yet; will retry");
            store.mark_failed(seq, reason, now_micros())
        }
    })
    .await;
    if let Ok(Err(error)) | Err(error) = recorded.map_err(|error| entente_store::StoreError::Invalid(error.to_string()))
    {
        tracing::warn!(%error, "recording a delivery attempt failed");
    }
}
