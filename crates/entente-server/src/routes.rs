//! The whole routing table, on one screen.
//!
//! Routes are written without a trailing slash; [`crate::serve`] strips one from
//! every request first, so `/taxii2/` (as TAXII writes its URLs) and `/taxii2` both
//! work. Static segments win over `{api_root}`, which is why API roots may not be
//! named `taxii2`, `healthz`, `metrics` or `ui`.

use crate::state::AppState;
use crate::{api, federation, metrics, ops, taxii, web};
use axum::Router;
use axum::middleware;
use axum::routing::get;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub fn router(state: AppState) -> Router {
    let taxii_routes = Router::new()
        .route("/taxii2", get(taxii::discovery::discovery))
        .route("/{api_root}", get(taxii::discovery::api_root))
        .route("/{api_root}/status/{status_id}", get(taxii::status::status))
        .route("/{api_root}/collections", get(taxii::collections::list))
        .route("/{api_root}/collections/{collection}", get(taxii::collections::one))
        .route("/{api_root}/collections/{collection}/manifest", get(taxii::objects::manifest))
        .route("/{api_root}/collections/{collection}/objects", get(taxii::objects::list).post(taxii::add::add))
        .route(
            "/{api_root}/collections/{collection}/objects/{object}",
            get(taxii::objects::one).delete(taxii::objects::delete),
        )
        .route("/{api_root}/collections/{collection}/objects/{object}/versions", get(taxii::objects::versions))
        .layer(middleware::from_fn(taxii::negotiate));

    Router::new()
        .route("/.well-known/entente", get(federation::inbound::card))
        .route("/federation/v1/notes", axum::routing::post(federation::inbound::notes))
        .route("/federation/v1/feed", axum::routing::post(federation::sync::feed))
        .route("/federation/v1/poke", axum::routing::post(federation::sync::poke))
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/relations", get(api::relations::list))
        .route("/api/v1/relations/contact", axum::routing::post(api::relations::contact))
        .route("/api/v1/relations/{node}", get(api::relations::show))
        .route("/api/v1/relations/{node}/{move}", axum::routing::post(api::relations::step))
        .route("/api/v1/treaties/{hash}", get(api::relations::treaty))
        .route("/api/v1/objects/{id}/techniques", get(api::objects::techniques_of))
        .route("/api/v1/objects/{id}/warnings", get(api::objects::warnings_of))
        .route("/api/v1/objects/{id}/score", get(api::objects::score_of))
        .route("/api/v1/designations/divergence", get(api::designations::divergence))
        .route("/api/v1/objects/{id}/correlations", get(api::correlations::of_object))
        .route("/api/v1/correlations", get(api::correlations::of_value))
        .route("/api/v1/search", get(api::search::search))
        .route("/api/v1/stream", get(api::stream::stream))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(web::routes())
        .merge(taxii_routes)
        .fallback(taxii::not_found)
        .method_not_allowed_fallback(taxii::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(CatchPanicLayer::custom(taxii::panic_response))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .layer(SetSensitiveRequestHeadersLayer::new([axum::http::header::AUTHORIZATION, axum::http::header::COOKIE]))
        .with_state(state)
}
