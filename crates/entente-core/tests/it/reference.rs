//! ATT&CK extraction on the real bundles MITRE publishes (`../shared/data/attack/`).

use entente_core::reference::{AttackEntry, attack_entry};
use entente_core::stix::stream::read_objects;
use std::io::BufReader;

fn entries(file: &str) -> Vec<AttackEntry> {
    let path = format!("{}/../../../shared/data/attack/{file}", env!("CARGO_MANIFEST_DIR"));
    let file = std::fs::File::open(&path).expect("the ATT&CK bundles are in ../shared/data/attack");
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut found = Vec::new();
    read_objects(reader, &mut |raw| {
        let object: serde_json::Value = serde_json::from_str(raw.get()).map_err(|error| error.to_string())?;
        found.extend(attack_entry(&object));
        Ok(())
    })
    .expect("the bundle streams");
    found
}

#[test]
fn the_ics_bundle_yields_its_techniques_with_names_and_tactics() {
    let entries = entries("ics-attack-18.1.json.gz");
    let techniques: Vec<&AttackEntry> = entries.iter().filter(|entry| entry.kind == "attack-pattern").collect();
    assert_eq!(techniques.len(), 95, "ATT&CK for ICS 18.1 has 95 techniques (deprecated ones included)");
    let spearphishing = techniques.iter().find(|entry| entry.attack_id.as_str() == "T0865").expect("T0865");
    assert_eq!(spearphishing.name, "Spearphishing Attachment");
    assert_eq!(spearphishing.tactics, vec!["initial-access".to_owned()]);
    assert_eq!(spearphishing.url.as_deref(), Some("https://attack.mitre.org/techniques/T0865"));
    assert!(entries.iter().any(|entry| entry.kind == "x-mitre-tactic" && entry.attack_id.as_str().starts_with("TA")));
    assert!(entries.iter().all(|entry| entry.kind != "relationship"));
}

#[test]
fn the_mobile_bundle_yields_sub_techniques_and_groups() {
    let entries = entries("mobile-attack-17.1.json.gz");
    assert!(entries.iter().any(|entry| entry.attack_id.as_str().contains('.')), "sub-techniques such as T1406.002");
    assert!(entries.iter().any(|entry| entry.kind == "intrusion-set" && entry.attack_id.as_str().starts_with('G')));
    assert!(entries.iter().any(|entry| entry.deprecated), "deprecated techniques are kept, flagged");
}
