//! The ATT&CK techniques (and tactics) an object cites, resolved against the loaded
//! catalogue.

use super::KnowledgeError;
use entente_core::reference::cites::cited_tactics;
use entente_core::reference::{AttackId, CitedBy, cited_techniques};
use entente_store::Store;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// One cited technique as shown to an analyst: its ATT&CK id and, when the catalogue
/// is loaded, its name, tactics and page.
#[derive(Debug, Clone, Serialize)]
pub struct TechniqueView {
    pub attack_id: AttackId,
    /// The catalogue object's type (`attack-pattern`, `x-mitre-tactic`…), when loaded.
    pub kind: Option<String>,
    pub name: Option<String>,
    pub tactics: Vec<String>,
    pub url: Option<String>,
    pub deprecated: bool,
    /// Every way the object cites it.
    pub cited_by: Vec<CitedBy>,
}

/// The techniques `object` cites in its own properties and through `uses`/`indicates`
/// relationships held in `collections`, sorted by ATT&CK id.
pub fn techniques(store: &Store, object: &Value, collections: &[String]) -> Result<Vec<TechniqueView>, KnowledgeError> {
    let mut cited: BTreeMap<AttackId, Vec<CitedBy>> = BTreeMap::new();
    for citation in cited_techniques(object) {
        cited.entry(citation.attack_id).or_default().push(citation.cited_by);
    }
    let id = object.get("id").and_then(Value::as_str).unwrap_or_default();
    if !collections.is_empty() {
        let targets: Vec<String> = store
            .relationships_from(id, collections)?
            .iter()
            .filter_map(|json| serde_json::from_str::<Value>(json).ok())
            .filter_map(|relationship| entente_core::reference::cites::relationship_target(&relationship, id))
            .collect();
        for entry in store.attack_by_stix_ids(&targets)? {
            cited.entry(entry.attack_id).or_default().push(CitedBy::Relationship);
        }
    }
    // Tactics named in several ATT&CK domains (enterprise, ICS, mobile) have one id each.
    for entry in store.attack_tactics(&cited_tactics(object))? {
        cited.entry(entry.attack_id).or_default().push(CitedBy::KillChainPhase);
    }
    let ids: Vec<AttackId> = cited.keys().cloned().collect();
    let known: BTreeMap<AttackId, _> =
        store.attack_by_ids(&ids)?.into_iter().map(|entry| (entry.attack_id.clone(), entry)).collect();
    Ok(cited
        .into_iter()
        .map(|(attack_id, mut cited_by)| {
            cited_by.sort();
            cited_by.dedup();
            let entry = known.get(&attack_id);
            TechniqueView {
                kind: entry.map(|entry| entry.kind.clone()),
                name: entry.map(|entry| entry.name.clone()),
                tactics: entry.map(|entry| entry.tactics.clone()).unwrap_or_default(),
                url: entry.and_then(|entry| entry.url.clone()),
                deprecated: entry.is_some_and(|entry| entry.deprecated),
                attack_id,
                cited_by,
            }
        })
        .collect())
}
