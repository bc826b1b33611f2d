//! TLS on both sides of the wire: the certificate [`crate::serve_tls`] presents, and
//! the extra roots this node trusts when it calls partners.
//!
//! Server side: [`TlsConfig`] is a checked certificate chain and private key (PEM).
//! It is built before the server starts, so a missing file, a key that is not a key or
//! a key that does not belong to the certificate stops `entente serve` with a message
//! that says what to fix, never at the first handshake. Only HTTP/1.1 is offered, as
//! on the plain listener.
//!
//! Client side: partners may present certificates from a private CA or self-signed
//! ones. [`TrustedRoots`] holds extra PEM roots that are trusted *in addition to* the
//! platform's and webpki's roots, and [`http_client`] is the one place every outbound
//! `reqwest` client (outbox worker, card fetches, the CLI) is built, so they all trust
//! the same roots.
//!
//! Both sides use the aws-lc-rs provider, the one reqwest's `rustls` feature uses, so
//! the process carries one TLS implementation. What this module deliberately does not
//! do: client certificates (mutual TLS) and reloading a renewed certificate without a
//! restart.

use axum::extract::Request;
use axum::{Router, ServiceExt};
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;
use tower_http::normalize_path::NormalizePath;

/// Why a certificate, key or trusted root could not be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {what} {path}: {source}; check the path and that this user may read it")]
    Read {
        what: &'static str,
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{what} {source_name} holds no PEM certificate (-----BEGIN CERTIFICATE-----){detail}; give a PEM file, \
         convert DER with `openssl x509 -inform der -in FILE -out FILE.pem`"
    )]
    NoCertificate { what: &'static str, source_name: String, detail: String },
    #[error(
        "TLS key {source_name} holds no PEM private key (-----BEGIN PRIVATE KEY-----, RSA PRIVATE KEY or EC \
         PRIVATE KEY){detail}; give the unencrypted private key the certificate was issued for"
    )]
    NoPrivateKey { source_name: String, detail: String },
    #[error(
        "TLS key {key} does not belong to the certificate {cert}: give the private key the certificate was \
         issued for (or the certificate issued for this key); the server certificate must come first in {cert}"
    )]
    KeyMismatch { cert: String, key: String },
    #[error("the TLS certificate {cert} and key {key} cannot be used: {reason}")]
    Unusable { cert: String, key: String, reason: String },
    #[error("trusted root {source_name} cannot be used: {reason}")]
    BadRoot { source_name: String, reason: String },
}

/// A server certificate chain and its private key, checked to belong together.
#[derive(Clone)]
pub struct TlsConfig {
    server: Arc<rustls::ServerConfig>,
}

impl fmt::Debug for TlsConfig {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("TlsConfig(..)")
    }
}

impl TlsConfig {
    /// Reads a PEM certificate chain (server certificate first, then intermediates) and
    /// a PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub fn from_pem_files(cert: &Path, key: &Path) -> Result<TlsConfig, TlsError> {
        let cert_pem = read("TLS certificate", cert)?;
        let key_pem = read("TLS key", key)?;
        TlsConfig::build(&cert_pem, &cert.display().to_string(), &key_pem, &key.display().to_string())
    }

    /// The same from PEM text in memory.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<TlsConfig, TlsError> {
        TlsConfig::build(cert_pem, "(certificate)", key_pem, "(key)")
    }

    fn build(cert_pem: &[u8], cert_name: &str, key_pem: &[u8], key_name: &str) -> Result<TlsConfig, TlsError> {
        let chain = certificates(cert_pem, "TLS certificate", cert_name)?;
        let key = PrivateKeyDer::from_pem_slice(key_pem)
            .map_err(|error| TlsError::NoPrivateKey { source_name: key_name.to_owned(), detail: pem_detail(&error) })?;
        let unusable =
            |reason: String| TlsError::Unusable { cert: cert_name.to_owned(), key: key_name.to_owned(), reason };
        let builder = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(|error| unusable(error.to_string()))?;
        let mut server = builder.with_no_client_auth().with_single_cert(chain, key).map_err(|error| match error {
            rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch) => {
                TlsError::KeyMismatch { cert: cert_name.to_owned(), key: key_name.to_owned() }
            }
            other => unusable(other.to_string()),
        })?;
        server.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(TlsConfig { server: Arc::new(server) })
    }
}

/// Extra roots trusted for outbound calls, besides the platform's; empty by default.
#[derive(Clone, Default)]
pub struct TrustedRoots {
    roots: Arc<Vec<reqwest::Certificate>>,
}

impl fmt::Debug for TrustedRoots {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "TrustedRoots({} extra)", self.roots.len())
    }
}

impl TrustedRoots {
    /// Reads one or more PEM CA certificates from a file.
    pub fn from_pem_file(path: &Path) -> Result<TrustedRoots, TlsError> {
        TrustedRoots::parse(&read("trusted CA file", path)?, &path.display().to_string())
    }

    /// The same from PEM text in memory.
    pub fn from_pem(pem: &[u8]) -> Result<TrustedRoots, TlsError> {
        TrustedRoots::parse(pem, "(PEM)")
    }

    fn parse(pem: &[u8], name: &str) -> Result<TrustedRoots, TlsError> {
        let roots = certificates(pem, "trusted CA file", name)?
            .iter()
            .map(|der| {
                reqwest::Certificate::from_der(der)
                    .map_err(|error| TlsError::BadRoot { source_name: name.to_owned(), reason: error.to_string() })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(TrustedRoots { roots: Arc::new(roots) })
    }

    /// How many extra roots there are.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// The builder every outbound HTTP client starts from: platform roots plus `roots`.
pub fn http_client(roots: &TrustedRoots) -> reqwest::ClientBuilder {
    let builder = reqwest::Client::builder();
    if roots.is_empty() { builder } else { builder.tls_certs_merge(roots.roots.iter().cloned()) }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read { what, path: path.display().to_string(), source })
}

fn certificates(pem: &[u8], what: &'static str, name: &str) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let missing = |detail: String| TlsError::NoCertificate { what, source_name: name.to_owned(), detail };
    let chain = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| missing(pem_detail(&error)))?;
    if chain.is_empty() {
        return Err(missing(String::new()));
    }
    Ok(chain)
}

fn pem_detail(error: &pem::Error) -> String {
    match error {
        pem::Error::NoItemsFound => String::new(),
        other => format!(" ({other})"),
    }
}

/// Serves `app` over TLS until `shutdown` completes, then lets requests in flight finish.
pub(crate) async fn serve_https(
    listener: TcpListener,
    app: NormalizePath<Router>,
    shutdown: impl Future<Output = ()> + Send + 'static,
    tls: TlsConfig,
) -> std::io::Result<()> {
    let listener = listener.into_std()?;
    // axum-server hands the socket back to tokio, which panics on a blocking one.
    listener.set_nonblocking(true)?;
    let handle = axum_server::Handle::new();
    let stopper = handle.clone();
    let watcher = tokio::spawn(async move {
        shutdown.await;
        stopper.graceful_shutdown(None);
    });
    let config = axum_server::tls_rustls::RustlsConfig::from_config(tls.server);
    let served = axum_server::from_tcp_rustls(listener, config)?
        .handle(handle)
        .serve(ServiceExt::<Request>::into_make_service(app))
        .await;
    watcher.abort();
    served
}
