//! Galaxy clusters ↔ STIX domain objects, per `misp/mapping-misp_galaxies_to_stix21.json`:
//! the galaxy type picks the STIX type (`threat-actor`, `mitre-intrusion-set` →
//! `intrusion-set`, `mitre-attack-pattern` → `attack-pattern` with its ATT&CK id and
//! kill chain…), the cluster uuid is the STIX id, synonyms become aliases.
//!
//! Clusters of galaxies with no STIX counterpart here (`exploit-kit`, `sector`, a
//! community's own galaxy) are not invented into a type: their tag stays a label of
//! the objects they were attached to.

use super::tags::structural_value;
use serde_json::{Map, Value, json};

/// The STIX type for a galaxy type, if this module maps it.
pub fn stix_type(galaxy_type: &str) -> Option<&'static str> {
    let bare = galaxy_type.trim_start_matches("mitre-").trim_start_matches("stix-2.0-").trim_start_matches("stix-2.1-");
    Some(match bare {
        "threat-actor" => "threat-actor",
        "intrusion-set" => "intrusion-set",
        "malware" | "enterprise-attack-malware" | "mobile-attack-malware" => "malware",
        "attack-pattern" | "enterprise-attack-attack-pattern" => "attack-pattern",
        "tool" | "enterprise-attack-tool" => "tool",
        "course-of-action" => "course-of-action",
        "campaign" => "campaign",
        "vulnerability" | "branded-vulnerability" => "vulnerability",
        _ => return None,
    })
}

/// The galaxy type written back for a STIX type (MISP's own galaxies).
pub fn galaxy_type(stix_type: &str) -> Option<&'static str> {
    Some(match stix_type {
        "threat-actor" => "threat-actor",
        "intrusion-set" => "mitre-intrusion-set",
        "malware" => "mitre-malware",
        "attack-pattern" => "mitre-attack-pattern",
        "tool" => "mitre-tool",
        "course-of-action" => "mitre-course-of-action",
        "campaign" => "stix-2.1-campaign",
        "vulnerability" => "branded-vulnerability",
        _ => return None,
    })
}

/// Common properties the caller fills in: id, timestamps, markings, creator.
#[derive(Debug)]
pub struct Frame<'a> {
    pub id: String,
    pub timestamp: &'a str,
    pub galaxy_name: &'a str,
}

/// The STIX object for one cluster of a mapped galaxy type.
pub fn cluster_object(stix_type: &str, cluster: &super::GalaxyCluster, frame: &Frame<'_>) -> Map<String, Value> {
    let meta = &cluster.meta;
    // A branded vulnerability names its CVE among its aliases.
    let external_id = meta.get("external_id").and_then(first_text).or_else(|| {
        (stix_type == "vulnerability")
            .then(|| texts(meta.get("aliases")).into_iter().find(|alias| alias.starts_with("CVE-")))?
            .map(str::to_owned)
    });
    let name = match &external_id {
        Some(id) => cluster.value.strip_suffix(&format!(" - {id}")).unwrap_or(&cluster.value).to_owned(),
        None => cluster.value.clone(),
    };
    let mut object = Map::new();
    object.insert("type".into(), json!(stix_type));
    object.insert("spec_version".into(), json!("2.1"));
    object.insert("id".into(), json!(frame.id));
    object.insert("created".into(), json!(frame.timestamp));
    object.insert("modified".into(), json!(frame.timestamp));
    object.insert("name".into(), json!(name));
    if let Some(description) = cluster.description.as_deref().filter(|text| !text.is_empty()) {
        object.insert("description".into(), json!(description));
    }
    // MISP lists the name among the synonyms at times; an alias is another name.
    let synonyms: Vec<&str> = texts(meta.get("synonyms")).into_iter().filter(|synonym| *synonym != name).collect();
    let aliased =
        matches!(stix_type, "threat-actor" | "intrusion-set" | "malware" | "tool" | "campaign" | "attack-pattern");
    if !synonyms.is_empty() && aliased {
        object.insert("aliases".into(), json!(synonyms));
    }
    if stix_type == "malware" {
        object.insert("is_family".into(), json!(true));
    }
    let phases: Vec<Value> = texts(meta.get("kill_chain"))
        .into_iter()
        .filter_map(|phase| phase.split_once(':'))
        .map(|(chain, phase)| json!({"kill_chain_name": chain, "phase_name": phase}))
        .collect();
    if !phases.is_empty() && matches!(stix_type, "attack-pattern" | "malware" | "tool" | "indicator") {
        object.insert("kill_chain_phases".into(), json!(phases));
    }
    object.insert(
        "labels".into(),
        json!([
            format!("misp:galaxy-name=\"{}\"", frame.galaxy_name),
            format!("misp:galaxy-type=\"{}\"", cluster.kind)
        ]),
    );
    let mut references = Vec::new();
    if let Some(id) = &external_id {
        let source = if stix_type == "vulnerability" {
            "cve"
        } else if id.starts_with("CAPEC-") {
            "capec"
        } else {
            "mitre-attack"
        };
        references.push(json!({"source_name": source, "external_id": id}));
    }
    for url in texts(meta.get("refs")) {
        references.push(json!({"source_name": "url", "url": url}));
    }
    if !references.is_empty() {
        object.insert("external_references".into(), json!(references));
    }
    object
}

/// A galaxy cluster read back from a mapped STIX object.
pub fn cluster_of(object: &Value) -> Option<(String, super::GalaxyCluster)> {
    let stix_type = object.get("type")?.as_str()?;
    let labels: Vec<String> = object
        .get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|label| label.as_str().map(str::to_owned))
        .collect();
    let kind = structural_value(&labels, "misp:galaxy-type")
        .map(str::to_owned)
        .or_else(|| galaxy_type(stix_type).map(str::to_owned))?;
    let galaxy_name = structural_value(&labels, "misp:galaxy-name").map(str::to_owned).unwrap_or_else(|| kind.clone());
    let name = object.get("name")?.as_str()?;
    let mut meta = Map::new();
    let references = object.get("external_references").and_then(Value::as_array);
    let external_id = references
        .into_iter()
        .flatten()
        .find(|reference| {
            matches!(reference.get("source_name").and_then(Value::as_str), Some("mitre-attack" | "cve" | "capec"))
        })
        .and_then(|reference| reference.get("external_id")?.as_str());
    if let Some(id) = external_id {
        meta.insert("external_id".into(), json!(id));
    }
    let urls: Vec<&str> =
        references.into_iter().flatten().filter_map(|reference| reference.get("url")?.as_str()).collect();
    if !urls.is_empty() {
        meta.insert("refs".into(), json!(urls));
    }
    if let Some(aliases) = object.get("aliases") {
        meta.insert("synonyms".into(), aliases.clone());
    }
    let phases: Vec<String> = object
        .get("kill_chain_phases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|phase| {
            Some(format!("{}:{}", phase.get("kill_chain_name")?.as_str()?, phase.get("phase_name")?.as_str()?))
        })
        .collect();
    if !phases.is_empty() {
        meta.insert("kill_chain".into(), json!(phases));
    }
    let value = match external_id {
        Some(id) if stix_type != "vulnerability" => format!("{name} - {id}"),
        _ => name.to_owned(),
    };
    let uuid = object.get("id")?.as_str()?.split_once("--")?.1.to_owned();
    let cluster = super::GalaxyCluster {
        uuid: Some(uuid),
        tag_name: Some(format!("misp-galaxy:{kind}=\"{value}\"")),
        kind,
        value,
        description: object.get("description").and_then(Value::as_str).map(str::to_owned),
        meta,
    };
    Some((galaxy_name, cluster))
}

fn first_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Array(items) => items.first().and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn texts(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(text)) => vec![text.as_str()],
        _ => Vec::new(),
    }
}
