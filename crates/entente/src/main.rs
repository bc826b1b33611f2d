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
    logging::init(&cli.global);
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}
