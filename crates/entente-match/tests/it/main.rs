//! entente-match's integration tests: one test binary.

mod engine;
mod format;
mod properties;
mod reference;
