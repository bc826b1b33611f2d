//! One file per subcommand; this one only dispatches.

mod admin;
mod alliance;
mod audit;
mod correlate;
mod demo;
mod init;
mod intel;
mod keys;
mod matching;
mod misp;
mod misp_feed;
mod reference;
mod relations;
mod score;
mod search;
mod serve;
mod show;
mod sync;
mod token;
mod treaty;
mod user;
// Issue 5: designations and their divergence.
mod designations;

use crate::cli::{Cli, Command};
use crate::datadir::DataDir;
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = DataDir::new(&cli.global.dir);
    let tls_ca = cli.global.tls_ca.as_deref();
    match cli.command {
        Command::Init(args) => init::run(&dir, &args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(&dir, &args, tls_ca).map(|()| ExitCode::SUCCESS),
        Command::Token(command) => token::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::User(command) => user::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::ApiRoot(command) => admin::api_root(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Collection(command) => admin::collection(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Intel(command) => intel::run(&dir, command, tls_ca),
        Command::Keys(command) => keys::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Relations(command) => relations::run(&dir, command, tls_ca).map(|()| ExitCode::SUCCESS),
        Command::Treaty(command) => treaty::run(&dir, command),
        Command::Alliance(command) => alliance::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Sync(command) => sync::run(&dir, command, tls_ca).map(|()| ExitCode::SUCCESS),
        Command::Audit(command) => audit::run(&dir, command),
        Command::Demo(args) => demo::run(&args).map(|()| ExitCode::SUCCESS),
        Command::Reference(command) => reference::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Score(command) => score::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Designations(command) => designations::run(&dir, command),
        Command::Search(args) => search::run(&dir, &args).map(|()| ExitCode::SUCCESS),
        Command::Match(args) => Ok(matching::run(&dir, &args)),
    }
}

/// The extra roots `--tls-ca` names (none without it), read only by the commands
/// that call partners.
pub fn trusted_roots(tls_ca: Option<&std::path::Path>) -> anyhow::Result<entente_server::TrustedRoots> {
    let Some(path) = tls_ca else { return Ok(entente_server::TrustedRoots::default()) };
    entente_server::TrustedRoots::from_pem_file(path).map_err(|error| anyhow::anyhow!("--tls-ca: {error}"))
}

/// The wall clock in microseconds since the epoch: the one place the binary reads it
/// for the store.
pub fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}
