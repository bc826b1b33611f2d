//! Entente's matching engine: indicators in, an immutable compiled [`Engine`], bytes
//! scanned, matches to a sink (ripgrep's shape).
//!
//! - [`kind`]: what an indicator value is ([`Kind`]) and its normal form.
//! - [`engine`]: [`Engine::build`] compiles [`Rule`]s; [`Engine::find`] reports every
//!   [`Hit`] of one record's bytes.
//! - [`format`]: structured inputs (JSON lines, Zeek TSV, CSV): a hit's field and
//!   whether the indicator's kind fits it.
//! - [`search`]: a chunk of whole records → [`search::Match`]es with line, field and
//!   rule conjunctions, to a [`search::Sink`].
//!
//! The semantics are written down in `docs/match.md`; the naive reference matcher in
//! the tests follows that page, and property tests hold the engine to it.
//!
//! Architecture invariant: no IO, no clock, no threads. The caller reads, decompresses
//! and splits input into chunks of whole records; chunks can be searched in parallel
//! because the engine is immutable (`Send + Sync`).

pub mod engine;
pub mod format;
pub mod kind;
pub mod search;
pub mod url;

pub use engine::{BuildReport, Engine, Hit, Rejected, Rule, Term};
pub use kind::Kind;
