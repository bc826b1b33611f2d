//! TAXII status resources, kept so clients can fetch them after a POST.

use crate::{Store, StoreError};
use entente_core::taxii::Status;
use rusqlite::OptionalExtension;

impl Store {
    pub fn save_status(&self, api_root: &str, owner: &str, status: &Status, now_micros: i64) -> Result<(), StoreError> {
        let body = serde_json::to_string(status).map_err(|error| StoreError::Invalid(error.to_string()))?;
        self.pool.write(|transaction| {
            transaction.execute(
                "INSERT INTO statuses (id, api_root, owner, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                (&status.id, api_root, owner, &body, now_micros),
            )?;
            Ok(())
        })
    }

    /// A status and the token id that owns it.
    pub fn status(&self, api_root: &str, id: &str) -> Result<Option<(String, Status)>, StoreError> {
        let found: Option<(String, String)> = self.pool.read(|transaction| {
            Ok(transaction
                .prepare_cached("SELECT owner, body FROM statuses WHERE id = ?1 AND api_root = ?2")?
                .query_row((id, api_root), |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()?)
        })?;
        found
            .map(|(owner, text)| {
                let status = serde_json::from_str(&text)
                    .map_err(|error| StoreError::Corrupt(format!("status {id}: {error}")))?;
                Ok((owner, status))
            })
            .transpose()
    }
}
