//! Tags and markings. A `tlp:*` tag is a TLP marking definition (TLP 2.0 ids, with
//! `tlp:white` read as TLP 1.0 WHITE so that it is kept exactly); every other tag is a
//! STIX label and back.
//!
//! **Markings are never dropped.** On export, a marking with no MISP tag of its own
//! travels as the tag `entente:marking="<marking id>"`, which import turns back into
//! the same marking. On import, a tag of the `tlp` namespace that names no TLP level
//! (`tlp:ex:chr`, `tlp:unclear`) is refused with [`MispError::UnknownMarking`]: storing
//! the object without the marking would make it releasable where its author meant it
//! not to be.

use super::MispError;
use crate::stix::vocab::{TLP_1_0, TLP_2_0, tlp_marking};

/// The tag prefix that carries a marking MISP has no tag for.
pub const MARKING_TAG_PREFIX: &str = "entente:marking=";

/// What one MISP tag is in STIX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagMeaning {
    /// A marking definition id for `object_marking_refs`.
    Marking(String),
    /// A label, the tag's name unchanged.
    Label(String),
    /// A galaxy tag (`misp-galaxy:…`): the cluster it names is converted from the
    /// event's galaxies, so the tag itself is not repeated as a label.
    Galaxy(String),
}

/// What a MISP tag means in STIX; an error for a TLP tag of no known level.
pub fn read_tag(name: &str) -> Result<TagMeaning, MispError> {
    let trimmed = name.trim();
    let lower = trimmed.to_ascii_lowercase();
    if let Some(level) = lower.strip_prefix("tlp:") {
        let level = level.trim_matches('"');
        let marking = match level {
            "white" => Some(TLP_1_0[0].id),
            "clear" => Some(TLP_2_0[0].id),
            "green" => Some(TLP_2_0[1].id),
            "amber" => Some(TLP_2_0[2].id),
            "amber+strict" => Some(TLP_2_0[3].id),
            "red" => Some(TLP_2_0[4].id),
            _ => None,
        };
        return marking
            .map(|id| TagMeaning::Marking(id.to_owned()))
            .ok_or_else(|| MispError::UnknownMarking(trimmed.to_owned()));
    }
    if let Some(quoted) = trimmed.strip_prefix(MARKING_TAG_PREFIX) {
        let id = quoted.trim_matches('"');
        if crate::StixId::parse(id).is_ok_and(|parsed| parsed.object_type() == "marking-definition") {
            return Ok(TagMeaning::Marking(id.to_owned()));
        }
        return Err(MispError::UnknownMarking(trimmed.to_owned()));
    }
    if trimmed.starts_with("misp-galaxy:") {
        return Ok(TagMeaning::Galaxy(trimmed.to_owned()));
    }
    Ok(TagMeaning::Label(trimmed.to_owned()))
}

/// The MISP tag for a marking definition id: its TLP tag, or the carrier tag.
pub fn marking_tag(marking_id: &str) -> String {
    match tlp_marking(marking_id) {
        Some(marking) if marking.id == TLP_1_0[0].id => "tlp:white".to_owned(),
        Some(marking) => format!("tlp:{}", marking.value),
        None => format!("{MARKING_TAG_PREFIX}\"{marking_id}\""),
    }
}

/// Labels that describe MISP structure (`misp:type="domain"`) rather than tags.
pub fn is_structural_label(label: &str) -> bool {
    [
        "misp:type=",
        "misp:category=",
        "misp:name=",
        "misp:meta-category=",
        "misp:galaxy-name=",
        "misp:galaxy-type=",
        "misp:to_ids=",
    ]
    .iter()
    .any(|prefix| label.starts_with(prefix))
}

/// The value of a structural label such as `misp:type="domain"`.
pub fn structural_value<'a>(labels: &'a [String], key: &str) -> Option<&'a str> {
    labels.iter().find_map(|label| label.strip_prefix(key)?.strip_prefix('=')?.strip_prefix('"')?.strip_suffix('"'))
}
