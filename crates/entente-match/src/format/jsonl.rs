//! JSON lines (Zeek JSON, Suricata `eve.json`, any JSON lines): the key a hit's
//! string sits under, and the record's time, without parsing the record into values.
//!
//! The walk goes *forward* from the start of the record, the one place where the
//! state is known: a backward scan cannot tell whether a quote opens or closes a
//! string (`"a,"` ends in `,"` like a value that starts after a comma). Forward
//! costs O(offset) per hit, like counting columns in Zeek TSV or CSV, and runs only
//! on hits. Escapes are honoured by skipping the byte after every `\` inside strings.
//!
//! Tolerant, never panicking: malformed input (unterminated strings, stray closing
//! brackets, missing colons) gives `None` where no key can be attributed, never an
//! error. Keys are borrowed from the line as written (escapes are not decoded: a key
//! with escapes simply finds no entry in the name table).

use super::{names, time};

/// A key's or value's byte span (`start..end`; a string's without its quotes).
type Span = (usize, usize);

/// What the walk meets, in order.
enum Event {
    /// An object key.
    Key(Span),
    /// A string or bare scalar value, the key it belongs to (for a value inside
    /// arrays, the key of the nearest enclosing object member), and its depth (1 for
    /// a member of the top-level object).
    Value { span: Span, key: Option<Span>, depth: usize },
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// In an object, before a key.
    Key,
    /// In an object, after a key, before `:`.
    Colon,
    /// Before a value (in an object after `:`, in an array after `[` or `,`).
    Value,
    /// After a value, before `,` or the closing bracket.
    After,
}

struct Frame {
    array: bool,
    /// An object's current key; an array's key is its enclosing member's.
    key: Option<Span>,
    phase: Phase,
}

/// The key of the string (or array of strings, or bare scalar) the byte at `offset`
/// sits in; `None` inside a key, between values, or outside any object member.
pub(crate) fn key_at(line: &[u8], offset: usize) -> Option<&str> {
    let found = walk(line, |event| {
        let ((start, end), key) = match event {
            Event::Key(span) => (span, None),
            Event::Value { span, key, .. } => (span, key),
        };
        if offset < start {
            // Walked past the offset: it sits between keys and values.
            return Some(None);
        }
        (offset < end).then_some(key)
    })??;
    std::str::from_utf8(&line[found.0..found.1]).ok()
}

/// The record's time: the first top-level member named like a time (see
/// [`super::names::TIME_NAMES`]) whose value is an epoch number or a date-time.
pub(crate) fn timestamp(line: &[u8]) -> Option<f64> {
    walk(line, |event| match event {
        Event::Value { span, key: Some(key), depth: 1, .. } => {
            let name = std::str::from_utf8(&line[key.0..key.1]).ok()?;
            names::time_rank(name)?;
            time::seconds(&line[span.0..span.1])
        }
        _ => None,
    })
}

/// Walks `line`, calling `visit` on each key and value in order until it returns
/// `Some`.
fn walk<T>(line: &[u8], mut visit: impl FnMut(Event) -> Option<T>) -> Option<T> {
    // The root frame holds top-level values, which belong to no key.
    let mut stack = vec![Frame { array: true, key: None, phase: Phase::Value }];
    let mut at = 0;
    while at < line.len() {
        let depth = stack.len() - 1;
        let top = stack.last_mut()?;
        match line[at] {
            b'"' => {
                let end = string_end(line, at + 1);
                let span = (at + 1, end);
                let event = if !top.array && top.phase == Phase::Key {
                    top.key = Some(span);
                    top.phase = Phase::Colon;
                    Event::Key(span)
                } else {
                    let key = if top.phase == Phase::Value { top.key } else { None };
                    top.phase = Phase::After;
                    Event::Value { span, key, depth }
                };
                if let Some(found) = visit(event) {
                    return Some(found);
                }
                at = end + 1;
            }
            b'{' => {
                top.phase = Phase::After;
                stack.push(Frame { array: false, key: None, phase: Phase::Key });
                at += 1;
            }
            b'[' => {
                let key = if top.phase == Phase::Value { top.key } else { None };
                top.phase = Phase::After;
                stack.push(Frame { array: true, key, phase: Phase::Value });
                at += 1;
            }
            b'}' | b']' => {
                if stack.len() > 1 {
                    stack.pop();
                }
                at += 1;
            }
            b':' => {
                if !top.array {
                    top.phase = Phase::Value;
                }
                at += 1;
            }
            b',' => {
                top.phase = if top.array { Phase::Value } else { Phase::Key };
                at += 1;
            }
            byte if byte.is_ascii_whitespace() => at += 1,
            _ => {
                let end = scalar_end(line, at);
                let key = if top.phase == Phase::Value { top.key } else { None };
                top.phase = Phase::After;
                if let Some(found) = visit(Event::Value { span: (at, end), key, depth }) {
                    return Some(found);
                }
                at = end;
            }
        }
    }
    None
}

/// The index of the quote closing a string whose content starts at `from` (the
/// line's length if it is unterminated).
fn string_end(line: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(found) = line.get(at..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) {
        let position = at + found;
        if line[position] == b'"' {
            return position;
        }
        at = position + 2;
    }
    line.len()
}

/// The end of a bare scalar (number, `true`, `null`, or junk) starting at `from`.
fn scalar_end(line: &[u8], from: usize) -> usize {
    line[from..]
        .iter()
        .position(|b| matches!(b, b',' | b'}' | b']' | b':' | b'"' | b'{' | b'[') || b.is_ascii_whitespace())
        .map_or(line.len(), |length| from + length)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Real records from /work/shared/data/zeek (dns.json.gz, ssl.json.gz).
    const DNS: &str = r#"{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z","uid":"CqKst53mF3det3eDV9","id.orig_h":"10.47.1.100","id.orig_p":41772,"id.resp_h":"10.0.0.100","id.resp_p":53,"proto":"udp","trans_id":36329,"rtt":0.0008699893951416016,"query":"ise.wrccdc.org","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["ise.wrccdc.cpp.edu","134.71.3.16"],"TTLs":[2230.0,41830.0],"rejected":false}"#;
    const SSL: &str = r#"{"_path":"ssl","_write_ts":"2018-03-24T17:15:20.629574Z","ts":"2018-03-24T17:15:20.615923Z","uid":"CmC9kY1X0u9nP78KZc","id.orig_h":"10.164.94.120","id.orig_p":39611,"id.resp_h":"10.47.3.200","id.resp_p":443,"version":"TLSv10","cipher":"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA","curve":"secp256r1","resumed":false,"established":true,"ssl_history":"CsxknGIi","cert_chain_fps":["b2dafbcdbc75210672f137f27ce882ccb799887631655d4f11191d5a678e44fe"],"client_cert_chain_fps":[],"validation_status":"unable to get local issuer certificate"}"#;

    fn at(line: &str, needle: &str) -> usize {
        line.find(needle).unwrap_or_else(|| panic!("{needle} not in {line}"))
    }

    fn key<'l>(line: &'l str, needle: &str) -> Option<&'l str> {
        key_at(line.as_bytes(), at(line, needle))
    }

    #[test]
    fn zeek_dns_values_name_their_keys() {
        assert_eq!(key(DNS, "ise.wrccdc.org"), Some("query"));
        assert_eq!(key(DNS, "10.0.0.100"), Some("id.resp_h"));
        assert_eq!(key(DNS, "10.47.1.100"), Some("id.orig_h"));
        assert_eq!(key(DNS, "ise.wrccdc.cpp.edu"), Some("answers"));
        assert_eq!(key(DNS, "134.71.3.16"), Some("answers"));
        assert_eq!(key(DNS, "41772"), Some("id.orig_p"));
        assert_eq!(key(DNS, "41830.0"), Some("TTLs"));
        // Inside a key, or on the punctuation between values: no key.
        assert_eq!(key(DNS, "d.resp_h"), None);
        assert_eq!(key_at(DNS.as_bytes(), at(DNS, r#":"10.0.0.100"#)), None);
        assert_eq!(key_at(DNS.as_bytes(), 0), None);
        assert_eq!(key_at(DNS.as_bytes(), DNS.len() - 1), None);
        assert_eq!(key_at(DNS.as_bytes(), DNS.len()), None);
        assert_eq!(key_at(DNS.as_bytes(), usize::MAX), None);
    }

    #[test]
    fn zeek_ssl_fingerprints_sit_in_their_array() {
        assert_eq!(key(SSL, "b2dafbcd"), Some("cert_chain_fps"));
        assert_eq!(key(SSL, "local issuer"), Some("validation_status"));
    }

    #[test]
    fn the_innermost_key_wins_and_outer_keys_come_back() {
        let line = r#"{"http":{"hostname":"x.example","url":"/a?b.example"},"dest_ip":"1.2.3.4","dns":{"answers":[{"rrname":"a.example","rdata":"5.6.7.8"},"c.example"],"rrname":"d.example"},"deep":[["e.example"]]}"#;
        assert_eq!(key(line, "x.example"), Some("hostname"));
        assert_eq!(key(line, "b.example"), Some("url"));
        assert_eq!(key(line, "1.2.3.4"), Some("dest_ip"));
        assert_eq!(key(line, "a.example"), Some("rrname"));
        assert_eq!(key(line, "5.6.7.8"), Some("rdata"));
        assert_eq!(key(line, "c.example"), Some("answers"));
        assert_eq!(key(line, "d.example"), Some("rrname"));
        assert_eq!(key(line, "e.example"), Some("deep"));
    }

    #[test]
    fn escaped_quotes_stay_inside_strings() {
        let line =
            r#"{"msg":"say \"evil.example\", \"k\":\"v.example","host":"x.example","path":"c:\\","after":"y.example"}"#;
        assert_eq!(key(line, "evil.example"), Some("msg"));
        assert_eq!(key(line, "v.example"), Some("msg"));
        assert_eq!(key(line, "x.example"), Some("host"));
        assert_eq!(key(line, "y.example"), Some("after"));
    }

    #[test]
    fn hostile_lines_answer_without_panicking() {
        let unterminated = r#"{"query":"evil.exa"#;
        assert_eq!(key(unterminated, "evil"), Some("query"));
        let key_unterminated = r#"{"evil.example"#;
        assert_eq!(key(key_unterminated, "evil"), None);
        for line in [
            &b""[..],
            b"\"",
            b"\"\"\"\"\"\"\"\"",
            b"\\",
            b"{\"a\\",
            b"{\"a\":\"\\",
            b"}}}]]]{{{[[[",
            b"{\"\xff\xfe\":\"x.example\"}",
            b"{:::,,,\"a\"\"b\"}",
            b"[\"1.2.3.4\"]",
        ] {
            for offset in 0..=line.len() + 1 {
                let _ = key_at(line, offset);
            }
            assert_eq!(timestamp(line), None);
        }
        assert_eq!(key_at(b"{\"\xff\xfe\":\"x.example\"}", 9), None, "a non-UTF-8 key names nothing");
        assert_eq!(key_at(b"[\"1.2.3.4\"]", 2), None, "a top-level array has no key");
        assert_eq!(key_at(br#"{"a":"x" "y.example"}"#, 10), None, "a second value after one is not attributed");
    }

    #[test]
    fn timestamps_of_zeek_and_suricata() {
        let close = |got: Option<f64>, want: f64| got.is_some_and(|got| (got - want).abs() < 1e-6);
        assert!(close(timestamp(DNS.as_bytes()), 1_521_911_720.865_716));
        let suricata =
            r#"{"timestamp":"2018-03-24T17:15:20.865716+0000","flow_id":1,"event_type":"dns","src_ip":"10.0.0.1"}"#;
        assert!(close(timestamp(suricata.as_bytes()), 1_521_911_720.865_716));
        let epoch = r#"{"_write_ts":1.0,"ts":1521911720.5,"uid":"C"}"#;
        assert!(close(timestamp(epoch.as_bytes()), 1_521_911_720.5));
        assert_eq!(timestamp(br#"{"flow":{"ts":5},"uid":"C"}"#), None, "only top-level members");
        assert_eq!(timestamp(br#"{"ts":"yesterday"}"#), None);
        assert!(close(timestamp(br#"{"ts":"yesterday","timestamp":"1970-01-01T00:00:07Z"}"#), 7.0));
    }
}
