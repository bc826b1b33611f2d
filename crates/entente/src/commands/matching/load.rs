//! Where the indicators come from: STIX bundles (`--bundle`), plain lists of values
//! (`--values`), or the node's own store. Whatever cannot be matched is counted with
//! its reason, never dropped silently.

use super::input;
use anyhow::Context;
use entente_core::stix::stream::read_objects;
use entente_match::{Kind, Rule, Term};
use entente_server::matching::{Keep, NodeIndicators, node_indicators};
use entente_store::Store;
use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// The first rejected values listed (all are counted).
const LISTED: usize = 20;

/// A value or rule refused, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Refused {
    pub id: String,
    pub reason: String,
}

/// The rules to match and what was left out.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The rules, each indicator's markings (carried by its sightings) and what was
    /// left out.
    pub indicators: NodeIndicators,
    /// Values that are no indicator (a list line of no known kind), then values the
    /// engine refused.
    pub rejected: u64,
    pub rejected_list: Vec<Refused>,
}

impl Loaded {
    pub fn reject(&mut self, id: String, reason: String) {
        self.rejected += 1;
        if self.rejected_list.len() < LISTED {
            self.rejected_list.push(Refused { id, reason });
        }
    }
}

/// Every indicator (with a STIX pattern) of a bundle: the latest version of each id.
pub fn bundle(path: &Path, loaded: &mut Loaded) -> anyhow::Result<()> {
    let reader = input::open(path, &indicatif::ProgressBar::hidden())?;
    let mut latest: HashMap<String, Value> = HashMap::new();
    let mut order = Vec::new();
    read_objects(BufReader::new(reader), &mut |raw| {
        let Ok(object) = serde_json::from_str::<Value>(raw.get()) else { return Ok(()) };
        if object.get("type").and_then(Value::as_str) != Some("indicator") {
            return Ok(());
        }
        let id = object.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let modified = |o: &Value| o.get("modified").and_then(Value::as_str).unwrap_or_default().to_owned();
        match latest.get(&id) {
            Some(held) if modified(held) >= modified(&object) => {}
            Some(_) => {
                latest.insert(id, object);
            }
            None => {
                order.push(id.clone());
                latest.insert(id, object);
            }
        }
        Ok(())
    })
    .with_context(|| format!("cannot read the bundle {} (a STIX 2.1 bundle, JSON, .gz allowed)", path.display()))?;
    for id in order {
        let Some(object) = latest.remove(&id) else { continue };
        if object.get("revoked") == Some(&Value::Bool(true)) {
            loaded.indicators.exclusions.revoked += 1;
            continue;
        }
        loaded.indicators.admit(&id, &object);
    }
    Ok(())
}

/// A plain list: one value a line, `#` comments, blank lines ignored; the kind is
/// guessed (`Kind::guess`) and the rule named `values:FILE:LINE`.
pub fn values(path: &Path, loaded: &mut Loaded) -> anyhow::Result<()> {
    let reader = input::open(path, &indicatif::ProgressBar::hidden())?;
    let name = path.display();
    for (index, line) in BufReader::new(reader).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read the value list {name}"))?;
        let value = line.trim();
        if value.is_empty() || value.starts_with('#') {
            continue;
        }
        let id = format!("values:{name}:{}", index + 1);
        match Kind::guess(value) {
            Some(kind) => loaded.indicators.rules.push(Rule::single(id, Term::new(kind, value))),
            None => loaded.reject(id, format!("{value:?} is no IP, network, domain, URL, e-mail address or hash")),
        }
    }
    Ok(())
}

/// The node's indicators, minus the stale and warning-listed unless kept.
pub fn node(store: &Store, keep: Keep, loaded: &mut Loaded) -> anyhow::Result<()> {
    let now = entente_core::Timestamp::from_unix_micros(super::super::now_micros());
    // Only used without bundles or lists: the node's indicators are all there is.
    loaded.indicators = node_indicators(store, now, keep)?;
    Ok(())
}
