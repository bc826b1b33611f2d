//! `entente intel import --format misp` and `intel export --format misp`.
//!
//! Import converts each MISP event with `entente_core::misp` and then takes the STIX
//! import path: every object is validated by `StixObject::from_json` and stored in
//! batches through the store. An event that cannot be converted (a tag implying a
//! marking the node cannot represent) is rejected whole, with the reason, and the
//! import exits with status 2, as for rejected STIX objects.
//!
//! Export reads the objects through `intel::for_each_released`, the path the STIX
//! export takes, so an export `--for` a partner is judged by the same release decision
//! and recorded on the ledger the same way; only then is it converted to MISP.

use super::intel::{Selection, Summary, flush, for_each_released};
use anyhow::Context;
use entente_core::misp::{Event, event_document, event_to_valid_stix, parse_events, stix_to_events};
use entente_store::Store;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

/// Imports the MISP events of one document.
pub fn import_text(store: &Store, collection: &str, text: &str, summary: &mut Summary) -> anyhow::Result<()> {
    let events = parse_events(text).map_err(|error| anyhow::anyhow!("{error}"))?;
    for event in &events {
        import_event(store, collection, event, summary)?;
    }
    Ok(())
}

/// Converts and stores one event; `false` when it was rejected.
pub fn import_event(store: &Store, collection: &str, event: &Event, summary: &mut Summary) -> anyhow::Result<bool> {
    let (mut batch, rejected) = match event_to_valid_stix(event) {
        Ok(converted) => converted,
        Err(reason) => {
            summary.reject(reason);
            return Ok(false);
        }
    };
    for reason in rejected {
        summary.reject(reason);
    }
    for object in &batch {
        summary.warn(object);
    }
    flush(store, collection, &mut batch, summary)?;
    Ok(true)
}

/// Writes the selection as MISP events: to standard output as a `response` list, or
/// as a feed directory.
pub fn export(store: &Store, selection: Selection<'_>, out_dir: Option<&Path>) -> anyhow::Result<()> {
    let mut objects: Vec<Value> = Vec::new();
    for_each_released(store, &selection, &mut |text| {
        objects.push(serde_json::from_str(text).context("a stored object is not JSON")?);
        Ok(())
    })?;
    let events = stix_to_events(&objects);
    match out_dir {
        None => {
            let response: Vec<Value> = events.iter().map(event_document).collect();
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            serde_json::to_writer(&mut out, &json!({ "response": response }))?;
            out.write_all(b"\n")?;
            out.flush()?;
        }
        Some(dir) => write_feed(dir, &events)?,
    }
    Ok(())
}

/// A MISP feed: `manifest.json` (uuid → info, date, timestamp, tags, creator) and one
/// `<uuid>.json` per event, the layout MISP publishes and pulls.
fn write_feed(dir: &Path, events: &[Event]) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut manifest = serde_json::Map::new();
    for event in events {
        let path = dir.join(format!("{}.json", event.uuid));
        std::fs::write(&path, serde_json::to_vec(&event_document(event))?)
            .with_context(|| format!("writing {}", path.display()))?;
        manifest.insert(
            event.uuid.clone(),
            json!({
                "info": event.info,
                "date": event.date,
                "timestamp": event.timestamp.unwrap_or(0).to_string(),
                "Tag": event.tags,
                "Orgc": event.orgc,
                "threat_level_id": event.threat_level_id,
                "analysis": event.analysis,
            }),
        );
    }
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(())
}
