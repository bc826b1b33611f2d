//! What the node knows about an object beyond the object itself: the ATT&CK techniques
//! it cites, the warning lists its values are on, what its tags mean, and its decayed
//! score. Shared by the API (`api/objects.rs`) and the CLI (`entente intel show`,
//! `intel import`, `intel export --exclude-decayed`), so both say the same thing.
//!
//! Invariants: every lookup is limited to the collections the caller may read
//! (relationships and sightings outside them are never consulted); the pure work is
//! done by `entente_core::reference` and `entente_core::score`.
//!
//! What it does not do: decide visibility of the object itself. Callers find the
//! object through their own access rules (the API through the caller's role and, for
//! an envoy, the release gate) and hand it in.

mod cache;
mod techniques;

pub use cache::KnowledgeCache;

pub use techniques::{TechniqueView, techniques};

use entente_core::Timestamp;
use entente_core::reference::{Hit, TagExplanation, Taxonomy, WarningList, object_values, warning_hits};
use entente_core::score::{IndicatorFacts, Score, ScoreModel, score};
use entente_store::{Store, StoreError};
use serde::Serialize;
use serde_json::Value;

/// Why reference knowledge could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored reference knowledge no longer parses: {0}")]
    Corrupt(String),
}

/// The parsed taxonomies, warning lists and score model of a node, loaded once and
/// used for many objects (an import checks every indicator against the same lists).
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub lists: Vec<WarningList>,
    pub taxonomies: Vec<Taxonomy>,
    pub model: ScoreModel,
}

/// One label of an object and what the loaded taxonomies say of it.
#[derive(Debug, Clone, Serialize)]
pub struct TagView {
    pub tag: String,
    pub known: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<TagExplanation>,
}

impl Knowledge {
    pub fn load(store: &Store) -> Result<Knowledge, KnowledgeError> {
        let lists = store
            .warninglists()?
            .iter()
            .map(|record| WarningList::parse(&record.json).map_err(|error| KnowledgeError::Corrupt(error.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let taxonomies = store
            .taxonomies()?
            .iter()
            .map(|json| Taxonomy::parse(json).map_err(|error| KnowledgeError::Corrupt(error.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Knowledge { lists, taxonomies, model: score_model(store)? })
    }

    /// The warning-list hits of an object's values (an indicator's pattern, an
    /// observable's value).
    pub fn warnings(&self, object: &Value) -> Vec<Hit> {
        if self.lists.is_empty() {
            return Vec::new();
        }
        warning_hits(&self.lists, &object_values(object))
    }

    /// The object's labels, each explained by the taxonomy of its namespace if loaded.
    pub fn tags(&self, object: &Value) -> Vec<TagView> {
        let labels = object.get("labels").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
        labels
            .map(|tag| {
                let explanation = self.taxonomies.iter().find_map(|taxonomy| taxonomy.explain(tag));
                TagView { tag: tag.to_owned(), known: explanation.is_some(), explanation }
            })
            .collect()
    }

    /// The score of an indicator at `now`, counting the sightings of it held in
    /// `collections`; `None` for objects that are not indicators.
    pub fn score(
        &self,
        store: &Store,
        object: &Value,
        collections: &[String],
        now: Timestamp,
    ) -> Result<Option<Score>, KnowledgeError> {
        let Some(facts) = IndicatorFacts::of(object) else { return Ok(None) };
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
        let sightings = if collections.is_empty() { Vec::new() } else { store.sightings_of(id, collections)? };
        let seen: Vec<Timestamp> = sightings.iter().filter_map(|json| sighting_time(json)).collect();
        Ok(Some(score(&self.model, &facts, &seen, now)))
    }
}

/// The node's score model: the one set with `entente score model set`, or MISP's
/// defaults.
pub fn score_model(store: &Store) -> Result<ScoreModel, KnowledgeError> {
    match store.score_model()? {
        Some(json) => ScoreModel::parse(&json).map_err(|error| KnowledgeError::Corrupt(error.to_string())),
        None => Ok(ScoreModel::default()),
    }
}

/// When a sighting saw its object: `last_seen`, else `first_seen`, else `created`.
fn sighting_time(json: &str) -> Option<Timestamp> {
    let sighting: Value = serde_json::from_str(json).ok()?;
    ["last_seen", "first_seen", "created"]
        .iter()
        .find_map(|key| sighting.get(key).and_then(Value::as_str).and_then(|text| Timestamp::parse(text).ok()))
}
