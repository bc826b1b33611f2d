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

use super::super::diplomat::Agreement;
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
use entente_core::treaty::EncryptInTransit;
use entente_core::{StixId, Timestamp};
use entente_store::{Collection, ReceivedObject, ReceivedPage, SealRecord, TombstoneRecord};

/// The first retry after a failed pull; each failure in a row doubles it, up to `poll`.
const FIRST_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

pub(super) async fn pull_forever(syncer: Syncer, client: reqwest::Client) {
    let mut ticker = tokio::time::interval(syncer.config().poll);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // Failures in a row per partner: a partner that could not be pulled (unreachable,
    // refusing) is tried again after 1 s, 2 s, 4 s… rather than at the next poll, so a
    // link that comes back converges within seconds.
    let mut failures: std::collections::HashMap<StixId, u32> = std::collections::HashMap::new();
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
        for (partner, url) in partners {
            if everyone || dirty.contains(&partner) {
                let (syncer, client) = (syncer.clone(), client.clone());
                pulls.spawn(async move {
                    let report = pull_partner(syncer, client, partner.clone(), url, &|_, _| {}).await;
                    (partner, report.error.is_some())
                });
            }
        }
        while let Some(done) = pulls.join_next().await {
            let Ok((partner, failed)) = done else { continue };
            if !failed {
                failures.remove(&partner);
                continue;
            }
            let count = failures.entry(partner.clone()).or_default();
            *count = count.saturating_add(1);
            let delay = FIRST_RETRY.saturating_mul(1 << (*count - 1).min(16)).min(syncer.config().poll);
            let retry = syncer.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                retry.mark_dirty(partner);
            });
        }
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
    // The last page stored: what the next request acknowledges.
    let acknowledged = std::sync::Mutex::new(cursor.last_page.clone());
    let (to_commit, checked_pages) = tokio::sync::mpsc::channel::<Checked>(1);
    let requests = std::sync::atomic::AtomicUsize::new(0);
    let fetch_next = |after: Option<String>| {
        let acknowledge = acknowledged.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        tokio::spawn(fetch(syncer.clone(), client.clone(), partner.clone(), url.to_owned(), after, acknowledge))
    };
    // Stage one: fetch, verify and check pages, one request ahead.
    let produce = async {
        let mut next = Some(fetch_next(cursor.cursor.clone()));
        while let Some(fetching) = next.take() {
            requests.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let (request, bytes) = fetching.await.map_err(|error| error.to_string())??;
            let (checker, from) = (syncer.clone(), partner.clone());
            let page = blocking(move || read(&checker, &from, &bytes, &request)).await?;
            if page.header.more {
                next = Some(fetch_next(page.header.next.clone()));
            }
            let (checker, from) = (syncer.clone(), partner.clone());
            let checked = blocking(move || check_page(&checker, &from, page, now())).await;
            let sent = match checked {
                Ok(checked) => to_commit.send(checked).await.map_err(|_| "the store stage stopped".to_owned()),
                Err(error) => Err(error),
            };
            if let Err(error) = sent {
                if let Some(abandoned) = next.take() {
                    abandoned.abort();
                }
                return Err(error);
            }
        }
        drop(to_commit);
        Ok::<(), String>(())
    };
    // Stage two: store checked pages in order, each with its cursor, while stage one
    // checks the next.
    let commit = async {
        // Owned here, so that a failure here closes the channel and stops stage one.
        let mut checked_pages = checked_pages;
        let mut totals = PullReport::default();
        while let Some(checked) = checked_pages.recv().await {
            let (keeper, from) = (syncer.clone(), partner.clone());
            let (page_report, manifest) = blocking(move || commit_page(&keeper, &from, checked, now())).await?;
            if manifest.is_some() {
                *acknowledged.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = manifest;
            }
            totals.items += page_report.items;
            totals.added += page_report.added;
            totals.refused += page_report.refused;
            on_page(partner, &page_report);
        }
        Ok::<PullReport, String>(totals)
    };
    let (produced, committed) = tokio::join!(produce, commit);
    report.requests += requests.load(std::sync::atomic::Ordering::Relaxed);
    let totals = committed?;
    report.items += totals.items;
    report.added += totals.added;
    report.refused += totals.refused;
    produced
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

/// A page whose items were checked, ready to store.
struct Checked {
    received: ReceivedPage,
    refused: usize,
    tombstones: Vec<Tombstone>,
    /// Cards of originators this node did not know, vouched for by the partner.
    vouched: Vec<(StixId, String)>,
    more: bool,
}

/// The keys seals are checked with: those this node pinned (which always win), then
/// those of cards the partner vouched for, for originators this node never recognized.
struct Keys<'a> {
    book: &'a KeyBook,
    vouched: std::collections::HashMap<StixId, Vec<entente_core::keys::PublicKey>>,
}

impl Keys<'_> {
    fn key_of(&self, party: &StixId, key_id: &entente_core::keys::KeyId) -> Option<entente_core::keys::PublicKey> {
        if self.book.knows(party) {
            return self.book.key_of(party, key_id);
        }
        self.vouched.get(party)?.iter().copied().find(|key| key.key_id() == *key_id)
    }
}

/// Checks every item of a verified page (on two threads when it is large): the pure,
/// parallel part of receiving, which runs while the page before is being stored.
fn check_page(syncer: &Syncer, partner: &StixId, page: InPage, now: Timestamp) -> Result<Checked, String> {
    let diplomat = syncer.diplomat();
    let keys = diplomat.key_book().map_err(|error| error.to_string())?;
    let us = diplomat.identity().node_id().clone();
    let agreements = diplomat.agreements_with(partner, now).map_err(|error| error.to_string())?;
    if agreements.is_empty() {
        return Err(
            "no treaty or shared alliance with the partner is in force any more; the page was not stored".into()
        );
    }
    let mut vouched = Vec::new();
    let mut keys = Keys { book: &keys, vouched: std::collections::HashMap::new() };
    for card in &page.cards {
        let node = card.node_id().clone();
        if !keys.book.knows(&node) {
            keys.vouched.insert(node.clone(), card.card().keys.iter().map(|entry| entry.key).collect());
            vouched.push((node, card.to_json().to_string()));
        }
    }
    let items: Vec<InItem> = page.items.into_iter().filter(|item| item.seal.originator != us).collect();
    let checked = check_all(items, partner, &agreements, &keys);
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
    let collection = received_collection(syncer, partner, now)?;
    let manifest = (!objects.is_empty() || !refused.is_empty()).then(|| page.manifest.to_string());
    let received = ReceivedPage {
        partner: partner.to_string(),
        collection: collection.id,
        treaty: None,
        objects,
        cursor: page.header.next.clone(),
        manifest,
    };
    Ok(Checked { received, refused: refused.len(), tombstones: page.tombstones, vouched, more: page.header.more })
}

/// Stores a checked page with its cursor in one transaction, then applies its
/// tombstones; returns the report and the manifest stored.
fn commit_page(
    syncer: &Syncer,
    partner: &StixId,
    checked: Checked,
    now: Timestamp,
) -> Result<(PageReport, Option<String>), String> {
    let started = std::time::Instant::now();
    let diplomat = syncer.diplomat();
    let store = diplomat.store();
    let items = checked.received.objects.len() + checked.refused;
    for (node, card) in &checked.vouched {
        store
            .record_vouched_card(node.as_str(), card, partner.as_str(), now.unix_micros())
            .map_err(|error| error.to_string())?;
    }
    let outcomes = store.store_received(&checked.received, now.unix_micros()).map_err(|error| error.to_string())?;
    tracing::debug!(%partner, stored_ms = started.elapsed().as_millis() as u64, "stored a page");
    if !checked.tombstones.is_empty() {
        let keys = diplomat.key_book().map_err(|error| error.to_string())?;
        for tombstone in &checked.tombstones {
            if let Err(refusal) = apply_tombstone(syncer, partner, tombstone, &keys, now) {
                tracing::warn!(%partner, object = %tombstone.object, reason = refusal.label, detail = %refusal.detail, "refused a tombstone");
                syncer.count_refusals(&[refusal.label]);
            }
        }
    }
    let added = outcomes.iter().filter(|outcome| matches!(outcome, entente_store::AddOutcome::Added { .. })).count();
    tracing::info!(%partner, received = outcomes.len(), added, refused = checked.refused, more = checked.more, "stored a page of the partner's feed");
    let report = PageReport { items, added, refused: checked.refused, more: checked.more };
    Ok((report, checked.received.manifest))
}

/// Below this many items a page is checked on one thread.
const PARALLEL_FROM: usize = 64;

fn check_all(
    items: Vec<InItem>,
    partner: &StixId,
    agreements: &[Agreement],
    keys: &Keys<'_>,
) -> Vec<Result<ReceivedObject, Refusal>> {
    if items.len() < PARALLEL_FROM {
        return items.into_iter().map(|item| check_item(item, partner, agreements, keys)).collect();
    }
    let mut items = items;
    let second = items.split_off(items.len() / 2);
    std::thread::scope(|scope| {
        let other = scope
            .spawn(|| second.into_iter().map(|item| check_item(item, partner, agreements, keys)).collect::<Vec<_>>());
        let mut checked: Vec<_> = items.into_iter().map(|item| check_item(item, partner, agreements, keys)).collect();
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
    agreements: &[Agreement],
    keys: &Keys<'_>,
) -> Result<ReceivedObject, Refusal> {
    // Every refusal names the object, so an operator can find it in the partner's feed.
    let object_id = item.object.get("id").and_then(serde_json::Value::as_str).unwrap_or("an object").to_owned();
    let refuse = |label: &'static str, detail: String| Refusal { label, detail: format!("{object_id}: {detail}") };
    let Some(agreement) = agreements.iter().find(|agreement| agreement.hash == item.treaty) else {
        return Err(refuse(
            "treaty-mismatch",
            format!(
                "released under {}, which is neither the treaty in force nor a shared alliance's charter",
                item.treaty
            ),
        ));
    };
    if agreement.encrypt == EncryptInTransit::Must && !item.encrypted {
        return Err(refuse(
            "cleartext-refused",
            format!(
                "{} came in the clear, but its agreement says encrypt_in_transit: must",
                item.object.get("id").and_then(serde_json::Value::as_str).unwrap_or("an object")
            ),
        ));
    }
    let (treaty, resharing) = (&agreement.hash, &agreement.resharing);
    let originator = &item.seal.originator;
    let key = keys.key_of(originator, &item.seal.key_id).ok_or_else(|| {
        refuse(
            "unknown-originator",
            format!("no key {} of originator {originator}, pinned or vouched for by the sender", item.seal.key_id),
        )
    })?;
    item.check_seal(&key).map_err(|error| refuse("bad-seal", error.to_string()))?;
    let object =
        StixObject::from_json(&item.object.to_string()).map_err(|error| refuse("invalid-stix", error.to_string()))?;
    let mut hops = item.hops;
    hops.push(HopRule { treaty: treaty.clone(), resharing: resharing.clone() });
    let seal = SealRecord {
        object_hash: item.object_hash.to_string(),
        originator: originator.to_string(),
        key_id: item.seal.key_id.to_string(),
        sealed: item.seal.sealed.to_string(),
        signature: item.seal.signature.encode(),
        received_from: Some(partner.to_string()),
        treaty: Some(treaty.to_string()),
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
    // The issuer's pinned key, or (for an originator this node never recognized) the
    // key of the card a partner vouched for when it relayed the object.
    let vouched = || -> Option<entente_core::keys::PublicKey> {
        let (card, _) = store.vouched_card(tombstone.issuer.as_str()).ok().flatten()?;
        let card = entente_core::card::SignedCard::parse(&card).ok()?;
        card.card().keys.iter().map(|entry| entry.key).find(|key| key.key_id() == tombstone.key_id)
    };
    let key = keys
        .key_of(&tombstone.issuer, &tombstone.key_id)
        .or_else(|| if keys.knows(&tombstone.issuer) { None } else { vouched() })
        .ok_or_else(|| {
            refuse("unknown-issuer", format!("no pinned or vouched key {} of {}", tombstone.key_id, tombstone.issuer))
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
