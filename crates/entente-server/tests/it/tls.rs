//! HTTPS: a node started with `serve_tls` answers over TLS to clients that trust its
//! CA, and to no one else; its certificate and key are checked before it starts; it
//! shuts down gracefully as the plain server does.

use crate::pki::TestPki;
use crate::support::Node;
use entente_server::{TlsConfig, TlsError, TrustedRoots};

#[tokio::test(flavor = "multi_thread")]
async fn an_https_node_answers_health_and_taxii_discovery_to_a_client_trusting_its_ca() {
    let pki = TestPki::new();
    let node = Node::start_tls(&pki).await;
    assert!(node.base.starts_with("https://127.0.0.1:"), "{}", node.base);

    let health = node.client.get(node.url("/healthz")).send().await.expect("GET /healthz over TLS");
    assert_eq!(health.status(), 200);
    let discovery = node.get("/taxii2/", &node.tokens.reader).await;
    assert_eq!(discovery.status(), 200);
    let body: serde_json::Value = discovery.json().await.expect("discovery JSON");
    assert!(body["api_roots"].as_array().is_some_and(|roots| !roots.is_empty()), "{body}");

    node.shut_down().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn plain_http_and_clients_not_trusting_the_ca_are_refused() {
    let pki = TestPki::new();
    let node = Node::start_tls(&pki).await;
    let plain = reqwest::Client::builder().no_proxy().build().expect("client");

    let http_url = node.url("/healthz").replacen("https://", "http://", 1);
    assert!(plain.get(&http_url).send().await.is_err(), "plain HTTP to the TLS port must fail");

    let error = plain.get(node.url("/healthz")).send().await.expect_err("an unknown CA must be refused");
    assert!(format!("{error:?}").to_lowercase().contains("certificate"), "{error:?}");

    let other_ca = TestPki::new().client().build().expect("client");
    assert!(other_ca.get(node.url("/healthz")).send().await.is_err(), "another CA must be refused");

    // The server survived the failed handshakes.
    assert_eq!(node.client.get(node.url("/healthz")).send().await.expect("GET").status(), 200);
    node.shut_down().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_keep_alive_connection_does_not_hold_the_shutdown() {
    let pki = TestPki::new();
    let node = Node::start_tls(&pki).await;
    let client = node.client.clone();
    assert_eq!(client.get(node.url("/healthz")).send().await.expect("GET").status(), 200);
    tokio::time::timeout(std::time::Duration::from_secs(10), node.shut_down())
        .await
        .expect("the TLS server stops gracefully while a client keeps its connection open");
}

#[test]
fn certificates_and_keys_are_checked_before_serving() {
    let pki = TestPki::new();
    let other = TestPki::new();
    let dir = tempfile::tempdir().expect("temporary directory");
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let cert = write("cert.pem", &pki.cert_pem);
    let key = write("key.pem", &pki.key_pem);
    TlsConfig::from_pem_files(&cert, &key).expect("a matching certificate and key");

    let missing = TlsConfig::from_pem_files(&dir.path().join("absent.pem"), &key).expect_err("missing file");
    assert!(matches!(missing, TlsError::Read { what: "TLS certificate", .. }), "{missing}");
    assert!(missing.to_string().contains("absent.pem"), "{missing}");

    let mismatch = TlsConfig::from_pem_files(&cert, &write("other.pem", &other.key_pem)).expect_err("wrong key");
    assert!(matches!(mismatch, TlsError::KeyMismatch { .. }), "{mismatch}");

    let swapped = TlsConfig::from_pem_files(&key, &cert).expect_err("key and certificate swapped");
    assert!(matches!(swapped, TlsError::NoCertificate { .. }), "{swapped}");
    let not_a_key = TlsConfig::from_pem_files(&cert, &cert).expect_err("a certificate as the key");
    assert!(matches!(not_a_key, TlsError::NoPrivateKey { .. }), "{not_a_key}");
    let garbage = TlsConfig::from_pem(pki.cert_pem.as_bytes(), b"not pem at all").expect_err("garbage key");
    assert!(matches!(garbage, TlsError::NoPrivateKey { .. }), "{garbage}");

    assert_eq!(TrustedRoots::from_pem(format!("{}{}", pki.ca_pem, other.ca_pem).as_bytes()).expect("roots").len(), 2);
    assert!(matches!(TrustedRoots::from_pem(b"").expect_err("no roots"), TlsError::NoCertificate { .. }));
}
