//! `entente intel show ID`: what the node knows about one object — the ATT&CK
//! techniques it cites, the warning lists its values are on, its labels explained, and
//! for an indicator its score now. The operator's view: every collection is consulted.

use crate::output::emit;
use anyhow::Context;
use entente_core::score::Score;
use entente_core::taxii::{Filter, VersionSelector};
use entente_server::knowledge::{Knowledge, TagView, TechniqueView, techniques};
use entente_store::Store;
use serde::Serialize;

#[derive(Serialize)]
struct Shown {
    id: String,
    #[serde(rename = "type")]
    object_type: String,
    name: Option<String>,
    collection: String,
    techniques: Vec<TechniqueView>,
    flagged: bool,
    warnings: Vec<entente_core::reference::Hit>,
    tags: Vec<TagView>,
    score: Option<Score>,
}

pub fn run(store: &Store, id: &str, json: bool) -> anyhow::Result<()> {
    entente_core::StixId::parse(id).map_err(|error| anyhow::anyhow!("{id:?} is not a STIX id: {error}"))?;
    let collections: Vec<String> = store.list_collections(None)?.into_iter().map(|collection| collection.id).collect();
    let versions = VersionSelector { first: false, last: true, all: false, exact: Vec::new() };
    let filter = Filter { versions, ..Filter::everything() };
    let mut found = None;
    for collection in &collections {
        if let Some(row) = store.query_objects(collection, Some(id), &filter, 1, true)?.rows.into_iter().next() {
            found = Some((collection.clone(), row));
            break;
        }
    }
    let (collection, row) =
        found.with_context(|| format!("this node holds no object {id} (see `entente intel import`)"))?;
    let object: serde_json::Value = serde_json::from_str(&row.json)?;
    let knowledge = Knowledge::load(store)?;
    let now = entente_core::Timestamp::from_unix_micros(super::now_micros());
    let warnings = knowledge.warnings(&object);
    let shown = Shown {
        id: id.to_owned(),
        object_type: object["type"].as_str().unwrap_or_default().to_owned(),
        name: object.get("name").and_then(|name| name.as_str()).map(str::to_owned),
        collection,
        techniques: techniques(store, &object, &collections)?,
        flagged: !warnings.is_empty(),
        warnings,
        tags: knowledge.tags(&object),
        score: knowledge.score(store, &object, &collections, now)?,
    };
    emit(json, &shown, human)
}

fn human(shown: &Shown) -> String {
    let mut text = format!("{} {}", shown.id, shown.name.as_deref().unwrap_or_default());
    text.push_str(&format!("\n  in collection {}", shown.collection));
    if let Some(score) = &shown.score {
        let state = if score.expired {
            " — EXPIRED (past valid_until)"
        } else if score.decayed {
            " — decayed"
        } else {
            ""
        };
        text.push_str(&format!(
            "\n  score {:.1} of base {:.0} ({} model, threshold {}, {} sighting(s)){state}",
            score.score, score.base, score.model, score.threshold, score.sightings
        ));
    }
    if shown.techniques.is_empty() {
        text.push_str("\n  cites no ATT&CK technique");
    }
    for technique in &shown.techniques {
        let name =
            technique.name.as_deref().unwrap_or("(not in the loaded catalogue: `entente reference load attack`)");
        let tactics =
            if technique.tactics.is_empty() { String::new() } else { format!(" [{}]", technique.tactics.join(", ")) };
        let kind = if technique.kind.as_deref() == Some("x-mitre-tactic") { "tactic" } else { "technique" };
        text.push_str(&format!("\n  {kind} {} {name}{tactics}", technique.attack_id));
    }
    for hit in &shown.warnings {
        text.push_str(&format!(
            "\n  FLAGGED: {} = {:?} is on warning list {:?} ({})",
            hit.path, hit.value, hit.list, hit.entry
        ));
    }
    for tag in &shown.tags {
        let meaning = tag.explanation.as_ref().and_then(|explained| {
            let entry = explained.value.as_ref().unwrap_or(&explained.predicate);
            entry.expanded.clone().or_else(|| entry.description.clone())
        });
        match meaning {
            Some(meaning) => text.push_str(&format!("\n  label {}: {meaning}", tag.tag)),
            None => text.push_str(&format!("\n  label {}", tag.tag)),
        }
    }
    text
}
