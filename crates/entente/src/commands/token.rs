//! `entente token create|list|revoke`.

use super::now_micros;
use crate::cli::TokenCommand;
use crate::datadir::{DataDir, random_bytes};
use crate::output::{emit, when};
use entente_core::auth::{ApiToken, Role};
use serde::Serialize;

/// A short public handle for a token, used to list and revoke it.
pub fn new_token_id() -> anyhow::Result<String> {
    Ok(format!("tok_{}", hex::encode(random_bytes::<6>()?)))
}

#[derive(Serialize)]
struct CreatedToken {
    id: String,
    name: String,
    role: Role,
    token: String,
}

pub fn run(dir: &DataDir, command: TokenCommand) -> anyhow::Result<()> {
    let store = dir.open_store()?;
    match command {
        TokenCommand::Create { role, name, json } => {
            let role = Role::parse(&role)?;
            let token = ApiToken::from_random(random_bytes()?);
            let record = store.create_token(&new_token_id()?, &name, role, &token.hash(), now_micros())?;
            let created = CreatedToken { id: record.id, name: record.name, role, token: token.secret().to_owned() };
            emit(json, &created, |created| {
                format!(
                    "Created {} token {} (shown once, store it safely):\n  {}",
                    created.role, created.id, created.token
                )
            })
        }
        TokenCommand::List { json } => {
            let tokens = store.list_tokens()?;
            emit(json, &tokens, |tokens| {
                let mut lines = vec![format!("{:<18} {:<8} {:<28} {:<28} NAME", "ID", "ROLE", "CREATED", "REVOKED")];
                for token in tokens {
                    let revoked = token.revoked_at.map_or_else(|| "-".to_owned(), when);
                    lines.push(format!(
                        "{:<18} {:<8} {:<28} {:<28} {}",
                        token.id,
                        token.role,
                        when(token.created_at),
                        revoked,
                        token.name
                    ));
                }
                lines.join("\n")
            })
        }
        TokenCommand::Revoke { id, json } => {
            store.revoke_token(&id, now_micros())?;
            emit(json, &serde_json::json!({"revoked": id}), |_| format!("Revoked {id}; it stops working at once."))
        }
    }
}
