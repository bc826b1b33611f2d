//! entente-store integration tests: one binary, real SQLite files in temp dirs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod endings;
mod search;
mod story;
mod versions;
