//! `entente serve`: run the HTTP server (HTTPS with `--tls-cert` and `--tls-key`)
//! until SIGINT or SIGTERM, then finish the requests in flight and exit.

use crate::cli::ServeArgs;
use crate::datadir::DataDir;
use anyhow::{Context, anyhow};
use entente_core::Timestamp;
use entente_core::seal::EncryptionKey;
use entente_server::federation::{Diplomat, NodeIdentity};
use entente_server::{AppState, ServerConfig, TlsConfig};
use std::path::Path;
use std::sync::Arc;

pub fn run(dir: &DataDir, args: &ServeArgs, tls_ca: Option<&Path>) -> anyhow::Result<()> {
    let store = Arc::new(dir.open_store()?);
    // Certificates are checked before anything binds, so a bad file stops the start.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(TlsConfig::from_pem_files(cert, key).map_err(|error| anyhow!("{error}"))?),
        _ => None,
    };
    let roots = super::trusted_roots(tls_ca)?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    let node = store.node_settings()?;
    let config = ServerConfig {
        max_body_bytes: args.max_body_bytes,
        max_page_size: args.max_page_size.max(1),
        title: format!("Entente node {}", node.name),
        ..ServerConfig::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen).await.with_context(|| format!("binding {}", args.listen))?;
        let address = listener.local_addr()?;
        let public_url = match (&args.public_url, &node.public_url) {
            (Some(url), _) => {
                // A URL given here becomes the node's: the CLI builds the same card.
                let url = url.trim_end_matches('/').to_owned();
                store.save_node_settings(&entente_store::NodeSettings { public_url: Some(url.clone()), ..node.clone() })?;
                url
            }
            (None, Some(url)) => url.clone(),
            (None, None) => format!("{scheme}://{address}"),
        };
        if tls.is_some() && public_url.starts_with("http://") {
            tracing::warn!(
                %public_url,
                "serving HTTPS, but the node card tells partners to call {public_url} over plain HTTP: \
                 give --public-url https://…"
            );
        }
        let identity = NodeIdentity::new(&node, dir.read_key()?, &public_url, Timestamp::from_unix_micros(super::now_micros()))
            .map_err(|error| anyhow::anyhow!("building the node card: {error}"))?
            .with_encryption_key(encryption_key(dir)?);
        let diplomat = Diplomat::new(store.clone(), std::sync::Arc::new(identity)).with_skew_seconds(args.clock_skew);
        tracing::info!(%address, node = %node.name, fingerprint = %node.fingerprint, %public_url, "serving TAXII 2.1 at {scheme}://{address}/taxii2/");
        let state = AppState::new(store, config).with_diplomat(diplomat).with_trusted_roots(roots);
        match tls {
            Some(tls) => entente_server::serve_tls(listener, state, shutdown_signal(), tls).await?,
            None => entente_server::serve(listener, state, shutdown_signal()).await?,
        }
        tracing::info!("stopped");
        Ok(())
    })
}

/// The node's encryption key; a node made before it existed gets one now.
fn encryption_key(dir: &DataDir) -> anyhow::Result<EncryptionKey> {
    if let Some(key) = dir.read_encryption_key()? {
        return Ok(key);
    }
    let key = dir.create_encryption_key()?;
    let path = dir.encryption_key_file();
    tracing::info!(key_id = %key.public_key().key_id(), path = %path.display(), "created the node's encryption key; the card now lists it");
    Ok(key)
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub(super) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing requests in flight");
}
