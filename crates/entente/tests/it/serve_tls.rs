//! `entente serve --tls-cert FILE --tls-key FILE`: HTTPS on the same listener, with a
//! card that names https://; a bad key stops the start with a message and a failure
//! status. The certificates come from a CA made here with rcgen.

use crate::serve::Server;
use crate::support::Node;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Writes a CA, and a certificate for 127.0.0.1 it signed with its key, into `dir`:
/// returns (ca.pem, cert.pem, key.pem).
fn write_pki(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.distinguished_name.push(DnType::CommonName, "Entente CLI test CA");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap().signed_by(&key, &*ca).unwrap();
    let files = (dir.join("ca.pem"), dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&files.0, ca.pem()).unwrap();
    std::fs::write(&files.1, cert.pem()).unwrap();
    std::fs::write(&files.2, key.serialize_pem()).unwrap();
    files
}

#[test]
fn serves_https_with_a_certificate_and_stops_on_sigterm() {
    let node = Node::new();
    let (ca, cert, key) = write_pki(node.scratch());
    let flags = [OsStr::new("--tls-cert"), cert.as_os_str(), OsStr::new("--tls-key"), key.as_os_str()];
    let mut server = Server::start_with(&node, &flags, "https");
    let address = server.address;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let root = reqwest::Certificate::from_pem(&std::fs::read(&ca).unwrap()).unwrap();
        let client = reqwest::Client::builder().no_proxy().tls_certs_only([root]).build().unwrap();
        let health = client.get(format!("https://{address}/healthz")).send().await.expect("GET /healthz over TLS");
        assert_eq!(health.status(), 200);
        let card: serde_json::Value =
            client.get(format!("https://{address}/.well-known/entente")).send().await.unwrap().json().await.unwrap();
        let federation = card["card"]["endpoints"]["federation"].as_str().unwrap();
        assert_eq!(federation, format!("https://{address}/federation/v1/notes"), "the card names https");

        let plain = reqwest::Client::builder().no_proxy().build().unwrap();
        assert!(plain.get(format!("http://{address}/healthz")).send().await.is_err(), "plain HTTP must fail");
    });

    let status = server.terminate(Duration::from_secs(10));
    assert!(status.success(), "entente serve exited with {status:?} after SIGTERM");
    server.wait_for_line("stopped", Duration::from_secs(5));
}

#[test]
fn a_bad_key_file_stops_the_start_with_a_clear_error() {
    let node = Node::new();
    let (_, cert, _) = write_pki(node.scratch());
    let cert = cert.to_str().unwrap();
    let listen = ["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert, "--tls-key"];

    let not_a_key = node.scratch().join("not-a-key.pem");
    std::fs::write(&not_a_key, "this is not a key\n").unwrap();
    let run = node.run(&[&listen[..], &[not_a_key.to_str().unwrap()]].concat());
    run.assert_failure_mentioning("holds no PEM private key");
    assert_ne!(run.code(), Some(0));

    let other = tempfile::tempdir().unwrap();
    let (_, _, foreign_key) = write_pki(other.path());
    let run = node.run(&[&listen[..], &[foreign_key.to_str().unwrap()]].concat());
    run.assert_failure_mentioning("does not belong to the certificate");

    let missing = node.scratch().join("absent.pem");
    let run = node.run(&[&listen[..], &[missing.to_str().unwrap()]].concat());
    run.assert_failure_mentioning("absent.pem");

    let run = node.run(&["serve", "--listen", "127.0.0.1:0", "--tls-cert", cert]);
    run.assert_failure_mentioning("--tls-key");
}
