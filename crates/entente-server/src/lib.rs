//! Entente's HTTP face: TAXII 2.1, health and metrics.
//!
//! [`serve`] takes a bound listener, the shared [`AppState`] and a shutdown future,
//! in the manner of mini-redis: nothing here reads the environment, binds a port or
//! installs a global. [`serve_tls`] is the same over HTTPS (`tls.rs`). `routes.rs` is the whole routing table.
//!
//! Data flow of a TAXII request: route → [`auth::Caller`] extractor → thin handler →
//! one store call → wire type → JSON. Every failure becomes an
//! [`error::ApiError`], which renders the TAXII error body.

mod api;
pub mod auth;
mod blocking;
mod clock;
pub mod error;
pub mod federation;
pub mod knowledge;
pub mod matching;
mod metrics;
mod ops;
mod routes;
mod state;
mod streams;
mod taxii;
pub mod tls;
mod web;

pub use routes::router;
pub use state::{AppState, ServerConfig};
pub use tls::{TlsConfig, TlsError, TrustedRoots};

use axum::ServiceExt;
use axum::extract::Request;
use std::future::Future;
use tokio::net::TcpListener;
use tower_http::normalize_path::NormalizePath;

/// Serves plain HTTP until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, None).await
}

/// Serves HTTPS with `tls` on the same terms as [`serve`].
pub async fn serve_tls(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    tls: TlsConfig,
) -> std::io::Result<()> {
    serve_with(listener, state, shutdown, Some(tls)).await
}

async fn serve_with(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    tls: Option<TlsConfig>,
) -> std::io::Result<()> {
    let mut state = state;
    state.secure_cookies = tls.is_some();
    let upkeep = tokio::spawn(metrics::upkeep_forever(state.metrics.clone()));
    let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = state.diplomat.as_ref().map(|_| {
        let stopped = async move {
            let _ = worker_stopped.await;
        };
        tokio::spawn(federation::worker::deliver_forever(state.store.clone(), state.trusted_roots.clone(), stopped))
    });
    let (stop_sync, sync_stopped) = tokio::sync::oneshot::channel::<()>();
    let sync = state.syncer.clone().map(|syncer| {
        tokio::spawn(syncer.run(state.trusted_roots.clone(), async move {
            let _ = sync_stopped.await;
        }))
    });
    // Live streams never end by themselves: end them when shutdown starts, or the
    // graceful shutdown would wait for them forever.
    let streams = state.streams.clone();
    let shutdown = async move {
        shutdown.await;
        streams.close();
    };
    // Normalisation must wrap the router (not be one of its layers) to act before routing.
    let app = NormalizePath::trim_trailing_slash(router(state));
    let served = match tls {
        None => {
            axum::serve(listener, ServiceExt::<Request>::into_make_service(app)).with_graceful_shutdown(shutdown).await
        }
        Some(tls) => tls::serve_https(listener, app, shutdown, tls).await,
    };
    upkeep.abort();
    let _ = stop_worker.send(());
    let _ = stop_sync.send(());
    if let Some(sync) = sync {
        let _ = sync.await;
    }
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    served
}
