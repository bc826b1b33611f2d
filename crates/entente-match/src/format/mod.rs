//! Structured inputs: which field a hit sits in and whether its kind fits the field
//! (`docs/match.md`, "Structured inputs").
//!
//! - [`Format::detect`] picks the format from the first bytes and the file name.
//! - [`Layout`] learns the header once ([`Layout::read_header`]: Zeek `#fields` and
//!   `#types`, a CSV header line), then answers per hit: [`Layout::field`] names and
//!   types the field at an offset, [`Layout::timestamp`] reads the record's time.
//! - One module per format (`jsonl`, `zeek`, `csv`), the name table (`names`) shared
//!   by all three, and the time parser (`time`).
//!
//! Nothing here parses a whole record: the searcher asks only about the lines where
//! the engine found a hit, and every answer comes from one forward pass over that
//! line. Input is untrusted: every function takes any bytes and any offset without
//! panicking, and answers `None` where it cannot tell.

mod csv;
mod jsonl;
mod names;
mod time;
mod zeek;

use crate::kind::Kind;

/// How the input's records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Jsonl,
    Zeek,
    Csv,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Text, Format::Jsonl, Format::Zeek, Format::Csv];

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Jsonl => "jsonl",
            Format::Zeek => "zeek",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.name() == name)
    }

    /// `jsonl` when the first non-blank byte is `{`, `zeek` when the input starts with
    /// `#separator`, `csv` for a name ending in `.csv` (before any `.gz`/`.zst`),
    /// `text` otherwise.
    pub fn detect(start: &[u8], file_name: Option<&str>) -> Format {
        if start.starts_with(b"#separator") {
            return Format::Zeek;
        }
        let content = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
        if content.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') {
            return Format::Jsonl;
        }
        let name = file_name.unwrap_or_default().to_ascii_lowercase();
        let name = name.strip_suffix(".gz").or_else(|| name.strip_suffix(".zst")).unwrap_or(&name);
        if name.ends_with(".csv") { Format::Csv } else { Format::Text }
    }
}

/// What a field holds, so that only fitting kinds match in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// IP addresses and networks (Zeek `addr`/`subnet`, `id.resp_h`, `src_ip`…).
    Address,
    /// Domain names (`query`, `server_name`, `host`, `san.dns`…).
    Domain,
    /// URLs: URLs match there, and the domains and addresses they carry.
    Url,
    /// E-mail addresses: addresses match there, and their domains.
    Email,
    /// Hashes and certificate fingerprints (`md5`, `sha256`, `cert_chain_fps`…).
    Hash,
    /// Free text: every kind matches.
    Text,
    /// Numbers, times, ports, booleans: nothing matches.
    Nothing,
}

impl FieldType {
    /// Whether a hit of `kind` counts in a field of this type. A field admits the
    /// kinds its values are made of: a URL carries its host (a domain or an address),
    /// an e-mail address its domain, so a domain indicator still finds
    /// `http://evil.example/x` in a `url` field and `bob@evil.example` in `mailfrom`.
    pub fn admits(self, kind: Kind) -> bool {
        match self {
            FieldType::Text => true,
            FieldType::Nothing => false,
            FieldType::Address => kind.is_address(),
            FieldType::Domain => kind == Kind::Domain,
            FieldType::Url => matches!(kind, Kind::Url | Kind::Domain) || kind.is_address(),
            FieldType::Email => matches!(kind, Kind::Email | Kind::Domain),
            FieldType::Hash => kind.is_hex(),
        }
    }
}

/// A hit's field: its name and type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    pub name: &'a str,
    pub ty: FieldType,
}

/// A named, typed column of a Zeek or CSV header.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    name: String,
    ty: FieldType,
}

/// The layout learnt from an input's header (Zeek `#fields`/`#types`, a CSV header
/// line); immutable once read, shared by every thread searching the input.
#[derive(Debug, Clone)]
pub struct Layout {
    pub format: Format,
    /// Zeek's column separator (a tab unless `#separator` says otherwise).
    separator: Vec<u8>,
    /// Zeek's or CSV's columns, in order (empty until a header is read).
    columns: Vec<Column>,
    /// The column holding the record's time (Zeek, CSV).
    time_column: Option<usize>,
}

impl Layout {
    pub fn new(format: Format) -> Layout {
        Layout { format, separator: b"\t".to_vec(), columns: Vec::new(), time_column: None }
    }

    /// Learns the header at the start of `input` and returns how many bytes it takes
    /// (those bytes are not searched): Zeek's leading `#` lines, CSV's first line;
    /// nothing for JSON lines and text.
    pub fn read_header(&mut self, input: &[u8]) -> usize {
        let length = match self.format {
            Format::Text | Format::Jsonl => return 0,
            Format::Zeek => {
                let header = zeek::read_header(input);
                self.separator = header.separator;
                self.columns = header.columns;
                header.length
            }
            Format::Csv => {
                let (columns, length) = csv::read_header(input);
                self.columns = columns;
                length
            }
        };
        self.time_column = self
            .columns
            .iter()
            .enumerate()
            .filter_map(|(at, column)| names::time_rank(&column.name).map(|rank| (rank, at)))
            .min()
            .map(|(_, at)| at);
        length
    }

    /// Whether a line is a comment or header line not to search (Zeek's `#` lines,
    /// such as `#close` or the header of a second log concatenated to the first).
    pub fn skips(&self, line: &[u8]) -> bool {
        self.format == Format::Zeek && line.first() == Some(&b'#')
    }

    /// The field of a hit starting at `offset` in `line` (`None` in text, or where the
    /// position names no field: inside a JSON key, between values, past the header's
    /// columns).
    pub fn field<'a>(&'a self, line: &'a [u8], offset: usize) -> Option<Field<'a>> {
        let column = match self.format {
            Format::Text => return None,
            Format::Jsonl => {
                let name = jsonl::key_at(line, offset)?;
                return Some(Field { name, ty: names::field_type(name) });
            }
            Format::Zeek => zeek::column_at(line, &self.separator, offset)?,
            Format::Csv => csv::column_at(line, offset)?,
        };
        self.columns.get(column).map(|column| Field { name: &column.name, ty: column.ty })
    }

    /// The record's time in seconds since the epoch (`ts` of Zeek, `timestamp` of
    /// Suricata, a `ts`/`timestamp`/`time` column), if it has one: an epoch number or
    /// an RFC 3339 date-time.
    pub fn timestamp(&self, line: &[u8]) -> Option<f64> {
        let value = match self.format {
            Format::Text => return None,
            Format::Jsonl => return jsonl::timestamp(line),
            Format::Zeek => zeek::value(line, &self.separator, self.time_column?)?,
            Format::Csv => csv::value(line, self.time_column?)?,
        };
        time::seconds(value)
    }
}

#[cfg(test)]
mod tests;
