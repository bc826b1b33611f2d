//! Search over the intelligence the node holds: what text of an object is indexed,
//! and the query an analyst asks.
//!
//! [`Document`] is the searchable text of one STIX object (names, descriptions,
//! aliases, labels, the quoted values of its pattern, and marking tokens for the
//! marking filter). [`Query`] is a search request parsed from the API's or the CLI's
//! parameters; [`Query::match_expression`] renders its free text as an FTS5 query in
//! which every user word is a quoted string, so nothing a user types (a stray quote,
//! `NEAR`, `*`, a column name) can change the query's shape or make it fail.
//!
//! Invariant: pure. The store turns a [`Query`] into SQL; this module never sees it.

mod document;
mod highlight;
mod query;

pub use document::{Document, marking_filter_tokens, marking_token};
pub use highlight::{Highlight, highlight};
pub use query::{MAX_LIMIT, Query, QueryError, SearchCursor, Term};
