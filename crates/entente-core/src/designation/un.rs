//! The UN Security Council Consolidated List, in the XML the UN publishes
//! (`CONSOLIDATED_LIST` → `INDIVIDUALS`/`ENTITIES` → `INDIVIDUAL`/`ENTITY`).
//!
//! Every record is kept, whatever its sanctions regime: the regime (`UN_LIST_TYPE`,
//! such as `Al-Qaida` or `DRC`) becomes the record's programme, so the divergence view
//! can say under which regime the UN lists an entity. An individual's name is its
//! `FIRST_NAME` … `FOURTH_NAME` joined in order; aliases are the `ALIAS_NAME`s of
//! `INDIVIDUAL_ALIAS`/`ENTITY_ALIAS` and the name in original script.
//!
//! What it deliberately does not do: read addresses, documents or dates of birth.

use super::{Authority, DesignationError, EntityKind, Record};
use quick_xml::Reader;
use quick_xml::events::Event;

/// The fields of one record being read.
#[derive(Default)]
struct Draft {
    names: [String; 4],
    aliases: Vec<String>,
    list_type: String,
    reference: String,
    listed_on: String,
}

impl Draft {
    fn set(&mut self, path: &[Vec<u8>], text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let Some(field) = path.last() else { return };
        // Fields directly under the record sit at depth 4 (list, group, record, field).
        let direct = path.len() == 4;
        match (field.as_slice(), direct) {
            (b"FIRST_NAME", true) => self.names[0] = text.to_owned(),
            (b"SECOND_NAME", true) => self.names[1] = text.to_owned(),
            (b"THIRD_NAME", true) => self.names[2] = text.to_owned(),
            (b"FOURTH_NAME", true) => self.names[3] = text.to_owned(),
            (b"UN_LIST_TYPE", true) => self.list_type = text.to_owned(),
            (b"REFERENCE_NUMBER", true) => self.reference = text.to_owned(),
            (b"LISTED_ON", true) => self.listed_on = text.to_owned(),
            (b"NAME_ORIGINAL_SCRIPT", true) | (b"ALIAS_NAME", false) => self.aliases.push(text.to_owned()),
            _ => {}
        }
    }

    fn finish(self, kind: EntityKind) -> Option<Record> {
        let name = self.names.iter().filter(|part| !part.is_empty()).cloned().collect::<Vec<_>>().join(" ");
        if name.is_empty() || self.reference.is_empty() {
            return None;
        }
        let mut aliases = self.aliases;
        aliases.retain(|alias| alias != &name);
        aliases.dedup();
        Some(Record {
            authority: Authority::un(),
            reference: self.reference,
            kind,
            name,
            aliases,
            programmes: if self.list_type.is_empty() { Vec::new() } else { vec![self.list_type] },
            // A few dates carry a zone (`2015-04-07-04:00`); the day is what the list means.
            listed_on: self.listed_on.get(..10).filter(|date| is_date(date)).map(str::to_owned),
        })
    }
}

/// `YYYY-MM-DD`, the only date form the list uses for `LISTED_ON`.
pub(super) fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes.iter().enumerate().all(|(at, byte)| at == 4 || at == 7 || byte.is_ascii_digit())
}

/// Reads every `INDIVIDUAL` and `ENTITY` record of the list.
pub fn parse(content: &[u8]) -> Result<Vec<Record>, DesignationError> {
    let mut reader = Reader::from_reader(content);
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut draft: Option<(EntityKind, Draft)> = None;
    let mut records = Vec::new();
    let failed = |error: &dyn std::fmt::Display, at: u64| DesignationError::Xml(format!("at byte {at}: {error}"));
    loop {
        let event = reader.read_event().map_err(|error| failed(&error, reader.buffer_position()))?;
        match event {
            Event::Start(start) => {
                let name = start.name().as_ref().to_vec();
                if path.len() == 2 {
                    draft = match name.as_slice() {
                        b"INDIVIDUAL" => Some((EntityKind::Individual, Draft::default())),
                        b"ENTITY" => Some((EntityKind::Organization, Draft::default())),
                        _ => None,
                    };
                }
                path.push(name);
            }
            Event::End(_) => {
                path.pop();
                if path.len() == 2
                    && let Some((kind, finished)) = draft.take()
                {
                    records.extend(finished.finish(kind));
                }
            }
            Event::Text(text) => {
                if let Some((_, current)) = draft.as_mut() {
                    let text = text.unescape().map_err(|error| failed(&error, reader.buffer_position()))?;
                    current.set(&path, &text);
                }
            }
            Event::CData(data) => {
                if let Some((_, current)) = draft.as_mut() {
                    current.set(&path, &String::from_utf8_lossy(&data));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !path.is_empty() {
        return Err(DesignationError::Xml("the document ends inside an element".into()));
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0"?><CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>
        <FIRST_NAME>ERIC</FIRST_NAME><SECOND_NAME>BADEGE</SECOND_NAME><UN_LIST_TYPE>DRC</UN_LIST_TYPE>
        <REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER><LISTED_ON>2012-12-31</LISTED_ON>
        <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Eric B &amp; Co</ALIAS_NAME></INDIVIDUAL_ALIAS>
        </INDIVIDUAL></INDIVIDUALS><ENTITIES><ENTITY><FIRST_NAME>ASBAT AL-ANSAR</FIRST_NAME>
        <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE><REFERENCE_NUMBER>QDe.007</REFERENCE_NUMBER>
        <LISTED_ON>2001-10-06</LISTED_ON><ENTITY_ALIAS><ALIAS_NAME>Osbat al Ansar</ALIAS_NAME></ENTITY_ALIAS>
        </ENTITY></ENTITIES></CONSOLIDATED_LIST>"#;

    #[test]
    fn reads_individuals_and_entities() {
        let records = parse(SAMPLE.as_bytes()).expect("sample parses");
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].name, "ERIC BADEGE");
        assert_eq!(records[0].kind, EntityKind::Individual);
        assert_eq!(records[0].aliases, vec!["Eric B & Co".to_owned()]);
        assert_eq!(records[0].listed_on.as_deref(), Some("2012-12-31"));
        assert_eq!(records[1].name, "ASBAT AL-ANSAR");
        assert_eq!(records[1].programmes, vec!["Al-Qaida".to_owned()]);
        assert_eq!(records[1].reference, "QDe.007");
    }

    #[test]
    fn refuses_broken_xml_without_panicking() {
        assert!(parse(b"<CONSOLIDATED_LIST><INDIVIDUALS>").is_err());
        assert!(parse(b"<a></b>").is_err());
    }
}
