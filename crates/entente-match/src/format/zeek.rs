//! Zeek TSV (the ASCII writer's default): the `#` header names and types every
//! column; a hit's column is the number of separators before it.
//!
//! ```text
//! #separator \x09
//! #set_separator	,
//! #fields	ts	uid	id.orig_h	…
//! #types	time	string	addr	…
//! ```
//!
//! Zeek escapes the separator inside values (as `\x09`), so counting separators is
//! exact. `#set_separator` splits the elements of one column: a hit in any element
//! belongs to that column, so the header line is recognised and needs no more.
//! `-` (unset) and `(empty)` need no handling: they hold no candidate.

use super::{Column, FieldType, names};

/// The header learnt from the `#` lines at the start of the input.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub separator: Vec<u8>,
    pub columns: Vec<Column>,
    /// How many bytes the header lines take, their newlines included.
    pub length: usize,
}

/// Reads the `#` lines at the start of `input` (a missing `#separator` means a tab).
pub(crate) fn read_header(input: &[u8]) -> Header {
    let mut separator = b"\t".to_vec();
    let mut fields: Vec<&[u8]> = Vec::new();
    let mut types: Vec<&[u8]> = Vec::new();
    let mut length = 0;
    while input.get(length) == Some(&b'#') {
        let end = memchr::memchr(b'\n', &input[length..]).map_or(input.len(), |at| length + at);
        let line = &input[length..end];
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        length = (end + 1).min(input.len());
        if let Some(value) = line.strip_prefix(b"#separator ") {
            let decoded = unescape(value);
            if !decoded.is_empty() {
                separator = decoded;
            }
        } else if let Some(names) = directive(line, &separator, b"#fields") {
            fields = names;
        } else if let Some(names) = directive(line, &separator, b"#types") {
            types = names;
        }
    }
    let columns = fields
        .iter()
        .enumerate()
        .map(|(at, name)| {
            let name = String::from_utf8_lossy(name).into_owned();
            let ty = types.get(at).map_or_else(|| names::field_type(&name), |ty| column_type(ty, &name));
            Column { name, ty }
        })
        .collect();
    Header { separator, columns, length }
}

/// The values of a `#name<sep>value<sep>…` header line.
fn directive<'l>(line: &'l [u8], separator: &[u8], name: &[u8]) -> Option<Vec<&'l [u8]>> {
    let rest = line.strip_prefix(name)?.strip_prefix(separator)?;
    Some(split(rest, separator).collect())
}

fn split<'l, 's>(line: &'l [u8], separator: &'s [u8]) -> impl Iterator<Item = &'l [u8]> + use<'l, 's> {
    let mut rest = Some(line);
    std::iter::from_fn(move || {
        let current = rest?;
        match memchr::memmem::find(current, separator) {
            Some(at) => {
                rest = Some(&current[at + separator.len()..]);
                Some(&current[..at])
            }
            None => {
                rest = None;
                Some(current)
            }
        }
    })
}

/// `\x09` → a tab; other bytes as written.
fn unescape(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len());
    let mut at = 0;
    while at < value.len() {
        let hex = value.get(at..at + 4).filter(|four| four.starts_with(b"\\x"));
        match hex.and_then(|four| std::str::from_utf8(&four[2..]).ok()).and_then(|h| u8::from_str_radix(h, 16).ok()) {
            Some(byte) => {
                out.push(byte);
                at += 4;
            }
            None => {
                out.push(value[at]);
                at += 1;
            }
        }
    }
    out
}

/// A Zeek type → what it holds: addresses by type, strings by name, numbers, times,
/// ports, booleans and enums nothing. Containers (`set[…]`, `vector[…]`,
/// `table[…]`) hold what their elements hold; unknown types go by name.
fn column_type(ty: &[u8], name: &str) -> FieldType {
    let element = ["set[", "vector[", "table["]
        .iter()
        .find_map(|container| ty.strip_prefix(container.as_bytes()).and_then(|inner| inner.strip_suffix(b"]")))
        .unwrap_or(ty);
    match element {
        b"addr" | b"subnet" => FieldType::Address,
        b"count" | b"int" | b"double" | b"time" | b"interval" | b"port" | b"bool" | b"enum" => FieldType::Nothing,
        _ => names::field_type(name),
    }
}

/// The column the byte at `offset` sits in (`None` past the end of the line).
pub(crate) fn column_at(line: &[u8], separator: &[u8], offset: usize) -> Option<usize> {
    let before = line.get(..offset)?;
    Some(memchr::memmem::find_iter(before, separator).count())
}

/// The value of column `index`.
pub(crate) fn value<'l>(line: &'l [u8], separator: &[u8], index: usize) -> Option<&'l [u8]> {
    split(line, separator).nth(index)
}
