//! The Intelligence section: search, one object's page, and import.
//!
//! Every page reads through the functions the API uses (`api::search`,
//! `api::objects::find`, `api::correlations`), so a viewer signed in with a partner's
//! envoy credential sees exactly what the API would release to that envoy.

pub(crate) mod import;
mod ingest;
pub(crate) mod object;
pub(crate) mod search;
mod shown;
