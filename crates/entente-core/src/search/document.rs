//! The searchable text of one STIX object.

use crate::pattern;
use crate::pattern::Constant;
use crate::stix::vocab::{TLP_1_0, TLP_2_0};
use serde_json::Value;

/// What the full-text index holds for one object version, one field per index column.
/// Lists are joined with newlines (FTS5 tokenizes them apart all the same).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// `name`, plus `value` for cyber-observables that have one (domain names, URLs…).
    pub name: String,
    pub description: String,
    /// `aliases`, `x_mitre_aliases`, and external ids (`T1566`, `CVE-…`).
    pub aliases: String,
    /// `labels`, `indicator_types`, `malware_types` and the like: the open vocabularies.
    pub labels: String,
    /// The string literals of a STIX pattern: the values an indicator looks for.
    pub patterns: String,
    /// One [`marking_token`] per marking, so the marking filter is an index lookup.
    pub markings: String,
}

/// The single index token standing for a marking id: the id with everything but
/// letters and digits removed, lower-cased, so a marking filter is one term lookup.
pub fn marking_token(marking: &str) -> String {
    compact(marking)
}

/// The tokens a marking filter matches: the id's token, or for a TLP name such as
/// `TLP:GREEN` the tokens of every TLP marking definition of that name (1.0 and 2.0).
pub fn marking_filter_tokens(marking: &str) -> Vec<String> {
    let upper = marking.trim().to_ascii_uppercase();
    let named: Vec<String> =
        TLP_1_0.iter().chain(TLP_2_0.iter()).filter(|row| row.name == upper).map(|row| compact(row.id)).collect();
    if named.is_empty() { vec![compact(marking)] } else { named }
}

fn compact(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect()
}

fn strings<'a>(object: &'a Value, key: &str) -> impl Iterator<Item = &'a str> {
    let value = object.get(key);
    let single = value.and_then(Value::as_str);
    let many = value.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str);
    single.into_iter().chain(many)
}

fn join<'a>(parts: impl Iterator<Item = &'a str>) -> String {
    parts.filter(|part| !part.is_empty()).collect::<Vec<_>>().join("\n")
}

impl Document {
    /// The searchable text of an object given as JSON; an empty document for text that
    /// is not a JSON object (stored objects always are: they were validated).
    pub fn from_json(text: &str) -> Document {
        serde_json::from_str::<Value>(text).map(|value| Document::of(&value)).unwrap_or_default()
    }

    /// The searchable text of an object.
    pub fn of(object: &Value) -> Document {
        let name = join(strings(object, "name").chain(strings(object, "value")));
        let description = join(strings(object, "description"));
        let external = object
            .get("external_references")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|reference| reference.get("external_id").and_then(Value::as_str));
        let aliases = join(strings(object, "aliases").chain(strings(object, "x_mitre_aliases")).chain(external));
        let label_keys = ["labels", "indicator_types", "malware_types", "threat_actor_types", "tool_types"];
        let labels = join(label_keys.iter().flat_map(|key| strings(object, key)));
        let patterns = object
            .get("pattern")
            .filter(|_| object.get("pattern_type").and_then(Value::as_str).is_none_or(|kind| kind == "stix"))
            .and_then(Value::as_str)
            .map(pattern_values)
            .unwrap_or_default();
        let markings = strings(object, "object_marking_refs").map(marking_token).collect::<Vec<_>>().join(" ");
        Document { name, description, aliases, labels, patterns, markings }
    }
}

/// The string constants of a STIX pattern, one a line; the raw pattern when it does
/// not parse (a received object from a lenient partner), so its values stay findable.
fn pattern_values(text: &str) -> String {
    let Ok(parsed) = pattern::parse(text) else { return text.to_owned() };
    let mut values = Vec::new();
    for comparison in parsed.comparisons() {
        collect(&comparison.value, &mut values);
    }
    values.join("\n")
}

fn collect(constant: &Constant, out: &mut Vec<String>) {
    match constant {
        Constant::String(text) => out.push(text.clone()),
        Constant::Set(items) => items.iter().for_each(|item| collect(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn an_indicator_yields_its_name_labels_pattern_values_and_marking() {
        let object = json!({
            "type": "indicator", "name": "Emotet C2", "description": "Seen in phishing",
            "labels": ["botnet"], "indicator_types": ["malicious-activity"],
            "pattern": "[domain-name:value = 'evil.example.com'] OR [ipv4-addr:value = '198.51.100.7']",
            "pattern_type": "stix",
            "object_marking_refs": ["marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"],
        });
        let document = Document::of(&object);
        assert_eq!(document.name, "Emotet C2");
        assert_eq!(document.labels, "botnet\nmalicious-activity");
        assert_eq!(document.patterns, "evil.example.com\n198.51.100.7");
        assert!(marking_filter_tokens("tlp:green").contains(&document.markings));
        assert_eq!(document.markings, "markingdefinition34098fce860f48ae8e50ebd3cc5e41da");
    }

    #[test]
    fn aliases_include_external_ids() {
        let object = json!({"type": "attack-pattern", "name": "Phishing", "aliases": ["Spearphishing"],
            "external_references": [{"source_name": "mitre-attack", "external_id": "T1566"}]});
        assert_eq!(Document::of(&object).aliases, "Spearphishing\nT1566");
    }

    #[test]
    fn an_unparsable_pattern_is_indexed_as_written() {
        let object = json!({"type": "indicator", "pattern": "[not a pattern", "pattern_type": "stix"});
        assert_eq!(Document::of(&object).patterns, "[not a pattern");
        let sigma = json!({"type": "indicator", "pattern": "title: x", "pattern_type": "sigma"});
        assert_eq!(Document::of(&sigma).patterns, "");
    }

    proptest! {
        #[test]
        fn every_quoted_value_of_a_pattern_is_indexed(value in "[a-z0-9.-]{1,30}") {
            let object = json!({"type": "indicator", "pattern_type": "stix",
                "pattern": format!("[domain-name:value = '{value}']")});
            prop_assert_eq!(Document::of(&object).patterns, value);
        }

        #[test]
        fn any_json_text_gives_a_document_without_panicking(text in ".*") {
            let _ = Document::from_json(&text);
        }

        #[test]
        fn marking_tokens_are_single_index_tokens(marking in ".*") {
            prop_assert!(marking_token(&marking).chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()));
        }
    }
}
