//! The tokenizer and candidate checks of `docs/match.md`, over the bit masks of
//! [`super::masks`]: a token costs a few bit operations unless it can be a candidate,
//! and a candidate costs one filter probe unless some indicator may match it.

use super::Hit;
use super::avx2::{self, Avx2};
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

/// The longest candidate worth normalising: a domain name has at most 253 bytes, an
/// e-mail address 254 (longer ones are not candidates, `docs/match.md`).
const LONGEST: usize = 256;
const LONGEST_DOMAIN: usize = 253;
const LONGEST_EMAIL: usize = 254;

/// What a token holds, gathered from the masks of the blocks it spans.
#[derive(Debug, Clone, Copy)]
struct Token {
    start: usize,
    classes: u8,
    dots: u32,
    colons: u32,
    ats: u32,
    /// Where its last `.` is (meaningful when `dots > 0`).
    last_dot: usize,
    /// Whether the bytes after its last `.` are letters only (as in every ASCII
    /// top-level domain).
    last_label_alphabetic: bool,
}

impl Token {
    #[inline(always)]
    fn new(start: usize) -> Token {
        Token { start, classes: 0, dots: 0, colons: 0, ats: 0, last_dot: 0, last_label_alphabetic: false }
    }

    /// Adds the facts of bits `range` of a block whose first byte is `hay[base]`.
    #[inline(always)]
    fn add(&mut self, m: &Masks, base: usize, range: u64) {
        let dots = m.dot & range;
        if dots != 0 {
            let top = 63 - dots.leading_zeros();
            self.last_dot = base + top as usize;
            let after = range & (u64::MAX << top) & !(1u64 << top);
            self.last_label_alphabetic = (m.digit | m.dash) & after == 0;
        }
        let digit = u8::from(m.digit & range != 0);
        let hex = u8::from(m.hex_letter & range != 0) << 1;
        let other = u8::from(m.other_letter & range != 0) << 2;
        let dash = u8::from(m.dash & range != 0) << 3;
        self.classes |= digit | hex | other | dash;
        self.dots += (m.dot & range).count_ones();
        self.colons += (m.colon & range).count_ones();
        self.ats += (m.at & range).count_ones();
    }

    /// The same facts computed byte by byte (for pieces of a token).
    fn of(bytes: &[u8], start: usize) -> Token {
        let mut token = Token::new(start);
        for (i, &b) in bytes.iter().enumerate() {
            let class = CLASSES[usize::from(b)];
            if class & DOT != 0 {
                token.last_dot = start + i;
            }
            token.classes |= class;
            token.dots += u32::from(class & DOT != 0);
            token.colons += u32::from(class & COLON != 0);
            token.ats += u32::from(class & AT != 0);
        }
        token.classes &= DIGIT | LETTER | DASH;
        if token.dots > 0 {
            let after = &bytes[token.last_dot - start + 1..];
            token.last_label_alphabetic = after.iter().all(u8::is_ascii_alphabetic);
        }
        token
    }
}

const DOT: u8 = 16;
const COLON: u8 = 32;
const AT: u8 = 64;

/// Each byte's class bits (token bytes only; others are 0).
static CLASSES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = match c {
            b'0'..=b'9' => DIGIT,
            b'a'..=b'f' | b'A'..=b'F' => HEX_LETTER,
            b'g'..=b'z' | b'G'..=b'Z' => OTHER_LETTER,
            b'-' | b'_' => DASH,
            b'.' => DOT,
            b':' => COLON,
            b'@' => AT,
            _ => 0,
        };
        b += 1;
    }
    table
};

/// Bits where a run of at least 32 set bits starts (within the block).
#[inline(always)]
fn runs_of_32(word: u64) -> u64 {
    let mut x = word;
    x &= x >> 1;
    x &= x >> 2;
    x &= x >> 4;
    x &= x >> 8;
    x &= x >> 16;
    x
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
    /// The token running on from the previous block (`open.active`), kept in place:
    /// moving it in and out of an `Option` each block stalls on store forwarding.
    open: Open,
    /// 1 when the previous block's last byte is a token byte.
    carry: u64,
}

/// A token still open at the end of a block. Its masks are those of the block it
/// started in (bits `from..64`) and of the block it ends in, joined only when it ends
/// and only if it can be a candidate: most tokens crossing a boundary are not, and
/// shifting eight masks for each of them was a tenth of the scan.
#[derive(Debug, Clone, Copy, Default)]
struct Open {
    active: bool,
    start: usize,
    /// Its first bit in the block it started in.
    from: u32,
    /// Whether it spans more than 64 bytes (read byte by byte when it ends).
    long: bool,
}

/// Blocks whose masks are computed in one go before their tokens are walked.
const BATCH: usize = 64;

/// How a run of 64-byte blocks gets its masks.
pub(super) trait Classify: Copy {
    fn blocks(self, bytes: &[u8], out: &mut [Masks]);
}

/// The portable definition, byte by byte.
#[derive(Debug, Clone, Copy)]
pub(super) struct Scalar;

impl Classify for Scalar {
    #[inline(always)]
    fn blocks(self, bytes: &[u8], out: &mut [Masks]) {
        for (block, masks) in bytes.chunks_exact(64).zip(out.iter_mut()) {
            *masks = masks::block(block.try_into().expect("64 bytes"));
        }
    }
}

pub(super) fn find<F: FnMut(Hit)>(table: &Table, hay: &[u8], sink: &mut F) {
    match Avx2::detect() {
        Some(proof) => avx2::find(proof, table, hay, sink),
        None => find_with(Scalar, table, hay, sink),
    }
}

#[inline(always)]
pub(super) fn find_with<C: Classify, F: FnMut(Hit)>(classify: C, table: &Table, hay: &[u8], sink: &mut F) {
    let mut scan = Scan { table, hay, sink, open: Open::default(), carry: 0 };
    let mut masks = [Masks::default(); BATCH];
    // The masks of the block before the current batch.
    let mut previous = Masks::default();
    let whole = hay.len() / 64 * 64;
    let mut base = 0;
    while base < whole {
        let blocks = ((whole - base) / 64).min(BATCH);
        classify.blocks(&hay[base..base + blocks * 64], &mut masks[..blocks]);
        for i in 0..blocks {
            let before = if i == 0 { &previous } else { &masks[i - 1] };
            scan.block(before, &masks[i], base);
            base += 64;
        }
        previous = masks[blocks - 1];
    }
    let rest = &hay[whole..];
    if !rest.is_empty() {
        // Spaces are not token bytes: the padding closes any open token at the end.
        let mut last = [b' '; 64];
        last[..rest.len()].copy_from_slice(rest);
        scan.block(&previous, &masks::block(&last), base);
    } else if scan.open.active {
        // The input ends with a block's last byte inside a token.
        scan.open.active = false;
        scan.spanning(&previous, &Masks::default(), 0, hay.len());
    }
}

impl<F: FnMut(Hit)> Scan<'_, F> {
    /// Walks the tokens of one block that can be candidates: those holding a `.`,
    /// `:` or `@`, and (when hashes are looked for) runs of 32 token bytes or more.
    /// Other tokens cost nothing: they are never visited.
    /// `before` holds the masks of the previous block.
    #[inline(always)]
    fn block(&mut self, before: &Masks, m: &Masks, base: usize) {
        let word = m.word;
        // A colon that starts a token (JSON's `":41772`, `":false`) marks nothing.
        let inner_colons = m.colon & ((word << 1) | self.carry);
        self.carry = word >> 63;
        let marks = m.dot | inner_colons | m.at;
        let mut wanted = marks;
        if self.table.has.hex {
            wanted |= runs_of_32(word);
        }
        if self.open.active {
            let run = (!word).trailing_zeros();
            if run == 64 {
                self.open.long = true;
                return;
            }
            self.open.active = false;
            self.spanning(before, m, run, base + run as usize);
            wanted &= !range(0, run);
        }
        while wanted != 0 {
            let at = wanted.trailing_zeros();
            // The token holding bit `at` starts after the last non-token byte below it
            // (a token reaching back into the previous block was the open one).
            let below = !word & ((1u64 << at) - 1);
            let start = if below == 0 { 0 } else { 64 - below.leading_zeros() };
            let after = !word & (u64::MAX << at);
            if after == 0 {
                self.open_at(base, start);
                return;
            }
            let end = after.trailing_zeros();
            wanted &= u64::MAX << end;
            self.candidate(m, base, start, end);
        }
        if word >> 63 == 1 {
            // A token runs on into the next block.
            let start = 64 - (!word).leading_zeros();
            self.open_at(base, start);
        }
    }

    /// A token starts at bit `start` and runs on past this block.
    #[inline(always)]
    fn open_at(&mut self, base: usize, start: u32) {
        self.open = Open { active: true, start: base + start as usize, from: start, long: false };
    }

    /// A token that crossed a block boundary ends at bit `run` of the block of masks
    /// `m` (byte `end`); `before` holds the masks of the block before. One of up to 64
    /// bytes spans just those two blocks and is read from their masks, a longer one
    /// byte by byte.
    fn spanning(&mut self, before: &Masks, m: &Masks, run: u32, end: usize) {
        let Open { start, from, long, .. } = self.open;
        let len = end - start;
        let maybe_hex = self.table.has.hex && is_hex_length(len);
        if long || run > from {
            let token = Token::of(&self.hay[start..end], start);
            if token.dots + token.colons + token.ats > 0 || maybe_hex {
                self.token(token, end);
            }
            return;
        }
        let r = range(0, run);
        let marks = ((before.dot | before.colon | before.at) >> from) | ((m.dot | m.colon | m.at) & r);
        if marks != 0 || maybe_hex {
            let mut joined = before.shifted_down(from);
            if run > 0 {
                // (With `run` 0 the token ends with the block it started in, maybe at bit 0.)
                joined.add_shifted_up(m, r, 64 - from);
            }
            self.candidate(&joined, start, 0, len as u32);
        }
    }

    /// The token at bits `s..e` of a block whose first byte is `hay[base]`.
    #[inline(always)]
    fn candidate(&mut self, m: &Masks, base: usize, s: u32, e: u32) {
        let r = range(s, e);
        let special = (m.colon | m.at) & r;
        if special == 0 || special == 1 << s {
            // No `:` or `@`, or only a leading colon (`":0.25` in JSON).
            let s = s + (special != 0) as u32;
            let mut token = Token::new(base + s as usize);
            token.add(m, base, range(s, e));
            self.piece(token, base + e as usize);
        } else {
            self.split(m, base, s, e);
        }
    }

    /// A token with `:` or `@`, read from its block's masks: IPv6 or colon
    /// fingerprint, URL scheme, then its pieces between colons.
    fn split(&mut self, m: &Masks, base: usize, s: u32, e: u32) {
        let r = range(s, e);
        let colons = m.colon & r;
        let (start, end) = (base + s as usize, base + e as usize);
        if colons.count_ones() >= 2 && m.word & !(m.digit | m.hex_letter | m.colon | m.dot) & r == 0 {
            self.address_or_fingerprint(start, end);
        }
        if self.hay[end - 1] == b':' {
            self.url(start, end);
        }
        let (mut p, mut c) = (s, colons);
        loop {
            let q = if c == 0 { e } else { c.trailing_zeros() };
            if q > p {
                let pr = range(p, q);
                if m.at & pr != 0 {
                    self.piece_bytes(base + p as usize, base + q as usize);
                } else {
                    let mut token = Token::new(base + p as usize);
                    token.add(m, base, pr);
                    self.piece(token, base + q as usize);
                }
            }
            if c == 0 {
                break;
            }
            c &= c - 1;
            p = q + 1;
        }
    }

    /// A whole token `token.start..end` longer than a block, byte by byte.
    fn token(&mut self, token: Token, end: usize) {
        if token.colons == 0 && token.ats == 0 {
            if token.dots > 0 || (self.table.has.hex && is_hex_length(end - token.start)) {
                self.piece(token, end);
            }
        } else {
            self.slow(token, end);
        }
    }

    /// A token with `:` or `@`, byte by byte: IPv6 or colon fingerprint, URL scheme,
    /// then its pieces between colons.
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
        self.pieces_between(start, end, b':');
    }

    /// Each non-empty part of `start..end` between `separator`s, as a piece.
    fn pieces_between(&mut self, start: usize, end: usize, separator: u8) {
        let mut part_start = start;
        for i in start..=end {
            if i == end || self.hay[i] == separator {
                if i > part_start {
                    self.piece_bytes(part_start, i);
                }
                part_start = i + 1;
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
        let mut scheme_start =
            self.hay[start..end - 1].iter().rposition(|&b| b == b':').map_or(start, |i| start + i + 1);
        // The last piece, without its leading dots, must be a scheme.
        while scheme_start < end - 1 && self.hay[scheme_start] == b'.' {
            scheme_start += 1;
        }
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
        let bytes = &self.hay[start..end];
        let maybe_hex = self.table.has.hex && is_hex_length(bytes.len());
        if bytes.is_empty() || !maybe_hex && !bytes.iter().any(|&b| b == b'.' || b == b'@') {
            return;
        }
        let token = Token::of(bytes, start);
        if token.ats == 0 {
            self.piece(token, end);
            return;
        }
        let first_at = start + self.hay[start..end].iter().position(|&b| b == b'@').unwrap_or(0);
        let email = token.ats == 1 && first_at > start && self.hay[first_at + 1..end].contains(&b'.');
        if email {
            if self.table.has.email && end - start <= LONGEST_EMAIL {
                let mut buf = [0u8; LONGEST];
                let lower = lower(&self.hay[start..end], &mut buf);
                let sink = &mut *self.sink;
                self.table.bytes(Class::Email, lower, |atom| sink(Hit { atom, start, end }));
            }
            self.piece_bytes(first_at + 1, end);
            return;
        }
        self.pieces_between(start, end, b'@');
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
            if dots == 3
                && classes == DIGIT
                && self.table.has.v4
                && (7..=15).contains(&len)
                && let Some(address) = ipv4(&self.hay[start..end])
            {
                let sink = &mut *self.sink;
                self.table.v4(address, |atom| sink(Hit { atom, start, end }));
            }
            return;
        }
        if self.table.has.domain {
            if self.table.alphabetic_last_labels && token.last_dot < end && !token.last_label_alphabetic {
                // Every indicator domain ends in letters, this one does not (`id.orig_h`).
                return;
            }
            // The last dot, unless it was a trailing one trimmed away.
            let last_dot = if token.last_dot < end {
                token.last_dot
            } else {
                start + self.hay[start..end].iter().rposition(|&b| b == b'.').unwrap_or(0)
            };
            self.domain(start, end, last_dot);
        }
    }

    fn hex(&mut self, start: usize, end: usize) {
        let mut buf = [0u8; LONGEST];
        let lower = lower(&self.hay[start..end], &mut buf);
        let sink = &mut *self.sink;
        self.table.bytes(Class::Hex, lower, |atom| sink(Hit { atom, start, end }));
    }

    /// The domain and each of its parents of two labels or more.
    fn domain(&mut self, start: usize, end: usize, last_dot: usize) {
        if end - start > LONGEST_DOMAIN {
            return;
        }
        let sink = &mut *self.sink;
        self.table.domain(&self.hay[start..end], last_dot - start, |atom| sink(Hit { atom, start, end }));
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
