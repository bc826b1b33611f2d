//! STIX identifiers: `object-type--UUID`.
//!
//! A [`StixId`] can only be made by [`StixId::parse`], which checks the type part
//! against the STIX type-name rules and the UUID part against RFC 4122 syntax. It
//! does not check that the type is one the specification defines: custom types are
//! legal identifiers.

use std::fmt;

/// A syntactically valid STIX identifier.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StixId {
    text: String,
    separator: usize,
}

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid STIX identifier {text:?}: {reason}")]
pub struct IdError {
    pub text: String,
    pub reason: &'static str,
}

/// Checks a STIX type name: 3 to 250 characters of `a-z`, `0-9` and `-`, no leading,
/// trailing or doubled hyphen.
pub fn is_valid_type_name(name: &str) -> bool {
    (3..=250).contains(&name.len())
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-')
        && !name.contains("--")
}

impl StixId {
    pub fn parse(text: &str) -> Result<StixId, IdError> {
        let error = |reason| IdError { text: text.to_owned(), reason };
        let separator = text.find("--").ok_or_else(|| error("missing '--' between type and UUID"))?;
        let (kind, uuid) = (&text[..separator], &text[separator + 2..]);
        if !is_valid_type_name(kind) {
            return Err(error("type part must be 3-250 characters of a-z, 0-9 and single hyphens"));
        }
        let parsed = uuid::Uuid::try_parse(uuid).map_err(|_| error("UUID part is not a UUID"))?;
        // RFC 4122 reads hex digits in either case (the OASIS examples use both), so
        // only the hyphenated 36-character form is required here.
        if uuid.len() != 36 {
            return Err(error("UUID part must be in hyphenated form (8-4-4-4-12 hex digits)"));
        }
        // RFC 4122 variant bits; the nil UUID is tolerated because the specification's
        // own examples and some producers use it for placeholders.
        if !parsed.is_nil() && parsed.get_variant() != uuid::Variant::RFC4122 {
            return Err(error("UUID part is not an RFC 4122 UUID"));
        }
        Ok(StixId { text: text.to_owned(), separator })
    }

    /// Makes an id from a type and a UUID that are already known to be valid.
    pub fn from_parts(kind: &str, uuid: uuid::Uuid) -> Result<StixId, IdError> {
        StixId::parse(&format!("{kind}--{uuid}"))
    }

    pub fn object_type(&self) -> &str {
        &self.text[..self.separator]
    }

    pub fn uuid_text(&self) -> &str {
        &self.text[self.separator + 2..]
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for StixId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_spec_ids() {
        let id = StixId::parse("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").unwrap();
        assert_eq!(id.object_type(), "indicator");
        assert!(StixId::parse("x-acme-widget--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").is_ok());
        assert!(StixId::parse("relationship--81f12913-1372-4c96-85ec-E9034ac98aba").is_ok());
    }

    #[test]
    fn refuses_bad_ids() {
        for text in [
            "indicator-8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "in--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "Indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "indicator--not-a-uuid",
            "indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f",
            "indicator--8e2e2d2b-17d4-4cbf-738f-98ee46b3cd3f",
        ] {
            assert!(StixId::parse(text).is_err(), "{text} should be refused");
        }
    }
}
