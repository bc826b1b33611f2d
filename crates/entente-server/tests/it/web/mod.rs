//! The web interface (`/ui`), driven over HTTP like a browser (without one: the
//! headless-Chromium tests are in `e2e/`).

mod designations;
mod ledger;
mod overview;
mod session;
mod support;
