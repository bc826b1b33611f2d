//! Zeek TSV (the ASCII writer's default): the `#` header names and types every
//! column; a hit's column is the number of separators before it. The header, with
//! tabs shown as spaces:
//!
//! ```text
//! #separator \x09
//! #set_separator    ,
//! #fields    ts    uid    id.orig_h    …
//! #types    time    string    addr    …
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A conn.log header and record as Zeek's ASCII writer prints them.
    const CONN: &str = "#separator \\x09\n\
        #set_separator\t,\n\
        #empty_field\t(empty)\n\
        #unset_field\t-\n\
        #path\tconn\n\
        #open\t2018-03-24-17-15-20\n\
        #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\torig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\torig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n\
        #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\tbool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n\
        1521911720.865716\tCqKst53mF3det3eDV9\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\tdns\t0.000870\t32\t80\tSF\t-\t-\t0\tDd\t1\t60\t1\t108\t(empty)\n\
        #close\t2018-03-24-18-00-00\n";

    #[test]
    fn the_header_names_and_types_every_column() {
        let header = read_header(CONN.as_bytes());
        assert_eq!(header.separator, b"\t");
        assert_eq!(header.length, CONN.find("1521911720").unwrap_or_default());
        assert_eq!(header.columns.len(), 21);
        let ty = |name: &str| header.columns.iter().find(|c| c.name == name).map(|c| c.ty);
        assert_eq!(ty("id.orig_h"), Some(FieldType::Address));
        assert_eq!(ty("id.resp_p"), Some(FieldType::Nothing));
        assert_eq!(ty("proto"), Some(FieldType::Nothing));
        assert_eq!(ty("uid"), Some(FieldType::Nothing), "a string column typed by its name");
        assert_eq!(ty("service"), Some(FieldType::Text), "a string column of unknown name");
        assert_eq!(ty("tunnel_parents"), Some(FieldType::Nothing));
    }

    #[test]
    fn a_hit_is_in_the_column_of_the_separators_before_it() {
        let header = read_header(CONN.as_bytes());
        let record = CONN.lines().nth(8).unwrap_or_default();
        let column = |needle: &str| {
            let offset = record.find(needle).unwrap_or(usize::MAX);
            column_at(record.as_bytes(), &header.separator, offset).map(|at| header.columns[at].name.as_str())
        };
        assert_eq!(column("10.47.1.100"), Some("id.orig_h"));
        assert_eq!(column("10.0.0.100"), Some("id.resp_h"));
        assert_eq!(column("1521911720"), Some("ts"));
        assert_eq!(column("(empty)"), Some("tunnel_parents"));
        assert_eq!(column_at(record.as_bytes(), &header.separator, record.len()), Some(20));
        assert_eq!(column_at(record.as_bytes(), &header.separator, record.len() + 1), None);
        assert_eq!(value(record.as_bytes(), &header.separator, 0), Some(&b"1521911720.865716"[..]));
        assert_eq!(value(record.as_bytes(), &header.separator, 21), None);
    }

    #[test]
    fn types_of_other_logs() {
        assert_eq!(column_type(b"vector[addr]", "san.ip"), FieldType::Address);
        assert_eq!(column_type(b"set[addr]", "tx_hosts"), FieldType::Address);
        assert_eq!(column_type(b"subnet", "anything"), FieldType::Address);
        assert_eq!(column_type(b"string", "query"), FieldType::Domain);
        assert_eq!(column_type(b"vector[string]", "answers"), FieldType::Text);
        assert_eq!(column_type(b"vector[string]", "san.dns"), FieldType::Domain);
        assert_eq!(column_type(b"vector[interval]", "TTLs"), FieldType::Nothing);
        assert_eq!(column_type(b"set[enum]", "actions"), FieldType::Nothing);
        assert_eq!(column_type(b"double", "query"), FieldType::Nothing, "the type wins over the name");
        assert_eq!(column_type(b"string", "md5"), FieldType::Hash);
        assert_eq!(column_type(b"pattern", "md5"), FieldType::Hash, "unknown types go by name");
    }

    #[test]
    fn other_separators_and_missing_lines() {
        let header = read_header(b"#separator \\x7c\\x7c\n#fields||ts||query\n#types||time||string\n1.5||a.example\n");
        assert_eq!(header.separator, b"||");
        assert_eq!(header.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["ts", "query"]);
        assert_eq!(column_at(b"1.5||a.example", b"||", 5), Some(1));
        // Only `#fields`: types by name.
        let header = read_header(b"#fields\tid.resp_h\tmsg");
        assert_eq!(header.length, 21);
        assert_eq!(header.columns[0].ty, FieldType::Address);
        assert_eq!(header.columns[1].ty, FieldType::Text);
        // No header at all, or an empty separator: a tab, nothing learnt.
        let header = read_header(b"#separator \n1\t2\n");
        assert_eq!(header.separator, b"\t");
        assert!(header.columns.is_empty());
        assert_eq!(read_header(b"data\n#fields\tts\n").length, 0);
        assert_eq!(unescape(b"\\x0"), b"\\x0");
        assert_eq!(unescape(b"\\xzz,"), b"\\xzz,");
    }
}
