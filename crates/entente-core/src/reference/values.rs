//! The literal values an indicator's STIX pattern tests for equality, with the
//! property they are compared to: what warning lists and matchers look at.
//!
//! Only `=` and `IN` comparisons with string constants yield values: a `!=`, a `LIKE`
//! or a `MATCHES` names no single value that could be a known false positive.

use crate::pattern::{Comparison, Constant, Operator, PathStep, parse};
use serde::Serialize;

/// One value a pattern compares a property to, such as `domain-name:value` = `x.org`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct PatternValue {
    /// The object path as written: `ipv4-addr:value`, `file:hashes.'SHA-256'`.
    pub path: String,
    pub value: String,
}

impl PatternValue {
    /// The STIX object type the value belongs to (`ipv4-addr`).
    pub fn object_type(&self) -> &str {
        self.path.split(':').next().unwrap_or_default()
    }
}

/// The values of a STIX pattern's equality tests; an unparseable pattern has none.
pub fn pattern_values(pattern: &str) -> Vec<PatternValue> {
    let Ok(parsed) = parse(pattern) else { return Vec::new() };
    let mut values: Vec<PatternValue> = parsed.comparisons().into_iter().flat_map(comparison_values).collect();
    values.sort();
    values.dedup();
    values
}

/// The values an object puts forward: an indicator's pattern values (STIX patterns
/// only), or a cyber-observable's `value` (`ipv4-addr`, `domain-name`, `url`…). Other
/// objects have none.
pub fn object_values(object: &serde_json::Value) -> Vec<PatternValue> {
    let field = |key: &str| object.get(key).and_then(serde_json::Value::as_str);
    match field("type") {
        Some("indicator") if field("pattern_type").is_none_or(|kind| kind == "stix") => {
            field("pattern").map(pattern_values).unwrap_or_default()
        }
        Some(kind @ ("ipv4-addr" | "ipv6-addr" | "domain-name" | "url" | "email-addr")) => field("value")
            .map(|value| vec![PatternValue { path: format!("{kind}:value"), value: value.to_owned() }])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

fn comparison_values(comparison: &Comparison) -> Vec<PatternValue> {
    if comparison.negated {
        return Vec::new();
    }
    let path = path_text(comparison);
    let strings: Vec<&str> = match (&comparison.operator, &comparison.value) {
        (Operator::Equal, Constant::String(text)) => vec![text],
        (Operator::In, Constant::Set(members)) => members
            .iter()
            .filter_map(|member| match member {
                Constant::String(text) => Some(text.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    strings.into_iter().map(|value| PatternValue { path: path.clone(), value: value.to_owned() }).collect()
}

fn path_text(comparison: &Comparison) -> String {
    let steps: Vec<String> = comparison
        .path
        .steps
        .iter()
        .map(|step| match step {
            PathStep::Property(name) if name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => name.clone(),
            PathStep::Property(name) => format!("'{name}'"),
            PathStep::Index(index) => format!("[{index}]"),
            PathStep::AnyIndex => "[*]".to_owned(),
        })
        .collect();
    format!("{}:{}", comparison.path.object_type, steps.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Every value written in an `IN` set or an `=` comes back, quotes and
        /// backslashes unescaped, each once.
        #[test]
        fn written_values_come_back(values in proptest::collection::btree_set("[ -~]{1,20}", 1..5)) {
            let escaped: Vec<String> = values
                .iter()
                .map(|value| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'")))
                .collect();
            let pattern = format!("[domain-name:value IN ({})]", escaped.join(", "));
            let found: Vec<String> = pattern_values(&pattern).into_iter().map(|value| value.value).collect();
            prop_assert_eq!(found, values.into_iter().collect::<Vec<_>>());
        }

        #[test]
        fn any_text_is_safe(text in ".{0,60}") {
            let _ = pattern_values(&text);
        }
    }

    #[test]
    fn equality_and_in_values_are_read_and_the_rest_ignored() {
        let values = pattern_values(
            "[ipv4-addr:value = '8.8.8.8' OR domain-name:value IN ('a.example', 'b.example')] AND \
             [file:hashes.'SHA-256' = 'aa' AND file:name != 'x.exe' AND url:value LIKE '%evil%']",
        );
        let pairs: Vec<(&str, &str)> = values.iter().map(|v| (v.path.as_str(), v.value.as_str())).collect();
        assert_eq!(
            pairs,
            vec![
                ("domain-name:value", "a.example"),
                ("domain-name:value", "b.example"),
                ("file:hashes.'SHA-256'", "aa"),
                ("ipv4-addr:value", "8.8.8.8"),
            ]
        );
        assert_eq!(values[3].object_type(), "ipv4-addr");
        assert!(pattern_values("not a pattern").is_empty());
    }

    #[test]
    fn objects_put_forward_their_pattern_or_observable_values() {
        let indicator = serde_json::json!({"type": "indicator", "pattern_type": "stix",
            "pattern": "[ipv4-addr:value = '8.8.8.8']"});
        assert_eq!(object_values(&indicator)[0].value, "8.8.8.8");
        let sigma = serde_json::json!({"type": "indicator", "pattern_type": "sigma", "pattern": "[ipv4-addr:value = '1.1.1.1']"});
        assert!(object_values(&sigma).is_empty());
        let domain = serde_json::json!({"type": "domain-name", "value": "example.org"});
        assert_eq!(object_values(&domain)[0].path, "domain-name:value");
        assert!(object_values(&serde_json::json!({"type": "malware"})).is_empty());
    }
}
