//! Equality of byte strings in constant time, for digests, MAC tags and checksums: how long a
//! comparison takes depends on the lengths compared, never on where the bytes differ. (Webhook
//! verification, which folds several comparisons into one answer, uses `subtle`'s `Choice`
//! directly.)

use subtle::ConstantTimeEq;

/// True when `a` and `b` hold the same bytes. Slices of different lengths are unequal at once
/// (a length is public); bytes of one length are XORed and ORed together eight at a time (then
/// the bytes left over) without a branch, and the one aggregate is tested with `subtle`.
pub fn equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut acc = 0u64;
    let (words_a, words_b) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in words_a.remainder().iter().zip(words_b.remainder()) {
        acc |= u64::from(x ^ y);
    }
    for (x, y) in words_a.zip(words_b) {
        let (mut wx, mut wy) = ([0u8; 8], [0u8; 8]);
        wx.copy_from_slice(x);
        wy.copy_from_slice(y);
        acc |= u64::from_ne_bytes(wx) ^ u64::from_ne_bytes(wy);
    }
    acc.ct_eq(&0).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_anywhere_is_seen() {
        // In a word, in the bytes after the last word, and in every bit position.
        for len in [0, 1, 7, 8, 9, 32, 35] {
            let a: Vec<u8> = (0..len).map(|i| i as u8).collect();
            assert!(equal(&a, &a));
            for i in 0..len {
                for bit in 0..8 {
                    let mut b = a.clone();
                    b[i] ^= 1 << bit;
                    assert!(!equal(&a, &b), "{len} {i} {bit}");
                }
            }
        }
    }

    #[test]
    fn lengths_must_match() {
        assert!(!equal(b"abc", b"abcd"));
        assert!(!equal(b"", b"a"));
        assert!(!equal(&[0u8; 8], &[0u8; 9]));
        assert!(equal(b"", b""));
    }
}
