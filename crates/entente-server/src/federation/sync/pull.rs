//! The puller: fetches each partner's feed, page by page, and stores what it may.
//!
//! For each page: the objects sealed end to end to this node are opened with its
//! encryption key (one that does not open refuses the page: `bad-ciphertext`), and the
//! page signature checked (by a key pinned for the partner); then each item: released
//! under the treaty in force with the partner (our own copy says which re-sharing rule
//! binds us, and whether it must have come sealed: `cleartext-refused`), sealed by its
//! originator (checked with the key this node pinned for the originator; an originator
//! it does not know is refused), valid STIX.
//! A refused item is logged and counted, never stored; the page, its good items, their
//! seals, the `receive` ledger entries and the new cursor are stored in one
//! transaction. The next request carries the signed receipt of that page.
//!
//! A partner is pulled when it pokes, and every `poll` in any case; one pull at a time
//! per partner, partners in parallel.

use super::super::keybook::KeyBook;
use super::release::hops_text;
use super::{Syncer, endpoint};
use crate::clock::now;
use entente_core::auth::Role;
use entente_core::ledger::EntryKind;
use entente_core::ledger::{ContentHash, sign_receipt};
use entente_core::release::HopRule;
use entente_core::stix::StixObject;
use entente_core::sync::{
    InItem, InPage, MAX_PAGE_BYTES, RequestKind, SyncRequest, Tombstone, TombstoneKind, read_page,
};
use entente_core::treaty::{EncryptInTransit, SignedTreaty};
use entente_core::{StixId, Timestamp};
use entente_store::{Collection, ReceivedObject, ReceivedPage, SealRecord, TombstoneRecord};

pub(super) async fn pull_forever(syncer: Syncer, client: reqwest::Client) {
    let mut ticker = tokio::time::interval(syncer.config().poll);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let everyone = tokio::select! {
            _ = ticker.tick() => true,
            () = syncer.inner.wake.notified() => false,
        };
        let dirty = syncer.take_dirty();
        let diplomat = syncer.diplomat().clone();
        let partners = match tokio::task::spawn_blocking(move || diplomat.partners_in_force(now())).await {
            Ok(Ok(partners)) => partners,
            Ok(Err(error)) => {
                tracing::warn!(%error, "cannot list partners to pull");
                continue;
            }
            Err(_) => continue,
        };
        let mut pulls = tokio::task::JoinSet::new();
        for (partner, url, _) in partners {
            if everyone || dirty.contains(&partner) {
                pulls.spawn(pull_partner(syncer.clone(), client.clone(), partner, url, &|_, _| {}));
            }
        }
        while pulls.join_next().await.is_some() {}
    }
}

/// What one page brought.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PageReport {
    /// Items in the page.
    pub items: usize,
    /// New object versions stored.
    pub added: usize,
    /// Items refused (bad seal, unknown originator, invalid STIX, wrong treaty, in the
    /// clear under a must-encrypt treaty).
    pub refused: usize,
    pub more: bool,
}

/// What a pull of one partner's feed did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PullReport {
    pub partner: String,
    /// Feed requests made (one per page).
    pub requests: usize,
    pub items: usize,
    pub added: usize,
    pub refused: usize,
    /// Why the pull stopped early, if it did.
    pub error: Option<String>,
}

/// Pulls one partner's feed until it says there is no more.
///
/// Pipelined one page deep: once page N's signature checked out, the request for page
/// N+1 (from N's `next`) goes out while N's items are checked and stored, so the
/// partner builds the next page while this node stores the last. Storage stays in
/// order, and the cursor stored is always that of the last page stored: a request in
/// flight when a store fails is abandoned, and nothing is skipped. A request
/// acknowledges the last page *stored* (N-1 while N is being stored).
pub(crate) async fn pull_partner(
    syncer: Syncer,
    client: reqwest::Client,
    partner: StixId,
    url: String,
    on_page: &(dyn Fn(&StixId, &PageReport) + Send + Sync),
) -> PullReport {
    let mut report = PullReport { partner: partner.to_string(), ..PullReport::default() };
    if let Err(error) = pull_pages(&syncer, &client, &partner, &url, on_page, &mut report).await {
        tracing::warn!(%partner, %error, "pulling the partner's feed stopped");
        report.error = Some(error);
    }
    report
}

async fn pull_pages(
    syncer: &Syncer,
    client: &reqwest::Client,
    partner: &StixId,
    url: &str,
    on_page: &(dyn Fn(&StixId, &PageReport) + Send + Sync),
    report: &mut PullReport,
) -> Result<(), String> {
    let store = syncer.diplomat().store().clone();
    let key = partner.to_string();
    let cursor =
        blocking(move || store.sync_cursor(&key).map_err(|error| error.to_string())).await?.unwrap_or_default();
    let mut acknowledged = cursor.last_page;
    let mut next = Some(tokio::spawn(fetch(
        syncer.clone(),
        client.clone(),
        partner.clone(),
        url.to_owned(),
        cursor.cursor,
        acknowledged.clone(),
    )));
    while let Some(fetching) = next.take() {
        report.requests += 1;
        let (request, bytes) = fetching.await.map_err(|error| error.to_string())??;
        let (checker, from) = (syncer.clone(), partner.clone());
        let page = blocking(move || read(&checker, &from, &bytes, &request)).await?;
        if page.header.more {
            next = Some(tokio::spawn(fetch(
                syncer.clone(),
                client.clone(),
                partner.clone(),
                url.to_owned(),
                page.header.next.clone(),
                acknowledged.clone(),
            )));
        }
        let (keeper, from) = (syncer.clone(), partner.clone());
        let stored = blocking(move || store_page(&keeper, &from, page, now())).await;
        let (page_report, manifest) = match stored {
            Ok(done) => done,
            Err(error) => {
                if let Some(abandoned) = next.take() {
                    abandoned.abort();
                }
                return Err(error);
            }
        };
        if manifest.is_some() {
            acknowledged = manifest;
        }
        report.items += page_report.items;
        report.added += page_report.added;
        report.refused += page_report.refused;
        on_page(partner, &page_report);
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(work: impl FnOnce() -> Result<T, String> + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(work).await.map_err(|error| error.to_string())?
}

/// Sends one signed feed request and reads the answer.
async fn fetch(
    syncer: Syncer,
    client: reqwest::Client,
    partner: StixId,
    url: String,
    after: Option<String>,
    acknowledge: Option<String>,
) -> Result<(String, axum::body::Bytes), String> {
    let identity = syncer.diplomat().identity();
    let receipt = match acknowledge {
        Some(page) => {
            let page = ContentHash::parse(&page).map_err(|error| error.to_string())?;
            Some(sign_receipt(identity.key(), page, identity.node_id().clone()))
        }
        None => None,
    };
    let request = SyncRequest {
        id: uuid::Uuid::new_v4().to_string(),
        kind: RequestKind::Feed { after, limit: syncer.config().page_size, receipt },
        sender: identity.node_id().clone(),
        recipient: partner.clone(),
        key_id: identity.key().key_id(),
        created: now(),
    };
    let response = client
        .post(endpoint(&url, "feed"))
        .header("content-type", "application/json")
        .body(request.sign(identity.key()))
        .send()
        .await
        .map_err(|error| format!("cannot reach {url}: {error}"))?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("the partner answered {status}: {}", body.chars().take(300).collect::<String>()));
    }
    if response.content_length().is_some_and(|length| length > MAX_PAGE_BYTES as u64) {
        return Err(format!("the page is larger than {MAX_PAGE_BYTES} bytes"));
    }
    let bytes = response.bytes().await.map_err(|error| format!("reading the page failed: {error}"))?;
    Ok((request.id, bytes))
}

/// Why one item was refused, for the log and the metrics.
struct Refusal {
    label: &'static str,
    detail: String,
}

/// Parses the page and checks its signature (by a key pinned for the partner).
fn read(syncer: &Syncer, partner: &StixId, bytes: &[u8], request: &str) -> Result<InPage, String> {
    let diplomat = syncer.diplomat();
    let keys = diplomat.key_book().map_err(|error| error.to_string())?;
    let us = diplomat.identity().node_id().clone();
    let started = std::time::Instant::now();
    let identity = diplomat.identity();
    let opener = identity.encryption_key();
    let page =
        read_page(bytes, &us, partner, request, &|key_id| keys.key_of(partner, key_id), opener).map_err(|error| {
            if matches!(error, entente_core::sync::PageError::BadCiphertext { .. }) {
                syncer.count_refusals(&[error.code()]);
            }
            format!("refused the page ({}): {error}", error.code())
        });
    tracing::debug!(%partner, read_ms = started.elapsed().as_millis() as u64, bytes = bytes.len(), "read a page");
    page
}

/// Checks every item of a verified page (on two threads when it is large) and stores
/// the good ones with the cursor; returns the report and the manifest stored.
fn store_page(
    syncer: &Syncer,
    partner: &StixId,
    page: InPage,
    now: Timestamp,
) -> Result<(PageReport, Option<String>), String> {
    let started = std::time::Instant::now();
    let diplomat = syncer.diplomat();
    let keys = diplomat.key_book().map_err(|error| error.to_string())?;
    let us = diplomat.identity().node_id().clone();
    let Some(treaty) = diplomat.treaty_in_force(partner, now).map_err(|error| error.to_string())? else {
        return Err("the relation is no longer in force; the page was not stored".into());
    };
    let items: Vec<InItem> = page.items.into_iter().filter(|item| item.seal.originator != us).collect();
    let checked = check_all(items, partner, &treaty, &keys);
    let mut objects = Vec::with_capacity(checked.len());
    let mut refused = Vec::new();
    for outcome in checked {
        match outcome {
            Ok(object) => objects.push(object),
            Err(refusal) => refused.push(refusal),
        }
    }
    for refusal in &refused {
        tracing::warn!(%partner, reason = refusal.label, detail = %refusal.detail, "refused an object from a partner");
    }
    if !refused.is_empty() {
        tracing::warn!(%partner, refused = refused.len(), "some objects of the page were refused and not stored");
        syncer.count_refusals(&refused.iter().map(|refusal| refusal.label).collect::<Vec<_>>());
    }
    let store = diplomat.store();
    let collection = received_collection(syncer, partner, now)?;
    let manifest = (!objects.is_empty() || !refused.is_empty()).then(|| page.manifest.to_string());
    let items = objects.len() + refused.len();
    let received = ReceivedPage {
        partner: partner.to_string(),
        collection: collection.id,
        treaty: Some(treaty.hash().clone()),
        objects,
        cursor: page.header.next.clone(),
        manifest: manifest.clone(),
    };
    let checked_ms = started.elapsed().as_millis() as u64;
    let outcomes = store.store_received(&received, now.unix_micros()).map_err(|error| error.to_string())?;
    tracing::debug!(%partner, checked_ms, total_ms = started.elapsed().as_millis() as u64, "checked and stored a page");
    for tombstone in &page.tombstones {
        if let Err(refusal) = apply_tombstone(syncer, partner, tombstone, &keys, now) {
            tracing::warn!(%partner, object = %tombstone.object, reason = refusal.label, detail = %refusal.detail, "refused a tombstone");
            syncer.count_refusals(&[refusal.label]);
        }
    }
    let added = outcomes.iter().filter(|outcome| matches!(outcome, entente_store::AddOutcome::Added { .. })).count();
    tracing::info!(%partner, received = outcomes.len(), added, refused = refused.len(), more = page.header.more, "stored a page of the partner's feed");
    Ok((PageReport { items, added, refused: refused.len(), more: page.header.more }, manifest))
}

/// Below this many items a page is checked on one thread.
const PARALLEL_FROM: usize = 64;

fn check_all(
    items: Vec<InItem>,
    partner: &StixId,
    treaty: &SignedTreaty,
    keys: &KeyBook,
) -> Vec<Result<ReceivedObject, Refusal>> {
    if items.len() < PARALLEL_FROM {
        return items.into_iter().map(|item| check_item(item, partner, treaty, keys)).collect();
    }
    let mut items = items;
    let second = items.split_off(items.len() / 2);
    std::thread::scope(|scope| {
        let other =
            scope.spawn(|| second.into_iter().map(|item| check_item(item, partner, treaty, keys)).collect::<Vec<_>>());
        let mut checked: Vec<_> = items.into_iter().map(|item| check_item(item, partner, treaty, keys)).collect();
        match other.join() {
            Ok(rest) => checked.extend(rest),
            Err(_) => checked.push(Err(Refusal { label: "internal", detail: "a checking thread panicked".into() })),
        }
        checked
    })
}

fn check_item(
    item: InItem,
    partner: &StixId,
    treaty: &SignedTreaty,
    keys: &super::super::keybook::KeyBook,
) -> Result<ReceivedObject, Refusal> {
    let refuse = |label: &'static str, detail: String| Refusal { label, detail };
    if &item.treaty != treaty.hash() {
        return Err(refuse("treaty-mismatch", format!("released under {}, not the treaty in force", item.treaty)));
    }
    if treaty.treaty().body().terms.encrypt_in_transit == EncryptInTransit::Must && !item.encrypted {
        return Err(refuse(
            "cleartext-refused",
            format!(
                "{} came in the clear, but the treaty says encrypt_in_transit: must",
                item.object.get("id").and_then(serde_json::Value::as_str).unwrap_or("an object")
            ),
        ));
    }
    let originator = &item.seal.originator;
    let key = keys.key_of(originator, &item.seal.key_id).ok_or_else(|| {
        refuse("unknown-originator", format!("no pinned key {} of originator {originator}", item.seal.key_id))
    })?;
    item.check_seal(&key).map_err(|error| refuse("bad-seal", error.to_string()))?;
    let object =
        StixObject::from_json(&item.object.to_string()).map_err(|error| refuse("invalid-stix", error.to_string()))?;
    let mut hops = item.hops;
    hops.push(HopRule { treaty: treaty.hash().clone(), resharing: treaty.treaty().body().resharing.clone() });
    let seal = SealRecord {
        object_hash: item.object_hash.to_string(),
        originator: originator.to_string(),
        key_id: item.seal.key_id.to_string(),
        sealed: item.seal.sealed.to_string(),
        signature: item.seal.signature.encode(),
        received_from: Some(partner.to_string()),
        treaty: Some(treaty.hash().to_string()),
        hops: hops_text(&hops),
    };
    Ok(ReceivedObject { object, object_hash: item.object_hash, seal })
}

/// The collection a partner's intelligence lands in: one per partner, made on first
/// use in the default API root, readable like the default collection, written by sync
/// alone (and administrators).
fn received_collection(syncer: &Syncer, partner: &StixId, now: Timestamp) -> Result<Collection, String> {
    let store = syncer.diplomat().store();
    let settings = store.node_settings().map_err(|error| error.to_string())?;
    let name = store.partner(partner.as_str()).ok().flatten().map_or_else(|| partner.to_string(), |record| record.name);
    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("entente:received:{partner}").as_bytes());
    let spec = Collection {
        id: id.to_string(),
        api_root: settings.default_api_root,
        title: format!("From {name}"),
        description: Some(format!("Intelligence received from {name} ({partner}) under treaty")),
        alias: None,
        read_roles: vec![Role::Reader, Role::Analyst, Role::Admin],
        write_roles: vec![Role::Admin],
    };
    store.ensure_collection(&spec, now.unix_micros()).map_err(|error| error.to_string())
}

/// Applies a tombstone from `partner`: accepted when signed by the originator of the
/// copy this node holds (the object is gone for good, and the same tombstone is passed
/// on) or by the partner itself (a recall: this node passes on a recall of its own).
fn apply_tombstone(
    syncer: &Syncer,
    partner: &StixId,
    tombstone: &Tombstone,
    keys: &KeyBook,
    now: Timestamp,
) -> Result<(), Refusal> {
    let refuse = |label: &'static str, detail: String| Refusal { label, detail };
    let diplomat = syncer.diplomat();
    let store = diplomat.store();
    let failed = |error: entente_store::StoreError| refuse("internal", error.to_string());
    let object = tombstone.object.as_str();
    // Nothing held (never received, or removed by this tombstone already): nothing to do.
    if !store.holds(object).map_err(failed)? {
        return Ok(());
    }
    let originator = store.held_originator(object).map_err(failed)?;
    let identity = diplomat.identity();
    let us = identity.node_id();
    let is_final = tombstone.kind == TombstoneKind::Revoked;
    let entitled = match tombstone.kind {
        TombstoneKind::Revoked => originator.as_deref() == Some(tombstone.issuer.as_str()),
        TombstoneKind::Recalled => &tombstone.issuer == partner,
    };
    if originator.as_deref() == Some(us.as_str()) || !entitled {
        return Err(refuse(
            "tombstone-not-entitled",
            format!(
                "{} may not declare {object} gone here: only its originator or the node that sent it",
                tombstone.issuer
            ),
        ));
    }
    let key = keys.key_of(&tombstone.issuer, &tombstone.key_id).ok_or_else(|| {
        refuse("unknown-issuer", format!("no pinned key {} of {}", tombstone.key_id, tombstone.issuer))
    })?;
    tombstone.check(&key).map_err(|error| refuse("bad-tombstone", error.to_string()))?;
    let passed_on = if is_final {
        tombstone.clone()
    } else {
        Tombstone::make(
            identity.key(),
            TombstoneKind::Recalled,
            us.clone(),
            tombstone.object.clone(),
            &format!("passed on: {}", tombstone.reason),
            now,
        )
    };
    let record = TombstoneRecord {
        stix_id: object.to_owned(),
        issuer: passed_on.issuer.to_string(),
        is_final,
        json: passed_on.to_value().to_string(),
        received_from: Some(partner.to_string()),
        target: None,
    };
    let entry = EntryKind::Removed {
        object: tombstone.object.clone(),
        issuer: tombstone.issuer.clone(),
        from: partner.clone(),
        removed: 0,
    };
    let removed = store.remove_with_tombstone(&record, entry, now.unix_micros()).map_err(failed)?;
    tracing::info!(%partner, object, issuer = %tombstone.issuer, removed, is_final, "applied a tombstone");
    Ok(())
}
