//! The lookup tables: one hash map per address family keyed by (network, prefix
//! length), one map for every byte-compared value keyed by a 64-bit hash of (class,
//! bytes), and bitmaps in front of both so that most candidates are turned away
//! without touching a map.

use crate::kind::{Class, Normal, v4_mask, v6_mask};
use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

type Fixed = foldhash::fast::FixedState;

const SEED: u64 = 0x0e57_e47e_0000_0001;
const NONE: u32 = u32::MAX;

#[derive(Debug)]
pub(super) struct Table {
    /// (class, bytes) hash → first atom with that hash; `chain` links the others.
    bytes: HashMap<u64, u32, Fixed>,
    chain: Vec<u32>,
    /// One bit per hash prefix: clear means no value of that hash exists.
    filter: Vec<u64>,
    filter_shift: u32,
    /// One bit per hash of a domain's last label (`com`, `org`…): a candidate whose
    /// last label no indicator domain has is turned away before any other work.
    last_labels: Vec<u64>,
    /// Normal byte values of all atoms, one after the other (`spans` per atom;
    /// addresses have an empty span).
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
    /// Hashes of indicator domains' last two labels, put in `filter` at `finish`: a
    /// candidate whose last two labels are no indicator's is done after two labels.
    second_levels: Vec<u64>,
    v4: HashMap<u64, u32, Fixed>,
    /// One bit per /24: set when some IPv4 network covers part of it.
    v4_filter: Vec<u64>,
    /// Prefix lengths present, longest first.
    v4_lengths: Vec<u8>,
    v6: HashMap<(u128, u8), u32, Fixed>,
    v6_lengths: Vec<u8>,
    pub(super) has: Has,
    /// Whether every indicator domain's last label is letters only (then a candidate
    /// whose last label holds a digit, `-` or `_` cannot match).
    pub(super) alphabetic_last_labels: bool,
}

/// Which candidate kinds are worth looking at.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Has {
    pub(super) v4: bool,
    pub(super) v6: bool,
    pub(super) domain: bool,
    pub(super) url: bool,
    pub(super) email: bool,
    pub(super) hex: bool,
}

pub(super) fn hash(class: Class, bytes: &[u8]) -> u64 {
    let mut hasher = Fixed::with_seed(SEED).build_hasher();
    hasher.write_u8(class as u8);
    hasher.write(bytes);
    hasher.finish()
}

impl Table {
    pub(super) fn new() -> Table {
        Table {
            bytes: HashMap::with_hasher(Fixed::with_seed(1)),
            chain: Vec::new(),
            filter: Vec::new(),
            filter_shift: 63,
            last_labels: vec![0; LAST_LABEL_BITS / 64],
            arena: Vec::new(),
            spans: Vec::new(),
            second_levels: Vec::new(),
            v4: HashMap::with_hasher(Fixed::with_seed(2)),
            v4_filter: Vec::new(),
            v4_lengths: Vec::new(),
            v6: HashMap::with_hasher(Fixed::with_seed(3)),
            v6_lengths: Vec::new(),
            has: Has::default(),
            alphabetic_last_labels: true,
        }
    }

    /// The atom holding `normal`: an existing one, or `next` (the caller's next atom
    /// index), which is then recorded.
    pub(super) fn intern(&mut self, normal: Normal, next: u32) -> u32 {
        let atom = match normal {
            Normal::V4 { net, len } => {
                self.has.v4 = true;
                if !self.v4_lengths.contains(&len) {
                    self.v4_lengths.push(len);
                }
                *self.v4.entry(v4_key(net, len)).or_insert(next)
            }
            Normal::V6 { net, len } => {
                self.has.v6 = true;
                if !self.v6_lengths.contains(&len) {
                    self.v6_lengths.push(len);
                }
                *self.v6.entry((net, len)).or_insert(next)
            }
            Normal::Bytes { class, bytes } => {
                let h = if class == Class::Domain { domain_hash(&bytes) } else { hash(class, &bytes) };
                let first = self.bytes.get(&h).copied().unwrap_or(NONE);
                let mut held = None;
                self.with_hash(h, |value| value == bytes.as_slice(), &mut |atom| held = Some(atom));
                if let Some(atom) = held {
                    return atom;
                }
                match class {
                    Class::Domain => {
                        self.has.domain = true;
                        let last = bytes.iter().rposition(|&b| b == b'.').map_or(&bytes[..], |dot| &bytes[dot + 1..]);
                        self.alphabetic_last_labels &= last.iter().all(u8::is_ascii_alphabetic);
                        let bit = last_label_bit(label_hash(last));
                        set_bit(&mut self.last_labels, bit);
                        let mut labels = bytes.rsplit(|&b| b == b'.');
                        let two =
                            labels.by_ref().take(2).fold(DOMAIN_SEED, |h, label| chain_label(h, label_hash(label)));
                        self.second_levels.push(two);
                    }
                    Class::Url => self.has.url = true,
                    Class::Email => self.has.email = true,
                    Class::Hex => self.has.hex = true,
                }
                self.bytes.insert(h, next);
                self.record(next, first, &bytes);
                return next;
            }
        };
        if atom == next {
            self.record(next, NONE, &[]);
        }
        atom
    }

    fn record(&mut self, atom: u32, chain: u32, bytes: &[u8]) {
        debug_assert_eq!(atom as usize, self.spans.len());
        let start = self.arena.len() as u32;
        self.arena.extend_from_slice(bytes);
        self.spans.push((start, self.arena.len() as u32));
        self.chain.push(chain);
    }

    fn value(&self, atom: u32) -> &[u8] {
        let (start, end) = self.spans[atom as usize];
        &self.arena[start as usize..end as usize]
    }

    /// Builds the filters once every value is in.
    pub(super) fn finish(&mut self) {
        self.v4_lengths.sort_unstable_by(|a, b| b.cmp(a));
        self.v6_lengths.sort_unstable_by(|a, b| b.cmp(a));
        let filter_bits =
            ((self.bytes.len() + self.second_levels.len()) * 16).next_power_of_two().clamp(1 << 16, 1 << 27);
        self.filter = vec![0; filter_bits / 64];
        self.filter_shift = 64 - filter_bits.trailing_zeros();
        let mut hashes: Vec<u64> = self.bytes.keys().copied().collect();
        hashes.append(&mut self.second_levels);
        for h in hashes {
            self.set_filter(h);
        }
        self.second_levels = Vec::new();
        if self.has.v4 {
            self.v4_filter = vec![0; (1 << 24) / 64];
            for key in self.v4.keys() {
                let (net, len) = ((*key >> 8) as u32, (*key & 0xff) as u8);
                let first = net >> 8;
                let count = if len >= 24 { 1 } else { 1u32 << (24 - len) };
                for slash24 in first..first + count {
                    set_bit(&mut self.v4_filter, slash24 as usize);
                }
            }
        }
        self.arena.shrink_to_fit();
    }

    /// Every atom that `domain` (a candidate, any case) or one of its parents of two
    /// labels or more is. Labels are hashed right to left and chained, so each
    /// parent's hash is one step of the same walk: no copy, no rehashing.
    /// `last_dot` is the index of its last `.` (the caller knows it from its masks).
    #[inline]
    pub(super) fn domain(&self, domain: &[u8], last_dot: usize, mut found: impl FnMut(u32)) {
        let mut end = domain.len();
        let mut h = DOMAIN_SEED;
        let mut labels = 0;
        loop {
            let dot = if labels == 0 { Some(last_dot) } else { domain[..end].iter().rposition(|&b| b == b'.') };
            let start = dot.map_or(0, |d| d + 1);
            let label = label_hash(&domain[start..end]);
            if labels == 0 {
                let bit = last_label_bit(label);
                if !bit_set(&self.last_labels, bit) {
                    return;
                }
            }
            h = chain_label(h, label);
            labels += 1;
            let maybe = labels >= 2 && self.maybe(h);
            if labels == 2 && !maybe {
                // No indicator domain ends in these two labels.
                return;
            }
            if maybe {
                let suffix = &domain[start..];
                self.with_hash(h, |value| value.eq_ignore_ascii_case(suffix), &mut found);
            }
            match dot {
                Some(d) => end = d,
                None => return,
            }
        }
    }

    fn set_filter(&mut self, h: u64) {
        set_bit(&mut self.filter, (h >> self.filter_shift) as usize);
    }

    #[inline]
    fn maybe(&self, h: u64) -> bool {
        bit_set(&self.filter, (h >> self.filter_shift) as usize)
    }

    /// Every atom whose normal bytes in `class` equal `bytes` (already normal).
    #[inline]
    pub(super) fn bytes(&self, class: Class, bytes: &[u8], mut found: impl FnMut(u32)) {
        let h = hash(class, bytes);
        if self.maybe(h) {
            self.with_hash(h, |value| value == bytes, &mut found);
        }
    }

    /// Every atom of hash `h` whose normal bytes pass `same` (hashes can collide).
    #[inline]
    fn with_hash(&self, h: u64, same: impl Fn(&[u8]) -> bool, found: &mut impl FnMut(u32)) {
        let mut next = self.bytes.get(&h).copied().unwrap_or(NONE);
        while next != NONE {
            if same(self.value(next)) {
                found(next);
            }
            next = self.chain[next as usize];
        }
    }

    /// Every IPv4 network holding `address`, longest prefix first.
    #[inline]
    pub(super) fn v4(&self, address: u32, mut found: impl FnMut(u32)) {
        if !bit_set(&self.v4_filter, (address >> 8) as usize) {
            return;
        }
        for &len in &self.v4_lengths {
            if let Some(atom) = self.v4.get(&v4_key(address & v4_mask(len), len)) {
                found(*atom);
            }
        }
    }

    /// Every IPv6 network holding `address`, longest prefix first.
    pub(super) fn v6(&self, address: u128, mut found: impl FnMut(u32)) {
        for &len in &self.v6_lengths {
            if let Some(atom) = self.v6.get(&(address & v6_mask(len), len)) {
                found(*atom);
            }
        }
    }

    pub(super) fn bytes_held(&self) -> usize {
        let entry = std::mem::size_of::<(u64, u32)>() + 1;
        (self.bytes.capacity() + self.v4.capacity()) * entry
            + self.v6.capacity() * (std::mem::size_of::<(u128, u8, u32)>() + 1)
            + self.chain.capacity() * 4
            + (self.filter.capacity() + self.v4_filter.capacity() + self.last_labels.capacity()) * 8
            + self.arena.capacity()
            + self.spans.capacity() * 8
    }
}

const LAST_LABEL_BITS: usize = 1 << 16;
const DOMAIN_SEED: u64 = 0x0d0_3a1e;

/// A label's hash, the same for any ASCII case: eight bytes at a time, each byte
/// `| 0x20` (which folds letters and leaves digits and `-` alone; `_` and the
/// padding change alike on both sides).
#[inline]
fn label_hash(label: &[u8]) -> u64 {
    let mut h = label.len() as u64;
    for chunk in label.chunks(8) {
        let mut v = 0x2020_2020_2020_2020u64;
        for (i, &b) in chunk.iter().enumerate() {
            v |= u64::from(b) << (8 * i);
        }
        h = (h ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        h ^= h >> 29;
    }
    h
}

#[inline]
fn chain_label(h: u64, label: u64) -> u64 {
    (h.rotate_left(23) ^ label).wrapping_mul(0xff51_afd7_ed55_8ccd) ^ label.rotate_left(41)
}

#[inline]
fn last_label_bit(label: u64) -> usize {
    (label >> 40) as usize % LAST_LABEL_BITS
}

/// A domain's key in the value table: the last step of [`Table::domain`]'s walk.
fn domain_hash(domain: &[u8]) -> u64 {
    domain.rsplit(|&b| b == b'.').fold(DOMAIN_SEED, |h, label| chain_label(h, label_hash(label)))
}

fn set_bit(bits: &mut [u64], bit: usize) {
    bits[bit / 64] |= 1 << (bit % 64);
}

#[inline]
fn bit_set(bits: &[u64], bit: usize) -> bool {
    bits[bit / 64] & (1 << (bit % 64)) != 0
}

fn v4_key(net: u32, len: u8) -> u64 {
    (u64::from(net) << 8) | u64::from(len)
}
