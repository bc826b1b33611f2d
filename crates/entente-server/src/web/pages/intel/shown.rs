//! How objects are named on the pages: a title for any STIX object and readable
//! names for its markings. Everything here returns plain text; templates escape it.

use entente_core::stix::vocab::tlp_marking;
use entente_store::Store;
use serde_json::Value;
use std::collections::HashMap;

/// Longest title shown in a list before it is cut (patterns can be very long).
const TITLE_CHARS: usize = 120;

/// A title for an object: its name, else its value, pattern or sighting target, else its type.
pub(super) fn title(object: &Value) -> String {
    let text = ["name", "value", "pattern", "sighting_of_ref", "relationship_type", "subject", "body"]
        .iter()
        .find_map(|field| object.get(*field).and_then(Value::as_str))
        .unwrap_or_default();
    let text = if text.is_empty() { object.get("type").and_then(Value::as_str).unwrap_or("object") } else { text };
    cut(text, TITLE_CHARS)
}

/// `text` cut at `chars` characters, with an ellipsis when cut.
pub(super) fn cut(text: &str, chars: usize) -> String {
    match text.char_indices().nth(chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The string value of `field`, or empty.
pub(super) fn text(object: &Value, field: &str) -> String {
    object.get(field).and_then(Value::as_str).unwrap_or_default().to_owned()
}

/// A marking as shown: its id and a readable name (`TLP:GREEN`, an IEP policy's name).
#[derive(Debug, Clone)]
pub(super) struct Marking {
    pub(super) id: String,
    pub(super) name: String,
}

/// Names marking definitions: the TLP ones from the specification, others from their
/// stored definition in `collections` (at most one indexed read each, remembered).
pub(super) struct MarkingNames<'a> {
    store: &'a Store,
    collections: &'a [String],
    known: HashMap<String, String>,
}

impl<'a> MarkingNames<'a> {
    /// `collections` are where definitions may be read; empty for an envoy, who is
    /// shown ids of markings other than TLP.
    pub(super) fn new(store: &'a Store, collections: &'a [String]) -> MarkingNames<'a> {
        MarkingNames { store, collections, known: HashMap::new() }
    }

    /// The markings of `object` (`object_marking_refs`), named.
    pub(super) fn of(&mut self, object: &Value) -> Vec<Marking> {
        let refs = object.get("object_marking_refs").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        refs.iter().filter_map(Value::as_str).map(|id| Marking { id: id.to_owned(), name: self.name(id) }).collect()
    }

    fn name(&mut self, id: &str) -> String {
        if let Some(marking) = tlp_marking(id) {
            return marking.name.to_owned();
        }
        if let Some(name) = self.known.get(id) {
            return name.clone();
        }
        let name = self.stored_name(id).unwrap_or_else(|| id.to_owned());
        self.known.insert(id.to_owned(), name.clone());
        name
    }

    fn stored_name(&self, id: &str) -> Option<String> {
        let filter = entente_core::taxii::Filter {
            versions: entente_core::taxii::VersionSelector { first: false, last: true, all: false, exact: Vec::new() },
            ..entente_core::taxii::Filter::everything()
        };
        for collection in self.collections {
            let page = self.store.query_full(collection, Some(id), &filter, 1).ok()?;
            if let Some(row) = page.rows.first() {
                let definition: Value = serde_json::from_str(&row.json).ok()?;
                let name = text(&definition, "name");
                return Some(if name.is_empty() { id.to_owned() } else { name });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn titles_prefer_names_and_cut_long_text() {
        assert_eq!(title(&json!({"type": "malware", "name": "Poison Ivy"})), "Poison Ivy");
        assert_eq!(title(&json!({"type": "ipv4-addr", "value": "10.0.0.1"})), "10.0.0.1");
        assert_eq!(title(&json!({"type": "note"})), "note");
        let long = "a".repeat(TITLE_CHARS + 5);
        let shown = title(&json!({"type": "indicator", "pattern": long}));
        assert_eq!(shown.chars().count(), TITLE_CHARS + 1);
        assert!(shown.ends_with('…'));
        assert_eq!(cut("été", 2), "ét…");
    }
}
