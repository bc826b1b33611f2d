//! Intelligence sync: this node's feed for each partner (`feed.rs`, the sender's side:
//! the release decision on every object version), the pull of each partner's feed
//! (`pull.rs`, the receiver's side: page signature, seals, STIX validation, one
//! transaction per page), pokes (`poke.rs`: a partner says its feed has news), the
//! publisher (`publish.rs`: pokes partners when this node's store grows) and the sealer
//! (`sealer.rs`: seals what this node originates as it arrives) and treaty endings
//! (`ending.rs`: what an ended treaty says about the material received under it,
//! purge or keep, carried out once) and expiry (`expiry.rs`: this node's own
//! indicators revoked once past their `valid_until`).
//!
//! Data moves only by pull: a poke carries nothing but a wake-up. So there is one path
//! out of the node for synced intelligence (the feed, through the release decision),
//! one cursor per partner (stored with the page it ends), and backpressure for free:
//! a puller asks for the next page only once it stored the last.

mod ending;
mod expiry;
mod feed;
mod poke;
mod publish;
mod pull;
pub(crate) mod release;
mod sealer;

pub(crate) use feed::feed;
pub(crate) use poke::poke;
pub use pull::{PageReport, PullReport};
pub use release::PartnerRelease;

use super::Diplomat;
use entente_core::StixId;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::Notify;

/// Tunables of sync.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// Objects per page asked of a partner. Larger pages mean fewer transactions on the
    /// receiver, each touching the random-key index pages once for many objects: 2,500
    /// synced 100,000 objects in half the time 1,000 took (bench/sync.sh).
    pub page_size: u32,
    /// How often every partner's feed is pulled even without a poke.
    pub poll: Duration,
    /// How often this node checks whether its own store grew, to poke partners.
    pub publish_check: Duration,
    /// How often this node checks whether a relation's treaty ended, to carry out what
    /// it says about received material.
    pub ending_check: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            page_size: 2500,
            poll: Duration::from_secs(30),
            publish_check: Duration::from_millis(500),
            ending_check: Duration::from_secs(1),
        }
    }
}

/// Sync's shared state: a handle, cheap to clone.
#[derive(Debug, Clone)]
pub struct Syncer {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    diplomat: Diplomat,
    config: SyncConfig,
    /// Request ids seen within the skew window, with when they may be forgotten.
    seen: Mutex<HashMap<String, i64>>,
    /// Partners whose feed should be pulled now.
    dirty: Mutex<HashSet<StixId>>,
    wake: Notify,
    /// Where pull metrics go (the server's recorder), when running in a server.
    metrics: Option<Arc<crate::metrics::Metrics>>,
}

/// The most request ids remembered; beyond it, requests are refused until old ones
/// expire (a partner sends a handful per second at most).
const MAX_SEEN: usize = 100_000;

impl Syncer {
    pub fn new(diplomat: Diplomat, config: SyncConfig) -> Syncer {
        Syncer {
            inner: Arc::new(Inner {
                diplomat,
                config,
                seen: Mutex::new(HashMap::new()),
                dirty: Mutex::new(HashSet::new()),
                wake: Notify::new(),
                metrics: None,
            }),
        }
    }

    pub(crate) fn diplomat(&self) -> &Diplomat {
        &self.inner.diplomat
    }

    pub(crate) fn config(&self) -> &SyncConfig {
        &self.inner.config
    }

    /// Remembers a request id; `false` when it was already seen (a replay) or the
    /// memory is full.
    pub(crate) fn first_sight(&self, id: &str, now_micros: i64) -> bool {
        let mut seen = self.inner.seen.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= MAX_SEEN / 2 {
            seen.retain(|_, forget_at| *forget_at > now_micros);
        }
        if seen.len() >= MAX_SEEN || seen.contains_key(id) {
            return false;
        }
        let window = self.diplomat().skew_seconds().max(0) * 2_000_000;
        seen.insert(id.to_owned(), now_micros + window);
        true
    }

    /// Counts refused items by reason (`entente_sync_refused_total`).
    pub(crate) fn count_refusals(&self, labels: &[&'static str]) {
        let Some(metrics) = &self.inner.metrics else { return };
        metrics.record(|| {
            for label in labels {
                metrics::counter!("entente_sync_refused_total", "reason" => *label).increment(1);
            }
        });
    }

    /// Records what pulls did in this server's metrics.
    pub(crate) fn with_metrics(self, metrics: Arc<crate::metrics::Metrics>) -> Syncer {
        let inner = Inner {
            diplomat: self.inner.diplomat.clone(),
            config: self.inner.config.clone(),
            seen: Mutex::new(HashMap::new()),
            dirty: Mutex::new(HashSet::new()),
            wake: Notify::new(),
            metrics: Some(metrics),
        };
        Syncer { inner: Arc::new(inner) }
    }

    /// Asks for `partner`'s feed to be pulled now.
    pub(crate) fn mark_dirty(&self, partner: StixId) {
        self.inner.dirty.lock().unwrap_or_else(PoisonError::into_inner).insert(partner);
        self.inner.wake.notify_one();
    }

    fn take_dirty(&self) -> HashSet<StixId> {
        std::mem::take(&mut *self.inner.dirty.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Runs the puller, the publisher, the sealer and the ending check until
    /// `shutdown` resolves.
    pub async fn run(self, roots: crate::tls::TrustedRoots, shutdown: impl std::future::Future<Output = ()>) {
        let client = match crate::tls::http_client(&roots).timeout(Duration::from_secs(120)).build() {
            Ok(client) => client,
            Err(error) => {
                tracing::error!(%error, "cannot build the HTTP client: intelligence will not sync");
                return;
            }
        };
        tokio::pin!(shutdown);
        tokio::select! {
            () = &mut shutdown => {}
            () = pull::pull_forever(self.clone(), client.clone()) => {}
            () = publish::publish_forever(self.clone(), client) => {}
            () = sealer::seal_forever(self.clone()) => {}
            () = ending::settle_forever(self.clone()) => {}
            () = expiry::revoke_forever(self.clone()) => {}
        }
    }
}

impl Syncer {
    /// Pulls now, in the foreground, from `only` or from every partner with a treaty
    /// in force; `on_page` sees every page stored. For `entente sync now`.
    pub async fn pull_now(
        &self,
        roots: &crate::tls::TrustedRoots,
        only: Option<&StixId>,
        on_page: &(dyn Fn(&StixId, &PageReport) + Send + Sync),
    ) -> Result<Vec<PullReport>, super::DiplomacyError> {
        let client = crate::tls::http_client(roots)
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|error| super::DiplomacyError::Invalid(format!("cannot build the HTTP client: {error}")))?;
        let now = crate::clock::now();
        let mut reports = Vec::new();
        let partners = self.diplomat().partners_in_force(now)?;
        if let Some(wanted) = only
            && !partners.iter().any(|(partner, _)| partner == wanted)
        {
            return Err(super::DiplomacyError::Invalid(format!(
                "no treaty with {wanted} is in force: there is no feed to pull (see `entente relations show`)"
            )));
        }
        for (partner, url) in partners {
            if only.is_none_or(|wanted| wanted == &partner) {
                reports.push(pull::pull_partner(self.clone(), client.clone(), partner, url, on_page).await);
            }
        }
        Ok(reports)
    }
}

/// A partner's sync endpoint, beside its notes endpoint (`…/federation/v1/notes`).
pub(crate) fn endpoint(federation_url: &str, name: &str) -> String {
    let base = federation_url.strip_suffix("/notes").unwrap_or(federation_url.trim_end_matches('/'));
    format!("{base}/{name}")
}

/// Why a sync request was refused, as the answer the partner gets.
pub(crate) fn refused(error: &entente_core::sync::RequestError) -> crate::error::ApiError {
    use axum::http::StatusCode;
    let status = match error.code() {
        "request-too-large" => StatusCode::PAYLOAD_TOO_LARGE,
        "unknown-sender" | "unknown-key" | "bad-signature" | "bad-receipt" => StatusCode::FORBIDDEN,
        _ => StatusCode::BAD_REQUEST,
    };
    crate::error::ApiError::new(status, error.code(), error.to_string())
}

impl Syncer {
    /// Verifies a signed request from a partner: signature by a pinned key, within the
    /// skew window, never seen before.
    pub(crate) fn accept(
        &self,
        bytes: &[u8],
        now: entente_core::Timestamp,
    ) -> Result<entente_core::sync::SyncRequest, crate::error::ApiError> {
        use crate::error::ApiError;
        use axum::http::StatusCode;
        let diplomat = self.diplomat();
        let store = diplomat.store().clone();
        let lookup_failed = std::cell::Cell::new(false);
        let pinned = |node: &StixId| match store.partner_keys(node.as_str()) {
            Ok(records) => super::directory::pinned(&records),
            Err(_) => {
                lookup_failed.set(true);
                Vec::new()
            }
        };
        let verified = entente_core::sync::verify_request(
            bytes,
            diplomat.identity().node_id(),
            &pinned,
            now,
            diplomat.skew_seconds(),
        );
        if lookup_failed.get() {
            return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "cannot read this node's keys"));
        }
        let request = verified.map_err(|error| refused(&error))?;
        if !self.first_sight(&request.id, now.unix_micros()) {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "replayed-request",
                format!("request {} was already received", request.id),
            ));
        }
        Ok(request)
    }
}
