//! MISP taxonomies (`machinetag.json`, the files `pytaxonomies` vendors from
//! misp-taxonomies): a namespace, its predicates and optionally values per predicate,
//! each with an expanded form and a description.
//!
//! Tags are machine tags: `namespace:predicate` or `namespace:predicate="value"`.
//! Namespace and predicate compare case-insensitively because both spellings occur in
//! the wild (`PAP:AMBER`, `pap:amber`); values compare case-insensitively too.

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    #[error("not a MISP taxonomy (machinetag.json): {0}")]
    Format(#[from] serde_json::Error),
    #[error("the taxonomy has an empty namespace")]
    EmptyNamespace,
}

/// One entry of a taxonomy: a predicate or a value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Entry {
    pub value: String,
    #[serde(default)]
    pub expanded: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
struct Values {
    predicate: String,
    #[serde(default)]
    entry: Vec<Entry>,
}

/// A parsed taxonomy. Made only by [`Taxonomy::parse`], which checks the namespace.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Taxonomy {
    pub namespace: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub version: Option<serde_json::Value>,
    #[serde(default)]
    pub predicates: Vec<Entry>,
    #[serde(default)]
    values: Vec<Values>,
}

/// What a tag means under a loaded taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TagExplanation {
    pub tag: String,
    pub namespace: String,
    pub predicate: Entry,
    pub value: Option<Entry>,
}

impl Taxonomy {
    pub fn parse(json: &str) -> Result<Taxonomy, TaxonomyError> {
        let taxonomy: Taxonomy = serde_json::from_str(json)?;
        if taxonomy.namespace.trim().is_empty() {
            return Err(TaxonomyError::EmptyNamespace);
        }
        Ok(taxonomy)
    }

    /// How many tags the taxonomy defines (predicates without values count once).
    pub fn tag_count(&self) -> usize {
        self.predicates.iter().map(|predicate| self.values_of(&predicate.value).map_or(1, <[Entry]>::len).max(1)).sum()
    }

    fn values_of(&self, predicate: &str) -> Option<&[Entry]> {
        self.values
            .iter()
            .find(|values| values.predicate.eq_ignore_ascii_case(predicate))
            .map(|values| values.entry.as_slice())
    }

    /// Explains `tag` when it is one of this taxonomy's: the predicate and, for a
    /// `predicate="value"` tag, the value. `None` for another namespace or an unknown
    /// predicate or value.
    pub fn explain(&self, tag: &str) -> Option<TagExplanation> {
        let (namespace, rest) = tag.trim().split_once(':')?;
        if !namespace.eq_ignore_ascii_case(&self.namespace) {
            return None;
        }
        let (predicate, value) = match rest.split_once('=') {
            Some((predicate, value)) => (predicate, Some(value.trim().trim_matches('"'))),
            None => (rest, None),
        };
        let predicate = self.predicates.iter().find(|entry| entry.value.eq_ignore_ascii_case(predicate.trim()))?;
        let value = match value {
            None => None,
            Some(value) => {
                let values = self.values_of(&predicate.value)?;
                Some(values.iter().find(|entry| entry.value.eq_ignore_ascii_case(value))?.clone())
            }
        };
        Some(TagExplanation {
            tag: tag.to_owned(),
            namespace: self.namespace.clone(),
            predicate: predicate.clone(),
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PAP: &str = r#"{"namespace": "PAP", "description": "Permissible Actions Protocol", "version": 3,
        "predicates": [{"value": "AMBER", "expanded": "(PAP:AMBER) Passive cross check",
                        "description": "Passive actions only"},
                       {"value": "RED", "expanded": "(PAP:RED) Non-detectable actions only"}]}"#;
    const IEP: &str = r#"{"namespace": "iep", "predicates": [{"value": "affected-party-notifications",
        "expanded": "Affected party notifications"}],
        "values": [{"predicate": "affected-party-notifications",
                    "entry": [{"value": "may", "expanded": "MAY"}, {"value": "must-not", "expanded": "MUST NOT"}]}]}"#;

    #[test]
    fn pap_amber_is_known_and_described_in_any_case() {
        let pap = Taxonomy::parse(PAP).expect("parses");
        let explained = pap.explain("pap:amber").expect("known");
        assert_eq!(explained.predicate.description.as_deref(), Some("Passive actions only"));
        assert!(pap.explain("PAP:BLUE").is_none());
        assert!(pap.explain("tlp:amber").is_none());
        assert_eq!(pap.tag_count(), 2);
    }

    #[test]
    fn predicate_values_are_explained() {
        let iep = Taxonomy::parse(IEP).expect("parses");
        let explained = iep.explain("iep:affected-party-notifications=\"must-not\"").expect("known");
        assert_eq!(explained.value.and_then(|value| value.expanded).as_deref(), Some("MUST NOT"));
        assert!(iep.explain("iep:affected-party-notifications=\"perhaps\"").is_none());
        assert_eq!(iep.tag_count(), 2);
    }

    #[test]
    fn an_empty_namespace_is_refused() {
        assert!(matches!(Taxonomy::parse(r#"{"namespace": " "}"#), Err(TaxonomyError::EmptyNamespace)));
        assert!(Taxonomy::parse("[]").is_err());
    }

    proptest! {
        #[test]
        fn explaining_never_panics(tag in ".{0,40}") {
            let pap = Taxonomy::parse(PAP).expect("parses");
            let _ = pap.explain(&tag);
        }
    }
}
