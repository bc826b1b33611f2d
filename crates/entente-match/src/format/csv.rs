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
