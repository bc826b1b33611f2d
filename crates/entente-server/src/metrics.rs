//! Request metrics in Prometheus form, recorded into a recorder this server owns.
//!
//! The `metrics` facade normally installs a process-wide recorder; here every
//! [`AppState`](crate::AppState) owns its own and records through
//! `with_local_recorder`, so several nodes can run in one process (as the tests do)
//! without sharing counters.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle, PrometheusRecorder};
use std::fmt;
use std::time::Instant;

pub(crate) struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
}

impl fmt::Debug for Metrics {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("Metrics")
    }
}

const LATENCY_BUCKETS: &[f64] = &[0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

impl Metrics {
    pub(crate) fn new() -> Metrics {
        let builder = PrometheusBuilder::new();
        // The bucket list is a non-empty constant, so this cannot fail; fall back to
        // summaries rather than panic if a future version disagrees.
        let builder = match builder.set_buckets(LATENCY_BUCKETS) {
            Ok(with_buckets) => with_buckets,
            Err(_) => PrometheusBuilder::new(),
        };
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        Metrics { recorder, handle }
    }

    /// Records through this server's recorder.
    pub(crate) fn record(&self, work: impl FnOnce()) {
        metrics::with_local_recorder(&self.recorder, work);
    }

    pub(crate) fn render(&self) -> String {
        self.handle.render()
    }

    /// Folds recorded histogram samples into their buckets. The exporter keeps raw
    /// samples until this runs, so without it memory grows with every request.
    pub(crate) fn upkeep(&self) {
        self.handle.run_upkeep();
    }
}

/// Runs [`Metrics::upkeep`] every few seconds for as long as the server runs.
pub(crate) async fn upkeep_forever(metrics: std::sync::Arc<Metrics>) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        ticks.tick().await;
        metrics.upkeep();
    }
}

/// Middleware: counts requests and times them by route template (never by raw
/// path, which would let clients create unbounded label sets).
pub(crate) async fn track(State(state): State<crate::AppState>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map_or("unmatched", MatchedPath::as_str).to_owned();
    let method = request.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16().to_string();
    state.metrics.record(|| {
        let labels = [("route", route.clone()), ("method", method.clone()), ("status", status)];
        metrics::counter!("entente_http_requests_total", &labels).increment(1);
        metrics::histogram!("entente_http_request_duration_seconds", &[("route", route), ("method", method)])
            .record(seconds);
    });
    response
}
