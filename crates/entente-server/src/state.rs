//! The state every handler shares: a handle, never a global.

use crate::federation::{Diplomat, SyncConfig, Syncer};
use crate::metrics::Metrics;
use crate::tls::TrustedRoots;
use entente_store::Store;
use std::sync::Arc;

/// Tunables of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest request body accepted, in bytes (TAXII `max_content_length`).
    pub max_body_bytes: usize,
    /// Largest page a TAXII GET returns, whatever `limit` asks.
    pub max_page_size: u32,
    /// Page size when the client gives no `limit`.
    pub default_page_size: u32,
    /// Title shown in the TAXII discovery resource.
    pub title: String,
    pub description: Option<String>,
    pub contact: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_body_bytes: 32 * 1024 * 1024,
            max_page_size: 1000,
            default_page_size: 100,
            title: "Entente node".into(),
            description: None,
            contact: None,
        }
    }
}

/// Shared by all requests; cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    pub(crate) store: Arc<Store>,
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) metrics: Arc<Metrics>,
    /// Present when the node's signing key was loaded: federation is on.
    pub(crate) diplomat: Option<Diplomat>,
    /// Present with the diplomat: intelligence sync with partners.
    pub(crate) syncer: Option<Syncer>,
    /// Extra roots trusted when this node calls partners.
    pub(crate) trusted_roots: TrustedRoots,
    /// Parsed taxonomies, warning lists and score model, reloaded when they change.
    pub(crate) knowledge: Arc<crate::knowledge::KnowledgeCache>,
    /// Wake-ups, shutdown and the cap of the live streams (`api/stream.rs`).
    pub(crate) streams: Arc<crate::streams::StreamHub>,
    /// Whether this node serves HTTPS: the web interface's cookies are then `Secure`.
    pub(crate) secure_cookies: bool,
    /// Failed password sign-ins per user name (`web/throttle.rs`).
    pub(crate) sign_in_throttle: Arc<crate::web::throttle::Throttle>,
}

impl AppState {
    pub fn new(store: Arc<Store>, config: ServerConfig) -> AppState {
        AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(Metrics::new()),
            diplomat: None,
            syncer: None,
            trusted_roots: TrustedRoots::default(),
            knowledge: Arc::default(),
            streams: Arc::default(),
            secure_cookies: false,
            sign_in_throttle: Arc::default(),
        }
    }

    /// Turns federation on: the card is served, notes are received, the outbox is delivered.
    pub fn with_diplomat(mut self, diplomat: Diplomat) -> AppState {
        self.syncer = Some(Syncer::new(diplomat.clone(), SyncConfig::default()).with_metrics(self.metrics.clone()));
        self.diplomat = Some(diplomat);
        self
    }

    /// Changes how sync runs (page size, poll interval); only with a diplomat.
    pub fn with_sync_config(mut self, config: SyncConfig) -> AppState {
        if let Some(diplomat) = &self.diplomat {
            self.syncer = Some(Syncer::new(diplomat.clone(), config).with_metrics(self.metrics.clone()));
        }
        self
    }

    /// Trusts `roots` too (besides the platform's) for outbound calls to partners.
    pub fn with_trusted_roots(mut self, roots: TrustedRoots) -> AppState {
        self.trusted_roots = roots;
        self
    }
}
