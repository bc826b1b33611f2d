//! User accounts of the web interface: a name, a role and an Argon2id hash of the
//! password (never the password). Disabling an account ends its sessions at once.

use crate::{Store, StoreError};
use entente_core::auth::Role;
use entente_core::password::{PasswordHash, UserName};
use rusqlite::OptionalExtension;
use serde::Serialize;

/// An account as listed to an operator (never with its hash).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct UserRecord {
    pub name: String,
    pub role: Role,
    pub created_at: i64,
    pub disabled_at: Option<i64>,
}

fn role_of(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).map_err(|error| StoreError::Corrupt(error.to_string()))
}

impl Store {
    /// Records a new account; a name taken (even by a disabled account) is an error.
    pub fn create_user(
        &self,
        name: &UserName,
        role: Role,
        hash: &PasswordHash,
        now_micros: i64,
    ) -> Result<UserRecord, StoreError> {
        if role == Role::Envoy {
            return Err(StoreError::Invalid("envoys are partners' credentials (tokens), not user accounts".into()));
        }
        self.pool.write(|transaction| {
            let taken: bool = transaction.query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1)",
                [name.as_str()],
                |row| row.get(0),
            )?;
            if taken {
                return Err(StoreError::AlreadyExists(format!("the user {}", name.as_str())));
            }
            transaction.execute(
                "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)",
                (name.as_str(), role.as_str(), hash.as_str(), now_micros),
            )?;
            Ok(())
        })?;
        Ok(UserRecord { name: name.as_str().to_owned(), role, created_at: now_micros, disabled_at: None })
    }

    /// The role and password hash of an active account.
    pub fn user_credentials(&self, name: &UserName) -> Result<Option<(Role, PasswordHash)>, StoreError> {
        let row = self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT role, password_hash FROM users WHERE name = ?1 AND disabled_at IS NULL")?
                .query_row([name.as_str()], |row| Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?)))
                .optional()?)
        })?;
        let Some((role, hash)) = row else { return Ok(None) };
        let hash = PasswordHash::parse(&hash).map_err(|error| StoreError::Corrupt(error.to_string()))?;
        Ok(Some((role_of(&role)?, hash)))
    }

    pub fn list_users(&self) -> Result<Vec<UserRecord>, StoreError> {
        self.pool.read(|transaction| {
            let mut statement =
                transaction.prepare("SELECT name, role, created_at, disabled_at FROM users ORDER BY name")?;
            let rows = statement.query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?, row.get(2)?, row.get(3)?))
            })?;
            let mut users = Vec::new();
            for row in rows {
                let (name, role, created_at, disabled_at) = row?;
                users.push(UserRecord { name, role: role_of(&role)?, created_at, disabled_at });
            }
            Ok(users)
        })
    }

    /// Disables an active account and ends its sessions.
    pub fn disable_user(&self, name: &UserName, now_micros: i64) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE users SET disabled_at = ?2 WHERE name = ?1 AND disabled_at IS NULL",
                (name.as_str(), now_micros),
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("an active user named {:?}", name.as_str())));
            }
            transaction.execute("DELETE FROM web_sessions WHERE user_name = ?1", [name.as_str()])?;
            Ok(())
        })
    }

    /// Replaces an active account's password and ends its sessions.
    pub fn set_user_password(&self, name: &UserName, hash: &PasswordHash) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            let changed = transaction.execute(
                "UPDATE users SET password_hash = ?2 WHERE name = ?1 AND disabled_at IS NULL",
                (name.as_str(), hash.as_str()),
            )?;
            if changed == 0 {
                return Err(StoreError::NotFound(format!("an active user named {:?}", name.as_str())));
            }
            transaction.execute("DELETE FROM web_sessions WHERE user_name = ?1", [name.as_str()])?;
            Ok(())
        })
    }
}
