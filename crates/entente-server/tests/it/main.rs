//! Integration tests of the TAXII 2.1 server: real nodes in-process on port 0, each
//! with its own temporary SQLite store, driven over HTTP with `reqwest`.
//!
//! `support` builds the node, `fixtures` holds STIX test objects; every other module
//! covers one area of the protocol.

mod auth;
mod bad_input;
mod correlations;
mod designations;
mod discovery;
mod federation;
mod filters;
mod fixtures;
mod knowledge;
mod objects;
mod pagination;
mod pki;
mod search;
mod support;
mod tls;
mod versions;
mod web;
