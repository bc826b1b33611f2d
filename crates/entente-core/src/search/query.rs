//! A search request, parsed from `q`, `type`, `source`, `marking`, `since`, `until`,
//! `limit` and `next` parameters.

use super::document::marking_filter_tokens;
use crate::{StixId, Timestamp};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The most results one page may ask for.
pub const MAX_LIMIT: u32 = 100;
const DEFAULT_LIMIT: u32 = 20;
/// Longer free text is refused: nobody types it, and it would make a costly query.
const MAX_TEXT_CHARS: usize = 512;
const MAX_TERMS: usize = 16;
const MAX_VALUES: usize = 32;

/// Why a search request was refused; the message says what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct QueryError(pub String);

/// Where the next page of a search starts: how many candidates the pages before it
/// went through. Opaque to clients (`s1.` and base64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchCursor {
    pub offset: u64,
}

const CURSOR_PREFIX: &str = "s1.";

impl SearchCursor {
    pub fn encode(self) -> String {
        format!("{CURSOR_PREFIX}{}", URL_SAFE_NO_PAD.encode(self.offset.to_string()))
    }

    pub fn decode(text: &str) -> Result<SearchCursor, QueryError> {
        let refused = || QueryError("`next` is not a value this server issued: pass back the `next` of a page".into());
        let body = text.strip_prefix(CURSOR_PREFIX).ok_or_else(refused)?;
        let bytes = URL_SAFE_NO_PAD.decode(body).map_err(|_| refused())?;
        let offset = std::str::from_utf8(&bytes).ok().and_then(|text| text.parse().ok()).ok_or_else(refused)?;
        Ok(SearchCursor { offset })
    }
}

/// A parsed search request. Free text is kept as terms, each rendered as a quoted
/// FTS5 string by [`Query::match_expression`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Words and quoted phrases of `q`; a word ending in `*` is a prefix.
    pub terms: Vec<Term>,
    /// STIX types (`indicator`, `malware`…); empty: any.
    pub types: Vec<String>,
    /// Node ids of originators or partners the object came from, or `local`.
    pub sources: Vec<String>,
    /// Index tokens of the markings asked for (any of them matches).
    pub marking_tokens: Vec<String>,
    /// Object versions (`modified`, else `created`) at or after.
    pub since: Option<Timestamp>,
    /// Object versions at or before.
    pub until: Option<Timestamp>,
    pub limit: u32,
    pub next: Option<SearchCursor>,
}

/// One unit of free text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word { text: String, prefix: bool },
    Phrase(String),
}

impl Query {
    /// Parses query parameters (repeated or comma-separated values for the lists).
    pub fn parse(pairs: &[(String, String)]) -> Result<Query, QueryError> {
        let mut query = Query {
            terms: Vec::new(),
            types: Vec::new(),
            sources: Vec::new(),
            marking_tokens: Vec::new(),
            since: None,
            until: None,
            limit: DEFAULT_LIMIT,
            next: None,
        };
        for (key, value) in pairs {
            match key.as_str() {
                "q" => query.terms.extend(terms(value)?),
                "type" => {
                    for item in list(value) {
                        query.types.push(stix_type(item)?);
                    }
                }
                "source" => {
                    for item in list(value) {
                        query.sources.push(source(item)?);
                    }
                }
                "marking" => {
                    for item in list(value) {
                        query.marking_tokens.extend(marking(item)?);
                    }
                }
                "since" => query.since = Some(timestamp("since", value)?),
                "until" => query.until = Some(timestamp("until", value)?),
                "limit" => query.limit = limit(value)?,
                "next" => query.next = Some(SearchCursor::decode(value)?),
                other => {
                    return Err(QueryError(format!(
                        "unknown parameter `{other}`: use q, type, source, marking, since, until, limit or next"
                    )));
                }
            }
        }
        if query.terms.len() > MAX_TERMS {
            return Err(QueryError(format!("`q` has more than {MAX_TERMS} words: search for fewer")));
        }
        if [query.types.len(), query.sources.len(), query.marking_tokens.len()].iter().any(|count| *count > MAX_VALUES)
        {
            return Err(QueryError(format!("at most {MAX_VALUES} values per filter")));
        }
        if let (Some(since), Some(until)) = (query.since, query.until)
            && since > until
        {
            return Err(QueryError("`since` is after `until`: nothing could match".into()));
        }
        Ok(query)
    }

    /// Whether results are ranked by relevance (there is free text) rather than newest first.
    pub fn is_ranked(&self) -> bool {
        !self.terms.is_empty()
    }

    /// The FTS5 `MATCH` expression for the free text and the marking filter, or `None`
    /// when there is neither. Every term is a double-quoted FTS5 string (quotes inside
    /// doubled), so operators and column names typed by a user are plain words.
    pub fn match_expression(&self) -> Option<String> {
        let mut parts = Vec::new();
        if !self.terms.is_empty() {
            let words: Vec<String> = self
                .terms
                .iter()
                .map(|term| match term {
                    Term::Word { text, prefix: true } => format!("{}*", quote(text)),
                    Term::Word { text, prefix: false } | Term::Phrase(text) => quote(text),
                })
                .collect();
            parts.push(format!("{{name description aliases labels patterns}} : ({})", words.join(" AND ")));
        }
        if !self.marking_tokens.is_empty() {
            let tokens: Vec<String> = self.marking_tokens.iter().map(|token| quote(token)).collect();
            parts.push(format!("markings : ({})", tokens.join(" OR ")));
        }
        (!parts.is_empty()).then(|| parts.join(" AND "))
    }

    /// The words to highlight in a snippet, lower-cased.
    pub fn highlight_words(&self) -> Vec<String> {
        self.terms
            .iter()
            .flat_map(|term| match term {
                Term::Word { text, .. } | Term::Phrase(text) => text.split(|c: char| !c.is_alphanumeric()),
            })
            .filter(|word| !word.is_empty())
            .map(str::to_lowercase)
            .collect()
    }
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

fn list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|item| !item.is_empty())
}

/// A word counts only if the index tokenizer will make a token of it: one letter or
/// digit at least. Pure punctuation is dropped rather than sent to FTS5.
fn searchable(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

fn terms(value: &str) -> Result<Vec<Term>, QueryError> {
    if value.chars().count() > MAX_TEXT_CHARS {
        return Err(QueryError(format!("`q` is longer than {MAX_TEXT_CHARS} characters")));
    }
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
        rest = &rest[start..];
        if let Some(after) = rest.strip_prefix('"') {
            // A phrase runs to the closing quote, or to the end when there is none.
            let end = after.find('"').unwrap_or(after.len());
            let phrase = after[..end].trim();
            if searchable(phrase) {
                out.push(Term::Phrase(phrase.to_owned()));
            }
            rest = after.get(end + 1..).unwrap_or("");
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let word = &rest[..end];
            let (text, prefix) = match word.strip_suffix('*') {
                Some(stem) => (stem.trim_end_matches('*'), true),
                None => (word, false),
            };
            if searchable(text) {
                out.push(Term::Word { text: text.replace('"', ""), prefix });
            }
            rest = &rest[end..];
        }
    }
    Ok(out)
}

fn stix_type(value: &str) -> Result<String, QueryError> {
    let valid = (3..=250).contains(&value.len())
        && value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if valid {
        Ok(value.to_owned())
    } else {
        Err(QueryError(format!("`{value}` is not a STIX type name (such as indicator or malware)")))
    }
}

fn source(value: &str) -> Result<String, QueryError> {
    if value == "local" {
        return Ok(value.to_owned());
    }
    StixId::parse(value).map(|id| id.as_str().to_owned()).map_err(|_| {
        QueryError(format!("`source={value}` is neither `local` nor a node id (identity--…): see `entente relations`"))
    })
}

fn marking(value: &str) -> Result<Vec<String>, QueryError> {
    let is_tlp_name = value.to_ascii_uppercase().starts_with("TLP:");
    if !is_tlp_name && StixId::parse(value).is_err() {
        return Err(QueryError(format!("`marking={value}` is neither a marking-definition id nor a TLP name")));
    }
    let tokens = marking_filter_tokens(value);
    if is_tlp_name && tokens.first().is_some_and(|token| token.starts_with("tlp")) {
        return Err(QueryError(format!(
            "`{value}` is not a TLP name: use TLP:CLEAR, GREEN, AMBER, AMBER+STRICT or RED"
        )));
    }
    Ok(tokens)
}

fn timestamp(name: &str, value: &str) -> Result<Timestamp, QueryError> {
    Timestamp::parse(value)
        .map_err(|_| QueryError(format!("`{name}` must be an RFC 3339 time such as 2026-01-31T00:00:00Z")))
}

fn limit(value: &str) -> Result<u32, QueryError> {
    match value.parse::<u32>() {
        Ok(limit) if (1..=MAX_LIMIT).contains(&limit) => Ok(limit),
        _ => Err(QueryError(format!("`limit` must be a number from 1 to {MAX_LIMIT}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Query, QueryError> {
        Query::parse(&pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<Vec<_>>())
    }

    #[test]
    fn free_text_becomes_quoted_terms_and_phrases() {
        let query = parse(&[("q", r#"emotet "spear phishing" NEAR lock*"#)]).expect("valid");
        assert_eq!(
            query.match_expression().as_deref(),
            Some(
                r#"{name description aliases labels patterns} : ("emotet" AND "spear phishing" AND "NEAR" AND "lock"*)"#
            )
        );
        assert!(query.is_ranked());
    }

    #[test]
    fn quotes_and_punctuation_cannot_break_out() {
        let query = parse(&[("q", r#"a"b ") ( * " OR"#)]).expect("valid");
        let expression = query.match_expression().expect("terms");
        assert!(expression.contains(r#""ab""#), "{expression}");
        assert!(parse(&[("q", r#"" ( ) * ""#)]).expect("valid").match_expression().is_none());
    }

    #[test]
    fn filters_are_parsed_and_checked() {
        let query = parse(&[
            ("type", "indicator,malware"),
            ("marking", "TLP:GREEN"),
            ("source", "local"),
            ("since", "2026-01-01T00:00:00Z"),
            ("limit", "5"),
        ])
        .expect("valid");
        assert_eq!(query.types, ["indicator", "malware"]);
        assert_eq!(query.marking_tokens.len(), 2, "TLP 1.0 and 2.0 green");
        assert!(!query.is_ranked());
        assert!(query.match_expression().expect("marking").starts_with("markings : ("));
        for bad in [
            ("type", "Indicator"),
            ("source", "bob"),
            ("marking", "TLP:PURPLE"),
            ("marking", "green"),
            ("since", "yesterday"),
            ("limit", "0"),
            ("limit", "1000"),
            ("next", "abc"),
            ("colour", "red"),
        ] {
            assert!(parse(&[bad]).is_err(), "{bad:?} accepted");
        }
        assert!(parse(&[("since", "2026-02-01T00:00:00Z"), ("until", "2026-01-01T00:00:00Z")]).is_err());
    }

    proptest! {
        #[test]
        fn cursors_round_trip(offset in any::<u64>()) {
            let cursor = SearchCursor { offset };
            prop_assert_eq!(SearchCursor::decode(&cursor.encode()), Ok(cursor));
        }

        #[test]
        fn any_text_parses_or_is_refused_without_panicking(text in ".{0,600}") {
            let _ = parse(&[("q", &text)]);
            let _ = SearchCursor::decode(&text);
        }

        #[test]
        fn every_quote_in_an_expression_is_balanced(text in "[a-z\" ()*:^{}-]{0,80}") {
            let expression = parse(&[("q", &text)]).ok().and_then(|query| query.match_expression());
            if let Some(expression) = expression {
                // Strip the fixed column filter; what is left must be quoted strings
                // joined by AND, with doubled quotes inside.
                let body = expression
                    .trim_start_matches("{name description aliases labels patterns} : (")
                    .trim_end_matches(')');
                for part in body.split(" AND ") {
                    let part = part.strip_suffix('*').unwrap_or(part);
                    prop_assert!(part.len() >= 2 && part.starts_with('"') && part.ends_with('"'), "{}", part);
                    prop_assert!(!part[1..part.len() - 1].replace("\"\"", "").contains('"'), "{}", part);
                }
            }
        }
    }
}
