//! Every pair of MISP's own mapping files whose type the converter supports must come
//! out as MISP documents it, in the fields that matter. The coverage numbers are
//! asserted so that they cannot silently regress.

use entente_core::misp::{Attribute, Event, Galaxy, event_to_stix};
use entente_core::stix::StixObject;
use serde_json::Value;

fn mapping(name: &str) -> serde_json::Map<String, Value> {
    let path = format!("{}/../../../shared/data/misp/mapping-{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the shared MISP mapping files are present");
    serde_json::from_str(&text).expect("mapping files are JSON objects")
}

fn as_list(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn event_with(attribute: Attribute) -> Event {
    Event {
        uuid: "5a3c2fcd-8328-42bb-a95e-4f4402de0b81".into(),
        info: "mapping".into(),
        timestamp: Some(1_603_642_920),
        attributes: vec![attribute],
        ..Event::default()
    }
}

fn of_type<'a>(objects: &'a [Value], kind: &str) -> Option<&'a Value> {
    objects.iter().find(|object| object["type"] == kind)
}

/// Every object made must pass the node's own STIX validation.
fn assert_valid(objects: &[Value]) {
    for object in objects {
        if let Err(rejection) = StixObject::from_json(&object.to_string()) {
            panic!("{object} rejected: {rejection}");
        }
    }
}

/// The properties of an SCO that carry the observed value.
fn observable_values(sco: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = sco
        .as_object()
        .expect("SCOs are objects")
        .iter()
        .filter(|(key, _)| {
            matches!(key.as_str(), "value" | "name" | "number" | "hashes" | "key" | "dst_port" | "src_port")
        })
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect();
    out.sort_by(|left, right| left.0.cmp(&right.0));
    out
}

#[test]
fn attributes_follow_the_published_mapping() {
    let pairs = mapping("misp_attributes_to_stix21");
    let mut covered = Vec::new();
    let mut missed = Vec::new();
    for (name, pair) in &pairs {
        let expected = as_list(&pair["STIX"]);
        let misp: Attribute = serde_json::from_value(as_list(&pair["MISP"])[0].clone()).expect("a MISP attribute");
        let mut matched = true;
        // As an indicator (to_ids set): same pattern, same MISP labels, same kill chain.
        let mut detecting = misp.clone();
        detecting.to_ids = true;
        let made = event_to_stix(&event_with(detecting)).expect("converts");
        assert_valid(&made);
        if let Some(documented) = of_type(&expected, "indicator") {
            let ours = of_type(&made, "indicator");
            matched &= ours.is_some_and(|ours| {
                ours["pattern"] == documented["pattern"]
                    && ours["labels"] == documented["labels"]
                    && ours["kill_chain_phases"] == documented["kill_chain_phases"]
                    && ours["id"] == documented["id"]
            });
        }
        // As observed data (to_ids unset): the same root SCO with the same values.
        let mut observing = misp.clone();
        observing.to_ids = false;
        let made = event_to_stix(&event_with(observing)).expect("converts");
        assert_valid(&made);
        if let Some(documented) = of_type(&expected, "observed-data") {
            let root_id = documented["object_refs"][0].as_str().expect("observed data refers to its SCO");
            let root = expected.iter().find(|object| object["id"] == root_id).expect("root SCO in the pair");
            let ours = of_type(&made, "observed-data")
                .and_then(|observed| made.iter().find(|object| object["id"] == observed["object_refs"][0]));
            matched &=
                ours.is_some_and(|ours| ours["id"] == root["id"] && observable_values(ours) == observable_values(root));
        }
        // Attribute types MISP writes as an SDO of their own.
        for kind in ["campaign", "vulnerability"] {
            if let Some(documented) = of_type(&expected, kind) {
                matched &= of_type(&made, kind)
                    .is_some_and(|ours| ours["name"] == documented["name"] && ours["id"] == documented["id"]);
            }
        }
        if matched { covered.push(name.clone()) } else { missed.push(name.clone()) }
    }
    eprintln!("attribute pairs covered: {} of {}; not covered: {missed:?}", covered.len(), pairs.len());
    assert!(covered.len() >= COVERED_ATTRIBUTE_PAIRS, "coverage fell to {}: {missed:?}", covered.len());
}

/// Pairs of the attribute mapping reproduced (of 80: attachments, malware samples and rule languages are not); raise it when coverage grows.
const COVERED_ATTRIBUTE_PAIRS: usize = 73;

#[test]
fn galaxies_follow_the_published_mapping() {
    let pairs = mapping("misp_galaxies_to_stix21");
    let mut covered = Vec::new();
    let mut missed = Vec::new();
    for (name, pair) in &pairs {
        let documented = &as_list(&pair["STIX"])[0];
        let galaxy: Galaxy = serde_json::from_value(pair["MISP"].clone()).expect("a MISP galaxy");
        let event = Event {
            uuid: "5a3c2fcd-8328-42bb-a95e-4f4402de0b81".into(),
            info: "galaxy".into(),
            timestamp: Some(1_603_642_920),
            galaxies: vec![galaxy],
            ..Event::default()
        };
        // A galaxy with no STIX type here leaves nothing to convert.
        let made = event_to_stix(&event).unwrap_or_default();
        assert_valid(&made);
        let ours = made.iter().find(|object| object["id"] == documented["id"]);
        let same = |ours: &Value, key: &str| ours.get(key) == documented.get(key);
        let external_ids = |object: &Value| -> Vec<Value> {
            object["external_references"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|reference| reference.get("external_id").cloned())
                .collect()
        };
        let matched = ours.is_some_and(|ours| {
            ["type", "name", "kill_chain_phases", "labels"].iter().all(|key| same(ours, key))
                && (documented.get("aliases").is_none() || same(ours, "aliases"))
                && external_ids(ours) == external_ids(documented)
        });
        if matched { covered.push(name.clone()) } else { missed.push(name.clone()) }
    }
    eprintln!("galaxy pairs covered: {} of {}; not covered: {missed:?}", covered.len(), pairs.len());
    assert!(covered.len() >= COVERED_GALAXY_PAIRS, "coverage fell to {}: {missed:?}", covered.len());
}

/// Pairs of the galaxy mapping reproduced (of 27: countries, regions, locations and sectors are not).
const COVERED_GALAXY_PAIRS: usize = 23;

/// The comparisons (`path = 'value'`) of a pattern, as text, for containment checks.
fn comparisons_in(pattern: &str) -> Vec<String> {
    pattern
        .split(" AND ")
        .map(|part| part.trim_matches(|character| matches!(character, '[' | ']' | '(' | ')' | ' ')).to_owned())
        .collect()
}

#[test]
fn objects_follow_the_published_mapping() {
    let pairs = mapping("misp_objects_to_stix21");
    let mut covered = Vec::new();
    let mut missed = Vec::new();
    for (name, pair) in &pairs {
        let expected = as_list(&pair["STIX"]);
        let misps = as_list(&pair["MISP"]);
        let Ok(object) = serde_json::from_value::<entente_core::misp::Object>(misps[0].clone()) else {
            missed.push(name.clone());
            continue;
        };
        let event = Event {
            uuid: "5a3c2fcd-8328-42bb-a95e-4f4402de0b81".into(),
            info: "objects".into(),
            timestamp: Some(1_603_642_920),
            objects: vec![object],
            ..Event::default()
        };
        let made = event_to_stix(&event).expect("converts");
        assert_valid(&made);
        // MISP's indicator for the object: ours has its id, its labels and kill chain,
        // and each of our comparisons is one MISP writes (MISP adds `x_misp_` ones).
        let matched = match (of_type(&expected, "indicator"), of_type(&made, "indicator")) {
            (Some(documented), Some(ours)) => {
                let theirs = comparisons_in(documented["pattern"].as_str().unwrap_or_default());
                let mine = comparisons_in(ours["pattern"].as_str().unwrap_or_default());
                ours["id"] == documented["id"]
                    && ours["labels"] == documented["labels"]
                    && ours["kill_chain_phases"] == documented["kill_chain_phases"]
                    && mine.iter().all(|comparison| theirs.contains(comparison))
            }
            _ => false,
        };
        if !matched && std::env::var_os("MISP_DEBUG").is_some() {
            let ours = of_type(&made, "indicator");
            eprintln!(
                "{name}:\n  ours   {:?}\n  theirs {:?}",
                ours.map(|o| (&o["pattern"], &o["labels"], &o["kill_chain_phases"], &o["id"])),
                of_type(&expected, "indicator").map(|o| (
                    &o["pattern"],
                    &o["labels"],
                    &o["kill_chain_phases"],
                    &o["id"]
                ))
            );
        }
        if matched { covered.push(name.clone()) } else { missed.push(name.clone()) }
    }
    eprintln!("object pairs covered: {} of {}; not covered: {missed:?}", covered.len(), pairs.len());
    assert!(covered.len() >= COVERED_OBJECT_PAIRS, "coverage fell to {}: {missed:?}", covered.len());
}

/// Pairs of the object mapping whose indicator this converter reproduces (of 56). MISP
/// objects are otherwise carried whole (`x_misp_object`), so nothing of them is lost.
const COVERED_OBJECT_PAIRS: usize = 21;
