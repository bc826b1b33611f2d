//! entente-store integration tests: one binary, real SQLite files in temp dirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod correlation;
mod designations;
mod endings;
mod misp_feeds;
mod search;
mod story;
mod versions;
