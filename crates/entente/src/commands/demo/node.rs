//! One party's node, made and served inside this process.
//!
//! The node is made the way `entente init` makes one (data directory, signing and
//! encryption keys, SQLite store, API root, collection, the party's STIX identity, an
//! admin token), except that its node id is the party's fixed one, and it is served the
//! way `entente serve` serves one (`entente_server::serve` with a `Diplomat`, so the
//! outbox worker and sync run as in production), on 127.0.0.1. Only the sync timings
//! are shorter, so that the demo settles in seconds.

use super::parties::Party;
use crate::commands::init::{MadeNode, NewNode, make_node};
use crate::commands::now_micros;
use crate::datadir::DataDir;
use anyhow::{Context, anyhow};
use entente_core::node::{CountryCode, NodeKind, NodeName};
use entente_core::{StixId, Timestamp};
use entente_server::federation::{Diplomat, NodeIdentity, SyncConfig};
use entente_server::{AppState, ServerConfig};
use entente_store::Store;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How the demo's nodes sync: every partner is pulled every two seconds even without
/// a poke, and a node notices its own store grew within a quarter of a second.
pub fn sync_config() -> SyncConfig {
    SyncConfig {
        page_size: 500,
        poll: Duration::from_secs(2),
        publish_check: Duration::from_millis(250),
        ..SyncConfig::default()
    }
}

/// A running node.
pub struct DemoNode {
    pub party: Party,
    pub id: StixId,
    pub dir: DataDir,
    pub store: Arc<Store>,
    pub diplomat: Diplomat,
    pub url: String,
    pub fingerprint: String,
    pub admin_token: String,
    pub collection: String,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

impl DemoNode {
    /// Makes the party's node under `root` and serves it on `port` (0: any free port).
    pub async fn start(party: Party, root: &Path, port: u16) -> anyhow::Result<DemoNode> {
        let dir = DataDir::new(&root.join(party.handle));
        dir.create_root()?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .with_context(|| format!("binding 127.0.0.1:{port} for {}", party.name))?;
        let address: SocketAddr = listener.local_addr()?;
        let url = format!("http://{address}");
        let made = create(&dir, &party, &url)?;
        let store = Arc::new(made.store);
        let settings = store.node_settings()?;
        let fingerprint = made.key.fingerprint();
        let identity = NodeIdentity::new(&settings, made.key, &url, Timestamp::from_unix_micros(now_micros()))
            .map_err(|error| anyhow!("building {}'s card: {error}", party.name))?
            .with_encryption_key(made.encryption);
        let diplomat = Diplomat::new(store.clone(), Arc::new(identity));
        let config = ServerConfig { title: format!("Entente demo: {}", party.name), ..ServerConfig::default() };
        let state =
            AppState::new(store.clone(), config).with_diplomat(diplomat.clone()).with_sync_config(sync_config());
        let (shutdown, stop) = oneshot::channel::<()>();
        let server = tokio::spawn(entente_server::serve(listener, state, async move {
            let _ = stop.await;
        }));
        Ok(DemoNode {
            party,
            id: StixId::parse(party.node_id)?,
            dir,
            store,
            diplomat,
            fingerprint,
            url,
            admin_token: made.token.secret().to_owned(),
            collection: settings.default_collection,
            shutdown: Some(shutdown),
            server: Some(server),
        })
    }

    /// Stops the server after the requests in flight, its outbox worker and its sync.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            match server.await {
                Ok(Ok(())) => {}
                Ok(Err(error)) => tracing::warn!(node = self.party.name, %error, "the server stopped with an error"),
                Err(error) => tracing::warn!(node = self.party.name, %error, "the server task failed"),
            }
        }
    }
}

/// What `entente init` makes, with the party's fixed node id and its URL saved.
fn create(dir: &DataDir, party: &Party, url: &str) -> anyhow::Result<MadeNode> {
    let name = NodeName::parse(party.name)?;
    let country = party.country.map(CountryCode::parse).transpose()?;
    let node = NewNode {
        name: &name,
        kind: NodeKind::parse(party.kind)?,
        country: country.as_ref(),
        identity_id: StixId::parse(party.node_id)?,
        public_url: Some(url),
        token_name: "admin (created by entente demo)",
    };
    make_node(dir, &node)
}
