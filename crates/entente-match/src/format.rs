//! Structured inputs: which field a hit sits in and whether its kind fits the field.
//!
//! (First cut: the API the searcher and the command use; JSON lines, Zeek TSV and CSV
//! fill it in.)

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
        let _ = (start, file_name);
        Format::Text
    }
}

/// What a field holds, so that only fitting kinds match in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Address,
    Domain,
    Url,
    Email,
    Hash,
    /// Free text: every kind matches.
    Text,
    /// Numbers, times, ports, booleans: nothing matches.
    Nothing,
}

impl FieldType {
    pub fn admits(self, kind: Kind) -> bool {
        match self {
            FieldType::Text => true,
            FieldType::Nothing => false,
            FieldType::Address => kind.is_address(),
            FieldType::Domain => kind == Kind::Domain,
            FieldType::Url => kind == Kind::Url,
            FieldType::Email => kind == Kind::Email,
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

/// The layout learnt from an input's header (Zeek `#fields`/`#types`, a CSV header
/// line); immutable once read, shared by every thread searching the input.
#[derive(Debug, Clone)]
pub struct Layout {
    pub format: Format,
}

impl Layout {
    pub fn new(format: Format) -> Layout {
        Layout { format }
    }

    /// Learns the header at the start of `input` and returns how many bytes it takes
    /// (those bytes are not searched).
    pub fn read_header(&mut self, input: &[u8]) -> usize {
        let _ = input;
        0
    }

    /// Whether a line is a comment or header line not to search (Zeek's `#` lines).
    pub fn skips(&self, line: &[u8]) -> bool {
        self.format == Format::Zeek && line.first() == Some(&b'#')
    }

    /// The field of a hit starting at `offset` in `line` (`None` in text, or where the
    /// position names no field).
    pub fn field<'a>(&'a self, line: &'a [u8], offset: usize) -> Option<Field<'a>> {
        let _ = (line, offset);
        None
    }

    /// The record's time in seconds since the epoch (`ts` of Zeek, `timestamp` of
    /// Suricata, a `ts`/`timestamp`/`time` column), if it has one.
    pub fn timestamp(&self, line: &[u8]) -> Option<f64> {
        let _ = line;
        None
    }
}
