//! The node's own settings: who it is. Written once by `entente init`.

use crate::{Store, StoreError};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

/// The node description kept in the database.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NodeSettings {
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    /// The STIX id of the node's `identity` object.
    pub identity_id: String,
    /// Hex Ed25519 public key (the private key lives in a 0600 file, not here).
    pub public_key: String,
    pub fingerprint: String,
    pub default_api_root: String,
    /// The collection `intel import` and `intel export` use when none is named.
    pub default_collection: String,
    /// The base URL partners reach this node at, written on its card. Every process
    /// (the server, the CLI) builds the card from this one value.
    #[serde(default)]
    pub public_url: Option<String>,
}

const NODE_KEY: &str = "node";

impl Store {
    pub fn save_node_settings(&self, settings: &NodeSettings) -> Result<(), StoreError> {
        let text = serde_json::to_string(settings).map_err(|error| StoreError::Invalid(error.to_string()))?;
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (NODE_KEY, &text),
            )?;
            Ok(())
        })
    }

    pub fn node_settings(&self) -> Result<NodeSettings, StoreError> {
        let text: Option<String> = self.pool.read(|transaction| {
            Ok(transaction
                .query_row("SELECT value FROM settings WHERE key = ?1", [NODE_KEY], |row| row.get(0))
                .optional()?)
        })?;
        let text = text.ok_or_else(|| StoreError::NotFound("the node settings (run `entente init`)".into()))?;
        serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(format!("node settings: {error}")))
    }
}
