//! CSV (RFC 4180): the first line names the columns; a hit's column is the number of
//! commas before it outside quotes.
//!
//! A quote opens a quoted cell only at the start of a cell; inside, `""` is a quote
//! and a lone `"` closes the cell (bytes after it up to the next comma stay in the
//! cell, as lenient readers do). Records are lines, so a quoted cell holding a
//! newline is not supported: the lines after it are counted as records of their own.

use super::{Column, names};

/// The columns named by the first line of `input`, and how many bytes that line takes
/// (its newline included).
pub(crate) fn read_header(input: &[u8]) -> (Vec<Column>, usize) {
    let end = memchr::memchr(b'\n', input).unwrap_or(input.len());
    let line = &input[..end];
    let line = line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line);
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let columns = cells(line)
        .map(|(start, end)| {
            let name = unquote(&line[start..end]);
            let ty = names::field_type(&name);
            Column { name, ty }
        })
        .collect();
    (columns, (end + 1).min(input.len()))
}

/// The spans of a line's cells, quotes included.
pub(crate) fn cells(line: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut next = Some(0);
    std::iter::from_fn(move || {
        let start = next?;
        let mut at = start;
        if line.get(at) == Some(&b'"') {
            at = quoted_end(line, at + 1);
        }
        let end = memchr::memchr(b',', line.get(at..).unwrap_or_default()).map_or(line.len(), |found| at + found);
        next = (end < line.len()).then_some(end + 1);
        Some((start, end))
    })
}

/// Just past the quote closing a quoted cell whose content starts at `from` (the
/// line's length if it is unterminated).
fn quoted_end(line: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(found) = line.get(at..).and_then(|rest| memchr::memchr(b'"', rest)) {
        let quote = at + found;
        if line.get(quote + 1) == Some(&b'"') {
            at = quote + 2;
        } else {
            return quote + 1;
        }
    }
    line.len()
}

/// The column the byte at `offset` sits in (`None` past the end of the line).
pub(crate) fn column_at(line: &[u8], offset: usize) -> Option<usize> {
    if offset > line.len() {
        return None;
    }
    cells(line).position(|(_, end)| offset <= end)
}

/// A cell's text: outer blanks and quotes removed, `""` read as `"`.
fn unquote(cell: &[u8]) -> String {
    let cell = cell.trim_ascii();
    let text = String::from_utf8_lossy(cell);
    match text.strip_prefix('"') {
        Some(inner) => inner.strip_suffix('"').unwrap_or(inner).replace("\"\"", "\"").trim().to_owned(),
        None => text.into_owned(),
    }
}

/// The value of column `index`, blanks and quotes removed.
pub(crate) fn value(line: &[u8], index: usize) -> Option<&[u8]> {
    let (start, end) = cells(line).nth(index)?;
    let cell = line[start..end].trim_ascii();
    let cell = cell.strip_prefix(b"\"").unwrap_or(cell);
    Some(cell.strip_suffix(b"\"").unwrap_or(cell))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::FieldType;

    const INPUT: &str = "\u{feff}ts,\"Source IP\",dst_ip,query,\"note, with \"\"comma\"\"\",sha256\r\n\
        1521911720.5,10.0.0.1,10.0.0.2,evil.example,\"said \"\"evil.example\"\", twice\",-\r\n";

    #[test]
    fn the_first_line_names_the_columns() {
        let (columns, length) = read_header(INPUT.as_bytes());
        assert_eq!(length, INPUT.find("1521911720").unwrap_or_default());
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["ts", "Source IP", "dst_ip", "query", "note, with \"comma\"", "sha256"]);
        let types: Vec<FieldType> = columns.iter().map(|c| c.ty).collect();
        use FieldType::*;
        assert_eq!(types, [Nothing, Address, Address, Domain, Text, Hash]);
    }

    #[test]
    fn quoted_commas_and_quotes_stay_in_their_cell() {
        let record = INPUT.lines().nth(1).unwrap_or_default();
        let first = record.find("evil.example").unwrap_or_default();
        let second = record.rfind("evil.example").unwrap_or_default();
        assert_eq!(column_at(record.as_bytes(), first), Some(3));
        assert_eq!(column_at(record.as_bytes(), second), Some(4));
        assert_eq!(column_at(record.as_bytes(), record.find("twice").unwrap_or_default()), Some(4));
        assert_eq!(column_at(record.as_bytes(), record.len() - 1), Some(5));
        assert_eq!(column_at(record.as_bytes(), 0), Some(0));
        assert_eq!(column_at(record.as_bytes(), record.len() + 1), None);
        assert_eq!(value(record.as_bytes(), 0), Some(&b"1521911720.5"[..]));
        assert_eq!(value(record.as_bytes(), 4), Some(&b"said \"\"evil.example\"\", twice"[..]));
        assert_eq!(value(record.as_bytes(), 6), None);
    }

    #[test]
    fn hostile_cells() {
        let spans = |line: &str| cells(line.as_bytes()).collect::<Vec<_>>();
        assert_eq!(spans(""), [(0, 0)]);
        assert_eq!(spans(","), [(0, 0), (1, 1)]);
        assert_eq!(spans("\"a,b"), [(0, 4)], "an unterminated quote runs to the end");
        assert_eq!(spans("a\"b,c"), [(0, 3), (4, 5)], "a quote inside a cell is a byte");
        assert_eq!(spans("\"a\"b,c"), [(0, 4), (5, 6)], "bytes after a closing quote stay in the cell");
        assert_eq!(spans("\"\"\"\"\"\""), [(0, 6)]);
        assert_eq!(spans("\"\","), [(0, 2), (3, 3)]);
        let (columns, length) = read_header(b"\"\xff\",b");
        assert_eq!(length, 5);
        assert_eq!(columns.len(), 2);
    }
}
