//! A federated node in-process: a temporary store set up as `entente init` does, a
//! signing key from a fixed seed, the server on 127.0.0.1 and its [`Diplomat`], which
//! the tests drive the way an envoy would.
//!
//! The listener is bound before the identity is built, because the card names the
//! node's own URL. [`FedNode::restart`] reopens the same database and binds the same
//! port again, so partners that recorded the node's card still reach it.

use crate::pki::TestPki;
use entente_core::node::NodeKey;
use entente_core::seal::EncryptionKey;
use entente_core::{StixId, Timestamp};
use entente_server::federation::{Diplomat, NodeIdentity, RelationView};
use entente_server::{AppState, ServerConfig};
use entente_store::{ApiRoot, Collection, NodeSettings, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The longest any test waits for notes to travel.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub fn now() -> Timestamp {
    Timestamp::from_unix_micros((time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64)
}

/// `now` moved by `seconds` (negative: into the past).
pub fn seconds_from_now(seconds: i64) -> Timestamp {
    Timestamp::from_unix_micros(now().unix_micros() + seconds * 1_000_000)
}

/// A running federated node.
pub struct FedNode {
    pub name: String,
    pub id: StixId,
    seed: u8,
    pub address: SocketAddr,
    pub store: Arc<Store>,
    pub diplomat: Diplomat,
    pub client: reqwest::Client,
    /// Present when the node serves HTTPS with this PKI's certificate and trusts its CA.
    tls: Option<TestPki>,
    dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

fn database(dir: &TempDir) -> PathBuf {
    dir.path().join("entente.db")
}

/// What `entente init` writes: an API root, a collection and the node settings.
fn initialise(store: &Store, name: &str, seed: u8) -> StixId {
    let now = now().unix_micros();
    store
        .create_api_root(
            &ApiRoot { name: "intel".into(), title: format!("{name} intelligence"), description: None },
            now,
        )
        .expect("API root");
    let collection = store
        .create_collection(
            &Collection {
                id: uuid::Uuid::new_v4().to_string(),
                api_root: "intel".into(),
                title: "Intelligence".into(),
                description: None,
                alias: Some("intelligence".into()),
                read_roles: entente_core::auth::Role::ALL.to_vec(),
                write_roles: vec![entente_core::auth::Role::Admin],
            },
            now,
        )
        .expect("collection");
    let key = NodeKey::from_seed([seed; 32]);
    let id = StixId::from_parts("identity", uuid::Uuid::new_v4()).expect("node id");
    store
        .save_node_settings(&NodeSettings {
            name: name.into(),
            kind: "agency".into(),
            country: Some("FR".into()),
            identity_id: id.to_string(),
            public_key: key.public_key().iter().map(|byte| format!("{byte:02x}")).collect(),
            fingerprint: key.fingerprint(),
            default_api_root: "intel".into(),
            default_collection: collection.id,
            public_url: None,
        })
        .expect("node settings");
    id
}

/// A node's encryption key, fixed by its node id so that it survives restarts and
/// signing-key rotations, as the `encryption.key` file does.
fn encryption_key_of(id: &StixId) -> EncryptionKey {
    let text = id.as_str().as_bytes();
    let mut secret = [0u8; 32];
    secret.copy_from_slice(&text[text.len() - 32..]);
    EncryptionKey::from_bytes(secret)
}

pub async fn bind(address: &str) -> TcpListener {
    let mut last_error = None;
    for _ in 0..50 {
        match TcpListener::bind(address).await {
            Ok(listener) => return listener,
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("cannot bind {address}: {last_error:?}");
}

impl FedNode {
    /// A new node named `name` whose key is `NodeKey::from_seed([seed; 32])`.
    pub async fn start(name: &str, seed: u8) -> FedNode {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::create(&database(&dir)).expect("store");
        let id = initialise(&store, name, seed);
        let listener = bind("127.0.0.1:0").await;
        FedNode::serve(name, id, seed, dir, Arc::new(store), listener, None)
    }

    /// A node like [`FedNode::start`] serving HTTPS with `pki`'s certificate and
    /// trusting its CA for outbound calls.
    pub async fn start_tls(name: &str, seed: u8, pki: &TestPki) -> FedNode {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::create(&database(&dir)).expect("store");
        let id = initialise(&store, name, seed);
        let listener = bind("127.0.0.1:0").await;
        FedNode::serve(name, id, seed, dir, Arc::new(store), listener, Some(pki.clone()))
    }

    fn serve(
        name: &str,
        id: StixId,
        seed: u8,
        dir: TempDir,
        store: Arc<Store>,
        listener: TcpListener,
        tls: Option<TestPki>,
    ) -> FedNode {
        let address = listener.local_addr().expect("local address");
        let settings = store.node_settings().expect("node settings");
        let scheme = if tls.is_some() { "https" } else { "http" };
        let identity =
            NodeIdentity::new(&settings, NodeKey::from_seed([seed; 32]), &format!("{scheme}://{address}"), now())
                .expect("node identity")
                .with_encryption_key(encryption_key_of(&id));
        let diplomat = Diplomat::new(store.clone(), Arc::new(identity));
        let mut state = AppState::new(store.clone(), ServerConfig::default()).with_diplomat(diplomat.clone());
        let (shutdown, signal) = oneshot::channel::<()>();
        let stopped = async move {
            let _ = signal.await;
        };
        let (server, client) = match &tls {
            None => (
                tokio::spawn(entente_server::serve(listener, state, stopped)),
                reqwest::Client::builder().no_proxy().build().expect("HTTP client"),
            ),
            Some(pki) => {
                state = state.with_trusted_roots(pki.roots());
                let server = tokio::spawn(entente_server::serve_tls(listener, state, stopped, pki.tls_config()));
                (server, pki.client().build().expect("HTTPS client"))
            }
        };
        FedNode {
            name: name.to_owned(),
            id,
            seed,
            address,
            store,
            diplomat,
            client,
            tls,
            dir,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// The node's signing key (tests sign notes in its name with it).
    pub fn key(&self) -> NodeKey {
        NodeKey::from_seed([self.seed; 32])
    }

    /// The node's encryption key (what partners seal objects to).
    pub fn encryption_key(&self) -> EncryptionKey {
        encryption_key_of(&self.id)
    }

    /// After a rotation to `NodeKey::from_seed([seed; 32])`: the key file now holds
    /// that seed, as the binary leaves it, so [`FedNode::key`], a restart and a second
    /// process use it.
    pub fn replace_key_file(&mut self, seed: u8) {
        self.seed = seed;
    }

    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.address)
    }

    /// Stops the server (and its outbox worker); the store and its directory stay.
    pub async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }

    /// Reopens the database and serves it again on the same address, as a process
    /// restart would.
    pub async fn restart(mut self) -> FedNode {
        self.stop().await;
        let placeholder = tempfile::tempdir().expect("placeholder directory");
        let dir = std::mem::replace(&mut self.dir, placeholder);
        let (name, id, seed, address) = (self.name.clone(), self.id.clone(), self.seed, self.address);
        let tls = self.tls.clone();
        drop(self);
        let store = Store::open(&database(&dir)).expect("reopen store");
        let listener = bind(&address.to_string()).await;
        FedNode::serve(&name, id, seed, dir, Arc::new(store), listener, tls)
    }

    /// A second `Diplomat` over this node's database, opened separately, as the CLI
    /// does beside a running server.
    pub fn second_process(&self) -> Diplomat {
        let store = Arc::new(Store::open(self.store.path()).expect("open the store again"));
        let settings = store.node_settings().expect("node settings");
        let identity = NodeIdentity::new(&settings, self.key(), &self.url(""), now())
            .expect("node identity")
            .with_encryption_key(self.encryption_key());
        Diplomat::new(store, Arc::new(identity))
    }

    /// The signed card, fetched over HTTP as a partner would.
    pub async fn fetch_card(&self) -> String {
        let response = self.client.get(self.url("/.well-known/entente")).send().await.expect("GET card");
        assert_eq!(response.status(), 200, "GET /.well-known/entente");
        response.text().await.expect("card text")
    }

    /// POSTs a note's wire text to this node's federation endpoint.
    pub async fn post_note(&self, text: &str) -> reqwest::Response {
        self.client
            .post(self.url("/federation/v1/notes"))
            .header("content-type", "application/json")
            .body(text.to_owned())
            .send()
            .await
            .expect("POST note")
    }

    pub fn relation(&self, partner: &FedNode) -> RelationView {
        self.diplomat.relation(&partner.id, now()).expect("relation view")
    }

    /// Notes still waiting in the outbox for `partner`.
    pub fn pending_for(&self, partner: &FedNode) -> u64 {
        let pending = self.store.pending_outbox().expect("pending outbox");
        pending.iter().filter(|(node, _)| *node == partner.id.as_str()).map(|(_, count)| *count).sum()
    }
}

impl Drop for FedNode {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Polls `check` until it gives a value, for at most [`PATIENCE`].
pub async fn eventually<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "gave up waiting after {PATIENCE:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until both outboxes between `a` and `b` are empty, then asserts that the two
/// sides hold the same history and agree on the relation. Returns `a`'s view.
pub async fn settle(a: &FedNode, b: &FedNode) -> RelationView {
    eventually(&format!("notes between {} and {} delivered", a.name, b.name), || {
        (a.pending_for(b) == 0 && b.pending_for(a) == 0).then_some(())
    })
    .await;
    assert_agree(a, b)
}

/// Asserts that `a` and `b` see the same relation from their two ends.
pub fn assert_agree(a: &FedNode, b: &FedNode) -> RelationView {
    let (ours, theirs) = (a.relation(b), b.relation(a));
    let context = format!("{} sees {ours:#?}\n{} sees {theirs:#?}", a.name, b.name);
    assert_eq!(ours.state, theirs.state, "state\n{context}");
    assert_eq!(ours.draft, theirs.draft, "draft\n{context}");
    assert_eq!(ours.draft_accepted, theirs.draft_accepted, "draft accepted\n{context}");
    assert_eq!(ours.treaty_in_force, theirs.treaty_in_force, "treaty in force\n{context}");
    assert_eq!(ours.termination_effective, theirs.termination_effective, "termination\n{context}");
    assert_eq!(ours.recognized_by_us, theirs.recognized_by_partner, "recognition\n{context}");
    assert_eq!(ours.recognized_by_partner, theirs.recognized_by_us, "recognition\n{context}");
    assert_eq!(ours.notes, theirs.notes, "note history length\n{context}");
    // The same notes on both sides; two notes made at once by the two sides (both
    // `recognize` notes, say) may be recorded in either order, so the sets are compared.
    let ids = |node: &FedNode, partner: &FedNode| -> std::collections::BTreeSet<String> {
        node.store.notes_with(partner.id.as_str()).expect("notes").into_iter().map(|note| note.id).collect()
    };
    assert_eq!(ids(a, b), ids(b, a), "note histories\n{context}");
    ours
}

/// Makes contact both ways over HTTP, confirms each fingerprint and recognizes, then
/// waits for both sides to be `recognized`.
pub async fn recognize_each_other(a: &FedNode, b: &FedNode) {
    for (us, them) in [(a, b), (b, a)] {
        let card = them.fetch_card().await;
        let partner = us.diplomat.contact(&card, now()).expect("contact");
        assert_eq!(partner.node_id, them.id.as_str());
        assert_eq!(partner.fingerprint, them.key().fingerprint(), "fingerprint read aloud");
        assert_eq!(partner.federation_url, them.url("/federation/v1/notes"));
        us.diplomat.recognize(&them.id, &partner.fingerprint, now()).expect("recognize");
    }
    let view = settle(a, b).await;
    assert_eq!(view.state, "recognized");
    assert!(view.recognized_by_us && view.recognized_by_partner);
}

/// A proposes `treaty` to B, B accepts, both sign: the bilateral path to a treaty in
/// force. Returns the view once both sides agree.
pub async fn conclude(a: &FedNode, b: &FedNode, treaty: &entente_core::treaty::Treaty) -> RelationView {
    a.diplomat.propose(&b.id, &super::treaty::json(treaty), now()).expect("propose");
    settle(a, b).await;
    b.diplomat.accept(&a.id, now()).expect("accept");
    settle(a, b).await;
    a.diplomat.sign(&b.id, now()).expect("sign by the proposer");
    b.diplomat.sign(&a.id, now()).expect("sign by the partner");
    settle(a, b).await
}
