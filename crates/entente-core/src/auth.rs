//! Roles and API tokens.
//!
//! A token is 32 random bytes written as `ent_` + URL-safe base64. Only its SHA-256
//! digest is ever stored: a token has 256 bits of entropy, so a fast hash is as safe
//! as a slow password hash and costs a microsecond per request instead of hundreds of
//! milliseconds. The random bytes come from the caller; this module draws none.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;

/// What a token holder may do. Later roles include the powers of earlier ones where
/// a collection's access list says so; the order matters only for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads intelligence it is entitled to.
    Reader,
    /// Reads and writes intelligence.
    Analyst,
    /// A partner's accredited envoy (scoped by treaties once relations exist).
    Envoy,
    /// Operates the node: tokens, collections, metrics.
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role {0:?}: expected reader, analyst, envoy or admin")]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 4] = [Role::Reader, Role::Analyst, Role::Envoy, Role::Admin];

    pub fn parse(text: &str) -> Result<Role, RoleError> {
        match text {
            "reader" => Ok(Role::Reader),
            "analyst" => Ok(Role::Analyst),
            "envoy" => Ok(Role::Envoy),
            "admin" => Ok(Role::Admin),
            other => Err(RoleError(other.to_owned())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reader => "reader",
            Role::Analyst => "analyst",
            Role::Envoy => "envoy",
            Role::Admin => "admin",
        }
    }

    /// Parses a comma-separated role list such as `reader,analyst`.
    pub fn parse_list(text: &str) -> Result<Vec<Role>, RoleError> {
        let mut roles = Vec::new();
        for part in text.split(',').map(str::trim).filter(|part| !part.is_empty()) {
            let role = Role::parse(part)?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        roles.sort();
        Ok(roles)
    }

    pub fn join(roles: &[Role]) -> String {
        roles.iter().map(|role| role.as_str()).collect::<Vec<_>>().join(",")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// A freshly made secret token. It is shown to its holder once and never stored.
pub struct ApiToken(String);

impl fmt::Debug for ApiToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("ApiToken(…)")
    }
}

const TOKEN_PREFIX: &str = "ent_";

impl ApiToken {
    pub fn from_random(bytes: [u8; 32]) -> ApiToken {
        ApiToken(format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    pub fn secret(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }
}

/// The stored form of a token: hex SHA-256 of its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    /// Hashes whatever a client presented. Text that cannot be a token still hashes
    /// (and then matches nothing), so lookups take the same path for every input.
    pub fn of(presented: &str) -> TokenHash {
        TokenHash(hex::encode(Sha256::digest(presented.trim().as_bytes())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hash_stably_and_hide_in_debug() {
        let token = ApiToken::from_random([7; 32]);
        assert!(token.secret().starts_with("ent_"));
        assert_eq!(token.secret().len(), 4 + 43);
        assert_eq!(token.hash(), TokenHash::of(token.secret()));
        assert_ne!(token.hash(), ApiToken::from_random([8; 32]).hash());
        assert!(!format!("{token:?}").contains(token.secret()));
    }

    #[test]
    fn roles_parse() {
        assert_eq!(Role::parse_list("analyst, reader,reader").unwrap(), vec![Role::Reader, Role::Analyst]);
        assert!(Role::parse("root").is_err());
    }
}
