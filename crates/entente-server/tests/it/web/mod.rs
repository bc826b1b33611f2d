//! The web interface (`/ui`), driven over HTTP like a browser (without one: the
//! headless-Chromium tests are in `e2e/`).

mod accounts;
mod intel;
mod intel_envoy;
mod intel_import;
mod partners;
mod session;
mod support;
