//! The publisher: when this node's store grows (a TAXII add, an import by the CLI,
//! intelligence received from a partner) or a tombstone is recorded, it pokes every partner with a treaty in
//! force, so they pull at once instead of at their next poll.

use super::{Syncer, endpoint};
use crate::clock::now;
use entente_core::sync::{RequestKind, SyncRequest};

pub(super) async fn publish_forever(syncer: Syncer, client: reqwest::Client) {
    let mut ticker = tokio::time::interval(syncer.config().publish_check);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_head = None;
    loop {
        ticker.tick().await;
        let store = syncer.diplomat().store().clone();
        let head = match tokio::task::spawn_blocking(move || {
            Ok::<_, entente_store::StoreError>((store.feed_head()?, store.tombstone_head()?))
        })
        .await
        {
            Ok(Ok(head)) => head,
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot read the feed head");
                continue;
            }
            Err(_) => continue,
        };
        let head = Some(head);
        if head.is_some_and(|(objects, tombstones)| objects.is_none() && tombstones == 0) || head == last_head {
            continue;
        }
        last_head = head;
        poke_all(&syncer, &client).await;
    }
}

async fn poke_all(syncer: &Syncer, client: &reqwest::Client) {
    let diplomat = syncer.diplomat().clone();
    let partners = match tokio::task::spawn_blocking(move || diplomat.partners_in_force(now())).await {
        Ok(Ok(partners)) => partners,
        Ok(Err(error)) => {
            tracing::warn!(%error, "cannot list partners to poke");
            return;
        }
        Err(_) => return,
    };
    let identity = syncer.diplomat().identity();
    for (partner, url) in partners {
        let request = SyncRequest {
            id: uuid::Uuid::new_v4().to_string(),
            kind: RequestKind::Poke,
            sender: identity.node_id().clone(),
            recipient: partner.clone(),
            key_id: identity.key().key_id(),
            created: now(),
        };
        let body = request.sign(identity.key());
        let sent =
            client.post(endpoint(&url, "poke")).header("content-type", "application/json").body(body).send().await;
        match sent {
            Ok(response) if response.status().is_success() => tracing::debug!(%partner, "poked"),
            Ok(response) => tracing::info!(%partner, status = %response.status(), "partner refused a poke"),
            Err(error) => tracing::debug!(%partner, %error, "partner unreachable for a poke"),
        }
    }
}
