//! User accounts of the web interface: names and passwords.
//!
//! Passwords are hashed with Argon2id at OWASP's recommended cost (19 MiB, two
//! passes, one lane) and kept as PHC strings, which carry their parameters and salt,
//! so a later change of cost still verifies old hashes. The salt is a parameter: this
//! crate draws no randomness.

use argon2::password_hash::{PasswordHash as Phc, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest, in bytes (hashing cost grows with length; nobody types more).
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("a password may have at most {MAX_PASSWORD_BYTES} bytes")]
    TooLong,
    #[error("{0:?} is not a user name: use 1 to 64 of a-z, 0-9, '.', '-' and '_', starting with a letter or digit")]
    BadName(String),
    #[error("the stored password hash is not valid: {0}")]
    BadHash(String),
}

/// A user's name: 1–64 of `a-z 0-9 . - _`, starting with a letter or digit (so it
/// reads the same in logs, URLs and the ledger).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserName(String);

impl UserName {
    pub fn parse(text: &str) -> Result<UserName, PasswordError> {
        let name = text.trim();
        let valid = (1..=64).contains(&name.len())
            && name.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'));
        if valid { Ok(UserName(name.to_owned())) } else { Err(PasswordError::BadName(text.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password's Argon2id hash as a PHC string.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

fn hasher() -> Argon2<'static> {
    // OWASP Password Storage Cheat Sheet: m=19456 KiB, t=2, p=1.
    let params = Params::new(19_456, 2, 1, None).expect("constant Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

impl PasswordHash {
    /// Hashes a new password (checked for length) with `salt` (16 random bytes).
    pub fn new(password: &str, salt: [u8; 16]) -> Result<PasswordHash, PasswordError> {
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(PasswordError::TooShort);
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(PasswordError::TooLong);
        }
        let salt = SaltString::encode_b64(&salt).map_err(|error| PasswordError::BadHash(error.to_string()))?;
        let hash = hasher()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|error| PasswordError::BadHash(error.to_string()))?;
        Ok(PasswordHash(hash.to_string()))
    }

    /// A stored PHC string, checked to be one.
    pub fn parse(phc: &str) -> Result<PasswordHash, PasswordError> {
        Phc::new(phc).map_err(|error| PasswordError::BadHash(error.to_string()))?;
        Ok(PasswordHash(phc.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `password` is the one hashed (in constant time, by the hash).
    pub fn verify(&self, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        Phc::new(&self.0).is_ok_and(|parsed| hasher().verify_password(password.as_bytes(), &parsed).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let hash = PasswordHash::new("correct horse battery", [7; 16]).expect("hashes");
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{}", hash.as_str());
        assert!(hash.verify("correct horse battery"));
        assert!(!hash.verify("correct horse batterY"));
        assert!(!hash.verify(""));
        let again = PasswordHash::parse(hash.as_str()).expect("parses");
        assert!(again.verify("correct horse battery"));
        // Another salt, another hash.
        assert_ne!(PasswordHash::new("correct horse battery", [8; 16]).expect("hashes"), hash);
        assert_eq!(format!("{hash:?}"), "PasswordHash(..)");
    }

    #[test]
    fn refuses_short_passwords_bad_names_and_bad_hashes() {
        assert_eq!(PasswordHash::new("short", [0; 16]), Err(PasswordError::TooShort));
        assert_eq!(PasswordHash::new(&"x".repeat(2000), [0; 16]), Err(PasswordError::TooLong));
        assert!(PasswordHash::parse("not a hash").is_err());
        assert_eq!(UserName::parse(" maria.k ").expect("a name").as_str(), "maria.k");
        for bad in ["", "Maria", "-x", "a b", "ü", &"a".repeat(65)] {
            assert!(UserName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
