//! The naive reference matcher: `docs/match.md` read literally, one obvious step at a
//! time, so that the property tests can hold the engine to the contract.
//!
//! It shares nothing with the engine but the public `Kind`, `Rule` and `Term` types:
//! no masks, no hashing, no lookup tables. Every record is cut into tokens, every
//! token into candidates, and every candidate is compared with every term. It is slow
//! on purpose; it must only be obviously right.
//!
//! It does not judge which rules are valid (the engine's build report does); callers
//! give it the rules the engine kept, and a term it cannot read never hits.

use entente_match::{Kind, Rule};
use std::collections::BTreeSet;
use std::net::Ipv6Addr;

/// One hit as the searcher reports it: rule index, alternative, term, span.
pub type Key = (u32, u16, u16, usize, usize);

/// A term's value in its normal form (the table of `docs/match.md`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    V4 { net: u32, len: u32 },
    V6 { net: u128, len: u32 },
    Domain(String),
    Url(String),
    Email(String),
    Hex(String),
}

/// What a candidate in the bytes is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    V4(u32),
    V6(u128),
    Domain(String),
    Url(String),
    Email(String),
    /// Hex digits, lower case (from a hex candidate or a colon fingerprint).
    Hex(String),
}

/// A candidate and its byte span in the whole input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub candidate: Candidate,
    pub start: usize,
    pub end: usize,
}

/// Every hit `Searcher::search` reports in text: single-term alternatives report each
/// hit, an alternative of several terms reports its terms' hits only in records where
/// every one of its terms hit.
pub fn hits(rules: &[Rule], hay: &[u8]) -> BTreeSet<Key> {
    let mut out = BTreeSet::new();
    for (start, end) in records(hay) {
        let raw = term_hits(rules, &hay[..end], start);
        for (r, rule) in rules.iter().enumerate() {
            for (a, terms) in rule.alternatives.iter().enumerate() {
                let mine: Vec<&Key> = raw.iter().filter(|k| k.0 as usize == r && usize::from(k.1) == a).collect();
                let every_term_hit = (0..terms.len()).all(|t| mine.iter().any(|k| usize::from(k.2) == t));
                if every_term_hit {
                    out.extend(mine.into_iter().copied());
                }
            }
        }
    }
    out
}

/// Every term of every rule that hits a candidate in `hay`, conjunctions ignored
/// (what `Engine::find` reports, expanded to terms).
pub fn raw_hits(rules: &[Rule], hay: &[u8]) -> BTreeSet<Key> {
    records(hay).into_iter().flat_map(|(start, end)| term_hits(rules, &hay[..end], start)).collect()
}

/// The records of `hay` as `(start, end)`: the input split at `\n`.
pub fn records(hay: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &b) in hay.iter().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, hay.len()));
    out
}

/// The term hits of the record `hay[start..]`.
fn term_hits(rules: &[Rule], hay: &[u8], start: usize) -> Vec<Key> {
    let found = candidates(hay, start);
    let mut out = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        for (a, terms) in rule.alternatives.iter().enumerate() {
            for (t, term) in terms.iter().enumerate() {
                let Some(value) = value(term.kind, &term.value) else { continue };
                for f in &found {
                    if hits_candidate(&value, &f.candidate) {
                        out.push((r as u32, a as u16, t as u16, f.start, f.end));
                    }
                }
            }
        }
    }
    out
}

/// "Matching, case-insensitive for letters" (candidates and values are both lower case).
pub fn hits_candidate(value: &Value, candidate: &Candidate) -> bool {
    match (value, candidate) {
        (Value::V4 { net, len }, Candidate::V4(address)) => v4_mask(*len) & address == *net,
        (Value::V6 { net, len }, Candidate::V6(address)) => v6_mask(*len) & address == *net,
        (Value::Domain(d), Candidate::Domain(c)) => c == d || c.ends_with(&format!(".{d}")),
        (Value::Url(v), Candidate::Url(c))
        | (Value::Email(v), Candidate::Email(c))
        | (Value::Hex(v), Candidate::Hex(c)) => v == c,
        _ => false,
    }
}

fn v4_mask(len: u32) -> u32 {
    (0..len).map(|bit| 1u32 << (31 - bit)).sum()
}

fn v6_mask(len: u32) -> u128 {
    (0..len).map(|bit| 1u128 << (127 - bit)).sum()
}

/// The normal form of a value of `kind`, or `None` if it is not one.
pub fn value(kind: Kind, text: &str) -> Option<Value> {
    match kind {
        Kind::Ipv4 => {
            let (address, len) = with_prefix(text, 32)?;
            // Leading zeros read as decimal, as in candidates.
            let address = ipv4(address)?;
            Some(Value::V4 { net: address & v4_mask(len), len })
        }
        Kind::Ipv6 => {
            let (address, len) = with_prefix(text, 128)?;
            let address = u128::from(address.parse::<Ipv6Addr>().ok()?);
            Some(Value::V6 { net: address & v6_mask(len), len })
        }
        Kind::Domain => {
            let name = text.trim_matches('.').to_ascii_lowercase();
            let allowed = name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
            let labels = name.split('.').count() >= 2 && name.split('.').all(|label| (1..=63).contains(&label.len()));
            let letter = name.chars().any(|c| c.is_ascii_alphabetic());
            (allowed && labels && letter && name.len() <= 253).then_some(Value::Domain(name))
        }
        // Trailing punctuation is never part of a URL candidate: a value whose normal
        // form ends in it is refused.
        Kind::Url => url_normal(text).filter(|n| !n.ends_with(['.', ',', ';', ':', '!', '?'])).map(Value::Url),
        Kind::Email => {
            let (local, domain) = text.split_once('@')?;
            let local_ok = !local.is_empty()
                && !local.starts_with('.')
                && !local.ends_with('.')
                && local.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
            let domain_ok = matches!(value(Kind::Domain, domain), Some(Value::Domain(d)) if d.len() == domain.len());
            let ok = local_ok && domain_ok && text.len() <= 254;
            ok.then(|| Value::Email(text.to_ascii_lowercase()))
        }
        Kind::Md5 => plain_hex(text, &[32]),
        Kind::Sha1 => plain_hex(text, &[40]),
        Kind::Sha256 => plain_hex(text, &[64]),
        Kind::Sha512 => plain_hex(text, &[128]),
        Kind::Fingerprint => {
            let pairs: Vec<&str> = text.split(':').collect();
            if pairs.len() > 1 && pairs.iter().all(|pair| pair.len() == 2) {
                plain_hex(&pairs.concat(), &[40, 64])
            } else {
                plain_hex(text, &[40, 64])
            }
        }
    }
}

fn with_prefix(text: &str, max: u32) -> Option<(&str, u32)> {
    match text.split_once('/') {
        None => Some((text, max)),
        Some((address, len)) => {
            let len: u32 = len.parse().ok()?;
            (len <= max).then_some((address, len))
        }
    }
}

fn plain_hex(text: &str, lengths: &[usize]) -> Option<Value> {
    let ok = text.chars().all(|c| c.is_ascii_hexdigit()) && lengths.contains(&text.len());
    ok.then(|| Value::Hex(text.to_ascii_lowercase()))
}

/// "URL normal form", step by step.
pub fn url_normal(text: &str) -> Option<String> {
    let (scheme, rest) = text.split_once(':')?;
    let rest = rest.strip_prefix("//")?;
    if !is_scheme(scheme) {
        return None;
    }
    let scheme = scheme.to_ascii_lowercase();
    // The fragment is dropped.
    let rest = rest.split('#').next().unwrap_or("");
    let authority_len = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path_and_query) = rest.split_at(authority_len);
    let (userinfo, host_and_port) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    // A port is what follows the last ':' that is not inside an IPv6 literal.
    let literal_end = host_and_port.rfind(']').map_or(0, |i| i + 1);
    let (host, port) = match host_and_port[literal_end..].rfind(':') {
        Some(colon) => {
            let colon = literal_end + colon;
            (&host_and_port[..colon], &host_and_port[colon + 1..])
        }
        None => (host_and_port, ""),
    };
    let default_port = match scheme.as_str() {
        "http" | "ws" => "80",
        "https" | "wss" => "443",
        "ftp" => "21",
        _ => "",
    };
    let mut out = format!("{scheme}://{userinfo}{}", host.to_ascii_lowercase());
    if !port.is_empty() && port != default_port {
        out.push(':');
        out.push_str(port);
    }
    if !path_and_query.starts_with('/') {
        out.push('/');
    }
    out.push_str(&percent_normal(path_and_query));
    Some(out)
}

/// Percent-encodings of unreserved characters decoded, the others in upper case.
fn percent_normal(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let encoded = bytes[i] == b'%' && i + 2 < bytes.len();
        if encoded && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit() {
            let digits = std::str::from_utf8(&bytes[i + 1..i + 3]).expect("hex digits are ASCII");
            let decoded = u8::from_str_radix(digits, 16).expect("two hex digits");
            if decoded.is_ascii_alphanumeric() || b"-._~".contains(&decoded) {
                out.push(decoded);
            } else {
                out.push(b'%');
                out.extend(digits.to_ascii_uppercase().bytes());
            }
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("decoded bytes are ASCII")
}

fn is_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".-_:@".contains(&b)
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&()*+,;=%".contains(&b)
}

/// Every candidate of the record `hay[start..]` (the record ends where `hay` does).
pub fn candidates(hay: &[u8], start: usize) -> Vec<Found> {
    let mut out = Vec::new();
    let mut i = start;
    while i < hay.len() {
        if !is_token_byte(hay[i]) {
            i += 1;
            continue;
        }
        let token_start = i;
        while i < hay.len() && is_token_byte(hay[i]) {
            i += 1;
        }
        token(hay, token_start, i, &mut out);
    }
    out
}

/// Steps 2, 3 and 5 for the token `hay[start..end]`.
fn token(hay: &[u8], start: usize, end: usize, out: &mut Vec<Found>) {
    let text = std::str::from_utf8(&hay[start..end]).expect("token bytes are ASCII");
    let colons = text.matches(':').count();
    if colons >= 2
        && text.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        && let Ok(address) = text.parse::<Ipv6Addr>()
    {
        out.push(Found { candidate: Candidate::V6(u128::from(address)), start, end });
    }
    let pairs: Vec<&str> = text.split(':').collect();
    if colons >= 1 && pairs.iter().all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit())) {
        out.push(Found { candidate: Candidate::Hex(pairs.concat().to_ascii_lowercase()), start, end });
    }
    let pieces = split(hay, start, end, b':');
    for &(piece_start, piece_end) in &pieces {
        piece(hay, piece_start, piece_end, out);
    }
    if text.ends_with(':')
        && hay[end..].starts_with(b"//")
        && let Some(&(scheme_start, scheme_end)) = pieces.last()
    {
        // A piece has no leading dots (step 3): `...http://` starts at `http`.
        let (scheme_start, _) = trim_dots(hay, scheme_start, scheme_end);
        url(hay, scheme_start, out);
    }
}

/// Step 5: the URL that starts at `start` (its scheme).
fn url(hay: &[u8], start: usize, out: &mut Vec<Found>) {
    let mut end = start;
    while end < hay.len() && is_url_byte(hay[end]) {
        end += 1;
    }
    while end > start && b".,;:!?".contains(&hay[end - 1]) {
        end -= 1;
    }
    let text = std::str::from_utf8(&hay[start..end]).expect("URL bytes are ASCII");
    let scheme = text.split(':').next().unwrap_or("");
    if !is_scheme(scheme) {
        return;
    }
    if let Some(normal) = url_normal(text) {
        out.push(Found { candidate: Candidate::Url(normal), start, end });
    }
}

/// The non-empty parts of `hay[start..end]` between `separator`s, as spans.
fn split(hay: &[u8], start: usize, end: usize, separator: u8) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let mut part_start = start;
    for part in hay[start..end].split(|b| *b == separator) {
        if !part.is_empty() {
            parts.push((part_start, part_start + part.len()));
        }
        part_start += part.len() + 1;
    }
    parts
}

fn trim_dots(hay: &[u8], mut start: usize, mut end: usize) -> (usize, usize) {
    while start < end && hay[start] == b'.' {
        start += 1;
    }
    while end > start && hay[end - 1] == b'.' {
        end -= 1;
    }
    (start, end)
}

/// Steps 3 and 4 for one piece.
fn piece(hay: &[u8], start: usize, end: usize, out: &mut Vec<Found>) {
    let (start, end) = trim_dots(hay, start, end);
    if start == end {
        return;
    }
    let text = std::str::from_utf8(&hay[start..end]).expect("piece bytes are ASCII");
    let ats: Vec<usize> = text.match_indices('@').map(|(i, _)| i).collect();
    if let [at] = ats[..]
        && at > 0
        && text[at + 1..].contains('.')
    {
        if text.len() <= 254 {
            out.push(Found { candidate: Candidate::Email(text.to_ascii_lowercase()), start, end });
        }
        piece(hay, start + at + 1, end, out);
        return;
    }
    if !ats.is_empty() {
        for (part_start, part_end) in split(hay, start, end, b'@') {
            piece(hay, part_start, part_end, out);
        }
        return;
    }
    let candidate = if let Some(address) = ipv4(text) {
        Candidate::V4(address)
    } else if text.chars().all(|c| c.is_ascii_hexdigit()) && [32, 40, 64, 128].contains(&text.len()) {
        Candidate::Hex(text.to_ascii_lowercase())
    } else if text.contains('.') && text.chars().any(|c| c.is_ascii_alphabetic()) && text.len() <= 253 {
        Candidate::Domain(text.to_ascii_lowercase())
    } else {
        return;
    };
    out.push(Found { candidate, start, end });
}

/// Four groups of 1–3 decimal digits separated by dots, each at most 255.
fn ipv4(text: &str) -> Option<u32> {
    let groups: Vec<&str> = text.split('.').collect();
    if groups.len() != 4 {
        return None;
    }
    let mut address = 0u32;
    for group in groups {
        if group.is_empty() || group.len() > 3 || !group.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let number: u32 = group.parse().ok()?;
        if number > 255 {
            return None;
        }
        address = address * 256 + number;
    }
    Some(address)
}
