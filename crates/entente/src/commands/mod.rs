//! One file per subcommand; this one only dispatches.

mod admin;
mod audit;
mod init;
mod intel;
mod keys;
mod relations;
mod serve;
mod sync;
mod token;
mod treaty;

use crate::cli::{Cli, Command};
use crate::datadir::DataDir;
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let dir = DataDir::new(&cli.global.dir);
    match cli.command {
        Command::Init(args) => init::run(&dir, &args).map(|()| ExitCode::SUCCESS),
        Command::Serve(args) => serve::run(&dir, &args).map(|()| ExitCode::SUCCESS),
        Command::Token(command) => token::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::ApiRoot(command) => admin::api_root(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Collection(command) => admin::collection(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Intel(command) => intel::run(&dir, command),
        Command::Keys(command) => keys::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Relations(command) => relations::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Treaty(command) => treaty::run(&dir, command),
        Command::Sync(command) => sync::run(&dir, command).map(|()| ExitCode::SUCCESS),
        Command::Audit(command) => audit::run(&dir, command),
    }
}

/// The wall clock in microseconds since the epoch: the one place the binary reads it
/// for the store.
pub fn now_micros() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}
