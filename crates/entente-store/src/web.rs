//! Sessions of the web interface: only the digest of a session's secret is stored,
//! and a session lives no longer than its token or user account.

use crate::tokens::Principal;
use crate::{Store, StoreError};
use entente_core::auth::{Role, TokenHash};
use rusqlite::OptionalExtension;

/// Who a new session is for, and until when.
#[derive(Debug, Clone)]
pub struct NewWebSession<'a> {
    pub hash: &'a TokenHash,
    /// The API token signed in with (exactly one of `token_id` and `user`).
    pub token_id: Option<&'a str>,
    pub user: Option<&'a str>,
    pub csrf: &'a str,
    pub now_micros: i64,
    pub expires_micros: i64,
}

/// A live session: the principal behind it and its CSRF token.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    pub principal: Principal,
    pub csrf: String,
    pub expires_at: i64,
}

impl Store {
    /// Records a session (and forgets every expired one).
    pub fn create_web_session(&self, session: &NewWebSession<'_>) -> Result<(), StoreError> {
        if session.token_id.is_some() == session.user.is_some() {
            return Err(StoreError::Invalid("a session belongs to a token or to a user, not both".into()));
        }
        self.pool.write(|transaction| {
            transaction.execute("DELETE FROM web_sessions WHERE expires_at <= ?1", [session.now_micros])?;
            transaction.execute(
                "INSERT INTO web_sessions (hash, token_id, user_name, csrf, created_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                (
                    session.hash.as_str(),
                    session.token_id,
                    session.user,
                    session.csrf,
                    session.now_micros,
                    session.expires_micros,
                ),
            )?;
            Ok(())
        })
    }

    /// The live session with this digest: not expired, its token not revoked, its
    /// user not disabled.
    pub fn web_session(&self, hash: &TokenHash, now_micros: i64) -> Result<Option<WebSession>, StoreError> {
        let row = self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached(
                    "SELECT s.csrf, s.expires_at, t.id, t.name, t.role, t.partner, u.name, u.role \
                     FROM web_sessions s \
                     LEFT JOIN tokens t ON t.id = s.token_id AND t.revoked_at IS NULL \
                     LEFT JOIN users u ON u.name = s.user_name AND u.disabled_at IS NULL \
                     WHERE s.hash = ?1 AND s.expires_at > ?2",
                )?
                .query_row((hash.as_str(), now_micros), |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, Option<String>>(2)?,
                        row.get::<_, Option<String>>(3)?,
                        row.get::<_, Option<String>>(4)?,
                        row.get::<_, Option<String>>(5)?,
                        row.get::<_, Option<String>>(6)?,
                        row.get::<_, Option<String>>(7)?,
                    ))
                })
                .optional()?)
        })?;
        let Some((csrf, expires_at, token_id, token_name, token_role, partner, user, user_role)) = row else {
            return Ok(None);
        };
        let principal = match (token_id, token_name, token_role, user, user_role) {
            (Some(token_id), Some(name), Some(role), _, _) => {
                Principal { token_id, name, role: role_of(&role)?, partner }
            }
            (_, _, _, Some(user), Some(role)) => {
                Principal { token_id: format!("user:{user}"), name: user, role: role_of(&role)?, partner: None }
            }
            // Its token was revoked or its user disabled.
            _ => return Ok(None),
        };
        Ok(Some(WebSession { principal, csrf, expires_at }))
    }

    /// Ends a session (signing out); ending one that is gone is not an error.
    pub fn end_web_session(&self, hash: &TokenHash) -> Result<(), StoreError> {
        self.pool.write(|transaction| {
            transaction.execute("DELETE FROM web_sessions WHERE hash = ?1", [hash.as_str()])?;
            Ok(())
        })
    }
}

fn role_of(text: &str) -> Result<Role, StoreError> {
    Role::parse(text).map_err(|error| StoreError::Corrupt(error.to_string()))
}
