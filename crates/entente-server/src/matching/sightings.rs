//! What `entente match` found → STIX 2.1 `sighting` objects, one per indicator
//! matched, checked by the core validator (a `StixObject` exists only when valid).
//!
//! A sighting carries the indicator's markings: it says that indicator was seen, so it
//! is at least as sensitive, and the release decision judges it by them.

use entente_core::stix::StixObject;
use entente_core::{StixId, Timestamp};
use serde_json::{Value, json};

/// The largest `count` STIX allows.
const MAX_COUNT: u64 = 999_999_999;

/// One indicator's matches, gathered over every input.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sighted {
    pub indicator: String,
    /// Records it matched in.
    pub count: u64,
    /// The earliest and latest record times (seconds since the epoch), where the
    /// inputs give them.
    pub first_seen: Option<f64>,
    pub last_seen: Option<f64>,
    /// The inputs it was seen in (`-` for standard input).
    pub files: Vec<String>,
    pub markings: Vec<String>,
}

/// The sighting of `sighted`, made at `now` with the id `uuid` (the caller draws it:
/// this module has no randomness); `node` is this node's identity, when there is a
/// node, and becomes `created_by_ref` and `where_sighted_refs`. `Err` when the rule's
/// id is not an indicator's (a plain `--values` list has none).
pub fn sighting(sighted: &Sighted, node: Option<&str>, now: Timestamp, uuid: &str) -> Result<StixObject, String> {
    let indicator = StixId::parse(&sighted.indicator).map_err(|error| error.to_string())?;
    if indicator.object_type() != "indicator" {
        return Err(format!("{} is not an indicator", sighted.indicator));
    }
    let seconds = |at: f64| Timestamp::from_unix_micros((at * 1e6) as i64).to_string();
    let first = sighted.first_seen.map_or_else(|| now.to_string(), seconds);
    let last = sighted.last_seen.map_or_else(|| now.to_string(), seconds);
    let mut object = json!({
        "type": "sighting",
        "spec_version": "2.1",
        "id": format!("sighting--{uuid}"),
        "created": now.to_string(),
        "modified": now.to_string(),
        "sighting_of_ref": sighted.indicator,
        "count": sighted.count.min(MAX_COUNT),
        "first_seen": first,
        "last_seen": last,
        "description": format!("Seen by entente match in {} record(s) of {}.", sighted.count, sighted.files.join(", ")),
    });
    if let Some(node) = node {
        object["created_by_ref"] = Value::from(node);
        object["where_sighted_refs"] = json!([node]);
    }
    if !sighted.markings.is_empty() {
        object["object_marking_refs"] = json!(sighted.markings);
    }
    StixObject::from_json(&object.to_string()).map_err(|rejection| rejection.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDICATOR: &str = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f";
    const NODE: &str = "identity--311b2d2d-f010-4473-83ec-1edf84858f4c";
    const UUID: &str = "6b1a2bd1-8d0b-4c6a-b0f3-9a4b3c1d2e3f";

    #[test]
    fn a_sighting_is_valid_stix_with_the_node_and_times() {
        let sighted = Sighted {
            indicator: INDICATOR.into(),
            count: 3,
            first_seen: Some(1_600_000_000.5),
            last_seen: Some(1_600_000_100.0),
            files: vec!["dns.log".into()],
            markings: vec!["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da".into()],
        };
        let now = Timestamp::from_unix_micros(1_700_000_000_000_000);
        let object = sighting(&sighted, Some(NODE), now, UUID).expect("valid");
        let value: Value = serde_json::from_str(object.json()).expect("JSON");
        assert_eq!(value["sighting_of_ref"], INDICATOR);
        assert_eq!(value["count"], 3);
        assert_eq!(value["first_seen"], "2020-09-13T12:26:40.500000Z");
        assert_eq!(value["last_seen"], "2020-09-13T12:28:20.000000Z");
        assert_eq!(value["where_sighted_refs"], json!([NODE]));
        assert_eq!(value["created_by_ref"], NODE);
        assert!(value["description"].as_str().is_some_and(|d| d.contains("dns.log")));
    }

    #[test]
    fn without_times_or_node_it_uses_the_scan_time() {
        let sighted = Sighted { indicator: INDICATOR.into(), count: 1, files: vec!["-".into()], ..Sighted::default() };
        let now = Timestamp::from_unix_micros(1_700_000_000_000_000);
        let value: Value =
            serde_json::from_str(sighting(&sighted, None, now, UUID).expect("valid").json()).expect("JSON");
        assert_eq!(value["first_seen"], now.to_string());
        assert!(value.get("where_sighted_refs").is_none());
        assert!(sighting(&Sighted { indicator: "values:x.txt:3".into(), ..sighted }, None, now, UUID).is_err());
    }
}
