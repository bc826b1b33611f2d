//! The commented treaty template `entente treaty template` prints.
//!
//! The template is JSON in which whole lines starting with `//` (after indentation)
//! are comments. Only whole-line comments exist: a `//` inside a string, such as in a
//! URL, is text. [`parse_template`] removes the comment lines and parses the rest as a
//! treaty, so the template itself is tested to be a valid treaty.
//!
//! The template names placeholder parties and a placeholder treaty id; whoever fills it
//! in (the CLI, or the operator) replaces them, for instance by parsing the template,
//! editing the [`TreatyBody`](super::TreatyBody) and calling
//! [`Treaty::draft`](super::Treaty::draft) with a fresh id.

use super::document::Treaty;
use super::fields::TreatyError;

/// The placeholder treaty id of the template.
pub const PLACEHOLDER_TREATY_ID: &str = "treaty--00000000-0000-4000-8000-000000000000";

/// The placeholder parties of the template: the proposer first, then its partner.
pub const PLACEHOLDER_PARTIES: [&str; 2] =
    ["identity--00000000-0000-4000-8000-000000000001", "identity--00000000-0000-4000-8000-000000000002"];

const TEMPLATE: &str = r#"// An Entente treaty. Lines that start with // are comments and are removed before
// the treaty is read; everything else is JSON. Unknown members are refused: a signed
// treaty must not carry text that nobody reads.
{
  // Format of this document; always "1" and "treaty".
  "entente": "1",
  "type": "treaty",
  // Stays the same across versions. Replace with treaty--<a fresh UUID>.
  "id": "treaty--00000000-0000-4000-8000-000000000000",
  // 1 for a first proposal. A counter-proposal or an amendment is version n+1 and adds
  // "supersedes": "sha256:…", the hash of the version it answers.
  "version": 1,
  "title": "Bilateral counter-terrorism and cyber intelligence sharing",
  "purpose": "To share intelligence on terrorist and cyber threats against either party, to prevent attacks and to support investigations.",
  // Node ids (identity--<uuid>) of every party: at least two. All must sign.
  "parties": [
    "identity--00000000-0000-4000-8000-000000000001",
    "identity--00000000-0000-4000-8000-000000000002"
  ],
  // The party proposing this version; one of the parties.
  "proposed_by": "identity--00000000-0000-4000-8000-000000000001",
  "scope": {
    // counter-terrorism, cyber, defence, regional-security, or your own
    // lower-case-hyphenated topic. At least one.
    "topics": ["counter-terrorism", "cyber"],
    // STIX types that may be shared; an empty list means every type.
    "object_types": ["indicator", "threat-actor", "intrusion-set", "malware", "report", "sighting"],
    // Labels an object must carry one of; an empty list means any object.
    "labels": []
  },
  // The exchange policy, in FIRST IEP 2.0 terms.
  "terms": {
    "iep_version": "2.0",
    // must | may: re-encrypt when retransmitting.
    "encrypt_in_transit": "must",
    // none | contact-for-instruction | internally-visible-actions |
    // externally-visible-indirect-actions | externally-visible-direct-actions
    "permitted_actions": "internally-visible-actions",
    // may | must-not: notify the parties affected by a threat.
    "affected_party_notifications": "may",
    // The TLP 2.0 ceiling: clear | green | amber | amber+strict | red.
    "tlp": "amber",
    // may | must | must-not: name the provider when passing information on.
    "attribution": "must-not",
    // may | must-not: resell the information unmodified.
    "unmodified_resale": "must-not",
    // Optional, Entente's own: what each party does with what it received under this
    // treaty once the treaty ends (terminated after notice, or past end_date).
    // "purge": delete it, unless it is also held under another treaty in force or was
    // originated there; "keep": keep it. Absent means "keep". Both sides record what
    // was done in their ledgers. To require a purge, remove the // of the next line.
    // "on_termination": "purge",
    // In force from start_date (after every party has signed) until end_date.
    // Omit end_date for a treaty without an end.
    "start_date": "2026-01-01T00:00:00Z",
    "end_date": "2028-01-01T00:00:00Z"
  },
  // Where received objects may go next: "nobody", "treaty-partners" (partners with a
  // treaty in force), or "alliance-parties" with "alliances": [alliance ids].
  "resharing": { "to": "nobody" },
  // Days between a notice of termination and the end of the treaty.
  "notice_period_days": 90,
  // When this version was written.
  "created": "2026-01-01T00:00:00Z"
}
"#;

/// The commented template.
pub fn template_text() -> &'static str {
    TEMPLATE
}

/// Why a template (or any commented treaty text) could not be read.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("not JSON once comment lines are removed: {0}")]
    Json(#[from] serde_json::Error),
    #[error(transparent)]
    Treaty(#[from] TreatyError),
}

/// Removes the lines whose first non-blank characters are `//`.
pub fn strip_comment_lines(text: &str) -> String {
    text.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

/// Reads a commented treaty text such as the template.
pub fn parse_template(text: &str) -> Result<Treaty, TemplateError> {
    let value: serde_json::Value = serde_json::from_str(&strip_comment_lines(text))?;
    Ok(Treaty::parse(&value)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_a_valid_treaty_with_placeholder_parties() {
        let treaty = parse_template(template_text()).unwrap();
        let parties: Vec<&str> = treaty.parties().iter().map(|party| party.as_str()).collect();
        assert_eq!(parties, PLACEHOLDER_PARTIES);
        assert_eq!(treaty.id().as_str(), PLACEHOLDER_TREATY_ID);
        assert_eq!(treaty.proposed_by().as_str(), PLACEHOLDER_PARTIES[0]);
        assert_eq!(treaty.version(), 1);
        assert!(template_text().lines().filter(|line| line.trim_start().starts_with("//")).count() > 10);
    }

    #[test]
    fn only_whole_comment_lines_are_removed() {
        let text = "// heading\n{\n  // note\n  \"a\": \"http://example.org/x\"\n}";
        assert_eq!(strip_comment_lines(text), "{\n  \"a\": \"http://example.org/x\"\n}");
        assert!(matches!(parse_template("{ // trailing comments are not comments\n}"), Err(TemplateError::Json(_))));
    }
}
