//! The web interface under `/ui`: server-rendered pages over the same operations as
//! the API, for envoys and analysts in a browser (`docs/web.md`).
//!
//! Data flow: route → [`session::Viewer`] (the signed-in principal, from the session
//! cookie; a GET without one is sent to the login page) → thin handler → the same
//! store and diplomat calls the API makes, with the viewer as the [`Caller`] → an
//! askama template, which escapes every value it prints → HTML. Forms post back with
//! the session's CSRF token, checked by [`session::Posted`]. Every response carries a
//! strict Content-Security-Policy ([`headers`]); assets are embedded in the binary
//! ([`assets`]), so nothing loads from another host and an air-gapped node works.
//!
//! [`Caller`]: crate::auth::Caller

mod assets;
mod headers;
mod login;
mod pages;
mod render;
mod session;
pub(crate) mod throttle;

use crate::state::AppState;
use axum::Router;
use axum::middleware;
use axum::response::Redirect;
use axum::routing::{get, post};

/// The routes of the web interface, every one behind the security headers.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui") }))
        .route("/ui", get(pages::overview::show))
        .route("/ui/ledger", get(pages::ledger::show))
        .route("/ui/ledger/verify", post(pages::ledger::verify))
        .route("/ui/designations", get(pages::designations::show))
        .route("/ui/partners", get(pages::partners::list))
        .route("/ui/partners/graph.json", get(pages::partners::graph))
        .route("/ui/partners/contact", post(pages::partners::contact))
        .route("/ui/partners/{node}", get(pages::partners::show))
        .route("/ui/partners/{node}/diff", get(pages::partners::diff))
        .route("/ui/partners/{node}/draft", get(pages::partners::draft_form).post(pages::partners::draft_post))
        .route("/ui/partners/{node}/move", post(pages::partners::make))
        .route("/ui/alliances", get(pages::alliances::list))
        .route("/ui/alliances/{id}", get(pages::alliances::show))
        .route("/ui/alliances/{id}/act", post(pages::alliances::post))
        .route("/ui/login", get(login::form).post(login::submit))
        .route("/ui/logout", post(login::logout))
        .route("/ui/intel", get(pages::intel::search::show))
        .route("/ui/intel/object/{id}", get(pages::intel::object::show))
        .route("/ui/intel/import", get(pages::intel::import::form).post(pages::intel::import::submit))
        .route("/ui/intel/import/upload", post(pages::intel::import::upload))
        .route("/ui/assets/{*path}", get(assets::serve))
        .layer(middleware::from_fn(headers::secure))
}
