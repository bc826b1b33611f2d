//! PyMISP's real test events convert to what they should, with their markings.

use entente_core::misp::{MispError, event_to_stix, parse_events, stix_to_events};
use entente_core::stix::StixObject;
use entente_core::stix::vocab::TLP_1_0;
use serde_json::Value;
use std::collections::BTreeMap;

fn read(name: &str) -> String {
    let path = format!("{}/../../../shared/data/misp/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).expect("the shared PyMISP events are present")
}

fn counts(objects: &[Value]) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for object in objects {
        *out.entry(object["type"].as_str().expect("typed").to_owned()).or_default() += 1;
    }
    out
}

#[test]
fn the_sednit_event_converts_with_its_tlp_on_every_object() {
    let events = parse_events(&read("pymisp-existing_event.json")).expect("parses");
    assert_eq!(events.len(), 1);
    let objects = event_to_stix(&events[0]).expect("converts");
    for object in &objects {
        StixObject::from_json(&object.to_string()).unwrap_or_else(|rejection| panic!("{object}: {rejection}"));
    }
    let counts = counts(&objects);
    eprintln!("{counts:?}");
    // 9 attributes: 7 domains to detect, a link and a text; 49 objects, all detecting.
    assert_eq!(counts.get("indicator"), Some(&(7 + 49)));
    assert_eq!(counts.get("observed-data"), Some(&1), "the link");
    assert_eq!(counts.get("x-misp-attribute"), Some(&1), "the text");
    assert_eq!(counts.get("threat-actor"), Some(&1), "Sofacy");
    assert_eq!(counts.get("malware"), Some(&7));
    assert_eq!(counts.get("tool"), Some(&4));
    assert_eq!(counts.get("report"), Some(&1));
    assert_eq!(counts.get("identity"), Some(&1), "the creating organisation");
    // tlp:white on the event marks everything made from it, SCOs included.
    let white = TLP_1_0[0].id;
    for object in &objects {
        assert_eq!(object["object_marking_refs"], serde_json::json!([white]), "{object}");
    }
    let report = objects.iter().find(|object| object["type"] == "report").expect("a report");
    let labels = report["labels"].as_array().expect("labels");
    assert!(labels.iter().any(|label| label == "workflow:state=\"incomplete\""));
    assert!(
        labels.iter().any(|label| label == "misp-galaxy:exploit-kit=\"Sednit EK\""),
        "unmapped galaxy kept as a label"
    );
}

#[test]
fn conversion_is_deterministic() {
    let events = parse_events(&read("pymisp-existing_event.json")).expect("parses");
    assert_eq!(event_to_stix(&events[0]), event_to_stix(&events[0]));
}

#[test]
fn the_object_event_keeps_its_objects_tags_and_attributes() {
    let events = parse_events(&read("pymisp-event_obj_attr_tag.json")).expect("parses");
    let objects = event_to_stix(&events[0]).expect("converts");
    assert_eq!(counts(&objects).get("indicator"), Some(&2));
    let back = stix_to_events(&objects);
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].objects.len(), 2);
    let file = back[0].objects.iter().find(|object| object.name == "file").expect("the file object");
    assert_eq!(file.attributes[0].value, "bar");
    assert!(file.attributes[0].to_ids);
    assert!(file.attributes[0].tags.iter().any(|tag| tag.name == "blah"));
}

#[test]
fn a_galaxy_and_a_sighting_document_parse() {
    let galaxy: entente_core::misp::Galaxy =
        serde_json::from_str(&read("pymisp-galaxy.json")).expect("a galaxy parses");
    assert_eq!(galaxy.clusters.len(), 1);
    let sighting: entente_core::misp::Sighting =
        serde_json::from_str(&read("pymisp-sighting.json")).expect("a sighting parses");
    assert_eq!(sighting.timestamp, Some(11_111_111));
}

#[test]
fn sightings_become_stix_sightings_of_the_indicator() {
    let text = r#"{"Event": {"uuid": "11111111-2222-4333-8444-555555555555", "info": "seen", "timestamp": "1600000000",
        "Attribute": [{"uuid": "11111111-2222-4333-8444-666666666666", "type": "ip-dst", "category": "Network activity",
          "value": "198.51.100.7", "to_ids": true,
          "Sighting": [{"uuid": "11111111-2222-4333-8444-777777777777", "type": "0", "timestamp": "1600000100", "source": "sensor-1"}]}]}}"#;
    let objects = event_to_stix(&parse_events(text).expect("parses")[0]).expect("converts");
    let sighting = objects.iter().find(|object| object["type"] == "sighting").expect("a sighting");
    assert_eq!(sighting["sighting_of_ref"], "indicator--11111111-2222-4333-8444-666666666666");
    assert_eq!(sighting["id"], "sighting--11111111-2222-4333-8444-777777777777");
    StixObject::from_json(&sighting.to_string()).expect("valid");
    let back = stix_to_events(&objects);
    assert_eq!(back[0].sightings[0].attribute_uuid.as_deref(), Some("11111111-2222-4333-8444-666666666666"));
}

#[test]
fn an_unknown_tlp_tag_is_refused_not_dropped() {
    let text = r#"{"Event": {"uuid": "11111111-2222-4333-8444-555555555555", "info": "x", "Tag": [{"name": "tlp:ex:chr"}],
        "Attribute": [{"type": "domain", "value": "example.org", "to_ids": true}]}}"#;
    let error = event_to_stix(&parse_events(text).expect("parses")[0]).expect_err("refused");
    assert!(matches!(error, MispError::UnknownMarking(ref tag) if tag == "tlp:ex:chr"));
}

#[test]
fn a_marking_without_a_tag_travels_as_a_carrier_tag_and_comes_back() {
    let statement = "marking-definition--0c5a6d1e-0000-4000-8000-000000000001";
    let objects = vec![serde_json::json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--0c5a6d1e-0000-4000-8000-000000000002",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'evil.example']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
        "object_marking_refs": [statement, "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]
    })];
    let events = stix_to_events(&objects);
    let tags: Vec<&str> = events[0].attributes[0].tags.iter().map(|tag| tag.name.as_str()).collect();
    assert!(tags.contains(&"tlp:red"));
    let carrier = format!("entente:marking=\"{statement}\"");
    assert!(tags.contains(&carrier.as_str()), "{tags:?}");
    let again = event_to_stix(&events[0]).expect("converts back");
    let indicator = again.iter().find(|object| object["type"] == "indicator").expect("the indicator");
    let markings = indicator["object_marking_refs"].as_array().expect("markings");
    assert!(markings.iter().any(|marking| marking == statement));
    assert!(markings.iter().any(|marking| marking == "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"));
}

#[test]
fn a_granular_marking_marks_the_whole_attribute_in_misp() {
    let objects = vec![serde_json::json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--0c5a6d1e-0000-4000-8000-000000000003",
        "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
        "pattern": "[domain-name:value = 'partly.example']", "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
        "description": "a secret source",
        "granular_markings": [{"marking_ref": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "selectors": ["description"]}]
    })];
    let events = stix_to_events(&objects);
    let tags: Vec<&str> = events[0].attributes[0].tags.iter().map(|tag| tag.name.as_str()).collect();
    assert_eq!(tags, ["tlp:red"]);
}

#[test]
fn the_oasis_apt1_report_becomes_an_event_with_attributes_and_galaxies() {
    let path = format!("{}/../../../shared/data/stix-examples/apt1.json", env!("CARGO_MANIFEST_DIR"));
    let bundle: Value = serde_json::from_str(&std::fs::read_to_string(&path).expect("the APT1 bundle")).expect("JSON");
    let objects = bundle["objects"].as_array().expect("objects").clone();
    let events = stix_to_events(&objects);
    let apt1 = events.iter().find(|event| event.info.starts_with("APT1")).expect("the APT1 report is an event");
    assert!(apt1.attributes.iter().any(|attribute| attribute.kind == "ip-dst"), "{:?}", apt1.attributes);
    assert!(apt1.attributes.iter().any(|attribute| attribute.kind == "md5"), "{:?}", apt1.attributes);
    // Only what MISP has no type for stays a STIX pattern (certificate issuer and serial).
    let kept: Vec<&str> = apt1
        .attributes
        .iter()
        .filter(|attribute| attribute.kind == "stix2-pattern")
        .map(|attribute| attribute.value.as_str())
        .collect();
    assert!(kept.iter().all(|pattern| pattern.starts_with("[x509-certificate:")), "{kept:?}");
    let galaxy_types: Vec<&str> = apt1.galaxies.iter().map(|galaxy| galaxy.kind.as_str()).collect();
    assert!(
        galaxy_types.contains(&"threat-actor") && galaxy_types.contains(&"mitre-intrusion-set"),
        "{galaxy_types:?}"
    );
}

#[test]
fn organisation_only_and_sharing_group_items_become_tlp_red() {
    let red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
    let text = r#"{"Event": {"uuid": "21111111-2222-4333-8444-555555555555", "info": "mixed", "distribution": "3", "timestamp": "1600000000",
        "Attribute": [
          {"uuid": "21111111-2222-4333-8444-000000000001", "type": "domain", "value": "open.example", "to_ids": true, "distribution": "5"},
          {"uuid": "21111111-2222-4333-8444-000000000002", "type": "domain", "value": "ours.example", "to_ids": true, "distribution": "0"},
          {"uuid": "21111111-2222-4333-8444-000000000003", "type": "domain", "value": "group.example", "to_ids": true, "distribution": "4",
           "Tag": [{"name": "tlp:green"}]}]}}"#;
    let objects = event_to_stix(&parse_events(text).expect("parses")[0]).expect("converts");
    let markings = |suffix: &str| {
        objects
            .iter()
            .find(|object| object["id"] == format!("indicator--21111111-2222-4333-8444-00000000000{suffix}"))
            .map(|object| object["object_marking_refs"].clone())
            .expect("the indicator")
    };
    assert_eq!(markings("1"), Value::Null, "distribution 5 under an all-communities event restricts nothing");
    assert_eq!(markings("2"), serde_json::json!([red]));
    assert!(
        markings("3").as_array().expect("markings").iter().any(|marking| marking == red),
        "RED beside GREEN: the stricter wins"
    );

    let whole = text.replace(r#""distribution": "3""#, r#""distribution": "0""#);
    let objects = event_to_stix(&parse_events(&whole).expect("parses")[0]).expect("converts");
    assert!(objects.iter().all(|object| {
        object["object_marking_refs"].as_array().is_some_and(|refs| refs.iter().any(|marking| marking == red))
    }));
}

#[test]
fn misp_documents_are_told_from_stix_by_their_first_bytes() {
    use entente_core::misp::looks_like_misp;
    assert!(looks_like_misp(read("pymisp-existing_event.json").as_bytes()));
    assert!(looks_like_misp(read("pymisp-event_obj_attr_tag.json").as_bytes()));
    assert!(looks_like_misp(br#"{"response": [{"Event": {"info": "x"}}]}"#));
    let stix = format!("{}/../../../shared/data/stix-examples/apt1.json", env!("CARGO_MANIFEST_DIR"));
    assert!(!looks_like_misp(&std::fs::read(stix).expect("a STIX bundle")));
}
