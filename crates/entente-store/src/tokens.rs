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
    /// For an envoy credential: the partner node it was issued to.
    pub partner: Option<String>,
    /// For an envoy credential: the treaty in force when it was issued.
    pub treaty: Option<String>,
}

/// Who made a request, once their token checked out.
#[derive(Debug, Clone, PartialEq)]
pub struct Principal {
    pub token_id: String,
    pub name: String,
    pub role: Role,
    /// Set for a partner's envoy: requests are allowed only while the relation with
    /// this partner is in force.
    pub partner: Option<String>,
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
        let record = TokenRecord {
            id: id.to_owned(),
            name: name.to_owned(),
            role,
            created_at: now_micros,
            revoked_at: None,
            partner: None,
            treaty: None,
        };
        self.insert_token(record, hash)
    }

    /// Records an envoy credential for a partner's envoy, bound to that partner and
    /// noting the treaty in force when it was issued.
    pub fn create_envoy_token(
        &self,
        id: &str,
        name: &str,
        hash: &TokenHash,
        partner: &str,
        treaty: &str,
        now_micros: i64,
    ) -> Result<TokenRecord, StoreError> {
        let record = TokenRecord {
            id: id.to_owned(),
            name: name.to_owned(),
            role: Role::Envoy,
            created_at: now_micros,
            revoked_at: None,
            partner: Some(partner.to_owned()),
            treaty: Some(treaty.to_owned()),
        };
        self.insert_token(record, hash)
    }

    fn insert_token(&self, record: TokenRecord, hash: &TokenHash) -> Result<TokenRecord, StoreError> {
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO tokens (id, name, role, hash, created_at, partner, treaty) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (
                    &record.id,
                    &record.name,
                    record.role.as_str(),
                    hash.as_str(),
                    record.created_at,
                    &record.partner,
                    &record.treaty,
                ),
            )?;
            Ok(())
        })?;
        Ok(record)
    }

    pub fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement = transaction.prepare(
                "SELECT id, name, role, created_at, revoked_at, partner, treaty FROM tokens ORDER BY created_at, id",
            )?;
            let rows = statement.query_map([], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get(1)?,
                    row.get::<_, String>(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                    row.get(6)?,
                ))
            })?;
            let mut records = Vec::new();
            for row in rows {
                let (id, name, role, created_at, revoked_at, partner, treaty) = row?;
                records.push(TokenRecord { id, name, role: role_of(&role)?, created_at, revoked_at, partner, treaty });
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
                .prepare_cached("SELECT id, name, role, partner FROM tokens WHERE hash = ?1 AND revoked_at IS NULL")?
                .query_row([hash.as_str()], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, Option<String>>(3)?,
                    ))
                })
                .optional()?)
        })?;
        found
            .map(|(token_id, name, role, partner)| Ok(Principal { token_id, name, role: role_of(&role)?, partner }))
            .transpose()
    }
}
