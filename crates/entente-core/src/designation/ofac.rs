//! The US Treasury OFAC Specially Designated Nationals list, as the classic
//! headerless `sdn.csv`: `ent_num, name, type, programs, title, call_sign,
//! vessel_type, tonnage, grt, vessel_flag, vessel_owner, remarks`, with `-0-` for an
//! empty field.
//!
//! Only the terrorism programmes are kept: **SDGT** (Specially Designated Global
//! Terrorist, E.O. 13224), **SDT** (Specially Designated Terrorist, E.O. 12947) and
//! **FTO** (Foreign Terrorist Organization, INA section 219). A row is kept when any
//! of its programmes is one of these, and all its programmes are recorded (an entry
//! under `SDGT] [IRGC` keeps both). Aliases come from the remarks' `a.k.a.`, `f.k.a.`
//! and `n.k.a.` entries.
//!
//! What it deliberately does not do: read addresses or identification documents
//! (OFAC ships those in separate files), or keep non-terrorism sanctions programmes.

use super::{Authority, DesignationError, EntityKind, Record};

/// The programmes this node treats as terrorism designations.
pub const TERRORISM_PROGRAMMES: [&str; 3] = ["SDGT", "SDT", "FTO"];

/// Reads the file; returns the kept records and how many rows were read in all.
pub fn parse(content: &[u8]) -> Result<(Vec<Record>, usize), DesignationError> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(content);
    let mut records = Vec::new();
    let mut rows = 0;
    for (index, row) in reader.byte_records().enumerate() {
        let row = row.map_err(|error| DesignationError::Csv { row: index + 1, reason: error.to_string() })?;
        rows += 1;
        let field = |at: usize| row.get(at).map(|bytes| clean(&String::from_utf8_lossy(bytes))).unwrap_or_default();
        if row.len() < 4 {
            return Err(DesignationError::Csv {
                row: index + 1,
                reason: format!("expected at least 4 fields (ent_num, name, type, programs), found {}", row.len()),
            });
        }
        let programmes = programmes(&field(3));
        if !programmes.iter().any(|programme| TERRORISM_PROGRAMMES.contains(&programme.as_str())) {
            continue;
        }
        let (reference, name) = (field(0), field(1));
        if reference.is_empty() || name.is_empty() {
            return Err(DesignationError::Csv { row: index + 1, reason: "no entry number or no name".into() });
        }
        let kind = match field(2).as_str() {
            "individual" => EntityKind::Individual,
            "" => EntityKind::Organization,
            _ => EntityKind::Other,
        };
        let aliases = aliases(&field(11));
        records.push(Record {
            authority: Authority::ofac(),
            reference,
            kind,
            name,
            aliases,
            programmes,
            listed_on: None,
        });
    }
    Ok((records, rows))
}

/// A field without surrounding space, with OFAC's `-0-` read as empty.
fn clean(text: &str) -> String {
    let text = text.trim();
    if text == "-0-" { String::new() } else { text.to_owned() }
}

/// `SDGT] [IRGC` → `["SDGT", "IRGC"]`.
fn programmes(text: &str) -> Vec<String> {
    text.split("] [")
        .map(|part| part.trim().trim_matches(|c| c == '[' || c == ']').trim().to_owned())
        .filter(|part| !part.is_empty())
        .collect()
}

/// The quoted names after `a.k.a.`, `f.k.a.` and `n.k.a.` in the remarks.
pub(super) fn aliases(remarks: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in ["a.k.a. '", "f.k.a. '", "n.k.a. '"] {
        let mut rest = remarks;
        while let Some(start) = rest.find(marker) {
            rest = &rest[start + marker.len()..];
            // The alias ends at the quote that closes it: one followed by `;`, `.` or the end,
            // so apostrophes inside names (`Jama'at`) do not cut it.
            let end = closing_quote(rest).unwrap_or(rest.len());
            let alias = rest[..end].trim();
            if !alias.is_empty() && !found.iter().any(|known: &String| known == alias) {
                found.push(alias.to_owned());
            }
            rest = &rest[end..];
        }
    }
    found
}

fn closing_quote(text: &str) -> Option<usize> {
    text.match_indices('\'').map(|(at, _)| at).find(|&at| {
        let after = text[at + 1..].trim_start();
        after.is_empty() || after.starts_with(';') || after.starts_with('.') || after.starts_with(',')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_terrorism_programmes_only() {
        let csv = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
                   4693,\"EUZKADI TA ASKATASUNA\",-0- ,\"FTO] [SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"a.k.a. 'ETA'; a.k.a. 'K.A.S.'.\"\n\
                   2676,\"AL ZAWAHIRI, Dr. Ayman\",\"individual\",\"SDGT] [SDT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"DOB 1951.\"\n";
        let (records, rows) = parse(csv.as_bytes()).expect("sample parses");
        assert_eq!(rows, 3);
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].kind, EntityKind::Organization);
        assert_eq!(records[0].programmes, vec!["FTO".to_owned(), "SDGT".to_owned()]);
        assert_eq!(records[0].aliases, vec!["ETA".to_owned(), "K.A.S.".to_owned()]);
        assert_eq!(records[1].kind, EntityKind::Individual);
        assert_eq!(records[1].reference, "2676");
    }

    #[test]
    fn aliases_keep_inner_apostrophes() {
        let remarks = "a.k.a. 'JAMA'AT AL-TAWHID'; f.k.a. 'AL-QAIDA IN IRAQ'.";
        assert_eq!(aliases(remarks), vec!["JAMA'AT AL-TAWHID".to_owned(), "AL-QAIDA IN IRAQ".to_owned()]);
    }

    #[test]
    fn short_rows_are_refused() {
        assert!(parse(b"1,\"X\"\n").is_err());
    }
}
