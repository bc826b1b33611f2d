//! The intelligence built into the binary, and each party's share of it.
//!
//! `demo/intel.json.gz` is written by `demo/generate.py` (MITRE ATT&CK techniques and a
//! fictional scenario; see there). An object whose `created_by_ref` names a party goes
//! to that party's node; everything else (the ATT&CK reference, MITRE's identity and
//! marking definition) goes to Southland's, the region's reference-data keeper.

use super::parties::{PARTIES, SOUTHLAND};
use anyhow::{Context, anyhow};
use entente_core::release::ObjectFacts;
use entente_core::stix::StixObject;
use entente_core::stix::vocab::tlp_level;
use entente_core::treaty::tlp_word;
use serde_json::Value;
use std::io::Read;

const BUNDLE: &[u8] = include_bytes!("../../../demo/intel.json.gz");

/// The built-in objects, split by party (indexed like [`PARTIES`]).
pub fn shares() -> anyhow::Result<Vec<Vec<StixObject>>> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(BUNDLE).read_to_string(&mut text).context("unpacking the built-in intelligence")?;
    let bundle: Value = serde_json::from_str(&text).context("reading the built-in intelligence")?;
    let objects = bundle.get("objects").and_then(Value::as_array).context("the built-in bundle has no objects")?;
    let mut shares: Vec<Vec<StixObject>> = PARTIES.iter().map(|_| Vec::new()).collect();
    for object in objects {
        let author = object.get("created_by_ref").and_then(Value::as_str);
        let holder = PARTIES.iter().position(|party| Some(party.node_id) == author).unwrap_or(SOUTHLAND);
        let parsed = StixObject::from_json(&object.to_string())
            .map_err(|rejection| anyhow!("a built-in object is not valid STIX: {rejection}"))?;
        shares[holder].push(parsed);
    }
    Ok(shares)
}

/// What the summary says about one object version.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Described {
    pub id: String,
    #[serde(rename = "type")]
    pub object_type: String,
    pub name: Option<String>,
    /// The strictest TLP marking (`clear`…`red`), or none.
    pub tlp: Option<&'static str>,
    pub topics: Vec<String>,
    pub created_by_ref: Option<String>,
}

/// Reads the facts the summary shows from an object's JSON.
pub fn describe(json: &str) -> anyhow::Result<Described> {
    let value: Value = serde_json::from_str(json)?;
    let facts = ObjectFacts::from_value(&value).map_err(|error| anyhow!("{error}"))?;
    let tlp = facts
        .markings
        .iter()
        .chain(&facts.granular_markings)
        .filter_map(|marking| tlp_level(marking))
        .max()
        .map(tlp_word);
    Ok(Described {
        id: facts.id.to_string(),
        object_type: facts.object_type,
        name: value.get("name").and_then(Value::as_str).map(str::to_owned),
        tlp,
        topics: facts.topics.iter().map(|topic| topic.as_str().to_owned()).collect(),
        created_by_ref: facts.created_by.map(|id| id.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generator and `parties.rs` must agree on the node ids: every party has a
    /// share, and everything else is reference data for Southland.
    #[test]
    fn every_party_authors_part_of_the_built_in_intelligence() {
        let shares = shares().expect("the built-in bundle loads");
        for (party, share) in PARTIES.iter().zip(&shares) {
            assert!(share.len() >= 2, "{} has {} objects", party.name, share.len());
        }
        let reference = shares[SOUTHLAND].iter().filter(|object| object.id().object_type() == "attack-pattern").count();
        assert!(reference >= 30, "{reference} ATT&CK techniques");
    }
}
