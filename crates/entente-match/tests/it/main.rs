//! entente-match's integration tests: one test binary.

mod engine;
mod properties;
mod reference;
