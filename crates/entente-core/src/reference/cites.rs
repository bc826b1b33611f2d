//! Which ATT&CK techniques an object cites, and how.
//!
//! Intelligence cites techniques in four ways, all recognised here: an
//! `external_references` item with a MITRE source and external id; a MISP galaxy label
//! (`misp-galaxy:mitre-attack-pattern="Spearphishing Attachment - T1566.001"`, as MISP
//! exports write them); and a relationship (`uses`, `indicates`) from the object to an
//! `attack-pattern`, which [`relationship_targets`] reads and the caller resolves against
//! the catalogue by STIX id.
//!
//! What it does not do: resolve names. The caller looks the ids up in the catalogue it
//! loaded, so an id that is not (yet) loaded is still shown, without a name.

use super::attack::{AttackId, external_attack_id};
use serde::Serialize;
use serde_json::Value;

/// How an object cites a technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CitedBy {
    ExternalReference,
    GalaxyLabel,
    Relationship,
    /// A `kill_chain_phases` item of an ATT&CK kill chain: cites the tactic.
    KillChainPhase,
}

/// One cited ATT&CK id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Citation {
    pub attack_id: AttackId,
    pub cited_by: CitedBy,
}

/// The relationship types through which an object cites the technique at the target.
const CITING_RELATIONSHIPS: [&str; 2] = ["uses", "indicates"];

/// The ATT&CK ids an object cites in its own properties (external references and
/// galaxy labels), sorted and without duplicates. An ATT&CK catalogue object does not
/// cite itself: its own external id is its identity, not a citation.
pub fn cited_techniques(object: &Value) -> Vec<Citation> {
    let mut found = Vec::new();
    let is_catalogue_object =
        object.get("type").and_then(Value::as_str) == Some("attack-pattern") && external_attack_id(object).is_some();
    if !is_catalogue_object && let Some(references) = object.get("external_references").and_then(Value::as_array) {
        for reference in references {
            let single = serde_json::json!({"external_references": [reference]});
            if let Some((attack_id, _)) = external_attack_id(&single) {
                found.push(Citation { attack_id, cited_by: CitedBy::ExternalReference });
            }
        }
    }
    let labels = object.get("labels").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    for label in labels {
        if let Some(attack_id) = galaxy_label_id(label) {
            found.push(Citation { attack_id, cited_by: CitedBy::GalaxyLabel });
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.attack_id == b.attack_id);
    found
}

/// The ATT&CK tactic short names an object's kill chain phases name
/// (`{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}`), sorted.
/// For a catalogue technique these are the tactics it belongs to, shown the same way.
pub fn cited_tactics(object: &Value) -> Vec<String> {
    let phases = object.get("kill_chain_phases").and_then(Value::as_array).into_iter().flatten();
    let mut names: Vec<String> = phases
        .filter(|phase| {
            phase.get("kill_chain_name").and_then(Value::as_str).is_some_and(|name| name.starts_with("mitre-"))
        })
        .filter_map(|phase| phase.get("phase_name").and_then(Value::as_str).map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The ATT&CK id at the end of a MISP galaxy label of an ATT&CK cluster:
/// `misp-galaxy:mitre-attack-pattern="Phishing - T1566"` gives `T1566`.
pub fn galaxy_label_id(label: &str) -> Option<AttackId> {
    let rest = label.strip_prefix("misp-galaxy:")?;
    let (galaxy, value) = rest.split_once('=')?;
    if !galaxy.contains("mitre") {
        return None;
    }
    let value = value.trim_matches('"');
    let (_, id) = value.rsplit_once(" - ")?;
    AttackId::parse(id)
}

/// The STIX ids a relationship cites from `source`: its `target_ref` when it is a
/// `uses` or `indicates` relationship from `source` to an `attack-pattern`.
pub fn relationship_target(relationship: &Value, source: &str) -> Option<String> {
    let field = |key: &str| relationship.get(key).and_then(Value::as_str);
    let kind = field("relationship_type")?;
    let target = field("target_ref")?;
    (field("type")? == "relationship"
        && field("source_ref")? == source
        && CITING_RELATIONSHIPS.contains(&kind)
        && target.starts_with("attack-pattern--"))
    .then(|| target.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn galaxy_labels_and_external_references_are_citations() {
        let indicator = json!({
            "type": "indicator",
            "labels": ["misp-galaxy:mitre-attack-pattern=\"Spearphishing Attachment - T1566.001\"",
                "tlp:green", "misp-galaxy:threat-actor=\"APT 28 - T1566\""],
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1059"},
                {"source_name": "capec", "external_id": "CAPEC-163"}]
        });
        let ids: Vec<String> = cited_techniques(&indicator).iter().map(|c| c.attack_id.to_string()).collect();
        assert_eq!(ids, vec!["T1059", "T1566.001"]);
    }

    #[test]
    fn mitre_kill_chain_phases_cite_tactics() {
        let indicator = json!({"type": "indicator", "kill_chain_phases": [
            {"kill_chain_name": "mitre-attack", "phase_name": "initial-access"},
            {"kill_chain_name": "lockheed-martin-cyber-kill-chain", "phase_name": "delivery"}]});
        assert_eq!(cited_tactics(&indicator), vec!["initial-access".to_owned()]);
    }

    #[test]
    fn a_catalogue_object_does_not_cite_itself() {
        let technique = json!({"type": "attack-pattern",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1059"}]});
        assert!(cited_techniques(&technique).is_empty());
    }

    #[test]
    fn only_uses_and_indicates_relationships_from_the_source_cite() {
        let source = "indicator--1";
        let make = |kind: &str, from: &str, to: &str| json!({"type": "relationship", "relationship_type": kind, "source_ref": from, "target_ref": to});
        assert_eq!(
            relationship_target(&make("indicates", source, "attack-pattern--x"), source).as_deref(),
            Some("attack-pattern--x")
        );
        assert_eq!(relationship_target(&make("related-to", source, "attack-pattern--x"), source), None);
        assert_eq!(relationship_target(&make("uses", "malware--2", "attack-pattern--x"), source), None);
        assert_eq!(relationship_target(&make("uses", source, "malware--x"), source), None);
    }
}
