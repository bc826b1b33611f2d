#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Integration tests of the `entente` binary: every test runs the real executable as a
//! child process against its own temporary data directory, and checks what an operator
//! would see — exit codes, standard output (mostly `--json`), standard error and the
//! files left on disk.
//!
//! `support` starts processes and builds nodes; every other module covers one command
//! family. Nothing is mocked: the database is the real SQLite file, the server a real
//! listening socket.

mod admin;
mod alliance;
mod correlate;
mod demo;
mod designations;
mod export;
mod faults;
mod help;
mod import;
mod init;
mod keys;
mod matching;
mod misp;
mod peer;
mod reference;
mod relations;
mod search;
mod serve;
mod serve_tls;
mod support;
mod tokens;
mod users;
