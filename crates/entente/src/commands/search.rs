//! `entente search`: the operator's search over everything the node holds.

use crate::cli::SearchArgs;
use crate::datadir::DataDir;
use crate::output::emit;
use entente_core::search::{Document, Query, highlight};
use entente_store::SearchScope;
use serde::Serialize;

#[derive(Debug, Serialize)]
struct Found {
    id: String,
    #[serde(rename = "type")]
    object_type: String,
    version: String,
    collection: String,
    score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    highlight: Option<entente_core::search::Highlight>,
    object: serde_json::Value,
}

/// The query parameters the CLI flags stand for, parsed by the same `Query` as the API.
fn pairs(args: &SearchArgs) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    if !args.words.is_empty() {
        pairs.push(("q".to_owned(), args.words.join(" ")));
    }
    let lists = [("type", &args.types), ("source", &args.source), ("marking", &args.marking)];
    for (key, values) in lists {
        pairs.extend(values.iter().map(|value| (key.to_owned(), value.clone())));
    }
    for (key, value) in [("since", &args.since), ("until", &args.until)] {
        if let Some(value) = value {
            pairs.push((key.to_owned(), value.clone()));
        }
    }
    pairs.push(("limit".to_owned(), args.limit.to_string()));
    pairs
}

pub fn run(dir: &DataDir, args: &SearchArgs) -> anyhow::Result<()> {
    let query = Query::parse(&pairs(args)).map_err(|error| anyhow::anyhow!("{error} (see `entente search --help`)"))?;
    let store = dir.open_store()?;
    let hits = store.search(&query, &SearchScope::All, 0, query.limit)?;
    let words = query.highlight_words();
    let found: Vec<Found> = hits
        .into_iter()
        .map(|hit| Found {
            highlight: highlight(&Document::from_json(&hit.row.json), &words),
            object: serde_json::from_str(&hit.row.json).unwrap_or_default(),
            id: hit.row.id,
            object_type: hit.object_type,
            version: hit.row.version,
            collection: hit.collection_id,
            score: hit.score,
        })
        .collect();
    emit(args.json, &found, |found| {
        if found.is_empty() {
            return "Nothing found. Try fewer words, a prefix (word*), or fewer filters.".to_owned();
        }
        let mut text = String::new();
        for hit in found {
            let name = hit.object.get("name").and_then(|name| name.as_str()).unwrap_or("");
            text.push_str(&format!("{}  {}  {}\n", hit.id, hit.version, name));
            if let Some(highlight) = &hit.highlight {
                text.push_str(&format!("    {}: {}\n", highlight.field, highlight.text));
            }
        }
        text.push_str(&format!("{} result(s); --limit for more, --json for the objects", found.len()));
        text
    })
}
