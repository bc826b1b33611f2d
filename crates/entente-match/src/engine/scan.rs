//! The tokenizer and candidate checks of `docs/match.md`, over the bit masks of
//! [`super::masks`]: a token costs a few bit operations unless it can be a candidate,
//! and a candidate costs one filter probe unless some indicator may match it.

use super::Hit;
use super::masks::{self, Masks};
use super::table::Table;
use crate::kind::Class;
use crate::url;
use std::net::Ipv6Addr;

const DIGIT: u8 = 1;
const HEX_LETTER: u8 = 2;
const OTHER_LETTER: u8 = 4;
const DASH: u8 = 8;
const LETTER: u8 = HEX_LETTER | OTHER_LETTER;

/// The longest candidate worth normalising (a domain name has at most 253 bytes, a
/// SHA-512 128 hex digits, an e-mail address 254 bytes).
const LONGEST: usize = 256;

/// What a token holds, gathered from the masks of the blocks it spans.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    classes: u8,
    dots: u32,
    colons: u32,
    ats: u32,
}

impl Token {
    #[inline(always)]
    fn new(start: usize) -> Token {
        Token { start, classes: 0, dots: 0, colons: 0, ats: 0 }
    }

    #[inline(always)]
    fn add(&mut self, m: &Masks, range: u64) {
        let digit = u8::from(m.digit & range != 0);
        let hex = u8::from(m.hex_letter & range != 0) << 1;
        let other = u8::from(m.other_letter & range != 0) << 2;
        let dash = u8::from(m.word & !(m.digit | m.hex_letter | m.other_letter | m.dot | m.colon | m.at) & range != 0) << 3;
        self.classes |= digit | hex | other | dash;
        self.dots += (m.dot & range).count_ones();
        self.colons += (m.colon & range).count_ones();
        self.ats += (m.at & range).count_ones();
    }

    /// The same facts computed byte by byte (for pieces of a token).
    fn of(bytes: &[u8], start: usize) -> Token {
        let mut token = Token::new(start);
        for &b in bytes {
            match b {
                b'0'..=b'9' => token.classes |= DIGIT,
                b'a'..=b'f' | b'A'..=b'F' => token.classes |= HEX_LETTER,
                b'g'..=b'z' | b'G'..=b'Z' => token.classes |= OTHER_LETTER,
                b'.' => token.dots += 1,
                b':' => token.colons += 1,
                b'@' => token.ats += 1,
                _ => token.classes |= DASH,
            }
        }
        token
    }
}

#[inline(always)]
fn range(start: u32, end: u32) -> u64 {
    let high = if end == 64 { u64::MAX } else { (1u64 << end) - 1 };
    high & (u64::MAX << start)
}

fn is_hex_length(len: usize) -> bool {
    matches!(len, 32 | 40 | 64 | 128)
}

struct Scan<'a, F> {
    table: &'a Table,
    hay: &'a [u8],
    sink: &'a mut F,
    open: Option<Token>,
}

pub(super) fn find<F: FnMut(Hit)>(table: &Table, hay: &[u8], sink: &mut F) {
    let mut scan = Scan { table, hay, sink, open: None };
    let mut blocks = hay.chunks_exact(64);
    let mut base = 0;
    for block in &mut blocks {
        let block: &[u8; 64] = block.try_into().expect("64 bytes");
        scan.block(&masks::block(block), base);
        base += 64;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // Spaces are not token bytes: the padding closes any open token at the end.
        let mut last = [b' '; 64];
        last[..rest.len()].copy_from_slice(rest);
        scan.block(&masks::block(&last), base);
    }
    if let Some(token) = scan.open.take() {
        scan.token(token, hay.len());
    }
}

impl<F: FnMut(Hit)> Scan<'_, F> {
    #[inline(always)]
    fn block(&mut self, m: &Masks, base: usize) {
        let mut word = m.word;
        if let Some(mut token) = self.open.take() {
            let run = (!word).trailing_zeros();
            let r = range(0, run);
            token.add(m, r);
            if run == 64 {
                self.open = Some(token);
                return;
            }
            self.token(token, base + run as usize);
            word &= !r;
        }
        while word != 0 {
            let start = word.trailing_zeros();
            let after = !word & (u64::MAX << start);
            let end = if after == 0 { 64 } else { after.trailing_zeros() };
            let r = range(start, end);
            let mut token = Token::new(base + start as usize);
            token.add(m, r);
            if end == 64 {
                self.open = Some(token);
                return;
            }
            self.token(token, base + end as usize);
            word &= !r;
        }
    }

    /// A whole token `token.start..end`.
    #[inline(always)]
    fn token(&mut self, token: Token, end: usize) {
        let start = token.start;
        if token.colons == 0 && token.ats == 0 {
            if token.dots == 0 && !(self.table.has.hex && is_hex_length(end - start)) {
                return;
            }
            self.piece(token, end);
            return;
        }
        if token.ats == 0 && token.colons == 1 {
            // `":41772` in JSON, `host:` before a port or a URL's `//`.
            if self.hay[start] == b':' {
                self.piece(Token { start: start + 1, colons: 0, ..token }, end);
                return;
            }
            if self.hay[end - 1] == b':' {
                self.url(start, end);
                self.piece(Token { colons: 0, ..token }, end - 1);
                return;
            }
        }
        self.slow(token, end);
    }

    /// A token with `@` or inner colons, byte by byte.
    #[cold]
    fn slow(&mut self, token: Token, end: usize) {
        let start = token.start;
        let bytes = &self.hay[start..end];
        if token.colons >= 2 && bytes.iter().all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.')) {
            self.address_or_fingerprint(start, end);
        }
        if bytes.last() == Some(&b':') {
            self.url(start, end);
        }
        let mut piece_start = start;
        for i in start..=end {
            if i == end || self.hay[i] == b':' {
                if i > piece_start {
                    self.piece_bytes(piece_start, i);
                }
                piece_start = i + 1;
            }
        }
    }

    fn address_or_fingerprint(&mut self, start: usize, end: usize) {
        let text = std::str::from_utf8(&self.hay[start..end]).unwrap_or("");
        if self.table.has.v6
            && let Ok(address) = text.parse::<Ipv6Addr>()
        {
            let sink = &mut *self.sink;
            self.table.v6(u128::from(address), |atom| sink(Hit { atom, start, end }));
        }
        let pairs = text.split(':').all(|pair| pair.len() == 2);
        if self.table.has.hex && pairs {
            let digits: Vec<u8> = text.bytes().filter(|b| *b != b':').map(|b| b.to_ascii_lowercase()).collect();
            if is_hex_length(digits.len()) {
                let sink = &mut *self.sink;
                self.table.bytes(Class::Hex, &digits, |atom| sink(Hit { atom, start, end }));
            }
        }
    }

    /// A token ending in `:` followed by `//` starts a URL at its last piece.
    fn url(&mut self, start: usize, end: usize) {
        if !self.table.has.url || !self.hay[end..].starts_with(b"//") {
            return;
        }
        let scheme_start = self.hay[start..end - 1].iter().rposition(|&b| b == b':').map_or(start, |i| start + i + 1);
        if !url::is_scheme(&self.hay[scheme_start..end - 1]) {
            return;
        }
        let url_end = url::url_end(self.hay, scheme_start);
        if let Some(normal) = url::normalize(&self.hay[scheme_start..url_end]) {
            let sink = &mut *self.sink;
            self.table.bytes(Class::Url, &normal, |atom| sink(Hit { atom, start: scheme_start, end: url_end }));
        }
    }

    /// A piece of a slow token: `@` handling, then the common checks.
    fn piece_bytes(&mut self, mut start: usize, mut end: usize) {
        while start < end && self.hay[start] == b'.' {
            start += 1;
        }
        while end > start && self.hay[end - 1] == b'.' {
            end -= 1;
        }
        if start == end {
            return;
        }
        let token = Token::of(&self.hay[start..end], start);
        if token.ats == 0 {
            self.piece(token, end);
            return;
        }
        let first_at = start + self.hay[start..end].iter().position(|&b| b == b'@').unwrap_or(0);
        let email = token.ats == 1 && first_at > start && self.hay[first_at + 1..end].contains(&b'.');
        if email {
            if self.table.has.email && end - start <= LONGEST {
                let mut buf = [0u8; LONGEST];
                let lower = lower(&self.hay[start..end], &mut buf);
                let sink = &mut *self.sink;
                self.table.bytes(Class::Email, lower, |atom| sink(Hit { atom, start, end }));
            }
            self.piece_bytes(first_at + 1, end);
            return;
        }
        let mut part_start = start;
        for i in start..=end {
            if i == end || self.hay[i] == b'@' {
                if i > part_start {
                    self.piece_bytes(part_start, i);
                }
                part_start = i + 1;
            }
        }
    }

    /// A piece without `:` or `@`: IPv4, hex or domain candidate.
    #[inline(always)]
    fn piece(&mut self, token: Token, end: usize) {
        let (mut start, mut end, mut dots) = (token.start, end, token.dots);
        if dots > 0 {
            while start < end && self.hay[start] == b'.' {
                start += 1;
                dots -= 1;
            }
            while end > start && self.hay[end - 1] == b'.' {
                end -= 1;
                dots -= 1;
            }
        }
        let len = end - start;
        if len == 0 {
            return;
        }
        let classes = token.classes;
        if dots == 0 {
            if self.table.has.hex && is_hex_length(len) && classes & (OTHER_LETTER | DASH) == 0 {
                self.hex(start, end);
            }
            return;
        }
        if classes & LETTER == 0 {
            if dots == 3 && classes == DIGIT && self.table.has.v4 && (7..=15).contains(&len) {
                if let Some(address) = ipv4(&self.hay[start..end]) {
                    let sink = &mut *self.sink;
                    self.table.v4(address, |atom| sink(Hit { atom, start, end }));
                }
            }
            return;
        }
        if self.table.has.domain {
            self.domain(start, end);
        }
    }

    fn hex(&mut self, start: usize, end: usize) {
        let mut buf = [0u8; LONGEST];
        let lower = lower(&self.hay[start..end], &mut buf);
        let sink = &mut *self.sink;
        self.table.bytes(Class::Hex, lower, |atom| sink(Hit { atom, start, end }));
    }

    /// The domain and each of its parents of two labels or more.
    fn domain(&mut self, start: usize, end: usize) {
        if end - start > LONGEST {
            return;
        }
        let mut buf = [0u8; LONGEST];
        let lower = lower(&self.hay[start..end], &mut buf);
        let last_dot = lower.iter().rposition(|&b| b == b'.').unwrap_or(0);
        let sink = &mut *self.sink;
        let mut suffix = 0;
        loop {
            self.table.bytes(Class::Domain, &lower[suffix..], |atom| sink(Hit { atom, start, end }));
            match lower[suffix..last_dot].iter().position(|&b| b == b'.') {
                Some(dot) => suffix += dot + 1,
                None => break,
            }
        }
    }
}

fn lower<'b>(bytes: &[u8], buf: &'b mut [u8; LONGEST]) -> &'b [u8] {
    let out = &mut buf[..bytes.len()];
    for (o, b) in out.iter_mut().zip(bytes) {
        *o = b.to_ascii_lowercase();
    }
    out
}

/// Four groups of 1–3 decimal digits, each at most 255 (the caller checked that the
/// bytes are digits and exactly three dots).
fn ipv4(bytes: &[u8]) -> Option<u32> {
    let mut address = 0u32;
    let mut group = 0u32;
    let mut digits = 0;
    for &b in bytes {
        if b == b'.' {
            if digits == 0 || group > 255 {
                return None;
            }
            address = (address << 8) | group;
            group = 0;
            digits = 0;
        } else {
            digits += 1;
            if digits > 3 {
                return None;
            }
            group = group * 10 + u32::from(b - b'0');
        }
    }
    if digits == 0 || group > 255 {
        return None;
    }
    Some((address << 8) | group)
}
