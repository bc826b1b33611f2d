//! One party's node, made and served inside this process.
//!
//! The node is made the way `entente init` makes one (data directory, signing and
//! encryption keys, SQLite store, API root, collection, the party's STIX identity, an
//! admin token), except that its node id is the party's fixed one, and it is served the
//! way `entente serve` serves one (`entente_server::serve` with a `Diplomat`, so the
//! outbox worker and sync run as in production), on 127.0.0.1. Only the sync timings
//! are shorter, so that the demo settles in seconds.

use super::parties::Party;
use crate::commands::init::DEFAULT_API_ROOT;
use crate::commands::{now_micros, token::new_token_id};
use crate::datadir::{DataDir, random_bytes};
use anyhow::{Context, anyhow};
use entente_core::auth::{ApiToken, Role};
use entente_core::node::{CountryCode, NodeKey, NodeKind, NodeName, identity_object};
use entente_core::stix::StixObject;
use entente_core::{StixId, Timestamp};
use entente_server::federation::{Diplomat, NodeIdentity, SyncConfig};
use entente_server::{AppState, ServerConfig};
use entente_store::{ApiRoot, Collection, NodeSettings, Store};
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
    pub key: NodeKey,
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
        let identity = NodeIdentity::new(
            &settings,
            NodeKey::from_seed(made.key.seed()),
            &url,
            Timestamp::from_unix_micros(now_micros()),
        )
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
            fingerprint: made.key.fingerprint(),
            key: made.key,
            url,
            admin_token: made.token,
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

struct Made {
    store: Store,
    key: NodeKey,
    encryption: entente_core::seal::EncryptionKey,
    token: String,
}

/// What `entente init` writes, with the party's fixed node id and its URL saved.
fn create(dir: &DataDir, party: &Party, url: &str) -> anyhow::Result<Made> {
    let name = NodeName::parse(party.name)?;
    let kind = NodeKind::parse(party.kind)?;
    let country = party.country.map(CountryCode::parse).transpose()?;
    let key = NodeKey::from_seed(random_bytes()?);
    dir.write_key(&key.seed())?;
    let encryption = dir.create_encryption_key()?;
    let store = Store::create(&dir.database()).context("creating the database")?;
    dir.restrict_database()?;
    let now = now_micros();
    let identity_id = StixId::parse(party.node_id)?;
    store.create_api_root(
        &ApiRoot { name: DEFAULT_API_ROOT.into(), title: format!("{} intelligence", party.name), description: None },
        now,
    )?;
    let collection = store.create_collection(
        &Collection {
            id: uuid::Uuid::new_v4().to_string(),
            api_root: DEFAULT_API_ROOT.into(),
            title: "Intelligence".into(),
            description: Some(format!("STIX 2.1 intelligence held by {}", party.name)),
            alias: Some("intelligence".into()),
            read_roles: Role::ALL.to_vec(),
            write_roles: vec![Role::Analyst, Role::Admin],
        },
        now,
    )?;
    let identity = identity_object(&identity_id, &name, kind, country.as_ref(), Timestamp::from_unix_micros(now));
    let identity = StixObject::from_json(&identity.to_string()).map_err(|rejection| anyhow!("{rejection}"))?;
    store.add_objects(&collection.id, &[identity], now)?;
    store.save_node_settings(&NodeSettings {
        name: party.name.to_owned(),
        kind: kind.as_str().to_owned(),
        country: country.map(|code| code.as_str().to_owned()),
        identity_id: identity_id.to_string(),
        public_key: hex::encode(key.public_key()),
        fingerprint: key.fingerprint(),
        default_api_root: DEFAULT_API_ROOT.into(),
        default_collection: collection.id,
        public_url: Some(url.to_owned()),
    })?;
    let token = ApiToken::from_random(random_bytes()?);
    store.create_token(&new_token_id()?, "admin (created by entente demo)", Role::Admin, &token.hash(), now)?;
    Ok(Made { store, key, encryption, token: token.secret().to_owned() })
}
