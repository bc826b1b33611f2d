//! Parsed reference knowledge kept between requests.
//!
//! The MISP warning lists hold millions of entries (65 MB of JSON for the
//! `pymispwarninglists` set); parsing them per request would cost far more than the
//! request. The cache keeps the parsed [`Knowledge`] with the store's reference stamp
//! and reloads only when the stamp changed (a `reference load` or `score model set`,
//! possibly by another process on the same database).

use super::{Knowledge, KnowledgeError};
use entente_store::Store;
use std::sync::{Arc, Mutex, PoisonError};

#[derive(Debug, Default)]
pub struct KnowledgeCache {
    held: Mutex<Option<(String, Arc<Knowledge>)>>,
}

impl KnowledgeCache {
    /// The node's knowledge as of now.
    pub fn get(&self, store: &Store) -> Result<Arc<Knowledge>, KnowledgeError> {
        let stamp = store.reference_stamp()?;
        let mut held = self.held.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((held_stamp, knowledge)) = held.as_ref()
            && *held_stamp == stamp
        {
            return Ok(knowledge.clone());
        }
        let knowledge = Arc::new(Knowledge::load(store)?);
        *held = Some((stamp, knowledge.clone()));
        Ok(knowledge)
    }
}
