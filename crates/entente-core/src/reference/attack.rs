//! ATT&CK catalogue entries, read from the STIX bundles MITRE publishes.
//!
//! An entry is any object carrying an `external_references` item whose `source_name`
//! is `mitre-attack` (or `mitre-ics-attack`/`mitre-mobile-attack`, used by older
//! bundles) with an `external_id`: techniques (`T1566`, `T1566.001`), tactics (`TA0001`),
//! groups (`G0007`), software (`S0002`), mitigations (`M1049`), campaigns (`C0001`)…
//! Relationships and analytics carry no such id and are not entries.

use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// The `source_name`s under which MITRE publishes ATT&CK ids.
const SOURCES: [&str; 3] = ["mitre-attack", "mitre-ics-attack", "mitre-mobile-attack"];

/// An ATT&CK external id: one to three upper-case letters then four digits, and for a
/// sub-technique a dot and three digits (`T1566.001`). Stored upper-case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AttackId(String);

impl AttackId {
    /// Parses an id, accepting lower case (`t1566.001`) as analysts type it.
    pub fn parse(text: &str) -> Option<AttackId> {
        let upper = text.trim().to_ascii_uppercase();
        let (main, sub) = match upper.split_once('.') {
            Some((main, sub)) => (main, Some(sub)),
            None => (upper.as_str(), None),
        };
        let letters = main.bytes().take_while(u8::is_ascii_uppercase).count();
        let digits = &main[letters..];
        let main_ok = (1..=3).contains(&letters) && digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit());
        let sub_ok = sub.is_none_or(|sub| sub.len() == 3 && sub.bytes().all(|b| b.is_ascii_digit()));
        (main_ok && sub_ok).then_some(AttackId(upper))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A technique or sub-technique (`T…`), as opposed to a group, tactic or software.
    pub fn is_technique(&self) -> bool {
        self.0.starts_with('T') && !self.0.starts_with("TA")
    }
}

impl fmt::Display for AttackId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

/// One catalogue entry, as the node shows it next to the objects that cite it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttackEntry {
    pub attack_id: AttackId,
    /// The STIX id of the catalogue object, so relationships to it can be resolved.
    pub stix_id: String,
    /// The STIX type: `attack-pattern`, `intrusion-set`, `malware`, `x-mitre-tactic`…
    pub kind: String,
    pub name: String,
    /// Tactic short names (`initial-access`) from the kill chain phases of a technique;
    /// for a tactic, its own short name.
    pub tactics: Vec<String>,
    pub url: Option<String>,
    /// `revoked` or `x_mitre_deprecated`: kept so old citations still resolve, flagged.
    pub deprecated: bool,
}

/// The ATT&CK id an object's external references give, if any.
pub fn external_attack_id(object: &Value) -> Option<(AttackId, Option<String>)> {
    object.get("external_references")?.as_array()?.iter().find_map(|reference| {
        let source = reference.get("source_name")?.as_str()?;
        if !SOURCES.contains(&source) {
            return None;
        }
        let id = AttackId::parse(reference.get("external_id")?.as_str()?)?;
        Some((id, reference.get("url").and_then(Value::as_str).map(str::to_owned)))
    })
}

/// The catalogue entry an ATT&CK bundle object makes, or `None` for objects that are
/// not entries (relationships, analytics, the identity, markings).
pub fn attack_entry(object: &Value) -> Option<AttackEntry> {
    let (attack_id, url) = external_attack_id(object)?;
    let text = |key: &str| object.get(key).and_then(Value::as_str).map(str::to_owned);
    let flag = |key: &str| object.get(key).and_then(Value::as_bool).unwrap_or(false);
    let tactics: Vec<String> = object
        .get("kill_chain_phases")
        .and_then(Value::as_array)
        .map(|phases| {
            phases
                .iter()
                .filter(|phase| {
                    phase.get("kill_chain_name").and_then(Value::as_str).is_some_and(|name| name.starts_with("mitre-"))
                })
                .filter_map(|phase| phase.get("phase_name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    // A tactic is cited by its short name in kill chain phases (`initial-access`):
    // keep it as the tactic's own, so citations resolve.
    let tactics = match object.get("x_mitre_shortname").and_then(Value::as_str) {
        Some(shortname) if tactics.is_empty() => vec![shortname.to_owned()],
        _ => tactics,
    };
    Some(AttackEntry {
        attack_id,
        stix_id: text("id")?,
        kind: text("type")?,
        name: text("name")?,
        tactics,
        url,
        deprecated: flag("revoked") || flag("x_mitre_deprecated"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn ids_parse_in_any_case_and_reject_the_rest() {
        assert_eq!(AttackId::parse("t1566.001").map(|id| id.to_string()), Some("T1566.001".to_owned()));
        assert!(AttackId::parse("TA0001").is_some_and(|id| !id.is_technique()));
        assert!(AttackId::parse("T1566").is_some_and(|id| id.is_technique()));
        for bad in ["", "T156", "T15666", "T1566.01", "1566", "TTTT1566", "T1566.0011", "T1566."] {
            assert_eq!(AttackId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_technique_entry_has_its_name_tactics_and_url() {
        let object = json!({
            "type": "attack-pattern", "id": "attack-pattern--a62a8db3-f23a-4d8f-afd6-9dbc77e7813b",
            "name": "Spearphishing Attachment",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1566.001",
                "url": "https://attack.mitre.org/techniques/T1566/001"}],
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"},
                {"kill_chain_name": "lockheed", "phase_name": "delivery"}]
        });
        let entry = attack_entry(&object).expect("an entry");
        assert_eq!(entry.attack_id.as_str(), "T1566.001");
        assert_eq!(entry.tactics, vec!["initial-access".to_owned()]);
        assert_eq!(entry.url.as_deref(), Some("https://attack.mitre.org/techniques/T1566/001"));
        assert!(!entry.deprecated);
        assert_eq!(attack_entry(&json!({"type": "relationship", "id": "relationship--1"})), None);
    }

    proptest! {
        #[test]
        fn parsing_is_idempotent(text in "[tTaAgGsS]{1,2}[0-9]{4}(\\.[0-9]{3})?") {
            let id = AttackId::parse(&text).expect("well-formed ids parse");
            prop_assert_eq!(AttackId::parse(id.as_str()), Some(id.clone()));
        }

        #[test]
        fn parsing_never_panics(text in ".{0,20}") {
            let _ = AttackId::parse(&text);
        }
    }
}
