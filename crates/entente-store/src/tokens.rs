//! API tokens: only their SHA-256 digests are stored.

use crate::{Store, StoreError};
use entente_core::auth::{Role, TokenHash};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// A token as listed to an operator (never with its secret).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
}

/// Who made a request, once their token checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub token_id: String,
    pub name: String,
    pub role: Role,
}

fn role_of(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).map_err(|error| StoreError::Corrupt(error.to_string()))
}

impl Store {
    /// Records a new token. `id` is a short public handle used to list and revoke it.
    pub fn create_token(
        &self,
        id: &str,
        name: &str,
        role: Role,
        hash: &TokenHash,
        now_micros: i64,
    ) -> Result<TokenRecord, StoreError> {
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO tokens (id, name, role, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                (id, name, role.as_str(), hash.as_str(), now_micros),
            )?;
            Ok(())
        })?;
        Ok(TokenRecord { id: id.to_owned(), name: name.to_owned(), role, created_at: now_micros, revoked_at: None })
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction
                .prepare("SELECT id, name, role, created_at, revoked_at FROM tokens ORDER BY created_at, id")?;
            let rows = statement.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get(1)?, row.get::<_, String>(2)?, row.get(3)?, row.get(4)?))
            })?;
            let mut records = Vec::new();
            for row in rows {
                let (id, name, role, created_at, revoked_at) = row?;
                records.push(TokenRecord { id, name, role: role_of(&role)?, created_at, revoked_at });
            }
            Ok(records)
        })
    }

    /// Revokes a token at once; revoking twice is an error so that typos show.
    pub fn revoke_token(&self, id: &str, now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let changed = transaction
                .execute("UPDATE tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL", (id, now_micros))?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("an active token with id {id:?}")));
            }
            Ok(())
        })
    }

    /// Finds the live token with this digest.
    pub fn authenticate(&self, hash: &TokenHash) -> Result<Option<Principal>, StoreError> {
        let found = self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT id, name, role FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")?
                .query_row([hash.as_str()], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get::<_, String>(2)?))
                })
                .optional()?)
        })?;
        found.map(|(token_id, name, role)| Ok(Principal { token_id, name, role: role_of(&role)? })).transpose()
    }
}
