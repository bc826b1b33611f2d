//! TAXII 2.1 query filters: `added_after`, `limit`, `next` and `match[…]`.
//!
//! [`Filter::parse`] takes the already percent-decoded query pairs and the endpoint
//! they were sent to, and either returns a typed filter or says precisely which
//! parameter is wrong. Parameters an endpoint does not define, and `match[…]` fields
//! TAXII does not define, are ignored as the specification asks; a defined parameter
//! with a bad value is always an error, never silently dropped.

use super::Cursor;
use crate::{StixId, Timestamp};

/// Which endpoint the filter is for; each accepts a different subset of parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterScope {
    /// `…/objects/` and `…/manifest/` (GET).
    Objects,
    /// `…/objects/{id}/` (GET).
    Object,
    /// `…/objects/{id}/` (DELETE).
    ObjectDelete,
    /// `…/objects/{id}/versions/` (GET).
    Versions,
}

/// Which versions of each object a request selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSelector {
    pub first: bool,
    pub last: bool,
    pub all: bool,
    pub exact: Vec<Timestamp>,
}

impl VersionSelector {
    fn last() -> VersionSelector {
        VersionSelector { first: false, last: true, all: false, exact: Vec::new() }
    }

    fn all() -> VersionSelector {
        VersionSelector { first: false, last: false, all: true, exact: Vec::new() }
    }
}

/// A parsed TAXII filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub added_after: Option<Timestamp>,
    pub limit: Option<u32>,
    pub next: Option<Cursor>,
    pub ids: Vec<StixId>,
    pub types: Vec<String>,
    pub versions: VersionSelector,
    pub spec_versions: Vec<String>,
}

/// A parameter with a value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid query parameter `{parameter}`: {reason}")]
pub struct FilterError {
    pub parameter: String,
    pub reason: String,
}

fn invalid(parameter: &str, reason: impl Into<String>) -> FilterError {
    FilterError { parameter: parameter.to_owned(), reason: reason.into() }
}

impl Filter {
    /// A filter that selects everything (all versions), as an export wants.
    pub fn everything() -> Filter {
        Filter {
            added_after: None,
            limit: None,
            next: None,
            ids: Vec::new(),
            types: Vec::new(),
            versions: VersionSelector::all(),
            spec_versions: Vec::new(),
        }
    }

    pub fn parse(pairs: &[(String, String)], scope: FilterScope) -> Result<Filter, FilterError> {
        let mut filter = Filter { versions: VersionSelector::last(), ..Filter::everything() };
        if scope == FilterScope::Versions || scope == FilterScope::ObjectDelete {
            filter.versions = VersionSelector::all();
        }
        let paged = scope != FilterScope::ObjectDelete;
        for (name, value) in pairs {
            match name.as_str() {
                "added_after" if paged => filter.added_after = Some(parse_timestamp(name, value)?),
                "limit" if paged => filter.limit = Some(parse_limit(value)?),
                "next" if paged => {
                    filter.next = Some(Cursor::decode(value).map_err(|error| invalid(name, error.to_string()))?);
                }
                "match[id]" if scope == FilterScope::Objects => filter.ids.extend(parse_ids(name, value)?),
                "match[type]" if scope == FilterScope::Objects => filter.types.extend(parse_types(name, value)?),
                "match[version]" if scope != FilterScope::Versions => filter.versions = parse_versions(value)?,
                "match[spec_version]" => filter.spec_versions.extend(parse_spec_versions(name, value)?),
                _ => {}
            }
        }
        Ok(filter)
    }
}

fn parse_timestamp(name: &str, value: &str) -> Result<Timestamp, FilterError> {
    Timestamp::parse(value).map_err(|error| invalid(name, error.to_string()))
}

fn parse_limit(value: &str) -> Result<u32, FilterError> {
    match value.parse::<u64>() {
        Ok(0) => Err(invalid("limit", "must be a positive integer")),
        Ok(number) => Ok(u32::try_from(number).unwrap_or(u32::MAX)),
        Err(_) => Err(invalid("limit", format!("{value:?} is not a positive integer"))),
    }
}

fn values(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim)
}

fn parse_ids(name: &str, value: &str) -> Result<Vec<StixId>, FilterError> {
    values(value).map(|text| StixId::parse(text).map_err(|error| invalid(name, error.to_string()))).collect()
}

fn parse_types(name: &str, value: &str) -> Result<Vec<String>, FilterError> {
    values(value)
        .map(|text| {
            if crate::id::is_valid_type_name(text) {
                Ok(text.to_owned())
            } else {
                Err(invalid(name, format!("{text:?} is not a STIX type name")))
            }
        })
        .collect()
}

fn parse_versions(value: &str) -> Result<VersionSelector, FilterError> {
    let mut selector = VersionSelector { first: false, last: false, all: false, exact: Vec::new() };
    for text in values(value) {
        match text {
            "first" => selector.first = true,
            "last" => selector.last = true,
            "all" => selector.all = true,
            timestamp => selector.exact.push(parse_timestamp("match[version]", timestamp).map_err(|_| {
                invalid("match[version]", format!("{timestamp:?} is neither first, last, all nor a STIX timestamp"))
            })?),
        }
    }
    Ok(selector)
}

fn parse_spec_versions(name: &str, value: &str) -> Result<Vec<String>, FilterError> {
    values(value)
        .map(|text| match text {
            "2.0" | "2.1" => Ok(text.to_owned()),
            other => Err(invalid(name, format!("{other:?} is not a STIX version (2.0 or 2.1)"))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect()
    }

    #[test]
    fn parses_every_filter() {
        let filter = Filter::parse(
            &pairs(&[
                ("added_after", "2016-01-01T00:00:00Z"),
                ("limit", "10"),
                ("match[type]", "indicator,malware"),
                ("match[id]", "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
                ("match[version]", "first,2016-01-01T00:00:00.000Z"),
                ("match[spec_version]", "2.1"),
                ("match[unknown]", "ignored"),
            ]),
            FilterScope::Objects,
        )
        .unwrap();
        assert_eq!(filter.limit, Some(10));
        assert_eq!(filter.types, vec!["indicator", "malware"]);
        assert_eq!(filter.ids.len(), 1);
        assert!(filter.versions.first && !filter.versions.last);
        assert_eq!(filter.versions.exact.len(), 1);
    }

    #[test]
    fn defaults_follow_the_endpoint() {
        assert!(Filter::parse(&[], FilterScope::Objects).unwrap().versions.last);
        assert!(Filter::parse(&[], FilterScope::Versions).unwrap().versions.all);
        assert!(Filter::parse(&[], FilterScope::ObjectDelete).unwrap().versions.all);
    }

    #[test]
    fn names_the_bad_parameter() {
        for (name, value) in [
            ("limit", "0"),
            ("limit", "-1"),
            ("limit", "ten"),
            ("added_after", "yesterday"),
            ("match[version]", "newest"),
            ("match[type]", "Not A Type"),
            ("match[id]", "indicator--x"),
            ("match[spec_version]", "3.0"),
            ("next", "bogus"),
        ] {
            let error = Filter::parse(&pairs(&[(name, value)]), FilterScope::Objects).unwrap_err();
            assert_eq!(error.parameter, name);
        }
    }
}
