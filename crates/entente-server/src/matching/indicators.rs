//! Every indicator this node holds, as matching rules: the latest version of each, in
//! every collection, minus the revoked, the expired and decayed (by the node's score
//! model, `knowledge::Knowledge::score`) and the warning-listed (known false
//! positives, `Knowledge::warnings`), each exclusion counted.

use super::rules::rule_of;
use crate::knowledge::{Knowledge, KnowledgeError};
use entente_core::Timestamp;
use entente_core::taxii::{Filter, VersionSelector};
use entente_match::Rule;
use entente_store::Store;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};

/// How many unsupported indicators are listed by id (all are counted).
pub const LISTED: usize = 20;

/// An indicator that cannot be matched, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsupported {
    pub id: String,
    pub reason: String,
}

/// Indicators left out, by reason.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Exclusions {
    /// Scored under the model's threshold (and not expired).
    pub decayed: u64,
    /// Past `valid_until`.
    pub expired: u64,
    /// A value on a loaded warning list.
    pub warninglisted: u64,
    /// `revoked: true` in their latest version.
    pub revoked: u64,
    /// Patterns the matcher cannot use; the first [`LISTED`] are in `unsupported_list`.
    pub unsupported: u64,
    pub unsupported_list: Vec<Unsupported>,
}

impl Exclusions {
    /// Counts an unsupported indicator, listing the first ones.
    pub fn unsupported(&mut self, id: &str, reason: String) {
        self.unsupported += 1;
        if self.unsupported_list.len() < LISTED {
            self.unsupported_list.push(Unsupported { id: id.to_owned(), reason });
        }
    }
}

/// The rules of the node's indicators, with what each sighting of them must carry.
#[derive(Debug, Clone, Default)]
pub struct NodeIndicators {
    pub rules: Vec<Rule>,
    /// The `object_marking_refs` of each indicator kept: a sighting of it says the
    /// indicator was seen, so it carries the indicator's markings.
    pub markings: BTreeMap<String, Vec<String>>,
    pub exclusions: Exclusions,
}

impl NodeIndicators {
    /// Keeps one indicator as a rule, with the markings its sightings carry, or counts
    /// it as unsupported with the reason.
    pub fn admit(&mut self, id: &str, object: &Value) {
        match rule_of(object) {
            Ok(rule) => {
                let markings = object.get("object_marking_refs").and_then(Value::as_array).into_iter().flatten();
                self.markings.insert(id.to_owned(), markings.filter_map(Value::as_str).map(str::to_owned).collect());
                self.rules.push(rule);
            }
            Err(reason) => self.exclusions.unsupported(id, reason),
        }
    }
}

/// What to keep that would otherwise be left out.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keep {
    pub decayed: bool,
    pub warninglisted: bool,
}

/// Reads every indicator the node holds and turns the ones to match into rules.
pub fn node_indicators(store: &Store, now: Timestamp, keep: Keep) -> Result<NodeIndicators, KnowledgeError> {
    let knowledge = Knowledge::load(store)?;
    let collections: Vec<String> = store.list_collections(None)?.into_iter().map(|c| c.id).collect();
    let mut filter = Filter::everything();
    filter.types = vec!["indicator".to_owned()];
    filter.versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    let mut seen = HashSet::new();
    let mut found = NodeIndicators::default();
    for collection in &collections {
        let mut filter = filter.clone();
        loop {
            let page = store.query_objects(collection, None, &filter, 1000, true)?;
            for row in &page.rows {
                let object: Value =
                    serde_json::from_str(&row.json).map_err(|error| KnowledgeError::Corrupt(error.to_string()))?;
                let id = object.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
                if seen.insert(id.clone()) {
                    consider(store, &knowledge, &collections, now, keep, &id, &object, &mut found)?;
                }
            }
            match page.next {
                Some(cursor) => filter.next = Some(cursor),
                None => break,
            }
        }
    }
    Ok(found)
}

/// Keeps one indicator as a rule, or counts why it is left out.
#[allow(clippy::too_many_arguments)]
fn consider(
    store: &Store,
    knowledge: &Knowledge,
    collections: &[String],
    now: Timestamp,
    keep: Keep,
    id: &str,
    object: &Value,
    found: &mut NodeIndicators,
) -> Result<(), KnowledgeError> {
    let exclusions = &mut found.exclusions;
    if object.get("revoked") == Some(&Value::Bool(true)) {
        exclusions.revoked += 1;
        return Ok(());
    }
    if !keep.decayed
        && let Some(score) = knowledge.score(store, object, collections, now)?
    {
        if score.expired {
            exclusions.expired += 1;
            return Ok(());
        }
        if score.decayed {
            exclusions.decayed += 1;
            return Ok(());
        }
    }
    if !keep.warninglisted && !knowledge.warnings(object).is_empty() {
        exclusions.warninglisted += 1;
        return Ok(());
    }
    found.admit(id, object);
    Ok(())
}
