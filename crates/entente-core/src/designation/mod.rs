//! Designations: one party's legal act naming an entity as terrorist or sanctioned.
//!
//! The three public lists this node reads come in their own formats: the UN Security
//! Council Consolidated List (XML, [`un`]), the US Treasury OFAC SDN list (the classic
//! headerless `sdn.csv`, [`ofac`]) and Canada's listed terrorist entities (a MISP
//! galaxy cluster, [`canada`]). Each parser turns a whole file into [`Record`]s, one
//! per listed entity, attributed to its [`Authority`]. [`stix`] turns records into
//! STIX objects with deterministic ids, so designations travel, are signed and
//! released like any other intelligence, and a re-import of the same list hits the
//! same objects. [`names`] normalises names for matching and [`divergence`] groups
//! the records of different authorities that name the same organisation.
//!
//! Invariants: every record keeps its source's own name, aliases and reference;
//! nothing here merges two sources' records into one. Parsing is pure (bytes in,
//! records out) and never panics on any input.
//!
//! What it deliberately does not do: decide that two records are the same entity.
//! Matching only proposes; an analyst's confirmed link is the only certainty.

pub mod canada;
pub mod divergence;
pub mod names;
pub mod ofac;
pub mod stix;
pub mod un;

use serde::{Deserialize, Serialize};

/// Who made a designation: a stable short key (`un`, `ofac`, `ca`, or one an analyst
/// chose) and a display name. The key decides the authority's STIX identity id.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Authority {
    pub key: String,
    pub name: String,
}

impl Authority {
    pub fn un() -> Authority {
        Authority { key: "un".into(), name: "United Nations Security Council".into() }
    }

    pub fn ofac() -> Authority {
        Authority { key: "ofac".into(), name: "US Treasury Office of Foreign Assets Control".into() }
    }

    pub fn canada() -> Authority {
        Authority { key: "ca".into(), name: "Public Safety Canada".into() }
    }

    /// An authority by key: one of the three known ones, or a new one named as keyed.
    /// Keys are 2 to 40 characters of `a-z 0-9 -`, so they fit in ids and URLs.
    pub fn parse(key: &str) -> Result<Authority, DesignationError> {
        let key = key.trim().to_ascii_lowercase();
        let valid = (2..=40).contains(&key.len())
            && key.bytes().all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid {
            return Err(DesignationError::Authority(key));
        }
        Ok(match key.as_str() {
            "un" => Authority::un(),
            "ofac" | "us" => Authority::ofac(),
            "ca" | "canada" => Authority::canada(),
            _ => Authority { name: key.clone(), key },
        })
    }
}

/// What kind of entity a record names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntityKind {
    Individual,
    Organization,
    /// Vessels, aircraft and anything else a list names.
    Other,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Individual => "individual",
            EntityKind::Organization => "organization",
            EntityKind::Other => "other",
        }
    }
}

/// Whether the authority lists the entity now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Listed,
    Delisted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Listed => "listed",
            Status::Delisted => "delisted",
        }
    }

    pub fn parse(text: &str) -> Option<Status> {
        match text {
            "listed" => Some(Status::Listed),
            "delisted" => Some(Status::Delisted),
            _ => None,
        }
    }
}

/// One entity as one authority's list names it, in that list's own words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    pub authority: Authority,
    /// The list's own reference: UN reference number, OFAC entry number, Canada's id.
    pub reference: String,
    pub kind: EntityKind,
    pub name: String,
    pub aliases: Vec<String>,
    /// Legal basis or programme tags (UN list type, OFAC programmes, Criminal Code).
    pub programmes: Vec<String>,
    /// The listing date as the list gives it (`YYYY-MM-DD`), when it gives one.
    pub listed_on: Option<String>,
}

/// A parsed list: its records, and how many source rows were read in all (lists
/// such as OFAC's hold more than the terrorism programmes this node keeps).
#[derive(Clone, Debug)]
pub struct ParsedList {
    pub authority: Authority,
    pub format: Format,
    pub records: Vec<Record>,
    pub rows_read: usize,
}

/// The list formats this node reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    UnXml,
    OfacCsv,
    MispGalaxy,
}

impl Format {
    /// Recognises a format from the first bytes of the content, not the file name.
    pub fn detect(content: &[u8]) -> Option<Format> {
        let start = content.strip_prefix(b"\xef\xbb\xbf").unwrap_or(content);
        let first = start.iter().position(|byte| !byte.is_ascii_whitespace()).map(|at| &start[at..])?;
        if first.starts_with(b"<") {
            return Some(Format::UnXml);
        }
        if first.starts_with(b"{") {
            return Some(Format::MispGalaxy);
        }
        first.first().filter(|byte| byte.is_ascii_digit()).map(|_| Format::OfacCsv)
    }
}

/// Why a list could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DesignationError {
    #[error(
        "the content is not a designation list this node reads (UN Consolidated List XML, OFAC sdn.csv or a MISP galaxy cluster)"
    )]
    UnknownFormat,
    #[error("UN list XML: {0}")]
    Xml(String),
    #[error("OFAC CSV, row {row}: {reason}")]
    Csv { row: usize, reason: String },
    #[error("MISP galaxy cluster: {0}")]
    Galaxy(String),
    #[error("authority keys are 2 to 40 characters of a-z, 0-9 and '-', not {0:?}")]
    Authority(String),
}

/// Parses a list in any known format; `authority` overrides the one the format implies.
pub fn parse(content: &[u8], authority: Option<Authority>) -> Result<ParsedList, DesignationError> {
    let format = Format::detect(content).ok_or(DesignationError::UnknownFormat)?;
    let (default, records, rows_read) = match format {
        Format::UnXml => (Authority::un(), un::parse(content)?, None),
        Format::OfacCsv => {
            let (records, rows) = ofac::parse(content)?;
            (Authority::ofac(), records, Some(rows))
        }
        Format::MispGalaxy => (Authority::canada(), canada::parse(content)?, None),
    };
    let authority = authority.unwrap_or(default);
    let rows_read = rows_read.unwrap_or(records.len());
    let records = records.into_iter().map(|record| Record { authority: authority.clone(), ..record }).collect();
    Ok(ParsedList { authority, format, records, rows_read })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats_from_content() {
        assert_eq!(Format::detect(b"\xef\xbb\xbf  <?xml"), Some(Format::UnXml));
        assert_eq!(Format::detect(b"36,\"AEROCARIBBEAN\""), Some(Format::OfacCsv));
        assert_eq!(Format::detect(b"\n{\"values\":[]}"), Some(Format::MispGalaxy));
        assert_eq!(Format::detect(b"name,type"), None);
        assert_eq!(Format::detect(b""), None);
    }

    use proptest::prelude::*;

    proptest! {
        /// Whatever the bytes, each parser answers with records or an error.
        #[test]
        fn parsing_never_panics(lead in "[<{0-9]", body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut content = lead.into_bytes();
            content.extend(body);
            let _ = parse(&content, None);
        }

        /// An SDN row's name, programmes and quoted aliases come back as written.
        #[test]
        fn ofac_rows_round_trip(
            number in 1u32..100_000,
            name in "[A-Z][A-Z ,.'-]{0,30}[A-Z]",
            aliases in proptest::collection::vec("[A-Z][A-Z0-9 -]{0,20}[A-Z0-9]", 0..4),
        ) {
            let remarks: Vec<String> = aliases.iter().map(|alias| format!("a.k.a. '{alias}'")).collect();
            let remarks = if remarks.is_empty() { "-0- ".to_owned() } else { format!("\"{}.\"", remarks.join("; ")) };
            let row = format!("{number},\"{name}\",-0- ,\"SDGT] [IRGC\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,{remarks}\n");
            let list = parse(row.as_bytes(), None).expect("a well-formed row parses");
            prop_assert_eq!(list.records.len(), 1);
            let record = &list.records[0];
            prop_assert_eq!(&record.name, &name);
            prop_assert_eq!(&record.reference, &number.to_string());
            prop_assert_eq!(&record.programmes, &vec!["SDGT".to_owned(), "IRGC".to_owned()]);
            let mut expected: Vec<String> = Vec::new();
            for alias in aliases {
                if !expected.contains(&alias) {
                    expected.push(alias);
                }
            }
            prop_assert_eq!(&record.aliases, &expected);
        }
    }

    #[test]
    fn an_authority_given_overrides_the_one_of_the_format() {
        let csv = "4693,\"EUZKADI TA ASKATASUNA\",-0- ,\"FTO\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n";
        let eu = Authority::parse("eu").expect("a valid key");
        let list = parse(csv.as_bytes(), Some(eu.clone())).expect("parses");
        assert_eq!(list.authority, eu);
        assert!(list.records.iter().all(|record| record.authority == eu));
        assert_eq!(parse(csv.as_bytes(), None).expect("parses").authority, Authority::ofac());
    }

    #[test]
    fn authority_keys_are_checked() {
        assert_eq!(Authority::parse("UN").map(|authority| authority.key).ok(), Some("un".to_owned()));
        assert_eq!(Authority::parse("eu").map(|authority| authority.name).ok(), Some("eu".to_owned()));
        assert!(Authority::parse("a b").is_err());
        assert!(Authority::parse("x").is_err());
    }
}
