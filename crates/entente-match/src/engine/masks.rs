//! Byte classes of a 64-byte block as bit masks (bit i = byte i), written so the
//! compiler turns each into vector compares: the tokenizer then walks tokens with bit
//! operations instead of branching on every byte.

#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Masks {
    /// Token bytes: `A-Z a-z 0-9 . - _ : @`.
    pub(super) word: u64,
    pub(super) digit: u64,
    /// Hex letters `a-f A-F`.
    pub(super) hex_letter: u64,
    /// Letters that are not hex digits.
    pub(super) other_letter: u64,
    pub(super) dot: u64,
    pub(super) colon: u64,
    pub(super) at: u64,
    /// `-` and `_`.
    pub(super) dash: u64,
}

impl Masks {
    /// The masks from the seven byte classes (the one place that derives `word` and
    /// `other_letter`, for the scalar and the AVX2 classifier alike).
    #[inline(always)]
    pub(super) fn from_classes(classes: [u64; 7]) -> Masks {
        let [digit, letter, hex_letter, dot, colon, at, dash] = classes;
        Masks {
            word: digit | letter | dot | colon | at | dash,
            digit,
            hex_letter,
            other_letter: letter & !hex_letter,
            dot,
            colon,
            at,
            dash,
        }
    }

    /// Every mask shifted down by `by` bits (0 ≤ by < 64).
    #[inline(always)]
    pub(super) fn shifted_down(&self, by: u32) -> Masks {
        Masks {
            word: self.word >> by,
            digit: self.digit >> by,
            hex_letter: self.hex_letter >> by,
            other_letter: self.other_letter >> by,
            dot: self.dot >> by,
            colon: self.colon >> by,
            at: self.at >> by,
            dash: self.dash >> by,
        }
    }

    /// Adds `other`'s bits under `keep`, shifted up by `by` bits (0 ≤ by < 64).
    #[inline(always)]
    pub(super) fn add_shifted_up(&mut self, other: &Masks, keep: u64, by: u32) {
        self.word |= (other.word & keep) << by;
        self.digit |= (other.digit & keep) << by;
        self.hex_letter |= (other.hex_letter & keep) << by;
        self.other_letter |= (other.other_letter & keep) << by;
        self.dot |= (other.dot & keep) << by;
        self.colon |= (other.colon & keep) << by;
        self.at |= (other.at & keep) << by;
        self.dash |= (other.dash & keep) << by;
    }
}

#[inline(always)]
fn bits(block: &[u8; 64], class: impl Fn(u8) -> bool) -> u64 {
    let mut mask = 0u64;
    for (i, &b) in block.iter().enumerate() {
        mask |= u64::from(class(b)) << i;
    }
    mask
}

#[inline(always)]
fn is_digit(b: u8) -> bool {
    b.wrapping_sub(b'0') < 10
}

#[inline(always)]
fn is_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
}

#[inline(always)]
fn is_hex_letter(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 6
}

#[inline]
pub(super) fn block(block: &[u8; 64]) -> Masks {
    let digit = bits(block, is_digit);
    let letter = bits(block, is_letter);
    let hex_letter = bits(block, is_hex_letter);
    let dot = bits(block, |b| b == b'.');
    let colon = bits(block, |b| b == b':');
    let at = bits(block, |b| b == b'@');
    let dash = bits(block, |b| b == b'-' || b == b'_');
    Masks::from_classes([digit, letter, hex_letter, dot, colon, at, dash])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let mut bytes = [b' '; 64];
        bytes[..20].copy_from_slice(b"a1.Z:@-_ fG\"/09x\tQ.@");
        let m = block(&bytes);
        let expect = |text: &[u8]| -> u64 {
            bytes.iter().enumerate().filter(|(_, b)| text.contains(b)).map(|(i, _)| 1u64 << i).sum()
        };
        assert_eq!(m.digit, expect(b"0123456789"));
        assert_eq!(m.dot, expect(b"."));
        assert_eq!(m.colon, expect(b":"));
        assert_eq!(m.at, expect(b"@"));
        assert_eq!(m.hex_letter, expect(b"abcdefABCDEF"));
        assert_eq!(m.other_letter, expect(b"ghijklmnopqrstuvwxyzGHIJKLMNOPQRSTUVWXYZ"));
        assert_eq!(m.word, expect(b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.:@-_"));
    }
}
