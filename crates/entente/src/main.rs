//! The `entente` binary: parses flags and wires the crates together. No business
//! logic lives here; each subcommand is one file in `commands/`.

mod cli;
mod commands;
mod datadir;
mod logging;
mod output;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // The demo runs five servers in this process: only their warnings are worth reading.
    let quiet = matches!(cli.command, cli::Command::Demo(_));
    logging::init(&cli.global, if quiet { "warn" } else { "info,tower_http=info" });
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
