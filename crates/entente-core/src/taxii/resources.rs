//! TAXII 2.1 resources as they travel on the wire (section 4 of the specification).
//!
//! Optional members are `Option` and skipped when absent, because TAXII clients treat
//! `null` and absence differently. The envelope is written by hand from raw object
//! text ([`ENVELOPE_OPEN`], [`close_envelope`]) so that stored objects are served
//! without re-encoding.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Discovery {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    pub api_roots: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiRootInfo {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub versions: Vec<String>,
    pub max_content_length: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CollectionInfo {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub can_read: bool,
    pub can_write: bool,
    pub media_types: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Collections {
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub collections: Vec<CollectionInfo>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ManifestRecord {
    pub id: String,
    pub date_added: String,
    pub version: String,
    pub media_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub objects: Vec<ManifestRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Versions {
    pub more: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub versions: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StatusDetail {
    pub id: String,
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StatusState {
    Pending,
    Complete,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Status {
    pub id: String,
    pub status: StatusState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_timestamp: Option<String>,
    pub total_count: u64,
    pub success_count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub successes: Vec<StatusDetail>,
    pub failure_count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub failures: Vec<StatusDetail>,
    pub pending_count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub pendings: Vec<StatusDetail>,
}

/// The TAXII error message resource.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ErrorMessage {
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// A stable, machine-readable code such as `invalid-filter`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
}

/// The start of an envelope written in one buffer: object texts follow, separated by
/// commas, then [`close_envelope`]. `more` and `next` come after the objects (JSON
/// member order carries no meaning), so a page is written once, straight from the
/// store's rows, without knowing in advance whether more follow.
pub const ENVELOPE_OPEN: &str = "{\"objects\":[";

/// Ends an envelope begun with [`ENVELOPE_OPEN`] and `count` objects; an empty page
/// becomes `{"more":false}`, since TAXII's `objects` holds one or more objects.
pub fn close_envelope(out: &mut String, count: usize, next: Option<&str>) {
    if count == 0 {
        out.clear();
        out.push_str("{\"more\":false}");
        return;
    }
    out.push_str(if next.is_some() { "],\"more\":true" } else { "],\"more\":false" });
    if let Some(next) = next {
        out.push_str(",\"next\":");
        out.push_str(&serde_json::Value::from(next).to_string());
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_valid_json() {
        let mut text = String::from(ENVELOPE_OPEN);
        text.push_str("{\"a\":1},{\"b\":2}");
        close_envelope(&mut text, 2, Some("e1.abc"));
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["objects"].as_array().unwrap().len(), 2);
        assert_eq!(value["next"], "e1.abc");
        assert_eq!(value["more"], true);
        let mut last = String::from(ENVELOPE_OPEN);
        last.push_str("{\"c\":3}");
        close_envelope(&mut last, 1, None);
        assert_eq!(last, "{\"objects\":[{\"c\":3}],\"more\":false}");
        let mut empty = String::from(ENVELOPE_OPEN);
        close_envelope(&mut empty, 0, None);
        assert_eq!(empty, "{\"more\":false}");
    }
}
