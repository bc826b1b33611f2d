//! Canada's listed terrorist entities (Criminal Code, section 83.05), as the MISP
//! galaxy cluster `canada-listed-terrorist-entities`: one value per entity, with
//! `meta.id` (Public Safety Canada's number), `meta.published` (the listing date)
//! and `meta.summary` (the other names, comma- or semicolon-separated, or `N/A`).
//!
//! A parenthesised part of a name, such as `(AQIS)`, is also read as an alias, since
//! the cluster writes acronyms and translations that way.
//!
//! What it deliberately does not do: read the narrative `content`.

use super::{Authority, DesignationError, EntityKind, Record, un::is_date};
use serde::Deserialize;

/// The legal basis of every Canadian listing.
pub const LEGAL_BASIS: &str = "Criminal Code s. 83.05";

#[derive(Deserialize)]
struct Cluster {
    values: Vec<Value>,
}

#[derive(Deserialize)]
struct Value {
    value: String,
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default)]
    meta: Meta,
}

#[derive(Deserialize, Default)]
struct Meta {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    synonyms: Vec<String>,
}

pub fn parse(content: &[u8]) -> Result<Vec<Record>, DesignationError> {
    let cluster: Cluster =
        serde_json::from_slice(content).map_err(|error| DesignationError::Galaxy(error.to_string()))?;
    cluster.values.into_iter().map(record).collect()
}

fn record(value: Value) -> Result<Record, DesignationError> {
    let reference = match (&value.meta.id, &value.uuid) {
        (Some(serde_json::Value::String(id)), _) => id.clone(),
        (Some(serde_json::Value::Number(id)), _) => id.to_string(),
        (_, Some(uuid)) => uuid.clone(),
        _ => return Err(DesignationError::Galaxy(format!("{:?} has neither meta.id nor uuid", value.value))),
    };
    let name = value.value.trim().to_owned();
    if name.is_empty() {
        return Err(DesignationError::Galaxy(format!("entry {reference} has an empty value")));
    }
    let mut aliases: Vec<String> = parenthesised(&name);
    aliases.extend(value.meta.synonyms.iter().map(|synonym| synonym.trim().to_owned()));
    if let Some(summary) = &value.meta.summary {
        aliases.extend(split_names(summary));
    }
    let mut seen = std::collections::HashSet::new();
    aliases.retain(|alias| !alias.is_empty() && *alias != name && seen.insert(alias.clone()));
    Ok(Record {
        authority: Authority::canada(),
        reference,
        kind: EntityKind::Organization,
        name,
        aliases,
        programmes: vec![LEGAL_BASIS.to_owned()],
        listed_on: value.meta.published.filter(|date| is_date(date)),
    })
}

/// The parts of a name written in parentheses: `Asbat Al-Ansar (AAA) (The League of
/// Partisans)` → `["AAA", "The League of Partisans"]`.
fn parenthesised(name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = name;
    while let (Some(open), Some(close)) = (rest.find('('), rest.find(')')) {
        if close < open {
            rest = &rest[close + 1..];
            continue;
        }
        found.push(rest[open + 1..close].trim().to_owned());
        rest = &rest[close + 1..];
    }
    found
}

/// A summary's list of names: split on `,` `;` and ` and `, outside parentheses;
/// `N/A` means none.
fn split_names(summary: &str) -> Vec<String> {
    let summary = summary.trim().trim_end_matches('.');
    if summary.eq_ignore_ascii_case("n/a") || summary.is_empty() {
        return Vec::new();
    }
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    for character in summary.chars() {
        match character {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && (character == ',' || character == ';') {
            names.push(std::mem::take(&mut current));
        } else {
            current.push(character);
        }
    }
    names.push(current);
    names
        .iter()
        .flat_map(|name| name.split(" and "))
        .map(|name| name.trim().trim_start_matches("and ").trim().to_owned())
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_aliases_and_dates() {
        let json = r#"{"values":[{"value":"Asbat Al-Ansar (AAA)","uuid":"u1","meta":{"id":"15",
            "published":"2002-11-27","summary":"Osbat Al Ansar, Usbat Al Ansar and Esbat Al-Ansar"}},
            {"value":"Proud Boys","meta":{"id":510,"published":"2021-02-03","summary":"N/A"}}]}"#;
        let records = parse(json.as_bytes()).expect("sample parses");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].reference, "15");
        assert_eq!(records[0].aliases, vec!["AAA", "Osbat Al Ansar", "Usbat Al Ansar", "Esbat Al-Ansar"]);
        assert_eq!(records[0].listed_on.as_deref(), Some("2002-11-27"));
        assert_eq!(records[1].reference, "510");
        assert!(records[1].aliases.is_empty());
    }

    #[test]
    fn splits_outside_parentheses() {
        assert_eq!(
            split_names("Jaish-i-Mohammed (Mohammad, Muhammad), JeM"),
            vec!["Jaish-i-Mohammed (Mohammad, Muhammad)", "JeM"]
        );
    }

    #[test]
    fn refuses_other_json() {
        assert!(parse(b"{\"values\":[{\"value\":\"x\"}]}").is_err());
        assert!(parse(b"{}").is_err());
    }
}
