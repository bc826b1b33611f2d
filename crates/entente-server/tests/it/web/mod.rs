//! The web interface (`/ui`), driven over HTTP like a browser (without one: the
//! headless-Chromium tests are in `e2e/`).

mod accounts;
mod designations;
mod intel;
mod intel_envoy;
mod intel_import;
mod ledger;
mod overview;
mod partners;
mod session;
mod support;
