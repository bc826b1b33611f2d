//! A real Entente node in-process: a temporary SQLite store set up the way
//! `entente init` does, the HTTP server on 127.0.0.1 port 0, one token per role and
//! a `reqwest` client that speaks TAXII 2.1.
//!
//! The fixture is the same for every test so that roles and collections mean the same
//! thing everywhere:
//! - API roots `intel` (the default) and `spare` (empty);
//! - `intelligence`: everyone reads, analyst and admin write;
//! - `drop-box`: only admin reads, everyone writes;
//! - `vault`: only admin reads and writes.
//!
//! Dropping a [`Node`] shuts its server down; the data directory lives as long as the
//! node (or is handed over to the next one by [`Node::restart`]).

use crate::pki::TestPki;
use entente_core::auth::{ApiToken, Role};
use entente_core::taxii::TAXII_MEDIA_TYPE;
use entente_server::{AppState, ServerConfig};
use entente_store::{ApiRoot, Collection, NodeSettings, Store};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;

pub const API_ROOT: &str = "intel";
pub const INTELLIGENCE: &str = "11111111-1111-4111-8111-111111111111";
pub const DROP_BOX: &str = "22222222-2222-4222-8222-222222222222";
pub const VAULT: &str = "33333333-3333-4333-8333-333333333333";

/// The secrets of the fixture's tokens.
#[derive(Debug, Clone)]
pub struct Tokens {
    pub reader: String,
    pub analyst: String,
    /// A second analyst, to check that one caller cannot read another's status.
    pub other_analyst: String,
    pub envoy: String,
    pub admin: String,
    /// A token that existed and was revoked.
    pub revoked: String,
}

/// A running node.
#[derive(Debug)]
pub struct Node {
    pub base: String,
    pub store: Arc<Store>,
    pub tokens: Tokens,
    pub client: reqwest::Client,
    config: ServerConfig,
    /// Present when the node serves HTTPS with this PKI's certificate.
    tls: Option<TestPki>,
    dir: TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

pub fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

fn secret(byte: u8) -> ApiToken {
    ApiToken::from_random([byte; 32])
}

fn tokens() -> Tokens {
    Tokens {
        reader: secret(1).secret().to_owned(),
        analyst: secret(2).secret().to_owned(),
        other_analyst: secret(3).secret().to_owned(),
        envoy: secret(4).secret().to_owned(),
        admin: secret(5).secret().to_owned(),
        revoked: secret(6).secret().to_owned(),
    }
}

fn collection(id: &str, title: &str, read_roles: Vec<Role>, write_roles: Vec<Role>) -> Collection {
    Collection {
        id: id.into(),
        api_root: API_ROOT.into(),
        title: title.into(),
        description: Some(format!("{title} (test fixture)")),
        alias: Some(title.to_lowercase().replace(' ', "-")),
        read_roles,
        write_roles,
    }
}

fn populate(store: &Store) {
    let now = now_micros();
    let root = |name: &str| ApiRoot { name: name.into(), title: format!("{name} root"), description: None };
    store.create_api_root(&root(API_ROOT), now).expect("API root intel");
    store.create_api_root(&root("spare"), now + 1).expect("API root spare");
    let everyone = Role::ALL.to_vec();
    let specs = [
        collection(INTELLIGENCE, "Intelligence", everyone.clone(), vec![Role::Analyst, Role::Admin]),
        collection(DROP_BOX, "Drop box", vec![Role::Admin], everyone),
        collection(VAULT, "Vault", vec![Role::Admin], vec![Role::Admin]),
    ];
    for spec in &specs {
        store.create_collection(spec, now).expect("collection");
    }
    store
        .save_node_settings(&NodeSettings {
            name: "test-node".into(),
            kind: "company".into(),
            country: None,
            identity_id: "identity--44444444-4444-4444-8444-444444444444".into(),
            public_key: "00".repeat(32),
            fingerprint: "test-fingerprint".into(),
            default_api_root: API_ROOT.into(),
            default_collection: INTELLIGENCE.into(),
            public_url: None,
        })
        .expect("node settings");
    let roles = [
        (1, Role::Reader),
        (2, Role::Analyst),
        (3, Role::Analyst),
        (4, Role::Envoy),
        (5, Role::Admin),
        (6, Role::Reader),
    ];
    for (byte, role) in roles {
        store
            .create_token(&format!("tok{byte}"), &format!("{role} {byte}"), role, &secret(byte).hash(), now)
            .expect("token");
    }
    store.revoke_token("tok6", now).expect("revoke");
}

fn client(tls: Option<&TestPki>) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static(TAXII_MEDIA_TYPE));
    let builder = tls.map_or_else(|| reqwest::Client::builder().no_proxy(), TestPki::client);
    builder.default_headers(headers).build().expect("HTTP client")
}

impl Node {
    /// A node with a 10,000-byte body limit and pages of at most 100 objects.
    pub async fn start() -> Node {
        Node::start_with(ServerConfig {
            max_body_bytes: 10_000,
            max_page_size: 100,
            default_page_size: 20,
            ..ServerConfig::default()
        })
        .await
    }

    pub async fn start_with(config: ServerConfig) -> Node {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::create(&database(dir.path())).expect("store");
        populate(&store);
        Node::serve(dir, store, config, None).await
    }

    /// A node like [`Node::start`] serving HTTPS with `pki`'s certificate; its client
    /// trusts `pki`'s CA.
    pub async fn start_tls(pki: &TestPki) -> Node {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::create(&database(dir.path())).expect("store");
        populate(&store);
        Node::serve(dir, store, ServerConfig::default(), Some(pki.clone())).await
    }

    async fn serve(dir: TempDir, store: Store, config: ServerConfig, tls: Option<TestPki>) -> Node {
        let store = Arc::new(store);
        let state = AppState::new(store.clone(), config.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let address = listener.local_addr().expect("local address");
        let (shutdown, signal) = oneshot::channel::<()>();
        let stopped = async move {
            let _ = signal.await;
        };
        let (server, base) = match &tls {
            None => (tokio::spawn(entente_server::serve(listener, state, stopped)), format!("http://{address}")),
            Some(pki) => (
                tokio::spawn(entente_server::serve_tls(listener, state, stopped, pki.tls_config())),
                format!("https://{address}"),
            ),
        };
        Node {
            base,
            store,
            tokens: tokens(),
            client: client(tls.as_ref()),
            config,
            tls,
            dir,
            shutdown: Some(shutdown),
            server: Some(server),
        }
    }

    /// Stops this server, closes its store and starts a new server on a new port over
    /// the same database, as a process restart would.
    pub async fn restart(mut self) -> Node {
        self.stop().await;
        let (config, tls) = (self.config.clone(), self.tls.clone());
        let dir = tempfile::tempdir().expect("placeholder directory");
        let dir = std::mem::replace(&mut self.dir, dir);
        drop(self);
        let store = Store::open(&database(dir.path())).expect("reopen store");
        Node::serve(dir, store, config, tls).await
    }

    /// Stops the server and waits until it has finished (a graceful shutdown).
    pub async fn shut_down(mut self) {
        self.stop().await;
    }

    async fn stop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server result");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("GET")
    }

    pub async fn post_bytes(&self, path: &str, token: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .header(CONTENT_TYPE, TAXII_MEDIA_TYPE)
            .body(body)
            .send()
            .await
            .expect("POST")
    }

    /// POSTs `{"objects": objects}` to a collection's objects endpoint.
    pub async fn post_objects(&self, collection: &str, token: &str, objects: &[Value]) -> reqwest::Response {
        let body = json!({ "objects": objects }).to_string();
        self.post_bytes(&objects_path(collection), token, body).await
    }

    /// POSTs as the analyst to `intelligence` and returns the status, insisting on 202.
    pub async fn add(&self, objects: &[Value]) -> Value {
        let response = self.post_objects(INTELLIGENCE, &self.tokens.analyst, objects).await;
        assert_eq!(response.status(), 202, "POST refused");
        response.json().await.expect("status JSON")
    }

    pub async fn delete(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).bearer_auth(token).send().await.expect("DELETE")
    }

    pub fn count(&self) -> u64 {
        self.store.count_objects(None).expect("count objects")
    }

    /// Sends a request without the default headers or a token.
    pub async fn raw(&self, method: reqwest::Method, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut request =
            reqwest::Client::builder().no_proxy().build().expect("client").request(method, self.url(path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        request.send().await.expect("request")
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn database(dir: &Path) -> PathBuf {
    dir.join("entente.db")
}

pub fn objects_path(collection: &str) -> String {
    format!("/{API_ROOT}/collections/{collection}/objects/")
}

/// Reads a JSON body, checking first that it is labelled as TAXII.
pub async fn taxii_body(response: reqwest::Response) -> Value {
    let content_type =
        response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!(content_type, TAXII_MEDIA_TYPE, "Content-Type of a TAXII answer");
    response.json().await.expect("JSON body")
}

/// Asserts a TAXII error: status, media type and `error_code`.
pub async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "HTTP status for expected error {code}");
    let body = taxii_body(response).await;
    assert_eq!(body["error_code"], code, "error body {body}");
    assert_eq!(body["http_status"], status.to_string());
    assert!(body["title"].as_str().is_some_and(|title| !title.is_empty()));
    body
}

/// The ids of the objects (or manifest records) in an envelope, in order.
pub fn ids(envelope: &Value) -> Vec<String> {
    envelope["objects"]
        .as_array()
        .map(|objects| objects.iter().filter_map(|object| object["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}
