//! The byte classes of [`super::masks`] with AVX2: the one place in the workspace
//! that uses `unsafe` (vector loads and target-feature calls). The scalar
//! `masks::block` is the definition; a test holds this to it byte for byte.
#![allow(unsafe_code)]

use super::Hit;
use super::masks::Masks;
use super::scan::Classify;
#[cfg(not(target_arch = "x86_64"))]
use super::scan::Scalar;
use super::table::Table;
#[cfg(target_arch = "x86_64")]
use std::arch::x86_64::*;

/// Proof that this CPU has AVX2 (and POPCNT, BMI1): only [`Avx2::detect`] makes one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Avx2(());

impl Avx2 {
    pub(super) fn detect() -> Option<Avx2> {
        #[cfg(target_arch = "x86_64")]
        {
            let present = std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("popcnt")
                && std::arch::is_x86_feature_detected!("bmi1");
            present.then_some(Avx2(()))
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            None
        }
    }
}

impl Classify for Avx2 {
    #[inline(always)]
    fn blocks(self, bytes: &[u8], out: &mut [Masks]) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: an `Avx2` exists only when the CPU has AVX2 (`detect`);
        // `blocks_avx2` asserts that it reads within `bytes`.
        unsafe {
            blocks_avx2(bytes, out)
        };
        #[cfg(not(target_arch = "x86_64"))]
        Scalar.blocks(bytes, out);
    }
}

/// The whole scan compiled for AVX2, POPCNT and BMI1 (the tokenizer's bit counting
/// and scanning become single instructions).
pub(super) fn find<F: FnMut(Hit)>(proof: Avx2, table: &Table, hay: &[u8], sink: &mut F) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `proof` exists only when the CPU has these features.
    unsafe {
        find_avx2(proof, table, hay, sink)
    };
    #[cfg(not(target_arch = "x86_64"))]
    super::scan::find_with(proof, table, hay, sink);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,popcnt,bmi1")]
unsafe fn find_avx2<F: FnMut(Hit)>(proof: Avx2, table: &Table, hay: &[u8], sink: &mut F) {
    super::scan::find_with(proof, table, hay, sink);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn blocks_avx2(bytes: &[u8], out: &mut [Masks]) {
    assert!(bytes.len() >= out.len() * 64);
    for (i, masks) in out.iter_mut().enumerate() {
        // SAFETY: i * 64 + 64 <= bytes.len() (asserted above); unaligned loads.
        let (lo, hi) = unsafe {
            let p = bytes.as_ptr().add(i * 64);
            (_mm256_loadu_si256(p.cast()), _mm256_loadu_si256(p.add(32).cast()))
        };
        // A hint for the bytes a few blocks on (a prefetch never faults, and the
        // address is only computed, never dereferenced).
        _mm_prefetch::<_MM_HINT_T0>(bytes.as_ptr().wrapping_add(i * 64 + 2048).cast());
        let l = classes(lo);
        let h = classes(hi);
        let join = |k: usize| u64::from(l[k]) | (u64::from(h[k]) << 32);
        *masks = Masks::from_classes([join(0), join(1), join(2), join(3), join(4), join(5), join(6)]);
    }
}

/// `lo <= b < lo + n` for every byte (unsigned), with signed compares.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn in_range(v: __m256i, lo: u8, n: u8) -> __m256i {
    let shifted = _mm256_xor_si256(_mm256_sub_epi8(v, _mm256_set1_epi8(lo as i8)), _mm256_set1_epi8(-128));
    _mm256_cmpgt_epi8(_mm256_set1_epi8((i16::from(n) - 128) as i8), shifted)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn bits(v: __m256i) -> u32 {
    _mm256_movemask_epi8(v) as u32
}

/// digit, letter, hex letter, dot, colon, at, dash-or-underscore.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
#[inline]
fn classes(v: __m256i) -> [u32; 7] {
    let lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    let eq = |c: u8| _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c as i8));
    [
        bits(in_range(v, b'0', 10)),
        bits(in_range(lower, b'a', 26)),
        bits(in_range(lower, b'a', 6)),
        bits(eq(b'.')),
        bits(eq(b':')),
        bits(eq(b'@')),
        bits(_mm256_or_si256(eq(b'-'), eq(b'_'))),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_scalar_definition_on_every_byte() {
        let mut bytes: Vec<u8> = (0..=255u8).collect();
        bytes.extend((0..=255u8).rev());
        bytes.extend((0..512u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let Some(avx2) = Avx2::detect() else { return };
        let mut out = vec![Masks::default(); bytes.len() / 64];
        avx2.blocks(&bytes, &mut out);
        for (block, got) in bytes.chunks_exact(64).zip(&out) {
            let want = super::super::masks::block(block.try_into().expect("64"));
            assert_eq!(format!("{got:?}"), format!("{want:?}"));
        }
    }
}
