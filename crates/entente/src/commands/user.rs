//! `entente user add|list|disable|password`: accounts for the web interface.

use super::now_micros;
use crate::cli::UserCommand;
use crate::datadir::{DataDir, random_bytes};
use crate::output::{emit, when};
use anyhow::Context;
use entente_core::auth::Role;
use entente_core::password::{PasswordHash, UserName};
use std::io::{BufRead, IsTerminal};

pub fn run(dir: &DataDir, command: UserCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        UserCommand::Add { name, role, json } => {
            let name = UserName::parse(&name)?;
            let role = Role::parse(&role)?;
            let hash = PasswordHash::new(&read_password()?, random_bytes()?)?;
            let user = store.create_user(&name, role, &hash, now_micros())?;
            emit(json, &user, |user| {
                format!("Added {} {}: they sign in at /ui with this name and their password.", user.role, user.name)
            })
        }
        UserCommand::List { json } => {
            let users = store.list_users()?;
            emit(json, &users, |users| {
                let mut lines = vec![format!("{:<24} {:<8} {:<28} DISABLED", "NAME", "ROLE", "CREATED")];
                for user in users {
                    let disabled = user.disabled_at.map_or_else(|| "-".to_owned(), when);
                    lines.push(format!(
                        "{:<24} {:<8} {:<28} {}",
                        user.name,
                        user.role,
                        when(user.created_at),
                        disabled
                    ));
                }
                lines.join("\n")
            })
        }
        UserCommand::Disable { name, json } => {
            let name = UserName::parse(&name)?;
            store.disable_user(&name, now_micros())?;
            emit(json, &serde_json::json!({"disabled": name.as_str()}), |_| {
                format!("Disabled {}; their sessions ended.", name.as_str())
            })
        }
        UserCommand::Password { name, json } => {
            let name = UserName::parse(&name)?;
            let hash = PasswordHash::new(&read_password()?, random_bytes()?)?;
            store.set_user_password(&name, &hash)?;
            emit(json, &serde_json::json!({"password_set": name.as_str()}), |_| {
                format!("Set a new password for {}; their sessions ended.", name.as_str())
            })
        }
    }
}

/// The password from ENTENTE_PASSWORD, else the first line of standard input (read
/// without echo when it is a terminal).
fn read_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("ENTENTE_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("Password (at least 12 characters): ");
        set_echo(false);
    }
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    if terminal {
        set_echo(true);
        eprintln!();
    }
    read.context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        anyhow::bail!("no password given: set ENTENTE_PASSWORD or pass it on standard input");
    }
    Ok(password)
}

/// Turns the terminal's echo off or on (`stty`, as `passwd` does); best effort.
fn set_echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}
