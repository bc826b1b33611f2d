//! Media types and content negotiation for TAXII 2.1.
//!
//! A request is acceptable when its `Accept` header is absent or names
//! `application/taxii+json` (with `version=2.1` or no version), `application/*` or
//! `*/*`. Any other version of the TAXII media type is refused: a 2.0 client must
//! learn that it speaks the wrong protocol, not receive 2.1 bodies.

pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

/// One entry of an `Accept` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaRange {
    pub essence: String,
    pub version: Option<String>,
    pub quality_zero: bool,
}

impl MediaRange {
    fn parse(text: &str) -> MediaRange {
        let mut parts = text.split(';');
        let essence = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let mut version = None;
        let mut quality_zero = false;
        for parameter in parts {
            let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            let value = value.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "version" => version = Some(value.to_owned()),
                "q" => quality_zero = value.parse::<f32>().map(|q| q <= 0.0).unwrap_or(false),
                _ => {}
            }
        }
        MediaRange { essence, version, quality_zero }
    }

    fn accepts_taxii(&self) -> bool {
        if self.quality_zero {
            return false;
        }
        match self.essence.as_str() {
            "*/*" | "application/*" => true,
            "application/taxii+json" => self.version.as_deref().is_none_or(|version| version == "2.1"),
            _ => false,
        }
    }
}

/// Whether an `Accept` header value (or its absence) lets us answer with TAXII 2.1.
pub fn accepts_taxii(accept: Option<&str>) -> bool {
    match accept {
        None => true,
        Some(header) if header.trim().is_empty() => true,
        Some(header) => header.split(',').map(MediaRange::parse).any(|range| range.accepts_taxii()),
    }
}

/// Whether a `Content-Type` value is the TAXII 2.1 media type (version may be omitted).
pub fn is_taxii_content_type(content_type: &str) -> bool {
    let range = MediaRange::parse(content_type);
    range.essence == "application/taxii+json" && range.version.as_deref().is_none_or(|version| version == "2.1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates() {
        assert!(accepts_taxii(None));
        assert!(accepts_taxii(Some("application/taxii+json;version=2.1")));
        assert!(accepts_taxii(Some("application/taxii+json; version=2.1")));
        assert!(accepts_taxii(Some("text/html, */*;q=0.8")));
        assert!(accepts_taxii(Some("application/taxii+json")));
        assert!(!accepts_taxii(Some("application/taxii+json;version=2.0")));
        assert!(!accepts_taxii(Some("text/html")));
        assert!(!accepts_taxii(Some("application/taxii+json;version=2.1;q=0")));
        assert!(is_taxii_content_type("application/taxii+json;version=2.1"));
        assert!(is_taxii_content_type("Application/TAXII+json"));
        assert!(!is_taxii_content_type("application/json"));
        assert!(!is_taxii_content_type("application/taxii+json;version=2.0"));
    }
}
